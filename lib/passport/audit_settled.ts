/**
 * `login.settled` (docs/security.md, "Audit events"): a login's final answer was recorded in the
 * store, by the webhook handler, the poller or a cancel. Emitted by the instance that recorded it,
 * so a fraud report is on record even when the browser that started the login never comes back.
 */
import { answerOf } from './failures.js';
import type { RequestFacts } from './audit.js';
import type { StrategyConfig } from './options.js';
import type { FinalOutcome } from './store.js';

/** What is known of the settled login. */
export interface Settled {
  loginId: string;
  outcome: FinalOutcome;
  via: 'webhook' | 'poll' | 'cancel';
  /** From the login's record, when it was read. */
  username?: string | undefined;
  decoy?: boolean;
  /** The request that settled it (a cancel), if one did. */
  request?: RequestFacts;
}

/** Emits `login.settled`. */
export function auditSettled(config: StrategyConfig, settled: Settled): void {
  const answer = answerOf(settled.outcome.status, settled.outcome.response);
  const r = settled.outcome.response;
  config.audit.emit({
    ...settled.request,
    event: 'login.settled',
    outcome: answer === 'approved' ? 'success' : 'failure',
    loginId: settled.loginId,
    ...(settled.username === undefined ? {} : { username: settled.username }),
    answer,
    via: settled.via,
    ...(settled.decoy === true ? { decoy: true } : {}),
    ...(r?.reason === null || r?.reason === undefined ? {} : { reason: r.reason }),
    ...(r?.denialReason === null || r?.denialReason === undefined ? {} : { denialReason: r.denialReason }),
  });
}
