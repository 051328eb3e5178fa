/**
 * Review finding (T9 defences turned against the user): the per-username start limit (3 per 5
 * minutes by default) is one budget for the whole internet. A stranger who knows a username spends it
 * with three starts (each taken back at once with cancel, so the owner's phone barely shows them) and
 * repeats that once per window: the owner, from their own address and browser, gets 429 on every try
 * and can never sign in. Nothing of the owner's (address, session) counts for anything.
 */
import { expect } from 'chai';
import type { Request } from 'express';

import { buildApp, useWorld, userPool } from '../support/passport_app.js';

describe('review: one stranger can keep a user from signing in (per-username limit)', () => {
  const world = useWorld();
  const user = userPool();

  it('starts by a stranger from another address do not use up the owner’s own starts', async () => {
    const t = buildApp(world, {
      // Each request says which address it comes from (as behind a trusted proxy).
      strategy: { clientAddress: (req: Request) => req.get('x-test-ip') },
    });
    const victim = user();
    for (let i = 0; i < 3; i++) {
      const stranger = t.browser();
      await stranger.post('/login').set('X-Test-Ip', '203.0.113.7').type('form').send({ username: victim }).expect(202);
      await stranger.post('/login/cancel').set('X-Test-Ip', '203.0.113.7').expect(200);
    }
    const owner = t.browser();
    const res = await owner.post('/login').set('X-Test-Ip', '198.51.100.20').type('form').send({ username: victim });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    await owner.post('/login/cancel').set('X-Test-Ip', '198.51.100.20').expect(200);
  });
});
