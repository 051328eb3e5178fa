import { expect } from 'chai';
import fc from 'fast-check';
import { CompactSign } from 'jose';

import { encryptJwe } from '../../lib/crypto/jwe.js';
import { KeyRing, loadPrivateKey, loadPublicKey, type PrivateKey, type PublicKey } from '../../lib/crypto/keys.js';
import { encryptLegacyPackage } from '../../lib/crypto/legacy_package.js';
import { requestClaims, signToken } from '../../lib/crypto/jws.js';
import {
  ApiTimeoutError,
  ApiUnavailableError,
  ClockNotSynchronizedError,
  ConfigurationError,
  LegacyPackageRefusedError,
  ResponseTooLargeError,
  UnexpectedResponseError,
  UnknownApiKeyError,
  JweDecryptionError,
  JwtVerificationError,
  LaunchKeyError,
  NetworkError,
  PayloadValidationError,
  type JwtFailure,
} from '../../lib/errors.js';
import { AuthRequestMismatchError } from '../../lib/errors.js';
import { ReplayCacheError } from '../../lib/errors.js';
import { MemoryReplayCache, type ReplayCache } from '../../lib/webhooks/replay_cache.js';
import {
  verifyWebhook,
  webhookFailureStatus,
  type WebhookContext,
  type WebhookEvent,
  type WebhookRequest,
} from '../../lib/webhooks/verify.js';
import { JWT_CODES } from '../support/assertions.js';
import { endToEnd, vectorJson, vectorText } from '../support/vectors.js';

// Roles (2048-bit keys from the official SDK suites): the API signs, the service decrypts, the
// attacker holds a key of its own.
const apiKey = loadPrivateKey(vectorText('python-features-organization-key.pem'));
const serviceKey = loadPrivateKey(vectorText('dotnet-test-private.key'));
const attackerKey = loadPrivateKey(vectorText('python-valid-private-key.pem'));

const ENTITY = 'org:9a6c0d1e-0000-4000-8000-000000000001';
const SERVICE_ID = '9a6c0d1e-0000-4000-8000-000000000002';
const SERVICE = `svc:${SERVICE_ID}`;
const DIRECTORY_ID = '9a6c0d1e-0000-4000-8000-000000000003';
const DIRECTORY = `dir:${DIRECTORY_ID}`;
const NOW = 1_600_000_000;
const PATH = '/webhook';
const AUTH_REQUEST = 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5';

/** A key ring that counts private-key look-ups: 0 means no private-key work was done. */
class CountingRing {
  calls = 0;
  constructor(private readonly ring = new KeyRing([serviceKey])) {}
  get(kid: string): PrivateKey | undefined {
    this.calls++;
    return this.ring.get(kid);
  }
}

interface Harness {
  ring: CountingRing;
  resolved: string[];
  context: WebhookContext;
}

function harness(overrides: Partial<WebhookContext> = {}): Harness {
  const ring = new CountingRing();
  const resolved: string[] = [];
  const context: WebhookContext = {
    entity: ENTITY,
    subject: SERVICE,
    keyRing: ring,
    resolveApiKey: (kid) => {
      resolved.push(kid);
      if (kid === apiKey.kid) return Promise.resolve(apiKey.publicKey);
      return Promise.reject(new JwtVerificationError('key', 'unknown API key', { claim: 'kid' }));
    },
    replayCache: new MemoryReplayCache(),
    now: () => NOW,
    ...overrides,
  };
  return { ring, resolved, context };
}

interface HookOptions {
  /** The body, sent as is (no encryption). */
  raw?: string;
  /** A payload: encrypted to `encryptTo` unless `plain`. */
  payload?: unknown;
  plain?: boolean;
  encryptTo?: PublicKey;
  contentType?: string | undefined;
  method?: string;
  path?: string;
  /** Claim overrides, applied after the claims are built. */
  claims?: Record<string, unknown>;
  subject?: string;
  audience?: string;
  issuer?: string;
  iat?: number;
  lifetime?: number;
  signer?: PrivateKey;
  /** The body actually delivered, when it differs from the signed one. */
  deliveredBody?: string;
  deliveredPath?: string;
  deliveredMethod?: string;
}

/** Builds a webhook as the API sends it: body, claims bound to it, RS256 token by the API key. */
async function hook(options: HookOptions = {}): Promise<WebhookRequest & { headers: Record<string, string> }> {
  const plain = options.plain === true;
  const body =
    options.raw ??
    (plain
      ? JSON.stringify(options.payload)
      : await encryptJwe(options.payload ?? {}, options.encryptTo ?? serviceKey.publicKey));
  const claims = {
    ...requestClaims({
      issuer: options.issuer ?? 'lka',
      audience: options.audience ?? ENTITY,
      subject: options.subject ?? SERVICE,
      method: options.method ?? 'POST',
      path: options.path ?? PATH,
      body,
      now: options.iat ?? NOW,
      lifetime: options.lifetime ?? 5,
    }),
    ...options.claims,
  };
  const token = await signToken(claims, options.signer ?? apiKey);
  const headers: Record<string, string> = { 'X-IOV-JWT': token };
  const contentType = 'contentType' in options ? options.contentType : plain ? 'application/json' : 'application/jose';
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  return {
    method: options.deliveredMethod ?? 'POST',
    path: options.deliveredPath ?? PATH,
    headers,
    body: options.deliveredBody ?? body,
  };
}

const APPROVED_PACKAGE = {
  type: 'AUTHORIZED',
  reason: 'APPROVED',
  denial_reason: null,
  auth_request: AUTH_REQUEST,
  device_id: 'a4e1c2d0-0000-4000-8000-000000000003',
  service_pins: ['1234', '3456'],
};

/** The decrypted body of an authorization-response webhook, packages encrypted to `key`. */
async function authCore(key: PublicKey = serviceKey.publicKey, extra: Record<string, unknown> = {}) {
  return {
    auth: encryptLegacyPackage(
      JSON.stringify({ response: true, auth_request: AUTH_REQUEST, device_id: 'd', service_pins: [] }),
      key,
    ),
    auth_jwe: await encryptJwe(APPROVED_PACKAGE, key),
    service_user_hash: 'SUH',
    org_user_hash: 'OUH',
    user_push_id: 'UPID',
    public_key_id: key.kid,
    ...extra,
  };
}

const SESSION_END = vectorJson('json/webhook-session-end-dotnet.json');

function deviceLink(key: PublicKey, kid = key.kid) {
  return {
    type: 'DEVICE_LINK_COMPLETION',
    device_id: '04ca395b-1721-4876-bacc-4c914b0e4971',
    device_public_key: key.pem,
    device_public_key_id: kid,
  };
}

async function rejection(promise: Promise<unknown>): Promise<LaunchKeyError> {
  try {
    await promise;
  } catch (err) {
    expect(err, 'every failure is a LaunchKeyError').to.be.instanceOf(LaunchKeyError);
    return err as LaunchKeyError;
  }
  return expect.fail('the webhook was accepted');
}

async function jwtRejection(promise: Promise<unknown>, failure: JwtFailure, claim?: string): Promise<void> {
  const err = await rejection(promise);
  const e = instance(err, JwtVerificationError);
  expect(e.code).to.equal(JWT_CODES[failure]);
  expect(e.failure).to.equal(failure);
  if (claim !== undefined) expect(e.claim).to.equal(claim);
}

async function payloadRejection(promise: Promise<unknown>, field: string): Promise<void> {
  const err = await rejection(promise);
  const e = instance(err, PayloadValidationError);
  expect(e.code).to.equal('ERR_LK_PAYLOAD_INVALID');
  expect(e.field).to.equal(field);
}

/** Asserts the error's class and narrows it. */
function instance<T>(err: unknown, type: abstract new (...args: never[]) => T): T {
  expect(err).to.be.instanceOf(type);
  if (!(err instanceof type)) throw new Error('unreachable');
  return err;
}

/** `value` without `key`. */
function omit(value: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('webhooks/verifyWebhook', () => {
  describe('decoding each kind', () => {
    it('decodes an authorization-response webhook into the advanced response, with service and requester', async () => {
      const { context, ring } = harness();
      const event = await verifyWebhook(await hook({ payload: await authCore() }), context);
      expect(event.kind).to.equal('authorization-response');
      const e = event as Extract<WebhookEvent, { kind: 'authorization-response' }>;
      expect(e.serviceId).to.equal(SERVICE_ID);
      expect(e.requestingEntity).to.equal(ENTITY);
      expect(e.response).to.include({
        packageFormat: 'jwe',
        authorized: true,
        type: 'AUTHORIZED',
        reason: 'APPROVED',
        authorizationRequestId: AUTH_REQUEST,
        serviceUserHash: 'SUH',
        organizationUserHash: 'OUH',
        userPushId: 'UPID',
      });
      // One look-up for the outer JWE, one for the nested auth_jwe.
      expect(ring.calls).to.equal(2);
    });

    it('decodes an authorization response whose core says type AUTHORIZATION_RESPONSE, and one with the legacy package only', async () => {
      const { context } = harness();
      const typed = await verifyWebhook(
        await hook({ payload: await authCore(undefined, { type: 'AUTHORIZATION_RESPONSE' }) }),
        context,
      );
      expect(typed.kind).to.equal('authorization-response');
      const legacyOnly = omit(await authCore(), 'auth_jwe');
      const legacy = await verifyWebhook(await hook({ payload: legacyOnly }), context);
      expect(legacy.kind === 'authorization-response' && legacy.response.packageFormat).to.equal('legacy');
    });

    it('refuses a legacy-only authorization response when allowLegacyPackage is false', async () => {
      const { context } = harness({ allowLegacyPackage: false });
      const legacyOnly = omit(await authCore(), 'auth_jwe');
      const err = await rejection(verifyWebhook(await hook({ payload: legacyOnly }), context));
      expect(instance(err, LegacyPackageRefusedError)).to.include({
        code: 'ERR_LK_LEGACY_PACKAGE_REFUSED',
        field: 'auth_jwe',
      });
      expect(webhookFailureStatus(err)).to.equal(400);
    });

    it('decodes the .NET session-end fixture into the service user hash and the logout time', async () => {
      const { context, ring } = harness();
      const event = await verifyWebhook(await hook({ payload: SESSION_END, plain: true }), context);
      expect(event.replayKey).to.match(/^lka\|[0-9a-f-]{36}$/);
      expect(event).to.deep.equal({
        kind: 'session-end',
        serviceId: SERVICE_ID,
        serviceUserHash: 'hash',
        logoutRequested: new Date('2018-01-11T05:22:17Z'),
        replayKey: event.replayKey,
      });
      expect(ring.calls).to.equal(0);
    });

    it('verifies the synthetic session-end webhook vector byte for byte', async () => {
      const vector = endToEnd();
      const hookVector = vector.webhook_session_end;
      const vectorApiKey = loadPublicKey(vectorText(vector.api_key.public));
      const { context } = harness({
        entity: vector.issuer,
        subject: vector.subject,
        resolveApiKey: (kid) =>
          kid === vector.api_key.kid ? Promise.resolve(vectorApiKey) : Promise.reject(new Error('unknown')),
      });
      const event = await verifyWebhook(
        { method: hookVector.method, path: hookVector.path, headers: hookVector.headers, body: hookVector.body },
        context,
      );
      expect(event).to.deep.equal({
        kind: 'session-end',
        serviceId: '9a6c0d1e-0000-4000-8000-000000000002',
        serviceUserHash: 'B1R3RD7WFKjlr0g4RACl25c2phPqcunajeQeZdTkLkM',
        logoutRequested: new Date('2020-09-13T12:26:40Z'),
        replayKey: 'lka|0e4f2a8e-8d1b-4b8e-9a1c-6f1d8c3b2a10',
      });
    });

    it('decodes a device-link completion for a directory, with a key id checked against the key', async () => {
      const { context } = harness({ subject: DIRECTORY });
      const event = await verifyWebhook(
        await hook({ payload: deviceLink(attackerKey.publicKey), subject: DIRECTORY }),
        context,
      );
      expect(event.replayKey).to.match(/^lka\|[0-9a-f-]{36}$/);
      expect(event).to.deep.equal({
        replayKey: event.replayKey,
        kind: 'device-link-completion',
        directoryId: DIRECTORY_ID,
        deviceId: '04ca395b-1721-4876-bacc-4c914b0e4971',
        devicePublicKey: attackerKey.publicKey.pem,
        devicePublicKeyId: attackerKey.kid,
      });
    });

    it('accepts a Buffer body, a Content-Type with parameters in any case, and header names in any case', async () => {
      const { context } = harness();
      const request = await hook({ payload: SESSION_END, plain: true });
      const event = await verifyWebhook(
        {
          ...request,
          body: Buffer.from(request.body as string),
          headers: { 'x-iov-JWT': request.headers['X-IOV-JWT'], 'CONTENT-TYPE': 'Application/JSON; charset=UTF-8' },
        },
        context,
      );
      expect(event.kind).to.equal('session-end');
      const { context: joseContext } = harness();
      const jose = await hook({ payload: await authCore(), contentType: 'application/jose; charset=utf-8' });
      expect((await verifyWebhook(jose, joseContext)).kind).to.equal('authorization-response');
    });

    it('accepts the token in the older Authorization: IOV-JWT header, alone or repeating X-IOV-JWT', async () => {
      const request = await hook({ payload: SESSION_END, plain: true });
      const token = request.headers['X-IOV-JWT'] ?? '';
      const alone = { ...request, headers: { Authorization: `IOV-JWT ${token}`, 'Content-Type': 'application/json' } };
      expect((await verifyWebhook(alone, harness().context)).kind).to.equal('session-end');
      const both = { ...request, headers: { ...request.headers, authorization: `IOV-JWT ${token}` } };
      expect((await verifyWebhook(both, harness().context)).kind).to.equal('session-end');
    });

    it('accepts a token that expired 29 s ago (within the 30 s leeway)', async () => {
      const { context } = harness();
      const request = await hook({ payload: SESSION_END, plain: true, iat: NOW - 34, lifetime: 5 });
      expect((await verifyWebhook(request, context)).kind).to.equal('session-end');
    });
  });

  describe('forgeries are rejected before any private-key work', () => {
    interface Forgery {
      title: string;
      build: () => Promise<WebhookRequest>;
      failure: JwtFailure;
      claim?: string;
      context?: Partial<WebhookContext>;
    }

    const jose = async (options: HookOptions = {}) => hook({ payload: await authCore(), ...options });

    const forgeries: Forgery[] = [
      {
        title: 'a token signed by an attacker key that reuses the API kid',
        build: () => jose({ signer: { ...attackerKey, kid: apiKey.kid } }),
        failure: 'signature',
      },
      {
        title: "a token signed with the service's own key (its kid is no API key)",
        build: () => jose({ signer: serviceKey }),
        failure: 'key',
        claim: 'kid',
      },
      {
        title: 'alg "none" (with a dummy signature segment)',
        build: async () => {
          const request = await jose();
          const payload = (request.headers['X-IOV-JWT'] ?? '').split('.')[1] ?? '';
          const token = `${b64({ alg: 'none', kid: apiKey.kid })}.${payload}.AAAA`;
          return { ...request, headers: { ...request.headers, 'X-IOV-JWT': token } };
        },
        failure: 'algorithm',
        claim: 'alg',
      },
      {
        title: 'alg "none" with an empty signature',
        build: async () => {
          const request = await jose();
          const payload = (request.headers['X-IOV-JWT'] ?? '').split('.')[1] ?? '';
          const token = `${b64({ alg: 'none', kid: apiKey.kid })}.${payload}.`;
          return { ...request, headers: { ...request.headers, 'X-IOV-JWT': token } };
        },
        failure: 'malformed',
      },
      {
        title: 'HS256 keyed with the API public-key PEM (RS/HS confusion)',
        build: async () => {
          const request = await jose();
          const payload = Buffer.from((request.headers['X-IOV-JWT'] ?? '').split('.')[1] ?? '', 'base64url');
          const token = await new CompactSign(payload)
            .setProtectedHeader({ alg: 'HS256', kid: apiKey.kid })
            .sign(Buffer.from(apiKey.publicKey.pem));
          return { ...request, headers: { ...request.headers, 'X-IOV-JWT': token } };
        },
        failure: 'algorithm',
        claim: 'alg',
      },
      {
        title: 'aud of another entity',
        build: () => jose({ audience: 'svc:0c4a3d5e-1111-4222-8333-444455556666' }),
        failure: 'claim',
        claim: 'aud',
      },
      {
        title: 'aud as an array that contains ours',
        build: () => jose({ claims: { aud: [ENTITY, 'svc:0c4a3d5e-1111-4222-8333-444455556666'] } }),
        failure: 'claim',
        claim: 'aud',
      },
      { title: 'iss other than lka', build: () => jose({ issuer: ENTITY }), failure: 'claim', claim: 'iss' },
      {
        title: 'sub of a sibling service',
        build: () => jose({ subject: 'svc:0c4a3d5e-1111-4222-8333-444455556666' }),
        failure: 'claim',
        claim: 'sub',
      },
      {
        title: 'a body changed by one byte (trailing space)',
        build: async () => {
          const request = await jose();
          return { ...request, body: `${request.body as string} ` };
        },
        failure: 'body-hash',
        claim: 'request.hash',
      },
      {
        title: 'a body without a hash claim',
        build: () => jose({ claims: { request: { meth: 'POST', path: PATH } } }),
        failure: 'body-hash',
        claim: 'request.func',
      },
      {
        title: 'request.meth GET on a POST',
        build: () => jose({ method: 'GET' }),
        failure: 'binding',
        claim: 'request.meth',
      },
      {
        title: 'a PUT delivery of a token signed for POST',
        build: () => jose({ deliveredMethod: 'PUT' }),
        failure: 'binding',
        claim: 'request.meth',
      },
      ...['/webhook/', '/WEBHOOK', '/hooks/%2e%2e/webhook', '/webhook?x=1'].map((path): Forgery => ({
        title: `request.path "${PATH}" delivered at "${path}"`,
        build: () => jose({ deliveredPath: path }),
        failure: 'binding',
        claim: 'request.path',
      })),
      {
        title: 'a token that expired 31 s ago (leeway 30)',
        build: () => jose({ iat: NOW - 36, lifetime: 5 }),
        failure: 'expired',
        claim: 'exp',
      },
      {
        title: 'a token issued 31 s in the future',
        build: () => jose({ iat: NOW + 31 }),
        failure: 'not-yet-valid',
      },
      {
        title: 'a long-lived token (exp - iat = 301 s)',
        build: () => jose({ lifetime: 301 }),
        failure: 'claim',
        claim: 'exp',
      },
      {
        title: 'a token without jti',
        build: () => jose({ claims: { jti: undefined } }),
        failure: 'claim',
        claim: 'jti',
      },
      {
        title: 'no token at all',
        build: async () => {
          const request = await jose();
          return { ...request, headers: { 'Content-Type': 'application/jose' } };
        },
        failure: 'malformed',
      },
      {
        title: 'two X-IOV-JWT values (an array)',
        build: async () => {
          const request = await jose();
          const other = (await jose()).headers['X-IOV-JWT'] ?? '';
          return {
            ...request,
            headers: { ...request.headers, 'X-IOV-JWT': [request.headers['X-IOV-JWT'] ?? '', other] },
          };
        },
        failure: 'malformed',
      },
      {
        title: 'two X-IOV-JWT headers whose names differ in case',
        build: async () => {
          const request = await jose();
          return { ...request, headers: { ...request.headers, 'x-iov-jwt': request.headers['X-IOV-JWT'] } };
        },
        failure: 'malformed',
      },
      {
        title: 'X-IOV-JWT and Authorization: IOV-JWT carrying different tokens',
        build: async () => {
          const request = await jose();
          const other = (await jose()).headers['X-IOV-JWT'] ?? '';
          return { ...request, headers: { ...request.headers, Authorization: `IOV-JWT ${other}` } };
        },
        failure: 'malformed',
      },
      {
        title: 'a token longer than 8 KiB',
        build: () => jose({ claims: { padding: 'x'.repeat(9 * 1024) } }),
        failure: 'malformed',
      },
    ];

    for (const forgery of forgeries) {
      it(`rejects ${forgery.title} with ${JWT_CODES[forgery.failure]}${forgery.claim === undefined ? '' : `:${forgery.claim}`} and no private-key look-up`, async () => {
        const { context, ring } = harness(forgery.context);
        await jwtRejection(verifyWebhook(await forgery.build(), context), forgery.failure, forgery.claim);
        expect(ring.calls).to.equal(0);
      });
    }

    it('rejects a forged session-end webhook (attacker signature) without touching any key', async () => {
      const { context, ring } = harness();
      const request = await hook({ payload: SESSION_END, plain: true, signer: { ...attackerKey, kid: apiKey.kid } });
      await jwtRejection(verifyWebhook(request, context), 'signature');
      expect(ring.calls).to.equal(0);
    });

    it('turns a foreign error of the API key resolver into JwtVerificationError key', async () => {
      const { context } = harness({ resolveApiKey: () => Promise.reject(new TypeError('boom')) });
      await jwtRejection(verifyWebhook(await jose(), context), 'key', 'kid');
    });

    it('passes a typed network failure of the API key resolver through (answered 503)', async () => {
      const { context } = harness({ resolveApiKey: () => Promise.reject(new NetworkError('down')) });
      const err = await rejection(verifyWebhook(await jose(), context));
      expect(err).to.be.instanceOf(NetworkError);
      expect(webhookFailureStatus(err)).to.equal(503);
    });

    it('refuses an API key shorter than 2048 bits with JwtVerificationError key', async () => {
      const weak = loadPublicKey(vectorText('java-rsa-512-public-key.pem'));
      const { context } = harness({ resolveApiKey: () => Promise.resolve(weak) });
      await jwtRejection(verifyWebhook(await jose(), context), 'key', 'kid');
    });
  });

  describe('replays', () => {
    it('processes a delivery once; the identical second delivery is ERR_LK_JWT_REPLAY with no private-key work', async () => {
      const { context, ring } = harness();
      const request = await hook({ payload: await authCore() });
      await verifyWebhook(request, context);
      const callsAfterFirst = ring.calls;
      const err = await rejection(verifyWebhook(request, context));
      expect(instance(err, JwtVerificationError).code).to.equal('ERR_LK_JWT_REPLAY');
      expect(instance(err, JwtVerificationError).claim).to.equal('jti');
      expect(ring.calls).to.equal(callsAfterFirst);
      expect(webhookFailureStatus(err)).to.equal(204);
    });

    it('detects a replay across two verifiers sharing one replay cache', async () => {
      const shared = new MemoryReplayCache();
      const request = await hook({ payload: SESSION_END, plain: true });
      await verifyWebhook(request, harness({ replayCache: shared }).context);
      await jwtRejection(verifyWebhook(request, harness({ replayCache: shared }).context), 'replay', 'jti');
    });

    it('remembers iss|jti until 5 s after the token could last be accepted, in ms rounded up to whole seconds', async () => {
      const seen: Array<[string, number]> = [];
      const cache: ReplayCache = {
        remember: (key, ttl) => {
          seen.push([key, ttl]);
          return Promise.resolve(true);
        },
      };
      const request = await hook({ payload: SESSION_END, plain: true, claims: { jti: 'the-jti' } });
      await verifyWebhook(request, harness({ replayCache: cache, now: () => NOW + 2 }).context);
      await verifyWebhook(request, harness({ replayCache: cache, now: () => NOW + 2.3 }).context);
      await verifyWebhook(request, harness({ replayCache: cache, now: () => NOW + 34.999 }).context);
      // Accepted until exp + leeway = NOW + 35 (exclusive), plus the 5 s margin.
      expect(seen).to.deep.equal([
        ['lka|the-jti', 38],
        ['lka|the-jti', 38],
        ['lka|the-jti', 6],
      ]);
    });

    describe('at the edges of the acceptance window (one injected ms clock for the verifier and the cache)', () => {
      // The token: iat = nbf = NOW, exp = NOW + 5, leeway 30: accepted from NOW − 30 s to NOW + 35 s (exclusive).
      const END_MS = (NOW + 35) * 1000;
      const START_MS = (NOW - 30) * 1000;

      /** Two deliveries of one token; `seconds` reads the verifier's clock in whole seconds, as a flooring clock does. */
      async function deliverTwice(firstMs: number, secondMs: number, seconds = false): Promise<[unknown, unknown]> {
        let ms = firstMs;
        const now = () => (seconds ? Math.floor(ms / 1000) : ms / 1000);
        const context = harness({ replayCache: new MemoryReplayCache({ now: () => ms }), now }).context;
        const request = await hook({ payload: SESSION_END, plain: true });
        const outcome = (p: Promise<unknown>) =>
          p.then(
            (event) => event,
            (err: unknown) => err,
          );
        const first = await outcome(verifyWebhook(request, context));
        ms = secondMs;
        return [first, await outcome(verifyWebhook(request, context))];
      }

      it('refuses the token at exactly exp + leeway and 1 ms later (expired, 401), accepts it 1 ms before', async () => {
        for (const ms of [END_MS, END_MS + 1]) {
          const [first] = await deliverTwice(ms, ms);
          expect(first).to.be.instanceOf(JwtVerificationError).and.include({ failure: 'expired' });
          expect(webhookFailureStatus(first)).to.equal(401);
        }
        const [first] = await deliverTwice(END_MS - 1, END_MS - 1);
        expect(first).to.include({ kind: 'session-end' });
      });

      it('refuses the token 1 ms before nbf − leeway and accepts it at nbf − leeway', async () => {
        const [early] = await deliverTwice(START_MS - 1, START_MS - 1);
        expect(early).to.be.instanceOf(JwtVerificationError).and.include({ failure: 'not-yet-valid' });
        const [onTime] = await deliverTwice(START_MS, START_MS);
        expect(onTime).to.include({ kind: 'session-end' });
      });

      it('a replay is never processed: refused as a replay while the token is accepted, as expired after, with a ms or a whole-second clock', async () => {
        for (const seconds of [false, true]) {
          for (const firstMs of [START_MS, NOW * 1000, NOW * 1000 + 1, NOW * 1000 + 999, END_MS - 1001, END_MS - 1]) {
            for (const replayMs of [firstMs, END_MS - 1000, END_MS - 1, END_MS, END_MS + 500, END_MS + 999]) {
              if (replayMs < firstMs) continue;
              const [first, replay] = await deliverTwice(firstMs, replayMs, seconds);
              const when = `first at ${firstMs - END_MS} ms, replay at ${replayMs - END_MS} ms, whole seconds: ${seconds}`;
              expect(first, when).to.include({ kind: 'session-end' });
              expect(replay, when).to.be.instanceOf(JwtVerificationError);
              const accepted = (seconds ? Math.floor(replayMs / 1000) * 1000 : replayMs) < END_MS;
              expect(replay, when).to.include({ failure: accepted ? 'replay' : 'expired' });
            }
          }
        }
      });
    });

    it('does not let a forged token fill the replay cache', async () => {
      const seen: string[] = [];
      const cache: ReplayCache = {
        remember: (key) => {
          seen.push(key);
          return Promise.resolve(true);
        },
      };
      const forged = await hook({ payload: SESSION_END, plain: true, deliveredPath: '/other' });
      await jwtRejection(verifyWebhook(forged, harness({ replayCache: cache }).context), 'binding', 'request.path');
      expect(seen).to.deep.equal([]);
    });

    it('fails closed with ReplayCacheError when the cache is full, before any private-key work', async () => {
      const { context, ring } = harness({ replayCache: new MemoryReplayCache({ maxEntries: 1 }) });
      await verifyWebhook(await hook({ payload: SESSION_END, plain: true }), context);
      const err = await rejection(verifyWebhook(await hook({ payload: await authCore() }), context));
      expect(err).to.be.instanceOf(ReplayCacheError);
      expect(err.code).to.equal('ERR_LK_REPLAY_CACHE_FULL');
      expect(ring.calls).to.equal(0);
      expect(webhookFailureStatus(err)).to.equal(503);
    });

    it('turns a failing shared store into ReplayCacheError unavailable', async () => {
      const cache: ReplayCache = { remember: () => Promise.reject(new Error('redis down')) };
      const { context } = harness({ replayCache: cache });
      const err = await rejection(verifyWebhook(await hook({ payload: SESSION_END, plain: true }), context));
      expect(err).to.be.instanceOf(ReplayCacheError);
      expect(err.code).to.equal('ERR_LK_REPLAY_CACHE_UNAVAILABLE');
    });
  });

  describe('a delivery that fails after its replay reservation stays re-deliverable', () => {
    /** A key ring the spec can add a key to, as a deployment that installs the new key would. */
    function rotatingRing() {
      const keys = new Map([[serviceKey.kid, serviceKey]]);
      return { keys, ring: { get: (kid: string) => keys.get(kid) } };
    }

    it('a JWE for a key we do not hold yet is 503; once the key is installed, the redelivery of the same token is processed', async () => {
      const { keys, ring } = rotatingRing();
      const context = harness({ keyRing: ring }).context;
      const request = await hook({ payload: await authCore(attackerKey.publicKey), encryptTo: attackerKey.publicKey });
      const err = await rejection(verifyWebhook(request, context));
      expect(instance(err, JweDecryptionError).failure).to.equal('key');
      expect(webhookFailureStatus(err)).to.equal(503);
      keys.set(attackerKey.kid, attackerKey);
      const event = await verifyWebhook(request, context);
      expect(event.kind === 'authorization-response' && event.response.authorizationRequestId).to.equal(AUTH_REQUEST);
      // Processed: now it is seen.
      await jwtRejection(verifyWebhook(request, context), 'replay', 'jti');
    });

    it('a nested device package for a key we do not hold yet is released the same way', async () => {
      const { keys, ring } = rotatingRing();
      const context = harness({ keyRing: ring }).context;
      const request = await hook({ payload: await authCore(attackerKey.publicKey) });
      expect((await rejection(verifyWebhook(request, context))).code).to.equal('ERR_LK_JWE_KEY_NOT_FOUND');
      keys.set(attackerKey.kid, attackerKey);
      expect(await verifyWebhook(request, context)).to.include({ kind: 'authorization-response' });
    });

    it('a payload that does not decode is refused again on redelivery (400), never answered as a replay', async () => {
      const { context } = harness();
      const request = await hook({ payload: { type: 'SOMETHING_ELSE' } });
      for (let i = 0; i < 2; i++) {
        const err = await rejection(verifyWebhook(request, context));
        expect(instance(err, PayloadValidationError).field).to.equal('type');
        expect(webhookFailureStatus(err)).to.equal(400);
      }
    });

    it('a replay cache without forget keeps the reservation: the same token is then taken for a replay (documented)', async () => {
      const memory = new MemoryReplayCache();
      const cache: ReplayCache = { remember: (key, ttl) => memory.remember(key, ttl) };
      const { context } = harness({ replayCache: cache });
      const request = await hook({ payload: { type: 'SOMETHING_ELSE' } });
      await payloadRejection(verifyWebhook(request, context), 'type');
      await jwtRejection(verifyWebhook(request, context), 'replay', 'jti');
    });

    it('a forget that fails does not hide the error of the delivery', async () => {
      const memory = new MemoryReplayCache();
      const cache: ReplayCache = {
        remember: (key, ttl) => memory.remember(key, ttl),
        forget: () => Promise.reject(new Error('store down')),
      };
      const { context } = harness({ replayCache: cache });
      await payloadRejection(verifyWebhook(await hook({ payload: { type: 'SOMETHING_ELSE' } }), context), 'type');
    });

    it('a refusal before the reservation (forged, replayed, cache full) forgets nothing', async () => {
      const forgotten: string[] = [];
      const memory = new MemoryReplayCache();
      const cache: ReplayCache = {
        remember: (key, ttl) => memory.remember(key, ttl),
        forget: (key) => {
          forgotten.push(key);
          return memory.forget(key);
        },
      };
      const { context } = harness({ replayCache: cache });
      const request = await hook({ payload: SESSION_END, plain: true });
      await verifyWebhook(request, context);
      await jwtRejection(verifyWebhook(request, context), 'replay', 'jti');
      await jwtRejection(verifyWebhook({ ...request, path: '/other' }, context), 'binding', 'request.path');
      expect(forgotten).to.deep.equal([]);
    });
  });

  describe('the API clock offset', () => {
    // The API's clock is 200 s ahead of ours; its tokens are stamped with its time.
    const AHEAD = 200;

    function clocked(offset: { seconds: number; fresh: boolean } | undefined) {
      let refreshes = 0;
      const h = harness({
        apiClockOffset: () => offset,
        requestRefresh: () => {
          refreshes++;
        },
      });
      return { ...h, refreshes: () => refreshes };
    }

    it('judges the time window at local time plus the measured offset', async () => {
      const request = await hook({ payload: SESSION_END, plain: true, iat: NOW + AHEAD });
      const { context, refreshes } = clocked({ seconds: AHEAD, fresh: true });
      expect(await verifyWebhook(request, context)).to.include({ kind: 'session-end' });
      expect(refreshes()).to.equal(0);
      // Without the offset, the same token is 200 s early.
      await jwtRejection(verifyWebhook(request, harness().context), 'not-yet-valid', 'nbf');
    });

    it('with no offset measured, a token out of its window only is ClockNotSynchronizedError (503) and asks for a refresh', async () => {
      const request = await hook({ payload: SESSION_END, plain: true, iat: NOW + AHEAD });
      const { context, refreshes } = clocked(undefined);
      const err = instance(await rejection(verifyWebhook(request, context)), ClockNotSynchronizedError);
      expect(err.cause).to.be.instanceOf(JwtVerificationError).and.include({ failure: 'not-yet-valid' });
      expect(webhookFailureStatus(err)).to.equal(503);
      expect(refreshes()).to.equal(1);
    });

    it('with a stale offset, an out-of-window token is retryable too; with a fresh one it is refused for good (401)', async () => {
      const late = await hook({ payload: SESSION_END, plain: true, iat: NOW - 100 });
      const stale = clocked({ seconds: 0, fresh: false });
      instance(await rejection(verifyWebhook(late, stale.context)), ClockNotSynchronizedError);
      expect(stale.refreshes()).to.equal(1);
      const fresh = clocked({ seconds: 0, fresh: true });
      const err = await rejection(verifyWebhook(late, fresh.context));
      expect(instance(err, JwtVerificationError).failure).to.equal('expired');
      expect(webhookFailureStatus(err)).to.equal(401);
      expect(fresh.refreshes()).to.equal(0);
    });

    it('a token wrong in any other way is refused as such, never as a clock matter, and asks for nothing', async () => {
      const { context, refreshes } = clocked(undefined);
      const forged = await hook({ payload: SESSION_END, plain: true, iat: NOW + AHEAD, signer: attackerKey });
      await jwtRejection(verifyWebhook(forged, context), 'key', 'kid');
      const moved = await hook({ payload: SESSION_END, plain: true, iat: NOW + AHEAD, deliveredPath: '/other' });
      await jwtRejection(verifyWebhook(moved, context), 'binding', 'request.path');
      const long = await hook({ payload: SESSION_END, plain: true, iat: NOW + AHEAD, lifetime: 301 });
      await jwtRejection(verifyWebhook(long, context), 'claim', 'exp');
      expect(refreshes()).to.equal(0);
    });

    it('sizes the replay entry on API time: a replay is refused while the token of a clock 200 s behind is accepted', async () => {
      let ms = NOW * 1000;
      const context = harness({
        replayCache: new MemoryReplayCache({ now: () => ms }),
        now: () => ms / 1000,
        apiClockOffset: () => ({ seconds: -AHEAD, fresh: true }),
      }).context;
      const request = await hook({ payload: SESSION_END, plain: true, iat: NOW - AHEAD });
      await verifyWebhook(request, context);
      ms = (NOW + 35) * 1000 - 1; // API time NOW − 165 s − 1 ms: the last instant the token passes
      await jwtRejection(verifyWebhook(request, context), 'replay', 'jti');
      ms += 1;
      await jwtRejection(verifyWebhook(request, context), 'expired', 'exp');
    });
  });

  describe('content type, size and body shape', () => {
    for (const contentType of ['text/plain', 'multipart/form-data; boundary=x', 'application/jwe', undefined]) {
      it(`rejects Content-Type ${String(contentType)} with PayloadValidationError content-type (415) before verifying`, async () => {
        const { context, ring, resolved } = harness();
        const request = await hook({ payload: await authCore(), contentType });
        const err = await rejection(verifyWebhook(request, context));
        expect(instance(err, PayloadValidationError).field).to.equal('content-type');
        expect(webhookFailureStatus(err)).to.equal(415);
        expect(resolved).to.deep.equal([]);
        expect(ring.calls).to.equal(0);
      });
    }

    it('rejects a body over 64 KiB with PayloadValidationError content-length (413) before reading the token', async () => {
      const { context, resolved } = harness();
      const request = await hook({ raw: 'x'.repeat(64 * 1024 + 1), contentType: 'application/json' });
      const err = await rejection(verifyWebhook(request, context));
      expect(instance(err, PayloadValidationError).field).to.equal('content-length');
      expect(webhookFailureStatus(err)).to.equal(413);
      expect(resolved).to.deep.equal([]);
    });

    it('rejects a JSON body under application/jose as a malformed JWE, with no private-key work', async () => {
      const { context, ring } = harness();
      const request = await hook({ payload: SESSION_END, plain: true, contentType: 'application/jose' });
      const err = await rejection(verifyWebhook(request, context));
      expect(err).to.be.instanceOf(JweDecryptionError);
      expect(err.code).to.equal('ERR_LK_JWE_MALFORMED');
      expect(ring.calls).to.equal(0);
    });

    it('rejects a JWE body under application/json as invalid JSON (no substring dispatch)', async () => {
      const { context, ring } = harness();
      const request = await hook({
        raw: await encryptJwe(SESSION_END, serviceKey.publicKey),
        contentType: 'application/json',
      });
      await payloadRejection(verifyWebhook(request, context), 'body');
      expect(ring.calls).to.equal(0);
    });

    it('routes an encrypted core that mentions "service_user_hash" to the authorization response, not session end', async () => {
      const { context } = harness();
      const event = await verifyWebhook(await hook({ payload: await authCore() }), context);
      expect(event.kind).to.equal('authorization-response');
    });

    it('rejects an authorization response encrypted to a key we do not hold with ERR_LK_JWE_KEY_NOT_FOUND', async () => {
      const { context } = harness();
      const request = await hook({ payload: await authCore(attackerKey.publicKey), encryptTo: attackerKey.publicKey });
      const err = await rejection(verifyWebhook(request, context));
      expect(instance(err, JweDecryptionError).code).to.equal('ERR_LK_JWE_KEY_NOT_FOUND');
      expect(instance(err, JweDecryptionError).kid).to.equal(attackerKey.kid);
    });

    it('rejects an authorization response whose nested packages are for a key we do not hold', async () => {
      const { context } = harness();
      const request = await hook({ payload: await authCore(attackerKey.publicKey) });
      const err = await rejection(verifyWebhook(request, context));
      expect(err.code).to.equal('ERR_LK_JWE_KEY_NOT_FOUND');
    });

    it('rejects an unknown decrypted type with PayloadValidationError type', async () => {
      const { context } = harness();
      await payloadRejection(
        verifyWebhook(await hook({ payload: await authCore(undefined, { type: 'LOGOUT' }) }), context),
        'type',
      );
    });

    it('rejects a session end whose api_time is not an ISO date-time, or whose hash is missing', async () => {
      await payloadRejection(
        verifyWebhook(
          await hook({ payload: { service_user_hash: 'h', api_time: 'yesterday' }, plain: true }),
          harness().context,
        ),
        'api_time',
      );
      await payloadRejection(
        verifyWebhook(await hook({ payload: { api_time: '2018-01-11T05:22:17Z' }, plain: true }), harness().context),
        'service_user_hash',
      );
    });

    it('reads a zone-less api_time as UTC and accepts fractional seconds', async () => {
      const event = await verifyWebhook(
        await hook({ payload: { service_user_hash: 'h', api_time: '2018-01-11T05:22:17.1234567' }, plain: true }),
        harness().context,
      );
      expect(event.kind === 'session-end' && event.logoutRequested.toISOString()).to.equal('2018-01-11T05:22:17.123Z');
    });

    it('rejects a session end or authorization response whose sub is a directory', async () => {
      const dir = harness({ subject: DIRECTORY }).context;
      await jwtRejection(
        verifyWebhook(await hook({ payload: SESSION_END, plain: true, subject: DIRECTORY }), dir),
        'claim',
        'sub',
      );
      await jwtRejection(
        verifyWebhook(await hook({ payload: await authCore(), subject: DIRECTORY }), dir),
        'claim',
        'sub',
      );
    });

    it('rejects a session-end JSON body with a __proto__ key', async () => {
      const { context } = harness();
      const raw = '{"__proto__":{"isAdmin":true},"service_user_hash":"h","api_time":"2018-01-11T05:22:17Z"}';
      await payloadRejection(verifyWebhook(await hook({ raw, contentType: 'application/json' }), context), 'body');
      expect(({} as Record<string, unknown>)['isAdmin']).to.equal(undefined);
    });

    it('throws ConfigurationError for a body already parsed by a JSON middleware', async () => {
      const request = await hook({ payload: SESSION_END, plain: true });
      const err = await rejection(verifyWebhook({ ...request, body: SESSION_END as string }, harness().context));
      expect(err).to.be.instanceOf(ConfigurationError);
      expect(err.code).to.equal('ERR_LK_CONFIGURATION');
      expect(webhookFailureStatus(err)).to.equal(500);
    });
  });

  describe('device-link completions', () => {
    const dirHook = (payload: unknown) => hook({ payload, subject: DIRECTORY });

    it('rejects a device_public_key_id that is not the fingerprint of device_public_key (SECURITY T20)', async () => {
      const { context } = harness({ subject: DIRECTORY });
      const request = await dirHook(deviceLink(attackerKey.publicKey, serviceKey.kid));
      await payloadRejection(verifyWebhook(request, context), 'device_public_key_id');
    });

    it('rejects the Java fixture as sent: its key id is the API key id, not its own key fingerprint', async () => {
      const { context } = harness({ subject: DIRECTORY });
      const request = await dirHook(vectorJson('json/webhook-device-link-completion-decrypted-java.json'));
      await payloadRejection(verifyWebhook(request, context), 'device_public_key_id');
    });

    it('rejects a device_id that is not a UUID and a device_public_key that is not a PEM', async () => {
      await payloadRejection(
        verifyWebhook(
          await dirHook({ ...deviceLink(attackerKey.publicKey), device_id: 'Yrkt' }),
          harness({ subject: DIRECTORY }).context,
        ),
        'device_id',
      );
      await payloadRejection(
        verifyWebhook(
          await dirHook({ ...deviceLink(attackerKey.publicKey), device_public_key: 'not a key' }),
          harness({ subject: DIRECTORY }).context,
        ),
        'device_public_key',
      );
    });

    it('rejects a device-link completion delivered with a service sub', async () => {
      const { context } = harness({ subject: SERVICE });
      await jwtRejection(
        verifyWebhook(await hook({ payload: deviceLink(attackerKey.publicKey) }), context),
        'claim',
        'sub',
      );
    });
  });

  describe('properties', () => {
    it('any mutation of a valid delivery (token, body, path, headers) is a LaunchKeyError with no private-key work', async () => {
      const valid = await hook({ payload: await authCore() });
      const token = valid.headers['X-IOV-JWT'] ?? '';
      const body = valid.body as string;
      const mutate = (text: string, at: number, char: string) => {
        const i = at % Math.max(text.length, 1);
        const replaced = text.slice(0, i) + char + text.slice(i + 1);
        return replaced === text ? `${text}${char}` : replaced;
      };
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.record({
              part: fc.constant('token' as const),
              at: fc.nat(),
              char: fc.string({ minLength: 1, maxLength: 1 }),
            }),
            fc.record({
              part: fc.constant('body' as const),
              at: fc.nat(),
              char: fc.string({ minLength: 1, maxLength: 1 }),
            }),
            fc.record({
              part: fc.constant('path' as const),
              at: fc.nat(),
              char: fc.string({ minLength: 1, maxLength: 1 }),
            }),
            fc.record({ part: fc.constant('junk' as const), at: fc.nat(), char: fc.string({ maxLength: 200 }) }),
          ),
          async ({ part, at, char }) => {
            const { context, ring } = harness();
            const request: WebhookRequest = {
              method: 'POST',
              path: part === 'path' ? mutate(PATH, at, char) : PATH,
              headers: {
                'X-IOV-JWT': part === 'token' ? mutate(token, at, char) : part === 'junk' ? char : token,
                'Content-Type': 'application/jose',
              },
              body: part === 'body' ? mutate(body, at, char) : body,
            };
            let thrown: unknown;
            try {
              await verifyWebhook(request, context);
            } catch (err) {
              thrown = err;
            }
            expect(thrown).to.be.instanceOf(LaunchKeyError);
            expect(ring.calls).to.equal(0);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('webhookFailureStatus', () => {
    it('maps every failure class to the status a handler answers', () => {
      expect(webhookFailureStatus(new JwtVerificationError('replay', 'r'))).to.equal(204);
      expect(webhookFailureStatus(new JwtVerificationError('signature', 's'))).to.equal(401);
      expect(webhookFailureStatus(new PayloadValidationError('content-length', 'big'))).to.equal(413);
      expect(webhookFailureStatus(new PayloadValidationError('content-type', 'type'))).to.equal(415);
      expect(webhookFailureStatus(new PayloadValidationError('api_time', 'bad'))).to.equal(400);
      expect(webhookFailureStatus(new JweDecryptionError('key', 'k'))).to.equal(503);
      expect(webhookFailureStatus(new JweDecryptionError('decrypt', 'd'))).to.equal(400);
      expect(webhookFailureStatus(new AuthRequestMismatchError('a', 'b'))).to.equal(400);
      expect(webhookFailureStatus(new LegacyPackageRefusedError())).to.equal(400);
      expect(webhookFailureStatus(new ReplayCacheError('full', 'f'))).to.equal(503);
      expect(webhookFailureStatus(new ReplayCacheError('unavailable', 'u'))).to.equal(503);
      expect(webhookFailureStatus(new UnknownApiKeyError('ab:cd'))).to.equal(503);
      expect(webhookFailureStatus(new ClockNotSynchronizedError())).to.equal(503);
      expect(webhookFailureStatus(new NetworkError('down'))).to.equal(503);
      expect(webhookFailureStatus(new ApiTimeoutError(1000))).to.equal(503);
      expect(webhookFailureStatus(new ApiUnavailableError(502))).to.equal(503);
      expect(webhookFailureStatus(new UnexpectedResponseError('odd'))).to.equal(503);
      expect(webhookFailureStatus(new ResponseTooLargeError(10))).to.equal(400);
      expect(webhookFailureStatus(new ConfigurationError('c'))).to.equal(500);
      expect(webhookFailureStatus(new TypeError('bug'))).to.equal(500);
    });
  });
});
