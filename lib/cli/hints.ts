/**
 * A line of advice under an error, for people (text mode only): what the error usually means for
 * an operator at a terminal. The error's own message and code stay as the SDK gives them.
 */
import {
  ApiTimeoutError,
  EntityNotFoundError,
  ForbiddenError,
  JwtVerificationError,
  NetworkError,
  UnauthorizedError,
} from '../errors.js';
import type { Command } from './command.js';

/** The advice for `err` raised by `command`, if any. */
export function hintFor(err: unknown, command: Command | undefined): string | undefined {
  if (err instanceof EntityNotFoundError) return command?.notFound;
  if (err instanceof UnauthorizedError) {
    return 'The API did not accept the credentials: check the id and that the key is registered for it.';
  }
  if (err instanceof ForbiddenError) {
    return 'The credentials may not act on that entity: check the ids (a service of another directory?).';
  }
  if (err instanceof NetworkError || err instanceof ApiTimeoutError) {
    return 'Check LAUNCHKEY_BASE_URL (or --base-url) and that the API is up.';
  }
  if (err instanceof JwtVerificationError) {
    return 'The answer did not verify: is LAUNCHKEY_BASE_URL the LaunchKey API you expect?';
  }
  return undefined;
}
