import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { DEFAULT_RATE_LIMIT } from '../../lib/emulator/config.js';
import type { EmulatorContext } from '../../lib/emulator/context.js';
import { RouteTable } from '../../lib/emulator/router.js';
import { listen } from '../../lib/emulator/server.js';
import { EmulatorState } from '../../lib/emulator/state.js';
import { WebhookSender } from '../../lib/emulator/webhooks.js';
import { KEYS } from '../support/emulator_client.js';

function testContext(): EmulatorContext {
  const state = new EmulatorState();
  const apiKey = loadPrivateKey(KEYS.api);
  return {
    state,
    apiKey,
    webhooks: new WebhookSender(state, apiKey),
    baseUrl: () => '',
    publicUrl: () => '',
    defaultAuthTtl: 300,
    rateLimit: { ...DEFAULT_RATE_LIMIT },
  };
}

describe('emulator server', function () {
  it('answers 500 for a handler that throws, reports it, and keeps serving', async function () {
    const reported: string[] = [];
    const ctx: EmulatorContext = { ...testContext(), warn: (message) => reported.push(message) };
    const routes = new RouteTable()
      .plain('GET', '/boom', function boom() {
        throw new Error('bug');
      })
      .plain('GET', '/ok/:name', function ok({ params }) {
        return { status: 200, json: params };
      });
    const running = await listen(ctx, routes, '127.0.0.1', 0);
    try {
      expect((await fetch(`${running.url}/boom`)).status).to.equal(500);
      const ok = await fetch(`${running.url}/ok/a%20b`);
      expect(await ok.json()).to.deep.equal({ name: 'a b' });
      expect((await fetch(`${running.url}/ok/%E0%A4%A`)).status).to.equal(404);
    } finally {
      await running.close();
    }
    expect(reported).to.deep.equal(['launchkey emulator: GET /boom failed: Error: bug']);
  });

  it('a client aborting its upload is no handler failure: nothing reported, no listener or handler left', async function () {
    const reported: string[] = [];
    const ctx: EmulatorContext = { ...testContext(), warn: (message) => reported.push(message) };
    const handled: number[] = [];
    const routes = new RouteTable().plain('POST', '/upload', function upload({ rawBody }) {
      handled.push(rawBody.length);
      return { status: 200, json: { bytes: rawBody.length } };
    });
    const running = await listen(ctx, routes, '127.0.0.1', 0);
    const events = ['data', 'end', 'error', 'close'] as const;
    const listeners = (req: IncomingMessage) => events.map((e) => req.listenerCount(e));
    const seen: { req: IncomingMessage; before: number[] }[] = [];
    // Runs before the emulator's own request listener: the counts before it read anything.
    running.server.prependListener('request', (req: IncomingMessage) => {
      seen.push({ req, before: listeners(req) });
    });
    try {
      // Announce 100 bytes, send 3, and hang up once the server has read them.
      const firstChunk = new Promise<IncomingMessage>((resolve) => {
        running.server.once('request', (req: IncomingMessage) => {
          req.once('data', () => {
            resolve(req);
          });
        });
      });
      const { port } = new URL(running.url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 100\r\n\r\nabc`);
      const aborted = await firstChunk;
      const closed = new Promise((resolve) => aborted.once('close', resolve));
      socket.destroy();
      await closed;

      // Still serving, and a complete upload reads as before.
      const ok = await fetch(`${running.url}/upload`, { method: 'POST', body: 'hello' });
      expect(await ok.json()).to.deep.equal({ bytes: 5 });
    } finally {
      // Resolves only once every request handler has finished: none is left pending.
      await running.close();
    }
    expect(reported).to.deep.equal([]);
    expect(handled).to.deep.equal([5]);
    expect(seen).to.have.length(2);
    for (const { req, before } of seen) expect(listeners(req)).to.deep.equal(before);
  });

  it('names routes after their handler functions', function () {
    const routes = new RouteTable().plain('GET', '/x/:id', function namedHandler() {
      return { status: 204 };
    });
    expect(routes.match('GET', '/x/1')).to.include({ name: 'namedHandler' });
    expect(routes.match('POST', '/x/1')).to.equal(undefined);
  });
});
