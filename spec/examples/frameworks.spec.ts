/**
 * The framework examples (examples/fastify, examples/koa, examples/nestjs on both platforms), each run as a user runs it (its npm
 * script's command, from source) against an emulator, and signed in to like a browser: the start,
 * the waiting page's event stream, the webhook, the completion, the session guard, cancel and logout.
 */
import { expect } from 'chai';

import type { Emulator } from '../../lib/emulator/index.js';
import { eventually } from '../support/assertions.js';
import { startExampleApp } from '../support/example_app.js';
import { view } from '../support/passport_app.js';

/** A browser in miniature: a cookie jar (koa-session sets two), redirects not followed so each step can be asserted. */
class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const set of response.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(set)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  form(path: string, body: string): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  }

  /** The `event: status` data of the waiting page's stream, until the server ends it. */
  async events(): Promise<unknown[]> {
    const res = await this.request('/login/status', { headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).to.equal('text/event-stream; charset=utf-8');
    return (await res.text())
      .split('\n\n')
      .filter((block) => block.startsWith('event: status'))
      .map((block) => JSON.parse(block.split('data: ')[1] ?? 'null') as unknown);
  }
}

const EXAMPLES: { name: string; file: string; env?: Record<string, string> }[] = [
  { name: 'Fastify', file: 'examples/fastify/server.ts' },
  { name: 'Koa', file: 'examples/koa/server.ts' },
  { name: 'NestJS', file: 'examples/nestjs/main.ts' },
  { name: 'NestJS on Fastify', file: 'examples/nestjs/main.ts', env: { NEST_PLATFORM: 'fastify' } },
];

for (const example of EXAMPLES) {
  describe(`the ${example.name} example (${example.file})`, function () {
    this.timeout(60_000);
    let emu: Emulator;
    let base: string;
    let serviceId: string;
    let close: () => Promise<void>;

    before(async () => {
      const app = await startExampleApp(example.file, example.env);
      ({ base, emu } = app);
      serviceId = app.world.serviceId;
      close = app.close;
    });

    after(() => close());

    /** Starts a login for demo and answers 303 to the waiting page. */
    async function start(browser: Browser): Promise<string> {
      const started = await browser.form('/login', 'username=demo');
      expect(started.status).to.equal(303);
      expect(started.headers.get('location')).to.equal('/login/wait');
      const [pending] = emu.auths({ status: 'pending', username: 'demo' });
      return pending?.id ?? '';
    }

    it('logs in over the event stream and the webhook, and out again', async () => {
      const browser = new Browser(base);
      const id = await start(browser);
      expect(await (await browser.request('/login/wait')).text()).to.include('EventSource');
      const events = browser.events();
      await emu.respond(id, 'approve');
      await emu.webhooksSettled();
      expect(emu.webhooks().some((w) => w.url === `${base}/launchkey/webhook` && w.status === 204)).to.equal(true);
      expect((await events).map(view).at(-1)).to.deep.equal({ status: 'approved' });

      const complete = await browser.request('/login/complete');
      expect(complete.status).to.equal(302);
      expect(complete.headers.get('location')).to.equal('/');
      expect(await (await browser.request('/')).text()).to.equal('Hello demo');

      const logout = await browser.request('/logout', { method: 'POST' });
      expect(logout.status).to.equal(303);
      expect(await (await browser.request('/')).text()).to.equal('Not logged in');
      expect(emu.state().users.find((u) => u.identifier === 'demo')?.sessions).to.deep.equal([]);
    });

    it('answers a ?wait= long poll; a cancel takes the push back', async () => {
      const browser = new Browser(base);
      const id = await start(browser);
      expect(view(await (await browser.request('/login/status?wait=0')).json())).to.deep.equal({ status: 'pending' });
      const canceled = await browser.request('/login/cancel', { method: 'POST' });
      expect(canceled.status).to.equal(303);
      // The app takes the push back after it answered (docs/security.md, T8), in its own process.
      await eventually(
        () => emu.auths({ username: 'demo' }).find((a) => a.id === id)?.status === 'canceled',
        'the push canceled at LaunchKey',
      );
      expect(view(await (await browser.request('/login/status?wait=5')).json())).to.deep.equal({
        status: 'canceled',
        code: 'canceled',
      });
      const complete = await browser.request('/login/complete');
      // The failure page: /login (NestJS's filter adds the reason's code).
      expect(complete.headers.get('location')).to.match(/^\/login(\?failed=canceled)?$/);
    });

    it('logs the user out once they ended the session on the phone (session guard)', async () => {
      const browser = new Browser(base);
      const id = await start(browser);
      await emu.respond(id, 'approve');
      await emu.webhooksSettled();
      expect((await browser.request('/login/complete')).status).to.equal(302);
      expect(await (await browser.request('/')).text()).to.equal('Hello demo');
      emu.endSession(serviceId, 'demo');
      await emu.webhooksSettled();
      expect(await (await browser.request('/')).text()).to.equal('Not logged in');
    });
  });
}
