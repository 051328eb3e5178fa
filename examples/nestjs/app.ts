// Creates the Nest app on Express or on Fastify: the module is the same, only the session
// middleware and the body parsers are the platform's own.
import 'reflect-metadata';

import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import session from 'express-session';
import type { FastifyServerOptions } from 'fastify';
import passport from 'passport';
import type { StrategyOptions } from 'passport-launchkey';

import { AppModule } from './app.module.js';

export type Platform = 'express' | 'fastify';

export interface NestAppOptions {
  platform: Platform;
  launchkey: StrategyOptions;
  sessionSecret: string;
  /** Fastify only: the server factory (a test lends Fastify its own server this way). */
  serverFactory?: FastifyServerOptions['serverFactory'];
}

// Nest's options: a literal, as its docs write them (their type extends a class, hence the lint rule).
// eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
const NEST_OPTIONS: NestApplicationOptions = { rawBody: true, logger: ['error'] };

export async function createNestApp(options: NestAppOptions): Promise<INestApplication> {
  const module = AppModule.forRoot(options.launchkey);
  // rawBody: the webhook's token signs the exact bytes of its body.
  if (options.platform === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(module, NEST_OPTIONS);
    // Behind a proxy: app.set('trust proxy', ...) to exactly your proxies, so req.ip is the client's.
    app.use(session({ secret: options.sessionSecret, resave: false, saveUninitialized: false }));
    app.use(passport.session());
    return app;
  }
  const adapter = new FastifyAdapter(
    options.serverFactory === undefined ? {} : { serverFactory: options.serverFactory },
  );
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, NEST_OPTIONS);
  // Authorization responses come as application/jose: kept as bytes for the webhook route.
  app.useBodyParser('application/jose');
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: options.sessionSecret,
    saveUninitialized: false,
    cookie: { secure: 'auto' },
  });
  // passport's session strategy, on Fastify's request (which carries the session): loads request.user.
  const restore = passport.session() as (request: unknown, reply: unknown, done: (err?: Error) => void) => void;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preValidation', (request, reply, done) => {
      restore(request, reply, done);
    });
  return app;
}
