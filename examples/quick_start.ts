// The README's quick start, runnable. Reads LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY (PEM),
// LAUNCHKEY_BASE_URL (default https://api.launchkey.com), SESSION_SECRET and PORT (default 3000).
// quick start begins
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy } from 'passport-launchkey';
// quick start imports end
import { saveUser, findUser, type User } from './quick_start_users.js';

const env = process.env;
const [serviceId, privateKey] = [env['LAUNCHKEY_SERVICE_ID'] ?? '', env['LAUNCHKEY_SERVICE_KEY'] ?? ''];
const baseUrl = env['LAUNCHKEY_BASE_URL'] ?? 'https://api.launchkey.com';
const sessionSecret = env['SESSION_SECRET'] ?? 'change me';
// The waiting page: it listens to /login/status and goes to /login/complete once the phone answered.
const waitingPage = `<p>Approve the request on your phone.</p><script>
  new EventSource('/login/status').addEventListener('status', (event) => {
    if (JSON.parse(event.data).status !== 'pending') location.assign('/login/complete');
  });</script>`;

// quick start body begins
const launchkey = new Strategy(
  { serviceId, privateKey, baseUrl, pendingRedirect: '/login/wait' },
  async ({ username, serviceUserHash }) => saveUser({ username, serviceUserHash }), // keep both: see below
);
passport.use(launchkey);
passport.serializeUser((user, done) => done(null, (user as User).serviceUserHash));
passport.deserializeUser((hash: string, done) => done(null, findUser(hash) ?? false));

const app = express();
app.post('/launchkey/webhook', express.raw({ type: '*/*' }), launchkey.webhookHandler()); // the callback URL
app.use(session({ secret: sessionSecret, resave: false, saveUninitialized: false }));
app.use(express.urlencoded({ extended: false }), passport.session(), launchkey.sessionGuard());
app.post('/login', passport.authenticate('launchkey', { failureRedirect: '/login' }));
app.get('/login/wait', (_req, res) => res.send(waitingPage));
app.get('/login/status', launchkey.statusHandler());
app.get('/login/complete', passport.authenticate('launchkey', { successRedirect: '/', failureRedirect: '/login' }));
app.post('/logout', launchkey.logoutHandler({ redirect: '/' }));
// quick start ends

app.get('/', (req, res) => res.send(req.user ? `Hello ${(req.user as User).username}` : 'Not logged in'));
const server = app.listen(Number(env['PORT'] ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`);
});
process.on('SIGTERM', () => server.close());
