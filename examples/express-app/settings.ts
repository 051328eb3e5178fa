// Where the demo gets its LaunchKey from: the environment names a real API, or nothing does and
// the demo starts the emulator in-process.
import { existsSync, readFileSync } from 'node:fs';

/** A real LaunchKey API, from LAUNCHKEY_* variables. */
export interface RealApiSettings {
  baseUrl: string;
  serviceId: string;
  serviceKey: string;
  directory: { id: string; key: string } | undefined;
}

/** A PEM given inline, or the path of a file holding it. */
function pemOrPath(value: string, name: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  if (!existsSync(value)) throw new Error(`${name} is neither a PEM key nor the path of a file`);
  return readFileSync(value, 'utf8');
}

/** The real API settings, or `undefined` to use the emulator. */
export function realApiSettings(env: NodeJS.ProcessEnv): RealApiSettings | undefined {
  const baseUrl = env['LAUNCHKEY_BASE_URL'];
  const serviceId = env['LAUNCHKEY_SERVICE_ID'];
  const serviceKey = env['LAUNCHKEY_SERVICE_KEY'];
  if (!baseUrl || !serviceId || !serviceKey) return undefined;
  const directoryId = env['LAUNCHKEY_DIRECTORY_ID'];
  const directoryKey = env['LAUNCHKEY_DIRECTORY_KEY'];
  return {
    baseUrl,
    serviceId,
    serviceKey: pemOrPath(serviceKey, 'LAUNCHKEY_SERVICE_KEY'),
    directory:
      directoryId && directoryKey
        ? { id: directoryId, key: pemOrPath(directoryKey, 'LAUNCHKEY_DIRECTORY_KEY') }
        : undefined,
  };
}

/** PORT when set (0 picks a free port); otherwise 3000, or a free port when 3000 is taken. */
export function portSetting(env: NodeJS.ProcessEnv): { port: number; fallback: boolean } {
  const raw = env['PORT'];
  if (raw === undefined || raw === '') return { port: 3000, fallback: true };
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT=${raw} is not a port number`);
  return { port, fallback: false };
}
