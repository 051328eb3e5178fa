/**
 * A user's push id names the same LaunchKey user as the username (docs/protocol.md: `username` is the
 * "LaunchKey username, user push id or directory user identifier"; the emulator's findUser matches
 * either), so the fraud cooldown and the start limits must not give the push id budgets of its own
 * (docs/security.md, T9). A username typed into the form in the shape of a push id (a UUID) is refused
 * before anything is counted or sent; the fraud cooldown is also kept under the push id the answer
 * names, which covers a push id the application itself passes through `getUsername`. (Precondition of
 * the attack: the push id, a random UUID the API hands to the service in every answer,
 * `result.userPushId`; an application that shows or logs it gives it away.)
 */
import { expect } from 'chai';
import type { Request } from 'express';

import { looksLikePushId } from '../../lib/passport/username.js';
import { buildApp, pendingId, useWorld, userPool, withdrawn } from '../support/passport_app.js';

describe('push ids: the fraud cooldown and the start limits follow the LaunchKey user, not the spelling', () => {
  const world = useWorld();
  const user = userPool();
  const pushIdOf = (username: string): string =>
    world.emu.state().users.find((u) => u.identifier === username)?.userPushId ?? '';
  /** The pending pushes of one user, whichever name the service sent. */
  const pendingFor = (username: string, pushId: string): unknown[] => [
    ...world.emu.auths({ username, status: 'pending' }),
    ...world.emu.auths({ username: pushId, status: 'pending' }),
  ];

  it('after a fraud report, a start naming the same user by push id gets no push either', async () => {
    const t = buildApp(world);
    const username = user();
    const pushId = pushIdOf(username);
    expect(pushId).to.be.a('string').and.not.equal('');
    await t.browser().post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'fraud');
    await world.emu.webhooksSettled();
    await t.browser().post('/login').type('form').send({ username }).expect(429);

    const res = await t.browser().post('/login').type('form').send({ username: pushId });
    expect(pendingFor(username, pushId), 'a push went out to the user who just reported fraud').to.have.length(0);
    expect(res.status).to.equal(400);
  });

  it('the per-username limit cannot be stepped around by naming the user by push id', async () => {
    const t = buildApp(world, { strategy: { rateLimit: { perIp: false } } });
    const username = user();
    const pushId = pushIdOf(username);
    for (let i = 0; i < 3; i++) {
      const b = t.browser();
      await b.post('/login').type('form').send({ username }).expect(202);
      await b.post('/login/cancel').expect(200);
    }
    // The cancels take their pushes back at LaunchKey in the background.
    await withdrawn(t.strategy);
    const res = await t.browser().post('/login').type('form').send({ username: pushId });
    expect(pendingFor(username, pushId), 'a fourth push in the window').to.have.length(0);
    expect(res.status).to.equal(400);
  });

  it('a typed username in the shape of a push id (a UUID, any case, any white space around) is refused with 400 and no API call', async () => {
    const t = buildApp(world);
    const pushId = pushIdOf(user());
    for (const typed of [pushId, pushId.toUpperCase(), ` ${pushId}\t`, '00000000-0000-0000-0000-000000000000']) {
      const res = await t.browser().post('/login').type('form').send({ username: typed });
      expect(res.status, typed).to.equal(400);
      expect((res.body as { info: object }).info).to.include({ code: 'invalid-username' });
    }
    expect(t.apiCalls.filter((c) => c.startsWith('POST'))).to.deep.equal([]);
    expect(looksLikePushId('user-1234')).to.equal(false);
    expect(looksLikePushId('a3f0c2d4-5b6e-4f70-8a91-b2c3d4e5f607-x')).to.equal(false);
  });

  it('the fraud cooldown is kept under the push id the answer named: a step-up naming the user by push id is refused too', async () => {
    const t = buildApp(world, {
      strategy: { getUsername: (req: Request) => req.get('x-step-up-user') },
    });
    const username = user();
    const pushId = pushIdOf(username);
    await t.browser().post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'fraud');
    await world.emu.webhooksSettled();
    // The application names the user by push id itself (getUsername is not checked for the shape).
    const res = await t.browser().post('/login').set('X-Step-Up-User', pushId).type('form').send({});
    expect(res.status).to.equal(429);
    expect(pendingFor(username, pushId)).to.have.length(0);
  });
});
