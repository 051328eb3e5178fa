import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

import { ServiceFactory } from '../../lib/sdk/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `launchkey-emulator` from source; resolves with its output once it named the env file. */
function startDemo(args: string[]): { child: ChildProcess; output: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'lib/emulator/cli.ts', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const output = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/Env file: .*\n.*\n/.test(out)) resolve(out);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      resolve(`EXIT ${code} ${out} ${err}`);
    });
  });
  return { child, output };
}

/** Runs a script with `node --env-file=FILE`: Node's own reader of the env file. */
function runWithEnvFile(
  envFile: string,
  script: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [`--env-file=${envFile}`, '--import', 'tsx/esm', '--input-type=module', '-e', script],
    {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('emulator CLI --demo', function () {
  this.timeout(30_000);

  it('starts the demo world and writes its credentials: key files (mode 600) and an env file, no key on screen', async function () {
    const folder = join(mkdtempSync(join(tmpdir(), 'lk-demo-')), 'creds');
    const { child, output } = startDemo([
      '--demo',
      '--credentials',
      folder,
      '--callback-url',
      'http://127.0.0.1:9/hook',
    ]);
    try {
      const text = await output;
      expect(text).to.match(/^LaunchKey emulator listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(text).not.to.include('PRIVATE KEY');
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(text)![0];
      const env = parseEnv(readFileSync(join(folder, 'launchkey.env'), 'utf8'));
      expect(env['LAUNCHKEY_BASE_URL']).to.equal(url);
      expect(env['LAUNCHKEY_DEMO_USERNAME']).to.equal('demo');
      for (const entity of ['service', 'directory', 'organization']) {
        const file = join(folder, `${entity}.pem`);
        expect(text).to.include(`${entity} key file: ${file}`);
        expect(text).not.to.include(`_KEY=${file}`);
        expect(text).to.include(`LAUNCHKEY_${entity.toUpperCase()}_ID=${env[`LAUNCHKEY_${entity.toUpperCase()}_ID`]}`);
        expect(readFileSync(file, 'utf8').trim()).to.equal(env[`LAUNCHKEY_${entity.toUpperCase()}_KEY`]);
        expect(statSync(file).mode & 0o777, file).to.equal(0o600);
      }
      expect(statSync(join(folder, 'launchkey.env')).mode & 0o777).to.equal(0o600);
      expect(statSync(folder).mode & 0o777).to.equal(0o700);

      // The service's credentials work as written: the push goes out, and its webhook URL is the one given.
      const service = new ServiceFactory(env['LAUNCHKEY_SERVICE_ID']!, env['LAUNCHKEY_SERVICE_KEY']!, {
        baseUrl: url,
      }).makeServiceClient();
      const id = await service.authorize('demo');
      const state = (await (await fetch(`${url}/emulator/state`)).json()) as {
        services: { id: string; callbackUrl: string | null }[];
      };
      expect(state.services.find((s) => s.id === env['LAUNCHKEY_SERVICE_ID'])?.callbackUrl).to.equal(
        'http://127.0.0.1:9/hook',
      );
      expect(id).to.match(/^[0-9a-f-]{36}$/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('the env file is read by `node --env-file`: the directory lists the demo phone', async function () {
    const folder = mkdtempSync(join(tmpdir(), 'lk-demo-'));
    const { child, output } = startDemo(['--demo', '--credentials', folder]);
    try {
      await output;
      const script = `
        import { DirectoryFactory } from './lib/sdk/index.ts';
        const client = new DirectoryFactory(process.env.LAUNCHKEY_DIRECTORY_ID, process.env.LAUNCHKEY_DIRECTORY_KEY, {
          baseUrl: process.env.LAUNCHKEY_BASE_URL,
        }).makeDirectoryClient();
        const devices = await client.getLinkedDevices(process.env.LAUNCHKEY_DEMO_USERNAME);
        console.log(JSON.stringify(devices.map((d) => d.name)));`;
      const run = await runWithEnvFile(join(folder, 'launchkey.env'), script);
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout)).to.deep.equal(['Demo phone']);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('rewrites an existing folder: a key file left readable by others is narrowed to 600', async function () {
    const folder = mkdtempSync(join(tmpdir(), 'lk-demo-'));
    writeFileSync(join(folder, 'service.pem'), 'old', { mode: 0o644 });
    const { child, output } = startDemo(['--demo', '--credentials', folder]);
    try {
      await output;
      expect(statSync(join(folder, 'service.pem')).mode & 0o777).to.equal(0o600);
      expect(readFileSync(join(folder, 'service.pem'), 'utf8')).to.include('BEGIN PRIVATE KEY');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses --credentials or --callback-url without --demo, --demo with --config, and a callback URL that is not http(s)', async function () {
    for (const args of [
      ['--credentials', '/tmp/x'],
      ['--callback-url', 'http://127.0.0.1/x'],
      ['--demo', '--config', 'x.json'],
      ['--demo', '--callback-url', 'javascript:alert(1)'],
    ]) {
      const { output } = startDemo(args);
      expect(await output, args.join(' ')).to.match(/^EXIT 1 /);
    }
  });
});
