// The demo app: Express 5 + express-session + passport 0.7 + the LaunchKey strategy. `createApp`
// builds it without listening, so a server (server.ts) or a test can mount it.
import { randomBytes } from 'node:crypto';

import express, { type ErrorRequestHandler, type Express } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy, type StrategyOptions } from 'passport-launchkey';
import { AuthPolicy, DirectoryFactory } from 'passport-launchkey/sdk';

import { accountRoutes } from './account_routes.js';
import { Activity } from './activity.js';
import { linkRoutes } from './link_routes.js';
import { loginRoutes } from './login_routes.js';
import { demoSession } from './session_data.js';
import { userFromResult, type DemoUser } from './user.js';
import { errorPage, type Site } from './views.js';

export interface DemoAppOptions {
  /** The LaunchKey API: the emulator's URL, or the real API's. */
  baseUrl: string;
  serviceId: string;
  /** The service's private key, PEM. */
  serviceKey: string;
  /** Directory credentials: enable the "link a phone" page. */
  directory?: { id: string; key: string } | undefined;
  /** Shown in the header and in the push context; default "Demo app". */
  appName?: string;
  /** A username whose phone is linked, suggested on the login page. */
  demoUsername?: string | undefined;
  /** The emulator's phone page, linked from the pages when set. */
  phoneUrl?: string | undefined;
  /** Signs the session cookie; default a random one (sessions end with the process). */
  sessionSecret?: string;
  /**
   * Where sessions live; default express-session's in-process store. Several instances of the app
   * share one (connect-redis), and the same `sessionSecret`.
   */
  sessionStore?: session.Store;
  /**
   * Express's `trust proxy` for `req.ip`, which the per-address start limit counts: behind a load
   * balancer, exactly the balancer's addresses (e.g. `'loopback'`). Default none: no proxy.
   */
  trustProxy?: string;
  /** More strategy options (e.g. `ttl`, `rateLimit`, `transport`), applied last. */
  strategy?: Partial<StrategyOptions>;
  /** Where unexpected errors are reported; default `console.error`. */
  logError?: (err: unknown) => void;
}

const TWO_FACTORS = new AuthPolicy({ any: 2 });

export function createApp(options: DemoAppOptions): Express {
  const appName = options.appName ?? 'Demo app';
  // The Activity panel: the strategy's audit events of this process, the last 50.
  const activity = new Activity(50);
  const site: Site = { appName, linking: options.directory !== undefined, phoneUrl: options.phoneUrl, activity };
  const logError =
    options.logError ??
    ((err: unknown) => {
      console.error(err);
    });

  const strategy = new Strategy(
    {
      serviceId: options.serviceId,
      privateKey: options.serviceKey,
      baseUrl: options.baseUrl,
      pendingRedirect: '/login/wait',
      title: `Sign in to ${appName}`,
      context: (req) => demoSession(req).waiting?.context,
      // A per-login dynamic policy: the login form's "require two factors" box.
      policy: (req) =>
        (req.body as Record<string, unknown> | undefined)?.['twoFactors'] === 'on' ? TWO_FACTORS : undefined,
      audit: activity.record,
      ...options.strategy,
    },
    (result) => Promise.resolve(userFromResult(result)),
  );
  const authenticator = new passport.Passport();
  authenticator.use(strategy);
  // No database in the demo: the whole user record lives in the session.
  authenticator.serializeUser((user, done) => {
    done(null, user);
  });
  authenticator.deserializeUser((user: DemoUser, done) => {
    done(null, user);
  });

  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' http: https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    });
    next();
  });
  // The webhook needs the raw body and no session: mounted before both.
  app.post(
    '/webhooks/launchkey',
    express.raw({ type: '*/*', limit: '64kb' }),
    strategy.webhookHandler({ onError: logError }),
  );
  app.use(
    session({
      name: 'demo.sid',
      secret: options.sessionSecret ?? randomBytes(32).toString('hex'),
      ...(options.sessionStore === undefined ? {} : { store: options.sessionStore }),
      resave: false,
      saveUninitialized: false,
      // SameSite + POST-only state changes: enough cross-site request protection for a demo.
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: '8kb' }));
  app.use(authenticator.initialize());
  app.use(authenticator.session());
  // Logs a user out here once they ended the session on their phone.
  app.use(strategy.sessionGuard({ redirect: '/login?notice=ended-on-phone' }));

  app.use(loginRoutes({ site, authenticator, strategy, demoUsername: options.demoUsername }));
  app.use(accountRoutes({ site, strategy }));
  if (options.directory !== undefined) {
    const factory = new DirectoryFactory(options.directory.id, options.directory.key, { baseUrl: options.baseUrl });
    app.use(linkRoutes({ site, directory: factory.makeDirectoryClient() }));
  }

  app.use((_req, res) => {
    res
      .status(404)
      .type('html')
      .send(errorPage(site, 404, 'There is no page here.').text);
  });
  // Four parameters: Express recognises error handlers by their arity.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    logError(err);
    if (res.headersSent) return;
    res
      .status(500)
      .type('html')
      .send(errorPage(site, 500, 'The server could not finish this request.').text);
  };
  app.use(onError);
  return app;
}
