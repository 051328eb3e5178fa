/**
 * `Strategy`: the Passport strategy for LaunchKey push login (DESIGN.md §2). `authenticate` only
 * dispatches between the two phases: **start** (a username arrives: push sent, pending login bound
 * to the session) and **complete** (the session's pending login is read once it is final and
 * consumed at most once). The helpers (status, webhook, logout, guard, cancel) are plain middleware.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

import type { Request, RequestHandler } from 'express';
import { Strategy as PassportStrategy } from 'passport-strategy';

import { CONTEXT_MAX_LENGTH, type AuthorizationRequestOptions } from '../clients/auth_request_options.js';
import {
  AuthorizationInProgressError,
  AuthRequestMismatchError,
  EntityNotFoundError,
  PolicyFailureError,
  RateLimitedError,
} from '../errors.js';
import { failure, failureOf, FAILURE_STATUS, noteFraud, refreshRecord, type LaunchKeyFailureInfo } from './core.js';
import { cancelLogin, logoutHandler, logoutRequest, type LogoutHandlerOptions } from './logout.js';
import {
  resolveStrategyConfig,
  type AuthenticateOptions,
  type LaunchKeyRequestOptions,
  type LaunchKeyResult,
  type Resolvable,
  type StrategyConfig,
  type StrategyOptions,
  type StrategyOptionsWithRequest,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
  type VerifyUser,
} from './options.js';
import { addressKey, fraudKey, usernameKey } from './rate_limit.js';
import {
  asError,
  clearHandle,
  markNextLogIn,
  readData,
  requireSession,
  writeData,
  type SessionLike,
} from './session.js';
import { sessionGuard, type SessionGuardOptions } from './session_guard.js';
import { statusHandler, type StatusHandlerOptions } from './status_handler.js';
import type { PendingRecord } from './store.js';
import { webhookHandler, type WebhookHandlerOptions } from './webhook_handler.js';

/** Longest username accepted (the API's limit). */
export const MAX_USERNAME_LENGTH = 255;

/** How long a final record stays readable after its request expired (the waiting page reads it). */
const RECORD_GRACE_MS = 5 * 60_000;

/** LaunchKey's default request ttl, in seconds. */
const DEFAULT_TTL = 300;

/** What `req.launchkey` holds while a login is pending and the strategy passed. */
export interface LaunchKeyPending {
  status: 'pending';
  /**
   * The LaunchKey request id; for a decoy (`revealUnknownUsers: false`, T8) a random UUID. Keep it
   * server-side: shown to the browser, its format could tell a decoy from a real request.
   */
  authorizationRequestId: string;
  /** When the request expires at LaunchKey. */
  expiresAt: Date;
  /** The application's `state`. */
  state?: unknown;
  /** With the `correlationCode` option: the code the push context ends with (`" · code 42"`). */
  correlationCode?: string;
}

/** The `info` of a successful login (`req.authInfo`). */
export interface LaunchKeySuccessInfo {
  code: 'approved';
  authorizationRequestId: string;
  serviceUserHash: string;
  /** The application's `state`. */
  state?: unknown;
}

type Outcome =
  | { kind: 'success'; user: Express.User; info: object }
  | { kind: 'fail'; info: LaunchKeyFailureInfo | object; status: number }
  | { kind: 'redirect'; url: string; status: number }
  | { kind: 'pass' };

const FORBIDDEN_USERNAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Passport strategy for LaunchKey push MFA login.
 *
 * @example
 *   ```ts
 *   passport.use(new Strategy({ serviceId, privateKey, pendingRedirect: '/login/wait' },
 *     async ({ username, serviceUserHash }) => users.findOrCreate(username, serviceUserHash)))
 *   app.post('/login', passport.authenticate('launchkey', { failureRedirect: '/login' }))
 *   app.get('/login/complete', passport.authenticate('launchkey', { successRedirect: '/', failureRedirect: '/login' }))
 *   ```
 */
export class Strategy extends PassportStrategy {
  /** The strategy's name for `passport.authenticate(name)`; default `'launchkey'`. */
  name: string;
  // TS-private, not ES #private: passport calls authenticate on Object.create(strategy).
  private readonly _config: StrategyConfig;
  private readonly _verify: VerifyFunction | VerifyFunctionWithRequest;

  /**
   * @param options credentials (`serviceId` + `privateKey`, or `serviceClient`) and behaviour.
   * @param verify called with the result of an approved login; gives the user or `false`.
   * @throws {ConfigurationError} naming the first bad option.
   */
  constructor(options: StrategyOptionsWithRequest, verify: VerifyFunctionWithRequest);
  constructor(options: StrategyOptions, verify: VerifyFunction);
  constructor(
    options: StrategyOptions | StrategyOptionsWithRequest,
    verify: VerifyFunction | VerifyFunctionWithRequest,
  ) {
    super();
    this._config = resolveStrategyConfig(options, verify);
    this.name = this._config.name;
    this._verify = verify;
  }

  /** [Strategy method] Called by passport; dispatches between start and complete. */
  override authenticate(req: Request, options?: AuthenticateOptions): void {
    this._decide(req, options ?? {}).then(
      (outcome) => {
        this._deliver(outcome);
      },
      (err: unknown) => {
        this.error(asError(err));
      },
    );
  }

  /**
   * Middleware answering the waiting page with `{ status, code?, correlationCode? }`: at once, after
   * up to `?wait=SECONDS` (long poll, at most 25), or as Server-Sent Events (`Accept:
   * text/event-stream`). Never logs anyone in.
   */
  statusHandler(options: StatusHandlerOptions = {}): RequestHandler {
    return statusHandler(this._config, options);
  }

  /**
   * Middleware for the service's webhook URL; mount it after `express.raw({ type: '*\/*' })` (or no
   * body parser). Verifies, then fills the store (authorization responses) or records a revocation
   * (session ends).
   */
  webhookHandler(options: WebhookHandlerOptions = {}): RequestHandler {
    return webhookHandler(this._config, options);
  }

  /**
   * Ends the LaunchKey session of the logged-in user (when they logged in with LaunchKey), then
   * logs out locally with `req.logout()`. The local logout always happens; a LaunchKey failure
   * rejects afterwards.
   */
  logout(req: Request): Promise<void> {
    return logoutRequest(this._config, req);
  }

  /** Middleware: {@link logout}, then redirect (303) to `redirect` or answer 204; a LaunchKey failure goes to `next(err)`. */
  logoutHandler(options: LogoutHandlerOptions = {}): RequestHandler {
    return logoutHandler(this._config, options);
  }

  /** Middleware logging out sessions whose LaunchKey session was ended from the phone. */
  sessionGuard(options: SessionGuardOptions = {}): RequestHandler {
    return sessionGuard(this._config, options);
  }

  /** Cancels the session's pending login (at LaunchKey and in the store); resolves `false` when there was none. */
  cancel(req: Request): Promise<boolean> {
    return cancelLogin(this._config, req);
  }

  private _deliver(outcome: Outcome): void {
    switch (outcome.kind) {
      case 'success':
        this.success(outcome.user, outcome.info);
        return;
      case 'fail':
        this.fail(outcome.info, outcome.status);
        return;
      case 'redirect':
        this.redirect(outcome.url, outcome.status);
        return;
      default:
        this.pass();
    }
  }

  private async _decide(req: Request, options: AuthenticateOptions): Promise<Outcome> {
    const session = requireSession(req);
    const data = readData(session, this._config.sessionKey);
    const field = readField(req, this._config.usernameField);
    let phase = options.phase;
    if (phase === undefined) {
      if (field.present) phase = 'start';
      else if (data.handle !== undefined) phase = 'complete';
      else if (this._config.getUsername !== undefined) phase = 'start';
      // A GET carrying nothing is a completion whose login is gone; anything else lacks a username.
      else return fail(failure(req.method === 'GET' || req.method === 'HEAD' ? 'no-pending' : 'missing-username'));
    }
    if (phase === 'complete') return this._complete(req, options, session);
    // Login CSRF (T9): refused before the username is read, the session touched or a push sent.
    if (this._config.sameOriginOnly && isCrossSite(req)) return fail(failure('cross-site'));
    let username: unknown = field.value;
    if (!field.present) {
      if (this._config.getUsername === undefined) return fail(failure('missing-username'));
      username = await this._config.getUsername(req);
      if (username === undefined) return fail(failure('missing-username'));
    }
    const valid = checkUsername(username);
    if (valid === undefined) return fail(failure('invalid-username'));
    return this._start(req, options, session, valid);
  }

  private async _start(
    req: Request,
    options: AuthenticateOptions,
    session: SessionLike,
    username: string,
  ): Promise<Outcome> {
    const { store, client, sessionKey } = this._config;
    const data = readData(session, sessionKey);
    if (data.handle !== undefined) {
      const previous = await store.get(data.handle);
      if (previous?.status === 'pending' && previous.username === username && previous.expiresAt > this._config.now()) {
        // The same login submitted again (reload, double click): no second push.
        return this._pending(req, options, previous);
      }
      await this._discard(data.handle);
      clearHandle(session, sessionKey);
    }

    const cooling = await this._coolingDown(username);
    if (cooling !== undefined) return cooling;
    const limited = await this._rateLimited(req, username);
    if (limited !== undefined) return limited;

    const resolved = await resolveRequestOptions(req, {
      ...this._config.requestOptions,
      ...pickRequestOptions(options),
    });
    const state = options.state ?? (await resolve(req, this._config.state));
    const correlationCode = this._config.correlationCode ? String(randomInt(10, 100)) : undefined;
    if (correlationCode !== undefined) {
      resolved.request.context = withCorrelationCode(resolved.request.context, correlationCode);
    }
    const ttl = resolved.request.ttl ?? DEFAULT_TTL;
    const begin = { username, ttl, state, correlationCode };
    let id: string;
    try {
      id = (await client.authorizationRequest(username, resolved.request)).authorizationRequestId;
    } catch (err) {
      const extra = state === undefined ? {} : { state: state };
      // Never adopt the other request's id from the busy signal (T7b): it may be someone else's login.
      if (err instanceof AuthorizationInProgressError) {
        if (!this._config.revealInProgress) return this._begin(req, options, session, { ...begin, decoy: true });
        return fail(
          failure('in-progress', { ...extra, ...(err.expires === undefined ? {} : { expires: err.expires }) }),
        );
      }
      if (err instanceof EntityNotFoundError) {
        // T8: unknown user or no device; a decoy answers exactly like a push that nobody answers.
        if (!this._config.revealUnknownUsers) return this._begin(req, options, session, { ...begin, decoy: true });
        return fail(failure('unknown-user', extra));
      }
      if (err instanceof PolicyFailureError) return fail(failure('policy', extra));
      if (err instanceof RateLimitedError) {
        return fail(
          failure('rate-limited', {
            ...extra,
            ...(err.retryAfter === undefined ? {} : { retryAfter: err.retryAfter }),
          }),
        );
      }
      throw err;
    }
    return this._begin(req, options, session, { ...begin, id });
  }

  /** Stores the pending record of a started login (a real one when `id` is given, else a decoy) and binds it to the session. */
  private async _begin(
    req: Request,
    options: AuthenticateOptions,
    session: SessionLike,
    start: { username: string; ttl: number; state: unknown; correlationCode: string | undefined } & (
      { id: string; decoy?: undefined } | { id?: undefined; decoy: true }
    ),
  ): Promise<Outcome> {
    const { store, client, sessionKey } = this._config;
    const now = this._config.now();
    const record: PendingRecord = {
      v: 1,
      handle: randomBytes(32).toString('base64url'),
      // A decoy's id is random and never sent anywhere; it only keeps the record's shape.
      authorizationRequestId: start.id ?? randomUUID(),
      username: start.username,
      status: 'pending',
      createdAt: now,
      expiresAt: now + start.ttl * 1000,
      ...(start.state === undefined ? {} : { state: start.state }),
      ...(start.decoy === true ? { decoy: true as const } : {}),
      ...(start.correlationCode === undefined ? {} : { correlationCode: start.correlationCode }),
    };
    try {
      await store.set(record, start.ttl * 1000 + RECORD_GRACE_MS);
    } catch (err) {
      // Nobody could complete this request: take the push back before failing closed.
      if (start.id !== undefined) await client.cancelAuthorizationRequest(start.id).catch(() => undefined);
      throw err;
    }
    writeData(session, sessionKey, { ...readData(session, sessionKey), handle: record.handle });
    return this._pending(req, options, record);
  }

  private async _complete(req: Request, options: AuthenticateOptions, session: SessionLike): Promise<Outcome> {
    const { store, sessionKey } = this._config;
    const data = readData(session, sessionKey);
    if (data.handle === undefined) return fail(failure('no-pending'));
    const handle = data.handle;
    const current = await store.get(handle);
    const record = current === undefined ? undefined : await refreshRecord(this._config, current);
    if (record === undefined) {
      clearHandle(session, sessionKey);
      return fail(failure('no-pending'));
    }
    if (record.status === 'pending') return this._pending(req, options, record);

    // Decide only on what takeOnce returned: of concurrent completions, one gets the record.
    const taken = await store.takeOnce(handle);
    clearHandle(session, sessionKey);
    if (taken === undefined || taken.status === 'pending') return fail(failure('no-pending'));
    if (taken.status !== 'approved') return fail(failureOf(taken));
    const response = taken.response;
    if (
      response?.authorized !== true ||
      response.authorizationRequestId.toLowerCase() !== taken.authorizationRequestId.toLowerCase()
    ) {
      throw new AuthRequestMismatchError(taken.authorizationRequestId, response?.authorizationRequestId ?? 'none');
    }

    const result: LaunchKeyResult = {
      username: taken.username,
      serviceUserHash: response.serviceUserHash,
      organizationUserHash: response.organizationUserHash,
      userPushId: response.userPushId,
      authorizationRequestId: taken.authorizationRequestId,
      deviceId: response.deviceId,
      policy: response.policy,
      authMethods: response.authMethods,
      response,
      state: taken.state,
    };
    const { user, info } = await this._runVerify(req, result);
    const state = taken.state === undefined ? {} : { state: taken.state };
    if (user === false || user === null || user === undefined) {
      return fail({ ...failure('rejected', state), ...info, code: 'rejected' });
    }
    // After verify accepted the user: a refused login leaves no LaunchKey session behind.
    if (this._config.launchkeySession)
      await this._config.client.sessionStart(taken.username, taken.authorizationRequestId);
    markNextLogIn(req, sessionKey, {
      username: taken.username,
      serviceUserHash: response.serviceUserHash,
      at: this._config.now(),
    });
    const successInfo: LaunchKeySuccessInfo = {
      code: 'approved',
      authorizationRequestId: taken.authorizationRequestId,
      serviceUserHash: response.serviceUserHash,
      ...state,
    };
    return { kind: 'success', user, info: { ...info, ...successInfo } };
  }

  private _pending(req: Request, options: AuthenticateOptions, record: PendingRecord): Outcome {
    const redirect = options.pendingRedirect === undefined ? this._config.pendingRedirect : options.pendingRedirect;
    if (typeof redirect === 'string') return { kind: 'redirect', url: redirect, status: 303 };
    const pending: LaunchKeyPending = {
      status: 'pending',
      authorizationRequestId: record.authorizationRequestId,
      expiresAt: new Date(record.expiresAt),
      ...(record.state === undefined ? {} : { state: record.state }),
      ...(record.correlationCode === undefined ? {} : { correlationCode: record.correlationCode }),
    };
    (req as Request & { launchkey?: LaunchKeyPending }).launchkey = pending;
    return { kind: 'pass' };
  }

  private async _discard(handle: string): Promise<void> {
    const old = await this._config.store.takeOnce(handle);
    await noteFraud(this._config, old);
    if (old?.status === 'pending' && old.decoy !== true) {
      // Best effort: the user moved on, so the old push should not stay answerable.
      await this._config.client.cancelAuthorizationRequest(old.authorizationRequestId).catch(() => undefined);
    }
  }

  /** The refusal of a start for a username whose owner recently reported a push as fraud (T9). */
  private async _coolingDown(username: string): Promise<Outcome | undefined> {
    const cooldown = this._config.fraudCooldown;
    if (cooldown === undefined) return undefined;
    const ms = await cooldown.limiter.blockedFor(fraudKey(username));
    if (!(ms > 0)) return undefined;
    return fail(failure('rate-limited', { retryAfter: Math.max(1, Math.ceil(ms / 1000)) }));
  }

  private async _rateLimited(req: Request, username: string): Promise<Outcome | undefined> {
    const limits = this._config.limits;
    if (limits === undefined) return undefined;
    const checks: [string | undefined, typeof limits.perIp][] = [
      [addressKey(req.ip ?? req.socket.remoteAddress), limits.perIp],
      [usernameKey(username), limits.perUsername],
    ];
    for (const [key, rule] of checks) {
      if (key === undefined || rule === false) continue;
      const decision = await limits.limiter.hit(key, rule);
      if (!decision.allowed) {
        const retryAfter = Math.max(1, Math.ceil((decision.retryAfter ?? rule.window) / 1000));
        return fail(failure('rate-limited', { retryAfter }));
      }
    }
    return undefined;
  }

  private _runVerify(req: Request, result: LaunchKeyResult): Promise<{ user: VerifyUser; info: object }> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: unknown, user?: VerifyUser, info?: object): void => {
        if (settled) return;
        settled = true;
        if (err !== null && err !== undefined) reject(asError(err));
        else resolve({ user, info: info ?? {} });
      };
      let returned: unknown;
      try {
        returned = this._config.passReqToCallback
          ? (this._verify as VerifyFunctionWithRequest)(req, result, done)
          : (this._verify as VerifyFunction)(result, done);
      } catch (err) {
        done(err);
        return;
      }
      if (isPromiseLike(returned)) {
        returned.then(
          (user) => {
            done(null, user as VerifyUser);
          },
          (err: unknown) => {
            done(err ?? new Error('verify rejected'));
          },
        );
      }
    });
  }
}

function fail(info: LaunchKeyFailureInfo): Outcome {
  return { kind: 'fail', info, status: FAILURE_STATUS[info.code] };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Whether the browser says this request comes from another site (login CSRF, T9). `Sec-Fetch-Site`
 * decides when present: only `same-origin` and `none` (typed URL, bookmark) pass; `same-site` (a
 * sibling subdomain) does not. Without it, an `Origin` header must name the `Host` the request was
 * sent to (the raw header, not `X-Forwarded-Host`: a proxy must pass Host through); `Origin: null`
 * (sandboxed frame, opaque origin) is refused. Neither header: not a (modern) browser; passes.
 */
function isCrossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) {
    const value = site.trim().toLowerCase();
    return value !== 'same-origin' && value !== 'none';
  }
  const origin = req.get('origin');
  if (origin === undefined) return false;
  const host = req.get('host');
  if (host === undefined) return true;
  try {
    const from = new URL(origin);
    if (from.origin === 'null' || from.host === '') return true;
    // Parsed with the origin's scheme, so a default port written out in Host compares equal.
    return new URL(`${from.protocol}//${host}`).host !== from.host;
  } catch {
    return true;
  }
}

/** `context` with `" · code NN"` appended, shortened (with "…") to fit the API's 400 characters. */
function withCorrelationCode(context: string | undefined, code: string): string {
  if (context === undefined) return `code ${code}`;
  // A context function may return anything at run time: left as is, the client refuses it precisely.
  if (typeof (context as unknown) !== 'string') return context;
  const suffix = ` · code ${code}`;
  const room = CONTEXT_MAX_LENGTH - suffix.length;
  let text = context;
  if (text.length > room) {
    text = text.slice(0, room - 1);
    // Never leave half a surrogate pair behind.
    if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
    text = `${text}…`;
  }
  return `${text}${suffix}`;
}

/** The username field from the body, else the query; own properties only (T14). */
function readField(req: Request, field: string): { present: boolean; value: unknown } {
  for (const source of [(req as { body?: unknown }).body, req.query]) {
    if (source !== null && typeof source === 'object' && Object.hasOwn(source, field)) {
      return { present: true, value: (source as Record<string, unknown>)[field] };
    }
  }
  return { present: false, value: undefined };
}

/** The trimmed username, or `undefined` when it is not a sane one (4.5: arrays, objects, NUL, 10 kB). */
function checkUsername(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const username = value.trim();
  if (username.length === 0 || username.length > MAX_USERNAME_LENGTH) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(username) || FORBIDDEN_USERNAMES.has(username)) return undefined;
  return username;
}

async function resolve<T>(req: Request, value: Resolvable<T> | undefined): Promise<T | undefined> {
  return typeof value === 'function' ? (value as (req: Request) => T | Promise<T>)(req) : value;
}

/** The LaunchKey request options given to one authenticate call (own properties, set ones only). */
function pickRequestOptions(options: AuthenticateOptions): LaunchKeyRequestOptions {
  const out: Record<string, unknown> = {};
  for (const name of ['policy', 'context', 'title', 'ttl', 'pushTitle', 'pushBody', 'denialReasons'] as const) {
    if (Object.hasOwn(options, name) && options[name] !== undefined) out[name] = options[name];
  }
  return out;
}

/** Resolves the request options (values or functions of the request) for one start. */
async function resolveRequestOptions(
  req: Request,
  options: LaunchKeyRequestOptions,
): Promise<{ request: AuthorizationRequestOptions }> {
  const request: AuthorizationRequestOptions = {};
  const policy = await resolve(req, options.policy);
  if (policy !== undefined) request.policy = policy;
  const context = await resolve(req, options.context);
  if (context !== undefined) request.context = context;
  const title = await resolve(req, options.title);
  if (title !== undefined) request.title = title;
  const ttl = await resolve(req, options.ttl);
  if (ttl !== undefined) request.ttl = ttl;
  const pushTitle = await resolve(req, options.pushTitle);
  if (pushTitle !== undefined) request.pushTitle = pushTitle;
  const pushBody = await resolve(req, options.pushBody);
  if (pushBody !== undefined) request.pushBody = pushBody;
  const denialReasons = await resolve(req, options.denialReasons);
  if (denialReasons !== undefined) request.denialReasons = denialReasons;
  return { request };
}
