/**
 * The passport specs' world: one emulator per spec file, and a loopback HTTP server whose Express 5
 * (or, with `framework: 'express4'`, Express 4) app (express-session + passport 0.7 + the strategy)
 * can be swapped per test. The emulator's hook service posts its webhooks to that server; the poll
 * service has no callback URL.
 *
 * Keys come from spec/vectors, so no spec generates RSA keys.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

import axios, { AxiosError } from 'axios';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';

import { startEmulator, type Emulator, type EmulatorConfig, type EmulatorOptions } from '../../lib/emulator/index.js';
import {
  MemoryStore,
  Strategy,
  type AuthenticateOptions,
  type LaunchKeyResult,
  type PendingStore,
  type StatusHandlerOptions,
  type StrategyOptions,
  type VerifyFunction,
  type WebhookHandlerOptions,
} from '../../lib/passport/index.js';
import { coreOf } from '../../lib/passport/strategy.js';
import { IDS, KEYS, publicPem } from './test_keys.js';

export { IDS, KEYS };

/**
 * Express 4.22 (installed as the npm alias `express4`, which has no types of its own). Its API is
 * the part of Express 5's that the specs use, so it is typed as Express 5.
 */
export const express4 = createRequire(import.meta.url)('express4') as typeof express;

/** The Express major an app is built on. */
export type Framework = 'express5' | 'express4';

/** Every framework the strategy's suites run on. */
export const FRAMEWORKS: readonly Framework[] = ['express5', 'express4'];

const FULL = { name: 'phone', factors: ['possession', 'knowledge', 'inherence'] as const };

/** Users with a capable phone: one per test, so a pending request of one test never blocks another. */
export const USERS = Array.from({ length: 40 }, (_, i) => `user${i}`);

/** A world user whose name has a precomposed accent (NFC). */
export const ACCENTED = 'jos\u00e9';

/** Hands out the world's users one at a time, so no two specs share a user's pending state. */
export function userPool(): () => string {
  let next = 0;
  return () => {
    const user = USERS[next++];
    if (user === undefined) throw new Error('out of spec users');
    return user;
  };
}

function config(callbackUrl: string): EmulatorConfig {
  return {
    organizations: [{ id: IDS.org, name: 'Org', publicKeys: [{ pem: publicPem(KEYS.org) }] }],
    directories: [
      {
        id: IDS.dir,
        organizationId: IDS.org,
        name: 'Dir',
        publicKeys: [{ pem: publicPem(KEYS.org) }],
        denialContextInquiryEnabled: true,
      },
    ],
    services: [
      { id: IDS.hook, directoryId: IDS.dir, name: 'Hook', publicKeys: [{ pem: publicPem(KEYS.svc) }], callbackUrl },
      { id: IDS.poll, directoryId: IDS.dir, name: 'Poll', publicKeys: [{ pem: publicPem(KEYS.svc) }] },
    ],
    users: [
      ...USERS.map((identifier) => ({
        directoryId: IDS.dir,
        identifier,
        devices: [{ ...FULL, factors: [...FULL.factors] }],
      })),
      // A name with an accent (NFC): what a decomposed spelling must become before it is sent.
      { directoryId: IDS.dir, identifier: ACCENTED, devices: [{ ...FULL, factors: [...FULL.factors] }] },
      // Can satisfy no policy that asks for integrity or more than one factor.
      {
        directoryId: IDS.dir,
        identifier: 'rooted',
        devices: [{ name: 'old phone', factors: ['possession' as const], jailbroken: true }],
      },
    ],
  };
}

/** What answers the world's requests: an Express app, Fastify's or Koa's request listener. */
export type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The emulator and the app server of one spec file. */
export interface World {
  emu: Emulator;
  server: Server;
  url: string;
  /** Makes `app` the one answering on `url` (and receiving the hook service's webhooks): an Express app, or any request listener. */
  use(app: Listener): void;
  close(): Promise<void>;
}

/** Options of a world. */
export interface WorldOptions {
  /** The emulator's limit on authorization requests (default: the emulator's). */
  rateLimit?: EmulatorOptions['rateLimit'];
  /** The path of the hook service's callback URL on the app server (default `/webhooks/launchkey`). */
  webhookPath?: string;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  let current: Listener | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (current === undefined) {
      res.statusCode = 503;
      res.end();
      return;
    }
    current(req, res);
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emu = await startEmulator({
    config: config(`${url}${options.webhookPath ?? '/webhooks/launchkey'}`),
    apiPrivateKey: KEYS.api,
    webhooks: { attempts: 1 },
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
  });
  return {
    emu,
    server,
    url,
    use(app) {
      current = app;
    },
    async close() {
      await emu.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/**
 * The world of the enclosing `describe`: registers `before` (start) and `after` (close) hooks and
 * returns a stand-in that reaches the started world, so specs can write `world.emu` and
 * `buildApp(world)` as with the world itself.
 */
export function useWorld(options: WorldOptions = {}): World {
  let current: World | undefined;
  // A test's strategies stop polling when it ends, so no poller outlives the login it was for.
  afterEach(closeStrategies);
  const started = (): World => {
    if (current === undefined) throw new Error('the world is started in a before hook: use it inside hooks and tests');
    return current;
  };
  before(async () => {
    current = await startWorld(options);
  });
  after(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get emu() {
      return started().emu;
    },
    get server() {
      return started().server;
    },
    get url() {
      return started().url;
    },
    use(app) {
      started().use(app);
    },
    close: () => started().close(),
  };
}

/** A webhook request as received. */
export interface CapturedWebhook {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Options of one test app. */
export interface AppOptions {
  /** The Express major to build the app on; default express5. */
  framework?: Framework;
  service?: 'hook' | 'poll';
  strategy?: Partial<StrategyOptions>;
  verify?: VerifyFunction;
  /** Per-call options of the login routes. */
  authenticate?: AuthenticateOptions;
  /** Mount express-session (default true). */
  session?: boolean;
  /** Middleware run right after express-session (or in its place when `session` is false). */
  afterSession?: RequestHandler;
  /**
   * The body parser in front of /webhooks/launchkey: express.raw({ type: '*\/*' }) (default),
   * express.json() (application/json only, as an app-wide JSON parser would), or none at all.
   */
  webhookBody?: 'raw' | 'json' | 'none';
  /** More webhookHandler options; its hooks run after the app's own recording hooks. */
  webhook?: WebhookHandlerOptions;
  /**
   * API calls that fail with a network error (ECONNREFUSED) before reaching the emulator, as long
   * as this returns true for `METHOD /path` (the call is still recorded in `apiCalls`).
   */
  failApi?: (call: string) => boolean;
  /**
   * API calls whose answer is lost after the emulator carried them out, as a timeout
   * (ECONNABORTED), as long as this returns true for `METHOD /path`.
   */
  loseAnswer?: (call: string) => boolean;
  store?: PendingStore;
  /** Factory transport options (e.g. `cacheTtl: 0` when the emulator clock moves). */
  transport?: NonNullable<StrategyOptions['transport']>;
  /** Options of the app's statusHandler. */
  statusHandler?: StatusHandlerOptions;
  /** express-session's store; give several apps one to make them instances of one app. */
  sessionStore?: session.Store;
}

/** A built app and what it observed. */
export interface TestApp {
  app: Express;
  strategy: Strategy;
  store: PendingStore;
  /** Results handed to verify. */
  verified: LaunchKeyResult[];
  /** API calls made by the strategy, as `METHOD /path`. */
  apiCalls: string[];
  /** Webhook events seen by the hooks. */
  hookEvents: string[];
  /** Webhook requests received on /webhooks/launchkey, raw. */
  webhooks: CapturedWebhook[];
  /** A browser: a supertest agent keeping cookies. */
  browser(): ReturnType<typeof request.agent>;
}

/** The strategies built since the last {@link closeStrategies}. */
const built: Strategy[] = [];

/** Stops the background work (pollers) of every strategy built so far. */
export async function closeStrategies(): Promise<void> {
  for (const strategy of built.splice(0)) await strategy.close();
}

/** A strategy of the world, with what it observed: the part of an app that is the same on every framework. */
export interface SpecStrategy {
  strategy: Strategy;
  store: PendingStore;
  verified: LaunchKeyResult[];
  apiCalls: string[];
}

/** The options of {@link specStrategy}: an app's, less what only an app has. */
export type StrategySetup = Pick<
  AppOptions,
  'service' | 'strategy' | 'verify' | 'failApi' | 'loseAnswer' | 'store' | 'transport'
>;

/** Builds a strategy on the world's emulator, recording its API calls and verified results; closed after each test. */
export function specStrategy(world: World, options: StrategySetup = {}): SpecStrategy {
  const apiCalls: string[] = [];
  const instance = axios.create();
  instance.interceptors.request.use((cfg) => {
    const call = `${(cfg.method ?? 'get').toUpperCase()} ${new URL(cfg.url ?? '/').pathname}`;
    apiCalls.push(call);
    if (options.failApi?.(call) === true) {
      throw new AxiosError(`connect ECONNREFUSED (spec: ${call})`, 'ECONNREFUSED', cfg);
    }
    return cfg;
  });
  instance.interceptors.response.use((res) => {
    const call = `${(res.config.method ?? 'get').toUpperCase()} ${new URL(res.config.url ?? '/').pathname}`;
    if (options.loseAnswer?.(call) === true) {
      throw new AxiosError(`timeout of 10000ms exceeded (spec: ${call})`, 'ECONNABORTED', res.config);
    }
    return res;
  });
  const verified: LaunchKeyResult[] = [];
  const store = options.store ?? new MemoryStore();
  const verify: VerifyFunction =
    options.verify ??
    ((result) => {
      verified.push(result);
      return Promise.resolve({ username: result.username, serviceUserHash: result.serviceUserHash });
    });
  const strategy = new Strategy(
    {
      serviceId: options.service === 'poll' ? IDS.poll : IDS.hook,
      privateKey: KEYS.svc,
      baseUrl: world.emu.url,
      transport: { axios: instance, ...options.transport },
      store,
      ...options.strategy,
    },
    verify,
  );
  built.push(strategy);
  return { strategy, store, verified, apiCalls };
}

export function buildApp(world: World, options: AppOptions = {}): TestApp {
  const { strategy, store, verified, apiCalls } = specStrategy(world, options);
  const hookEvents: string[] = [];
  const webhooks: CapturedWebhook[] = [];
  const authenticator = new passport.Passport();
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => {
    done(null, JSON.stringify(user));
  });
  authenticator.deserializeUser((id: string, done) => {
    done(null, JSON.parse(id) as Express.User);
  });

  const lib = options.framework === 'express4' ? express4 : express;
  const extra = options.webhook ?? {};
  const app = lib();
  const capture: RequestHandler = (req, _res, next) => {
    // Only a raw parser leaves a Buffer; without one the handler reads the stream itself.
    if (Buffer.isBuffer(req.body)) webhooks.push({ headers: { ...req.headers }, body: Buffer.from(req.body) });
    next();
  };
  app.post(
    '/webhooks/launchkey',
    ...{ raw: [lib.raw({ type: '*/*' })], json: [lib.json()], none: [] }[options.webhookBody ?? 'raw'],
    capture,
    strategy.webhookHandler({
      ...extra,
      onAuthorizationResponse: async (event, req) => {
        hookEvents.push(`auth:${event.response.authorizationRequestId}`);
        await extra.onAuthorizationResponse?.(event, req);
      },
      onSessionEnd: async (event, req) => {
        hookEvents.push(`end:${event.serviceUserHash}`);
        await extra.onSessionEnd?.(event, req);
      },
    }),
  );
  app.post('/webhooks/parsed', lib.json({ type: '*/*' }), strategy.webhookHandler(extra));
  if (options.session !== false) {
    app.use(
      session({
        secret: 'spec secret',
        resave: false,
        saveUninitialized: false,
        name: 'sid',
        ...(options.sessionStore === undefined ? {} : { store: options.sessionStore }),
      }),
    );
  }
  if (options.afterSession !== undefined) app.use(options.afterSession);
  app.use(lib.urlencoded({ extended: false }));
  app.use(lib.json());
  app.use(authenticator.initialize());
  if (options.session !== false) {
    app.use(authenticator.session());
    app.use(strategy.sessionGuard());
  }

  const name = strategy.name;
  // A custom callback shows every outcome as JSON; `pass()` (pending) falls through to the 202.
  const login: RequestHandler = (req, res, next) => {
    const handler = authenticator.authenticate(
      name,
      options.authenticate ?? {},
      (err: unknown, user: Express.User | false, info: unknown, status: unknown) => {
        if (err !== null && err !== undefined) {
          next(err);
          return;
        }
        if (user === false) {
          res.status(typeof status === 'number' ? status : 401).json({ ok: false, info });
          return;
        }
        req.logIn(user, (e: unknown) => {
          if (e !== undefined && e !== null) next(e);
          else res.json({ ok: true, user, info });
        });
      },
    ) as RequestHandler;
    handler(req, res, next);
  };
  const pending: RequestHandler = (req, res) => {
    res.status(202).json({ pending: (req as { launchkey?: unknown }).launchkey });
  };
  app.post('/login', login, pending);
  app.get('/login/complete', login, pending);
  // Passport's own success path (req.logIn inside passport), as most apps use it.
  const standard = authenticator.authenticate(name, {
    successRedirect: '/me',
    failureRedirect: '/login/failed',
    ...options.authenticate,
  }) as RequestHandler;
  app.post('/login/std', standard, pending);
  app.get('/login/std/complete', standard, pending);
  app.get('/login/status', strategy.statusHandler(options.statusHandler));
  app.post('/login/cancel', (req, res, next) => {
    strategy.cancel(req).then((canceled) => res.json({ canceled }), next);
  });
  app.post('/logout', strategy.logoutHandler());
  app.get('/me', (req, res) => {
    const s = req.session as (typeof req.session & { launchkey?: unknown }) | undefined;
    res.json({ user: req.user ?? null, sessionID: req.sessionID, launchkey: s?.launchkey ?? null });
  });
  // Four parameters: Express recognises error handlers by their arity.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const onError: ErrorRequestHandler = (err: { name?: string; code?: string; message?: string }, _req, res, _next) => {
    res.status(500).json({ error: err.name, code: err.code, message: err.message });
  };
  app.use(onError);
  world.use(app);
  return {
    app,
    strategy,
    store,
    verified,
    apiCalls,
    hookEvents,
    webhooks,
    browser: () => request.agent(world.server),
  };
}

/** The id of the user's pending request at the emulator (throws when there is none). */
export function pendingId(world: World, username: string): string {
  const found = world.emu.auths({ status: 'pending', username });
  if (found.length !== 1 || found[0] === undefined)
    throw new Error(`expected one pending auth for ${username}, got ${found.length}`);
  return found[0].id;
}

/**
 * Resolves once the pushes `strategy` takes back at LaunchKey in the background (after a cancel or a
 * new start from the same session) are withdrawn: the browser's answer never waits for them.
 */
export function withdrawn(strategy: Strategy): Promise<void> {
  return coreOf(strategy).withdrawn();
}

/** Counts `GET /service/v3/auths/{id}` polls among the recorded API calls. */
export function polls(apiCalls: readonly string[]): number {
  return apiCalls.filter((c) => /^GET \/service\/v3\/auths\/[0-9a-f-]{36}$/.test(c)).length;
}

/** A supertest agent, as `TestApp.browser()` gives it. */
export type Browser = ReturnType<TestApp['browser']>;

/** Logs `username` in through /login, an approval on the phone and /login/complete; returns the browser. */
export async function loggedIn(world: World, t: TestApp, username: string): Promise<Browser> {
  const browser = t.browser();
  await browser.post('/login').type('form').send({ username }).expect(202);
  await world.emu.respond(pendingId(world, username), 'approve');
  await world.emu.webhooksSettled();
  await browser.get('/login/complete').expect(200);
  return browser;
}

/** The services the user has a LaunchKey session with, at the emulator. */
export function sessionsOf(world: World, username: string): string[] | undefined {
  return world.emu
    .state()
    .users.find((u) => u.identifier === username)
    ?.sessions.map((s) => s.serviceId);
}

/** A MemoryStore that says when a status request starts waiting on a login, and how many listen. */
export class WatchedStore extends MemoryStore {
  private _waiters: (() => void)[] = [];
  private _listening = 0;

  /** Subscriptions not yet stopped. */
  listeners(): number {
    return this._listening;
  }

  /** Resolves once someone subscribes. */
  subscribed(): Promise<void> {
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  override subscribe(id: string, listener: () => void): () => void {
    const stop = super.subscribe(id, listener);
    this._listening += 1;
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) w();
    let stopped = false;
    return () => {
      if (!stopped) this._listening -= 1;
      stopped = true;
      stop();
    };
  }
}

/**
 * Reads /login/status as Server-Sent Events until the server closes the stream; resolves to the
 * response headers and the data of each `event: status` block, parsed. The request is sent at once.
 */
export async function statusEvents(
  browser: Browser,
): Promise<{ headers: Record<string, string | undefined>; events: unknown[] }> {
  const res = await browser
    .get('/login/status')
    .set('Accept', 'text/event-stream')
    .buffer(true)
    .parse((stream, callback) => {
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (text += chunk));
      stream.on('end', () => {
        callback(null, text);
      });
    });
  const events = (res.body as string)
    .split('\n\n')
    .filter((block) => block.startsWith('event: status'))
    .map((block) => JSON.parse(block.split('data: ')[1] ?? 'null') as unknown);
  return { headers: res.headers, events };
}

/**
 * Posts a captured webhook's body to /webhooks/launchkey again with the headers it came with (all
 * but host, content-length and connection), as a replaying sender would.
 */
export function replayWebhook(
  browser: Browser,
  hook: Pick<CapturedWebhook, 'body'> & { headers: Record<string, string | string[] | undefined> },
): ReturnType<Browser['post']> {
  let r = browser.post('/webhooks/launchkey');
  for (const [name, value] of Object.entries(hook.headers)) {
    if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) {
      r = r.set(name, value);
    }
  }
  return r.send(hook.body);
}

/**
 * A status JSON (or SSE event) without its correlation code and expiry, after checking that the code
 * is there (two digits: `correlationCode` is on by default) exactly when there is a login to show it
 * for, and that a pending login says when it expires.
 */
export function view(body: unknown): Record<string, unknown> {
  const { correlationCode, expiresAt, ...rest } = body as Record<string, unknown>;
  if (rest['status'] === 'none') {
    if (correlationCode !== undefined) throw new Error('a none status carries a correlation code');
  } else if (typeof correlationCode !== 'string' || !/^\d{2}$/.test(correlationCode)) {
    throw new Error(`expected a two-digit correlationCode in ${JSON.stringify(body)}`);
  }
  if (rest['status'] === 'pending') {
    if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt)) || !expiresAt.endsWith('Z')) {
      throw new Error(`expected an ISO expiresAt in ${JSON.stringify(body)}`);
    }
  } else if (expiresAt !== undefined) {
    throw new Error(`only a pending status carries expiresAt: ${JSON.stringify(body)}`);
  }
  return rest;
}
/**
 * Sends GET `path` to `url` with `headers` and destroys the connection `afterMs` after the request
 * was sent (0: at once, before any answer), as a browser tab closed mid-request does.
 */
export function abortRequest(
  url: string,
  path: string,
  headers: { cookie: string; accept: string },
  afterMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${path}`, { headers: { Cookie: headers.cookie, Accept: headers.accept } });
    req.on('error', () => {
      resolve();
    });
    req.on('close', () => {
      resolve();
    });
    req.end(() => {
      setTimeout(() => req.destroy(), afterMs);
    });
  });
}
