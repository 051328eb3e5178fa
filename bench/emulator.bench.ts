/**
 * `npm run bench:emulator`: does the emulator keep its pace under a steady login load?
 *
 * Starts the emulator CLI (lib/emulator/cli.ts) in a child process, so it has its own event loop and
 * core as in a load test and the driver's crypto does not steal its time, then runs W workers for a
 * fixed duration. Each worker logs one user in, over and over, the way a test or the demo does it:
 *
 *   1. `ServiceClient.authorize(user)`                      (signed SDK call)
 *   2. `GET /emulator/auths?status=pending&username=user`   (control API: find the request)
 *   3. `POST /emulator/auths/{id}/respond` `{approve}`      (control API: the phone answers)
 *   4. `ServiceClient.getAuthorizationResponse(id)`         (signed SDK poll, until answered)
 *
 * It prints logins/s per 10-second slice: an emulator whose cost grows with what it has already
 * served shows falling slices. Keys are the spec vector keys, loaded once. The authorization-request
 * rate limit is lifted (a 1-second window) so the bench measures the auth store, not the limiter.
 *
 * Options: `--seconds 90 --workers 8 --slice 10` (defaults). Writes bench/results/emulator.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ServiceFactory } from '../lib/clients/factories.js';
import { loadPrivateKey } from '../lib/crypto/keys.js';
import type { EmulatorConfig } from '../lib/emulator/index.js';
import { IDS, KEYS, baseConfig } from '../spec/support/emulator_client.js';
import { renderTable } from './harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '90' },
    workers: { type: 'string', default: '8' },
    slice: { type: 'string', default: '10' },
  },
});
const SECONDS = Number(values.seconds);
const WORKERS = Number(values.workers);
const SLICE = Number(values.slice);

function worldConfig(): EmulatorConfig {
  const base = baseConfig();
  const users = Array.from({ length: WORKERS }, (_, i) => ({
    directoryId: IDS.dir,
    identifier: `load${i}`,
    devices: [{ name: 'phone' }],
  }));
  return {
    ...base,
    users: [...(base.users ?? []), ...users],
    rateLimit: { authsPerUser: 1_000_000, windowSeconds: 1 },
  };
}

/** Runs the CLI on a free port; resolves with its URL and a stop function. */
async function startChild(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'lk-emu-bench-'));
  const configFile = join(dir, 'config.json');
  const keyFile = join(dir, 'api.pem');
  writeFileSync(configFile, JSON.stringify(worldConfig()));
  writeFileSync(keyFile, KEYS.api);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx/esm',
      '--conditions=passport-launchkey-source',
      'lib/emulator/cli.ts',
      '--port',
      '0',
      '--config',
      configFile,
      '--api-key',
      keyFile,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /http:\/\/[^\s)]+/.exec(out)?.[0];
      if (found !== undefined) resolve(found);
    });
    child.once('exit', (code) => {
      reject(new Error(`emulator exited (${String(code)}) before listening: ${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function control(url: string, method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${url} -> ${res.status} ${await res.text()}`);
  return res.json();
}

async function main(): Promise<void> {
  const emulator = await startChild();
  const service = new ServiceFactory(IDS.dirSvc, loadPrivateKey(KEYS.svc), {
    baseUrl: emulator.url,
  }).makeServiceClient();

  const start = performance.now();
  const end = start + SECONDS * 1000;
  const slices = new Array<number>(Math.ceil(SECONDS / SLICE)).fill(0);

  const login = async (username: string): Promise<void> => {
    const id = await service.authorize(username);
    const query = new URLSearchParams({ status: 'pending', username }).toString();
    const listed = (await control(`${emulator.url}/emulator/auths?${query}`, 'GET')) as { id: string }[];
    if (!listed.some((a) => a.id === id)) throw new Error(`auth ${id} not listed as pending`);
    await control(`${emulator.url}/emulator/auths/${id}/respond`, 'POST', { action: 'approve' });
    let answer = await service.getAuthorizationResponse(id);
    while (answer === null) answer = await service.getAuthorizationResponse(id);
    if (!answer.authorized) throw new Error(`auth ${id} not authorized`);
  };
  const worker = async (i: number) => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      await login(`load${i}`);
      const done = performance.now();
      const slice = Math.floor((done - start) / 1000 / SLICE);
      if (done < end) slices[slice] = (slices[slice] ?? 0) + 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
  } finally {
    await emulator.stop();
  }

  const rates = slices.map((n, i) => n / Math.min(SLICE, SECONDS - i * SLICE));
  const rows = rates.map((rate, i) => [
    `${i * SLICE}-${Math.min((i + 1) * SLICE, SECONDS)} s`,
    String(slices[i]),
    rate.toFixed(1),
  ]);
  console.log(`emulator logins, ${WORKERS} workers, ${SECONDS} s (node ${process.version})\n`);
  console.log(renderTable(['slice', 'logins', 'logins/s'], rows));
  const first = rates[0] ?? 0;
  const last = rates.at(-1) ?? 0;
  const total = slices.reduce((a, b) => a + b, 0);
  console.log(
    `\ntotal ${total} logins, ${(total / SECONDS).toFixed(1)}/s; last slice / first slice = ${(last / first).toFixed(2)}`,
  );
  const out = join(ROOT, 'bench', 'results', 'emulator.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ node: process.version, seconds: SECONDS, workers: WORKERS, slice: SLICE, slices, rates }, null, 2),
  );
}

await main();
