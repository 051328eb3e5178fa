// The quick start's app on Fastify 5: @fastify/session, @fastify/passport and the strategy's routes
// from passport-launchkey/fastify. `npm run example:fastify` runs it on an embedded emulator (or on
// the service named by LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY and LAUNCHKEY_BASE_URL); PORT
// (default 3000), SESSION_SECRET (32 characters or more).
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { Authenticator } from '@fastify/passport';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { Strategy } from 'passport-launchkey';
import { fastifyHandlers } from 'passport-launchkey/fastify';

import { launchkeyService, loginPage, waitingPage } from '../launchkey_service.js';
import { findUser, saveUser, type User } from '../users.js';

const env = process.env;
const port = Number(env['PORT'] ?? 3000);
const sessionSecret = env['SESSION_SECRET'] ?? 'change me: thirty-two characters or more';
const { serviceId, privateKey, baseUrl, ...service } = await launchkeyService(
  `http://127.0.0.1:${port}/launchkey/webhook`,
);

const launchkey = new Strategy(
  { serviceId, privateKey, baseUrl, pendingRedirect: '/login/wait' },
  async ({ username, serviceUserHash }) => saveUser({ username, serviceUserHash }),
);
const passport = new Authenticator();
passport.use(launchkey);
passport.registerUserSerializer(async (user: User) => user.serviceUserHash);
passport.registerUserDeserializer(async (hash: string) => findUser(hash) ?? null);
const routes = fastifyHandlers(launchkey);

// Behind a proxy: trustProxy set to exactly your proxies, so request.ip (the per-address limit) is the client's.
const app = Fastify({ trustProxy: false });
// The callback URL: its own plugin keeps the raw body (the token signs it) and sits before the session.
await app.register(routes.webhook, { url: '/launchkey/webhook' });
await app.register(fastifyCookie);
await app.register(fastifySession, { secret: sessionSecret, saveUninitialized: false, cookie: { secure: 'auto' } });
await app.register(fastifyFormbody);
await app.register(passport.initialize());
await app.register(passport.secureSession());
app.addHook('preHandler', routes.sessionGuard());
app.post('/login', { preValidation: passport.authenticate('launchkey', { failureRedirect: '/login' }) }, () => {});
app.get('/login/wait', (_request, reply) => reply.type('text/html').send(waitingPage));
app.get('/login/status', routes.statusHandler());
app.get(
  '/login/complete',
  { preValidation: passport.authenticate('launchkey', { successRedirect: '/', failureRedirect: '/login' }) },
  () => {},
);
app.post('/login/cancel', async (request, reply) => {
  await launchkey.cancel(request);
  return reply.redirect('/login', 303);
});
app.post('/logout', routes.logoutHandler({ redirect: '/' }));
// examples end

app.get('/login', (_request, reply) => reply.type('text/html').send(loginPage));
app.get('/', async (request) => (request.user ? `Hello ${(request.user as User).username}` : 'Not logged in'));
await app.listen({ port, host: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${port}`);
console.log(service.describe());
process.on('SIGTERM', () => {
  void app.close().then(() => service.close());
});
