/**
 * The conformance suite of {@link PendingStore}: every rule of the contract in lib/passport/store.ts,
 * as cases any test runner can run. Our specs run it against `MemoryStore` and `RedisStore`; a team
 * writing its own store (Postgres, DynamoDB, ...) runs it against theirs:
 *
 * ```ts
 * import { pendingStoreConformance } from 'passport-launchkey/testing';
 * describe('my store', () => {
 *   for (const c of pendingStoreConformance({ create: async () => new MyStore(pool) }))
 *     it(c.name, c.run);
 * });
 * ```
 *
 * Cases fail by throwing (node:assert), so they need nothing from the runner but `it`. Time is
 * real unless the harness provides `wait`: expiry cases use TTLs of a few hundred milliseconds.
 */
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';

import type { AuthorizationResponse } from '../entities/auth_response.js';
import type { PendingRecord, PendingStore } from '../passport/store.js';

/** How the suite gets stores. */
export interface StoreHarness {
  /** A new, empty store (a fresh key prefix for a shared backend). */
  create: () => Promise<PendingStore>;
  /**
   * A second store on the same backend as `store` (another app instance): changes made through one
   * are seen, and announced, through the other. Omit it for a store that cannot be shared.
   */
  peer?: (store: PendingStore) => Promise<PendingStore>;
  /** Lets `ms` pass for the store (advance a fake clock); default a real wait. */
  wait?: (ms: number) => Promise<void>;
  /** Releases what `create` and `peer` made (connections, timers). */
  dispose?: (store: PendingStore) => Promise<void>;
}

/** One case of the suite. */
export interface ConformanceCase {
  name: string;
  run: () => Promise<void>;
}

/** A record as the strategy writes it, with `overrides`. */
export function sampleRecord(overrides: Partial<PendingRecord> = {}): PendingRecord {
  const now = Date.now();
  return {
    v: 2,
    authorizationRequestId: randomUUID(),
    handle: randomBytes(32).toString('base64url'),
    username: 'jos\u00e9@example.com',
    status: 'pending',
    createdAt: now,
    expiresAt: now + 300_000,
    state: { returnTo: '/cart?x=1', n: 1.25, nested: [true, null, 'ü'] },
    correlationCode: '42',
    ...overrides,
  };
}

/** A device answer with the awkward parts a serialiser can lose: floats, nulls, nested arrays. */
export function sampleResponse(id: string, overrides: Partial<AuthorizationResponse> = {}): AuthorizationResponse {
  return {
    packageFormat: 'jwe',
    authorizationRequestId: id,
    authorized: true,
    type: 'AUTHORIZED',
    reason: 'APPROVED',
    denialReason: null,
    fraud: false,
    deviceId: randomUUID(),
    servicePins: ['1234', '5678'],
    serviceUserHash: 'a1b2c3d4e5f6',
    organizationUserHash: 'f6e5d4c3b2a1',
    userPushId: 'push-id',
    policy: {
      requirement: 'COND_GEO',
      amount: null,
      types: ['POSSESSION'],
      geofences: [{ name: 'Portland', latitude: 45.51521234567891, longitude: -122.67841234567891, radius: 27500.5 }],
    },
    authMethods: null,
    ...overrides,
  } as AuthorizationResponse;
}

const TTL = 60_000;

/** The cases of the suite, for `harness`. */
export function pendingStoreConformance(harness: StoreHarness): ConformanceCase[] {
  const wait = harness.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const cases: ConformanceCase[] = [];
  const test = (name: string, body: (store: PendingStore) => Promise<void>): void => {
    cases.push({
      name,
      run: async () => {
        const store = await harness.create();
        try {
          await body(store);
        } finally {
          await harness.dispose?.(store);
        }
      },
    });
  };
  const peerTest = (name: string, body: (a: PendingStore, b: PendingStore) => Promise<void>): void => {
    if (harness.peer === undefined) return;
    const peer = harness.peer;
    test(name, async (a) => {
      const b = await peer(a);
      try {
        await body(a, b);
      } finally {
        await harness.dispose?.(b);
      }
    });
  };

  test('hands back every field of a stored record, unchanged', async (store) => {
    const record = sampleRecord();
    await store.set(record, TTL);
    assert.deepEqual(await store.get(record.authorizationRequestId), record);
    assert.equal(await store.get(randomUUID()), undefined);
  });

  test('forgets a record when its ttl has passed', async (store) => {
    const record = sampleRecord();
    await store.set(record, 300);
    await wait(700);
    assert.equal(await store.get(record.authorizationRequestId), undefined);
    assert.equal(await store.takeOnce(record.authorizationRequestId), undefined);
  });

  test('completeIfPending records the first final outcome only, with the answer intact', async (store) => {
    const record = sampleRecord();
    const id = record.authorizationRequestId;
    await store.set(record, TTL);
    const response = sampleResponse(id);
    assert.equal(
      await store.completeIfPending(id, { status: 'approved', response, at: 1_700_000_000_123 }),
      'completed',
    );
    assert.equal(await store.completeIfPending(id, { status: 'denied', at: 1_700_000_000_999 }), 'unchanged');
    assert.deepEqual(await store.get(id), { ...record, status: 'approved', finishedAt: 1_700_000_000_123, response });
  });

  test('keeps an outcome that arrives before its record, and applies it when the record is written', async (store) => {
    const record = sampleRecord();
    const id = record.authorizationRequestId;
    assert.equal(await store.completeIfPending(id, { status: 'denied', at: 5 }), 'orphan');
    // The first outcome wins for orphans too.
    await store.completeIfPending(id, { status: 'approved', response: sampleResponse(id), at: 6 });
    await store.set(record, TTL);
    assert.deepEqual(await store.get(id), { ...record, status: 'denied', finishedAt: 5 });
  });

  test('never keeps a canceled outcome for a record not written: a later record stays pending', async (store) => {
    const record = sampleRecord();
    const id = record.authorizationRequestId;
    assert.equal(await store.completeIfPending(id, { status: 'canceled', at: 5 }), 'unchanged');
    await store.set(record, TTL);
    assert.deepEqual(await store.get(id), record);
  });

  test('takeOnce gives the record to exactly one of concurrent callers and removes it', async (store) => {
    const record = sampleRecord();
    await store.set(record, TTL);
    const taken = await Promise.all(Array.from({ length: 8 }, () => store.takeOnce(record.authorizationRequestId)));
    assert.deepEqual(
      taken.filter((r) => r !== undefined),
      [record],
    );
    assert.equal(await store.get(record.authorizationRequestId), undefined);
  });

  test('claim: only an approved record, by one owner at a time, until released or expired', async (store) => {
    const record = sampleRecord();
    const id = record.authorizationRequestId;
    await store.set(record, TTL);
    assert.equal(await store.claim(id, 'a', TTL), undefined, 'a pending record cannot be claimed');
    const response = sampleResponse(id);
    await store.completeIfPending(id, { status: 'approved', response, at: 7 });
    const claims = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => store.claim(id, owner, 300)));
    assert.equal(claims.filter((r) => r !== undefined).length, 1, 'exactly one concurrent claim wins');
    const winner = ['a', 'b', 'c', 'd'][claims.findIndex((r) => r !== undefined)] ?? '';
    const loser = winner === 'a' ? 'b' : 'a';
    assert.deepEqual(await store.claim(id, winner, 300), { ...record, status: 'approved', finishedAt: 7, response });
    await store.release(id, loser);
    assert.equal(await store.claim(id, loser, 300), undefined, 'a release by another owner changes nothing');
    await store.release(id, winner);
    assert.notEqual(await store.claim(id, loser, 300), undefined, 'released: another owner may claim');
    await wait(700);
    assert.notEqual(await store.claim(id, winner, 300), undefined, 'an expired claim may be taken over');
    assert.notEqual(await store.takeOnce(id), undefined, 'a claimed record can still be taken');
    assert.equal(await store.claim(id, winner, 300), undefined, 'a taken record cannot be claimed');
  });

  test('pollLease: only a pending record, one holder at a time, renewed by its holder, ends with the record', async (store) => {
    const record = sampleRecord();
    const id = record.authorizationRequestId;
    assert.equal(await store.pollLease(id, 'a', TTL), false, 'no record, no lease');
    await store.set(record, TTL);
    const leases = await Promise.all(['a', 'b', 'c'].map((owner) => store.pollLease(id, owner, 300)));
    assert.equal(leases.filter(Boolean).length, 1, 'exactly one concurrent holder');
    const holder = ['a', 'b', 'c'][leases.indexOf(true)] ?? '';
    const other = holder === 'a' ? 'b' : 'a';
    assert.equal(await store.pollLease(id, holder, 300), true, 'the holder renews');
    assert.equal(await store.pollLease(id, other, 300), false);
    await wait(700);
    assert.equal(await store.pollLease(id, other, 300), true, 'an expired lease is taken over');
    await store.completeIfPending(id, { status: 'canceled', at: 8 });
    assert.equal(await store.pollLease(id, other, 300), false, 'a final record needs no poller');
  });

  test('lock: one holder at a time; unlock by the holder only; hand-over; expiry', async (store) => {
    const key = `start:${randomUUID()}`;
    const held = await Promise.all(['t1', 't2', 't3'].map((token) => store.lock(key, token, 300)));
    const winner = held[0] ?? '';
    assert.ok(
      held.every((h) => h === winner),
      'every caller sees the same holder',
    );
    const other = winner === 't1' ? 't2' : 't1';
    assert.equal(await store.lock(key, winner, 300), winner, 'the holder renews');
    await store.unlock(key, other);
    assert.equal(await store.lock(key, other, 300), winner, 'an unlock by another token changes nothing');
    await store.unlock(key, winner, { token: 'done:x', ttlMs: 300 });
    assert.equal(await store.lock(key, other, 300), 'done:x', 'handed over');
    await store.unlock(key, 'done:x');
    assert.equal(await store.lock(key, other, 300), other, 'unlocked: free for the next');
    await wait(700);
    assert.equal(await store.lock(key, 't9', 300), 't9', 'an expired lock is free');
  });

  test('tells subscribers when a record is stored, completed and taken, until they unsubscribe', async (store) => {
    const record = sampleRecord();
    const id = record.authorizationRequestId;
    let calls = 0;
    const stop = store.subscribe(id, () => {
      calls += 1;
    });
    const thrower = store.subscribe(id, () => {
      throw new Error('a broken listener');
    });
    const changed = async (what: () => Promise<unknown>): Promise<void> => {
      const before = calls;
      await what();
      await eventually(() => calls > before, `a notification after ${what.toString()}`);
    };
    await changed(() => store.set(record, TTL));
    await changed(() => store.completeIfPending(id, { status: 'denied', at: 9 }));
    await changed(() => store.takeOnce(id));
    stop();
    thrower();
    const after = calls;
    await store.set(sampleRecord({ authorizationRequestId: id }), TTL);
    await store.takeOnce(id);
    await wait(100);
    assert.equal(calls, after, 'no notification after unsubscribing');
  });

  test('revocations: the latest time wins, compared with the login time', async (store) => {
    const hash = randomBytes(16).toString('hex');
    assert.equal(await store.isRevoked(hash, 0), false);
    await store.revoke(hash, 2_000);
    await store.revoke(hash, 1_000);
    assert.equal(await store.isRevoked(hash, 1_999), true);
    assert.equal(await store.isRevoked(hash, 2_000), false, 'a login at the revocation time or later survives it');
    assert.equal(await store.isRevoked(randomBytes(16).toString('hex'), 0), false);
  });

  peerTest('another instance sees the record, takes it once, and hears of its changes', async (a, b) => {
    const record = sampleRecord();
    const id = record.authorizationRequestId;
    let heard = 0;
    const stop = b.subscribe(id, () => {
      heard += 1;
    });
    try {
      // A subscription may take a moment to reach a shared backend.
      await wait(200);
      await a.set(record, TTL);
      assert.deepEqual(await b.get(id), record);
      await a.completeIfPending(id, { status: 'approved', response: sampleResponse(id), at: 10 });
      await eventually(() => heard >= 2, 'the other instance hears both changes');
      const taken = await Promise.all([a.takeOnce(id), b.takeOnce(id)]);
      assert.equal(taken.filter((r) => r !== undefined).length, 1, 'one instance takes it');
    } finally {
      stop();
    }
  });

  peerTest('a lease held by one instance excludes the other', async (a, b) => {
    const record = sampleRecord();
    await a.set(record, TTL);
    assert.equal(await a.pollLease(record.authorizationRequestId, 'instance-a', TTL), true);
    assert.equal(await b.pollLease(record.authorizationRequestId, 'instance-b', TTL), false);
    const key = `start:${randomUUID()}`;
    assert.equal(await a.lock(key, 'ta', TTL), 'ta');
    assert.equal(await b.lock(key, 'tb', TTL), 'ta');
  });

  return cases;
}

/** Resolves once `condition` holds (checked every 5 ms for 2 s), else throws `what`. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}
