import { expect } from 'chai';
// jsqr is CommonJS: ESM's default import is its module.exports, whose `default` is the scanner.
import jsqr from 'jsqr';
import { PNG } from 'pngjs';

import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { totpCode } from '../../lib/emulator/totp.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

const dir = `dir:${IDS.dir}`;
const svc = `svc:${IDS.dirSvc}`;

/** The text of the QR code in a PNG, read by a QR scanner (jsQR), or undefined when it finds none. */
function readQrCode(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsqr.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

describe('emulator directory endpoints and TOTP', function () {
  let emu: Emulator;
  let d: EmulatorClient;
  let s: EmulatorClient;

  beforeEach(async function () {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    d = new EmulatorClient(emu.url, dir, KEYS.dir, 'java', () => emu.now());
    s = new EmulatorClient(emu.url, svc, KEYS.svc, 'python', () => emu.now());
  });
  afterEach(async function () {
    await emu.close();
  });

  it('links a device: creates the user, a code of 7+ characters, a qrcode URL served by the emulator as a PNG QR code of the code', async function () {
    const res = await d.call('POST', '/directory/v3/devices', dir, { identifier: 'carol', ttl: 60 });
    const link = res.payload as { qrcode: string; code: string; device_id: string };
    expect(link.code.length).to.be.at.least(7);
    expect(link.device_id).to.match(/^[0-9a-f-]{36}$/);
    expect(link.qrcode.startsWith(emu.url)).to.equal(true);
    const image = await fetch(link.qrcode);
    expect(image.headers.get('content-type')).to.equal('image/png');
    expect(readQrCode(Buffer.from(await image.arrayBuffer()))).to.equal(link.code);
    // Not a linking code at all: no image.
    expect((await fetch(`${emu.url}/emulator/qrcode/${'A'.repeat(65)}`)).status).to.equal(404);
    const list = await d.call('POST', '/directory/v3/devices/list', dir, { identifier: 'carol' });
    expect(list.payload).to.have.length(1);
    expect((list.payload as { status: number }[])[0]).to.include({ status: 0, id: link.device_id });
    await emu.linkDevice({ code: link.code });
    const after = (await d.call('POST', '/directory/v3/devices/list', dir, { identifier: 'carol' })).payload as Record<
      string,
      unknown
    >[];
    expect(after[0]).to.include({ status: 1 });
    expect(after[0]).to.have.keys('id', 'name', 'status', 'type', 'created', 'updated');
  });

  it('refuses an expired linking code', async function () {
    const link = (await d.call('POST', '/directory/v3/devices', dir, { identifier: 'carol', ttl: 10 })).payload as {
      code: string;
    };
    emu.advanceClock(11);
    const error = await emu.linkDevice({ code: link.code }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.have.property('status', 404);
  });

  it('lists [] for the devices of an unknown user', async function () {
    expect((await d.call('POST', '/directory/v3/devices/list', dir, { identifier: 'nobody' })).payload).to.deep.equal(
      [],
    );
  });

  it('unlinks a device; 404 for an unknown device or user', async function () {
    const list = (await d.call('POST', '/directory/v3/devices/list', dir, { identifier: 'alice' })).payload as {
      id: string;
    }[];
    expect(
      (await d.call('DELETE', '/directory/v3/devices', dir, { identifier: 'alice', device_id: list[0]!.id })).status,
    ).to.equal(204);
    expect(
      (await d.call('DELETE', '/directory/v3/devices', dir, { identifier: 'alice', device_id: list[0]!.id })).status,
    ).to.equal(404);
    expect(
      (await d.call('DELETE', '/directory/v3/devices', dir, { identifier: 'nobody', device_id: list[0]!.id })).status,
    ).to.equal(404);
  });

  it('lists and ends sessions; 404 for an unknown user; [] without sessions', async function () {
    expect((await d.call('POST', '/directory/v3/sessions/list', dir, { identifier: 'alice' })).payload).to.deep.equal(
      [],
    );
    await s.call('POST', '/service/v3/sessions', svc, { username: 'alice', auth_request: null });
    const sessions = (await d.call('POST', '/directory/v3/sessions/list', dir, { identifier: 'alice' }))
      .payload as Record<string, unknown>[];
    expect(sessions[0]).to.include({ service_id: IDS.dirSvc, service_name: 'Dir service', auth_request: null });
    expect(sessions[0]).to.have.keys('service_id', 'service_name', 'service_icon', 'auth_request', 'date_created');
    expect((await d.call('DELETE', '/directory/v3/sessions', dir, { identifier: 'alice' })).status).to.equal(204);
    expect((await d.call('POST', '/directory/v3/sessions/list', dir, { identifier: 'alice' })).payload).to.deep.equal(
      [],
    );
    expect((await d.call('POST', '/directory/v3/sessions/list', dir, { identifier: 'nobody' })).status).to.equal(404);
    expect((await d.call('DELETE', '/directory/v3/sessions', dir, { identifier: 'nobody' })).status).to.equal(404);
  });

  it('TOTP: generate a 32-character SHA1/30/6 secret, verify the right code, refuse a wrong one, 404 without TOTP', async function () {
    expect((await s.call('POST', '/service/v3/totp', svc, { identifier: 'alice', otp: '123456' })).status).to.equal(
      404,
    );
    const totp = (await d.call('POST', '/directory/v3/totp', dir, { identifier: 'alice' })).payload as Record<
      string,
      unknown
    >;
    expect(totp).to.include({ algorithm: 'SHA1', period: 30, digits: 6 });
    expect(totp['secret']).to.match(/^[A-Z2-7]{32}$/);
    const code = totpCode(totp['secret'] as string, emu.now());
    expect((await s.call('POST', '/service/v3/totp', svc, { identifier: 'alice', otp: code })).payload).to.deep.equal({
      valid: true,
    });
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await s.call('POST', '/service/v3/totp', svc, { identifier: 'alice', otp: wrong })).payload).to.deep.equal({
      valid: false,
    });
    expect((await d.call('DELETE', '/directory/v3/totp', dir, { identifier: 'alice' })).status).to.equal(204);
    expect((await s.call('POST', '/service/v3/totp', svc, { identifier: 'alice', otp: code })).status).to.equal(404);
  });

  it('TOTP for an identifier the directory has not seen: generating creates the user, removing succeeds', async function () {
    // The official suites generate and remove TOTP for a fresh uuid4 identifier.
    const fresh = 'never-seen-before';
    expect((await d.call('DELETE', '/directory/v3/totp', dir, { identifier: 'removed-unseen' })).status).to.equal(204);
    expect(
      (await d.call('POST', '/directory/v3/devices/list', dir, { identifier: 'removed-unseen' })).payload,
    ).to.deep.equal([]);
    expect(
      (await d.call('POST', '/directory/v3/sessions/list', dir, { identifier: 'removed-unseen' })).status,
    ).to.equal(404);
    const generated = await d.call('POST', '/directory/v3/totp', dir, { identifier: fresh });
    expect(generated.status).to.equal(200);
    const secret = (generated.payload as { secret: string }).secret;
    // The user now exists: sessions list is [] rather than 404, and its TOTP verifies.
    expect((await d.call('POST', '/directory/v3/sessions/list', dir, { identifier: fresh })).payload).to.deep.equal([]);
    const code = totpCode(secret, emu.now());
    expect((await s.call('POST', '/service/v3/totp', svc, { identifier: fresh, otp: code })).payload).to.deep.equal({
      valid: true,
    });
    // Without a linked device there is nothing to push to.
    expect((await s.call('POST', '/service/v3/auths', svc, { username: fresh })).status).to.equal(404);
    expect((await d.call('DELETE', '/directory/v3/totp', dir, { identifier: fresh })).status).to.equal(204);
    expect((await s.call('POST', '/service/v3/totp', svc, { identifier: fresh, otp: code })).status).to.equal(404);
  });

  it('TOTP codes match RFC 6238 test vectors (SHA1)', function () {
    // RFC 6238 appendix B: secret "12345678901234567890" = base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCode(secret, 59, 30, 8)).to.equal('94287082');
    expect(totpCode(secret, 1111111109, 30, 8)).to.equal('07081804');
    expect(totpCode(secret, 2000000000, 30, 8)).to.equal('69279037');
  });

  it('refuses a blank identifier with DIR-001', async function () {
    expect((await d.call('POST', '/directory/v3/devices', dir, { identifier: '  ' })).payload).to.include({
      error_code: 'DIR-001',
    });
  });
});
