import { expect } from 'chai';

import { addressKey, MemoryRateLimiter, usernameKey } from '../../lib/passport/rate_limit.js';

describe('rate limiting', () => {
  it('MemoryRateLimiter allows max hits per window, counts refused hits, and reopens after the window', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter({ now: () => now });
    const rule = { max: 2, window: 1000 };
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push((await limiter.hit('k', rule)).allowed);
    expect(hits).to.deep.equal([true, true, false, false]);
    expect((await limiter.hit('k', rule)).retryAfter).to.equal(1000);
    now = 1000;
    expect((await limiter.hit('k', rule)).allowed).to.equal(true);
  });

  it('MemoryRateLimiter stays bounded by dropping the oldest window', async () => {
    const limiter = new MemoryRateLimiter({ maxKeys: 2, now: () => 0 });
    const rule = { max: 1, window: 1000 };
    await limiter.hit('a', rule);
    await limiter.hit('b', rule);
    await limiter.hit('c', rule);
    expect((await limiter.hit('a', rule)).allowed).to.equal(true);
  });

  it('"Alice", " alice " and fullwidth "Ａｌｉｃｅ" share one username bucket', () => {
    expect(new Set(['Alice', ' alice ', 'Ａｌｉｃｅ'].map(usernameKey)).size).to.equal(1);
  });

  it('IPv6 addresses of one /64 share a bucket; IPv4-mapped addresses count as IPv4', () => {
    expect(addressKey('2001:db8:1:2::1')).to.equal(addressKey('2001:db8:1:2:ffff:0:0:9'));
    expect(addressKey('2001:db8:1:2::1')).to.not.equal(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:127.0.0.1')).to.equal(addressKey('127.0.0.1'));
    expect(addressKey(undefined)).to.equal(undefined);
  });
});
