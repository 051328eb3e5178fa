import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { Emulator } from '../../lib/emulator/index.js';
import { FAST, directoryEnv, expectNoKeyMaterial, pendingAuth, serviceEnv, startWorld, type Env } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `launchkey` as a process, from source (bin/launchkey.js runs the same `main` from the build). */
function launchkey(
  args: string[],
  env: Env,
): { exited: Promise<Exited>; kill: (signal: NodeJS.Signals) => void; closeStdout: () => void } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx/esm', 'spec/cli/fixtures/launchkey.ts', ...args],
    // Only what the CLI needs: no LAUNCHKEY_* of the machine running the suite leaks in.
    { cwd: ROOT, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((resolve) => {
    child.once('close', (code) => {
      expectNoKeyMaterial(stdout);
      expectNoKeyMaterial(stderr);
      resolve({ code, stdout, stderr });
    });
  });
  return { exited, kill: (signal) => child.kill(signal), closeStdout: () => child.stdout.destroy() };
}

describe('launchkey as a process', function () {
  this.timeout(30_000);
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startWorld();
  });

  afterEach(async () => {
    await emu.close();
  });

  it('prints the result and exits 0, or exits 1 for a usage error, and does not linger', async () => {
    const started = Date.now();
    const ok = await launchkey(['devices', 'list', 'alice', '--json'], directoryEnv(emu)).exited;
    expect(ok.code, ok.stderr).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.have.property('user', 'alice');
    expect(Date.now() - started).to.be.lessThan(10_000);
    const usage = await launchkey(['devices', 'list'], directoryEnv(emu)).exited;
    expect([usage.code, usage.stdout]).to.deep.equal([1, '']);
    expect(usage.stderr).to.match(/^launchkey: expected USER, got 0 argument\(s\) \(ERR_LK_USAGE\)\n/);
  });

  it('exits with its own status, quietly, when the reader of stdout goes away (| head)', async () => {
    const cli = launchkey(['help'], {});
    cli.closeStdout();
    const result = await cli.exited;
    expect([result.code, result.stderr]).to.deep.equal([0, '']);
  });

  it('cancels the pending push and exits 130 on Ctrl-C (SIGINT)', async () => {
    const cli = launchkey(['push', 'alice', ...FAST], serviceEnv(emu));
    await pendingAuth(emu, 'alice');
    cli.kill('SIGINT');
    const result = await cli.exited;
    expect(result.code).to.equal(130);
    expect(result.stdout).to.match(/^Push sent to alice: authorization request [0-9a-f-]{36}\.\n$/);
    expect(result.stderr).to.match(/Interrupted; the authorization request was canceled\.\n$/);
    expect(emu.auths({ username: 'alice' }).map((a) => a.status)).to.deep.equal(['canceled']);
  });
});
