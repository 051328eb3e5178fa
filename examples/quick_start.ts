// The README's quick start, whole: a complete app. Reads LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY
// (PEM), LAUNCHKEY_BASE_URL, SESSION_SECRET and PORT (default 3000).
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy } from 'passport-launchkey';

interface User {
  username: string; // to push to the user and to end their LaunchKey session
  serviceUserHash: string; // LaunchKey's stable id of the user for this service
}
const users = new Map<string, User>(); // your database, keyed by serviceUserHash

const launchkey = new Strategy(
  {
    serviceId: process.env.LAUNCHKEY_SERVICE_ID ?? '',
    privateKey: process.env.LAUNCHKEY_SERVICE_KEY ?? '',
    baseUrl: process.env.LAUNCHKEY_BASE_URL ?? 'https://api.launchkey.com', // or the API you run
    pendingRedirect: '/login/wait',
  },
  async ({ username, serviceUserHash }) => {
    const user = { username, serviceUserHash };
    users.set(serviceUserHash, user);
    return user;
  },
);
passport.use(launchkey);
passport.serializeUser((user, done) => done(null, (user as User).serviceUserHash));
passport.deserializeUser((hash: string, done) => done(null, users.get(hash) ?? false));

const loginPage = `<form method="post" action="/login">
  <input name="username" autocomplete="username" required> <button>Sign in</button></form>`;
// The waiting page follows the login's status and moves on once the phone answered; "none" means
// there is no login to wait for (already signed in, or the Back button): go home.
const waitingPage = `<p>Approve the request on your phone (it shows code <b id="code"></b>).</p><script>
  const events = new EventSource('/login/status');
  events.addEventListener('status', (event) => {
    const { status, correlationCode } = JSON.parse(event.data);
    document.getElementById('code').textContent = correlationCode ?? '';
    if (status === 'pending') return;
    events.close();
    location.assign(status === 'none' ? '/' : '/login/complete');
  });</script>`;

const app = express();
app.post('/launchkey/webhook', express.raw({ type: '*/*' }), launchkey.webhookHandler()); // the callback URL
app.use(session({ secret: process.env.SESSION_SECRET ?? 'change me', resave: false, saveUninitialized: false }));
app.use(express.urlencoded({ extended: false }), passport.session(), launchkey.sessionGuard());
app.get('/', (req, res) => res.send(req.user ? `Hello ${(req.user as User).username}` : loginPage));
app.get('/login', (_req, res) => res.send(loginPage));
app.post('/login', passport.authenticate('launchkey', { failureRedirect: '/login' }));
app.get('/login/wait', (_req, res) => res.send(waitingPage));
app.get('/login/status', launchkey.statusHandler());
app.get('/login/complete', passport.authenticate('launchkey', { successRedirect: '/', failureRedirect: '/login' }));
app.post('/logout', launchkey.logoutHandler({ redirect: '/' }));

await launchkey.check(); // a wrong key or service id fails here, not at the first login
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`);
});
process.on('SIGTERM', () => server.close());
