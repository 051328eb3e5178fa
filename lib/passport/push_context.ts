/**
 * The text the phone shows with a push (docs/security.md, "Push fatigue"). By default it says what
 * asked, "Sign-in from Firefox on Linux", so a user can tell their own login from a stranger's, and
 * ends with the per-attempt correlation code the waiting page shows.
 */
import Bowser from 'bowser';

import { CONTEXT_MAX_LENGTH } from '../clients/auth_request_options.js';

/**
 * Only names made of these characters are shown: the User-Agent is the requester's to choose, and
 * the phone must not display a sentence an attacker wrote ("Official bank verification").
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9 .+-]{0,31}$/;

/** "Sign-in from Firefox on Linux" for a User-Agent, as far as it tells; "Sign-in request" otherwise. */
export function describeClient(userAgent: string | undefined): string {
  if (userAgent === undefined || userAgent.length === 0 || userAgent.length > 2048) return 'Sign-in request';
  const parsed = Bowser.parse(userAgent);
  const browser = safe(parsed.browser.name);
  const os = safe(parsed.os.name);
  if (browser !== undefined && os !== undefined) return `Sign-in from ${browser} on ${os}`;
  if (browser !== undefined || os !== undefined) return `Sign-in from ${browser ?? os ?? ''}`;
  return 'Sign-in request';
}

function safe(name: string | undefined): string | undefined {
  return name !== undefined && SAFE_NAME.test(name) ? name : undefined;
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
