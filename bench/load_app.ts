/**
 * The app process of `npm run bench:load`: Express 5, express-session, passport and the strategy,
 * as the README's quick start mounts them, with the strategy's state in memory or in Redis. It
 * measures itself: CPU time, event-loop delay and the LaunchKey API calls it made, reported on
 * `GET /bench/stats` and reset by `POST /bench/reset`.
 *
 * Environment: LAUNCHKEY_BASE_URL, LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY, MODE (webhook | poll
 * | both), STORE (memory | redis), REDIS_URL, PREFIX, POLL_INTERVAL (ms).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import axios from 'axios';
import { RedisStore as RedisSessionStore } from 'connect-redis';
import express, { type RequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';
import { createClient } from 'redis';

import { Strategy, type CompletionMode } from '../lib/passport/index.js';
import { redisState } from '../lib/redis/index.js';

const env = process.env;
const store = env['STORE'] ?? 'memory';
let apiCalls: Record<string, number> = {};
const http = axios.create();
http.interceptors.request.use((cfg) => {
  const path = new URL(cfg.url ?? '/').pathname.replace(/[0-9a-f-]{36}/g, ':id');
  const call = `${(cfg.method ?? 'get').toUpperCase()} ${path}`;
  apiCalls[call] = (apiCalls[call] ?? 0) + 1;
  return cfg;
});

const redis = store === 'redis' ? createClient({ url: env['REDIS_URL'] ?? '' }) : undefined;
redis?.on('error', () => undefined);
await redis?.connect();
const prefix = env['PREFIX'] ?? 'bench:';
const shared = redis === undefined ? undefined : redisState({ client: redis, prefix: `${prefix}lk:` });

const strategy = new Strategy(
  {
    serviceId: env['LAUNCHKEY_SERVICE_ID'] ?? '',
    privateKey: env['LAUNCHKEY_SERVICE_KEY'] ?? '',
    baseUrl: env['LAUNCHKEY_BASE_URL'] ?? '',
    transport: { axios: http },
    mode: (env['MODE'] ?? 'webhook') as CompletionMode,
    pollInterval: Number(env['POLL_INTERVAL'] ?? 2000),
    // One client machine drives every virtual user: the start limits would refuse it.
    rateLimit: false,
    ...(shared === undefined ? {} : { store: shared.store, replayCache: shared.replayCache }),
  },
  (result) => Promise.resolve({ username: result.username, hash: result.serviceUserHash }),
);
const authenticator = new passport.Passport();
authenticator.use(strategy);
authenticator.serializeUser((user, done) => {
  done(null, user);
});
authenticator.deserializeUser((user: Express.User, done) => {
  done(null, user);
});

const app = express();
app.post('/webhooks/launchkey', express.raw({ type: '*/*' }), strategy.webhookHandler());
app.use(
  session({
    secret: env['SESSION_SECRET'] ?? 'bench secret',
    resave: false,
    saveUninitialized: false,
    ...(redis === undefined ? {} : { store: new RedisSessionStore({ client: redis, prefix: `${prefix}sess:` }) }),
  }),
);
app.use(express.urlencoded({ extended: false }));
app.use(authenticator.initialize());
app.use(authenticator.session());
const login: RequestHandler = (req, res, next) => {
  (
    authenticator.authenticate('launchkey', (err: unknown, user: Express.User | false, info: unknown) => {
      if (err !== null && err !== undefined) {
        next(err);
        return;
      }
      if (user === false) {
        res.status(401).json({ info });
        return;
      }
      req.logIn(user, (e: unknown) => {
        if (e !== null && e !== undefined) next(e);
        else res.json({ ok: true });
      });
    }) as RequestHandler
  )(req, res, next);
};
app.post('/login', login, (_req, res) => res.status(202).end());
app.get('/login/complete', login, (_req, res) => res.status(202).end());
app.get('/login/status', strategy.statusHandler({ maxWaits: 100_000 }));

const loop = monitorEventLoopDelay({ resolution: 5 });
let cpu = process.cpuUsage();
loop.enable();
app.get('/bench/stats', (_req, res) => {
  const used = process.cpuUsage(cpu);
  res.json({
    cpuMs: (used.user + used.system) / 1000,
    apiCalls,
    loopP50Ms: loop.percentile(50) / 1e6,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  });
});
app.post('/bench/reset', (_req, res) => {
  cpu = process.cpuUsage();
  loop.reset();
  apiCalls = {};
  res.status(204).end();
});

const server = createServer(app);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  void strategy.close().finally(() => process.exit(0));
});
