/**
 * `passport-launchkey/fastify`: the strategy's routes for Fastify 5 with @fastify/passport and
 * @fastify/session (docs/architecture.md, "Frameworks"). The strategy itself is registered with
 * @fastify/passport as any other (`fastifyPassport.use(strategy)`); these are the routes around it:
 *
 * - `statusHandler()`: the waiting page's status route (JSON, `?wait=` long poll, or SSE);
 * - `webhook`: a plugin that registers the webhook route with a body parser of its own, which keeps
 *   the exact bytes (the token signs their hash) and does not touch the app's other routes;
 * - `logoutHandler()`: ends the LaunchKey session, then logs out with `request.logOut()` (a cross-site
 *   request is refused, 403 `cross-site`, as a start is);
 * - `sessionGuard()`: a `preHandler` hook logging out users who ended their session from the phone.
 *
 * `strategy.status(request)`, `strategy.cancel(request)` and `strategy.logout(request)` take a
 * Fastify request as they are.
 */
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
  RouteHandlerMethod,
} from 'fastify';

import { fastifyRequest, fastifyResponse } from '../passport/adapters/fastify.js';
import type { LogoutHandlerOptions } from '../passport/logout.js';
import { guardRedirect, type SessionGuardOptions } from '../passport/session_guard.js';
import type { CoreHandler, StatusHandlerOptions } from '../passport/status_handler.js';
import { coreOf, type Strategy } from '../passport/strategy.js';
import type { WebhookHandlerOptions } from '../passport/webhook_handler.js';

/** Options of the webhook plugin: where the route is, and the webhook handler's options. */
export interface FastifyWebhookOptions extends WebhookHandlerOptions<FastifyRequest> {
  /** The route's path: the service's callback URL's path, e.g. `'/launchkey/webhook'`. */
  url: string;
}

/** The strategy's routes as Fastify handlers, hooks and plugins. */
export interface LaunchKeyFastify {
  /** Route handler for the waiting page: `{ status, code?, correlationCode? }` now, after `?wait=`, or as SSE. */
  statusHandler(options?: StatusHandlerOptions): RouteHandlerMethod;
  /**
   * Plugin registering `POST url` for the service's webhook: `app.register(launchkey.webhook, { url })`.
   * Its body parser keeps the raw bytes for every content type, in this plugin's scope only.
   */
  webhook: FastifyPluginAsync<FastifyWebhookOptions>;
  /** Route handler: ends the LaunchKey session, logs out, then redirects (303) or answers 204. */
  logoutHandler(options?: LogoutHandlerOptions): RouteHandlerMethod;
  /** `preHandler` hook logging out sessions whose LaunchKey session was ended from the phone. */
  sessionGuard(options?: SessionGuardOptions): preHandlerAsyncHookHandler;
}

/** The Fastify routes of `strategy`. */
export function fastifyHandlers(strategy: Strategy): LaunchKeyFastify {
  const core = coreOf(strategy);
  const route =
    (handle: CoreHandler): RouteHandlerMethod =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      // A rejection is thrown on to Fastify's error handler.
      await handle(fastifyRequest(request), fastifyResponse(reply));
      return reply;
    };
  return {
    statusHandler: (options = {}) => route(core.statusHandler(options)),
    webhook: async (instance, options) => {
      const { url, ...handlerOptions } = options;
      const handle = core.webhookHandler<FastifyRequest>(handlerOptions);
      // Encapsulated: only this plugin's route leaves its body unparsed. The bytes are read by the
      // handler itself, with its own limit (`maxBodyBytes`), so an oversized delivery is refused as on
      // every framework (413, empty body, a webhook.refused audit event), not by a parser of Fastify's.
      instance.removeAllContentTypeParsers();
      instance.addContentTypeParser('*', (_request, _payload, done) => {
        done(null);
      });
      instance.post(url, route(handle));
      return Promise.resolve();
    },
    logoutHandler: (options = {}) => route(core.logoutHandler(options)),
    sessionGuard: (options = {}) => {
      const redirect = guardRedirect(options);
      return async (request, reply) => {
        // Fails closed: a store that cannot answer is an error, not a logged-in request.
        const loggedOut = await core.guard(fastifyRequest(request));
        // Returning the reply ends the request here, as Fastify's async hooks do.
        if (loggedOut && redirect !== undefined) return reply.redirect(redirect, 303);
        return undefined;
      };
    },
  };
}
