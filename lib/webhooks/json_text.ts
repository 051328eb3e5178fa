/**
 * JSON text off the wire, turned into an object: the decrypted body of a webhook or a device package, the
 * plain body of a session end. Here, in the layer that receives the bytes, rather than with the entities:
 * the entities check values that are already parsed, and never see text.
 */
import { findDuplicateKey, quoteKey } from '../crypto/duplicate_keys.js';
import { invalid, requireObject, type JsonObject } from '../entities/validate.js';
import { PayloadValidationError } from '../errors.js';

/** Default longest JSON text {@link parseJsonObject} accepts (64 KiB, the webhook body cap). */
export const DEFAULT_MAX_JSON_LENGTH = 64 * 1024;

/**
 * Parses JSON text that must hold an object. Keys that could poison prototypes downstream (`__proto__`, and
 * `constructor` holding a `prototype`) are refused outright rather than dropped, so a hostile payload is
 * visible as an error (docs/security.md, T14); so is a member name repeated in one object at any depth, which
 * `JSON.parse` would resolve silently to the last one while another party's parser may take the first.
 */
export function parseJsonObject(text: string, field: string, maxLength = DEFAULT_MAX_JSON_LENGTH): JsonObject {
  if (typeof text !== 'string') invalid(field, `${field} must be JSON text`);
  if (text.length > maxLength) invalid(field, `${field} is longer than ${maxLength} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text, (key, nested: unknown) => {
      if (
        key === '__proto__' ||
        (key === 'constructor' && nested !== null && typeof nested === 'object' && 'prototype' in nested)
      ) {
        throw new PayloadValidationError(field, `${field} contains the forbidden key ${key}`);
      }
      return nested;
    });
  } catch (cause) {
    if (cause instanceof PayloadValidationError) throw cause;
    // SyntaxError, or RangeError for absurdly deep nesting: both are bad input, not our bug.
    invalid(field, `${field} is not valid JSON`, cause);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) invalid(field, `${field} has the member ${quoteKey(duplicate)} twice in one object`);
  return requireObject(value, field);
}
