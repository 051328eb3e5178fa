/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON */
/**
 * Session fixation at the start (docs/security.md, T10): a session id planted in the victim's
 * browser beforehand ("a shared machine, a sibling subdomain's cookie") must hold nothing of the
 * login the victim starts in it. The start renews the session id before it binds the login, on
 * every path (a new push, the same login submitted again), and keeps the session's data.
 */
import { expect } from 'chai';
import type { RequestHandler } from 'express';
import type { Response } from 'supertest';

import { buildApp, pendingId, useWorld, userPool } from '../support/passport_app.js';

/** The `sid=...` pair of a response's Set-Cookie, or `undefined` when it sets none. */
function sidOf(res: Response): string | undefined {
  const raw = res.headers['set-cookie'] as unknown;
  const headers = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return headers.map((h) => h.split(';')[0] ?? '').find((p) => p.startsWith('sid='));
}

function requireSid(res: Response): string {
  const sid = sidOf(res);
  if (sid === undefined) throw new Error('no session cookie');
  return sid;
}

/** A cart in the session: POST /cart puts apples in, GET /cart reads it. */
const cart: RequestHandler = (req, res, next) => {
  const session = req.session as typeof req.session & { cart?: string };
  if (req.path !== '/cart') {
    next();
    return;
  }
  if (req.method === 'POST') session.cart = 'apples';
  res.json({ cart: session.cart ?? null });
};

describe('Session fixation: a start binds its login to a new session id (T10)', () => {
  const world = useWorld();
  const user = userPool();

  it('an attacker holding the session id the victim started in cannot complete the victim’s approved login; the victim completes it', async () => {
    const t = buildApp(world);
    // The attacker gets a session from the site (any start does) and plants its cookie in the victim's browser.
    const planted = requireSid(
      await t.browser().post('/login').type('form').send({ username: 'nobody-here' }).expect(202),
    );
    const victimName = user();

    // The victim signs in, in the planted session, and approves their own push (the codes match).
    const start = await t.browser().post('/login').set('Cookie', planted).type('form').send({ username: victimName });
    expect(start.status).to.equal(202);
    const victimSid = sidOf(start);
    expect(victimSid, 'the start must set a new session id').to.be.a('string').and.not.equal(planted);
    await world.emu.respond(pendingId(world, victimName), 'approve');
    await world.emu.webhooksSettled();

    // The attacker completes first, with the planted cookie.
    const attacker = t.browser();
    const stolen = await attacker.get('/login/complete').set('Cookie', planted);
    expect(stolen.status, `the attacker must not be logged in: ${JSON.stringify(stolen.body)}`).to.not.equal(200);
    expect((await attacker.get('/me').set('Cookie', planted)).body.user).to.equal(null);

    const done = await t
      .browser()
      .get('/login/complete')
      .set('Cookie', victimSid ?? '');
    expect(done.status).to.equal(200);
    expect(done.body.user.username).to.equal(victimName);
  });

  it('the same login submitted again in a planted session (no second push) gets a new session id too', async () => {
    const t = buildApp(world);
    const victimName = user();
    // The attacker starts the victim's login in their own session, then plants that session.
    const planted = requireSid(
      await t.browser().post('/login').type('form').send({ username: victimName }).expect(202),
    );
    const again = await t.browser().post('/login').set('Cookie', planted).type('form').send({ username: victimName });
    expect(again.status).to.equal(202);
    expect(world.emu.auths({ username: victimName })).to.have.length(1);
    const victimSid = sidOf(again);
    expect(victimSid).to.be.a('string').and.not.equal(planted);
    await world.emu.respond(pendingId(world, victimName), 'approve');
    await world.emu.webhooksSettled();

    expect((await t.browser().get('/login/complete').set('Cookie', planted)).status).to.not.equal(200);
    const done = await t
      .browser()
      .get('/login/complete')
      .set('Cookie', victimSid ?? '');
    expect([done.status, done.body.user?.username]).to.deep.equal([200, victimName]);
  });

  it('keeps what the session held (a cart) under the new id; the old id opens nothing', async () => {
    const t = buildApp(world, { afterSession: cart });
    const browser = t.browser();
    const old = requireSid(await browser.post('/cart').expect(200));
    const start = await browser.post('/login').type('form').send({ username: user() }).expect(202);
    expect(sidOf(start)).to.be.a('string').and.not.equal(old);
    expect((await browser.get('/cart')).body).to.deep.equal({ cart: 'apples' });
    expect((await t.browser().get('/cart').set('Cookie', old)).body).to.deep.equal({ cart: null });
    await browser.post('/login/cancel').expect(200);
  });
});
