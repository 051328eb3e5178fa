/**
 * The Fastify specs' app: Fastify 5 with @fastify/cookie, @fastify/session, @fastify/formbody,
 * @fastify/passport and the strategy's routes from `passport-launchkey/fastify`, answering on the
 * world's loopback server (the routes and their JSON mirror passport_app.ts's Express app).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { Authenticator } from '@fastify/passport';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import request from 'supertest';

import { fastifyHandlers } from '../../lib/frameworks/fastify.js';
import { asError } from '../../lib/passport/callback_values.js';
import type { AuthenticateOptions, SessionGuardOptions, StatusHandlerOptions } from '../../lib/passport/index.js';
import { specStrategy, type Browser, type SpecStrategy, type StrategySetup, type World } from './passport_app.js';

/** Options of one Fastify test app. */
export interface FastifyAppOptions extends StrategySetup {
  /** Register @fastify/session (default true). */
  session?: boolean;
  /** Per-call options of the login routes. */
  authenticate?: AuthenticateOptions;
  statusHandler?: StatusHandlerOptions;
  sessionGuard?: SessionGuardOptions;
  /** Fastify's trustProxy (default none). */
  trustProxy?: boolean | string;
  /** @fastify/session's store (default its MemoryStore). */
  sessionStore?: fastifySession.SessionStore;
  /** Instead of @fastify/session: a session object with regenerate() and save() but no id (as a stateless cookie session has). */
  sessionWithoutId?: boolean;
}

/** A built Fastify app and what it observed. */
export interface FastifyTestApp extends SpecStrategy {
  app: FastifyInstance;
  /** Webhook events seen by the hooks. */
  hookEvents: string[];
  browser(): Browser;
}

export async function buildFastifyApp(world: World, options: FastifyAppOptions = {}): Promise<FastifyTestApp> {
  const spec = specStrategy(world, options);
  const { strategy } = spec;
  const hookEvents: string[] = [];
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const app = Fastify({
    // The world's server listens; this one only lends Fastify its request handler.
    serverFactory: (handler) => {
      listener = handler;
      return createServer();
    },
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  const passport = new Authenticator();
  passport.use(strategy);
  passport.registerUserSerializer((user) => Promise.resolve(JSON.stringify(user)));
  passport.registerUserDeserializer((id: string) => Promise.resolve(JSON.parse(id) as unknown));
  const launchkey = fastifyHandlers(strategy);

  app.setErrorHandler((err: { name?: string; code?: string; message?: string }, _request, reply) => {
    void reply.code(500).send({ error: err.name, code: err.code, message: err.message });
  });
  // The webhook first: its own scope, its own body parser, no session.
  await app.register(launchkey.webhook, {
    url: '/webhooks/launchkey',
    onAuthorizationResponse: (event) => {
      hookEvents.push(`auth:${event.response.authorizationRequestId}`);
    },
    onSessionEnd: (event) => {
      hookEvents.push(`end:${event.serviceUserHash}`);
    },
  });
  await app.register(fastifyCookie);
  if (options.sessionWithoutId === true) {
    app.decorateRequest('session', null as never);
    app.addHook('onRequest', async (req) => {
      const idless = {
        regenerate: () => Promise.resolve(),
        save: () => Promise.resolve(),
        get: (key: string) => (idless as Record<string, unknown>)[key],
        set: (key: string, value: unknown) => {
          (idless as Record<string, unknown>)[key] = value;
        },
      };
      (req as { session?: unknown }).session = idless;
      return Promise.resolve();
    });
  } else if (options.session !== false) {
    await app.register(fastifySession, {
      secret: 'a spec secret of at least thirty-two characters',
      cookieName: 'sid',
      saveUninitialized: false,
      cookie: { secure: false },
      ...(options.sessionStore === undefined ? {} : { store: options.sessionStore }),
    });
  } else {
    // What a missing session plugin leaves: @fastify/passport only needs the decorator to exist.
    app.decorateRequest('session', null as never);
  }
  await app.register(fastifyFormbody);
  await app.register(passport.initialize());
  if (options.session !== false || options.sessionWithoutId === true) {
    await app.register(passport.secureSession());
    app.addHook('preHandler', launchkey.sessionGuard(options.sessionGuard));
  }

  const name = strategy.name;
  // A custom callback shows every outcome as JSON; `pass()` (pending) falls through to the 202.
  const login = passport.authenticate(
    name,
    { ...options.authenticate },
    async (
      req: FastifyRequest,
      reply: FastifyReply,
      err: unknown,
      user?: unknown,
      info?: unknown,
      status?: unknown,
    ) => {
      if (err !== null && err !== undefined) throw asError(err);
      if (user === false || user === undefined) {
        return reply.code(typeof status === 'number' ? status : 401).send({ ok: false, info });
      }
      await req.logIn(user);
      return reply.send({ ok: true, user, info });
    },
  );
  const pending = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    reply.code(202).send({ pending: (req as { launchkey?: unknown }).launchkey });
  app.post('/login', { preValidation: login }, pending);
  app.get('/login/complete', { preValidation: login }, pending);
  // @fastify/passport's own success path (request.logIn inside it), as most apps use it.
  const standard = passport.authenticate(name, {
    successRedirect: '/me',
    failureRedirect: '/login/failed',
    ...options.authenticate,
  });
  app.post('/login/std', { preValidation: standard }, pending);
  app.get('/login/std/complete', { preValidation: standard }, pending);
  app.get('/login/status', launchkey.statusHandler(options.statusHandler));
  app.post('/login/cancel', async (req) => ({ canceled: await strategy.cancel(req) }));
  app.post('/logout', launchkey.logoutHandler());
  app.get('/me', (req, reply) => {
    const session = (req as { session?: { sessionId?: string; launchkey?: unknown } | null }).session;
    return reply.send({
      user: req.user ?? null,
      sessionID: session?.sessionId ?? null,
      launchkey: session?.launchkey ?? null,
    });
  });
  await app.ready();
  if (listener === undefined) throw new Error('Fastify did not hand over its request handler');
  world.use(listener);
  return { ...spec, app, hookEvents, browser: () => request.agent(world.server) };
}
