import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { IDS, KEYS, baseConfig } from '../support/emulator_client.js';

describe('emulator clock', () => {
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('keeps a request expired once its ttl passed, even when the clock is moved back', async () => {
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    const id = await service.authorize('alice', { ttl: 60 });
    emu.advanceClock(61);
    emu.setClockOffset(0);
    expect(emu.auths({ username: 'alice' }).find((a) => a.id === id)?.status).to.equal('expired');
    // The user is free for a new request: an expired one is no busy signal.
    expect(await service.authorize('alice')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('leaves a request pending when the clock moves forward less than its ttl', async () => {
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    const id = await service.authorize('alice', { ttl: 120 });
    emu.advanceClock(60);
    emu.setClockOffset(0);
    expect(emu.auths({ username: 'alice' }).find((a) => a.id === id)?.status).to.equal('pending');
  });
});
