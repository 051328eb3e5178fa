/**
 * Review finding (T9): LaunchKey accepts a user's push id wherever it accepts the username
 * (docs/protocol.md: `username` is the "LaunchKey username, user push id or directory user
 * identifier"; the emulator's findUser matches either). The fraud cooldown and the per-username
 * limit are keyed by the string typed, so the same LaunchKey user reached through their push id has
 * a budget and a cooldown of its own: right after the owner reported a push as fraud, a start with
 * the push id pushes to the same phone again. (Precondition: the push id, a random UUID that the API
 * hands to the service in every answer, `result.userPushId`; an application that shows or logs it
 * gives it away.)
 */
import { expect } from 'chai';

import { buildApp, pendingId, useWorld, userPool } from '../support/passport_app.js';

describe('review: the fraud cooldown and the start limit follow the LaunchKey user, not the spelling', () => {
  const world = useWorld();
  const user = userPool();
  /** The pending pushes of one user, whichever name the service sent. */
  const pendingFor = (username: string, pushId: string): unknown[] => [
    ...world.emu.auths({ username, status: 'pending' }),
    ...world.emu.auths({ username: pushId, status: 'pending' }),
  ];

  it('after a fraud report, a start naming the same user by push id gets no push either', async () => {
    const t = buildApp(world);
    const username = user();
    const pushId = world.emu.state().users.find((u) => u.identifier === username)?.userPushId;
    expect(pushId).to.be.a('string');
    await t.browser().post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'fraud');
    await world.emu.webhooksSettled();
    await t.browser().post('/login').type('form').send({ username }).expect(429);

    // Refused either way: by the cooldown (429), or as a username that is not one (400).
    const res = await t.browser().post('/login').type('form').send({ username: pushId });
    expect(pendingFor(username, pushId ?? ''), 'a push went out to the user who just reported fraud').to.have.length(0);
    expect([400, 429]).to.include(res.status);
  });

  it('the per-username limit counts starts by push id and by username together', async () => {
    const t = buildApp(world, { strategy: { rateLimit: { perIp: false } } });
    const username = user();
    const pushId = world.emu.state().users.find((u) => u.identifier === username)?.userPushId ?? '';
    for (let i = 0; i < 3; i++) {
      const b = t.browser();
      await b.post('/login').type('form').send({ username }).expect(202);
      await b.post('/login/cancel').expect(200);
    }
    const res = await t.browser().post('/login').type('form').send({ username: pushId });
    expect(pendingFor(username, pushId), 'a fourth push in the window').to.have.length(0);
    expect([400, 429]).to.include(res.status);
  });
});
