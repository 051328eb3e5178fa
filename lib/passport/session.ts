/**
 * The strategy's data in `req.session[sessionKey]`: the handle of the pending login (never an id
 * from the request, SECURITY T7) and, after a login, who logged in and when (for `logout` and
 * `sessionGuard`). Read defensively: a session store may hand back anything.
 *
 * @internal
 */
import type { Request } from 'express';

import { ConfigurationError } from '../errors.js';

/** What the strategy keeps in the session. */
export interface LaunchKeySessionData {
  /** Handle of the pending login in the store. */
  handle?: string;
  /** Set when a LaunchKey login succeeded (after passport regenerated the session). */
  login?: LoginMarker;
}

/** Who logged in with LaunchKey, in this session. */
export interface LoginMarker {
  username: string;
  serviceUserHash: string;
  /** Local time of the login, ms. */
  at: number;
}

/** The part of an express-session `Session` the strategy needs. */
export interface SessionLike {
  regenerate(callback: (err?: unknown) => void): unknown;
  save(callback?: (err?: unknown) => void): unknown;
  [key: string]: unknown;
}

/** `err` as an Error (foreign callbacks may pass anything). */
export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : 'Non-error value thrown', { cause: err });
}

const HANDLE = /^[A-Za-z0-9_-]{43}$/;

/** The session, or a {@link ConfigurationError} that says how to fix a missing one. */
export function requireSession(req: Request): SessionLike {
  const session = (req as { session?: unknown }).session;
  if (session === undefined || session === null || typeof session !== 'object') {
    throw new ConfigurationError(
      'passport-launchkey needs sessions: mount express-session (app.use(session({ ... }))) before ' +
        'passport and the LaunchKey routes',
    );
  }
  const s = session as Partial<SessionLike>;
  if (typeof s.regenerate !== 'function' || typeof s.save !== 'function') {
    // Without regenerate a login would keep the pre-login session id (session fixation, T10).
    throw new ConfigurationError(
      'passport-launchkey needs a session with regenerate() and save(), such as express-session; ' +
        'cookie-session and similar are not supported',
    );
  }
  return session as SessionLike;
}

/** The strategy's session data, with anything malformed dropped. */
export function readData(session: SessionLike, key: string): LaunchKeySessionData {
  const raw = Object.hasOwn(session, key) ? session[key] : undefined;
  if (raw === null || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const data: LaunchKeySessionData = {};
  if (typeof r['handle'] === 'string' && HANDLE.test(r['handle'])) data.handle = r['handle'];
  const login = r['login'] as Partial<LoginMarker> | null | undefined;
  if (
    login !== null &&
    typeof login === 'object' &&
    typeof login.username === 'string' &&
    typeof login.serviceUserHash === 'string' &&
    typeof login.at === 'number' &&
    Number.isFinite(login.at)
  ) {
    data.login = { username: login.username, serviceUserHash: login.serviceUserHash, at: login.at };
  }
  return data;
}

/** Writes the strategy's session data (removes the key when empty). */
export function writeData(session: SessionLike, key: string, data: LaunchKeySessionData): void {
  if (data.handle === undefined && data.login === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the key is the validated sessionKey option
    delete session[key];
  } else {
    session[key] = { ...data };
  }
}

/** Forgets the pending login's handle (keeps the login marker). */
export function clearHandle(session: SessionLike, key: string): void {
  const { login } = readData(session, key);
  writeData(session, key, login === undefined ? {} : { login });
}

/** Saves the session (express-session's callback API as a promise). */
export function saveSession(session: SessionLike): Promise<void> {
  return new Promise((resolve, reject) => {
    session.save((err) => {
      if (err === undefined || err === null) resolve();
      else reject(asError(err));
    });
  });
}

type LogInFunction = (user: Express.User, optionsOrDone?: unknown, done?: (err?: unknown) => void) => void;

/**
 * Makes this request's `req.logIn` record `marker` in the session once passport has regenerated it,
 * so the marker belongs to the new session only. Passport (0.6+) sets `req.logIn` per request; the
 * wrapper lives as long as the request.
 */
export function markNextLogIn(req: Request, sessionKey: string, marker: LoginMarker): void {
  const r = req as unknown as { logIn?: LogInFunction; login?: LogInFunction };
  const original = r.logIn;
  if (typeof original !== 'function') return;
  const wrapped: LogInFunction = function (this: unknown, user, optionsOrDone, done) {
    const callback = (typeof optionsOrDone === 'function' ? optionsOrDone : done) as
      ((err?: unknown) => void) | undefined;
    const options = (typeof optionsOrDone === 'object' && optionsOrDone !== null ? optionsOrDone : {}) as {
      session?: boolean;
    };
    original.call(this, user, options, (err?: unknown) => {
      if (err !== undefined && err !== null) {
        callback?.(err);
        return;
      }
      const session = (req as { session?: unknown }).session as SessionLike | undefined;
      if (options.session === false || session === undefined || typeof session.save !== 'function') {
        callback?.();
        return;
      }
      writeData(session, sessionKey, { ...readData(session, sessionKey), login: marker });
      saveSession(session).then(
        () => callback?.(),
        (saveErr: unknown) => callback?.(saveErr),
      );
    });
  };
  r.logIn = wrapped;
  r.login = wrapped;
}

/** Logs out through passport (`req.logout`, which regenerates the session) as a promise. */
export function passportLogout(req: Request): Promise<void> {
  const logout = (req as unknown as { logout?: (done: (err?: unknown) => void) => void }).logout;
  if (typeof logout !== 'function') {
    return Promise.reject(
      new ConfigurationError('req.logout is missing: mount passport.initialize() before this handler'),
    );
  }
  return new Promise((resolve, reject) => {
    logout.call(req, (err) => {
      if (err === undefined || err === null) resolve();
      else reject(asError(err));
    });
  });
}
