/**
 * Real-browser specs: Debian's Chromium (never a downloaded browser) driven by playwright-core.
 * Without /usr/bin/chromium a suite skips itself and says how to install it; under CI a missing
 * browser fails instead.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Where the specs save their screenshots (git-ignored). */
export const SCREENSHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/** In a `before` hook: skips the suite (or fails it under CI) when Chromium is not installed. */
export function requireChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  const reason = `${CHROMIUM} not found; install Chromium with: sudo apt-get install chromium`;
  if (process.env['CI'] === 'true') throw new Error(`browser specs cannot run under CI: ${reason}`);
  console.log(`    browser specs skipped: ${reason}`);
  ctx.skip();
}

/** Launches headless Chromium with the project's flags (a fresh temporary profile each time). */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}
