// Step-up after a password: an Express app whose users sign in with a password (passport-local), and
// whose security settings also need their phone's approval, recent (a LaunchKey push to the logged-in
// user). The same strategy instance also serves a phone-only login. `npm run example:step-up` runs it
// on an embedded emulator (or on the service named by LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY and
// LAUNCHKEY_BASE_URL); PORT (default 3000), SESSION_SECRET; the account is LAUNCHKEY_DEMO_USERNAME
// (default `demo`) with the password below.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { launchkeyOptions, Strategy } from 'passport-launchkey';
import { AuthPolicy } from 'passport-launchkey/sdk';

import { launchkeyService } from '../launchkey_service.js';
import { addAccount, checkPassword, hasAccount, type User } from './accounts.js';
import { confirmPage, homePage, settingsPage, signInPage, waitingPage } from './pages.js';

/** What this app keeps in the session besides passport's user. */
interface AppSession {
  cart?: string[];
  returnTo?: string; // where passport's successReturnToOrRedirect goes
  messages?: string[]; // where passport's failureMessage puts a failure's message
}
const data = (req: Request): AppSession => req.session as typeof req.session & AppSession;

const PASSWORD = 'correct horse battery staple';
/** How long a phone confirmation opens the security settings. */
const CONFIRMATION_MS = 5 * 60_000;

const env = process.env;
const port = Number(env['PORT'] ?? 3000);
const { serviceId, privateKey, baseUrl, ...service } = await launchkeyService(
  `http://127.0.0.1:${port}/launchkey/webhook`,
);
await addAccount(env['LAUNCHKEY_DEMO_USERNAME'] ?? 'demo', PASSWORD);

// examples: step-up
const launchkey = new Strategy(
  {
    serviceId,
    privateKey,
    baseUrl,
    pendingRedirect: '/login/wait',
    // Step-up: when someone is logged in, the push goes to them, whatever a form field says, and the
    // login keeps the session's data (the cart). Nobody logged in: the username field (phone only).
    getUsername: (req) => (req.user as User | undefined)?.username,
    passReqToCallback: true,
    // What the failure pages say (passport's failureMessage), instead of the generic "not approved".
    messages: {
      denied: 'The request was denied on your phone.',
      fraud: 'You reported the request as fraud. If it was not you, change your password.',
      policy: 'Your phone could not meet the security requirements (two factors).',
      expired: 'The request expired before your phone answered.',
    },
  },
  (req, { username }) => {
    // A step-up confirms the user already in the session; a phone-only login needs an account.
    if (req.user === undefined && !hasAccount(username)) return Promise.resolve(false);
    return Promise.resolve({ username, confirmedAt: Date.now() } satisfies User);
  },
);
passport.use(launchkey);
passport.use(
  new LocalStrategy((username, password, done) => {
    checkPassword(username, password).then(
      (user) => {
        done(null, user ?? false, { message: 'Wrong username or password.' });
      },
      (err: unknown) => {
        done(err);
      },
    );
  }),
);
passport.serializeUser((user, done) => {
  done(null, user); // small: the username and when the phone last confirmed them
});
passport.deserializeUser((user: User, done) => {
  done(null, hasAccount(user.username) ? user : false);
});

const confirmed = (user: User): boolean => Date.now() - (user.confirmedAt ?? 0) < CONFIRMATION_MS;
// examples end

const app = express();
app.post('/launchkey/webhook', express.raw({ type: '*/*' }), launchkey.webhookHandler()); // the callback URL
app.use(session({ secret: env['SESSION_SECRET'] ?? 'change me', resave: false, saveUninitialized: false }));
app.use(express.urlencoded({ extended: false }), passport.session(), launchkey.sessionGuard({ redirect: '/' }));

/** Failure messages passport left in the session, shown once. */
function takeMessages(req: Request): string[] {
  const messages = data(req).messages ?? [];
  delete data(req).messages;
  return messages;
}

function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.user === undefined) res.redirect(303, '/');
  else next();
}

app.get('/', (req, res) => {
  const user = req.user as User | undefined;
  if (user === undefined) res.send(signInPage(takeMessages(req)));
  else res.send(homePage(user.username, data(req).cart ?? [], confirmed(user)));
});
app.post(
  '/login/password',
  passport.authenticate('local', { successRedirect: '/', failureRedirect: '/', failureMessage: true }),
);
app.post('/cart', requireUser, (req, res) => {
  const item: unknown = (req.body as Record<string, unknown>)['item'];
  if (typeof item === 'string' && item.trim() !== '')
    data(req).cart = [...(data(req).cart ?? []), item.trim().slice(0, 100)];
  res.redirect(303, '/');
});

// examples: step-up routes
app.get('/settings', requireUser, (req, res) => {
  const user = req.user as User;
  if (confirmed(user)) {
    res.send(settingsPage(user.username, data(req).cart?.length ?? 0));
    return;
  }
  data(req).returnTo = '/settings'; // where the step-up's completion goes
  res.send(confirmPage(takeMessages(req)));
});
// The push to the logged-in user, stricter than a sign-in: two factors on the phone.
app.post(
  '/step-up',
  requireUser,
  passport.authenticate(
    'launchkey',
    launchkeyOptions({
      policy: new AuthPolicy({ any: 2 }),
      title: 'Open security settings',
      failureRedirect: '/settings',
      failureMessage: true,
    }),
  ),
);
app.post('/login/phone', passport.authenticate('launchkey', { failureRedirect: '/', failureMessage: true }));
app.get('/login/wait', (_req, res) => res.send(waitingPage));
app.get('/login/status', launchkey.statusHandler());
// One completion for both: a step-up returns to the settings (and, denied, stays logged in with its
// password); a phone-only login goes home.
app.get('/login/complete', (req, res, next) => {
  const failureRedirect = req.user === undefined ? '/' : '/settings';
  const complete = passport.authenticate('launchkey', {
    successReturnToOrRedirect: '/',
    failureRedirect,
    failureMessage: true,
  }) as RequestHandler;
  complete(req, res, next);
});
app.post('/login/cancel', (req, res, next) => {
  launchkey.cancel(req).then(() => res.redirect(303, req.user === undefined ? '/' : '/settings'), next);
});
// Ends the LaunchKey session when the phone confirmed this login, then the local one.
app.post('/logout', launchkey.logoutHandler({ redirect: '/' }));
// examples end

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`);
  console.log(service.describe());
  console.log(`Sign in with the password: ${PASSWORD}`);
});
process.on('SIGTERM', () => {
  server.close();
  void service.close();
});
