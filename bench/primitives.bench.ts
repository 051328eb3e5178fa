/**
 * Primitive-level breakdown behind `npm run bench`: where does jose (WebCrypto) spend the time that
 * raw node:crypto does not? Run with `node --import tsx/esm bench/primitives.bench.ts` (~60 s).
 * Writes bench/results/primitives.json.
 */
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose';
import {
  constants,
  createHash,
  generateKeyPairSync,
  KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  webcrypto,
} from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { formatOps, measureGroup, renderTable, type Measurement, type SampleOptions, type Variant } from './harness.js';
import { decryptContent, parseCompactJwe, rawDecryptJwe, rawEncryptJwe, rawSignJws } from './raw_jose.js';

const subtle = webcrypto.subtle;
const SAMPLING: SampleOptions = { warmupMs: 100, samples: 5, sampleMs: 200 };
const OAEP1 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' } as const;
const BODY = JSON.stringify({
  service_user_hash: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6',
  context: 'Log in to Example',
  ttl: 300,
});
const KID = '01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef';

interface Row {
  group: string;
  bits: number;
  m: Measurement;
}

/** jose-like A256CBC-HS512 decryption on WebCrypto: the exact sequence of jose 6 `cbcDecrypt`. */
async function webcryptoCbcDecrypt(cek: Uint8Array, aad: Uint8Array, iv: Uint8Array, ct: Uint8Array, tag: Uint8Array) {
  const encKey = await subtle.importKey('raw', cek.subarray(32), 'AES-CBC', false, ['decrypt']);
  const macKey = await subtle.importKey('raw', cek.subarray(0, 32), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']);
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length) * 8n);
  const expected = new Uint8Array((await subtle.sign('HMAC', macKey, Buffer.concat([aad, iv, ct, al]))).slice(0, 32));
  const alg = { name: 'HMAC', hash: 'SHA-256' };
  const k = (await subtle.generateKey(alg, false, ['sign', 'verify'])) as webcrypto.CryptoKey;
  const aHmac = await subtle.sign(alg, k, tag);
  if (!(await subtle.verify(alg, k, aHmac, expected))) throw new Error('tag');
  return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, encKey, ct));
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const started = Date.now();
  for (const bits of [2048, 4096]) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const jwk = privateKey.export({ format: 'jwk' });
    const pubJwk = publicKey.export({ format: 'jwk' });
    const oaepPkcs8 = await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['decrypt']);
    const oaepJwk = await subtle.importKey('jwk', jwk, { name: 'RSA-OAEP', hash: 'SHA-1' }, true, ['decrypt']);
    const oaepPub = await subtle.importKey('spki', spki, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);
    const rsPkcs8 = await subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    const rsJwk = await subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    const rsPub = await subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    const fromJwkKeyObject = KeyObject.from(oaepJwk);
    const pubFromJwk = await subtle.importKey('jwk', pubJwk, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);

    const cek = randomBytes(64);
    const block = publicEncrypt({ key: publicKey, ...OAEP1 }, cek);
    const jwe = rawEncryptJwe(BODY, publicKey, { alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: KID });
    const parsed = parseCompactJwe(jwe);
    const rawCek = privateDecrypt({ key: privateKey, ...OAEP1 }, parsed.encryptedKey);
    const input = Buffer.from('x'.repeat(560), 'ascii'); // ≈ a request token's signing input
    const signature = sign('sha256', input, privateKey);
    const jws = rawSignJws(BODY, privateKey, { alg: 'RS256', kid: KID });
    const enc = new TextEncoder();
    const small = randomBytes(32);

    const groups: [string, Variant[]][] = [
      [
        'RSA-OAEP-SHA1 decrypt, 1 block',
        [
          {
            id: 'node-sync',
            label: 'node privateDecrypt (sync)',
            fn: () => privateDecrypt({ key: privateKey, ...OAEP1 }, block),
          },
          {
            id: 'node-sync-jwkkey',
            label: 'node privateDecrypt, KeyObject.from(JWK CryptoKey)',
            fn: () => privateDecrypt({ key: fromJwkKeyObject, ...OAEP1 }, block),
          },
          {
            id: 'subtle-pkcs8',
            label: 'subtle.decrypt, CryptoKey from pkcs8',
            fn: () => subtle.decrypt('RSA-OAEP', oaepPkcs8, block),
          },
          {
            id: 'subtle-jwk',
            label: 'subtle.decrypt, CryptoKey from JWK (= jose)',
            fn: () => subtle.decrypt('RSA-OAEP', oaepJwk, block),
          },
        ],
      ],
      [
        'A256CBC-HS512 content decrypt (CEK known)',
        [
          {
            id: 'node-sync',
            label: 'node createHmac + createDecipheriv',
            fn: () => decryptContent(rawCek, parsed.aad, parsed.iv, parsed.ciphertext, parsed.tag),
          },
          {
            id: 'webcrypto-jose-seq',
            label: 'WebCrypto, jose cbcDecrypt sequence (7 calls)',
            fn: () => webcryptoCbcDecrypt(rawCek, parsed.aad, parsed.iv, parsed.ciphertext, parsed.tag),
          },
        ],
      ],
      [
        'one WebCrypto round trip',
        [
          { id: 'microtask', label: 'await Promise.resolve()', fn: () => Promise.resolve() },
          {
            id: 'node-sha256',
            label: 'createHash sha256 32 B (sync)',
            fn: () => createHash('sha256').update(small).digest(),
          },
          { id: 'subtle-sha256', label: 'subtle.digest SHA-256 32 B', fn: () => subtle.digest('SHA-256', small) },
        ],
      ],
      [
        'JWE decrypt, whole',
        [
          { id: 'raw', label: 'raw node:crypto (sync)', fn: () => rawDecryptJwe(jwe, privateKey) },
          {
            id: 'hybrid-subtle-rsa',
            label: 'subtle.decrypt RSA + node AES/HMAC',
            fn: async () => {
              const p = parseCompactJwe(jwe);
              const k = Buffer.from(await subtle.decrypt('RSA-OAEP', oaepPkcs8, p.encryptedKey));
              return decryptContent(k, p.aad, p.iv, p.ciphertext, p.tag);
            },
          },
          {
            id: 'jose',
            label: 'jose compactDecrypt, KeyObject',
            fn: () => compactDecrypt(jwe, privateKey, { keyManagementAlgorithms: ['RSA-OAEP'] }),
          },
        ],
      ],
      [
        'RS256 sign, 560 B input',
        [
          { id: 'node-sync', label: 'node crypto.sign (sync)', fn: () => sign('sha256', input, privateKey) },
          {
            id: 'node-callback',
            label: 'node crypto.sign (callback, thread pool)',
            fn: () =>
              new Promise<Buffer>((resolve, reject) => {
                sign('sha256', input, privateKey, (e, s) => {
                  if (e === null) resolve(s);
                  else reject(e);
                });
              }),
          },
          {
            id: 'subtle-pkcs8',
            label: 'subtle.sign, CryptoKey from pkcs8',
            fn: () => subtle.sign('RSASSA-PKCS1-v1_5', rsPkcs8, input),
          },
          {
            id: 'subtle-jwk',
            label: 'subtle.sign, CryptoKey from JWK (= jose)',
            fn: () => subtle.sign('RSASSA-PKCS1-v1_5', rsJwk, input),
          },
          {
            id: 'jose',
            label: 'jose CompactSign, KeyObject',
            fn: () => new CompactSign(enc.encode(BODY)).setProtectedHeader({ alg: 'RS256', kid: KID }).sign(privateKey),
          },
        ],
      ],
      [
        'RSA-OAEP-SHA1 encrypt / JWE encrypt',
        [
          {
            id: 'node-sync',
            label: 'node publicEncrypt 64 B (sync)',
            fn: () => publicEncrypt({ key: publicKey, ...OAEP1 }, cek),
          },
          {
            id: 'subtle-spki',
            label: 'subtle.encrypt 64 B, CryptoKey from spki',
            fn: () => subtle.encrypt('RSA-OAEP', oaepPub, cek),
          },
          {
            id: 'subtle-jwk',
            label: 'subtle.encrypt 64 B, CryptoKey from JWK',
            fn: () => subtle.encrypt('RSA-OAEP', pubFromJwk, cek),
          },
          {
            id: 'raw-jwe',
            label: 'raw node:crypto JWE encrypt (sync)',
            fn: () => rawEncryptJwe(BODY, publicKey, { alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: KID }),
          },
          {
            id: 'jose-jwe',
            label: 'jose CompactEncrypt, KeyObject',
            fn: () =>
              new CompactEncrypt(enc.encode(BODY))
                .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: KID })
                .encrypt(publicKey),
          },
        ],
      ],
      [
        'RS256 verify',
        [
          {
            id: 'node-sync',
            label: 'node crypto.verify (sync)',
            fn: () => verify('sha256', input, publicKey, signature),
          },
          {
            id: 'subtle-spki',
            label: 'subtle.verify, CryptoKey from spki',
            fn: () => subtle.verify('RSASSA-PKCS1-v1_5', rsPub, signature, input),
          },
          { id: 'jose', label: 'jose compactVerify, KeyObject', fn: () => compactVerify(jws, publicKey) },
        ],
      ],
    ];
    for (const [group, variants] of groups) {
      for (const m of await measureGroup(variants, SAMPLING)) rows.push({ group, bits, m });
      process.stderr.write(`  ${bits} ${group} done\n`);
    }
  }
  const table = renderTable(
    ['primitive', 'implementation', 'bits', 'ops/s (per op)', 'min..max ops/s'],
    rows.map((r) => [
      r.group,
      r.m.label,
      String(r.bits),
      formatOps(r.m),
      `${Math.round(r.m.min)}..${Math.round(r.m.max)}`,
    ]),
  );
  console.log(table);
  console.log(
    `\n${((Date.now() - started) / 1000).toFixed(1)} s, Node ${process.version}, OpenSSL ${process.versions.openssl}`,
  );
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'primitives.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, openssl: process.versions.openssl, sampling: SAMPLING, rows: rows.map((r) => ({ group: r.group, bits: r.bits, ...r.m })) }, null, 2)}\n`,
  );
}

await main();
