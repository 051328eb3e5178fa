/**
 * lib/crypto (jose inside, our checks around it) against jose used directly, against an independent
 * node:crypto JOSE implementation (bench/raw_jose.ts, the benchmark's raw baseline), and against the
 * RFC known-answer vectors. Both directions, every algorithm of the protocol, a 2048-bit and a
 * 4096-bit key.
 */
import { expect } from 'chai';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose';
import { createPrivateKey, createPublicKey, publicEncrypt, constants, randomBytes } from 'node:crypto';

import { decryptA256CbcHs512, encryptA256CbcHs512 } from '../../bench/aes_cbc_hmac.js';
import { rawDecryptJwe, rawEncryptJwe, rawSign, rawSignJws, rawVerify, rawVerifyJws } from '../../bench/raw_jose.js';
import { decryptJwe, encryptJwe, JWE_ALGORITHMS, readJweHeader } from '../../lib/crypto/jwe.js';
import { JWS_ALGORITHMS, readTokenHeader, requestClaims, signToken, verifyToken } from '../../lib/crypto/jws.js';
import { loadPrivateKey, type PrivateKey } from '../../lib/crypto/keys.js';
import { JweDecryptionError, JwtVerificationError } from '../../lib/errors.js';
import { vectorText } from '../support/vectors.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** RFC 7518 Appendix B.3: AES_256_CBC_HMAC_SHA_512 test case. */
const B3 = {
  K: hex(`000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
          202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f`),
  P: Buffer.from(
    'A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy ' +
      'without inconvenience',
    'ascii',
  ),
  IV: hex('1af38c2dc2b96ffdd86694092341bc04'),
  A: Buffer.from('The second principle of Auguste Kerckhoffs', 'ascii'),
  E: hex(`4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd
          822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b
          36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3
          a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b
          be2638d09dd7a4930930806d0703b1f6`),
  T: hex('4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5'),
};

/** RFC 7515 Appendix A.2: RS256 over a 2048-bit key (JWK), header {"alg":"RS256"}. */
const A2_JWK = {
  kty: 'RSA',
  n:
    'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs' +
    'D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xs' +
    'mtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  e: 'AQAB',
  d:
    'Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pW' +
    'J1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2Qv' +
    'Xt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ',
  p:
    '4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDc' +
    'mnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc',
  q:
    'uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-' +
    'TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc',
  dp:
    'BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV' +
    '2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0',
  dq:
    'h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_' +
    '-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU',
  qi:
    'IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoO' +
    'PLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U',
};
const A2_TOKEN =
  'eyJhbGciOiJSUzI1NiJ9.' +
  'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.' +
  'cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t' +
  '1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jz' +
  'DwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw';

const T = 1600000000;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Replaces segment `index` of a compact JWE with `bytes`, canonically base64url-encoded. */
function withSegment(compact: string, index: number, bytes: Buffer): string {
  const parts = compact.split('.');
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

function segment(compact: string, index: number): Buffer {
  return Buffer.from(compact.split('.')[index]!, 'base64url');
}

function flipped(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('crypto interop (jose as oracle) and known-answer vectors', () => {
  const keys: [string, PrivateKey][] = [
    ['2048-bit', loadPrivateKey(vectorText('dotnet-test-private.key'))],
    ['4096-bit', loadPrivateKey(vectorText('java-jcecrypto-private-key.pem'))],
  ];

  describe('RFC known answers', () => {
    it('encryptA256CbcHs512 reproduces RFC 7518 App. B.3 (ciphertext and tag) and decryptA256CbcHs512 inverts it', () => {
      const { iv, ciphertext, tag } = encryptA256CbcHs512(B3.K, B3.A, B3.P, B3.IV);
      expect(iv.toString('hex')).to.equal(B3.IV.toString('hex'));
      expect(ciphertext.toString('hex')).to.equal(B3.E.toString('hex'));
      expect(tag.toString('hex')).to.equal(B3.T.toString('hex'));
      expect(decryptA256CbcHs512(B3.K, B3.A, B3.IV, B3.E, B3.T)?.toString('ascii')).to.equal(B3.P.toString('ascii'));
    });

    it('decryptA256CbcHs512 refuses the B.3 vector with any AAD, IV, ciphertext or tag bit flipped, or another key', () => {
      const cases = [
        [B3.K, flipped(B3.A, 0), B3.IV, B3.E, B3.T],
        [B3.K, B3.A, flipped(B3.IV, 15), B3.E, B3.T],
        [B3.K, B3.A, B3.IV, flipped(B3.E, 100), B3.T],
        [B3.K, B3.A, B3.IV, B3.E, flipped(B3.T, 31)],
        [flipped(B3.K, 0), B3.A, B3.IV, B3.E, B3.T], // MAC key
        [flipped(B3.K, 63), B3.A, B3.IV, B3.E, B3.T], // AES key: the tag still verifies, the padding fails
        [B3.K.subarray(0, 32), B3.A, B3.IV, B3.E, B3.T],
      ] as const;
      for (const [k, a, iv, e, t] of cases) expect(decryptA256CbcHs512(k, a, iv, e, t)).to.equal(undefined);
    });

    it('encryptA256CbcHs512 refuses a key that is not 64 bytes or an IV that is not 16', () => {
      expect(() => encryptA256CbcHs512(B3.K.subarray(0, 32), B3.A, B3.P)).to.throw(RangeError, /64-byte key/);
      expect(() => encryptA256CbcHs512(B3.K, B3.A, B3.P, B3.IV.subarray(1))).to.throw(RangeError, /16-byte IV/);
    });

    it('the raw baseline signs RFC 7515 App. A.2 byte for byte, and its verification and jose accept it', async () => {
      const privateKey = createPrivateKey({ key: A2_JWK, format: 'jwk' });
      const publicKey = createPublicKey(privateKey);
      const [h, p, s] = A2_TOKEN.split('.') as [string, string, string];
      const input = Buffer.from(`${h}.${p}`, 'ascii');
      expect(rawSign(privateKey, 'RS256', input).toString('base64url')).to.equal(s);
      expect(rawVerify(publicKey, 'RS256', input, Buffer.from(s, 'base64url'))).to.equal(true);
      expect(rawVerify(publicKey, 'RS384', input, Buffer.from(s, 'base64url'))).to.equal(false);
      const { payload } = await compactVerify(A2_TOKEN, publicKey, { algorithms: ['RS256'] });
      expect(JSON.parse(new TextDecoder().decode(payload))).to.deep.equal({
        iss: 'joe',
        exp: 1300819380,
        'http://example.com/is_root': true,
      });
    });

    it("jose CompactSign on a node KeyObject (signToken's path) reproduces RFC 7515 App. A.2 byte for byte", async () => {
      const privateKey = createPrivateKey({ key: A2_JWK, format: 'jwk' });
      const [, p] = A2_TOKEN.split('.') as [string, string, string];
      // The A.2 payload has CR LF and spaces that JSON.stringify never writes: sign its exact bytes.
      const token = await new CompactSign(Buffer.from(p, 'base64url'))
        .setProtectedHeader({ alg: 'RS256' })
        .sign(privateKey);
      expect(token).to.equal(A2_TOKEN);
    });

    it("jose's A256CBC-HS512 (encryptJwe's path) gives the ciphertext and tag of the B.3-checked baseline for the same CEK, IV and header", async () => {
      const key = loadPrivateKey(vectorText('dotnet-test-private.key'));
      const header = { alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: key.kid };
      // Deprecated for anything but vector validation, which this is: a fixed CEK and IV.
      const fixed = new CompactEncrypt(B3.P).setProtectedHeader(header);
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- vector validation
      fixed.setContentEncryptionKey(B3.K);
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- vector validation
      fixed.setInitializationVector(B3.IV);
      const compact = await fixed.encrypt(key.publicKey.keyObject);
      const [h = '', , iv = '', c = '', t = ''] = compact.split('.');
      const expected = encryptA256CbcHs512(B3.K, Buffer.from(h, 'ascii'), B3.P, B3.IV);
      expect([iv, c, t]).to.deep.equal([
        B3.IV.toString('base64url'),
        expected.ciphertext.toString('base64url'),
        expected.tag.toString('base64url'),
      ]);
      expect((await decryptJwe(compact, () => key)).plaintext).to.equal(B3.P.toString('ascii'));
    });

    it('readTokenHeader refuses the RFC 7515 A.2 token anyway: the protocol requires a kid fingerprint', () => {
      let thrown: unknown;
      try {
        readTokenHeader(A2_TOKEN);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.be.instanceOf(JwtVerificationError);
      expect((thrown as JwtVerificationError).code).to.equal('ERR_LK_JWT_MALFORMED');
      expect((thrown as JwtVerificationError).claim).to.equal('kid');
    });
  });

  for (const [size, key] of keys) {
    describe(`${size} key`, () => {
      const claims = requestClaims({
        issuer: 'svc:00000000-0000-4000-8000-000000000001',
        subject: 'svc:00000000-0000-4000-8000-000000000001',
        method: 'POST',
        path: '/service/v3/auths',
        body: '{"a":1}',
        now: T,
      });

      for (const alg of JWS_ALGORITHMS) {
        it(`signToken ${alg} verifies with jose compactVerify`, async () => {
          const token = await signToken(claims, key, { algorithm: alg, typ: true });
          const { payload, protectedHeader } = await compactVerify(token, key.publicKey.keyObject, {
            algorithms: [alg],
          });
          expect(protectedHeader).to.deep.equal({ alg, typ: 'JWT', kid: key.kid });
          expect(JSON.parse(new TextDecoder().decode(payload))).to.deep.equal(claims);
        });

        it(`verifyToken accepts a jose CompactSign ${alg} token and refuses it altered by one bit`, async () => {
          const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
            .setProtectedHeader({ alg, kid: key.kid })
            .sign(key.keyObject);
          const options = { resolveKey: () => key.publicKey, now: T };
          const verified = await verifyToken(token, options);
          expect(verified.header).to.deep.equal({ alg, kid: key.kid });
          expect(verified.claims).to.deep.equal(claims);
          const [h, p, s] = token.split('.') as [string, string, string];
          const forged = `${h}.${p}.${flipped(Buffer.from(s, 'base64url'), 7).toString('base64url')}`;
          const err = await rejection(verifyToken(forged, options));
          expect(err).to.be.instanceOf(JwtVerificationError);
          expect((err as JwtVerificationError).code).to.equal('ERR_LK_JWT_SIGNATURE');
        });

        it(`signToken ${alg} verifies with the node:crypto baseline, and verifyToken accepts the baseline's token`, async () => {
          const token = await signToken(claims, key, { algorithm: alg });
          const verified = rawVerifyJws(token, key.publicKey.keyObject, [alg]);
          expect(verified.header).to.deep.equal({ alg, kid: key.kid });
          expect(JSON.parse(verified.payload.toString('utf8'))).to.deep.equal(claims);
          const theirs = rawSignJws(JSON.stringify(claims), key.keyObject, { alg, kid: key.kid });
          // RSASSA-PKCS1-v1_5 is deterministic: the same header and claims give the same token.
          expect(theirs).to.equal(token);
          expect((await verifyToken(theirs, { resolveKey: () => key.publicKey, now: T })).claims).to.deep.equal(claims);
        });
      }

      for (const alg of JWE_ALGORITHMS) {
        it(`encryptJwe ${alg} decrypts with jose compactDecrypt`, async () => {
          const text = '{"auth_request":"a","emoji":"🔐"}';
          const compact = await encryptJwe(text, key.publicKey, { algorithm: alg, contentType: 'application/json' });
          const { plaintext, protectedHeader } = await compactDecrypt(compact, key.keyObject, {
            keyManagementAlgorithms: [alg],
            contentEncryptionAlgorithms: ['A256CBC-HS512'],
          });
          expect(protectedHeader).to.deep.equal({ alg, enc: 'A256CBC-HS512', kid: key.kid, cty: 'application/json' });
          expect(new TextDecoder().decode(plaintext)).to.equal(text);
        });

        it(`decryptJwe opens a jose CompactEncrypt ${alg} JWE`, async () => {
          const text = 'x'.repeat(1000);
          const compact = await new CompactEncrypt(new TextEncoder().encode(text))
            .setProtectedHeader({ alg, enc: 'A256CBC-HS512', kid: key.kid })
            .encrypt(key.publicKey.keyObject);
          const { header, plaintext } = await decryptJwe(compact, () => key);
          expect(header).to.deep.equal({ alg, enc: 'A256CBC-HS512', kid: key.kid });
          expect(plaintext).to.equal(text);
        });

        it(`encryptJwe ${alg} opens with the node:crypto baseline, and decryptJwe opens the baseline's JWE`, async () => {
          const text = '{"auth_request":"a","emoji":"🔐"}';
          const ours = await encryptJwe(text, key.publicKey, { algorithm: alg, contentType: 'application/json' });
          const opened = rawDecryptJwe(ours, key.keyObject, [alg]);
          expect(opened.header).to.deep.equal({ alg, enc: 'A256CBC-HS512', kid: key.kid, cty: 'application/json' });
          expect(opened.plaintext.toString('utf8')).to.equal(text);
          const theirs = rawEncryptJwe(text, key.publicKey.keyObject, { alg, enc: 'A256CBC-HS512', kid: key.kid });
          const { header, plaintext } = await decryptJwe(theirs, () => key);
          expect(header).to.deep.equal({ alg, enc: 'A256CBC-HS512', kid: key.kid });
          expect(plaintext).to.equal(text);
        });
      }

      describe('tampering and lengths: one failure, one message, no cause (jose refuses them too)', () => {
        let valid = '';
        before(async () => {
          // 40 bytes of plaintext: a 48-byte ciphertext of three AES blocks.
          valid = await encryptJwe('0123456789012345678901234567890123456789', key.publicKey);
          expect(segment(valid, 3)).to.have.length(48);
        });

        const cek32 = (): string => {
          // A well-formed JWE whose encrypted key wraps a 32-byte CEK instead of 64.
          const wrapped = publicEncrypt(
            { key: key.publicKey.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
            randomBytes(32),
          );
          return withSegment(valid, 1, wrapped);
        };

        const cases: [string, () => string][] = [
          ['the tag with one bit flipped', () => withSegment(valid, 4, flipped(segment(valid, 4), 31))],
          ['the ciphertext with one bit flipped', () => withSegment(valid, 3, flipped(segment(valid, 3), 20))],
          ['the encrypted key with one bit flipped', () => withSegment(valid, 1, flipped(segment(valid, 1), 9))],
          ['an IV of 15 bytes', () => withSegment(valid, 2, segment(valid, 2).subarray(0, 15))],
          ['an IV of 17 bytes', () => withSegment(valid, 2, Buffer.concat([segment(valid, 2), Buffer.alloc(1)]))],
          ['a tag of 16 bytes', () => withSegment(valid, 4, segment(valid, 4).subarray(0, 16))],
          ['a tag of 31 bytes', () => withSegment(valid, 4, segment(valid, 4).subarray(0, 31))],
          ['a tag of 64 bytes', () => withSegment(valid, 4, Buffer.concat([segment(valid, 4), segment(valid, 4)]))],
          ['an encrypted key one byte short', () => withSegment(valid, 1, segment(valid, 1).subarray(1))],
          [
            'an encrypted key one byte long',
            () => withSegment(valid, 1, Buffer.concat([Buffer.alloc(1), segment(valid, 1)])),
          ],
          ['a ciphertext of 47 bytes', () => withSegment(valid, 3, segment(valid, 3).subarray(0, 47))],
          ['a ciphertext of 32 bytes + 1', () => withSegment(valid, 3, segment(valid, 3).subarray(0, 33))],
          ['an empty ciphertext', () => withSegment(valid, 3, Buffer.alloc(0))],
          [
            'an encrypted key that is random bytes (OAEP failure)',
            () => withSegment(valid, 1, randomBytes(key.bits / 8)),
          ],
          ['an encrypted key wrapping a 32-byte CEK', cek32],
        ];

        for (const [name, build] of cases) {
          it(`decryptJwe refuses ${name} with ERR_LK_JWE_DECRYPT "JWE decryption failed"`, async () => {
            const compact = build();
            readJweHeader(compact); // still a well-formed compact JWE: only the decryption can refuse it
            const err = await rejection(decryptJwe(compact, () => key));
            expect(err).to.be.instanceOf(JweDecryptionError);
            const e = err as JweDecryptionError;
            expect([e.code, e.failure, e.message, e.kid]).to.deep.equal([
              'ERR_LK_JWE_DECRYPT',
              'decrypt',
              'JWE decryption failed',
              key.kid,
            ]);
            expect(e.cause).to.equal(undefined);
            await rejection(compactDecrypt(compact, key.keyObject));
          });
        }
      });
    });
  }
});
