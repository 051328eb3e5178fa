/**
 * Several instances, one login (the many-instances issue): the examples/cluster deployment, with
 * three app processes sharing Redis (sessions through connect-redis, LaunchKey state through
 * passport-launchkey/redis) behind a round-robin load balancer, driven by Chromium and by plain
 * HTTP clients. The specs own the redis-server, so they can stop it in the middle of a login.
 */
import type { IncomingMessage } from 'node:http';

import { expect } from 'chai';
import type { Browser } from 'playwright-core';

import { startCluster, type Cluster } from '../../examples/cluster/cluster.js';
import { eventually } from '../support/assertions.js';
import { launchChromium, requireChromium } from '../support/browser.js';
import { requireRedisServer, startRedis, type RedisServer } from '../support/redis_server.js';

/** A cookie-keeping HTTP client for one "browser" without a page. */
class Client {
  private _cookie = '';

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(this._cookie === '' ? {} : { Cookie: this._cookie }),
        ...(init.form === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
      },
      ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form).toString() }),
    });
    const set = res.headers.get('set-cookie');
    if (set !== null) this._cookie = set.split(';')[0] ?? '';
    return res;
  }

  /** The session cookie now held. */
  get cookie(): string {
    return this._cookie;
  }

  set cookie(value: string) {
    this._cookie = value;
  }
}

describe('several instances: three app processes on Redis behind a round-robin load balancer', function () {
  this.timeout(120_000);
  let redis: RedisServer;
  let cluster: Cluster;
  let browser: Browser | undefined;
  /** Requests the spec routes to a given instance; all others go round-robin. */
  const pins = new Map<string, number>();
  const pick = (req: IncomingMessage): number | undefined => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    return pins.get(path);
  };
  const instanceUrl = (i: number): string => cluster.instances[i]?.url ?? '';
  const pendingId = (): string => {
    const [auth] = cluster.emulator.auths({ status: 'pending', username: cluster.username });
    if (auth === undefined) throw new Error('no pending request at the emulator');
    return auth.id;
  };

  before(async function () {
    requireChromium(this);
    requireRedisServer(this);
    redis = await startRedis();
    cluster = await startCluster({ redisUrl: redis.url, pick });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await (cluster as Cluster | undefined)?.close();
    await (redis as RedisServer | undefined)?.stop();
  });
  afterEach(() => {
    pins.clear();
  });

  it('a browser logs in while the webhook reaches one instance, the event stream waits on another and the completion lands on a third', async () => {
    pins.set('/webhooks/launchkey', 0);
    pins.set('/login/status', 1);
    pins.set('/login/complete', 2);
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${cluster.url}/login`);
      await page.getByLabel('LaunchKey username').fill(cluster.username);
      await page.getByRole('button', { name: 'Send sign-in request' }).click();
      await page.waitForURL('**/login/wait');
      const streamOpen = (): boolean => cluster.proxy.log.some((f) => f.path === '/login/status' && f.instance === 1);
      await eventually(streamOpen, 'the waiting page to open its event stream');
      const from = cluster.proxy.log.length;
      await cluster.emulator.respond(pendingId(), 'approve');
      await page.waitForURL('**/profile');
      expect(await page.locator('#lk-username').textContent()).to.equal(cluster.username);
      const after = cluster.proxy.log.slice(from);
      expect(after.find((f) => f.path === '/webhooks/launchkey')?.instance).to.equal(0);
      expect(after.find((f) => f.path === '/login/complete')?.instance).to.equal(2);
      // Everything else was spread across the instances.
      const others = new Set(
        cluster.proxy.log.filter((f) => !pins.has(f.path.split('?')[0] ?? '')).map((f) => f.instance),
      );
      expect(others.size).to.be.greaterThan(1);
    } finally {
      await context.close();
    }
  });

  it('a logout from the phone, received by one instance, logs that user out of every session on every instance', async () => {
    const clients = [new Client(), new Client(), new Client()];
    for (const [i, client] of clients.entries()) {
      await client.request(`${instanceUrl(i)}/login`, { method: 'POST', form: { username: cluster.username } });
      await cluster.emulator.respond(pendingId(), 'approve');
      await cluster.emulator.webhooksSettled();
      const done = await client.request(`${instanceUrl((i + 1) % 3)}/login/complete`);
      expect(done.headers.get('location')).to.equal('/profile');
    }
    pins.set('/webhooks/launchkey', 2);
    cluster.emulator.endSession(cluster.serviceId, cluster.username);
    await cluster.emulator.webhooksSettled();
    expect(cluster.emulator.webhooks().at(-1)).to.include({ kind: 'session-end', status: 204 });
    for (const [i, client] of clients.entries()) {
      const res = await client.request(`${instanceUrl(i)}/profile`);
      expect(res.status, `session ${i}`).to.equal(303);
      expect(res.headers.get('location')).to.equal('/login?notice=ended-on-phone');
    }
  });

  it('two instances completing the same approval at once give exactly one login', async () => {
    const client = new Client();
    await client.request(`${instanceUrl(0)}/login`, { method: 'POST', form: { username: cluster.username } });
    const id = pendingId();
    await cluster.emulator.respond(id, 'approve');
    await cluster.emulator.webhooksSettled();
    const cookie = client.cookie;
    const [a, b] = [new Client(), new Client()];
    a.cookie = cookie;
    b.cookie = cookie;
    const answers = await Promise.all([
      a.request(`${instanceUrl(1)}/login/complete`),
      b.request(`${instanceUrl(2)}/login/complete`),
    ]);
    const locations = answers.map((r) => r.headers.get('location')).sort();
    expect(locations).to.deep.equal(['/', '/profile']);
    const winner = answers[0].headers.get('location') === '/profile' ? a : b;
    expect((await winner.request(`${instanceUrl(0)}/profile`)).status).to.equal(200);
    const user = cluster.emulator.state().users.find((u) => u.identifier === cluster.username);
    expect(user?.sessions.filter((s) => s.serviceId === cluster.serviceId)).to.have.length(1);
  });

  it('Redis stopped in the middle of a login: a clear failure, then working logins once it is back, without a restart', async () => {
    const client = new Client();
    await client.request(`${cluster.url}/login`, { method: 'POST', form: { username: cluster.username } });
    const id = pendingId();
    await redis.stop();
    const readiness = async (): Promise<number[]> =>
      Promise.all(cluster.instances.map(async (i) => (await fetch(`${i.url}/healthz`)).status));
    await eventually(async () => (await readiness()).every((s) => s === 503), 'every instance unready without Redis');
    await cluster.emulator.respond(id, 'approve');
    await cluster.emulator.webhooksSettled();
    // The webhook could not be stored: 503, so LaunchKey would deliver it again.
    expect(cluster.emulator.webhooks().at(-1)).to.include({ kind: 'authorization-response', status: 503 });
    const failed = await client.request(`${cluster.url}/login/complete`);
    expect(failed.status).to.equal(500);
    expect(await failed.text()).to.include('The server could not finish this request.');
    const logged = cluster.instances.flatMap((i) => i.stderr).join('');
    expect(logged).to.match(/StoreUnavailableError|ERR_LK_STORE_UNAVAILABLE|ClientClosedError|not connected/);

    await redis.start();
    // Each instance reconnects on its own backoff: wait until every one says it is ready, as a load
    // balancer's readiness probe would, so the next steps may land on any of them.
    await eventually(
      async () => (await readiness()).every((s) => s === 200),
      'every instance ready once Redis is back',
    );
    // Nothing survived (no persistence): the user simply signs in again, on any instance.
    await eventually(async () => {
      const fresh = new Client();
      const started = await fresh.request(`${cluster.url}/login`, {
        method: 'POST',
        form: { username: cluster.username },
      });
      if (started.headers.get('location') !== '/login/wait') return false;
      client.cookie = fresh.cookie;
      return true;
    }, 'a start once Redis is back');
    await cluster.emulator.respond(pendingId(), 'approve');
    await cluster.emulator.webhooksSettled();
    const done = await client.request(`${cluster.url}/login/complete`);
    expect(done.headers.get('location')).to.equal('/profile');
  });
});
