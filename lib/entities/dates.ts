/**
 * Dates on the wire (docs/protocol.md, "Other wire details"): the API sends ISO-8601 UTC with whole seconds
 * (`2018-01-11T05:20:55Z`); the SDKs send the same shape. Parsing is lenient (any ISO-8601 that `Date.parse`
 * reads), formatting is strict.
 */
import { invalid } from './validate.js';

/** A date from the wire; `field` names it in the error. */
export function requireDate(value: unknown, field: string): Date {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) invalid(field, `${field} must be an ISO-8601 date`);
  return new Date(ms);
}

/** A date, or `null` when absent or `null`. */
export function nullableDate(value: unknown, field: string): Date | null {
  return value === undefined || value === null ? null : requireDate(value, field);
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the protocol's date format. */
export function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
