/**
 * `passport-launchkey/nest`: the strategy's routes for NestJS controllers, on Nest's Express
 * platform and on its Fastify platform alike (docs/architecture.md, "Frameworks"). The strategy
 * itself is Nest's usual `PassportStrategy(Strategy, 'launchkey')` provider behind an
 * `AuthGuard('launchkey')`; these are the routes around it, for controller methods that take the
 * platform's request and response (`@Req() req, @Res() res`):
 *
 * ```ts
 * @Get('login/status')
 * status(@Req() req: Request, @Res() res: Response): Promise<void> {
 *   return this.routes.status(req, res);
 * }
 * ```
 *
 * Each returns a promise that rejects with a fault, so Nest's exception filters handle it. The
 * platform is told by the response: Fastify's reply, or Express's response. No Nest import here: the
 * routes are plain functions, which a Nest provider can hold.
 */
import { expressRequest, expressResponse } from '../passport/adapters/express.js';
import {
  fastifyRequest,
  fastifyResponse,
  type FastifyReplyLike,
  type FastifyRequestLike,
} from '../passport/adapters/fastify.js';
import { requestOf } from '../passport/adapters/index.js';
import type { HttpRequest, HttpResponse } from '../passport/http.js';
import type { LogoutHandlerOptions } from '../passport/logout.js';
import type { CoreHandler, StatusHandlerOptions } from '../passport/status_handler.js';
import { coreOf, type Strategy } from '../passport/strategy.js';
import type { WebhookHandlerOptions } from '../passport/webhook_handler.js';

/** A route for a controller method: the platform's request and response; resolves once it answered. */
export type NestRoute = (req: unknown, res: unknown) => Promise<void>;

/** The strategy's routes for Nest controllers and guards. */
export interface LaunchKeyNest {
  /** The waiting page's status: `{ status, code?, correlationCode? }` now, after `?wait=`, or as SSE. */
  status(options?: StatusHandlerOptions): NestRoute;
  /** The service's webhook; create the app with `{ rawBody: true }` (on Fastify, also a parser for `application/jose`). */
  webhook(options?: WebhookHandlerOptions<unknown>): NestRoute;
  /** Ends the LaunchKey session, logs out, then redirects (303) or answers 204. */
  logout(options?: LogoutHandlerOptions): NestRoute;
  /**
   * For a global guard: whether this request's login was revoked from the phone, in which case it
   * was logged out here (continue, logged out). Rejects when the store cannot answer (fail closed).
   */
  guard(req: unknown): Promise<boolean>;
}

function isFastifyReply(res: unknown): res is FastifyReplyLike {
  return res !== null && typeof res === 'object' && typeof (res as { hijack?: unknown }).hijack === 'function';
}

function exchange(req: unknown, res: unknown): [HttpRequest, HttpResponse] {
  if (isFastifyReply(res)) return [fastifyRequest(req as FastifyRequestLike), fastifyResponse(res)];
  return [expressRequest(req as never), expressResponse(res as never)];
}

/** The Nest routes of `strategy`. */
export function nestHandlers(strategy: Strategy): LaunchKeyNest {
  const core = coreOf(strategy);
  const route =
    (handle: CoreHandler): NestRoute =>
    (req, res) =>
      Promise.resolve().then(() => handle(...exchange(req, res)));
  return {
    status: (options = {}) => route(core.statusHandler(options)),
    webhook: (options = {}) => route(core.webhookHandler(options)),
    logout: (options = {}) => route(core.logoutHandler(options)),
    guard: (req) => Promise.resolve().then(() => core.guard(requestOf(req))),
  };
}
