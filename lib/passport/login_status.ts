/**
 * The status of a login: the view of a login the waiting page gets (a decoy's looks exactly like a real
 * one's). What a device answer means is `answerStatus` (entities/auth_response.ts).
 */
import { failureOf, type FailureCode } from './failures.js';
import type { PendingRecord } from './store.js';

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
