/**
 * The help texts, written from the command specs so they list exactly what the parser accepts.
 * Variables are named, never read: no help text shows a credential's value.
 */
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import type { Command } from './command.js';
import { credentialHelp, credentialOptions } from './credentials.js';
import { EXIT, type ExitCode } from './exit_codes.js';
import type { OptionSpec, OptionSpecs } from './options.js';

/** The options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', description: 'print one JSON object per line on stdout instead of text' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** The exit statuses every command may use, with their general meaning. */
const GENERAL_EXITS: readonly (readonly [ExitCode, string])[] = [
  [EXIT.OK, 'success; for push, approved'],
  [EXIT.USAGE, 'usage error: a bad command, option or argument, missing or unusable credentials; nothing sent'],
  [EXIT.FAILURE, 'the API refused (unknown user, bad credentials, ...) or could not be reached or verified'],
  [EXIT.NOT_APPROVED, 'push not approved (denied, fraud, failed, expired, canceled); a pending link was removed'],
  [EXIT.TIMEOUT, 'gave up waiting (--timeout); a pending push was canceled'],
  [EXIT.INTERNAL, 'internal error (a bug in the CLI)'],
  [EXIT.INTERRUPTED, 'interrupted (Ctrl-C); a pending push was canceled'],
];

const COLUMN = 30;

function row(left: string, right: string): string[] {
  const head = `  ${left}`;
  if (head.length < COLUMN) return [`${head.padEnd(COLUMN)}${right}`];
  return [head, `${' '.repeat(COLUMN)}${right}`];
}

function optionRows(specs: OptionSpecs): string[] {
  return Object.entries(specs).flatMap(([name, spec]: [string, OptionSpec]) => {
    const flag = `${spec.short === undefined ? '' : `-${spec.short}, `}--${name}`;
    return row(spec.value === undefined ? flag : `${flag} ${spec.value}`, spec.description);
  });
}

function exitRows(exits: readonly (readonly [ExitCode, string])[]): string[] {
  return exits.map(([code, meaning]) => `  ${String(code).padEnd(5)}${meaning}`);
}

/** The usage line of a command. */
export function usageOf(command: Command): string {
  return ['Usage: launchkey', command.name, ...command.args, '[OPTIONS]'].join(' ');
}

/** `launchkey <command> --help`. */
export function commandHelp(command: Command): string[] {
  const own = new Set(command.exits.map(([code]) => code));
  const exits = [
    ...command.exits,
    ...GENERAL_EXITS.filter(([code]) => !own.has(code) && (code === EXIT.USAGE || code === EXIT.FAILURE)),
  ].sort(([a], [b]) => a - b);
  const ownOptions = Object.keys(command.options).length === 0 ? [] : optionRows(command.options);
  return [
    usageOf(command),
    '',
    ...command.description,
    '',
    'Options:',
    ...ownOptions,
    ...optionRows(COMMON_OPTIONS),
    '',
    'Credentials (an option wins over its variable):',
    ...credentialHelp(command.credentials).map((line) => `  ${line}`),
    ...optionRows(credentialOptions(command.credentials)),
    '',
    'JSON output (--json), one object per line:',
    ...command.json.map((line) => `  ${line}`),
    '',
    'Exit status:',
    ...exitRows(exits),
  ];
}

/** `launchkey <group> --help`: the commands of one group (`devices`, `sessions`, `keys`). */
export function groupHelp(group: string, commands: readonly Command[]): string[] {
  const members = commands.filter((c) => c.name.startsWith(`${group} `));
  return [
    `Usage: launchkey ${group} COMMAND [ARGS] [OPTIONS]`,
    '',
    'Commands:',
    ...members.flatMap((c) => row([c.name, ...c.args].join(' '), c.summary)),
    '',
    `Run "launchkey ${group} COMMAND --help" for one command's options.`,
  ];
}

/** `launchkey help`: everything at a glance. */
export function mainHelp(commands: readonly Command[]): string[] {
  return [
    `launchkey: operator commands for the LaunchKey Platform API v3 (${PACKAGE_NAME} ${PACKAGE_VERSION})`,
    '',
    'Usage: launchkey COMMAND [ARGS] [OPTIONS]',
    '',
    'Commands:',
    ...commands.flatMap((c) => row([c.name, ...c.args].join(' '), c.summary)),
    ...row('help [COMMAND]', 'show the help of a command'),
    '',
    'Every command takes --json (one JSON object per line on stdout) and -h, --help.',
    'Run "launchkey COMMAND --help" for its options, credentials, JSON output and exit statuses.',
    '',
    'Credentials come from options or from the environment (an option wins over its variable):',
    ...row('LAUNCHKEY_SERVICE_ID', 'and LAUNCHKEY_SERVICE_KEY: a service (push)'),
    ...row('LAUNCHKEY_DIRECTORY_ID', 'and LAUNCHKEY_DIRECTORY_KEY: a directory (devices, sessions, keys)'),
    ...row('LAUNCHKEY_ORGANIZATION_ID', 'and LAUNCHKEY_ORGANIZATION_KEY: an organization (any command)'),
    ...row('LAUNCHKEY_BASE_URL', 'the API; default https://api.launchkey.com'),
    '  A *_KEY variable holds the private key PEM or the path of its file; a --*-key option takes a path',
    '  only. The narrowest credentials given are used: service, then directory, then organization.',
    '',
    'Exit status:',
    ...exitRows(GENERAL_EXITS),
  ];
}
