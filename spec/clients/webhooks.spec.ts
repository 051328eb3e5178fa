import { expect } from 'chai';
import { randomBytes } from 'node:crypto';

import { ServiceFactory } from '../../lib/clients/factories.js';
import { ServiceClient } from '../../lib/clients/service.js';
import { KeyRing, loadPrivateKey, type PrivateKey } from '../../lib/crypto/keys.js';
import { signToken, type TokenClaims } from '../../lib/crypto/jws.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import {
  ClockNotSynchronizedError,
  JweDecryptionError,
  JwtVerificationError,
  UnknownApiKeyError,
} from '../../lib/errors.js';
import { JoseTransport } from '../../lib/transport/jose_transport.js';
import { MemoryReplayCache, type ReplayCache } from '../../lib/webhooks/replay_cache.js';
import { webhookFailureStatus } from '../../lib/webhooks/verify.js';
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

  it('a webhook encrypted to a key this deployment does not hold yet is answered 503 and processed once the key is installed', async () => {
    const id = await service.authorize('alice');
    await emu.respond(id, 'approve');
    const delivery = await next();
    const shared = new MemoryReplayCache();
    // The old deployment holds only another key; the API encrypted to the service key.
    const before = freshClient(emu.url, [KEYS.org], shared);
    await before.transport.apiKeys.current();
    await before.transport.clock.offset();
    const err = await rejection(before.service.handleAdvancedWebhook(delivery), JweDecryptionError);
    expect(err.failure).to.equal('key');
    expect(webhookFailureStatus(err)).to.equal(503);
    // The new deployment, same replay store, holds the key: the redelivery is not taken for a replay.
    const after = freshClient(emu.url, [KEYS.org, KEYS.svc], shared);
    await after.transport.apiKeys.current();
    await after.transport.clock.offset();
    const event = await after.service.handleAdvancedWebhook(delivery);
    expect(event.kind === 'authorization-response' && event.response.authorizationRequestId).to.equal(id);
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

/**
 * A service client on a transport of its own that has made no call yet (no API key, no clock
 * offset), with every request it sends recorded.
 */
function freshClient(
  baseUrl: string,
  keys: string[] = [KEYS.svc],
  replayCache: ReplayCache = new MemoryReplayCache(),
): { service: ServiceClient; transport: JoseTransport; sent: string[] } {
  // A long interval: every refresh a spec sees was asked for once, whatever the speed of the machine.
  const transport = new JoseTransport(`svc:${IDS.dirSvc}`, new KeyRing(keys), { baseUrl, refreshInterval: 3600 });
  const sent: string[] = [];
  const send = transport.http.send.bind(transport.http);
  transport.http.send = (request) => {
    sent.push(`${request.method} ${request.path}`);
    return send(request);
  };
  return {
    service: new ServiceClient(transport, IDS.dirSvc, { replayCache }),
    transport,
    sent,
  };
}

/** A webhook like `delivery` but signed by `signer` under a random, well-formed key id. */
async function withUnknownKid(delivery: Delivery, signer: PrivateKey): Promise<Delivery> {
  const token = String(delivery.headers['x-iov-jwt']);
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as TokenClaims;
  const kid = Array.from(randomBytes(16), (b) => b.toString(16).padStart(2, '0')).join(':');
  const forged = await signToken(claims, { ...signer, kid });
  return { ...delivery, headers: { ...delivery.headers, 'x-iov-jwt': forged } };
}

describe('ServiceClient webhooks: no request on behalf of an unverified webhook (SECURITY T5)', () => {
  let emu: Emulator;
  let receiver: Receiver;
  let service: ServiceClient;

  before(async () => {
    receiver = await startReceiver();
    emu = await startEmulator({
      config: baseConfig({ callbackUrl: `${receiver.url}/launchkey/webhook` }),
      apiPrivateKey: KEYS.api,
    });
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

  async function answeredDelivery(): Promise<{ id: string; delivery: Delivery }> {
    const id = await service.authorize('alice');
    await emu.respond(id, 'deny');
    return { id, delivery: await next() };
  }

  it('a client that holds no API key yet answers 503 without fetching the kid, refreshes the current key in the background, and verifies the redelivery', async () => {
    const { id, delivery } = await answeredDelivery();
    const fresh = freshClient(emu.url);
    const err = await rejection(fresh.service.handleAdvancedWebhook(delivery), UnknownApiKeyError);
    expect(err).to.include({ code: 'ERR_LK_API_KEY_UNKNOWN', kid: emu.apiKeyId, retryable: true });
    expect(webhookFailureStatus(err)).to.equal(503);
    await fresh.transport.refresher.settled();
    expect(fresh.sent.sort()).to.deep.equal(['GET /public/v3/ping', 'GET /public/v3/public-key']);
    const event = await fresh.service.handleAdvancedWebhook(delivery);
    expect(event.kind === 'authorization-response' && event.response.authorizationRequestId).to.equal(id);
    expect(fresh.sent).to.have.length(2);
  });

  it('a flood of webhooks naming unknown key ids sends no request per id, one refresh in all, and leaves the real API key usable', async () => {
    const { delivery } = await answeredDelivery();
    const fresh = freshClient(emu.url);
    await fresh.transport.apiKeys.current(); // the real key, as an earlier call would have fetched it
    await fresh.transport.clock.offset();
    fresh.sent.length = 0;
    const attacker = loadPrivateKey(KEYS.dir);
    for (let i = 0; i < 150; i++) {
      const forged = await withUnknownKid(delivery, attacker);
      const err = await rejection(fresh.service.handleAdvancedWebhook(forged), UnknownApiKeyError);
      expect(webhookFailureStatus(err)).to.equal(503);
    }
    await fresh.transport.refresher.settled();
    expect(fresh.sent.sort()).to.deep.equal(['GET /public/v3/ping', 'GET /public/v3/public-key']);
    // More unknown ids than the cache holds keys (100) did not push the API key out.
    expect(fresh.transport.apiKeys.cached(emu.apiKeyId)?.kid).to.equal(emu.apiKeyId);
    await fresh.service.handleAdvancedWebhook(delivery);
    expect(fresh.sent).to.have.length(2);
  });
});

describe('ServiceClient webhooks with the API clock 200 s ahead (within the 300 s accepted offset)', () => {
  let emu: Emulator;
  let receiver: Receiver;
  let service: ServiceClient;

  before(async () => {
    receiver = await startReceiver();
    emu = await startEmulator({
      config: baseConfig({ callbackUrl: `${receiver.url}/launchkey/webhook` }),
      apiPrivateKey: KEYS.api,
    });
    emu.advanceClock(200);
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

  /** A session-end webhook: alice approves, the session starts, she ends it from the phone. */
  async function sessionEnd(): Promise<Delivery> {
    const id = await service.authorize('alice');
    await emu.respond(id, 'approve');
    await next();
    await service.sessionStart('alice', id);
    emu.endSession(IDS.dirSvc, 'alice');
    return next();
  }

  it('accepts a session-end webhook on the first delivery when earlier API calls measured the offset', async () => {
    const delivery = await sessionEnd();
    // The token is stamped 200 s ahead of the local clock: the local clock alone refuses it.
    const claims = JSON.parse(
      Buffer.from(String(delivery.headers['x-iov-jwt']).split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as TokenClaims;
    expect(claims.nbf - Date.now() / 1000).to.be.greaterThan(150);
    const event = await service.handleAdvancedWebhook(delivery);
    expect(event.kind).to.equal('session-end');
  });

  it('answers 503 when no offset is measured yet, measures it in the background, and accepts the retry', async () => {
    const delivery = await sessionEnd();
    const fresh = freshClient(emu.url);
    await fresh.transport.apiKeys.current(); // the key is known; the clock is not
    fresh.sent.length = 0;
    const err = await rejection(fresh.service.handleAdvancedWebhook(delivery), ClockNotSynchronizedError);
    expect(err.cause).to.be.instanceOf(JwtVerificationError).and.include({ failure: 'not-yet-valid' });
    expect(webhookFailureStatus(err)).to.equal(503);
    await fresh.transport.refresher.settled();
    expect(fresh.transport.clock.measured()?.seconds).to.be.within(199, 201);
    const event = await fresh.service.handleAdvancedWebhook(delivery);
    expect(event.kind).to.equal('session-end');
    expect(fresh.sent.sort()).to.deep.equal(['GET /public/v3/ping', 'GET /public/v3/public-key']);
  });
});
