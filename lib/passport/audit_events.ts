/**
 * The audit events the strategy emits (docs/security.md, "Audit events"): what a security team asks
 * of a login library. Who tried to log in as whom, from where, what the phone answered, which pushes
 * were reported as fraud, which webhooks were refused and why, who logged out and how.
 *
 * Every event is plain JSON data (a logger writes it as it is), frozen, with a stable `event` name
 * and `timestamp`, and never a token, a key, a request or response body, or a session id. The field
 * names avoid the ones loggers keep for themselves (`time`, `level`, `msg`, `name`), so
 * `logger.info(event)` writes one clean line.
 */
import type { FailureCode } from './failures.js';

/** The events of a login, one per failure code (`login.denied`, `login.rate-limited`, ...). */
export type LoginFailureEventName = `login.${FailureCode}`;

/** Every event name. */
export type AuditEventName =
  | 'login.started'
  | 'login.approved'
  | LoginFailureEventName
  | 'login.error'
  | 'login.settled'
  | 'webhook.accepted'
  | 'webhook.refused'
  | 'webhook.replayed'
  | 'logout.local'
  | 'logout.launchkey'
  | 'logout.phone'
  | 'logout.revoked';

/** What the event says about the attempt (as ECS's `event.outcome`). */
export type AuditOutcome = 'success' | 'failure' | 'unknown';

/** What every event carries. */
export interface AuditEventBase {
  /** The stable name of what happened. */
  event: AuditEventName;
  /** When, ISO 8601 in UTC, on the strategy's clock. */
  timestamp: string;
  outcome: AuditOutcome;
  /**
   * The login's correlation id: its LaunchKey authorization request id, the same on every instance
   * for one login and the id LaunchKey's own records use. A decoy's is the random id it was given at
   * its start (it exists nowhere else). Absent when no login exists (a start refused before it).
   */
  loginId?: string;
  /** The username, as the `auditUsername` option maps it (default: as it is). */
  username?: string;
  /** The client's address, as the per-address limit counts it (`clientAddress` option, else the framework's). */
  clientAddress?: string;
  /** The request's `User-Agent`, at most 512 characters. */
  userAgent?: string;
  /** Why it failed: a failure code (`denied`), or an error code (`ERR_LK_JWT_SIGNATURE`). */
  code?: string;
}

/** A login was started: a push was sent, or a decoy made (docs/security.md, T8). */
export interface LoginStartedEvent extends AuditEventBase {
  event: 'login.started';
  outcome: 'unknown';
  phase: 'start';
  loginId: string;
  username: string;
  /** `true` when no push was sent: the user is unknown, busy or cannot meet the policy (docs/security.md, T8). */
  decoy: boolean;
  /** The code the push and the waiting page show (`correlationCode` option). */
  correlationCode?: string;
  /** `true` when `getUsername` named the user (step-up). */
  stepUp: boolean;
}

/** A completion logged the user in. */
export interface LoginApprovedEvent extends AuditEventBase {
  event: 'login.approved';
  outcome: 'success';
  phase: 'complete';
  loginId: string;
  username: string;
  /** LaunchKey's stable id of the user for this service. */
  serviceUserHash: string;
  stepUp: boolean;
}

/** Which limit refused a start (`login.rate-limited`). */
export type AuditLimit = 'address' | 'username' | 'fraud-cooldown' | 'api';

/** A start or a completion ended in a failure (`info.code` of passport's `fail`). */
export interface LoginFailedEvent extends AuditEventBase {
  event: LoginFailureEventName;
  outcome: 'failure';
  phase: 'start' | 'complete';
  code: FailureCode;
  /** Set when the login was a decoy. */
  decoy?: boolean;
  /** The device's reason (`DISAPPROVED`, `FRAUDULENT`, `POLICY`, ...), when it answered. */
  reason?: string;
  /** The id of the denial reason the user picked. */
  denialReason?: string;
  /** For `login.rate-limited`: which limit, and the seconds to wait. */
  limit?: AuditLimit;
  retryAfter?: number;
}

/** A start or a completion failed on a fault (the API, the store, `verify`): nobody logged in. */
export interface LoginErrorEvent extends AuditEventBase {
  event: 'login.error';
  outcome: 'failure';
  phase: 'start' | 'complete';
  /** The error's code (`ERR_LK_STORE_UNAVAILABLE`), or its class name for a foreign error. */
  code: string;
}

/** What the login's final answer is, as recorded. */
export type SettledAnswer = 'approved' | 'denied' | 'fraud' | 'policy' | 'failed' | 'expired' | 'canceled';

/**
 * A login's final answer was recorded in the store (the first one wins): the phone's, from the
 * webhook or the poller; LaunchKey's expiry, from the poller; or the user's cancel. Emitted by the
 * instance that recorded it, whether or not the browser ever comes back for it.
 */
export interface LoginSettledEvent extends AuditEventBase {
  event: 'login.settled';
  outcome: 'success' | 'failure';
  loginId: string;
  answer: SettledAnswer;
  via: 'webhook' | 'poll' | 'cancel';
  /** Set when the canceled login was a decoy. */
  decoy?: boolean;
  reason?: string;
  denialReason?: string;
}

/** What a webhook was about, once verified. */
export type WebhookKind = 'authorization-response' | 'session-end';

/** A webhook delivery: accepted (verified and stored), refused (with the refusal's code), or a replay. */
export interface WebhookAuditEvent extends AuditEventBase {
  event: 'webhook.accepted' | 'webhook.refused' | 'webhook.replayed';
  /** The HTTP status it was answered with. */
  status: number;
  /** Set once the delivery verified. */
  kind?: WebhookKind;
  /** For `webhook.accepted` of an authorization response: what the store made of it. */
  result?: 'completed' | 'unchanged' | 'orphan';
}

/** A logout: local (`req.logout()`), at LaunchKey (the session end), from the phone, or applied by the guard. */
export interface LogoutEvent extends AuditEventBase {
  event: 'logout.local' | 'logout.launchkey' | 'logout.phone' | 'logout.revoked';
  /** LaunchKey's id of the user: the only one a session-end webhook carries. */
  serviceUserHash?: string;
}

/** One audit event. */
export type AuditEvent =
  | LoginStartedEvent
  | LoginApprovedEvent
  | LoginFailedEvent
  | LoginErrorEvent
  | LoginSettledEvent
  | WebhookAuditEvent
  | LogoutEvent;

/**
 * The `audit` option: told of every event, after the decision and outside the request's path. It
 * may return a promise, which is not awaited; a throw or a rejection is reported once to `onError`.
 */
export type AuditListener = (event: AuditEvent) => unknown;
