import { expect } from 'chai';

import { encryptJwe } from '../../lib/crypto/jwe.js';
import { KeyRing, loadPrivateKey } from '../../lib/crypto/keys.js';
import { encryptLegacyPackage } from '../../lib/crypto/legacy_package.js';
import {
  decodeAuthorizationResponse,
  parseAuthResponseCore,
  parseJwePackage,
  parseLegacyPackage,
  toLegacyAuthorizationResponse,
  type AuthMethod,
  type AuthorizationResponse,
  type AuthResponseCore,
} from '../../lib/entities/auth_response.js';
import {
  AuthRequestMismatchError,
  JweDecryptionError,
  LegacyPackageRefusedError,
  PayloadValidationError,
  type JweFailure,
} from '../../lib/errors.js';
import { endToEnd, vectorJson, vectorText } from '../support/vectors.js';

// The synthetic vectors' "client" key; a second key the client does not hold.
const clientKey = loadPrivateKey(vectorText('dotnet-test-private.key'));
const otherKey = loadPrivateKey(vectorText('python-valid-private-key.pem'));
const ring = new KeyRing([clientKey]);

const JWE_CODES: Record<JweFailure, string> = {
  malformed: 'ERR_LK_JWE_MALFORMED',
  algorithm: 'ERR_LK_JWE_ALGORITHM',
  key: 'ERR_LK_JWE_KEY_NOT_FOUND',
  decrypt: 'ERR_LK_JWE_DECRYPT',
  payload: 'ERR_LK_JWE_PAYLOAD',
};

async function caught(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (err) {
    return err;
  }
  expect.fail('expected an error');
}

async function payloadError(action: () => unknown, field: string): Promise<PayloadValidationError> {
  const err = await caught(action);
  expect(err).to.be.instanceOf(PayloadValidationError);
  const e = err as PayloadValidationError;
  expect(e.code).to.equal('ERR_LK_PAYLOAD_INVALID');
  expect(e.field).to.equal(field);
  return e;
}

async function jweError(action: () => unknown, failure: JweFailure): Promise<JweDecryptionError> {
  const err = await caught(action);
  expect(err).to.be.instanceOf(JweDecryptionError);
  const e = err as JweDecryptionError;
  expect(e.code).to.equal(JWE_CODES[failure]);
  expect(e.failure).to.equal(failure);
  return e;
}

/** `value` without `key`. */
function omit<T extends object>(value: T, key: keyof T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)) as Partial<T>;
}

const CORE: AuthResponseCore = {
  auth: 'unused',
  serviceUserHash: 'SUH',
  organizationUserHash: 'OUH',
  userPushId: 'UPID',
  publicKeyId: clientKey.kid,
};

const PINS = ['2648', '2046', '0583', '2963', '2046'];

/** A core whose `auth_jwe` carries `plaintext` (verbatim text or a value), encrypted to the client key. */
async function jweCore(plaintext: unknown, key = clientKey): Promise<AuthResponseCore> {
  return { ...CORE, authJwe: await encryptJwe(plaintext, key.publicKey) };
}

/** A core whose legacy `auth` carries `plaintext`, with no `auth_jwe`. */
function legacyCore(plaintext: unknown, key = clientKey): AuthResponseCore {
  const text = typeof plaintext === 'string' ? plaintext : JSON.stringify(plaintext);
  return { ...CORE, auth: encryptLegacyPackage(text, key.publicKey), publicKeyId: key.kid };
}

function method(name: AuthMethod['method'], values: Partial<AuthMethod> = {}): AuthMethod {
  // The "unused" shape of the Java fixtures: not set, not active, allowed and supported.
  return {
    method: name,
    set: false,
    active: false,
    allowed: true,
    supported: true,
    userRequired: null,
    passed: null,
    error: null,
    ...values,
  };
}

const USED = { set: true, active: true, userRequired: true, passed: true, error: false } as const;

const JAVA_METHODS: AuthMethod[] = [
  method('WEARABLES'),
  method('GEOFENCING', { set: null, active: true }),
  method('LOCATIONS', USED),
  method('PIN_CODE', USED),
  method('CIRCLE_CODE'),
  method('FACE'),
  method('FINGERPRINT'),
];

const DENIED_FRAUD = {
  packageFormat: 'jwe',
  authorized: false,
  type: 'DENIED',
  reason: 'FRAUDULENT',
  denialReason: 'DEN2',
  fraud: true,
  servicePins: PINS,
  serviceUserHash: 'SUH',
  organizationUserHash: 'OUH',
  userPushId: 'UPID',
} as const;

const geo = (name: string | null, latitude: number, longitude: number, radius: number) => ({
  type: 'GEO_CIRCLE' as const,
  name,
  latitude,
  longitude,
  radius,
});

/** Every auth-jwe-payload-*.json fixture with the exact response it decodes to. */
const JWE_FIXTURES: Record<string, AuthorizationResponse> = {
  'auth-jwe-payload-amount-dotnet.json': {
    ...DENIED_FRAUD,
    servicePins: PINS,
    authorizationRequestId: '8c3c0268-f692-11e7-bd2e-7692096aba47',
    deviceId: '5d1acf5c-dc5d-11e7-9ea1-0469f8dc10a5',
    policy: { requirement: 'AMOUNT', amount: 2, types: [], geofences: [geo(null, 36.120825, -115.157216, 200)] },
    authMethods: null,
  },
  'auth-jwe-payload-amount-java.json': {
    ...DENIED_FRAUD,
    servicePins: PINS,
    authorizationRequestId: '5d1acf5c-dc5d-11e7-9ea1-0469f8dc10a5',
    deviceId: 'c07c4907-dc67-11e7-bb14-0469f8dc10a5',
    policy: {
      requirement: 'AMOUNT',
      amount: 2,
      types: [],
      geofences: [geo(null, 36.120825, -115.157216, 200), geo('HQ North', 36.12102, -115.15646, 550)],
    },
    authMethods: JAVA_METHODS,
  },
  'auth-jwe-payload-null-requirement-dotnet.json': {
    ...DENIED_FRAUD,
    servicePins: PINS,
    authorizationRequestId: '8c3c0268-f692-11e7-bd2e-7692096aba47',
    deviceId: '5d1acf5c-dc5d-11e7-9ea1-0469f8dc10a5',
    policy: { requirement: null, amount: null, types: [], geofences: [] },
    authMethods: [
      {
        method: 'PIN_CODE',
        set: true,
        active: true,
        allowed: true,
        supported: true,
        userRequired: false,
        passed: true,
        error: false,
      },
    ],
  },
  'auth-jwe-payload-types-dotnet.json': {
    ...DENIED_FRAUD,
    servicePins: PINS,
    authorizationRequestId: '8c3c0268-f692-11e7-bd2e-7692096aba47',
    deviceId: '5d1acf5c-dc5d-11e7-9ea1-0469f8dc10a5',
    policy: {
      requirement: 'TYPES',
      amount: null,
      types: ['KNOWLEDGE'],
      geofences: [geo('HQ North', 36.12102, -115.15646, 550), geo('HQ West', 34.12102, -113.15646, 150)],
    },
    authMethods: null,
  },
  'auth-jwe-payload-types-java.json': {
    ...DENIED_FRAUD,
    servicePins: PINS,
    authorizationRequestId: '5d1acf5c-dc5d-11e7-9ea1-0469f8dc10a5',
    deviceId: 'c07c4907-dc67-11e7-bb14-0469f8dc10a5',
    policy: {
      requirement: 'TYPES',
      amount: null,
      types: ['KNOWLEDGE', 'INHERENCE', 'POSSESSION'],
      geofences: [geo(null, 36.120825, -115.157216, 200), geo('HQ North', 36.12102, -115.15646, 550)],
    },
    authMethods: JAVA_METHODS,
  },
};

const APPROVED = {
  type: 'AUTHORIZED',
  reason: 'APPROVED',
  denial_reason: null,
  auth_request: 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5',
  device_id: 'a4e1c2d0-0000-4000-8000-000000000003',
  service_pins: ['1234'],
};

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
      it(`rejects a core without ${field}, or with ${field} of the wrong type, naming the field`, async () => {
        const fixture = vectorJson('json/webhook-auth-response-core-decrypted-java.json') as Record<string, unknown>;
        const without = omit(fixture, field);
        await payloadError(() => parseAuthResponseCore(without), field);
        await payloadError(() => parseAuthResponseCore({ ...fixture, [field]: 42 }), field);
        await payloadError(() => parseAuthResponseCore({ ...fixture, [field]: null }), field);
      });
    }

    it('rejects an auth_jwe that is a number or an empty string, naming auth_jwe', async () => {
      const fixture = vectorJson('json/webhook-auth-response-core-decrypted-java.json') as object;
      await payloadError(() => parseAuthResponseCore({ ...fixture, auth_jwe: 42 }), 'auth_jwe');
      await payloadError(() => parseAuthResponseCore({ ...fixture, auth_jwe: '' }), 'auth_jwe');
    });

    it('rejects a core that is not a JSON object', async () => {
      for (const value of [null, 'core', [], 42]) await payloadError(() => parseAuthResponseCore(value), 'core');
    });
  });

  describe('JWE device packages', () => {
    for (const [file, expected] of Object.entries(JWE_FIXTURES)) {
      it(`decodes ${file} exactly, from the parsed fixture and after a JWE round trip`, async () => {
        expect(parseJwePackage(vectorJson(`json/${file}`), CORE)).to.deep.equal(expected);
        const decoded = await decodeAuthorizationResponse(await jweCore(vectorText(`json/${file}`)), ring);
        expect(decoded).to.deep.equal(expected);
      });
    }

    it('accepts RSA-OAEP-256 as well as RSA-OAEP', async () => {
      const core = { ...CORE, authJwe: await encryptJwe(APPROVED, clientKey.publicKey, { algorithm: 'RSA-OAEP-256' }) };
      expect((await decodeAuthorizationResponse(core, ring)).authorized).to.equal(true);
    });

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
      it(`rejects ${what} with PayloadValidationError on ${field}`, async () => {
        await payloadError(() => parseJwePackage({ ...APPROVED, ...change }, CORE), field);
      });
    }

    it('rejects a decrypted package that is not JSON, or not an object, naming auth_jwe', async () => {
      await payloadError(async () => decodeAuthorizationResponse(await jweCore('not json'), ring), 'auth_jwe');
      await payloadError(async () => decodeAuthorizationResponse(await jweCore('[1]'), ring), 'auth_jwe');
    });

    it('rejects a package with a __proto__ key and leaves Object.prototype untouched', async () => {
      const text = '{"__proto__":{"isAdmin":true},"type":"AUTHORIZED"}';
      await payloadError(async () => decodeAuthorizationResponse(await jweCore(text), ring), 'auth_jwe');
      expect(({} as Record<string, unknown>)['isAdmin']).to.equal(undefined);
    });

    it('fails with JweDecryptionError key (and the kid) for a package encrypted to a key we do not hold', async () => {
      const err = await jweError(
        async () => decodeAuthorizationResponse(await jweCore(APPROVED, otherKey), ring),
        'key',
      );
      expect(err.kid).to.equal(otherKey.kid);
    });

    it('cannot decrypt the .NET fixture core: its auth_jwe placeholder is malformed, its auth key is not ours', async () => {
      const core = parseAuthResponseCore(vectorJson('dotnet-auths-get-core.json'));
      await jweError(() => decodeAuthorizationResponse(core, ring), 'malformed');
      const { authJwe: placeholder, ...legacyOnly } = core;
      expect(placeholder).to.be.a('string');
      const err = await jweError(() => decodeAuthorizationResponse(legacyOnly, ring), 'key');
      expect(err.kid).to.equal('f7:93:a2:9e:45:ac:61:40:ef:33:22:58:52:d1:51:db');
    });
  });

  describe('legacy device packages', () => {
    const LEGACY: AuthorizationResponse = {
      packageFormat: 'legacy',
      authorizationRequestId: '8c3c0268-f692-11e7-bd2e-7692096aba47',
      authorized: true,
      type: null,
      reason: null,
      denialReason: null,
      fraud: false,
      deviceId: 'Yrkt',
      servicePins: ['8074', '8132', '5551', '7576', '7276'],
      serviceUserHash: 'SUH',
      organizationUserHash: 'OUH',
      userPushId: 'UPID',
      policy: null,
      authMethods: null,
    };

    it('decodes the .NET legacy package fixture exactly, parsed and after an RSA-OAEP-SHA1 round trip', async () => {
      const fixture = vectorText('json/auth-legacy-device-package-dotnet.json');
      expect(parseLegacyPackage(JSON.parse(fixture), CORE)).to.deep.equal(LEGACY);
      expect(await decodeAuthorizationResponse(legacyCore(fixture), ring)).to.deep.equal(LEGACY);
    });

    it('never reads response "true", 1 or null as an approval: PayloadValidationError on auth.response', async () => {
      const fixture = vectorJson('json/auth-legacy-device-package-dotnet.json') as object;
      for (const response of ['true', 1, null]) {
        await payloadError(
          () => decodeAuthorizationResponse(legacyCore({ ...fixture, response }), ring),
          'auth.response',
        );
      }
    });

    it('names auth.service_pins, auth.device_id and auth.auth_request when they have the wrong type', async () => {
      const fixture = vectorJson('json/auth-legacy-device-package-dotnet.json') as object;
      await payloadError(() => parseLegacyPackage({ ...fixture, service_pins: null }, CORE), 'auth.service_pins');
      await payloadError(() => parseLegacyPackage({ ...fixture, device_id: 7 }, CORE), 'auth.device_id');
      await payloadError(() => parseLegacyPackage({ ...fixture, auth_request: 7 }, CORE), 'auth.auth_request');
    });

    it('fails with JweDecryptionError key when no held key has the public_key_id', async () => {
      const err = await jweError(
        () =>
          decodeAuthorizationResponse(
            legacyCore(vectorText('json/auth-legacy-device-package-dotnet.json'), otherKey),
            ring,
          ),
        'key',
      );
      expect(err.kid).to.equal(otherKey.kid);
    });

    it('fails with JweDecryptionError decrypt when the package was encrypted to another key than public_key_id names', async () => {
      const core = { ...legacyCore('{}', otherKey), publicKeyId: clientKey.kid };
      await jweError(() => decodeAuthorizationResponse(core, ring), 'decrypt');
    });

    it('refuses the legacy package when allowLegacyPackage is false, without decrypting it', async () => {
      let lookups = 0;
      const counting = { get: (kid: string) => (lookups++, ring.get(kid)) };
      const core = legacyCore(vectorText('json/auth-legacy-device-package-dotnet.json'));
      const err = await caught(() => decodeAuthorizationResponse(core, counting, { allowLegacyPackage: false }));
      expect(err).to.be.instanceOf(LegacyPackageRefusedError).and.instanceOf(PayloadValidationError);
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
        const err = await caught(() =>
          decodeAuthorizationResponse(core, ring, { expectedAuthorizationRequestId: other }),
        );
        expect(err).to.be.instanceOf(AuthRequestMismatchError);
        const e = err as AuthRequestMismatchError;
        expect(e.code).to.equal('ERR_LK_AUTH_REQUEST_MISMATCH');
        expect(e.expected).to.equal(other);
        expect(e.received).to.equal(ID);
      }
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
