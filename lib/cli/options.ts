/**
 * Option parsing for the commands: `node:util` `parseArgs` (strict) over option specs that also
 * write the help, so what `--help` lists is exactly what is accepted. Its errors become
 * {@link UsageError}s that name the option and never repeat a value (a mistyped `--servce-key=...`
 * must not print the key).
 */
import { parseArgs } from 'node:util';

import { UsageError } from '../errors.js';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** May be given several times (string options). */
  multiple?: boolean;
  /** One-letter alias. */
  short?: string;
  /** Placeholder of the value in the help, e.g. `SECONDS`. */
  value?: string;
  /** One line for the help. */
  description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed options of one command line, read through typed accessors. */
export class ParsedOptions {
  constructor(private readonly _values: Readonly<Record<string, unknown>>) {}

  /** A string option's value, or `undefined` when absent. */
  string(name: string): string | undefined {
    const value = this._values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** Every value of a repeatable string option, in order. */
  strings(name: string): string[] {
    const value = this._values[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  /** Whether a boolean option was given. */
  flag(name: string): boolean {
    return this._values[name] === true;
  }
}

/** What the parser gives a command: its options and its positional arguments. */
export interface CommandLine {
  options: ParsedOptions;
  positionals: string[];
}

/** Parses `argv` against `specs`; anything unknown or malformed is a {@link UsageError}. */
export function parseCommandLine(argv: readonly string[], specs: OptionSpecs): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.multiple === true ? { multiple: true } : {}),
      ...(spec.short === undefined ? {} : { short: spec.short }),
    };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { options: new ParsedOptions(values), positionals };
  } catch (err) {
    throw usageFromParseError(err);
  }
}

/**
 * The UsageError for a `parseArgs` failure. Its messages name options, never values; the
 * unknown-option one is shortened, since its advice about `--` is about positionals, not typos.
 */
function usageFromParseError(err: unknown): UsageError {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  const option = /'(-[^' ]*)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    return new UsageError(`unknown option ${option}`, { argument: option, cause: err });
  }
  return new UsageError(message, { ...(option === undefined ? {} : { argument: option }), cause: err });
}

/** The positional arguments, exactly as many as `names` (e.g. `['USER', 'DEVICE_ID']`). */
export function requirePositionals(positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length !== names.length) {
    // The count only: a stray argument may be something pasted by mistake, such as a key.
    const expected = names.length === 0 ? 'no arguments' : names.join(' ');
    throw new UsageError(`expected ${expected}, got ${positionals.length} argument(s)`);
  }
  return positionals.map((value, i) => {
    if (value.trim() === '') throw new UsageError(`${names[i] ?? 'argument'} must not be empty`);
    return value;
  });
}

/** A whole number of seconds from `min` to `max` given to `--name`. */
export function wholeSeconds(value: string, option: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${option} must be a whole number of seconds from ${min} to ${max}`, { argument: option });
  }
  return n;
}

/** A duration in seconds (decimals allowed, at least 10 ms) given to `--name`, in milliseconds. */
export function durationMs(value: string, option: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0.01 || n > 86_400) {
    throw new UsageError(`${option} must be a number of seconds from 0.01 to 86400`, { argument: option });
  }
  return Math.round(n * 1000);
}
