import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import type { ServiceClient } from '../../lib/clients/service.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, control, IDS, KEYS } from '../support/emulator_client.js';

const newClient = (emu: Emulator): ServiceClient =>
  new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
const ids = (list: unknown) => (list as { id: string }[]).map((a) => a.id);

describe('emulator auth lookups (indexed by id, status and username)', () => {
  let emu: Emulator;
  let service: ServiceClient;

  beforeEach(async () => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    service = newClient(emu);
  });
  afterEach(async () => {
    await emu.close();
  });

  it('lists by status, by username and by both, in creation order, whatever order they finished in', async () => {
    const a1 = await service.authorize('alice', { ttl: 30 });
    const b1 = await service.authorize('bob');
    await emu.respond(b1, 'deny');
    emu.advanceClock(31); // a1 expires
    const b2 = await service.authorize('bob');
    const a2 = await service.authorize('alice');
    await service.cancelAuthorizationRequest(b2);
    await emu.respond(a2, 'deny');
    const b3 = await service.authorize('bob');
    await emu.respond(b3, 'approve');
    const a3 = await service.authorize('alice');

    const list = async (query: string) => ids((await control(emu.url, `/emulator/auths${query}`)).json);
    expect(await list('')).to.deep.equal([a1, b1, b2, a2, b3, a3]);
    expect(await list('?username=alice')).to.deep.equal([a1, a2, a3]);
    expect(await list('?status=denied')).to.deep.equal([b1, a2]);
    expect(await list('?status=denied&username=bob')).to.deep.equal([b1]);
    expect(await list('?status=pending')).to.deep.equal([a3]);
    expect(await list('?status=pending&username=bob')).to.deep.equal([]);
    expect(await list('?status=expired')).to.deep.equal([a1]);
    expect(await list('?status=canceled&username=bob')).to.deep.equal([b2]);
    expect(await list('?status=approved')).to.deep.equal([b3]);
    expect(await list('?status=nonsense')).to.deep.equal([]);
    expect(await list('?username=nobody')).to.deep.equal([]);
  });

  it('sees a pending request expire when listing by status, without the clock being moved by the control API', async () => {
    const id = await service.authorize('alice', { ttl: 10 });
    emu.advanceClock(5);
    expect(emu.auths({ status: 'pending' }).map((a) => a.id)).to.deep.equal([id]);
    emu.advanceClock(5);
    expect(emu.auths({ status: 'pending' })).to.deep.equal([]);
    expect(emu.auths({ status: 'expired', username: 'alice' }).map((a) => a.id)).to.deep.equal([id]);
    // The busy signal is gone with it.
    expect(await service.authorize('alice')).to.match(/^[0-9a-f-]{36}$/);
  });
});
