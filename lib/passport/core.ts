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
  /** For `in-progress`: when the other request expires. For `rate-limited`: seconds to wait. */
  expires?: Date;
  retryAfter?: number;
  /** The application's `state`. */
  state?: unknown;
}

/** Messages shown to the browser, by HTTP status. */
export const FAILURE_MESSAGES = Object.freeze({
  400: 'Enter a valid username.',
  401: 'Sign-in was not approved.',
  409: 'A sign-in request is already waiting on your device.',
  429: 'Too many sign-in attempts. Try again later.',
} as const);

/** The HTTP status of each failure code. */
export const FAILURE_STATUS: Readonly<Record<FailureCode, 400 | 401 | 409 | 429>> = Object.freeze({
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

/** The status view of a record for the waiting page: `{ status, code? }`. */
export interface LoginStatus {
  status: PendingRecord['status'] | 'none';
  code?: FailureCode;
}

/** The status view of a record (or of its absence). */
export function statusView(record: PendingRecord | undefined): LoginStatus {
  if (record === undefined) return { status: 'none' };
  if (record.status === 'pending' || record.status === 'approved') return { status: record.status };
  return { status: record.status, code: failureOf(record).code };
}

/**
 * Brings a pending record up to date: one poll of the API when the mode allows it (the webhook has
 * not filled it yet, or there is no webhook), or, in webhook mode, local expiry once the request's
 * ttl has passed (LaunchKey sends no webhook for an expired request). Returns the current record.
 */
export async function refreshRecord(config: StrategyConfig, record: PendingRecord): Promise<PendingRecord | undefined> {
  if (record.status !== 'pending') return record;
  const now = config.now();
  let outcome: FinalOutcome | undefined;
  if (config.mode !== 'webhook') {
    outcome = await pollOnce(config, record.authorizationRequestId, now);
  } else if (now >= record.expiresAt) {
    outcome = { status: 'expired', at: now };
  }
  if (outcome === undefined) return record;
  await config.store.completeIfPending(record.authorizationRequestId, outcome);
  return config.store.get(record.handle);
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
