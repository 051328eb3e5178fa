/**
 * The Koa specs' app: Koa 3 with koa-session (on a store, so sessions have ids), @koa/bodyparser,
 * koa-passport, @koa/router and the strategy's routes from `passport-launchkey/koa`, answering on the
 * world's loopback server (the routes and their JSON mirror passport_app.ts's Express app).
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { KoaPassport } from 'koa-passport';
import session from 'koa-session';
import request from 'supertest';

import { koaHandlers } from '../../lib/frameworks/koa.js';
import { asError } from '../../lib/passport/callback_values.js';
import type { AuthenticateOptions, SessionGuardOptions, StatusHandlerOptions } from '../../lib/passport/index.js';
import { specStrategy, type Browser, type SpecStrategy, type StrategySetup, type World } from './passport_app.js';

/** A koa-session store in a Map, recording every write. */
export class MapSessionStore {
  readonly sessions = new Map<string, Record<string, unknown>>();
  readonly writes: { key: string; user: boolean; marker: string | undefined }[] = [];

  get(key: string): Promise<Record<string, unknown> | undefined> {
    return Promise.resolve(this.sessions.get(key));
  }

  set(key: string, data: Record<string, unknown>): Promise<void> {
    const s = data as { passport?: { user?: unknown }; launchkey?: { login?: { username: string } } };
    this.writes.push({ key, user: s.passport?.user !== undefined, marker: s.launchkey?.login?.username });
    this.sessions.set(key, data);
    return Promise.resolve();
  }

  destroy(key: string): Promise<void> {
    this.sessions.delete(key);
    return Promise.resolve();
  }
}

/** Options of one Koa test app. */
export interface KoaAppOptions extends StrategySetup {
  /** 'store' (default): koa-session on a store; 'cookie': koa-session keeping the session in its cookie; 'none'. */
  session?: 'store' | 'cookie' | 'none';
  sessionStore?: MapSessionStore;
  authenticate?: AuthenticateOptions;
  statusHandler?: StatusHandlerOptions;
  sessionGuard?: SessionGuardOptions;
  /** Koa's `app.proxy` (trust X-Forwarded-For). */
  proxy?: boolean;
  /** Mount the webhook after the body parser (a mistake the handler must name). */
  webhookAfterBodyParser?: boolean;
}

/** A built Koa app and what it observed. */
export interface KoaTestApp extends SpecStrategy {
  app: Koa;
  hookEvents: string[];
  /** Errors the webhook handler reported. */
  webhookErrors: unknown[];
  sessionStore: MapSessionStore;
  browser(): Browser;
}

export function buildKoaApp(world: World, options: KoaAppOptions = {}): KoaTestApp {
  const spec = specStrategy(world, options);
  const { strategy } = spec;
  const hookEvents: string[] = [];
  const webhookErrors: unknown[] = [];
  const sessionStore = options.sessionStore ?? new MapSessionStore();
  const passport = new KoaPassport();
  passport.use(strategy);
  passport.serializeUser((user, done) => {
    done(null, JSON.stringify(user));
  });
  passport.deserializeUser((id: string, done) => {
    done(null, JSON.parse(id) as Express.User);
  });
  const launchkey = koaHandlers(strategy);

  const app = new Koa();
  app.keys = ['spec secret'];
  app.proxy = options.proxy === true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      ctx.status = 500;
      ctx.body = { error: e.name, code: e.code, message: e.message };
    }
  });
  // The webhook first: it reads its own raw body, and needs no session.
  const hooks = new Router();
  hooks.post(
    '/webhooks/launchkey',
    launchkey.webhookHandler({
      onAuthorizationResponse: (event) => {
        hookEvents.push(`auth:${event.response.authorizationRequestId}`);
      },
      onSessionEnd: (event) => {
        hookEvents.push(`end:${event.serviceUserHash}`);
      },
      onError: (err) => {
        webhookErrors.push(err);
      },
    }),
  );
  if (options.webhookAfterBodyParser !== true) app.use(hooks.routes());
  const mode = options.session ?? 'store';
  if (mode !== 'none') {
    app.use(session({ key: 'sid', ...(mode === 'store' ? { store: sessionStore } : {}) }, app));
  }
  app.use(bodyParser());
  if (options.webhookAfterBodyParser === true) app.use(hooks.routes());
  app.use(passport.initialize());
  if (mode !== 'none') {
    app.use(passport.session());
    app.use(launchkey.sessionGuard(options.sessionGuard));
  }

  const name = strategy.name;
  const router = new Router();
  // A custom callback shows every outcome as JSON; `pass()` (pending) falls through to the 202.
  const login: Koa.Middleware = async (ctx, next) => {
    await passport.authenticate(
      name,
      { ...options.authenticate },
      async (err: unknown, user: Express.User | false, info: unknown, status: unknown) => {
        if (err !== null && err !== undefined) throw asError(err);
        if (user === false) {
          ctx.status = typeof status === 'number' ? status : 401;
          ctx.body = { ok: false, info };
          return;
        }
        await ctx.login(user);
        ctx.body = { ok: true, user, info };
      },
    )(ctx, next);
  };
  const pending: Koa.Middleware = (ctx) => {
    ctx.status = 202;
    ctx.body = { pending: ctx.state['launchkey'] as unknown };
  };
  router.post('/login', login, pending);
  router.get('/login/complete', login, pending);
  // koa-passport's own success path (passport's req.logIn), as most apps use it.
  const standard = passport.authenticate(name, {
    successRedirect: '/me',
    failureRedirect: '/login/failed',
    ...options.authenticate,
  });
  router.post('/login/std', standard, pending);
  router.get('/login/std/complete', standard, pending);
  router.get('/login/status', launchkey.statusHandler(options.statusHandler));
  router.post('/login/cancel', async (ctx: Context) => {
    ctx.body = { canceled: await strategy.cancel(ctx) };
  });
  router.post('/logout', launchkey.logoutHandler());
  router.get('/me', (ctx: Context) => {
    const s = (ctx as { session?: { externalKey?: string; launchkey?: unknown } | null }).session;
    ctx.body = {
      user: (ctx.state['user'] as unknown) ?? null,
      sessionID: s?.externalKey ?? null,
      launchkey: s?.launchkey ?? null,
    };
  });
  app.use(router.routes());
  const handle = app.callback();
  world.use((req, res) => {
    void handle(req, res);
  });
  return { ...spec, app, hookEvents, webhookErrors, sessionStore, browser: () => request.agent(world.server) };
}
