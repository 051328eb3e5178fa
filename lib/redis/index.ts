/**
 * `passport-launchkey/redis`: the strategy's shared state on Redis, for apps that run several
 * instances (docs/architecture.md, "Where state lives"). Bring your own connected node-redis client
 * (`redis` >= 5, the client connect-redis uses):
 *
 * ```ts
 * const redis = createClient({ url: process.env.REDIS_URL }); await redis.connect();
 * passport.use(new Strategy({ serviceId, privateKey, ...redisState({ client: redis }) }, verify));
 * ```
 */
import type { RateLimiter } from '../passport/rate_limit.js';
import type { PendingStore } from '../passport/store.js';
import type { ReplayCache } from '../webhooks/replay_cache.js';
import type { RedisOptions } from './connection.js';
import { RedisRateLimiter } from './rate_limiter.js';
import { RedisReplayCache } from './replay_cache.js';
import { RedisStore, type RedisStoreOptions } from './store.js';

export { RedisStore, RedisReplayCache, RedisRateLimiter };
export type { RedisStoreOptions };
export type { RedisReplayCacheOptions } from './replay_cache.js';
export type { RedisRateLimiterOptions } from './rate_limiter.js';
export type { RedisClientLike, RedisClusterLike, RedisOptions, RedisSubscriberLike } from './connection.js';

/** Everything the strategy shares between instances, as strategy options to spread. */
export interface RedisState {
  store: PendingStore;
  replayCache: ReplayCache;
  rateLimit: { limiter: RateLimiter };
}

/**
 * The strategy's pending store, webhook replay cache and rate limiter on one Redis client, as
 * options to spread into `new Strategy({ ... })`. To set your own limits, keep the limiter:
 * `rateLimit: { ...state.rateLimit, perIp: { max: 20, window: 300_000 } }`.
 */
export function redisState(options: RedisStoreOptions): RedisState {
  const shared: RedisOptions = {
    client: options.client,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.commandTimeout === undefined ? {} : { commandTimeout: options.commandTimeout }),
  };
  return {
    store: new RedisStore(options),
    replayCache: new RedisReplayCache(shared),
    rateLimit: { limiter: new RedisRateLimiter(shared) },
  };
}
