/**
 * The exit statuses of `launchkey`, and which error means which. A script branches on them, so
 * they are part of the public interface (README "The operator CLI"): add, never renumber.
 */
import {
  ConfigurationError,
  InvalidArgumentError,
  InvalidPolicyError,
  LaunchKeyError,
  UsageError,
  WaitTimeoutError,
} from '../errors.js';

export const EXIT = {
  /** Done; for `push`, the user approved. */
  OK: 0,
  /** The command line or the credentials are wrong; nothing was sent. */
  USAGE: 1,
  /** The API refused (unknown user, bad credentials, ...) or could not be reached or verified. */
  FAILURE: 2,
  /** The push was not approved (denied, fraud, failed, expired, canceled), or a pending link vanished. */
  NOT_APPROVED: 3,
  /** The command's own `--timeout` passed while waiting. */
  TIMEOUT: 4,
  /** A bug in the CLI: an error it does not know. */
  INTERNAL: 70,
  /** Interrupted (Ctrl-C) while waiting; a pending push was canceled first. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit status for an error a command threw. */
export function exitCodeFor(err: unknown): ExitCode {
  // Local refusals of what the user typed: nothing reached the API.
  if (
    err instanceof UsageError ||
    err instanceof ConfigurationError ||
    err instanceof InvalidArgumentError ||
    err instanceof InvalidPolicyError
  ) {
    return EXIT.USAGE;
  }
  if (err instanceof WaitTimeoutError) return EXIT.TIMEOUT;
  if (err instanceof LaunchKeyError) return EXIT.FAILURE;
  return EXIT.INTERNAL;
}
