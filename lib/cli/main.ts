/**
 * The process around {@link run}: real streams and environment, Ctrl-C as an abort signal, and
 * the exit status. A second Ctrl-C ends the process at once, as people expect.
 */
import { run } from './run.js';

/** Runs the CLI with the process's arguments; sets `process.exitCode` (stdout is flushed, not cut). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  const interrupt = () => {
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
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
