/**
 * The Fastify adapter (Fastify 5 with @fastify/session, and NestJS on its Fastify platform): a
 * Fastify request and reply as the core's {@link HttpRequest} and {@link HttpResponse}. Shapes are
 * described structurally, so the core needs no Fastify types.
 *
 * Sessions must be @fastify/session's: they have an id, which `regenerate()` replaces. A
 * @fastify/secure-session cookie has no id (and a copy of it stays valid after logout), so it is
 * refused as cookie-session is on Express (docs/security.md, T10).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

import { ConfigurationError } from '../../errors.js';
import { callbackLogOut, hookLogIn, promiseLogOut } from '../bridge_login.js';
import type { EventStream, HttpRequest, HttpResponse } from '../http.js';
import type { LaunchKeyOutcomeInfo } from '../outcome.js';
import { checkSession, type SessionLike } from '../session.js';
import { clientConnected, firstHeader, nodeStream, readBody } from './node.js';

/** The part of a `FastifyRequest` the adapter reads. */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  query: unknown;
  body: unknown;
  ip: string;
  routeOptions: unknown;
}

/** The part of a `FastifyReply` the adapter answers with. */
export interface FastifyReplyLike {
  raw: ServerResponse;
  sent: boolean;
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
  redirect(url: string, code?: number): FastifyReplyLike;
  hijack(): FastifyReplyLike;
}

/** Whether `value` is a Fastify request (what @fastify/passport and Nest's Fastify platform hand the strategy). */
export function isFastifyRequest(value: unknown): value is FastifyRequestLike {
  if (value === null || typeof value !== 'object') return false;
  const raw: unknown = (value as { raw?: unknown }).raw;
  return 'routeOptions' in value && typeof raw === 'object' && raw !== null && raw !== value;
}

const SESSION_ADVICE = {
  missing:
    'passport-launchkey needs sessions: register @fastify/cookie and @fastify/session before ' +
    '@fastify/passport and the LaunchKey routes',
  unfit:
    'passport-launchkey needs a session with an id that a login regenerates, such as @fastify/session; ' +
    '@fastify/secure-session (a stateless cookie) is not supported',
};

const PARSED_BODY_MESSAGE =
  'the LaunchKey webhook needs the raw request body: register the plugin of passport-launchkey/fastify, ' +
  "app.register(fastifyHandlers(strategy).webhook, { url: '/launchkey/webhook' }), which keeps its body " +
  'as bytes, instead of a route behind a JSON parser; on NestJS, create the app with { rawBody: true }';

function session(request: FastifyRequestLike): SessionLike {
  const value = checkSession((request as { session?: unknown }).session, SESSION_ADVICE);
  if (typeof (value as { sessionId?: unknown }).sessionId !== 'string')
    throw new ConfigurationError(SESSION_ADVICE.unfit);
  return value;
}

/** A Fastify request as the core reads it. */
export function fastifyRequest(request: FastifyRequestLike): HttpRequest {
  const query = request.query;
  return {
    native: request,
    method: request.method.toUpperCase(),
    header: (name) => firstHeader(request.headers, name),
    headers: request.headers,
    path: ((request.raw.url ?? request.url).split('?')[0] ?? '') || '/',
    query: query !== null && typeof query === 'object' ? (query as Record<string, unknown>) : {},
    body: request.body,
    rawBody: (limit) => rawBody(request, limit),
    clientAddress: () => request.ip,
    connected: () => clientConnected(request.raw),
    session: () => session(request),
    sessionId: () => {
      const id = ((request as { session?: unknown }).session as { sessionId?: unknown } | null | undefined)?.sessionId;
      return typeof id === 'string' && id.length > 0 ? id : undefined;
    },
    renewSession: async () => {
      const before = session(request);
      // The keys to keep, as @fastify/passport's keepSessionInfo passes them: all of them.
      await (before.regenerate as unknown as (keys: string[]) => Promise<void>).call(before, Object.keys(before));
      return session(request);
    },
    onNextLogIn: (write, options) => {
      hookLogIn(request, () => (request as { session?: unknown }).session, { write, ...options });
    },
    logOut: () => {
      const advice = 'request.logOut is missing: register fastifyPassport.initialize() before this handler';
      // @fastify/passport's logOut is a promise; passport's own (Nest's Fastify platform) takes a callback.
      return 'passport' in request ? promiseLogOut(request, advice) : callbackLogOut(request, advice);
    },
    setLaunchKey: (info: LaunchKeyOutcomeInfo) => {
      (request as FastifyRequestLike & { launchkey?: LaunchKeyOutcomeInfo }).launchkey = info;
    },
  };
}

/** The bytes the webhook plugin's parser kept; read here when no parser ran; `null` when over the limit. */
async function rawBody(request: FastifyRequestLike, limit: number): Promise<Buffer | string | null> {
  // NestJS keeps the bytes of the bodies its parsers read (NestFactory.create(..., { rawBody: true })).
  const kept: unknown = (request as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(kept)) return kept.length > limit ? null : kept;
  const body = request.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') return body.length > limit ? null : body;
  if (body !== undefined && body !== null) throw new ConfigurationError(PARSED_BODY_MESSAGE);
  const raw = request.raw;
  if (raw.readable && !raw.readableEnded) return readBody(raw, limit);
  // No body at all (Fastify parses none without a content type).
  return Buffer.alloc(0);
}

/** A Fastify reply as the core answers on it. */
export function fastifyResponse(reply: FastifyReplyLike): HttpResponse {
  return {
    get finished() {
      return reply.sent || reply.raw.destroyed;
    },
    json(status, body, headers) {
      reply
        .code(status)
        .headers({ ...headers })
        .send(body);
    },
    empty(status, headers) {
      reply
        .code(status)
        .headers({ ...headers })
        .send();
    },
    redirect(status, url) {
      reply.redirect(url, status);
    },
    stream(headers): EventStream {
      // Fastify answers once; an event stream is written on Node's response directly.
      reply.hijack();
      reply.raw.writeHead(200, headers);
      // An event stream outlives Node's request timeout by design.
      reply.raw.req.socket.setTimeout(0);
      return nodeStream(reply.raw);
    },
    onClose(listener) {
      reply.raw.once('close', listener);
      return () => reply.raw.off('close', listener);
    },
  };
}
