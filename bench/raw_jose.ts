/**
 * A complete JOSE implementation on node:crypto alone, restricted to what the protocol uses: compact
 * JWE with RSA-OAEP / RSA-OAEP-256 key wrapping and A256CBC-HS512 content encryption (RFC 7518
 * §4.3, §5.2.2; the content cipher is aes_cbc_hmac.ts), and compact RS256/384/512 JWS. It is the
 * "raw JOSE" baseline of the benchmark: what the protocol's JOSE costs with no WebCrypto and no
 * thread pool. lib runs on jose. Every output is checked against jose and lib at start-up
 * (`assertInterop` in fixture.ts), and spec/crypto/interop.spec.ts holds it to RFC 7515 App. A.2 and
 * RFC 7518 App. B.3.
 *
 * All calls are synchronous except {@link rawSignJwsAsync}, which uses the callback form of
 * `crypto.sign` (libuv thread pool) so as not to block the event loop.
 */
import { constants, privateDecrypt, publicEncrypt, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

import { decryptA256CbcHs512, encryptA256CbcHs512 } from './aes_cbc_hmac.js';

export type RawJweAlgorithm = 'RSA-OAEP' | 'RSA-OAEP-256';
export type RawJwsAlgorithm = 'RS256' | 'RS384' | 'RS512';

const OAEP_HASH: Record<RawJweAlgorithm, string> = { 'RSA-OAEP': 'sha1', 'RSA-OAEP-256': 'sha256' };
const JWS_HASH: Record<RawJwsAlgorithm, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

/** Protected header of a JWE this module writes. */
export interface RawJweHeader {
  alg: RawJweAlgorithm;
  enc: 'A256CBC-HS512';
  kid: string;
  cty?: string;
}

/** A decryption failure; one message whatever the cause (no padding or MAC oracle). */
export class RawJoseError extends Error {}

const B64URL_PART = /^[A-Za-z0-9_-]*$/;

/** Encrypts `plaintext` to `publicKey` as a compact JWE. */
export function rawEncryptJwe(plaintext: string | Uint8Array, publicKey: KeyObject, header: RawJweHeader): string {
  const protectedB64 = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const aad = Buffer.from(protectedB64, 'ascii');
  const cek = randomBytes(64);
  const encryptedKey = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[header.alg] },
    cek,
  );
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const { iv, ciphertext, tag } = encryptA256CbcHs512(cek, aad, data);
  return [
    protectedB64,
    encryptedKey.toString('base64url'),
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

/** Splits a compact JWE and checks its shape; returns the decoded parts and the parsed header. */
export function parseCompactJwe(compact: string): {
  header: Record<string, unknown>;
  aad: Buffer;
  encryptedKey: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
} {
  const parts = compact.split('.');
  if (parts.length !== 5 || !parts.every((p) => B64URL_PART.test(p))) throw new RawJoseError('JWE decryption failed');
  const [h = '', k = '', i = '', c = '', t = ''] = parts;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
  return {
    header,
    aad: Buffer.from(h, 'ascii'),
    encryptedKey: Buffer.from(k, 'base64url'),
    iv: Buffer.from(i, 'base64url'),
    ciphertext: Buffer.from(c, 'base64url'),
    tag: Buffer.from(t, 'base64url'),
  };
}

/** Unwraps the CEK with one private-key operation (synchronous: blocks the event loop for its duration). */
export function unwrapCek(encryptedKey: Buffer, privateKey: KeyObject, alg: RawJweAlgorithm): Buffer {
  try {
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[alg] },
      encryptedKey,
    );
  } catch {
    throw new RawJoseError('JWE decryption failed');
  }
}

/** A256CBC-HS512 content decryption with an already unwrapped 64-byte CEK: MAC first, then AES-CBC. */
export function decryptContent(cek: Buffer, aad: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer): Buffer {
  const plaintext = decryptA256CbcHs512(cek, aad, iv, ciphertext, tag);
  if (plaintext === undefined) throw new RawJoseError('JWE decryption failed');
  return plaintext;
}

/**
 * Decrypts a compact JWE with `privateKey`. The header's `alg` must be one of `algorithms` and `enc`
 * must be A256CBC-HS512; the encrypted key must be exactly one RSA block of the key.
 */
export function rawDecryptJwe(
  compact: string,
  privateKey: KeyObject,
  algorithms: readonly RawJweAlgorithm[] = ['RSA-OAEP', 'RSA-OAEP-256'],
): { header: Record<string, unknown>; plaintext: Buffer } {
  const { header, aad, encryptedKey, iv, ciphertext, tag } = parseCompactJwe(compact);
  const alg = header['alg'];
  if (
    typeof alg !== 'string' ||
    !(algorithms as readonly string[]).includes(alg) ||
    header['enc'] !== 'A256CBC-HS512'
  ) {
    throw new RawJoseError('JWE algorithm not accepted');
  }
  const modulusBytes = (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (encryptedKey.length !== modulusBytes) throw new RawJoseError('JWE decryption failed');
  const cek = unwrapCek(encryptedKey, privateKey, alg as RawJweAlgorithm);
  return { header, plaintext: decryptContent(cek, aad, iv, ciphertext, tag) };
}

function signingInput(header: Readonly<Record<string, unknown>>, payload: string | Uint8Array): string {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return `${Buffer.from(JSON.stringify(header), 'utf8').toString('base64url')}.${data.toString('base64url')}`;
}

/** RSASSA-PKCS1-v1_5 signature of `input` with the hash `alg` names (synchronous). */
export function rawSign(privateKey: KeyObject, alg: RawJwsAlgorithm, input: Uint8Array): Buffer {
  return sign(JWS_HASH[alg], input, privateKey);
}

/** Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of `input` under `alg` (synchronous). */
export function rawVerify(
  publicKey: KeyObject,
  alg: RawJwsAlgorithm,
  input: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verify(JWS_HASH[alg], input, publicKey, signature);
}

/** Signs a compact JWS synchronously (blocks the event loop for the RSA operation). */
export function rawSignJws(
  payload: string | Uint8Array,
  privateKey: KeyObject,
  header: Readonly<{ alg: RawJwsAlgorithm; kid: string; typ?: string }>,
): string {
  const input = signingInput(header, payload);
  const signature = rawSign(privateKey, header.alg, Buffer.from(input, 'ascii'));
  return `${input}.${signature.toString('base64url')}`;
}

/** Signs a compact JWS on the libuv thread pool (callback form of `crypto.sign`). */
export function rawSignJwsAsync(
  payload: string | Uint8Array,
  privateKey: KeyObject,
  header: Readonly<{ alg: RawJwsAlgorithm; kid: string; typ?: string }>,
): Promise<string> {
  const input = signingInput(header, payload);
  return new Promise((resolve, reject) => {
    sign(JWS_HASH[header.alg], Buffer.from(input, 'ascii'), privateKey, (err, signature) => {
      if (err === null) resolve(`${input}.${signature.toString('base64url')}`);
      else reject(err);
    });
  });
}

/** Verifies a compact JWS and returns its header and payload bytes; throws if it does not verify. */
export function rawVerifyJws(
  token: string,
  publicKey: KeyObject,
  algorithms: readonly RawJwsAlgorithm[] = ['RS256', 'RS384', 'RS512'],
): { header: Record<string, unknown>; payload: Buffer } {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL_PART.test(p))) throw new RawJoseError('JWS is malformed');
  const [h = '', p = '', s = ''] = parts;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
  const alg = header['alg'];
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
    throw new RawJoseError('JWS algorithm not accepted');
  }
  const ok = rawVerify(
    publicKey,
    alg as RawJwsAlgorithm,
    Buffer.from(`${h}.${p}`, 'ascii'),
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new RawJoseError('JWS signature does not verify');
  return { header, payload: Buffer.from(p, 'base64url') };
}
