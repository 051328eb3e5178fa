import { expect } from 'chai';
import fc from 'fast-check';
import { sign as rsaSign } from 'node:crypto';

import { decryptJwe, decryptJweJson, encryptJwe, readJweHeader } from '../../lib/crypto/jwe.js';
import {
  checkRequestBinding,
  readTokenHeader,
  requestClaims,
  signToken,
  verifyToken,
  type VerifyTokenOptions,
} from '../../lib/crypto/jws.js';
import { loadPrivateKey, type PrivateKey } from '../../lib/crypto/keys.js';
import { JweDecryptionError, JwtVerificationError } from '../../lib/errors.js';
import { vectorText } from '../support/vectors.js';

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** What a mutation may write: base64url, the separator, and characters a careless decoder tolerates. */
const B64URL_CHARS = Array.from(B64URL_ALPHABET);
const MUTATION_CHARS = [...B64URL_CHARS, '.', '=', '+', '/', ' ', '\n', '%', 'é', '\u0000'];

const T = 1600000000;

/** A single-character substitution, insertion or deletion at some index of `text`. */
function mutationOf(text: string): fc.Arbitrary<string> {
  const index = fc.nat({ max: text.length - 1 });
  const char = fc.constantFrom(...MUTATION_CHARS);
  return fc.oneof(
    fc
      .tuple(index, char)
      .filter(([i, c]) => text[i] !== c)
      .map(([i, c]) => `${text.slice(0, i)}${c}${text.slice(i + 1)}`),
    fc.tuple(fc.nat({ max: text.length }), char).map(([i, c]) => `${text.slice(0, i)}${c}${text.slice(i)}`),
    index.map((i) => `${text.slice(0, i)}${text.slice(i + 1)}`),
  );
}

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err;
  }
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('crypto properties (fast-check)', () => {
  const client = loadPrivateKey(vectorText('dotnet-test-private.key'));
  const anyKid = (): PrivateKey['publicKey'] => client.publicKey;
  const options: VerifyTokenOptions = { resolveKey: anyKid, now: T };
  let token = '';
  let jwe = '';

  before(async () => {
    token = await signToken(
      requestClaims({ issuer: 'org:i', subject: 'svc:s', method: 'POST', path: '/webhook', body: 'b', now: T }),
      client,
    );
    jwe = await encryptJwe({ auth_request: 'a', type: 'AUTHORIZED' }, client.publicKey);
    // Both originals are accepted, so every rejection below is due to the mutation.
    await verifyToken(token, options);
    await decryptJwe(jwe, () => client);
  });

  it('verifyToken rejects every single-character mutation of a valid token with a JwtVerificationError', async () => {
    await fc.assert(
      fc.asyncProperty(mutationOf(token), async (mutated) => {
        const err = await settle(verifyToken(mutated, options));
        expect(err, `accepted ${mutated}`).to.be.instanceOf(JwtVerificationError);
      }),
      { numRuns: 200 },
    );
  });

  it('decryptJwe rejects every single-character mutation of a valid JWE with a JweDecryptionError', async () => {
    await fc.assert(
      fc.asyncProperty(mutationOf(jwe), async (mutated) => {
        const err = await settle(decryptJwe(mutated, () => client));
        expect(err, `decrypted ${mutated}`).to.be.instanceOf(JweDecryptionError);
      }),
      { numRuns: 150 },
    );
  });

  it('readTokenHeader and verifyToken throw only JwtVerificationError for random strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        expect(thrownBy(() => readTokenHeader(text))).to.be.instanceOf(JwtVerificationError);
        expect(await settle(verifyToken(text, options))).to.be.instanceOf(JwtVerificationError);
      }),
      { numRuns: 200 },
    );
  });

  it('readJweHeader and decryptJwe throw only JweDecryptionError for random strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        expect(thrownBy(() => readJweHeader(text))).to.be.instanceOf(JweDecryptionError);
        expect(await settle(decryptJwe(text, () => client))).to.be.instanceOf(JweDecryptionError);
      }),
      { numRuns: 200 },
    );
  });

  const segment = fc.string({ unit: fc.constantFrom(...B64URL_CHARS), maxLength: 60 });
  const headerJson = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          alg: fc.constantFrom('RS256', 'RS512', 'none', 'HS256', 'RSA-OAEP', 'RSA-OAEP-256', 'dir'),
          enc: fc.constantFrom('A256CBC-HS512', 'A128GCM'),
          kid: fc.oneof(fc.constant(client.kid), fc.string({ maxLength: 50 })),
          crit: fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
          zip: fc.constant('DEF'),
        },
        { requiredKeys: ['alg', 'kid'] },
      )
      .map((h) => JSON.stringify(h)),
    fc.string({ maxLength: 40 }),
  );

  it('verifyToken throws only JwtVerificationError for compact-shaped strings with random headers', async () => {
    const arb = fc
      .tuple(headerJson, fc.jsonValue(), segment)
      .map(([h, p, s]) => `${b64(h)}.${b64(JSON.stringify(p))}.${s}`);
    await fc.assert(
      fc.asyncProperty(arb, async (compact) => {
        expect(await settle(verifyToken(compact, options))).to.be.instanceOf(JwtVerificationError);
      }),
      { numRuns: 200 },
    );
  });

  it('decryptJwe throws only JweDecryptionError for five-part strings with random headers', async () => {
    const arb = fc
      .tuple(headerJson, segment, segment, segment, segment)
      .map(([h, ...rest]) => [b64(h), ...rest].join('.'));
    await fc.assert(
      fc.asyncProperty(arb, async (compact) => {
        expect(await settle(decryptJwe(compact, () => client))).to.be.instanceOf(JweDecryptionError);
      }),
      { numRuns: 200 },
    );
  });

  it('verifyToken either accepts a correctly signed random claim set with well-typed claims or throws JwtVerificationError', async () => {
    const value = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(valid, valid, fc.jsonValue());
    const claims = fc.record(
      {
        iss: value(fc.constant('lka')),
        sub: value(fc.constant('svc:s')),
        aud: value(fc.constant('org:a')),
        jti: value(fc.uuid()),
        iat: value(fc.integer({ min: T - 100, max: T + 100 })),
        nbf: value(fc.integer({ min: T - 100, max: T + 100 })),
        exp: value(fc.integer({ min: T - 100, max: T + 400 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(claims, async (set) => {
        const input = `${b64(JSON.stringify({ alg: 'RS256', kid: client.kid }))}.${b64(JSON.stringify(set))}`;
        const compact = `${input}.${rsaSign('sha256', Buffer.from(input), client.keyObject).toString('base64url')}`;
        let verified: Awaited<ReturnType<typeof verifyToken>> | undefined;
        try {
          verified = await verifyToken(compact, options);
        } catch (err) {
          expect(err).to.be.instanceOf(JwtVerificationError);
          return;
        }
        const c = verified.claims;
        for (const name of ['iss', 'sub', 'aud', 'jti'] as const) expect(c[name]).to.be.a('string');
        for (const name of ['iat', 'nbf', 'exp'] as const) expect(Number.isSafeInteger(c[name])).to.equal(true);
        expect(c.exp).to.be.at.least(T - 30);
        expect(c.nbf).to.be.at.most(T + 30);
        expect(c.iat).to.be.at.most(T + 30);
        expect(c.exp - c.iat).to.be.within(0, 300);
      }),
      { numRuns: 150 },
    );
  });

  describe('prototype pollution', () => {
    let snapshot: string[] = [];
    beforeEach(() => {
      snapshot = Object.getOwnPropertyNames(Object.prototype).sort();
    });
    afterEach(() => {
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(snapshot);
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });

    // A second top-level __proto__ would be refused as a repeated member (duplicate_keys.spec.ts), so
    // the nested object carries its own __proto__ instead.
    const pollutingJson = fc
      .tuple(fc.constantFrom('nested', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 2 }))
      .map(
        ([key, inner]) =>
          `{"__proto__":{"polluted":true},"${key}":{"__proto__":{"polluted":true},"prototype":{"polluted":true},"v":${JSON.stringify(inner)}}}`,
      );

    it('verifyToken and checkRequestBinding leave Object.prototype unchanged for claims with __proto__ keys', async () => {
      await fc.assert(
        fc.asyncProperty(pollutingJson, async (extra) => {
          const base = JSON.stringify(
            requestClaims({ issuer: 'lka', subject: 'svc:s', method: 'GET', path: '/p', jti: 'j', now: T }),
          );
          const payload = `${extra.slice(0, -1)},${base.slice(1)}`;
          const request = `{"__proto__":{"polluted":true},"meth":"GET","path":"/p"}`;
          const withRequest = payload.replace(/"request":\{[^}]*\}/, `"request":${request}`);
          const input = `${b64(JSON.stringify({ alg: 'RS256', kid: client.kid }))}.${b64(withRequest)}`;
          const compact = `${input}.${rsaSign('sha256', Buffer.from(input), client.keyObject).toString('base64url')}`;
          const { claims } = await verifyToken(compact, options);
          expect(Object.getPrototypeOf(claims)).to.equal(Object.prototype);
          expect(claims['polluted']).to.equal(undefined);
          checkRequestBinding(claims, { method: 'GET', path: '/p' });
          expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
        }),
        { numRuns: 50 },
      );
    });

    it('decryptJweJson leaves Object.prototype unchanged for plaintexts with __proto__ keys', async () => {
      await fc.assert(
        fc.asyncProperty(pollutingJson, async (text) => {
          const { payload } = await decryptJweJson(await encryptJwe(text, client.publicKey), () => client);
          expect(Object.getPrototypeOf(payload)).to.equal(Object.prototype);
          expect((payload as Record<string, unknown>)['polluted']).to.equal(undefined);
          expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
        }),
        { numRuns: 30 },
      );
    });
  });
});
