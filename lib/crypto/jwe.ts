/**
 * Compact JWE bodies: RSA-OAEP or RSA-OAEP-256 key wrapping with A256CBC-HS512 content encryption,
 * the only combinations the protocol uses (PROTOCOL.md §4, §5.3), on node:crypto (RFC 7516, RFC 7518
 * §4.3 and §5.2.2). jose is the interop oracle of the specs, not a runtime dependency: its WebCrypto
 * A256CBC-HS512 costs 5–7 thread-pool trips per message (bench/).
 *
 * Decryption checks everything that costs nothing (size, shape, header, algorithm, `kid`, the length
 * of every segment) before the private-key operation, and never tries keys in turn: the `kid`
 * selects exactly one key or none. Failure classes:
 * - `malformed` / `algorithm` / `key`: the compact form, the header or the `kid`, from
 *   {@link readJweHeader} and the key lookup; no key material is touched.
 * - `decrypt`: everything about the binary segments and the cryptography — an encrypted key that is
 *   not one RSA block of the key, an IV that is not 16 bytes, a tag that is not 32, a ciphertext that
 *   is empty or not whole AES blocks, an OAEP failure, an unwrapped CEK that is not 64 bytes, a tag
 *   mismatch, bad padding — all with the one message `JWE decryption failed` and no `cause`, so that
 *   neither the code nor the message nor the cause is an oracle.
 * - `payload`: the authenticated plaintext is not UTF-8 (or, for {@link decryptJweJson}, not JSON).
 */
import { randomBytes } from 'node:crypto';

import { ConfigurationError, JweDecryptionError } from '../errors.js';
import { isCanonicalBase64url } from './base64url.js';
import { findDuplicateKey, quoteKey } from './duplicate_keys.js';
import { CEK_BYTES, decryptA256CbcHs512, encryptA256CbcHs512, IV_BYTES, TAG_BYTES } from './aes_cbc_hmac.js';
import type { PrivateKey, PublicKey } from './keys.js';
import { oaepDecrypt, oaepEncrypt, rsaBlockBytes, type OaepHash } from './rsa.js';

/** Key-management algorithms of the protocol. */
export type JweAlgorithm = 'RSA-OAEP' | 'RSA-OAEP-256';

/** The one content-encryption algorithm of the protocol. */
export const JWE_ENCRYPTION = 'A256CBC-HS512';

/** Both key-management algorithms: what a receiver of requests must accept. */
export const JWE_ALGORITHMS: readonly JweAlgorithm[] = ['RSA-OAEP', 'RSA-OAEP-256'];

/** Default upper bound on a compact JWE we agree to parse (1 MiB). */
export const DEFAULT_MAX_JWE_LENGTH = 1024 * 1024;

/** Protected header of a protocol JWE. */
export interface JweHeader {
  alg: JweAlgorithm;
  enc: typeof JWE_ENCRYPTION;
  kid: string;
  cty?: string;
}

/** Options of {@link encryptJwe}. */
export interface EncryptJweOptions {
  /** Key-management algorithm; default `RSA-OAEP`, the one every official SDK can decrypt. */
  algorithm?: JweAlgorithm;
  /** Optional `cty` header (the Java and .NET SDKs send `application/json`). */
  contentType?: string;
}

const OAEP_HASH: Record<JweAlgorithm, OaepHash> = { 'RSA-OAEP': 'sha1', 'RSA-OAEP-256': 'sha256' };

/**
 * Encrypts `plaintext` (a string, or a value serialised as JSON) to `key`, with `kid` = its key id.
 *
 * @throws {ConfigurationError} (as a rejection) for an algorithm outside the protocol's or a key that
 *   is not RSA of at least 2048 bits.
 */
export function encryptJwe(plaintext: unknown, key: PublicKey, options: EncryptJweOptions = {}): Promise<string> {
  // Everything is synchronous (public-key operation, AES, HMAC); a throw becomes the rejection.
  return new Promise((resolve) => {
    resolve(encryptCompact(plaintext, key, options));
  });
}

function encryptCompact(plaintext: unknown, key: PublicKey, options: EncryptJweOptions): string {
  const alg = options.algorithm ?? 'RSA-OAEP';
  if (!(JWE_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new ConfigurationError(`JWE alg ${JSON.stringify(alg)} is not one of the protocol`);
  }
  const text = typeof plaintext === 'string' ? plaintext : JSON.stringify(plaintext);
  const header: JweHeader = { alg, enc: JWE_ENCRYPTION, kid: key.kid };
  if (options.contentType !== undefined) header.cty = options.contentType;
  const protectedHeader = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const cek = randomBytes(CEK_BYTES);
  const encryptedKey = oaepEncrypt(key.keyObject, OAEP_HASH[alg], cek);
  const { iv, ciphertext, tag } = encryptA256CbcHs512(
    cek,
    Buffer.from(protectedHeader, 'ascii'),
    // TextEncoder, as before: JSON.stringify(undefined) is undefined, encoded as no bytes.
    new TextEncoder().encode(text),
  );
  return [
    protectedHeader,
    encryptedKey.toString('base64url'),
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

/** Options of {@link decryptJwe}. */
export interface DecryptJweOptions {
  /** Accepted key-management algorithms; default both. A client of the API accepts only `RSA-OAEP`. */
  algorithms?: readonly JweAlgorithm[];
  /** Longest compact form accepted, in characters; default 1 MiB. */
  maxLength?: number;
}

/** A decrypted JWE. */
export interface DecryptedJwe {
  header: JweHeader;
  plaintext: string;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and checks the protected header without touching any key. */
export function readJweHeader(compact: string, options: DecryptJweOptions = {}): JweHeader {
  if (typeof compact !== 'string' || compact.length === 0) {
    throw new JweDecryptionError('malformed', 'JWE is empty or not a string');
  }
  const maxLength = options.maxLength ?? DEFAULT_MAX_JWE_LENGTH;
  if (compact.length > maxLength)
    throw new JweDecryptionError('malformed', `JWE is longer than ${maxLength} characters`);
  const parts = compact.split('.');
  if (parts.length !== 5 || parts.some((p) => !isCanonicalBase64url(p))) {
    throw new JweDecryptionError('malformed', 'JWE is not a compact serialization of five base64url parts');
  }
  const headerText = Buffer.from(parts[0] ?? '', 'base64url').toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (cause) {
    throw new JweDecryptionError('malformed', 'JWE protected header is not JSON', { cause });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new JweDecryptionError('malformed', 'JWE protected header is not a JSON object');
  }
  const duplicate = findDuplicateKey(headerText);
  if (duplicate !== undefined) {
    throw new JweDecryptionError('malformed', `JWE protected header has the member ${quoteKey(duplicate)} twice`);
  }
  const h = header as Record<string, unknown>;
  const algorithms = options.algorithms ?? JWE_ALGORITHMS;
  if (typeof h['alg'] !== 'string' || !(algorithms as readonly string[]).includes(h['alg'])) {
    throw new JweDecryptionError('algorithm', `JWE alg ${JSON.stringify(h['alg'])} is not accepted`);
  }
  if (h['enc'] !== JWE_ENCRYPTION) {
    throw new JweDecryptionError('algorithm', `JWE enc ${JSON.stringify(h['enc'])} is not accepted`);
  }
  if ('zip' in h || 'crit' in h) {
    throw new JweDecryptionError('malformed', 'JWE header parameters zip and crit are not accepted');
  }
  if (typeof h['kid'] !== 'string' || h['kid'].length === 0) {
    throw new JweDecryptionError('key', 'JWE header has no kid');
  }
  return h as unknown as JweHeader;
}

/**
 * Decrypts a compact JWE with the private key its `kid` names.
 *
 * @param resolveKey returns the private key for a `kid`, or `undefined` when none is held.
 * @throws {JweDecryptionError} for every failure; `failure` says which.
 */
export async function decryptJwe(
  compact: string,
  resolveKey: (kid: string) => PrivateKey | undefined,
  options: DecryptJweOptions = {},
): Promise<DecryptedJwe> {
  const header = readJweHeader(compact, options);
  const key = resolveKey(header.kid);
  if (key === undefined) {
    throw new JweDecryptionError('key', `The key id ${header.kid} could not be found among the available keys`, {
      kid: header.kid,
    });
  }
  // Anything unexpected (say, a resolver returning a key without a KeyObject) is the same failure.
  const bytes = await decryptContent(compact, header, key).catch(() => undefined);
  if (bytes === undefined) {
    // One error, one message and no cause for every cryptographic failure: not an oracle.
    throw new JweDecryptionError('decrypt', 'JWE decryption failed', { kid: header.kid });
  }
  try {
    return { header, plaintext: fatalUtf8.decode(bytes) };
  } catch (cause) {
    throw new JweDecryptionError('payload', 'JWE plaintext is not UTF-8', { cause });
  }
}

/**
 * Unwraps the CEK and decrypts the content of a JWE whose header {@link readJweHeader} accepted;
 * `undefined` for every failure. Lengths are checked before the private-key operation; an OAEP
 * failure does not return early but continues with a random CEK whose tag check then fails (RFC 7516
 * §11.5), so that both failures take the same path.
 */
async function decryptContent(compact: string, header: JweHeader, key: PrivateKey): Promise<Buffer | undefined> {
  const [protectedHeader = '', k = '', i = '', c = '', t = ''] = compact.split('.');
  const encryptedKey = Buffer.from(k, 'base64url');
  const iv = Buffer.from(i, 'base64url');
  const ciphertext = Buffer.from(c, 'base64url');
  const tag = Buffer.from(t, 'base64url');
  if (
    encryptedKey.length !== rsaBlockBytes(key.keyObject) ||
    iv.length !== IV_BYTES ||
    tag.length !== TAG_BYTES ||
    ciphertext.length === 0 ||
    ciphertext.length % 16 !== 0
  ) {
    return undefined;
  }
  const cek = await oaepDecrypt(key.keyObject, OAEP_HASH[header.alg], encryptedKey).catch(() => undefined);
  const unwrapped = cek !== undefined && cek.length === CEK_BYTES;
  const plaintext = decryptA256CbcHs512(
    unwrapped ? cek : randomBytes(CEK_BYTES),
    Buffer.from(protectedHeader, 'ascii'),
    iv,
    ciphertext,
    tag,
  );
  return unwrapped ? plaintext : undefined;
}

/** Decrypts a JWE whose plaintext is JSON, and parses it. */
export async function decryptJweJson(
  compact: string,
  resolveKey: (kid: string) => PrivateKey | undefined,
  options: DecryptJweOptions = {},
): Promise<{ header: JweHeader; payload: unknown }> {
  const { header, plaintext } = await decryptJwe(compact, resolveKey, options);
  return { header, payload: parseJson(plaintext) };
}

/**
 * Parses decrypted JSON; a syntax error, or a member name repeated in one object at any depth, is a
 * typed payload failure.
 */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new JweDecryptionError('payload', 'Decrypted payload is not JSON', { cause });
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new JweDecryptionError(
      'payload',
      `Decrypted payload has the member ${quoteKey(duplicate)} twice in one object`,
    );
  }
  return value;
}
