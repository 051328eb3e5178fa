/**
 * The Koa adapter (Koa 2 and 3 with koa-session and koa-passport): a Koa context as the core's
 * {@link HttpRequest} and {@link HttpResponse}. Shapes are described structurally, so the core needs
 * no Koa types.
 *
 * koa-passport calls the strategy with an Express-like request of its own (`Object.create(ctx.request)`
 * with the context at `req.ctx`); the adapter reads through to the context, never through that
 * request's `get()` (Koa's answers `''` for an absent header). Koa answers when the middleware is
 * done, so the response here only sets `ctx.status`, `ctx.body` and headers; an event stream is a
 * `PassThrough` body that stays open.
 *
 * Sessions must be koa-session's with an external `store`: only then does a session have an id
 * (`externalKey`) that a login's `regenerate()` replaces. A cookie-only koa-session (the whole
 * session in the cookie) is refused, as cookie-session is on Express (docs/security.md, T10).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';

import { ConfigurationError } from '../../errors.js';
import { hookLogIn, promiseLogOut } from '../bridge_login.js';
import type { EventStream, HttpRequest, HttpResponse } from '../http.js';
import type { LaunchKeyOutcomeInfo } from '../outcome.js';
import { checkSession, type SessionLike } from '../session.js';
import { clientConnected, firstHeader, readBody } from './node.js';

/** The part of a Koa `Context` the adapter uses. */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  request: { body?: unknown; rawBody?: unknown; ctx?: unknown };
  method: string;
  originalUrl: string;
  query: unknown;
  ip: string;
  state: Record<string, unknown>;
  status: number;
  body: unknown;
  set(field: string, value: string): void;
  redirect(url: string): void;
}

/** Whether `value` is a Koa context. */
export function isKoaContext(value: unknown): value is KoaContextLike {
  if (value === null || typeof value !== 'object') return false;
  const c = value as Partial<KoaContextLike>;
  return typeof c.request === 'object' && c.request.ctx === value && typeof c.req === 'object';
}

/** Whether `value` is the request koa-passport hands a strategy (its context at `.ctx`). */
export function isKoaPassportRequest(value: unknown): value is { ctx: KoaContextLike } {
  return value !== null && typeof value === 'object' && isKoaContext((value as { ctx?: unknown }).ctx);
}

const SESSION_ADVICE = {
  missing:
    'passport-launchkey needs sessions: use koa-session (app.use(session({ store }, app))) before ' +
    'koa-passport and the LaunchKey routes',
  unfit:
    'passport-launchkey needs a session with an id that a login regenerates: give koa-session an ' +
    'external store (its store option); a cookie-only session is not supported',
};

const PARSED_BODY_MESSAGE =
  'the LaunchKey webhook needs the raw request body: mount webhookHandler() before the body parser ' +
  '(or keep the parser off the webhook route)';

function session(ctx: KoaContextLike): SessionLike {
  const value = checkSession((ctx as { session?: unknown }).session, SESSION_ADVICE);
  if (typeof (value as { externalKey?: unknown }).externalKey !== 'string') {
    throw new ConfigurationError(SESSION_ADVICE.unfit);
  }
  return value;
}

/**
 * A Koa context as the core reads it. `passportRequest` is koa-passport's request when the strategy
 * was called through it: the application's callbacks get that (as on Express), else the context.
 */
export function koaRequest(ctx: KoaContextLike, passportRequest?: object): HttpRequest {
  const query = ctx.query;
  return {
    native: passportRequest ?? ctx,
    method: ctx.method.toUpperCase(),
    header: (name) => firstHeader(ctx.req.headers, name),
    headers: ctx.req.headers,
    path: (ctx.originalUrl.split('?')[0] ?? '') || '/',
    query: query !== null && typeof query === 'object' ? (query as Record<string, unknown>) : {},
    body: ctx.request.body,
    rawBody: (limit) => rawBody(ctx, limit),
    clientAddress: () => ctx.ip,
    connected: () => clientConnected(ctx.req),
    session: () => session(ctx),
    sessionId: () => {
      const key = ((ctx as { session?: unknown }).session as { externalKey?: unknown } | null | undefined)?.externalKey;
      return typeof key === 'string' && key.length > 0 ? key : undefined;
    },
    renewSession: async () => {
      const current = session(ctx);
      // koa-session's regenerate keeps the data in the same object, stores it under a new key and
      // destroys the old one. (That object's own externalKey still names the old key until the
      // next request: sessionId() is read before this, for the start lock.)
      await (current.regenerate as () => Promise<void>).call(current);
      return session(ctx);
    },
    onNextLogIn: (write, options) => {
      const hook = { write, ...options };
      const current = (): unknown => (ctx as { session?: unknown }).session;
      // passport's own success path calls the request's logIn; a custom callback calls ctx.login.
      if (passportRequest !== undefined) hookLogIn(passportRequest, current, hook);
      hookLogIn(ctx, current, hook);
    },
    logOut: () =>
      promiseLogOut(ctx, 'ctx.logout is missing: mount passport.initialize() (koa-passport) before this handler'),
    setLaunchKey: (info: LaunchKeyOutcomeInfo) => {
      ctx.state['launchkey'] = info;
    },
  };
}

/** The raw body, read here: a body parser must not have run on the webhook route. `null` when over the limit. */
async function rawBody(ctx: KoaContextLike, limit: number): Promise<Buffer | string | null> {
  const parsed = ctx.request.body;
  if (Buffer.isBuffer(parsed)) return parsed.length > limit ? null : parsed;
  if (!ctx.req.readable || ctx.req.readableEnded || ctx.request.rawBody !== undefined) {
    throw new ConfigurationError(PARSED_BODY_MESSAGE);
  }
  return readBody(ctx.req, limit);
}

/** A Koa context as the core answers on it (Koa sends it when the middleware is done). */
export function koaResponse(ctx: KoaContextLike): HttpResponse {
  let answered = false;
  const set = (headers: Readonly<Record<string, string>> | undefined): void => {
    for (const [name, value] of Object.entries(headers ?? {})) ctx.set(name, value);
  };
  return {
    get finished() {
      return answered || ctx.res.writableEnded || ctx.res.destroyed;
    },
    json(status, body, headers) {
      answered = true;
      set(headers);
      ctx.status = status;
      ctx.body = body;
    },
    empty(status, headers) {
      answered = true;
      set(headers);
      ctx.status = status;
      // An explicit null: Koa sends no body at all (not the status text).
      ctx.body = null;
    },
    redirect(status, url) {
      answered = true;
      ctx.redirect(url);
      ctx.status = status;
    },
    stream(headers): EventStream {
      answered = true;
      set(headers);
      ctx.status = 200;
      const body = new PassThrough();
      ctx.body = body;
      // An event stream outlives Node's request timeout by design.
      ctx.req.socket.setTimeout(0);
      const alive = (): boolean => !body.writableEnded && !body.destroyed && !ctx.res.destroyed;
      return {
        alive,
        write(text) {
          if (alive()) body.write(text);
        },
        end() {
          if (!body.writableEnded) body.end();
        },
      };
    },
    onClose(listener) {
      ctx.res.once('close', listener);
      return () => ctx.res.off('close', listener);
    },
  };
}
