/**
 * Runs a piece of code in a fresh Node process (TypeScript through tsx, like the specs), for what one
 * process cannot show twice: a time zone set before the first Date, a once-per-process warning.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** A module of the repository as an import specifier the child resolves from anywhere. */
export function repoModule(path: string): string {
  return new URL(path, new URL(`file://${ROOT}`)).href;
}

/** Runs `source` (an ES module; import the repository with {@link repoModule}) and returns its output. */
export async function runInChild(
  source: string,
  env: Record<string, string | undefined> = {},
): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', source], {
    cwd: ROOT,
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
  return { stdout, stderr };
}
