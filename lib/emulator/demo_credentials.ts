/**
 * What `launchkey-emulator --demo` hands a newcomer: the credentials of the demo world, so an app can
 * be pointed at the emulator without making three key pairs by hand. Written to a folder as PEM files
 * and as one env file (`launchkey.env`, the variables the examples, the quick start and the
 * `launchkey` CLI read; multi-line values in double quotes, which `node --env-file` and dotenv read).
 */
import { chmodSync, existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { DemoWorld } from './demo_world.js';

/** Where the credentials were written, and the variables they hold. */
export interface DemoCredentials {
  folder: string;
  envFile: string;
  /** Variable name → value; the keys' values are their PEM files' paths here, never the keys. */
  summary: Record<string, string>;
}

/**
 * Writes the world's credentials into `folder` (a new temporary folder when not given): one PEM file
 * per private key (readable by the owner only) and `launchkey.env`.
 */
export function writeDemoCredentials(world: DemoWorld, baseUrl: string, folder?: string): DemoCredentials {
  const dir = folder === undefined ? mkdtempSync(join(tmpdir(), 'launchkey-demo-')) : resolve(folder);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = {
    SERVICE: world.serviceKey,
    DIRECTORY: world.directoryKey,
    ORGANIZATION: world.organizationKey,
  } as const;
  const ids = { SERVICE: world.serviceId, DIRECTORY: world.directoryId, ORGANIZATION: world.organizationId };
  const env: string[] = [`LAUNCHKEY_BASE_URL=${baseUrl}`];
  const summary: Record<string, string> = { LAUNCHKEY_BASE_URL: baseUrl };
  for (const entity of ['SERVICE', 'DIRECTORY', 'ORGANIZATION'] as const) {
    const path = join(dir, `${entity.toLowerCase()}.pem`);
    writeKeyFile(path, keys[entity]);
    env.push(`LAUNCHKEY_${entity}_ID=${ids[entity]}`, `LAUNCHKEY_${entity}_KEY="${keys[entity].trim()}"`);
    summary[`LAUNCHKEY_${entity}_ID`] = ids[entity];
    // Named as a file, not as the variable: LAUNCHKEY_*_KEY holds the PEM itself (launchkey.env has it).
    summary[`${entity.toLowerCase()} key file`] = path;
  }
  env.push(`LAUNCHKEY_DEMO_USERNAME=${world.username}`);
  const envFile = join(dir, 'launchkey.env');
  writeKeyFile(envFile, `${env.join('\n')}\n`);
  return { folder: dir, envFile, summary };
}

/**
 * Writes a file readable by its owner only. The mode of `writeFileSync` applies on creation only, so
 * a file already there is narrowed first, before it holds a key.
 */
function writeKeyFile(path: string, text: string): void {
  if (existsSync(path)) chmodSync(path, 0o600);
  writeFileSync(path, text, { mode: 0o600 });
}
