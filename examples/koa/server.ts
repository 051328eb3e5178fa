// The quick start's app on Koa 3: koa-session (on a store), koa-passport and the strategy's routes
// from passport-launchkey/koa. `npm run example:koa` runs it on an embedded emulator (or on the
// service named by LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY and LAUNCHKEY_BASE_URL); PORT
// (default 3000), SESSION_SECRET.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import passport from 'koa-passport';
import session from 'koa-session';
import { Strategy } from 'passport-launchkey';
import { koaHandlers } from 'passport-launchkey/koa';

import { launchkeyService, loginPage, waitingPage } from '../launchkey_service.js';
import { findUser, saveUser, type User } from '../users.js';
import { MemorySessionStore } from './session_store.js';

const env = process.env;
const port = Number(env['PORT'] ?? 3000);
const sessionSecret = env['SESSION_SECRET'] ?? 'change me';
const { serviceId, privateKey, baseUrl, ...service } = await launchkeyService(
  `http://127.0.0.1:${port}/launchkey/webhook`,
);

const launchkey = new Strategy(
  { serviceId, privateKey, baseUrl, pendingRedirect: '/login/wait' },
  async ({ username, serviceUserHash }) => saveUser({ username, serviceUserHash }),
);
passport.use(launchkey);
passport.serializeUser((user, done) => done(null, (user as User).serviceUserHash));
passport.deserializeUser((hash: string, done) => done(null, findUser(hash) ?? false));
const routes = koaHandlers(launchkey);

const app = new Koa();
app.keys = [sessionSecret];
// Behind a proxy: app.proxy = true (and a proxy that sets X-Forwarded-For), so ctx.ip is the client's.
const hooks = new Router();
// The callback URL: before the body parser (it reads the raw body itself) and the session.
hooks.post('/launchkey/webhook', routes.webhookHandler());
app.use(hooks.routes());
app.use(session({ store: new MemorySessionStore() }, app)); // a store: sessions need ids
app.use(bodyParser());
app.use(passport.initialize());
app.use(passport.session());
app.use(routes.sessionGuard());
const router = new Router();
router.post('/login', passport.authenticate('launchkey', { failureRedirect: '/login' }));
router.get('/login/wait', (ctx) => (ctx.body = waitingPage));
router.get('/login/status', routes.statusHandler());
router.get('/login/complete', passport.authenticate('launchkey', { successRedirect: '/', failureRedirect: '/login' }));
router.post('/login/cancel', async (ctx) => {
  await launchkey.cancel(ctx);
  ctx.redirect('/login');
  ctx.status = 303;
});
router.post('/logout', routes.logoutHandler({ redirect: '/' }));
// examples end

router.get('/login', (ctx) => (ctx.body = loginPage));
router.get('/', (ctx) => {
  const user = ctx.state['user'] as User | undefined;
  ctx.body = user ? `Hello ${user.username}` : 'Not logged in';
});
app.use(router.routes());
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}`);
  console.log(service.describe());
});
process.on('SIGTERM', () => {
  server.close();
  void service.close();
});
