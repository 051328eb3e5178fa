/**
 * The iOS push certificate a directory uploads (`PATCH /organization/v3/directories` `ios_p12`,
 * docs/protocol.md, "Organization endpoints"): base64 (MIME-wrapped from Python) of a PKCS#12 file without a
 * password, as Keychain Access and `openssl pkcs12 -export -legacy` write it (certificate bag under
 * pbeWithSHA1And40BitRC2-CBC, key under 3DES; newer files use PBES2 with AES). The API reports
 * `ios_certificate_fingerprint`: the SHA-256 of the certificate inside, as uppercase hex pairs joined by
 * colons (the official suites' expected values, e.g. `7A:31:98:…`).
 *
 * node:crypto reads no PKCS#12, and PKI.js decrypts through WebCrypto, which has no RC2, the cipher
 * of the legacy certificate bag; node-forge implements PKCS#12 with RC2, 3DES and PBES2. forge only
 * opens the file here; the fingerprint is node:crypto's.
 */
import { X509Certificate } from 'node:crypto';

import forge from 'node-forge';

/** PKCS#12 bag types (RFC 7292 §4.2). */
const BAG = {
  key: '1.2.840.113549.1.12.10.1.1',
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  cert: '1.2.840.113549.1.12.10.1.3',
} as const;

/** A value that is not a password-less PKCS#12 holding a certificate. */
export class InvalidP12Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidP12Error';
  }
}

/** The `localKeyId` attribute of a bag, as comparable text, or undefined. */
function localKeyId(bag: forge.pkcs12.Bag): string | undefined {
  // forge types the attributes as any: read them as unknown.
  const attributes = bag.attributes as Record<string, unknown>;
  const ids = attributes['localKeyId'];
  return Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : undefined;
}

/**
 * The DER of the push certificate in a PKCS#12: the certificate paired with the private key (same
 * `localKeyId`) when the file says which, else the first certificate (a file may carry the chain).
 *
 * @throws {InvalidP12Error} when the bytes are not a PKCS#12, need a password or hold no certificate.
 */
export function p12Certificate(p12: Buffer): Buffer {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    // An empty password (not none): openssl and Keychain derive the keys from the empty string.
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), false, '');
  } catch {
    throw new InvalidP12Error('not a PKCS#12 file without a password');
  }
  const bagsOf = (type: string): forge.pkcs12.Bag[] => parsed.getBags({ bagType: type })[type] ?? [];
  const certBags = bagsOf(BAG.cert);
  const keyIds = new Set([...bagsOf(BAG.shroudedKey), ...bagsOf(BAG.key)].map(localKeyId));
  keyIds.delete(undefined);
  const bag = certBags.find((b) => localKeyId(b) !== undefined && keyIds.has(localKeyId(b))) ?? certBags[0];
  // forge parses RSA certificates; any other kind it leaves as ASN.1.
  const asn1 = bag?.cert ? forge.pki.certificateToAsn1(bag.cert) : bag?.asn1;
  if (asn1 === undefined) throw new InvalidP12Error('the PKCS#12 file holds no certificate');
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * `ios_certificate_fingerprint` for an uploaded `ios_p12` (base64, line breaks allowed).
 *
 * @throws {InvalidP12Error} as {@link p12Certificate}, or for a certificate node:crypto cannot read.
 */
export function iosCertificateFingerprint(base64: string): string {
  const der = p12Certificate(Buffer.from(base64.replace(/\s/g, ''), 'base64'));
  try {
    return new X509Certificate(der).fingerprint256;
  } catch {
    throw new InvalidP12Error('the certificate in the PKCS#12 file cannot be read');
  }
}
