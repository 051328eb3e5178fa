/**
 * Benchmark fixtures shared by crypto.bench.ts and concurrency.bench.ts: key pairs, one sealed request
 * and one response per key size, the start-up interoperability checks, and the timed variants. Keys
 * are loaded once per fixture and reused by every variant (each implementation its own KeyObjects,
 * as it would hold them in an application).
 */
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose';
import assert from 'node:assert/strict';
import {
  constants,
  createHash,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

import { decryptJwe, encryptJwe } from '../lib/crypto/jwe.js';
import { KeyRing, loadPrivateKey, loadPublicKey, type PrivateKey, type PublicKey } from '../lib/crypto/keys.js';
import { checkRequestBinding, requestClaims, responseClaims, signToken, verifyToken } from '../lib/crypto/jws.js';
import { JweDecryptionError, JwtVerificationError } from '../lib/errors.js';
import {
  openResponse,
  sealRequest,
  type EnvelopeCredentials,
  type OpenResponseOptions,
  type ReceivedResponse,
  type RequestToSeal,
} from '../lib/transport/client_envelope.js';
import type { Variant } from './harness.js';
import { rawDecryptJwe, rawEncryptJwe, rawSignJws, rawSignJwsAsync, rawVerifyJws } from './raw_jose.js';

export const SIZES = [2048, 4096] as const;
const OAEP_SHA1 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' } as const;

const SERVICE = 'svc:f8329e0e-dd7a-11e7-98b4-469158467b1a';
const PATH = '/service/v3/auths';
/** ≈110 bytes of JSON, the size of an auth request body. */
export const REQUEST_BODY = {
  username: 'alice@example.com',
  context: 'Log in to Example Inc.',
  title: 'Example login',
  ttl: 300,
  denial_reasons: null,
};
export const RESPONSE_BODY = { auth_request: '0f8b3c2a-dd7a-11e7-98b4-469158467b1a', push_package: 'pkg-1234' };

export interface Fixture {
  bits: number;
  /** The PEMs every implementation loads its keys from. */
  pems: { client: string; apiPrivate: string; apiPublic: string };
  client: PrivateKey;
  apiPrivate: PrivateKey;
  apiPublic: PublicKey;
  credentials: EnvelopeCredentials;
  request: RequestToSeal;
  now: number;
  /** The response to open, and what it answers. */
  response: ReceivedResponse;
  sealed: { jti: string; subject: string };
  openOptions: OpenResponseOptions;
  /** Sizes taken from real lib output, for the RSA-only baselines. */
  requestSigningInput: Buffer;
  responseSigningInput: Buffer;
  responseSignature: Buffer;
  responseEncryptedKey: Buffer;
  requestJwe: string;
  /** Opens a sealed request as the API would (token, binding, body), with the current lib. */
  openSealedRequest(sealed: { headers: Record<string, string>; body: string | undefined }): Promise<unknown>;
}

function pemPair(bits: number): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

export async function fixture(bits: number): Promise<Fixture> {
  const clientPair = pemPair(bits);
  const apiPair = pemPair(bits);
  const client = loadPrivateKey(clientPair.privatePem);
  const apiPrivate = loadPrivateKey(apiPair.privatePem);
  const apiPublic = loadPublicKey(apiPair.publicPem);
  assert.equal(apiPublic.kid, apiPrivate.kid);
  const credentials: EnvelopeCredentials = { issuer: SERVICE, keyRing: new KeyRing([client]) };
  const request: RequestToSeal = { method: 'POST', path: PATH, subject: SERVICE, body: REQUEST_BODY };
  const now = Math.floor(Date.now() / 1000);

  const sealedOnce = await sealRequest(credentials, request, apiPublic, now);
  const requestToken = (sealedOnce.headers['Authorization'] ?? '').slice('IOV-JWT '.length);
  const requestJwe = sealedOnce.body ?? '';

  // The response: body JWE to the client key, X-IOV-JWT signed by the API key. `now` is passed
  // explicitly to openResponse, so nothing expires however long the run takes.
  const jti = sealedOnce.jti;
  const bodyJwe = await encryptJwe(RESPONSE_BODY, client.publicKey, { contentType: 'application/json' });
  const claims = responseClaims({
    audience: SERVICE,
    subject: SERVICE,
    jti,
    status: 201,
    body: bodyJwe,
    now,
    lifetime: 300,
  });
  const token = await signToken(claims, apiPrivate, { typ: true });
  const response: ReceivedResponse = {
    status: 201,
    headers: { 'x-iov-jwt': token, 'content-type': 'application/jose; charset=UTF-8' },
    body: new Uint8Array(Buffer.from(bodyJwe, 'latin1')),
  };
  const openOptions: OpenResponseOptions = { resolveApiKey: () => Promise.resolve(apiPublic), now: now + 1 };
  const [h = '', p = '', s = ''] = token.split('.');
  const [rh = '', rp = ''] = requestToken.split('.');
  const apiRing = new KeyRing([apiPrivate]);
  const openSealedRequest = async (sealed: { headers: Record<string, string>; body: string | undefined }) => {
    const sealedToken = (sealed.headers['Authorization'] ?? '').slice('IOV-JWT '.length);
    const { claims: sealedClaims } = await verifyToken(sealedToken, {
      resolveKey: (kid) => (kid === client.kid ? client.publicKey : undefined),
      audience: 'lka',
      issuer: SERVICE,
      now,
    });
    checkRequestBinding(sealedClaims, { method: 'POST', path: PATH, body: sealed.body });
    return JSON.parse((await decryptJwe(sealed.body ?? '', (kid) => apiRing.get(kid))).plaintext) as unknown;
  };
  return {
    bits,
    pems: { client: clientPair.privatePem, apiPrivate: apiPair.privatePem, apiPublic: apiPair.publicPem },
    openSealedRequest,
    client,
    apiPrivate,
    apiPublic,
    credentials,
    request,
    now,
    response,
    sealed: { jti, subject: SERVICE },
    openOptions,
    requestSigningInput: Buffer.from(`${rh}.${rp}`, 'ascii'),
    responseSigningInput: Buffer.from(`${h}.${p}`, 'ascii'),
    responseSignature: Buffer.from(s, 'base64url'),
    responseEncryptedKey: Buffer.from(bodyJwe.split('.')[1] ?? '', 'base64url'),
    requestJwe,
  };
}

/** Interoperability and equivalence checks, so that the baselines and references do the real work. */
export async function assertInterop(f: Fixture): Promise<void> {
  const text = JSON.stringify(REQUEST_BODY);
  const apiRing = new KeyRing([f.apiPrivate]);
  for (const alg of ['RSA-OAEP', 'RSA-OAEP-256'] as const) {
    // raw JWE → jose and lib
    const raw = rawEncryptJwe(text, f.apiPublic.keyObject, { alg, enc: 'A256CBC-HS512', kid: f.apiPublic.kid });
    const viaJose = await compactDecrypt(raw, f.apiPrivate.keyObject, { keyManagementAlgorithms: [alg] });
    assert.equal(new TextDecoder().decode(viaJose.plaintext), text);
    assert.equal((await decryptJwe(raw, (kid) => apiRing.get(kid))).plaintext, text);
    // lib JWE → raw and jose
    const viaLib = await encryptJwe(text, f.apiPublic, { algorithm: alg });
    assert.equal(rawDecryptJwe(viaLib, f.apiPrivate.keyObject).plaintext.toString('utf8'), text);
    const libViaJose = await compactDecrypt(viaLib, f.apiPrivate.keyObject, { keyManagementAlgorithms: [alg] });
    assert.equal(new TextDecoder().decode(libViaJose.plaintext), text);
  }
  // raw JWS (sync and callback) → jose; lib JWS → jose and raw
  for (const token of [
    rawSignJws('{"a":1}', f.client.keyObject, { alg: 'RS256', kid: f.client.kid }),
    await rawSignJwsAsync('{"a":1}', f.client.keyObject, { alg: 'RS256', kid: f.client.kid }),
  ]) {
    const { payload } = await compactVerify(token, f.client.publicKey.keyObject, { algorithms: ['RS256'] });
    assert.equal(new TextDecoder().decode(payload), '{"a":1}');
  }
  const libToken = f.response.headers['x-iov-jwt'] ?? '';
  assert.equal(rawVerifyJws(libToken, f.apiPublic.keyObject).header['kid'], f.apiPublic.kid);
  await compactVerify(libToken, f.apiPublic.keyObject, { algorithms: ['RS256'] });

  // lib seal → what the emulator checks: verifyToken, request binding, decryptJwe; the raw baseline
  // verifies and decrypts it too.
  const sealed = await sealRequest(f.credentials, f.request, f.apiPublic, f.now);
  const token = (sealed.headers['Authorization'] ?? '').slice('IOV-JWT '.length);
  assert.deepEqual(await f.openSealedRequest(sealed), REQUEST_BODY);
  const rawClaims = JSON.parse(rawVerifyJws(token, f.client.publicKey.keyObject).payload.toString()) as { jti: string };
  assert.equal(rawClaims.jti, sealed.jti);
  assert.deepEqual(
    JSON.parse(rawDecryptJwe(sealed.body ?? '', f.apiPrivate.keyObject).plaintext.toString()),
    REQUEST_BODY,
  );
  assert.equal(sealed.headers['Content-Type'], 'application/jose');

  // lib and jose alone open the response; lib refuses a wrong jti, a bad signature and (behind a
  // re-signed token) a body whose tag does not verify.
  const expected = await openResponse(f.credentials, f.sealed, f.response, f.openOptions);
  assert.deepEqual(expected.payload, RESPONSE_BODY);
  assert.deepEqual(await joseOpen(f), RESPONSE_BODY);
  assert.deepEqual(
    JSON.parse(rawDecryptJwe(await joseSeal(f), f.apiPrivate.keyObject).plaintext.toString()),
    REQUEST_BODY,
  );
  await assert.rejects(
    openResponse(f.credentials, { ...f.sealed, jti: 'other' }, f.response, f.openOptions),
    JwtVerificationError,
  );
  const [th = '', tp = '', ts = ''] = libToken.split('.');
  const badSig = `${th}.${tp}.${ts[0] === 'A' ? 'B' : 'A'}${ts.slice(1)}`;
  await assert.rejects(
    openResponse(
      f.credentials,
      f.sealed,
      { ...f.response, headers: { ...f.response.headers, 'x-iov-jwt': badSig } },
      f.openOptions,
    ),
    JwtVerificationError,
  );
  const body = Buffer.from(f.response.body).toString('latin1');
  const parts = body.split('.');
  const tag = parts[4] ?? '';
  const badTag = [...parts.slice(0, 4), `${tag[0] === 'A' ? 'B' : 'A'}${tag.slice(1)}`].join('.');
  const forgedToken = await signToken(
    responseClaims({
      audience: SERVICE,
      subject: SERVICE,
      jti: f.sealed.jti,
      status: 201,
      body: badTag,
      now: f.now,
      lifetime: 300,
    }),
    f.apiPrivate,
    { typ: true },
  );
  await assert.rejects(
    openResponse(
      f.credentials,
      f.sealed,
      { status: 201, headers: { 'x-iov-jwt': forgedToken }, body: new Uint8Array(Buffer.from(badTag, 'latin1')) },
      f.openOptions,
    ),
    JweDecryptionError,
  );
}

/** REFERENCE: the JOSE work of `sealRequest` with jose called directly, none of lib's checks. */
async function joseSeal(f: Fixture): Promise<string> {
  const body = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(REQUEST_BODY)))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: f.apiPublic.kid })
    .encrypt(f.apiPublic.keyObject);
  const claims = requestClaims({ issuer: SERVICE, subject: SERVICE, method: 'POST', path: PATH, body, now: f.now });
  await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'RS256', kid: f.client.kid })
    .sign(f.client.keyObject);
  return body;
}

/** REFERENCE: the JOSE work of `openResponse` with jose called directly (verify, parse claims, decrypt), no checks. */
async function joseOpen(f: Fixture): Promise<unknown> {
  const { payload } = await compactVerify(f.response.headers['x-iov-jwt'] ?? '', f.apiPublic.keyObject, {
    algorithms: ['RS256'],
  });
  JSON.parse(new TextDecoder().decode(payload));
  const { plaintext } = await compactDecrypt(Buffer.from(f.response.body).toString('latin1'), f.client.keyObject, {
    keyManagementAlgorithms: ['RSA-OAEP'],
    contentEncryptionAlgorithms: ['A256CBC-HS512'],
  });
  return JSON.parse(new TextDecoder().decode(plaintext));
}

/** The timed variants of one operation: lib, the two node:crypto baselines, and reference rows. */
export interface Variants {
  lib: Variant;
  rsa: Variant;
  raw: Variant;
  refs: Variant[];
}

export function sealVariants(f: Fixture): Variants {
  const cek = randomBytes(64);
  const text = JSON.stringify(REQUEST_BODY);
  return {
    lib: {
      id: 'lib',
      label: 'lib (jose + checks)',
      fn: () => sealRequest(f.credentials, f.request, f.apiPublic, f.now),
    },
    rsa: {
      id: 'rsa-only',
      label: 'RSA-only',
      fn: () => {
        publicEncrypt({ key: f.apiPublic.keyObject, ...OAEP_SHA1 }, cek);
        return sign('sha256', f.requestSigningInput, f.client.keyObject);
      },
    },
    raw: {
      id: 'raw-jose',
      label: 'raw JOSE',
      fn: () => {
        const jwe = rawEncryptJwe(text, f.apiPublic.keyObject, {
          alg: 'RSA-OAEP',
          enc: 'A256CBC-HS512',
          kid: f.apiPublic.kid,
        });
        // The same claim set as requestClaims() builds, hash of the body included.
        const claims = {
          iat: f.now,
          nbf: f.now,
          exp: f.now + 5,
          iss: SERVICE,
          sub: SERVICE,
          aud: 'lka',
          jti: randomUUID(),
          request: { meth: 'POST', path: PATH, func: 'S256', hash: createHash('sha256').update(jwe).digest('hex') },
        };
        return rawSignJws(JSON.stringify(claims), f.client.keyObject, { alg: 'RS256', kid: f.client.kid });
      },
    },
    refs: [{ id: 'ref-jose', label: 'ref: jose alone, no checks', fn: () => joseSeal(f) }],
  };
}

export function openVariants(f: Fixture): Variants {
  const body = Buffer.from(f.response.body).toString('latin1');
  const token = f.response.headers['x-iov-jwt'] ?? '';
  return {
    lib: {
      id: 'lib',
      label: 'lib (jose + checks)',
      fn: () => openResponse(f.credentials, f.sealed, f.response, f.openOptions),
    },
    rsa: {
      id: 'rsa-only',
      label: 'RSA-only',
      fn: () => {
        if (!verify('sha256', f.responseSigningInput, f.apiPublic.keyObject, f.responseSignature))
          throw new Error('verify');
        return privateDecrypt({ key: f.client.keyObject, ...OAEP_SHA1 }, f.responseEncryptedKey);
      },
    },
    raw: {
      id: 'raw-jose',
      label: 'raw JOSE',
      fn: () => {
        rawVerifyJws(token, f.apiPublic.keyObject, ['RS256']);
        return rawDecryptJwe(body, f.client.keyObject, ['RSA-OAEP']);
      },
    },
    refs: [{ id: 'ref-jose', label: 'ref: jose alone, no checks', fn: () => joseOpen(f) }],
  };
}
