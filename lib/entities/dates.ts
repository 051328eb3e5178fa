/**
 * Dates in the entities the API returns (docs/protocol.md, "Other wire details"), read with the one
 * parser of wire times (lib/iso_time.ts: a time without a zone is UTC) and refused as a
 * `PayloadValidationError` naming the field.
 */
import { parseIsoTime } from '../iso_time.js';
import { invalid } from './validate.js';

/** A date from the wire; `field` names it in the error. */
export function requireDate(value: unknown, field: string): Date {
  return parseIsoTime(value) ?? invalid(field, `${field} must be an ISO-8601 date`);
}

/** A date, or `null` when absent or `null`. */
export function nullableDate(value: unknown, field: string): Date | null {
  return value === undefined || value === null ? null : requireDate(value, field);
}
