/**
 * Compact JWE bodies: RSA-OAEP or RSA-OAEP-256 key wrapping with A256CBC-HS512 content encryption, the only
 * combinations the protocol uses (docs/protocol.md, "The request body" and "Response body decryption"),
 * through jose's `CompactEncrypt` and `compactDecrypt` with both allow-lists set to exactly what the header
 * was checked to name, on the caller's KeyObject (jose caches a CryptoKey per KeyObject and alg, and runs the
 * RSA work on the thread pool).
 *
 * Decryption checks everything that costs nothing before jose and the private-key operation: the
 * length cap, five canonical base64url parts, a UTF-8 JSON protected header with no member twice (jose
 * parses it again itself, and the two parses must not be able to differ), the `alg` and `enc`
 * allow-lists, no `zip` or `crit`, a `kid`, and the length of every binary segment. It never tries
 * keys in turn: the `kid` selects exactly one key or none. Failure classes:
 * - `malformed` / `algorithm` / `key`: the compact form, the header or the `kid`, from
 *   {@link readJweHeader} and the key lookup; no key material is touched.
 * - `decrypt`: everything about the binary segments and the cryptography — an encrypted key that is
 *   not one RSA block of the key, an IV that is not 16 bytes, a tag that is not 32, a ciphertext that
 *   is empty or not whole AES blocks, and whatever jose refuses (an OAEP failure, an unwrapped CEK
 *   that is not 64 bytes, a tag mismatch, bad padding, a key it cannot use) — all with the one
 *   message `JWE decryption failed` and no `cause`, so that neither the code nor the message nor the
 *   cause is an oracle. jose itself goes on with a random CEK when the unwrap fails (RFC 7516 §11.5)
 *   and checks the tag, in constant time, before any AES, so both failures take the same path.
 * - `payload`: the authenticated plaintext is not UTF-8 (or, for {@link decryptJweJson}, not JSON).
 */
import { CompactEncrypt, compactDecrypt } from 'jose';

import { ConfigurationError, JweDecryptionError } from '../errors.js';
import { isCanonicalBase64url } from './base64url.js';
import { findDuplicateKey, quoteKey } from './duplicate_keys.js';
import type { PrivateKey, PublicKey } from './keys.js';
import { requireRsaKey, rsaBlockBytes } from './rsa.js';

/** A256CBC-HS512 sizes (RFC 7518 §5.2.5): a 16-byte IV and a 32-byte tag; AES blocks of 16 bytes. */
const IV_BYTES = 16;
const TAG_BYTES = 32;
const AES_BLOCK_BYTES = 16;

const utf8 = new TextEncoder();
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

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

/**
 * Encrypts `plaintext` (a string, or a value serialised as JSON) to `key`, with `kid` = its key id.
 *
 * @throws {ConfigurationError} (as a rejection) for an algorithm outside the protocol's or a key that
 *   is not RSA of at least 2048 bits.
 */
export async function encryptJwe(plaintext: unknown, key: PublicKey, options: EncryptJweOptions = {}): Promise<string> {
  const alg = options.algorithm ?? 'RSA-OAEP';
  if (!(JWE_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new ConfigurationError(`JWE alg ${JSON.stringify(alg)} is not one of the protocol`);
  }
  requireRsaKey(key.keyObject, 'public');
  const text = typeof plaintext === 'string' ? plaintext : JSON.stringify(plaintext);
  // Member order as the SDKs write it; jose serialises the header exactly as given.
  const header: JweHeader = { alg, enc: JWE_ENCRYPTION, kid: key.kid };
  if (options.contentType !== undefined) header.cty = options.contentType;
  // JSON.stringify(undefined) is undefined at run time, which TextEncoder encodes as no bytes.
  return new CompactEncrypt(utf8.encode(text)).setProtectedHeader({ ...header }).encrypt(key.keyObject);
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
  let headerText: string;
  let header: unknown;
  try {
    // Strict UTF-8, as jose reads it: a header the two would decode differently is refused here.
    headerText = fatalUtf8.decode(Buffer.from(parts[0] ?? '', 'base64url'));
  } catch (cause) {
    throw new JweDecryptionError('malformed', 'JWE protected header is not UTF-8', { cause });
  }
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
 * Checks the length of every binary segment (free, and no key is used on bytes of the wrong shape),
 * then decrypts with jose, allowed exactly the `alg` {@link readJweHeader} accepted and A256CBC-HS512.
 * Rejects for every failure; the caller makes them all one error.
 */
async function decryptContent(compact: string, header: JweHeader, key: PrivateKey): Promise<Uint8Array> {
  const [, k = '', i = '', c = '', t = ''] = compact.split('.');
  // The parts are canonical base64url (readJweHeader), so byteLength is exact without decoding them.
  const ciphertextBytes = Buffer.byteLength(c, 'base64url');
  if (
    Buffer.byteLength(k, 'base64url') !== rsaBlockBytes(key.keyObject) ||
    Buffer.byteLength(i, 'base64url') !== IV_BYTES ||
    Buffer.byteLength(t, 'base64url') !== TAG_BYTES ||
    ciphertextBytes === 0 ||
    ciphertextBytes % AES_BLOCK_BYTES !== 0
  ) {
    throw new Error('segment lengths');
  }
  const { plaintext } = await compactDecrypt(compact, key.keyObject, {
    keyManagementAlgorithms: [header.alg],
    contentEncryptionAlgorithms: [JWE_ENCRYPTION],
    // zip is refused in the header already; 0 also turns jose's decompression off.
    maxDecompressedLength: 0,
  });
  return plaintext;
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
