import { expect } from 'chai';

import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, control, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

const svc = `svc:${IDS.dirSvc}`;

describe('emulator control API and phone page', function () {
  let emu: Emulator;
  let c: EmulatorClient;
  let id: string;

  beforeEach(async function () {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    c = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
    const res = await c.call('POST', '/service/v3/auths', svc, {
      username: 'alice',
      context: 'Sign in to <Shop>',
      title: 'Shop',
    });
    id = (res.payload as { auth_request: string }).auth_request;
  });
  afterEach(async function () {
    await emu.close();
  });

  it('GET /emulator/auths lists requests, filtered by status and username', async function () {
    const { json } = await control(emu.url, '/emulator/auths?status=pending&username=alice');
    expect(json).to.have.length(1);
    expect((json as Record<string, unknown>[])[0]).to.include({
      id,
      username: 'alice',
      serviceId: IDS.dirSvc,
      status: 'pending',
      context: 'Sign in to <Shop>',
      title: 'Shop',
    });
    expect((json as Record<string, unknown>[])[0])
      .to.have.property('expiresAt')
      .that.match(/Z$/);
    expect((await control(emu.url, '/emulator/auths?username=bob')).json).to.deep.equal([]);
  });

  it('POST /emulator/auths/{id}/respond approves, and refuses a second answer with 409', async function () {
    const res = await control(emu.url, `/emulator/auths/${id}/respond`, { action: 'approve' });
    expect(res.status).to.equal(200);
    expect(res.json).to.include({ status: 'approved' });
    expect((await c.call('GET', `/service/v3/auths/${id}`, svc)).status).to.equal(200);
    expect((await control(emu.url, `/emulator/auths/${id}/respond`, { action: 'deny' })).status).to.equal(409);
  });

  it('refuses an unknown action with 400 and an unknown id with 404', async function () {
    expect((await control(emu.url, `/emulator/auths/${id}/respond`, { action: 'maybe' })).status).to.equal(400);
    expect((await control(emu.url, '/emulator/auths/nope/respond', { action: 'approve' })).status).to.equal(404);
  });

  it('shifts the clock with advanceSeconds and offsetSeconds, expiring requests without sleeping', async function () {
    const before = emu.now();
    const res = await control(emu.url, '/emulator/clock', { advanceSeconds: 301 });
    expect((res.json as { offsetSeconds: number }).offsetSeconds).to.equal(301);
    expect(emu.now()).to.be.at.least(before + 301);
    expect(emu.auths()[0]).to.include({ status: 'expired' });
    expect((await control(emu.url, '/emulator/clock', { offsetSeconds: 0 })).json).to.include({ offsetSeconds: 0 });
    // Expired for good: moving the clock back does not revive a request, as real time would not.
    expect(emu.auths()[0]).to.include({ status: 'expired' });
  });

  it('POST /emulator/sessions/end ends the session; 404 when there is none', async function () {
    await c.call('POST', '/service/v3/sessions', svc, { username: 'alice' });
    expect((await control(emu.url, '/emulator/sessions')).json).to.have.length(1);
    expect(
      (await control(emu.url, '/emulator/sessions/end', { serviceId: IDS.dirSvc, username: 'alice' })).status,
    ).to.equal(204);
    expect(
      (await control(emu.url, '/emulator/sessions/end', { serviceId: IDS.dirSvc, username: 'alice' })).status,
    ).to.equal(404);
  });

  it('POST /emulator/devices/link completes a link with factors, jailbroken and location', async function () {
    const dir = new EmulatorClient(emu.url, `dir:${IDS.dir}`, KEYS.dir, 'default', () => emu.now());
    const link = (await dir.call('POST', '/directory/v3/devices', `dir:${IDS.dir}`, { identifier: 'dave' }))
      .payload as { code: string };
    const res = await control(emu.url, '/emulator/devices/link', {
      code: link.code,
      name: 'Dave',
      factors: ['possession'],
      jailbroken: true,
      location: { latitude: 1, longitude: 2 },
    });
    expect(res.status).to.equal(200);
    expect(res.json).to.include({ identifier: 'dave' });
    expect((await control(emu.url, '/emulator/devices/link', { code: link.code })).status).to.equal(404);
    expect((await control(emu.url, '/emulator/devices/link', {})).status).to.equal(400);
  });

  it('GET /emulator/state dumps entities, users and auths', async function () {
    const { json } = await control(emu.url, '/emulator/state');
    expect(json).to.include.keys('organizations', 'directories', 'services', 'users', 'auths', 'webhooks', 'now');
  });

  it('refuses a malformed control body with 400 and keeps serving', async function () {
    const res = await fetch(`${emu.url}/emulator/clock`, { method: 'POST', body: '{not json' });
    expect(res.status).to.equal(400);
    expect((await fetch(`${emu.url}/public/v3/ping`)).status).to.equal(200);
  });

  it('serves the phone page as self-contained HTML that polls the control API', async function () {
    const res = await fetch(`${emu.url}/emulator/`);
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    const html = await res.text();
    expect(html)
      .to.contain('Approve')
      .and.contain('Report fraud')
      .and.contain('Linking code')
      .and.contain('/emulator/auths?status=pending');
    expect(html).not.to.match(/(src|href)="https?:/);
  });

  it('the phone page data shows the pending request context, service and expiry', async function () {
    const auths = (await control(emu.url, '/emulator/auths?status=pending')).json as Record<string, unknown>[];
    expect(auths[0]).to.include({ context: 'Sign in to <Shop>', serviceName: 'Dir service' });
  });
});
