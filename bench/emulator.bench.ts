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
 * After a warm-up that is not counted, it prints per 10-second slice the logins/s and the emulator
 * process's CPU time per login (Linux /proc): an emulator whose cost grows with what it has already
 * served shows falling logins/s and rising CPU per login. The CPU figure is the one to compare
 * across runs on a shared machine; logins/s also moves with whatever else runs. Keys are the spec
 * vector keys, loaded once. The authorization-request rate limit is lifted (a 1-second window) so
 * the bench measures the auth store, not the limiter.
 *
 * Options: `--seconds 90 --workers 8 --slice 10 --warmup 5` (defaults). Writes
 * bench/results/emulator.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
    warmup: { type: 'string', default: '5' },
  },
});
const SECONDS = Number(values.seconds);
const WORKERS = Number(values.workers);
const SLICE = Number(values.slice);
const WARMUP = Number(values.warmup);

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
async function startChild(): Promise<{ url: string; pid: number | undefined; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'lk-emu-bench-'));
  const configFile = join(dir, 'config.json');
  const keyFile = join(dir, 'api.pem');
  writeFileSync(configFile, JSON.stringify(worldConfig()));
  writeFileSync(keyFile, KEYS.api);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx/esm', 'lib/emulator/cli.ts', '--port', '0', '--config', configFile, '--api-key', keyFile],
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
    pid: child.pid,
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

/**
 * CPU seconds (user + system) the emulator process has used so far, from /proc (Linux): unlike
 * logins/s, this hardly moves when other processes share the machine. Undefined elsewhere.
 */
function cpuReader(pid: number | undefined): () => number | undefined {
  let ticksPerSecond = 100;
  try {
    ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    // getconf missing: Linux's usual USER_HZ
  }
  return () => {
    if (pid === undefined) return undefined;
    try {
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    } catch {
      return undefined;
    }
  };
}

async function main(): Promise<void> {
  const emulator = await startChild();
  const cpu = cpuReader(emulator.pid);
  const service = new ServiceFactory(IDS.dirSvc, loadPrivateKey(KEYS.svc), {
    baseUrl: emulator.url,
  }).makeServiceClient();

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
  /** Every worker logs its user in until `end`; `done` hears of each login completed. */
  const run = (end: number, done: (at: number) => void) =>
    Promise.all(
      Array.from({ length: WORKERS }, async (_, i) => {
        while (performance.now() < end) {
          await login(`load${i}`);
          done(performance.now());
        }
      }),
    );

  const slices = new Array<number>(Math.ceil(SECONDS / SLICE)).fill(0);
  const cpuAtSlice: (number | undefined)[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    // Warm-up, not counted: JIT and connection pools settle before the first slice.
    await run(performance.now() + WARMUP * 1000, () => undefined);
    const start = performance.now();
    const end = start + SECONDS * 1000;
    cpuAtSlice.push(cpu());
    for (let i = 1; i <= slices.length; i += 1) {
      const at = Math.min(i * SLICE, SECONDS) * 1000;
      timers.push(
        setTimeout(() => {
          cpuAtSlice.push(cpu());
        }, at),
      );
    }
    await run(end, (at) => {
      const slice = Math.floor((at - start) / 1000 / SLICE);
      if (at < end) slices[slice] = (slices[slice] ?? 0) + 1;
    });
  } finally {
    timers.forEach(clearTimeout);
    await emulator.stop();
  }

  const rates = slices.map((n, i) => n / Math.min(SLICE, SECONDS - i * SLICE));
  const cpuMsPerLogin = slices.map((n, i) => {
    const before = cpuAtSlice[i];
    const after = cpuAtSlice[i + 1];
    return before === undefined || after === undefined || n === 0 ? undefined : ((after - before) * 1000) / n;
  });
  const rows = rates.map((rate, i) => [
    `${i * SLICE}-${Math.min((i + 1) * SLICE, SECONDS)} s`,
    String(slices[i]),
    rate.toFixed(1),
    cpuMsPerLogin[i]?.toFixed(2) ?? '-',
  ]);
  console.log(
    `emulator logins, ${WORKERS} workers, ${SECONDS} s after ${WARMUP} s warm-up (node ${process.version}, ${cpus().length} CPUs)\n`,
  );
  console.log(renderTable(['slice', 'logins', 'logins/s', 'emulator CPU ms/login'], rows));
  const total = slices.reduce((a, b) => a + b, 0);
  const ratio = (values: (number | undefined)[]) => {
    const first = values[0];
    const last = values.at(-1);
    return first === undefined || last === undefined ? '-' : (last / first).toFixed(2);
  };
  console.log(
    `\ntotal ${total} logins, ${(total / SECONDS).toFixed(1)}/s; last slice / first slice: ` +
      `logins/s ${ratio(rates)}, emulator CPU per login ${ratio(cpuMsPerLogin)}`,
  );
  const out = join(ROOT, 'bench', 'results', 'emulator.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        node: process.version,
        seconds: SECONDS,
        warmup: WARMUP,
        workers: WORKERS,
        slice: SLICE,
        slices,
        rates,
        cpuMsPerLogin,
      },
      null,
      2,
    ),
  );
}

await main();
