/**
 * What the background withdrawal of a push (cancel.ts, withdrawals.ts) must not break: a start right
 * after it still sends a push although the DELETE has not landed at LaunchKey yet (docs/security.md,
 * R11), and a real login that was canceled, or whose record aged out, stays indistinguishable from a
 * decoy (docs/security.md, T8).
 */
import axios from 'axios';
import { expect } from 'chai';

import { MemoryStore } from '../../lib/passport/index.js';
import { buildApp, pendingId, useWorld, userPool, view, withdrawn } from '../support/passport_app.js';

/** An axios whose DELETEs take 200 ms to leave: the next POST reaches LaunchKey before them. */
function slowDeletes(): ReturnType<typeof axios.create> {
  const instance = axios.create();
  instance.interceptors.request.use(async (cfg) => {
    if (cfg.method?.toUpperCase() === 'DELETE') await new Promise((resolve) => setTimeout(resolve, 200));
    return cfg;
  });
  return instance;
}

describe('a start while the push it replaces is still being taken back', function () {
  this.timeout(20_000);
  const world = useWorld();
  const user = userPool();

  it('right after a cancel ("try again"): the new push goes out, the old one is withdrawn', async () => {
    const t = buildApp(world, { transport: { axios: slowDeletes() }, strategy: { rateLimit: false } });
    const username = user();
    const browser = t.browser();
    await browser.post('/login').type('form').send({ username }).expect(202);
    const first = pendingId(world, username);
    await browser.post('/login/cancel').expect(200);
    await browser.post('/login').type('form').send({ username }).expect(202);
    await withdrawn(t.strategy);
    const pending = world.emu.auths({ status: 'pending', username });
    expect(pending, 'the user has a push to answer').to.have.length(1);
    expect(pending[0]?.id).to.not.equal(first);
    expect(world.emu.auths({ username }).find((a) => a.id === first)?.status).to.equal('canceled');
    // And it is this browser's login: approving it logs the browser in.
    await world.emu.respond(pending[0]?.id ?? '', 'approve');
    await world.emu.webhooksSettled();
    expect((await browser.get('/login/complete')).status).to.equal(200);
  });

  it('when the store lost the record the session refers to, the same username submitted again gets a push', async () => {
    const t = buildApp(world, { transport: { axios: slowDeletes() }, strategy: { rateLimit: false } });
    const username = user();
    const browser = t.browser();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await t.store.takeOnce(pendingId(world, username));
    await browser.post('/login').type('form').send({ username }).expect(202);
    await withdrawn(t.strategy);
    expect(world.emu.auths({ status: 'pending', username })).to.have.length(1);
  });

  it('another browser’s busy signal for the same user is not taken back: it gets a decoy', async () => {
    const t = buildApp(world, { transport: { axios: slowDeletes() }, strategy: { rateLimit: false } });
    const username = user();
    const owner = t.browser();
    await owner.post('/login').type('form').send({ username }).expect(202);
    const owners = pendingId(world, username);
    const other = t.browser();
    await other.post('/login').type('form').send({ username: user() }).expect(202);
    await other.post('/login/cancel').expect(200);
    await other.post('/login').type('form').send({ username }).expect(202);
    await withdrawn(t.strategy);
    expect(world.emu.auths({ status: 'pending', username }).map((a) => a.id)).to.deep.equal([owners]);
  });
});

describe('a canceled or aged-out real login reads as a decoy does (T8)', function () {
  this.timeout(20_000);
  const world = useWorld();
  const user = userPool();

  it('status and completion after two cancels are the same for a decoy and a real login', async () => {
    const t = buildApp(world, { strategy: { rateLimit: false } });
    const decoy = t.browser();
    const real = t.browser();
    await decoy.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
    await real.post('/login').type('form').send({ username: user() }).expect(202);
    for (const browser of [decoy, real]) {
      await browser.post('/login/cancel').expect(200);
      await browser.post('/login/cancel').expect(200);
    }
    const [d, r] = [await decoy.get('/login/status'), await real.get('/login/status')];
    expect(view(r.body)).to.deep.equal(view(d.body));
    expect(view(r.body)).to.deep.equal({ status: 'canceled', code: 'canceled' });
    const [dc, rc] = [await decoy.get('/login/complete'), await real.get('/login/complete')];
    expect(rc.status).to.equal(dc.status);
    expect(rc.body).to.deep.equal(dc.body);
  });

  it('once a real record has left the store (ttl plus five minutes), the decoy reads as gone too', async () => {
    let now = Date.now();
    const clock = (): number => now;
    const t = buildApp(world, {
      store: new MemoryStore({ now: clock }),
      strategy: { ttl: 30, rateLimit: false, now: clock },
    });
    const decoy = t.browser();
    const real = t.browser();
    await decoy.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
    await real.post('/login').type('form').send({ username: user() }).expect(202);
    now += 30_000 + 5 * 60_000 - 1_000;
    expect(view((await decoy.get('/login/status')).body)).to.deep.equal(view((await real.get('/login/status')).body));
    expect(view((await decoy.get('/login/status')).body).status).to.equal('expired');
    now += 2_000;
    const [d, r] = [await decoy.get('/login/status'), await real.get('/login/status')];
    expect(view(r.body)).to.deep.equal(view(d.body));
    expect(view(d.body).status).to.equal('none');
    const [dc, rc] = [await decoy.post('/login/cancel'), await real.post('/login/cancel')];
    expect(rc.body).to.deep.equal(dc.body);
  });
});
