import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import type { ServiceClient } from '../../lib/clients/service.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../lib/emulator/index.js';
import { baseConfig, control, IDS, KEYS } from '../support/emulator_client.js';
import { startReceiver, type Receiver } from '../support/webhook_receiver.js';

const newClient = (emu: Emulator): ServiceClient =>
  new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
const ids = (list: unknown) => (list as { id: string }[]).map((a) => a.id);

describe('emulator retention: finished auth requests and webhook deliveries are dropped, pending ones never', () => {
  let emu: Emulator | undefined;
  let rx: Receiver | undefined;
  let service: ServiceClient;

  const start = async (options: EmulatorOptions) => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api, ...options });
    service = newClient(emu);
    return emu;
  };
  afterEach(async () => {
    await emu?.close();
    await rx?.close();
    emu = undefined;
    rx = undefined;
  });

  it('keeps a finished request readable for finishedAuthSeconds of emulator time after it finished, then drops it', async () => {
    const e = await start({ retention: { finishedAuthSeconds: 120 } });
    const approved = await service.authorize('alice');
    await e.respond(approved, 'approve');
    // A request still pending after the retention is kept, whatever its age.
    const pending = await service.authorize('bob', { ttl: 600 });

    // Real seconds pass during the test too: no edge is tested to the second. After each jump, a
    // new client, which syncs its clock with the emulator's.
    e.advanceClock(110);
    service = newClient(e);
    expect((await service.getAuthorizationResponse(approved))?.authorized).to.equal(true);
    expect(ids((await control(e.url, '/emulator/auths?username=alice')).json)).to.deep.equal([approved]);

    e.advanceClock(20);
    service = newClient(e);
    expect(ids((await control(e.url, '/emulator/auths')).json)).to.deep.equal([pending]);
    expect(e.auths({ status: 'approved' })).to.deep.equal([]);
    // Dropped: the poll answers as for an unknown request (204), the phone as for one (404).
    expect(await service.getAuthorizationResponse(approved)).to.equal(null);
    expect((await control(e.url, `/emulator/auths/${approved}/respond`, { action: 'deny' })).status).to.equal(404);
    expect(e.auths({ status: 'pending' }).map((a) => a.id)).to.deep.equal([pending]);
  });

  it('counts an expired request from its expiry, and a canceled one from its cancel', async () => {
    const e = await start({ retention: { finishedAuthSeconds: 100 } });
    const expired = await service.authorize('alice', { ttl: 60 });
    const canceled = await service.authorize('bob');
    await service.cancelAuthorizationRequest(canceled);
    e.advanceClock(140);
    // alice's request expired 80 s ago, bob's was canceled 140 s ago.
    expect(e.auths().map((a) => [a.id, a.status])).to.deep.equal([[expired, 'expired']]);
    e.advanceClock(30);
    expect(e.auths()).to.deep.equal([]);
  });

  it('keeps at most finishedAuths finished requests, dropping the first to finish', async () => {
    const e = await start({ retention: { finishedAuths: 3 } });
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const id = await service.authorize('alice');
      made.push(id);
      await e.respond(id, i % 2 === 0 ? 'approve' : 'deny');
    }
    expect(e.auths().map((a) => a.id)).to.deep.equal(made.slice(2));
    expect(ids((await control(e.url, '/emulator/auths?status=approved')).json)).to.deep.equal([made[2], made[4]]);
    expect(await service.getAuthorizationResponse(made[0]!)).to.equal(null);
    expect((await service.getAuthorizationResponse(made[2]!))?.authorized).to.equal(true);
  });

  it('keeps the last webhookDeliveries delivery records', async () => {
    rx = await startReceiver();
    emu = await startEmulator({
      config: baseConfig({ callbackUrl: `${rx.url}/hook` }),
      apiPrivateKey: KEYS.api,
      retention: { webhookDeliveries: 2 },
    });
    service = newClient(emu);
    for (let i = 0; i < 3; i += 1) {
      await emu.respond(await service.authorize('alice'), 'deny');
      await emu.webhooksSettled();
    }
    expect(rx.deliveries).to.have.length(3);
    expect(emu.webhooks()).to.have.length(2);
    expect((await control(emu.url, '/emulator/webhooks')).json).to.deep.equal(emu.webhooks());
    expect((await control(emu.url, '/emulator/state')).json)
      .to.have.property('webhooks')
      .with.length(2);
  });

  it('refuses a retention that is not a whole number of at least 1 with ERR_LK_CONFIGURATION', async () => {
    for (const retention of [{ finishedAuthSeconds: 0 }, { finishedAuths: 1.5 }, { webhookDeliveries: -1 }, []]) {
      const error = await startEmulator({ apiPrivateKey: KEYS.api, retention: retention as object }).then(
        async (started) => {
          await started.close();
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(error, JSON.stringify(retention)).to.have.property('code', 'ERR_LK_CONFIGURATION');
    }
  });
});
