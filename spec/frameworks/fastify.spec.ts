/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * What only Fastify has, on Fastify 5 with @fastify/session and @fastify/passport against the emulator:
 * its session plugins, the webhook plugin's scoped parser, a step-up through the Fastify request,
 * `trustProxy`, `app.inject()`. The flows every bridge runs the same are in bridges.spec.ts.
 */
import fastifySession from '@fastify/session';
import { expect } from 'chai';

import { DEFAULT_MAX_WEBHOOK_BODY_BYTES } from '../../lib/webhooks/verify.js';
import { buildFastifyApp } from '../support/fastify_app.js';
import { pendingId, useWorld, userPool } from '../support/passport_app.js';

interface Me {
  user: { username: string } | null;
  sessionID: string | null;
  launchkey: { login?: { username: string }; pending?: unknown } | null;
}

describe('Strategy on Fastify 5, @fastify/session, @fastify/passport and the emulator', () => {
  const world = useWorld();
  const user = userPool();

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

  it('the webhook plugin leaves the body limit to the handler: 64 KiB + 1 is 413 with an empty body, as on every framework; 64 KiB goes on to verification (401)', async () => {
    const t = await buildFastifyApp(world);
    const post = (size: number) =>
      t.browser().post('/webhooks/launchkey').set('Content-Type', 'application/jose').send(Buffer.alloc(size, 0x61));
    const over = await post(DEFAULT_MAX_WEBHOOK_BODY_BYTES + 1);
    expect([over.status, over.text]).to.deep.equal([413, '']);
    const limit = await post(DEFAULT_MAX_WEBHOOK_BODY_BYTES);
    expect([limit.status, limit.text]).to.deep.equal([401, '']);
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
