import { expect } from 'chai';
import { constants, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

import { decryptJwe, encryptJwe } from '../../lib/crypto/jwe.js';
import { signToken, verifyToken } from '../../lib/crypto/jws.js';
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import {
  oaepDecrypt,
  oaepEncrypt,
  rsaBlockBytes,
  rsaSign,
  rsaVerify,
  runsOnThreadPool,
  SYNC_PRIVATE_KEY_MAX_BITS,
  type OaepHash,
  type RsaSignatureAlgorithm,
} from '../../lib/crypto/rsa.js';
import { ConfigurationError, JweDecryptionError, JwtVerificationError } from '../../lib/errors.js';
import { vectorText } from '../support/vectors.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * Whether `run` needs the event loop to settle: work done synchronously settles within microtasks,
 * work on the thread pool only in a later macrotask, whatever the machine's load (a setImmediate
 * race would depend on when the thread pool finishes).
 */
async function yieldsToEventLoop(run: () => Promise<unknown>): Promise<boolean> {
  let settled = false;
  const done = run().then(() => {
    settled = true;
  });
  for (let i = 0; i < 20; i++) await Promise.resolve();
  const needsLoop = !settled;
  await done;
  return needsLoop;
}

describe('crypto/rsa', () => {
  const k2048 = loadPrivateKey(vectorText('dotnet-test-private.key'));
  const k4096 = loadPrivateKey(vectorText('java-jcecrypto-private-key.pem'));
  const data = Buffer.from('eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ', 'ascii');
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('runs private-key operations synchronously up to 2048 bits and on the thread pool above', () => {
    expect(SYNC_PRIVATE_KEY_MAX_BITS).to.equal(2048);
    expect(runsOnThreadPool(k2048.keyObject)).to.equal(false);
    expect(runsOnThreadPool(k4096.keyObject)).to.equal(true);
  });

  it('rsaSign with a 2048-bit key settles without an event-loop turn; with a 4096-bit key the loop keeps turning', async () => {
    expect(await yieldsToEventLoop(() => rsaSign(k2048.keyObject, 'RS256', data))).to.equal(false);
    expect(await yieldsToEventLoop(() => rsaSign(k4096.keyObject, 'RS256', data))).to.equal(true);
  });

  it('oaepDecrypt with a 2048-bit key settles without an event-loop turn; with a 4096-bit key the loop keeps turning', async () => {
    const b2048 = oaepEncrypt(k2048.publicKey.keyObject, 'sha1', Buffer.alloc(64, 1));
    const b4096 = oaepEncrypt(k4096.publicKey.keyObject, 'sha1', Buffer.alloc(64, 1));
    await oaepDecrypt(k4096.keyObject, 'sha1', b4096); // the CryptoKey import is not what is measured
    expect(await yieldsToEventLoop(() => oaepDecrypt(k2048.keyObject, 'sha1', b2048))).to.equal(false);
    expect(await yieldsToEventLoop(() => oaepDecrypt(k4096.keyObject, 'sha1', b4096))).to.equal(true);
  });

  for (const key of [k2048, k4096]) {
    for (const alg of ['RS256', 'RS384', 'RS512'] as const) {
      it(`rsaSign and rsaVerify ${alg} agree at ${key.bits} bits, and the signature is PKCS#1 v1.5 with the alg's hash`, async () => {
        const signature = await rsaSign(key.keyObject, alg, data);
        expect(signature).to.have.length(rsaBlockBytes(key.keyObject));
        expect(rsaVerify(key.publicKey.keyObject, alg, data, signature)).to.equal(true);
        for (const other of ['RS256', 'RS384', 'RS512'] as const) {
          if (other !== alg) expect(rsaVerify(key.publicKey.keyObject, other, data, signature)).to.equal(false);
        }
        // Recover the DigestInfo: PKCS#1 v1.5 type-1 padding around the hash named by the alg.
        const em = publicEncryptRaw(key.publicKey.keyObject, signature);
        expect(em.subarray(0, 2).toString('hex')).to.equal('0001');
        const digestInfo = em.subarray(em.indexOf(0, 2) + 1);
        const hash = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' }[alg];
        expect(digestInfo.length).to.equal(19 + createHash(hash).digest().length);
        expect(digestInfo.subarray(19).equals(createHash(hash).update(data).digest())).to.equal(true);
      });
    }

    for (const hash of ['sha1', 'sha256'] as const) {
      it(`oaepEncrypt and oaepDecrypt ${hash} round-trip at ${key.bits} bits and interoperate with node:crypto`, async () => {
        const secret = Buffer.alloc(64, 7);
        const block = oaepEncrypt(key.publicKey.keyObject, hash, secret);
        expect(block).to.have.length(key.bits / 8);
        expect((await oaepDecrypt(key.keyObject, hash, block)).equals(secret)).to.equal(true);
        const theirs = publicEncrypt(
          { key: key.publicKey.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
          secret,
        );
        expect((await oaepDecrypt(key.keyObject, hash, theirs)).equals(secret)).to.equal(true);
        const plain = privateDecrypt(
          { key: key.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
          block,
        );
        expect(plain.equals(secret)).to.equal(true);
      });
    }

    it(`oaepDecrypt at ${key.bits} bits rejects a block encrypted with the other OAEP hash (one CryptoKey per hash)`, async () => {
      const sha256 = oaepEncrypt(key.publicKey.keyObject, 'sha256', Buffer.from('x'));
      const sha1 = oaepEncrypt(key.publicKey.keyObject, 'sha1', Buffer.from('y'));
      await rejection(oaepDecrypt(key.keyObject, 'sha1', sha256));
      await rejection(oaepDecrypt(key.keyObject, 'sha256', sha1));
      expect((await oaepDecrypt(key.keyObject, 'sha256', sha256)).toString()).to.equal('x');
      expect((await oaepDecrypt(key.keyObject, 'sha1', sha1)).toString()).to.equal('y');
    });
  }

  it('rsaVerify treats a signature of the wrong length as invalid', () => {
    const pub = k2048.publicKey.keyObject;
    for (const length of [0, 1, 255, 257, 512])
      expect(rsaVerify(pub, 'RS256', data, Buffer.alloc(length))).to.equal(false);
  });

  it('every operation refuses a key below 2048 bits, a key of the wrong type and a non-RSA key with ConfigurationError', async () => {
    const refused: unknown[] = [
      await rejection(rsaSign(small.privateKey, 'RS256', data)),
      await rejection(oaepDecrypt(small.privateKey, 'sha1', Buffer.alloc(128))),
      await rejection(rsaSign(k2048.publicKey.keyObject, 'RS256', data)),
      await rejection(oaepDecrypt(k2048.publicKey.keyObject, 'sha1', Buffer.alloc(256))),
      await rejection(rsaSign(ec.privateKey, 'RS256', data)),
    ];
    for (const fn of [
      () => rsaVerify(small.publicKey, 'RS256', data, Buffer.alloc(128)),
      () => oaepEncrypt(small.publicKey, 'sha1', data),
      () => rsaVerify(k2048.keyObject, 'RS256', data, Buffer.alloc(256)),
      () => oaepEncrypt(k2048.keyObject, 'sha1', data),
      () => rsaVerify(ec.publicKey, 'RS256', data, Buffer.alloc(64)),
      () => runsOnThreadPool(k2048.publicKey.keyObject),
    ]) {
      refused.push(thrownBy(fn));
    }
    for (const err of refused) expect(err).to.be.instanceOf(ConfigurationError);
  });

  it('refuses an algorithm or OAEP hash outside the protocol with ConfigurationError', async () => {
    const pub = k2048.publicKey.keyObject;
    for (const alg of ['HS256', 'PS256', 'constructor', 'toString']) {
      const bad = alg as RsaSignatureAlgorithm;
      expect(await rejection(rsaSign(k2048.keyObject, bad, data))).to.be.instanceOf(ConfigurationError);
      expect(thrownBy(() => rsaVerify(pub, bad, data, Buffer.alloc(256)))).to.be.instanceOf(ConfigurationError);
    }
    for (const hash of ['md5', 'sha512', 'constructor']) {
      const bad = hash as OaepHash;
      expect(thrownBy(() => oaepEncrypt(pub, bad, data))).to.be.instanceOf(ConfigurationError);
      expect(await rejection(oaepDecrypt(k2048.keyObject, bad, Buffer.alloc(256)))).to.be.instanceOf(
        ConfigurationError,
      );
    }
  });

  it('signToken and encryptJwe refuse an algorithm outside the protocol with ConfigurationError', async () => {
    expect(
      await rejection(signToken({}, k2048, { algorithm: 'HS256' as unknown as RsaSignatureAlgorithm })),
    ).to.be.instanceOf(ConfigurationError);
    expect(
      await rejection(encryptJwe('x', k2048.publicKey, { algorithm: 'RSA1_5' as unknown as 'RSA-OAEP' })),
    ).to.be.instanceOf(ConfigurationError);
  });

  it('encryptJwe refuses a public key below 2048 bits with ConfigurationError', async () => {
    const weak = { ...k2048.publicKey, keyObject: small.publicKey, bits: 1024 };
    expect(await rejection(encryptJwe('x', weak))).to.be.instanceOf(ConfigurationError);
  });

  it('decryptJwe turns a resolver result without a usable KeyObject into the one decrypt failure', async () => {
    const compact = await encryptJwe('x', k2048.publicKey);
    const broken = { ...k2048, keyObject: undefined } as unknown as typeof k2048;
    const err = await rejection(decryptJwe(compact, () => broken));
    expect(err).to.be.instanceOf(JweDecryptionError);
    expect([(err as JweDecryptionError).code, (err as JweDecryptionError).message]).to.deep.equal([
      'ERR_LK_JWE_DECRYPT',
      'JWE decryption failed',
    ]);
  });

  it('verifyToken turns a resolver key that is private, EC or below 2048 bits into a typed malformed failure', async () => {
    const token = await signToken({ iss: 'a', sub: 'b', aud: 'c', jti: 'd', iat: 1, nbf: 1, exp: 2 }, k2048);
    for (const keyObject of [k2048.keyObject, ec.publicKey, small.publicKey]) {
      const resolved = { ...k2048.publicKey, keyObject };
      const err = await rejection(verifyToken(token, { resolveKey: () => resolved, now: 1 }));
      expect(err).to.be.instanceOf(JwtVerificationError);
      expect((err as JwtVerificationError).code).to.equal('ERR_LK_JWT_MALFORMED');
      expect((err as JwtVerificationError).message).to.equal('JWT could not be verified');
      expect((err as JwtVerificationError).cause).to.be.instanceOf(ConfigurationError);
    }
  });
});

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** s^e mod n with no padding check: the encoded message inside an RSA signature. */
function publicEncryptRaw(publicKey: KeyObject, signature: Buffer): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const n = BigInt(`0x${Buffer.from(jwk.n ?? '', 'base64url').toString('hex')}`);
  const e = BigInt(`0x${Buffer.from(jwk.e ?? '', 'base64url').toString('hex')}`);
  let result = 1n;
  let base = BigInt(`0x${signature.toString('hex')}`) % n;
  for (let exp = e; exp > 0n; exp >>= 1n) {
    if (exp & 1n) result = (result * base) % n;
    base = (base * base) % n;
  }
  return Buffer.from(result.toString(16).padStart(signature.length * 2, '0'), 'hex');
}
