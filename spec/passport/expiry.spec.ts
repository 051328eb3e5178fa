/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { expect } from 'chai';

import { buildApp, pendingId, polls, useWorld, USERS, view } from '../support/passport_app.js';

// Its own emulator: moving the emulator clock must not disturb the other spec files.
describe('Strategy when the authorization request expires', () => {
  const world = useWorld();
  afterEach(() => {
    world.emu.setClockOffset(0);
  });

  it('fails with code expired once LaunchKey says the request timed out (learned by the poller)', async () => {
    // cacheTtl 0: the client measures the API clock again after the emulator's jumps.
    const t = buildApp(world, { strategy: { ttl: 30, pollInterval: 100 }, transport: { cacheTtl: 0 } });
    const browser = t.browser();
    const username = USERS[0] ?? '';
    await browser.post('/login').type('form').send({ username }).expect(202);
    const id = pendingId(world, username);
    expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'pending' });
    world.emu.advanceClock(31);
    expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('expired');
    expect(view((await browser.get('/login/status?wait=10')).body)).to.deep.equal({
      status: 'expired',
      code: 'expired',
    });
    const done = await browser.get('/login/complete');
    expect(done.status).to.equal(401);
    expect(done.body.info.code).to.equal('expired');
    expect((await browser.get('/me')).body.user).to.equal(null);
  });

  it("in mode 'webhook', expires the login locally after its ttl without polling", async () => {
    let now = Date.now();
    const t = buildApp(world, { strategy: { mode: 'webhook', ttl: 30, now: () => now } });
    const browser = t.browser();
    const username = USERS[1] ?? '';
    await browser.post('/login').type('form').send({ username }).expect(202);
    await browser.get('/login/complete').expect(202);
    now += 30_000;
    const done = await browser.get('/login/complete');
    expect(done.status).to.equal(401);
    expect(done.body.info.code).to.equal('expired');
    expect(polls(t.apiCalls)).to.equal(0);
  });
});
