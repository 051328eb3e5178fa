/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * What only Koa has, on Koa 3 with koa-session and koa-passport against the emulator: its session
 * modes, its body parser before the webhook, a step-up through koa-passport's request, `app.proxy`. The
 * flows every bridge runs the same are in bridges.spec.ts.
 */
import { expect } from 'chai';

import { buildKoaApp, MapSessionStore } from '../support/koa_app.js';
import { IDS, pendingId, useWorld, userPool } from '../support/passport_app.js';

interface Me {
  user: { username: string } | null;
  sessionID: string | null;
  launchkey: { login?: { username: string }; pending?: unknown } | null;
}

describe('Strategy on Koa 3, koa-session, koa-passport and the emulator', () => {
  const world = useWorld();
  const user = userPool();

  it('without koa-session, refuses to start with a ConfigurationError naming it, and sends no push', async () => {
    const t = buildKoaApp(world, { session: 'none' });
    const username = user();
    const res = await t.browser().post('/login').type('form').send({ username });
    expect(res.status).to.equal(500);
    expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
    expect(res.body.message).to.include('koa-session');
    expect(world.emu.auths({ username })).to.deep.equal([]);
    const status = await t.browser().get('/login/status');
    expect([status.status, status.body.code]).to.deep.equal([500, 'ERR_LK_CONFIGURATION']);
  });

  it('refuses a cookie-only koa-session (no id a login could change): no push', async () => {
    const t = buildKoaApp(world, { session: 'cookie' });
    const username = user();
    const res = await t.browser().post('/login').type('form').send({ username });
    expect(res.status).to.equal(500);
    expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
    expect(res.body.message).to.include('external store');
    expect(world.emu.auths({ username })).to.deep.equal([]);
  });

  it('stores the login marker with the user in passport’s own save, never a logged-in session without it', async () => {
    const sessionStore = new MapSessionStore();
    const t = buildKoaApp(world, { sessionStore });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    const before = ((await browser.get('/me')).body as Me).sessionID;
    sessionStore.writes.length = 0;
    await browser.get('/login/complete').expect(200);
    const after = ((await browser.get('/me')).body as Me).sessionID;
    expect(after).to.not.equal(before);
    // koa-session's regenerate stores the session under its new id, passport saves the login, and
    // koa-session commits at the end of the request.
    expect(sessionStore.writes).to.deep.equal([
      { key: after, user: false, marker: undefined },
      { key: after, user: true, marker: username },
      { key: after, user: true, marker: username },
    ]);
    expect(sessionStore.sessions.has(before ?? '')).to.equal(false);
  });

  it('a webhook route behind the body parser is refused with a ConfigurationError saying so (the bytes are gone)', async () => {
    const t = buildKoaApp(world, { webhookAfterBodyParser: true });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    const id = pendingId(world, username);
    const before = world.emu.webhooks().length;
    await world.emu.respond(id, 'approve');
    await world.emu.webhooksSettled();
    await browser.get('/login/complete').expect(200);
    // A session end is JSON, which the parser reads: the handler refuses rather than guess the bytes.
    world.emu.endSession(IDS.hook, username);
    await world.emu.webhooksSettled();
    const statuses = world.emu
      .webhooks()
      .slice(before)
      .map((w) => w.status);
    expect(statuses).to.include(500);
    expect(t.webhookErrors.map((e) => (e as Error).message).join()).to.include('before the body parser');
  });

  it('a step-up (getUsername gets koa-passport’s request (whose user is ctx.state.user)) logs the same user in again, under a new session id with a new marker', async () => {
    let later = 0;
    const asked: unknown[] = [];
    const t = buildKoaApp(world, {
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
    // koa-passport's request, with the Koa context at .ctx.
    expect(asked.every((req) => typeof (req as { ctx?: { state?: unknown } }).ctx?.state === 'object')).to.equal(true);
  });

  it('counts the per-address limit on ctx.ip (app.proxy)', async () => {
    const t = buildKoaApp(world, {
      proxy: true,
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
});
