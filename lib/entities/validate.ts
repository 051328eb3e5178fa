/**
 * Small runtime-validation helpers for payloads that come off the wire. Each takes the raw value
 * and the dotted wire name of the field it came from (`auth_jwe.service_pins`), and throws a
 * {@link PayloadValidationError} naming that field when the value has the wrong JSON type, so a
 * malformed payload is a typed error at the boundary instead of a `TypeError` deeper in.
 *
 * The helpers only check and narrow; callers build new plain objects from the values they read (never spread
 * or merge wire objects), which keeps `__proto__` and unknown keys out (docs/security.md, T14).
 */
import { PayloadValidationError } from '../errors.js';

/**
 * Keys that reach an object's prototype when used as a property name: never taken from input as an own key
 * of something we build (policies, option names, usernames an app may key a map by).
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Throws a {@link PayloadValidationError} for `field`. */
export function invalid(field: string, message: string, cause?: unknown): never {
  throw new PayloadValidationError(field, message, cause === undefined ? undefined : { cause });
}

/** The dotted name of `key` inside `prefix` (`''` for top-level fields). */
export function fieldName(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** A JSON object (not `null`, not an array). */
export function requireObject(value: unknown, field: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(field, `${field} must be an object`);
  return value as JsonObject;
}

/** An object, or `null` when absent or `null`. */
export function nullableObject(value: unknown, field: string): JsonObject | null {
  return value === undefined || value === null ? null : requireObject(value, field);
}

/** Options of {@link requireString}. */
export interface StringOptions {
  /** Accept `''`; default `false` (an empty identifier is never meaningful on this wire). */
  allowEmpty?: boolean;
  /** Longest accepted string, in UTF-16 code units; default unlimited. */
  maxLength?: number;
}

/** A string (non-empty unless allowed). */
export function requireString(value: unknown, field: string, options: StringOptions = {}): string {
  if (typeof value !== 'string') invalid(field, `${field} must be a string`);
  if (value.length === 0 && options.allowEmpty !== true) invalid(field, `${field} must not be empty`);
  if (options.maxLength !== undefined && value.length > options.maxLength) {
    invalid(field, `${field} is longer than ${options.maxLength} characters`);
  }
  return value;
}

/** A string, or `undefined` when absent or `null` (the Java and .NET SDKs test `!= null`). */
export function optionalString(value: unknown, field: string, options: StringOptions = {}): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, field, options);
}

/** A string, or `null` when absent or `null`. */
export function nullableString(value: unknown, field: string, options: StringOptions = {}): string | null {
  return optionalString(value, field, options) ?? null;
}

/** A boolean: `true`, `false`, nothing else (`"true"` and `1` are not booleans). */
export function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') invalid(field, `${field} must be a boolean`);
  return value;
}

/** A boolean, or `null` when absent or `null`. */
export function nullableBoolean(value: unknown, field: string): boolean | null {
  return value === undefined || value === null ? null : requireBoolean(value, field);
}

/** A finite number (integers and `2.0`-style doubles alike). */
export function requireNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(field, `${field} must be a number`);
  return value;
}

/** A number, or `null` when absent or `null`. */
export function nullableNumber(value: unknown, field: string): number | null {
  return value === undefined || value === null ? null : requireNumber(value, field);
}

/** A JSON array. */
export function requireArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) invalid(field, `${field} must be an array`);
  return value;
}

/** An array whose every item is a string (`field[i]` is named when one is not). */
export function requireStringArray(value: unknown, field: string, options: StringOptions = {}): string[] {
  return requireArray(value, field).map((item, i) =>
    requireString(item, `${field}[${i}]`, { allowEmpty: true, ...options }),
  );
}

/** A canonical 8-4-4-4-12 UUID of any version, either case (docs/protocol.md, "Entities and identifiers"). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID string with dashes, any case (docs/protocol.md, "Entities and identifiers"); returned as sent. */
export function requireUuid(value: unknown, field: string): string {
  const text = requireString(value, field);
  if (!UUID_PATTERN.test(text)) invalid(field, `${field} must be a UUID`);
  return text;
}
