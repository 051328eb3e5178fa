/**
 * What a command is: its name, what it says in the help, the options it accepts and the code that
 * runs it. The dispatcher (`run.ts`) and the help (`help.ts`) both read these, so they cannot
 * drift apart.
 */
import type { CredentialNeed, Credentials } from './credentials.js';
import type { ExitCode } from './exit_codes.js';
import type { OptionSpecs, ParsedOptions } from './options.js';
import type { Output } from './output.js';

/** What a running command gets. */
export interface CommandContext {
  /** The positional arguments, as many as the command's `args`. */
  args: readonly string[];
  options: ParsedOptions;
  out: Output;
  credentials: Credentials;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Directory relative file arguments are resolved against. */
  cwd: string;
}

/** One command, e.g. `devices link`. */
export interface Command {
  /** The words that select it: `devices link`, `push`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Placeholders of the positional arguments, e.g. `['USER', 'DEVICE_ID']`. */
  args: readonly string[];
  /** Paragraphs of `--help`, before the options. */
  description: readonly string[];
  /** The command's own options; the common ones and the credentials are added. */
  options: OptionSpecs;
  credentials: CredentialNeed;
  /** The exit statuses the command uses beyond 1 and 2, with their meaning for it. */
  exits: readonly (readonly [ExitCode, string])[];
  /** What an API 404 means for this command, shown under the error (e.g. "unknown user"). */
  notFound?: string;
  /** The JSON objects it prints with `--json`, one per line, as the help shows them. */
  json: readonly string[];
  run(context: CommandContext): Promise<ExitCode>;
}
