/**
 * Compact JWE bodies: RSA-OAEP or RSA-OAEP-256 key wrapping with A256CBC-HS512 content encryption,
 * the only combinations the protocol uses (PROTOCOL.md §4, §5.3).
 *
 * Decryption checks everything that costs nothing (size, shape, header, algorithm, `kid`) before the
 * private-key operation, and never tries keys in turn: the `kid` selects exactly one key or none.
 */
import { CompactEncrypt, compactDecrypt } from 'jose';

import { JweDecryptionError } from '../errors.js';
import type { PrivateKey, PublicKey } from './keys.js';

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

/** Encrypts `plaintext` (a string, or a value serialised as JSON) to `key`, with `kid` = its key id. */
export async function encryptJwe(plaintext: unknown, key: PublicKey, options: EncryptJweOptions = {}): Promise<string> {
  const text = typeof plaintext === 'string' ? plaintext : JSON.stringify(plaintext);
  const header: JweHeader = { alg: options.algorithm ?? 'RSA-OAEP', enc: JWE_ENCRYPTION, kid: key.kid };
  if (options.contentType !== undefined) header.cty = options.contentType;
  return new CompactEncrypt(new TextEncoder().encode(text)).setProtectedHeader({ ...header }).encrypt(key.keyObject);
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

const B64URL = /^[A-Za-z0-9_-]*$/;
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
  if (
    parts.length !== 5 ||
    parts.some((p) => !B64URL.test(p) || Buffer.from(p, 'base64url').toString('base64url') !== p)
  ) {
    throw new JweDecryptionError('malformed', 'JWE is not a compact serialization of five base64url parts');
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
  } catch (cause) {
    throw new JweDecryptionError('malformed', 'JWE protected header is not JSON', { cause });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new JweDecryptionError('malformed', 'JWE protected header is not a JSON object');
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
  let bytes: Uint8Array;
  try {
    const result = await compactDecrypt(compact, key.keyObject, {
      keyManagementAlgorithms: [header.alg],
      contentEncryptionAlgorithms: [JWE_ENCRYPTION],
    });
    bytes = result.plaintext;
  } catch (cause) {
    // One message for every cryptographic failure: the reason is not an oracle for an attacker.
    throw new JweDecryptionError('decrypt', 'JWE decryption failed', { cause, kid: header.kid });
  }
  try {
    return { header, plaintext: fatalUtf8.decode(bytes) };
  } catch (cause) {
    throw new JweDecryptionError('payload', 'JWE plaintext is not UTF-8', { cause });
  }
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

/** Parses decrypted JSON; a syntax error is a typed payload failure. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new JweDecryptionError('payload', 'Decrypted payload is not JSON', { cause });
  }
}
