/**
 * The legacy `auth` package of the poll response and the authorization webhook: base64 (possibly wrapped with
 * CR/LF every 64 characters) of one raw RSAES-OAEP block with SHA-1 and MGF1-SHA-1, not a JWE
 * (docs/protocol.md, "Device packages").
 */
import { JweDecryptionError } from '../errors.js';
import type { PrivateKey, PublicKey } from './keys.js';
import { oaepDecrypt, oaepEncrypt } from './rsa.js';

/** Longest plaintext that fits one OAEP-SHA-1 block of this key (k − 2·20 − 2 bytes). */
export function legacyPackageCapacity(key: PublicKey): number {
  return key.bits / 8 - 42;
}

/**
 * Encrypts `plaintext` as a legacy package: one OAEP-SHA-1 block, base64 wrapped with CRLF every 64
 * characters like the real API's packages.
 *
 * @throws {RangeError} when the plaintext does not fit one block of the key.
 * @throws {ConfigurationError} when the key is not an RSA public key of at least 2048 bits.
 */
export function encryptLegacyPackage(plaintext: string, key: PublicKey): string {
  const data = Buffer.from(plaintext, 'utf8');
  if (data.length > legacyPackageCapacity(key)) {
    throw new RangeError(`Legacy package of ${data.length} bytes exceeds ${legacyPackageCapacity(key)} bytes`);
  }
  const block = oaepEncrypt(key.keyObject, 'sha1', data);
  return (block.toString('base64').match(/.{1,64}/g) ?? []).join('\r\n');
}

/**
 * Decrypts a legacy package with `key` (the key whose id the core's `public_key_id` names).
 *
 * @throws {JweDecryptionError} when the text is not base64 of one block of this key, or does not open.
 */
export async function decryptLegacyPackage(encoded: string, key: PrivateKey): Promise<string> {
  if (typeof encoded !== 'string') throw new JweDecryptionError('malformed', 'Legacy package is not a string');
  const compact = encoded.replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new JweDecryptionError('malformed', 'Legacy package is not base64');
  }
  const block = Buffer.from(compact, 'base64');
  if (block.length !== key.bits / 8) {
    throw new JweDecryptionError('malformed', `Legacy package is ${block.length} bytes, not one ${key.bits}-bit block`);
  }
  let plain: Buffer;
  try {
    // Synchronous up to 2048 bits, on the thread pool above (rsa.ts).
    plain = await oaepDecrypt(key.keyObject, 'sha1', block);
  } catch (cause) {
    throw new JweDecryptionError('decrypt', 'Legacy package decryption failed', { cause, kid: key.kid });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (cause) {
    throw new JweDecryptionError('payload', 'Legacy package plaintext is not UTF-8', { cause });
  }
}
