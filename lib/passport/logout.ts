/**
 * Logout and cancel (SECURITY T11, T9): logout ends the LaunchKey session as well as the local one;
 * cancel withdraws a pending push (and only drops a decoy, T8).
 *
 * Logout decision: the username is read from the session **before** `req.logout()` regenerates it,
 * LaunchKey is told first, and the local logout then happens whatever LaunchKey answered (a user who
 * asked to log out must be logged out here). A LaunchKey failure is reported afterwards: `logout()`
 * rejects with it, `logoutHandler()` passes it to `next(err)`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

import { AuthorizationRequestCanceledError, AuthorizationResponseExistsError, EntityNotFoundError } from '../errors.js';
import { noteFraud } from './core.js';
import type { StrategyConfig } from './options.js';
import { readLogin } from './login_ref.js';
import { asError, passportLogout, readData, requireSession, updateData } from './session.js';

/** Options of `strategy.logoutHandler()`. */
export interface LogoutHandlerOptions {
  /** Where to send the browser afterwards (303); default none: answer 204. */
  redirect?: string;
}

/** @internal `strategy.logout(req)`. */
export async function logoutRequest(config: StrategyConfig, req: Request): Promise<void> {
  const session = requireSession(req);
  const login = readData(session, config.sessionKey).login;
  let failure: unknown;
  if (login !== undefined && config.launchkeySession) {
    try {
      await config.client.sessionEnd(login.username);
    } catch (err) {
      failure = err;
    }
  }
  await passportLogout(req);
  if (failure !== undefined) throw asError(failure);
}

/** @internal `strategy.logoutHandler()`. */
export function logoutHandler(config: StrategyConfig, options: LogoutHandlerOptions): RequestHandler {
  const redirect = options.redirect;
  return (req: Request, res: Response, next: NextFunction): void => {
    logoutRequest(config, req).then(() => {
      if (redirect === undefined) res.status(204).end();
      else res.redirect(303, redirect);
    }, next);
  };
}

/**
 * @internal `strategy.cancel(req)`. The record stays, `canceled`, until the completion route takes
 * it: every tab waiting on it hears `canceled` (never a `none` that looks like a lost login), and
 * completing it fails with code `'canceled'`.
 */
export async function cancelLogin(config: StrategyConfig, req: Request): Promise<boolean> {
  const session = requireSession(req);
  const ref = readData(session, config.sessionKey).pending;
  const record = await readLogin(config, ref);
  if (ref === undefined || record === undefined) return false;
  if (ref.decoy !== undefined) {
    // A decoy (T8) was never sent: it is only marked, with no API call, like a real cancel looks.
    if (record.status === 'pending') {
      updateData(session, config.sessionKey, {
        pending: { ...ref, decoy: { ...ref.decoy, status: 'canceled', finishedAt: config.now() } },
      });
    }
    return true;
  }
  await noteFraud(config, record);
  if (record.status !== 'pending') {
    // Answered already (say, approved a moment ago): the user still asked to stop, so it goes.
    await config.store.takeOnce(record.authorizationRequestId);
    return true;
  }
  try {
    await config.client.cancelAuthorizationRequest(record.authorizationRequestId);
  } catch (err) {
    // Already answered, canceled or gone: the user still asked to stop, so the login ends here.
    if (
      !(err instanceof AuthorizationResponseExistsError) &&
      !(err instanceof AuthorizationRequestCanceledError) &&
      !(err instanceof EntityNotFoundError)
    ) {
      throw err;
    }
  }
  await config.store.completeIfPending(record.authorizationRequestId, { status: 'canceled', at: config.now() });
  return true;
}
