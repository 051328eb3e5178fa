/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * The core flows again, on Express 4.22 (the `express4` alias) instead of Express 5: same
 * express-session, passport 0.7, strategy and emulator over loopback. "Works with Express 4 and 5".
 */
import { createRequire } from 'node:module';

import { expect } from 'chai';
import express from 'express';

import {
  buildApp,
  express4,
  IDS,
  loggedIn,
  pendingId,
  polls,
  replayWebhook,
  sessionsOf,
  statusEvents,
  useWorld,
  userPool,
  WatchedStore,
  type AppOptions,
  type TestApp,
} from '../support/passport_app.js';

describe('Strategy on Express 4 (express4 alias), express-session, passport 0.7 and the emulator', () => {
  const world = useWorld();
  const user = userPool();
  const build = (options: AppOptions = {}): TestApp => buildApp(world, { ...options, framework: 'express4' });

  it('really runs on Express 4.22.1: the app’s request prototype is Express 4’s, not Express 5’s', () => {
    const version = (createRequire(import.meta.url)('express4/package.json') as { version: string }).version;
    expect(version).to.equal('4.22.1');
    const t = build();
    expect(Object.getPrototypeOf(t.app.request)).to.equal(express4.request);
    expect(Object.getPrototypeOf(t.app.request)).to.not.equal(express.request);
    const t5 = buildApp(world);
    expect(Object.getPrototypeOf(t5.app.request)).to.equal(express.request);
  });

  it('approve: verify gets the LaunchKey result, the user is logged in with a new session id and a LaunchKey session', async () => {
    const t = build();
    const browser = t.browser();
    const username = user();
    const started = await browser.post('/login').type('form').send({ username });
    expect(started.status).to.equal(202);
    const id = pendingId(world, username);
    expect(started.body.pending).to.include({ status: 'pending', authorizationRequestId: id });
    const before = (await browser.get('/me')).body as { sessionID: string; launchkey: { handle: string } };
    expect(before.launchkey.handle).to.match(/^[\w-]{43}$/);

    await world.emu.respond(id, 'approve');
    await world.emu.webhooksSettled();
    const done = await browser.get('/login/complete');

    expect(done.status).to.equal(200);
    expect(done.body.info).to.include({ code: 'approved', authorizationRequestId: id });
    expect(t.verified).to.have.length(1);
    expect(t.verified[0]).to.include({ username, authorizationRequestId: id });
    expect(t.verified[0]?.serviceUserHash).to.be.a('string').and.not.empty;
    expect(t.verified[0]?.response.authorized).to.equal(true);
    const me = (await browser.get('/me')).body as {
      sessionID: string;
      user: { username: string };
      launchkey: { login: { username: string }; handle?: string };
    };
    expect(me.user.username).to.equal(username);
    expect(me.sessionID).to.not.equal(before.sessionID);
    expect(me.launchkey.login.username).to.equal(username);
    expect(me.launchkey.handle).to.equal(undefined);
    expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);
  });

  it('approve through passport’s own successRedirect path answers 302 to /me with a new session id', async () => {
    const t = build();
    const browser = t.browser();
    const username = user();
    await browser.post('/login/std').type('form').send({ username }).expect(202);
    const before = ((await browser.get('/me')).body as { sessionID: string }).sessionID;
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    const done = await browser.get('/login/std/complete');
    expect(done.status).to.equal(302);
    expect(done.headers['location']).to.equal('/me');
    const me = (await browser.get('/me')).body as { sessionID: string; user: { username: string } };
    expect(me.user.username).to.equal(username);
    expect(me.sessionID).to.not.equal(before);
  });

  it('deny: 401 with code denied, verify never called, nobody logged in', async () => {
    const t = build();
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'deny');
    const done = await browser.get('/login/complete');
    expect(done.status).to.equal(401);
    expect(done.body.info).to.include({ code: 'denied', reason: 'DISAPPROVED', fraud: false });
    expect(t.verified).to.deep.equal([]);
    expect((await browser.get('/me')).body).to.include({ user: null, launchkey: null });
  });

  it("mode 'webhook' completes from the webhook alone, with no poll", async () => {
    const t = build({ strategy: { mode: 'webhook' } });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await browser.get('/login/complete').expect(202);
    const id = pendingId(world, username);
    await world.emu.respond(id, 'approve');
    await world.emu.webhooksSettled();
    expect(t.hookEvents).to.deep.equal([`auth:${id}`]);
    expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'approved' });
    await browser.get('/login/complete').expect(200);
    expect(polls(t.apiCalls)).to.equal(0);
  });

  it('statusHandler answers JSON (none, pending, then the long-polled answer) without consuming the login', async () => {
    const store = new WatchedStore();
    const t = build({ store, strategy: { mode: 'webhook', pollInterval: 60_000 } });
    const browser = t.browser();
    expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'none' });
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    const now = await browser.get('/login/status');
    expect(now.headers['content-type']).to.match(/^application\/json/);
    expect(now.headers['cache-control']).to.equal('no-store');
    expect(now.body).to.deep.equal({ status: 'pending' });
    const subscribed = store.subscribed();
    const waiting = browser.get('/login/status?wait=20').then((r) => r);
    await subscribed;
    await world.emu.respond(pendingId(world, username), 'fraud');
    expect((await waiting).body).to.deep.equal({ status: 'denied', code: 'fraud' });
    expect((await browser.get('/login/complete')).body.info.code).to.equal('fraud');
  });

  it('statusHandler streams Server-Sent Events: pending, then the webhook answer, then closes', async () => {
    const store = new WatchedStore();
    const t = build({ store, strategy: { mode: 'webhook', pollInterval: 60_000 } });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    const subscribed = store.subscribed();
    const streaming = statusEvents(browser);
    await subscribed;
    await world.emu.respond(pendingId(world, username), 'approve');
    const { headers, events } = await streaming;
    expect(headers['content-type']).to.match(/^text\/event-stream/);
    expect(events).to.deep.equal([{ status: 'pending' }, { status: 'approved' }]);
    await browser.get('/login/complete').expect(200);
  });

  it('logout ends the LaunchKey session, then logs out locally with a new session id', async () => {
    const t = build();
    const username = user();
    const browser = await loggedIn(world, t, username);
    expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);
    const before = ((await browser.get('/me')).body as { sessionID: string }).sessionID;
    await browser.post('/logout').expect(204);
    expect(t.apiCalls).to.include('DELETE /service/v3/sessions');
    expect(sessionsOf(world, username)).to.deep.equal([]);
    const me = (await browser.get('/me')).body as { user: unknown; sessionID: string };
    expect(me.user).to.equal(null);
    expect(me.sessionID).to.not.equal(before);
  });

  it('sessionGuard logs out only the user who ended the session on the phone, on their next request', async () => {
    const t = build();
    const alice = user();
    const bob = user();
    const aliceBrowser = await loggedIn(world, t, alice);
    const bobBrowser = await loggedIn(world, t, bob);
    world.emu.endSession(IDS.hook, alice);
    await world.emu.webhooksSettled();
    expect(t.hookEvents.filter((e) => e.startsWith('end:'))).to.have.length(1);
    expect((await aliceBrowser.get('/me')).body.user).to.equal(null);
    expect((await bobBrowser.get('/me')).body.user).to.include({ username: bob });
  });

  describe('webhookHandler behind express.raw', () => {
    it('processes a delivery once: the emulator gets 204, identical replays get 204 and change nothing', async () => {
      const t = build({ strategy: { mode: 'webhook' } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const id = pendingId(world, username);
      const delivered = world.emu.webhooks().length;
      await world.emu.respond(id, 'approve');
      await world.emu.webhooksSettled();
      expect(
        world.emu
          .webhooks()
          .slice(delivered)
          .map((d) => d.status),
      ).to.deep.equal([204]);
      const [hook] = t.webhooks;
      if (hook === undefined) throw new Error('no webhook received');
      expect(hook.headers['content-type']).to.equal('application/jose');
      const replays = await Promise.all([1, 2].map(() => replayWebhook(browser, hook)));
      expect(replays.map((r) => [r.status, r.text])).to.deep.equal([
        [204, ''],
        [204, ''],
      ]);
      expect(t.hookEvents).to.deep.equal([`auth:${id}`]);
      await browser.get('/login/complete').expect(200);
    });

    it('answers a forged webhook 401 with an empty body', async () => {
      const t = build();
      const res = await t
        .browser()
        .post('/webhooks/launchkey')
        .set('Content-Type', 'application/json')
        .set('X-IOV-JWT', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln')
        .send('{"service_user_hash":"x","api_time":"2024-01-01T00:00:00Z"}');
      expect(res.status).to.equal(401);
      expect(res.text).to.equal('');
      expect(t.hookEvents).to.deep.equal([]);
    });

    it('reports a body parsed by express.json as a ConfigurationError naming express.raw', async () => {
      const t = build();
      const res = await t.browser().post('/webhooks/parsed').set('Content-Type', 'application/json').send('{}');
      expect(res.status).to.equal(500);
      expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
      expect(res.body.message).to.include('express.raw');
    });
  });

  describe('webhookHandler behind an app-wide express.json() (body-parser 1 sets req.body = {} on a type it skips)', () => {
    it('still reads an application/jose authorization response itself and completes the login', async () => {
      const t = build({ webhookBody: 'json', strategy: { mode: 'webhook' } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const id = pendingId(world, username);
      const delivered = world.emu.webhooks().length;
      await world.emu.respond(id, 'approve');
      await world.emu.webhooksSettled();
      expect(
        world.emu
          .webhooks()
          .slice(delivered)
          .map((d) => d.status),
      ).to.deep.equal([204]);
      expect(t.hookEvents).to.deep.equal([`auth:${id}`]);
      await browser.get('/login/complete').expect(200);
    });

    it('refuses the application/json session end that express.json consumed: 500 ConfigurationError, nothing revoked', async () => {
      const errors: unknown[] = [];
      const t = build({ webhookBody: 'json', webhook: { onError: (err) => errors.push(err) } });
      const username = user();
      const browser = await loggedIn(world, t, username);
      const delivered = world.emu.webhooks().length;
      world.emu.endSession(IDS.hook, username);
      await world.emu.webhooksSettled();
      expect(
        world.emu
          .webhooks()
          .slice(delivered)
          .map((d) => [d.kind, d.status]),
      ).to.deep.equal([['session-end', 500]]);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include({ code: 'ERR_LK_CONFIGURATION' });
      expect((errors[0] as Error).message).to.include('express.raw');
      expect(t.hookEvents.filter((e) => e.startsWith('end:'))).to.deep.equal([]);
      // The revocation never reached the store, so the guard has nothing to act on.
      expect((await browser.get('/me')).body.user).to.include({ username });
    });
  });
});
