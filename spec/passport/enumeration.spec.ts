/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { expect } from 'chai';
import type { Response } from 'supertest';

import {
  FAILURE_MESSAGES,
  MemoryStore,
  type CompletionResult,
  type FinalOutcome,
  type PendingRecord,
  type PendingStore,
} from '../../lib/passport/index.js';
import { buildApp, pendingId, useWorld, userPool } from '../support/passport_app.js';

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

/** A shared-store stand-in: every record goes through JSON on the way in and out, like Redis or SQL. */
class JsonStore implements PendingStore {
  private readonly _inner = new MemoryStore();
  readonly written: unknown[] = [];

  async set(record: PendingRecord, ttlMs: number): Promise<void> {
    const json = JSON.stringify(record);
    this.written.push(JSON.parse(json));
    await this._inner.set(JSON.parse(json) as PendingRecord, ttlMs);
  }
  async get(handle: string): Promise<PendingRecord | undefined> {
    return roundTrip(await this._inner.get(handle));
  }
  completeIfPending(id: string, outcome: FinalOutcome): Promise<CompletionResult> {
    return this._inner.completeIfPending(id, JSON.parse(JSON.stringify(outcome)) as FinalOutcome);
  }
  async takeOnce(handle: string): Promise<PendingRecord | undefined> {
    return roundTrip(await this._inner.takeOnce(handle));
  }
  revoke(hash: string, at: number): Promise<void> {
    return this._inner.revoke(hash, at);
  }
  isRevoked(hash: string, since: number): Promise<boolean> {
    return this._inner.isRevoked(hash, since);
  }
}

function roundTrip(record: PendingRecord | undefined): PendingRecord | undefined {
  return record === undefined ? undefined : (JSON.parse(JSON.stringify(record)) as PendingRecord);
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
      expect(decoyStatus.body).to.deep.equal(knownStatus.body);
      expect(decoyStatus.body).to.deep.equal({ status: 'pending' });
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
      expect((await onDecoy(() => decoy.get('/login/status'))).body).to.deep.equal({ status: 'pending' });
      now += 29_000;
      expect((await onDecoy(() => decoy.get('/login/status'))).body).to.deep.equal({ status: 'pending' });

      world.emu.advanceClock(31);
      now += 2_000;
      expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('expired');
      const realStatus = await real.get('/login/status');
      const decoyStatus = await onDecoy(() => decoy.get('/login/status'));
      expect(realStatus.body).to.deep.equal({ status: 'expired', code: 'expired' });
      expect(decoyStatus.body).to.deep.equal(realStatus.body);

      // The same fail: through passport's failureRedirect, and as the info of a custom callback.
      const realDone = await real.get('/login/complete');
      const decoyDone = await onDecoy(() => decoy.get('/login/complete'));
      expect(realDone.status).to.equal(401);
      expect(decoyDone.status).to.equal(realDone.status);
      expect(realDone.body.info).to.deep.equal({ code: 'expired', message: FAILURE_MESSAGES[401] });
      expect(decoyDone.body).to.deep.equal(realDone.body);
      expect((await onDecoy(() => decoy.get('/me'))).body).to.include({ user: null, launchkey: null });

      expect(decoyCalls).to.deep.equal([]);
      expect(t.apiCalls.length).to.be.greaterThan(afterStart); // the real login did poll
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

    it('cancel drops a decoy without any API call and answers like a real cancel', async () => {
      const t = buildApp(world);
      const decoy = t.browser();
      await decoy.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
      const calls = t.apiCalls.length;
      expect((await decoy.post('/login/cancel')).body).to.deep.equal({ canceled: true });
      expect((await decoy.get('/login/status')).body).to.deep.equal({ status: 'none' });
      expect((await decoy.get('/login/complete')).body.info.code).to.equal('no-pending');
      expect(t.apiCalls.length).to.equal(calls);
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

    it('marks the decoy in a store that goes through JSON, which still never asks the API about it', async () => {
      const store = new JsonStore();
      const t = buildApp(world, { store, strategy: { mode: 'poll' } });
      const decoy = t.browser();
      await decoy.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
      expect(store.written).to.have.length(1);
      expect(store.written[0]).to.include({ decoy: true, username: 'nobody-here', status: 'pending' });
      const calls = t.apiCalls.length;
      expect((await decoy.get('/login/status')).body).to.deep.equal({ status: 'pending' });
      expect((await decoy.get('/login/complete')).status).to.equal(202);
      expect(t.apiCalls.length).to.equal(calls);

      const real = t.browser();
      await real.post('/login').type('form').send({ username: user() }).expect(202);
      expect(store.written[1]).to.not.have.property('decoy');
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

  describe('a user with a request already pending', () => {
    it("answers 'in-progress' (409) by default, never with the other request's id", async () => {
      const t = buildApp(world);
      const owner = t.browser();
      const username = user();
      await owner.post('/login').type('form').send({ username }).expect(202);
      const busy = await t.browser().post('/login').type('form').send({ username });
      expect(busy.status).to.equal(409);
      expect(busy.body.info.code).to.equal('in-progress');
      expect(JSON.stringify(busy.body)).to.not.include(pendingId(world, username));
      await owner.post('/login/cancel').expect(200);
    });

    it('with revealInProgress: false, gets a decoy that looks like any start; the owner still completes', async () => {
      const t = buildApp(world, { strategy: { revealInProgress: false } });
      const owner = t.browser();
      const other = t.browser();
      const username = user();
      await owner.post('/login').type('form').send({ username }).expect(202);
      const id = pendingId(world, username);
      const busy = await other.post('/login').type('form').send({ username });
      expect(busy.status).to.equal(202);
      expect(busy.body.pending.status).to.equal('pending');
      expect(busy.body.pending.authorizationRequestId).to.not.equal(id);
      expect(world.emu.auths({ username })).to.have.length(1);

      await world.emu.respond(id, 'approve');
      await world.emu.webhooksSettled();
      const calls = t.apiCalls.length;
      expect((await other.get('/login/status')).body).to.deep.equal({ status: 'pending' });
      expect((await other.get('/login/complete')).status).to.equal(202);
      expect(t.apiCalls.length).to.equal(calls);
      expect((await owner.get('/login/complete')).status).to.equal(200);
      expect((await other.get('/me')).body.user).to.equal(null);
    });
  });
});
