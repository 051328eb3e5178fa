/**
 * Type-level checks: this file compiles (npm run typecheck) only if the documented usage types.
 * The runtime part only constructs strategies.
 */
import { expect } from 'chai';
import type { Request } from 'express';
import passport from 'passport';

import { AuthPolicy } from '../../lib/entities/auth_policy.js';
import { Strategy, type LaunchKeyResult, type StrategyOptions, type VerifyCallback } from '../../lib/passport/index.js';
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

    // Per-call options type-check as passport.authenticate options.
    passport.authenticate('launchkey', {
      policy: new AuthPolicy({ any: 2 }),
      context: (req: Request) => `Sign in from ${req.ip ?? 'unknown'}`,
      ttl: 120,
      pendingRedirect: '/login/wait',
      successRedirect: '/',
      failureRedirect: '/login',
      state: '/account',
    });

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
