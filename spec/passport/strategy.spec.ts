/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { createRequire } from 'node:module';

import { expect } from 'chai';
import express from 'express';

import { ServiceFactory } from '../../lib/clients/factories.js';
import { AuthPolicy } from '../../lib/entities/auth_policy.js';
import { FAILURE_MESSAGES } from '../../lib/passport/index.js';
import {
  buildApp,
  express4,
  FRAMEWORKS,
  IDS,
  KEYS,
  pendingId,
  polls,
  useWorld,
  userPool,
  view,
  withdrawn,
} from '../support/passport_app.js';

for (const framework of FRAMEWORKS) {
  describe(`Strategy on ${framework}, express-session, passport 0.7 and the emulator`, () => {
    const world = useWorld();
    const user = userPool();

    if (framework === 'express4') {
      it('really runs on Express 4.22.1: the app’s request prototype is Express 4’s, not Express 5’s', () => {
        const version = (createRequire(import.meta.url)('express4/package.json') as { version: string }).version;
        expect(version).to.equal('4.22.1');
        const t = buildApp(world, { framework });
        expect(Object.getPrototypeOf(t.app.request)).to.equal(express4.request);
        expect(Object.getPrototypeOf(t.app.request)).to.not.equal(express.request);
        expect(Object.getPrototypeOf(buildApp(world).app.request)).to.equal(express.request);
      });
    }

    describe('an approved login', () => {
      it('calls verify with the LaunchKey result, logs the user in and changes the session id', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        const started = await browser.post('/login').type('form').send({ username });
        expect(started.status).to.equal(202);
        expect(started.body.pending.status).to.equal('pending');
        const before = (await browser.get('/me')).body as {
          sessionID: string;
          launchkey: { pending: { id: string; handle: string } };
        };
        expect(before.launchkey.pending.handle).to.match(/^[\w-]{43}$/);
        const id = pendingId(world, username);
        expect(started.body.pending.authorizationRequestId).to.equal(id);
        expect(before.launchkey.pending.id).to.equal(id);

        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');

        expect(done.status).to.equal(200);
        expect(done.body.info).to.include({ code: 'approved', authorizationRequestId: id });
        const [result] = t.verified;
        expect(result).to.include({ username, authorizationRequestId: id });
        expect(result?.serviceUserHash).to.be.a('string').and.not.empty;
        expect(result?.organizationUserHash).to.be.a('string').and.not.empty;
        expect(result?.userPushId).to.be.a('string').and.not.empty;
        expect(result?.deviceId).to.be.a('string').and.not.empty;
        expect(result?.authMethods).to.be.an('array').that.is.not.empty;
        expect(result?.response.authorized).to.equal(true);
        const me = (await browser.get('/me')).body as {
          sessionID: string;
          user: { username: string };
          launchkey: { login: { username: string }; pending?: unknown };
        };
        expect(me.user.username).to.equal(username);
        expect(me.sessionID).to.not.equal(before.sessionID);
        expect(me.launchkey.login.username).to.equal(username);
        expect(me.launchkey.pending).to.equal(undefined);
        // The webhook filled the store before completion: no poll was needed (R9).
        expect(polls(t.apiCalls)).to.equal(0);
        const lkUser = world.emu.state().users.find((u) => u.identifier === username);
        expect(lkUser?.sessions.map((s) => s.serviceId)).to.deep.equal([IDS.hook]);
      });

      it('logs in through passport’s own success path (successRedirect) with a new session id', async () => {
        const t = buildApp(world, { framework });
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

      it('hands the application state back in info.state', async () => {
        const t = buildApp(world, { framework, strategy: { state: (req) => ({ returnTo: req.query['returnTo'] }) } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login?returnTo=%2Faccount').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.body.info.state).to.deep.equal({ returnTo: '/account' });
      });

      it('refuses the login when verify gives no user, and starts no LaunchKey session', async () => {
        const t = buildApp(world, {
          framework,
          verify: (_result, done) => {
            done(null, false, { message: 'No such account here' });
          },
        });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info).to.include({ code: 'rejected', message: 'No such account here' });
        expect((await browser.get('/me')).body.user).to.equal(null);
        expect(world.emu.state().users.find((u) => u.identifier === username)?.sessions).to.deep.equal([]);
      });

      it('supports step-up for a logged-in user through getUsername', async () => {
        const t = buildApp(world, {
          framework,
          strategy: { getUsername: (req) => (req.user as { username?: string } | undefined)?.username },
        });
        const browser = t.browser();
        expect((await browser.post('/login')).body.info.code).to.equal('missing-username');
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        await browser.get('/login/complete').expect(200);

        const stepUp = await browser.post('/login');
        expect(stepUp.status).to.equal(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(200);
        expect(t.verified.map((r) => r.username)).to.deep.equal([username, username]);
      });

      it('redirects with 303 to pendingRedirect while pending', async () => {
        const t = buildApp(world, { framework, strategy: { pendingRedirect: '/login/wait' } });
        const browser = t.browser();
        const username = user();
        const started = await browser.post('/login/std').type('form').send({ username });
        expect(started.status).to.equal(303);
        expect(started.headers['location']).to.equal('/login/wait');
        const again = await browser.get('/login/std/complete');
        expect(again.status).to.equal(303);
        await browser.post('/login/cancel').expect(200);
      });
    });

    describe('a login that is not approved', () => {
      it('fails with code denied when the user denies', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'deny');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info).to.deep.include({
          code: 'denied',
          reason: 'DISAPPROVED',
          fraud: false,
          message: FAILURE_MESSAGES[401],
        });
        expect(t.verified).to.deep.equal([]);
        expect((await browser.get('/me')).body).to.include({ user: null, launchkey: null });
      });

      it('fails with code fraud when the user reports fraud', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'fraud');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info).to.include({ code: 'fraud', reason: 'FRAUDULENT', fraud: true });
      });

      it('fails with code policy when the device cannot satisfy a dynamic policy', async () => {
        const t = buildApp(world, {
          framework,
          strategy: { policy: () => new AuthPolicy({ any: 2, jailbreakProtection: true }) },
        });
        const browser = t.browser();
        await browser.post('/login').type('form').send({ username: 'rooted' }).expect(202);
        const [auth] = world.emu.auths({ status: 'pending', username: 'rooted' });
        expect(auth?.policy).to.not.equal(null);
        await world.emu.respond(auth?.id ?? '', 'approve');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info).to.include({ code: 'policy', reason: 'POLICY' });
        expect(t.verified).to.deep.equal([]);
      });

      it('cancels from the waiting page: the request is canceled at LaunchKey and nothing completes', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        expect((await browser.post('/login/cancel')).body).to.deep.equal({ canceled: true });
        await withdrawn(t.strategy);
        expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('canceled');
        // Every tab waiting on it hears canceled (not a lost login) until the completion takes it.
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'canceled', code: 'canceled' });
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info.code).to.equal('canceled');
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'none' });
      });

      it('fails with code canceled when the request was canceled elsewhere (learned by the poller)', async () => {
        const t = buildApp(world, { framework, strategy: { pollInterval: 100 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const other = new ServiceFactory(IDS.hook, KEYS.svc, { baseUrl: world.emu.url }).makeServiceClient();
        await other.cancelAuthorizationRequest(pendingId(world, username));
        expect(view((await browser.get('/login/status?wait=10')).body)).to.deep.equal({
          status: 'canceled',
          code: 'canceled',
        });
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info.code).to.equal('canceled');
      });

      it('fails with a generic 401 and code unknown-user for a user LaunchKey does not know, when told to reveal it', async () => {
        const t = buildApp(world, { framework, strategy: { revealUnknownUsers: true } });
        const started = await t.browser().post('/login').type('form').send({ username: 'nobody-here' });
        expect(started.status).to.equal(401);
        expect(started.body.info).to.deep.equal({ code: 'unknown-user', message: FAILURE_MESSAGES[401] });
      });
    });

    describe('binding a login to its browser session (T7)', () => {
      it('answers a second start for the same user with in-progress (409, when revealed) and never adopts its id', async () => {
        const t = buildApp(world, { framework, strategy: { revealInProgress: true } });
        const first = t.browser();
        const second = t.browser();
        const username = user();
        await first.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);

        const busy = await second.post('/login').type('form').send({ username });
        expect(busy.status).to.equal(409);
        expect(busy.body.info.code).to.equal('in-progress');
        expect(busy.body.info.expires).to.be.a('string');
        expect(JSON.stringify(busy.body)).to.not.include(id);
        expect((await second.get('/me')).body.launchkey).to.equal(null);

        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        expect((await second.get('/login/complete')).body.info.code).to.equal('no-pending');
        const done = await first.get('/login/complete');
        expect(done.status).to.equal(200);
        expect(done.body.info.authorizationRequestId).to.equal(id);
        expect((await second.get('/me')).body.user).to.equal(null);
      });

      it('refuses a completion replayed from another browser, ignoring ids in the request; the owner still completes', async () => {
        const t = buildApp(world, { framework });
        const owner = t.browser();
        const attacker = t.browser();
        const username = user();
        await owner.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        const handle = ((await owner.get('/me')).body as { launchkey: { pending: { handle: string } } }).launchkey
          .pending.handle;
        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();

        for (const query of [`authorizationRequestId=${id}`, `auth_request=${id}`, `handle=${handle}`]) {
          const replay = await attacker.get(`/login/complete?${query}`);
          expect(replay.status).to.equal(401);
          expect(replay.body.info.code).to.equal('no-pending');
        }
        const posted = await attacker.post('/login/std/complete').send({ handle, authorizationRequestId: id });
        expect(posted.status).to.not.equal(200);
        expect((await attacker.get('/me')).body.user).to.equal(null);

        const done = await owner.get('/login/complete');
        expect(done.status).to.equal(200);
        const again = await owner.get('/login/complete');
        expect(again.status).to.equal(401);
        expect(again.body.info.code).to.equal('no-pending');
        expect(t.verified).to.have.length(1);
      });

      it('sends no second push when the same login is submitted again while pending', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await browser
          .post('/login')
          .type('form')
          .send({ username: ` ${username} ` })
          .expect(202);
        expect(world.emu.auths({ username })).to.have.length(1);
        await browser.post('/login/cancel').expect(200);
      });
    });

    describe('push-bombing defence (T9)', () => {
      it('refuses a start over the per-username limit with 429 before any API call', async () => {
        const t = buildApp(world, {
          framework,
          strategy: { rateLimit: { perUsername: { max: 2, window: 60_000 }, perIp: false } },
        });
        const username = user();
        for (let i = 0; i < 2; i++) {
          const browser = t.browser();
          await browser.post('/login').type('form').send({ username }).expect(202);
          await browser.post('/login/cancel').expect(200);
        }
        await withdrawn(t.strategy);
        const calls = t.apiCalls.length;
        const limited = await t.browser().post('/login').type('form').send({ username: username.toUpperCase() });
        expect(limited.status).to.equal(429);
        expect(limited.body.info.code).to.equal('rate-limited');
        expect(limited.body.info.retryAfter).to.be.a('number').above(0);
        expect(t.apiCalls.length).to.equal(calls);
        expect(world.emu.auths({ username })).to.have.length(2);
      });

      it('refuses starts over the per-address limit across usernames', async () => {
        const t = buildApp(world, { framework, strategy: { rateLimit: { perIp: { max: 1, window: 60_000 } } } });
        const browser = t.browser();
        await browser.post('/login').type('form').send({ username: user() }).expect(202);
        await browser.post('/login/cancel').expect(200);
        const limited = await t.browser().post('/login').type('form').send({ username: user() });
        expect(limited.status).to.equal(429);
      });
    });

    describe('username input (docs/security.md, "Usernames")', () => {
      const bad: [string, unknown, string][] = [
        ['empty', '', 'invalid-username'],
        ['whitespace', '   ', 'invalid-username'],
        ['10 kB', 'a'.repeat(10_240), 'invalid-username'],
        ['an array', ['user0', 'user1'], 'invalid-username'],
        ['an object', { $ne: '' }, 'invalid-username'],
        ['__proto__', '__proto__', 'invalid-username'],
        ['a NUL byte', 'user0\u0000', 'invalid-username'],
        ['a number', 42, 'invalid-username'],
      ];
      for (const [what, username, code] of bad) {
        it(`fails with 400 and no API call for ${what}`, async () => {
          const t = buildApp(world, { framework });
          const res = await t.browser().post('/login').send({ username });
          expect(res.status).to.equal(400);
          expect(res.body.info.code).to.equal(code);
          expect(t.apiCalls).to.deep.equal([]);
        });
      }

      it('fails with 400 missing-username for a POST without username and no pending login', async () => {
        const t = buildApp(world, { framework });
        const res = await t.browser().post('/login').send({});
        expect(res.status).to.equal(400);
        expect(res.body.info.code).to.equal('missing-username');
      });

      it('fails with 401 no-pending for a completion (GET) without a pending login', async () => {
        const t = buildApp(world, { framework });
        const res = await t.browser().get('/login/complete');
        expect(res.status).to.equal(401);
        expect(res.body.info.code).to.equal('no-pending');
      });

      it('reads the username from the query string too', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post(`/login?username=${username}`).expect(202);
        await browser.post('/login/cancel').expect(200);
      });
    });

    describe('configuration faults', () => {
      it('errors with a message naming express-session when there is no session middleware', async () => {
        const t = buildApp(world, { framework, session: false });
        const res = await t.browser().post('/login').type('form').send({ username: 'user0' });
        expect(res.status).to.equal(500);
        expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
        expect(res.body.message).to.include('express-session');
        expect(t.apiCalls).to.deep.equal([]);
      });
    });
  });
}
