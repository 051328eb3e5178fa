import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { decryptJweJson } from '../../lib/crypto/jwe.js';
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { checkRequestBinding, verifyToken } from '../../lib/crypto/jws.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real receiver that answers `statuses` in turn (then 200) and hands over each request. */
class Receiver {
  private server!: Server;
  private waiting: ((r: Received) => void)[] = [];
  private queue: Received[] = [];
  statuses: number[] = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(this.statuses.shift() ?? 200).end();
        const received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('latin1') };
        const next = this.waiting.shift();
        if (next === undefined) this.queue.push(received);
        else next(received);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  next(): Promise<Received> {
    const queued = this.queue.shift();
    return queued === undefined ? new Promise((resolve) => this.waiting.push(resolve)) : Promise.resolve(queued);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

describe('emulator webhooks', function () {
  let emu: Emulator;
  let rx: Receiver;
  const apiPublic = loadPrivateKey(KEYS.api).publicKey;

  beforeEach(async function () {
    rx = new Receiver();
    await rx.start();
    emu = await startEmulator({
      config: baseConfig({ callbackUrl: `${rx.url}/hooks/launchkey?x=1`, webhookUrl: `${rx.url}/hooks/dir` }),
      apiPrivateKey: KEYS.api,
      webhooks: { backoffMs: 10 },
    });
  });
  afterEach(async function () {
    await emu.close();
    await rx.stop();
  });

  const verify = async (hook: Received, audience: string, subject: string) => {
    const { header, claims } = await verifyToken(hook.headers['x-iov-jwt'] as string, {
      resolveKey: () => apiPublic,
      issuer: 'lka',
      audience,
      subject,
      now: emu.now(),
      leeway: 5,
    });
    expect(header.kid).to.equal(emu.apiKeyId);
    expect(claims.exp - claims.iat).to.equal(5);
    const request = checkRequestBinding(claims, { method: 'POST', path: hook.path.split('?')[0]!, body: hook.body });
    expect(request.func).to.equal('S256');
    return claims;
  };

  it('delivers the authorization response as a JWE to the requesting entity, bound by X-IOV-JWT', async function () {
    const svc = `svc:${IDS.dirSvc}`;
    const c = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
    const id = (
      (await c.call('POST', '/service/v3/auths', svc, { username: 'alice' })).payload as { auth_request: string }
    ).auth_request;
    await emu.respond(id, 'approve');
    const hook = await rx.next();
    expect(hook.headers['content-type']).to.equal('application/jose');
    await verify(hook, svc, svc);
    const key = loadPrivateKey(KEYS.svc);
    const { payload } = await decryptJweJson(hook.body, (kid) => (kid === key.kid ? key : undefined));
    expect(payload).to.have.keys(
      'auth',
      'auth_jwe',
      'service_user_hash',
      'org_user_hash',
      'user_push_id',
      'public_key_id',
    );
    const inner = await decryptJweJson((payload as { auth_jwe: string }).auth_jwe, (kid) =>
      kid === key.kid ? key : undefined,
    );
    expect(inner.payload).to.include({ type: 'AUTHORIZED', reason: 'APPROVED', auth_request: id });
  });

  it('addresses the webhook to the organization when it made the request', async function () {
    const org = new EmulatorClient(emu.url, `org:${IDS.org}`, KEYS.org, 'default', () => emu.now());
    const svc = `svc:${IDS.dirSvc}`;
    const id = (
      (await org.call('POST', '/service/v3/auths', svc, { username: 'alice' })).payload as { auth_request: string }
    ).auth_request;
    await emu.respond(id, 'deny');
    await verify(await rx.next(), `org:${IDS.org}`, svc);
  });

  it('delivers session end as plain JSON to the session starter', async function () {
    const svc = `svc:${IDS.dirSvc}`;
    const c = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
    await c.call('POST', '/service/v3/sessions', svc, { username: 'alice' });
    emu.endSession(IDS.dirSvc, 'alice');
    const hook = await rx.next();
    expect(hook.headers['content-type']).to.equal('application/json');
    await verify(hook, svc, svc);
    const body = JSON.parse(hook.body) as Record<string, string>;
    expect(body).to.have.keys('service_user_hash', 'api_time');
    expect(body['api_time']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('delivers device link completion to the directory webhook, addressed to the link initiator', async function () {
    const dir = `dir:${IDS.dir}`;
    const d = new EmulatorClient(emu.url, dir, KEYS.dir, 'default', () => emu.now());
    const link = (await d.call('POST', '/directory/v3/devices', dir, { identifier: 'carol' })).payload as {
      code: string;
      device_id: string;
    };
    await emu.linkDevice({ code: link.code, name: 'Carol phone' });
    const hook = await rx.next();
    expect(hook.path).to.equal('/hooks/dir');
    expect(hook.headers['content-type']).to.equal('application/jose');
    await verify(hook, dir, dir);
    const key = loadPrivateKey(KEYS.dir);
    const { payload } = await decryptJweJson(hook.body, (kid) => (kid === key.kid ? key : undefined));
    expect(payload).to.include({ type: 'DEVICE_LINK_COMPLETION', device_id: link.device_id });
    expect((payload as { device_public_key: string }).device_public_key).to.contain('BEGIN PUBLIC KEY');
    expect((payload as { device_public_key_id: string }).device_public_key_id).to.match(
      /^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/,
    );
  });

  it('retries a failing receiver and logs every attempt', async function () {
    rx.statuses = [500, 503];
    const svc = `svc:${IDS.dirSvc}`;
    const c = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
    await c.call('POST', '/service/v3/sessions', svc, { username: 'alice' });
    emu.endSession(IDS.dirSvc, 'alice');
    await rx.next();
    await rx.next();
    await rx.next();
    await emu.webhooksSettled();
    expect(emu.webhooks().map((r) => [r.kind, r.attempt, r.status])).to.deep.equal([
      ['session-end', 1, 500],
      ['session-end', 2, 503],
      ['session-end', 3, 200],
    ]);
    const log = (await (await fetch(`${emu.url}/emulator/webhooks`)).json()) as unknown[];
    expect(log).to.have.length(3);
  });

  it('records an unreachable receiver as an error after the bounded retries', async function () {
    await rx.stop();
    const svc = `svc:${IDS.dirSvc}`;
    const c = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
    await c.call('POST', '/service/v3/sessions', svc, { username: 'alice' });
    emu.endSession(IDS.dirSvc, 'alice');
    await emu.webhooksSettled();
    const log = emu.webhooks();
    expect(log).to.have.length(3);
    expect(log.every((r) => typeof r.error === 'string' && r.status === undefined)).to.equal(true);
    await rx.start();
  });
});
