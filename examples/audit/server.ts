// Audit events and metrics: the quick start's app, with the strategy's audit events written as JSON
// lines by pino (to stdout, where a log shipper takes them) and its metrics exported by the
// OpenTelemetry SDK (metrics.ts). `npm run example:audit` runs it on an embedded emulator (or on the
// service named by LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY and LAUNCHKEY_BASE_URL); PORT (default
// 3000), SESSION_SECRET, METRICS_INTERVAL_MS (default 60000), AUDIT_USERNAME_KEY (set: usernames are
// recorded as a keyed hash).
import { createHmac } from 'node:crypto';

import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy } from 'passport-launchkey';
import { pino } from 'pino';

import { launchkeyService, loginPage, waitingPage } from '../launchkey_service.js';
import { findUser, saveUser, type User } from '../users.js';
import { startMetrics } from './metrics.js';

const env = process.env;
const port = Number(env['PORT'] ?? 3000);
const { serviceId, privateKey, baseUrl, ...service } = await launchkeyService(
  `http://127.0.0.1:${port}/launchkey/webhook`,
);

// examples: audit
const logger = pino(); // one JSON line per call, on stdout
const meterProvider = startMetrics(logger, Number(env['METRICS_INTERVAL_MS'] ?? 60_000));

// Pseudonymous usernames, when the logs must not name people: the same user gives the same value
// (so a security team can still follow one account), and nobody without the key can reverse it.
const usernameKey = env['AUDIT_USERNAME_KEY'];
const auditUsername =
  usernameKey === undefined
    ? undefined
    : (username: string) => createHmac('sha256', usernameKey).update(username).digest('base64url').slice(0, 22);

const launchkey = new Strategy(
  {
    serviceId,
    privateKey,
    baseUrl,
    pendingRedirect: '/login/wait',
    // Every start, answer, refusal, webhook and logout, after the decision: never a token, a key, a
    // body or a session id. A logger that throws or hangs cannot break or slow a login.
    audit: (event) => logger.info(event, 'launchkey audit'),
    ...(auditUsername === undefined ? {} : { auditUsername }),
    // Faults with no request to report them to, and an audit listener that failed (once).
    onError: (err) => logger.error({ err }, 'launchkey background error'),
  },
  async ({ username, serviceUserHash }) => saveUser({ username, serviceUserHash }),
);
// examples end
passport.use(launchkey);
passport.serializeUser((user, done) => done(null, (user as User).serviceUserHash));
passport.deserializeUser((hash: string, done) => done(null, findUser(hash) ?? false));

const app = express();
app.post('/launchkey/webhook', express.raw({ type: '*/*' }), launchkey.webhookHandler()); // the callback URL
app.use(session({ secret: env['SESSION_SECRET'] ?? 'change me', resave: false, saveUninitialized: false }));
app.use(express.urlencoded({ extended: false }), passport.session(), launchkey.sessionGuard());
app.get('/', (req, res) => res.send(req.user ? `Hello ${(req.user as User).username}` : loginPage));
app.get('/login', (_req, res) => res.send(loginPage));
app.post('/login', passport.authenticate('launchkey', { failureRedirect: '/login' }));
app.get('/login/wait', (_req, res) => res.send(waitingPage));
app.get('/login/status', launchkey.statusHandler());
app.get('/login/complete', passport.authenticate('launchkey', { successRedirect: '/', failureRedirect: '/login' }));
app.post('/login/cancel', (req, res, next) => {
  launchkey.cancel(req).then(() => res.redirect(303, '/login'), next);
});
app.post('/logout', launchkey.logoutHandler({ redirect: '/' }));

const server = app.listen(port, '127.0.0.1', () => {
  logger.info(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`);
  logger.info(service.describe());
});
process.on('SIGTERM', () => {
  server.close();
  // The last metrics are exported before the process ends.
  void meterProvider.shutdown().then(() => service.close());
});
