import { expect } from 'chai';
import { CompactEncrypt, compactDecrypt } from 'jose';

import {
  DEFAULT_MAX_JWE_LENGTH,
  JWE_ALGORITHMS,
  JWE_ENCRYPTION,
  decryptJwe,
  decryptJweJson,
  encryptJwe,
  parseJson,
  readJweHeader,
  type JweAlgorithm,
} from '../../lib/crypto/jwe.js';
import { KeyRing, loadPrivateKey, type PrivateKey } from '../../lib/crypto/keys.js';
import { JweDecryptionError, type JweFailure } from '../../lib/errors.js';
import { endToEnd, vectorText } from '../support/vectors.js';

const CODES: Record<JweFailure, string> = {
  malformed: 'ERR_LK_JWE_MALFORMED',
  algorithm: 'ERR_LK_JWE_ALGORITHM',
  key: 'ERR_LK_JWE_KEY_NOT_FOUND',
  decrypt: 'ERR_LK_JWE_DECRYPT',
  payload: 'ERR_LK_JWE_PAYLOAD',
};

function checkJweError(err: unknown, failure: JweFailure, message?: RegExp): JweDecryptionError {
  expect(err, 'an error must be thrown').to.be.instanceOf(JweDecryptionError);
  const e = err as JweDecryptionError;
  expect(e.code).to.equal(CODES[failure]);
  expect(e.failure).to.equal(failure);
  if (message !== undefined) expect(e.message).to.match(message);
  return e;
}

async function rejection(
  promise: Promise<unknown>,
  failure: JweFailure,
  message?: RegExp,
): Promise<JweDecryptionError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (err) {
    thrown = err;
  }
  return checkJweError(thrown, failure, message);
}

function throwing(fn: () => unknown, failure: JweFailure, message?: RegExp): JweDecryptionError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  return checkJweError(thrown, failure, message);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Replaces the protected header of a compact JWE (the tag no longer matches; header checks come first). */
function withHeader(compact: string, header: Record<string, unknown>): string {
  const parts = compact.split('.');
  parts[0] = b64(header);
  return parts.join('.');
}

/** Flips one bit of the decoded bytes of one segment and re-encodes it canonically. */
function flipBit(compact: string, segment: number, byte = 0): string {
  const parts = compact.split('.');
  const bytes = Buffer.from(parts[segment]!, 'base64url');
  bytes[byte] = bytes[byte]! ^ 0x01;
  parts[segment] = bytes.toString('base64url');
  return parts.join('.');
}

describe('crypto/jwe', () => {
  const e2e = endToEnd();
  const api = loadPrivateKey(vectorText('java-jcecrypto-private-key.pem'));
  const client = loadPrivateKey(vectorText('dotnet-test-private.key'));
  const other = loadPrivateKey(vectorText('python-valid-private-key.pem'));
  const byKid =
    (...keys: PrivateKey[]) =>
    (kid: string): PrivateKey | undefined =>
      keys.find((k) => k.kid === kid);

  describe('vectors', () => {
    it('decryptJwe opens the synthetic request body with the API private key', async () => {
      const { header, plaintext } = await decryptJwe(e2e.request.body, byKid(api));
      expect(header).to.deep.equal({
        alg: 'RSA-OAEP-256',
        enc: 'A256CBC-HS512',
        kid: e2e.api_key.kid,
        cty: 'application/json',
      });
      expect(plaintext).to.equal(e2e.request.decrypted_body);
    });

    it('decryptJwe opens the synthetic response body with the client private key', async () => {
      const { header, plaintext } = await decryptJwe(e2e.response.body, byKid(client), { algorithms: ['RSA-OAEP'] });
      expect(header.alg).to.equal('RSA-OAEP');
      expect(header.kid).to.equal(e2e.client_key.kid);
      expect(plaintext).to.equal(e2e.response.decrypted_body);
    });

    it('decryptJweJson parses the synthetic response body', async () => {
      const { payload } = await decryptJweJson(e2e.response.body, byKid(client));
      expect(payload).to.deep.equal(JSON.parse(e2e.response.decrypted_body));
    });

    it('decryptJwe opens the auth_jwe of the synthetic poll response core', async () => {
      const core = e2e.poll_response_core;
      const { plaintext } = await decryptJwe(core.decrypted_body.auth_jwe, byKid(client));
      expect(plaintext).to.equal(core.auth_jwe_plaintext);
    });

    it('decryptJwe refuses the RSA-OAEP-256 request body when only RSA-OAEP is allowed', async () => {
      const err = await rejection(
        decryptJwe(e2e.request.body, byKid(api), { algorithms: ['RSA-OAEP'] }),
        'algorithm',
        /JWE alg "RSA-OAEP-256" is not accepted/,
      );
      expect(err.kid).to.equal(undefined);
    });

    it('decryptJwe refuses the request body for a holder of the client key only', async () => {
      const err = await rejection(
        decryptJwe(e2e.request.body, byKid(client)),
        'key',
        /The key id 5f:04:de:33:d6:bf:cc:6c:57:da:0a:7d:80:7d:a4:ce could not be found/,
      );
      expect(err.kid).to.equal(e2e.api_key.kid);
    });
  });

  describe('round trips', () => {
    for (const algorithm of JWE_ALGORITHMS) {
      it(`encryptJwe and decryptJwe round-trip a JSON value with ${algorithm}`, async () => {
        const value = { username: 'u', context: 'Authorizing charge for $12.34', n: 1, emoji: '🔐' };
        const compact = await encryptJwe(value, client.publicKey, { algorithm, contentType: 'application/json' });
        expect(compact.split('.')).to.have.length(5);
        expect(readJweHeader(compact)).to.deep.equal({
          alg: algorithm,
          enc: 'A256CBC-HS512',
          kid: client.kid,
          cty: 'application/json',
        });
        const { header, payload } = await decryptJweJson(compact, byKid(client));
        expect(header.alg).to.equal(algorithm);
        expect(payload).to.deep.equal(value);
      });
    }

    it('encryptJwe defaults to RSA-OAEP without cty and encrypts strings verbatim', async () => {
      const compact = await encryptJwe('plain "text"', client.publicKey);
      expect(readJweHeader(compact)).to.deep.equal({ alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: client.kid });
      expect((await decryptJwe(compact, byKid(client))).plaintext).to.equal('plain "text"');
    });

    it('encryptJwe produces a different JWE each time for the same plaintext', async () => {
      const a = await encryptJwe('x', client.publicKey);
      const b = await encryptJwe('x', client.publicKey);
      expect(a).to.not.equal(b);
    });

    it('decryptJwe selects the key by kid among several and asks for that kid only', async () => {
      const ring = new KeyRing([client, api, other]);
      const asked: string[] = [];
      const compact = await encryptJwe({ to: 'other' }, other.publicKey);
      const { payload } = await decryptJweJson(compact, (kid) => {
        asked.push(kid);
        return ring.get(kid);
      });
      expect(payload).to.deep.equal({ to: 'other' });
      expect(asked).to.deep.equal([other.kid]);
    });

    it('the exported constants are the protocol values', () => {
      expect(JWE_ALGORITHMS).to.deep.equal(['RSA-OAEP', 'RSA-OAEP-256']);
      expect(JWE_ENCRYPTION).to.equal('A256CBC-HS512');
      expect(DEFAULT_MAX_JWE_LENGTH).to.equal(1024 * 1024);
    });
  });

  describe('rejections', () => {
    let valid = '';
    let validHeader: Record<string, unknown> = {};
    before(async () => {
      valid = await encryptJwe({ ok: true }, client.publicKey);
      validHeader = readJweHeader(valid) as unknown as Record<string, unknown>;
    });

    it('decryptJwe rejects an unknown kid with ERR_LK_JWE_KEY_NOT_FOUND and names the kid', async () => {
      const err = await rejection(decryptJwe(valid, byKid(api, other)), 'key', /could not be found/);
      expect(err.code).to.equal('ERR_LK_JWE_KEY_NOT_FOUND');
      expect(err.kid).to.equal(client.kid);
    });

    it('decryptJwe rejects a header without kid or with an empty or non-string kid before any key lookup', async () => {
      let lookups = 0;
      const resolver = (): PrivateKey => {
        lookups += 1;
        return client;
      };
      const noKid = Object.fromEntries(Object.entries(validHeader).filter(([name]) => name !== 'kid'));
      for (const header of [noKid, { ...noKid, kid: '' }, { ...noKid, kid: 7 }]) {
        await rejection(decryptJwe(withHeader(valid, header), resolver), 'key', /no kid/);
      }
      expect(lookups).to.equal(0);
    });

    it('decryptJwe rejects an RSA-OAEP-256 JWE when only RSA-OAEP is allowed', async () => {
      const compact = await encryptJwe('x', client.publicKey, { algorithm: 'RSA-OAEP-256' });
      await rejection(decryptJwe(compact, byKid(client), { algorithms: ['RSA-OAEP'] }), 'algorithm');
    });

    for (const alg of ['RSA1_5', 'dir', 'A256KW', 'ECDH-ES', 'PBES2-HS256+A128KW', 'rsa-oaep', undefined]) {
      it(`readJweHeader rejects alg ${String(alg)}`, () => {
        throwing(() => readJweHeader(withHeader(valid, { ...validHeader, alg })), 'algorithm', /JWE alg/);
      });
    }

    for (const enc of ['A128GCM', 'A256GCM', 'A128CBC-HS256', undefined]) {
      it(`readJweHeader rejects enc ${String(enc)}`, () => {
        throwing(() => readJweHeader(withHeader(valid, { ...validHeader, enc })), 'algorithm', /JWE enc/);
      });
    }

    it('readJweHeader rejects a zip header', () => {
      throwing(() => readJweHeader(withHeader(valid, { ...validHeader, zip: 'DEF' })), 'malformed', /zip and crit/);
    });

    it('readJweHeader rejects a crit header', () => {
      throwing(
        () => readJweHeader(withHeader(valid, { ...validHeader, crit: ['exp'], exp: 1 })),
        'malformed',
        /zip and crit/,
      );
    });

    it('readJweHeader refuses a protected header that is not UTF-8, which jose refuses too', async () => {
      const parts = valid.split('.');
      parts[0] = Buffer.concat([
        Buffer.from(`{"alg":"RSA-OAEP","enc":"A256CBC-HS512","kid":"${client.kid}","x":"`, 'ascii'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}', 'ascii'),
      ]).toString('base64url');
      const compact = parts.join('.');
      throwing(() => readJweHeader(compact), 'malformed', /protected header is not UTF-8/);
      let lookups = 0;
      await rejection(
        decryptJwe(compact, () => {
          lookups += 1;
          return client;
        }),
        'malformed',
      );
      expect(lookups).to.equal(0);
      let joseRefused = false;
      await compactDecrypt(compact, client.keyObject).catch(() => {
        joseRefused = true;
      });
      expect(joseRefused).to.equal(true);
    });

    it('decryptJwe refuses a zip header before jose, which refuses it too given maxDecompressedLength 0', async () => {
      // zip is refused by readJweHeader; jose, given maxDecompressedLength 0, would refuse it as well.
      const zipped = await new CompactEncrypt(new TextEncoder().encode('x'))
        .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: client.kid, zip: 'DEF' })
        .encrypt(client.publicKey.keyObject);
      await rejection(decryptJwe(zipped, byKid(client)), 'malformed', /zip and crit/);
      let joseRefused = false;
      await compactDecrypt(zipped, client.keyObject, { maxDecompressedLength: 0 }).catch(() => {
        joseRefused = true;
      });
      expect(joseRefused).to.equal(true);
    });

    it('readJweHeader rejects 4 and 6 parts', () => {
      const parts = valid.split('.');
      for (const compact of [parts.slice(0, 4).join('.'), [...parts, parts[4]].join('.')]) {
        throwing(() => readJweHeader(compact), 'malformed', /five base64url parts/);
      }
    });

    it('readJweHeader rejects characters outside base64url, padding and whitespace', () => {
      const parts = valid.split('.');
      const variants = [
        [parts[0], parts[1], `${parts[2]!.slice(1)}+`, parts[3], parts[4]].join('.'),
        [parts[0], parts[1], parts[2], parts[3], `${parts[4]!}=`].join('.'),
        ` ${valid}`,
        `${valid}\n`,
      ];
      for (const compact of variants) throwing(() => readJweHeader(compact), 'malformed', /five base64url parts/);
    });

    it('readJweHeader rejects a segment with non-canonical base64url (unused bits set)', () => {
      const parts = valid.split('.');
      // A 16-byte IV is 22 characters; the last one carries 2 bits and 4 unused ones.
      const iv = parts[2]!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twin = Array.from(alphabet).find(
        (c) =>
          c !== iv.at(-1) && Buffer.from(`${iv.slice(0, -1)}${c}`, 'base64url').equals(Buffer.from(iv, 'base64url')),
      );
      expect(twin, 'a character decoding to the same IV').to.be.a('string');
      parts[2] = `${iv.slice(0, -1)}${twin!}`;
      throwing(() => readJweHeader(parts.join('.')), 'malformed', /five base64url parts/);
    });

    it('readJweHeader rejects a JWE longer than maxLength and than the 1 MiB default', () => {
      throwing(() => readJweHeader(valid, { maxLength: valid.length - 1 }), 'malformed', /longer than/);
      const huge = withHeader(valid, validHeader).replace(
        /\.[^.]*\.([^.]*)$/,
        `.${'A'.repeat(DEFAULT_MAX_JWE_LENGTH)}.$1`,
      );
      expect(huge.length).to.be.above(DEFAULT_MAX_JWE_LENGTH);
      throwing(() => readJweHeader(huge), 'malformed', /longer than 1048576 characters/);
    });

    it('readJweHeader rejects an empty or non-string JWE', () => {
      throwing(() => readJweHeader(''), 'malformed', /empty or not a string/);
      throwing(() => readJweHeader({} as unknown as string), 'malformed', /empty or not a string/);
    });

    it('readJweHeader rejects a protected header that is not JSON or not an object', () => {
      const parts = valid.split('.');
      parts[0] = Buffer.from('{"alg":').toString('base64url');
      throwing(() => readJweHeader(parts.join('.')), 'malformed', /not JSON/);
      for (const value of [null, [1], 'RSA-OAEP', 3]) {
        parts[0] = b64(value);
        throwing(() => readJweHeader(parts.join('.')), 'malformed', /not a JSON object/);
      }
    });

    it('decryptJwe fails a bit flip in each of encrypted key, IV, ciphertext and tag with one identical message', async () => {
      const messages = new Set<string>();
      for (const [segment, name] of [
        [1, 'encrypted key'],
        [2, 'iv'],
        [3, 'ciphertext'],
        [4, 'tag'],
      ] as const) {
        for (const byte of [0, 5]) {
          const err = await rejection(decryptJwe(flipBit(valid, segment, byte), byKid(client)), 'decrypt');
          expect(err.kid, name).to.equal(client.kid);
          messages.add(err.message);
        }
      }
      expect([...messages]).to.deep.equal(['JWE decryption failed']);
    });

    it('decryptJwe fails a truncated tag, a 12-byte IV and an empty encrypted key as decrypt', async () => {
      const parts = valid.split('.');
      const shortTag = [
        ...parts.slice(0, 4),
        Buffer.from(parts[4]!, 'base64url').subarray(0, 16).toString('base64url'),
      ];
      const shortIv = [parts[0], parts[1], Buffer.alloc(12).toString('base64url'), parts[3], parts[4]];
      const noKey = [parts[0], '', parts[2], parts[3], parts[4]];
      for (const compact of [shortTag, shortIv, noKey]) {
        await rejection(decryptJwe(compact.join('.'), byKid(client)), 'decrypt', /^JWE decryption failed$/);
      }
    });

    it('decryptJwe fails a changed protected header as decrypt (the header is authenticated)', async () => {
      const changed = withHeader(valid, { ...validHeader, cty: 'text/plain' });
      await rejection(decryptJwe(changed, byKid(client)), 'decrypt');
    });

    it('decryptJwe fails when the kid resolves to a different private key', async () => {
      await rejection(
        decryptJwe(valid, () => other),
        'decrypt',
        /^JWE decryption failed$/,
      );
    });

    it('decryptJwe fails an RSA-OAEP-256 JWE relabelled RSA-OAEP as decrypt', async () => {
      const compact = await encryptJwe('x', client.publicKey, { algorithm: 'RSA-OAEP-256' });
      const header = readJweHeader(compact);
      const relabelled = withHeader(compact, { ...header, alg: 'RSA-OAEP' satisfies JweAlgorithm });
      await rejection(decryptJwe(relabelled, byKid(client)), 'decrypt');
    });

    it('decryptJwe rejects a plaintext that is not UTF-8 as payload', async () => {
      const compact = await new CompactEncrypt(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))
        .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: client.kid })
        .encrypt(client.publicKey.keyObject);
      await rejection(decryptJwe(compact, byKid(client)), 'payload', /not UTF-8/);
    });

    it('decryptJweJson rejects a plaintext that is not JSON as payload', async () => {
      const compact = await encryptJwe('{"unterminated":', client.publicKey);
      expect((await decryptJwe(compact, byKid(client))).plaintext).to.equal('{"unterminated":');
      await rejection(decryptJweJson(compact, byKid(client)), 'payload', /not JSON/);
    });

    it('parseJson returns parsed JSON and rejects non-JSON as payload', () => {
      expect(parseJson('{"a":[1,null]}')).to.deep.equal({ a: [1, null] });
      throwing(() => parseJson(''), 'payload', /^Decrypted payload is not JSON$/);
    });

    it('decryptJweJson keeps a __proto__ key as own data without touching Object.prototype', async () => {
      const compact = await encryptJwe('{"__proto__":{"polluted":true},"a":1}', client.publicKey);
      const { payload } = await decryptJweJson(compact, byKid(client));
      expect(Object.getPrototypeOf(payload)).to.equal(Object.prototype);
      expect(Object.hasOwn(payload as object, '__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });
  });
});
