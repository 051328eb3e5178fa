/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { expect } from 'chai';
import nock from 'nock';
import type { Response } from 'supertest';

import { loadPrivateKey } from '../../lib/crypto/keys.js';

import { FAILURE_MESSAGES, MemoryStore, type PendingRecord } from '../../lib/passport/index.js';
import { BASE_URL, FakeApi } from '../support/fake_api.js';
import { buildApp, KEYS, pendingId, useWorld, userPool, view } from '../support/passport_app.js';

/** Usernames LaunchKey does not know. */
const UNKNOWN = ['nobody-here', 'ghost@example.com', 'Ｇｈｏｓｔ'];

/** The attributes of each Set-Cookie header (name and flags), without the value. */
function cookieShape(res: Response): string[] {
  const raw = res.headers['set-cookie'] as unknown;
  const headers = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return headers.map((header) => {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const name = pair.split('=')[0] ?? '';
    return [name, ...attributes.map((a) => a.split('=')[0]?.toLowerCase()).sort()].join('; ');
  });
}

/** A MemoryStore that counts the calls of each method, to compare the work of two logins. */
class CountingStore extends MemoryStore {
  readonly calls: string[] = [];
  override get(id: string): Promise<PendingRecord | undefined> {
    this.calls.push('get');
    return super.get(id);
  }
  override set(record: PendingRecord, ttlMs: number): Promise<void> {
    this.calls.push('set');
    return super.set(record, ttlMs);
  }
  override pollLease(id: string, owner: string, ttlMs: number): Promise<boolean> {
    this.calls.push('pollLease');
    return super.pollLease(id, owner, ttlMs);
  }
  override lock(key: string, token: string, ttlMs: number): Promise<string> {
    this.calls.push('lock');
    return super.lock(key, token, ttlMs);
  }
  override unlock(key: string, token: string, handOver?: { token: string; ttlMs: number }): Promise<void> {
    this.calls.push('unlock');
    return super.unlock(key, token, handOver);
  }
  override subscribe(id: string, listener: () => void): () => void {
    this.calls.push('subscribe');
    return super.subscribe(id, listener);
  }
  /** The calls made while `run` ran, in order. */
  async during(run: () => Promise<unknown>): Promise<string[]> {
    const before = this.calls.length;
    await run();
    return this.calls.slice(before);
  }
}

// Its own emulator: moving the emulator clock must not disturb the other spec files.
describe('Strategy and user enumeration (SECURITY T8)', () => {
  const world = useWorld();
  const user = userPool();
  afterEach(() => {
    world.emu.setClockOffset(0);
  });

  describe('the start answers alike for known and unknown users (revealUnknownUsers: false, the default)', () => {
    it('gives the same status, Location and Set-Cookie shape (pendingRedirect), and sends no push for a decoy', async () => {
      const t = buildApp(world, { strategy: { pendingRedirect: '/login/wait' } });
      const known = user();
      const answers: Response[] = [];
      for (const username of [known, ...UNKNOWN]) {
        answers.push(await t.browser().post('/login/std').type('form').send({ username }));
      }
      for (const res of answers) {
        expect(res.status).to.equal(303);
        expect(res.headers['location']).to.equal('/login/wait');
        expect(cookieShape(res)).to.deep.equal(cookieShape(answers[0] as Response));
        expect(res.text).to.equal(answers[0]?.text);
      }
      expect(cookieShape(answers[0] as Response)).to.have.length(1);
      expect(world.emu.auths({ username: known })).to.have.length(1);
      expect(t.apiCalls.filter((c) => c === 'POST /service/v3/auths')).to.have.length(1 + UNKNOWN.length);
      expect(UNKNOWN.flatMap((username) => world.emu.auths({ username }))).to.deep.equal([]);
    });

    it('passes with req.launchkey of the same shape (no pendingRedirect), and the status JSON is the same', async () => {
      const t = buildApp(world);
      const knownBrowser = t.browser();
      const decoyBrowser = t.browser();
      const known = await knownBrowser.post('/login').type('form').send({ username: user() });
      const decoy = await decoyBrowser.post('/login').type('form').send({ username: 'nobody-here' });
      for (const res of [known, decoy]) {
        expect(res.status).to.equal(202);
        expect(Object.keys(res.body.pending as object).sort()).to.deep.equal([
          'authorizationRequestId',
          'correlationCode',
          'expiresAt',
          'status',
        ]);
        expect(res.body.pending.status).to.equal('pending');
        expect(res.body.pending.authorizationRequestId).to.match(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      }
      expect(cookieShape(decoy)).to.deep.equal(cookieShape(known));
      const calls = t.apiCalls.length;
      const decoyStatus = await decoyBrowser.get('/login/status');
      expect(t.apiCalls.length).to.equal(calls);
      const knownStatus = await knownBrowser.get('/login/status');
      expect(decoyStatus.status).to.equal(knownStatus.status);
      expect(view(decoyStatus.body)).to.deep.equal(view(knownStatus.body));
      expect(view(decoyStatus.body)).to.deep.equal({ status: 'pending' });
      expect(decoyStatus.headers['cache-control']).to.equal(knownStatus.headers['cache-control']);
      await knownBrowser.post('/login/cancel').expect(200);
    });

    it('a decoy keeps answering pending, then fails exactly like a real expiry, with 0 API calls after the start', async () => {
      let now = Date.now();
      // cacheTtl 0: the client measures the API clock again after the emulator's jump (31 s, well
      // within the transport's 300 s maxClockOffset).
      const t = buildApp(world, {
        strategy: { ttl: 30, pendingRedirect: '/login/wait', now: () => now },
        transport: { cacheTtl: 0 },
      });
      const real = t.browser();
      const decoy = t.browser();
      const username = user();
      await real.post('/login/std').type('form').send({ username }).expect(303);
      const id = pendingId(world, username);
      await decoy.post('/login/std').type('form').send({ username: 'nobody-here' }).expect(303);
      const afterStart = t.apiCalls.length;
      const decoyCalls: string[] = [];
      const onDecoy = async <T>(run: () => Promise<T>): Promise<T> => {
        const before = t.apiCalls.length;
        const result = await run();
        decoyCalls.push(...t.apiCalls.slice(before));
        return result;
      };

      // Pending: the completion route sends both back to the waiting page.
      const realWait = await real.get('/login/std/complete');
      const decoyWait = await onDecoy(() => decoy.get('/login/std/complete'));
      expect([realWait.status, realWait.headers['location']]).to.deep.equal([303, '/login/wait']);
      expect([decoyWait.status, decoyWait.headers['location']]).to.deep.equal([303, '/login/wait']);
      expect(view((await onDecoy(() => decoy.get('/login/status'))).body)).to.deep.equal({ status: 'pending' });
      now += 29_000;
      expect(view((await onDecoy(() => decoy.get('/login/status'))).body)).to.deep.equal({ status: 'pending' });

      world.emu.advanceClock(31);
      now += 2_000;
      expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('expired');
      const realStatus = await real.get('/login/status');
      const decoyStatus = await onDecoy(() => decoy.get('/login/status'));
      expect(view(realStatus.body)).to.deep.equal({ status: 'expired', code: 'expired' });
      expect(view(decoyStatus.body)).to.deep.equal(view(realStatus.body));

      // The same fail: through passport's failureRedirect, and as the info of a custom callback.
      const realDone = await real.get('/login/complete');
      const decoyDone = await onDecoy(() => decoy.get('/login/complete'));
      expect(realDone.status).to.equal(401);
      expect(decoyDone.status).to.equal(realDone.status);
      expect(realDone.body.info).to.deep.equal({ code: 'expired', message: FAILURE_MESSAGES[401] });
      expect(decoyDone.body).to.deep.equal(realDone.body);
      expect((await onDecoy(() => decoy.get('/me'))).body).to.include({ user: null, launchkey: null });

      expect(decoyCalls).to.deep.equal([]);
      expect(t.apiCalls.length).to.be.at.least(afterStart);
    });

    it("in mode 'webhook' the decoy expires at the same moment as a real request", async () => {
      let now = Date.now();
      const t = buildApp(world, { strategy: { mode: 'webhook', ttl: 30, now: () => now } });
      const real = t.browser();
      const decoy = t.browser();
      await real.post('/login').type('form').send({ username: user() }).expect(202);
      await decoy.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
      now += 29_999;
      expect((await real.get('/login/complete')).status).to.equal(202);
      expect((await decoy.get('/login/complete')).status).to.equal(202);
      now += 1;
      const realDone = await real.get('/login/complete');
      const decoyDone = await decoy.get('/login/complete');
      expect(realDone.status).to.equal(401);
      expect(decoyDone.status).to.equal(401);
      expect(decoyDone.body).to.deep.equal(realDone.body);
    });

    it('cancel ends a decoy without any API call, and every answer after it is a real cancel’s', async () => {
      const t = buildApp(world);
      const decoy = t.browser();
      const real = t.browser();
      await decoy.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
      await real.post('/login').type('form').send({ username: user() }).expect(202);
      const calls = t.apiCalls.length;
      expect((await decoy.post('/login/cancel')).body).to.deep.equal({ canceled: true });
      expect(t.apiCalls.length).to.equal(calls);
      expect((await real.post('/login/cancel')).body).to.deep.equal({ canceled: true });
      for (const route of ['/login/status', '/login/status?wait=5']) {
        const [d, r] = [await decoy.get(route), await real.get(route)];
        expect(view(d.body)).to.deep.equal({ status: 'canceled', code: 'canceled' });
        expect(view(d.body)).to.deep.equal(view(r.body));
      }
      const [decoyDone, realDone] = [await decoy.get('/login/complete'), await real.get('/login/complete')];
      expect(decoyDone.status).to.equal(401);
      expect(decoyDone.body).to.deep.equal(realDone.body);
      expect(decoyDone.body.info.code).to.equal('canceled');
    });

    it('a new start from a session holding a decoy drops the decoy without cancelling anything at the API', async () => {
      const t = buildApp(world);
      const browser = t.browser();
      await browser.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      expect(t.apiCalls.filter((c) => c.startsWith('DELETE'))).to.deep.equal([]);
      expect(world.emu.auths({ username, status: 'pending' })).to.have.length(1);
      await browser.post('/login/cancel').expect(200);
    });

    it('decoys never occupy the store: a store with room for one login takes a real user after any number of decoys', async () => {
      const store = new MemoryStore({ maxRecords: 1 });
      const t = buildApp(world, { store, strategy: { rateLimit: false } });
      for (let i = 0; i < 25; i++) {
        await t
          .browser()
          .post('/login')
          .type('form')
          .send({ username: `ghost-${i}` })
          .expect(202);
      }
      expect(store.size).to.equal(0);
      const real = t.browser();
      const username = user();
      await real.post('/login').type('form').send({ username }).expect(202);
      expect(store.size).to.equal(1);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      expect((await real.get('/login/complete')).status).to.equal(200);
    });

    it('a decoy costs the store the same calls as a real login on the start, status, wait and completion routes', async () => {
      const store = new CountingStore();
      const t = buildApp(world, { store, strategy: { pollInterval: 60_000 } });
      const real = t.browser();
      const decoy = t.browser();
      const username = user();
      const work = async (browser: ReturnType<typeof t.browser>, name: string): Promise<string[][]> => [
        await store.during(() => browser.post('/login').type('form').send({ username: name }).expect(202)),
        await store.during(() => browser.get('/login/status').expect(200)),
        await store.during(() => browser.get('/login/status?wait=1').expect(200)),
        await store.during(() => browser.get('/login/complete').expect(202)),
      ];
      const realWork = await work(real, username);
      const decoyWork = await work(decoy, 'nobody-here');
      // One store round trip for another: the decoy's write is a read of its own (missing) id.
      expect(decoyWork.map((calls) => calls.map((c) => (c === 'set' ? 'get' : c)))).to.deep.equal(
        realWork.map((calls) => calls.map((c) => (c === 'set' ? 'get' : c))),
      );
      expect(realWork[0]).to.include('set');
      expect(decoyWork[0]).to.not.include('set');
      await real.post('/login/cancel').expect(200);
    });

    it('never puts LaunchKey error text in the info of any start outcome', async () => {
      const t = buildApp(world, { strategy: { revealUnknownUsers: true } });
      const res = await t.browser().post('/login').type('form').send({ username: 'nobody-here' });
      expect(res.body.info).to.deep.equal({ code: 'unknown-user', message: FAILURE_MESSAGES[401] });
      expect(JSON.stringify(res.body)).to.not.match(/SVC-|not found|entity/i);
    });
  });

  describe('revealUnknownUsers: true', () => {
    it("fails an unknown user with a generic 401 and code 'unknown-user', and writes no session", async () => {
      const t = buildApp(world, { strategy: { revealUnknownUsers: true, pendingRedirect: '/login/wait' } });
      const browser = t.browser();
      const started = await browser.post('/login').type('form').send({ username: 'nobody-here' });
      expect(started.status).to.equal(401);
      expect(started.body.info).to.deep.equal({ code: 'unknown-user', message: FAILURE_MESSAGES[401] });
      expect(started.headers['set-cookie']).to.equal(undefined);
      const known = await t.browser().post('/login/std').type('form').send({ username: user() });
      expect(known.status).to.equal(303);
    });
  });

  describe('a user with a request already pending (from another browser)', () => {
    it('gets a decoy by default that looks like any start, never the other request’s id; the owner still completes', async () => {
      const t = buildApp(world);
      const owner = t.browser();
      const other = t.browser();
      const username = user();
      await owner.post('/login').type('form').send({ username }).expect(202);
      const id = pendingId(world, username);
      const busy = await other.post('/login').type('form').send({ username });
      expect(busy.status).to.equal(202);
      expect(busy.body.pending.status).to.equal('pending');
      expect(busy.body.pending.authorizationRequestId).to.not.equal(id);
      expect(JSON.stringify(busy.body)).to.not.include(id);
      expect(world.emu.auths({ username })).to.have.length(1);

      await world.emu.respond(id, 'approve');
      await world.emu.webhooksSettled();
      const calls = t.apiCalls.length;
      expect(view((await other.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
      expect((await other.get('/login/complete')).status).to.equal(202);
      expect(t.apiCalls.length).to.equal(calls);
      expect((await owner.get('/login/complete')).status).to.equal(200);
      expect((await other.get('/me')).body.user).to.equal(null);
    });

    it("answers 'in-progress' (409) with revealInProgress: true, never with the other request's id", async () => {
      const t = buildApp(world, { strategy: { revealInProgress: true } });
      const owner = t.browser();
      const username = user();
      await owner.post('/login').type('form').send({ username }).expect(202);
      const busy = await t.browser().post('/login').type('form').send({ username });
      expect(busy.status).to.equal(409);
      expect(busy.body.info.code).to.equal('in-progress');
      expect(JSON.stringify(busy.body)).to.not.include(pendingId(world, username));
      await owner.post('/login/cancel').expect(200);
    });
  });
});

// The emulator never answers SVC-003 at creation (the real API created such requests and let the
// device fail them; spec/emulator/auth_flow.spec.ts pins it), so the fake API answers it here.
describe('Strategy and a policy the user cannot meet at start (SVC-003, from the fake API)', () => {
  const world = useWorld();
  before(() => {
    nock.enableNetConnect('127.0.0.1');
  });
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  function policyFailure(): FakeApi {
    return new FakeApi({ apiKey: loadPrivateKey(KEYS.api), clientKey: loadPrivateKey(KEYS.svc).publicKey })
      .ping()
      .publicKey()
      .reply('POST', '/service/v3/auths', {
        status: 400,
        payload: { error_code: 'SVC-003', error_detail: 'The user cannot satisfy the policy' },
      });
  }

  it('gets a decoy by default, like an unknown user: the same answer, no word about the policy', async () => {
    policyFailure();
    const t = buildApp(world, { strategy: { baseUrl: BASE_URL } });
    const res = await t.browser().post('/login').type('form').send({ username: 'user1' });
    expect(res.status).to.equal(202);
    expect(res.body.pending.status).to.equal('pending');
    expect(JSON.stringify(res.body)).to.not.match(/policy|SVC/i);
  });

  it("fails with code 'policy' when revealUnknownUsers is true", async () => {
    policyFailure();
    const t = buildApp(world, { strategy: { baseUrl: BASE_URL, revealUnknownUsers: true } });
    const res = await t.browser().post('/login').type('form').send({ username: 'user1' });
    expect(res.status).to.equal(401);
    expect(res.body.info).to.deep.equal({ code: 'policy', message: FAILURE_MESSAGES[401] });
  });
});
