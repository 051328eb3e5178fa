/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON */
/**
 * Review finding (T9/T11): the start refuses requests the browser marks cross-site
 * (`sameOriginOnly`), but `logoutHandler()` and `cancel()` do not. Any page the user visits can post
 * a form to the logout route (a cookie without SameSite, or SameSite=None, is sent with it): the user
 * is logged out here and their LaunchKey session is ended on the phone; a cancel posted the same way
 * withdraws a sign-in the user is in the middle of.
 */
import { expect } from 'chai';

import { buildApp, loggedIn, sessionsOf, useWorld, userPool } from '../support/passport_app.js';

describe('review: logout and cancel refuse cross-site requests like the start does', () => {
  const world = useWorld();
  const user = userPool();

  it('logoutHandler(): a cross-site POST logs nobody out and leaves the LaunchKey session', async () => {
    const t = buildApp(world);
    const username = user();
    const browser = await loggedIn(world, t, username);
    const res = await browser
      .post('/logout')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://attacker.example');
    expect(res.status).to.not.equal(204);
    expect((await browser.get('/me')).body.user?.username).to.equal(username);
    expect(sessionsOf(world, username)).to.have.length(1);
  });

  it('cancel(): a cross-site POST does not withdraw the pending login', async () => {
    const t = buildApp(world);
    const username = user();
    const browser = t.browser();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await browser.post('/login/cancel').set('Sec-Fetch-Site', 'cross-site').set('Origin', 'https://attacker.example');
    expect((await browser.get('/login/status')).body.status).to.equal('pending');
    expect(world.emu.auths({ username, status: 'pending' })).to.have.length(1);
    await browser.post('/login/cancel').expect(200);
  });
});
