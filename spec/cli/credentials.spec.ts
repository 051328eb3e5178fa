import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Emulator } from '../../lib/emulator/index.js';
import { IDS, KEYS, cli, directoryEnv, serviceEnv, startWorld } from './support.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('launchkey credentials', function () {
  this.timeout(15_000);
  let emu: Emulator;
  let dir: string;

  before(async () => {
    emu = await startWorld();
    dir = mkdtempSync(join(tmpdir(), 'launchkey-cli-credentials-'));
    writeFileSync(join(dir, 'dir.pem'), KEYS.dir);
  });

  after(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const list = (env: Record<string, string | undefined>, extra: string[] = [], cwd?: string) =>
    cli(['devices', 'list', 'alice', ...extra], env, cwd === undefined ? {} : { cwd });

  it('reads a key variable as PEM text, as PEM with literal \\n escapes, or as a file path (relative to cwd)', async () => {
    const oneLine = KEYS.dir.trim().split('\n').join('\\n');
    for (const [key, cwd] of [
      [KEYS.dir, undefined],
      [oneLine, undefined],
      [join(dir, 'dir.pem'), undefined],
      ['dir.pem', dir],
    ] as const) {
      const result = await list({ ...directoryEnv(emu), LAUNCHKEY_DIRECTORY_KEY: key }, [], cwd);
      expect(result.code, result.stderr).to.equal(0);
    }
  });

  it('takes ids and key files from options, which win over the variables', async () => {
    const env = {
      LAUNCHKEY_BASE_URL: 'http://127.0.0.1:1',
      LAUNCHKEY_DIRECTORY_ID: IDS.otherDir,
      LAUNCHKEY_DIRECTORY_KEY: KEYS.org,
    };
    const result = await list(env, [
      '--base-url',
      emu.url,
      '--directory-id',
      IDS.dir,
      '--directory-key',
      join(dir, 'dir.pem'),
    ]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/ phone +LINKED /);
  });

  it('uses the narrowest credentials: a broken directory key is never read when a service key is given', async () => {
    const env = { ...serviceEnv(emu), LAUNCHKEY_DIRECTORY_ID: IDS.dir, LAUNCHKEY_DIRECTORY_KEY: 'no such file' };
    const result = await cli(['push', 'nobody'], env);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/^launchkey: Entity not found/);
  });

  it('exits 1 naming the variables when no credentials are given', async () => {
    const result = await list({ LAUNCHKEY_BASE_URL: emu.url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      'launchkey: no credentials: set one of LAUNCHKEY_DIRECTORY_KEY, LAUNCHKEY_ORGANIZATION_KEY (or the matching --*-key option) with its id (ERR_LK_USAGE)\n' +
        'Run "launchkey devices list --help" for usage.\n',
    );
  });

  it('exits 1 naming the variable for a missing id or one that is not a UUID', async () => {
    const missing = await list({ ...directoryEnv(emu), LAUNCHKEY_DIRECTORY_ID: undefined, LAUNCHKEY_FOO: 'x' });
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(
      /^launchkey: the directory id is missing: set LAUNCHKEY_DIRECTORY_ID or --directory-id/,
    );
    const malformed = await list({ ...directoryEnv(emu) }, ['--directory-id', 'dir-1', '--json']);
    expect(malformed.code).to.equal(1);
    expect(malformed.error()).to.deep.equal({
      code: 'ERR_LK_USAGE',
      message: '--directory-id must be a UUID',
      exitCode: 1,
      retryable: false,
      argument: '--directory-id',
    });
  });

  it('exits 1 for a key that does not load, naming its source and never showing the text', async () => {
    const lines = KEYS.dir.trim().split('\n');
    const truncated = [...lines.slice(0, 6), ...lines.slice(-1)].join('\n');
    const result = await list({ ...directoryEnv(emu), LAUNCHKEY_DIRECTORY_KEY: truncated });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^launchkey: LAUNCHKEY_DIRECTORY_KEY: Private key is neither PKCS#8 nor PKCS#1 RSA/);
    expect(result.stderr).to.not.include(lines[1]);
  });

  it('exits 1 for a key variable that is neither PEM nor a readable file, without repeating it', async () => {
    const body = KEYS.dir.split('\n').slice(1, -2).join('');
    const result = await list({ ...directoryEnv(emu), LAUNCHKEY_DIRECTORY_KEY: body });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(
      /^launchkey: LAUNCHKEY_DIRECTORY_KEY is neither a PEM key nor the path of a readable file \(E[A-Z]+\)/,
    );
    expect(result.stderr).to.not.include(body.slice(0, 40));
  });

  it('refuses a key option given the key itself, without repeating it: command lines are visible to others', async () => {
    const result = await list(directoryEnv(emu), [`--directory-key=${KEYS.dir}`, '--json']);
    expect(result.code).to.equal(1);
    expect(result.error().message).to.equal(
      '--directory-key takes the path of a PEM file, not the key itself: a command line is visible to other local users',
    );
  });

  it('never repeats the value of a mistyped option', async () => {
    const result = await list(directoryEnv(emu), [`--directory-kye=${KEYS.dir}`]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      'launchkey: unknown option --directory-kye (ERR_LK_USAGE)\nRun "launchkey devices list --help" for usage.\n',
    );
  });

  it('exits 2 with ERR_LK_UNAUTHORIZED and a hint when the key is not the entity’s', async () => {
    const result = await list({ ...directoryEnv(emu), LAUNCHKEY_DIRECTORY_KEY: KEYS.svc });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/\(ERR_LK_UNAUTHORIZED\)\nThe API did not accept the credentials/);
    const json = await list({ ...directoryEnv(emu), LAUNCHKEY_DIRECTORY_KEY: KEYS.svc }, ['--json']);
    expect(json.error()).to.deep.include({ code: 'ERR_LK_UNAUTHORIZED', exitCode: 2, status: 401 });
  });

  it('exits 2 with ERR_LK_NETWORK (retryable) when the API cannot be reached', async () => {
    const env = { ...directoryEnv(emu), LAUNCHKEY_BASE_URL: `http://127.0.0.1:${await closedPort()}` };
    const result = await list(env);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/^launchkey: The LaunchKey API could not be reached: .*\(ERR_LK_NETWORK\)\n/);
    expect(result.stderr).to.match(/\nCheck LAUNCHKEY_BASE_URL \(or --base-url\) and that the API is up\.\n$/);
    const json = await list(env, ['--json']);
    expect(json.error()).to.deep.include({ code: 'ERR_LK_NETWORK', exitCode: 2, retryable: true });
  });

  it('exits 1 for a base URL the SDK refuses, naming where it came from', async () => {
    const result = await list({ ...directoryEnv(emu), LAUNCHKEY_BASE_URL: 'http://api.example.com' });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(
      /^launchkey: LAUNCHKEY_BASE_URL: the URL must use https \(plain http is allowed only for a loopback emulator\)/,
    );
  });
});
