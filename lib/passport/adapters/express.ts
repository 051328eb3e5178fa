/**
 * The Express adapter (Express 4 and 5, and NestJS on its Express platform): an Express request and
 * response as the core's {@link HttpRequest} and {@link HttpResponse}, and a core handler as
 * middleware. Sessions are express-session's; logins are passport's `req.logIn`.
 */
import type { NextFunction, Request, Response } from 'express';

import { ConfigurationError } from '../../errors.js';
import { callbackLogOut, hookLogIn } from '../bridge_login.js';
import type { EventStream, HttpHeaders, HttpRequest, HttpResponse } from '../http.js';
import type { LaunchKeyOutcomeInfo } from '../outcome.js';
import { checkSession, type SessionLike } from '../session.js';
import { asError } from '../callback_values.js';
import { clientConnected, firstHeader, nodeStream, readBody } from './node.js';

const SESSION_ADVICE = {
  missing:
    'passport-launchkey needs sessions: mount express-session (app.use(session({ ... }))) before ' +
    'passport and the LaunchKey routes',
  unfit:
    'passport-launchkey needs a session with regenerate() and save(), such as express-session; ' +
    'cookie-session and similar are not supported',
};

const PARSED_BODY_MESSAGE =
  "webhookHandler needs the raw request body: mount express.raw({ type: '*/*' }) on the webhook route " +
  '(and no JSON or urlencoded parser before it); on NestJS, create the app with { rawBody: true }';

/**
 * A Node (Express) request as the core reads it. Read lazily: the session check comes first, so a
 * request without one fails with the advice, whatever else it lacks.
 */
export function expressRequest(req: Request): HttpRequest {
  return {
    native: req,
    get method() {
      return (req.method as string | undefined)?.toUpperCase() ?? '';
    },
    header: (name) => firstHeader(req.headers, name),
    get headers() {
      return req.headers;
    },
    get path() {
      return ((req.originalUrl || req.url).split('?')[0] ?? '') || '/';
    },
    get query() {
      return (req.query as Record<string, unknown> | undefined) ?? {};
    },
    get body() {
      return (req as { body?: unknown }).body;
    },
    rawBody: (limit) => rawBody(req, limit),
    clientAddress: () => req.ip ?? req.socket.remoteAddress,
    connected: () => clientConnected(req),
    session: () => checkSession((req as { session?: unknown }).session, SESSION_ADVICE),
    sessionId: () => {
      const id = (req as { sessionID?: unknown }).sessionID;
      return typeof id === 'string' && id.length > 0 ? id : undefined;
    },
    renewSession: () => renewSession(req),
    onNextLogIn: (write, options) => {
      hookLogIn(req, () => (req as { session?: unknown }).session, { write, ...options });
    },
    logOut: () => callbackLogOut(req, 'req.logout is missing: mount passport.initialize() before this handler'),
    setLaunchKey: (info: LaunchKeyOutcomeInfo) => {
      (req as Request & { launchkey?: LaunchKeyOutcomeInfo }).launchkey = info;
    },
  };
}

/**
 * express-session's `regenerate()` gives `req.session` a new id and an empty object; the old data is
 * copied over, as passport's `keepSessionInfo` copies it (every enumerable key, the cookie's settings
 * too, so a longer "remember me" lifetime survives).
 */
async function renewSession(req: Request): Promise<SessionLike> {
  const before = checkSession((req as { session?: unknown }).session, SESSION_ADVICE);
  await new Promise<void>((resolve, reject) => {
    before.regenerate((err) => {
      if (err === undefined || err === null) resolve();
      else reject(asError(err));
    });
  });
  const after = checkSession((req as { session?: unknown }).session, SESSION_ADVICE);
  for (const key of Object.keys(before)) after[key] = before[key];
  return after;
}

/** The raw body: the one a raw parser left, or read here when no parser ran; `null` when over the limit. */
async function rawBody(req: Request, limit: number): Promise<Buffer | string | null> {
  // NestJS keeps the bytes of the bodies its parsers read (NestFactory.create(..., { rawBody: true })).
  const kept: unknown = (req as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(kept)) return kept.length > limit ? null : kept;
  const parsed: unknown = (req as { body?: unknown }).body;
  if (Buffer.isBuffer(parsed) || typeof parsed === 'string') return parsed;
  const empty = parsed === undefined || (isPlainEmpty(parsed) && !(req as { _body?: unknown })._body);
  if (!empty || !req.readable || req.readableEnded) throw new ConfigurationError(PARSED_BODY_MESSAGE);
  return readBody(req, limit);
}

function isPlainEmpty(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
}

/** An Express response as the core answers on it. */
export function expressResponse(res: Response): HttpResponse {
  const set = (headers: HttpHeaders | undefined): void => {
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
  };
  return {
    get finished() {
      return res.writableEnded || res.destroyed;
    },
    json(status, body, headers) {
      set(headers);
      res.status(status).json(body);
    },
    empty(status, headers) {
      set(headers);
      res.status(status).end();
    },
    redirect(status, url) {
      res.redirect(status, url);
    },
    stream(headers): EventStream {
      res.writeHead(200, headers);
      // An event stream outlives Node's request timeout by design.
      res.req.socket.setTimeout(0);
      return nodeStream(res);
    },
    onClose(listener) {
      res.once('close', listener);
      return () => res.off('close', listener);
    },
  };
}

/** A core handler as Express middleware: a rejection goes to `next(err)`. */
export function toMiddleware(
  handle: (req: HttpRequest, res: HttpResponse) => Promise<void>,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    handle(expressRequest(req), expressResponse(res)).catch(next);
  };
}

/**
 * The session guard as Express middleware: `next()` after it ran (logged out or not), or a 303 to
 * `redirect` when it logged someone out. Fails closed: when the store cannot answer, `next(err)`,
 * and the request does not go on as logged in.
 */
export function toGuardMiddleware(
  guard: (req: HttpRequest) => Promise<boolean>,
  redirect: string | undefined,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    guard(expressRequest(req)).then((loggedOut) => {
      if (loggedOut && redirect !== undefined) res.redirect(303, redirect);
      else next();
    }, next);
  };
}
