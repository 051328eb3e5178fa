import { expect } from 'chai';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { DEFAULT_RATE_LIMIT } from '../../lib/emulator/config.js';
import type { EmulatorContext } from '../../lib/emulator/context.js';
import { RouteTable } from '../../lib/emulator/router.js';
import { listen } from '../../lib/emulator/server.js';
import { EmulatorState } from '../../lib/emulator/state.js';
import { WebhookSender } from '../../lib/emulator/webhooks.js';
import { KEYS } from '../support/emulator_client.js';

describe('emulator server', function () {
  it('answers 500 for a handler that throws and keeps serving', async function () {
    const state = new EmulatorState();
    const apiKey = loadPrivateKey(KEYS.api);
    const ctx: EmulatorContext = {
      state,
      apiKey,
      webhooks: new WebhookSender(state, apiKey),
      baseUrl: () => '',
      defaultAuthTtl: 300,
      rateLimit: { ...DEFAULT_RATE_LIMIT },
    };
    const routes = new RouteTable()
      .plain('GET', '/boom', function boom() {
        throw new Error('bug');
      })
      .plain('GET', '/ok/:name', function ok({ params }) {
        return { status: 200, json: params };
      });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const running = await listen(ctx, routes, '127.0.0.1', 0);
    try {
      expect((await fetch(`${running.url}/boom`)).status).to.equal(500);
      const ok = await fetch(`${running.url}/ok/a%20b`);
      expect(await ok.json()).to.deep.equal({ name: 'a b' });
      expect((await fetch(`${running.url}/ok/%E0%A4%A`)).status).to.equal(404);
    } finally {
      process.off('warning', onWarning);
      await running.close();
    }
  });

  it('names routes after their handler functions', function () {
    const routes = new RouteTable().plain('GET', '/x/:id', function namedHandler() {
      return { status: 204 };
    });
    expect(routes.match('GET', '/x/1')).to.include({ name: 'namedHandler' });
    expect(routes.match('POST', '/x/1')).to.equal(undefined);
  });
});
