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
  /**
   * Resolves with the first match of `pattern` in what the app printed, waiting for more output if
   * needed: a line printed after "listening on" may come in a later chunk.
   */
  waitForOutput: (pattern: RegExp) => Promise<RegExpExecArray>;
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
  const onOutput = new Set<() => void>();
  app.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of onOutput) listener();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!output.includes('listening on')) return;
        onOutput.delete(check);
        resolve();
      };
      onOutput.add(check);
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
    waitForOutput: (pattern) =>
      new Promise((resolve) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match === null) return;
          onOutput.delete(check);
          resolve(match);
        };
        onOutput.add(check);
        check();
      }),
    close: async () => {
      app.kill('SIGTERM');
      await emu.close();
    },
  };
}
