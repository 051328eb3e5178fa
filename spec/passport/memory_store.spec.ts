import { once } from 'node:events';

import { expect } from 'chai';

import { MemoryStore, resetMemoryStoreWarning } from '../../lib/passport/memory_store.js';
import { PendingStoreFullError } from '../../lib/errors.js';
import type { PendingRecord } from '../../lib/passport/store.js';

const ID = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function record(n: number, extra: Partial<PendingRecord> = {}): PendingRecord {
  return {
    v: 1,
    handle: `handle-${n}`,
    authorizationRequestId: ID(n),
    username: `user${n}`,
    status: 'pending',
    createdAt: 0,
    expiresAt: 300_000,
    ...extra,
  };
}

describe('MemoryStore', () => {
  let now = 1_000_000;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('returns a stored record until its TTL passes, then nothing', async () => {
    const store = new MemoryStore({ now: clock });
    await store.set(record(1), 1000);
    expect((await store.get('handle-1'))?.username).to.equal('user1');
    now += 999;
    expect(await store.get('handle-1')).to.not.equal(undefined);
    now += 1;
    expect(await store.get('handle-1')).to.equal(undefined);
    expect(await store.completeIfPending(ID(1), { status: 'approved', at: now })).to.equal('orphan');
  });

  it('hands copies out, so a caller cannot change stored state', async () => {
    const store = new MemoryStore({ now: clock });
    await store.set(record(1, { state: { returnTo: '/a' } }), 1000);
    const copy = await store.get('handle-1');
    if (copy === undefined) throw new Error('missing');
    copy.status = 'approved';
    expect((await store.get('handle-1'))?.status).to.equal('pending');
  });

  it('refuses state that is not plain data', async () => {
    const store = new MemoryStore({ now: clock });
    const err = await store.set(record(1, { state: () => 1 }), 1000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'ERR_LK_CONFIGURATION');
  });

  it('takeOnce gives the record to exactly one of concurrent callers and removes it', async () => {
    const store = new MemoryStore({ now: clock });
    await store.set(record(1), 1000);
    const taken = await Promise.all([
      store.takeOnce('handle-1'),
      store.takeOnce('handle-1'),
      store.takeOnce('handle-1'),
    ]);
    expect(taken.filter((r) => r !== undefined)).to.have.length(1);
    expect(await store.get('handle-1')).to.equal(undefined);
  });

  it('completeIfPending keeps the first final outcome (approved then denied stays approved)', async () => {
    const store = new MemoryStore({ now: clock });
    await store.set(record(1), 1000);
    expect(await store.completeIfPending(ID(1), { status: 'approved', at: 1 })).to.equal('completed');
    expect(await store.completeIfPending(ID(1), { status: 'denied', at: 2 })).to.equal('unchanged');
    expect(await store.completeIfPending(ID(1), { status: 'approved', at: 3 })).to.equal('unchanged');
    expect(await store.get('handle-1')).to.include({ status: 'approved', finishedAt: 1 });
  });

  it('keeps an outcome that arrives before its record and applies it when the record is written (R8)', async () => {
    const store = new MemoryStore({ now: clock });
    expect(await store.completeIfPending(ID(2), { status: 'denied', at: 5 })).to.equal('orphan');
    expect(await store.completeIfPending(ID(2), { status: 'approved', at: 6 })).to.equal('orphan');
    await store.set(record(2), 1000);
    expect(await store.get('handle-2')).to.include({ status: 'denied', finishedAt: 5 });
  });

  it('forgets an orphan after orphanTtl', async () => {
    const store = new MemoryStore({ now: clock, orphanTtl: 100 });
    await store.completeIfPending(ID(3), { status: 'approved', at: 1 });
    now += 100;
    await store.set(record(3), 1000);
    expect((await store.get('handle-3'))?.status).to.equal('pending');
  });

  it('refuses a new record when full (fail closed) and accepts again once one expired', async () => {
    const store = new MemoryStore({ now: clock, maxRecords: 2 });
    await store.set(record(1), 1000);
    await store.set(record(2), 2000);
    const err = await store.set(record(3), 1000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PendingStoreFullError);
    expect(err).to.have.property('code', 'ERR_LK_STORE_FULL');
    expect(store.size).to.equal(2);
    now += 1000;
    await store.set(record(3), 1000);
    expect(store.size).to.equal(2);
  });

  it('bounds orphans: past maxOrphans, new orphans are dropped', async () => {
    const store = new MemoryStore({ now: clock, maxOrphans: 1 });
    expect(await store.completeIfPending(ID(1), { status: 'approved', at: 1 })).to.equal('orphan');
    expect(await store.completeIfPending(ID(2), { status: 'approved', at: 1 })).to.equal('unchanged');
  });

  it('tells subscribers of a completion and of a take, and stops when unsubscribed', async () => {
    const store = new MemoryStore({ now: clock });
    await store.set(record(1), 1000);
    const seen: (string | undefined)[] = [];
    const stop = store.subscribe('handle-1', (r) => seen.push(r?.status));
    await store.completeIfPending(ID(1), { status: 'approved', at: 1 });
    await store.takeOnce('handle-1');
    stop();
    await store.set(record(1), 1000);
    expect(seen).to.deep.equal(['approved', undefined]);
  });

  it('records revocations: latest time wins, isRevoked compares with the login time, and they expire', async () => {
    const store = new MemoryStore({ now: clock, revocationTtl: 10_000 });
    await store.revoke('hash', 500);
    await store.revoke('hash', 400);
    expect(await store.isRevoked('hash', 499)).to.equal(true);
    expect(await store.isRevoked('hash', 500)).to.equal(false);
    expect(await store.isRevoked('other', 0)).to.equal(false);
    now += 10_000;
    expect(await store.isRevoked('hash', 0)).to.equal(false);
  });

  it('refuses a revocation when full rather than dropping one', async () => {
    const store = new MemoryStore({ now: clock, maxRevocations: 1 });
    await store.revoke('a', 1);
    const err = await store.revoke('b', 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PendingStoreFullError);
    await store.revoke('a', 2);
  });

  it('warns once per process under NODE_ENV=production', async () => {
    const saved = process.env['NODE_ENV'];
    resetMemoryStoreWarning();
    process.env['NODE_ENV'] = 'production';
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => {
      if (w.code === 'LAUNCHKEY_MEMORY_STORE') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const first = once(process, 'warning');
      new MemoryStore();
      new MemoryStore();
      await first;
      // A later warning of our own would arrive on the same tick queue; give it the same chance.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.include('MemoryStore');
    } finally {
      process.off('warning', onWarning);
      if (saved === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = saved;
    }
  });

  it('validates its options', () => {
    expect(() => new MemoryStore({ maxRecords: 0 })).to.throw(/maxRecords/);
  });
});
