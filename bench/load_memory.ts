/**
 * Memory per pending login (part of `npm run bench:load`; run with --expose-gc): 100 000 pending
 * logins in a MemoryStore, measured as the heap growth after full collections; and N pending logins
 * in Redis (RedisStore), measured as the growth of Redis's `used_memory`. Records look like the
 * strategy's: a random handle, a UUID, a username, a correlation code.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { createClient } from 'redis';

import { MemoryStore } from '../lib/passport/memory_store.js';
import type { PendingRecord } from '../lib/passport/store.js';
import { RedisStore } from '../lib/redis/store.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function record(i: number): PendingRecord {
  const now = Date.now();
  return {
    v: 2,
    authorizationRequestId: randomUUID(),
    handle: randomBytes(32).toString('base64url'),
    username: `user${i}@example.com`,
    status: 'pending',
    createdAt: now,
    expiresAt: now + 300_000,
    correlationCode: String(10 + (i % 90)),
  };
}

function heap(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const COUNT = 100_000;
const store = new MemoryStore({ maxRecords: COUNT });
// The records are made inside the measurement: the store keeps its own frozen copy and the
// caller's is dropped, so the growth is what pending logins cost.
const before = heap();
for (let i = 0; i < COUNT; i++) await store.set(record(i), 600_000);
const after = heap();
// Read after the measurement, so the store is certainly alive through it.
if (store.size !== COUNT) throw new Error(`expected ${COUNT} records, found ${store.size}`);
const memoryBytes = (after - before) / COUNT;
console.log(
  `MemoryStore: ${COUNT} pending logins use ${((after - before) / 2 ** 20).toFixed(1)} MB of heap (${memoryBytes.toFixed(0)} bytes each)`,
);

const url = process.env['REDIS_URL'];
if (url !== undefined) {
  const client = createClient({ url });
  await client.connect();
  const redisStore = new RedisStore({ client, prefix: `memory-${Date.now()}:` });
  const N = 20_000;
  const used = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
  const start = await used();
  for (let i = 0; i < N; i += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, j) => redisStore.set(record(i + j), 600_000)));
  }
  const end = await used();
  console.log(
    `RedisStore: ${N} pending logins use ${((end - start) / 2 ** 20).toFixed(1)} MB in Redis (${((end - start) / N).toFixed(0)} bytes each)`,
  );
  await redisStore.close();
  client.destroy();
}
