import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

/**
 * Real PKCS#12 files made by Debian's openssl, the way an iOS push certificate is exported
 * (password-less, `-legacy`: the certificate bag under pbeWithSHA1And40BitRC2-CBC), and the expected
 * fingerprint computed by openssl too, so neither side of the check is the emulator's parser.
 */
const org = `org:${IDS.org}`;

/** Runs openssl; its output, stdout then stderr (`pkcs12 -info` writes to stderr). */
function openssl(args: string[], cwd: string): string {
  const run = spawnSync('openssl', args, { cwd, encoding: 'latin1' });
  if (run.error !== undefined || run.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed: ${run.error?.message ?? run.stderr}`);
  }
  return run.stdout + run.stderr;
}

/** `AA:BB:…` from `openssl x509 -fingerprint -sha256` ("sha256 Fingerprint=AA:…" or "SHA256 …"). */
function opensslFingerprint(cert: string, cwd: string): string {
  const line = openssl(['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], cwd).trim().split('\n')[0] ?? '';
  return line.slice(line.indexOf('=') + 1);
}

/** Python's `base64.encodebytes`: MIME base64, a newline every 76 characters and at the end. */
const mimeBase64 = (bytes: Buffer) => `${bytes.toString('base64').replace(/.{76}/g, '$&\n')}\n`;

describe('emulator iOS push certificate fingerprint (PKCS#12)', function () {
  let emu: Emulator;
  let o: EmulatorClient;
  let work: string;
  const fingerprintOfDir = async () =>
    (
      (await o.call('POST', '/organization/v3/directories/list', org, { directory_ids: [IDS.dir] })).payload as {
        ios_certificate_fingerprint: string | null;
      }[]
    )[0]?.ios_certificate_fingerprint;
  const upload = (ios_p12: unknown) =>
    o.call('PATCH', '/organization/v3/directories', org, { directory_id: IDS.dir, ios_p12 });

  before(function () {
    work = mkdtempSync(join(tmpdir(), 'lk-p12-'));
    writeFileSync(join(work, 'leaf.key'), KEYS.svc);
    writeFileSync(join(work, 'ca.key'), KEYS.dir);
    for (const [name, key] of [
      ['leaf', 'leaf.key'],
      ['ca', 'ca.key'],
    ] as const) {
      openssl(['req', '-x509', '-new', '-key', key, '-out', `${name}.pem`, '-subj', `/CN=${name}`, '-days', '2'], work);
    }
    const exportP12 = (out: string, extra: string[]) =>
      openssl(
        ['pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.pem', '-passout', 'pass:', '-out', out, ...extra],
        work,
      );
    exportP12('legacy.p12', ['-legacy']);
    exportP12('chain.p12', ['-legacy', '-certfile', 'ca.pem']);
    exportP12('modern.p12', []);
    exportP12('secret.p12', ['-passout', 'pass:secret']);
  });
  after(function () {
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(async function () {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    o = new EmulatorClient(emu.url, org, KEYS.org, 'python', () => emu.now());
  });
  afterEach(async function () {
    await emu.close();
  });

  it('reports the SHA-256 of the certificate inside a legacy (RC2-40) p12, not of the p12 bytes', async function () {
    const info = openssl(['pkcs12', '-info', '-in', 'legacy.p12', '-passin', 'pass:', '-noout', '-legacy'], work);
    expect(info).to.contain('pbeWithSHA1And40BitRC2-CBC');
    const p12 = readFileSync(join(work, 'legacy.p12'));
    expect((await upload(mimeBase64(p12))).status).to.equal(204);
    const expected = opensslFingerprint('leaf.pem', work);
    expect(expected).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await fingerprintOfDir()).to.equal(expected);
    const ofBytes = createHash('sha256').update(p12).digest('hex').toUpperCase().match(/../g)?.join(':');
    expect(await fingerprintOfDir()).not.to.equal(ofBytes);
  });

  it('takes the certificate paired with the key when the p12 carries a chain, and reads modern (AES) p12 files', async function () {
    expect((await upload(readFileSync(join(work, 'chain.p12')).toString('base64'))).status).to.equal(204);
    expect(await fingerprintOfDir()).to.equal(opensslFingerprint('leaf.pem', work));
    expect(opensslFingerprint('ca.pem', work)).not.to.equal(opensslFingerprint('leaf.pem', work));
    expect((await upload(readFileSync(join(work, 'modern.p12')).toString('base64'))).status).to.equal(204);
    expect(await fingerprintOfDir()).to.equal(opensslFingerprint('leaf.pem', work));
  });

  it('clears with null; refuses a password-protected p12, a bare certificate or garbage with ARG-001 and keeps the old one', async function () {
    await upload(readFileSync(join(work, 'legacy.p12')).toString('base64'));
    const before = await fingerprintOfDir();
    for (const refused of [
      readFileSync(join(work, 'secret.p12')).toString('base64'),
      Buffer.from(readFileSync(join(work, 'leaf.pem'), 'latin1')).toString('base64'),
      'bm90IGEgcDEy',
      '',
      42,
    ]) {
      const res = await upload(refused);
      expect(res.status).to.equal(400);
      expect(res.payload).to.include({ error_code: 'ARG-001' });
      expect(await fingerprintOfDir()).to.equal(before);
    }
    // A refused update changes nothing else either.
    await o.call('PATCH', '/organization/v3/directories', org, { directory_id: IDS.dir, active: false, ios_p12: 'x' });
    const [dir] = (await o.call('POST', '/organization/v3/directories/list', org, { directory_ids: [IDS.dir] }))
      .payload as { active: boolean }[];
    expect(dir).to.include({ active: true });
    expect((await upload(null)).status).to.equal(204);
    expect(await fingerprintOfDir()).to.equal(null);
  });
});
