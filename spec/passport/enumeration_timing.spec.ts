/**
 * Decoys and real logins cost the same on the cancel route and on a second start from the same
 * session (docs/security.md, T8). Anyone can start a login for a username and cancel it: if a real
 * login's cancel waited for LaunchKey's DELETE (one API round trip) and a decoy's did not, the time
 * would say whether LaunchKey knows the user. Both answer from the store, and the DELETE runs in the
 * background.
 *
 * The API is given a fixed latency (as a remote API has) by an axios interceptor; the routes are then
 * timed.
 */
import axios from 'axios';
import { expect } from 'chai';

import { MemoryStore, type PendingStore } from '../../lib/passport/index.js';
import { buildApp, useWorld, userPool, type Browser } from '../support/passport_app.js';

/** A MemoryStore recording the name of every store method called. */
function countingStore(): { store: PendingStore; calls: string[] } {
  const calls: string[] = [];
  const inner = new MemoryStore();
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

/** The API's latency in this spec, ms. */
const API_LATENCY_MS = 150;

function slowApi(): ReturnType<typeof axios.create> {
  const instance = axios.create();
  instance.interceptors.request.use(async (cfg) => {
    await new Promise((resolve) => setTimeout(resolve, API_LATENCY_MS));
    return cfg;
  });
  return instance;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe('Decoys and real logins take the same time on cancel and a second start (T8)', function () {
  this.timeout(20_000);
  const world = useWorld();
  const user = userPool();

  it('cancel: a real login’s cancel and a decoy’s take the same time (no API round trip to tell them apart)', async () => {
    const t = buildApp(world, { transport: { axios: slowApi() }, strategy: { rateLimit: false } });
    const cancelTime = async (username: string): Promise<number> => {
      const browser: Browser = t.browser();
      await browser.post('/login').type('form').send({ username }).expect(202);
      return timed(() => browser.post('/login/cancel').expect(200));
    };
    const real = await cancelTime(user());
    const decoy = await cancelTime('nobody-here');
    expect(Math.abs(real - decoy), `real ${real.toFixed(0)} ms, decoy ${decoy.toFixed(0)} ms`).to.be.below(
      API_LATENCY_MS / 2,
    );
  });

  it('a second start from the same session takes as long after a decoy as after a real login', async () => {
    const t = buildApp(world, { transport: { axios: slowApi() }, strategy: { rateLimit: false } });
    const restartTime = async (first: string): Promise<number> => {
      const browser: Browser = t.browser();
      await browser.post('/login').type('form').send({ username: first }).expect(202);
      const ms = await timed(() => browser.post('/login').type('form').send({ username: 'ghost-2' }).expect(202));
      await browser.post('/login/cancel').expect(200);
      return ms;
    };
    const afterReal = await restartTime(user());
    const afterDecoy = await restartTime('nobody-here');
    expect(
      Math.abs(afterReal - afterDecoy),
      `after a real login ${afterReal.toFixed(0)} ms, after a decoy ${afterDecoy.toFixed(0)} ms`,
    ).to.be.below(API_LATENCY_MS / 2);
  });

  it('cancel and the completion of an expired login cost the store the same calls for a decoy as for a real login', async () => {
    let now = Date.now();
    const { store, calls } = countingStore();
    const t = buildApp(world, { store, strategy: { mode: 'webhook', ttl: 30, now: () => now, rateLimit: false } });
    const during = async (run: () => Promise<unknown>): Promise<string[]> => {
      const before = calls.length;
      await run();
      return calls.slice(before);
    };
    const work = async (username: string): Promise<Record<string, string[]>> => {
      const canceling = t.browser();
      await canceling.post('/login').type('form').send({ username }).expect(202);
      const cancel = await during(() => canceling.post('/login/cancel').expect(200));
      const expiring = t.browser();
      const started = now;
      await expiring.post('/login').type('form').send({ username }).expect(202);
      now += 31_000;
      const complete = await during(() => expiring.get('/login/complete').expect(401));
      now = started;
      return { cancel, complete };
    };
    const real = await work(user());
    const decoy = await work('nobody-here');
    expect(decoy).to.deep.equal(real);
  });
});
