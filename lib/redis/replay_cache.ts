/**
 * `RedisReplayCache`: the webhook replay cache ({@link ReplayCache}) on Redis, so that a webhook
 * replayed to another instance is refused there too. One key per token id, `SET NX` with the
 * token's remaining acceptance time as its expiry.
 */
import type { ReplayCache } from '../webhooks/replay_cache.js';
import { RedisConnection, type RedisOptions } from './connection.js';

/** Options of {@link RedisReplayCache}. */
export type RedisReplayCacheOptions = RedisOptions;

/** The shared {@link ReplayCache} on Redis. */
export class RedisReplayCache implements ReplayCache {
  private readonly _redis: RedisConnection;

  constructor(options: RedisReplayCacheOptions) {
    this._redis = new RedisConnection(options, 'RedisReplayCache');
  }

  /**
   * Remembers `key` for `ttlSeconds`, atomically (`SET NX PX`): resolves `true` when the key was new,
   * `false` for a replay. Fails closed: an unreachable Redis rejects.
   */
  async remember(key: string, ttlSeconds: number): Promise<boolean> {
    // At least one second: a token at the edge of its window must still not replay at once.
    const ms = Math.ceil((Number.isFinite(ttlSeconds) && ttlSeconds > 1 ? ttlSeconds : 1) * 1000);
    const k = this._key(key);
    return (await this._redis.send(k, ['SET', k, '1', 'NX', 'PX', String(ms)])) === 'OK';
  }

  async forget(key: string): Promise<void> {
    const k = this._key(key);
    await this._redis.send(k, ['DEL', k]);
  }

  private _key(key: string): string {
    return `${this._redis.prefix}seen:${key}`;
  }
}
