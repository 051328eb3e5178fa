/**
 * Logout (docs/security.md, T11 and T9): logout ends the LaunchKey session as well as the local one. Under
 * `sameOriginOnly`, `logoutHandler()` refuses a request the browser marks cross-site, with the start's own
 * check (same_origin.ts).
 *
 * Logout decision: the username is read from the session **before** `req.logout()` regenerates it,
 * LaunchKey is told first, and the local logout then happens whatever LaunchKey answered (a user who
 * asked to log out must be logged out here). A LaunchKey failure is reported afterwards: `logout()`
 * rejects with it, `logoutHandler()` passes it to `next(err)`.
 */
import { errorCode } from '../errors.js';
import { requestFacts } from './audit.js';
import { FAILURE_STATUS } from './failures.js';
import type { HttpRequest } from './http.js';
import { handlerOptions, redirectOption } from './handler_options.js';
import type { StrategyConfig } from './options.js';
import { crossSiteRefusal } from './same_origin.js';
import { readData, updateData, type LoginMarker } from './session.js';
import { asError } from './callback_values.js';
import type { CoreHandler } from './status_handler.js';

/** Options of `strategy.logoutHandler()`. */
export interface LogoutHandlerOptions {
  /** Where to send the browser afterwards (303); default none: answer 204. */
  redirect?: string;
}

/** @internal `strategy.logout(req)`. */
export async function logoutRequest(config: StrategyConfig, req: HttpRequest): Promise<void> {
  const session = req.session();
  const login = readData(session, config.sessionKey).login;
  let failure: unknown;
  if (login !== undefined && config.launchkeySession) {
    try {
      await config.client.sessionEnd(login.username);
    } catch (err) {
      failure = err;
    }
    auditLogout(config, req, 'logout.launchkey', login, failure);
  }
  // Told already: an endSessionOnLogout() hook on req.logout must not tell LaunchKey again.
  if (login !== undefined) updateData(session, config.sessionKey, { login: undefined });
  try {
    await localLogout(config, req);
  } catch (err) {
    auditLogout(config, req, 'logout.local', login, err);
    throw err;
  }
  auditLogout(config, req, 'logout.local', login);
  if (failure !== undefined) throw asError(failure);
}

/**
 * Emits a logout event: `logout.launchkey` (the LaunchKey session end, and whether LaunchKey took
 * it), `logout.local` (the session here), `logout.revoked` (the guard, after a logout from the
 * phone). `login` is the session's marker, when it held one (a LaunchKey login).
 */
export function auditLogout(
  config: StrategyConfig,
  req: HttpRequest,
  event: 'logout.launchkey' | 'logout.local' | 'logout.revoked',
  login: LoginMarker | undefined,
  failure?: unknown,
): void {
  config.audit.emit({
    ...requestFacts(config.clientAddress, req),
    event,
    outcome: failure === undefined ? 'success' : 'failure',
    ...(login === undefined ? {} : { username: login.username, serviceUserHash: login.serviceUserHash }),
    ...(failure === undefined ? {} : { code: errorCode(failure) }),
  });
}

/**
 * @internal Logs out through the bridge, and forgets the login marker: a bridge whose logout keeps
 * the session's data (koa-session's regenerate does) would keep it too, and the guard and the next
 * logout would act on a login that is over.
 */
export async function localLogout(config: StrategyConfig, req: HttpRequest): Promise<void> {
  await req.logOut();
  const after = req.session();
  if (readData(after, config.sessionKey).login !== undefined)
    updateData(after, config.sessionKey, { login: undefined });
}

/**
 * @internal What `strategy.endSessionOnLogout()` runs before the application's own `req.logout()`:
 * ends the LaunchKey session of the LaunchKey login this session holds, if any. The local logout that
 * runs next is audited by the caller once it has ended.
 */
export async function endLaunchKeySession(config: StrategyConfig, req: HttpRequest): Promise<void> {
  const session = req.session();
  const login = readData(session, config.sessionKey).login;
  if (login === undefined || !config.launchkeySession) return;
  try {
    await config.client.sessionEnd(login.username);
  } catch (err) {
    auditLogout(config, req, 'logout.launchkey', login, err);
    throw err;
  }
  auditLogout(config, req, 'logout.launchkey', login);
  updateData(session, config.sessionKey, { login: undefined });
}

/**
 * @internal `strategy.logoutHandler()`. A cross-site request is refused as a start is (403, code
 * `'cross-site'`) before the session is read: a page on another site must not log the user out
 * here and on the phone (docs/security.md, T9 and T11).
 */
export function logoutHandler(config: StrategyConfig, options?: LogoutHandlerOptions): CoreHandler {
  const redirect = redirectOption('logoutHandler', handlerOptions('logoutHandler', options));
  return async (req, res) => {
    const refused = crossSiteRefusal(config, req);
    if (refused !== undefined) {
      res.json(FAILURE_STATUS[refused.code], refused);
      return;
    }
    await logoutRequest(config, req);
    if (redirect === undefined) res.empty(204);
    else res.redirect(303, redirect);
  };
}
