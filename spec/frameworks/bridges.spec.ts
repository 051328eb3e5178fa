/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * The flows every Passport bridge runs the same, once per bridge: Fastify 5 with @fastify/session and
 * @fastify/passport (`passport-launchkey/fastify`'s routes), Koa 3 with koa-session on a store and
 * koa-passport (`passport-launchkey/koa`'s middleware), over loopback against the emulator. What only one
 * framework has (its session plugins, its body parsers, its proxy setting) is in fastify.spec.ts and
 * koa.spec.ts.
 */
import { expect } from 'chai';

import type { PendingStore, SessionGuardOptions } from '../../lib/passport/index.js';

import { buildFastifyApp } from '../support/fastify_app.js';
import { buildKoaApp } from '../support/koa_app.js';
import {
  type Browser,
  IDS,
  pendingId,
  sessionsOf,
  statusEvents,
  useWorld,
  userPool,
  view,
  WatchedStore,
  withdrawn,
  type SpecStrategy,
  type World,
} from '../support/passport_app.js';

interface Me {
  user: { username: string } | null;
  sessionID: string | null;
  launchkey: { login?: { username: string }; pending?: unknown } | null;
}

/** The cookies a response sets, as a Cookie header would send them back. */
function cookiesOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const headers = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  // The last value of each name counts (koa-session first clears the old cookie, then sets the new one).
  const pairs = new Map(headers.map((h) => (h.split(';')[0] ?? '').split('=')).map(([k, ...v]) => [k, v.join('=')]));
  return [...pairs].map(([k, v]) => `${k ?? ''}=${v}`).join('; ');
}

/** What the shared flows need of a framework's test app. */
interface BridgeApp extends SpecStrategy {
  hookEvents: string[];
  browser(): Browser;
}

interface Bridge {
  /** The framework, as the titles name it. */
  name: string;
  /** Its Passport bridge. */
  passport: string;
  build(world: World, options?: { store?: PendingStore; sessionGuard?: SessionGuardOptions }): Promise<BridgeApp>;
}

const BRIDGES: readonly Bridge[] = [
  { name: 'Fastify', passport: '@fastify/passport', build: (world, options) => buildFastifyApp(world, options) },
  { name: 'Koa', passport: 'koa-passport', build: (world, options) => Promise.resolve(buildKoaApp(world, options)) },
];

for (const bridge of BRIDGES) {
  describe(`Strategy on ${bridge.name} through ${bridge.passport}: the shared flows, against the emulator`, () => {
    const world = useWorld();
    const user = userPool();

    it('logs in: start, status over SSE, the webhook’s raw body, completion under a new session id, logout', async () => {
      const store = new WatchedStore();
      const t = await bridge.build(world, { store });
      const browser = t.browser();
      const username = user();
      const started = await browser.post('/login').type('form').send({ username });
      expect(started.status).to.equal(202);
      expect(started.body.pending).to.include({
        status: 'pending',
        authorizationRequestId: pendingId(world, username),
      });
      const before = (await browser.get('/me')).body as Me;
      expect(before.sessionID).to.be.a('string');

      const waiting = store.subscribed();
      const stream = statusEvents(browser);
      await waiting;
      const id = pendingId(world, username);
      await world.emu.respond(id, 'approve');
      await world.emu.webhooksSettled();
      // The emulator's webhook was verified over its raw bytes and stored.
      expect(world.emu.webhooks().filter((w) => w.status === 204).length).to.be.greaterThan(0);
      expect(t.hookEvents).to.include(`auth:${id}`);
      const { headers, events } = await stream;
      expect(headers['content-type']).to.equal('text/event-stream; charset=utf-8');
      expect(events.map(view).at(-1)).to.deep.equal({ status: 'approved' });

      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(200);
      expect(done.body.info).to.include({ code: 'approved', authorizationRequestId: id });
      const me = (await browser.get('/me')).body as Me;
      expect(me.user?.username).to.equal(username);
      expect(me.sessionID).to.not.equal(before.sessionID);
      expect(me.launchkey?.login?.username).to.equal(username);
      expect(me.launchkey?.pending).to.equal(undefined);
      expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);

      const out = await browser.post('/logout');
      expect(out.status).to.equal(204);
      const after = (await browser.get('/me')).body as Me;
      expect(after.user).to.equal(null);
      expect(after.launchkey).to.equal(null);
      expect(sessionsOf(world, username)).to.deep.equal([]);
    });

    it('answers a ?wait= long poll as soon as the phone answers', async () => {
      const store = new WatchedStore();
      const t = await bridge.build(world, { store });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const waiting = store.subscribed();
      const poll = browser.get('/login/status?wait=20').then((res) => res);
      await waiting;
      await world.emu.respond(pendingId(world, username), 'deny');
      const res = await poll;
      expect(res.status).to.equal(200);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(view(res.body)).to.deep.equal({ status: 'denied', code: 'denied' });
      expect(store.listeners()).to.equal(0);
    });

    it(`logs in through ${bridge.passport}’s own success path (successRedirect) with a new session id`, async () => {
      const t = await bridge.build(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login/std').type('form').send({ username }).expect(202);
      const before = ((await browser.get('/me')).body as Me).sessionID;
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const done = await browser.get('/login/std/complete');
      expect(done.status).to.equal(302);
      expect(done.headers['location']).to.equal('/me');
      const me = (await browser.get('/me')).body as Me;
      expect(me.user?.username).to.equal(username);
      expect(me.sessionID).to.not.equal(before);
      expect(me.launchkey?.login?.username).to.equal(username);
      expect(t.verified).to.have.length(1);
    });

    it('the session guard logs out a user who ended the session on the phone', async () => {
      const t = await bridge.build(world, { sessionGuard: { redirect: '/login?ended' } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      await browser.get('/login/complete').expect(200);
      expect(((await browser.get('/me')).body as Me).user?.username).to.equal(username);

      world.emu.endSession(IDS.hook, username);
      await world.emu.webhooksSettled();
      expect(t.hookEvents.some((e) => e.startsWith('end:'))).to.equal(true);
      const guarded = await browser.get('/me');
      expect(guarded.status).to.equal(303);
      expect(guarded.headers['location']).to.equal('/login?ended');
      const me = (await browser.get('/me')).body as Me;
      expect(me.user).to.equal(null);
      expect(me.launchkey).to.equal(null);
    });

    it('cancel takes the push back; the waiting page hears canceled and the completion fails canceled', async () => {
      const t = await bridge.build(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const id = pendingId(world, username);
      expect((await browser.post('/login/cancel')).body).to.deep.equal({ canceled: true });
      await withdrawn(t.strategy);
      expect(t.apiCalls).to.include(`DELETE /service/v3/auths/${id}`);
      expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'canceled', code: 'canceled' });
      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(401);
      expect(done.body.info.code).to.equal('canceled');
      expect(t.verified).to.deep.equal([]);
    });

    it(`reads the headers through ${bridge.name} (not Koa’s get(), which answers an empty string for an absent one): a cross-site start is refused before any push`, async () => {
      const t = await bridge.build(world);
      const username = user();
      const res = await t.browser().post('/login').set('Sec-Fetch-Site', 'cross-site').type('form').send({ username });
      expect(res.status).to.equal(403);
      expect(res.body.info.code).to.equal('cross-site');
      expect(world.emu.auths({ username })).to.deep.equal([]);
      const ok = await t.browser().post('/login').set('Origin', world.url).type('form').send({ username });
      expect(ok.status).to.equal(202);
    });

    it(`a start binds the login to a new session id (${bridge.name}): a session id planted before it cannot complete the login`, async () => {
      const t = await bridge.build(world);
      const planted = cookiesOf(
        await t.browser().post('/login').type('form').send({ username: 'nobody-here' }).expect(202),
      );
      const username = user();
      const start = await t.browser().post('/login').set('Cookie', planted).type('form').send({ username }).expect(202);
      const renewed = cookiesOf(start);
      expect(renewed).to.not.equal(planted);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const stolen = await t.browser().get('/login/complete').set('Cookie', planted);
      expect(stolen.status).to.not.equal(200);
      const done = await t.browser().get('/login/complete').set('Cookie', renewed);
      expect([done.status, done.body.user?.username]).to.deep.equal([200, username]);
    });

    it(`refuses a cross-site logout (403 cross-site) and a cross-site cancel (nothing canceled), reading the headers through ${bridge.name}`, async () => {
      const t = await bridge.build(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const refused = await browser.post('/login/cancel').set('Sec-Fetch-Site', 'cross-site');
      expect(refused.body).to.deep.equal({ canceled: false });
      expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      await browser.get('/login/complete').expect(200);
      const out = await browser.post('/logout').set('Origin', 'https://attacker.example');
      expect([out.status, out.body.code]).to.deep.equal([403, 'cross-site']);
      expect(((await browser.get('/me')).body as Me).user?.username).to.equal(username);
      expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);
      await browser.post('/logout').set('Origin', world.url).expect(204);
      expect(sessionsOf(world, username)).to.deep.equal([]);
    });
  });
}
