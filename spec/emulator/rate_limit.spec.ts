import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import type { ServiceClient } from '../../lib/clients/service.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { RateLimitedError } from '../../lib/errors.js';
import { rejection } from '../support/assertions.js';
import { EmulatorClient, IDS, KEYS, baseConfig } from '../support/emulator_client.js';

const svc = `svc:${IDS.dirSvc}`;

describe('emulator 429: Retry-After', () => {
  let emu: Emulator;
  const newService = (): ServiceClient =>
    new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();

  beforeEach(async () => {
    emu = await startEmulator({
      config: baseConfig(),
      apiPrivateKey: KEYS.api,
      rateLimit: { authsPerUser: 2, windowSeconds: 60 },
    });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('says in whole seconds when a request will be accepted again, outside the signed token, which still verifies', async () => {
    const service = newService();
    for (let i = 0; i < 2; i += 1) await emu.respond(await service.authorize('alice'), 'deny');

    const raw = await new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now()).call(
      'POST',
      '/service/v3/auths',
      svc,
      { username: 'alice' },
    );
    expect([raw.status, raw.rawBody, raw.opened.claims.response?.status]).to.deep.equal([429, '', 429]);
    // Real seconds pass during the test too: the first request left the window 60 s after it was made.
    const retryAfter = Number(raw.headers['retry-after']);
    expect(raw.headers['retry-after']).to.match(/^\d+$/);
    expect(retryAfter).to.be.within(55, 60);

    // The SDK hands it on; it shrinks as the emulator clock moves.
    emu.advanceClock(30);
    const err = await rejection(newService().authorize('alice'), RateLimitedError);
    expect(err.retryAfter).to.be.within(25, 30);
    emu.advanceClock(err.retryAfter ?? 0);
    expect(await newService().authorize('alice')).to.match(/^[0-9a-f-]{36}$/);
  });
});
