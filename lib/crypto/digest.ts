/**
 * Body digests of the protocol (`request.func`/`request.hash`, `response.func`/`response.hash`) and
 * their constant-time comparison.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Digest names of the protocol. */
export type HashFunc = 'S256' | 'S384' | 'S512';

/** Every digest name, strongest last. */
export const HASH_FUNCS: readonly HashFunc[] = ['S256', 'S384', 'S512'];

const NODE_NAMES: Record<HashFunc, string> = { S256: 'sha256', S384: 'sha384', S512: 'sha512' };
const HEX_LENGTHS: Record<HashFunc, number> = { S256: 64, S384: 96, S512: 128 };

/** Whether `value` names a digest of the protocol (exact case: `s256` is not one). */
export function isHashFunc(value: unknown): value is HashFunc {
  return value === 'S256' || value === 'S384' || value === 'S512';
}

/** Lowercase hex digest of the exact bytes (strings are hashed as UTF-8; compact JOSE is ASCII). */
export function digestHex(func: HashFunc, data: string | Uint8Array): string {
  return createHash(NODE_NAMES[func]).update(data).digest('hex');
}

/**
 * Whether `claimedHex` is the `func` digest of `data`. The claim must be lowercase hex of the exact
 * length: `Buffer.from(hex, 'hex')` silently stops at the first bad character, so the format is
 * checked before decoding, and the bytes are compared in constant time.
 */
export function digestMatches(func: HashFunc, data: string | Uint8Array, claimedHex: string): boolean {
  if (claimedHex.length !== HEX_LENGTHS[func] || !/^[0-9a-f]+$/.test(claimedHex)) return false;
  const expected = createHash(NODE_NAMES[func]).update(data).digest();
  return timingSafeEqual(expected, Buffer.from(claimedHex, 'hex'));
}
