/**
 * The checks every client argument goes through before it is put in a path or a body, so a
 * mistake is an {@link InvalidArgumentError} naming the argument and nothing is sent.
 */
import { UUID_PATTERN } from '../entities/validate.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Longest username, User Push ID or directory user identifier the API accepts, in UTF-16 code units; the
 * strategy's username rule (passport/username.ts) uses the same limit.
 */
export const MAX_USERNAME_LENGTH = 255;

/** `value` lower-cased when it is a UUID. */
export function uuidArgument(value: unknown, argument: string): string {
  if (typeof value !== 'string' || !UUID_PATTERN.test(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be a UUID`);
  }
  return value.toLowerCase();
}

/** `value` when it is a string with something besides white space. */
export function textArgument(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new InvalidArgumentError(argument, `${argument} must be a non-empty string`);
  }
  return value;
}

/** A LaunchKey username, User Push ID or directory user identifier. */
export function userArgument(value: unknown, argument = 'user'): string {
  const user = textArgument(value, argument);
  if (user.length > MAX_USERNAME_LENGTH) {
    throw new InvalidArgumentError(argument, `${argument} must be at most ${MAX_USERNAME_LENGTH} characters`);
  }
  return user;
}
