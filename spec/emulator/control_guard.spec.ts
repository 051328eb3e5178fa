import { expect } from 'chai';
import { request } from 'node:http';

import { ServiceFactory } from '../../lib/clients/factories.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../lib/emulator/index.js';
import { baseConfig, IDS, KEYS } from '../support/emulator_client.js';

interface Sent {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** A raw request over loopback, with the headers a browser would set (Host, Origin) as given. */
function send(emu: Emulator, path: string, sent: Sent = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, emu.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: sent.method ?? 'GET', headers: sent.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end(sent.body);
  });
}

describe('emulator control API guard: JSON bodies, its own Host, no foreign Origin', () => {
  let emu: Emulator;
  let port: string;
  let id: string;

  const start = async (options: EmulatorOptions = {}) => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api, ...options });
    port = new URL(emu.url).port;
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    id = await service.authorize('alice');
  };
  const approve = (headers: Record<string, string>) =>
    send(emu, `/emulator/auths/${id}/respond`, { method: 'POST', headers, body: '{"action":"approve"}' });
  const status = () => emu.auths({ username: 'alice' })[0]?.status;

  afterEach(async () => {
    await emu.close();
  });

  it('refuses the POSTs a web page can send without a preflight (text/plain, form, multipart) with 400; approves nothing', async () => {
    await start();
    for (const type of [
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await approve({ 'Content-Type': type });
      expect([res.status, JSON.parse(res.body)], type).to.deep.equal([
        400,
        { error: 'Content-Type must be application/json' },
      ]);
    }
    expect((await approve({})).status, 'no Content-Type').to.equal(400);
    expect(status()).to.equal('pending');
  });

  it('refuses a request whose Origin is another site, another local port or "null", with 403; changes nothing', async () => {
    await start();
    for (const origin of ['http://evil.example', `http://attacker.example:${port}`, 'http://127.0.0.1:1', 'null']) {
      const res = await approve({ 'Content-Type': 'application/json', Origin: origin });
      expect(res.status, origin).to.equal(403);
      expect((await send(emu, '/emulator/state', { headers: { Origin: origin } })).status, origin).to.equal(403);
    }
    expect(status()).to.equal('pending');
  });

  it('refuses a Host that is not the emulator (DNS rebinding) with 403, on every /emulator/ route', async () => {
    await start();
    for (const host of [`rebind.example:${port}`, 'rebind.example', `127.0.0.1.nip.io:${port}`, 'localhost:1']) {
      const headers = { Host: host, 'Content-Type': 'application/json' };
      expect((await approve(headers)).status, host).to.equal(403);
      for (const path of ['/emulator/state', '/emulator/auths', '/emulator/webhooks', '/emulator/']) {
        expect((await send(emu, path, { headers })).status, `${host} ${path}`).to.equal(403);
      }
    }
    expect(status()).to.equal('pending');
  });

  it('serves its own callers: Node clients (no Origin), localhost, and the phone page’s same-origin POSTs', async () => {
    await start();
    expect((await send(emu, '/emulator/auths', { headers: { Host: `localhost:${port}` } })).status).to.equal(200);
    expect((await send(emu, '/emulator/', { headers: { Origin: emu.url } })).status).to.equal(200);
    const res = await approve({
      'Content-Type': 'application/json; charset=utf-8',
      Origin: `http://localhost:${port}`,
      Host: `localhost:${port}`,
    });
    expect(res.status).to.equal(200);
    expect(status()).to.equal('approved');
  });

  it('on port 80, accepts the Host without a port that clients send for it', async function () {
    try {
      await start({ port: 80 });
    } catch (err) {
      // Port 80 taken or not ours to bind here: nothing to show.
      if (['EADDRINUSE', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) this.skip();
      throw err;
    }
    expect(emu.url).to.equal('http://127.0.0.1:80');
    const res = await fetch(`${emu.url}/emulator/auths`);
    expect(res.status).to.equal(200);
    expect((await send(emu, '/emulator/state', { headers: { Host: '127.0.0.1:80' } })).status).to.equal(200);
  });

  it('accepts the configured publicHosts in Host and Origin, with any port or the one given', async () => {
    await start({ publicHosts: ['emulator', 'lk.example:8443'] });
    const ok = async (headers: Record<string, string>) => (await send(emu, '/emulator/state', { headers })).status;
    expect(await ok({ Host: 'emulator:8480' })).to.equal(200);
    expect(await ok({ Host: 'EMULATOR' })).to.equal(200);
    expect(await ok({ Host: 'lk.example:8443', Origin: 'https://lk.example:8443' })).to.equal(200);
    expect(await ok({ Host: 'lk.example:9999' })).to.equal(403);
    expect(await ok({ Host: 'lk.example:8443', Origin: 'https://lk.example' })).to.equal(403);
  });

  it('refuses publicHosts that are not host[:port] with ERR_LK_CONFIGURATION', async () => {
    for (const publicHosts of [['http://x.example'], ['x.example/path'], [''], ['a b']]) {
      const error = await startEmulator({ apiPrivateKey: KEYS.api, publicHosts }).then(
        async (started) => {
          await started.close();
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(error, JSON.stringify(publicHosts)).to.have.property('code', 'ERR_LK_CONFIGURATION');
    }
    // A valid start for afterEach to close.
    await start();
  });
});
