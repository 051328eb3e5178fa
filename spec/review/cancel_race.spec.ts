/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON */
/**
 * Review finding (R11, cancel): `cancel` says the login ends whatever LaunchKey answers ("Already
 * answered, canceled or gone: the user still asked to stop, so the login ends here"), and a record
 * approved before the cancel read it is taken. But when the approval reaches the store while the
 * cancel's DELETE is on its way, LaunchKey answers "already responded" (SVC-006), the cancel records
 * `canceled` with completeIfPending, which keeps the approval ('unchanged'), and resolves `true`. The
 * browser is told "canceled"; the session still holds the login; the waiting page's other tab (or the
 * next completion) logs the user in.
 */
import axios from 'axios';
import { expect } from 'chai';

import { buildApp, pendingId, useWorld, userPool } from '../support/passport_app.js';

describe('review: a cancel that crosses the approval on the wire (R11)', () => {
  const world = useWorld();
  const user = userPool();

  it('ends the login: after cancel answered canceled, nobody is logged in by that login', async () => {
    const username = user();
    let approveBeforeDelete = false;
    const instance = axios.create();
    instance.interceptors.request.use(async (cfg) => {
      // The phone's approval (and its webhook) lands while the DELETE is on its way.
      if (
        approveBeforeDelete &&
        (cfg.method ?? '').toUpperCase() === 'DELETE' &&
        /\/service\/v3\/auths\//.test(cfg.url ?? '')
      ) {
        approveBeforeDelete = false;
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
      }
      return cfg;
    });
    const t = buildApp(world, { transport: { axios: instance } });
    const browser = t.browser();
    await browser.post('/login').type('form').send({ username }).expect(202);
    approveBeforeDelete = true;
    const cancel = await browser.post('/login/cancel').expect(200);
    expect(cancel.body).to.deep.equal({ canceled: true });

    const status = await browser.get('/login/status');
    expect(status.body.status, JSON.stringify(status.body)).to.not.equal('approved');
    const done = await browser.get('/login/complete');
    expect(done.status, JSON.stringify(done.body)).to.not.equal(200);
    expect((await browser.get('/me')).body.user).to.equal(null);
  });
});
