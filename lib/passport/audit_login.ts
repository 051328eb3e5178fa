/**
 * The audit events of `authenticate` (docs/security.md, "Audit events"): one per call that decided
 * something, emitted by the strategy once the decision is made. The phases (start.ts, complete.ts)
 * note what they learn about the login in a {@link LoginFacts} as they go; the event is built here
 * from those facts and the outcome, so there is one place that decides what an outcome is called.
 *
 * A call that only finds its login still pending, or a completion that follows another tab's login
 * (a redirect to the success page), decided nothing new and emits nothing; a start that lands on the
 * login its session started a moment ago (a double submit, a reload) is not a new start either.
 */
import { errorCode } from '../errors.js';
import { record } from '../telemetry/otel.js';
import { requestFacts, type RequestFacts } from './audit.js';
import type { AuditLimit, LoginFailedEvent } from './audit_events.js';
import type { LaunchKeyFailureInfo } from './failures.js';
import type { HttpRequest } from './http.js';
import type { StrategyConfig } from './options.js';
import type { Outcome } from './outcome.js';

/** What a phase learned about the login it decided on. */
export interface LoginFacts {
  phase: 'start' | 'complete';
  /** The login's correlation id (its request id; a decoy's random one). */
  loginId?: string;
  /** The username, once accepted (never a refused one: it may be anything). */
  username?: string;
  decoy?: boolean;
  stepUp?: boolean;
  correlationCode?: string;
  /** Set by the start when this call started a new login (a push or a decoy). */
  started?: boolean;
  /** Which limit refused the start. */
  limit?: AuditLimit;
  serviceUserHash?: string;
  /** When the approval was recorded (the record's `finishedAt`), for the approve-to-login time. */
  answeredAt?: number;
}

/** The codes whose `reason` and `denialReason` are the device's own (not the application's `verify` info). */
const DEVICE_ANSWERS: ReadonlySet<string> = new Set(['denied', 'fraud', 'policy', 'failed']);

/** Who and which login: the fields every login event shares. */
function who(config: StrategyConfig, req: HttpRequest, facts: LoginFacts): RequestFacts & WhoFields {
  return {
    ...(facts.loginId === undefined ? {} : { loginId: facts.loginId }),
    ...(facts.username === undefined ? {} : { username: facts.username }),
    ...requestFacts(config.clientAddress, req),
  };
}

interface WhoFields {
  loginId?: string;
  username?: string;
}

/** Emits the event of what `authenticate` decided, if it decided something. Never throws. */
export function auditDecision(config: StrategyConfig, req: HttpRequest, outcome: Outcome, facts: LoginFacts): void {
  try {
    decision(config, req, outcome, facts);
  } catch (err) {
    // Only a bug of ours gets here; the login goes on, and the bug is reported.
    config.onError(err);
  }
}

function decision(config: StrategyConfig, req: HttpRequest, outcome: Outcome, facts: LoginFacts): void {
  const base = who(config, req, facts);
  if (outcome.kind === 'success') {
    if (facts.loginId === undefined || facts.username === undefined || facts.serviceUserHash === undefined) return;
    config.audit.emit({
      ...base,
      event: 'login.approved',
      outcome: 'success',
      phase: 'complete',
      loginId: facts.loginId,
      username: facts.username,
      serviceUserHash: facts.serviceUserHash,
      stepUp: facts.stepUp === true,
    });
    const answeredAt = facts.answeredAt;
    if (answeredAt !== undefined) {
      // Clocks of two instances may differ a little: a negative time is none.
      const seconds = Math.max(0, config.now() - answeredAt) / 1000;
      record((i) => {
        i.approveToLogin.record(seconds);
      });
    }
    return;
  }
  if (outcome.kind === 'fail') {
    const info = outcome.info as LaunchKeyFailureInfo;
    const device = DEVICE_ANSWERS.has(info.code);
    const event: Omit<LoginFailedEvent, 'timestamp'> = {
      ...base,
      event: `login.${info.code}`,
      outcome: 'failure',
      phase: facts.phase,
      code: info.code,
      ...(facts.decoy === true ? { decoy: true } : {}),
      ...(device && typeof info.reason === 'string' ? { reason: info.reason } : {}),
      ...(device && typeof info.denialReason === 'string' ? { denialReason: info.denialReason } : {}),
      ...(facts.limit === undefined ? {} : { limit: facts.limit }),
      ...(typeof info.retryAfter === 'number' ? { retryAfter: info.retryAfter } : {}),
    };
    config.audit.emit(event);
    return;
  }
  if (facts.started !== true || facts.loginId === undefined || facts.username === undefined) return;
  config.audit.emit({
    ...base,
    event: 'login.started',
    outcome: 'unknown',
    phase: 'start',
    loginId: facts.loginId,
    username: facts.username,
    decoy: facts.decoy === true,
    ...(facts.correlationCode === undefined ? {} : { correlationCode: facts.correlationCode }),
    stepUp: facts.stepUp === true,
  });
}

/** Emits `login.error` for a fault of `authenticate` (it goes to passport's `error`; nobody logged in). */
export function auditFault(config: StrategyConfig, req: HttpRequest, err: unknown, facts: LoginFacts): void {
  config.audit.emit({
    ...who(config, req, facts),
    event: 'login.error',
    outcome: 'failure',
    phase: facts.phase,
    code: errorCode(err),
  });
}
