/**
 * Audit events on several instances (docs/architecture.md, "Where state lives"): each instance emits
 * what it decided, and the login's correlation id ties the events of one login together wherever
 * they were emitted. Three strategies that share only the store and the session store, as three
 * processes behind a load balancer would, each answering one request of the login.
 */
import { expect } from 'chai';
import session from 'express-session';

import { MemoryStore } from '../../lib/passport/index.js';
import { AuditRecorder } from '../support/audit.js';
import { buildApp, pendingId, useWorld, type TestApp } from '../support/passport_app.js';

describe('audit events across instances sharing one store', () => {
  const world = useWorld();

  it('the start on one instance, the webhook on another, the completion on a third: their events carry one loginId', async () => {
    const store = new MemoryStore();
    const sessionStore = new session.MemoryStore();
    const instance = (): TestApp & { audit: AuditRecorder } => {
      const audit = new AuditRecorder();
      const t = buildApp(world, { store, sessionStore, strategy: { mode: 'webhook', audit: audit.listener } });
      return Object.assign(t, { audit });
    };
    const [a, b, c] = [instance(), instance(), instance()];
    // As at an app's start-up: each instance has met the API (its key and clock) before a webhook
    // comes, which it must verify from what it holds (SECURITY T5).
    for (const t of [a, b, c]) await t.strategy.check();
    const browser = a.browser();

    world.use(a.app);
    await browser.post('/login').type('form').send({ username: 'user0' }).expect(202);
    const id = pendingId(world, 'user0');

    world.use(b.app);
    await world.emu.respond(id, 'approve');
    await world.emu.webhooksSettled();

    world.use(c.app);
    await browser.get('/login/complete').expect(200);

    const started = await a.audit.next('login.started');
    const accepted = await b.audit.next('webhook.accepted');
    const settled = await b.audit.next('login.settled');
    const approved = await c.audit.next('login.approved');
    expect([started, accepted, settled, approved].map((e) => e.loginId)).to.deep.equal([id, id, id, id]);
    // The webhook carries no username: the instance that got it read it from the shared record.
    expect([started, settled, approved].map((e) => e.username)).to.deep.equal(['user0', 'user0', 'user0']);
    // Each instance told only what it decided.
    expect(a.audit.names()).to.deep.equal(['login.started']);
    expect(b.audit.names()).to.deep.equal(['webhook.accepted', 'login.settled']);
    expect(c.audit.names()).to.deep.equal(['login.approved']);
  });
});
