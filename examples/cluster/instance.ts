// One instance of the demo app, as a cluster runs several: its sessions in Redis (connect-redis),
// and the strategy's shared state in the same Redis (passport-launchkey/redis). Every instance
// must be given the same Redis, the same LaunchKey credentials and the same session secret; nothing
// else is shared, and any instance can serve any request of any login.
//
// Started by cluster.ts with LAUNCHKEY_* (as the demo reads them), REDIS_URL, SESSION_SECRET and
// INSTANCE (a name for the logs); prints one line with its URL when it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { RedisStore as RedisSessionStore } from 'connect-redis';
import { redisState } from 'passport-launchkey/redis';
import { createClient } from 'redis';

import { createApp } from '../express-app/app.js';
import { realApiSettings } from '../express-app/settings.js';

const name = process.env['INSTANCE'] ?? 'app';
const launchkey = realApiSettings(process.env);
const redisUrl = process.env['REDIS_URL'];
const sessionSecret = process.env['SESSION_SECRET'];
if (launchkey === undefined || redisUrl === undefined || sessionSecret === undefined) {
  throw new Error(
    'instance.ts needs LAUNCHKEY_BASE_URL, LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY, REDIS_URL and SESSION_SECRET',
  );
}

// One client for sessions and LaunchKey state. node-redis reconnects by itself when Redis comes
// back; while it is away, logins fail closed with a clear error instead of waiting.
const redis = createClient({
  url: redisUrl,
  socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
});
redis.on('error', (err: Error) => {
  console.error(`[${name}] redis: ${err.message}`);
});
await redis.connect();

const app = createApp({
  ...launchkey,
  demoUsername: process.env['DEMO_USERNAME'],
  phoneUrl: process.env['PHONE_URL'],
  appName: 'Demo cluster',
  sessionSecret,
  sessionStore: new RedisSessionStore({ client: redis, prefix: 'demo-cluster:sess:' }),
  // The load balancer runs on this machine: trust it, and only it, to say who the client is.
  trustProxy: 'loopback',
  strategy: { ...redisState({ client: redis, prefix: 'demo-cluster:lk:' }) },
  logError: (err) => {
    console.error(`[${name}]`, err);
  },
});

const server = createServer((req, res) => {
  res.setHeader('X-Served-By', name);
  // Readiness, as a load balancer probes it: this instance can serve logins only while its Redis
  // client is connected (after an outage each instance reconnects on its own schedule).
  if (req.url === '/healthz') {
    res
      .writeHead(redis.isReady ? 200 : 503, { 'Content-Type': 'text/plain' })
      .end(redis.isReady ? 'ready' : 'redis not ready');
    return;
  }
  app(req, res);
});
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  console.log(`instance ${name} listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

function stop(): void {
  server.closeAllConnections();
  server.close(() => {
    redis.destroy();
    process.exit(0);
  });
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
