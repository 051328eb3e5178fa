/**
 * Where the CLI writes, and in which form. Results go to stdout: text for people, or with `--json`
 * one JSON object per line (README "The operator CLI" documents each shape). Progress notes go to
 * stderr and only in text mode, so stdout stays exactly the result and a JSON reader never meets
 * prose. Errors go to stderr in the chosen form. Text is written through `terminalLines`, so no value
 * the API returned can drive the operator's terminal (docs/security.md, "Hostile input").
 */
import { ApiError, InvalidArgumentError, LaunchKeyError, UsageError } from '../errors.js';
import { exitCodeFor } from './exit_codes.js';
import { jsonLine, terminalLines } from './terminal_text.js';

/** A stream the CLI writes to: `process.stdout`, or a spec's recorder. */
export interface TextSink {
  write(text: string): unknown;
}

/** What `run` needs from its process, injectable so specs run commands in-process. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** The environment credentials are read from (`LAUNCHKEY_*`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative key file paths are resolved against; default `process.cwd()`. */
  cwd?: string;
  /** Aborted on Ctrl-C: a waiting command stops, cancelling a pending push first. */
  signal?: AbortSignal;
}

/** The JSON form of an error, on stderr with `--json`. */
export interface ErrorJson {
  error: {
    code: string;
    message: string;
    exitCode: number;
    retryable: boolean;
    /** The option, argument or environment variable at fault (usage errors). */
    argument?: string;
    /** HTTP status of an API refusal. */
    status?: number;
    /** The API's own code of a refusal, e.g. `SVC-005`. */
    apiErrorCode?: string;
  };
}

/** The JSON form of any error the CLI reports. */
export function errorJson(err: unknown): ErrorJson {
  const exitCode = exitCodeFor(err);
  if (!(err instanceof LaunchKeyError)) {
    return { error: { code: 'ERR_LK_CLI_INTERNAL', message: messageOf(err), exitCode, retryable: false } };
  }
  const json: ErrorJson = { error: { code: err.code, message: err.message, exitCode, retryable: err.retryable } };
  if (err instanceof UsageError && err.argument !== undefined) json.error.argument = err.argument;
  if (err instanceof InvalidArgumentError) json.error.argument = err.argument;
  if (err instanceof ApiError) {
    json.error.status = err.status;
    json.error.apiErrorCode = err.errorCode;
  }
  return json;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Writes one command's results, notes and errors in text or JSON form. */
export class Output {
  constructor(
    private readonly _io: CliIo,
    /** Whether `--json` was given. */
    readonly json: boolean,
  ) {}

  /** A result: `text` (lines) for people, `value` as one JSON line with `--json`. */
  result(text: string | readonly string[], value: object): void {
    if (this.json) this._io.stdout.write(jsonLine(value));
    else this._io.stdout.write(terminalLines(text));
  }

  /** A progress note for people (stderr); nothing with `--json`. */
  note(text: string): void {
    if (!this.json) this._io.stderr.write(terminalLines(text));
  }

  /** Reports an error on stderr; `hint` (text mode only) says where usage is explained. */
  error(err: unknown, hint?: string): void {
    if (this.json) {
      this._io.stderr.write(jsonLine(errorJson(err)));
      return;
    }
    const text =
      err instanceof LaunchKeyError
        ? `launchkey: ${err.message} (${err.code})`
        : `launchkey: internal error: ${messageOf(err)}`;
    this._io.stderr.write(terminalLines(hint === undefined ? text : [text, hint]));
  }
}
