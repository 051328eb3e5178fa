// Signing in: the login form, the waiting page and its live status, completion, and cancel.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type passport from 'passport';
import type { Strategy } from 'passport-launchkey';

import { loginContext } from './context.js';
import { failureMessage, NOTICES } from './messages.js';
import { demoSession, takeFlash } from './session_data.js';
import { demoUser } from './user.js';
import { loginPage, waitingPage, type Notice, type Site } from './views.js';
import { WAITING_SCRIPT } from './waiting_script.js';

export interface LoginRouteOptions {
  site: Site;
  authenticator: InstanceType<typeof passport.Passport>;
  strategy: Strategy;
  demoUsername: string | undefined;
}

export function loginRoutes({ site, authenticator, strategy, demoUsername }: LoginRouteOptions): express.Router {
  const router = express.Router();

  // Start (POST /login) and completion (GET /login/complete) share one outcome handler: a pending
  // login is redirected to the waiting page by the strategy itself (its `pendingRedirect`).
  const finish: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const handler = authenticator.authenticate(
      strategy.name,
      (err: unknown, user: Express.User | false, info: unknown) => {
        if (err !== null && err !== undefined) {
          next(err);
          return;
        }
        if (user === false) {
          // "Nothing pending": another tab completed this login (and replaced the session), or the
          // outcome was already reported (a cancel). Write nothing: writing to this request's older
          // session would put it back and log the user out. The home page knows where to go.
          if ((info as { code?: unknown } | undefined)?.code === 'no-pending') {
            res.redirect(303, '/');
            return;
          }
          const session = demoSession(req);
          delete session.waiting;
          session.flash = { kind: 'error', text: failureMessage(info) };
          res.redirect(303, '/login');
          return;
        }
        req.logIn(user, (loginErr: unknown) => {
          if (loginErr !== null && loginErr !== undefined) next(loginErr);
          else res.redirect(303, '/profile');
        });
      },
    ) as RequestHandler;
    handler(req, res, next);
  };

  router.get('/', (req, res) => {
    res.redirect(303, demoUser(req.user) === undefined ? '/login' : '/profile');
  });

  router.get('/login', (req, res) => {
    if (demoUser(req.user) !== undefined) {
      res.redirect(303, '/profile');
      return;
    }
    const flash = takeFlash(req);
    const key = typeof req.query['notice'] === 'string' ? req.query['notice'] : '';
    const notice: Notice | undefined =
      flash !== undefined
        ? flash
        : Object.hasOwn(NOTICES, key)
          ? { kind: 'info', text: NOTICES[key] ?? '' }
          : undefined;
    const asked = typeof req.query['username'] === 'string' ? req.query['username'].slice(0, 255) : undefined;
    res.type('html').send(loginPage(site, { notice, username: asked ?? demoUsername ?? '', demoUsername }).text);
  });

  router.post(
    '/login',
    (req, _res, next) => {
      // Remember what the push says, for the waiting page (the strategy's `context` option reads it).
      const username: unknown = (req.body as Record<string, unknown> | undefined)?.['username'];
      demoSession(req).waiting = {
        username: typeof username === 'string' ? username.trim() : '',
        context: loginContext(site.appName, req.get('user-agent'), new Date()),
      };
      next();
    },
    finish,
  );

  router.get('/login/wait', (req, res, next) => {
    const waiting = demoSession(req).waiting;
    if (waiting === undefined) {
      res.redirect(303, '/login');
      return;
    }
    // The push ends with a per-attempt code; the page shows the same, so the user can match them.
    strategy.status(req).then((status) => {
      const code = status.correlationCode === undefined ? '' : ` · code ${status.correlationCode}`;
      res.set('Cache-Control', 'no-store');
      res
        .type('html')
        .send(
          waitingPage(site, { ...waiting, context: `${waiting.context}${code}`, expiresAt: status.expiresAt }).text,
        );
    }, next);
  });

  router.get('/assets/waiting.js', (_req, res) => {
    res.type('js').send(WAITING_SCRIPT);
  });

  // JSON, ?wait= long poll, or Server-Sent Events: what the waiting page listens to.
  router.get('/login/status', strategy.statusHandler());
  router.get('/login/complete', finish);

  router.post('/login/cancel', (req, res, next) => {
    strategy.cancel(req).then(() => {
      const session = demoSession(req);
      delete session.waiting;
      // The user's own choice: news, not an error.
      session.flash = { kind: 'info', text: failureMessage({ code: 'canceled' }) };
      res.redirect(303, '/login');
    }, next);
  });

  return router;
}
