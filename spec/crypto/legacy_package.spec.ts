import { expect } from 'chai';
import { constants, publicEncrypt } from 'node:crypto';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { decryptLegacyPackage, encryptLegacyPackage, legacyPackageCapacity } from '../../lib/crypto/legacy_package.js';
import { JweDecryptionError, type JweFailure } from '../../lib/errors.js';
import { endToEnd, vectorText, vectorToken } from '../support/vectors.js';

const CODES: Record<JweFailure, string> = {
  malformed: 'ERR_LK_JWE_MALFORMED',
  algorithm: 'ERR_LK_JWE_ALGORITHM',
  key: 'ERR_LK_JWE_KEY_NOT_FOUND',
  decrypt: 'ERR_LK_JWE_DECRYPT',
  payload: 'ERR_LK_JWE_PAYLOAD',
};

async function rejection(promise: Promise<unknown>, failure: JweFailure, message: RegExp): Promise<JweDecryptionError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'an error must be thrown').to.be.instanceOf(JweDecryptionError);
  const e = thrown as JweDecryptionError;
  expect(e.code).to.equal(CODES[failure]);
  expect(e.failure).to.equal(failure);
  expect(e.message).to.match(message);
  return e;
}

describe('crypto/legacy_package', () => {
  const java = loadPrivateKey(vectorText('java-jcecrypto-private-key.pem'));
  const client = loadPrivateKey(vectorText('dotnet-test-private.key'));
  const other = loadPrivateKey(vectorText('python-valid-private-key.pem'));
  const core = endToEnd().poll_response_core;

  it('decryptLegacyPackage opens the Java RSA-OAEP-SHA1 vector with java-jcecrypto-private-key.pem', async () => {
    const encoded = vectorToken('java-jcecrypto-rsa-oaep-sha1-ciphertext-1.b64');
    expect(await decryptLegacyPackage(encoded, java)).to.equal('This is the expected unencrypted value');
  });

  it('decryptLegacyPackage opens the CRLF-wrapped auth of the synthetic poll core with the client key', async () => {
    const auth = core.decrypted_body.auth;
    expect(auth).to.include('\r\n');
    expect(core.decrypted_body.public_key_id).to.equal(client.kid);
    expect(await decryptLegacyPackage(auth, client)).to.equal(core.auth_plaintext);
  });

  it('decryptLegacyPackage tolerates LF, tab and space wrapping of the same package', async () => {
    const compact = core.decrypted_body.auth.replace(/\r\n/g, '');
    for (const encoded of [compact, core.decrypted_body.auth.replace(/\r\n/g, '\n'), ` ${compact}\t\n`]) {
      expect(await decryptLegacyPackage(encoded, client)).to.equal(core.auth_plaintext);
    }
  });

  it('encryptLegacyPackage and decryptLegacyPackage round-trip UTF-8 text', async () => {
    const text = '{"response":true,"device_id":"Yrkt","note":"żółw 🐢"}';
    expect(await decryptLegacyPackage(encryptLegacyPackage(text, client.publicKey), client)).to.equal(text);
  });

  it('encryptLegacyPackage wraps the base64 with CRLF every 64 characters', () => {
    const encoded = encryptLegacyPackage('x', client.publicKey);
    const lines = encoded.split('\r\n');
    // 256 bytes -> 344 base64 characters -> 5 lines of 64 and one of 24.
    expect(lines.map((line) => line.length)).to.deep.equal([64, 64, 64, 64, 64, 24]);
    expect(encoded).to.not.match(/\r\n$|[^\r]\n/);
    expect(Buffer.from(lines.join(''), 'base64')).to.have.length(256);
  });

  it('legacyPackageCapacity is k - 42 bytes (OAEP with SHA-1)', () => {
    expect(legacyPackageCapacity(client.publicKey)).to.equal(214);
    expect(legacyPackageCapacity(java.publicKey)).to.equal(470);
  });

  it('encryptLegacyPackage accepts a plaintext of exactly the capacity', async () => {
    const text = 'a'.repeat(214);
    expect(await decryptLegacyPackage(encryptLegacyPackage(text, client.publicKey), client)).to.equal(text);
  });

  it('encryptLegacyPackage throws RangeError for a plaintext one byte over the capacity, counting UTF-8 bytes', () => {
    expect(() => encryptLegacyPackage('a'.repeat(215), client.publicKey)).to.throw(
      RangeError,
      'Legacy package of 215 bytes exceeds 214 bytes',
    );
    // 107 two-byte characters are 214 bytes; one more ASCII byte does not fit.
    expect(() => encryptLegacyPackage(`${'é'.repeat(107)}a`, client.publicKey)).to.throw(RangeError, /215 bytes/);
  });

  it('decryptLegacyPackage rejects text that is not base64', async () => {
    for (const encoded of ['not base64!', 'abc-def_', '', '====']) {
      await rejection(decryptLegacyPackage(encoded, client), 'malformed', /^Legacy package is not base64$/);
    }
  });

  it('decryptLegacyPackage rejects a value that is not a string', async () => {
    await rejection(decryptLegacyPackage(null as unknown as string, client), 'malformed', /not a string/);
  });

  it('decryptLegacyPackage rejects a block of the wrong length for the key', async () => {
    const javaPackage = vectorToken('java-jcecrypto-rsa-oaep-sha1-ciphertext-1.b64');
    await rejection(decryptLegacyPackage(javaPackage, client), 'malformed', /512 bytes, not one 2048-bit block/);
    const truncated = Buffer.from(core.decrypted_body.auth.replace(/\r\n/g, ''), 'base64').subarray(1);
    await rejection(decryptLegacyPackage(truncated.toString('base64'), client), 'malformed', /255 bytes/);
  });

  it('decryptLegacyPackage rejects a package for another key of the same size as decrypt', async () => {
    const err = await rejection(
      decryptLegacyPackage(core.decrypted_body.auth, other),
      'decrypt',
      /^Legacy package decryption failed$/,
    );
    expect(err.kid).to.equal(other.kid);
  });

  it('decryptLegacyPackage rejects a package with one flipped byte as decrypt', async () => {
    const block = Buffer.from(core.decrypted_body.auth.replace(/\r\n/g, ''), 'base64');
    block[100] = block[100]! ^ 0x80;
    await rejection(decryptLegacyPackage(block.toString('base64'), client), 'decrypt', /decryption failed/);
  });

  it('decryptLegacyPackage rejects a plaintext that is not UTF-8 as payload', async () => {
    const block = publicEncrypt(
      { key: client.publicKey.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
    );
    await rejection(decryptLegacyPackage(block.toString('base64'), client), 'payload', /not UTF-8/);
  });
});
