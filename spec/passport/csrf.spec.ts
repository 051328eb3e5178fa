/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { expect } from 'chai';

import { FAILURE_MESSAGES } from '../../lib/passport/index.js';
import { buildApp, loggedIn, pendingId, sessionsOf, useWorld, userPool, view } from '../support/passport_app.js';

describe('Strategy and login CSRF (SECURITY T9, sameOriginOnly)', () => {
  const world = useWorld();
  const user = userPool();

  const refused: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'Sec-Fetch-Site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site with a matching Origin', { 'Sec-Fetch-Site': 'cross-site', Origin: 'SELF' }],
    ['an unknown Sec-Fetch-Site value', { 'Sec-Fetch-Site': 'elsewhere' }],
    ['a foreign Origin', { Origin: 'https://evil.example' }],
    ['an Origin on another port of the same host', { Origin: 'http://127.0.0.1:1' }],
    ['Origin: null', { Origin: 'null' }],
    ['a malformed Origin', { Origin: 'not a url' }],
  ];
  for (const [what, headers] of refused) {
    it(`refuses a start with ${what}: 403 cross-site, no push, no session`, async () => {
      const t = buildApp(world);
      const username = user();
      const res = await t.browser().post('/login').set(withSelf(headers)).type('form').send({ username });
      expect(res.status).to.equal(403);
      expect(res.body.info).to.deep.equal({ code: 'cross-site', message: FAILURE_MESSAGES[403] });
      expect(res.headers['set-cookie']).to.equal(undefined);
      expect(t.apiCalls).to.deep.equal([]);
      expect(world.emu.auths({ username })).to.deep.equal([]);
    });
  }

  const allowed: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed URL, bookmark)', { 'Sec-Fetch-Site': 'none' }],
    [
      'Sec-Fetch-Site: same-origin and a foreign Origin (Sec-Fetch-Site decides)',
      {
        'Sec-Fetch-Site': 'same-origin',
        Origin: 'https://evil.example',
      },
    ],
    ['an Origin naming this host', { Origin: 'SELF' }],
    ['neither header (not a browser)', {}],
  ];
  for (const [what, headers] of allowed) {
    it(`lets a start with ${what} through`, async () => {
      const t = buildApp(world);
      const browser = t.browser();
      const username = user();
      const res = await browser.post('/login').set(withSelf(headers)).type('form').send({ username });
      expect(res.status).to.equal(202);
      expect(world.emu.auths({ username })).to.have.length(1);
      await browser.post('/login/cancel').expect(200);
    });
  }

  it('refuses before anything else: the username is not even checked, and a pending login in the session is left alone', async () => {
    const t = buildApp(world, { strategy: { pendingRedirect: '/login/wait' } });
    const browser = t.browser();
    const username = user();
    await browser.post('/login/std').type('form').send({ username }).expect(303);
    const before = (await browser.get('/me')).body as { sessionID: string; launchkey: { handle: string } };
    const id = pendingId(world, username);
    const calls = t.apiCalls.length;

    const forged = await browser
      .post('/login')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ username: 'attacker' });
    expect(forged.status).to.equal(403);
    expect(forged.headers['set-cookie']).to.equal(undefined);
    const bad = await browser
      .post('/login')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ username: ['a', 'b'] });
    expect(bad.body.info.code).to.equal('cross-site');
    expect(t.apiCalls.length).to.equal(calls);

    const after = (await browser.get('/me')).body as { sessionID: string; launchkey: { handle: string } };
    expect(after).to.deep.equal(before);
    expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('pending');
    expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
    await browser.post('/login/cancel').expect(200);
  });

  it('does not affect completion: a cross-site GET of the completion route still logs the owner in', async () => {
    const t = buildApp(world);
    const browser = t.browser();
    const username = user();
    await browser.post('/login').set('Sec-Fetch-Site', 'same-origin').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    const status = await browser.get('/login/status').set('Sec-Fetch-Site', 'cross-site');
    expect(view(status.body)).to.deep.equal({ status: 'approved' });
    const done = await browser
      .get('/login/complete')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example');
    expect(done.status).to.equal(200);
    expect(done.body.user.username).to.equal(username);
  });

  it('refuses a step-up start (getUsername, no username field) from another site too', async () => {
    const t = buildApp(world, { strategy: { getUsername: () => 'user39' } });
    const res = await t.browser().post('/login').set('Sec-Fetch-Site', 'cross-site');
    expect(res.status).to.equal(403);
    expect(res.body.info.code).to.equal('cross-site');
    expect(t.apiCalls).to.deep.equal([]);
  });

  it('passport’s own failure path redirects a refused start to failureRedirect', async () => {
    const t = buildApp(world);
    const res = await t
      .browser()
      .post('/login/std')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ username: user() });
    expect(res.status).to.equal(302);
    expect(res.headers['location']).to.equal('/login/failed');
    expect(t.apiCalls).to.deep.equal([]);
  });

  it('sameOriginOnly: false lets a cross-site start through', async () => {
    const t = buildApp(world, { strategy: { sameOriginOnly: false } });
    const browser = t.browser();
    const username = user();
    const res = await browser
      .post('/login')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ username });
    expect(res.status).to.equal(202);
    await browser.post('/login/cancel').expect(200);
  });

  /** The headers, with the Origin `SELF` replaced by this server's own origin. */
  function withSelf(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'SELF' ? world.url : v]));
  }

  describe('logout and cancel refuse cross-site requests as the start does (T9, T11)', () => {
    it('logoutHandler(): a cross-site POST answers 403 cross-site, logs nobody out and leaves the LaunchKey session', async () => {
      const t = buildApp(world);
      const username = user();
      const browser = await loggedIn(world, t, username);
      const res = await browser
        .post('/logout')
        .set('Sec-Fetch-Site', 'cross-site')
        .set('Origin', 'https://attacker.example');
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ code: 'cross-site', message: FAILURE_MESSAGES[403] });
      expect((await browser.get('/me')).body.user?.username).to.equal(username);
      expect(sessionsOf(world, username)).to.have.length(1);
      await browser.post('/logout').set('Sec-Fetch-Site', 'same-origin').expect(204);
      expect(sessionsOf(world, username)).to.deep.equal([]);
    });

    it('cancel(): a cross-site POST cancels nothing (false) and the pending login can still complete', async () => {
      const t = buildApp(world);
      const username = user();
      const browser = t.browser();
      await browser.post('/login').type('form').send({ username }).expect(202);
      const res = await browser
        .post('/login/cancel')
        .set('Sec-Fetch-Site', 'cross-site')
        .set('Origin', 'https://attacker.example');
      expect(res.body).to.deep.equal({ canceled: false });
      expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
      expect(world.emu.auths({ username, status: 'pending' })).to.have.length(1);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      await browser.get('/login/complete').expect(200);
    });

    it('sameOriginOnly: false lets a cross-site logout through', async () => {
      const t = buildApp(world, { strategy: { sameOriginOnly: false } });
      const username = user();
      const browser = await loggedIn(world, t, username);
      await browser.post('/logout').set('Sec-Fetch-Site', 'cross-site').expect(204);
      expect((await browser.get('/me')).body.user).to.equal(null);
    });
  });
});
