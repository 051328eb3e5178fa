/**
 * The UUID check every id argument goes through before it is put in a path or a body (entity ids
 * are `org:`, `dir:` or `svc:` followed by such a UUID, PROTOCOL.md §1.1).
 */
import { InvalidArgumentError } from '../errors.js';

/** A canonical 8-4-4-4-12 UUID of any version, either case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Returns `value` lower-cased when it is a UUID.
 *
 * @throws {InvalidArgumentError} naming `argument` otherwise.
 */
export function uuidArgument(value: unknown, argument: string): string {
  if (typeof value !== 'string' || !UUID_PATTERN.test(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be a UUID`);
  }
  return value.toLowerCase();
}
