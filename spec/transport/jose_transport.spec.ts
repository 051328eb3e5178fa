import { expect } from 'chai';
import nock from 'nock';

import { decodeProtectedHeader } from 'jose';

import { KeyRing, loadPrivateKey, loadPublicKey, type PrivateKey } from '../../lib/crypto/keys.js';
import {
  ApiError,
  ApiUnavailableError,
  AuthorizationInProgressError,
  ConfigurationError,
  EntityNotFoundError,
  JweDecryptionError,
  JwtVerificationError,
  RateLimitedError,
  ServiceNotFoundError,
  UnauthorizedError,
  UnexpectedResponseError,
  API_ERROR_CODES,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  RequestTimedOutError,
  UnexpectedStatusError,
} from '../../lib/errors.js';
import { JoseTransport, type TransportOptions } from '../../lib/transport/jose_transport.js';
import { BASE_URL, FakeApi, rehash, type FakeApiOptions } from '../support/fake_api.js';
import { narrow, rejection } from '../support/assertions.js';
import { vectorText } from '../support/vectors.js';

const ISSUER = 'svc:f8329e0e-dd7a-11e7-98b4-469158467b1a';
const SUBJECT = ISSUER;
const OTHER = 'svc:0c4a3d5e-1111-4222-8333-444455556666';

// 2048-bit keys from the official SDKs' suites: one plays the API, others the service.
const apiKey = loadPrivateKey(vectorText('python-features-organization-key.pem'));
const rotatedApiKey = loadPrivateKey(vectorText('dotnet-webclienttransport-private-key.pem'));
const clientKey = loadPrivateKey(vectorText('dotnet-test-private.key'));
const secondClientKey = loadPrivateKey(vectorText('python-valid-private-key.pem'));

function transport(options: TransportOptions = {}, keys: PrivateKey[] = [clientKey]): JoseTransport {
  return new JoseTransport(ISSUER, new KeyRing(keys), { baseUrl: BASE_URL, ...options });
}

function fakeApi(options: Partial<FakeApiOptions> = {}): FakeApi {
  return new FakeApi({ apiKey, clientKey: clientKey.publicKey, ...options }).ping().publicKey();
}

const unhandled: unknown[] = [];
function onUnhandled(reason: unknown): void {
  unhandled.push(reason);
}

describe('JoseTransport', () => {
  before(() => {
    nock.disableNetConnect();
    process.on('unhandledRejection', onUnhandled);
  });
  after(() => {
    nock.enableNetConnect();
    process.off('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    nock.cleanAll();
    expect(unhandled, 'unhandled rejections').to.deep.equal([]);
  });

  describe('constructor', () => {
    it('refuses an issuer that is not an entity id', () => {
      expect(() => new JoseTransport('service', new KeyRing([clientKey]), { baseUrl: BASE_URL })).to.throw(
        ConfigurationError,
        /issuer/,
      );
    });

    it('refuses a leeway outside 0 to 120 seconds', () => {
      for (const leeway of [-1, 121, Number.NaN]) {
        expect(() => transport({ leeway }))
          .to.throw(ConfigurationError)
          .with.property('option', 'leeway');
      }
    });

    it('refuses an algorithm or a hash function outside the protocol’s at setup, naming the option', () => {
      const cases: [string, Record<string, unknown>][] = [
        ['signingAlgorithm', { signingAlgorithm: 'HS256' }],
        ['encryptionAlgorithm', { encryptionAlgorithm: 'RSA1_5' }],
        ['hashFunc', { hashFunc: 'sha256' }],
      ];
      for (const [option, given] of cases) {
        expect(() => transport(given))
          .to.throw(ConfigurationError, /must be one of/)
          .with.property('option', option);
      }
    });
  });

  describe('a successful call', () => {
    it('seals the body for the API and opens the encrypted answer', async () => {
      const api = fakeApi().reply('POST', '/service/v3/auths', {
        status: 201,
        payload: { auth_request: 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5' },
      });
      const result = await transport().request({
        method: 'POST',
        path: '/service/v3/auths',
        subject: SUBJECT,
        body: { username: 'alice' },
      });
      expect(result.status).to.equal(201);
      expect(result.data).to.deep.equal({ auth_request: 'dadb2c1e-f0f3-11e7-8fb0-0469f8dc10a5' });
      const seen = api.seen[0]!;
      expect(seen.body).to.deep.equal({ username: 'alice' });
      expect(seen.claims).to.include({ iss: ISSUER, sub: SUBJECT, aud: 'lka' });
      expect(seen.claims.exp - seen.claims.iat).to.equal(5);
      expect(seen.claims.request).to.include({ meth: 'POST', path: '/service/v3/auths', func: 'S256' });
      expect(seen.tokenHeader).to.deep.equal({ alg: 'RS256', kid: clientKey.kid });
      expect(seen.jweHeader).to.include({ alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: apiKey.kid });
      expect(seen.headers['content-type']).to.equal('application/jose');
      expect(String(seen.headers['user-agent'])).to.match(/^passport-launchkey\/\d+\.\d+\.\d+ \(Node\.js\/20\./);
      expect(api.scope.isDone()).to.be.true;
    });

    it('sends no body, no hash claims and no content type on a GET, and returns undefined for a 204', async () => {
      const api = fakeApi().reply('GET', '/service/v3/auths/0f8b0f4e-0000-4000-8000-000000000001', { status: 204 });
      const result = await transport().request({
        method: 'GET',
        path: '/service/v3/auths/0f8b0f4e-0000-4000-8000-000000000001',
        subject: SUBJECT,
      });
      expect(result).to.include({ status: 204, data: undefined });
      const seen = api.seen[0]!;
      expect(seen.claims.request).to.deep.equal({
        meth: 'GET',
        path: '/service/v3/auths/0f8b0f4e-0000-4000-8000-000000000001',
      });
      expect(seen.headers['content-type']).to.equal(undefined);
    });

    it('signs with RS512, wraps with RSA-OAEP-256 and hashes with S384 when configured', async () => {
      const api = fakeApi().reply('POST', '/service/v3/sessions', { status: 204 });
      await transport({ signingAlgorithm: 'RS512', encryptionAlgorithm: 'RSA-OAEP-256', hashFunc: 'S384' }).request({
        method: 'POST',
        path: '/service/v3/sessions',
        subject: SUBJECT,
        body: { username: 'alice' },
      });
      const seen = api.seen[0]!;
      expect(seen.tokenHeader['alg']).to.equal('RS512');
      expect(seen.jweHeader?.['alg']).to.equal('RSA-OAEP-256');
      expect(seen.claims.request?.func).to.equal('S384');
    });

    it('decrypts an answer encrypted to a non-signing key of the ring, chosen by kid', async () => {
      fakeApi().reply('POST', '/service/v3/auths', {
        status: 201,
        payload: { ok: true },
        encryptTo: secondClientKey.publicKey,
      });
      const result = await transport({}, [clientKey, secondClientKey]).request({
        method: 'POST',
        path: '/service/v3/auths',
        subject: SUBJECT,
        body: {},
      });
      expect(result.data).to.deep.equal({ ok: true });
    });

    it('reuses the clock offset and the current API key across calls', async () => {
      const api = fakeApi();
      api.reply('DELETE', '/service/v3/sessions', { status: 204 }).reply('DELETE', '/service/v3/sessions', {
        status: 204,
      });
      const t = transport();
      for (let i = 0; i < 2; i++) {
        await t.request({ method: 'DELETE', path: '/service/v3/sessions', subject: SUBJECT, body: { username: 'a' } });
      }
      expect(api.scope.isDone()).to.be.true; // one ping and one key fetch were scripted, and both were used
    });

    it('stamps the request token with the API clock, not the local one', async () => {
      const api = fakeApi({ clockOffset: 120 }).reply('GET', '/service/v3/auths/x', { status: 204 });
      await transport().request({ method: 'GET', path: '/service/v3/auths/x', subject: SUBJECT });
      const skew = api.seen[0]!.claims.iat - Math.floor(Date.now() / 1000);
      expect(skew).to.be.within(118, 121);
    });

    it('refuses an API clock offset beyond maxClockOffset and sends no signed request', async () => {
      const api = new FakeApi({ apiKey, clientKey: clientKey.publicKey, clockOffset: 3600 }).ping();
      const err = await rejection(
        transport({ maxClockOffset: 300 }).request({ method: 'GET', path: '/service/v3/auths/x', subject: SUBJECT }),
      );
      expect(err).to.be.instanceOf(UnexpectedResponseError);
      expect(err.message).to.match(/more than the 300 s accepted/);
      expect(api.seen).to.have.length(0);
    });
  });

  describe('API errors', () => {
    for (const [errorCode, errorClass] of Object.entries(API_ERROR_CODES)) {
      it(`maps a verified 400 with error_code ${errorCode} to ${errorClass.name}`, async () => {
        fakeApi().reply('POST', '/service/v3/auths', {
          status: 400,
          payload: { error_code: errorCode, error_detail: `detail of ${errorCode}` },
        });
        const err = await rejection(
          transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
        );
        expect(err).to.be.instanceOf(errorClass);
        expect(err).to.include({ status: 400, errorCode, errorDetail: `detail of ${errorCode}` });
        expect(err.message).to.equal(`detail of ${errorCode}`);
      });
    }

    it('maps the busy signal (409 SVC-005) with the pending request id, origin and expiry', async () => {
      fakeApi().reply('POST', '/service/v3/auths', {
        status: 409,
        payload: {
          error_code: 'SVC-005',
          error_detail: 'An auth already exists.',
          error_data: {
            auth_request: 'adc0d351-d8a8-11e8-9fe8-acde48001122',
            from_same_service: true,
            expires: '2018-11-28T22:04:44Z',
          },
        },
      });
      const err = await rejection(
        transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
      );
      const busy = narrow(err, AuthorizationInProgressError);
      expect(busy.authorizationRequestId).to.equal('adc0d351-d8a8-11e8-9fe8-acde48001122');
      expect(busy.fromSameService).to.be.true;
      expect(busy.expires?.toISOString()).to.equal('2018-11-28T22:04:44.000Z');
    });

    it('lets the error code win over the status (404 with SVC-004 is ServiceNotFound)', async () => {
      fakeApi().reply('POST', '/organization/v3/service/policy/item', {
        status: 404,
        payload: { error_code: 'SVC-004', error_detail: 'Service not found' },
      });
      const err = await rejection(
        transport().request({
          method: 'POST',
          path: '/organization/v3/service/policy/item',
          subject: SUBJECT,
          body: {},
        }),
      );
      expect(err).to.be.instanceOf(ServiceNotFoundError);
    });

    const byStatus: [number, new (...args: never[]) => ApiError][] = [
      [400, InvalidRequestError],
      [403, ForbiddenError],
      [404, EntityNotFoundError],
      [408, RequestTimedOutError],
      [409, ConflictError],
      [418, UnexpectedStatusError],
    ];
    for (const [status, errorClass] of byStatus) {
      it(`maps a verified empty ${status} to ${errorClass.name} with code HTTP-${status}`, async () => {
        fakeApi().reply('GET', '/service/v3/auths/x', { status });
        const err = await rejection(
          transport().request({ method: 'GET', path: '/service/v3/auths/x', subject: SUBJECT }),
        );
        expect(err).to.be.instanceOf(errorClass);
        expect(err).to.include({ status, errorCode: `HTTP-${status}` });
      });
    }

    it('maps a verified 429 to RateLimited with the Retry-After seconds', async () => {
      fakeApi().reply('POST', '/service/v3/auths', {
        status: 429,
        tamper: (draft) => {
          draft.headers['Retry-After'] = '17';
        },
      });
      const err = await rejection(
        transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
      );
      expect(narrow(err, RateLimitedError).retryAfter).to.equal(17);
    });

    it('maps a signed 401 to Unauthorized, also with the audience "public" the API once used', async () => {
      fakeApi()
        .reply('GET', '/service/v3/auths/x', { status: 401 })
        .reply('GET', '/service/v3/auths/y', {
          status: 401,
          tamper: (draft) => {
            draft.claims['aud'] = 'public';
            draft.claims['sub'] = 'unknown';
          },
        });
      const t = transport();
      for (const id of ['x', 'y']) {
        const err = await rejection(t.request({ method: 'GET', path: `/service/v3/auths/${id}`, subject: SUBJECT }));
        expect(err).to.be.instanceOf(UnauthorizedError);
      }
    });

    it('treats an unsigned 401 as an unexpected response, not as bad credentials', async () => {
      fakeApi().reply('GET', '/service/v3/auths/x', { status: 401, unsigned: true });
      const err = await rejection(
        transport().request({ method: 'GET', path: '/service/v3/auths/x', subject: SUBJECT }),
      );
      expect(err).to.be.instanceOf(UnexpectedResponseError);
      expect(err).not.to.be.instanceOf(UnauthorizedError);
    });

    it('refuses the audience "public" on anything but a 401', async () => {
      fakeApi().reply('GET', '/service/v3/auths/x', {
        status: 204,
        tamper: (draft) => {
          draft.claims['aud'] = 'public';
        },
      });
      const err = await rejection(
        transport().request({ method: 'GET', path: '/service/v3/auths/x', subject: SUBJECT }),
      );
      expect(err).to.be.instanceOf(JwtVerificationError);
      expect(err).to.include({ code: 'ERR_LK_JWT_CLAIM', claim: 'aud' });
    });

    for (const status of [500, 502, 503]) {
      it(`maps ${status} to ApiUnavailable without needing a token`, async () => {
        fakeApi().reply('POST', '/service/v3/auths', { status, unsigned: true });
        const err = await rejection(
          transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
        );
        expect(err).to.be.instanceOf(ApiUnavailableError);
        expect(err).to.include({ status, code: 'ERR_LK_API_UNAVAILABLE' });
      });
    }
  });

  describe('tampered answers', () => {
    const attacker = loadPrivateKey(vectorText('python-valid-private-key.pem'));
    const cases: {
      title: string;
      tamper: (draft: import('../support/fake_api.js').DraftResponse) => void;
      code: string;
      claim?: string;
    }[] = [
      {
        title: 'a signature by another key that claims the API kid',
        tamper: (d) => {
          d.signingKey = { ...attacker, kid: apiKey.kid };
        },
        code: 'ERR_LK_JWT_SIGNATURE',
      },
      {
        title: 'the jti of another request (a replayed answer)',
        tamper: (d) => {
          d.claims['jti'] = '0e4f2a8e-8d1b-4b8e-9a1c-6f1d8c3b2a10';
        },
        code: 'ERR_LK_JWT_JTI_MISMATCH',
        claim: 'jti',
      },
      {
        title: 'another audience',
        tamper: (d) => void (d.claims['aud'] = OTHER),
        code: 'ERR_LK_JWT_CLAIM',
        claim: 'aud',
      },
      {
        title: 'another issuer',
        tamper: (d) => void (d.claims['iss'] = ISSUER),
        code: 'ERR_LK_JWT_CLAIM',
        claim: 'iss',
      },
      {
        title: 'another subject',
        tamper: (d) => void (d.claims['sub'] = OTHER),
        code: 'ERR_LK_JWT_CLAIM',
        claim: 'sub',
      },
      {
        title: 'a status that is not the HTTP status',
        tamper: (d) => void ((d.claims['response'] as Record<string, unknown>)['status'] = 204),
        code: 'ERR_LK_JWT_BINDING',
        claim: 'response.status',
      },
      {
        title: 'a body changed after signing',
        tamper: (d) => void (d.body = d.body.slice(0, -2) + (d.body.endsWith('AA') ? 'AB' : 'AA')),
        code: 'ERR_LK_JWT_BODY_HASH',
        claim: 'response.hash',
      },
      {
        title: 'an expired token',
        tamper: (d) => {
          const old = Math.floor(Date.now() / 1000) - 600;
          Object.assign(d.claims, { iat: old, nbf: old, exp: old + 5 });
        },
        code: 'ERR_LK_JWT_EXPIRED',
        claim: 'exp',
      },
      {
        title: 'a Location header the token does not mirror',
        tamper: (d) => void (d.headers['Location'] = 'https://elsewhere.test/'),
        code: 'ERR_LK_JWT_BINDING',
        claim: 'response.location',
      },
      {
        title: 'a Cache-Control header that differs from the mirrored one',
        tamper: (d) => {
          (d.claims['response'] as Record<string, unknown>)['cache'] = 'no-store';
          d.headers['Cache-Control'] = 'max-age=60';
        },
        code: 'ERR_LK_JWT_BINDING',
        claim: 'response.cache',
      },
    ];
    for (const { title, tamper, code, claim } of cases) {
      it(`rejects ${title} with ${code}`, async () => {
        fakeApi().reply('POST', '/service/v3/auths', { status: 201, payload: { auth_request: 'x' }, tamper });
        const err = await rejection(
          transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
        );
        expect(err.code).to.equal(code);
        if (claim !== undefined) expect(narrow(err, JwtVerificationError).claim).to.equal(claim);
      });
    }

    it('checks the body hash before decrypting: a rehashed garbage body fails decryption, an unhashed one never gets there', async () => {
      fakeApi()
        .reply('POST', '/service/v3/auths', {
          status: 201,
          payload: { a: 1 },
          tamper: (d) => {
            d.body = 'not.a.jwe';
          },
        })
        .reply('POST', '/service/v3/auths', {
          status: 201,
          payload: { a: 1 },
          tamper: (d) => {
            d.body = 'not.a.jwe';
            rehash(d);
          },
        });
      const t = transport();
      const call = () => t.request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} });
      expect((await rejection(call())).code).to.equal('ERR_LK_JWT_BODY_HASH');
      expect((await rejection(call())).code).to.equal('ERR_LK_JWE_MALFORMED');
    });

    it('rejects an answer without X-IOV-JWT', async () => {
      fakeApi().reply('POST', '/service/v3/auths', { status: 201, payload: { a: 1 }, unsigned: true });
      const err = await rejection(
        transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
      );
      expect(err).to.be.instanceOf(UnexpectedResponseError);
      expect(err.message).to.match(/X-IOV-JWT/);
    });

    it('fails with the JWE key id when the answer is encrypted to a key the client does not hold', async () => {
      fakeApi().reply('POST', '/service/v3/auths', {
        status: 201,
        payload: { a: 1 },
        encryptTo: secondClientKey.publicKey,
      });
      const err = await rejection(
        transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
      );
      expect(err).to.be.instanceOf(JweDecryptionError);
      expect(err).to.include({ code: 'ERR_LK_JWE_KEY_NOT_FOUND', kid: secondClientKey.kid });
    });
  });

  describe('API key rotation', () => {
    it('fetches an unknown signing key once by its kid, then keeps it', async () => {
      const api = fakeApi();
      api.scope
        .get(`/public/v3/public-key/${rotatedApiKey.kid}`)
        .once()
        .reply(200, rotatedApiKey.publicKey.pem, { 'X-IOV-KEY-ID': rotatedApiKey.kid });
      const signWithRotated = { tamper: (d: { signingKey: PrivateKey }) => void (d.signingKey = rotatedApiKey) };
      api.reply('GET', '/service/v3/auths/a', { status: 204, ...signWithRotated });
      api.reply('GET', '/service/v3/auths/b', { status: 204, ...signWithRotated });
      const t = transport();
      await t.request({ method: 'GET', path: '/service/v3/auths/a', subject: SUBJECT });
      await t.request({ method: 'GET', path: '/service/v3/auths/b', subject: SUBJECT });
      expect(api.scope.isDone()).to.be.true;
    });

    it('refuses a key served for a kid whose fingerprint differs from that kid', async () => {
      const api = fakeApi();
      api.scope
        .get(`/public/v3/public-key/${rotatedApiKey.kid}`)
        .reply(200, attackerPem(), { 'X-IOV-KEY-ID': rotatedApiKey.kid });
      api.reply('GET', '/service/v3/auths/a', { status: 204, tamper: (d) => void (d.signingKey = rotatedApiKey) });
      const err = await rejection(
        transport().request({ method: 'GET', path: '/service/v3/auths/a', subject: SUBJECT }),
      );
      expect(err).to.be.instanceOf(UnexpectedResponseError);
      expect(err.message).to.match(/key id/);
    });

    it('remembers a kid the API does not know, so a second token naming it costs no fetch', async () => {
      const api = fakeApi();
      api.scope.get(`/public/v3/public-key/${rotatedApiKey.kid}`).once().reply(404);
      const tamper = (d: { signingKey: PrivateKey }) => void (d.signingKey = rotatedApiKey);
      api.reply('GET', '/service/v3/auths/a', { status: 204, tamper });
      api.reply('GET', '/service/v3/auths/b', { status: 204, tamper });
      const t = transport();
      for (const id of ['a', 'b']) {
        const err = await rejection(t.request({ method: 'GET', path: `/service/v3/auths/${id}`, subject: SUBJECT }));
        expect(err).to.include({ code: 'ERR_LK_JWT_KEY', claim: 'kid' });
      }
      expect(api.scope.isDone()).to.be.true;
    });

    it('coalesces concurrent look-ups of one unknown kid into one fetch', async () => {
      const api = new FakeApi({ apiKey, clientKey: clientKey.publicKey }).ping().publicKey();
      api.scope
        .get(`/public/v3/public-key/${rotatedApiKey.kid}`)
        .once()
        .delay(20)
        .reply(200, rotatedApiKey.publicKey.pem, { 'X-IOV-KEY-ID': rotatedApiKey.kid });
      const t = transport();
      await t.clock.offset();
      await t.apiKeys.current();
      const keys = await Promise.all(Array.from({ length: 20 }, () => t.apiKeys.byKid(rotatedApiKey.kid)));
      expect(new Set(keys).size).to.equal(1);
      expect(keys[0]?.kid).to.equal(rotatedApiKey.kid);
      expect(api.scope.isDone()).to.be.true;
    });
  });

  describe('public endpoints', () => {
    it('refuses a current key response without X-IOV-KEY-ID', async () => {
      nock(BASE_URL)
        .get('/public/v3/ping')
        .reply(200, { api_time: new Date().toISOString() })
        .get('/public/v3/public-key')
        .reply(200, apiKey.publicKey.pem);
      const err = await rejection(
        transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
      );
      expect(err).to.be.instanceOf(UnexpectedResponseError);
      expect(err.message).to.match(/X-IOV-KEY-ID/);
    });

    it('refuses a current key that is JSON, not PEM', async () => {
      nock(BASE_URL)
        .get('/public/v3/ping')
        .reply(200, { api_time: new Date().toISOString() })
        .get('/public/v3/public-key')
        .reply(200, { key: 'x' }, { 'X-IOV-KEY-ID': apiKey.kid });
      const err = await rejection(
        transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: {} }),
      );
      expect(err).to.be.instanceOf(UnexpectedResponseError);
      expect(err.cause).to.be.instanceOf(ConfigurationError);
    });

    it('refuses a ping without a parseable api_time', async () => {
      nock(BASE_URL).get('/public/v3/ping').reply(200, { api_time: 'yesterday' });
      const err = await rejection(
        transport().request({ method: 'GET', path: '/service/v3/auths/x', subject: SUBJECT }),
      );
      expect(err).to.be.instanceOf(UnexpectedResponseError);
    });

    it('maps a 503 from the ping to ApiUnavailable', async () => {
      nock(BASE_URL).get('/public/v3/ping').reply(503);
      const err = await rejection(
        transport().request({ method: 'GET', path: '/service/v3/auths/x', subject: SUBJECT }),
      );
      expect(err).to.be.instanceOf(ApiUnavailableError);
    });
  });

  it('encrypts the request body to the current API key named in the JWE kid', async () => {
    const api = fakeApi().reply('POST', '/service/v3/auths', { status: 204 });
    await transport().request({ method: 'POST', path: '/service/v3/auths', subject: SUBJECT, body: { a: 1 } });
    const authorization = String(api.seen[0]!.headers['authorization']);
    expect(decodeProtectedHeader(authorization.slice(8))).to.deep.equal({ alg: 'RS256', kid: clientKey.kid });
  });
});

function attackerPem(): string {
  return loadPublicKey(vectorText('java-jwt-test-public-key-2048.pem')).pem;
}
