/**
 * `npm run demo` as a newcomer runs it: the command starts, prints the app's URL, serves the login
 * page with nothing configured, and stops cleanly on Ctrl-C (SIGINT).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The `demo` script of package.json, run directly so SIGINT reaches the server itself. */
const DEMO = ['--import', 'tsx/esm', 'examples/express-app/server.ts'];

/** Resolves with the first match of `pattern` in the output so far, rejects when the process ends or `ms` pass. */
function waitForOutput(child: ChildProcess, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      finish(new Error(`no output matching ${String(pattern)} within ${ms} ms; got: ${output}`));
    }, ms);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match !== null) finish(undefined, match);
    };
    const onExit = (code: number | null): void => {
      finish(new Error(`the demo exited (${String(code)}) before printing ${String(pattern)}`));
    };
    function finish(err: Error | undefined, match?: RegExpMatchArray): void {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (err === undefined) resolve(match!);
      else reject(err);
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

describe('npm run demo', function () {
  this.timeout(30_000);
  let child: ChildProcess | undefined;
  let stderr = '';

  afterEach(() => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('serves the login page within 10 s with nothing configured, and exits 0 on SIGINT', async () => {
    const started = Date.now();
    // Nothing configured: no LAUNCHKEY_* variables, so the demo starts its emulator.
    const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('LAUNCHKEY_'));
    const env = { ...Object.fromEntries(inherited), PORT: '0', NODE_ENV: 'development' };
    child = spawn(process.execPath, DEMO, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [, appUrl, phoneUrl] = await waitForOutput(
      child,
      /^Demo app: +(http:\/\/127\.0\.0\.1:\d+\/)\nPhone page: +(http:\/\/127\.0\.0\.1:\d+\/emulator\/)\n/m,
      20_000,
    );

    const login = await fetch(`${appUrl!}login`);
    expect(login.status, stderr).to.equal(200);
    const page = await login.text();
    expect(page).to.match(/<input[^>]*\sname="username"[^>]*\svalue="demo"/);
    expect(Date.now() - started, 'from start to the login page').to.be.below(10_000);
    expect((await fetch(phoneUrl!)).status).to.equal(200);

    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGINT');
    const timeout = new Promise<never>((_resolve, reject) => {
      setTimeout(() => {
        reject(new Error('the demo did not exit within 5 s of SIGINT'));
      }, 5_000).unref();
    });
    const [code, signal] = await Promise.race([exited, timeout]);
    expect({ code, signal }, stderr).to.deep.equal({ code: 0, signal: null });
  });
});

describe('the demo’s failure messages', () => {
  it('says how long the fraud cooldown or a limit lasts, in minutes', async () => {
    const { failureMessage } = await import('../../examples/express-app/messages.js');
    expect(failureMessage({ code: 'rate-limited', retryAfter: 900 })).to.equal(
      'Too many sign-in attempts. Please try again in 15 minutes.',
    );
    expect(failureMessage({ code: 'rate-limited', retryAfter: 40 })).to.equal(
      'Too many sign-in attempts. Please try again in a minute.',
    );
    expect(failureMessage({ code: 'rate-limited' })).to.equal('Too many sign-in attempts. Please wait a while.');
  });
});
