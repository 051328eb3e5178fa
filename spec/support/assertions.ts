/**
 * Assertion helpers shared by the specs: await a rejection and get it back typed.
 */
import { expect } from 'chai';

import { LaunchKeyError } from '../../lib/errors.js';

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
