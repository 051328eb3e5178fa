/**
 * No other site may frame the emulator's pages (docs/security.md, "T19 The emulator in the wrong place").
 * The phone page approves logins with one click and the control guard lets its GET through from any
 * page (a frame's navigation sends no Origin, and its Host is the emulator's): a page the developer has
 * open could frame http://localhost:<port>/emulator/, cover it, and have the developer click "Approve"
 * or "Log out" (clickjacking). spec/browser/phone_page.spec.ts shows a browser honouring it.
 */
import { expect } from 'chai';
import { request } from 'node:http';

import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, KEYS } from '../support/emulator_client.js';

type Headers = Record<string, string | string[] | undefined>;

function headersOf(emu: Emulator, path: string, headers: Record<string, string> = {}): Promise<Headers> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, emu.url), { headers }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.headers);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The policy's directives by name. */
function directives(csp: string | string[] | undefined): Map<string, string> {
  return new Map(
    String(csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );
}

describe('emulator pages cannot be framed by another site', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
  });
  after(async () => {
    await emu.close();
  });

  it("answers GET /emulator/ with X-Frame-Options DENY and a CSP with frame-ancestors 'none'", async () => {
    const headers = await headersOf(emu, '/emulator/');
    expect(headers['x-frame-options']).to.equal('DENY');
    expect(directives(headers['content-security-policy']).get('frame-ancestors')).to.equal("'none'");
  });

  it('every other control answer forbids framing too, a refusal by the guard included', async () => {
    for (const [path, headers] of [
      ['/emulator/auths', {}],
      ['/emulator/state', {}],
      ['/emulator/qrcode/ABC123', {}],
      ['/emulator/', { Host: 'attacker.example' }],
    ] as const) {
      const got = await headersOf(emu, path, headers);
      expect(got['x-frame-options'], path).to.equal('DENY');
      expect(directives(got['content-security-policy']).get('frame-ancestors'), path).to.equal("'none'");
    }
  });
});
