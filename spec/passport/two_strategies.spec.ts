/**
 * Two strategy instances on one service (a passwordless login and a step-up with options of its own),
 * as the README describes them: they share the store, the session key (the default) and one service
 * client, and the app mounts the webhook route, the session guard and the logout of one of them.
 * Everything the other one starts is then seen by those: its webhook, its logout, a logout from the
 * phone.
 */
import { expect } from 'chai';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import axios from 'axios';
import request from 'supertest';

import { ServiceFactory } from '../../lib/sdk/index.js';
import { MemoryStore, Strategy, type StrategyOptions } from '../../lib/passport/index.js';
import { IDS, KEYS, pendingId, sessionsOf, userPool, useWorld } from '../support/passport_app.js';

describe('two strategy instances on one service', () => {
  const world = useWorld();
  const user = userPool();

  let strategies: Strategy[] = [];
  afterEach(async () => {
    for (const strategy of strategies.splice(0)) await strategy.close();
  });

  function twoStrategyApp(): { apiCalls: string[] } {
    const apiCalls: string[] = [];
    const recording = axios.create();
    recording.interceptors.request.use((cfg) => {
      apiCalls.push(`${(cfg.method ?? 'get').toUpperCase()} ${new URL(cfg.url ?? '/').pathname}`);
      return cfg;
    });
    // Shared: one client (its API key cache checks either's webhooks; its replay cache), one store
    // (pending logins, poll leases, revocations).
    const serviceClient = new ServiceFactory(IDS.hook, KEYS.svc, {
      baseUrl: world.emu.url,
      axios: recording,
    }).makeServiceClient();
    const store = new MemoryStore();
    const verify = (result: { username: string; serviceUserHash: string }) =>
      Promise.resolve({ username: result.username, serviceUserHash: result.serviceUserHash });
    const shared: StrategyOptions = { serviceClient, store };
    const main = new Strategy(shared, verify);
    const stepUp = new Strategy(
      { ...shared, name: 'launchkey-step-up', usernameField: false, getUsername: (req) => req.get('x-acting-user') },
      verify,
    );
    strategies = [main, stepUp];
    const authenticator = new passport.Passport();
    authenticator.use(main);
    authenticator.use(stepUp);
    authenticator.serializeUser((u, done) => {
      done(null, JSON.stringify(u));
    });
    authenticator.deserializeUser((id: string, done) => {
      done(null, JSON.parse(id) as Express.User);
    });
    const app = express();
    app.post('/webhooks/launchkey', express.raw({ type: '*/*' }), main.webhookHandler());
    app.use(session({ secret: 'spec secret', resave: false, saveUninitialized: false }));
    app.use(
      express.urlencoded({ extended: false }),
      authenticator.session() as express.RequestHandler,
      main.sessionGuard(),
    );
    const to = (name: string) =>
      authenticator.authenticate(name, {
        successRedirect: '/me',
        failureRedirect: '/failed',
      }) as express.RequestHandler;
    app.post('/login', to('launchkey'), (_req, res) => res.sendStatus(202));
    app.get('/login/complete', to('launchkey'), (_req, res) => res.sendStatus(202));
    app.post('/step-up', to('launchkey-step-up'), (_req, res) => res.sendStatus(202));
    app.get('/step-up/complete', to('launchkey-step-up'), (_req, res) => res.sendStatus(202));
    app.post('/logout', main.logoutHandler());
    app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
    world.use(app);
    return { apiCalls };
  }

  const me = async (browser: request.Agent): Promise<{ username: string } | null> =>
    ((await browser.get('/me')).body as { user: { username: string } | null }).user;

  async function steppedUp(username: string): Promise<request.Agent> {
    const browser = request.agent(world.server);
    await browser.post('/step-up').set('x-acting-user', username).expect(202);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    await browser.get('/step-up/complete').set('x-acting-user', username).expect(302).expect('location', '/me');
    expect((await me(browser))?.username).to.equal(username);
    expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);
    return browser;
  }

  it("the step-up's answer arrives through the other instance's webhook route: no poll needed", async () => {
    const { apiCalls } = twoStrategyApp();
    await steppedUp(user());
    expect(apiCalls.filter((c) => c.startsWith('GET /service/v3/auths/'))).to.deep.equal([]);
  });

  it("the other instance's logout ends the step-up's LaunchKey session", async () => {
    twoStrategyApp();
    const username = user();
    const browser = await steppedUp(username);
    await browser.post('/logout').expect(204);
    expect(sessionsOf(world, username)).to.deep.equal([]);
    expect(await me(browser)).to.equal(null);
  });

  it("a logout from the phone reaches the step-up's session through the other instance's guard", async () => {
    twoStrategyApp();
    const username = user();
    const browser = await steppedUp(username);
    world.emu.endSession(IDS.hook, username);
    await world.emu.webhooksSettled();
    expect(await me(browser)).to.equal(null);
  });
});
