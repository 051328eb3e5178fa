import { expect } from 'chai';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

import {
  KID_PATTERN,
  KeyRing,
  MIN_RSA_BITS,
  keyId,
  loadPrivateKey,
  loadPublicKey,
  requireUsableKey,
} from '../../lib/crypto/keys.js';
import { ConfigurationError } from '../../lib/errors.js';
import { vectorText } from '../support/vectors.js';

/** INDEX.md §1: every private key vector, its fingerprint and its size. */
const PRIVATE_VECTORS = [
  ['java-jcecrypto-private-key.pem', '5f:04:de:33:d6:bf:cc:6c:57:da:0a:7d:80:7d:a4:ce', 4096],
  ['dotnet-test-private.key', '5f:6a:97:2b:2b:65:0a:c4:c4:69:46:b3:e6:e7:26:ba', 2048],
  ['dotnet-webclienttransport-private-key.pem', '48:a2:17:76:a5:8d:54:8d:25:8f:e7:be:9c:67:0b:b9', 2048],
  ['python-valid-private-key.pem', '59:12:e2:f6:3f:79:d5:1e:18:75:c5:25:ff:b3:b7:f2', 2048],
  ['python-features-organization-key.pem', '85:ba:8c:89:86:c1:f2:ed:7f:e9:5b:f7:87:45:78:2f', 2048],
] as const;

/** INDEX.md §1: every public key vector, its fingerprint and its size. */
const PUBLIC_VECTORS = [
  ['java-jcecrypto-public-key.pem', '5f:04:de:33:d6:bf:cc:6c:57:da:0a:7d:80:7d:a4:ce', 4096],
  ['api-public-key-4096.pem', 'd2:8e:16:91:39:5b:9d:24:73:0e:36:0a:9a:ef:7e:de', 4096],
  ['dotnet-test-public.key', '5f:6a:97:2b:2b:65:0a:c4:c4:69:46:b3:e6:e7:26:ba', 2048],
  ['java-jwt-test-public-key-2048.pem', '9c:23:a1:02:7a:55:a5:29:d7:8c:8e:e8:bd:cf:aa:7e', 2048],
  ['java-rsa-512-public-key.pem', '2b:ab:b3:64:8e:31:df:d3:59:71:d1:51:c3:43:94:87', 512],
  ['java-rsa-512-public-key-2.pem', 'af:40:e0:66:23:9b:2a:6c:29:4f:e1:bd:23:12:66:3a', 512],
] as const;

const JAVA_KID = '5f:04:de:33:d6:bf:cc:6c:57:da:0a:7d:80:7d:a4:ce';
const DOTNET_KID = '5f:6a:97:2b:2b:65:0a:c4:c4:69:46:b3:e6:e7:26:ba';

function expectConfigurationError(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).to.be.instanceOf(ConfigurationError);
  const err = thrown as ConfigurationError;
  expect(err.code).to.equal('ERR_LK_CONFIGURATION');
  expect(err.message).to.match(message);
}

/** Splits a PEM into its lines without the final empty one. */
function pemLines(pem: string): string[] {
  return pem.replace(/\n$/, '').split('\n');
}

describe('crypto/keys', () => {
  describe('loadPrivateKey', () => {
    for (const [file, kid, bits] of PRIVATE_VECTORS) {
      it(`loadPrivateKey computes kid ${kid} and ${bits} bits for ${file}`, () => {
        const key = loadPrivateKey(vectorText(file));
        expect(key.type).to.equal('private');
        expect(key.kid).to.equal(kid);
        expect(key.bits).to.equal(bits);
        expect(key.publicKey.kid).to.equal(kid);
        expect(key.keyObject.type).to.equal('private');
      });
    }

    it('loadPrivateKey loads a PKCS#8 body under an RSA PRIVATE KEY label', () => {
      const pem = vectorText('java-jcecrypto-private-key.pem');
      expect(pem.startsWith('-----BEGIN RSA PRIVATE KEY-----\nMIIJQwIBADANBgkqh')).to.equal(true);
      const key = loadPrivateKey(pem);
      expect(key.kid).to.equal(JAVA_KID);
      const reference = createPrivateKey({ key: pem.replace(/RSA PRIVATE KEY/g, 'PRIVATE KEY'), format: 'pem' });
      expect(key.keyObject.equals(reference)).to.equal(true);
    });

    it('loadPrivateKey loads a PKCS#1 body under an RSA PRIVATE KEY label', () => {
      const pem = vectorText('dotnet-test-private.key');
      const key = loadPrivateKey(pem);
      expect(key.keyObject.equals(createPrivateKey(pem))).to.equal(true);
    });

    it('loadPrivateKey loads a PKCS#1 body under a PRIVATE KEY label', () => {
      const pem = vectorText('dotnet-test-private.key').replace(/RSA PRIVATE KEY/g, 'PRIVATE KEY');
      expect(loadPrivateKey(pem).kid).to.equal(DOTNET_KID);
    });

    const variants: [string, (pem: string) => string][] = [
      ['CR-only line endings', (pem) => pem.replace(/\n/g, '\r')],
      ['CRLF line endings', (pem) => pem.replace(/\n/g, '\r\n')],
      ['blank lines between the body lines', (pem) => pem.replace(/\n/g, '\n\n')],
      ['indented lines and surrounding whitespace', (pem) => `\n  ${pem.replace(/\n/g, '\n    ')}\n\n`],
      ['no trailing newline', (pem) => pem.replace(/\n$/, '')],
    ];
    for (const [name, transform] of variants) {
      it(`loadPrivateKey loads the same key when the PEM has ${name}`, () => {
        const pem = vectorText('java-jcecrypto-private-key.pem');
        const variant = transform(pem);
        expect(variant).to.not.equal(pem);
        const original = loadPrivateKey(pem);
        const loaded = loadPrivateKey(variant);
        expect(loaded.kid).to.equal(JAVA_KID);
        expect(loaded.keyObject.equals(original.keyObject)).to.equal(true);
      });
    }

    it('loadPrivateKey derives the public key PEM byte-identical to java-jcecrypto-public-key.pem', () => {
      const key = loadPrivateKey(vectorText('java-jcecrypto-private-key.pem'));
      expect(key.publicKey.pem).to.equal(vectorText('java-jcecrypto-public-key.pem'));
    });

    it('loadPrivateKey returns frozen key objects', () => {
      const key = loadPrivateKey(vectorText('dotnet-test-private.key'));
      expect(Object.isFrozen(key)).to.equal(true);
      expect(Object.isFrozen(key.publicKey)).to.equal(true);
    });

    it('loadPrivateKey refuses text that is not PEM', () => {
      expectConfigurationError(() => loadPrivateKey('not a key at all'), /not a single PEM block/);
    });

    it('loadPrivateKey refuses a value that is not a string', () => {
      expectConfigurationError(() => loadPrivateKey(42 as unknown as string), /must be a PEM string/);
    });

    it('loadPrivateKey refuses two PEM blocks', () => {
      const two = vectorText('dotnet-test-private.key') + vectorText('python-valid-private-key.pem');
      expectConfigurationError(() => loadPrivateKey(two), /not a single PEM block/);
    });

    it('loadPrivateKey refuses a PEM whose END label differs from its BEGIN label', () => {
      const pem = vectorText('dotnet-test-private.key').replace('END RSA PRIVATE KEY', 'END PRIVATE KEY');
      expectConfigurationError(() => loadPrivateKey(pem), /not a single PEM block/);
    });

    it('loadPrivateKey refuses a PEM with END before BEGIN', () => {
      const pem = '-----END RSA PRIVATE KEY-----\nAAAA\n-----BEGIN RSA PRIVATE KEY-----\n';
      expectConfigurationError(() => loadPrivateKey(pem), /not a single PEM block/);
    });

    it('loadPrivateKey refuses a PEM body that is not base64', () => {
      const pem = '-----BEGIN RSA PRIVATE KEY-----\nnot*base64!\n-----END RSA PRIVATE KEY-----\n';
      expectConfigurationError(() => loadPrivateKey(pem), /invalid base64 body/);
    });

    it('loadPrivateKey refuses an empty PEM body', () => {
      const pem = '-----BEGIN RSA PRIVATE KEY-----\n\n-----END RSA PRIVATE KEY-----\n';
      expectConfigurationError(() => loadPrivateKey(pem), /invalid base64 body/);
    });

    it('loadPrivateKey refuses a base64 body that is no private key', () => {
      const pem = `-----BEGIN RSA PRIVATE KEY-----\n${Buffer.from('garbage garbage garbage').toString('base64')}\n-----END RSA PRIVATE KEY-----\n`;
      expectConfigurationError(() => loadPrivateKey(pem), /neither PKCS#8 nor PKCS#1/);
    });

    it('loadPrivateKey refuses a public key', () => {
      expectConfigurationError(() => loadPrivateKey(vectorText('dotnet-test-public.key')), /neither PKCS#8 nor PKCS#1/);
    });

    it('loadPrivateKey refuses a PKCS#8 EC private key', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expectConfigurationError(() => loadPrivateKey(pem), /not an RSA key \(ec\)/);
    });

    it('loadPrivateKey refuses a SEC1 EC private key', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
      expectConfigurationError(() => loadPrivateKey(pem), /neither PKCS#8 nor PKCS#1/);
    });

    it('loadPrivateKey refuses a 1024-bit RSA private key', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      expectConfigurationError(() => loadPrivateKey(pem), /has 1024 bits; at least 2048 are required/);
    });
  });

  describe('loadPublicKey', () => {
    for (const [file, kid, bits] of PUBLIC_VECTORS) {
      it(`loadPublicKey computes kid ${kid} and ${bits} bits for ${file}`, () => {
        const key = loadPublicKey(vectorText(file));
        expect(key.type).to.equal('public');
        expect(key.kid).to.equal(kid);
        expect(key.bits).to.equal(bits);
        expect(key.keyObject.type).to.equal('public');
      });
    }

    it('loadPublicKey emits java-jcecrypto-public-key.pem byte for byte', () => {
      const pem = vectorText('java-jcecrypto-public-key.pem');
      expect(loadPublicKey(pem).pem).to.equal(pem);
    });

    it('loadPublicKey emits 64-character lines and a trailing newline for a PEM with a blank line', () => {
      const pem = vectorText('java-jwt-test-public-key-2048.pem');
      expect(pem).to.include('-----\n\n');
      const out = loadPublicKey(pem).pem;
      expect(out.endsWith('-----END PUBLIC KEY-----\n')).to.equal(true);
      const body = pemLines(out).slice(1, -1);
      expect(body.slice(0, -1).every((line) => line.length === 64)).to.equal(true);
      expect(body.at(-1)!.length).to.be.within(1, 64);
      expect(out.replace(/\s/g, '')).to.equal(pem.replace(/\s/g, ''));
    });

    it('loadPublicKey loads a PKCS#1 RSA PUBLIC KEY', () => {
      const spki = vectorText('dotnet-test-public.key');
      const pkcs1 = createPublicKey(spki).export({ type: 'pkcs1', format: 'pem' }).toString();
      expect(pkcs1.startsWith('-----BEGIN RSA PUBLIC KEY-----')).to.equal(true);
      const key = loadPublicKey(pkcs1);
      expect(key.kid).to.equal(DOTNET_KID);
      expect(key.pem).to.equal(spki);
    });

    it('loadPublicKey loads the same key from CRLF and CR-only variants', () => {
      const pem = vectorText('api-public-key-4096.pem');
      for (const variant of [pem.replace(/\n/g, '\r\n'), pem.replace(/\n/g, '\r')]) {
        expect(loadPublicKey(variant).pem).to.equal(pem);
      }
    });

    it('loadPublicKey refuses garbage', () => {
      expectConfigurationError(() => loadPublicKey('-----BEGIN PUBLIC KEY-----'), /not a single PEM block/);
    });

    it('loadPublicKey refuses two PEM blocks', () => {
      const two = vectorText('dotnet-test-public.key') + vectorText('java-jcecrypto-public-key.pem');
      expectConfigurationError(() => loadPublicKey(two), /not a single PEM block/);
    });

    it('loadPublicKey refuses a base64 body that is no public key', () => {
      const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from('x'.repeat(40)).toString('base64')}\n-----END PUBLIC KEY-----\n`;
      expectConfigurationError(() => loadPublicKey(pem), /neither SubjectPublicKeyInfo nor PKCS#1/);
    });

    it('loadPublicKey refuses an EC public key', () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expectConfigurationError(() => loadPublicKey(pem), /not an RSA key \(ec\)/);
    });
  });

  describe('keyId', () => {
    it('keyId gives the same fingerprint for a private KeyObject and its public half', () => {
      const pem = vectorText('python-valid-private-key.pem');
      const privateKey = createPrivateKey(pem);
      expect(keyId(privateKey)).to.equal('59:12:e2:f6:3f:79:d5:1e:18:75:c5:25:ff:b3:b7:f2');
      expect(keyId(createPublicKey(privateKey))).to.equal(keyId(privateKey));
    });

    it('keyId returns 16 lowercase hex pairs joined by colons', () => {
      const kid = keyId(createPublicKey(vectorText('api-public-key-4096.pem')));
      expect(kid).to.have.length(47);
      expect(KID_PATTERN.test(kid)).to.equal(true);
    });

    it('KID_PATTERN refuses uppercase, unseparated and short fingerprints', () => {
      expect(KID_PATTERN.test(JAVA_KID.toUpperCase())).to.equal(false);
      expect(KID_PATTERN.test(JAVA_KID.replace(/:/g, ''))).to.equal(false);
      expect(KID_PATTERN.test(JAVA_KID.slice(3))).to.equal(false);
      expect(KID_PATTERN.test(`${JAVA_KID}:00`)).to.equal(false);
    });
  });

  describe('requireUsableKey', () => {
    it('requireUsableKey returns a key of at least 2048 bits unchanged', () => {
      const key = loadPublicKey(vectorText('dotnet-test-public.key'));
      expect(MIN_RSA_BITS).to.equal(2048);
      expect(requireUsableKey(key, 'API key')).to.equal(key);
    });

    it('requireUsableKey refuses a 512-bit public key naming it', () => {
      const key = loadPublicKey(vectorText('java-rsa-512-public-key.pem'));
      expectConfigurationError(
        () => requireUsableKey(key, 'API key'),
        /^API key has 512 bits; at least 2048 are required$/,
      );
    });
  });

  describe('KeyRing', () => {
    const javaPem = vectorText('java-jcecrypto-private-key.pem');
    const dotnetPem = vectorText('dotnet-test-private.key');
    const pythonPem = vectorText('python-valid-private-key.pem');

    it('KeyRing signs with the first key when no signing kid is given', () => {
      const ring = new KeyRing([dotnetPem, pythonPem]);
      expect(ring.signingKey.kid).to.equal(DOTNET_KID);
    });

    it('KeyRing selects the signing key by kid', () => {
      const ring = new KeyRing([dotnetPem, javaPem, pythonPem], JAVA_KID);
      expect(ring.signingKey.kid).to.equal(JAVA_KID);
    });

    it('KeyRing looks every key up by kid and accepts loaded keys next to PEM text', () => {
      const python = loadPrivateKey(pythonPem);
      const ring = new KeyRing([dotnetPem, python]);
      expect(ring.get(python.kid)).to.equal(python);
      expect(ring.get(DOTNET_KID)?.kid).to.equal(DOTNET_KID);
      expect(ring.kids()).to.deep.equal([DOTNET_KID, python.kid]);
    });

    it('KeyRing returns undefined for a kid it does not hold', () => {
      const ring = new KeyRing([dotnetPem]);
      expect(ring.get(JAVA_KID)).to.equal(undefined);
      expect(ring.get('__proto__')).to.equal(undefined);
    });

    it('KeyRing holds a key given twice once', () => {
      expect(new KeyRing([dotnetPem, dotnetPem]).kids()).to.deep.equal([DOTNET_KID]);
    });

    it('KeyRing refuses an empty key list', () => {
      expectConfigurationError(() => new KeyRing([]), /At least one private key is required/);
    });

    it('KeyRing refuses a key list that is not an array', () => {
      expectConfigurationError(
        () => new KeyRing(dotnetPem as unknown as string[]),
        /At least one private key is required/,
      );
    });

    it('KeyRing refuses a signing kid that names no key', () => {
      expectConfigurationError(
        () => new KeyRing([dotnetPem], JAVA_KID),
        /No private key has the signing key id 5f:04:de:33/,
      );
    });

    it('KeyRing refuses an invalid PEM among its keys', () => {
      expectConfigurationError(() => new KeyRing([dotnetPem, 'garbage']), /not a single PEM block/);
    });
  });
});
