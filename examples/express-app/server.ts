// The demo in one command (`npm run demo`): the app on http://127.0.0.1:3000 and, unless
// LAUNCHKEY_* variables name a real API, a LaunchKey emulator with a demo user whose phone is the
// emulator's phone page. Ctrl-C stops both.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createDemoWorld, startEmulator, type Emulator } from 'passport-launchkey/emulator';

import { createApp, type DemoAppOptions } from './app.js';
import { portSetting, realApiSettings } from './settings.js';

const HOST = process.env['HOST'] ?? '127.0.0.1';

/** Listens on `port`, or on a free port when `fallback` and `port` is taken. */
async function listen(server: Server, port: number, fallback: boolean): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if (!fallback || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    console.log(`Port ${port} is taken; using a free one.`);
    return listen(server, 0, false);
  }
  return (server.address() as AddressInfo).port;
}

// The app is created once the emulator runs; until then (a few ms) requests get a 503.
const current: { app?: RequestListener } = {};
const server = createServer((req, res) => {
  if (current.app !== undefined) {
    current.app(req, res);
    return;
  }
  res.statusCode = 503;
  res.end('Starting…');
});
const { port, fallback } = portSetting(process.env);
const appUrl = `http://${HOST.includes(':') ? `[${HOST}]` : HOST}:${await listen(server, port, fallback)}`;

let emulator: Emulator | undefined;
let options: DemoAppOptions;
const real = realApiSettings(process.env);
if (real === undefined) {
  const world = await createDemoWorld({ callbackUrl: `${appUrl}/webhooks/launchkey` });
  emulator = await startEmulator({ config: world.config });
  options = {
    baseUrl: emulator.url,
    serviceId: world.serviceId,
    serviceKey: world.serviceKey,
    directory: { id: world.directoryId, key: world.directoryKey },
    demoUsername: world.username,
    phoneUrl: `${emulator.url}/emulator/`,
  };
} else {
  options = real;
}
current.app = createApp(options);

console.log(`Demo app:   ${appUrl}/`);
if (emulator === undefined) {
  console.log(`LaunchKey:  ${real?.baseUrl ?? ''} (webhook URL to configure: <public URL>/webhooks/launchkey)`);
} else {
  console.log(`Phone page: ${emulator.url}/emulator/`);
  console.log(`Demo user:  ${options.demoUsername ?? ''}`);
}
console.log('Press Ctrl-C to stop.');

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  const closed = new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  Promise.all([closed, emulator?.close()]).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
