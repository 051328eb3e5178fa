import { expect } from 'chai';
import { createHook } from 'node:async_hooks';
import { constants, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

import { decryptJwe, encryptJwe } from '../../lib/crypto/jwe.js';
import { signToken, verifyToken, type JwsAlgorithm } from '../../lib/crypto/jws.js';
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import {
  oaepDecrypt,
  oaepEncrypt,
  requireRsaKey,
  rsaBlockBytes,
  runsOnThreadPool,
  SYNC_PRIVATE_KEY_MAX_BITS,
  type OaepHash,
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

/**
 * The node:crypto jobs whose completion ran as a callback from the thread pool while `run` was in
 * flight, by async-resource type (`SIGNREQUEST`, `CIPHERREQUEST`, ...). A job run synchronously
 * (`crypto.sign` without a callback, `privateDecrypt`) never appears, however many promises the caller
 * chains around it: unlike timing or microtask counting, this does not depend on the machine's load.
 */
async function threadPoolJobs(run: () => Promise<unknown>): Promise<string[]> {
  const types = new Map<number, string>();
  const completed: string[] = [];
  const hook = createHook({
    init(id, type) {
      if (type.endsWith('REQUEST')) types.set(id, type);
    },
    before(id) {
      const type = types.get(id);
      if (type !== undefined) completed.push(type);
    },
  });
  hook.enable();
  try {
    await run();
  } finally {
    hook.disable();
  }
  return completed;
}

describe('crypto/rsa', () => {
  const k2048 = loadPrivateKey(vectorText('dotnet-test-private.key'));
  const k4096 = loadPrivateKey(vectorText('java-jcecrypto-private-key.pem'));
  const data = Buffer.from('eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ', 'ascii');
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('runs legacy-package decryption synchronously up to 2048 bits and on the thread pool above', () => {
    expect(SYNC_PRIVATE_KEY_MAX_BITS).to.equal(2048);
    expect(runsOnThreadPool(k2048.keyObject)).to.equal(false);
    expect(runsOnThreadPool(k4096.keyObject)).to.equal(true);
  });

  it('signToken (jose) signs on the thread pool at 2048 and 4096 bits', async () => {
    const claims = { iss: 'a', sub: 'b', aud: 'c', jti: 'd', iat: 1, nbf: 1, exp: 2 };
    for (const key of [k2048, k4096]) {
      await signToken(claims, key); // jose's one-time CryptoKey import per key is not what is looked at
      expect(await threadPoolJobs(() => signToken(claims, key)), `${key.bits} bits`).to.deep.equal(['SIGNREQUEST']);
    }
  });

  it('decryptJwe (jose) unwraps on the thread pool at 2048 and 4096 bits', async () => {
    for (const key of [k2048, k4096]) {
      const compact = await encryptJwe('x', key.publicKey);
      await decryptJwe(compact, () => key); // jose's one-time CryptoKey import
      const jobs = await threadPoolJobs(() => decryptJwe(compact, () => key));
      // Two cipher jobs, the RSA-OAEP unwrap and the AES-CBC decryption, and the HMAC tag checks.
      expect(
        jobs.filter((type) => type === 'CIPHERREQUEST'),
        `${key.bits} bits`,
      ).to.have.length(2);
    }
  });

  it('oaepDecrypt with a 2048-bit key settles without an event-loop turn; with a 4096-bit key the loop keeps turning', async () => {
    const b2048 = oaepEncrypt(k2048.publicKey.keyObject, 'sha1', Buffer.alloc(64, 1));
    const b4096 = oaepEncrypt(k4096.publicKey.keyObject, 'sha1', Buffer.alloc(64, 1));
    await oaepDecrypt(k4096.keyObject, 'sha1', b4096); // the CryptoKey import is not what is measured
    expect(await yieldsToEventLoop(() => oaepDecrypt(k2048.keyObject, 'sha1', b2048))).to.equal(false);
    expect(await yieldsToEventLoop(() => oaepDecrypt(k4096.keyObject, 'sha1', b4096))).to.equal(true);
  });

  it('threadPoolJobs sees the legacy OAEP decryption on the thread pool at 4096 bits only', async () => {
    const b2048 = oaepEncrypt(k2048.publicKey.keyObject, 'sha1', Buffer.alloc(64, 1));
    const b4096 = oaepEncrypt(k4096.publicKey.keyObject, 'sha1', Buffer.alloc(64, 1));
    await oaepDecrypt(k4096.keyObject, 'sha1', b4096); // the CryptoKey import
    expect(await threadPoolJobs(() => oaepDecrypt(k2048.keyObject, 'sha1', b2048))).to.deep.equal([]);
    expect(await threadPoolJobs(() => oaepDecrypt(k4096.keyObject, 'sha1', b4096))).to.deep.equal(['CIPHERREQUEST']);
  });

  for (const key of [k2048, k4096]) {
    for (const alg of ['RS256', 'RS384', 'RS512'] as const) {
      it(`signToken ${alg} at ${key.bits} bits is PKCS#1 v1.5 over the signing input with the alg's hash, and verifies`, async () => {
        const token = await signToken({ iss: 'a', sub: 'b', aud: 'c', jti: 'd', iat: 1, nbf: 1, exp: 2 }, key, {
          algorithm: alg,
        });
        const [h = '', p = '', s = ''] = token.split('.');
        const signature = Buffer.from(s, 'base64url');
        expect(signature).to.have.length(rsaBlockBytes(key.keyObject));
        expect((await verifyToken(token, { resolveKey: () => key.publicKey, now: 1 })).header.alg).to.equal(alg);
        // Recover the DigestInfo: PKCS#1 v1.5 type-1 padding around the hash named by the alg.
        const em = publicEncryptRaw(key.publicKey.keyObject, signature);
        expect(em.subarray(0, 2).toString('hex')).to.equal('0001');
        const digestInfo = em.subarray(em.indexOf(0, 2) + 1);
        const hash = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' }[alg];
        expect(digestInfo.length).to.equal(19 + createHash(hash).digest().length);
        expect(digestInfo.subarray(19).equals(createHash(hash).update(`${h}.${p}`).digest())).to.equal(true);
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

  it('verifyToken treats a signature of the wrong length as a signature failure', async () => {
    const token = await signToken({ iss: 'a', sub: 'b', aud: 'c', jti: 'd', iat: 1, nbf: 1, exp: 2 }, k2048);
    const input = token.slice(0, token.lastIndexOf('.'));
    for (const length of [1, 255, 257, 512]) {
      const err = await rejection(
        verifyToken(`${input}.${Buffer.alloc(length, 1).toString('base64url')}`, {
          resolveKey: () => k2048.publicKey,
          now: 1,
        }),
      );
      expect(err, `${length} bytes`).to.be.instanceOf(JwtVerificationError);
      expect((err as JwtVerificationError).code, `${length} bytes`).to.equal('ERR_LK_JWT_SIGNATURE');
    }
  });

  it('every operation refuses a key below 2048 bits, a key of the wrong type and a non-RSA key with ConfigurationError', async () => {
    const claims = { iss: 'a', sub: 'b', aud: 'c', jti: 'd', iat: 1, nbf: 1, exp: 2 };
    const signWith = (keyObject: KeyObject) => signToken(claims, { ...k2048, keyObject });
    const encryptTo = (keyObject: KeyObject) => encryptJwe('x', { ...k2048.publicKey, keyObject });
    const refused: unknown[] = [
      await rejection(signWith(small.privateKey)),
      await rejection(oaepDecrypt(small.privateKey, 'sha1', Buffer.alloc(128))),
      await rejection(signWith(k2048.publicKey.keyObject)),
      await rejection(oaepDecrypt(k2048.publicKey.keyObject, 'sha1', Buffer.alloc(256))),
      await rejection(signWith(ec.privateKey)),
      await rejection(encryptTo(small.publicKey)),
      await rejection(encryptTo(k2048.keyObject)),
      await rejection(encryptTo(ec.publicKey)),
    ];
    for (const fn of [
      () => requireRsaKey(small.publicKey, 'public'),
      () => oaepEncrypt(small.publicKey, 'sha1', data),
      () => requireRsaKey(k2048.keyObject, 'public'),
      () => oaepEncrypt(k2048.keyObject, 'sha1', data),
      () => requireRsaKey(ec.publicKey, 'public'),
      () => runsOnThreadPool(k2048.publicKey.keyObject),
    ]) {
      refused.push(thrownBy(fn));
    }
    for (const err of refused) expect(err).to.be.instanceOf(ConfigurationError);
  });

  it('refuses an OAEP hash outside the protocol with ConfigurationError', async () => {
    const pub = k2048.publicKey.keyObject;
    for (const hash of ['md5', 'sha512', 'constructor']) {
      const bad = hash as OaepHash;
      expect(thrownBy(() => oaepEncrypt(pub, bad, data))).to.be.instanceOf(ConfigurationError);
      expect(await rejection(oaepDecrypt(k2048.keyObject, bad, Buffer.alloc(256)))).to.be.instanceOf(
        ConfigurationError,
      );
    }
  });

  it('signToken and encryptJwe refuse an algorithm outside the protocol with ConfigurationError', async () => {
    for (const alg of ['HS256', 'PS256', 'none', 'constructor', 'toString']) {
      expect(await rejection(signToken({}, k2048, { algorithm: alg as JwsAlgorithm })), alg).to.be.instanceOf(
        ConfigurationError,
      );
    }
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
