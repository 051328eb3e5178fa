/**
 * The failure `info` of a login: its code, the HTTP status of each code, and the one generic message per
 * status the browser gets (the precise `code` is for logs and for the application's own messages).
 */
import type { AuthorizationResponse } from '../entities/auth_response.js';
import type { SettledAnswer } from './audit_events.js';
import type { FinalStatus, PendingRecord } from './store.js';

/** `info.code` of a failed login. */
export type FailureCode =
  | 'denied'
  | 'fraud'
  | 'policy'
  | 'failed'
  | 'expired'
  | 'canceled'
  | 'rejected'
  | 'unknown-user'
  | 'in-progress'
  | 'rate-limited'
  | 'cross-site'
  | 'invalid-username'
  | 'missing-username'
  | 'no-pending'
  | 'user-mismatch';

/** The `info` of a failed login (passport's `fail(info, status)` challenge). */
export interface LaunchKeyFailureInfo {
  /** One generic message per HTTP status, safe to show (docs/security.md, T8). */
  message: string;
  /** What happened, for logs and for the application's own wording. */
  code: FailureCode;
  /** The device's reason (`DISAPPROVED`, `FRAUDULENT`, `POLICY`, ...), when it answered. */
  reason?: string;
  /** Whether the user reported the request as fraud. */
  fraud?: boolean;
  /** The id of the denial reason the user picked. */
  denialReason?: string;
  /** For `in-progress`: when the other request expires. For `rate-limited`: seconds to wait (also after a fraud report). */
  expires?: Date;
  retryAfter?: number;
  /** The application's `state`. */
  state?: unknown;
}

/** Messages shown to the browser, by HTTP status. */
export const FAILURE_MESSAGES = Object.freeze({
  400: 'Enter a valid username.',
  401: 'Sign-in was not approved.',
  403: 'Start the sign-in from this site.',
  409: 'A sign-in request is already waiting on your device.',
  429: 'Too many sign-in attempts. Try again later.',
} as const);

/** The HTTP status of each failure code. */
export const FAILURE_STATUS: Readonly<Record<FailureCode, 400 | 401 | 403 | 409 | 429>> = Object.freeze({
  denied: 401,
  fraud: 401,
  policy: 401,
  failed: 401,
  expired: 401,
  canceled: 401,
  rejected: 401,
  'unknown-user': 401,
  'no-pending': 401,
  'user-mismatch': 401,
  'in-progress': 409,
  'rate-limited': 429,
  'cross-site': 403,
  'invalid-username': 400,
  'missing-username': 400,
});

/** A failure info for `code`, with the generic message of its status. */
export function failure(code: FailureCode, extra: Partial<LaunchKeyFailureInfo> = {}): LaunchKeyFailureInfo {
  return { message: FAILURE_MESSAGES[FAILURE_STATUS[code]], ...extra, code };
}

/** The failure code and details of a final, non-approved record. */
export function failureOf(record: PendingRecord): LaunchKeyFailureInfo {
  const r = record.response;
  const details: Partial<LaunchKeyFailureInfo> = {};
  if (r !== undefined) {
    if (r.reason !== null) details.reason = r.reason;
    details.fraud = r.fraud;
    if (r.denialReason !== null) details.denialReason = r.denialReason;
  }
  if (record.state !== undefined) details.state = record.state;
  return failure(codeOf(record), details);
}

/**
 * The answer a final status and the device's response mean, named as the failure codes name them: a
 * denial reported as fraud is `fraud`, a failure of the policy is `policy`. The audit events' settled
 * answer and the failure code of a record both read it here.
 */
export function answerOf(status: FinalStatus, response: AuthorizationResponse | undefined): SettledAnswer {
  if (status === 'denied' && response?.fraud === true) return 'fraud';
  if (status === 'failed' && response?.reason === 'POLICY') return 'policy';
  return status;
}

function codeOf(record: PendingRecord): FailureCode {
  // An approved record only fails when verify refuses the user.
  if (record.status === 'pending' || record.status === 'approved') return 'rejected';
  return answerOf(record.status, record.response) as Exclude<SettledAnswer, 'approved'>;
}
