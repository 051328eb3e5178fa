/**
 * Duplicate member names in JSON objects. `JSON.parse` keeps the last of `{"a":1,"a":2}` silently,
 * other parsers keep the first or refuse: two parties reading one signed header, claim set or
 * decrypted payload could then act on different values (a parser differential, RFC 7515 §5.2 and
 * RFC 7519 §4 say to reject such input or use the last member; refusing is the safe reading).
 *
 * {@link findDuplicateKey} scans text that `JSON.parse` has already accepted, so it does not
 * validate syntax, only tracks which strings are member names: one pass, no allocation per value,
 * one `Set` per object, and names are decoded only when they contain an escape (so `"a"` and
 * `"\u0061"` are the same name, as they are to every parser). Each layer turns a hit into its own
 * typed error. Hand-written rather than a dependency: it is ~50 lines, runs on every API response,
 * and is checked against `JSON.parse` by a property spec.
 */

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c; // ,

/**
 * The first member name that appears twice in one object of `text`, at any depth, or `undefined`.
 * `text` must be JSON that `JSON.parse` accepted; for other text the answer is meaningless.
 */
export function findDuplicateKey(text: string): string | undefined {
  // One entry per open container: the names seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectName = false;
  // Position of the next backslash at or after the current string, found once per stretch of text
  // (a search per string would make many short strings quadratic).
  let nextBackslash = text.indexOf('\\');
  let i = 0;
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Find the closing quote: the first one not preceded by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = text.indexOf('\\', i);
      const escaped = nextBackslash !== -1 && nextBackslash < end;
      const names = stack[stack.length - 1];
      if (expectName && names !== undefined && names !== null) {
        const name = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        if (names.has(name)) return name;
        names.add(name);
      }
      expectName = false;
      i = end + 1;
      continue;
    }
    if (c === OPEN_OBJECT) {
      stack.push(new Set());
      expectName = true;
    } else if (c === OPEN_ARRAY) {
      stack.push(null);
      expectName = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      expectName = false;
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      expectName = top !== undefined && top !== null;
    }
    i++;
  }
  return undefined;
}

/** A member name for an error message: quoted, and cut short (it came off the wire). */
export function quoteKey(name: string): string {
  const quoted = JSON.stringify(name);
  return quoted.length > 66 ? `${quoted.slice(0, 64)}…"` : quoted;
}
