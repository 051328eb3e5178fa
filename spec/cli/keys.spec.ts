import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { IDS, KEYS, cli, directoryEnv, guardKeys, organizationEnv, serviceEnv, startWorld } from './support.js';

/** A fresh 2048-bit key pair, PEM; its private half is guarded like the world's keys. */
function keyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  guardKeys(privatePem);
  return { privatePem, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('launchkey keys', function () {
  this.timeout(15_000);
  let emu: Emulator;
  let dir: string;
  const keysEnv = (): Record<string, string> => ({
    LAUNCHKEY_BASE_URL: emu.url,
    LAUNCHKEY_DIRECTORY_ID: IDS.dir,
    LAUNCHKEY_DIRECTORY_KEY: KEYS.dir,
    LAUNCHKEY_SERVICE_ID: IDS.dirSvc,
  });

  beforeEach(async () => {
    emu = await startWorld();
    dir = mkdtempSync(join(tmpdir(), 'launchkey-cli-keys-'));
  });

  afterEach(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("list prints the service's keys through its directory, as a table and as JSON", async () => {
    const kid = loadPrivateKey(KEYS.svc).kid;
    const text = await cli(['keys', 'list'], keysEnv());
    expect(text.code).to.equal(0);
    expect(text.stdout.trim().split('\n')).to.have.lengthOf(2);
    expect(text.stdout).to.match(new RegExp(`\\n${kid} +BOTH +yes +\\d{4}-\\S+Z +never\\n$`));

    const json = await cli(['keys', 'list', '--json'], keysEnv());
    const [listing] = json.json();
    expect(listing?.['serviceId']).to.equal(IDS.dirSvc);
    const [key] = listing?.['keys'] as Record<string, unknown>[];
    expect(Object.keys(key ?? {})).to.deep.equal(['id', 'keyType', 'active', 'created', 'expires', 'publicKey']);
    expect(key).to.deep.include({ id: kid, keyType: 'BOTH', active: true, expires: null });
    expect(key?.['publicKey']).to.match(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('add registers a public key file with --expires and --key-type; list then shows it', async () => {
    const { publicPem, privatePem } = keyPair();
    writeFileSync(join(dir, 'new.pub.pem'), publicPem);
    const kid = loadPrivateKey(privatePem).kid;
    const added = await cli(
      ['keys', 'add', 'new.pub.pem', '--expires', '2030-01-31', '--key-type', 'signature', '--json'],
      keysEnv(),
      { cwd: dir },
    );
    expect(added.code).to.equal(0);
    expect(added.json()).to.deep.equal([
      { serviceId: IDS.dirSvc, keyId: kid, keyType: 'SIGNATURE', expires: '2030-01-31T00:00:00.000Z' },
    ]);
    const [listing] = (await cli(['keys', 'list', '--json'], keysEnv())).json();
    const key = (listing?.['keys'] as Record<string, unknown>[]).find((k) => k['id'] === kid);
    expect(key).to.deep.include({ keyType: 'SIGNATURE', active: true, expires: '2030-01-31T00:00:00.000Z' });
  });

  it('add of a private key file sends only its public half', async () => {
    const { privatePem } = keyPair();
    const path = join(dir, 'new.key.pem');
    writeFileSync(path, privatePem);
    const added = await cli(['keys', 'add', path], keysEnv());
    expect(added.code).to.equal(0);
    const kid = loadPrivateKey(privatePem).kid;
    expect(added.stdout).to.equal(`Added key ${kid} (BOTH) to service ${IDS.dirSvc}.\n`);
    const stored = emu.state().services.find((s) => s.id === IDS.dirSvc);
    expect(JSON.stringify(stored)).to.not.include('PRIVATE');
  });

  it("manages an organization service's keys with the organization's credentials", async () => {
    const env = { ...organizationEnv(emu), LAUNCHKEY_SERVICE_ID: IDS.orgSvc };
    const { publicPem } = keyPair();
    writeFileSync(join(dir, 'org.pub.pem'), publicPem);
    expect((await cli(['keys', 'add', join(dir, 'org.pub.pem')], env)).code).to.equal(0);
    const [listing] = (await cli(['keys', 'list', '--json'], env)).json();
    expect(listing?.['keys']).to.have.lengthOf(2);
  });

  it('refuses a file that is not a key, a missing file, a bad --key-type or --expires, with exit 1', async () => {
    writeFileSync(join(dir, 'junk.pem'), 'not a key');
    const { publicPem } = keyPair();
    writeFileSync(join(dir, 'ok.pem'), publicPem);
    const cases: [string[], string][] = [
      [['junk.pem'], 'the key file: Public key is not a single PEM block'],
      [['missing.pem'], 'cannot read the key file (ENOENT)'],
      [['ok.pem', '--key-type', 'both-ways'], '--key-type must be both, encryption or signature'],
      [['ok.pem', '--expires', 'next year'], '--expires takes an ISO 8601 date or time'],
      [['ok.pem', '--expires', '2030-02-31'], '--expires takes an ISO 8601 date or time'],
      [['ok.pem', '--expires', '2030-01-31T24:00:00Z'], '--expires takes an ISO 8601 date or time'],
      [['ok.pem', '--expires', '2030-01-31T12:00:00'], '--expires takes an ISO 8601 date or time'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(['keys', 'add', ...args], keysEnv(), { cwd: dir });
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.stderr, args.join(' ')).to.include(`launchkey: ${message}`);
    }
  });

  it('exits 2 when the key is already registered (ERR_LK_PUBLIC_KEY_ALREADY_IN_USE)', async () => {
    writeFileSync(join(dir, 'svc.pem'), loadPrivateKey(KEYS.svc).publicKey.pem);
    const result = await cli(['keys', 'add', join(dir, 'svc.pem'), '--json'], keysEnv());
    expect(result.code).to.equal(2);
    expect(result.error()).to.deep.include({ code: 'ERR_LK_PUBLIC_KEY_ALREADY_IN_USE', apiErrorCode: 'KEY-002' });
  });

  it('exits 2 for a service the credentials do not own (ERR_LK_FORBIDDEN)', async () => {
    const result = await cli(['keys', 'list'], { ...keysEnv(), LAUNCHKEY_SERVICE_ID: IDS.orgSvc });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/\(ERR_LK_FORBIDDEN\)\nThe credentials may not act on that entity/);
  });

  it('needs a service id, and directory or organization credentials: a service key cannot manage keys', async () => {
    const noService = await cli(['keys', 'list'], directoryEnv(emu));
    expect(noService.code).to.equal(1);
    expect(noService.stderr).to.include('the service id is missing: set LAUNCHKEY_SERVICE_ID or --service-id');
    const serviceOnly = await cli(['keys', 'list'], serviceEnv(emu));
    expect(serviceOnly.code).to.equal(1);
    expect(serviceOnly.stderr).to.include(
      'no credentials: set one of LAUNCHKEY_DIRECTORY_KEY, LAUNCHKEY_ORGANIZATION_KEY (or the matching --*-key option) with its id',
    );
  });
});
