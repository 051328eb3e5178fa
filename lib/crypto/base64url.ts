/**
 * The one base64url check the compact serialisations need: every segment must be the unique
 * (canonical) unpadded encoding of its bytes, so that two different strings never carry the same
 * token (a replay cache keyed on text would otherwise see them as two).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CHARACTERS = /^[A-Za-z0-9_-]*$/;

/**
 * Whether `segment` is canonical unpadded base64url. Checked on the text, without decoding: a length
 * of 1 modulo 4 is never an encoding, and the bits a final character carries beyond the last whole
 * byte (4 bits after 2 characters, 2 after 3) must be zero.
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (!CHARACTERS.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}
