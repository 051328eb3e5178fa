/**
 * What the strategy and its handlers share: turning a device answer into a final status, the view
 * of a login the waiting page gets, the fraud cooldown, and the failure `info` the browser gets (one
 * generic message per status, the precise `code` for logs).
 */
import type { AuthorizationResponse } from '../entities/auth_response.js';
import type { StrategyConfig } from './options.js';
import { fraudKeys } from './rate_limit.js';
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

/** The final status a decoded device answer means. Only a strict approval is `approved`. */
export function statusOf(response: AuthorizationResponse): FinalStatus {
  if (response.authorized) return 'approved';
  if (response.type === 'FAILED' || response.type === 'OTHER') return 'failed';
  return 'denied';
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

function codeOf(record: PendingRecord): FailureCode {
  const r = record.response;
  switch (record.status) {
    case 'denied':
      return r?.fraud === true ? 'fraud' : 'denied';
    case 'failed':
      return r?.reason === 'POLICY' ? 'policy' : 'failed';
    case 'expired':
      return 'expired';
    case 'canceled':
      return 'canceled';
    default:
      // An approved record only fails when verify refuses the user.
      return 'rejected';
  }
}

/** The status view of a record for the waiting page: `{ status, code?, correlationCode? }`. */
export interface LoginStatus {
  status: PendingRecord['status'] | 'none';
  /** Why a final login failed. */
  code?: FailureCode;
  /** The per-attempt code the push shows (`correlationCode` option), for "your phone shows code 42". */
  correlationCode?: string;
  /** While pending: when the request expires (ISO 8601, UTC), for a countdown on the waiting page. */
  expiresAt?: string;
}

/**
 * Where a record stands at `now`: a pending record past its `expiresAt` is `expired`, locally, without
 * asking anyone (LaunchKey sends no webhook for an expired request).
 */
export function effectiveStatus(record: PendingRecord, now: number): PendingRecord['status'] {
  return record.status === 'pending' && now >= record.expiresAt ? 'expired' : record.status;
}

/** The status view of a record (or of its absence) at `now`. A decoy looks exactly like a real login. */
export function statusView(record: PendingRecord | undefined, now: number): LoginStatus {
  if (record === undefined) return { status: 'none' };
  const correlation = record.correlationCode === undefined ? {} : { correlationCode: record.correlationCode };
  const status = effectiveStatus(record, now);
  if (status === 'pending') return { status, ...correlation, expiresAt: new Date(record.expiresAt).toISOString() };
  if (status === 'approved') return { status, ...correlation };
  return { status, code: failureOf({ ...record, status }).code, ...correlation };
}

/**
 * Starts the user's fraud cooldown, under the username and the push id the answer named (both name the
 * user to LaunchKey: docs/security.md, T9), when `record` is a login its owner reported as fraud. The
 * cooldown runs from when the report was learned (`finishedAt`), so calling this again for the same
 * record (every status read) does not lengthen it.
 */
export async function noteFraud(config: StrategyConfig, record: PendingRecord | undefined): Promise<void> {
  const cooldown = config.fraudCooldown;
  if (cooldown === undefined || record === undefined) return;
  if (record.status !== 'denied' || record.response?.fraud !== true) return;
  const now = config.now();
  const remaining = (record.finishedAt ?? now) + cooldown.ms - now;
  if (remaining <= 0) return;
  for (const key of fraudKeys(record.username, record.response.userPushId))
    await cooldown.limiter.block(key, remaining);
}
