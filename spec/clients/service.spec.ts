import { expect } from 'chai';

import { OrganizationFactory, ServiceFactory } from '../../lib/clients/factories.js';
import type { ServiceClient } from '../../lib/clients/service.js';
import { AuthPolicy } from '../../lib/entities/auth_policy.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import {
  AuthorizationInProgressError,
  AuthorizationRequestCanceledError,
  AuthorizationResponseExistsError,
  EntityNotFoundError,
  ForbiddenError,
  InvalidArgumentError,
  RequestTimedOutError,
  UnauthorizedError,
} from '../../lib/errors.js';
import { rejection } from '../support/assertions.js';
import { IDS, KEYS, baseConfig } from '../support/emulator_client.js';

describe('ServiceClient against the emulator', () => {
  let emu: Emulator;
  let service: ServiceClient;

  before(async () => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
  });
  after(async () => {
    await emu.close();
  });
  beforeEach(() => {
    service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
  });
  afterEach(async () => {
    // Leave no pending request behind: the busy signal is per user, across tests.
    for (const auth of emu.auths({ status: 'pending' })) await emu.respond(auth.id, 'deny');
  });

  it('authorizationRequest returns the request id and the devices it went to', async () => {
    const request = await service.authorizationRequest('alice', { context: 'Sign in from Firefox', title: 'Login' });
    expect(request.authorizationRequestId).to.match(/^[0-9a-f-]{36}$/);
    expect(request.deviceIds).to.be.an('array').that.is.not.empty;
    const [pending] = emu.auths({ status: 'pending', username: 'alice' });
    expect(pending).to.include({ id: request.authorizationRequestId, context: 'Sign in from Firefox', title: 'Login' });
  });

  it('getAdvancedAuthorizationResponse is null while pending and the decoded answer once approved', async () => {
    const id = await service.authorize('alice');
    expect(await service.getAdvancedAuthorizationResponse(id)).to.equal(null);
    await emu.respond(id, 'approve');
    const response = await service.getAdvancedAuthorizationResponse(id);
    expect(response).to.include({
      authorizationRequestId: id,
      authorized: true,
      type: 'AUTHORIZED',
      reason: 'APPROVED',
      fraud: false,
      packageFormat: 'jwe',
    });
    expect(response?.serviceUserHash).to.be.a('string').that.is.not.empty;
    expect(response?.servicePins).to.be.an('array');
    const legacy = await service.getAuthorizationResponse(id);
    expect(legacy).to.include({ authorized: true, authorizationRequestId: id, deviceId: response?.deviceId });
  });

  it('decodes a denial and a fraud report', async () => {
    const denied = await service.authorize('alice');
    await emu.respond(denied, 'deny');
    expect(await service.getAdvancedAuthorizationResponse(denied)).to.include({
      authorized: false,
      type: 'DENIED',
      reason: 'DISAPPROVED',
      fraud: false,
    });
    const fraud = await service.authorize('alice');
    await emu.respond(fraud, 'fraud');
    expect(await service.getAdvancedAuthorizationResponse(fraud)).to.include({
      authorized: false,
      reason: 'FRAUDULENT',
      fraud: true,
    });
  });

  it('sends a dynamic policy that the device cannot satisfy and gets FAILED/POLICY', async () => {
    const policy = new AuthPolicy({ jailbreakProtection: true });
    const id = await service.authorize('bob', { policy });
    const [pending] = emu.auths({ status: 'pending', username: 'bob' });
    expect(pending?.policy).to.not.equal(null);
    await emu.respond(id, 'approve');
    expect(await service.getAdvancedAuthorizationResponse(id)).to.include({
      authorized: false,
      type: 'FAILED',
      reason: 'POLICY',
    });
  });

  it('gives the busy signal with the pending request id while the user has a pending request', async () => {
    const first = await service.authorize('alice');
    const busy = await rejection(service.authorize('alice'), AuthorizationInProgressError);
    expect(busy.authorizationRequestId).to.equal(first);
    expect(busy.fromSameService).to.be.true;
    expect(busy.expires).to.be.instanceOf(Date);
  });

  it('reports the busy signal as from another service when another service asked', async () => {
    const other = new OrganizationFactory(IDS.org, KEYS.org, { baseUrl: emu.url }).makeServiceClient(IDS.orgSvc);
    await other.authorize('alice');
    const err = await rejection(service.authorize('alice'), AuthorizationInProgressError);
    expect(err.fromSameService).to.be.false;
  });

  it('cancels a pending request; polling and canceling again say canceled', async () => {
    const id = await service.authorize('alice');
    await service.cancelAuthorizationRequest(id);
    expect(await rejection(service.getAdvancedAuthorizationResponse(id))).to.be.instanceOf(
      AuthorizationRequestCanceledError,
    );
    expect(await rejection(service.cancelAuthorizationRequest(id))).to.be.instanceOf(AuthorizationRequestCanceledError);
  });

  it('refuses to cancel an answered request', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'approve');
    expect(await rejection(service.cancelAuthorizationRequest(id))).to.be.instanceOf(AuthorizationResponseExistsError);
  });

  it('says an unanswered request timed out once its ttl passed', async () => {
    const id = await service.authorize('alice', { ttl: 60 });
    emu.advanceClock(61);
    try {
      expect(await rejection(service.getAdvancedAuthorizationResponse(id))).to.be.instanceOf(RequestTimedOutError);
    } finally {
      emu.advanceClock(-61);
    }
  });

  it('answers null for an unknown request id, as the API did', async () => {
    expect(await service.getAdvancedAuthorizationResponse('6f1c1b55-1c0e-4a3b-9b0a-1d2e3f405162')).to.equal(null);
  });

  it('refuses an unknown user and a user without devices with EntityNotFound', async () => {
    expect(await rejection(service.authorize('mallory'))).to.be.instanceOf(EntityNotFoundError);
    expect(await rejection(service.authorize('nodevice'))).to.be.instanceOf(EntityNotFoundError);
  });

  it('validates options locally and sends nothing for a bad one', async () => {
    const before = emu.auths().length;
    const cases: [Parameters<ServiceClient['authorize']>[1], string][] = [
      [{ context: 'x'.repeat(401) }, 'context'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ ttl: 0 }, 'ttl'],
      [{ ttl: 1.5 }, 'ttl'],
      [{ denialReasons: [{ id: '1', reason: 'No', fraud: false }] }, 'denialReasons'],
      [
        {
          denialReasons: [
            { id: '1', reason: 'No', fraud: false },
            { id: '2', reason: 'Not me', fraud: false },
          ],
        },
        'denialReasons',
      ],
      [
        {
          denialReasons: [
            { id: '1', reason: 'No', fraud: false },
            { id: '1', reason: 'Not me', fraud: true },
          ],
        },
        'denialReasons',
      ],
    ];
    for (const [options, argument] of cases) {
      const err = await rejection(service.authorize('alice', options), InvalidArgumentError);
      expect(err.argument).to.equal(argument);
    }
    expect(await rejection(service.authorize(''))).to.include({ argument: 'user' });
    expect(await rejection(service.getAdvancedAuthorizationResponse('../../x'))).to.include({
      argument: 'authorizationRequestId',
    });
    expect(emu.auths()).to.have.length(before);
  });

  it('carries denial reasons to the device and back', async () => {
    const id = await service.authorize('alice', {
      denialReasons: [
        { id: 'DEN1', reason: 'Not me', fraud: true },
        { id: 'DEN2', reason: 'Changed my mind', fraud: false },
      ],
    });
    await emu.respond(id, 'deny', 'DEN2');
    expect(await service.getAdvancedAuthorizationResponse(id)).to.include({ denialReason: 'DEN2', fraud: false });
  });

  it('starts and ends a session, and ends one that does not exist without error', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'approve');
    await service.sessionStart('alice', id);
    const sessions = () =>
      (emu.state().users.find((u) => u.identifier === 'alice')?.sessions ?? []).filter(
        (s) => (s as { serviceId?: string }).serviceId === IDS.dirSvc,
      );
    expect(sessions()).to.have.length.greaterThan(0);
    await service.sessionEnd('alice');
    expect(sessions()).to.have.length(0);
    await service.sessionEnd('alice');
  });

  it('refuses sessions for an unknown user with EntityNotFound', async () => {
    expect(await rejection(service.sessionStart('mallory'))).to.be.instanceOf(EntityNotFoundError);
    expect(await rejection(service.sessionEnd('mallory'))).to.be.instanceOf(EntityNotFoundError);
  });

  it('is refused by the API for a service whose keys it does not hold', async () => {
    const stranger = new ServiceFactory(IDS.dirSvc, KEYS.org, { baseUrl: emu.url }).makeServiceClient();
    expect(await rejection(stranger.authorize('alice'))).to.be.instanceOf(UnauthorizedError);
  });

  it('is forbidden to act for a service of another organization', async () => {
    const org = new OrganizationFactory(IDS.otherOrg, KEYS.dir, { baseUrl: emu.url });
    expect(await rejection(org.makeServiceClient(IDS.dirSvc).authorize('alice'))).to.be.instanceOf(ForbiddenError);
  });

  it('works with organization and directory credentials for a directory service', async () => {
    const org = new OrganizationFactory(IDS.org, KEYS.org, { baseUrl: emu.url }).makeServiceClient(IDS.dirSvc);
    const id = await org.authorize('alice');
    await emu.respond(id, 'approve');
    expect(await org.getAdvancedAuthorizationResponse(id)).to.include({ authorized: true });
  });
});
