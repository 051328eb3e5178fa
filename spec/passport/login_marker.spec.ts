/**
 * The login marker (`sessionGuard` and `logout` read it) is written into the session passport's
 * login regenerated, and stored by the login's own save: never in a write of its own, and never
 * a write of the logged-in session without it.
 */
import { expect } from 'chai';
import session from 'express-session';

import { buildApp, FRAMEWORKS, pendingId, useWorld, userPool } from '../support/passport_app.js';

interface Write {
  sid: string;
  user: boolean;
  marker: string | undefined;
}

/** express-session's MemoryStore, recording every write. */
class RecordingStore extends session.MemoryStore {
  writes: Write[] = [];

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    const s = data as session.SessionData & {
      passport?: { user?: unknown };
      launchkey?: { login?: { username: string } };
    };
    this.writes.push({ sid, user: s.passport?.user !== undefined, marker: s.launchkey?.login?.username });
    super.set(sid, data, callback);
  }
}

for (const framework of FRAMEWORKS) {
  describe(`The login marker on ${framework}`, () => {
    const world = useWorld();
    const user = userPool();

    it('is in every write of the logged-in session, with one write fewer than a save of its own (passport’s and express-session’s)', async () => {
      const store = new RecordingStore();
      const t = buildApp(world, { framework, sessionStore: store });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      const before = ((await browser.get('/me')).body as { sessionID: string }).sessionID;
      store.writes = [];

      await browser.get('/login/complete').expect(200);

      const me = (await browser.get('/me')).body as { sessionID: string; launchkey: { login: { username: string } } };
      expect(me.sessionID).to.not.equal(before);
      expect(me.launchkey.login.username).to.equal(username);
      expect(store.writes).to.deep.equal([
        { sid: me.sessionID, user: true, marker: username },
        { sid: me.sessionID, user: true, marker: username },
      ]);
    });

    it('through passport’s own success path (successRedirect) as well', async () => {
      const store = new RecordingStore();
      const t = buildApp(world, { framework, sessionStore: store });
      const browser = t.browser();
      const username = user();
      await browser.post('/login/std').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      store.writes = [];
      await browser.get('/login/std/complete').expect(302);
      const me = (await browser.get('/me')).body as { sessionID: string; launchkey: { login: { username: string } } };
      expect(me.launchkey.login.username).to.equal(username);
      expect(store.writes.map((w) => [w.sid, w.user, w.marker])).to.deep.equal([
        [me.sessionID, true, username],
        [me.sessionID, true, username],
      ]);
    });

    it('a step-up (keepSessionInfo) stores the new login’s marker, not the one the session had', async () => {
      const store = new RecordingStore();
      let later = 0;
      const t = buildApp(world, {
        framework,
        sessionStore: store,
        strategy: {
          getUsername: (req) => (req.user as { username?: string } | undefined)?.username,
          now: () => Date.now() + later,
        },
      });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      await browser.get('/login/complete').expect(200);
      const first = (await browser.get('/me')).body as { sessionID: string; launchkey: { login: { at: number } } };

      await browser.post('/login').expect(202);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      store.writes = [];
      later = 60_000;
      await browser.get('/login/complete').expect(200);
      const second = (await browser.get('/me')).body as { sessionID: string; launchkey: { login: { at: number } } };
      expect(second.sessionID).to.not.equal(first.sessionID);
      expect(second.launchkey.login.at - first.launchkey.login.at).to.be.at.least(60_000);
      expect(store.writes.every((w) => w.marker === username && w.user)).to.equal(true);
      expect(store.writes).to.have.length(2);
    });
  });
}
