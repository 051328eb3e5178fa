/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { expect } from 'chai';

import { MemoryStore, type PendingRecord } from '../../lib/passport/index.js';
import {
  buildApp,
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
} from '../support/passport_app.js';

/** A MemoryStore whose first `set` waits until released (a webhook overtakes the start, R8). */
class GatedStore extends MemoryStore {
  entered!: Promise<void>;
  release!: () => void;
  private _enter!: () => void;
  private _gate: Promise<void>;

  constructor() {
    super();
    this.entered = new Promise((resolve) => (this._enter = resolve));
    this._gate = new Promise((resolve) => (this.release = resolve));
  }

  override async set(record: PendingRecord, ttlMs: number): Promise<void> {
    this._enter();
    await this._gate;
    return super.set(record, ttlMs);
  }
}

describe('Strategy webhooks, modes, status, logout and session guard', () => {
  const world = useWorld();
  const user = userPool();

  describe('modes', () => {
    it("mode 'webhook' completes from the webhook and never polls the API", async () => {
      const t = buildApp(world, { strategy: { mode: 'webhook' } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'pending' });
      await browser.get('/login/complete').expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'approved' });
      await browser.get('/login/complete').expect(200);
      expect(polls(t.apiCalls)).to.equal(0);
      expect(t.hookEvents).to.have.length(1);
    });

    it("mode 'poll' completes from one poll of the API, with no webhook URL", async () => {
      const t = buildApp(world, { service: 'poll', strategy: { mode: 'poll' } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await browser.get('/login/complete').expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(200);
      expect(polls(t.apiCalls)).to.equal(2);
      expect(t.hookEvents).to.deep.equal([]);
    });

    it("mode 'both' polls only while the webhook has not arrived (webhook after the first status check)", async () => {
      const t = buildApp(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'pending' });
      expect(polls(t.apiCalls)).to.equal(1);
      await world.emu.respond(pendingId(world, username), 'deny');
      await world.emu.webhooksSettled();
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'denied', code: 'denied' });
      expect((await browser.get('/login/complete')).body.info.code).to.equal('denied');
      expect(polls(t.apiCalls)).to.equal(1);
    });

    it("mode 'both' makes no poll when the webhook arrived before the first status check", async () => {
      const t = buildApp(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'approved' });
      await browser.get('/login/complete').expect(200);
      expect(polls(t.apiCalls)).to.equal(0);
    });
  });

  describe('the webhook handler', () => {
    it('answers a duplicate delivery 204 and changes state once', async () => {
      const t = buildApp(world, { strategy: { mode: 'webhook' } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const [delivered] = t.webhooks;
      if (delivered === undefined) throw new Error('no webhook received');
      const replays = await Promise.all([1, 2, 3].map(() => replayWebhook(browser, delivered)));
      expect(replays.map((r) => [r.status, r.text])).to.deep.equal([
        [204, ''],
        [204, ''],
        [204, ''],
      ]);
      expect(t.hookEvents).to.have.length(1);
      await browser.get('/login/complete').expect(200);
    });

    it('keeps a webhook that arrives before the pending record and completes with it (R8)', async () => {
      const store = new GatedStore();
      const t = buildApp(world, { store, strategy: { mode: 'webhook' } });
      const browser = t.browser();
      const username = user();
      const started = browser.post('/login').type('form').send({ username });
      const startedDone = started.then((r) => r);
      await store.entered;
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      expect(t.hookEvents).to.have.length(1);
      store.release();
      expect((await startedDone).status).to.equal(202);
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'approved' });
      await browser.get('/login/complete').expect(200);
      expect(polls(t.apiCalls)).to.equal(0);
    });

    it('answers a forged webhook 401 with an empty body', async () => {
      const t = buildApp(world);
      const res = await t
        .browser()
        .post('/webhooks/launchkey')
        .set('Content-Type', 'application/json')
        .set('X-IOV-JWT', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln')
        .send('{"service_user_hash":"x","api_time":"2024-01-01T00:00:00Z"}');
      expect(res.status).to.equal(401);
      expect(res.text).to.equal('');
    });

    it('reports a parsed (not raw) body as a configuration error naming express.raw', async () => {
      const t = buildApp(world);
      const res = await t.browser().post('/webhooks/parsed').set('Content-Type', 'application/json').send('{}');
      expect(res.status).to.equal(500);
      expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
      expect(res.body.message).to.include('express.raw');
    });
  });

  describe('the status handler', () => {
    it('answers none without a pending login, and the status and code of the session’s own login', async () => {
      const t = buildApp(world);
      const browser = t.browser();
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'none' });
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const res = await browser.get('/login/status');
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.body).to.deep.equal({ status: 'pending' });
      await world.emu.respond(pendingId(world, username), 'fraud');
      expect((await browser.get('/login/status')).body).to.deep.equal({ status: 'denied', code: 'fraud' });
      expect((await t.browser().get('/login/status')).body).to.deep.equal({ status: 'none' });
      // Reading the status consumed nothing and logged nobody in.
      expect((await browser.get('/login/complete')).body.info.code).to.equal('fraud');
    });

    it('long-polls (?wait=) until the webhook answer arrives through the store notification', async () => {
      const store = new WatchedStore();
      // Polling disabled and re-reads far apart: only the store notification can answer in time.
      const t = buildApp(world, { store, strategy: { mode: 'webhook', pollInterval: 60_000 } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const subscribed = store.subscribed();
      const waiting = browser.get('/login/status?wait=20').then((r) => r);
      await subscribed;
      await world.emu.respond(pendingId(world, username), 'approve');
      const res = await waiting;
      expect(res.body).to.deep.equal({ status: 'approved' });
      await browser.get('/login/complete').expect(200);
    });

    it('streams Server-Sent Events: pending now, then the webhook answer, then closes', async () => {
      const store = new WatchedStore();
      const t = buildApp(world, { store, strategy: { mode: 'webhook', pollInterval: 60_000 } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const subscribed = store.subscribed();
      const streaming = statusEvents(browser);
      await subscribed;
      await world.emu.respond(pendingId(world, username), 'deny');
      const { headers, events } = await streaming;
      expect(headers['content-type']).to.match(/^text\/event-stream/);
      expect(events).to.deep.equal([{ status: 'pending' }, { status: 'denied', code: 'denied' }]);
    });
  });

  describe('logout', () => {
    it('ends the LaunchKey session, then logs out locally with a new session id', async () => {
      const t = buildApp(world);
      const username = user();
      const browser = await loggedIn(world, t, username);
      expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);
      const before = ((await browser.get('/me')).body as { sessionID: string }).sessionID;
      await browser.post('/logout').expect(204);
      expect(sessionsOf(world, username)).to.deep.equal([]);
      const me = (await browser.get('/me')).body as { user: unknown; sessionID: string };
      expect(me.user).to.equal(null);
      expect(me.sessionID).to.not.equal(before);
    });

    it('logs a user out on their next request after they end the session from the phone, and only them', async () => {
      const t = buildApp(world);
      const alice = user();
      const bob = user();
      const aliceBrowser = await loggedIn(world, t, alice);
      const bobBrowser = await loggedIn(world, t, bob);
      world.emu.endSession(IDS.hook, alice);
      await world.emu.webhooksSettled();
      expect(t.hookEvents.filter((e) => e.startsWith('end:'))).to.have.length(1);
      expect((await aliceBrowser.get('/me')).body.user).to.equal(null);
      expect((await bobBrowser.get('/me')).body.user).to.include({ username: bob });

      // A login after the session end is not affected by it.
      const again = await loggedIn(world, t, alice);
      expect((await again.get('/me')).body.user).to.include({ username: alice });
    });
  });
});
