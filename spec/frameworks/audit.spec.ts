/**
 * Audit events on Fastify and Koa: the same events as on Express (spec/passport/audit.spec.ts),
 * with the client's address and user agent read through each framework's adapter.
 */
import { expect } from 'chai';

import type { AuditEvent } from '../../lib/passport/index.js';
import { AuditRecorder } from '../support/audit.js';
import { buildFastifyApp } from '../support/fastify_app.js';
import { buildKoaApp } from '../support/koa_app.js';
import { pendingId, useWorld, userPool, type World } from '../support/passport_app.js';

type Browser = ReturnType<Awaited<ReturnType<typeof buildKoaApp>>['browser']>;

const BUILDERS: [string, (world: World, audit: AuditRecorder) => Promise<{ browser(): Browser }>][] = [
  ['Fastify', (world, audit) => buildFastifyApp(world, { strategy: { mode: 'webhook', audit: audit.listener } })],
  [
    'Koa',
    (world, audit) => Promise.resolve(buildKoaApp(world, { strategy: { mode: 'webhook', audit: audit.listener } })),
  ],
];

for (const [name, build] of BUILDERS) {
  describe(`audit events on ${name}`, () => {
    const world = useWorld();
    const user = userPool();

    it('a login and its logout: each event with its login, who, and the address and agent the framework gives', async () => {
      const audit = new AuditRecorder();
      const t = await build(world, audit);
      const browser = t.browser();
      const username = user();
      await browser.post('/login').set('User-Agent', 'spec/1.0').type('form').send({ username }).expect(202);
      const id = pendingId(world, username);
      await world.emu.respond(id, 'approve');
      await world.emu.webhooksSettled();
      await browser.get('/login/complete').set('User-Agent', 'spec/1.0').expect(200);
      await browser.post('/logout').set('User-Agent', 'spec/1.0').expect(204);
      await audit.next('logout.local');
      await audit.next('login.settled');
      const of = (event: string): AuditEvent | undefined => audit.events.find((e) => e.event === event);
      for (const event of ['login.started', 'login.approved', 'logout.launchkey', 'logout.local']) {
        expect(of(event), event).to.include({ username, userAgent: 'spec/1.0' });
        expect(of(event)?.clientAddress, event).to.match(/127\.0\.0\.1$/);
      }
      for (const event of ['login.started', 'webhook.accepted', 'login.settled', 'login.approved']) {
        expect(of(event)?.loginId, event).to.equal(id);
      }
    });
  });
}
