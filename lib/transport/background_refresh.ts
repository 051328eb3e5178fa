/**
 * A background refresh of the state a webhook needs and cannot fetch for itself: the API's current
 * key and the API clock offset. A webhook that names a key id we do not hold, or fails only its time
 * checks before the offset was measured, asks for one and is answered 503; the API's retry then
 * finds the state in the cache.
 *
 * Requests come from unverified input, so they are rate-limited globally: at most one refresh starts per
 * interval, however many webhooks ask (docs/security.md, T5), and none while one runs. Failures are
 * swallowed: the refresh is best effort, and the next request after the interval tries again.
 */
import { ConfigurationError } from '../errors.js';

/** Options of {@link BackgroundRefresh}. */
export interface BackgroundRefreshOptions {
  /** Least seconds between the starts of two refreshes; default 10. */
  minInterval?: number;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

/** Runs a refresh task in the background, at most once per interval. */
export class BackgroundRefresh {
  private readonly _task: () => Promise<unknown>;
  private readonly _intervalMs: number;
  private readonly _now: () => number;
  private _lastStart: number | undefined;
  private _running: Promise<void> | undefined;

  constructor(task: () => Promise<unknown>, options: BackgroundRefreshOptions = {}) {
    const interval = options.minInterval ?? 10;
    if (!Number.isFinite(interval) || interval < 0) {
      throw new ConfigurationError('The refresh interval must be a non-negative number of seconds', {
        option: 'refreshInterval',
      });
    }
    this._task = task;
    this._intervalMs = interval * 1000;
    this._now = options.now ?? Date.now;
  }

  /**
   * Starts a refresh unless one is running or one started less than the interval ago; returns at
   * once, whether a refresh started.
   */
  request(): boolean {
    const now = this._now();
    if (this._running !== undefined) return false;
    if (this._lastStart !== undefined && now - this._lastStart < this._intervalMs) return false;
    this._lastStart = now;
    const running = Promise.resolve()
      .then(() => this._task())
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this._running = undefined;
      });
    this._running = running;
    return true;
  }

  /** Resolves when the refresh running now, if any, has finished (for tests and orderly shutdown). */
  async settled(): Promise<void> {
    await this._running;
  }
}
