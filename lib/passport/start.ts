/**
 * The start of a login (docs/architecture.md, "The flow of one login"): a username arrives by the
 * start route's method, a push is sent, and a pending login is bound to the browser session.
 *
 * Before any push: the session's own pending login is reused when the same username is submitted
 * again; the starts of one session are serialised across instances (a double submit lands on one
 * login); the fraud cooldown and the start limits are checked. After the API answers, a real login
 * is stored and polled; a user LaunchKey does not know, a user with a push already out and a policy
 * the user's device cannot meet all get a decoy (docs/security.md, T8) unless the application asked to
 * reveal them. A decoy lives in the session only.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';

import type { Request } from 'express';

import type { AuthorizationRequestOptions } from '../clients/auth_request_options.js';
import {
  ApiTimeoutError,
  AuthorizationInProgressError,
  AuthorizationRequestCanceledError,
  AuthorizationResponseExistsError,
  EntityNotFoundError,
  PolicyFailureError,
  RateLimitedError,
} from '../errors.js';
import type { AuditLimit } from './audit_events.js';
import type { LoginFacts } from './audit_login.js';
import { failure, type LaunchKeyFailureInfo } from './failures.js';
import { noteFraud } from './fraud_cooldown.js';
import type { HttpRequest } from './http.js';
import { readLogin, RECORD_GRACE_MS } from './login_ref.js';
import {
  REQUEST_OPTION_NAMES,
  type AuthenticateOptions,
  type LaunchKeyRequestOptions,
  type Resolvable,
  type StrategyConfig,
} from './options.js';
import { fail, pending, type Outcome } from './outcome.js';
import type { Poller } from './poller.js';
import { describeClient, withCorrelationCode } from './push_context.js';
import { clientAddressOf, countStart, fraudKey } from './rate_limit.js';
import { clearPending, readData, updateData, type PendingRef, type SessionLike } from './session.js';
import type { PendingRecord } from './store.js';

/** LaunchKey's default request ttl, in seconds. */
const DEFAULT_TTL = 300;

/** How long one session's start may hold its lock: the API call's timeout and then some. */
const START_LOCK_MS = 30_000;

/** How long a finished start tells a concurrent start of the same session what it made. */
const HANDOVER_MS = 15_000;

/** How often a start waiting for the same session's other start looks again. */
const LOCK_RETRY_MS = 25;

/**
 * How far the expiry of a busy signal may be from the one a timed-out start asked for and still be
 * recognised as that start's push: clocks differ, and the request took time to arrive.
 */
const UNCERTAIN_SLACK_MS = 30_000;

/** What a start needs besides the request. */
export interface StartContext {
  config: StrategyConfig;
  poller: Poller;
  /** What the audit event of this start is made of (audit_login.ts). */
  facts: LoginFacts;
}

/** Starts a login for `username` (already accepted by `acceptUsername`). */
export async function startLogin(
  c: StartContext,
  req: HttpRequest,
  options: AuthenticateOptions,
  session: SessionLike,
  username: string,
  stepUp: boolean,
): Promise<Outcome> {
  const { config } = c;
  const data = readData(session, config.sessionKey);
  if (data.pending !== undefined) {
    const previous = await readLogin(config, data.pending);
    if (previous?.status === 'pending' && previous.username === username && previous.expiresAt > config.now()) {
      // The same login submitted again (reload, double click): no second push, but a new session id
      // all the same (docs/security.md, T10): whoever planted this session may have started it.
      await c.poller.ensure(previous.authorizationRequestId);
      await req.renewSession();
      return pending(config, req, options, previous);
    }
    const withdrawing = await discard(c, data.pending, previous);
    clearPending(session, config.sessionKey);
    if (withdrawing !== undefined) updateData(session, config.sessionKey, { withdrawing });
  }

  const lock = sessionLock(req);
  if (lock === undefined) return begin(c, req, options, session, username, stepUp);
  const token = `busy:${randomUUID()}`;
  const deadline = Date.now() + START_LOCK_MS + 1000;
  for (;;) {
    const holder = await config.store.lock(lock, token, START_LOCK_MS);
    if (holder === token) break;
    const made = holder.startsWith('done:') ? handedOver(holder) : undefined;
    if (made !== undefined) {
      const record = made.decoy ?? (await readLogin(config, made));
      if (record?.status === 'pending' && record.username === username) {
        // Another request of this very session started this login a moment ago: it is ours too,
        // under a session id of this request's own (docs/security.md, T10).
        updateData(await req.renewSession(), config.sessionKey, { pending: made });
        await c.poller.ensure(made.id);
        return pending(config, req, options, record);
      }
      // It made something else (another username): start anew after it.
      await config.store.unlock(lock, holder);
      continue;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
  let made: PendingRef | undefined;
  try {
    const outcome = await begin(c, req, options, session, username, stepUp);
    // Read again: a login bound to the session renewed it (another object on some frameworks).
    made = readData(req.session(), config.sessionKey).pending;
    return outcome;
  } finally {
    await config.store
      .unlock(
        lock,
        token,
        made === undefined ? undefined : { token: `done:${JSON.stringify(made)}`, ttlMs: HANDOVER_MS },
      )
      .catch(config.onError);
  }
}

/** The lock key of the request's session, or `undefined` when the session has no id to key it by. */
function sessionLock(req: HttpRequest): string | undefined {
  const id = req.sessionId();
  if (id === undefined) return undefined;
  // Hashed: a session id is a bearer secret and has no business in a shared store.
  return `start:${createHash('sha256').update(id).digest('base64url')}`;
}

function handedOver(holder: string): PendingRef | undefined {
  try {
    const ref = JSON.parse(holder.slice('done:'.length)) as PendingRef;
    return typeof ref.id === 'string' && typeof ref.handle === 'string' ? ref : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the limits, sends the push (or makes a decoy) and binds the login to the session. */
async function begin(
  c: StartContext,
  req: HttpRequest,
  options: AuthenticateOptions,
  session: SessionLike,
  username: string,
  stepUp: boolean,
): Promise<Outcome> {
  const { config } = c;
  // A username whose owner reported a push as fraud gets no push for a while (docs/security.md, T9). Said openly:
  // the owner trying to sign in right after must learn why no push comes, and whoever pushed
  // before the report already learned that the user exists (docs/security.md, "Enumeration").
  // Checked before the limits, so the owner's retries during the cooldown spend none of their starts.
  const cooling = await coolingFor(config, username);
  if (cooling !== undefined) {
    c.facts.limit = 'fraud-cooldown';
    const state = options.state ?? (await resolve(req, config.state));
    return fail(failure('rate-limited', { ...(state === undefined ? {} : { state }), retryAfter: cooling }));
  }
  const limited = await rateLimited(config, req, username);
  if (limited !== undefined) {
    c.facts.limit = limited.limit;
    return fail(limited.info);
  }

  const request = await resolveRequestOptions(req, { ...config.requestOptions, ...pickRequestOptions(options) });
  const state = options.state ?? (await resolve(req, config.state));
  const correlationCode = config.correlationCode ? String(randomInt(10, 100)) : undefined;
  request.context ??= describeClient(req.header('user-agent'));
  if (correlationCode !== undefined) request.context = withCorrelationCode(request.context, correlationCode);
  const ttl = request.ttl ?? DEFAULT_TTL;
  const start: Start = { username, ttl, state, correlationCode, stepUp };
  const reveal = config.revealUnknownUsers;
  const extra: Partial<LaunchKeyFailureInfo> = state === undefined ? {} : { state };

  const startedAt = config.now();
  let id: string;
  try {
    id = await create(c, session, username, request);
  } catch (err) {
    if (err instanceof ApiTimeoutError) {
      // The push may exist though its id never came back (docs/security.md, R3): remember enough to recognise it.
      updateData(session, config.sessionKey, { uncertain: { username, at: startedAt, ttl } });
      throw err;
    }
    // Never adopt the other request's id from the busy signal (docs/security.md, T7): it may be someone else's login.
    if (err instanceof AuthorizationInProgressError) {
      if (!config.revealInProgress) return store(c, req, options, start);
      return fail(failure('in-progress', { ...extra, ...(err.expires === undefined ? {} : { expires: err.expires }) }));
    }
    if (err instanceof EntityNotFoundError) {
      if (!reveal) return store(c, req, options, start);
      return fail(failure('unknown-user', extra));
    }
    if (err instanceof PolicyFailureError) {
      if (!reveal) return store(c, req, options, start);
      return fail(failure('policy', extra));
    }
    if (err instanceof RateLimitedError) {
      c.facts.limit = 'api';
      return fail(
        failure('rate-limited', { ...extra, ...(err.retryAfter === undefined ? {} : { retryAfter: err.retryAfter }) }),
      );
    }
    throw err;
  }
  return store(c, req, options, { ...start, id });
}

interface Start {
  username: string;
  ttl: number;
  state: unknown;
  correlationCode: string | undefined;
  stepUp: boolean;
  /** The LaunchKey request id; none for a decoy. */
  id?: string;
}

/**
 * Sends the push. When the previous start of this session timed out and the API now says the user
 * is busy with a request of this service that expires when that start's would have, that request is
 * the lost push: it is taken back and the push sent again, once. Its id is used only to cancel it.
 */
async function create(
  c: StartContext,
  session: SessionLike,
  username: string,
  request: AuthorizationRequestOptions,
): Promise<string> {
  const { config } = c;
  const { uncertain, withdrawing } = readData(session, config.sessionKey);
  // Needed for this start's busy signal only: whatever this POST meets, the session forgets it.
  if (withdrawing !== undefined) updateData(session, config.sessionKey, { withdrawing: undefined });
  try {
    return (await config.client.authorizationRequest(username, request)).authorizationRequestId;
  } catch (err) {
    if (
      err instanceof AuthorizationInProgressError &&
      err.fromSameService &&
      withdrawing !== undefined &&
      err.authorizationRequestId === withdrawing
    ) {
      // This session's own push, still out because its DELETE (in the background) has not landed
      // yet: compared with the id this session kept, never adopted from the signal (docs/security.md, T7).
      await config.withdrawals.start(withdrawing);
      return (await config.client.authorizationRequest(username, request)).authorizationRequestId;
    }
    if (
      !(err instanceof AuthorizationInProgressError) ||
      uncertain?.username !== username ||
      !err.fromSameService ||
      err.expires === undefined ||
      err.authorizationRequestId === undefined
    ) {
      throw err;
    }
    const lostExpiry = uncertain.at + uncertain.ttl * 1000;
    if (Math.abs(err.expires.getTime() - lostExpiry) > UNCERTAIN_SLACK_MS) throw err;
    try {
      await config.client.cancelAuthorizationRequest(err.authorizationRequestId);
    } catch (cancelError) {
      if (
        !(cancelError instanceof AuthorizationResponseExistsError) &&
        !(cancelError instanceof AuthorizationRequestCanceledError)
      ) {
        throw cancelError;
      }
    }
    updateData(session, config.sessionKey, { uncertain: undefined });
    return (await config.client.authorizationRequest(username, request)).authorizationRequestId;
  }
}

/** Stores a started login (a real one when `start.id` is set; a decoy, in the session, otherwise). */
async function store(c: StartContext, req: HttpRequest, options: AuthenticateOptions, start: Start): Promise<Outcome> {
  const { config } = c;
  const now = config.now();
  const record: PendingRecord = {
    v: 2,
    // A decoy's id is random and never sent anywhere: it only keeps the record's shape.
    authorizationRequestId: start.id ?? randomUUID(),
    handle: randomBytes(32).toString('base64url'),
    username: start.username,
    status: 'pending',
    createdAt: now,
    expiresAt: now + start.ttl * 1000,
    ...(start.state === undefined ? {} : { state: start.state }),
    ...(start.correlationCode === undefined ? {} : { correlationCode: start.correlationCode }),
    ...(start.stepUp ? { stepUp: true as const } : {}),
  };
  const ref: PendingRef = { id: record.authorizationRequestId, handle: record.handle };
  let session: SessionLike;
  try {
    // The login is bound to a new session id, never to the one the request came with: whoever
    // planted that id in this browser (a shared machine, a sibling subdomain's cookie) must hold
    // nothing of this login (docs/security.md, T10). The session's data stays (a cart, a step-up
    // user's login), as passport's keepSessionInfo keeps it. A decoy does the same (T8).
    session = await req.renewSession();
    if (start.id === undefined) {
      // The same store round trip as a real login's write, so a decoy does not answer faster.
      await config.store.get(record.authorizationRequestId);
      ref.decoy = record;
    } else {
      await config.store.set(record, start.ttl * 1000 + RECORD_GRACE_MS);
    }
  } catch (err) {
    // Nobody could complete this request: take the push back before failing closed.
    if (start.id !== undefined) await config.withdrawals.start(start.id);
    throw err;
  }
  updateData(session, config.sessionKey, { pending: ref, uncertain: undefined });
  Object.assign(c.facts, {
    started: true,
    loginId: ref.id,
    decoy: start.id === undefined,
    ...(start.correlationCode === undefined ? {} : { correlationCode: start.correlationCode }),
  });
  await c.poller.ensure(ref.id);
  return pending(config, req, options, record);
}

/**
 * Drops the session's previous login. A push still out is taken back at LaunchKey, in the
 * background (failures to `onError`), also when its record is gone (a store restarted without
 * persistence): the id is the session's own, from its own start, so cancelling it can only
 * withdraw this browser's push. A decoy costs the store the same call and the browser the same
 * wait: none for the API (docs/security.md, T8).
 */
async function discard(
  c: StartContext,
  ref: PendingRef,
  previous: PendingRecord | undefined,
): Promise<string | undefined> {
  const old = await c.config.store.takeOnce(ref.id);
  if (ref.decoy !== undefined) return undefined;
  const record = old?.handle === ref.handle ? old : previous;
  await noteFraud(c.config, record);
  // The user moved on, so the old push should not stay answerable.
  if (record !== undefined && record.status !== 'pending') return undefined;
  void c.config.withdrawals.start(ref.id);
  return ref.id;
}

/** Seconds left of the username's fraud cooldown, or `undefined` when it is not cooling down. */
async function coolingFor(config: StrategyConfig, username: string): Promise<number | undefined> {
  const cooldown = config.fraudCooldown;
  if (cooldown === undefined) return undefined;
  const ms = await cooldown.limiter.blockedFor(fraudKey(username));
  return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : undefined;
}

/**
 * The refusal of a start over a limit (docs/security.md, T9), and which limit it was. A client the
 * server already saw hang up gets no push (nobody waits for it, and a push nobody waits for only adds
 * to push bombing), refused as over its address's limit: its address may be unreadable by now (a reset
 * socket has none). rate_limit.ts counts the others; one without an address still counts.
 */
async function rateLimited(
  config: StrategyConfig,
  req: HttpRequest,
  username: string,
): Promise<{ info: LaunchKeyFailureInfo; limit: AuditLimit } | undefined> {
  if (!req.connected()) return { info: failure('rate-limited', { retryAfter: 1 }), limit: 'address' };
  if (config.limits === undefined) return undefined;
  const refused = await countStart(config.limits, username, clientAddressOf(config.clientAddress, req));
  return refused && { info: failure('rate-limited', { retryAfter: refused.retryAfter }), limit: refused.limit };
}

async function resolve<T>(req: HttpRequest, value: Resolvable<T> | undefined): Promise<T | undefined> {
  // The application's functions get the framework's own request.
  return typeof value === 'function' ? (value as (req: Request) => T | Promise<T>)(req.native as Request) : value;
}

/** The LaunchKey request options given to one authenticate call (own properties, set ones only). */
function pickRequestOptions(options: AuthenticateOptions): LaunchKeyRequestOptions {
  const out: Record<string, unknown> = {};
  for (const name of REQUEST_OPTION_NAMES) {
    if (Object.hasOwn(options, name) && options[name] !== undefined) out[name] = options[name];
  }
  return out;
}

/** Resolves the request options (values or functions of the request) for one start. */
async function resolveRequestOptions(
  req: HttpRequest,
  options: LaunchKeyRequestOptions,
): Promise<AuthorizationRequestOptions> {
  const request: Record<string, unknown> = {};
  for (const name of REQUEST_OPTION_NAMES) {
    const value = await resolve(req, options[name] as Resolvable<unknown>);
    if (value !== undefined) request[name] = value;
  }
  return request;
}
