/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON */
/**
 * A cancel that crosses the phone's approval (docs/security.md, R11). Once `cancel` answered
 * `canceled: true`, that login logs nobody in, however the approval and the cancel interleave: the
 * approval reaching LaunchKey while the cancel's DELETE is on its way (LaunchKey then answers
 * "already responded"), or the approval's webhook being recorded between the cancel's read of the
 * login and its write.
 */
import axios from 'axios';
import { expect } from 'chai';

import { MemoryStore, type CompletionResult, type FinalOutcome } from '../../lib/passport/index.js';
import { buildApp, pendingId, useWorld, userPool, withdrawn, type World } from '../support/passport_app.js';

/** A MemoryStore that lets the phone approve `username`'s login just before a cancel is recorded. */
class ApprovingBeforeCancel extends MemoryStore {
  username: string | undefined;

  constructor(private readonly world: World) {
    super();
  }

  override async completeIfPending(id: string, outcome: FinalOutcome): Promise<CompletionResult> {
    const username = this.username;
    if (outcome.status === 'canceled' && username !== undefined) {
      this.username = undefined;
      await this.world.emu.respond(pendingId(this.world, username), 'approve');
      await this.world.emu.webhooksSettled();
    }
    return super.completeIfPending(id, outcome);
  }
}

describe('Cancel and an approval crossing it (R11)', () => {
  const world = useWorld();
  const user = userPool();

  it('an approval that reaches LaunchKey while the cancel’s DELETE is on its way logs nobody in', async () => {
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
    await withdrawn(t.strategy);
    expect(approveBeforeDelete, 'the DELETE was sent').to.equal(false);

    const status = await browser.get('/login/status');
    expect(status.body.status, JSON.stringify(status.body)).to.not.equal('approved');
    const done = await browser.get('/login/complete');
    expect(done.status, JSON.stringify(done.body)).to.not.equal(200);
    expect((await browser.get('/me')).body.user).to.equal(null);
    expect(t.verified).to.deep.equal([]);
  });

  it('an approval recorded between the cancel’s read and its write logs nobody in', async () => {
    const store = new ApprovingBeforeCancel(world);
    const t = buildApp(world, { store });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    store.username = username;
    expect((await browser.post('/login/cancel').expect(200)).body).to.deep.equal({ canceled: true });
    expect(store.username, 'the approval was recorded first').to.equal(undefined);

    expect((await browser.get('/login/status')).body.status).to.not.equal('approved');
    const done = await browser.get('/login/complete');
    expect(done.status, JSON.stringify(done.body)).to.not.equal(200);
    expect((await browser.get('/me')).body.user).to.equal(null);
    expect(t.verified).to.deep.equal([]);
  });
});
