/**
 * Replay protection for webhooks (docs/security.md, T2): each verified token's `iss|jti` is remembered until
 * the token could no longer pass the time checks anyway, and a second delivery is refused.
 *
 * {@link ReplayCache} is the interface a shared store (Redis `SET key 1 NX EX ttl`, ...) implements so
 * that several processes refuse each other's replays; {@link MemoryReplayCache} is the in-process one.
 */
import { ConfigurationError, ReplayCacheError } from '../errors.js';

/** A check-and-set store of seen token ids. */
export interface ReplayCache {
  /**
   * Remembers `key` for `ttlSeconds`, atomically: resolves `true` when the key was new, `false` when
   * it was already remembered and has not expired (a replay).
   *
   * Implementations must fail closed: when they cannot remember (full, unreachable), they reject
   * rather than resolve `true`.
   */
  remember(key: string, ttlSeconds: number): Promise<boolean>;

  /**
   * Optional, and strongly advised: forgets `key`, so a redelivery of that token is processed.
   * `verifyWebhook` calls it itself when a delivery fails after its reservation (decryption, a key
   * not yet in the ring, a package that does not decode), and a receiver calls it (through
   * `ServiceClient.releaseWebhook`) when it verified a webhook but could not act on it, e.g. its store
   * was down and it answered 503.
   *
   * Without it, the reservation stays until its TTL: a redelivery of the very same token (same
   * `jti`) within the token's acceptance window is taken for a replay, answered 204, and the event
   * is lost; a retry with a fresh token is not affected.
   */
  forget?(key: string): Promise<void>;
}

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /** Most entries held at once; default 10 000. */
  maxEntries?: number;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

/**
 * In-process {@link ReplayCache}: bounded, expiring, never evicting an unexpired entry. Only one
 * process sees it, so deployments with several instances need a shared implementation.
 */
export class MemoryReplayCache implements ReplayCache {
  private readonly _maxEntries: number;
  private readonly _now: () => number;
  /** key → expiry (ms). Insertion order ≈ expiry order, since token lifetimes are short and alike. */
  private readonly _entries = new Map<string, number>();

  constructor(options: MemoryReplayCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ConfigurationError('MemoryReplayCache option maxEntries must be a positive integer', {
        option: 'maxEntries',
      });
    }
    this._maxEntries = max;
    this._now = options.now ?? Date.now;
  }

  /** Number of entries held, expired or not. */
  get size(): number {
    return this._entries.size;
  }

  /** {@inheritDoc ReplayCache.remember} */
  remember(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this._now();
    // Cheap amortised clean-up from the oldest end.
    for (const [oldest, expiry] of this._entries) {
      if (expiry > now) break;
      this._entries.delete(oldest);
    }
    const expiry = this._entries.get(key);
    if (expiry !== undefined) {
      if (expiry > now) return Promise.resolve(false);
      this._entries.delete(key);
    }
    if (this._entries.size >= this._maxEntries) {
      // Lifetimes can differ, so an expired entry may hide behind an unexpired one: sweep them all.
      for (const [k, e] of this._entries) if (e <= now) this._entries.delete(k);
      if (this._entries.size >= this._maxEntries)
        return Promise.reject(
          new ReplayCacheError(
            'full',
            `The replay cache holds ${this._maxEntries} unexpired entries and cannot take more`,
          ),
        );
    }
    // At least one second: a token at the edge of its window must still not replay at once.
    const ttl = Number.isFinite(ttlSeconds) && ttlSeconds > 1 ? ttlSeconds : 1;
    this._entries.set(key, now + ttl * 1000);
    return Promise.resolve(true);
  }

  forget(key: string): Promise<void> {
    this._entries.delete(key);
    return Promise.resolve();
  }
}
