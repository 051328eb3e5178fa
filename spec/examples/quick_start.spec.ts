import { expect } from 'chai';

import type { Emulator } from '../../lib/emulator/index.js';
import { startExampleApp } from '../support/example_app.js';
import { view } from '../support/passport_app.js';

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
  let base: string;
  let close: () => Promise<void>;

  before(async () => {
    const app = await startExampleApp('examples/quick_start.ts');
    ({ base, emu } = app);
    close = app.close;
  });

  after(() => close());

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
