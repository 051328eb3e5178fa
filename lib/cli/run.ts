/**
 * `run(argv, io)`: the whole CLI as a function of its arguments and its process's streams and
 * environment, so specs run commands in-process exactly as the bin does. It never exits the
 * process nor throws: it resolves to the exit status, having written the result or the error.
 */
import { UsageError } from '../errors.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import type { Command } from './command.js';
import { devicesLink, devicesList, devicesUnlink } from './commands/devices.js';
import { keysAdd, keysList } from './commands/keys.js';
import { push } from './commands/push.js';
import { sessionsEnd, sessionsList } from './commands/sessions.js';
import { Credentials, credentialOptions } from './credentials.js';
import { EXIT, exitCodeFor } from './exit_codes.js';
import { hintFor } from './hints.js';
import { COMMON_OPTIONS, commandHelp, groupHelp, mainHelp } from './help.js';
import { parseCommandLine, requirePositionals } from './options.js';
import { Output, type CliIo } from './output.js';
import { terminalLines } from './terminal_text.js';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  devicesLink,
  devicesList,
  devicesUnlink,
  sessionsList,
  sessionsEnd,
  push,
  keysList,
  keysAdd,
];

const GROUPS = new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0] ?? ''));

/** The arguments before `--`, where options are options. */
function optionPart(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** A word safe to repeat in a message: a command name, not something pasted by mistake. */
const printable = (word: string) => (/^[a-z][a-z-]{0,30}$/.test(word) ? ` ${word}` : '');

function find(words: readonly string[]): Command | undefined {
  const [first, second] = words;
  return COMMANDS.find((c) => c.name === `${first} ${second}`) ?? COMMANDS.find((c) => c.name === first);
}

/** Runs the CLI; resolves to the exit status. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const out = new Output(io, optionPart(argv).includes('--json'));
  // What the usage hint of an error points at, narrowed as the arguments are understood.
  let topic = 'launchkey help';
  let command: Command | undefined;
  const write = (lines: readonly string[], stream: 'stdout' | 'stderr' = 'stdout') => {
    io[stream].write(terminalLines(lines));
    return EXIT.OK;
  };
  try {
    const [first, second] = argv;
    if (first === undefined) {
      write(mainHelp(COMMANDS), 'stderr');
      return EXIT.USAGE;
    }
    if (isHelp(first)) return write(mainHelp(COMMANDS));
    if (first === '--version') return write([`launchkey (${PACKAGE_NAME}) ${PACKAGE_VERSION}`]);
    if (first === 'help') return write(helpTopic(argv.slice(1)));
    if (first.startsWith('-')) throw new UsageError('the command comes first: launchkey COMMAND [ARGS] [OPTIONS]');

    command = find(argv);
    if (command === undefined) {
      if (GROUPS.has(first)) {
        if (isHelp(second)) return write(groupHelp(first, COMMANDS));
        topic = `launchkey ${first} --help`;
        const names = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.split(' ')[1]);
        throw new UsageError(
          second === undefined || second.startsWith('-')
            ? `${first} needs a command: ${names.join(', ')}`
            : `unknown ${first} command${printable(second)}: ${names.join(', ')}`,
        );
      }
      throw new UsageError(`unknown command${printable(first)}`);
    }
    topic = `launchkey ${command.name} --help`;
    const rest = argv.slice(command.name.split(' ').length);
    if (optionPart(rest).some(isHelp)) return write(commandHelp(command));

    const { options, positionals } = parseCommandLine(rest, {
      ...command.options,
      ...COMMON_OPTIONS,
      ...credentialOptions(command.credentials),
    });
    const args = requirePositionals(positionals, command.args);
    const cwd = io.cwd ?? process.cwd();
    return await command.run({
      args,
      options,
      out,
      credentials: new Credentials(command.credentials, options, io.env, cwd),
      signal: io.signal ?? new AbortController().signal,
      cwd,
    });
  } catch (err) {
    const code = exitCodeFor(err);
    out.error(err, code === EXIT.USAGE ? `Run "${topic}" for usage.` : hintFor(err, command));
    return code;
  }
}

/** `launchkey help [COMMAND...]`. */
function helpTopic(words: readonly string[]): string[] {
  if (words.length === 0) return mainHelp(COMMANDS);
  const command = find(words);
  if (command !== undefined && command.name.split(' ').length === words.length) return commandHelp(command);
  const [first = ''] = words;
  if (words.length === 1 && GROUPS.has(first)) return groupHelp(first, COMMANDS);
  throw new UsageError(`no help: unknown command${printable(first)}`);
}
