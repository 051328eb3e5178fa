import { expect } from 'chai';

import {
  parseAuthResponseCore,
  parseJwePackage,
  parseLegacyPackage,
  toLegacyAuthorizationResponse,
} from '../../lib/entities/auth_response.js';
import { payloadField } from '../support/assertions.js';
import { APPROVED, CORE, JWE_FIXTURES, LEGACY_RESPONSE } from '../support/auth_packages.js';
import { vectorJson } from '../support/vectors.js';

/** `value` without `key`. */
function omit<T extends object>(value: T, key: keyof T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)) as Partial<T>;
}

describe('entities/auth_response', () => {
  describe('parseAuthResponseCore', () => {
    it('maps the .NET poll core fixture field by field', () => {
      const core = parseAuthResponseCore(vectorJson('dotnet-auths-get-core.json'));
      expect(core).to.deep.equal({
        auth: (vectorJson('dotnet-auths-get-core.json') as { auth: string }).auth,
        authJwe: 'eyJhbGciUlNBLU9BRVAiLCA.Ppd6dIfIelfqOrj3rkw.71BJymhM-QLBQAWA.t-4rGsoXt0.1DGC4k',
        serviceUserHash: 'B1R3RD7WFKjlr0g4RACl25c2phPqcunajeQeZdTkLkM',
        organizationUserHash: 'x3gBfvijAPJfKKL6arFDandXLvTx7ItFVgCGzEzWyBt',
        userPushId: '54631005-5987-5b88-b59e-62bac03cc155',
        publicKeyId: 'f7:93:a2:9e:45:ac:61:40:ef:33:22:58:52:d1:51:db',
      });
      expect(core.auth).to.include('\r\n');
    });

    it('maps the Java webhook core fixture, which has no type, without inventing one', () => {
      const core = parseAuthResponseCore(vectorJson('json/webhook-auth-response-core-decrypted-java.json'));
      expect(core).to.deep.equal({
        auth: 'Auth',
        authJwe: 'Auth JWE',
        serviceUserHash: 'SUH',
        organizationUserHash: 'OUH',
        userPushId: 'UPID',
        publicKeyId: 'PKID',
      });
    });

    it('keeps the webhook type field and treats a null auth_jwe as absent', () => {
      const core = parseAuthResponseCore({
        ...(vectorJson('json/webhook-auth-response-core-decrypted-java.json') as object),
        auth_jwe: null,
        type: 'AUTHORIZATION_RESPONSE',
      });
      expect(core.type).to.equal('AUTHORIZATION_RESPONSE');
      expect(core).to.not.have.property('authJwe');
    });

    for (const field of ['auth', 'service_user_hash', 'org_user_hash', 'user_push_id', 'public_key_id']) {
      it(`rejects a core without ${field}, or with ${field} of the wrong type, naming the field`, () => {
        const fixture = vectorJson('json/webhook-auth-response-core-decrypted-java.json') as Record<string, unknown>;
        const without = omit(fixture, field);
        expect(payloadField(() => parseAuthResponseCore(without))).to.equal(field);
        expect(payloadField(() => parseAuthResponseCore({ ...fixture, [field]: 42 }))).to.equal(field);
        expect(payloadField(() => parseAuthResponseCore({ ...fixture, [field]: null }))).to.equal(field);
      });
    }

    it('rejects an auth_jwe that is a number or an empty string, naming auth_jwe', () => {
      const fixture = vectorJson('json/webhook-auth-response-core-decrypted-java.json') as object;
      expect(payloadField(() => parseAuthResponseCore({ ...fixture, auth_jwe: 42 }))).to.equal('auth_jwe');
      expect(payloadField(() => parseAuthResponseCore({ ...fixture, auth_jwe: '' }))).to.equal('auth_jwe');
    });

    it('rejects a core that is not a JSON object', () => {
      for (const value of [null, 'core', [], 42])
        expect(payloadField(() => parseAuthResponseCore(value))).to.equal('core');
    });
  });

  describe('JWE device packages', () => {
    for (const [file, expected] of Object.entries(JWE_FIXTURES)) {
      it(`parses ${file} exactly`, () => {
        expect(parseJwePackage(vectorJson(`json/${file}`), CORE)).to.deep.equal(expected);
      });
    }

    it('is authorized only for type AUTHORIZED with reason APPROVED (the Python rule)', () => {
      const cases: Array<[string, string, boolean]> = [
        ['AUTHORIZED', 'APPROVED', true],
        ['AUTHORIZED', 'POLICY', false],
        ['AUTHORIZED', 'SOMETHING_NEW', false],
        ['authorized', 'APPROVED', false],
        [' AUTHORIZED', 'APPROVED', false],
        ['DENIED', 'APPROVED', false],
      ];
      for (const [type, reason, authorized] of cases) {
        const r = parseJwePackage({ ...APPROVED, type, reason }, CORE);
        expect(r.authorized, `${type}/${reason}`).to.equal(authorized);
      }
    });

    it('maps unknown type, reason, method and requirement values to OTHER instead of throwing', () => {
      const r = parseJwePackage(
        {
          ...APPROVED,
          type: 'PENDING',
          reason: 'TELEPATHY',
          auth_policy: { requirement: 'retina', geofences: [] },
          auth_methods: [{ method: 'retina', set: null, active: true, allowed: true, supported: false }],
        },
        CORE,
      );
      expect(r.type).to.equal('OTHER');
      expect(r.reason).to.equal('OTHER');
      expect(r.policy?.requirement).to.equal('OTHER');
      expect(r.authMethods?.[0]?.method).to.equal('OTHER');
      expect(r.authMethods?.[0]?.userRequired).to.equal(null);
    });

    it('reads every known reason, flags fraud only for FRAUDULENT, and reads policy names case-insensitively', () => {
      for (const reason of ['APPROVED', 'DISAPPROVED', 'FRAUDULENT', 'POLICY', 'PERMISSION', 'AUTHENTICATION']) {
        const r = parseJwePackage({ ...APPROVED, type: 'DENIED', reason }, CORE);
        expect(r.reason).to.equal(reason);
        expect(r.fraud).to.equal(reason === 'FRAUDULENT');
      }
      for (const reason of ['CONFIGURATION', 'BUSY_LOCAL', 'SENSOR']) {
        expect(parseJwePackage({ ...APPROVED, type: 'FAILED', reason }, CORE).type).to.equal('FAILED');
      }
      const r = parseJwePackage(
        { ...APPROVED, auth_policy: { requirement: 'COND_GEO', types: ['Knowledge', 'x-ray', 'knowledge'] } },
        CORE,
      );
      expect(r.policy).to.deep.equal({ requirement: 'COND_GEO', amount: null, types: ['KNOWLEDGE'], geofences: [] });
    });

    it('reads a TERRITORY fence and a .NET-style amount of 2.0', () => {
      const territory = {
        type: 'TERRITORY',
        name: 'Vegas',
        country: 'US',
        administrative_area: 'US-NV',
        postal_code: '89120',
      };
      const r = parseJwePackage(
        { ...APPROVED, auth_policy: { requirement: 'amount', amount: 2.0, geofences: [territory] } },
        CORE,
      );
      expect(r.policy).to.deep.equal({ requirement: 'AMOUNT', amount: 2, types: [], geofences: [territory] });
    });

    const WRONG_TYPES: Array<[string, Record<string, unknown>, string]> = [
      ['service_pins as a string', { service_pins: '1234' }, 'auth_jwe.service_pins'],
      ['service_pins null', { service_pins: null }, 'auth_jwe.service_pins'],
      ['a service pin as a number', { service_pins: [1234] }, 'auth_jwe.service_pins[0]'],
      ['auth_request as a number', { auth_request: 123 }, 'auth_jwe.auth_request'],
      ['type as an array', { type: ['AUTHORIZED'] }, 'auth_jwe.type'],
      ['reason missing', { reason: undefined }, 'auth_jwe.reason'],
      ['device_id as an object', { device_id: {} }, 'auth_jwe.device_id'],
      ['denial_reason as a number', { denial_reason: 2 }, 'auth_jwe.denial_reason'],
      ['auth_policy as a string', { auth_policy: 'amount' }, 'auth_jwe.auth_policy'],
      ['amount as a string', { auth_policy: { requirement: 'amount', amount: '2' } }, 'auth_jwe.auth_policy.amount'],
      ['amount missing for "amount"', { auth_policy: { requirement: 'amount' } }, 'auth_jwe.auth_policy.amount'],
      ['types missing for "types"', { auth_policy: { requirement: 'types' } }, 'auth_jwe.auth_policy.types'],
      ['requirement as a number', { auth_policy: { requirement: 1 } }, 'auth_jwe.auth_policy.requirement'],
      [
        'a fence without latitude',
        { auth_policy: { geofences: [{ longitude: 1, radius: 2 }] } },
        'auth_jwe.auth_policy.geofences[0].latitude',
      ],
      ['auth_methods as an object', { auth_methods: {} }, 'auth_jwe.auth_methods'],
      [
        'auth_methods[0].active null',
        { auth_methods: [{ method: 'pin_code', active: null, allowed: true, supported: true }] },
        'auth_jwe.auth_methods[0].active',
      ],
      [
        'auth_methods[0] without method',
        { auth_methods: [{ active: true, allowed: true, supported: true }] },
        'auth_jwe.auth_methods[0].method',
      ],
    ];
    for (const [what, change, field] of WRONG_TYPES) {
      it(`rejects ${what} with PayloadValidationError on ${field}`, () => {
        expect(payloadField(() => parseJwePackage({ ...APPROVED, ...change }, CORE))).to.equal(field);
      });
    }
  });

  describe('legacy device packages', () => {
    it('parses the .NET legacy package fixture exactly', () => {
      const fixture = vectorJson('json/auth-legacy-device-package-dotnet.json');
      expect(parseLegacyPackage(fixture, CORE)).to.deep.equal(LEGACY_RESPONSE);
    });

    it('never reads response "true", 1 or null as an approval: PayloadValidationError on auth.response', () => {
      const fixture = vectorJson('json/auth-legacy-device-package-dotnet.json') as object;
      for (const response of ['true', 1, null]) {
        expect(payloadField(() => parseLegacyPackage({ ...fixture, response }, CORE))).to.equal('auth.response');
      }
    });

    it('names auth.service_pins, auth.device_id and auth.auth_request when they have the wrong type', () => {
      const fixture = vectorJson('json/auth-legacy-device-package-dotnet.json') as object;
      expect(payloadField(() => parseLegacyPackage({ ...fixture, service_pins: null }, CORE))).to.equal(
        'auth.service_pins',
      );
      expect(payloadField(() => parseLegacyPackage({ ...fixture, device_id: 7 }, CORE))).to.equal('auth.device_id');
      expect(payloadField(() => parseLegacyPackage({ ...fixture, auth_request: 7 }, CORE))).to.equal(
        'auth.auth_request',
      );
    });
  });

  describe('toLegacyAuthorizationResponse', () => {
    it('keeps exactly the fields of the Python legacy AuthorizationResponse and copies the pins', () => {
      const advanced = parseJwePackage(APPROVED, CORE);
      const legacy = toLegacyAuthorizationResponse(advanced);
      expect(Object.keys(legacy).sort()).to.deep.equal([
        'authorizationRequestId',
        'authorized',
        'deviceId',
        'organizationUserHash',
        'servicePins',
        'serviceUserHash',
        'userPushId',
      ]);
      legacy.servicePins.push('9999');
      expect(advanced.servicePins).to.deep.equal(['1234']);
    });
  });
});
