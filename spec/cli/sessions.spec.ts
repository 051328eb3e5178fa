import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { IDS, KEYS, cli, directoryEnv, pendingAuth, startWorld } from './support.js';

describe('launchkey sessions', function () {
  this.timeout(15_000);
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startWorld();
  });

  afterEach(async () => {
    await emu.close();
  });

  /** Logs alice in to the directory service as an app would: approved push, then session start. */
  async function startSession(): Promise<string> {
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    const id = await service.authorize('alice');
    await emu.respond((await pendingAuth(emu, 'alice')).id, 'approve');
    await service.sessionStart('alice', id);
    return id;
  }

  it("list prints the user's sessions as a table, and as {user, sessions} with --json", async () => {
    const authRequest = await startSession();
    const text = await cli(['sessions', 'list', 'alice'], directoryEnv(emu));
    expect(text.code).to.equal(0);
    const [header, row, ...more] = text.stdout.trim().split('\n');
    expect(more).to.deep.equal([]);
    expect(header).to.match(/^SERVICE +SERVICE ID +STARTED +AUTH REQUEST$/);
    expect(row).to.match(new RegExp(`^Dir service +${IDS.dirSvc} +\\d{4}-\\d\\d-\\d\\dT\\S+Z +${authRequest}$`));

    const json = await cli(['sessions', 'list', 'alice', '--json'], directoryEnv(emu));
    const [listing] = json.json();
    expect(listing?.['user']).to.equal('alice');
    const [session, ...others] = listing?.['sessions'] as Record<string, unknown>[];
    expect(others).to.deep.equal([]);
    expect(Object.keys(session ?? {})).to.deep.equal([
      'serviceId',
      'serviceName',
      'serviceIcon',
      'authorizationRequestId',
      'created',
    ]);
    expect(session).to.deep.include({
      serviceId: IDS.dirSvc,
      serviceName: 'Dir service',
      serviceIcon: null,
      authorizationRequestId: authRequest,
    });
    expect(session?.['created']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('end ends every session of the user; list then says there are none', async () => {
    await startSession();
    const ended = await cli(['sessions', 'end', 'alice', '--json'], directoryEnv(emu));
    expect(ended.code).to.equal(0);
    expect(ended.json()).to.deep.equal([{ user: 'alice', ended: true }]);
    const text = await cli(['sessions', 'end', 'alice'], directoryEnv(emu));
    expect(text.stdout).to.equal('Ended all sessions of alice.\n');
    const listed = await cli(['sessions', 'list', 'alice'], directoryEnv(emu));
    expect([listed.code, listed.stdout]).to.deep.equal([0, 'alice has no sessions.\n']);
  });

  it('exits 2 for an unknown user, saying so', async () => {
    for (const command of ['list', 'end']) {
      const result = await cli(['sessions', command, 'stranger'], directoryEnv(emu));
      expect(result.code, command).to.equal(2);
      expect(result.stderr).to.equal(
        'launchkey: Entity not found (ERR_LK_ENTITY_NOT_FOUND)\nNo such user in the directory.\n',
      );
    }
  });
});
