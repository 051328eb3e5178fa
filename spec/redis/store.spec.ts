import { randomUUID } from 'node:crypto';

import { expect } from 'chai';
import { createClient } from 'redis';

import { StoreUnavailableError } from '../../lib/errors.js';
import { countStart } from '../../lib/passport/rate_limit.js';
import type { PendingStore } from '../../lib/passport/store.js';
import { RedisRateLimiter, RedisReplayCache, RedisStore, redisState } from '../../lib/redis/index.js';
import { pendingStoreConformance, sampleRecord, sampleResponse } from '../../lib/testing/index.js';
import { eventually } from '../support/assertions.js';
import { requireRedisServer, startRedis, type RedisServer } from '../support/redis_server.js';

function connect(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: () => 50 } });
  // node-redis would throw an unhandled 'error' event while Redis is down otherwise.
  client.on('error', () => undefined);
  return client.connect();
}

type Client = Awaited<ReturnType<typeof connect>>;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('passport-launchkey/redis on a real redis-server', () => {
  let server: RedisServer;
  const clients: Client[] = [];
  const stores: PendingStore[] = [];
  const client = async (): Promise<Client> => {
    const c = await connect(server.url);
    clients.push(c);
    return c;
  };

  before(async function () {
    requireRedisServer(this);
    server = await startRedis();
  });
  after(async () => {
    for (const s of stores) await s.close?.();
    for (const c of clients) c.destroy();
    await (server as RedisServer | undefined)?.stop();
  });

  describe('RedisStore: the PendingStore conformance suite', () => {
    for (const c of pendingStoreConformance({
      create: async () => {
        const store = new RedisStore({ client: await client(), prefix: `conformance-${randomUUID()}:` });
        stores.push(store);
        return store;
      },
      // Another app instance: its own connection, the same prefix.
      peer: async (store) => {
        const prefix = (store as unknown as { _redis: { prefix: string } })._redis.prefix;
        const peer = new RedisStore({ client: await client(), prefix });
        stores.push(peer);
        return peer;
      },
    })) {
      it(c.name, c.run);
    }
  });

  describe('RedisStore keys', () => {
    it('puts every key under the prefix, gives each a TTL, and keys one login under one hash tag', async () => {
      const redis = await client();
      const prefix = `keys-${randomUUID()}:`;
      const store = new RedisStore({ client: redis, prefix, orphanTtl: 5000, revocationTtl: 86_400_000 });
      stores.push(store);
      const record = sampleRecord();
      const id = record.authorizationRequestId;
      await store.set(record, 60_000);
      await store.completeIfPending(id, { status: 'approved', response: sampleResponse(id), at: 1 });
      await store.claim(id, 'owner', 60_000);
      await store.completeIfPending(randomUUID(), { status: 'denied', at: 2 });
      const other = sampleRecord();
      await store.set(other, 60_000);
      await store.pollLease(other.authorizationRequestId, 'owner', 6000);
      await store.lock('start:abc', 'token', 30_000);
      await store.revoke('hash1', 3);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).to.have.length(7);
      for (const key of keys) {
        expect(await redis.pTTL(key), key).to.be.greaterThan(0);
      }
      expect(keys.filter((k) => k.includes(`{${id}}`)).sort()).to.deep.equal(
        [`${prefix}{${id}}:claim`, `${prefix}{${id}}:rec`].sort(),
      );
      expect(await redis.keys('*')).to.satisfy((all: string[]) =>
        all.every((k) => !k.startsWith(prefix) || keys.includes(k)),
      );
    });

    it('refuses a prefix that would break the hash tags, and a client that is not one', async () => {
      const redis = await client();
      expect(() => new RedisStore({ client: redis, prefix: 'a{b' }))
        .to.throw()
        .with.property('option', 'prefix');
      expect(() => new RedisStore({ client: {} as never }))
        .to.throw()
        .with.property('option', 'client');
      expect(() => new RedisStore({ client: redis, commandTimeout: 0 }))
        .to.throw()
        .with.property('option', 'commandTimeout');
    });
  });

  describe('RedisReplayCache and RedisRateLimiter', () => {
    it('the replay cache remembers a key once, across instances, until it expires or is forgotten', async () => {
      const prefix = `replay-${randomUUID()}:`;
      const a = new RedisReplayCache({ client: await client(), prefix });
      const b = new RedisReplayCache({ client: await client(), prefix });
      const results = await Promise.all([a.remember('iss|jti', 1), b.remember('iss|jti', 1), a.remember('iss|jti', 1)]);
      expect(results.filter(Boolean)).to.have.length(1);
      await b.forget('iss|jti');
      expect(await a.remember('iss|jti', 0.2)).to.equal(true);
      // Never shorter than a second: a token at the edge of its window must still not replay at once.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await b.remember('iss|jti', 1)).to.equal(false);
    });

    it('the rate limiter counts hits of all instances in one window, refunds, and blocks without shortening', async () => {
      const prefix = `limits-${randomUUID()}:`;
      const a = new RedisRateLimiter({ client: await client(), prefix });
      const b = new RedisRateLimiter({ client: await client(), prefix });
      const rule = { max: 3, window: 60_000 };
      const decisions = await Promise.all([a, b, a, b].map((l) => l.hit('user:alice', rule)));
      expect(decisions.filter((d) => d.allowed)).to.have.length(3);
      const refused = decisions.find((d) => !d.allowed);
      expect(refused?.retryAfter).to.be.within(59_000, 60_000);
      await a.refund('user:alice');
      await a.refund('user:alice');
      expect((await b.hit('user:alice', rule)).allowed).to.equal(true);
      expect(await a.blockedFor('fraud:user:alice')).to.equal(0);
      await a.block('fraud:user:alice', 60_000);
      await b.block('fraud:user:alice', 1000);
      expect(await b.blockedFor('fraud:user:alice')).to.be.within(59_000, 60_000);
    });

    it('the start limits on it: a stranger’s starts leave the owner’s own, and the ceiling counts every address of every instance', async () => {
      const prefix = `starts-${randomUUID()}:`;
      const limits = async () => ({
        limiter: new RedisRateLimiter({ client: await client(), prefix }),
        perUsername: { max: 3, window: 60_000 },
        perUsernameTotal: { max: 5, window: 60_000 },
        perIp: { max: 10, window: 60_000 },
      });
      const [a, b] = [await limits(), await limits()];
      const stranger = await Promise.all([a, b, a, b, a, b].map((l) => countStart(l, 'Alice', '203.0.113.7')));
      expect(stranger.filter((r) => r === undefined)).to.have.length(3);
      expect(stranger.find((r) => r !== undefined)).to.include({ limit: 'username' });
      // The refused three did not spend the ceiling: 3 of 5 are used, the owner gets 2 more.
      expect(await countStart(b, ' alice ', '198.51.100.20')).to.equal(undefined);
      expect(await countStart(a, 'ALICE', '198.51.100.21')).to.equal(undefined);
      expect(await countStart(b, 'alice', '198.51.100.22')).to.include({ limit: 'username' });
      // Starts without an address share one budget.
      const unknown = { ...a, perUsername: false as const, perIp: { max: 1, window: 60_000 } };
      expect(await countStart(unknown, 'bob', undefined)).to.equal(undefined);
      expect(await countStart(unknown, 'carol', undefined)).to.include({ limit: 'address' });
    });

    it('redisState gives the three, sharing the client and the prefix', async () => {
      const redis = await client();
      const prefix = `state-${randomUUID()}:`;
      const state = redisState({ client: redis, prefix });
      stores.push(state.store);
      expect(await state.replayCache.remember('k', 60)).to.equal(true);
      await state.rateLimit.limiter.hit('user:x', { max: 1, window: 60_000 });
      expect((await redis.keys(`${prefix}*`)).sort()).to.deep.equal([`${prefix}hits:user:x`, `${prefix}seen:k`]);
    });
  });

  describe('when Redis goes away and comes back', () => {
    it('fails every operation at once with StoreUnavailableError, then works again without a restart', async () => {
      const redis = await client();
      const store = new RedisStore({ client: redis, prefix: `outage-${randomUUID()}:` });
      const limiter = new RedisRateLimiter({ client: redis });
      const replay = new RedisReplayCache({ client: redis });
      stores.push(store);
      const record = sampleRecord();
      await store.set(record, 60_000);
      await server.stop();
      await eventually(() => !redis.isReady, 'the client to notice');
      const started = Date.now();
      for (const operation of [
        () => store.get(record.authorizationRequestId),
        () => store.set(sampleRecord(), 60_000),
        () => store.completeIfPending(record.authorizationRequestId, { status: 'approved', at: 1 }),
        () => store.takeOnce(record.authorizationRequestId),
        () => store.revoke('h', 1),
        () => store.isRevoked('h', 0),
        () => limiter.hit('k', { max: 1, window: 1000 }),
        () => replay.remember('k', 1),
      ]) {
        const err = await rejection(operation());
        expect(err).to.be.instanceOf(StoreUnavailableError);
        expect(err).to.have.property('code', 'ERR_LK_STORE_UNAVAILABLE');
      }
      // Failing fast, not queueing until Redis is back.
      expect(Date.now() - started).to.be.lessThan(1000);
      await server.start();
      await eventually(() => redis.isReady, 'the client to reconnect');
      // The restarted server is empty (no persistence): the record is gone, new ones work.
      expect(await store.get(record.authorizationRequestId)).to.equal(undefined);
      const fresh = sampleRecord();
      await store.set(fresh, 60_000);
      expect(await store.get(fresh.authorizationRequestId)).to.deep.equal(fresh);
    });

    it('a command Redis does not answer fails with StoreUnavailableError after commandTimeout', async () => {
      const redis = await client();
      const store = new RedisStore({ client: redis, prefix: `slow-${randomUUID()}:`, commandTimeout: 200 });
      stores.push(store);
      // A frozen server (SIGSTOP) keeps the connection open and answers nothing.
      server.pause();
      try {
        const err = await rejection(store.get(randomUUID()));
        expect(err).to.be.instanceOf(StoreUnavailableError);
      } finally {
        server.resume();
      }
      expect(await store.get(randomUUID())).to.equal(undefined);
    });

    it('subscribers hear changes again after the subscription connection came back', async () => {
      const prefix = `feed-${randomUUID()}:`;
      const a = new RedisStore({ client: await client(), prefix });
      const b = new RedisStore({ client: await client(), prefix });
      stores.push(a, b);
      const record = sampleRecord();
      const id = record.authorizationRequestId;
      let heard = 0;
      b.subscribe(id, () => {
        heard += 1;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await a.set(record, 60_000);
      await eventually(() => heard >= 1, 'the first notification');
      const before = heard;
      await server.stop();
      await server.start();
      // On reconnect every waiter is told to read again (it may have missed something).
      await eventually(() => heard > before, 'a resync notification after the reconnect');
      await eventually(async () => {
        try {
          await a.set(sampleRecord({ authorizationRequestId: id }), 60_000);
          return true;
        } catch {
          return false;
        }
      }, 'the writer to reconnect');
      const afterReconnect = heard;
      await a.completeIfPending(id, { status: 'denied', at: 3 });
      await eventually(() => heard > afterReconnect, 'a notification after the reconnect');
    });
  });
});
