/**
 * Login and logout through the passport bridges, as the core needs them (docs/architecture.md,
 * "Frameworks"), and the login marker (`sessionGuard` and `logout` read it).
 *
 * The bridges log in differently. Passport (Express, and under koa-passport and @nestjs/passport)
 * has `req.logIn(user, options, done)`: it regenerates the session, copies the old session's data
 * back when `keepSessionInfo` is set, puts the user in and saves. @fastify/passport has
 * `request.logIn(user, options)`, a promise: it regenerates (copying the kept keys itself) and puts
 * the user in; @fastify/session saves at the end of the request. koa-passport also has
 * `ctx.login(user, options)`, a promise over passport's.
 *
 * The marker must belong to the new session only and be stored with the login, never separately:
 * so it is written when the login's own regeneration succeeds, on the new session (and on the old
 * one, which passport's `keepSessionInfo` copies over the new one afterwards), before the bridge
 * stores the user. A bridge whose login never regenerated gets the marker written and saved after
 * its login, as a last resort.
 */
import { ConfigurationError } from '../errors.js';
import { saveSession, type SessionLike } from './session.js';
import { asError, isPromiseLike } from './callback_values.js';

type Callback = (err?: unknown) => void;
type LogIn = (this: unknown, user: unknown, options?: unknown, done?: unknown) => unknown;

/** What one login should do to the session it creates. */
export interface LogInHook {
  /** Writes the marker into a session object. */
  write: (session: SessionLike) => void;
  /** Keep the pre-login session's data (step-up). */
  keepSessionInfo: boolean;
}

function isSession(value: unknown): value is SessionLike {
  return value !== null && typeof value === 'object' && typeof (value as SessionLike).regenerate === 'function';
}

/**
 * Makes `holder.logIn` (and `holder.login`) apply `hook` for the rest of this request. Works with a
 * callback (passport) and without one (a bridge whose `logIn` returns a promise). `session()` reads
 * the request's current session (a regeneration may replace the object).
 */
export function hookLogIn(holder: object, session: () => unknown, hook: LogInHook): void {
  const h = holder as { logIn?: unknown; login?: unknown };
  const original = h.logIn;
  if (typeof original !== 'function') return;
  const logIn = original as LogIn;
  const wrapped: LogIn = function (this: unknown, user, optionsOrDone, done) {
    const callback = (typeof optionsOrDone === 'function' ? optionsOrDone : done) as Callback | undefined;
    const given = (typeof optionsOrDone === 'object' && optionsOrDone !== null ? optionsOrDone : {}) as {
      session?: boolean;
    };
    const options = hook.keepSessionInfo ? { ...given, keepSessionInfo: true } : given;
    if (options.session === false) {
      return typeof callback === 'function'
        ? logIn.call(this, user, options, callback)
        : logIn.call(this, user, options);
    }
    const watch = watchRegeneration(session(), session, hook.write);
    const settle = async (err: unknown): Promise<void> => {
      watch.stop();
      if (err !== undefined && err !== null) throw asError(err);
      if (watch.fired) return;
      const current = session();
      if (!isSession(current)) return;
      hook.write(current);
      await saveSession(current);
    };
    if (typeof callback === 'function') {
      logIn.call(this, user, options, (err?: unknown) => {
        settle(err).then(
          () => {
            callback();
          },
          (e: unknown) => {
            callback(e);
          },
        );
      });
      return undefined;
    }
    let returned: unknown;
    try {
      returned = logIn.call(this, user, options);
    } catch (err) {
      watch.stop();
      throw err;
    }
    return Promise.resolve(returned).then(
      () => settle(undefined),
      (err: unknown) => settle(err ?? new Error('logIn rejected')),
    );
  };
  h.logIn = wrapped;
  h.login = wrapped;
}

/**
 * Until `stop()`, makes `target.regenerate` call `write` on the old and the new session once the
 * regeneration succeeded. The wrapper is an own, non-enumerable property (never serialised) and
 * `stop()` puts back exactly what was there.
 */
function watchRegeneration(
  target: unknown,
  current: () => unknown,
  write: (session: SessionLike) => void,
): { readonly fired: boolean; stop(): void } {
  let fired = false;
  const state = {
    get fired() {
      return fired;
    },
    stop: (): void => undefined,
  };
  if (!isSession(target)) return state;
  const session = target;
  const original: unknown = Reflect.get(session, 'regenerate');
  if (typeof original !== 'function') return state;
  const own = Object.getOwnPropertyDescriptor(session, 'regenerate');
  const mark = (): void => {
    fired = true;
    // The old one too: passport's keepSessionInfo copies it over the new one after this.
    write(session);
    const now = current();
    if (now !== session && isSession(now)) write(now);
  };
  const regenerate = function (this: unknown, ...args: unknown[]): unknown {
    const last = args.at(-1);
    if (typeof last === 'function') {
      return Reflect.apply(original, this, [
        ...args.slice(0, -1),
        (err?: unknown) => {
          if (err === undefined || err === null) mark();
          (last as Callback)(err);
        },
      ]);
    }
    const result: unknown = Reflect.apply(original, this, args);
    if (!isPromiseLike(result)) return result;
    return Promise.resolve(result).then((value) => {
      mark();
      return value;
    });
  };
  Object.defineProperty(session, 'regenerate', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: regenerate,
  });
  state.stop = () => {
    if (own === undefined) Reflect.deleteProperty(session, 'regenerate');
    else Object.defineProperty(session, 'regenerate', own);
  };
  return state;
}

/** Logs out with passport's callback API: `req.logout(done)` (which regenerates the session). */
export function callbackLogOut(req: object, advice: string): Promise<void> {
  const logout = (req as { logout?: unknown }).logout;
  if (typeof logout !== 'function') return Promise.reject(new ConfigurationError(advice));
  return new Promise((resolve, reject) => {
    (logout as (done: Callback) => void).call(req, (err) => {
      if (err === undefined || err === null) resolve();
      else reject(asError(err));
    });
  });
}

/** Logs out with a bridge's promise API: `holder.logout()` (@fastify/passport, koa-passport's `ctx.logout`). */
export async function promiseLogOut(holder: object, advice: string): Promise<void> {
  const logout = (holder as { logout?: unknown }).logout;
  if (typeof logout !== 'function') throw new ConfigurationError(advice);
  await (logout as () => unknown).call(holder);
}

/**
 * Makes this request's `req.logout()` (passport's, Express) run `before` first: how an application's
 * own logout route ends the LaunchKey session too (`strategy.endSessionOnLogout()`). `before` never
 * stops the local logout: a failure goes to `onError` and the user is logged out here anyway. `after`
 * is told how the local logout ended (its callback's error, if any), once it has.
 */
export function hookLogOut(
  req: object,
  before: () => Promise<void>,
  onError: (err: unknown) => void,
  after: (err: unknown) => void,
): void {
  const holder = req as { logout?: unknown; logOut?: unknown };
  const original = holder.logout;
  if (typeof original !== 'function') {
    throw new ConfigurationError('endSessionOnLogout() needs req.logout: mount it after passport.initialize()');
  }
  const wrapped = function (this: unknown, ...args: unknown[]): void {
    // passport's logout([options], callback): the callback is its last argument.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (err?: unknown) => {
        after(err ?? undefined);
        (callback as (e?: unknown) => unknown)(err);
      };
    }
    before()
      .catch(onError)
      .finally(() => {
        (original as (...a: unknown[]) => unknown).apply(this, args);
      });
  };
  holder.logout = wrapped;
  holder.logOut = wrapped;
}
