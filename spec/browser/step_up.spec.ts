/**
 * Step-up after a password, in a real browser: examples/step_up (passport-local, then a LaunchKey push
 * to the logged-in user through the strategy's `getUsername`), the emulator, and its phone page in a
 * second tab. Nothing sleeps: the tests wait on navigations, selectors and `emu.webhooksSettled()`.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchChromium, requireChromium } from '../support/browser.js';
import { startExampleApp, type ExampleApp } from '../support/example_app.js';

const WAIT = 10_000;

describe('browser: step-up after a password (examples/step_up)', function () {
  this.timeout(60_000);
  let app: ExampleApp;
  let browser: Browser;
  let context: BrowserContext;
  let password: string;

  before(async function () {
    requireChromium(this);
    app = await startExampleApp('examples/step_up/server.ts');
    password = (await app.waitForOutput(/Sign in with the password: (.+)/))[1] ?? '';
    browser = await launchChromium();
  });
  after(async () => {
    await (browser as Browser | undefined)?.close();
    await (app as ExampleApp | undefined)?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    context.setDefaultTimeout(WAIT);
  });
  afterEach(async () => {
    await context.close();
  });

  const username = (): string => app.world.username;
  const sessionCookie = async (): Promise<string | undefined> =>
    (await context.cookies()).find((c) => c.name === 'connect.sid')?.value;
  const openSessions = (): string[] =>
    app.emu
      .state()
      .users.find((u) => u.identifier === username())
      ?.sessions.map((s) => s.serviceId) ?? [];

  async function signInWithPassword(page: Page, typed = password): Promise<void> {
    await page.goto(app.base);
    await page.getByLabel('Username', { exact: true }).fill(username());
    await page.getByLabel('Password').fill(typed);
    await page.getByRole('button', { name: 'Sign in with password' }).click();
  }

  async function addToCart(page: Page, item: string): Promise<void> {
    await page.getByLabel('Item').fill(item);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.locator('#cart').getByText(item).waitFor();
  }

  /** From the home page to the waiting page of a step-up. */
  async function startStepUp(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Security settings' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.getByRole('button', { name: 'Send a push to my phone' }).click();
    await page.waitForURL('**/login/wait');
  }

  /** Opens the phone page in a second tab and presses `button` on the one pending request. */
  async function answerOnPhone(button: 'Approve' | 'Deny'): Promise<void> {
    const phone = await context.newPage();
    await phone.goto(`${app.emu.url}/emulator/`);
    await phone.getByRole('button', { name: button }).click();
    await phone.getByText('Done.').waitFor();
    await phone.close();
  }

  it('password, then the push to that user, then the settings: the cart survives under a new session id', async () => {
    const page = await context.newPage();
    await signInWithPassword(page);
    await page.getByRole('heading', { name: `Hello ${username()}` }).waitFor();
    expect(await page.locator('#factor').textContent()).to.equal('Signed in with a password.');
    await addToCart(page, 'apples');
    const before = await sessionCookie();

    await startStepUp(page);
    const [pending] = app.emu.auths({ status: 'pending' });
    expect(pending?.username).to.equal(username());
    expect(pending?.title).to.equal('Open security settings');
    expect(pending?.policy?.['minimum_requirements']).to.deep.include.members([
      { requirement: 'authenticated', any: 2, knowledge: 0, inherence: 0, possession: 0 },
    ]);
    expect(await page.locator('#code').textContent()).to.match(/^\d\d$/);

    await answerOnPhone('Approve');
    // The waiting page's event stream hears the webhook; passport's returnTo brings it back here.
    await page.waitForURL('**/settings');
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();
    expect(await page.getByText('Your cart still holds 1 item(s).').isVisible()).to.equal(true);
    expect(await sessionCookie())
      .to.be.a('string')
      .and.not.equal(before);
    expect(openSessions()).to.deep.equal([app.world.serviceId]);

    await page.goto(app.base);
    expect(await page.locator('#factor').textContent()).to.equal('Your phone confirmed it is you.');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(openSessions()).to.deep.equal([]);
  });

  it('a denied step-up: back on the settings page with the reason, still logged in with the password and the cart', async () => {
    const page = await context.newPage();
    await signInWithPassword(page, 'not the password');
    expect(await page.getByRole('alert').textContent()).to.equal('Wrong username or password.');
    await signInWithPassword(page);
    await addToCart(page, 'pears');
    await startStepUp(page);
    await answerOnPhone('Deny');
    await page.waitForURL('**/settings');
    expect(await page.getByRole('alert').textContent()).to.equal('The request was denied on your phone.');
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.goto(app.base);
    expect(await page.locator('#factor').textContent()).to.equal('Signed in with a password.');
    expect(await page.locator('#cart').textContent()).to.equal('pears');
    expect(openSessions()).to.deep.equal([]);
  });

  it('a logout from the phone after a step-up logs the browser out on its next request', async () => {
    const page = await context.newPage();
    await signInWithPassword(page);
    await startStepUp(page);
    await answerOnPhone('Approve');
    await page.waitForURL('**/settings');
    app.emu.endSession(app.world.serviceId, username());
    await app.emu.webhooksSettled();
    await page.goto(`${app.base}/settings`);
    // The session guard logged the whole session out, so the settings send the browser home.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal('/');
  });

  it('the same strategy instance signs in with the phone only; the settings then open without a second push', async () => {
    const page = await context.newPage();
    await page.goto(app.base);
    await page.getByLabel('Or with your phone only').fill(username());
    await page.getByRole('button', { name: 'Send a push' }).click();
    await page.waitForURL('**/login/wait');
    await answerOnPhone('Approve');
    await page.getByRole('heading', { name: `Hello ${username()}` }).waitFor();
    expect(await page.locator('#factor').textContent()).to.equal('Your phone confirmed it is you.');
    const pushes = app.emu.auths({ username: username() }).length;
    await page.getByRole('link', { name: 'Security settings' }).click();
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();
    expect(app.emu.auths({ username: username() })).to.have.length(pushes);
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
