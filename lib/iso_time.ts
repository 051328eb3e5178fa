/**
 * Times on the wire (docs/protocol.md, "Other wire details"), read and written in one place. The API sends
 * `2018-01-11T05:20:55Z`; the SDKs and the people who configure them also write fractions of a second,
 * offsets, a bare day, or (.NET) no zone at all. A time without a zone is UTC: never the time zone of the
 * machine that reads it, so the same text is the same instant on every server, whatever its `TZ`.
 *
 * A leaf that imports nothing, so that every layer may read times the same way (errors.ts included, for
 * the busy signal's `expires`).
 */

/** `YYYY-MM-DD`, optionally `THH:MM`, `:SS` and a fraction, optionally `Z` or `±HH:MM`. */
const ISO_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d+)?)?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

/**
 * The instant `text` names, or `undefined` when it is not an ISO-8601 date or date-time of the calendar
 * (`2030-02-31` is refused, not rolled over into March). A day alone is its midnight; without a zone, UTC.
 * Fractions beyond milliseconds are cut off.
 */
export function parseIsoTime(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_TIME.exec(text);
  if (match === null) return undefined;
  const [, day = '', hours = '00', minutes = '00', seconds = '00', fraction = '', zone = 'Z'] = match;
  // Written out in the ECMAScript date-time format (an explicit zone, at most milliseconds), which every
  // engine reads the same way; the format itself was checked above.
  const date = new Date(`${day}T${hours}:${minutes}:${seconds}${fraction.slice(0, 4)}${zone}`);
  if (Number.isNaN(date.getTime())) return undefined;
  // Date rolls a day that does not exist over into the next month: it must come back unchanged.
  return new Date(`${day}T00:00:00Z`).toISOString().startsWith(day) ? date : undefined;
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the protocol's format: UTC, whole seconds. */
export function formatIsoTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
