/**
 * What the strategy and its handlers share: turning a device answer or an API refusal into a final
 * outcome, bringing a pending record up to date (one poll when the mode allows it), and the
 * failure `info` the browser gets (one generic message per status, the precise `code` for logs).
 *
 * @internal
 */
import type { AuthorizationResponse } from '../entities/auth_response.js';
import { AuthorizationRequestCanceledError, RequestTimedOutError } from '../errors.js';
import type { StrategyConfig } from './options.js';
import { fraudKey } from './rate_limit.js';
import type { FinalOutcome, FinalStatus, PendingRecord } from './store.js';

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
  | 'no-pending';

/** The `info` of a failed login (passport's `fail(info, status)` challenge). */
export interface LaunchKeyFailureInfo {
  /** One generic message per HTTP status, safe to show (SECURITY T8). */
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
}

/** The status view of a record (or of its absence). A decoy looks exactly like a real login. */
export function statusView(record: PendingRecord | undefined): LoginStatus {
  if (record === undefined) return { status: 'none' };
  const correlation = record.correlationCode === undefined ? {} : { correlationCode: record.correlationCode };
  if (record.status === 'pending' || record.status === 'approved') return { status: record.status, ...correlation };
  return { status: record.status, code: failureOf(record).code, ...correlation };
}

/**
 * Starts the username's fraud cooldown when `record` is a login its owner reported as fraud. The
 * cooldown runs from when the report was learned (`finishedAt`), so calling this again for the same
 * record (every status read) does not lengthen it.
 */
export async function noteFraud(config: StrategyConfig, record: PendingRecord | undefined): Promise<void> {
  const cooldown = config.fraudCooldown;
  if (cooldown === undefined || record === undefined || record.decoy === true) return;
  if (record.status !== 'denied' || record.response?.fraud !== true) return;
  const now = config.now();
  const remaining = (record.finishedAt ?? now) + cooldown.ms - now;
  if (remaining > 0) await cooldown.limiter.block(fraudKey(record.username), remaining);
}

/**
 * Brings a pending record up to date: one poll of the API when the mode allows it (the webhook has
 * not filled it yet, or there is no webhook), or, in webhook mode, local expiry once the request's
 * ttl has passed (LaunchKey sends no webhook for an expired request). A decoy is never polled: it
 * stays pending until its ttl passes, then expires locally exactly like a real request (T8).
 * Starts the fraud cooldown when the record is (or just became) a fraud report. Returns the
 * current record.
 */
export async function refreshRecord(config: StrategyConfig, record: PendingRecord): Promise<PendingRecord | undefined> {
  if (record.status !== 'pending') {
    await noteFraud(config, record);
    return record;
  }
  const now = config.now();
  let outcome: FinalOutcome | undefined;
  if (config.mode !== 'webhook' && record.decoy !== true) {
    outcome = await pollOnce(config, record.authorizationRequestId, now);
  } else if (now >= record.expiresAt) {
    outcome = { status: 'expired', at: now };
  }
  if (outcome === undefined) return record;
  await config.store.completeIfPending(record.authorizationRequestId, outcome);
  const current = await config.store.get(record.handle);
  await noteFraud(config, current);
  return current;
}

async function pollOnce(config: StrategyConfig, id: string, now: number): Promise<FinalOutcome | undefined> {
  try {
    const response = await config.client.getAdvancedAuthorizationResponse(id);
    return response === null ? undefined : { status: statusOf(response), response, at: now };
  } catch (err) {
    if (err instanceof RequestTimedOutError) return { status: 'expired', at: now };
    if (err instanceof AuthorizationRequestCanceledError) return { status: 'canceled', at: now };
    throw err;
  }
}
