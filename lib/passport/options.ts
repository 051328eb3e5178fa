/**
 * The strategy's options and callback types, and their eager validation: a mistake in the options
 * is a {@link ConfigurationError} naming the option when the strategy is constructed, not a failed
 * login later.
 */
import type { Request } from 'express';

import {
  AUTHORIZATION_REQUEST_OPTION_NAMES,
  validateAuthorizationRequest,
  type DenialReason,
} from '../clients/auth_request_options.js';
import { ServiceFactory, type FactoryOptions, type PrivateKeys } from '../clients/factories.js';
import type { ServiceClient } from '../clients/service.js';
import type { AuthPolicy } from '../entities/auth_policy.js';
import type { AuthMethod, AuthorizationResponse, AuthorizationResponsePolicy } from '../entities/auth_response.js';
import { PROTOTYPE_KEYS } from '../entities/validate.js';
import { ConfigurationError, InvalidArgumentError } from '../errors.js';
import { Auditor } from './audit.js';
import type { AuditListener } from './audit_events.js';
import { FAILURE_STATUS, type FailureCode } from './failures.js';
import type { ReplayCache } from '../webhooks/replay_cache.js';
import { MemoryStore } from './memory_store.js';
import {
  checkRule,
  DEFAULT_RATE_LIMITS,
  MemoryRateLimiter,
  type RateLimiter,
  type RateLimitOptions,
  type StartLimits,
} from './rate_limit.js';
import { PENDING_STORE_METHODS, type PendingStore } from './store.js';
import { Withdrawals } from './withdrawals.js';

/** Application state kept with a pending login: plain JSON data. */
export type AppState = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

/** A value, or a function of the request giving it (sync or async). */
export type Resolvable<T> = T | ((req: Request) => T | Promise<T>);

/** The ServiceClient methods the strategy uses; a `ServiceClient` or a wrapper of one. */
export type LaunchKeyServiceClient = Pick<
  ServiceClient,
  | 'authorizationRequest'
  | 'getAdvancedAuthorizationResponse'
  | 'cancelAuthorizationRequest'
  | 'sessionStart'
  | 'sessionEnd'
  | 'handleAdvancedWebhook'
> &
  Partial<Pick<ServiceClient, 'releaseWebhook'>>;

/** How the strategy learns the device's answer. */
export type CompletionMode = 'webhook' | 'poll' | 'both';

/**
 * Options of each authorization request, in the strategy options or per
 * `passport.authenticate('launchkey', { ... })` call (which wins). Each is a value or a function of
 * the request; all default to unset (LaunchKey's defaults apply).
 */
export interface LaunchKeyRequestOptions {
  /** A dynamic policy (can only make the service's policy stricter). */
  policy?: Resolvable<AuthPolicy | undefined>;
  /** Shown on the device, e.g. "Sign in to Example from Firefox"; at most 400 characters. */
  context?: Resolvable<string | undefined>;
  /** Title of the request on the device; at most 200 characters. */
  title?: Resolvable<string | undefined>;
  /** Seconds the request stays open, 1 to 86 400; default LaunchKey's 300. */
  ttl?: Resolvable<number | undefined>;
  /** Title of the push notification. */
  pushTitle?: Resolvable<string | undefined>;
  /** Body of the push notification. */
  pushBody?: Resolvable<string | undefined>;
  /** Denial reasons offered on the device (directory services with denial context inquiry). */
  denialReasons?: Resolvable<readonly DenialReason[] | undefined>;
}

/**
 * Options of one `passport.authenticate('launchkey', options)` call, besides passport's own. They
 * are not merged into passport's `AuthenticateOptions` (which would let them type-check on every
 * other strategy's call too): wrap them with {@link launchkeyOptions}.
 */
export interface AuthenticateOptions extends LaunchKeyRequestOptions {
  /**
   * Application state for this call, overriding the strategy's `state` (passport types `state` as a
   * string here; use the strategy option for structured state).
   */
  state?: string;
  /** Overrides the strategy's `pendingRedirect`; `false` passes instead of redirecting. */
  pendingRedirect?: string | false;
  /**
   * Forces the phase: `'start'` sends a push, `'complete'` only completes. Default: a request by the
   * strategy's `startMethod` (POST) starts; any other completes. A start is refused on any other
   * method (a link or an image must never push).
   */
  phase?: 'start' | 'complete';
}

/** passport's own options of an `authenticate` call (`successRedirect`, `failureRedirect`, ...). */
type PassportAuthenticateOptions = import('passport').AuthenticateOptions;

/**
 * Types the options of `passport.authenticate('launchkey', ...)`: passport's own and this strategy's,
 * checked together, and handed to passport as they are.
 *
 * @example passport.authenticate('launchkey', launchkeyOptions({ policy, pendingRedirect: '/wait', failureRedirect: '/login' }))
 */
export function launchkeyOptions(
  options: Omit<PassportAuthenticateOptions, 'state'> & AuthenticateOptions,
): PassportAuthenticateOptions {
  return options;
}

/** Options of the strategy. */
export interface StrategyOptionsBase extends LaunchKeyRequestOptions {
  /**
   * Application state kept with the pending login and handed back as `info.state` on success and
   * failure (e.g. `(req) => ({ returnTo: req.query.returnTo })`). Plain JSON data, resolved when the
   * login starts. Default none.
   */
  state?: Resolvable<AppState>;
  /** Strategy name for `passport.authenticate(name)`; default `'launchkey'`. */
  name?: string;
  /** The service id (UUID). Required unless `serviceClient` is given. */
  serviceId?: string;
  /** The service's private key(s), PEM (several during a key rotation). Required unless `serviceClient`. */
  privateKey?: PrivateKeys;
  /** API base URL; default `https://api.launchkey.com` (point it at the emulator in development). */
  baseUrl?: string;
  /** Transport and key options of the service factory (timeout, axios, signing key id, replay cache). */
  transport?: Omit<FactoryOptions, 'baseUrl'>;
  /** A ready client instead of `serviceId` + `privateKey`. */
  serviceClient?: LaunchKeyServiceClient;
  /**
   * Body field (then query field) holding the username of a login; default `'username'`. `false`:
   * only `getUsername` names users (an app that offers step-up only).
   */
  usernameField?: string | false;
  /**
   * Who is asking, for step-up: `(req) => req.user?.username`. When it gives a username, the push
   * goes to that user whatever the request carries (no field can choose another account), the
   * approval must be that user's at completion, and the login keeps the session's data (passport's
   * `keepSessionInfo`). When it gives `undefined` (nobody logged in), the username field starts an
   * ordinary login, so one strategy serves both. Default none.
   */
  getUsername?: (req: Request) => string | undefined | Promise<string | undefined>;
  /**
   * The HTTP method of the start route; default `'POST'`. Only a request with this method starts a
   * login (sends a push); every other request can only complete one, so a link or an image (a GET)
   * never pushes to anyone.
   */
  startMethod?: string;
  /** Key of the strategy's data in `req.session`; default `'launchkey'`. */
  sessionKey?: string;
  /**
   * Where pending logins wait, and the shared state around them (poll leases, change
   * notifications, revocations); default a new {@link MemoryStore} (one process only). With several
   * instances, a shared store such as `RedisStore` from `passport-launchkey/redis`.
   */
  store?: PendingStore;
  /**
   * Remembers the token ids of verified webhooks, so a replayed webhook is refused; default an
   * in-process cache. With several instances, a shared one such as `RedisReplayCache`. (Ignored with
   * `serviceClient`, which has its own.)
   */
  replayCache?: ReplayCache;
  /**
   * `'webhook'`: answers come only from the webhook (never polls); `'poll'`: from polling the API (no
   * public webhook URL needed); `'both'` (default): the webhook, and a poll when it has not arrived.
   */
  mode?: CompletionMode;
  /**
   * Where to send the browser (303) while a login is pending, e.g. `'/login/wait'`. Default none: the
   * strategy calls `pass()` and sets `req.launchkey = { status: 'pending', ... }`.
   */
  pendingRedirect?: string;
  /** Start a LaunchKey session after an approved login (ended by `logout`); default `true`. */
  launchkeySession?: boolean;
  /**
   * Start limits per username from one address, per username in all and per address; `false` turns
   * them off. Default 3, 10 and 10 per 5 minutes.
   */
  rateLimit?: RateLimitOptions | false;
  /**
   * The client's address, for the start limits (per address, and per username from one address); a
   * start for which it returns nothing counts with every other such start. Default the framework's: `req.ip`
   * (Express, `trust proxy`), `request.ip` (Fastify, `trustProxy`), `ctx.ip` (Koa, `app.proxy`).
   * Behind a proxy, set that setting to exactly your proxies (then it is the client's address), or
   * give a function here; without either, every client shares the proxy's address and its limit.
   */
  clientAddress?: (req: Request) => string | undefined;
  /**
   * Accept an authorization response that carries only the legacy `auth` package (RSA-OAEP, no
   * type, reason or fraud flag: a denial cannot be told from a fraud report). Default `false`: such a
   * response is refused; only devices sending the JWE package can log in.
   */
  allowLegacyAuthPackage?: boolean;
  /**
   * The application's own message for each failure code, given to passport's `fail` (and so to
   * `failureMessage`/`failureFlash`) instead of the generic one of its status, e.g.
   * `{ fraud: 'You reported this sign-in. Nobody was signed in.' }`. The `code` is kept either way.
   * Default: one generic message per status.
   */
  messages?: Partial<Record<FailureCode, string>>;
  /**
   * Told of errors the strategy meets in the background, with no request to report them to (the
   * poller cannot reach the API, a store subscription failed). Default none.
   */
  onError?: (err: unknown) => void;
  /**
   * Told of every audit event (docs/security.md, "Audit events"): each start, answer, outcome,
   * refusal, webhook and logout, with the login's correlation id, the username, the client's address
   * and user agent, and the error code; never a token, key, body or session id. Called after the
   * decision, outside the request's path; a returned promise is not awaited; a throw or rejection is
   * reported once to `onError`. E.g. `(event) => logger.info(event, 'launchkey')`. Default none (the
   * events are still counted through OpenTelemetry when the application has it).
   */
  audit?: AuditListener;
  /**
   * How usernames appear in audit events, e.g. a keyed hash or a mask; returning `undefined` leaves
   * the username out. Default: as they are (OWASP's logging guidance allows usernames). Spans and
   * metrics never carry usernames.
   */
  auditUsername?: (username: string) => string | undefined;
  /**
   * Answer a start for a username LaunchKey does not know (or whose user has no device) with
   * `fail` code `'unknown-user'` (401). Default `false` (docs/security.md, T8): such a start gets a decoy
   * pending login that looks and ends exactly like a real one that nobody answered (`'expired'` after
   * the ttl), so the login form does not tell which usernames exist. No push is sent and the API is
   * never asked about a decoy, which lives in the browser's session, never in the shared store.
   *
   * A start refused because the user's device cannot satisfy the policy (`'policy'`) would tell a
   * known user apart too, so it follows this option: a decoy unless it is `true`.
   */
  revealUnknownUsers?: boolean;
  /**
   * Answer a start for a user who already has a pending request (from another browser) with `fail`
   * code `'in-progress'` (409), so the user learns that a push is already on their phone (the other
   * request's id is never adopted: docs/security.md, T7). Default `false`: that answer would tell whoever submits the
   * username that the user exists, so such a start gets a decoy (and the user, if it was them, waits
   * on a login that only expires).
   */
  revealInProgress?: boolean;
  /**
   * Seconds during which a username (and the user's push id the answer named) gets no push after its
   * owner reported one as fraud (from the completion, a poll or the webhook); starts then fail with
   * code `'rate-limited'` (429) and `retryAfter`, before any API call. Default 900; `0` turns it off.
   * Kept in `rateLimit.limiter` (which then must implement `block` and `blockedFor`), else in an
   * in-process limiter.
   */
  fraudCooldown?: number;
  /**
   * Refuse a start (not a completion) that the browser marks as cross-site, with code `'cross-site'`
   * (403), before anything else happens (no push, no session write): login CSRF defence (docs/security.md, T9).
   * The same check guards `cancel()` (which then cancels nothing and resolves `false`) and
   * `logoutHandler()` (403 `'cross-site'`, nobody logged out) (docs/security.md, T11).
   * Refused: `Sec-Fetch-Site` other than `same-origin` or `none` (so `same-site`, a sibling subdomain,
   * too); without `Sec-Fetch-Site`, an `Origin` whose host differs from the `Host` header, or
   * `Origin: null`. Requests with neither header pass (non-browser clients, old browsers). Default
   * `true`.
   */
  sameOriginOnly?: boolean;
  /**
   * Draw a 2-digit code per start, append it to the push context (`" · code 42"`; the context is
   * shortened to fit 400 characters) and expose it as `correlationCode` in `req.launchkey`, the
   * pending record and the status JSON, so the waiting page can say "your phone shows code 42" and
   * the user can tell their own login from a stranger's (push fatigue). Default `true`.
   */
  correlationCode?: boolean;
  /**
   * Ms between API polls of a pending login (`mode` `'poll'` or `'both'`), made by one background
   * poller per login across all instances (a lease in the store); default 2 000.
   */
  pollInterval?: number;
  /** The clock, in ms since the epoch; default `Date.now`. Give your own to drive time in your tests. */
  now?: () => number;
}

/** Strategy options with `verify(result, done)`. */
export interface StrategyOptions extends StrategyOptionsBase {
  /** Pass the request as the first argument of `verify`; default `false`. */
  passReqToCallback?: false;
}

/** Strategy options with `verify(req, result, done)`. */
export interface StrategyOptionsWithRequest extends StrategyOptionsBase {
  passReqToCallback: true;
}

/** What an approved login hands to `verify`. */
export interface LaunchKeyResult {
  /** The username the push was sent to (trimmed as submitted). */
  username: string;
  /** LaunchKey's stable id of the user for this service: store it on your user. */
  serviceUserHash: string;
  /** LaunchKey's stable id of the user across the organization. */
  organizationUserHash: string;
  userPushId: string;
  authorizationRequestId: string;
  /** The device that approved. */
  deviceId: string;
  /** The policy the device reports it enforced. */
  policy: AuthorizationResponsePolicy | null;
  /** The authentication methods the device reports. */
  authMethods: AuthMethod[] | null;
  /** The full decoded answer. */
  response: AuthorizationResponse;
  /** The application state given when the login started. */
  state: unknown;
}

/** The user `verify` found, or `false`/`null`/`undefined` to refuse the login. */
export type VerifyUser = Express.User | false | null | undefined;

/** Passport's `done` callback. */
export type VerifyCallback = (err: unknown, user?: VerifyUser, info?: object) => void;

/** `verify(result, done)`, or `verify(result)` returning a promise of the user. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a callback-style verify returns nothing
export type VerifyFunction = (result: LaunchKeyResult, done: VerifyCallback) => void | Promise<VerifyUser>;

/** `verify(req, result, done)`, or `verify(req, result)` returning a promise of the user. */
export type VerifyFunctionWithRequest = (
  req: Request,
  result: LaunchKeyResult,
  done: VerifyCallback,
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a callback-style verify returns nothing
) => void | Promise<VerifyUser>;

/** A limiter that can carry the fraud cooldown. */
export type BlockingLimiter = Required<Pick<RateLimiter, 'block' | 'blockedFor'>>;

/** The validated configuration. */
export interface StrategyConfig {
  state: Resolvable<AppState> | undefined;
  name: string;
  client: LaunchKeyServiceClient;
  usernameField: string | false;
  getUsername: ((req: Request) => string | undefined | Promise<string | undefined>) | undefined;
  startMethod: string;
  sessionKey: string;
  store: PendingStore;
  mode: CompletionMode;
  pendingRedirect: string | undefined;
  launchkeySession: boolean;
  passReqToCallback: boolean;
  limits: StartLimits | undefined;
  fraudCooldown: { limiter: BlockingLimiter; ms: number } | undefined;
  revealUnknownUsers: boolean;
  revealInProgress: boolean;
  sameOriginOnly: boolean;
  correlationCode: boolean;
  allowLegacyAuthPackage: boolean;
  /** The application's; `undefined`: the framework's (`req.ip`, Fastify's `request.ip`, Koa's `ctx.ip`). */
  clientAddress: ((req: Request) => string | undefined) | undefined;
  onError: (err: unknown) => void;
  /** Emits audit events (to the `audit` listener, and as metrics). */
  audit: Auditor;
  messages: Partial<Record<FailureCode, string>>;
  pollInterval: number;
  now: () => number;
  requestOptions: LaunchKeyRequestOptions;
  /** The pushes being taken back in the background (cancel, a new start). */
  withdrawals: Withdrawals;
}

/** The names of {@link LaunchKeyRequestOptions}: the SDK's request options, each resolvable. */
export const REQUEST_OPTION_NAMES =
  AUTHORIZATION_REQUEST_OPTION_NAMES satisfies readonly (keyof LaunchKeyRequestOptions)[];

function fail(option: string, message: string, cause?: unknown): never {
  throw new ConfigurationError(`launchkey strategy option ${option} ${message}`, {
    option,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Reads an own property only (an options object with a polluted prototype changes nothing). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller states the type it expects
function own<T>(options: object, key: string): T | undefined {
  return Object.hasOwn(options, key) ? ((options as Record<string, unknown>)[key] as T) : undefined;
}

function fieldName(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[A-Za-z_$][\w$.-]{0,63}$/.test(value) || PROTOTYPE_KEYS.has(value)) {
    fail(option, 'must be a plain field name (letters, digits, _ $ . -; at most 64 characters)');
  }
  return value;
}

/**
 * Validates the static request options (functions are checked when they run, per request).
 */
export function checkRequestOptions(options: object, where: string): LaunchKeyRequestOptions {
  const out: Record<string, unknown> = {};
  const statics: Record<string, unknown> = {};
  for (const name of REQUEST_OPTION_NAMES) {
    const value = own(options, name);
    if (value === undefined) continue;
    out[name] = value;
    if (typeof value !== 'function') statics[name] = value;
  }
  try {
    validateAuthorizationRequest(statics);
  } catch (err) {
    if (err instanceof InvalidArgumentError) fail(`${where}${err.argument}`, `is invalid: ${err.message}`, err);
    throw err;
  }
  return out;
}

function makeClient(options: StrategyOptionsBase): LaunchKeyServiceClient {
  const client = own<LaunchKeyServiceClient>(options, 'serviceClient');
  if (client !== undefined) {
    for (const method of [
      'authorizationRequest',
      'getAdvancedAuthorizationResponse',
      'cancelAuthorizationRequest',
      'sessionStart',
      'sessionEnd',
      'handleAdvancedWebhook',
    ] as const) {
      if (typeof (client as Partial<LaunchKeyServiceClient> | null)?.[method] !== 'function') {
        fail('serviceClient', `must be a ServiceClient (it has no ${method} method)`);
      }
    }
    if (own(options, 'serviceId') !== undefined || own(options, 'privateKey') !== undefined) {
      fail('serviceClient', 'cannot be combined with serviceId or privateKey');
    }
    if (own(options, 'replayCache') !== undefined) {
      fail('replayCache', 'cannot be combined with serviceClient (give the cache to its factory)');
    }
    return client;
  }
  const serviceId = own<string>(options, 'serviceId');
  const privateKey = own<PrivateKeys>(options, 'privateKey');
  if (typeof serviceId !== 'string') fail('serviceId', 'is required (a service UUID) unless serviceClient is given');
  if (privateKey === undefined)
    fail('privateKey', 'is required (the service private key PEM) unless serviceClient is given');
  const transport = own<Omit<FactoryOptions, 'baseUrl'>>(options, 'transport') ?? {};
  if (typeof transport !== 'object') fail('transport', 'must be an object');
  const baseUrl = own<string>(options, 'baseUrl');
  if (baseUrl !== undefined && typeof baseUrl !== 'string') fail('baseUrl', 'must be a URL string');
  const replayCache = own<ReplayCache>(options, 'replayCache');
  if (replayCache !== undefined && typeof (replayCache as Partial<ReplayCache> | null)?.remember !== 'function') {
    fail('replayCache', 'must implement ReplayCache (it has no remember method)');
  }
  try {
    const factory = new ServiceFactory(serviceId, privateKey, {
      ...transport,
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(replayCache === undefined ? {} : { replayCache }),
    });
    return factory.makeServiceClient();
  } catch (err) {
    if (err instanceof InvalidArgumentError && err.argument === 'serviceId') fail('serviceId', 'must be a UUID', err);
    if (err instanceof ConfigurationError) fail(strategyOption(err.option), `is invalid: ${err.message}`, err);
    throw err;
  }
}

/** The strategy option a factory's ConfigurationError is about (its `option` names the factory's). */
function strategyOption(option: string | undefined): string {
  if (option === 'baseUrl') return 'baseUrl';
  if (option === 'privateKeys') return 'privateKey';
  return option === undefined ? 'transport' : `transport.${option}`;
}

/**
 * Validates strategy options.
 * @throws {ConfigurationError} naming the first bad option.
 */
export function resolveStrategyConfig(options: unknown, verify: unknown): StrategyConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail('options', 'must be an object: new Strategy(options, verify)');
  }
  if (typeof verify !== 'function') fail('verify', 'must be a function: new Strategy(options, verify)');
  const o = options as StrategyOptionsBase & { passReqToCallback?: boolean };

  const name = own<string>(o, 'name') ?? 'launchkey';
  if (typeof name !== 'string' || name.length === 0) fail('name', 'must be a non-empty string');

  const getUsername = own<StrategyConfig['getUsername']>(o, 'getUsername');
  if (getUsername !== undefined && typeof getUsername !== 'function') fail('getUsername', 'must be a function');

  const store = own<PendingStore>(o, 'store') ?? new MemoryStore(pick(o, 'now'));
  for (const method of PENDING_STORE_METHODS) {
    if (typeof (store as Partial<PendingStore> | null)?.[method] !== 'function') {
      fail('store', `must implement PendingStore (it has no ${method} method)`);
    }
  }

  const startMethod = own<string>(o, 'startMethod') ?? 'POST';
  if (typeof startMethod !== 'string' || !/^[A-Za-z]{1,16}$/.test(startMethod) || /^(GET|HEAD)$/i.test(startMethod)) {
    fail('startMethod', 'must be an HTTP method that is not GET or HEAD, such as POST');
  }
  const clientAddress = own<StrategyConfig['clientAddress']>(o, 'clientAddress');
  if (clientAddress !== undefined && typeof clientAddress !== 'function') {
    fail('clientAddress', 'must be a function of the request');
  }
  const onError = own<StrategyConfig['onError']>(o, 'onError');
  if (onError !== undefined && typeof onError !== 'function') fail('onError', 'must be a function');
  const audit = own<AuditListener>(o, 'audit');
  if (audit !== undefined && typeof audit !== 'function') fail('audit', 'must be a function of the event');
  const auditUsername = own<(username: string) => string | undefined>(o, 'auditUsername');
  if (auditUsername !== undefined && typeof auditUsername !== 'function') {
    fail('auditUsername', 'must be a function from a username to what events record');
  }
  const messages = checkMessages(own(o, 'messages'));

  const mode = own<unknown>(o, 'mode') ?? 'both';
  if (mode !== 'webhook' && mode !== 'poll' && mode !== 'both') fail('mode', "must be 'webhook', 'poll' or 'both'");

  const pendingRedirect = own<string>(o, 'pendingRedirect');
  if (pendingRedirect !== undefined && (typeof pendingRedirect !== 'string' || pendingRedirect.length === 0)) {
    fail('pendingRedirect', 'must be a non-empty URL string');
  }

  const launchkeySession = own<boolean>(o, 'launchkeySession') ?? true;
  if (typeof launchkeySession !== 'boolean') fail('launchkeySession', 'must be a boolean');
  const passReqToCallback = own<boolean>(o, 'passReqToCallback') ?? false;
  if (typeof passReqToCallback !== 'boolean') fail('passReqToCallback', 'must be a boolean');

  const pollInterval = own<number>(o, 'pollInterval') ?? 2000;
  if (!Number.isSafeInteger(pollInterval) || pollInterval < 100 || pollInterval > 60_000) {
    fail('pollInterval', 'must be a whole number of milliseconds from 100 to 60 000');
  }
  const now = own<() => number>(o, 'now') ?? Date.now;
  if (typeof now !== 'function') fail('now', 'must be a function returning milliseconds');

  const rateLimit = own<RateLimitOptions | false>(o, 'rateLimit') ?? {};
  let limits: StrategyConfig['limits'];
  if (rateLimit !== false) {
    if (typeof rateLimit !== 'object') fail('rateLimit', 'must be false or an object');
    const limiter = own<RateLimiter>(rateLimit, 'limiter') ?? new MemoryRateLimiter({ now });
    if (typeof (limiter as Partial<RateLimiter>).hit !== 'function')
      fail('rateLimit.limiter', 'must have a hit method');
    limits = {
      limiter,
      perUsername: checkRule(own(rateLimit, 'perUsername') ?? DEFAULT_RATE_LIMITS.perUsername, 'rateLimit.perUsername'),
      perUsernameTotal: checkRule(
        own(rateLimit, 'perUsernameTotal') ?? DEFAULT_RATE_LIMITS.perUsernameTotal,
        'rateLimit.perUsernameTotal',
      ),
      perIp: checkRule(own(rateLimit, 'perIp') ?? DEFAULT_RATE_LIMITS.perIp, 'rateLimit.perIp'),
    };
  }

  const flag = (option: string, fallback: boolean): boolean => {
    const value = own<boolean>(o, option) ?? fallback;
    if (typeof value !== 'boolean') fail(option, 'must be a boolean');
    return value;
  };
  const revealUnknownUsers = flag('revealUnknownUsers', false);
  const revealInProgress = flag('revealInProgress', false);
  const sameOriginOnly = flag('sameOriginOnly', true);
  const correlationCode = flag('correlationCode', true);
  const allowLegacyAuthPackage = flag('allowLegacyAuthPackage', false);

  const cooldownSeconds = own<number>(o, 'fraudCooldown') ?? 900;
  if (!Number.isSafeInteger(cooldownSeconds) || cooldownSeconds < 0 || cooldownSeconds > 30 * 86_400) {
    fail('fraudCooldown', 'must be a whole number of seconds from 0 (off) to 2 592 000 (30 days)');
  }
  let fraudCooldown: StrategyConfig['fraudCooldown'];
  if (cooldownSeconds > 0) {
    const limiter = (limits?.limiter ?? new MemoryRateLimiter({ now })) as Partial<BlockingLimiter>;
    if (typeof limiter.block !== 'function' || typeof limiter.blockedFor !== 'function') {
      fail(
        'rateLimit.limiter',
        'must implement block() and blockedFor() to carry fraudCooldown (or set fraudCooldown: 0)',
      );
    }
    fraudCooldown = { limiter: limiter as BlockingLimiter, ms: cooldownSeconds * 1000 };
  }

  const client = makeClient(o);
  return {
    name,
    client,
    usernameField:
      own(o, 'usernameField') === false ? false : fieldName(own(o, 'usernameField'), 'usernameField', 'username'),
    getUsername,
    startMethod: startMethod.toUpperCase(),
    sessionKey: fieldName(own(o, 'sessionKey'), 'sessionKey', 'launchkey'),
    store,
    mode,
    pendingRedirect,
    launchkeySession,
    passReqToCallback,
    limits,
    fraudCooldown,
    revealUnknownUsers,
    revealInProgress,
    sameOriginOnly,
    correlationCode,
    allowLegacyAuthPackage,
    clientAddress,
    onError: contained(onError),
    audit: new Auditor({ listener: audit, username: auditUsername, onError: contained(onError), now }),
    messages,
    pollInterval,
    now,
    requestOptions: checkRequestOptions(o, ''),
    state: own(o, 'state'),
    withdrawals: new Withdrawals(client, contained(onError)),
  };
}

/** The `messages` option: a message of the application's for some failure codes. */
function checkMessages(value: unknown): Partial<Record<FailureCode, string>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('messages', 'must be an object from failure codes to messages');
  }
  const out: Partial<Record<FailureCode, string>> = {};
  for (const [code, message] of Object.entries(value)) {
    if (!Object.hasOwn(FAILURE_STATUS, code)) fail(`messages.${code}`, 'is not a failure code');
    if (typeof message !== 'string' || message.length === 0 || message.length > 500) {
      fail(`messages.${code}`, 'must be a message of 1 to 500 characters');
    }
    out[code as FailureCode] = message;
  }
  return out;
}

/** `onError`, called so that a throwing reporter can never break what reported to it. */
function contained(onError: ((err: unknown) => void) | undefined): (err: unknown) => void {
  return (err) => {
    try {
      onError?.(err);
    } catch {
      // The reporter's own failure has nowhere to go.
    }
  };
}

function pick(o: StrategyOptionsBase, key: 'now'): { now?: () => number } {
  const value = own<() => number>(o, key);
  return typeof value === 'function' ? { now: value } : {};
}
