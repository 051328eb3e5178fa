/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * The strategy on Fastify 5 with @fastify/passport and @fastify/session, over loopback against the
 * emulator: the whole flow through `passport-launchkey/fastify`'s routes.
 */
import fastifySession from '@fastify/session';
import { expect } from 'chai';

import { buildFastifyApp } from '../support/fastify_app.js';
import {
  IDS,
  pendingId,
  sessionsOf,
  statusEvents,
  useWorld,
  userPool,
  view,
  WatchedStore,
  withdrawn,
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

describe('Strategy on Fastify 5, @fastify/session, @fastify/passport and the emulator', () => {
  const world = useWorld();
  const user = userPool();

  it('logs in: start, status over SSE, the webhook’s raw body, completion under a new session id, logout', async () => {
    const store = new WatchedStore();
    const t = await buildFastifyApp(world, { store });
    const browser = t.browser();
    const username = user();
    const started = await browser.post('/login').type('form').send({ username });
    expect(started.status).to.equal(202);
    expect(started.body.pending).to.include({ status: 'pending', authorizationRequestId: pendingId(world, username) });
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
    const t = await buildFastifyApp(world, { store });
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

  it('logs in through @fastify/passport’s own success path (successRedirect) with a new session id', async () => {
    const t = await buildFastifyApp(world);
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
    const t = await buildFastifyApp(world, { sessionGuard: { redirect: '/login?ended' } });
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
    const t = await buildFastifyApp(world);
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

  it('reads the headers through Fastify: a cross-site start is refused before any push', async () => {
    const t = await buildFastifyApp(world);
    const username = user();
    const res = await t.browser().post('/login').set('Sec-Fetch-Site', 'cross-site').type('form').send({ username });
    expect(res.status).to.equal(403);
    expect(res.body.info.code).to.equal('cross-site');
    expect(world.emu.auths({ username })).to.deep.equal([]);
    const ok = await t.browser().post('/login').set('Origin', world.url).type('form').send({ username });
    expect(ok.status).to.equal(202);
  });

  it('a start binds the login to a new session id (Fastify): a session id planted before it cannot complete the login', async () => {
    const t = await buildFastifyApp(world);
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

  it('refuses a cross-site logout (403 cross-site) and a cross-site cancel (nothing canceled), reading the headers through Fastify', async () => {
    const t = await buildFastifyApp(world);
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

  it('without a session plugin, refuses to start with a ConfigurationError naming @fastify/session, and sends no push', async () => {
    const t = await buildFastifyApp(world, { session: false });
    const username = user();
    const res = await t.browser().post('/login').type('form').send({ username });
    expect(res.status).to.equal(500);
    expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
    expect(res.body.message).to.include('@fastify/session');
    expect(world.emu.auths({ username })).to.deep.equal([]);
    const status = await t.browser().get('/login/status');
    expect([status.status, status.body.code]).to.deep.equal([500, 'ERR_LK_CONFIGURATION']);
  });

  it('refuses a session without an id (a stateless cookie session, as @fastify/secure-session’s): no push', async () => {
    const t = await buildFastifyApp(world, { sessionWithoutId: true });
    const username = user();
    const res = await t.browser().post('/login').type('form').send({ username });
    expect(res.status).to.equal(500);
    expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
    expect(res.body.message).to.include('@fastify/secure-session');
    expect(world.emu.auths({ username })).to.deep.equal([]);
  });

  it('stores the login marker in the same write as the user (at the end of the request), never without it', async () => {
    const writes: { user: boolean; marker: string | undefined }[] = [];
    const memory = new fastifySession.MemoryStore();
    const sessionStore: fastifySession.SessionStore = {
      set: (sid, data, callback) => {
        const s = data as { passport?: unknown; launchkey?: { login?: { username: string } } };
        writes.push({ user: s.passport !== undefined, marker: s.launchkey?.login?.username });
        memory.set(sid, data, callback);
      },
      get: (sid, callback) => {
        memory.get(sid, callback);
      },
      destroy: (sid, callback) => {
        memory.destroy(sid, callback);
      },
    };
    const t = await buildFastifyApp(world, { sessionStore });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    writes.length = 0;
    await browser.get('/login/complete').expect(200);
    // The regeneration stores the new, empty session; the end of the request stores the login.
    expect(writes).to.deep.equal([
      { user: false, marker: undefined },
      { user: true, marker: username },
    ]);
  });

  it('the webhook plugin’s raw-body parser stays in its scope: a JSON login still parses', async () => {
    const t = await buildFastifyApp(world);
    const username = user();
    const res = await t.browser().post('/login').send({ username });
    expect(res.status).to.equal(202);
    expect(res.body.pending.authorizationRequestId).to.equal(pendingId(world, username));
  });

  it('a step-up (getUsername gets the Fastify request) logs the same user in again, under a new session id with a new marker', async () => {
    let later = 0;
    const asked: unknown[] = [];
    const t = await buildFastifyApp(world, {
      strategy: {
        getUsername: (req) => {
          asked.push(req);
          return (req as unknown as { user?: { username?: string } | null }).user?.username;
        },
        now: () => Date.now() + later,
      },
    });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    await browser.get('/login/complete').expect(200);
    const first = (await browser.get('/me')).body as Me & { launchkey: { login: { at: number } } };

    // Logged in: no field can choose the user, the push goes to the one logged in.
    await browser.post('/login').type('form').send({ username: user() }).expect(202);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    later = 60_000;
    await browser.get('/login/complete').expect(200);
    const second = (await browser.get('/me')).body as Me & { launchkey: { login: { at: number } } };
    expect(second.user?.username).to.equal(username);
    expect(second.sessionID).to.not.equal(first.sessionID);
    expect(second.launchkey.login.at - first.launchkey.login.at).to.be.at.least(60_000);
    expect(asked.length).to.be.greaterThan(0);
    // Fastify's own request, as @fastify/passport handed it over.
    expect(asked.every((req) => typeof req === 'object' && req !== null && 'routeOptions' in req)).to.equal(true);
  });

  it('counts the per-address limit on request.ip (trustProxy)', async () => {
    const t = await buildFastifyApp(world, {
      trustProxy: true,
      strategy: { rateLimit: { perIp: { max: 1, window: 60_000 }, perUsername: false } },
    });
    const first = await t
      .browser()
      .post('/login')
      .set('X-Forwarded-For', '203.0.113.7')
      .type('form')
      .send({ username: user() });
    expect(first.status).to.equal(202);
    const second = await t
      .browser()
      .post('/login')
      .set('X-Forwarded-For', '203.0.113.7')
      .type('form')
      .send({ username: user() });
    expect(second.status).to.equal(429);
    expect(second.body.info.code).to.equal('rate-limited');
    const other = await t
      .browser()
      .post('/login')
      .set('X-Forwarded-For', '198.51.100.2')
      .type('form')
      .send({ username: user() });
    expect(other.status).to.equal(202);
  });

  it('starts through app.inject(): its stand-in socket is not taken for a client that hung up', async () => {
    const t = await buildFastifyApp(world);
    const username = user();
    const res = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=${username}`,
    });
    expect(res.statusCode, res.body).to.equal(202);
    expect(world.emu.auths({ username, status: 'pending' })).to.have.length(1);
  });
});
