/**
 * The default push context names the browser and system from the User-Agent by known names only
 * (docs/security.md, "Push fatigue"). The parser's fallback takes the browser name from any
 * `Name/version` token, so a requester who could choose it would make the phone show up to 32
 * characters of theirs: "Sign-in from Approve this one code 42 on macOS · code 57" (a code of the
 * attacker's next to the real one, or "Your Bank Verified Login").
 */
import { expect } from 'chai';

import { describeClient } from '../../lib/passport/push_context.js';
import { buildApp, useWorld, userPool } from '../support/passport_app.js';

const CRAFTED: [string, string, string][] = [
  [
    'Approve this one code 42/1 (Macintosh; Intel Mac OS X 10_15_7)',
    'Approve this one',
    'Sign-in from a browser on macOS',
  ],
  ['Your Bank Verified Login/1.0 (Windows NT 10.0; Win64; x64)', 'Your Bank', 'Sign-in from a browser on Windows'],
  ['code 10 11 12 13 14 15 16 17 18/1.0 (X11; Linux x86_64)', 'code 10', 'Sign-in from a browser on Linux'],
];

describe('push context: only known browser and system names from the User-Agent', () => {
  const world = useWorld();
  const user = userPool();

  for (const [agent, words, context] of CRAFTED) {
    it(`describeClient(${JSON.stringify(agent)}) names no browser the requester made up`, () => {
      expect(describeClient(agent)).to.not.include(words);
      expect(describeClient(agent)).to.equal(context);
    });
  }

  it('names a known browser on a system it cannot name as on "an unknown system"', () => {
    expect(describeClient('Firefox/128.0')).to.equal('Sign-in from Firefox on an unknown system');
    expect(describeClient('Mozilla/5.0 (Totally Legit OS) Gecko/20100101 Firefox/128.0')).to.equal(
      'Sign-in from Firefox on an unknown system',
    );
  });

  it('says only "Sign-in request" when it can name neither', () => {
    for (const agent of ['curl/8.5.0', 'Official Bank Verification - call 555 0100', '', 'x'.repeat(3000)]) {
      expect(describeClient(agent), agent).to.equal('Sign-in request');
    }
  });

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
    expect(context).to.match(/^Sign-in from a browser on macOS · code \d\d$/);
    await browser.post('/login/cancel').expect(200);
  });
});
