/**
 * The whole login in a real browser: the express-app example, the emulator, and the emulator's
 * phone page in a second tab. Each test has a fresh browser context (its own cookies). Nothing
 * sleeps: the tests wait on navigations, selectors and `emu.webhooksSettled()`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { eventually } from '../support/assertions.js';
import { launchChromium, requireChromium, SCREENSHOTS } from '../support/browser.js';
import { startDemoSite, type DemoSite } from '../support/demo_site.js';

const VIEWPORT = { width: 1000, height: 700 };
/** Longest wait for one page event; the flows take well under a second each. */
const WAIT = 10_000;
const DOCS_IMAGE = fileURLToPath(new URL('../../docs/images/waiting-page.png', import.meta.url));

describe('browser: the express-app example with the emulator phone page', function () {
  this.timeout(60_000);
  let site: DemoSite;
  let browser: Browser;
  let context: BrowserContext;

  before(async function () {
    requireChromium(this);
    site = await startDemoSite();
    browser = await launchChromium();
  });
  after(async () => {
    await (browser as Browser | undefined)?.close();
    await (site as DemoSite | undefined)?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: VIEWPORT });
    context.setDefaultTimeout(WAIT);
  });
  afterEach(async () => {
    await context.close();
  });

  const shot = (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  /** Signs in as `username` up to the waiting page; checks the context the push carries. */
  async function startLogin(page: Page, username: string, screenshot = false): Promise<void> {
    await page.goto(`${site.appUrl}/login`);
    await page.getByLabel('LaunchKey username').fill(username);
    if (screenshot) await shot(page, 'login');
    await page.getByRole('button', { name: 'Send sign-in request' }).click();
    await page.waitForURL('**/login/wait');
    const context = await page.locator('#context').textContent();
    expect(context).to.match(/^Sign in to Demo app from Chrome on Linux at \d\d:\d\d UTC · code \d\d$/);
    const [pending] = site.emu.auths({ status: 'pending', username });
    expect(pending?.context).to.equal(context);
  }

  /** Opens the phone page in a second tab and presses `button` on the one pending request. */
  async function answerOnPhone(button: 'Approve' | 'Deny' | 'Report fraud', screenshot = false): Promise<Page> {
    const phone = await context.newPage();
    await phone.goto(site.phoneUrl);
    const press = phone.getByRole('button', { name: button });
    await press.waitFor();
    if (screenshot) await shot(phone, 'phone-page');
    await press.click();
    await phone.getByText('Done.').waitFor();
    return phone;
  }

  /** The login page's notice, once the page got back to it. */
  async function noticeAfterReturn(page: Page): Promise<string> {
    await page.waitForURL(/\/login(\?|$)/);
    return (await page.locator('.notice').textContent()) ?? '';
  }

  /** The rows of the page's Activity panel, newest first. */
  async function activityRows(
    page: Page,
  ): Promise<{ event: string; outcome: string; username: string; code: string }[]> {
    const cells = await Promise.all(
      (await page.locator('#activity tbody tr').all()).map((row) => row.locator('td').allTextContents()),
    );
    return cells
      .map((row) => row.map((cell) => cell.trim()))
      .map(([, event = '', outcome = '', username = '', code = '']) => ({ event, outcome, username, code }));
  }

  async function loggedIn(page: Page, username: string): Promise<void> {
    await startLogin(page, username);
    await answerOnPhone('Approve');
    await page.waitForURL('**/profile');
  }

  it('approve: the waiting page moves on by itself (SSE) and the profile shows the LaunchKey user', async () => {
    const page = await context.newPage();
    await startLogin(page, site.world.username, true);
    await page.getByText('Waiting for your answer').waitFor();
    await shot(page, 'waiting');
    if (process.env['UPDATE_DOCS_IMAGES'] === '1') {
      mkdirSync(join(DOCS_IMAGE, '..'), { recursive: true });
      copyFileSync(join(SCREENSHOTS, 'waiting.png'), DOCS_IMAGE);
    }
    await answerOnPhone('Approve', true);
    // Nothing touches the waiting page: its EventSource hears the webhook's answer.
    await page.waitForURL('**/profile');
    expect(await page.locator('#lk-username').textContent()).to.equal(site.world.username);
    const hash = await page.locator('#lk-hash').textContent();
    expect(hash).to.match(/^\S{8,}$/);
    expect(await page.getByText('Signed in at').isVisible()).to.equal(true);
    await shot(page, 'profile');
    const user = site.emu.state().users.find((u) => u.identifier === site.world.username);
    expect(user?.sessions.map((s) => s.serviceId)).to.deep.equal([site.world.serviceId]);
    // The Activity panel, newest first: this login's approval on top, its start further down.
    const rows = await activityRows(page);
    expect(rows[0]).to.deep.equal({
      event: 'login.approved',
      outcome: 'success',
      username: site.world.username,
      code: '',
    });
    const started = rows.findIndex((r) => r.event === 'login.started' && r.username === site.world.username);
    expect(started, JSON.stringify(rows)).to.be.greaterThan(0);
    expect(rows[started]?.outcome).to.equal('unknown');
  });

  it('the Activity panel shows what a username holds as text, never as markup', async () => {
    const page = await context.newPage();
    const username = '<i id="injected">who</i>';
    await page.goto(`${site.appUrl}/login`);
    await page.getByLabel('LaunchKey username').fill(username);
    await page.getByRole('button', { name: 'Send sign-in request' }).click();
    await page.waitForURL('**/login/wait'); // an unknown user: a decoy, which waits like a real login
    const rows = await activityRows(page);
    expect(rows[0]).to.deep.include({ event: 'login.started', username });
    expect(await page.locator('#injected').count()).to.equal(0);
  });

  it('without JavaScript: the waiting page refreshes itself to the profile; the two-factor box sends a policy', async () => {
    const noJs = await browser.newContext({ viewport: VIEWPORT, javaScriptEnabled: false });
    noJs.setDefaultTimeout(WAIT);
    try {
      const page = await noJs.newPage();
      await page.goto(`${site.appUrl}/login`);
      await page.getByLabel('Require two factors on the phone').check();
      await page.getByRole('button', { name: 'Send sign-in request' }).click();
      await page.waitForURL('**/login/wait');
      const [pending] = site.emu.auths({ status: 'pending', username: site.world.username });
      await site.emu.respond(pending!.id, 'approve');
      // The <noscript> refresh goes to the completion route within a few seconds.
      await page.waitForURL('**/profile', { timeout: WAIT });
      expect(await page.locator('#lk-username').textContent()).to.equal(site.world.username);
      expect(await page.locator('#lk-policy').textContent()).to.equal('any 2 factors');
    } finally {
      await noJs.close();
    }
  });

  it('deny: back on the login page with the denial message', async () => {
    const page = await context.newPage();
    await startLogin(page, site.world.username);
    await answerOnPhone('Deny');
    expect(await noticeAfterReturn(page)).to.contain('denied on your phone');
    expect(await page.getByLabel('LaunchKey username').inputValue()).to.equal(site.world.username);
  });

  it('fraud: back on the login page with the fraud message', async () => {
    const page = await context.newPage();
    await startLogin(page, site.fraudUsername);
    await answerOnPhone('Report fraud');
    expect(await noticeAfterReturn(page)).to.contain('reported as fraud');
  });

  it('expiry: once the request’s ttl passed at LaunchKey, the waiting page ends on the expired message', async () => {
    const page = await context.newPage();
    await startLogin(page, site.world.username);
    site.emu.advanceClock(site.ttl + 1);
    try {
      expect(await noticeAfterReturn(page)).to.contain('expired before it was answered');
    } finally {
      // The request stays expired in real time again, so the next test's user is free.
      site.emu.setClockOffset(0);
      await site.emu.webhooksSettled();
    }
  });

  it('cancel: the Cancel button withdraws the push', async () => {
    const page = await context.newPage();
    await startLogin(page, site.world.username);
    const [pending] = site.emu.auths({ status: 'pending', username: site.world.username });
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await noticeAfterReturn(page)).to.equal('Sign-in canceled.');
    // The user's own choice is news, not an error.
    expect(await page.locator('.notice').getAttribute('class')).to.equal('notice info');
    // The app takes the push back after it answered (docs/security.md, T8).
    await eventually(
      () => site.emu.auths({ username: site.world.username }).find((a) => a.id === pending?.id)?.status === 'canceled',
      'the push canceled at LaunchKey',
    );
  });

  it('two tabs waiting on one login: approving logs the user in, and both tabs end on the profile', async () => {
    const first = await context.newPage();
    await startLogin(first, site.world.username);
    // The second tab shows the same waiting page (a reload in a new tab, or a duplicated tab).
    const second = await context.newPage();
    await second.goto(`${site.appUrl}/login/wait`);
    await second.locator('#status-text').waitFor();
    await answerOnPhone('Approve');
    await Promise.all([first.waitForURL('**/profile'), second.waitForURL('**/profile')]);
    for (const page of [first, second]) {
      await page.reload();
      await page.waitForURL('**/profile');
      expect(await page.locator('#lk-username').textContent()).to.equal(site.world.username);
    }
    // Back to the waiting page after the login: it moves on to the profile, not to a failure.
    await first.goto(`${site.appUrl}/login/wait`);
    await first.waitForURL('**/profile');
  });

  it('the waiting page and the phone count the time left down; a long username stays inside the card', async () => {
    const page = await context.newPage();
    await startLogin(page, site.world.username);
    await page
      .locator('#expiry')
      .getByText(/^The request expires in \d+:\d\d\.$/)
      .waitFor();
    const phone = await context.newPage();
    await phone.goto(site.phoneUrl);
    await phone
      .locator('.expires')
      .getByText(/^\d+:\d\d$/)
      .waitFor();
    // It counts: the text changes by itself (the page's DOM, evaluated in the browser).
    const first = await phone.locator('.expires').textContent();
    await phone.waitForFunction(`document.querySelector('.expires')?.textContent !== ${JSON.stringify(first)}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(/\/login/);

    // A username of 200 characters without a break point (a decoy: nobody has it).
    const long = `${'x'.repeat(200)}@example.com`;
    await page.getByLabel('LaunchKey username').fill(long);
    await page.getByRole('button', { name: 'Send sign-in request' }).click();
    await page.waitForURL('**/login/wait');
    const overflow = await page.evaluate(
      "[...document.querySelectorAll('main, main *')].some((el) => el.scrollWidth > el.clientWidth + 1)",
    );
    expect(overflow).to.equal(false);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('logout: Sign out ends the session here and at LaunchKey', async () => {
    const page = await context.newPage();
    await loggedIn(page, site.world.username);
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await noticeAfterReturn(page)).to.contain('You are signed out');
    const user = site.emu.state().users.find((u) => u.identifier === site.world.username);
    expect(user?.sessions).to.deep.equal([]);
    await page.goto(`${site.appUrl}/profile`);
    await page.waitForURL('**/login');
  });

  it('logout from the phone: the next page of the app is logged out (sessionGuard)', async () => {
    const page = await context.newPage();
    await loggedIn(page, site.world.username);
    const phone = await context.newPage();
    await phone.goto(site.phoneUrl);
    await phone.getByRole('button', { name: 'Log out' }).click();
    await phone.getByText('No open sessions.').waitFor();
    await site.emu.webhooksSettled();
    await page.reload();
    expect(await noticeAfterReturn(page)).to.contain('ended on your phone');
    await page.goto(`${site.appUrl}/profile`);
    await page.waitForURL('**/login');
  });

  it('linking a phone: the code from the link page, entered on the phone page, lets the new user sign in', async () => {
    const page = await context.newPage();
    await page.goto(`${site.appUrl}/login`);
    await page.getByRole('link', { name: 'Link a new phone' }).click();
    await page.waitForURL('**/link');
    await page.getByLabel('New username').fill('newcomer');
    await shot(page, 'link');
    await page.getByRole('button', { name: 'Get a linking code' }).click();
    const code = (await page.locator('#link-code').textContent()) ?? '';
    expect(code).to.match(/^\S{7,}$/);
    const image = page.getByRole('img', { name: `Linking code ${code} as an image` });
    expect(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).to.be.greaterThan(
      0,
    );
    await shot(page, 'link-code');

    const phone = await context.newPage();
    await phone.goto(site.phoneUrl);
    await phone.getByPlaceholder('Linking code').fill(code);
    await phone.getByRole('button', { name: 'Link', exact: true }).click();
    await phone.getByText('Done.').waitFor();
    await phone.close();

    await page.getByRole('link', { name: 'Sign in as newcomer' }).click();
    await page.waitForURL('**/login?username=newcomer');
    expect(await page.getByLabel('LaunchKey username').inputValue()).to.equal('newcomer');
    await page.getByRole('button', { name: 'Send sign-in request' }).click();
    await page.waitForURL('**/login/wait');
    await answerOnPhone('Approve');
    await page.waitForURL('**/profile');
    expect(await page.locator('#lk-username').textContent()).to.equal('newcomer');
  });

  it('policy failure: a phone with one factor approves a "two factors" sign-in and the login page says the policy was not met', async () => {
    const username = 'one-factor';
    const page = await context.newPage();
    await page.goto(`${site.appUrl}/link`);
    await page.getByLabel('New username').fill(username);
    await page.getByRole('button', { name: 'Get a linking code' }).click();
    const code = (await page.locator('#link-code').textContent()) ?? '';
    // The phone that enters the code has the possession factor only.
    await site.emu.linkDevice({ code, factors: ['possession'] });
    const device = site.emu.state().users.find((u) => u.identifier === username)?.devices[0];
    expect(device?.factors).to.deep.equal(['possession']);

    await page.goto(`${site.appUrl}/login`);
    await page.getByLabel('LaunchKey username').fill(username);
    await page.getByLabel('Require two factors on the phone').check();
    await page.getByRole('button', { name: 'Send sign-in request' }).click();
    await page.waitForURL('**/login/wait');
    const [pending] = site.emu.auths({ status: 'pending', username });
    expect(pending?.policy).to.not.equal(null);
    await answerOnPhone('Approve');
    expect(await noticeAfterReturn(page)).to.equal(
      'Your phone could not meet the security policy of this sign-in (for example, two factors).',
    );
    await shot(page, 'policy-failure');
    const [answered] = site.emu.auths({ username });
    expect(answered?.status).to.equal('failed');
    // Nobody signed in: the profile sends the browser back to the login page.
    await page.goto(`${site.appUrl}/profile`);
    await page.waitForURL('**/login');
    expect(site.emu.state().users.find((u) => u.identifier === username)?.sessions).to.deep.equal([]);
  });
});
