/**
 * Cancel (docs/security.md, T9 and R11): withdraws a pending push, and only drops a decoy
 * (docs/security.md, T8). Under `sameOriginOnly`, a request the browser marks cross-site cancels
 * nothing, with the start's own check (same_origin.ts).
 */
import { requestFacts } from './audit.js';
import { auditSettled } from './audit_settled.js';
import { noteFraud } from './fraud_cooldown.js';
import type { HttpRequest } from './http.js';
import { readLogin } from './login_ref.js';
import type { StrategyConfig } from './options.js';
import { crossSiteRefusal } from './same_origin.js';
import { readData, updateData } from './session.js';
import type { FinalOutcome } from './store.js';

/**
 * @internal `strategy.cancel(req)`. The record stays, `canceled`, until the completion route takes
 * it: every tab waiting on it hears `canceled` (never a `none` that looks like a lost login), and
 * completing it fails with code `'canceled'`.
 *
 * The login ends in the store before anything else, and the push is taken back at LaunchKey in the
 * background (withdrawals.ts): an approval that reaches LaunchKey while the DELETE is on its way
 * then finds the login canceled here and logs nobody in (docs/security.md, R11), and the browser
 * waits for no API round trip, which a decoy's cancel could not match (docs/security.md, T8). A
 * decoy costs the store the same calls (its random id misses). A cross-site request cancels
 * nothing: it resolves `false` with the refusal on the request (docs/security.md, T9).
 */
export async function cancelLogin(config: StrategyConfig, req: HttpRequest): Promise<boolean> {
  if (crossSiteRefusal(config, req) !== undefined) return false;
  const session = req.session();
  const ref = readData(session, config.sessionKey).pending;
  const record = await readLogin(config, ref);
  if (ref === undefined || record === undefined) return false;
  const settled = (outcome: FinalOutcome, decoy: boolean): void => {
    auditSettled(config, {
      loginId: ref.id,
      outcome,
      via: 'cancel',
      username: record.username,
      decoy,
      request: requestFacts(config.clientAddress, req),
    });
  };
  const decoy = ref.decoy !== undefined;
  await noteFraud(config, record);
  if (record.status !== 'pending') {
    // Answered already. An approval a moment ago: the user still asked to stop, so it goes. Any other
    // final record stays for the completion to take, as a decoy's does: a second cancel must not
    // tell them apart (docs/security.md, T8).
    if (record.status === 'approved') await config.store.takeOnce(ref.id);
    return true;
  }
  const outcome: FinalOutcome = { status: 'canceled', at: config.now() };
  const result = await config.store.completeIfPending(ref.id, outcome);
  if (decoy) {
    // Never sent anywhere (docs/security.md, T8): only marked in the session, after the same store call.
    updateData(session, config.sessionKey, {
      pending: { ...ref, decoy: { ...record, status: 'canceled', finishedAt: outcome.at } },
    });
    settled(outcome, true);
    return true;
  }
  if (result === 'completed') {
    settled(outcome, false);
  } else {
    // An answer was recorded between the read and the cancel: the user still asked to stop, so it
    // goes, and nobody completes it (docs/security.md, R11).
    await config.store.takeOnce(ref.id);
  }
  // Kept in the session: a start right after may meet this push's busy signal (start.ts).
  updateData(session, config.sessionKey, { withdrawing: ref.id });
  void config.withdrawals.start(ref.id);
  return true;
}
