/**
 * The emulator's phone page in a real browser: another site cannot show it in a frame (docs/security.md,
 * "T19 The emulator in the wrong place"), and opened on its own it still works. Nothing sleeps: the tests
 * wait on selectors and the browser's own console reports.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, ConsoleMessage } from 'playwright-core';

import { ServiceFactory } from '../../lib/clients/factories.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, IDS, KEYS } from '../support/emulator_client.js';
import { launchChromium, requireChromium } from '../support/browser.js';

const WAIT = 10_000;

describe('browser: the emulator phone page', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let browser: Browser;
  let context: BrowserContext;
  /** Another origin (another loopback port) whose page frames the phone page. */
  let framer: Server;
  let framerUrl: string;

  before(async function () {
    requireChromium(this);
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    framer = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>framer</title><iframe src="${emu.url}/emulator/"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    framerUrl = `http://127.0.0.1:${(framer.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });
  after(async () => {
    await (browser as Browser | undefined)?.close();
    await new Promise<void>((resolve) => {
      if ((framer as Server | undefined) === undefined) resolve();
      else
        framer.close(() => {
          resolve();
        });
    });
    await (emu as Emulator | undefined)?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    context.setDefaultTimeout(WAIT);
  });
  afterEach(async () => {
    await context.close();
  });

  it('opened on its own, it shows a pending request and approves it', async () => {
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    const id = await service.authorize('alice');
    const page = await context.newPage();
    await page.goto(`${emu.url}/emulator/`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Done.').waitFor();
    expect(emu.auths({ username: 'alice' }).find((a) => a.id === id)?.status).to.equal('approved');
  });

  it('refuses to show it in a frame of another site', async () => {
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    await service.authorize('bob');
    const page = await context.newPage();
    const refused = page.waitForEvent('console', (m: ConsoleMessage) =>
      /frame-ancestors|X-Frame-Options/.test(m.text()),
    );
    await page.goto(framerUrl);
    await refused;
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(await frame?.locator('button').count()).to.equal(0);
  });
});
