import { expect } from 'chai';

import { encryptJwe } from '../../lib/crypto/jwe.js';
import { parseAuthResponseCore, toLegacyAuthorizationResponse } from '../../lib/entities/auth_response.js';
import {
  AuthRequestMismatchError,
  JweDecryptionError,
  LegacyPackageRefusedError,
  PayloadValidationError,
  type JweFailure,
} from '../../lib/errors.js';
import { decodeAuthorizationResponse } from '../../lib/webhooks/device_package.js';
import { JWE_CODES, rejection } from '../support/assertions.js';
import {
  APPROVED,
  CORE,
  JWE_FIXTURES,
  LEGACY_RESPONSE,
  clientKey,
  jweCore,
  legacyCore,
  otherKey,
  ring,
} from '../support/auth_packages.js';
import { endToEnd, vectorJson, vectorText } from '../support/vectors.js';

async function payloadRejection(promise: Promise<unknown>, field: string): Promise<void> {
  const err = await rejection(promise, PayloadValidationError);
  expect(err.code).to.equal('ERR_LK_PAYLOAD_INVALID');
  expect(err.field).to.equal(field);
}

async function jweRejection(promise: Promise<unknown>, failure: JweFailure): Promise<JweDecryptionError> {
  const err = await rejection(promise, JweDecryptionError);
  expect(err.code).to.equal(JWE_CODES[failure]);
  expect(err.failure).to.equal(failure);
  return err;
}

describe('webhooks/device_package', () => {
  describe('JWE device packages', () => {
    for (const [file, expected] of Object.entries(JWE_FIXTURES)) {
      it(`decrypts ${file} after a JWE round trip to exactly what the parser reads`, async () => {
        expect(await decodeAuthorizationResponse(await jweCore(vectorText(`json/${file}`)), ring)).to.deep.equal(
          expected,
        );
      });
    }

    it('accepts RSA-OAEP-256 as well as RSA-OAEP', async () => {
      const core = { ...CORE, authJwe: await encryptJwe(APPROVED, clientKey.publicKey, { algorithm: 'RSA-OAEP-256' }) };
      expect((await decodeAuthorizationResponse(core, ring)).authorized).to.equal(true);
    });

    it('rejects a decrypted package that is not JSON, or not an object, naming auth_jwe', async () => {
      await payloadRejection(decodeAuthorizationResponse(await jweCore('not json'), ring), 'auth_jwe');
      await payloadRejection(decodeAuthorizationResponse(await jweCore('[1]'), ring), 'auth_jwe');
    });

    it('rejects a package with a __proto__ key and leaves Object.prototype untouched', async () => {
      const text = '{"__proto__":{"isAdmin":true},"type":"AUTHORIZED"}';
      await payloadRejection(decodeAuthorizationResponse(await jweCore(text), ring), 'auth_jwe');
      expect(({} as Record<string, unknown>)['isAdmin']).to.equal(undefined);
    });

    it('fails with JweDecryptionError key (and the kid) for a package encrypted to a key we do not hold', async () => {
      const err = await jweRejection(decodeAuthorizationResponse(await jweCore(APPROVED, otherKey), ring), 'key');
      expect(err.kid).to.equal(otherKey.kid);
    });

    it('cannot decrypt the .NET fixture core: its auth_jwe placeholder is malformed, its auth key is not ours', async () => {
      const core = parseAuthResponseCore(vectorJson('dotnet-auths-get-core.json'));
      await jweRejection(decodeAuthorizationResponse(core, ring), 'malformed');
      const { authJwe: placeholder, ...legacyOnly } = core;
      expect(placeholder).to.be.a('string');
      const err = await jweRejection(decodeAuthorizationResponse(legacyOnly, ring), 'key');
      expect(err.kid).to.equal('f7:93:a2:9e:45:ac:61:40:ef:33:22:58:52:d1:51:db');
    });
  });

  describe('legacy device packages', () => {
    const FIXTURE = 'json/auth-legacy-device-package-dotnet.json';

    it('decrypts the .NET legacy package fixture after an RSA-OAEP-SHA1 round trip to what the parser reads', async () => {
      expect(await decodeAuthorizationResponse(legacyCore(vectorText(FIXTURE)), ring)).to.deep.equal(LEGACY_RESPONSE);
    });

    it('never reads a decrypted response "true", 1 or null as an approval: PayloadValidationError on auth.response', async () => {
      const fixture = vectorJson(FIXTURE) as object;
      for (const response of ['true', 1, null]) {
        await payloadRejection(
          decodeAuthorizationResponse(legacyCore({ ...fixture, response }), ring),
          'auth.response',
        );
      }
    });

    it('fails with JweDecryptionError key when no held key has the public_key_id', async () => {
      const err = await jweRejection(
        decodeAuthorizationResponse(legacyCore(vectorText(FIXTURE), otherKey), ring),
        'key',
      );
      expect(err.kid).to.equal(otherKey.kid);
    });

    it('fails with JweDecryptionError decrypt when the package was encrypted to another key than public_key_id names', async () => {
      const core = { ...legacyCore('{}', otherKey), publicKeyId: clientKey.kid };
      await jweRejection(decodeAuthorizationResponse(core, ring), 'decrypt');
    });

    it('refuses the legacy package when allowLegacyPackage is false, without decrypting it', async () => {
      let lookups = 0;
      const counting = { get: (kid: string) => (lookups++, ring.get(kid)) };
      const core = legacyCore(vectorText(FIXTURE));
      const err = await rejection(
        decodeAuthorizationResponse(core, counting, { allowLegacyPackage: false }),
        LegacyPackageRefusedError,
      );
      expect(err).to.be.instanceOf(PayloadValidationError);
      expect(err).to.include({ code: 'ERR_LK_LEGACY_PACKAGE_REFUSED', field: 'auth_jwe' });
      expect(lookups).to.equal(0);
      // The default is the official SDKs': accepted.
      expect((await decodeAuthorizationResponse(core, ring)).packageFormat).to.equal('legacy');
    });
  });

  describe('the synthetic poll core', () => {
    it('decrypts to the same authorization through auth_jwe and, without it, through the legacy auth', async () => {
      const vector = endToEnd().poll_response_core;
      const core = parseAuthResponseCore(vector.decrypted_body);
      const viaJwe = await decodeAuthorizationResponse(core, ring);
      const { authJwe, ...legacyOnly } = core;
      expect(authJwe).to.equal(vector.decrypted_body.auth_jwe);
      const viaLegacy = await decodeAuthorizationResponse(legacyOnly, ring);

      expect(viaJwe.packageFormat).to.equal('jwe');
      expect(viaLegacy.packageFormat).to.equal('legacy');
      expect(toLegacyAuthorizationResponse(viaJwe)).to.deep.equal(toLegacyAuthorizationResponse(viaLegacy));
      expect(toLegacyAuthorizationResponse(viaJwe)).to.deep.equal({
        authorized: true,
        authorizationRequestId: 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5',
        deviceId: 'a4e1c2d0-0000-4000-8000-000000000003',
        servicePins: ['1234', '3456', '5678', '7890', '9012'],
        serviceUserHash: 'B1R3RD7WFKjlr0g4RACl25c2phPqcunajeQeZdTkLkM',
        organizationUserHash: 'x3gBfvijAPJfKKL6arFDandXLvTx7ItFVgCGzEzWyBt',
        userPushId: '54631005-5987-5b88-b59e-62bac03cc155',
      });
      expect(viaJwe).to.include({ type: 'AUTHORIZED', reason: 'APPROVED', denialReason: null, fraud: false });
      expect(viaJwe.policy).to.deep.equal({ requirement: 'AMOUNT', amount: 1, types: [], geofences: [] });
      expect(viaJwe.authMethods).to.deep.equal([
        {
          method: 'PIN_CODE',
          set: true,
          active: true,
          allowed: true,
          supported: true,
          userRequired: true,
          passed: true,
          error: false,
        },
      ]);
    });
  });

  describe('expectedAuthorizationRequestId', () => {
    const ID = 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5';

    it('accepts the package of the expected request, comparing UUIDs case-insensitively', async () => {
      const r = await decodeAuthorizationResponse(await jweCore(APPROVED), ring, {
        expectedAuthorizationRequestId: ID.toUpperCase(),
      });
      expect(r.authorizationRequestId).to.equal(ID);
    });

    it('rejects an approved package for another request with AuthRequestMismatchError, for both formats', async () => {
      const other = '0f8b0000-0000-4000-8000-000000000000';
      const cores = [
        await jweCore(APPROVED),
        legacyCore({ response: true, auth_request: ID, device_id: 'd', service_pins: [] }),
      ];
      for (const core of cores) {
        const e = await rejection(
          decodeAuthorizationResponse(core, ring, { expectedAuthorizationRequestId: other }),
          AuthRequestMismatchError,
        );
        expect(e.code).to.equal('ERR_LK_AUTH_REQUEST_MISMATCH');
        expect(e.expected).to.equal(other);
        expect(e.received).to.equal(ID);
      }
    });
  });
});
