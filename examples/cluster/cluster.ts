// A whole deployment on one machine: Redis, the LaunchKey emulator, several app instances (each its
// own process) and a round-robin load balancer in front of them. start.ts runs it from the command
// line; the cluster spec drives it with a real browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { createDemoWorld, startEmulator, type Emulator } from 'passport-launchkey/emulator';

import { startProxy, type Proxy, type ProxyOptions } from './proxy.js';
import { startRedis, type RedisServer } from './redis_server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ClusterOptions {
  /** How many app instances; default 3. */
  instances?: number;
  /** An existing Redis (`redis://...`); default a private redis-server started for the cluster. */
  redisUrl?: string;
  /** How the load balancer chooses an instance (default round-robin). */
  pick?: ProxyOptions['pick'];
}

export interface Instance {
  name: string;
  url: string;
  /** What the process printed on stderr (errors it logged). */
  stderr: string[];
}

export interface Cluster {
  /** The load balancer: the app's public URL. */
  url: string;
  phoneUrl: string;
  username: string;
  serviceId: string;
  emulator: Emulator;
  proxy: Proxy;
  instances: Instance[];
  /** The private Redis, when the cluster started one. */
  redis: RedisServer | undefined;
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const redis = options.redisUrl === undefined ? await startRedis() : undefined;
  const redisUrl = options.redisUrl ?? redis?.url ?? '';
  const targets: string[] = [];
  const proxy = await startProxy({ targets, ...(options.pick === undefined ? {} : { pick: options.pick }) });
  // LaunchKey posts its webhooks to the load balancer, so any instance may receive them.
  const world = await createDemoWorld({ callbackUrl: `${proxy.url}/webhooks/launchkey` });
  const emulator = await startEmulator({ config: world.config });
  const env = {
    ...process.env,
    LAUNCHKEY_BASE_URL: emulator.url,
    LAUNCHKEY_SERVICE_ID: world.serviceId,
    LAUNCHKEY_SERVICE_KEY: world.serviceKey,
    LAUNCHKEY_DIRECTORY_ID: world.directoryId,
    LAUNCHKEY_DIRECTORY_KEY: world.directoryKey,
    DEMO_USERNAME: world.username,
    PHONE_URL: `${emulator.url}/emulator/`,
    REDIS_URL: redisUrl,
    // Every instance must sign and read the same session cookies.
    SESSION_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
  };
  const children: ChildProcess[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    await proxy.close();
    await emulator.close();
    await redis?.stop();
  };
  try {
    const count = options.instances ?? 3;
    const instances = await Promise.all(
      Array.from({ length: count }, (_, i) => spawnInstance(`app-${i + 1}`, env, children)),
    );
    targets.push(...instances.map((i) => i.url));
    return {
      url: proxy.url,
      phoneUrl: `${emulator.url}/emulator/`,
      username: world.username,
      serviceId: world.serviceId,
      emulator,
      proxy,
      instances,
      redis,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Starts one instance process and resolves once it listens. */
function spawnInstance(name: string, env: NodeJS.ProcessEnv, children: ChildProcess[]): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'examples/cluster/instance.ts'], {
    cwd: ROOT,
    env: { ...env, INSTANCE: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined) resolve({ name, url, stderr });
    });
    child.once('exit', (code) => {
      reject(new Error(`instance ${name} exited with ${String(code)}: ${stderr.join('')}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}
