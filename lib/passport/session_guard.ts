/**
 * `sessionGuard()` (SECURITY T11): when a user ends their LaunchKey session from the phone, the
 * session-end webhook records a revocation in the shared store; this middleware logs that user's
 * sessions out on their next request, on every instance.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

import type { StrategyConfig } from './options.js';
import { passportLogout, readData, requireSession } from './session.js';

/** Options of `strategy.sessionGuard()`. */
export interface SessionGuardOptions {
  /** Where to send a browser that was logged out (303); default none: continue with `next()` logged out. */
  redirect?: string;
}

/** @internal `strategy.sessionGuard()`. */
export function sessionGuard(config: StrategyConfig, options: SessionGuardOptions): RequestHandler {
  const redirect = options.redirect;
  return (req: Request, res: Response, next: NextFunction): void => {
    let login;
    try {
      login = readData(requireSession(req), config.sessionKey).login;
    } catch (err) {
      next(err);
      return;
    }
    if (login === undefined) {
      next();
      return;
    }
    config.store
      .isRevoked(login.serviceUserHash, login.at)
      .then(async (revoked) => {
        if (!revoked) {
          next();
          return;
        }
        await passportLogout(req);
        if (redirect === undefined) next();
        else res.redirect(303, redirect);
      })
      // Fail closed: when the store cannot answer, the request does not go on as logged in.
      .catch(next);
  };
}
