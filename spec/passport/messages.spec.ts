/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * The words a failed login is shown with: the application's own message per failure code
 * (`messages`), through passport's `failureMessage`, and the failure's details kept on the request
 * (`req.launchkey`) when passport's `failWithError` turns the failure into a bare error.
 */
import { expect } from 'chai';
import passport from 'passport';
import type { ErrorRequestHandler, RequestHandler } from 'express';

import { FAILURE_MESSAGES } from '../../lib/passport/index.js';
import { buildApp, FRAMEWORKS, pendingId, useWorld, userPool } from '../support/passport_app.js';

for (const framework of FRAMEWORKS) {
  describe(`Strategy failure messages (${framework})`, () => {
    const world = useWorld();
    const user = userPool();
    const messages = {
      denied: 'You said no on your phone.',
      fraud: 'You reported this sign-in. Nobody was signed in.',
    };

    it('gives passport the application’s message for a code, and the generic one for the others; the code stays', async () => {
      const t = buildApp(world, { framework, strategy: { messages } });
      for (const [answer, code, message] of [
        ['deny', 'denied', messages.denied],
        ['fraud', 'fraud', messages.fraud],
      ] as const) {
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), answer);
        await world.emu.webhooksSettled();
        const done = await browser.get('/login/complete');
        expect(done.body.info).to.include({ code, message });
      }
      const missing = await t.browser().post('/login').type('form').send({});
      expect(missing.body.info).to.deep.equal({ code: 'missing-username', message: FAILURE_MESSAGES[400] });
    });

    it('keeps the failure on the request for failWithError, whose error carries no details', async () => {
      const t = buildApp(world, { framework, strategy: { messages } });
      const authenticator = new passport.Passport();
      authenticator.use(t.strategy);
      const seen: unknown[] = [];
      const route = authenticator.authenticate(t.strategy.name, { failWithError: true }) as RequestHandler;
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- Express knows error handlers by their arity
      const onError: ErrorRequestHandler = (err: { status?: number }, req, res, _next) => {
        seen.push((req as { launchkey?: unknown }).launchkey);
        res.status(err.status ?? 500).json({ launchkey: (req as { launchkey?: unknown }).launchkey });
      };
      t.app.post('/login/strict', route, (_req, res) => res.status(202).end());
      t.app.use(onError);
      const res = await t.browser().post('/login/strict').type('form').send({ username: 'a\u202Eb' });
      expect(res.status).to.equal(400);
      expect(res.body.launchkey).to.deep.equal({
        status: 'failed',
        code: 'invalid-username',
        message: FAILURE_MESSAGES[400],
      });
      expect(seen).to.have.length(1);
    });

    it('refuses a message for a code that does not exist, or an empty one, naming it', () => {
      for (const [bad, option] of [
        [{ nope: 'x' }, 'messages.nope'],
        [{ denied: '' }, 'messages.denied'],
        ['text', 'messages'],
      ] as const) {
        expect(() => buildApp(world, { framework, strategy: { messages: bad as never } }))
          .to.throw()
          .with.property('option', option);
      }
    });
  });
}
