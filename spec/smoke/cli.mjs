// Starts the published CLIs as a newcomer would after `npm ci` and `npm run build`: the emulator
// (bin/launchkey-emulator.js, with --port 0 and --demo, its credentials written to a folder), then
// the operator CLI (bin/launchkey.js) with `node --env-file` on the env file the emulator wrote:
// help, a usage error, a listing and a test push approved through the emulator's control API. Both
// bins run the build. Run by `.ci/run` after `npm run build`.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = (name) => new URL(`../../bin/${name}`, import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), 'launchkey-smoke-'));
const emulator = spawn(
  process.execPath,
  [bin('launchkey-emulator.js'), '--port', '0', '--demo', '--credentials', dir],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const printed = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the emulator CLI printed no env file within 15 s')), 15_000);
  let out = '';
  emulator.stdout.on('data', (chunk) => {
    out += chunk.toString();
    if (/^Env file: /m.test(out)) {
      clearTimeout(timer);
      resolve(out);
    }
  });
  emulator.once('exit', (code) => reject(new Error(`the emulator CLI exited with ${code}`)));
});
assert.ok(!printed.includes('PRIVATE KEY'), 'the emulator prints no key');
const url = /http:\/\/127\.0\.0\.1:\d+/.exec(printed)[0];
const envFile = join(dir, 'launchkey.env');
const keys = ['service', 'directory', 'organization'].map((entity) => readFileSync(join(dir, `${entity}.pem`), 'utf8'));
const username = 'demo';
const ping = await (await fetch(`${url}/public/v3/ping`)).json();
assert.match(ping.api_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

/** Runs bin/launchkey.js with the emulator's env file; resolves to its exit status and output. */
function launchkey(args) {
  const env = { PATH: process.env.PATH };
  const argv = [`--env-file=${envFile}`, bin('launchkey.js'), ...args];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      for (const text of [stdout, stderr]) {
        assert.ok(!text.includes('PRIVATE KEY'), 'no private key in the output');
        for (const key of keys) assert.ok(!text.includes(key.split('\n')[5]));
      }
      resolve({ code: err === null ? 0 : err.code, stdout, stderr });
    });
  });
}

const help = await launchkey(['--help']);
assert.equal(help.code, 0);
assert.match(help.stdout, /^launchkey: operator commands/);

const usage = await launchkey(['frobnicate']);
assert.equal(usage.code, 1);
assert.match(usage.stderr, /unknown command frobnicate \(ERR_LK_USAGE\)/);

const listing = await launchkey(['devices', 'list', username, '--json']);
assert.equal(listing.code, 0, listing.stderr);
assert.equal(JSON.parse(listing.stdout).devices[0].status, 'LINKED');

const pushing = launchkey(['push', username, '--json', '--poll-interval', '0.05']);
let pending = [];
for (let i = 0; i < 200 && pending.length === 0; i++) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  pending = await (await fetch(`${url}/emulator/auths?status=pending`)).json();
}
assert.equal(pending.length, 1, 'the push is pending at the emulator');
const approve = await fetch(`${url}/emulator/auths/${pending[0].id}/respond`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ action: 'approve' }),
});
assert.equal(approve.status, 200);
const pushed = await pushing;
assert.equal(pushed.code, 0, pushed.stderr);
const outcome = JSON.parse(pushed.stdout.trim().split('\n')[1]);
assert.equal(outcome.outcome, 'approved');

const exited = new Promise((resolve) => emulator.once('exit', resolve));
emulator.kill('SIGINT');
await exited;
rmSync(dir, { recursive: true, force: true });
console.log(`CLI smoke test passed: launchkey-emulator and launchkey (${url})`);
