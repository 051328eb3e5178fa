/**
 * `launchkey-emulator [--host 127.0.0.1] [--port 8480] [--config FILE] [--api-key FILE] [--allow-remote]
 * [--public-url URL] [--public-host NAME[:PORT]]... [--demo [--callback-url URL] [--credentials DIR]]`:
 * runs the emulator until interrupted and prints one line with its URL once listening. `--demo` starts
 * it with the demo world (an organization, a directory, a service and the user `demo` with a linked
 * phone; `--callback-url` is the service's webhook URL) and writes the world's credentials to
 * `--credentials` (default a new temporary folder): one PEM file per key and `launchkey.env`; the
 * lines after the first name the ids and the files, never a key. `--public-url` is the `publicUrl` option: the base URL the
 * emulator advertises in the absolute URLs it hands out (a device link's `qrcode`); its host is
 * accepted by the control API without a `--public-host`. `--public-host` (repeatable) is the
 * `publicHosts` option: a further name the control API answers to besides localhost and IP addresses.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { writeDemoCredentials } from './demo_credentials.js';
import { createDemoWorld } from './demo_world.js';
import { isHttpUrl } from './public_url.js';
import { startEmulator, type EmulatorOptions } from './start.js';

const USAGE =
  'Usage: launchkey-emulator [--host 127.0.0.1] [--port 8480] [--config FILE] [--api-key PEM_FILE] [--allow-remote] [--public-url URL] [--public-host NAME[:PORT]]... [--demo [--callback-url URL] [--credentials DIR]]';

/** Runs the CLI with `argv` (without node and script); resolves once listening. */
export async function runCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8480' },
      config: { type: 'string' },
      'api-key': { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
      'public-url': { type: 'string' },
      'public-host': { type: 'string', multiple: true },
      demo: { type: 'boolean', default: false },
      'callback-url': { type: 'string' },
      credentials: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port ${values.port}`);
  const options: EmulatorOptions = { host: values.host, port, allowRemote: values['allow-remote'] };
  if (values.config !== undefined) options.config = values.config;
  if (values['api-key'] !== undefined) options.apiPrivateKey = readFileSync(values['api-key'], 'utf8');
  if (values['public-host'] !== undefined) options.publicHosts = values['public-host'];
  if (values['public-url'] !== undefined) options.publicUrl = values['public-url'];
  if (!values.demo && (values['callback-url'] !== undefined || values.credentials !== undefined)) {
    throw new Error('--callback-url and --credentials go with --demo');
  }
  if (values.demo && values.config !== undefined) throw new Error('--demo and --config are exclusive');
  const callbackUrl = values['callback-url'];
  if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) {
    throw new Error(`Invalid --callback-url ${String(values['callback-url'])}: an http(s) URL`);
  }
  const world = values.demo ? await createDemoWorld({ callbackUrl: callbackUrl ?? null }) : undefined;
  if (world !== undefined) options.config = world.config;
  const emu = await startEmulator(options);
  console.log(`LaunchKey emulator listening on ${emu.url} (phone: ${emu.publicUrl}/emulator/)`);
  if (world !== undefined) {
    const written = writeDemoCredentials(world, emu.url, values.credentials);
    const shown = relative(process.cwd(), written.envFile);
    console.log(`Demo world: user "${world.username}" with a linked phone. Credentials (keys in files, mode 600):`);
    for (const [name, value] of Object.entries(written.summary)) {
      console.log(name.endsWith(' file') ? `  ${name}: ${value}` : `  ${name}=${value}`);
    }
    console.log(`Env file: ${written.envFile}`);
    console.log(`  e.g. node --env-file=${shown.startsWith('..') ? written.envFile : shown} your-app.js`);
  }
  const stop = () => {
    void emu.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runCli(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`launchkey-emulator: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    process.exit(1);
  });
}
