/**
 * The RSA operations of the protocol, and the one rule that decides where each runs.
 *
 * Why this rule (measured in bench/, TOOLCHAIN.md §6, on the 2-vCPU reference VM):
 * - Public-key operations (RS* verification, OAEP encryption of a CEK) cost 25–100 µs even at
 *   4096 bits, less than one trip to the libuv thread pool (~100–140 µs with WebCrypto): they run
 *   synchronously on the calling thread.
 * - Private-key operations (RS* signing, OAEP decryption of a CEK or legacy package) cost ~0.3–0.4
 *   ms at 2048 bits but 4–5 ms at 4096. Up to {@link SYNC_PRIVATE_KEY_MAX_BITS} they run
 *   synchronously: a thread-pool hop would cost a third of the operation again, for a stall the
 *   event loop absorbs. Above it they run on the thread pool, so that one call does not stall every
 *   other request for 4–5 ms: signing with the callback form of `crypto.sign`, decryption with
 *   `webcrypto.subtle.decrypt` (node:crypto has no asynchronous `privateDecrypt`) on a CryptoKey
 *   imported once per (KeyObject, hash) and cached in a WeakMap.
 *
 * Every function refuses a key that is not RSA, not of the right type (public/private) or shorter
 * than {@link MIN_RSA_BITS}, with a {@link ConfigurationError}; callers turn it into their own
 * failure type. Errors of the RSA operation itself are thrown as node:crypto raised them: callers
 * of the decryption functions must map every one to a single failure (no OAEP oracle).
 */
import {
  constants,
  privateDecrypt,
  publicEncrypt,
  sign as cryptoSign,
  verify as cryptoVerify,
  webcrypto,
  type KeyObject,
} from 'node:crypto';

import { ConfigurationError } from '../errors.js';
import { MIN_RSA_BITS } from './keys.js';

/** RSASSA-PKCS1-v1_5 signature algorithms of the protocol (RFC 7518 §3.3). */
export type RsaSignatureAlgorithm = 'RS256' | 'RS384' | 'RS512';

/** OAEP hash (also the MGF1 hash): SHA-1 for `RSA-OAEP` and legacy packages, SHA-256 for `RSA-OAEP-256`. */
export type OaepHash = 'sha1' | 'sha256';

/** Largest modulus whose private-key operations run synchronously; larger ones go to the thread pool. */
export const SYNC_PRIVATE_KEY_MAX_BITS = 2048;

const SIGNATURE_HASH: Record<RsaSignatureAlgorithm, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };
const WEBCRYPTO_HASH: Record<OaepHash, string> = { sha1: 'SHA-1', sha256: 'SHA-256' };

function signatureHash(alg: RsaSignatureAlgorithm): string {
  // Own properties only: a caller outside TypeScript could pass 'constructor'.
  if (!Object.hasOwn(SIGNATURE_HASH, alg)) throw new ConfigurationError(`Unsupported signature algorithm ${alg}`);
  return SIGNATURE_HASH[alg];
}

function checkOaepHash(hash: OaepHash): OaepHash {
  if (!Object.hasOwn(WEBCRYPTO_HASH, hash)) throw new ConfigurationError(`Unsupported OAEP hash ${hash}`);
  return hash;
}

/** Modulus length of an RSA key of the expected type, after refusing anything else. */
function rsaBits(key: KeyObject, type: 'public' | 'private'): number {
  if (key.type !== type || key.asymmetricKeyType !== 'rsa') {
    throw new ConfigurationError(`Expected an RSA ${type} key, got a ${key.type} ${String(key.asymmetricKeyType)} key`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new ConfigurationError(`RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  }
  return bits;
}

/** Whether private-key operations with `key` run on the thread pool (modulus above 2048 bits). */
export function runsOnThreadPool(key: KeyObject): boolean {
  return rsaBits(key, 'private') > SYNC_PRIVATE_KEY_MAX_BITS;
}

/** Length in bytes of one RSA block (signature, OAEP ciphertext) of `key`. */
export function rsaBlockBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

/** RSASSA-PKCS1-v1_5 signature of `data` (synchronous up to 2048 bits, thread pool above). */
export async function rsaSign(privateKey: KeyObject, alg: RsaSignatureAlgorithm, data: Uint8Array): Promise<Buffer> {
  const hash = signatureHash(alg);
  if (!runsOnThreadPool(privateKey)) return cryptoSign(hash, data, privateKey);
  return new Promise<Buffer>((resolve, reject) => {
    cryptoSign(hash, data, privateKey, (err, signature) => {
      if (err === null) resolve(signature);
      else reject(err);
    });
  });
}

/**
 * Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of `data` (synchronous). A signature of
 * the wrong length is simply invalid.
 */
export function rsaVerify(
  publicKey: KeyObject,
  alg: RsaSignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const hash = signatureHash(alg);
  rsaBits(publicKey, 'public');
  if (signature.length !== rsaBlockBytes(publicKey)) return false;
  return cryptoVerify(hash, data, publicKey, signature);
}

/** RSAES-OAEP encryption of `data` with `hash` for both OAEP and MGF1 (synchronous). */
export function oaepEncrypt(publicKey: KeyObject, hash: OaepHash, data: Uint8Array): Buffer {
  checkOaepHash(hash);
  rsaBits(publicKey, 'public');
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
