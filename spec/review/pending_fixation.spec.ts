/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON */
/**
 * Review finding: the pending login is bound to the pre-login session id, which the start never
 * changes. An attacker who planted that id in the victim's browser (docs/security.md T10: "a shared
 * machine, a sibling subdomain's cookie") holds the same session: once the victim approves their own
 * push, the attacker's GET of the completion route claims the approval and is logged in as the victim.
 * passport's regeneration at login then hands the fresh session id to the attacker, not the victim.
 */
import { expect } from 'chai';
import type { Response } from 'supertest';

import { buildApp, pendingId, useWorld, userPool } from '../support/passport_app.js';

/** The `sid=...` pair of a response's Set-Cookie. */
function sidOf(res: Response): string {
  const raw = res.headers['set-cookie'] as unknown;
  const headers = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  const pair = headers.map((h) => h.split(';')[0] ?? '').find((p) => p.startsWith('sid='));
  if (pair === undefined) throw new Error('no session cookie');
  return pair;
}

describe('review: a planted (fixed) session id and the pending login (T10)', () => {
  const world = useWorld();
  const user = userPool();

  it('an attacker holding the session id the victim started in cannot complete the victim’s approved login', async () => {
    const t = buildApp(world);
    // The attacker gets a session from the site (any start does) and plants its cookie in the victim's browser.
    const planted = sidOf(await t.browser().post('/login').type('form').send({ username: 'nobody-here' }).expect(202));
    const victim = t.browser();
    const attacker = t.browser();
    const victimName = user();

    // The victim signs in, in the planted session, and approves their own push (the codes match).
    const start = await victim.post('/login').set('Cookie', planted).type('form').send({ username: victimName });
    expect(start.status).to.equal(202);
    const victimSid = (() => {
      try {
        return sidOf(start);
      } catch {
        return planted; // no new cookie: the session id did not change at the start
      }
    })();
    await world.emu.respond(pendingId(world, victimName), 'approve');
    await world.emu.webhooksSettled();

    // The attacker completes first, with the planted cookie.
    const stolen = await attacker.get('/login/complete').set('Cookie', planted);
    expect(
      stolen.status,
      `the attacker must not be logged in, got ${stolen.status} ${JSON.stringify(stolen.body)}`,
    ).to.not.equal(200);
    const me = await attacker.get('/me').set('Cookie', planted);
    expect(me.body.user).to.equal(null);

    // The victim still completes their own login.
    const done = await victim.get('/login/complete').set('Cookie', victimSid);
    expect(done.status).to.equal(200);
    expect(done.body.user.username).to.equal(victimName);
  });
});
