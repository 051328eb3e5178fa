import { expect } from 'chai';
import nock from 'nock';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import {
  ApiUnavailableError,
  ConfigurationError,
  JwtVerificationError,
  UnexpectedResponseError,
} from '../../lib/errors.js';
import { ApiKeyCache } from '../../lib/transport/api_keys.js';
import { ApiClock } from '../../lib/transport/api_clock.js';
import { HttpClient } from '../../lib/transport/http.js';
import { rejection } from '../support/assertions.js';
import { vectorText } from '../support/vectors.js';

const BASE_URL = 'https://api.launchkey.test';
const keyA = loadPrivateKey(vectorText('python-features-organization-key.pem'));
const keyB = loadPrivateKey(vectorText('dotnet-webclienttransport-private-key.pem'));

function servesCurrent(key = keyA): nock.Scope {
  return nock(BASE_URL).get('/public/v3/public-key').reply(200, key.publicKey.pem, { 'X-IOV-KEY-ID': key.kid });
}

describe('ApiKeyCache', () => {
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    clock = 1_700_000_000_000;
  });
  afterEach(() => {
    nock.cleanAll();
  });

  it('keeps the current key for 300 s, then fetches it again', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    servesCurrent();
    expect((await cache.current()).kid).to.equal(keyA.kid);
    clock += 299_000;
    expect((await cache.current()).kid).to.equal(keyA.kid); // no second fetch scripted: served from cache
    clock += 2_000;
    servesCurrent(keyB);
    expect((await cache.current()).kid).to.equal(keyB.kid);
  });

  it('keeps the loaded key object when the API serves the same key again (jose caches its CryptoKey on it)', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    servesCurrent();
    const first = await cache.current();
    clock += 301_000;
    const scope = servesCurrent();
    const again = await cache.current();
    expect(scope.isDone(), 'fetched again after the TTL').to.equal(true);
    expect(again).to.equal(first);
    expect(await cache.byKid(keyA.kid)).to.equal(first);
    // A rotated key is a new object.
    clock += 301_000;
    servesCurrent(keyB);
    const rotated = await cache.current();
    expect(rotated).to.not.equal(first);
    expect(rotated.kid).to.equal(keyB.kid);
  });

  it('knows the current key by its id without another fetch', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    servesCurrent();
    await cache.current();
    expect((await cache.byKid(keyA.kid)).kid).to.equal(keyA.kid);
  });

  it('keeps keys fetched by id indefinitely', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    nock(BASE_URL)
      .get(`/public/v3/public-key/${keyB.kid}`)
      .once()
      .reply(200, keyB.publicKey.pem, { 'X-IOV-KEY-ID': keyB.kid });
    await cache.byKid(keyB.kid);
    clock += 365 * 24 * 3600 * 1000;
    expect((await cache.byKid(keyB.kid)).kid).to.equal(keyB.kid);
  });

  it('asks again about an unknown id once the negative entry expires', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now, unknownKeyTtl: 60 });
    const scope = nock(BASE_URL).get(`/public/v3/public-key/${keyB.kid}`).once().reply(404);
    expect(await rejection(cache.byKid(keyB.kid))).to.be.instanceOf(JwtVerificationError);
    expect(await rejection(cache.byKid(keyB.kid))).to.be.instanceOf(JwtVerificationError);
    expect(scope.isDone()).to.be.true;
    clock += 61_000;
    nock(BASE_URL)
      .get(`/public/v3/public-key/${keyB.kid}`)
      .reply(200, keyB.publicKey.pem, { 'X-IOV-KEY-ID': keyB.kid });
    expect((await cache.byKid(keyB.kid)).kid).to.equal(keyB.kid);
  });

  it('refuses a malformed kid without any request', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    for (const kid of ['../../directory/v3/devices', 'a%2Fb', 'x?y', 'A'.repeat(10_000)]) {
      const err = await rejection(cache.byKid(kid));
      expect(err).to.be.instanceOf(JwtVerificationError);
      expect(err).to.include({ code: 'ERR_LK_JWT_KEY' });
    }
    expect(nock.pendingMocks()).to.deep.equal([]);
  });

  it('forgets the oldest ids beyond maxEntries', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now, maxEntries: 1 });
    nock(BASE_URL)
      .get(`/public/v3/public-key/${keyA.kid}`)
      .twice()
      .reply(200, keyA.publicKey.pem, { 'X-IOV-KEY-ID': keyA.kid })
      .get(`/public/v3/public-key/${keyB.kid}`)
      .reply(200, keyB.publicKey.pem, { 'X-IOV-KEY-ID': keyB.kid });
    await cache.byKid(keyA.kid);
    await cache.byKid(keyB.kid);
    await cache.byKid(keyA.kid); // fetched again: keyB's entry pushed keyA's out
    expect(nock.isDone()).to.be.true;
  });

  it('unknown key ids never push a known key out: the negative side is bounded on its own', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now, maxEntries: 2, maxUnknownEntries: 3 });
    servesCurrent();
    await cache.current();
    const unknown = Array.from({ length: 5 }, (_, i) => `00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:0${i}`);
    for (const kid of unknown) nock(BASE_URL).get(`/public/v3/public-key/${kid}`).reply(404);
    for (const kid of unknown) expect(await rejection(cache.byKid(kid))).to.be.instanceOf(JwtVerificationError);
    expect(nock.isDone()).to.be.true;
    // Five unknown ids with room for two keys: the API key is still held, no fetch needed.
    expect(cache.cached(keyA.kid)?.kid).to.equal(keyA.kid);
    expect((await cache.byKid(keyA.kid)).kid).to.equal(keyA.kid);
    // The three newest unknown ids are still remembered; the oldest was forgotten and is asked again.
    for (const kid of unknown.slice(2))
      expect(await rejection(cache.byKid(kid))).to.be.instanceOf(JwtVerificationError);
    const again = nock(BASE_URL)
      .get(`/public/v3/public-key/${unknown[0] ?? ''}`)
      .reply(404);
    await rejection(cache.byKid(unknown[0] ?? ''));
    expect(again.isDone()).to.be.true;
  });

  it('cached() answers from memory only: a key it does not hold is undefined, with no request', async () => {
    nock.disableNetConnect();
    try {
      const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
      expect(cache.cached(keyB.kid)).to.equal(undefined);
      expect(cache.cached('../../directory/v3/devices')).to.equal(undefined);
      servesCurrent();
      await cache.current();
      expect(cache.cached(keyA.kid)?.kid).to.equal(keyA.kid);
    } finally {
      nock.enableNetConnect();
    }
  });

  it('refreshCurrent() fetches the current key while the cached one is still fresh, and learns the new one by id', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    servesCurrent();
    await cache.current();
    servesCurrent(keyB);
    expect((await cache.refreshCurrent()).kid).to.equal(keyB.kid);
    expect((await cache.current()).kid).to.equal(keyB.kid);
    expect(cache.cached(keyB.kid)?.kid).to.equal(keyB.kid);
    expect(cache.cached(keyA.kid)?.kid).to.equal(keyA.kid);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const options of [{ maxEntries: 0 }, { maxUnknownEntries: 1.5 }, { maxUnknownEntries: Number.NaN }]) {
      expect(() => new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), options)).to.throw(ConfigurationError);
    }
  });

  it('refuses a key shorter than 2048 bits', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    const small = vectorText('java-rsa-512-public-key.pem');
    nock(BASE_URL)
      .get('/public/v3/public-key')
      .reply(200, small, { 'X-IOV-KEY-ID': '2b:ab:b3:64:8e:31:df:d3:59:71:d1:51:c3:43:94:87' });
    const err = await rejection(cache.current());
    expect(err).to.be.instanceOf(UnexpectedResponseError);
  });

  it('maps a 503 from the key endpoint to ApiUnavailable and a 404 of the current key to UnexpectedResponse', async () => {
    const cache = new ApiKeyCache(new HttpClient({ baseUrl: BASE_URL }), { now });
    nock(BASE_URL).get('/public/v3/public-key').reply(503).get('/public/v3/public-key').reply(404);
    expect(await rejection(cache.current())).to.be.instanceOf(ApiUnavailableError);
    expect(await rejection(cache.current())).to.be.instanceOf(UnexpectedResponseError);
  });
});

describe('ApiClock', () => {
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    clock = Date.parse('2026-01-01T00:00:00Z');
  });
  afterEach(() => {
    nock.cleanAll();
  });

  it('adds the offset measured by the ping to the local time', async () => {
    nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: '2026-01-01T00:01:00Z' });
    const apiClock = new ApiClock(new HttpClient({ baseUrl: BASE_URL }), { now });
    expect(await apiClock.offset()).to.equal(60);
    expect(await apiClock.now()).to.equal(Date.parse('2026-01-01T00:01:00Z') / 1000);
  });

  it('pings again after the ttl and after reset()', async () => {
    const apiClock = new ApiClock(new HttpClient({ baseUrl: BASE_URL }), { now, ttl: 300 });
    nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: '2026-01-01T00:00:10Z' });
    expect(await apiClock.offset()).to.equal(10);
    clock += 301_000;
    nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: '2026-01-01T00:05:21Z' });
    expect(await apiClock.offset()).to.equal(20);
    apiClock.reset();
    nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: '2026-01-01T00:05:31Z' });
    expect(await apiClock.offset()).to.equal(30);
  });

  it('shares one ping among concurrent callers', async () => {
    const scope = nock(BASE_URL)
      .get('/public/v3/ping')
      .once()
      .delay(10)
      .reply(200, { api_time: '2026-01-01T00:00:00Z' });
    const apiClock = new ApiClock(new HttpClient({ baseUrl: BASE_URL }), { now });
    const offsets = await Promise.all(Array.from({ length: 10 }, () => apiClock.offset()));
    expect(offsets).to.deep.equal(Array(10).fill(0));
    expect(scope.isDone()).to.be.true;
  });

  it('measured() gives the last offset without a request: undefined before, fresh within the ttl, stale after', async () => {
    const apiClock = new ApiClock(new HttpClient({ baseUrl: BASE_URL }), { now, ttl: 300 });
    expect(apiClock.measured()).to.equal(undefined);
    nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: '2026-01-01T00:03:20Z' });
    await apiClock.offset();
    expect(apiClock.measured()).to.deep.equal({ seconds: 200, fresh: true });
    clock += 300_000;
    expect(apiClock.measured()).to.deep.equal({ seconds: 200, fresh: false });
    expect(nock.pendingMocks()).to.deep.equal([]);
  });

  it('refuses an offset beyond maxOffset, in either direction', async () => {
    const apiClock = new ApiClock(new HttpClient({ baseUrl: BASE_URL }), { now, maxOffset: 60 });
    nock(BASE_URL)
      .get('/public/v3/ping')
      .reply(200, { api_time: '2026-01-01T00:02:00Z' })
      .get('/public/v3/ping')
      .reply(200, { api_time: '2025-12-31T23:58:00Z' });
    expect(await rejection(apiClock.offset())).to.be.instanceOf(UnexpectedResponseError);
    expect(await rejection(apiClock.offset())).to.be.instanceOf(UnexpectedResponseError);
  });

  it('refuses a ping answer that is not JSON or not HTTP 200', async () => {
    const apiClock = new ApiClock(new HttpClient({ baseUrl: BASE_URL }), { now });
    nock(BASE_URL).get('/public/v3/ping').reply(200, 'pong').get('/public/v3/ping').reply(404, { api_time: 'x' });
    expect(await rejection(apiClock.offset())).to.be.instanceOf(UnexpectedResponseError);
    expect(await rejection(apiClock.offset())).to.be.instanceOf(UnexpectedResponseError);
  });
});

describe('ApiClock.resync', () => {
  afterEach(() => {
    nock.cleanAll();
  });

  it('keeps the previous offset when the new ping fails', async () => {
    const clock = Date.parse('2026-01-01T00:00:00Z');
    const apiClock = new ApiClock(new HttpClient({ baseUrl: BASE_URL }), { now: () => clock });
    nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: '2026-01-01T00:00:42Z' });
    expect(await apiClock.offset()).to.equal(42);
    nock(BASE_URL).get('/public/v3/ping').reply(503);
    expect(await apiClock.resync()).to.equal(undefined);
    expect(await apiClock.offset()).to.equal(42);
    nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: '2026-01-01T00:01:00Z' });
    expect(await apiClock.resync()).to.equal(60);
  });
});
