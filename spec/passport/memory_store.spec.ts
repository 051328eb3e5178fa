import { expect } from 'chai';

import { MemoryStore } from '../../lib/passport/memory_store.js';
import { PendingStoreFullError } from '../../lib/errors.js';
import type { PendingRecord } from '../../lib/passport/store.js';
import { pendingStoreConformance } from '../../lib/testing/index.js';
import { repoModule, runInChild } from '../support/child_node.js';

const ID = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function record(n: number, extra: Partial<PendingRecord> = {}): PendingRecord {
  return {
    v: 2,
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
  describe('the PendingStore conformance suite (fake clock)', () => {
    let now = 1_000_000;
    for (const c of pendingStoreConformance({
      create: () => Promise.resolve(new MemoryStore({ now: () => now })),
      wait: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    })) {
      it(c.name, c.run);
    }
  });

  let now = 1_000_000;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('returns a stored record until its TTL passes, then nothing', async () => {
    const store = new MemoryStore({ now: clock });
    await store.set(record(1), 1000);
    expect((await store.get(ID(1)))?.username).to.equal('user1');
    now += 999;
    expect(await store.get(ID(1))).to.not.equal(undefined);
    now += 1;
    expect(await store.get(ID(1))).to.equal(undefined);
    expect(await store.completeIfPending(ID(1), { status: 'approved', at: now })).to.equal('orphan');
  });

  it('hands out frozen records, so a caller cannot change stored state, and keeps no reference to the caller’s', async () => {
    const store = new MemoryStore({ now: clock });
    const mine = record(1, { state: { returnTo: '/a' } });
    await store.set(mine, 1000);
    (mine.state as { returnTo: string }).returnTo = '/changed';
    const stored = await store.get(ID(1));
    if (stored === undefined) throw new Error('missing');
    expect(Object.isFrozen(stored)).to.equal(true);
    expect(Object.isFrozen(stored.state)).to.equal(true);
    expect(() => {
      stored.status = 'approved';
    }).to.throw(TypeError);
    expect((await store.get(ID(1)))?.state).to.deep.equal({ returnTo: '/a' });
  });

  it('refuses state that is not plain data', async () => {
    const store = new MemoryStore({ now: clock });
    const err = await store.set(record(1, { state: () => 1 }), 1000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'ERR_LK_CONFIGURATION');
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
    const store = new MemoryStore({ now: clock, maxOrphans: 1, orphanTtl: 1000 });
    expect(await store.completeIfPending(ID(1), { status: 'approved', at: 1 })).to.equal('orphan');
    expect(await store.completeIfPending(ID(2), { status: 'approved', at: 1 })).to.equal('unchanged');
    now += 1000;
    expect(await store.completeIfPending(ID(2), { status: 'approved', at: 1 })).to.equal('orphan');
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
    // A fresh process: the warning is once per process, and this one may have given it already.
    const { stdout } = await runInChild(
      `import { MemoryStore } from '${repoModule('lib/passport/memory_store.ts')}';
       const warnings = [];
       process.on('warning', (w) => { if (w.code === 'LAUNCHKEY_MEMORY_STORE') warnings.push(w.message); });
       new MemoryStore();
       new MemoryStore();
       // Warnings are emitted on the next tick; a second one would come in the same queue.
       await new Promise((resolve) => setImmediate(resolve));
       console.log(JSON.stringify(warnings));`,
      { NODE_ENV: 'production' },
    );
    const warnings = JSON.parse(stdout) as string[];
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('MemoryStore');
  });

  it('validates its options, naming the option', () => {
    for (const [options, option] of [
      [{ maxRecords: 0 }, 'maxRecords'],
      [{ orphanTtl: 1.5 }, 'orphanTtl'],
      [{ maxLocks: -1 }, 'maxLocks'],
      [{ now: 'soon' }, 'now'],
    ] as const) {
      expect(() => new MemoryStore(options as never))
        .to.throw()
        .with.property('option', option);
    }
  });

  it('expires records incrementally: a write after many expired records removes a bounded number of them', async () => {
    const store = new MemoryStore({ now: clock });
    for (let n = 0; n < 1000; n++) await store.set(record(n), 1000);
    now += 1000;
    await store.set(record(5000), 1000);
    // The write swept 32 of the 1 000 expired records, not all of them; reading the size sweeps the rest.
    expect((store as unknown as { _records: Map<string, unknown> })._records.size).to.equal(1000 - 32 + 1);
    expect(store.size).to.equal(1);
  });

  it('refuses a lock when full of live locks rather than dropping one', async () => {
    const store = new MemoryStore({ now: clock, maxLocks: 1 });
    expect(await store.lock('a', 't', 1000)).to.equal('t');
    const err = await store.lock('b', 't', 1000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PendingStoreFullError);
    now += 1000;
    expect(await store.lock('b', 't', 1000)).to.equal('t');
  });
});
