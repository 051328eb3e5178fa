/**
 * The start limits (docs/security.md, T9) as a stranger and the owner meet them. The per-username
 * limit counts per (username, client address), so a stranger who knows a username cannot spend the
 * owner's starts from another address; a higher ceiling per username counts every address together
 * against attackers with many addresses. A start without an address still counts (all such starts
 * share one budget), and a start whose client hung up before it ran sends no push at all.
 */
import { expect } from 'chai';
import type { Request } from 'express';
import { once } from 'node:events';
import { connect } from 'node:net';

import type { AuditEvent } from '../../lib/passport/index.js';
import { AuditRecorder } from '../support/audit.js';
import { buildApp, useWorld, userPool, type AppOptions } from '../support/passport_app.js';

/** Each request says which address it comes from (as behind a trusted proxy). */
const byHeader: AppOptions['strategy'] = { clientAddress: (req: Request) => req.get('x-test-ip') };

/** Sends a whole POST /login and closes the connection (FIN, or RST with `reset`) without waiting for the answer. */
function hitAndRun(url: string, username: string, reset: boolean): Promise<void> {
  const { hostname, port } = new URL(url);
  const body = `username=${encodeURIComponent(username)}`;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          if (reset) socket.resetAndDestroy();
          else socket.destroy();
          resolve();
        },
      );
    });
    socket.on('error', () => {
      resolve();
    });
  });
}

/** The audit event that says how the start for `username` ended: started or refused. */
function startDecided(audit: AuditRecorder, username: string): Promise<AuditEvent> {
  const mine = (e: AuditEvent) => (e as { username?: string }).username === username;
  return Promise.race([audit.next('login.started', mine), audit.next('login.rate-limited', mine)]);
}

describe('start limits: a stranger cannot spend the owner’s starts', () => {
  const world = useWorld();
  const user = userPool();

  it('starts by a stranger from another address do not use up the owner’s own starts', async () => {
    const t = buildApp(world, { strategy: byHeader });
    const victim = user();
    for (let i = 0; i < 3; i++) {
      const stranger = t.browser();
      await stranger.post('/login').set('X-Test-Ip', '203.0.113.7').type('form').send({ username: victim }).expect(202);
      await stranger.post('/login/cancel').set('X-Test-Ip', '203.0.113.7').expect(200);
    }
    await t
      .browser()
      .post('/login')
      .set('X-Test-Ip', '203.0.113.7')
      .type('form')
      .send({ username: victim })
      .expect(429);
    const owner = t.browser();
    const res = await owner.post('/login').set('X-Test-Ip', '198.51.100.20').type('form').send({ username: victim });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    await owner.post('/login/cancel').set('X-Test-Ip', '198.51.100.20').expect(200);
  });

  it('a stranger hammering from one address is refused, and the refused starts spend none of the username’s ceiling', async () => {
    const t = buildApp(world, {
      strategy: { ...byHeader, rateLimit: { perUsernameTotal: { max: 4, window: 60_000 } } },
    });
    const victim = user();
    for (let i = 0; i < 3; i++) {
      const stranger = t.browser();
      await stranger.post('/login').set('X-Test-Ip', '203.0.113.7').type('form').send({ username: victim }).expect(202);
      await stranger.post('/login/cancel').set('X-Test-Ip', '203.0.113.7').expect(200);
    }
    for (let i = 0; i < 5; i++) {
      await t
        .browser()
        .post('/login')
        .set('X-Test-Ip', '203.0.113.7')
        .type('form')
        .send({ username: victim })
        .expect(429);
    }
    const owner = t.browser();
    await owner.post('/login').set('X-Test-Ip', '198.51.100.20').type('form').send({ username: victim }).expect(202);
    await owner.post('/login/cancel').set('X-Test-Ip', '198.51.100.20').expect(200);
  });

  it('the per-username ceiling counts every address together: past it, a start from a new address is refused with no push', async () => {
    const audit = new AuditRecorder();
    const t = buildApp(world, {
      strategy: { ...byHeader, audit: audit.listener, rateLimit: { perUsernameTotal: { max: 5, window: 60_000 } } },
    });
    const victim = user();
    for (const address of ['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.2']) {
      const b = t.browser();
      await b.post('/login').set('X-Test-Ip', address).type('form').send({ username: victim }).expect(202);
      await b.post('/login/cancel').set('X-Test-Ip', address).expect(200);
    }
    const pushes = world.emu.auths({ username: victim }).length;
    const res = await t
      .browser()
      .post('/login')
      .set('X-Test-Ip', '203.0.113.3')
      .type('form')
      .send({ username: victim });
    expect(res.status).to.equal(429);
    expect(world.emu.auths({ username: victim })).to.have.length(pushes);
    expect(await audit.next('login.rate-limited')).to.include({ limit: 'username', username: victim });
  });

  it('an approved login gives its start back to both: the owner logs in more often than either limit', async () => {
    const t = buildApp(world, {
      strategy: {
        ...byHeader,
        rateLimit: { perUsername: { max: 2, window: 60_000 }, perUsernameTotal: { max: 2, window: 60_000 } },
      },
    });
    const owner = user();
    for (let i = 0; i < 4; i++) {
      const b = t.browser();
      await b.post('/login').set('X-Test-Ip', '198.51.100.20').type('form').send({ username: owner }).expect(202);
      await world.emu.respond(world.emu.auths({ username: owner, status: 'pending' })[0]?.id ?? '', 'approve');
      await world.emu.webhooksSettled();
      await b.get('/login/complete').set('X-Test-Ip', '198.51.100.20').expect(200);
    }
  });
});

describe('start limits: no address is never no limit', () => {
  const world = useWorld();
  const user = userPool();

  for (const reset of [false, true]) {
    it(`a start whose client closed the connection (${reset ? 'RST' : 'FIN'}) still counts against its address`, async () => {
      const audit = new AuditRecorder();
      const t = buildApp(world, {
        strategy: { audit: audit.listener, rateLimit: { perIp: { max: 1, window: 60_000 }, perUsername: false } },
      });
      const names = [user(), user(), user(), user()];
      for (const name of names) {
        await hitAndRun(world.url, name, reset);
        await startDecided(audit, name);
      }
      const pushed = names.filter((name) => world.emu.auths({ username: name }).length > 0);
      expect(pushed.length, `pushes sent: ${pushed.join(', ')}; API calls: ${t.apiCalls.join(', ')}`).to.be.at.most(1);
    });
  }

  it('a start whose client is already gone sends no push, even with the start limits off', async () => {
    const audit = new AuditRecorder();
    const name = user();
    const t = buildApp(world, {
      strategy: {
        audit: audit.listener,
        rateLimit: false,
        // Holds the start until the server has seen the client hang up (the step-up hook runs first).
        getUsername: async (req: Request) => {
          if (!req.socket.destroyed) await once(req.socket, 'close');
          return name;
        },
      },
    });
    await hitAndRun(world.url, 'ignored', false);
    expect(await startDecided(audit, name)).to.include({ event: 'login.rate-limited', limit: 'address' });
    expect(world.emu.auths({ username: name })).to.have.length(0);
    expect(t.apiCalls.filter((c) => c.startsWith('POST'))).to.deep.equal([]);
  });

  it('clients whose address cannot be known share one per-address budget', async () => {
    const t = buildApp(world, {
      strategy: {
        clientAddress: () => undefined,
        rateLimit: { perIp: { max: 1, window: 60_000 }, perUsername: false },
      },
    });
    const first = user();
    const second = user();
    await t.browser().post('/login').type('form').send({ username: first }).expect(202);
    await t.browser().post('/login').type('form').send({ username: second }).expect(429);
    expect(world.emu.auths({ username: second })).to.have.length(0);
  });
});
