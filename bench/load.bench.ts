/**
 * `npm run bench:load`: whole logins over loopback, through app processes and the emulator (its
 * own process, with its simulated phone), driven by virtual users in this process. Each virtual
 * user signs in again and again: POST /login, an event stream on /login/status (plus extra streams
 * as other tabs would open), the phone approves through the emulator's control API, the stream hears
 * the answer, GET /login/complete. Reported per scenario (store × instances × mode):
 *
 * - completed logins per second;
 * - approve-to-browser latency, p50 and p99: from the moment the phone is told to approve to the
 *   moment the browser's stream receives `approved` (both stamps on this process's clock);
 * - LaunchKey API calls per login, and polls per login (with the time logins stayed pending, to check
 *   "at most one poll per login per pollInterval");
 * - the app's CPU per completed login and its event-loop delay p99 (`monitorEventLoopDelay`).
 *
 * Then memory: bytes per pending login in the MemoryStore (100 000 logins) and in Redis.
 *
 * Options (environment): LOAD_SECONDS per scenario (default 10), LOAD_USERS concurrent virtual users
 * (default 8), LOAD_STREAMS streams per login (default 1), LOAD_SCENARIOS (comma-separated names,
 * default all), LOAD_APP_NODE_ARGS (node flags for the app processes, e.g. to profile them). Writes
 * bench/results/load.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { startProxy, type Proxy } from '../examples/cluster/proxy.js';
import { startRedis, type RedisServer } from '../examples/cluster/redis_server.js';
import { createDemoWorld } from '../lib/emulator/index.js';
import { renderTable } from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env['LOAD_SECONDS'] ?? 10);
const USERS = Number(process.env['LOAD_USERS'] ?? 8);
const STREAMS = Number(process.env['LOAD_STREAMS'] ?? 1);
const POLL_INTERVAL = 2000;
/** Extra node flags for the app processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const APP_NODE_ARGS = (process.env['LOAD_APP_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');

interface Scenario {
  name: string;
  store: 'memory' | 'redis';
  instances: number;
  mode: 'webhook' | 'poll';
  streams?: number;
  /** Concurrent virtual users; default LOAD_USERS. One user shows the latency without queueing. */
  users?: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'memory-1-webhook-1-user', store: 'memory', instances: 1, mode: 'webhook', users: 1 },
  { name: 'redis-2-webhook-1-user', store: 'redis', instances: 2, mode: 'webhook', users: 1 },
  { name: 'memory-1-webhook', store: 'memory', instances: 1, mode: 'webhook' },
  { name: 'memory-1-poll', store: 'memory', instances: 1, mode: 'poll' },
  { name: 'redis-1-webhook', store: 'redis', instances: 1, mode: 'webhook' },
  { name: 'redis-1-poll', store: 'redis', instances: 1, mode: 'poll' },
  { name: 'redis-2-webhook', store: 'redis', instances: 2, mode: 'webhook' },
  { name: 'redis-2-poll', store: 'redis', instances: 2, mode: 'poll' },
  { name: 'redis-2-webhook-5-streams', store: 'redis', instances: 2, mode: 'webhook', streams: 5 },
];

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

/** One HTTP exchange; resolves with status, headers and body text. */
function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** An event stream on /login/status: resolves `approved` with the time it arrived. */
function openStream(url: string, cookie: string): { approved: Promise<number>; ready: Promise<void>; close(): void } {
  let close = (): void => undefined;
  let ready = (): void => undefined;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const approved = new Promise<number>((resolve, reject) => {
    const req = request(`${url}/login/status`, { headers: { Accept: 'text/event-stream', Cookie: cookie } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (buffer.includes('"status":"pending"')) ready();
        if (buffer.includes('"status":"approved"')) resolve(performance.now());
        else if (/"status":"(denied|failed|expired|canceled|none)"/.test(buffer)) reject(new Error(buffer));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
    close = () => {
      req.destroy();
    };
  });
  approved.catch(() => undefined);
  return { approved, ready: readyPromise, close };
}

/** Spawns a process and resolves with it and the URL its first "listening on URL" line names. */
function spawnServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
      if (url !== undefined) resolve({ child, url });
    });
    child.once('exit', (code) => {
      reject(new Error(`${args.join(' ')} exited ${String(code)}: ${err}`));
    });
  });
}

/** Runs a script to its end and resolves with what it printed. */
function output(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve(out);
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

interface Result {
  scenario: string;
  logins: number;
  loginsPerSec: number;
  approveToBrowserP50Ms: number;
  approveToBrowserP99Ms: number;
  apiCallsPerLogin: number;
  pollsPerLogin: number;
  pendingSecondsPerLogin: number;
  cpuMsPerLogin: number;
  loopP99Ms: number;
  errors: number;
}

async function runScenario(s: Scenario, emulatorUrl: string, world: World, redisUrl: string): Promise<Result> {
  const prefix = `bench-${s.name}-${Date.now()}:`;
  const apps = await Promise.all(
    Array.from({ length: s.instances }, () =>
      spawnServer([...APP_NODE_ARGS, '--import', 'tsx/esm', 'bench/load_app.ts'], {
        LAUNCHKEY_BASE_URL: emulatorUrl,
        LAUNCHKEY_SERVICE_ID: s.mode === 'poll' ? world.pollServiceId : world.serviceId,
        LAUNCHKEY_SERVICE_KEY: world.serviceKey,
        MODE: s.mode,
        STORE: s.store,
        REDIS_URL: redisUrl,
        PREFIX: prefix,
        POLL_INTERVAL: String(POLL_INTERVAL),
      }),
    ),
  );
  const urls = apps.map((a) => a.url);
  world.targets.splice(0, world.targets.length, ...urls);
  let next = 0;
  const pickUrl = (): string => urls[next++ % urls.length] ?? '';
  const latencies: number[] = [];
  let pendingMs = 0;
  let logins = 0;
  let errors = 0;
  const streams = s.streams ?? STREAMS;

  // A short warm-up (JIT, connections, key caches), then the measured run.
  for (const [measure, seconds] of [
    [false, 2],
    [true, SECONDS],
  ] as const) {
    if (measure) await Promise.all(urls.map((u) => send(`${u}/bench/reset`, { method: 'POST' })));
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: s.users ?? USERS }, async (_, vu) => {
        const username = world.users[vu] ?? '';
        while (performance.now() < deadline) {
          try {
            const start = await send(`${pickUrl()}/login`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              body: `username=${username}`,
            });
            if (start.status !== 202) throw new Error(`start ${start.status} ${start.text}`);
            const cookie = (start.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
            const begun = performance.now();
            const open = Array.from({ length: streams }, () => openStream(pickUrl(), cookie));
            await Promise.all(open.map((o) => o.ready));
            const auths = JSON.parse(
              (await send(`${emulatorUrl}/emulator/auths?status=pending&username=${username}`)).text,
            ) as { id: string }[];
            const id = auths[0]?.id ?? '';
            const approvedAt = performance.now();
            await send(`${emulatorUrl}/emulator/auths/${id}/respond`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ action: 'approve' }),
            });
            const heard = await Promise.all(open.map((o) => o.approved));
            for (const o of open) o.close();
            const done = await send(`${pickUrl()}/login/complete`, { headers: { Cookie: cookie } });
            if (done.status !== 200) throw new Error(`complete ${done.status} ${done.text}`);
            if (measure) {
              latencies.push(Math.max(...heard) - approvedAt);
              pendingMs += performance.now() - begun;
              logins += 1;
            }
          } catch (err) {
            errors += 1;
            if (errors <= 3) console.error(`  ${s.name}: ${(err as Error).message.slice(0, 200)}`);
          }
        }
      }),
    );
    if (measure) {
      const elapsed = (performance.now() - started) / 1000;
      const stats = await Promise.all(
        urls.map(
          async (u) =>
            JSON.parse((await send(`${u}/bench/stats`)).text) as {
              cpuMs: number;
              apiCalls: Record<string, number>;
              loopP99Ms: number;
            },
        ),
      );
      await Promise.all(apps.map((a) => stop(a.child)));
      const calls = stats.reduce((n, st) => n + Object.values(st.apiCalls).reduce((a, b) => a + b, 0), 0);
      const polls = stats.reduce((n, st) => n + (st.apiCalls['GET /service/v3/auths/:id'] ?? 0), 0);
      latencies.sort((a, b) => a - b);
      return {
        scenario: s.name,
        logins,
        loginsPerSec: logins / elapsed,
        approveToBrowserP50Ms: percentile(latencies, 0.5),
        approveToBrowserP99Ms: percentile(latencies, 0.99),
        apiCallsPerLogin: calls / Math.max(1, logins),
        pollsPerLogin: polls / Math.max(1, logins),
        pendingSecondsPerLogin: pendingMs / 1000 / Math.max(1, logins),
        cpuMsPerLogin: stats.reduce((n, st) => n + st.cpuMs, 0) / Math.max(1, logins),
        loopP99Ms: Math.max(...stats.map((st) => st.loopP99Ms)),
        errors,
      };
    }
  }
  throw new Error('unreachable');
}

interface World {
  /** The service with a callback URL (webhook scenarios). */
  serviceId: string;
  /** The service without one (poll scenarios). */
  pollServiceId: string;
  serviceKey: string;
  users: string[];
  /** The app instances the webhook proxy forwards to, set per scenario. */
  targets: string[];
}

async function main(): Promise<void> {
  const wanted = process.env['LOAD_SCENARIOS']?.split(',');
  const scenarios = SCENARIOS.filter((s) => wanted === undefined || wanted.includes(s.name));
  let redis: RedisServer | undefined;
  let proxy: Proxy | undefined;
  let emulator: ChildProcess | undefined;
  try {
    redis = await startRedis();
    const targets: string[] = [];
    // LaunchKey's webhooks reach the instances round-robin, as through a load balancer.
    proxy = await startProxy({ targets });
    const demo = await createDemoWorld({ callbackUrl: `${proxy.url}/webhooks/launchkey` });
    const users = Array.from({ length: USERS }, (_, i) => `load${i}`);
    const base = demo.config.users?.[0];
    const [hookService] = demo.config.services ?? [];
    if (base === undefined || hookService === undefined) throw new Error('the demo world changed');
    // A second service with the same key and no callback URL: in poll mode nothing but the poller
    // can learn the answer.
    const pollServiceId = randomUUID();
    const config = {
      ...demo.config,
      rateLimit: { authsPerUser: 1_000_000, windowSeconds: 1 },
      services: [hookService, { ...hookService, id: pollServiceId, name: 'Polling app', callbackUrl: null }],
      users: users.map((identifier) => ({ ...base, identifier })),
    };
    const configFile = join(tmpdir(), `launchkey-load-${process.pid}.json`);
    writeFileSync(configFile, JSON.stringify(config));
    const started = await spawnServer(
      ['--import', 'tsx/esm', 'lib/emulator/cli.ts', '--port', '0', '--config', configFile],
      {},
    );
    emulator = started.child;
    const world: World = { serviceId: demo.serviceId, pollServiceId, serviceKey: demo.serviceKey, users, targets };

    console.log(
      `${USERS} virtual users, ${STREAMS} stream(s) per login, ${SECONDS} s per scenario, pollInterval ${POLL_INTERVAL} ms`,
    );
    const results: Result[] = [];
    for (const s of scenarios) {
      const r = await runScenario(s, started.url, world, redis.url);
      results.push(r);
      console.log(
        `  ${r.scenario}: ${r.loginsPerSec.toFixed(1)} logins/s, approve→browser p50 ${r.approveToBrowserP50Ms.toFixed(1)} ms p99 ${r.approveToBrowserP99Ms.toFixed(1)} ms`,
      );
    }
    console.log();
    console.log(
      renderTable(
        [
          'scenario',
          'logins/s',
          'approve→browser p50',
          'p99',
          'API calls/login',
          'polls/login',
          'pending s/login',
          'app CPU/login',
          'loop p99',
          'errors',
        ],
        results.map((r) => [
          r.scenario,
          r.loginsPerSec.toFixed(1),
          `${r.approveToBrowserP50Ms.toFixed(1)} ms`,
          `${r.approveToBrowserP99Ms.toFixed(1)} ms`,
          r.apiCallsPerLogin.toFixed(2),
          r.pollsPerLogin.toFixed(2),
          r.pendingSecondsPerLogin.toFixed(2),
          `${r.cpuMsPerLogin.toFixed(1)} ms`,
          `${r.loopP99Ms.toFixed(1)} ms`,
          String(r.errors),
        ]),
      ),
    );
    const memory = await output(['--expose-gc', '--import', 'tsx/esm', 'bench/load_memory.ts'], {
      REDIS_URL: redis.url,
    });
    console.log(memory.trim());
    const file = join(ROOT, 'bench/results/load.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ users: USERS, streams: STREAMS, seconds: SECONDS, results, memory }, null, 2));
  } finally {
    if (emulator !== undefined) await stop(emulator);
    await proxy?.close();
    await redis?.stop();
    agent.destroy();
  }
}

await main();
