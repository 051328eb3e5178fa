import { expect } from 'chai';
import fc from 'fast-check';
import { sign } from 'node:crypto';

import { findDuplicateKey } from '../../lib/crypto/duplicate_keys.js';
import { decryptJweJson, encryptJwe, parseJson, readJweHeader } from '../../lib/crypto/jwe.js';
import { KeyRing, loadPrivateKey } from '../../lib/crypto/keys.js';
import { requestClaims, signToken, verifyToken, readTokenHeader } from '../../lib/crypto/jws.js';
import { JweDecryptionError, JwtVerificationError, PayloadValidationError } from '../../lib/errors.js';
import { parseJsonObject } from '../../lib/webhooks/json_text.js';
import { rejection } from '../support/assertions.js';
import { vectorText } from '../support/vectors.js';

const key = loadPrivateKey(vectorText('python-features-organization-key.pem'));
const NOW = 1_600_000_000;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

/** Signs a header and a payload given as raw JSON text, so that they may hold what JSON.stringify never writes. */
function signRaw(headerText: string, payloadText: string): Promise<string> {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  const signature = sign('sha256', Buffer.from(input, 'ascii'), key.keyObject);
  return Promise.resolve(`${input}.${signature.toString('base64url')}`);
}

/** A JSON tree whose objects are lists of members, so that a name may repeat. */
type Tree =
  | { kind: 'object'; members: { name: string; escaped: boolean; value: Tree }[]; space: boolean }
  | { kind: 'array'; items: Tree[]; space: boolean }
  | { kind: 'leaf'; value: string | number | boolean | null };

/** Few names, so that they collide often; quotes, backslashes and non-ASCII to stress the scanner. */
const NAMES = ['a', 'b', 'ab', '', '"', '\\', 'é', '\\"', 'a"b', '__proto', 'kid', '\u2028'];

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('leaf' as const),
      value: fc.oneof(
        fc.string(),
        fc.constantFrom(...NAMES),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      ),
    }),
    fc.record({
      kind: fc.constant('object' as const),
      members: fc.array(fc.record({ name: fc.constantFrom(...NAMES), escaped: fc.boolean(), value: tie('tree') }), {
        maxLength: 5,
      }),
      space: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('array' as const),
      items: fc.array(tie('tree'), { maxLength: 4 }),
      space: fc.boolean(),
    }),
  ),
}));

/** Every character as \uXXXX: the same name to any JSON parser, different bytes. */
const escapeAll = (name: string): string =>
  `"${Array.from(name)
    .map((ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
    .join('')}"`;

function serialize(node: Tree): string {
  if (node.kind === 'leaf') return JSON.stringify(node.value);
  const sep = node.space ? ' ,\n\t' : ',';
  if (node.kind === 'array') return `[${node.items.map(serialize).join(sep)}]`;
  const colon = node.space ? ' : ' : ':';
  const members = node.members.map(
    (m) => `${m.escaped ? escapeAll(m.name) : JSON.stringify(m.name)}${colon}${serialize(m.value)}`,
  );
  return node.space ? `{ ${members.join(sep)} }` : `{${members.join(sep)}}`;
}

function hasDuplicate(node: Tree): boolean {
  if (node.kind === 'leaf') return false;
  if (node.kind === 'array') return node.items.some(hasDuplicate);
  const names = node.members.map((m) => m.name);
  return new Set(names).size !== names.length || node.members.some((m) => hasDuplicate(m.value));
}

describe('crypto/duplicate_keys', () => {
  describe('findDuplicateKey', () => {
    it('finds a repeated name at the top, in a nested object, and under an escape', () => {
      expect(findDuplicateKey('{"a":1,"a":2}')).to.equal('a');
      expect(findDuplicateKey('{"x":{"request":{"path":"/a","path":"/b"}}}')).to.equal('path');
      expect(findDuplicateKey('[{"a":1},{"b":[{"c":1,"c":2}]}]')).to.equal('c');
      expect(findDuplicateKey('{"a":1,"\\u0061":2}')).to.equal('a');
      expect(findDuplicateKey('{"a\\"":1,"a\\u0022":2}')).to.equal('a"');
    });

    it('does not take names of sibling objects, string values or array items for duplicates', () => {
      expect(findDuplicateKey('{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}')).to.equal(undefined);
      expect(findDuplicateKey('{"a":"a","b":["a","a"],"c":"\\"a\\":1,\\"a\\":2"}')).to.equal(undefined);
      expect(findDuplicateKey('{"a\\\\":1,"a":2}')).to.equal(undefined);
      expect(findDuplicateKey('"plain"')).to.equal(undefined);
    });

    it('property: a JSON text is refused exactly when one object repeats a name, and otherwise parses as JSON.parse does', () => {
      fc.assert(
        fc.property(tree, (node) => {
          const text = serialize(node);
          const duplicate = hasDuplicate(node);
          expect(findDuplicateKey(text) !== undefined, text).to.equal(duplicate);
          if (duplicate) {
            expect(() => parseJson(text)).to.throw(JweDecryptionError);
          } else {
            expect(parseJson(text)).to.deep.equal(JSON.parse(text));
          }
          const object = `{"root":${text}}`;
          if (duplicate) {
            expect(() => parseJsonObject(object, 'body')).to.throw(PayloadValidationError);
          } else {
            expect(parseJsonObject(object, 'body')).to.deep.equal(JSON.parse(object));
          }
        }),
        { numRuns: 500 },
      );
    });

    it('property: text written by JSON.stringify never has a duplicate', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          expect(findDuplicateKey(JSON.stringify(value))).to.equal(undefined);
          expect(findDuplicateKey(JSON.stringify(value, null, 2))).to.equal(undefined);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('each parser refuses a repeated member with the error of its layer', () => {
    const claimsText = (extra: string): string => {
      const claims = requestClaims({
        issuer: 'lka',
        subject: 'svc:x',
        audience: 'org:y',
        method: 'POST',
        path: '/a',
        now: NOW,
      });
      return `${JSON.stringify(claims).slice(0, -1)}${extra}}`;
    };

    it('a JWS header with kid twice: JwtVerificationError malformed, before the key is looked up', async () => {
      const token = await signRaw(`{"alg":"RS256","kid":"${key.kid}","kid":"${key.kid}"}`, claimsText(''));
      const err = (() => {
        try {
          readTokenHeader(token);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).to.be.instanceOf(JwtVerificationError);
      expect(err).to.include({ failure: 'malformed' });
    });

    it('a claim set with aud twice, or request.path twice: JwtVerificationError malformed', async () => {
      let resolved = 0;
      const resolveKey = () => {
        resolved++;
        return key.publicKey;
      };
      for (const extra of [',"aud":"org:z"', ',"request":{"meth":"POST","path":"/a","path":"/b"}']) {
        const token = await signRaw(`{"alg":"RS256","kid":"${key.kid}"}`, claimsText(extra));
        const err = await rejection(verifyToken(token, { resolveKey, now: NOW }), JwtVerificationError);
        expect(err.failure).to.equal('malformed');
      }
      expect(resolved).to.equal(2);
      // The same token without the repetition verifies: the refusal is about the duplicate only.
      const clean = await signToken(JSON.parse(claimsText('')) as Record<string, unknown>, key);
      expect((await verifyToken(clean, { resolveKey, now: NOW })).claims.aud).to.equal('org:y');
    });

    it('a JWE protected header with enc twice: JweDecryptionError malformed', async () => {
      const compact = await encryptJwe({ a: 1 }, key.publicKey);
      const [, ...rest] = compact.split('.');
      const header = b64(`{"alg":"RSA-OAEP","enc":"A256CBC-HS512","enc":"A256CBC-HS512","kid":"${key.kid}"}`);
      expect(() => readJweHeader([header, ...rest].join('.'))).to.throw(JweDecryptionError, /twice/);
    });

    it('a decrypted payload with a member twice in a nested object: JweDecryptionError payload', async () => {
      const compact = await encryptJwe('{"auth_policy":{"amount":1,"amount":3},"b":2}', key.publicKey);
      const err = await rejection(
        decryptJweJson(compact, (kid) => new KeyRing([key]).get(kid)),
        JweDecryptionError,
      );
      expect(err.failure).to.equal('payload');
    });

    it('a webhook body or device package with a member twice: PayloadValidationError naming the field', () => {
      const err = (() => {
        try {
          parseJsonObject('{"type":"AUTHORIZED","auth_policy":{"types":["x"],"types":[]}}', 'auth_jwe');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).to.be.instanceOf(PayloadValidationError);
      expect(err).to.include({ field: 'auth_jwe' });
    });
  });
});
