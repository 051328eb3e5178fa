/**
 * A ready-made world for demos, examples and first steps: one organization, one directory, one
 * directory service and one user whose simulated phone is already linked, with fresh credentials.
 * Everything a newcomer would otherwise have to create in a LaunchKey dashboard.
 */
import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

import type { EmulatorConfig } from './config.js';
import type { DeviceLocation } from './state.js';

/** Options of {@link createDemoWorld}. */
export interface DemoWorldOptions {
  /** The demo user's identifier; default `demo`. */
  username?: string;
  /** The service's webhook URL (authorization responses, session ends); default none. */
  callbackUrl?: string | null;
  /** The directory's webhook URL (device link completions); default none. */
  webhookUrl?: string | null;
  /** Where the demo phone is; default Portland, Oregon. */
  location?: DeviceLocation;
  /** RSA size of the generated keys; default 2048. */
  keyBits?: number;
}

/** The demo world: ids, private keys (PEM) and the emulator config that creates it. */
export interface DemoWorld {
  organizationId: string;
  directoryId: string;
  serviceId: string;
  /** Private key of the organization (PKCS#8 PEM). */
  organizationKey: string;
  /** Private key of the directory. */
  directoryKey: string;
  /** Private key of the service: what an app's strategy is configured with. */
  serviceKey: string;
  /** The user with a linked phone. */
  username: string;
  /** Pass to `startEmulator({ config })`. */
  config: EmulatorConfig;
}

const generate = promisify(generateKeyPair);

async function keyPair(bits: number): Promise<{ privatePem: string; publicPem: string }> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: bits });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Creates fresh ids and keys for a demo world. */
export async function createDemoWorld(options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const bits = options.keyBits ?? 2048;
  const [org, dir, svc] = await Promise.all([keyPair(bits), keyPair(bits), keyPair(bits)]);
  const organizationId = randomUUID();
  const directoryId = randomUUID();
  const serviceId = randomUUID();
  const username = options.username ?? 'demo';
  const config: EmulatorConfig = {
    organizations: [{ id: organizationId, name: 'Demo organization', publicKeys: [{ pem: org.publicPem }] }],
    directories: [
      {
        id: directoryId,
        organizationId,
        name: 'Demo directory',
        publicKeys: [{ pem: dir.publicPem }],
        webhookUrl: options.webhookUrl ?? null,
        denialContextInquiryEnabled: true,
      },
    ],
    services: [
      {
        id: serviceId,
        directoryId,
        name: 'Demo app',
        publicKeys: [{ pem: svc.publicPem }],
        callbackUrl: options.callbackUrl ?? null,
      },
    ],
    users: [
      {
        directoryId,
        identifier: username,
        devices: [
          {
            name: 'Demo phone',
            type: 'Android',
            factors: ['possession', 'knowledge', 'inherence'],
            jailbroken: false,
            location: options.location ?? {
              latitude: 45.5152,
              longitude: -122.6784,
              country: 'US',
              administrative_area: 'US-OR',
              postal_code: '97204',
            },
          },
        ],
      },
    ],
  };
  return {
    organizationId,
    directoryId,
    serviceId,
    organizationKey: org.privatePem,
    directoryKey: dir.privatePem,
    serviceKey: svc.privatePem,
    username,
    config,
  };
}
