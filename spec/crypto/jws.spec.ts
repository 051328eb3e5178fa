import { expect } from 'chai';
import { compactVerify, jwtVerify } from 'jose';
import { createHmac, sign as rsaSign, type KeyObject } from 'node:crypto';

import { digestHex } from '../../lib/crypto/digest.js';
import {
  API_ENTITY,
  DEFAULT_LEEWAY,
  DEFAULT_MAX_LIFETIME,
  DEFAULT_MAX_TOKEN_LENGTH,
  JWS_ALGORITHMS,
  TOKEN_LIFETIME,
  checkRequestBinding,
  checkResponseBinding,
  epochSeconds,
  readTokenHeader,
  requestClaims,
  responseClaims,
  signToken,
  verifyToken,
  type JwsAlgorithm,
  type TokenClaims,
  type VerifyTokenOptions,
} from '../../lib/crypto/jws.js';
import { loadPrivateKey, loadPublicKey, type PublicKey } from '../../lib/crypto/keys.js';
import { JwtVerificationError, type JwtFailure } from '../../lib/errors.js';
import { JWT_CODES } from '../support/assertions.js';
import { endToEnd, vectorJson, vectorText, vectorToken } from '../support/vectors.js';

function checkJwtError(err: unknown, failure: JwtFailure, claim: string | undefined, message?: RegExp): void {
  expect(err, 'an error must be thrown').to.be.instanceOf(JwtVerificationError);
  const e = err as JwtVerificationError;
  expect(e.code).to.equal(JWT_CODES[failure]);
  expect(e.failure).to.equal(failure);
  expect(e.claim).to.equal(claim);
  if (message !== undefined) expect(e.message).to.match(message);
}

async function expectRejects(
  promise: Promise<unknown>,
  failure: JwtFailure,
  claim?: string,
  message?: RegExp,
): Promise<void> {
  let thrown: unknown;
  try {
    await promise;
  } catch (err) {
    thrown = err;
  }
  checkJwtError(thrown, failure, claim, message);
}

function expectThrows(fn: () => unknown, failure: JwtFailure, claim?: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  checkJwtError(thrown, failure, claim, message);
}

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const RS_HASH: Record<JwsAlgorithm, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

/** Builds a compact JWS by hand (any header, any payload), signed PKCS#1 v1.5 with `key`. */
function forge(header: unknown, payload: unknown, key: KeyObject, alg: JwsAlgorithm = 'RS256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${rsaSign(RS_HASH[alg], Buffer.from(input), key).toString('base64url')}`;
}

const REAL_AUD = 'svc:f8329e0e-dd7a-11e7-98b4-469158467b1a';
const REAL_JTI = '22dae4253165495a8ed56c34c4d050ce';
const REAL_NOW = 1515051701;
const API_KID = 'd2:8e:16:91:39:5b:9d:24:73:0e:36:0a:9a:ef:7e:de';

describe('crypto/jws', () => {
  const apiProduction = loadPublicKey(vectorText('api-public-key-4096.pem'));
  const wrongKey = loadPublicKey(vectorText('java-jwt-test-public-key-2048.pem'));
  const emulatorApi = loadPublicKey(vectorText('java-jcecrypto-public-key.pem'));
  const client = loadPrivateKey(vectorText('dotnet-test-private.key'));
  const attacker = loadPrivateKey(vectorText('python-valid-private-key.pem'));
  const realToken = vectorToken('api-response-jwt-real.jwt');
  const e2e = endToEnd();

  /** A resolver that knows exactly one key. */
  const only =
    (key: PublicKey) =>
    (kid: string): PublicKey | undefined =>
      kid === key.kid ? key : undefined;

  const realOptions = (overrides: Partial<VerifyTokenOptions> = {}): VerifyTokenOptions => ({
    resolveKey: only(apiProduction),
    now: REAL_NOW,
    audience: REAL_AUD,
    issuer: 'lka',
    jti: REAL_JTI,
    ...overrides,
  });

  // Tokens signed by the client key for the tamper tests, all at T.
  const T = 1600000000;
  const base = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    ...requestClaims({
      issuer: 'svc:00000000-0000-4000-8000-000000000001',
      subject: 'svc:00000000-0000-4000-8000-000000000001',
      jti: 'c0ffee00-0000-4000-8000-000000000000',
      method: 'POST',
      path: '/webhook',
      body: '{"a":1}',
      now: T,
    }),
    ...overrides,
  });
  const header = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    alg: 'RS256',
    kid: client.kid,
    ...overrides,
  });
  const clientOptions = (overrides: Partial<VerifyTokenOptions> = {}): VerifyTokenOptions => ({
    resolveKey: only(client.publicKey),
    now: T,
    ...overrides,
  });

  // -------------------------------------------------------------------------------------------
  describe('the real production response token', () => {
    it('verifyToken accepts api-response-jwt-real.jwt with the production API key at 2018-01-04T07:41:41Z', async () => {
      const { header: h, claims } = await verifyToken(realToken, realOptions({ subject: REAL_AUD }));
      expect(h).to.deep.equal({ alg: 'RS256', typ: 'JWT', kid: API_KID });
      expect(claims.iss).to.equal('lka');
      expect(claims.aud).to.equal(REAL_AUD);
      expect(claims.sub).to.equal(REAL_AUD);
      expect(claims.jti).to.equal(REAL_JTI);
      expect([claims.iat, claims.nbf, claims.exp]).to.deep.equal([1515051701, 1515051701, 1515051706]);
      expect(claims['cty']).to.equal('application/json');
      expect(claims.response).to.deep.equal({
        status: 200,
        hash: '4c5b80ed8e54aeb049081ba0c1a4d5b29078d2233cae91d89852250a1d1d59a2',
        func: 'S256',
      });
    });

    it('verifyToken passes the header kid and the unverified iss to resolveKey', async () => {
      const calls: [string, string | undefined][] = [];
      await verifyToken(
        realToken,
        realOptions({
          resolveKey: (kid, iss) => {
            calls.push([kid, iss]);
            return Promise.resolve(apiProduction);
          },
        }),
      );
      expect(calls).to.deep.equal([[API_KID, 'lka']]);
    });

    it('verifyToken accepts the real token when the audience option lists its aud among others', async () => {
      const { claims } = await verifyToken(realToken, realOptions({ audience: ['svc:other', REAL_AUD] }));
      expect(claims.aud).to.equal(REAL_AUD);
    });

    it('checkResponseBinding refuses the real token for HTTP 201 because it binds status 200', async () => {
      const { claims } = await verifyToken(realToken, realOptions());
      expectThrows(() => checkResponseBinding(claims, { status: 201 }), 'binding', 'response.status');
    });

    it('checkResponseBinding gets past the status check for HTTP 200 and then requires the hashed body', async () => {
      const { claims } = await verifyToken(realToken, realOptions());
      expectThrows(() => checkResponseBinding(claims, { status: 200 }), 'body-hash', 'response.hash');
      expectThrows(
        () => checkResponseBinding(claims, { status: 200, body: 'not the body' }),
        'body-hash',
        'response.hash',
      );
    });

    it('verifyToken rejects the real token with the wrong public key (signature)', async () => {
      await expectRejects(
        verifyToken(realToken, realOptions({ resolveKey: () => wrongKey })),
        'signature',
        undefined,
        /^JWT signature does not verify$/,
      );
    });

    it('verifyToken rejects the real token for another audience', async () => {
      await expectRejects(verifyToken(realToken, realOptions({ audience: 'svc:other' })), 'claim', 'aud');
    });

    it('verifyToken rejects the real token for another jti', async () => {
      await expectRejects(
        verifyToken(realToken, realOptions({ jti: '00000000000000000000000000000000' })),
        'jti',
        'jti',
      );
    });

    it('verifyToken rejects the real token for another issuer or subject', async () => {
      await expectRejects(verifyToken(realToken, realOptions({ issuer: 'lkb' })), 'claim', 'iss');
      await expectRejects(verifyToken(realToken, realOptions({ subject: 'svc:other' })), 'claim', 'sub');
    });

    it('verifyToken rejects the real token at 2001-01-01 as not yet valid', async () => {
      await expectRejects(verifyToken(realToken, realOptions({ now: 978307200 })), 'not-yet-valid', 'nbf');
    });

    it('verifyToken rejects the real token long after exp as expired', async () => {
      await expectRejects(verifyToken(realToken, realOptions({ now: 1600000000 })), 'expired', 'exp');
    });

    it('verifyToken rejects the real token as expired when no now is given (local clock)', async () => {
      const withoutNow = realOptions();
      delete withoutNow.now;
      await expectRejects(verifyToken(realToken, withoutNow), 'expired', 'exp');
    });

    it('verifyToken rejects the real token when the resolver knows no key for its kid', async () => {
      await expectRejects(verifyToken(realToken, realOptions({ resolveKey: () => undefined })), 'key', 'kid');
    });

    it('verifyToken rejects the real RS256 token when only RS512 is allowed', async () => {
      await expectRejects(verifyToken(realToken, realOptions({ algorithms: ['RS512'] })), 'algorithm', 'alg');
    });

    it('verifyToken rejects the real token when maxLength is below its length', async () => {
      await expectRejects(
        verifyToken(realToken, realOptions({ maxLength: realToken.length - 1 })),
        'malformed',
        undefined,
        /longer than/,
      );
    });

    it('verifyToken rejects the legacy v1 token (no kid) as malformed', async () => {
      const legacy = vectorToken('java-legacy-v1-token.jwt');
      await expectRejects(verifyToken(legacy, realOptions()), 'malformed', 'kid');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('the synthetic end-to-end exchange', () => {
    it('verifyToken accepts the synthetic request token with the client key and checkRequestBinding binds it', async () => {
      const authorization = e2e.request.headers.Authorization;
      expect(authorization.startsWith('IOV-JWT ')).to.equal(true);
      const token = authorization.slice('IOV-JWT '.length);
      const client2 = loadPublicKey(vectorText('dotnet-test-public.key'));
      const { header: h, claims } = await verifyToken(token, {
        resolveKey: only(client2),
        now: 1600000000,
        audience: 'lka',
        issuer: e2e.issuer,
        subject: e2e.subject,
      });
      expect(h.kid).to.equal(e2e.client_key.kid);
      expect(claims).to.deep.equal(e2e.request.jwt_claims);
      const request = checkRequestBinding(claims, {
        method: e2e.request.method,
        path: e2e.request.path,
        body: e2e.request.body,
      });
      expect(request).to.deep.equal(e2e.request.jwt_claims['request']);
    });

    it('signToken reproduces the deterministic synthetic request token byte for byte', async () => {
      const token = e2e.request.headers.Authorization.slice('IOV-JWT '.length);
      expect(await signToken(e2e.request.jwt_claims, client, { typ: true })).to.equal(token);
    });

    it('verifyToken accepts the synthetic response token with the API key and checkResponseBinding binds it', async () => {
      const { claims } = await verifyToken(e2e.response.headers['X-IOV-JWT'], {
        resolveKey: only(emulatorApi),
        now: 1600000000,
        issuer: 'lka',
        audience: e2e.issuer,
        subject: e2e.subject,
        jti: e2e.request.jwt_claims['jti'] as string,
      });
      expect(claims).to.deep.equal(e2e.response.jwt_claims);
      const response = checkResponseBinding(claims, { status: 201, body: e2e.response.body });
      expect(response).to.deep.equal(e2e.response.jwt_claims['response']);
    });

    it('checkResponseBinding refuses the synthetic response body changed by one byte', async () => {
      const { claims } = await verifyToken(e2e.response.headers['X-IOV-JWT'], {
        resolveKey: only(emulatorApi),
        now: 1600000000,
      });
      const body = e2e.response.body;
      const changed = `${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}`;
      expectThrows(() => checkResponseBinding(claims, { status: 201, body: changed }), 'body-hash', 'response.hash');
    });

    it('verifyToken accepts the session-end webhook token and checkRequestBinding binds it to POST /webhook', async () => {
      const wh = e2e.webhook_session_end;
      const { claims } = await verifyToken(wh.headers['X-IOV-JWT'], {
        resolveKey: only(emulatorApi),
        now: 1600000000,
        issuer: 'lka',
        audience: e2e.issuer,
        subject: e2e.subject,
      });
      expect(claims).to.deep.equal(wh.jwt_claims);
      expect(checkRequestBinding(claims, { method: 'POST', path: '/webhook', body: wh.body })).to.deep.equal(
        wh.jwt_claims['request'],
      );
    });

    it("checkRequestBinding refuses the session-end webhook at '/webhook/'", async () => {
      const wh = e2e.webhook_session_end;
      const { claims } = await verifyToken(wh.headers['X-IOV-JWT'], { resolveKey: only(emulatorApi), now: 1600000000 });
      expectThrows(
        () => checkRequestBinding(claims, { method: 'POST', path: '/webhook/', body: wh.body }),
        'binding',
        'request.path',
      );
    });

    it('checkRequestBinding refuses the session-end webhook body with a trailing space', async () => {
      const wh = e2e.webhook_session_end;
      const { claims } = await verifyToken(wh.headers['X-IOV-JWT'], { resolveKey: only(emulatorApi), now: 1600000000 });
      expectThrows(
        () => checkRequestBinding(claims, { method: 'POST', path: '/webhook', body: `${wh.body} ` }),
        'body-hash',
        'request.hash',
      );
    });

    it('verifyToken rejects the synthetic webhook token verified with the client key (signature)', async () => {
      const wh = e2e.webhook_session_end;
      const forgedResolver = (): PublicKey => client.publicKey;
      await expectRejects(
        verifyToken(wh.headers['X-IOV-JWT'], { resolveKey: forgedResolver, now: 1600000000 }),
        'signature',
      );
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('token building', () => {
    it('requestClaims reproduces the .NET Encode_ShouldBeDecodable payload exactly', () => {
      const claims = requestClaims({
        jti: 'token id',
        issuer: 'issuer',
        subject: 'subject',
        now: 978307200,
        method: 'GET',
        path: '/out/of/here',
      });
      expect(claims).to.deep.equal(vectorJson('json/dotnet-request-jwt-payload-expected.json'));
    });

    it('requestClaims upper-cases the method, hashes a body with S256 and defaults aud, jti and lifetime', () => {
      const claims = requestClaims({ issuer: 'i', subject: 's', method: 'post', path: '/p', body: 'Testing', now: 10 });
      expect(claims.request).to.deep.equal({
        meth: 'POST',
        path: '/p',
        func: 'S256',
        hash: 'e806a291cfc3e61f83b98d344ee57e3e8933cccece4fb45e1481f1f560e70eb1',
      });
      expect(claims.aud).to.equal(API_ENTITY);
      expect(claims.exp - claims.iat).to.equal(TOKEN_LIFETIME);
      expect(claims.jti).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it('requestClaims gives every token a fresh jti', () => {
      const a = requestClaims({ issuer: 'i', subject: 's', method: 'GET', path: '/' });
      const b = requestClaims({ issuer: 'i', subject: 's', method: 'GET', path: '/' });
      expect(a.jti).to.not.equal(b.jti);
    });

    it('requestClaims uses the hash function, audience and lifetime given', () => {
      const body = new TextEncoder().encode('Hello crazy world');
      const claims = requestClaims({
        issuer: 'i',
        subject: 's',
        audience: 'aud',
        method: 'PUT',
        path: '/p',
        body,
        hashFunc: 'S512',
        now: 100,
        lifetime: 15,
      });
      expect(claims.aud).to.equal('aud');
      expect(claims.request?.func).to.equal('S512');
      expect(claims.request?.hash).to.equal(digestHex('S512', 'Hello crazy world'));
      expect([claims.iat, claims.nbf, claims.exp]).to.deep.equal([100, 100, 115]);
    });

    it('requestClaims omits func and hash for an empty body', () => {
      const claims = requestClaims({ issuer: 'i', subject: 's', method: 'DELETE', path: '/p', body: '', now: 1 });
      expect(claims.request).to.deep.equal({ meth: 'DELETE', path: '/p' });
    });

    it('responseClaims mirrors status, body hash, cache and location and defaults iss to lka', () => {
      const claims = responseClaims({
        audience: 'org:a',
        subject: 'svc:b',
        jti: 'j',
        status: 201,
        body: 'Testing',
        cache: 'no-store',
        location: '/x',
        now: 5,
      });
      expect(claims).to.deep.equal({
        iat: 5,
        nbf: 5,
        exp: 10,
        iss: 'lka',
        sub: 'svc:b',
        aud: 'org:a',
        jti: 'j',
        cty: 'application/json',
        response: {
          status: 201,
          func: 'S256',
          hash: 'e806a291cfc3e61f83b98d344ee57e3e8933cccece4fb45e1481f1f560e70eb1',
          cache: 'no-store',
          location: '/x',
        },
      });
    });

    it('responseClaims carries only the status for an empty response and honours issuer and hashFunc', () => {
      expect(responseClaims({ audience: 'a', subject: 's', jti: 'j', status: 204, now: 1 }).response).to.deep.equal({
        status: 204,
      });
      const claims = responseClaims({
        audience: 'a',
        subject: 's',
        jti: 'j',
        status: 200,
        body: 'x',
        hashFunc: 'S384',
        issuer: 'emu',
        now: 1,
      });
      expect(claims.iss).to.equal('emu');
      expect(claims.response?.func).to.equal('S384');
    });

    it('epochSeconds adds the offset to the local clock in whole seconds', () => {
      const shifted = epochSeconds(1000);
      const local = epochSeconds();
      expect(Number.isInteger(shifted)).to.equal(true);
      expect(shifted - local).to.be.within(999, 1000);
    });

    it('the exported defaults are the protocol values', () => {
      expect(JWS_ALGORITHMS).to.deep.equal(['RS256', 'RS384', 'RS512']);
      expect([
        API_ENTITY,
        TOKEN_LIFETIME,
        DEFAULT_LEEWAY,
        DEFAULT_MAX_LIFETIME,
        DEFAULT_MAX_TOKEN_LENGTH,
      ]).to.deep.equal(['lka', 5, 30, 300, 16384]);
    });

    for (const alg of JWS_ALGORITHMS) {
      it(`signToken and verifyToken round-trip a ${alg} token`, async () => {
        const claims = base();
        const token = await signToken(claims, client, { algorithm: alg });
        const { header: h, claims: verified } = await verifyToken(token, clientOptions());
        expect(h).to.deep.equal({ alg, kid: client.kid });
        expect(verified).to.deep.equal(claims);
      });
    }

    it('signToken adds typ JWT only when asked', async () => {
      const token = await signToken(base(), client, { typ: true });
      expect(readTokenHeader(token).header).to.deep.equal({ alg: 'RS256', typ: 'JWT', kid: client.kid });
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('forged and malformed tokens', () => {
    it('verifyToken rejects alg none with an empty signature as malformed', async () => {
      const token = `${b64(header({ alg: 'none' }))}.${b64(base())}.`;
      await expectRejects(verifyToken(token, clientOptions()), 'malformed');
    });

    it('verifyToken rejects alg none with a filler signature before any key lookup', async () => {
      let lookups = 0;
      const token = `${b64(header({ alg: 'none' }))}.${b64(base())}.AAAA`;
      const resolveKey = (): PublicKey => {
        lookups += 1;
        return client.publicKey;
      };
      await expectRejects(verifyToken(token, clientOptions({ resolveKey })), 'algorithm', 'alg', /"none"/);
      expect(lookups).to.equal(0);
    });

    it('verifyToken rejects an HS256 token keyed with the API public key PEM (RS/HS confusion)', async () => {
      const input = `${b64({ alg: 'HS256', kid: emulatorApi.kid })}.${b64(base({ iss: 'lka' }))}`;
      const mac = createHmac('sha256', emulatorApi.pem).update(input).digest('base64url');
      await expectRejects(
        verifyToken(`${input}.${mac}`, { resolveKey: only(emulatorApi), now: T }),
        'algorithm',
        'alg',
      );
    });

    it('verifyToken rejects PS256, ES256 and mis-cased or padded RS256 alg values', async () => {
      for (const alg of ['PS256', 'ES256', 'rs256', 'RS256 ']) {
        const token = forge(header({ alg }), base(), client.keyObject);
        await expectRejects(verifyToken(token, clientOptions()), 'algorithm', 'alg');
      }
    });

    it('verifyToken rejects a token signed by an attacker key that reuses the API kid', async () => {
      const withApiKid = forge(header({ kid: emulatorApi.kid }), base({ iss: 'lka' }), attacker.keyObject);
      await expectRejects(verifyToken(withApiKid, { resolveKey: only(emulatorApi), now: T }), 'signature');
    });

    it("verifyToken rejects a token signed with the client's own key under the API kid", async () => {
      const selfSigned = forge(header({ kid: emulatorApi.kid }), base({ iss: 'lka' }), client.keyObject);
      await expectRejects(verifyToken(selfSigned, { resolveKey: only(emulatorApi), now: T }), 'signature');
    });

    it('verifyToken rejects a valid signature by a key the resolver maps to another kid', async () => {
      const token = forge(header(), base(), attacker.keyObject);
      await expectRejects(verifyToken(token, clientOptions()), 'signature');
    });

    it('verifyToken rejects a crit header', async () => {
      const token = forge(header({ crit: ['exp'], exp: 1 }), base(), client.keyObject);
      await expectRejects(verifyToken(token, clientOptions()), 'malformed', undefined, /crit and b64/);
    });

    it('verifyToken rejects a b64 header', async () => {
      const token = forge(header({ b64: false }), base(), client.keyObject);
      await expectRejects(verifyToken(token, clientOptions()), 'malformed', undefined, /crit and b64/);
    });

    it('verifyToken never takes the key from jwk, jku, x5u or x5c: an attacker key embedded in the header is not used', async () => {
      const jwk = attacker.publicKey.keyObject.export({ format: 'jwk' });
      let lookups = 0;
      const resolveKey = (kid: string): PublicKey | undefined => {
        lookups += 1;
        return only(client.publicKey)(kid);
      };
      const embedded = { jwk, jku: 'http://127.0.0.1:1/keys', x5u: 'http://127.0.0.1:1/cert', x5c: ['AAAA'] };
      const forged = forge(header(embedded), base(), attacker.keyObject);
      await expectRejects(verifyToken(forged, clientOptions({ resolveKey })), 'signature');
      expect(lookups).to.equal(1);
    });

    it('verifyToken refuses a header that is not UTF-8 before any key lookup (jose would refuse it after)', async () => {
      const headerBytes = Buffer.concat([
        Buffer.from(`{"alg":"RS256","kid":"${client.kid}","x":"`, 'ascii'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}', 'ascii'),
      ]);
      const signingInput = `${headerBytes.toString('base64url')}.${b64(base())}`;
      const token = `${signingInput}.${rsaSign('sha256', Buffer.from(signingInput), client.keyObject).toString('base64url')}`;
      let lookups = 0;
      const resolveKey = (): PublicKey => {
        lookups += 1;
        return client.publicKey;
      };
      expectThrows(() => readTokenHeader(token), 'malformed', undefined, /header is not UTF-8/);
      await expectRejects(verifyToken(token, clientOptions({ resolveKey })), 'malformed', undefined, /not UTF-8/);
      expect(lookups).to.equal(0);
      let joseRefused = false;
      await compactVerify(token, client.publicKey.keyObject, { algorithms: ['RS256'] }).catch(() => {
        joseRefused = true;
      });
      expect(joseRefused, 'jose refuses it too').to.equal(true);
    });

    it('verifyToken rejects aud given as an array, even one holding the expected audience', async () => {
      const token = forge(header(), base({ aud: ['lka'] }), client.keyObject);
      await expectRejects(verifyToken(token, clientOptions({ audience: 'lka' })), 'claim', 'aud');
    });

    for (const name of ['iat', 'nbf', 'exp']) {
      it(`verifyToken rejects a missing ${name}`, async () => {
        const claims = Object.fromEntries(Object.entries(base()).filter(([claim]) => claim !== name));
        await expectRejects(verifyToken(forge(header(), claims, client.keyObject), clientOptions()), 'claim', name);
      });

      for (const bad of [T + 0.5, String(T), -1, 1e21, null, true]) {
        it(`verifyToken rejects ${name} = ${JSON.stringify(bad)}`, async () => {
          const token = forge(header(), base({ [name]: bad }), client.keyObject);
          await expectRejects(verifyToken(token, clientOptions()), 'claim', name);
        });
      }
    }

    for (const name of ['jti', 'iss', 'sub']) {
      it(`verifyToken rejects a missing ${name}`, async () => {
        const claims = Object.fromEntries(Object.entries(base()).filter(([claim]) => claim !== name));
        await expectRejects(verifyToken(forge(header(), claims, client.keyObject), clientOptions()), 'claim', name);
      });
    }

    for (const bad of ['', 123, 'x'.repeat(257), ['a']]) {
      it(`verifyToken rejects jti = ${JSON.stringify(bad).slice(0, 20)}`, async () => {
        const token = forge(header(), base({ jti: bad }), client.keyObject);
        await expectRejects(verifyToken(token, clientOptions()), 'claim', 'jti');
      });
    }

    for (const kid of ['main', client.kid.toUpperCase(), client.kid.replace(/:/g, ''), '../x', 42]) {
      it(`verifyToken rejects header kid ${JSON.stringify(kid)} that is not a fingerprint`, async () => {
        const token = forge(header({ kid }), base(), client.keyObject);
        await expectRejects(verifyToken(token, clientOptions()), 'malformed', 'kid');
      });
    }

    it('verifyToken rejects a header without kid', async () => {
      const token = forge({ alg: 'RS256' }, base(), client.keyObject);
      await expectRejects(verifyToken(token, clientOptions()), 'malformed', 'kid');
    });

    const shapes: [string, string][] = [
      ['three parts with a character outside base64url', 'eyJh+bGc.eyJh.c2ln'],
      ['three parts with base64 padding', 'eyJhbGc=.eyJh.c2ln'],
      ['two parts', 'eyJhbGc.eyJh'],
      ['four parts', 'eyJhbGc.eyJh.c2ln.c2ln'],
      ['an empty payload segment', 'eyJhbGc..c2ln'],
      ['surrounding whitespace', ' eyJhbGc.eyJh.c2ln'],
      ['the IOV-JWT prefix still on it', 'IOV-JWT eyJhbGc.eyJh.c2ln'],
    ];
    for (const [name, token] of shapes) {
      it(`readTokenHeader rejects a token with ${name}`, () => {
        expectThrows(() => readTokenHeader(token), 'malformed', undefined, /three base64url parts/);
      });
    }

    it('readTokenHeader rejects an empty or non-string token', () => {
      expectThrows(() => readTokenHeader(''), 'malformed', undefined, /missing/);
      expectThrows(() => readTokenHeader(undefined as unknown as string), 'malformed', undefined, /missing/);
    });

    it('readTokenHeader rejects a header that is not JSON or not an object', () => {
      expectThrows(() => readTokenHeader(`${b64('{"alg":')}.${b64(base())}.c2ln`), 'malformed', undefined, /not JSON/);
      for (const value of [['RS256'], null, 7, 'RS256']) {
        expectThrows(
          () => readTokenHeader(`${b64(JSON.stringify(value))}.${b64(base())}.c2ln`),
          'malformed',
          undefined,
          /not a JSON object/,
        );
      }
    });

    it('readTokenHeader rejects a token longer than the default 16 KiB', () => {
      const token = `${b64(header())}.${'A'.repeat(DEFAULT_MAX_TOKEN_LENGTH)}.c2ln`;
      expectThrows(() => readTokenHeader(token), 'malformed', undefined, /longer than 16384 characters/);
    });

    it('verifyToken rejects a signature whose last character only changes unused bits (non-canonical base64url)', async () => {
      const token = await signToken(base(), client);
      const signature = token.split('.')[2]!;
      // A 2048-bit signature is 256 bytes: its last base64url character carries 2 bits and 4 unused ones.
      const last = signature.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twin = Array.from(alphabet).find(
        (c) => c !== last && Buffer.from(`A${c}`, 'base64url')[0] === Buffer.from(`A${last}`, 'base64url')[0],
      );
      expect(twin, 'a character decoding to the same byte').to.be.a('string');
      const mutated = `${token.slice(0, -1)}${twin!}`;
      expect(Buffer.from(mutated.split('.')[2]!, 'base64url').equals(Buffer.from(signature, 'base64url'))).to.equal(
        true,
      );
      await expectRejects(verifyToken(mutated, clientOptions()), 'malformed');
    });

    it('verifyToken rejects a payload that is signed but not JSON or not an object', async () => {
      await expectRejects(
        verifyToken(forge(header(), 'not json', client.keyObject), clientOptions()),
        'malformed',
        undefined,
        /payload is not JSON/,
      );
      await expectRejects(
        verifyToken(forge(header(), [1, 2], client.keyObject), clientOptions()),
        'malformed',
        undefined,
        /payload is not a JSON object/,
      );
    });

    it('verifyToken turns a resolver key jose refuses (512 bits) into a malformed JwtVerificationError', async () => {
      const small = loadPublicKey(vectorText('java-rsa-512-public-key.pem'));
      await expectRejects(
        verifyToken(await signToken(base(), client), clientOptions({ resolveKey: () => small })),
        'malformed',
        undefined,
        /could not be verified/,
      );
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('time window', () => {
    const at = (iat: number, exp: number, nbf = iat): Record<string, unknown> => base({ iat, nbf, exp });

    it('verifyToken rejects exp 31 s in the past with leeway 30', async () => {
      const token = await signToken(at(T - 36, T - 31), client);
      await expectRejects(verifyToken(token, clientOptions({ leeway: 30 })), 'expired', 'exp');
    });

    it('verifyToken accepts exp 29 s and 30 s − 1 ms in the past with leeway 30, and refuses it at exactly 30 s (RFC 7519, jose)', async () => {
      for (const late of [29, 30]) {
        const token = await signToken(at(T - late - 5, T - late), client);
        const { claims } = await verifyToken(token, clientOptions({ leeway: 30, now: T - 0.001 }));
        expect(claims.exp).to.equal(T - late);
      }
      const token = await signToken(at(T - 35, T - 30), client);
      await expectRejects(verifyToken(token, clientOptions({ leeway: 30 })), 'expired', 'exp');
      await expectRejects(verifyToken(token, clientOptions({ leeway: 30, now: T + 0.001 })), 'expired', 'exp');
    });

    it('verifyToken accepts nbf and iat exactly the leeway ahead, and refuses them 1 ms earlier', async () => {
      const token = await signToken(base({ iat: T + 30, nbf: T + 30, exp: T + 35 }), client);
      await verifyToken(token, clientOptions({ now: T }));
      await expectRejects(verifyToken(token, clientOptions({ now: T - 0.001 })), 'not-yet-valid', 'nbf');
      const iatAhead = await signToken(base({ iat: T + 30, nbf: T, exp: T + 35 }), client);
      await verifyToken(iatAhead, clientOptions({ now: T }));
      await expectRejects(verifyToken(iatAhead, clientOptions({ now: T - 0.001 })), 'not-yet-valid', 'iat');
    });

    it('the time window ends and starts at the instants jose says, to the millisecond, for leeway 0, 5 and 30', async () => {
      const token = await signToken(at(T, T + 5), client);
      for (const leeway of [0, 5, 30]) {
        const edges = [T - leeway, T + 5 + leeway];
        for (const edgeMs of edges.map((e) => e * 1000)) {
          for (const ms of [edgeMs - 1001, edgeMs - 1, edgeMs, edgeMs + 1, edgeMs + 999]) {
            const ours = await verifyToken(token, clientOptions({ leeway, now: ms / 1000 })).then(
              () => 'accepted',
              (err: unknown) => (err as JwtVerificationError).failure,
            );
            const theirs = await jwtVerify(token, client.publicKey.keyObject, {
              currentDate: new Date(ms),
              clockTolerance: leeway,
            }).then(
              () => 'accepted',
              (err: unknown) => ((err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'not-yet-valid'),
            );
            expect(ours, `leeway ${leeway}, ${ms - edgeMs} ms from ${edgeMs}`).to.equal(theirs);
          }
        }
      }
    });

    it('verifyToken applies the 30 s leeway by default', async () => {
      await expectRejects(verifyToken(await signToken(at(T - 36, T - 31), client), clientOptions()), 'expired', 'exp');
      await verifyToken(await signToken(at(T - 34, T - 29), client), clientOptions());
    });

    it('verifyToken with leeway 0 rejects a token expired one second ago', async () => {
      await expectRejects(
        verifyToken(await signToken(at(T - 6, T - 1), client), clientOptions({ leeway: 0 })),
        'expired',
        'exp',
      );
    });

    it('verifyToken rejects nbf more than the leeway in the future', async () => {
      const token = await signToken(base({ iat: T, nbf: T + 31, exp: T + 35 }), client);
      await expectRejects(verifyToken(token, clientOptions()), 'not-yet-valid', 'nbf');
    });

    it('verifyToken rejects iat more than the leeway in the future', async () => {
      const token = await signToken(base({ iat: T + 31, nbf: T, exp: T + 35 }), client);
      await expectRejects(verifyToken(token, clientOptions()), 'not-yet-valid', 'iat');
    });

    it('verifyToken rejects exp - iat above the default maxLifetime of 300 s and accepts 300 s', async () => {
      await expectRejects(verifyToken(await signToken(at(T, T + 301), client), clientOptions()), 'claim', 'exp');
      await verifyToken(await signToken(at(T, T + 300), client), clientOptions());
    });

    it('verifyToken rejects exp - iat above a configured maxLifetime', async () => {
      await expectRejects(
        verifyToken(await signToken(at(T, T + 11), client), clientOptions({ maxLifetime: 10 })),
        'claim',
        'exp',
        /lifetime/,
      );
    });

    it('verifyToken rejects exp before iat', async () => {
      await expectRejects(verifyToken(await signToken(at(T, T - 1), client), clientOptions()), 'claim', 'exp');
    });

    it('verifyToken rejects a one-year token signed by the right key', async () => {
      await expectRejects(
        verifyToken(await signToken(at(T, T + 365 * 86400), client), clientOptions()),
        'claim',
        'exp',
      );
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('bindings', () => {
    const body = '{"a":1}';
    const verified = async (claims: Record<string, unknown>): Promise<TokenClaims> =>
      (await verifyToken(await signToken(claims, client), clientOptions())).claims;

    it('checkRequestBinding accepts the method in any case and returns the request claim', async () => {
      const claims = await verified(base());
      expect(checkRequestBinding(claims, { method: 'post', path: '/webhook', body })).to.deep.equal(claims.request);
      expect(checkRequestBinding(claims, { method: 'POST', path: '/webhook', body: Buffer.from(body) })).to.deep.equal(
        claims.request,
      );
    });

    it('checkRequestBinding rejects another method', async () => {
      const claims = await verified(base());
      expectThrows(
        () => checkRequestBinding(claims, { method: 'GET', path: '/webhook', body }),
        'binding',
        'request.meth',
      );
    });

    for (const path of ['/webhook/', '/WEBHOOK', '/hooks/%2e%2e/webhook', '/webhook?x=1', '/hooks/../webhook']) {
      it(`checkRequestBinding rejects path ${path} for a token bound to /webhook`, async () => {
        const claims = await verified(base());
        expectThrows(() => checkRequestBinding(claims, { method: 'POST', path, body }), 'binding', 'request.path');
      });
    }

    it('checkRequestBinding rejects a body changed by one byte', async () => {
      const claims = await verified(base());
      expectThrows(
        () => checkRequestBinding(claims, { method: 'POST', path: '/webhook', body: '{"a":2}' }),
        'body-hash',
        'request.hash',
        /does not match the body/,
      );
    });

    it('checkRequestBinding rejects a hash claim when there is no body', async () => {
      const claims = await verified(base());
      for (const empty of [undefined, '', new Uint8Array(0)]) {
        expectThrows(
          () => checkRequestBinding(claims, { method: 'POST', path: '/webhook', body: empty }),
          'body-hash',
          'request.hash',
          /no body/,
        );
      }
    });

    it('checkRequestBinding rejects a body when the token has no func and hash', async () => {
      const claims = await verified(base({ request: { meth: 'POST', path: '/webhook' } }));
      expectThrows(
        () => checkRequestBinding(claims, { method: 'POST', path: '/webhook', body }),
        'body-hash',
        'request.func',
      );
    });

    it('checkRequestBinding accepts no body when the token has no func and hash', async () => {
      const claims = await verified(base({ request: { meth: 'GET', path: '/x' } }));
      expect(checkRequestBinding(claims, { method: 'GET', path: '/x' })).to.deep.equal({ meth: 'GET', path: '/x' });
    });

    for (const func of ['s256', 'SHA256', 'MD5', 'S1']) {
      it(`checkRequestBinding rejects func ${func}`, async () => {
        const claims = await verified(
          base({ request: { meth: 'POST', path: '/webhook', func, hash: digestHex('S256', body) } }),
        );
        expectThrows(
          () => checkRequestBinding(claims, { method: 'POST', path: '/webhook', body }),
          'body-hash',
          'request.func',
        );
      });
    }

    it('checkRequestBinding rejects a func without hash, and uppercase or zz-prefixed hashes', async () => {
      const good = digestHex('S256', body);
      for (const hash of [undefined, good.toUpperCase(), `zz${good.slice(2)}`, 42]) {
        const claims = await verified(base({ request: { meth: 'POST', path: '/webhook', func: 'S256', hash } }));
        expectThrows(
          () => checkRequestBinding(claims, { method: 'POST', path: '/webhook', body }),
          'body-hash',
          'request.hash',
        );
      }
    });

    it('checkRequestBinding accepts S384 and S512 body hashes', async () => {
      for (const func of ['S384', 'S512'] as const) {
        const request = { meth: 'POST', path: '/webhook', func, hash: digestHex(func, body) };
        const claims = await verified(base({ request }));
        expect(checkRequestBinding(claims, { method: 'POST', path: '/webhook', body })).to.deep.equal(request);
      }
    });

    it('checkRequestBinding rejects a token whose request claim is missing, an array or a string', async () => {
      for (const request of [undefined, [], 'POST /webhook', null]) {
        const claims = await verified(base({ request }));
        expectThrows(() => checkRequestBinding(claims, { method: 'POST', path: '/webhook', body }), 'claim', 'request');
      }
    });

    const response = (overrides: Record<string, unknown> = {}): Record<string, unknown> =>
      responseClaims({ audience: 'a', subject: 's', jti: 'j', status: 200, body, now: T, ...overrides });

    it('checkResponseBinding accepts matching status, body, Location and Cache-Control', async () => {
      const claims = await verified(response({ location: '/next', cache: 'no-cache, no-store' }));
      expect(
        checkResponseBinding(claims, { status: 200, body, location: '/next', cache: 'no-cache, no-store' }),
      ).to.deep.equal(claims.response);
    });

    it('checkResponseBinding rejects a Location header that the token does not carry', async () => {
      const claims = await verified(response());
      expectThrows(
        () => checkResponseBinding(claims, { status: 200, body, location: '/elsewhere' }),
        'binding',
        'response.location',
      );
    });

    it('checkResponseBinding rejects a missing or different Location header', async () => {
      const claims = await verified(response({ location: '/next' }));
      expectThrows(() => checkResponseBinding(claims, { status: 200, body }), 'binding', 'response.location');
      expectThrows(
        () => checkResponseBinding(claims, { status: 200, body, location: '/next/' }),
        'binding',
        'response.location',
      );
    });

    it('checkResponseBinding rejects a Cache-Control header that differs from the claim or is not in it', async () => {
      const withCache = await verified(response({ cache: 'no-store' }));
      expectThrows(
        () => checkResponseBinding(withCache, { status: 200, body, cache: 'no-cache' }),
        'binding',
        'response.cache',
      );
      expectThrows(() => checkResponseBinding(withCache, { status: 200, body }), 'binding', 'response.cache');
      const withoutCache = await verified(response());
      expectThrows(
        () => checkResponseBinding(withoutCache, { status: 200, body, cache: 'max-age=60' }),
        'binding',
        'response.cache',
      );
    });

    it('checkResponseBinding rejects 204 for a token bound to 200 and the reverse', () => {
      expectThrows(
        () => checkResponseBinding(response() as TokenClaims, { status: 204, body }),
        'binding',
        'response.status',
      );
      const empty = responseClaims({ audience: 'a', subject: 's', jti: 'j', status: 204, now: T });
      expectThrows(() => checkResponseBinding(empty, { status: 200 }), 'binding', 'response.status');
      expect(checkResponseBinding(empty, { status: 204 })).to.deep.equal({ status: 204 });
    });

    it('checkResponseBinding rejects a hash claim with an empty body and a body without hash claim', () => {
      expectThrows(
        () => checkResponseBinding(response() as TokenClaims, { status: 200 }),
        'body-hash',
        'response.hash',
      );
      const empty = responseClaims({ audience: 'a', subject: 's', jti: 'j', status: 200, now: T });
      expectThrows(() => checkResponseBinding(empty, { status: 200, body }), 'body-hash', 'response.func');
    });

    it('checkResponseBinding rejects a token without a response claim', async () => {
      const claims = await verified(base());
      expectThrows(() => checkResponseBinding(claims, { status: 200 }), 'claim', 'response');
    });
  });
});
