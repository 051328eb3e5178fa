/**
 * `Strategy`: the Passport strategy for LaunchKey push login (docs/architecture.md). `authenticate`
 * only dispatches between the two phases: **start** (a request by the start method carrying a
 * username, or with `getUsername`: a push is sent and a pending login bound to the session, see
 * start.ts) and **complete** (any other request: the session's login is read from the store and
 * consumed at most once, see complete.ts). The helpers (status, webhook, logout, guard, cancel) are
 * framework-neutral handlers (http.ts) over the same configuration, store and background poller:
 * Express middleware here, and the routes of lib/frameworks/ for Fastify, Koa and NestJS.
 */
import { randomUUID } from 'node:crypto';

import type { Request, RequestHandler } from 'express';
import { Strategy as PassportStrategy } from 'passport-strategy';

import { ConfigurationError, EntityNotFoundError, RequestTimedOutError } from '../errors.js';
import { toGuardMiddleware, toMiddleware } from './adapters/express.js';
import type { FastifyRequestLike } from './adapters/fastify.js';
import { requestOf } from './adapters/index.js';
import type { KoaContextLike } from './adapters/koa.js';
import { auditDecision, auditFault, type LoginFacts } from './audit_login.js';
import { completeLogin } from './complete.js';
import { failure, type LaunchKeyFailureInfo } from './failures.js';
import { statusView, type LoginStatus } from './login_status.js';
import type { HttpRequest } from './http.js';
import { readLogin } from './login_ref.js';
import { cancelLogin } from './cancel.js';
import { auditLogout, endLaunchKeySession, logoutHandler, logoutRequest, type LogoutHandlerOptions } from './logout.js';
import { hookLogOut } from './bridge_login.js';
import {
  resolveStrategyConfig,
  type AuthenticateOptions,
  type LaunchKeyResult,
  type StrategyConfig,
  type StrategyOptions,
  type StrategyOptionsWithRequest,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
  type VerifyUser,
} from './options.js';
import { fail, type Outcome } from './outcome.js';
import { Poller } from './poller.js';
import { isCrossSite } from './same_origin.js';
import { readData, type LaunchKeySessionData } from './session.js';
import { asError, isPromiseLike } from './callback_values.js';
import { guardRedirect, guardSession, type SessionGuardOptions } from './session_guard.js';
import { startLogin } from './start.js';
import { statusHandler, type CoreHandler, type StatusHandlerOptions } from './status_handler.js';
import { acceptUsername, looksLikePushId, MAX_USERNAME_LENGTH } from './username.js';
import { webhookHandler, type WebhookHandlerOptions } from './webhook_handler.js';

export { MAX_USERNAME_LENGTH };
export type { LaunchKeyPending } from './outcome.js';
export type { LaunchKeySuccessInfo } from './complete.js';

/**
 * A request as the strategy's methods (`status`, `cancel`, `logout`) take it: Express's, Fastify's,
 * or a Koa context.
 */
export type FrameworkRequest = Request | FastifyRequestLike | KoaContextLike;
/** The parts of Fastify's request and of a Koa context the strategy reads (structural: no framework is imported). */
export type { FastifyRequestLike, KoaContextLike };

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
  private readonly _poller: Poller;

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
    this._poller = new Poller(this._config);
  }

  /**
   * [Strategy method] Called by passport (or koa-passport, @fastify/passport, @nestjs/passport, each
   * with its own request); dispatches between start and complete.
   */
  override authenticate(req: Request, options?: AuthenticateOptions): void {
    let http: HttpRequest;
    try {
      http = requestOf(req);
    } catch (err) {
      this.error(asError(err));
      return;
    }
    const facts: LoginFacts = { phase: 'complete' };
    this._decide(http, options ?? {}, facts).then(
      (outcome) => {
        // Decided: the event is counted now and reaches the application's listener on a later turn.
        auditDecision(this._config, http, outcome, facts);
        if (outcome.kind === 'fail') {
          const info = this._worded(outcome.info as LaunchKeyFailureInfo);
          // Kept on the request: passport's failWithError turns a failure into an error without it.
          http.setLaunchKey({ status: 'failed', ...info });
          this._deliver({ ...outcome, info });
          return;
        }
        this._deliver(outcome);
      },
      (err: unknown) => {
        auditFault(this._config, http, err, facts);
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
    return toMiddleware(statusHandler(this._config, this._poller, options));
  }

  /**
   * Middleware for the service's webhook URL; mount it after `express.raw({ type: '*\/*' })` (or no
   * body parser). Verifies, then fills the store (authorization responses) or records a revocation
   * (session ends).
   */
  webhookHandler(options: WebhookHandlerOptions = {}): RequestHandler {
    return toMiddleware(webhookHandler(this._config, options));
  }

  /**
   * Ends the LaunchKey session of the logged-in user (when they logged in with LaunchKey), then
   * logs out locally with `req.logout()`. The local logout always happens; a LaunchKey failure
   * rejects afterwards. Takes Express's request, Fastify's, or a Koa context.
   */
  logout(req: FrameworkRequest): Promise<void> {
    return Promise.resolve().then(() => logoutRequest(this._config, requestOf(req)));
  }

  /**
   * Middleware: {@link logout}, then redirect (303) to `redirect` or answer 204; a LaunchKey failure goes
   * to `next(err)`. Under `sameOriginOnly`, a request the browser marks cross-site is answered 403 with
   * the refusal (code `'cross-site'`), as a start is, and nobody is logged out.
   */
  logoutHandler(options: LogoutHandlerOptions = {}): RequestHandler {
    return toMiddleware(logoutHandler(this._config, options));
  }

  /**
   * For an application whose own logout route calls `req.logout()`: mount once, after
   * `passport.initialize()` and the session (`app.use(launchkey.endSessionOnLogout())`), and that
   * call ends the LaunchKey session of a LaunchKey login first (the phone shows it ended), then logs
   * out as before. A LaunchKey failure goes to `onError`; the user is logged out here anyway.
   * (Express; `logoutHandler()` does the same as a whole route, on every framework.)
   */
  endSessionOnLogout(): RequestHandler {
    const config = this._config;
    return (req, _res, next) => {
      try {
        // The session is read when the route logs out, not here: not every request has one.
        let login: LaunchKeySessionData['login'];
        hookLogOut(
          req,
          async () => {
            const request = requestOf(req);
            login = readData(request.session(), config.sessionKey).login;
            await endLaunchKeySession(config, request);
          },
          config.onError,
          // Audited once the application's logout has ended, with its error if it failed.
          (err) => {
            if (login !== undefined) auditLogout(config, requestOf(req), 'logout.local', login, err);
          },
        );
        next();
      } catch (err) {
        next(err);
      }
    };
  }

  /** Middleware logging out sessions whose LaunchKey session was ended from the phone. */
  sessionGuard(options: SessionGuardOptions = {}): RequestHandler {
    return toGuardMiddleware((req) => guardSession(this._config, req), guardRedirect(options));
  }

  /**
   * Where the session's login stands, as `statusHandler()` answers it at once: `{ status, code?,
   * correlationCode? }` (`'none'` without a login). For a waiting page rendered on the server, e.g.
   * to show "your phone shows code 42". Reads the store only; never calls the API. Takes Express's
   * request, Fastify's, or a Koa context.
   */
  async status(req: FrameworkRequest): Promise<LoginStatus> {
    const ref = readData(requestOf(req).session(), this._config.sessionKey).pending;
    return statusView(await readLogin(this._config, ref), this._config.now());
  }

  /**
   * Cancels the session's pending login: it ends in the store at once (nobody can complete it after
   * this resolved `true`) and the push is taken back at LaunchKey in the background (a failure there
   * goes to `onError`). Resolves `false` when there was none, and, under `sameOriginOnly`, for a
   * request the browser marks cross-site, which cancels nothing and finds the refusal (code
   * `'cross-site'`) in `req.launchkey` (Koa: `ctx.state.launchkey`). Takes Express's request,
   * Fastify's, or a Koa context.
   */
  cancel(req: FrameworkRequest): Promise<boolean> {
    return Promise.resolve().then(() => cancelLogin(this._config, requestOf(req)));
  }

  /**
   * Checks the configuration against the API once, for a start-up check (`await launchkey.check()`):
   * the API answers at `baseUrl`, its clock is within the accepted offset, and it accepts the
   * service's credentials (a signed read that changes nothing). Rejects with the typed error of the
   * first thing that fails; a refused id or key is an `UnauthorizedError` whose message names the
   * entity and the key id to compare with the service's keys.
   */
  async check(): Promise<void> {
    try {
      // An id nobody issued: whatever the answer to it, the API verified our token to give it.
      await this._config.client.getAdvancedAuthorizationResponse(randomUUID());
    } catch (err) {
      if (err instanceof EntityNotFoundError || err instanceof RequestTimedOutError) return;
      throw err;
    }
  }

  /**
   * Stops this instance's background pollers (their logins are taken over by the other instances
   * once the leases run out), waits for the pushes it is still taking back at LaunchKey (after a
   * cancel or a new start), and stops the store's own background work. Call it at shutdown.
   */
  async close(): Promise<void> {
    this._poller.close();
    // The pushes a cancel or a new start is still taking back: finished, not dropped.
    await this._config.withdrawals.settled();
    await this._config.store.close?.();
  }

  /** @internal See {@link coreOf}. */
  _core(): StrategyCore {
    const config = this._config;
    return {
      statusHandler: (options) => statusHandler(config, this._poller, options),
      webhookHandler: (options) => webhookHandler(config, options),
      logoutHandler: (options) => logoutHandler(config, options),
      guard: (req) => guardSession(config, req),
      withdrawn: () => config.withdrawals.settled(),
    };
  }

  /** `info` with the application's own message for its code (`messages` option), if it has one. */
  private _worded(info: LaunchKeyFailureInfo): LaunchKeyFailureInfo {
    const message = Object.hasOwn(this._config.messages, info.code) ? this._config.messages[info.code] : undefined;
    return message === undefined ? info : { ...info, message };
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

  private async _decide(req: HttpRequest, options: AuthenticateOptions, facts: LoginFacts): Promise<Outcome> {
    const isStart = req.method === this._config.startMethod;
    const phase = options.phase ?? (isStart ? 'start' : 'complete');
    facts.phase = phase;
    const session = req.session();
    const context = { config: this._config, poller: this._poller, facts };
    if (phase === 'complete') {
      return completeLogin({ ...context, runVerify: (r, result) => this._runVerify(r, result) }, req, options, session);
    }
    // Only the start route's method sends a push: a link or an image (a GET) never does.
    if (!isStart) {
      throw new ConfigurationError(
        `passport-launchkey starts logins on ${this._config.startMethod} requests only (startMethod), not ${req.method}`,
        { option: 'startMethod' },
      );
    }
    // Login CSRF (docs/security.md, T9): refused before the username is used, the session touched or a push sent.
    if (this._config.sameOriginOnly && isCrossSite(req)) {
      // Only for the audit event: whose account a forged login form named says who set it up.
      const field = this._config.usernameField === false ? undefined : readField(req, this._config.usernameField);
      const named = field === undefined ? undefined : acceptUsername(field.value);
      if (named !== undefined) facts.username = named;
      return fail(failure('cross-site'));
    }
    // Step-up: when the application says who is asking, nothing in the request can choose the user.
    const asking =
      this._config.getUsername === undefined ? undefined : await this._config.getUsername(req.native as Request);
    let username: unknown = asking;
    if (asking === undefined) {
      const field = this._config.usernameField === false ? undefined : readField(req, this._config.usernameField);
      if (field?.present !== true) return fail(failure('missing-username'));
      username = field.value;
    }
    const valid = acceptUsername(username);
    // A refused username is not recorded: it may hold anything, up to a whole body.
    if (valid === undefined) return fail(failure('invalid-username'));
    // A push id is another spelling of a user, with limits of its own (docs/security.md, T9).
    if (asking === undefined && looksLikePushId(valid)) return fail(failure('invalid-username'));
    facts.username = valid;
    facts.stepUp = asking !== undefined;
    return startLogin(context, req, options, session, valid, asking !== undefined);
  }

  private _runVerify(req: HttpRequest, result: LaunchKeyResult): Promise<{ user: VerifyUser; info: object }> {
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
          ? (this._verify as VerifyFunctionWithRequest)(req.native as Request, result, done)
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

/** The username field from the body, else the query; own properties only (docs/security.md, T14). */
function readField(req: HttpRequest, field: string): { present: true; value: unknown } | undefined {
  for (const source of [req.body, req.query]) {
    if (source !== null && typeof source === 'object' && Object.hasOwn(source, field)) {
      return { present: true, value: (source as Record<string, unknown>)[field] };
    }
  }
  return undefined;
}

/**
 * What the framework faces (`passport-launchkey/fastify`, `/koa`) build their handlers
 * from: the strategy's neutral handlers.
 */
export interface StrategyCore {
  statusHandler(options: StatusHandlerOptions): CoreHandler;
  webhookHandler<Req>(options: WebhookHandlerOptions<Req>): CoreHandler;
  logoutHandler(options: LogoutHandlerOptions): CoreHandler;
  guard(req: HttpRequest): Promise<boolean>;
  /** Resolves once the pushes being taken back in the background (cancel, a new start) are. */
  withdrawn(): Promise<void>;
}

/** The neutral handlers of `strategy`. */
export function coreOf(strategy: Strategy): StrategyCore {
  return strategy._core();
}
