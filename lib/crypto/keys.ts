/**
 * RSA key loading and the LaunchKey key id.
 *
 * Keys are parsed once into node:crypto KeyObjects and reused: parsing a PEM costs ~0.4 ms, and jose (and
 * rsa.ts, for legacy packages) caches the WebCrypto CryptoKey it derives on the KeyObject identity, per
 * algorithm, so a fresh KeyObject per call would pay both costs on every request (+1.0 ms per operation at
 * 2048 bits, measured in bench/). One KeyObject also serves every algorithm (RS256/384/512 signing, RSA-OAEP
 * and RSA-OAEP-256 unwrapping), where a CryptoKey is bound to one. jose only ever gets the KeyObject, never a
 * PEM: `importPKCS8` would refuse the PKCS#1 keys the SDKs ship.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

import { ConfigurationError } from '../errors.js';

/** A loaded RSA private key with its derived public half and key id. */
export interface PrivateKey {
  readonly type: 'private';
  readonly keyObject: KeyObject;
  readonly publicKey: PublicKey;
  /** LaunchKey key id (MD5 fingerprint of the public key), the JOSE `kid`. */
  readonly kid: string;
  /** Modulus length in bits. */
  readonly bits: number;
}

/** A loaded RSA public key with its key id and canonical PEM. */
export interface PublicKey {
  readonly type: 'public';
  readonly keyObject: KeyObject;
  readonly kid: string;
  readonly bits: number;
  /** SubjectPublicKeyInfo PEM with 64-character lines and a trailing newline. */
  readonly pem: string;
}

/** The smallest RSA modulus we sign, verify, encrypt or decrypt with (jose and jose4j refuse less too). */
export const MIN_RSA_BITS = 2048;

/** Pattern of a LaunchKey key id: 16 lowercase hex pairs joined by `:`. */
export const KID_PATTERN = /^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$/;

const ARMOUR = /-----(BEGIN|END) ([A-Z0-9 ]+)-----/g;

/**
 * Reads the DER bytes of one PEM block. Any label is accepted because the Java SDK's own
 * fixture is a PKCS#8 body under an `RSA PRIVATE KEY` label; CR, CRLF, blank lines and indentation
 * are tolerated.
 */
function decodePem(pem: string, what: string): Buffer {
  if (typeof pem !== 'string') throw new ConfigurationError(`${what} must be a PEM string`);
  const labels = [...pem.matchAll(ARMOUR)];
  const begin = labels[0];
  const end = labels[1];
  if (labels.length !== 2 || begin?.[1] !== 'BEGIN' || end?.[1] !== 'END' || begin[2] !== end[2]) {
    throw new ConfigurationError(`${what} is not a single PEM block`);
  }
  const body = pem.slice(begin.index + begin[0].length, end.index).replace(/\s+/g, '');
  if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new ConfigurationError(`${what} has an invalid base64 body`);
  }
  return Buffer.from(body, 'base64');
}

/** Fingerprint of a public key: MD5 of its DER SubjectPublicKeyInfo, lowercase hex pairs joined by `:`. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('md5')
    .update(der)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

function rsaBits(key: KeyObject, what: string): number {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigurationError(`${what} is not an RSA key (${String(key.asymmetricKeyType)})`);
  }
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

function toPublicKey(keyObject: KeyObject, what: string): PublicKey {
  const bits = rsaBits(keyObject, what);
  const pem = keyObject.export({ type: 'spki', format: 'pem' }).toString();
  return Object.freeze({ type: 'public', keyObject, kid: keyId(keyObject), bits, pem });
}

/**
 * Loads an RSA private key from PEM: PKCS#8 or PKCS#1, under any label. Keys shorter than
 * `MIN_RSA_BITS` (2048) are refused, since nothing in the protocol may sign with them.
 *
 * @throws {ConfigurationError} when the text is not an RSA private key of at least 2048 bits.
 */
export function loadPrivateKey(pem: string): PrivateKey {
  const der = decodePem(pem, 'Private key');
  let keyObject: KeyObject | undefined;
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    try {
      keyObject = createPrivateKey({ key: der, format: 'der', type });
      break;
    } catch {
      // try the next encoding; the label says nothing reliable about the body
    }
  }
  if (keyObject === undefined) throw new ConfigurationError('Private key is neither PKCS#8 nor PKCS#1 RSA');
  const bits = rsaBits(keyObject, 'Private key');
  if (bits < MIN_RSA_BITS) {
    throw new ConfigurationError(`Private key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  }
  const publicKey = toPublicKey(createPublicKey(keyObject), 'Private key');
  return Object.freeze({ type: 'private', keyObject, publicKey, kid: publicKey.kid, bits });
}

/**
 * Loads an RSA public key from PEM: SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
 * Any size loads (key-upload fixtures are 512 bits); use `requireUsableKey` before verifying
 * or encrypting with it.
 *
 * @throws {ConfigurationError} when the text is not an RSA public key.
 */
export function loadPublicKey(pem: string): PublicKey {
  const der = decodePem(pem, 'Public key');
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return toPublicKey(createPublicKey({ key: der, format: 'der', type }), 'Public key');
    } catch (err) {
      if (err instanceof ConfigurationError) throw err;
    }
  }
  throw new ConfigurationError('Public key is neither SubjectPublicKeyInfo nor PKCS#1 RSA');
}

/** Refuses keys too short to verify or encrypt with. */
export function requireUsableKey<K extends PublicKey | PrivateKey>(key: K, what: string): K {
  if (key.bits < MIN_RSA_BITS) {
    throw new ConfigurationError(`${what} has ${key.bits} bits; at least ${MIN_RSA_BITS} are required`);
  }
  return key;
}

/**
 * The private keys of one entity: one signs, all decrypt, each selected by its `kid`. Rotations keep
 * the old key here so that packages encrypted to it before the rotation still open.
 */
export class KeyRing {
  /** The key that signs requests. */
  readonly signingKey: PrivateKey;
  private readonly _byKid: ReadonlyMap<string, PrivateKey>;

  /**
   * @param keys Private keys (PEM or loaded); the first signs unless `signingKid` names another.
   * @param signingKid Key id of the signing key.
   */
  constructor(keys: ReadonlyArray<string | PrivateKey>, signingKid?: string) {
    const list: ReadonlyArray<string | PrivateKey> = Array.isArray(keys) ? keys : [];
    if (list.length === 0) throw new ConfigurationError('At least one private key is required');
    const loaded = list.map((k) => (typeof k === 'string' ? loadPrivateKey(k) : k));
    this._byKid = new Map(loaded.map((k) => [k.kid, k]));
    const signing = signingKid === undefined ? loaded[0] : this._byKid.get(signingKid);
    if (signing === undefined)
      throw new ConfigurationError(`No private key has the signing key id ${String(signingKid)}`, {
        option: 'signingKeyId',
      });
    this.signingKey = signing;
  }

  /** The private key with that id, if this ring holds it. */
  get(kid: string): PrivateKey | undefined {
    return this._byKid.get(kid);
  }

  /** Key ids of every key in the ring. */
  kids(): string[] {
    return [...this._byKid.keys()];
  }
}
