// What the login page says after a sign-in did not go through, by the strategy's `info.code`.
import type { FailureCode, LaunchKeyFailureInfo } from 'passport-launchkey';

const MESSAGES: Record<FailureCode, string> = {
  denied: 'The sign-in request was denied on your phone.',
  fraud:
    'The sign-in request was reported as fraud on your phone. If it was not you, nothing happened: you are not signed in.',
  policy: 'Your phone could not meet the security policy of this sign-in (for example, two factors).',
  failed: 'Your phone could not complete the sign-in.',
  expired: 'The sign-in request expired before it was answered. Please try again.',
  canceled: 'Sign-in canceled.',
  rejected: 'This account may not sign in here.',
  'unknown-user': 'The sign-in could not start. Check the username, or link a phone first.',
  'in-progress': 'A sign-in request is already waiting on your phone. Answer it, or wait until it expires.',
  'rate-limited': 'Too many sign-in attempts. Please wait a while.',
  'cross-site': 'For your safety, start the sign-in from this site’s own sign-in page.',
  'invalid-username': 'Enter a valid username.',
  'missing-username': 'Enter a valid username.',
  'no-pending': 'There is no sign-in waiting any more. Please start again.',
  'user-mismatch': 'The sign-in was approved for another account than the one signed in here.',
};

/** The sentence the login page shows for a failed sign-in. */
export function failureMessage(info: unknown): string {
  const { code, retryAfter } = (info ?? {}) as Partial<LaunchKeyFailureInfo>;
  // A limit or the fraud cooldown says how long to wait: say it in minutes, as a person would.
  if (code === 'rate-limited' && typeof retryAfter === 'number') {
    const minutes = Math.ceil(retryAfter / 60);
    return `Too many sign-in attempts. Please try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`;
  }
  if (code !== undefined && Object.hasOwn(MESSAGES, code)) return MESSAGES[code];
  return 'Sign-in was not approved.';
}

/** Notices the login page shows for `?notice=` after a redirect that cannot carry a session value. */
export const NOTICES: Readonly<Record<string, string>> = {
  'signed-out': 'You are signed out, here and on your phone.',
  'ended-on-phone': 'You were signed out because the session was ended on your phone.',
};
