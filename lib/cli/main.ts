/**
 * The process around {@link run}: real streams and environment, Ctrl-C as an abort signal, and
 * the exit status. A second Ctrl-C ends the process at once, as people expect.
 */
import { run } from './run.js';

/**
 * A reader that went away (`launchkey devices list alice | head -1`) is not an error of the
 * command: the command finishes (a pending push is still canceled) and exits with its own status.
 */
function ignoreClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
}

/** Runs the CLI with the process's arguments; sets `process.exitCode` (stdout is flushed, not cut). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  const interrupt = () => {
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  process.stdout.on('error', ignoreClosedPipe);
  process.stderr.on('error', ignoreClosedPipe);
  try {
    process.exitCode = await run(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
