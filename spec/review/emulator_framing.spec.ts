/**
 * Review finding (T19): the phone page approves logins with one click and the control guard lets
 * its GET through from any page (a frame's navigation sends no Origin, and its Host is the
 * emulator's). Nothing tells the browser not to show it inside another site's frame: a page the
 * developer has open can frame http://localhost:<port>/emulator/, cover it, and have the developer
 * click "Approve" or "Log out" (clickjacking). The page should forbid framing.
 */
import { expect } from 'chai';
import { request } from 'node:http';

import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, KEYS } from '../support/emulator_client.js';

function headersOf(emu: Emulator, path: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, emu.url), (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.headers);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('review: the emulator phone page cannot be framed by another site', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
  });
  after(async () => {
    await emu.close();
  });

  it('answers GET /emulator/ with X-Frame-Options DENY or a CSP frame-ancestors none', async () => {
    const headers = await headersOf(emu, '/emulator/');
    const xfo = String(headers['x-frame-options'] ?? '').toUpperCase();
    const csp = String(headers['content-security-policy'] ?? '');
    expect(xfo === 'DENY' || /frame-ancestors\s+'none'/.test(csp), JSON.stringify(headers)).to.equal(true);
  });
});
