/**
 * Type-level checks: this file compiles (npm run typecheck) only if the documented usage types.
 * The runtime part only constructs strategies.
 */
import { expect } from 'chai';
import type { Request } from 'express';
import passport from 'passport';

import { AuthPolicy } from '../../lib/entities/auth_policy.js';
import {
  launchkeyOptions,
  Strategy,
  type LaunchKeyResult,
  type StrategyOptions,
  type VerifyCallback,
} from '../../lib/passport/index.js';
import { IDS, KEYS } from '../support/passport_app.js';

const options: StrategyOptions = { serviceId: IDS.hook, privateKey: KEYS.svc, baseUrl: 'http://127.0.0.1:9' };
interface AppUser {
  id: string;
}
const lookup = (id: string): Promise<AppUser | false> => Promise.resolve(id === '' ? false : { id });

describe('Strategy types', () => {
  it('accept both verify forms, both passReqToCallback overloads and passport.use', () => {
    const authenticator = new passport.Passport();
    // verify(result, done)
    authenticator.use(
      new Strategy(options, (result: LaunchKeyResult, done: VerifyCallback) => {
        done(null, { id: result.serviceUserHash } satisfies AppUser);
      }),
    );
    // verify(result) returning a promise
    authenticator.use(new Strategy({ ...options, name: 'p' }, async (result) => await lookup(result.username)));
    // passReqToCallback: true with done, and with a promise
    authenticator.use(
      new Strategy({ ...options, name: 'r', passReqToCallback: true }, (req: Request, result, done) => {
        done(null, req.user ?? { id: result.username });
      }),
    );
    authenticator.use(
      new Strategy({ ...options, name: 'rp', passReqToCallback: true }, async (req, result) =>
        req.user === undefined ? await lookup(result.username) : false,
      ),
    );
    // passReqToCallback: false explicitly
    passport.use(new Strategy({ ...options, name: 'f', passReqToCallback: false }, () => Promise.resolve(undefined)));

    // @ts-expect-error: with passReqToCallback, verify gets the request first
    new Strategy({ ...options, passReqToCallback: true }, (result: LaunchKeyResult) =>
      Promise.resolve({ id: result.username }),
    );
    // @ts-expect-error: without it, the first argument is the result, not a request
    new Strategy(options, (req: Request, _result: LaunchKeyResult, done: VerifyCallback) => {
      done(null, req.user);
    });

    // Per-call options type-check through launchkeyOptions, with passport's own beside them.
    passport.authenticate(
      'launchkey',
      launchkeyOptions({
        policy: new AuthPolicy({ any: 2 }),
        context: (req: Request) => `Sign in from ${req.ip ?? 'unknown'}`,
        ttl: 120,
        pendingRedirect: '/login/wait',
        successRedirect: '/',
        failureRedirect: '/login',
        state: '/account',
      }),
    );
    // @ts-expect-error: a wrong type is caught there
    launchkeyOptions({ ttl: 'long' });
    // ...and LaunchKey's options do not leak into every other strategy's options.
    // @ts-expect-error: 'policy' is not an option of passport.authenticate('local', ...)
    passport.authenticate('local', { policy: new AuthPolicy({ any: 2 }) });

    // req.launchkey is typed: the pending login or the failure.
    const seen = (req: Request): string | undefined => {
      const info = req.launchkey;
      if (info === undefined) return undefined;
      return info.status === 'pending' ? info.authorizationRequestId : info.code;
    };
    expect(seen).to.be.a('function');

    // Options that are functions of the request, sync or async.
    new Strategy(
      {
        ...options,
        name: 'dyn',
        policy: async () => Promise.resolve(new AuthPolicy({ jailbreakProtection: true })),
        title: (req) => req.hostname,
        state: (req) => ({ returnTo: req.originalUrl }),
        getUsername: (req) => (req.user as AppUser | undefined)?.id,
      },
      async ({ username }) => await lookup(username),
    );
    expect(authenticator).to.be.an('object');
  });
});
