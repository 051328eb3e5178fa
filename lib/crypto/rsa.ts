/**
 * The RSA checks and operations that stay on node:crypto: the key checks every JOSE call makes before handing
 * a key to jose, and RSAES-OAEP for the legacy `auth` package (one raw OAEP block, not a JWE, which jose
 * cannot read; docs/protocol.md, "Device packages"). Signing, verification and JWE key wrapping go through
 * jose (jws.ts, jwe.ts).
 *
 * Why legacy decryption runs where it does (measured in bench/ on the 2-vCPU reference VM that README.md,
 * "Performance", describes): an OAEP decryption costs ~0.3 ms at 2048 bits but 4–5 ms at 4096. Up to
 * {@link SYNC_PRIVATE_KEY_MAX_BITS} it runs synchronously: a thread-pool hop would cost a third of the
 * operation again, and the package is decrypted at most once per login, only when the API sent no
 * `auth_jwe`. Above it, it runs on the thread pool with `webcrypto.subtle.decrypt` (node:crypto has no
 * asynchronous `privateDecrypt`), on a CryptoKey imported once per (KeyObject, hash) and cached in a
 * WeakMap, so that one call does not stall every other request for 4–5 ms.
 *
 * Every function refuses a key that is not RSA, not of the right type (public/private) or shorter
 * than {@link MIN_RSA_BITS}, with a {@link ConfigurationError}; callers turn it into their own
 * failure type. Errors of the RSA operation itself are thrown as node:crypto raised them: callers
 * of the decryption function must map every one to a single failure (no OAEP oracle).
 */
import { constants, privateDecrypt, publicEncrypt, webcrypto, type KeyObject } from 'node:crypto';

import { ConfigurationError } from '../errors.js';
import { MIN_RSA_BITS } from './keys.js';

/** OAEP hash (also the MGF1 hash): SHA-1 for `RSA-OAEP` and legacy packages, SHA-256 for `RSA-OAEP-256`. */
export type OaepHash = 'sha1' | 'sha256';

/** Largest modulus whose legacy-package decryption runs synchronously; larger ones go to the thread pool. */
export const SYNC_PRIVATE_KEY_MAX_BITS = 2048;

const WEBCRYPTO_HASH: Record<OaepHash, string> = { sha1: 'SHA-1', sha256: 'SHA-256' };

function checkOaepHash(hash: OaepHash): OaepHash {
  // Own properties only: a caller outside TypeScript could pass 'constructor'.
  if (!Object.hasOwn(WEBCRYPTO_HASH, hash)) throw new ConfigurationError(`Unsupported OAEP hash ${hash}`);
  return hash;
}

/**
 * Modulus length of an RSA key of the expected type, after refusing anything else. jose refuses the
 * same keys, but with a bare TypeError; checking first keeps the refusal a typed ConfigurationError.
 *
 * @throws {ConfigurationError} for a key that is not an RSA `type` key of at least 2048 bits.
 */
export function requireRsaKey(key: KeyObject, type: 'public' | 'private'): number {
  if (key.type !== type || key.asymmetricKeyType !== 'rsa') {
    throw new ConfigurationError(`Expected an RSA ${type} key, got a ${key.type} ${String(key.asymmetricKeyType)} key`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new ConfigurationError(`RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  }
  return bits;
}

/** Whether legacy-package decryption with `key` runs on the thread pool (modulus above 2048 bits). */
export function runsOnThreadPool(key: KeyObject): boolean {
  return requireRsaKey(key, 'private') > SYNC_PRIVATE_KEY_MAX_BITS;
}

/** Length in bytes of one RSA block (signature, OAEP ciphertext) of `key`. */
export function rsaBlockBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

/** RSAES-OAEP encryption of `data` with `hash` for both OAEP and MGF1 (synchronous). */
export function oaepEncrypt(publicKey: KeyObject, hash: OaepHash, data: Uint8Array): Buffer {
  checkOaepHash(hash);
  requireRsaKey(publicKey, 'public');
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

// One RSA-OAEP CryptoKey per (private KeyObject, hash), imported once: a CryptoKey is bound to its
// hash. Keyed on the KeyObject identity, so keys are loaded once and reused (keys.ts).
const oaepCryptoKeys = new WeakMap<KeyObject, Map<OaepHash, Promise<webcrypto.CryptoKey>>>();

function oaepCryptoKey(privateKey: KeyObject, hash: OaepHash): Promise<webcrypto.CryptoKey> {
  let known = oaepCryptoKeys.get(privateKey);
  if (known === undefined) {
    known = new Map();
    oaepCryptoKeys.set(privateKey, known);
  }
  const byHash = known;
  let cryptoKey = byHash.get(hash);
  if (cryptoKey === undefined) {
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    const imported = webcrypto.subtle.importKey('pkcs8', der, { name: 'RSA-OAEP', hash: WEBCRYPTO_HASH[hash] }, false, [
      'decrypt',
    ]);
    // A failed import is not cached: the next call tries again.
    imported.catch(() => byHash.delete(hash));
    byHash.set(hash, imported);
    cryptoKey = imported;
  }
  return cryptoKey;
}

/**
 * RSAES-OAEP decryption of one block with `hash` for both OAEP and MGF1 (synchronous up to 2048 bits,
 * thread pool above). Rejects with the raw node:crypto / WebCrypto error when the block does not open.
 */
export async function oaepDecrypt(privateKey: KeyObject, hash: OaepHash, data: Uint8Array): Promise<Buffer> {
  checkOaepHash(hash);
  if (!runsOnThreadPool(privateKey)) {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
  }
  const plain = await webcrypto.subtle.decrypt({ name: 'RSA-OAEP' }, await oaepCryptoKey(privateKey, hash), data);
  return Buffer.from(plain);
}
