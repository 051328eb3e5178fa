/**
 * Which adapter a request needs, told by its shape: each passport bridge calls the strategy with
 * its own request (docs/architecture.md, "Frameworks"). Express's passport and @nestjs/passport on
 * Express pass Express's; koa-passport passes a request of its own with the Koa context at `.ctx`;
 * @fastify/passport and @nestjs/passport on Fastify pass Fastify's. The strategy's own methods
 * (`status`, `cancel`, `logout`) take the same, or a Koa context.
 */
import type { Request } from 'express';

import type { HttpRequest } from '../http.js';
import { expressRequest } from './express.js';
import { fastifyRequest, isFastifyRequest } from './fastify.js';
import { isKoaContext, isKoaPassportRequest, koaRequest } from './koa.js';

/** The core's view of whatever request a bridge or the application handed over. */
export function requestOf(native: unknown): HttpRequest {
  if (isKoaPassportRequest(native)) return koaRequest(native.ctx, native);
  if (isKoaContext(native)) return koaRequest(native);
  if (isFastifyRequest(native)) return fastifyRequest(native);
  return expressRequest(native as Request);
}
