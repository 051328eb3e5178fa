import { expect } from 'chai';

import { ConfigurationError } from '../../lib/errors.js';
import { ReplayCacheError } from '../../lib/errors.js';
import { MemoryReplayCache } from '../../lib/webhooks/replay_cache.js';

function clock(start = 1_000_000) {
  const c = { ms: start, now: () => c.ms };
  return c;
}

describe('webhooks/MemoryReplayCache', () => {
  it('remembers a key once: the first call resolves true, a repeat within the TTL resolves false', async () => {
    const cache = new MemoryReplayCache({ now: clock().now });
    expect(await cache.remember('lka|a', 30)).to.equal(true);
    expect(await cache.remember('lka|a', 30)).to.equal(false);
    expect(await cache.remember('lka|b', 30)).to.equal(true);
  });

  it('forgets a key once its TTL has passed, by the injected clock', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now });
    await cache.remember('k', 10);
    c.ms += 9_999;
    expect(await cache.remember('k', 10)).to.equal(false);
    c.ms += 1;
    expect(await cache.remember('k', 10)).to.equal(true);
  });

  it('keeps a key at least one second even for a zero, negative or non-finite TTL', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now });
    for (const [i, ttl] of [0, -5, Number.NaN].entries()) {
      expect(await cache.remember(`k${i}`, ttl)).to.equal(true);
      expect(await cache.remember(`k${i}`, ttl)).to.equal(false);
    }
    c.ms += 1_000;
    expect(await cache.remember('k0', 0)).to.equal(true);
  });

  it('fails closed with ReplayCacheError full instead of evicting unexpired entries', async () => {
    const cache = new MemoryReplayCache({ maxEntries: 2, now: clock().now });
    await cache.remember('a', 60);
    await cache.remember('b', 60);
    let thrown: unknown;
    try {
      await cache.remember('c', 60);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(ReplayCacheError);
    expect((thrown as ReplayCacheError).code).to.equal('ERR_LK_REPLAY_CACHE_FULL');
    expect((thrown as ReplayCacheError).failure).to.equal('full');
    // Nothing was evicted: both earlier tokens are still refused as replays.
    expect(await cache.remember('a', 60)).to.equal(false);
    expect(await cache.remember('b', 60)).to.equal(false);
  });

  it('makes room by dropping expired entries, even one queued behind a longer-lived entry', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ maxEntries: 2, now: c.now });
    await cache.remember('long', 600);
    await cache.remember('short', 5);
    c.ms += 6_000;
    expect(await cache.remember('new', 60)).to.equal(true);
    expect(cache.size).to.equal(2);
    expect(await cache.remember('long', 600)).to.equal(false);
  });

  it('refuses a capacity that is not a positive integer with ConfigurationError', () => {
    for (const maxEntries of [0, -1, 1.5]) {
      expect(() => new MemoryReplayCache({ maxEntries }))
        .to.throw(ConfigurationError)
        .with.property('option', 'maxEntries');
    }
  });
});
