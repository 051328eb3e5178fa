import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

/** Writes a file in a fresh temporary directory; returns its path. */
function writeTemp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lk-emu-')), name);
  writeFileSync(file, text);
  return file;
}

/** Spawns the CLI and resolves with its first stdout line (or its stderr when it exits). */
function runCli(args: string[]): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'lib/emulator/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const line = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', () => {
      resolve(out.length > 0 ? out : `EXIT ${err}`);
    });
  });
  return { child, line };
}

describe('emulator CLI and config', function () {
  this.timeout(20000);

  it('CLI prints one line with http://HOST:PORT when listening on --port 0, and serves', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'lk-emu-'));
    const configFile = join(dir, 'config.json');
    const apiKeyFile = join(dir, 'api.pem');
    writeFileSync(configFile, JSON.stringify(baseConfig()));
    writeFileSync(apiKeyFile, KEYS.api);
    const { child, line } = runCli(['--port', '0', '--config', configFile, '--api-key', apiKeyFile]);
    try {
      const first = await line;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(first)?.[0];
      expect(url, first).to.be.a('string');
      expect((await fetch(`${url!}/public/v3/ping`)).status).to.equal(200);
      const c = new EmulatorClient(url!, `svc:${IDS.dirSvc}`, KEYS.svc);
      const res = await c.call('POST', '/service/v3/auths', `svc:${IDS.dirSvc}`, { username: 'alice' });
      expect(res.status).to.equal(201);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('CLI --public-host (repeatable) names hosts the control API answers to', async function () {
    const { child, line } = runCli([
      '--port',
      '0',
      '--api-key',
      writeTemp('api.pem', KEYS.api),
      '--public-host',
      'emulator.test',
      '--public-host',
      'proxy.test:8443',
    ]);
    try {
      const url = new URL(/http:\/\/127\.0\.0\.1:\d+/.exec(await line)?.[0] ?? 'http://invalid');
      const statusFor = (host: string) =>
        new Promise<number>((resolve, reject) => {
          request(new URL('/emulator/state', url), { headers: { Host: host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', reject)
            .end();
        });
      expect(await statusFor('emulator.test')).to.equal(200);
      expect(await statusFor('proxy.test:8443')).to.equal(200);
      expect(await statusFor('proxy.test:80')).to.equal(403);
      expect(await statusFor('other.test')).to.equal(403);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('CLI --public-url advertises that URL (phone line, device link qrcode) and its host passes the control guard', async function () {
    const { child, line } = runCli([
      '--port',
      '0',
      '--config',
      writeTemp('config.json', JSON.stringify(baseConfig())),
      '--api-key',
      writeTemp('api.pem', KEYS.api),
      '--public-url',
      'https://launchkey.example.test',
    ]);
    try {
      const first = await line;
      expect(first).to.contain('(phone: https://launchkey.example.test/emulator/)');
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(first)?.[0] ?? 'http://invalid';
      const d = new EmulatorClient(url, `dir:${IDS.dir}`, KEYS.dir);
      const linked = (await d.call('POST', '/directory/v3/devices', `dir:${IDS.dir}`, { identifier: 'carol' }))
        .payload as { qrcode: string; code: string };
      expect(linked.qrcode).to.equal(`https://launchkey.example.test/emulator/qrcode/${linked.code}`);
      const status = await new Promise<number>((resolve, reject) => {
        request(new URL('/emulator/state', url), { headers: { Host: 'launchkey.example.test' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
    }
    const bad = runCli(['--port', '0', '--public-url', 'launchkey.example.test']);
    expect(await bad.line).to.match(/^EXIT .*publicUrl/s);
  });

  it('CLI refuses a non-loopback host without --allow-remote', async function () {
    const { line } = runCli(['--port', '0', '--host', '0.0.0.0']);
    expect(await line).to.match(/^EXIT .*loopback/s);
  });

  it('startEmulator refuses host 0.0.0.0 unless allowRemote', async function () {
    const error = await startEmulator({ host: '0.0.0.0', apiPrivateKey: KEYS.api }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.have.property('code', 'ERR_LK_CONFIGURATION');
  });

  it('bound to every interface (allowRemote), gives a URL clients can use: loopback, not 0.0.0.0', async function () {
    const emu = await startEmulator({ host: '0.0.0.0', allowRemote: true, apiPrivateKey: KEYS.api });
    try {
      expect(emu.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        request(`${emu.url}/public/v3/ping`, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
          .on('error', reject)
          .end();
      });
      expect(status).to.equal(200);
    } finally {
      await emu.close();
    }
  });

  it('refuses a config callback or webhook URL that is not http(s), naming where it is', async function () {
    const config = baseConfig({ callbackUrl: 'javascript:alert(1)' });
    const error = await startEmulator({ config, apiPrivateKey: KEYS.api }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.have.property('code', 'ERR_LK_CONFIGURATION');
    expect(error)
      .to.have.property('option')
      .that.match(/^services\[\d+\]\.callbackUrl$/);
  });

  it('startEmulator refuses to start with NODE_ENV=production', async function () {
    const saved = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      const error = await startEmulator({ apiPrivateKey: KEYS.api }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.have.property('code', 'ERR_LK_CONFIGURATION');
    } finally {
      if (saved === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = saved;
    }
  });

  it('reads NODE_ENV trimmed and case-insensitively: Production, PRODUCTION and " production\\n" refuse too', async function () {
    const saved = process.env['NODE_ENV'];
    try {
      for (const value of ['Production', 'PRODUCTION', ' production\n']) {
        process.env['NODE_ENV'] = value;
        const error = await startEmulator({ apiPrivateKey: KEYS.api }).then(
          async (emu) => {
            await emu.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(error, JSON.stringify(value)).to.have.property('code', 'ERR_LK_CONFIGURATION');
      }
    } finally {
      if (saved === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = saved;
    }
  });

  it('loads the config from a JSON file path', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'lk-emu-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(baseConfig()));
    const emu = await startEmulator({ config: file, apiPrivateKey: KEYS.api });
    try {
      const state = emu.state();
      expect(state.services.map((s) => s.id)).to.include(IDS.dirSvc);
      expect(state.users.map((u) => u.identifier)).to.deep.equal(['alice', 'bob', 'nodevice']);
    } finally {
      await emu.close();
    }
  });

  it('refuses a config naming an unknown organization', async function () {
    const config = { directories: [{ id: IDS.dir, organizationId: IDS.org }] };
    const error = await startEmulator({ config, apiPrivateKey: KEYS.api }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.have.property('code', 'ERR_LK_CONFIGURATION');
  });

  it('names the key a config cannot read: which entity, which key', async function () {
    const config = baseConfig();
    const service = config.services?.[0];
    if (service === undefined) throw new Error('the base config has a service');
    service.publicKeys = [{ pem: '-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----' }];
    const error = await startEmulator({ config, apiPrivateKey: KEYS.api }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.have.property('code', 'ERR_LK_CONFIGURATION');
    expect(error).to.have.property('option', 'services[0].publicKeys[0].pem');
    expect((error as Error).message).to.match(/^services\[0\]\.publicKeys\[0\]\.pem: /);
  });

  it('generates an API key when none is given', async function () {
    const emu = await startEmulator({ apiKeyBits: 2048 });
    try {
      const res = await fetch(`${emu.url}/public/v3/public-key`);
      expect(res.headers.get('x-iov-key-id')).to.equal(emu.apiKeyId);
    } finally {
      await emu.close();
    }
  });
});
