/**
 * What the strategy accepts as a username (docs/security.md, "Usernames"): the one place that
 * decides, before any rate-limit key is computed or any push is sent.
 *
 * A username is shown to people (on the phone, in the app's logs) and compared by machines, so
 * anything that reads differently to the two is refused rather than repaired: control and format
 * characters (bidi overrides, zero-width joiners, a byte-order mark), separators other than the
 * plain space (a no-break space is not a space to LaunchKey), invisible fillers. What is left is
 * normalised to NFC, so the composed and decomposed spellings of "José" are one user.
 */

import { MAX_USERNAME_LENGTH } from '../clients/arguments.js';
import { PROTOTYPE_KEYS, UUID_PATTERN } from '../entities/validate.js';

/** Longest username accepted, in UTF-16 code units after normalisation (the API's limit). */
export { MAX_USERNAME_LENGTH };

/**
 * Controls (Cc), format characters (Cf: bidi controls, zero-width characters, BOM, soft hyphen),
 * lone surrogates (Cs), private-use characters (Co), line and paragraph separators, every space
 * separator but U+0020, and the Hangul fillers that render as nothing.
 */
const REFUSED = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]|(?!\u0020)\p{Zs}/u;

/** ASCII white space at either end: what a form field may add by accident. Nothing else is trimmed. */
const EDGES = /^[\u0020\t\r\n]+|[\u0020\t\r\n]+$/g;

/**
 * The username to use for `value`, or `undefined` when it is not acceptable: not a string, empty,
 * too long, or holding a refused character (see the module comment).
 */
export function acceptUsername(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 4 * MAX_USERNAME_LENGTH) return undefined;
  const trimmed = value.replace(EDGES, '');
  if (trimmed.length === 0 || REFUSED.test(trimmed)) return undefined;
  const username = trimmed.normalize('NFC');
  if (username.length > MAX_USERNAME_LENGTH || PROTOTYPE_KEYS.has(username)) return undefined;
  return username;
}

/**
 * Whether a username typed into the form has the shape of a user push id. LaunchKey takes a push id
 * wherever it takes a username, so a push id would name a user under a second spelling, with a start
 * budget and a fraud cooldown of its own (docs/security.md, T9): such a username is refused before
 * anything is counted or sent. A name the application gives through `getUsername` is not checked:
 * the application chose it.
 */
export function looksLikePushId(username: string): boolean {
  // A push id is a UUID (docs/protocol.md, "The auth response core").
  return UUID_PATTERN.test(username);
}
