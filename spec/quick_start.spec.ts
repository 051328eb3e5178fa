import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

import { createDemoWorld, startEmulator, type Emulator } from '../lib/emulator/index.js';
import { view } from './support/passport_app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/** A browser in miniature: one cookie jar, redirects not followed so each step can be asserted. */
class Browser {
  private cookie = '';
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    const response = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    const set = response.headers.get('set-cookie');
    if (set !== null) this.cookie = set.split(';')[0] ?? '';
    return response;
  }
}

describe('the README quick start (examples/quick_start.ts)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let app: ChildProcess;
  let base: string;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const world = await createDemoWorld({ callbackUrl: `${base}/launchkey/webhook` });
    emu = await startEmulator({ config: world.config });
    app = spawn(process.execPath, ['--import', 'tsx/esm', 'examples/quick_start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        LAUNCHKEY_SERVICE_ID: world.serviceId,
        LAUNCHKEY_SERVICE_KEY: world.serviceKey,
        LAUNCHKEY_BASE_URL: emu.url,
        SESSION_SECRET: 'spec secret',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      app.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('listening on')) resolve();
      });
      app.once('exit', (code) => {
        reject(new Error(`quick start exited with ${String(code)}`));
      });
    });
  });

  after(async () => {
    app.kill('SIGTERM');
    await emu.close();
  });

  it('logs the demo user in after the push is approved (webhook), and out again', async () => {
    const browser = new Browser(base);
    const start = await browser.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=demo',
    });
    expect(start.status).to.equal(303);
    expect(start.headers.get('location')).to.equal('/login/wait');
    expect(await (await browser.request('/login/wait')).text()).to.include('EventSource');
    expect(view(await (await browser.request('/login/status')).json())).to.deep.equal({ status: 'pending' });

    const [pending] = emu.auths({ status: 'pending', username: 'demo' });
    await emu.respond(pending!.id, 'approve');
    await emu.webhooksSettled();
    expect(emu.webhooks().some((w) => w.url === `${base}/launchkey/webhook` && w.status === 204)).to.equal(true);

    expect(view(await (await browser.request('/login/status')).json())).to.deep.equal({ status: 'approved' });
    const complete = await browser.request('/login/complete');
    expect(complete.status).to.equal(302);
    expect(complete.headers.get('location')).to.equal('/');
    expect(await (await browser.request('/')).text()).to.equal('Hello demo');

    const logout = await browser.request('/logout', { method: 'POST' });
    expect(logout.status).to.equal(303);
    expect(await (await browser.request('/')).text()).to.include('<form method="post" action="/login">');
  });

  it('sends a denied login back to a login page that exists', async () => {
    const browser = new Browser(base);
    await browser.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=demo',
    });
    const [pending] = emu.auths({ status: 'pending', username: 'demo' });
    await emu.respond(pending!.id, 'deny');
    await emu.webhooksSettled();
    const complete = await browser.request('/login/complete');
    expect([complete.status, complete.headers.get('location')]).to.deep.equal([302, '/login']);
    const page = await browser.request('/login');
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('name="username"');
  });
});
