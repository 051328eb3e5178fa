/**
 * `RedisRateLimiter`: the strategy's start limits and fraud cooldown ({@link RateLimiter}) on Redis,
 * so that limits count starts on every instance together. A fixed window per key (`INCR`, expiry set
 * with the first hit), and blocks as keys whose expiry is the block's end.
 */
import type { RateLimitDecision, RateLimiter, RateLimitRule } from '../passport/rate_limit.js';
import { RedisConnection, type RedisOptions } from './connection.js';
import { BLOCK, HIT, REFUND } from './scripts.js';

/** Options of {@link RedisRateLimiter}. */
export type RedisRateLimiterOptions = RedisOptions;

/** The shared {@link RateLimiter} on Redis. */
export class RedisRateLimiter implements RateLimiter {
  private readonly _redis: RedisConnection;

  constructor(options: RedisRateLimiterOptions) {
    this._redis = new RedisConnection(options, 'RedisRateLimiter');
  }

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const reply = await this._redis.run(HIT, [this._key('hits', key)], [rule.window]);
    const [count, left] = Array.isArray(reply) ? (reply as unknown[]).map(Number) : [NaN, NaN];
    if (count === undefined || !Number.isFinite(count)) return { allowed: false, retryAfter: rule.window };
    return count <= rule.max ? { allowed: true } : { allowed: false, retryAfter: Math.max(1, left ?? rule.window) };
  }

  async refund(key: string): Promise<void> {
    await this._redis.run(REFUND, [this._key('hits', key)], []);
  }

  async block(key: string, ms: number): Promise<void> {
    await this._redis.run(BLOCK, [this._key('block', key)], [Math.max(1, Math.ceil(ms))]);
  }

  async blockedFor(key: string): Promise<number> {
    const k = this._key('block', key);
    const left = Number(await this._redis.send(k, ['PTTL', k]));
    return Number.isFinite(left) && left > 0 ? left : 0;
  }

  private _key(kind: 'hits' | 'block', key: string): string {
    return `${this._redis.prefix}${kind}:${key}`;
  }
}
