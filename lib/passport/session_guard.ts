/**
 * `sessionGuard()` (docs/security.md, T11): when a user ends their LaunchKey session from the phone, the
 * session-end webhook records a revocation in the shared store; this middleware logs that user's
 * sessions out on their next request, on every instance.
 */
import { handlerOptions, redirectOption } from './handler_options.js';
import type { HttpRequest } from './http.js';
import { auditLogout, localLogout } from './logout.js';
import type { StrategyConfig } from './options.js';
import { readData } from './session.js';

/** Options of `strategy.sessionGuard()`. */
export interface SessionGuardOptions {
  /** Where to send a browser that was logged out (303); default none: continue logged out. */
  redirect?: string;
}

/** Where the guard sends a browser it logged out, checked when the guard is made. */
export function guardRedirect(options: SessionGuardOptions | undefined): string | undefined {
  return redirectOption('sessionGuard', handlerOptions('sessionGuard', options));
}

/**
 * `strategy.sessionGuard()`: whether this request's login was revoked, in which case it
 * is logged out here and `true` comes back (the adapter then redirects or continues). Fails closed:
 * when the store cannot answer, it rejects, and the request does not go on as logged in.
 */
export async function guardSession(config: StrategyConfig, req: HttpRequest): Promise<boolean> {
  const login = readData(req.session(), config.sessionKey).login;
  if (login === undefined) return false;
  if (!(await config.store.isRevoked(login.serviceUserHash, login.at))) return false;
  await localLogout(config, req);
  auditLogout(config, req, 'logout.revoked', login);
  return true;
}
