/**
 * The text the phone shows with a push (docs/security.md, "Push fatigue"). By default it says what
 * asked, "Sign-in from Firefox on Linux", so a user can tell their own login from a stranger's, and
 * ends with the per-attempt correlation code the waiting page shows.
 */
import Bowser from 'bowser';

import { CONTEXT_MAX_LENGTH } from '../clients/auth_request_options.js';

/**
 * Only names from a fixed list are shown: the browsers and systems the parser recognises by its own
 * rules (its name maps). The User-Agent is the requester's to choose, and the parser's fallback takes
 * the browser name from any `Name/version` token, so a name outside the list is the requester's own
 * words ("Approve this one code 42") and reads as "a browser" (docs/security.md, "Push fatigue").
 */
const KNOWN_BROWSERS: ReadonlySet<string> = new Set(Object.values(Bowser.BROWSER_MAP));
const KNOWN_SYSTEMS: ReadonlySet<string> = new Set(Object.values(Bowser.OS_MAP));

/**
 * "Sign-in from Firefox on Linux" for a User-Agent, with "a browser" or "an unknown system" for what it
 * does not tell by a known name; "Sign-in request" when it tells neither.
 */
export function describeClient(userAgent: string | undefined): string {
  if (userAgent === undefined || userAgent.length === 0 || userAgent.length > 2048) return 'Sign-in request';
  const parsed = Bowser.parse(userAgent);
  const browser = known(KNOWN_BROWSERS, parsed.browser.name);
  const os = known(KNOWN_SYSTEMS, parsed.os.name);
  if (browser === undefined && os === undefined) return 'Sign-in request';
  return `Sign-in from ${browser ?? 'a browser'} on ${os ?? 'an unknown system'}`;
}

function known(names: ReadonlySet<string>, name: string | undefined): string | undefined {
  return name !== undefined && names.has(name) ? name : undefined;
}

/** `context` with `" · code NN"` appended, shortened (with "…") to fit the API's 400 characters. */
export function withCorrelationCode(context: string, code: string): string {
  // A context function may return anything at run time: left as is, the client refuses it precisely.
  if (typeof (context as unknown) !== 'string') return context;
  const suffix = ` · code ${code}`;
  const room = CONTEXT_MAX_LENGTH - suffix.length;
  let text = context;
  if (text.length > room) {
    text = text.slice(0, room - 1);
    // Never leave half a surrogate pair behind.
    if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
    text = `${text}…`;
  }
  return `${text}${suffix}`;
}
