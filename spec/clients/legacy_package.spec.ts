/**
 * `allowLegacyPackage` on both paths the strategy uses to learn an answer: the poll
 * (`getAdvancedAuthorizationResponse`) and the webhook (`handleAdvancedWebhook`). The emulator always
 * sends both packages (as the API does), so the legacy-only answers are made here: for the webhook,
 * from a real emulator delivery re-signed with the emulator's API key; for the poll, by the nock
 * fake API, which answers what the emulator will not.
 */
import { expect } from 'chai';
import nock from 'nock';

import { ServiceFactory } from '../../lib/clients/factories.js';
import { ServiceClient } from '../../lib/clients/service.js';
import { KeyRing, loadPrivateKey } from '../../lib/crypto/keys.js';
import { encryptLegacyPackage } from '../../lib/crypto/legacy_package.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { LegacyPackageRefusedError, PayloadValidationError } from '../../lib/errors.js';
import { JoseTransport } from '../../lib/transport/jose_transport.js';
import { MemoryReplayCache } from '../../lib/webhooks/replay_cache.js';
import { webhookFailureStatus } from '../../lib/webhooks/verify.js';
import { rejection } from '../support/assertions.js';
import { IDS, KEYS, baseConfig } from '../support/emulator_client.js';
import { BASE_URL, FakeApi } from '../support/fake_api.js';
import { legacyOnly } from '../support/legacy_webhook.js';
import { startReceiver, type Delivery, type Receiver } from '../support/webhook_receiver.js';

const serviceKey = loadPrivateKey(KEYS.svc);
const apiKey = loadPrivateKey(KEYS.api);

describe('ServiceClient: the legacy auth package, accepted by default, refused on request', () => {
  describe('handleAdvancedWebhook(request, { allowLegacyPackage })', () => {
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

    /** The emulator's authorization-response delivery, without `auth_jwe`, signed again by the API key. */
    async function legacyOnlyDelivery(): Promise<{ id: string; delivery: Delivery }> {
      const id = await service.authorize('alice');
      await emu.respond(id, 'approve');
      await emu.webhooksSettled();
      const real = receiver.deliveries.shift();
      if (real === undefined) throw new Error('no webhook was delivered');
      return { id, delivery: await legacyOnly(real, serviceKey, apiKey) };
    }

    it('refuses a legacy-only response with LegacyPackageRefusedError (400) when asked, and accepts it by default', async () => {
      const { id, delivery } = await legacyOnlyDelivery();
      const err = await rejection(
        service.handleAdvancedWebhook(delivery, { allowLegacyPackage: false }),
        LegacyPackageRefusedError,
      );
      expect(err).to.be.instanceOf(PayloadValidationError);
      expect(err).to.include({ code: 'ERR_LK_LEGACY_PACKAGE_REFUSED', field: 'auth_jwe' });
      expect(webhookFailureStatus(err)).to.equal(400);
      // Refused deliveries are not remembered as seen, so the same one decodes under the default.
      const event = await service.handleAdvancedWebhook(delivery);
      expect(event.kind === 'authorization-response' && event.response).to.include({
        packageFormat: 'legacy',
        authorizationRequestId: id,
        authorized: true,
      });
    });

    it('handleWebhook takes the option too, and a response with auth_jwe passes with allowLegacyPackage false', async () => {
      const { delivery } = await legacyOnlyDelivery();
      await rejection(service.handleWebhook(delivery, { allowLegacyPackage: false }), LegacyPackageRefusedError);
      const id = await service.authorize('alice');
      await emu.respond(id, 'approve');
      await emu.webhooksSettled();
      const real = receiver.deliveries.shift();
      if (real === undefined) throw new Error('no webhook was delivered');
      const event = await service.handleAdvancedWebhook(real, { allowLegacyPackage: false });
      expect(event.kind === 'authorization-response' && event.response.packageFormat).to.equal('jwe');
    });
  });

  describe('getAdvancedAuthorizationResponse(id, { allowLegacyPackage })', () => {
    const AUTH_REQUEST = 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5';
    const legacyCore = {
      auth: encryptLegacyPackage(
        JSON.stringify({ response: true, auth_request: AUTH_REQUEST, device_id: 'd', service_pins: ['1234'] }),
        serviceKey.publicKey,
      ),
      service_user_hash: 'SUH',
      org_user_hash: 'OUH',
      user_push_id: 'UPID',
      public_key_id: serviceKey.kid,
    };
    let client: ServiceClient;

    before(() => {
      nock.disableNetConnect();
    });
    after(() => {
      nock.enableNetConnect();
    });
    beforeEach(() => {
      const transport = new JoseTransport(`svc:${IDS.dirSvc}`, new KeyRing([serviceKey]), { baseUrl: BASE_URL });
      client = new ServiceClient(transport, IDS.dirSvc, { replayCache: new MemoryReplayCache() });
    });
    afterEach(() => {
      nock.cleanAll();
    });

    function api(): FakeApi {
      return new FakeApi({ apiKey, clientKey: serviceKey.publicKey })
        .ping()
        .publicKey()
        .reply('GET', `/service/v3/auths/${AUTH_REQUEST}`, { payload: legacyCore });
    }

    it('refuses a poll answer with only the legacy package when allowLegacyPackage is false', async () => {
      api();
      const err = await rejection(
        client.getAdvancedAuthorizationResponse(AUTH_REQUEST, { allowLegacyPackage: false }),
        LegacyPackageRefusedError,
      );
      expect(err).to.include({ code: 'ERR_LK_LEGACY_PACKAGE_REFUSED', field: 'auth_jwe' });
    });

    it('decodes it by default, as the official SDKs do, and getAuthorizationResponse passes the option on', async () => {
      api().reply('GET', `/service/v3/auths/${AUTH_REQUEST}`, { payload: legacyCore });
      const response = await client.getAdvancedAuthorizationResponse(AUTH_REQUEST);
      expect(response).to.include({ packageFormat: 'legacy', authorized: true, authorizationRequestId: AUTH_REQUEST });
      await rejection(
        client.getAuthorizationResponse(AUTH_REQUEST, { allowLegacyPackage: false }),
        LegacyPackageRefusedError,
      );
    });
  });
});
