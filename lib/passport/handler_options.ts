/**
 * The checks of the handlers' options (`statusHandler`, `webhookHandler`, `logoutHandler`,
 * `sessionGuard`, on every framework): a mistake is a {@link ConfigurationError} whose `option` names
 * it, thrown when the handler is made, not a surprise at the first request (a `heartbeat: NaN` would
 * otherwise become a 1 ms timer, a `hookTimeout: NaN` a report of every hook as hanging).
 */
import { ConfigurationError } from '../errors.js';

function fail(handler: string, option: string, message: string): never {
  throw new ConfigurationError(`${handler} option ${option} ${message}`, { option });
}

/** Reads an own property only (an options object with a polluted prototype changes nothing). */
function own(options: object, name: string): unknown {
  return Object.hasOwn(options, name) ? (options as Record<string, unknown>)[name] : undefined;
}

/** The options object of `handler`: an object, or nothing (then `{}`). */
export function handlerOptions<T extends object>(handler: string, options: T | undefined): T {
  if (options === undefined) return {} as T;
  if ((options as unknown) === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(handler, 'options', 'must be an object');
  }
  return options;
}

/** A whole number from `min` to `max` (finite: NaN and Infinity are refused), or `fallback` when unset. */
export function wholeNumberOption(
  handler: string,
  options: object,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = own(options, name) ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(handler, name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Checks that `name` is a function, or unset. */
export function checkFunctionOption(handler: string, options: object, name: string): void {
  const value = own(options, name);
  if (value !== undefined && typeof value !== 'function') fail(handler, name, 'must be a function');
}

/** Where to send the browser afterwards: a non-empty URL string, or `undefined` when unset. */
export function redirectOption(handler: string, options: object): string | undefined {
  const value = own(options, 'redirect');
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    fail(handler, 'redirect', 'must be a non-empty URL string');
  }
  return value;
}
