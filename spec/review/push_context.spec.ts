/**
 * Review finding (push fatigue, docs/security.md "Push fatigue"): the default push context is meant
 * to name the browser and system from the User-Agent "only, so a requester cannot make the phone show
 * a sentence of theirs". Bowser's fallback parser takes the browser name from any `Name/version`
 * token, so a requester chooses up to 32 characters of letters, digits, spaces, dots and dashes, and
 * the phone shows them: "Sign-in from Approve this one code 42 on macOS · code 57" (a code of the
 * attacker's next to the real one, or "Your Bank Verified Login").
 */
import { expect } from 'chai';

import { describeClient } from '../../lib/passport/push_context.js';
import { buildApp, useWorld, userPool } from '../support/passport_app.js';

const CRAFTED: [string, string][] = [
  ['Approve this one code 42/1 (Macintosh; Intel Mac OS X 10_15_7)', 'Approve this one'],
  ['Your Bank Verified Login/1.0 (Windows NT 10.0; Win64; x64)', 'Your Bank'],
  ['code 10 11 12 13 14 15 16 17 18/1.0 (X11; Linux x86_64)', 'code 10'],
];

describe('review: the push context never shows words the requester wrote', () => {
  const world = useWorld();
  const user = userPool();

  for (const [agent, words] of CRAFTED) {
    it(`describeClient(${JSON.stringify(agent)}) names no browser the requester made up`, () => {
      expect(describeClient(agent)).to.not.include(words);
    });
  }

  it('the phone shows no sentence of the requester’s through the User-Agent of a start', async () => {
    const t = buildApp(world);
    const username = user();
    const browser = t.browser();
    await browser
      .post('/login')
      .set('User-Agent', CRAFTED[0]?.[0] ?? '')
      .type('form')
      .send({ username })
      .expect(202);
    const context = world.emu.auths({ status: 'pending', username })[0]?.context ?? '';
    expect(context).to.not.include('Approve this one');
    expect(context.match(/code \d\d/g), context).to.have.length(1);
    await browser.post('/login/cancel').expect(200);
  });
});
