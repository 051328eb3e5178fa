/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * What the outside review found around the strategy (docs/security.md): who may start a push and for
 * whom, what a username may hold, what the start limits count, and the faults that used to lose an
 * approved login. Each case failed before its fix.
 */
import { expect } from 'chai';
import type { RequestHandler } from 'express';

import { addressKey } from '../../lib/passport/rate_limit.js';
import { acceptUsername } from '../../lib/passport/username.js';
import {
  ACCENTED,
  buildApp,
  pendingId,
  sessionsOf,
  useWorld,
  userPool,
  view,
  type TestApp,
} from '../support/passport_app.js';

/** `GET /touch` creates the session (as a login page with a CSRF token would); `/cart` keeps app data in it. */
const appRoutes: RequestHandler = (req, res, next) => {
  const session = req.session as typeof req.session & { cart?: string; touched?: boolean };
  if (req.path === '/touch') {
    session.touched = true;
    res.json({ ok: true });
  } else if (req.path === '/cart' && req.method === 'POST') {
    session.cart = 'apples';
    res.json({ ok: true });
  } else if (req.path === '/cart') {
    res.json({ cart: session.cart ?? null, sessionID: req.sessionID });
  } else {
    next();
  }
};

describe('Strategy hardening (the outside review)', () => {
  const world = useWorld();
  const user = userPool();
  const starts = (t: TestApp): number => t.apiCalls.filter((c) => c === 'POST /service/v3/auths').length;

  describe('only the start route’s method starts a push', () => {
    it('a GET carrying a username (a link, an image) sends no push: it is a completion', async () => {
      const t = buildApp(world);
      const username = user();
      const res = await t.browser().get(`/login/complete?username=${username}`);
      expect(res.status).to.equal(401);
      expect(res.body.info.code).to.equal('no-pending');
      expect(starts(t)).to.equal(0);
      expect(world.emu.auths({ username })).to.deep.equal([]);
    });

    it('with getUsername, a GET for a logged-in user sends no push either', async () => {
      const t = buildApp(world, { strategy: { getUsername: (req) => req.get('x-acting-user') } });
      const username = user();
      const res = await t.browser().get('/login/complete').set('x-acting-user', username);
      expect(res.body.info.code).to.equal('no-pending');
      expect(starts(t)).to.equal(0);
    });

    it('a GET forced to start (phase: start) is refused as a configuration error; startMethod names another method', async () => {
      const forced = buildApp(world, { authenticate: { phase: 'start' } });
      const res = await forced.browser().get(`/login/complete?username=${user()}`);
      expect([res.status, res.body.code]).to.deep.equal([500, 'ERR_LK_CONFIGURATION']);
      expect(res.body.message).to.include('startMethod');
      expect(starts(forced)).to.equal(0);
      expect(() => buildApp(world, { strategy: { startMethod: 'GET' } }))
        .to.throw()
        .with.property('option', 'startMethod');
    });
  });

  describe('step-up (getUsername)', () => {
    const acting: NonNullable<Parameters<typeof buildApp>[1]>['strategy'] = {
      getUsername: (req) => req.get('x-acting-user'),
    };

    it('pushes to the user getUsername names, whatever username the body or the query carries', async () => {
      const t = buildApp(world, { strategy: acting });
      const browser = t.browser();
      const me = user();
      const mine = user();
      const started = await browser
        .post(`/login?username=${mine}`)
        .set('x-acting-user', me)
        .type('form')
        .send({ username: mine });
      expect(started.status).to.equal(202);
      expect(world.emu.auths({ username: me })).to.have.length(1);
      expect(world.emu.auths({ username: mine })).to.deep.equal([]);
      await world.emu.respond(pendingId(world, me), 'approve');
      await world.emu.webhooksSettled();
      const done = await browser.get('/login/complete').set('x-acting-user', me);
      expect(done.body.user.username).to.equal(me);
    });

    it('fails user-mismatch when the approval is not for the user getUsername names at completion; verify never runs', async () => {
      const t = buildApp(world, { strategy: acting });
      const browser = t.browser();
      const first = user();
      await browser.post('/login').set('x-acting-user', first).expect(202);
      await world.emu.respond(pendingId(world, first), 'approve');
      await world.emu.webhooksSettled();
      for (const other of [user(), undefined]) {
        const req = browser.get('/login/complete');
        const done = await (other === undefined ? req : req.set('x-acting-user', other));
        expect(done.status).to.equal(401);
        expect(done.body.info.code).to.equal('user-mismatch');
        if (other !== undefined) break;
      }
      expect(t.verified).to.deep.equal([]);
      expect(sessionsOf(world, first)).to.deep.equal([]);
    });

    it('without a logged-in user, the username field starts an ordinary login on the same strategy', async () => {
      const t = buildApp(world, { strategy: acting });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      expect((await browser.get('/login/complete')).body.user.username).to.equal(username);
      // usernameField: false makes a step-up-only strategy: no field can start anything.
      const only = buildApp(world, { strategy: { ...acting, usernameField: false } });
      const refused = await only.browser().post('/login').type('form').send({ username: user() });
      expect(refused.body.info.code).to.equal('missing-username');
    });

    it('keeps what the session held (a cart) through the step-up, under a new session id', async () => {
      const t = buildApp(world, { strategy: acting, afterSession: appRoutes });
      const browser = t.browser();
      const username = user();
      await browser.post('/cart').expect(200);
      const before = (await browser.get('/cart')).body as { cart: string; sessionID: string };
      await browser.post('/login').set('x-acting-user', username).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      await browser.get('/login/complete').set('x-acting-user', username).expect(200);
      const after = (await browser.get('/cart')).body as { cart: string; sessionID: string };
      expect(after.cart).to.equal('apples');
      expect(after.sessionID).to.not.equal(before.sessionID);
      // An ordinary (passwordless) login still starts from a clean session.
      const plain = buildApp(world, { afterSession: appRoutes });
      const other = plain.browser();
      await other.post('/cart').expect(200);
      const name = user();
      await other.post('/login').type('form').send({ username: name }).expect(202);
      await world.emu.respond(pendingId(world, name), 'approve');
      await world.emu.webhooksSettled();
      await other.get('/login/complete').expect(200);
      expect(((await other.get('/cart')).body as { cart: unknown }).cart).to.equal(null);
    });
  });

  describe('usernames', () => {
    const refused: [string, string][] = [
      ['a right-to-left override', 'user1\u202Eevil'],
      ['a zero-width space', 'us\u200Ber1'],
      ['a zero-width joiner', 'user\u200D1'],
      ['a byte-order mark in front', '\uFEFFuser1'],
      ['a no-break space at the end', 'user1\u00A0'],
      ['an ideographic space', 'user\u30001'],
      ['a line separator', 'user\u20281'],
      ['a bell', 'user\u00071'],
      ['a lone surrogate', 'user\uD8001'],
      ['a Hangul filler', '\u3164'],
      ['256 characters', 'a'.repeat(256)],
      ['__proto__', '__proto__'],
    ];
    for (const [what, username] of refused) {
      it(`refuses a username with ${what}: 400 invalid-username, no API call`, async () => {
        const t = buildApp(world);
        // As JSON: a form encoder cannot even write a lone surrogate.
        const res = await t.browser().post('/login').send({ username });
        expect([res.status, res.body.info.code]).to.deep.equal([400, 'invalid-username']);
        expect(t.apiCalls).to.deep.equal([]);
      });
    }

    it('normalises to NFC before sending: a decomposed "josé" reaches the user "josé"', async () => {
      const t = buildApp(world);
      const browser = t.browser();
      await browser.post('/login').type('form').send({ username: ' jose\u0301\t' }).expect(202);
      expect(world.emu.auths({ username: ACCENTED, status: 'pending' })).to.have.length(1);
      await browser.post('/login/cancel').expect(200);
    });

    it('accepts ordinary names: ASCII, accents, other scripts, an inner space, 255 characters', () => {
      for (const name of ['alice', 'Zoë Smith', 'δοκιμή', '用户', 'a'.repeat(255), 'bob@example.com']) {
        expect(acceptUsername(name), name).to.equal(name.normalize('NFC'));
      }
    });
  });

  describe('start limits', () => {
    it('an approved login gives its start back: a user can log in more often than the limit in a window', async () => {
      const t = buildApp(world, { strategy: { rateLimit: { perUsername: { max: 2, window: 300_000 } } } });
      const username = user();
      for (let i = 0; i < 4; i++) {
        const browser = t.browser();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        await browser.get('/login/complete').expect(200);
      }
      // Unanswered starts still count.
      const a = t.browser();
      await a.post('/login').type('form').send({ username }).expect(202);
      await a.post('/login/cancel').expect(200);
      await t.browser().post('/login').type('form').send({ username }).expect(202);
      const third = await t.browser().post('/login').type('form').send({ username });
      expect(third.status).to.equal(429);
    });

    it('clientAddress chooses the address the per-address limit counts', async () => {
      const t = buildApp(world, {
        strategy: {
          clientAddress: (req) => req.get('x-client'),
          rateLimit: { perIp: { max: 1, window: 300_000 }, perUsername: false },
        },
      });
      await t
        .browser()
        .post('/login')
        .set('x-client', '203.0.113.7')
        .type('form')
        .send({ username: 'ghost-a' })
        .expect(202);
      const same = await t
        .browser()
        .post('/login')
        .set('x-client', '203.0.113.7')
        .type('form')
        .send({ username: 'ghost-b' });
      expect(same.status).to.equal(429);
      await t
        .browser()
        .post('/login')
        .set('x-client', '198.51.100.1')
        .type('form')
        .send({ username: 'ghost-c' })
        .expect(202);
    });

    it('keys IPv6 addresses that carry an IPv4 address by that address, and others by their /64', () => {
      const cases: [string, string][] = [
        ['203.0.113.7', 'ip:203.0.113.7'],
        ['::ffff:203.0.113.7', 'ip:203.0.113.7'],
        ['::FFFF:cb00:7107', 'ip:203.0.113.7'],
        ['::203.0.113.7', 'ip:203.0.113.7'],
        ['64:ff9b::203.0.113.7', 'ip:203.0.113.7'],
        ['2001:db8:1:2:3:4:5:6', 'ip6:2001:db8:1:2'],
        ['2001:DB8:0001:0002::9', 'ip6:2001:db8:1:2'],
        ['2001:db8:1:2::1.2.3.4', 'ip6:2001:db8:1:2'],
        ['fe80::1%eth0', 'ip6:fe80:0:0:0'],
        ['::1', 'ip6:0:0:0:0'],
      ];
      for (const [address, key] of cases) expect(addressKey(address), address).to.equal(key);
    });
  });

  describe('faults that used to lose a login', () => {
    it('an approval survives a failed LaunchKey session start: the retried completion logs the user in', async () => {
      let failures = 1;
      const t = buildApp(world, { failApi: (call) => call === 'POST /service/v3/sessions' && failures-- > 0 });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const failed = await browser.get('/login/complete');
      expect([failed.status, failed.body.code]).to.deep.equal([500, 'ERR_LK_NETWORK']);
      expect((await browser.get('/me')).body.user).to.equal(null);
      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(200);
      expect(done.body.user.username).to.equal(username);
      expect(sessionsOf(world, username)).to.have.length(1);
    });

    it('two concurrent completions of one approval log in once; the other neither fails nor writes the session', async () => {
      const t = buildApp(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const answers = await Promise.all([browser.get('/login/complete'), browser.get('/login/complete')]);
      expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 401]);
      const loser = answers.find((r) => r.status === 401);
      expect(loser?.body.info.code).to.equal('no-pending');
      expect(loser?.headers['set-cookie']).to.equal(undefined);
      expect(t.verified).to.have.length(1);
    });

    it('two tabs completing one approval through passport’s success path both land on the success page, logged in', async () => {
      const t = buildApp(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login/std').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const answers = await Promise.all([browser.get('/login/std/complete'), browser.get('/login/std/complete')]);
      expect(answers.map((r) => r.headers['location'])).to.deep.equal(['/me', '/me']);
      // Only the winner writes a session (the login's new one); the other tab's answer carries no cookie.
      expect(answers.filter((r) => r.headers['set-cookie'] !== undefined)).to.have.length(1);
      expect(t.verified).to.have.length(1);
      expect((await browser.get('/me')).body.user).to.include({ username });
      // A completion with nothing left to complete (the Back button) goes the same way and writes nothing.
      const again = await browser.get('/login/std/complete');
      expect([again.status, again.headers['location'], again.headers['set-cookie']]).to.deep.equal([
        303,
        '/me',
        undefined,
      ]);
      expect((await browser.get('/me')).body.user).to.include({ username });
    });

    it('two concurrent submits from one session land on one pending login with one push', async () => {
      const t = buildApp(world, { afterSession: appRoutes });
      const browser = t.browser();
      await browser.get('/touch').expect(200);
      const username = user();
      const [a, b] = await Promise.all([
        browser.post('/login').type('form').send({ username }),
        browser.post('/login').type('form').send({ username }),
      ]);
      expect([a.status, b.status]).to.deep.equal([202, 202]);
      expect(a.body.pending.authorizationRequestId).to.equal(b.body.pending.authorizationRequestId);
      expect(world.emu.auths({ username })).to.have.length(1);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      expect((await browser.get('/login/complete')).status).to.equal(200);
    });

    it('a start whose answer was lost after the push was sent: the next start of that session recovers', async () => {
      let lose = 1;
      const t = buildApp(world, { loseAnswer: (call) => call === 'POST /service/v3/auths' && lose-- > 0 });
      const browser = t.browser();
      const username = user();
      const timedOut = await browser.post('/login').type('form').send({ username });
      expect([timedOut.status, timedOut.body.code]).to.deep.equal([500, 'ERR_LK_TIMEOUT']);
      const [lost] = world.emu.auths({ username, status: 'pending' });
      if (lost === undefined) throw new Error('the push should exist at LaunchKey');

      // Another browser is never allowed to take the push over: it gets a decoy and changes nothing.
      const stranger = await t.browser().post('/login').type('form').send({ username });
      expect(stranger.body.pending.authorizationRequestId).to.not.equal(lost.id);
      expect(world.emu.auths({ username, status: 'pending' }).map((a) => a.id)).to.deep.equal([lost.id]);

      const again = await browser.post('/login').type('form').send({ username });
      expect(again.status).to.equal(202);
      expect(again.body.pending.authorizationRequestId).to.not.equal(lost.id);
      expect(world.emu.auths({ username }).find((a) => a.id === lost.id)?.status).to.equal('canceled');
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(200);
      expect(done.body.info.authorizationRequestId).to.not.equal(lost.id);
      expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'none' });
    });
  });
});
