/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { expect } from 'chai';
import session from 'express-session';
import request from 'supertest';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { MemoryStore, type CompletionResult, type FinalOutcome, type PendingRecord } from '../../lib/passport/index.js';
import { legacyOnly } from '../support/legacy_webhook.js';
import { eventually } from '../support/assertions.js';
import {
  abortRequest,
  buildApp,
  FRAMEWORKS,
  IDS,
  KEYS,
  loggedIn,
  pendingId,
  polls,
  replayWebhook,
  sessionsOf,
  statusEvents,
  useWorld,
  userPool,
  WatchedStore,
  view,
  type TestApp,
} from '../support/passport_app.js';

/** A MemoryStore whose first `refusals` completions fail (an outage the webhook answers 503). */
class RefusingStore extends MemoryStore {
  constructor(private refusals: number) {
    super();
  }

  override completeIfPending(id: string, outcome: FinalOutcome): Promise<CompletionResult> {
    if (this.refusals > 0) {
      this.refusals -= 1;
      return Promise.reject(new Error('store unreachable (spec)'));
    }
    return super.completeIfPending(id, outcome);
  }
}

/** A MemoryStore whose first `set` waits until released (a webhook overtakes the start, R8). */
class GatedStore extends MemoryStore {
  entered!: Promise<void>;
  open!: () => void;
  private _enter!: () => void;
  private _gate: Promise<void>;

  constructor() {
    super();
    this.entered = new Promise((resolve) => (this._enter = resolve));
    this._gate = new Promise((resolve) => (this.open = resolve));
  }

  override async set(record: PendingRecord, ttlMs: number): Promise<void> {
    this._enter();
    await this._gate;
    return super.set(record, ttlMs);
  }
}

for (const framework of FRAMEWORKS) {
  describe(`Strategy webhooks, modes, status, logout and session guard (${framework})`, () => {
    const world = useWorld();
    const user = userPool();

    describe('modes', () => {
      it("mode 'webhook' completes from the webhook and never polls the API", async () => {
        const t = buildApp(world, { framework, strategy: { mode: 'webhook' } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
        await browser.get('/login/complete').expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'approved' });
        await browser.get('/login/complete').expect(200);
        expect(polls(t.apiCalls)).to.equal(0);
        expect(t.hookEvents).to.have.length(1);
      });

      it("mode 'poll' completes from the background poller; status requests never call the API", async () => {
        const t = buildApp(world, { framework, service: 'poll', strategy: { mode: 'poll', pollInterval: 100 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        const answered = await browser.get('/login/status?wait=10');
        expect(view(answered.body)).to.deep.equal({ status: 'approved' });
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(200);
        expect(polls(t.apiCalls)).to.be.at.least(1);
        expect(t.hookEvents).to.deep.equal([]);
      });

      it('a status request, a long poll and a stream never call the API themselves', async () => {
        // A poller far in the future: any API call during the requests would be theirs.
        const store = new WatchedStore();
        const t = buildApp(world, { framework, store, strategy: { pollInterval: 60_000 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const calls = t.apiCalls.length;
        await browser.get('/login/status').expect(200);
        await browser.get('/login/status?wait=1').expect(200);
        const subscribed = store.subscribed();
        const streaming = statusEvents(browser);
        await subscribed;
        await world.emu.respond(pendingId(world, username), 'deny');
        expect((await streaming).events.map(view)).to.deep.equal([
          { status: 'pending' },
          { status: 'denied', code: 'denied' },
        ]);
        expect(t.apiCalls.slice(calls)).to.deep.equal([]);
      });

      it("mode 'both' stops polling once the webhook answered", async () => {
        const t = buildApp(world, { framework, strategy: { pollInterval: 100 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await eventually(() => polls(t.apiCalls) >= 2, 'the poller to poll');
        await world.emu.respond(pendingId(world, username), 'deny');
        await world.emu.webhooksSettled();
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'denied', code: 'denied' });
        const after = polls(t.apiCalls);
        await new Promise((resolve) => setTimeout(resolve, 400));
        // At most the tick that was already on its way; then nothing.
        expect(polls(t.apiCalls)).to.be.at.most(after + 1);
        expect((await browser.get('/login/complete')).body.info.code).to.equal('denied');
      });

      it("mode 'both' makes no poll when the webhook arrives before the poller's first tick", async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'approved' });
        await browser.get('/login/complete').expect(200);
        expect(polls(t.apiCalls)).to.equal(0);
      });
    });

    describe('the waiting path: one poller per login, bounded waits', () => {
      /** Starts a login for `username` on `app` and returns its session cookie. */
      async function startOn(app: TestApp, username: string): Promise<string> {
        const started = await request(app.app).post('/login').type('form').send({ username }).expect(202);
        const [cookie = ''] = (started.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
        return cookie.split(';')[0] ?? '';
      }

      it('polls a login from one instance only, however many instances and waits there are', async () => {
        const store = new MemoryStore();
        const sessionStore = new session.MemoryStore();
        // Three app instances sharing their stores; the browser's requests land on all of them.
        const instances = [0, 1, 2].map(() =>
          buildApp(world, {
            framework,
            store,
            sessionStore,
            service: 'poll',
            strategy: { mode: 'poll', pollInterval: 100 },
          }),
        );
        const [first, ...others] = instances as [TestApp, TestApp, TestApp];
        const username = user();
        const cookie = await startOn(first, username);
        const waits = instances.flatMap((instance) =>
          [1, 2].map(() => request(instance.app).get('/login/status?wait=20').set('Cookie', cookie)),
        );
        await eventually(() => polls(first.apiCalls) >= 3, 'a few polls');
        await world.emu.respond(pendingId(world, username), 'approve');
        for (const res of await Promise.all(waits)) expect(view(res.body)).to.deep.equal({ status: 'approved' });
        expect(others.map((o) => polls(o.apiCalls))).to.deep.equal([0, 0]);
      });

      it('another instance takes the polling over when the one that held it stops', async () => {
        const store = new MemoryStore();
        const sessionStore = new session.MemoryStore();
        const options = {
          store,
          sessionStore,
          service: 'poll',
          strategy: { mode: 'poll', pollInterval: 100 },
        } as const;
        const first = buildApp(world, options);
        const second = buildApp(world, options);
        const username = user();
        const cookie = await startOn(first, username);
        await eventually(() => polls(first.apiCalls) >= 1, 'the first instance to poll');
        await first.strategy.close();
        // The lease runs out after three missed ticks; then a read on the second instance takes it.
        await new Promise((resolve) => setTimeout(resolve, 350));
        await request(second.app).get('/login/status').set('Cookie', cookie).expect(200);
        await world.emu.respond(pendingId(world, username), 'approve');
        const res = await request(second.app).get('/login/status?wait=10').set('Cookie', cookie);
        expect(view(res.body)).to.deep.equal({ status: 'approved' });
        expect(polls(second.apiCalls)).to.be.at.least(1);
      });

      it('caps the waits of one login (the oldest closes) and of the handler (503 with Retry-After)', async () => {
        const store = new WatchedStore();
        const t = buildApp(world, {
          framework,
          store,
          statusHandler: { maxWaitsPerLogin: 2, maxWaits: 3 },
          strategy: { mode: 'webhook' },
        });
        const username = user();
        const cookie = await startOn(t, username);
        // Resolves once the wait listens, to its answer (wrapped: an awaited promise would be flattened).
        const wait = async (c: string): Promise<{ answer: Promise<unknown> }> => {
          const subscribed = store.subscribed();
          const answer = request(t.app)
            .get('/login/status?wait=20')
            .set('Cookie', c)
            .then((r) => r.body as unknown);
          await subscribed;
          return { answer };
        };
        const first = await wait(cookie);
        const second = await wait(cookie);
        const third = await wait(cookie);
        // The oldest wait of the login made room: it answered what it had, at once.
        expect(view(await first.answer)).to.deep.equal({ status: 'pending' });
        const otherCookie = await startOn(t, user());
        const otherWait = await wait(otherCookie);
        const refused = await request(t.app).get('/login/status?wait=20').set('Cookie', otherCookie);
        expect(refused.status).to.equal(503);
        expect(refused.headers['retry-after']).to.equal('5');
        await world.emu.respond(pendingId(world, username), 'approve');
        for (const body of [await second.answer, await third.answer]) {
          expect(view(body)).to.deep.equal({ status: 'approved' });
        }
        await request(t.app).post('/login/cancel').set('Cookie', otherCookie).expect(200);
        expect(view(await otherWait.answer)).to.deep.equal({ status: 'canceled', code: 'canceled' });
        expect(store.listeners()).to.equal(0);
      });

      it('releases every timer, subscription and wait slot when the client goes away, also before the first answer', async () => {
        const store = new WatchedStore();
        const t = buildApp(world, { framework, store, statusHandler: { maxWaits: 1 }, strategy: { mode: 'webhook' } });
        const cookie = await startOn(t, user());
        const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
        const baseline = timers();
        for (const accept of ['application/json', 'text/event-stream']) {
          const path = accept === 'application/json' ? '/login/status?wait=20' : '/login/status';
          // 0: gone before the first read answered; 50: gone while waiting.
          for (const abortAfter of [0, 50]) {
            await abortRequest(world.url, path, { cookie, accept }, abortAfter);
            await eventually(
              () => store.listeners() === 0 && timers() <= baseline,
              `release (${accept}, ${abortAfter} ms)`,
            );
            // The one wait slot is free again.
            expect((await request(t.app).get('/login/status?wait=0').set('Cookie', cookie)).status).to.equal(200);
            const next = request(t.app).get('/login/status?wait=1').set('Cookie', cookie);
            expect((await next).status).to.equal(200);
          }
        }
      });

      it('takes Accept apart properly: q=0 refuses event streams, and media types are case-insensitive', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const json = await browser.get('/login/status').set('Accept', 'text/event-stream;q=0, application/json');
        expect(json.headers['content-type']).to.match(/^application\/json/);
        const upper = await browser
          .get('/login/status')
          .set('Accept', 'TEXT/EVENT-STREAM')
          .buffer(true)
          .parse((stream, done) => {
            let text = '';
            stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
            stream.on('end', () => {
              done(null, text);
            });
          });
        expect(upper.headers['content-type']).to.match(/^text\/event-stream/);
        expect(upper.body).to.include('"status":"none"');
      });

      it('validates its options, naming the option', () => {
        const t = buildApp(world, { framework });
        for (const [options, option] of [
          [{ heartbeat: Number.NaN }, 'heartbeat'],
          [{ maxWait: -1 }, 'maxWait'],
          [{ maxStream: 1.5 }, 'maxStream'],
          [{ maxWaitsPerLogin: 0 }, 'maxWaitsPerLogin'],
          [{ maxWaits: 'many' }, 'maxWaits'],
        ] as const) {
          expect(() => t.strategy.statusHandler(options as never))
            .to.throw()
            .with.property('option', option);
        }
      });
    });

    describe('the webhook handler', () => {
      it('answers a duplicate delivery 204 and changes state once', async () => {
        const t = buildApp(world, { framework, strategy: { mode: 'webhook' } });
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
        const t = buildApp(world, { framework, store, strategy: { mode: 'webhook' } });
        const browser = t.browser();
        const username = user();
        const started = browser.post('/login').type('form').send({ username });
        const startedDone = started.then((r) => r);
        await store.entered;
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        expect(t.hookEvents).to.have.length(1);
        store.open();
        expect((await startedDone).status).to.equal(202);
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'approved' });
        await browser.get('/login/complete').expect(200);
        expect(polls(t.apiCalls)).to.equal(0);
      });

      it('refuses a webhook answer carrying only the legacy package unless allowLegacyAuthPackage (off by default)', async () => {
        for (const allow of [false, true]) {
          // The real delivery is answered 503 (and forgotten), so the legacy-only copy is the first processed.
          const store = new RefusingStore(1);
          const t = buildApp(world, { framework, store, strategy: { mode: 'webhook', allowLegacyAuthPackage: allow } });
          const browser = t.browser();
          const username = user();
          await browser.post('/login').type('form').send({ username }).expect(202);
          await world.emu.respond(pendingId(world, username), 'approve');
          await world.emu.webhooksSettled();
          const [real] = t.webhooks;
          if (real === undefined) throw new Error('no webhook received');
          const legacy = await legacyOnly(
            { ...real, path: '/webhooks/launchkey' },
            loadPrivateKey(KEYS.svc),
            loadPrivateKey(KEYS.api),
          );
          const answer = await replayWebhook(browser, legacy);
          if (allow) {
            expect(answer.status).to.equal(204);
            expect((await browser.get('/login/complete')).status).to.equal(200);
          } else {
            expect([answer.status, answer.text]).to.deep.equal([400, '']);
            expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
            await browser.post('/login/cancel').expect(200);
          }
        }
      });

      it('answers a forged webhook 401 with an empty body', async () => {
        const t = buildApp(world, { framework });
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
        const t = buildApp(world, { framework });
        const res = await t.browser().post('/webhooks/parsed').set('Content-Type', 'application/json').send('{}');
        expect(res.status).to.equal(500);
        expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
        expect(res.body.message).to.include('express.raw');
      });
    });

    describe('the status handler', () => {
      it('answers none without a pending login, and the status and code of the session’s own login', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'none' });
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const res = await browser.get('/login/status');
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(view(res.body)).to.deep.equal({ status: 'pending' });
        await world.emu.respond(pendingId(world, username), 'fraud');
        await world.emu.webhooksSettled();
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'denied', code: 'fraud' });
        expect(view((await t.browser().get('/login/status')).body)).to.deep.equal({ status: 'none' });
        // Reading the status consumed nothing and logged nobody in.
        expect((await browser.get('/login/complete')).body.info.code).to.equal('fraud');
      });

      it('long-polls (?wait=) until the webhook answer arrives through the store notification', async () => {
        const store = new WatchedStore();
        // Polling disabled and re-reads far apart: only the store notification can answer in time.
        const t = buildApp(world, { framework, store, strategy: { mode: 'webhook', pollInterval: 60_000 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const subscribed = store.subscribed();
        const waiting = browser.get('/login/status?wait=20').then((r) => r);
        await subscribed;
        await world.emu.respond(pendingId(world, username), 'approve');
        const res = await waiting;
        expect(view(res.body)).to.deep.equal({ status: 'approved' });
        await browser.get('/login/complete').expect(200);
      });

      it('streams Server-Sent Events: pending now, then the webhook answer, then closes', async () => {
        const store = new WatchedStore();
        const t = buildApp(world, { framework, store, strategy: { mode: 'webhook', pollInterval: 60_000 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const subscribed = store.subscribed();
        const streaming = statusEvents(browser);
        await subscribed;
        await world.emu.respond(pendingId(world, username), 'deny');
        const { headers, events } = await streaming;
        expect(headers['content-type']).to.match(/^text\/event-stream/);
        expect(events.map(view)).to.deep.equal([{ status: 'pending' }, { status: 'denied', code: 'denied' }]);
      });
    });

    describe('logout', () => {
      it('ends the LaunchKey session, then logs out locally with a new session id', async () => {
        const t = buildApp(world, { framework });
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
        const t = buildApp(world, { framework });
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
}

describe('endSessionOnLogout(): an application’s own logout route', () => {
  const world = useWorld();
  const user = userPool();

  /** An app whose own POST /my-logout calls req.logout(), with or without the hook. */
  function appWithOwnLogout(hook: boolean, strategy: Parameters<typeof buildApp>[1] = {}): TestApp {
    const t = buildApp(world, strategy);
    if (hook) t.app.use(t.strategy.endSessionOnLogout());
    t.app.post('/my-logout', (req, res, next) => {
      req.logout((err) => {
        if (err !== undefined && err !== null) next(err);
        else res.status(204).end();
      });
    });
    return t;
  }

  it('without it, req.logout() leaves the LaunchKey session open (why it exists)', async () => {
    const t = appWithOwnLogout(false);
    const username = user();
    const browser = await loggedIn(world, t, username);
    await browser.post('/my-logout').expect(204);
    expect((await browser.get('/me')).body.user).to.equal(null);
    expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);
  });

  it('with it, the same req.logout() ends the LaunchKey session first, once', async () => {
    const t = appWithOwnLogout(true);
    const username = user();
    const browser = await loggedIn(world, t, username);
    await browser.post('/my-logout').expect(204);
    expect((await browser.get('/me')).body.user).to.equal(null);
    expect(sessionsOf(world, username)).to.deep.equal([]);
    expect(t.apiCalls.filter((c) => c === 'DELETE /service/v3/sessions')).to.have.length(1);
    // The strategy's own logout route, on the same app, still tells LaunchKey once.
    const again = await loggedIn(world, t, username);
    await again.post('/logout').expect(204);
    expect(t.apiCalls.filter((c) => c === 'DELETE /service/v3/sessions')).to.have.length(2);
  });

  it('logs out locally when LaunchKey fails, and reports the failure to onError', async () => {
    const errors: unknown[] = [];
    let down = false;
    const t = appWithOwnLogout(true, {
      strategy: { onError: (err) => errors.push(err) },
      failApi: (call) => down && call === 'DELETE /service/v3/sessions',
    });
    const browser = await loggedIn(world, t, user());
    down = true;
    await browser.post('/my-logout').expect(204);
    expect((await browser.get('/me')).body.user).to.equal(null);
    expect(errors.map((e) => (e as { code?: string }).code)).to.deep.equal(['ERR_LK_NETWORK']);
  });
});
