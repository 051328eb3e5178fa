import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import type { ServiceClient } from '../../lib/clients/service.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { JwtVerificationError } from '../../lib/errors.js';
import { rejection } from '../support/assertions.js';
import { IDS, KEYS, baseConfig } from '../support/emulator_client.js';
import { startReceiver, type Delivery, type Receiver } from '../support/webhook_receiver.js';

describe('ServiceClient webhooks from the emulator', () => {
  let emu: Emulator;
  let receiver: Receiver;
  let service: ServiceClient;

  before(async () => {
    receiver = await startReceiver();
    const callbackUrl = `${receiver.url}/launchkey/webhook`;
    emu = await startEmulator({ config: baseConfig({ callbackUrl }), apiPrivateKey: KEYS.api });
    service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
  });
  after(async () => {
    await emu.close();
    await receiver.close();
  });

  const next = async (): Promise<Delivery> => {
    await emu.webhooksSettled();
    const delivery = receiver.deliveries.shift();
    if (delivery === undefined) throw new Error('no webhook was delivered');
    return delivery;
  };

  it('handleWebhook gives the legacy view of an authorization response', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'approve');
    const event = await service.handleWebhook(await next());
    expect(event.kind).to.equal('authorization-response');
    if (event.kind !== 'authorization-response') return;
    expect(event.serviceId).to.equal(IDS.dirSvc);
    expect(event.requestingEntity).to.equal(`svc:${IDS.dirSvc}`);
    expect(Object.keys(event.response).sort()).to.deep.equal([
      'authorizationRequestId',
      'authorized',
      'deviceId',
      'organizationUserHash',
      'servicePins',
      'serviceUserHash',
      'userPushId',
    ]);
    expect(event.response).to.include({ authorized: true, authorizationRequestId: id });
  });

  it('handleAdvancedWebhook decodes a denial, and refuses the same delivery twice', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'fraud');
    const delivery = await next();
    const event = await service.handleAdvancedWebhook(delivery);
    expect(event.kind === 'authorization-response' && event.response).to.include({
      authorizationRequestId: id,
      authorized: false,
      fraud: true,
    });
    const replay = await rejection(service.handleAdvancedWebhook(delivery), JwtVerificationError);
    expect(replay.code).to.equal('ERR_LK_JWT_REPLAY');
  });

  it('releaseWebhook lets the very same delivery be processed again, e.g. after the receiver answered 503', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'deny');
    const delivery = await next();
    const first = await service.handleAdvancedWebhook(delivery);
    expect(first.replayKey).to.match(/^lka\|/);
    await rejection(service.handleAdvancedWebhook(delivery), JwtVerificationError);
    await service.releaseWebhook(first);
    const again = await service.handleAdvancedWebhook(delivery);
    expect(again.kind === 'authorization-response' && again.response.authorizationRequestId).to.equal(id);
    await rejection(service.handleAdvancedWebhook(delivery), JwtVerificationError);
  });

  it('handleWebhook passes a session end through', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'approve');
    await next();
    await service.sessionStart('alice', id);
    emu.endSession(IDS.dirSvc, 'alice');
    const event = await service.handleWebhook(await next());
    expect(event.kind).to.equal('session-end');
    if (event.kind !== 'session-end') return;
    expect(event.serviceUserHash).to.be.a('string').that.is.not.empty;
    expect(event.logoutRequested).to.be.instanceOf(Date);
  });

  it('refuses a webhook whose path is not the one the API signed', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'deny');
    const delivery = await next();
    const err = await rejection(
      service.handleAdvancedWebhook({ ...delivery, path: '/launchkey/webhook/' }),
      JwtVerificationError,
    );
    expect(err).to.include({ code: 'ERR_LK_JWT_BINDING', claim: 'request.path' });
  });
});
