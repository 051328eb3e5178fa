import { expect } from 'chai';
import { request } from 'node:http';
import { isIP } from 'node:net';

import { startEmulator, type Emulator, type EmulatorOptions } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

const dir = `dir:${IDS.dir}`;

/** A status for a control request with these headers (a raw request: fetch would set its own Host). */
function controlStatus(emu: Emulator, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(new URL('/emulator/state', emu.url), { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

/** What clients that "validate the qrcode as a URL with a domain" check: http(s), a dotted name, no IP. */
function isUrlWithDomain(value: string): boolean {
  const url = new URL(value);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return ['http:', 'https:'].includes(url.protocol) && isIP(host) === 0 && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host);
}

describe('emulator public URL (publicUrl, --public-url)', function () {
  let emu: Emulator | undefined;
  const start = async (options: EmulatorOptions) => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api, ...options });
    return emu;
  };
  const link = async (e: Emulator) => {
    const d = new EmulatorClient(e.url, dir, KEYS.dir, 'python', () => e.now());
    return (await d.call('POST', '/directory/v3/devices', dir, { identifier: 'carol' })).payload as {
      qrcode: string;
      code: string;
    };
  };
  afterEach(async function () {
    await emu?.close();
    emu = undefined;
  });

  it('without it, advertises the bound address: an IP literal, which a URL-with-domain check refuses', async function () {
    const e = await start({});
    expect(e.publicUrl).to.equal(e.url);
    const { qrcode, code } = await link(e);
    expect(qrcode).to.equal(`${e.url}/emulator/qrcode/${code}`);
    expect(isUrlWithDomain(qrcode)).to.equal(false);
  });

  it('builds the device link qrcode from the public URL, and the image is served there through a proxy', async function () {
    const e = await start({ publicUrl: 'https://launchkey.example.test' });
    expect(e.publicUrl).to.equal('https://launchkey.example.test');
    const { qrcode, code } = await link(e);
    expect(qrcode).to.equal(`https://launchkey.example.test/emulator/qrcode/${code}`);
    expect(isUrlWithDomain(qrcode)).to.equal(true);
    // A reverse proxy forwards the path and the public Host: the image is there.
    const status = await new Promise<number>((resolve, reject) => {
      request(new URL(new URL(qrcode).pathname, e.url), { headers: { Host: 'launchkey.example.test' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).to.equal(200);
  });

  it('keeps a path prefix and drops a trailing slash', async function () {
    const e = await start({ publicUrl: 'https://proxy.example.test/launchkey/' });
    expect(e.publicUrl).to.equal('https://proxy.example.test/launchkey');
    const { qrcode, code } = await link(e);
    expect(qrcode).to.equal(`https://proxy.example.test/launchkey/emulator/qrcode/${code}`);
  });

  it('lets the control API answer to the public URL host without publicHosts: any port unless the URL names one', async function () {
    const e = await start({ publicUrl: 'https://launchkey.example.test', publicHosts: ['extra.example.test'] });
    expect(await controlStatus(e, { Host: 'launchkey.example.test' })).to.equal(200);
    expect(
      await controlStatus(e, { Host: 'launchkey.example.test', Origin: 'https://launchkey.example.test' }),
    ).to.equal(200);
    expect(await controlStatus(e, { Host: 'extra.example.test' })).to.equal(200);
    expect(await controlStatus(e, { Host: 'other.example.test' })).to.equal(403);
    expect(await controlStatus(e, { Host: 'launchkey.example.test', Origin: 'https://evil.example.test' })).to.equal(
      403,
    );
    await e.close();

    const p = await start({ publicUrl: 'http://emulator.example.test:8480' });
    expect(await controlStatus(p, { Host: 'emulator.example.test:8480' })).to.equal(200);
    expect(await controlStatus(p, { Host: 'emulator.example.test:9999' })).to.equal(403);
    expect(await controlStatus(p, { Host: 'emulator.example.test' })).to.equal(403);
  });

  it('refuses a public URL that is not an absolute http(s) URL without user, query or fragment', async function () {
    for (const publicUrl of [
      'launchkey.example.test',
      '/emulator',
      'ftp://launchkey.example.test',
      'https://user:pw@launchkey.example.test',
      'https://launchkey.example.test/?a=1',
      'https://launchkey.example.test/#top',
      '',
    ]) {
      const error = await startEmulator({ apiPrivateKey: KEYS.api, publicUrl }).then(
        async (started) => {
          await started.close();
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(error, publicUrl).to.include({ code: 'ERR_LK_CONFIGURATION', option: 'publicUrl' });
    }
  });
});
