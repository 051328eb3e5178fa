/**
 * Auth response cores and device packages shared by the parser specs (spec/entities/auth_response.spec.ts)
 * and the decryption specs (spec/webhooks/device_package.spec.ts): the client's keys, the fixtures with the
 * exact response each decodes to, and cores carrying a package encrypted to a key.
 */
import { encryptJwe } from '../../lib/crypto/jwe.js';
import { KeyRing, loadPrivateKey } from '../../lib/crypto/keys.js';
import { encryptLegacyPackage } from '../../lib/crypto/legacy_package.js';
import type { AuthMethod, AuthorizationResponse, AuthResponseCore } from '../../lib/entities/auth_response.js';
import { vectorText } from './vectors.js';

// The synthetic vectors' "client" key; a second key the client does not hold.
export const clientKey = loadPrivateKey(vectorText('dotnet-test-private.key'));
export const otherKey = loadPrivateKey(vectorText('python-valid-private-key.pem'));
export const ring = new KeyRing([clientKey]);

export const CORE: AuthResponseCore = {
  auth: 'unused',
  serviceUserHash: 'SUH',
  organizationUserHash: 'OUH',
  userPushId: 'UPID',
  publicKeyId: clientKey.kid,
};

const PINS = ['2648', '2046', '0583', '2963', '2046'];

/** A core whose `auth_jwe` carries `plaintext` (verbatim text or a value), encrypted to the client key. */
export async function jweCore(plaintext: unknown, key = clientKey): Promise<AuthResponseCore> {
  return { ...CORE, authJwe: await encryptJwe(plaintext, key.publicKey) };
}

/** A core whose legacy `auth` carries `plaintext`, with no `auth_jwe`. */
export function legacyCore(plaintext: unknown, key = clientKey): AuthResponseCore {
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
export const JWE_FIXTURES: Record<string, AuthorizationResponse> = {
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

export const APPROVED = {
  type: 'AUTHORIZED',
  reason: 'APPROVED',
  denial_reason: null,
  auth_request: 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5',
  device_id: 'a4e1c2d0-0000-4000-8000-000000000003',
  service_pins: ['1234'],
};

/** What `json/auth-legacy-device-package-dotnet.json` decodes to, with the user fields of {@link CORE}. */
export const LEGACY_RESPONSE: AuthorizationResponse = {
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
