/**
 * The Lua scripts that make the store's compare-and-set operations atomic (docs/architecture.md,
 * "Where state lives"). Every script touches the keys of one login only, which share a hash tag,
 * so each runs on one Redis Cluster node.
 *
 * A record is a hash: `d` the JSON the strategy wrote, `s` the status, and once final `f` (when)
 * and `o` (the device's answer as JSON, or empty). Keeping the changing parts in their own fields
 * means no script parses JSON: Lua's cjson would round numbers to 14 digits.
 */
import { script } from './connection.js';

/** KEYS rec, orphan · ARGV data, ttlMs, channel, id → 1. Applies a waiting orphan outcome. */
export const SET = script(`
redis.call('DEL', KEYS[1])
local orphan = redis.call('HMGET', KEYS[2], 's', 'f', 'o')
if orphan[1] then
  redis.call('HSET', KEYS[1], 'd', ARGV[1], 's', orphan[1], 'f', orphan[2], 'o', orphan[3])
  redis.call('DEL', KEYS[2])
else
  redis.call('HSET', KEYS[1], 'd', ARGV[1], 's', 'pending')
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`);

/**
 * KEYS rec, orphan · ARGV status, at, response, orphanTtlMs, channel, id → 'completed' |
 * 'unchanged' | 'orphan'. The first final outcome wins, for records and orphans alike. A canceled
 * outcome is never kept as an orphan (store.ts, completeIfPending).
 */
export const COMPLETE = script(`
local status = redis.call('HGET', KEYS[1], 's')
if not status then
  if ARGV[1] == 'canceled' then return 'unchanged' end
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('HSET', KEYS[2], 's', ARGV[1], 'f', ARGV[2], 'o', ARGV[3])
    redis.call('PEXPIRE', KEYS[2], ARGV[4])
  end
  return 'orphan'
end
if status ~= 'pending' then return 'unchanged' end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'f', ARGV[2], 'o', ARGV[3])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 'completed'
`);

/** KEYS rec, claim · ARGV owner, ttlMs → the record's fields when claimed, else nil. */
export const CLAIM = script(`
if redis.call('HGET', KEYS[1], 's') ~= 'approved' then return nil end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return nil end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return redis.call('HMGET', KEYS[1], 'd', 's', 'f', 'o')
`);

/** KEYS key · ARGV token → 1 when `token` held it and it was deleted. Releases claims and locks. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`);

/** KEYS rec, claim, lease · ARGV channel, id → the record's fields, or nil; deletes the login. */
export const TAKE = script(`
local fields = redis.call('HMGET', KEYS[1], 'd', 's', 'f', 'o')
if not fields[1] then return nil end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return fields
`);

/** KEYS rec, lease · ARGV owner, ttlMs → 1 when `owner` now holds the poll lease of a pending record. */
export const POLL_LEASE = script(`
if redis.call('HGET', KEYS[1], 's') ~= 'pending' then return 0 end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** KEYS lock · ARGV token, ttlMs → the token holding the lock after the call. */
export const LOCK = script(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return holder end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`);

/** KEYS lock · ARGV token, nextToken, ttlMs → 1 when released (or handed over to `nextToken`). */
export const UNLOCK = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
`);

/** KEYS revocation · ARGV at, ttlMs → 1. Keeps the latest time, renews the expiry. */
export const REVOKE = script(`
local current = tonumber(redis.call('GET', KEYS[1]) or '')
local at = tonumber(ARGV[1])
if current and current > at then at = current end
redis.call('SET', KEYS[1], string.format('%.0f', at), 'PX', ARGV[2])
return 1
`);

/**
 * KEYS counter · ARGV windowMs → { count, ms left in the window }. Counts refused hits too, so
 * hammering does not reopen the window.
 */
export const HIT = script(`
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return { count, left }
`);

/** KEYS counter → 1. Gives one hit back (an approved login), never below zero. */
export const REFUND = script(`
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count and count > 0 then redis.call('DECR', KEYS[1]) end
return 1
`);

/** KEYS block · ARGV ms → 1. A block in place that ends later is kept (never shortened). */
export const BLOCK = script(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
`);
