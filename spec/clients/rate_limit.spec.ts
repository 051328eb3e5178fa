import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import type { ServiceClient } from '../../lib/clients/service.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { ConfigurationError, RateLimitedError } from '../../lib/errors.js';
import { rejection } from '../support/assertions.js';
import { EmulatorClient, IDS, KEYS, baseConfig } from '../support/emulator_client.js';

describe('emulator rate limit on authorization requests (HTTP 429 -> RateLimitedError)', () => {
  let emu: Emulator | undefined;

  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  const serviceFor = (running: Emulator): ServiceClient =>
    new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: running.url }).makeServiceClient();

  /** Sends one request and answers it at once, so the busy signal (SVC-005) never interferes. */
  const authorizeAndDeny = async (running: Emulator, service: ServiceClient, user: string) => {
    const id = await service.authorize(user);
    await running.respond(id, 'deny');
    return id;
  };

  it('refuses the (N+1)th request for a user within the window, per user, until the window has passed', async () => {
    emu = await startEmulator({
      config: baseConfig(),
      apiPrivateKey: KEYS.api,
      rateLimit: { authsPerUser: 3, windowSeconds: 60 },
    });
    const service = serviceFor(emu);
    for (let i = 0; i < 3; i += 1) await authorizeAndDeny(emu, service, 'alice');

    const err = await rejection(service.authorize('alice'), RateLimitedError);
    expect(err.status).to.equal(429);

    // On the wire: 429, empty body, a signed X-IOV-JWT whose response status is 429.
    const svc = `svc:${IDS.dirSvc}`;
    const raw = await new EmulatorClient(emu.url, svc, KEYS.svc, 'python', () => emu!.now()).call(
      'POST',
      '/service/v3/auths',
      svc,
      { username: 'alice' },
    );
    expect(raw.status).to.equal(429);
    expect(raw.rawBody).to.equal('');
    expect(raw.headers['x-iov-jwt']).to.be.a('string');
    expect(raw.opened.claims.response?.status).to.equal(429);

    // The count is per user: bob is not limited by alice's requests.
    await authorizeAndDeny(emu, service, 'bob');
    // Refused requests do not count; still refused half a window later (real seconds pass during the
    // test too, so no edge is tested to the second), accepted once the window has passed.
    emu.advanceClock(30);
    await rejection(service.authorize('alice'), RateLimitedError);
    emu.advanceClock(31);
    // A new client: it syncs its clock offset with the shifted emulator clock.
    expect(await authorizeAndDeny(emu, serviceFor(emu), 'alice')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('takes the limit from the config, with the startEmulator option overriding it field by field', async () => {
    emu = await startEmulator({
      config: { ...baseConfig(), rateLimit: { authsPerUser: 1, windowSeconds: 120 } },
      apiPrivateKey: KEYS.api,
    });
    let service = serviceFor(emu);
    await authorizeAndDeny(emu, service, 'alice');
    await rejection(service.authorize('alice'), RateLimitedError);
    emu.advanceClock(120);
    await authorizeAndDeny(emu, serviceFor(emu), 'alice');
    await emu.close();

    emu = await startEmulator({
      config: { ...baseConfig(), rateLimit: { authsPerUser: 1, windowSeconds: 120 } },
      apiPrivateKey: KEYS.api,
      rateLimit: { authsPerUser: 2 },
    });
    service = serviceFor(emu);
    await authorizeAndDeny(emu, service, 'alice');
    await authorizeAndDeny(emu, service, 'alice');
    await rejection(service.authorize('alice'), RateLimitedError);
  });

  it('refuses a malformed rateLimit with ConfigurationError', async () => {
    for (const rateLimit of [{ authsPerUser: 0 }, { windowSeconds: 1.5 }, { authsPerUser: '10' }]) {
      await rejection(
        startEmulator({ apiPrivateKey: KEYS.api, rateLimit: rateLimit as { authsPerUser?: number } }),
        ConfigurationError,
      );
    }
  });
});
