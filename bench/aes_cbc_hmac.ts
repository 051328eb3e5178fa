/**
 * A256CBC-HS512 content encryption (RFC 7518 §5.2.2, AES_256_CBC_HMAC_SHA_512) on synchronous
 * node:crypto: one AES and one HMAC call per message, ~10 µs, where jose's WebCrypto path needs five to
 * seven thread-pool trips. The content cipher of the raw-JOSE baseline (raw_jose.ts); lib uses jose.
 * spec/crypto/interop.spec.ts holds it to the RFC 7518 App. B.3 vector, so the baseline does the real
 * work.
 *
 * The 64-byte CEK is MAC_KEY (first 32 bytes) ‖ ENC_KEY (last 32 bytes); the tag is the first 32
 * bytes of HMAC-SHA-512(MAC_KEY, AAD ‖ IV ‖ ciphertext ‖ AL), AL being the bit length of the AAD as a
 * 64-bit big-endian integer. Decryption checks every length, then the tag in constant time, and only
 * then runs AES: an attacker learns nothing from the padding of bytes it could not authenticate.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Length of the content-encryption key: 32 bytes of HMAC key, then 32 bytes of AES key. */
export const CEK_BYTES = 64;
/** Length of the AES-CBC initialisation vector. */
export const IV_BYTES = 16;
/** Length of the authentication tag (half of the HMAC-SHA-512 output). */
export const TAG_BYTES = 32;

const HALF = CEK_BYTES / 2;

function tagOf(cek: Uint8Array, aad: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length) * 8n);
  return createHmac('sha512', cek.subarray(0, HALF))
    .update(aad)
    .update(iv)
    .update(ciphertext)
    .update(al)
    .digest()
    .subarray(0, TAG_BYTES);
}

/** Output of {@link encryptA256CbcHs512}. */
export interface A256CbcHs512Ciphertext {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Encrypts and authenticates `plaintext` with `aad`.
 *
 * @param iv the IV; default 16 fresh random bytes (a fixed IV is only for known-answer tests).
 * @throws {RangeError} when the CEK is not 64 bytes or the IV not 16 (programming errors).
 */
export function encryptA256CbcHs512(
  cek: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  iv: Uint8Array = randomBytes(IV_BYTES),
): A256CbcHs512Ciphertext {
  if (cek.length !== CEK_BYTES) throw new RangeError(`A256CBC-HS512 needs a ${CEK_BYTES}-byte key`);
  if (iv.length !== IV_BYTES) throw new RangeError(`A256CBC-HS512 needs a ${IV_BYTES}-byte IV`);
  const cipher = createCipheriv('aes-256-cbc', cek.subarray(HALF), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: Buffer.from(iv), ciphertext, tag: tagOf(cek, aad, iv, ciphertext) };
}

/**
 * Authenticates and decrypts. Returns `undefined` for every failure, whichever it is (a key, IV or
 * tag of the wrong length, a ciphertext that is empty or not whole AES blocks, a tag mismatch, bad
 * padding): the caller reports one error and so offers no oracle.
 */
export function decryptA256CbcHs512(
  cek: Uint8Array,
  aad: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer | undefined {
  if (
    cek.length !== CEK_BYTES ||
    iv.length !== IV_BYTES ||
    tag.length !== TAG_BYTES ||
    ciphertext.length === 0 ||
    ciphertext.length % 16 !== 0
  ) {
    return undefined;
  }
  if (!timingSafeEqual(tagOf(cek, aad, iv, ciphertext), tag)) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-cbc', cek.subarray(HALF), iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // Bad padding under a valid tag: only a sender holding the CEK can produce it. Same answer.
    return undefined;
  }
}
