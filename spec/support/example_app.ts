/**
 * An example app run as a user runs it (its npm script's command, from source) against an emulator
 * started here with a demo world, so a spec can both use the app and play the phone.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

import { createDemoWorld, startEmulator, type DemoWorld, type Emulator } from '../../lib/emulator/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port free on loopback now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

export interface ExampleApp {
  /** The app's base URL, `http://127.0.0.1:PORT`. */
  base: string;
  world: DemoWorld;
  emu: Emulator;
  /** What the app printed on stdout so far. */
  output: () => string;
  close: () => Promise<void>;
}

/**
 * Starts `file` with `node --import tsx/esm` on a free port, its service on an emulator whose
 * callback URL is the app's `/launchkey/webhook`; resolves once it printed "listening on".
 */
export async function startExampleApp(file: string, env: Record<string, string> = {}): Promise<ExampleApp> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const world = await createDemoWorld({ callbackUrl: `${base}/launchkey/webhook` });
  const emu = await startEmulator({ config: world.config });
  const app = spawn(process.execPath, ['--import', 'tsx/esm', file], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      LAUNCHKEY_SERVICE_ID: world.serviceId,
      LAUNCHKEY_SERVICE_KEY: world.serviceKey,
      LAUNCHKEY_BASE_URL: emu.url,
      SESSION_SECRET: 'a spec secret of at least thirty-two characters',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      app.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) resolve();
      });
      app.once('exit', (code) => {
        reject(new Error(`${file} exited with ${String(code)}`));
      });
    });
  } catch (err) {
    await emu.close();
    throw err;
  }
  return {
    base,
    world,
    emu,
    output: () => output,
    close: async () => {
      app.kill('SIGTERM');
      await emu.close();
    },
  };
}
