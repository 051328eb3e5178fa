/**
 * The completion of a login (docs/architecture.md, "The flow of one login"): the session's pending
 * login is read from the store, never asked of the API. Pending: back to the waiting page. Final and
 * not approved: taken once, `fail` with its code. Approved: claimed, then the work that can fail
 * (the step-up check, `verify`, the LaunchKey session start) and only then taken once, so a failure
 * on the way releases the approval for a retry instead of losing it (docs/security.md, R15), and of two
 * concurrent completions only one does the work and logs in.
 *
 * The session is written only when something changed for it: a completion that finds its login
 * already taken (by another tab of the same browser, which logged in) leaves the session alone, so
 * it cannot put back a session that the login just replaced.
 */
import { randomUUID } from 'node:crypto';

import type { Request } from 'express';

import { AuthRequestMismatchError } from '../errors.js';
import type { LoginFacts } from './audit_login.js';
import { failure, failureOf } from './failures.js';
import { noteFraud } from './fraud_cooldown.js';
import { effectiveStatus } from './login_status.js';
import type { HttpRequest } from './http.js';
import { readLogin } from './login_ref.js';
import type { AuthenticateOptions, LaunchKeyResult, StrategyConfig, VerifyUser } from './options.js';
import { fail, pending, type Outcome } from './outcome.js';
import type { Poller } from './poller.js';
import { clientAddressOf, refundStart } from './rate_limit.js';
import { clearPending, readData, updateData, type SessionLike } from './session.js';
import type { PendingRecord } from './store.js';
import { acceptUsername } from './username.js';

/** How long a completion may work on an approval before another may take it over. */
const CLAIM_MS = 60_000;

/** How long a completion that lost the claim waits for the winner to finish. */
const FOLLOW_MS = 5_000;

/** The `info` of a successful login (`req.authInfo`). */
export interface LaunchKeySuccessInfo {
  code: 'approved';
  authorizationRequestId: string;
  serviceUserHash: string;
  /** The application's `state`. */
  state?: unknown;
}

/** What a completion needs besides the request. */
export interface CompleteContext {
  config: StrategyConfig;
  poller: Poller;
  runVerify(req: HttpRequest, result: LaunchKeyResult): Promise<{ user: VerifyUser; info: object }>;
  /** What the audit event of this completion is made of (audit_login.ts). */
  facts: LoginFacts;
}

/** Completes the session's login. */
export async function completeLogin(
  c: CompleteContext,
  req: HttpRequest,
  options: AuthenticateOptions,
  session: SessionLike,
): Promise<Outcome> {
  const { config } = c;
  const ref = readData(session, config.sessionKey).pending;
  if (ref === undefined) return nothingToComplete(options);
  c.facts.loginId = ref.id;
  if (ref.decoy !== undefined) c.facts.decoy = true;
  const record = await readLogin(config, ref);
  // Taken already (another tab logged in, or the record expired): nothing to change in the session.
  if (record === undefined) return nothingToComplete(options);
  c.facts.username = record.username;
  c.facts.stepUp = record.stepUp === true;
  const status = effectiveStatus(record, config.now());
  if (status === 'pending') {
    await c.poller.ensure(ref.id);
    return pending(config, req, options, record);
  }
  if (ref.decoy !== undefined) {
    // The same store call as a real login's end below (docs/security.md, T8): its random id misses.
    await config.store.takeOnce(ref.id);
    clearPending(session, config.sessionKey);
    return fail(failureOf({ ...record, status }));
  }
  if (status !== 'approved') {
    const taken = await config.store.takeOnce(ref.id);
    if (taken?.handle !== ref.handle) return fail(failure('no-pending'));
    clearPending(session, config.sessionKey);
    await noteFraud(config, taken);
    return fail(failureOf({ ...taken, status: effectiveStatus(taken, config.now()) }));
  }
  return completeApproved(c, req, options, session, record);
}

/**
 * The answer of a completion with nothing (left) to complete, which writes nothing to the session.
 * Most often another tab of the same browser completed this very login a moment ago: its login
 * replaced the session, and an answer that wrote to this request's (older) session would put the old
 * one back and log the user out. So with passport's `successRedirect` the browser follows the other
 * tab to the success page (which, if nobody is logged in after all, sends it to log in); without one
 * it is the `no-pending` failure, and the application's failure path must not write the session
 * either (docs/architecture.md, "The flow of one login").
 */
function nothingToComplete(options: AuthenticateOptions): Outcome {
  const success = (options as { successRedirect?: unknown }).successRedirect;
  if (typeof success === 'string' && success.length > 0) return { kind: 'redirect', url: success, status: 303 };
  return fail(failure('no-pending'));
}

/** Resolves once the record of `id` is gone (the completion that claimed it finished), or after `ms`. */
function finished(config: StrategyConfig, id: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      config.store.get(id).then((record) => {
        if (record === undefined) done();
      }, done);
    };
    const done = (): void => {
      stop();
      clearTimeout(timer);
      clearInterval(ticker);
      resolve();
    };
    const stop = config.store.subscribe(id, check);
    const timer = setTimeout(done, ms);
    // Notifications are the fast path; the interval covers a store whose notification was lost.
    const ticker = setInterval(check, 250);
    check();
  });
}

async function completeApproved(
  c: CompleteContext,
  req: HttpRequest,
  options: AuthenticateOptions,
  session: SessionLike,
  record: PendingRecord,
): Promise<Outcome> {
  const { config } = c;
  const id = record.authorizationRequestId;
  const owner = randomUUID();
  const claimed = await config.store.claim(id, owner, CLAIM_MS);
  if (claimed?.handle !== record.handle) {
    // Another completion (another tab) is logging this approval in: follow it once it is done.
    await finished(config, id, FOLLOW_MS);
    return nothingToComplete(options);
  }
  const state = claimed.state === undefined ? {} : { state: claimed.state };
  if (claimed.finishedAt !== undefined) c.facts.answeredAt = claimed.finishedAt;
  let decided: Outcome | undefined;
  try {
    decided = await decide(c, req, claimed, state);
  } catch (err) {
    if (err instanceof AuthRequestMismatchError) {
      // Not a passing fault: this record can never log anyone in.
      await config.store.takeOnce(id);
      clearPending(session, config.sessionKey);
    } else {
      // Nothing is lost: the approval is free again for a retry of this completion.
      await config.store.release(id, owner).catch(config.onError);
    }
    throw err;
  }
  const taken = await config.store.takeOnce(id);
  clearPending(session, config.sessionKey);
  // The claim ran out and someone else finished meanwhile: only one of us may log in.
  if (taken === undefined) return fail(failure('no-pending'));
  if (decided.kind === 'success') {
    c.facts.serviceUserHash = (decided.info as LaunchKeySuccessInfo).serviceUserHash;
    // An approved login does not use up the user's start budget.
    if (config.limits !== undefined) {
      const address = clientAddressOf(config.clientAddress, req);
      await refundStart(config.limits, claimed.username, address).catch(config.onError);
    }
    const marker = {
      username: claimed.username,
      serviceUserHash: (decided.info as LaunchKeySuccessInfo).serviceUserHash,
      at: config.now(),
    };
    // Written into the session the bridge's login creates, and stored with it (bridge_login.ts). A
    // step-up keeps what the session held (a cart); the bridge still gives it a new id.
    req.onNextLogIn(
      (session) => {
        updateData(session, config.sessionKey, { login: marker });
      },
      { keepSessionInfo: claimed.stepUp === true },
    );
  }
  return decided;
}

/** The decision for a claimed approval: success, or why not. Throws on faults (the claim is then released). */
async function decide(
  c: CompleteContext,
  req: HttpRequest,
  record: PendingRecord,
  state: { state?: unknown },
): Promise<Outcome> {
  const { config } = c;
  const response = record.response;
  if (
    response?.authorized !== true ||
    response.authorizationRequestId.toLowerCase() !== record.authorizationRequestId.toLowerCase()
  ) {
    throw new AuthRequestMismatchError(record.authorizationRequestId, response?.authorizationRequestId ?? 'none');
  }
  // Step-up: the approval must be for the user the application says is asking, now (docs/security.md, T7).
  if (record.stepUp === true) {
    const asking =
      config.getUsername === undefined ? undefined : acceptUsername(await config.getUsername(req.native as Request));
    if (asking !== record.username) return fail(failure('user-mismatch', state));
  }
  const result: LaunchKeyResult = {
    username: record.username,
    serviceUserHash: response.serviceUserHash,
    organizationUserHash: response.organizationUserHash,
    userPushId: response.userPushId,
    authorizationRequestId: record.authorizationRequestId,
    deviceId: response.deviceId,
    policy: response.policy,
    authMethods: response.authMethods,
    response,
    state: record.state,
  };
  const { user, info } = await c.runVerify(req, result);
  if (user === false || user === null || user === undefined) {
    return fail({ ...failure('rejected', state), ...info, code: 'rejected' });
  }
  // After verify accepted the user: a refused login leaves no LaunchKey session behind.
  if (config.launchkeySession) await config.client.sessionStart(record.username, record.authorizationRequestId);
  const successInfo: LaunchKeySuccessInfo = {
    code: 'approved',
    authorizationRequestId: record.authorizationRequestId,
    serviceUserHash: response.serviceUserHash,
    ...state,
  };
  return { kind: 'success', user, info: { ...info, ...successInfo } };
}
