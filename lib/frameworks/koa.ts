/**
 * `passport-launchkey/koa`: the strategy's routes as Koa middleware, for Koa with koa-session (with
 * an external store) and koa-passport (docs/architecture.md, "Frameworks"). The strategy itself is
 * registered with koa-passport as any other (`passport.use(strategy)`); these are the routes around it:
 *
 * - `statusHandler()`: the waiting page's status route (JSON, `?wait=` long poll, or SSE);
 * - `webhookHandler()`: the service's webhook; it reads the body itself, so mount it before the
 *   body parser (or keep the parser off its route);
 * - `logoutHandler()`: ends the LaunchKey session, then logs out with `ctx.logout()` (a cross-site
 *   request is refused, 403 `cross-site`, as a start is);
 * - `sessionGuard()`: middleware logging out users who ended their session from the phone.
 *
 * `strategy.status(ctx)`, `strategy.cancel(ctx)` and `strategy.logout(ctx)` take the Koa context.
 * While a login is pending and the strategy passed, `ctx.state.launchkey` holds it.
 */
import type { Context, Middleware } from 'koa';

import { koaRequest, koaResponse, type KoaContextLike } from '../passport/adapters/koa.js';
import type { LogoutHandlerOptions } from '../passport/logout.js';
import { guardRedirect, type SessionGuardOptions } from '../passport/session_guard.js';
import type { CoreHandler, StatusHandlerOptions } from '../passport/status_handler.js';
import { coreOf, type Strategy } from '../passport/strategy.js';
import type { WebhookHandlerOptions } from '../passport/webhook_handler.js';

/** The strategy's routes as Koa middleware. */
export interface LaunchKeyKoa {
  /** The waiting page's route: `{ status, code?, correlationCode? }` now, after `?wait=`, or as SSE. */
  statusHandler(options?: StatusHandlerOptions): Middleware;
  /** The service's webhook route; mount it before any body parser. */
  webhookHandler(options?: WebhookHandlerOptions<Context>): Middleware;
  /** Ends the LaunchKey session, logs out, then redirects (303) or answers 204. */
  logoutHandler(options?: LogoutHandlerOptions): Middleware;
  /** Logs out sessions whose LaunchKey session was ended from the phone; mount it after `passport.session()`. */
  sessionGuard(options?: SessionGuardOptions): Middleware;
}

/** The Koa middleware of `strategy`. */
export function koaHandlers(strategy: Strategy): LaunchKeyKoa {
  const core = coreOf(strategy);
  // A route answers and ends the chain; a rejection propagates to Koa's error handling.
  const route =
    (handle: CoreHandler): Middleware =>
    async (ctx) => {
      const c = ctx as unknown as KoaContextLike;
      await handle(koaRequest(c), koaResponse(c));
    };
  return {
    statusHandler: (options = {}) => route(core.statusHandler(options)),
    webhookHandler: (options = {}) => route(core.webhookHandler<Context>(options)),
    logoutHandler: (options = {}) => route(core.logoutHandler(options)),
    sessionGuard: (options = {}) => {
      const redirect = guardRedirect(options);
      return async (ctx, next) => {
        // Fails closed: a store that cannot answer is an error, not a logged-in request.
        const loggedOut = await core.guard(koaRequest(ctx));
        if (loggedOut && redirect !== undefined) {
          ctx.redirect(redirect);
          ctx.status = 303;
          return;
        }
        await next();
      };
    },
  };
}
