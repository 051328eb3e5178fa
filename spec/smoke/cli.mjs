// Starts the published CLI (bin/launchkey-emulator.js, which runs the build) with --port 0, as a
// newcomer would after `npm ci`, waits for the line with its URL, pings it and stops it.
// Run by `.ci/run` after `npm run build`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const cli = spawn(
  process.execPath,
  [new URL('../../bin/launchkey-emulator.js', import.meta.url).pathname, '--port', '0'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the CLI printed no URL within 15 s')), 15_000);
  cli.stdout.on('data', (chunk) => {
    const match = /http:\/\/127\.0\.0\.1:\d+/.exec(chunk.toString());
    if (match) {
      clearTimeout(timer);
      resolve(match[0]);
    }
  });
  cli.once('exit', (code) => reject(new Error(`the CLI exited with ${code}`)));
});
const ping = await (await fetch(`${url}/public/v3/ping`)).json();
assert.match(ping.api_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const exited = new Promise((resolve) => cli.once('exit', resolve));
cli.kill('SIGINT');
await exited;
console.log(`CLI smoke test passed (${url})`);
