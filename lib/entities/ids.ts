/**
 * Entity identifiers (PROTOCOL.md §1.1): `org:`, `dir:` and `svc:` followed by a canonical UUID, and
 * the UUID checks every id goes through before it is put in a path or a body.
 */
import { InvalidArgumentError } from '../errors.js';

/** The kinds of credential-holding entity. */
export type EntityType = 'org' | 'dir' | 'svc';

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

/** `type:uuid`, with the UUID validated and lower-cased. */
export function entityId(type: EntityType, uuid: string, argument = `${type} id`): string {
  return `${type}:${uuidArgument(uuid, argument)}`;
}

/** Splits `type:uuid`; `undefined` when the text is not an entity id. */
export function parseEntityId(value: string): { type: EntityType; id: string } | undefined {
  const match = /^(org|dir|svc):(.+)$/.exec(value);
  if (match === null || !UUID_PATTERN.test(match[2] ?? '')) return undefined;
  return { type: match[1] as EntityType, id: (match[2] ?? '').toLowerCase() };
}
