/**
 * Assertion helpers shared by the specs: await a rejection and get it back typed; the field of a
 * PayloadValidationError; the pinned JwtVerificationError and JweDecryptionError codes; wait until
 * something asynchronous has happened.
 */
import { expect } from 'chai';

import { LaunchKeyError, PayloadValidationError, type JweFailure, type JwtFailure } from '../../lib/errors.js';

type Class<T> = abstract new (...args: never[]) => T;

/** Asserts `value` is an instance of `cls` and returns it typed as such. */
export function narrow<T>(value: unknown, cls: Class<T>): T {
  expect(value).to.be.instanceOf(cls);
  if (!(value instanceof cls)) throw new Error('unreachable: chai asserted the class');
  return value;
}

/** Awaits `promise`, asserts it rejects with an instance of `cls` (default any LaunchKeyError), returns it. */
export async function rejection<T = LaunchKeyError>(promise: Promise<unknown>, cls?: Class<T>): Promise<T> {
  try {
    await promise;
  } catch (err) {
    return narrow(err, cls ?? (LaunchKeyError as unknown as Class<T>));
  }
  throw new Error('expected a rejection');
}

/** Runs `action`, asserts it throws a PayloadValidationError with the class's own code, returns its `field`. */
export function payloadField(action: () => unknown): string {
  try {
    action();
  } catch (err) {
    const e = narrow(err, PayloadValidationError);
    expect(e.code).to.equal('ERR_LK_PAYLOAD_INVALID');
    return e.field;
  }
  return expect.fail('expected a PayloadValidationError');
}

/**
 * The code every JwtVerificationError failure must carry, pinned here (not read from lib) so that a
 * renamed code fails the specs.
 */
export const JWT_CODES: Readonly<Record<JwtFailure, string>> = {
  malformed: 'ERR_LK_JWT_MALFORMED',
  algorithm: 'ERR_LK_JWT_ALGORITHM',
  key: 'ERR_LK_JWT_KEY',
  signature: 'ERR_LK_JWT_SIGNATURE',
  claim: 'ERR_LK_JWT_CLAIM',
  expired: 'ERR_LK_JWT_EXPIRED',
  'not-yet-valid': 'ERR_LK_JWT_NOT_YET_VALID',
  jti: 'ERR_LK_JWT_JTI_MISMATCH',
  replay: 'ERR_LK_JWT_REPLAY',
  'body-hash': 'ERR_LK_JWT_BODY_HASH',
  binding: 'ERR_LK_JWT_BINDING',
};

/** The code every JweDecryptionError failure must carry, pinned like {@link JWT_CODES}. */
export const JWE_CODES: Readonly<Record<JweFailure, string>> = {
  malformed: 'ERR_LK_JWE_MALFORMED',
  algorithm: 'ERR_LK_JWE_ALGORITHM',
  key: 'ERR_LK_JWE_KEY_NOT_FOUND',
  decrypt: 'ERR_LK_JWE_DECRYPT',
  payload: 'ERR_LK_JWE_PAYLOAD',
};

/**
 * Resolves once `condition` holds, checking every 10 ms for up to 5 s; throws naming `what`
 * otherwise. For waiting on something asynchronous that the spec cannot await directly (a poller's
 * tick, a connection's release), never for measuring time.
 */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
