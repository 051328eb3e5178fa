/**
 * Validation helpers shared by the public policy classes (not re-exported from the package).
 *
 * Builders validate strictly with the official Python SDK's rules; `fromJSON` parses what any SDK
 * or the API sends, so a few format rules that only one SDK enforces client-side are relaxed: the
 * parsers pass {@link PolicyRules} `'parse'` to the constructors they call, explicitly, and a public
 * constructor always builds. Every failure is an {@link InvalidPolicyError}.
 */
import { InvalidPolicyError, LaunchKeyError } from '../errors.js';
import { PROTOTYPE_KEYS } from './validate.js';

/** Longest fence or time-fence name accepted (UTF-16 code units); an SDK-side bound, not the API's. */
export const MAX_NAME_LENGTH = 256;

/** Most fences (or time fences) one policy may hold; bounds the work and the size of a request. */
export const MAX_FENCES = 100;

/** Deepest nesting and most values `fromJSON` reads before giving up; real policies are far smaller. */
const MAX_DEPTH = 16;
const MAX_NODES = 20_000;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Which rules a policy or fence constructor applies: `'build'` for a caller's options (every rule of the
 * Python SDK), `'parse'` for what `fromJSON` read off the wire or from another SDK (the few rules that only
 * one SDK enforces client-side are relaxed; each constructor says which). The parsers pass it explicitly.
 */
export type PolicyRules = 'build' | 'parse';

/** Throws the policy error for `field`. */
export function fail(field: string, message: string): never {
  throw new InvalidPolicyError(field, message);
}

/** A finite JSON number within [min, max]; strings such as `"1e3"` are refused. */
export function checkNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `${field} must be a finite number`);
  if (value < min || value > max) fail(field, `${field} must be between ${min} and ${max}`);
  // -0 and 0 serialise alike; keeping -0 would make a round trip look unequal to Object.is.
  return value === 0 ? 0 : value;
}

/** A whole number within [min, max]. */
export function checkInteger(value: unknown, field: string, min: number, max: number): number {
  const n = checkNumber(value, field, min, max);
  if (!Number.isInteger(n)) fail(field, `${field} must be a whole number`);
  return n;
}

/** A boolean; `undefined` gives `fallback`. */
export function checkBoolean(value: unknown, field: string, fallback = false): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(field, `${field} must be a boolean`);
  return value;
}

/** A non-blank name without control characters, at most {@link MAX_NAME_LENGTH} long; `null` when optional and absent. */
export function checkName(value: unknown, field: string, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) fail(field, `${field} is required`);
    return null;
  }
  if (typeof value !== 'string' || value.trim().length === 0) fail(field, `${field} must be a non-empty string`);
  if (value.length > MAX_NAME_LENGTH) fail(field, `${field} must be at most ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(value)) fail(field, `${field} must not contain control characters`);
  return value;
}

/** An array of at most `max` items (absent is empty), copied so later changes by the caller do not leak in. */
export function checkList(value: unknown, field: string, max = MAX_FENCES): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(field, `${field} must be an array`);
  if (value.length > max) fail(field, `${field} must have at most ${max} entries`);
  return Array.from(value as unknown[]);
}

/**
 * Refuses two names equal up to case and Unicode normalisation (the Python SDK refuses case-insensitive
 * duplicates of geofence and time-fence names). Skipped when parsing: what the API stored is reported as is.
 */
export function checkUniqueNames(names: readonly (string | null)[], field: string, rules: PolicyRules): void {
  if (rules === 'parse') return;
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === null) return;
    const key = name.normalize('NFKC').toLowerCase();
    if (seen.has(key)) fail(`${field}[${i}].name`, `${field}[${i}].name duplicates an earlier name`);
    seen.add(key);
  });
}

/** A plain JSON record read by `fromJSON` (null prototype, only own data properties). */
export type JsonRecord = Record<string, unknown>;

/** Checks that a parsed JSON value is an object (not an array or null). */
export function checkRecord(value: unknown, field: string): JsonRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(field, `${field} must be an object`);
  return value as JsonRecord;
}

/**
 * Turns `fromJSON` input (JSON text or a value) into a detached copy made only of null-prototype
 * records, arrays, strings, finite numbers, booleans and null. Refuses `__proto__`/`constructor`/
 * `prototype` keys, cycles and absurd depth or size, and wraps anything a getter or proxy throws,
 * so that later reads cannot run caller code or pollute prototypes.
 */
export function toPlainJson(input: unknown, field = 'policy'): unknown {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (err) {
      throw new InvalidPolicyError(field, `${field} is not valid JSON`, { cause: err });
    }
  }
  let nodes = 0;
  const copy = (item: unknown, path: string, depth: number): unknown => {
    nodes += 1;
    if (nodes > MAX_NODES) fail(field, `${field} is too large`);
    if (depth > MAX_DEPTH) fail(path, `${path} is nested too deeply`);
    if (item === null || typeof item === 'string' || typeof item === 'boolean') return item;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) fail(path, `${path} must be a finite number`);
      return item;
    }
    if (typeof item !== 'object') fail(path, `${path} is not a JSON value`);
    // As JSON.stringify does: a policy object passed back in is read through its wire form.
    const toJSON: unknown = (item as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return copy(toJSON.call(item), path, depth + 1);
    if (Array.isArray(item)) {
      const length = (item as unknown[]).length;
      if (length > MAX_NODES) fail(path, `${path} is too large`);
      const out: unknown[] = [];
      for (let i = 0; i < length; i += 1) out.push(copy((item as unknown[])[i], `${path}[${i}]`, depth + 1));
      return out;
    }
    const out = Object.create(null) as JsonRecord;
    for (const key of Object.keys(item)) {
      // docs/security.md, T14.
      if (PROTOTYPE_KEYS.has(key)) fail(`${path}.${key}`, `${path} must not have a "${key}" key`);
      const child = (item as JsonRecord)[key];
      if (child !== undefined) out[key] = copy(child, `${path}.${key}`, depth + 1);
    }
    return out;
  };
  try {
    return copy(value, field, 0);
  } catch (err) {
    if (err instanceof LaunchKeyError) throw err;
    throw new InvalidPolicyError(field, `${field} could not be read`, { cause: err });
  }
}

/**
 * Runs a parse step, turning any package error into an {@link InvalidPolicyError} whose field is
 * prefixed with `prefix` (builder errors name the option; parse errors name the wire path).
 */
export function parseStep<T>(prefix: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof InvalidPolicyError) {
      const field = err.field.startsWith(prefix) ? err.field : `${prefix}.${err.field}`;
      throw new InvalidPolicyError(field, err.message, { cause: err });
    }
    if (err instanceof LaunchKeyError && 'field' in err && typeof err.field === 'string') {
      throw new InvalidPolicyError(err.field, err.message, { cause: err });
    }
    throw err;
  }
}

/**
 * Refuses a legacy-structure record with neither `minimum_requirements` nor `factors` (Python raises
 * `InvalidPolicyFormat`), so that a misspelt or foreign object never reads as "nothing required".
 */
export function requireLegacyStructure(raw: JsonRecord, field: string): void {
  if (!('minimum_requirements' in raw) && !('factors' in raw)) {
    fail(field, `${field} must have minimum_requirements or factors`);
  }
}
