/**
 * Runs `launchkey` commands in-process through `run(argv, io)` against an emulator over loopback,
 * recording stdout and stderr, and checks every run's output for private key material: no command,
 * error or help may print any part of a private key, whatever the spec is about.
 */
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';

import { run } from '../../lib/cli/index.js';
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { startEmulator, type AuthSummary, type Emulator } from '../../lib/emulator/index.js';
import { IDS, KEYS, baseConfig } from '../support/emulator_client.js';

export { IDS, KEYS };

export type Env = Record<string, string | undefined>;

/** What one run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON lines. */
  json(): Record<string, unknown>[];
  /** stderr as one JSON error object (`--json`). */
  error(): { code: string; message: string; exitCode: number; retryable: boolean; [key: string]: unknown };
}

/** Options of {@link cli}. */
export interface CliOptions {
  cwd?: string;
  signal?: AbortSignal;
  /** Called with each complete stdout line as it is written (to act on a linking code). */
  onLine?: (line: string) => void;
}

/** Private keys no output may contain any part of. */
const secrets: string[] = Object.values(KEYS);

/** Adds private keys (PEM) to those every run is checked against. */
export function guardKeys(...pems: string[]): void {
  secrets.push(...pems);
}

/**
 * The parts of a private key PEM that betray it: the armour, and each base64 line of its body that
 * is not also a line of its public key (those share the modulus, which is public).
 */
function fragments(pem: string): string[] {
  const bodyLines = (text: string) =>
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length >= 16 && !l.startsWith('-----'));
  const publicLines = new Set(bodyLines(loadPrivateKey(pem).publicKey.pem));
  return ['PRIVATE KEY', ...bodyLines(pem).filter((l) => !publicLines.has(l))];
}

/** Asserts that `text` holds no part of any guarded private key. */
export function expectNoKeyMaterial(text: string): void {
  for (const pem of secrets) {
    for (const fragment of fragments(pem)) {
      expect(text.includes(fragment), `output contains private key material: ${fragment.slice(0, 12)}...`).to.equal(
        false,
      );
    }
  }
}

/** Runs `launchkey ...argv` with `env` and records what it printed. */
export async function cli(argv: string[], env: Env, options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let pending = '';
  const code = await run(argv, {
    stdout: {
      write(text: string) {
        stdout += text;
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) options.onLine?.(line);
      },
    },
    stderr: {
      write(text: string) {
        stderr += text;
      },
    },
    env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  expectNoKeyMaterial(stdout);
  expectNoKeyMaterial(stderr);
  return {
    code,
    stdout,
    stderr,
    json: () =>
      stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    error: () => (JSON.parse(stderr) as { error: ReturnType<CliResult['error']> }).error,
  };
}

/** An emulator with the spec world (`baseConfig`: org, directory, services, alice, bob). */
export async function startWorld(): Promise<Emulator> {
  return startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
}

/** Credentials of the directory service, as a service holds them. */
export const serviceEnv = (emu: Emulator): Env => ({
  LAUNCHKEY_BASE_URL: emu.url,
  LAUNCHKEY_SERVICE_ID: IDS.dirSvc,
  LAUNCHKEY_SERVICE_KEY: KEYS.svc,
});

/** Credentials of the directory. */
export const directoryEnv = (emu: Emulator): Env => ({
  LAUNCHKEY_BASE_URL: emu.url,
  LAUNCHKEY_DIRECTORY_ID: IDS.dir,
  LAUNCHKEY_DIRECTORY_KEY: KEYS.dir,
});

/** Credentials of the organization. */
export const organizationEnv = (emu: Emulator): Env => ({
  LAUNCHKEY_BASE_URL: emu.url,
  LAUNCHKEY_ORGANIZATION_ID: IDS.org,
  LAUNCHKEY_ORGANIZATION_KEY: KEYS.org,
});

/** The pending authorization request of `username`, once the command has sent it. */
export async function pendingAuth(emu: Emulator, username: string): Promise<AuthSummary> {
  for (let i = 0; i < 500; i++) {
    const [auth] = emu.auths({ status: 'pending', username });
    if (auth !== undefined) return auth;
    await sleep(10);
  }
  throw new Error(`no pending authorization request for ${username}`);
}

/** Fast polling, so specs that wait do not wait long. */
export const FAST = ['--poll-interval', '0.02'];
