/**
 * Waiting for something the API will only tell when asked (a device link, a push's answer): ask,
 * sleep, ask again, until an answer, the command's deadline, or Ctrl-C.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** How a wait ended. */
export type PollResult<T> =
  { kind: 'done'; value: T } | { kind: 'timeout'; waitedMs: number } | { kind: 'interrupted' };

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Milliseconds between two questions. */
  intervalMs: number;
  /** Milliseconds after which the wait gives up. */
  timeoutMs: number;
  /** Ends the wait early (Ctrl-C). */
  signal: AbortSignal;
}

/**
 * Calls `check` until it returns something other than `undefined`. A question in flight is not
 * cut short by the deadline or the signal: the SDK's own request timeout bounds it, and an answer
 * that arrives is worth reporting.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<PollResult<T>> {
  const started = Date.now();
  for (;;) {
    if (options.signal.aborted) return { kind: 'interrupted' };
    const value = await check();
    if (value !== undefined) return { kind: 'done', value };
    const waited = Date.now() - started;
    const remaining = options.timeoutMs - waited;
    if (remaining <= 0) return { kind: 'timeout', waitedMs: waited };
    try {
      await sleep(Math.min(options.intervalMs, remaining), undefined, { signal: options.signal });
    } catch {
      // Only the signal rejects the sleep.
      return { kind: 'interrupted' };
    }
  }
}
