/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * Faults around the strategy and its helpers (SECURITY T10, T11, T12, R5, R14, R15): webhook bodies
 * the handler must refuse or read itself, store outages, failing or hanging application hooks,
 * LaunchKey failing during logout, cancel and poll, and sessions that are missing or unfit.
 */
import { expect } from 'chai';
import type { Request, RequestHandler } from 'express';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ConfigurationError, HookTimeoutError, StoreUnavailableError } from '../../lib/errors.js';
import { MemoryStore, type CompletionResult, type FinalOutcome, type PendingRecord } from '../../lib/passport/index.js';
import { eventually } from '../support/assertions.js';
import {
  buildApp,
  FRAMEWORKS,
  IDS,
  loggedIn,
  pendingId,
  polls,
  replayWebhook,
  sessionsOf,
  useWorld,
  userPool,
  type Browser,
  view,
  withdrawn,
} from '../support/passport_app.js';
import { DEFAULT_MAX_WEBHOOK_BODY_BYTES } from '../../lib/webhooks/verify.js';

/** A MemoryStore whose named operations throw while they are in `down` (a Redis outage). */
class FlakyStore extends MemoryStore {
  readonly down = new Set<'set' | 'completeIfPending' | 'revoke'>();
  readonly failures: string[] = [];

  private _check(op: 'set' | 'completeIfPending' | 'revoke'): void {
    if (this.down.has(op)) {
      this.failures.push(op);
      throw new Error(`store unreachable (spec: ${op})`);
    }
  }

  override async set(record: PendingRecord, ttlMs: number): Promise<void> {
    this._check('set');
    return super.set(record, ttlMs);
  }

  override async completeIfPending(id: string, outcome: FinalOutcome): Promise<CompletionResult> {
    this._check('completeIfPending');
    return super.completeIfPending(id, outcome);
  }

  override async revoke(serviceUserHash: string, at: number): Promise<void> {
    this._check('revoke');
    return super.revoke(serviceUserHash, at);
  }
}

for (const framework of FRAMEWORKS) {
  describe(`Strategy faults on ${framework}: webhook bodies, store outages, hooks, logout, cancel and sessions`, () => {
    const world = useWorld();
    const user = userPool();

    /** Delivery statuses the emulator logged for webhooks sent after `from`, as `[kind, status]`. */
    const deliveriesSince = (from: number) =>
      world.emu
        .webhooks()
        .slice(from)
        .map((d) => [d.kind, d.status]);
    /** The store key of the browser's pending login (its session's reference). */
    const loginIdOf = async (browser: Browser): Promise<string> =>
      ((await browser.get('/me')).body as { launchkey: { pending: { id: string } } }).launchkey.pending.id;

    describe('webhook bodies', () => {
      it('reads the raw body itself when no body parser ran, and completes the login from it', async () => {
        const t = buildApp(world, { framework, webhookBody: 'none', strategy: { mode: 'webhook' } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        const from = world.emu.webhooks().length;
        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        expect(deliveriesSince(from)).to.deep.equal([['authorization-response', 204]]);
        // No parser left a Buffer for the capture middleware: the handler read the stream.
        expect(t.webhooks).to.deep.equal([]);
        expect(t.hookEvents).to.deep.equal([`auth:${id}`]);
        await browser.get('/login/complete').expect(200);
        expect(polls(t.apiCalls)).to.equal(0);
      });

      it('answers 413 with an empty body for a body of 64 KiB + 1 read without a parser; 64 KiB goes on to verification (401)', async () => {
        const errors: unknown[] = [];
        const t = buildApp(world, { framework, webhookBody: 'none', webhook: { onError: (err) => errors.push(err) } });
        const post = (size: number) =>
          t
            .browser()
            .post('/webhooks/launchkey')
            .set('Content-Type', 'application/jose')
            .send(Buffer.alloc(size, 0x61));
        expect(DEFAULT_MAX_WEBHOOK_BODY_BYTES).to.equal(64 * 1024);
        const over = await post(DEFAULT_MAX_WEBHOOK_BODY_BYTES + 1);
        expect([over.status, over.text]).to.deep.equal([413, '']);
        expect(errors).to.deep.equal([]);
        const limit = await post(DEFAULT_MAX_WEBHOOK_BODY_BYTES);
        expect([limit.status, limit.text]).to.deep.equal([401, '']);
        expect(errors).to.have.length(1);
        expect(t.hookEvents).to.deep.equal([]);
      });

      it('refuses a body parsed by express.json with a ConfigurationError naming express.raw, reported to onError too', async () => {
        const errors: unknown[] = [];
        const t = buildApp(world, { framework, webhook: { onError: (err) => errors.push(err) } });
        const res = await t
          .browser()
          .post('/webhooks/parsed')
          .set('Content-Type', 'application/json')
          .send('{"service_user_hash":"x"}');
        expect(res.status).to.equal(500);
        expect(res.body).to.include({ error: 'ConfigurationError', code: 'ERR_LK_CONFIGURATION' });
        expect(res.body.message).to.include("express.raw({ type: '*/*' })");
        expect(errors).to.have.length(1);
        expect(errors[0]).to.be.instanceOf(ConfigurationError);
      });
    });

    describe('webhookHandler behind an app-wide express.json() (body-parser 1 sets req.body = {} on a type it skips)', () => {
      it('still reads an application/jose authorization response itself and completes the login', async () => {
        const t = buildApp(world, { framework, webhookBody: 'json', strategy: { mode: 'webhook' } });
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
        const warnings: Error[] = [];
        const onWarning = (w: Error & { code?: string }): void => {
          if (w.code === 'LAUNCHKEY_WEBHOOK_BODY_PARSED') warnings.push(w);
        };
        const t = buildApp(world, { framework, webhookBody: 'json', webhook: { onError: (err) => errors.push(err) } });
        const username = user();
        const browser = await loggedIn(world, t, username);
        const delivered = world.emu.webhooks().length;
        process.on('warning', onWarning);
        try {
          world.emu.endSession(IDS.hook, username);
          await world.emu.webhooksSettled();
          // Said loudly: a process warning that names the fix and what is lost meanwhile.
          await eventually(() => warnings.length === 1, 'the warning');
        } finally {
          process.off('warning', onWarning);
        }
        expect(warnings[0]?.message).to.include('express.raw').and.include('logouts from the phone are lost');
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

    describe('store outage while a webhook arrives (R14)', () => {
      it('answers an authorization response 503 and changes nothing; after recovery the poller completes the login', async () => {
        const store = new FlakyStore();
        const errors: unknown[] = [];
        const t = buildApp(world, {
          framework,
          store,
          webhook: { onError: (err) => errors.push(err) },
          strategy: { pollInterval: 100 },
        });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const handle = await loginIdOf(browser);
        const id = pendingId(world, username);

        store.down.add('completeIfPending');
        const from = world.emu.webhooks().length;
        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        expect(deliveriesSince(from)).to.deep.equal([['authorization-response', 503]]);
        expect(store.failures).to.deep.equal(['completeIfPending']);
        expect((await store.get(handle))?.status).to.equal('pending');
        expect(t.hookEvents).to.deep.equal([]);
        expect(errors.map((e) => (e as Error).message)).to.deep.equal(['store unreachable (spec: completeIfPending)']);

        store.down.clear();
        expect(view((await browser.get('/login/status?wait=10')).body)).to.deep.equal({ status: 'approved' });
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(200);
        expect(done.body.info.authorizationRequestId).to.equal(id);
        expect(polls(t.apiCalls)).to.be.at.least(1);
      });

      it('processes a redelivery of the very token it answered 503, instead of taking it for a replay', async () => {
        const store = new FlakyStore();
        const t = buildApp(world, { framework, store, strategy: { mode: 'webhook' } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);

        store.down.add('completeIfPending');
        const before = t.webhooks.length;
        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        const delivered = t.webhooks.slice(before);
        expect(delivered).to.have.length(1);
        store.down.clear();

        // The sender retries with the same token: it is processed now, and only once.
        const redeliver = () =>
          t.browser().post('/webhooks/launchkey').set(pickHeaders(delivered[0]!.headers)).send(delivered[0]!.body);
        expect((await redeliver()).status).to.equal(204);
        expect(t.hookEvents).to.deep.equal([`auth:${id}`]);
        expect((await redeliver()).status).to.equal(204);
        expect(t.hookEvents).to.deep.equal([`auth:${id}`]);
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(200);
        expect(polls(t.apiCalls)).to.equal(0);
      });

      it('answers 503 when a shared replay cache is unreachable (StoreUnavailableError), so the API delivers again', async () => {
        let down = true;
        const replayCache = {
          remember: () =>
            down ? Promise.reject(new StoreUnavailableError('Redis is not connected')) : Promise.resolve(true),
        };
        const t = buildApp(world, { framework, strategy: { mode: 'webhook', replayCache } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const from = world.emu.webhooks().length;
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        expect(deliveriesSince(from)).to.deep.equal([['authorization-response', 503]]);
        down = false;
        const [delivered] = t.webhooks.slice(-1);
        expect((await replayWebhook(browser, delivered!)).status).to.equal(204);
        expect((await browser.get('/login/complete')).status).to.equal(200);
      });

      it('answers a session end 503 when the revocation cannot be stored; the user stays logged in and no hook runs', async () => {
        const store = new FlakyStore();
        const errors: unknown[] = [];
        const t = buildApp(world, { framework, store, webhook: { onError: (err) => errors.push(err) } });
        const username = user();
        const browser = await loggedIn(world, t, username);
        store.down.add('revoke');
        const from = world.emu.webhooks().length;
        world.emu.endSession(IDS.hook, username);
        await world.emu.webhooksSettled();
        expect(deliveriesSince(from)).to.deep.equal([['session-end', 503]]);
        expect(t.hookEvents.filter((e) => e.startsWith('end:'))).to.deep.equal([]);
        expect(errors).to.have.length(1);
        store.down.clear();
        expect((await browser.get('/me')).body.user).to.include({ username });
      });
    });

    describe('application hooks (R5)', () => {
      it('a throwing onAuthorizationResponse: the webhook is still answered 204, the error goes to onError, the login completes', async () => {
        const errors: unknown[] = [];
        const boom = new Error('hook failed (spec)');
        const t = buildApp(world, {
          framework,
          strategy: { mode: 'webhook' },
          webhook: {
            onAuthorizationResponse: () => {
              throw boom;
            },
            onError: (err) => errors.push(err),
          },
        });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const from = world.emu.webhooks().length;
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        expect(deliveriesSince(from)).to.deep.equal([['authorization-response', 204]]);
        expect(errors).to.deep.equal([boom]);
        await browser.get('/login/complete').expect(200);
      });

      it('a rejecting onSessionEnd: 204, the error goes to onError, and the revocation still logs the user out', async () => {
        const errors: unknown[] = [];
        const t = buildApp(world, {
          framework,
          webhook: {
            onSessionEnd: () => Promise.reject(new Error('session hook failed (spec)')),
            onError: (err) => errors.push(err),
          },
        });
        const username = user();
        const browser = await loggedIn(world, t, username);
        const from = world.emu.webhooks().length;
        world.emu.endSession(IDS.hook, username);
        await world.emu.webhooksSettled();
        expect(deliveriesSince(from)).to.deep.equal([['session-end', 204]]);
        expect(errors.map((e) => (e as Error).message)).to.deep.equal(['session hook failed (spec)']);
        expect((await browser.get('/me')).body.user).to.equal(null);
      });

      it('a hook that never settles does not hold the 204 back, is reported after hookTimeout, and the store change is made', async () => {
        let entered = 0;
        let timedOut: (err: unknown) => void = () => undefined;
        const reported = new Promise<unknown>((resolve) => {
          timedOut = resolve;
        });
        const t = buildApp(world, {
          framework,
          strategy: { mode: 'webhook' },
          webhook: {
            hookTimeout: 50,
            onError: (err) => {
              timedOut(err);
            },
            onAuthorizationResponse: () => {
              entered++;
              return new Promise<void>(() => undefined);
            },
          },
        });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const from = world.emu.webhooks().length;
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        // Delivered with 204 while the hook still hangs (the emulator would log a timeout otherwise).
        expect(deliveriesSince(from)).to.deep.equal([['authorization-response', 204]]);
        expect(entered).to.equal(1);
        await browser.get('/login/complete').expect(200);
        const err = await reported;
        expect(err).to.be.instanceOf(HookTimeoutError);
        expect(err).to.include({ code: 'ERR_LK_HOOK_TIMEOUT', hook: 'onAuthorizationResponse', timeoutMs: 50 });
      });

      it('a throwing onError changes no answer: a forged webhook is still 401 with an empty body', async () => {
        let calls = 0;
        const t = buildApp(world, {
          framework,
          webhook: {
            onError: () => {
              calls++;
              throw new Error('logger down (spec)');
            },
          },
        });
        const res = await t
          .browser()
          .post('/webhooks/launchkey')
          .set('Content-Type', 'application/json')
          .set('X-IOV-JWT', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln')
          .send('{"service_user_hash":"x","api_time":"2024-01-01T00:00:00Z"}');
        expect([res.status, res.text]).to.deep.equal([401, '']);
        expect(calls).to.equal(1);
      });
    });

    describe('logout (T11)', () => {
      it('logs out a browser that is not logged in with 204 and no LaunchKey call', async () => {
        const t = buildApp(world, { framework });
        const res = await t.browser().post('/logout');
        expect(res.status).to.equal(204);
        expect(t.apiCalls).to.deep.equal([]);
      });

      it('logs out locally when LaunchKey’s session end fails, and passes the LaunchKey error to next(err)', async () => {
        let apiDown = false;
        const t = buildApp(world, { framework, failApi: (call) => apiDown && call === 'DELETE /service/v3/sessions' });
        const username = user();
        const browser = await loggedIn(world, t, username);
        const before = ((await browser.get('/me')).body as { sessionID: string }).sessionID;
        apiDown = true;
        const res = await browser.post('/logout');
        expect(res.status).to.equal(500);
        expect(res.body).to.include({ error: 'NetworkError', code: 'ERR_LK_NETWORK' });
        expect(t.apiCalls.filter((c) => c === 'DELETE /service/v3/sessions')).to.have.length(1);
        const me = (await browser.get('/me')).body as { user: unknown; sessionID: string; launchkey: unknown };
        expect(me.user).to.equal(null);
        expect(me.launchkey).to.equal(null);
        expect(me.sessionID).to.not.equal(before);
        // LaunchKey never heard of the logout.
        expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);
      });

      it('strategy.logout(req) without passport.initialize() rejects with a ConfigurationError naming it', async () => {
        const t = buildApp(world, { framework });
        const session = {
          regenerate: (cb: (err?: unknown) => void) => {
            cb();
          },
          save: (cb?: (err?: unknown) => void) => cb?.(),
        };
        const req = { session } as unknown as Request;
        let caught: unknown;
        await t.strategy.logout(req).catch((err: unknown) => (caught = err));
        expect(caught).to.be.instanceOf(ConfigurationError);
        expect((caught as Error).message).to.include('passport.initialize()');
        expect(t.apiCalls).to.deep.equal([]);
      });
    });

    describe('cancel', () => {
      it('answers canceled: false with no pending login and calls nobody', async () => {
        const t = buildApp(world, { framework });
        const res = await t.browser().post('/login/cancel');
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal({ canceled: false });
        expect(t.apiCalls).to.deep.equal([]);
      });

      it('after the phone approved (webhook stored): discards the approval without a LaunchKey call; nobody logs in', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        const calls = t.apiCalls.length;
        expect((await browser.post('/login/cancel')).body).to.deep.equal({ canceled: true });
        expect(t.apiCalls.slice(calls)).to.deep.equal([]);
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info.code).to.equal('no-pending');
        expect(t.verified).to.deep.equal([]);
        expect(sessionsOf(world, username)).to.deep.equal([]);
      });

      it('when LaunchKey already has the answer (not yet polled): the login ends canceled anyway and nothing completes', async () => {
        const t = buildApp(world, { framework, service: 'poll', strategy: { mode: 'poll', pollInterval: 60_000 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        await world.emu.respond(id, 'approve');
        expect((await browser.post('/login/cancel')).body).to.deep.equal({ canceled: true });
        await withdrawn(t.strategy);
        expect(t.apiCalls).to.include(`DELETE /service/v3/auths/${id}`);
        // LaunchKey refused the cancel: the request stays answered there.
        expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('approved');
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'canceled', code: 'canceled' });
        expect((await browser.get('/login/complete')).body.info.code).to.equal('canceled');
        expect(t.verified).to.deep.equal([]);
      });

      it('when LaunchKey cannot be reached: the login still ends canceled here, the failure goes to onError, and approving the push left on the phone logs nobody in', async () => {
        let apiDown = false;
        const errors: unknown[] = [];
        const t = buildApp(world, {
          framework,
          failApi: (call) => apiDown && call.startsWith('DELETE /service/v3/auths/'),
          strategy: { onError: (err) => errors.push(err) },
        });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        apiDown = true;
        expect((await browser.post('/login/cancel')).body).to.deep.equal({ canceled: true });
        await withdrawn(t.strategy);
        apiDown = false;
        expect(errors.map((e) => (e as { code?: unknown }).code)).to.deep.equal(['ERR_LK_NETWORK']);
        expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('pending');
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'canceled', code: 'canceled' });
        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect([done.status, done.body.info.code]).to.deep.equal([401, 'canceled']);
        expect(t.verified).to.deep.equal([]);
      });
    });

    describe('sessions (T10, R15)', () => {
      it('without express-session, status, cancel and logout fail with a ConfigurationError naming express-session', async () => {
        const t = buildApp(world, { framework, session: false });
        const browser = t.browser();
        for (const res of [
          await browser.get('/login/status'),
          await browser.get('/login/status').set('Accept', 'text/event-stream'),
          await browser.post('/login/cancel'),
          await browser.post('/logout'),
        ]) {
          expect(res.status).to.equal(500);
          expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
          expect(res.body.message).to.include('express-session');
        }
        expect(t.apiCalls).to.deep.equal([]);
      });

      it('with a session lacking regenerate() (cookie-session style), refuses to start: ConfigurationError, no push', async () => {
        const cookieSession: RequestHandler = (req, _res, next) => {
          (req as { session?: unknown }).session = { save: (cb?: () => void) => cb?.() };
          next();
        };
        const t = buildApp(world, { framework, session: false, afterSession: cookieSession });
        const username = user();
        const res = await t.browser().post('/login').type('form').send({ username });
        expect(res.status).to.equal(500);
        expect(res.body.code).to.equal('ERR_LK_CONFIGURATION');
        expect(res.body.message).to.include('regenerate()');
        expect(t.apiCalls).to.deep.equal([]);
        expect(world.emu.auths({ username })).to.deep.equal([]);
        // The guard and the other helpers refuse it the same way.
        const status = await t.browser().get('/login/status');
        expect([status.status, status.body.code]).to.deep.equal([500, 'ERR_LK_CONFIGURATION']);
      });

      it('when regenerate() fails at login: the error propagates, nobody is logged in, and the approval cannot be reused', async () => {
        let failRegenerate = false;
        const breakRegenerate: RequestHandler = (req, _res, next) => {
          if (failRegenerate) {
            const s = req.session;
            s.regenerate = (cb) => {
              cb(new Error('regenerate failed (spec)'));
              return s;
            };
          }
          next();
        };
        const t = buildApp(world, { framework, afterSession: breakRegenerate });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        failRegenerate = true;
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(500);
        expect(done.body.message).to.equal('regenerate failed (spec)');
        failRegenerate = false;
        expect((await browser.get('/me')).body.user).to.equal(null);
        const again = await browser.get('/login/complete');
        expect(again.status).to.equal(401);
        expect(again.body.info.code).to.equal('no-pending');
        expect(t.verified).to.have.length(1);
      });
    });

    describe('strategy faults', () => {
      it('a start for another username while one is pending cancels the first push at LaunchKey', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const first = user();
        const second = user();
        await browser.post('/login').type('form').send({ username: first }).expect(202);
        const firstId = pendingId(world, first);
        const firstHandle = await loginIdOf(browser);
        await browser.post('/login').type('form').send({ username: second }).expect(202);
        await withdrawn(t.strategy);
        expect(world.emu.auths({ username: first }).find((a) => a.id === firstId)?.status).to.equal('canceled');
        expect(await t.store.get(firstHandle)).to.equal(undefined);
        expect(await loginIdOf(browser)).to.not.equal(firstHandle);
        await world.emu.respond(pendingId(world, second), 'approve');
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.body.user.username).to.equal(second);
      });

      it('a start the API answers 503, or that cannot reach it: an error, no push, nothing pending; the next start works (R1)', async () => {
        // The API behind a loopback proxy that answers 503 to the start while `down`.
        let down = true;
        const api = new URL(world.emu.url);
        const proxy = createServer((req, res) => {
          if (down && req.method === 'POST' && req.url === '/service/v3/auths') {
            req.resume();
            res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
            return;
          }
          const forward = httpRequest(
            { host: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          req.pipe(forward);
        });
        await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
        try {
          const { port } = proxy.address() as AddressInfo;
          let refused = false;
          const t = buildApp(world, {
            framework,
            strategy: { baseUrl: `http://127.0.0.1:${String(port)}` },
            failApi: (call) => refused && call === 'POST /service/v3/auths',
          });
          const browser = t.browser();
          const username = user();
          const unavailable = await browser.post('/login').type('form').send({ username });
          expect([unavailable.status, unavailable.body.error]).to.deep.equal([500, 'ApiUnavailableError']);
          down = false;
          refused = true;
          const unreachable = await browser.post('/login').type('form').send({ username });
          expect(unreachable.status).to.equal(500);
          expect(unreachable.body.code).to.equal('ERR_LK_NETWORK');
          expect(t.apiCalls.filter((c) => c === 'POST /service/v3/auths')).to.have.length(2);
          expect(world.emu.auths({ username })).to.deep.equal([]);
          expect((await browser.get('/me')).body.launchkey).to.equal(null);
          refused = false;
          await browser.post('/login').type('form').send({ username }).expect(202);
          await world.emu.respond(pendingId(world, username), 'approve');
          await world.emu.webhooksSettled();
          expect((await browser.get('/login/complete')).body.user.username).to.equal(username);
        } finally {
          proxy.closeAllConnections();
          await new Promise<void>((resolve) =>
            proxy.close(() => {
              resolve();
            }),
          );
        }
      });

      it('a store that cannot take the pending record: 500, the push is taken back at LaunchKey, no handle in the session', async () => {
        const store = new FlakyStore();
        store.down.add('set');
        const t = buildApp(world, { framework, store });
        const browser = t.browser();
        const username = user();
        const res = await browser.post('/login').type('form').send({ username });
        expect(res.status).to.equal(500);
        expect(res.body.message).to.equal('store unreachable (spec: set)');
        const [auth] = world.emu.auths({ username });
        expect(auth?.status).to.equal('canceled');
        expect(t.apiCalls).to.include(`DELETE /service/v3/auths/${auth?.id ?? ''}`);
        expect((await browser.get('/me')).body.launchkey).to.equal(null);
      });

      it('a pending record gone from the store (expired, evicted, taken by another tab): completion fails no-pending and writes no session', async () => {
        const t = buildApp(world, { framework });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const before = (await browser.get('/me')).body as { launchkey: unknown };
        await t.store.takeOnce(await loginIdOf(browser));
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(401);
        expect(done.body.info.code).to.equal('no-pending');
        // No Set-Cookie, no session write: a tab that lost the race cannot put back a replaced session.
        expect(done.headers['set-cookie']).to.equal(undefined);
        expect((await browser.get('/me')).body.launchkey).to.deep.equal(before.launchkey);
        // The stale reference is dropped by the next start.
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        expect((await browser.get('/login/complete')).status).to.equal(200);
      });

      it('an approval stored for a request whose answer belongs to another request: AuthRequestMismatchError, nobody logs in (T7c)', async () => {
        const t = buildApp(world, { framework, service: 'poll', strategy: { mode: 'poll', pollInterval: 100 } });
        const other = user();
        const otherBrowser = t.browser();
        await otherBrowser.post('/login').type('form').send({ username: other }).expect(202);
        await world.emu.respond(pendingId(world, other), 'approve');
        await otherBrowser.get('/login/status?wait=10').expect(200);
        await otherBrowser.get('/login/complete').expect(200);
        const foreign = t.verified[0]?.response;
        if (foreign === undefined) throw new Error('no approved response');

        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        expect(await t.store.completeIfPending(id, { status: 'approved', response: foreign, at: Date.now() })).to.equal(
          'completed',
        );
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(500);
        expect(done.body).to.include({ error: 'AuthRequestMismatchError', code: 'ERR_LK_AUTH_REQUEST_MISMATCH' });
        expect((await browser.get('/me')).body.user).to.equal(null);
        expect(t.verified).to.have.length(1);
        expect(sessionsOf(world, username)).to.deep.equal([]);
      });

      it('verify that throws, or rejects with nothing, is an error: 500, nobody logged in, no LaunchKey session', async () => {
        const cases: [string, () => unknown, string][] = [
          [
            'throws',
            () => {
              throw new Error('users db down (spec)');
            },
            'users db down (spec)',
          ],
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
          ['rejects with undefined', () => Promise.reject(undefined), 'verify rejected'],
        ];
        for (const [, verify, message] of cases) {
          const t = buildApp(world, { framework, verify: verify as never });
          const browser = t.browser();
          const username = user();
          await browser.post('/login').type('form').send({ username }).expect(202);
          await world.emu.respond(pendingId(world, username), 'approve');
          await world.emu.webhooksSettled();
          const done = await browser.get('/login/complete');
          expect([done.status, done.body.message]).to.deep.equal([500, message]);
          expect((await browser.get('/me')).body.user).to.equal(null);
          expect(sessionsOf(world, username)).to.deep.equal([]);
        }
      });

      it('a poll that cannot reach LaunchKey: reported to onError, the login stays pending and completes once LaunchKey is back', async () => {
        let apiDown = true;
        const errors: unknown[] = [];
        const t = buildApp(world, {
          framework,
          service: 'poll',
          strategy: { mode: 'poll', pollInterval: 100, onError: (err) => errors.push(err) },
          failApi: (call) => apiDown && call.startsWith('GET /service/v3/auths/'),
        });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = await loginIdOf(browser);
        await world.emu.respond(pendingId(world, username), 'approve');
        await eventually(() => errors.length >= 2, 'two failed polls');
        expect(errors.every((e) => (e as { code?: string }).code === 'ERR_LK_NETWORK')).to.equal(true);
        // The waiting page is not disturbed: the status comes from the store.
        expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
        expect((await browser.get('/login/complete')).status).to.equal(202);
        expect((await t.store.get(id))?.status).to.equal('pending');
        apiDown = false;
        expect(view((await browser.get('/login/status?wait=10')).body)).to.deep.equal({ status: 'approved' });
        const done = await browser.get('/login/complete');
        expect(done.status).to.equal(200);
        expect(done.body.user.username).to.equal(username);
      });
    });

    describe('LaunchKey’s own rate limit (API 429)', () => {
      const limited = useWorld({ rateLimit: { authsPerUser: 1, windowSeconds: 300 } });

      it('fails the second start with 429 rate-limited and the API’s Retry-After handed on; no pending record', async () => {
        const t = buildApp(limited, { framework });
        const browser = t.browser();
        await browser.post('/login').type('form').send({ username: 'user0' }).expect(202);
        await browser.post('/login/cancel').expect(200);
        const res = await browser.post('/login').type('form').send({ username: 'user0' });
        expect(res.status).to.equal(429);
        expect(res.body.info).to.include({
          code: 'rate-limited',
          message: 'Too many sign-in attempts. Try again later.',
        });
        // The emulator's 429 carries Retry-After: what is left of its 300 s window.
        expect(res.body.info.retryAfter).to.be.a('number').within(1, 300);
        // The refusal came from LaunchKey: the second start reached the API.
        expect(t.apiCalls.filter((c) => c === 'POST /service/v3/auths')).to.have.length(2);
        expect((await browser.get('/me')).body.launchkey).to.equal(null);
        expect(limited.emu.auths({ username: 'user0' })).to.have.length(1);
      });
    });
  });
}

/** The headers a sender would repeat on a redelivery. */
function pickHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of ['content-type', 'x-iov-jwt']) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}
