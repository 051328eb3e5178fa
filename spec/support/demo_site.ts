/**
 * The express-app example running in this process against an in-process emulator with a demo
 * world: what the browser specs drive. The app is short-lived (ttl 60 s, so an expiry needs a
 * small clock shift, within the transport's 300 s maxClockOffset), without start limits, and
 * re-measures the API clock on every call (`cacheTtl: 0`) because the specs move the emulator clock.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createApp } from '../../examples/express-app/app.js';
import { createDemoWorld, startEmulator, type DemoWorld, type Emulator } from '../../lib/emulator/index.js';

export interface DemoSite {
  appUrl: string;
  phoneUrl: string;
  emu: Emulator;
  world: DemoWorld;
  /**
   * A second user with the same kind of phone, for the fraud report: a report locks the reported
   * username out of new pushes for a while, which must not reach the demo user of the other tests.
   */
  fraudUsername: string;
  /** The request ttl the app asks for, in seconds. */
  ttl: number;
  close(): Promise<void>;
}

export async function startDemoSite(): Promise<DemoSite> {
  const current: { app?: RequestListener } = {};
  const server = createServer((req, res) => {
    if (current.app === undefined) res.writeHead(503).end();
    else current.app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const world = await createDemoWorld({ callbackUrl: `${appUrl}/webhooks/launchkey` });
  const fraudUsername = 'fraud-target';
  const demoUser = world.config.users?.[0];
  if (demoUser === undefined) throw new Error('the demo world has no user');
  world.config.users = [...(world.config.users ?? []), { ...demoUser, identifier: fraudUsername }];
  const emu = await startEmulator({ config: world.config, webhooks: { attempts: 1 } });
  const phoneUrl = `${emu.url}/emulator/`;
  const ttl = 60;
  current.app = createApp({
    baseUrl: emu.url,
    serviceId: world.serviceId,
    serviceKey: world.serviceKey,
    directory: { id: world.directoryId, key: world.directoryKey },
    demoUsername: world.username,
    phoneUrl,
    sessionSecret: 'browser spec secret',
    strategy: { ttl, rateLimit: false, pollInterval: 250, transport: { cacheTtl: 0 } },
    logError: (err) => {
      console.error('demo app error:', err);
    },
  });
  return {
    appUrl,
    phoneUrl,
    emu,
    world,
    fraudUsername,
    ttl,
    async close() {
      await emu.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
