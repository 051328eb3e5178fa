/**
 * `RedisStore`: the strategy's {@link PendingStore} on Redis, shared by every instance of the app.
 *
 * Keys (all under the `prefix`, all with a TTL):
 * - `{<id>}:rec` the login (a hash, see scripts.ts), `{<id>}:orphan` an answer that came before the
 *   login was stored, `{<id>}:claim` the completion working on an approval, `{<id>}:poll` the poll
 *   lease. The braces are a Redis Cluster hash tag: one login's keys live on one node, so every
 *   script runs there atomically.
 * - `lock:<key>` short locks (the starts of one browser session); `revoked:<hash>` session-end
 *   revocations read by `sessionGuard()`.
 * - the channel `changes` carries the id of each changed login to every instance.
 *
 * When Redis is unreachable or slow, every operation rejects with `StoreUnavailableError` at once
 * (fail closed: nobody logs in, a webhook is answered 503 and delivered again) and works again when
 * node-redis has reconnected, without a restart.
 */
import { ConfigurationError } from '../errors.js';
import type { AuthorizationResponse } from '../entities/auth_response.js';
import type {
  ChangeListener,
  CompletionResult,
  FinalOutcome,
  FinalStatus,
  PendingRecord,
  PendingStore,
} from '../passport/store.js';
import { ChangeFeed } from './change_feed.js';
import { RedisConnection, type RedisOptions } from './connection.js';
import { CLAIM, COMPLETE, LOCK, POLL_LEASE, RELEASE, REVOKE, SET, TAKE, UNLOCK } from './scripts.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions extends RedisOptions {
  /** How long an answer that arrived before its login was stored is kept, in ms; default 60 000. */
  orphanTtl?: number;
  /**
   * How long a session-end revocation is kept, in ms; at least the lifetime of your login sessions
   * (cookie `maxAge`). Default 30 days.
   */
  revocationTtl?: number;
  /**
   * Told of errors of the background subscription (connection lost, reconnecting). Operations
   * report their own failures by rejecting. Default: none (node-redis reconnects by itself).
   */
  onError?: (err: unknown) => void;
}

function ttlOption(value: unknown, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || (v as number) < 1000) {
    throw new ConfigurationError(`RedisStore option ${name} must be a whole number of ms, at least 1 000`, {
      option: name,
    });
  }
  return v as number;
}

/** The shared {@link PendingStore} on Redis. */
export class RedisStore implements PendingStore {
  private readonly _redis: RedisConnection;
  private readonly _feed: ChangeFeed;
  private readonly _orphanTtl: number;
  private readonly _revocationTtl: number;

  constructor(options: RedisStoreOptions) {
    this._redis = new RedisConnection(options, 'RedisStore');
    this._orphanTtl = ttlOption(options.orphanTtl, 60_000, 'orphanTtl');
    this._revocationTtl = ttlOption(options.revocationTtl, 30 * 86_400_000, 'revocationTtl');
    const onError = options.onError;
    if (onError !== undefined && typeof onError !== 'function') {
      throw new ConfigurationError('RedisStore option onError must be a function', { option: 'onError' });
    }
    this._feed = new ChangeFeed(this._redis, (err) => {
      try {
        onError?.(err);
      } catch {
        // A failing logger must not break the subscription.
      }
    });
  }

  async set(record: PendingRecord, ttlMs: number): Promise<void> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be positive');
    const id = record.authorizationRequestId;
    let data: string;
    try {
      data = JSON.stringify({ ...record, status: 'pending' });
    } catch (cause) {
      throw new ConfigurationError('The pending record (with its state) must be plain data', { cause });
    }
    await this._redis.run(
      SET,
      [this._key(id, 'rec'), this._key(id, 'orphan')],
      [data, Math.ceil(ttlMs), this._feed.channel, id],
    );
  }

  async get(authorizationRequestId: string): Promise<PendingRecord | undefined> {
    const fields = await this._redis.send(this._key(authorizationRequestId, 'rec'), [
      'HMGET',
      this._key(authorizationRequestId, 'rec'),
      'd',
      's',
      'f',
      'o',
    ]);
    return recordOf(fields);
  }

  async completeIfPending(authorizationRequestId: string, outcome: FinalOutcome): Promise<CompletionResult> {
    const id = authorizationRequestId;
    const result = await this._redis.run(
      COMPLETE,
      [this._key(id, 'rec'), this._key(id, 'orphan')],
      [
        outcome.status,
        outcome.at,
        outcome.response === undefined ? '' : JSON.stringify(outcome.response),
        this._orphanTtl,
        this._feed.channel,
        id,
      ],
    );
    return result as CompletionResult;
  }

  async claim(authorizationRequestId: string, owner: string, ttlMs: number): Promise<PendingRecord | undefined> {
    const id = authorizationRequestId;
    return recordOf(await this._redis.run(CLAIM, [this._key(id, 'rec'), this._key(id, 'claim')], [owner, ttlMs]));
  }

  async release(authorizationRequestId: string, owner: string): Promise<void> {
    await this._redis.run(RELEASE, [this._key(authorizationRequestId, 'claim')], [owner]);
  }

  async takeOnce(authorizationRequestId: string): Promise<PendingRecord | undefined> {
    const id = authorizationRequestId;
    const fields = await this._redis.run(
      TAKE,
      [this._key(id, 'rec'), this._key(id, 'claim'), this._key(id, 'poll')],
      [this._feed.channel, id],
    );
    return recordOf(fields);
  }

  async pollLease(authorizationRequestId: string, owner: string, ttlMs: number): Promise<boolean> {
    const id = authorizationRequestId;
    const held = await this._redis.run(POLL_LEASE, [this._key(id, 'rec'), this._key(id, 'poll')], [owner, ttlMs]);
    return held === 1;
  }

  async lock(key: string, token: string, ttlMs: number): Promise<string> {
    return String(await this._redis.run(LOCK, [this._lockKey(key)], [token, ttlMs]));
  }

  async unlock(key: string, token: string, handOver?: { token: string; ttlMs: number }): Promise<void> {
    await this._redis.run(UNLOCK, [this._lockKey(key)], [token, handOver?.token ?? '', handOver?.ttlMs ?? 0]);
  }

  subscribe(authorizationRequestId: string, listener: ChangeListener): () => void {
    return this._feed.subscribe(authorizationRequestId, listener);
  }

  async revoke(serviceUserHash: string, at: number): Promise<void> {
    await this._redis.run(REVOKE, [this._revocationKey(serviceUserHash)], [Math.round(at), this._revocationTtl]);
  }

  async isRevoked(serviceUserHash: string, since: number): Promise<boolean> {
    const key = this._revocationKey(serviceUserHash);
    const at = await this._redis.send(key, ['GET', key]);
    return typeof at === 'string' && Number(at) > since;
  }

  /** Stops the change subscription (its own connection); the application's client stays open. */
  async close(): Promise<void> {
    await this._feed.close();
  }

  private _key(id: string, part: 'rec' | 'orphan' | 'claim' | 'poll'): string {
    return `${this._redis.prefix}{${id}}:${part}`;
  }

  private _lockKey(key: string): string {
    return `${this._redis.prefix}lock:${key}`;
  }

  private _revocationKey(serviceUserHash: string): string {
    return `${this._redis.prefix}revoked:${serviceUserHash}`;
  }
}

/** A record from the hash fields `d`, `s`, `f`, `o`; `undefined` when there is none (or it is not ours). */
function recordOf(fields: unknown): PendingRecord | undefined {
  if (!Array.isArray(fields)) return undefined;
  const [data, status, finishedAt, response] = fields as (string | null | undefined)[];
  if (typeof data !== 'string' || typeof status !== 'string') return undefined;
  try {
    const record = JSON.parse(data) as PendingRecord | null;
    // Another format version (or something else under our key) is dropped, never guessed at.
    if (record === null || typeof record !== 'object' || (record as { v?: unknown }).v !== 2) return undefined;
    if (status === 'pending') return record;
    const final: PendingRecord = { ...record, status: status as FinalStatus };
    if (typeof finishedAt === 'string' && finishedAt !== '') final.finishedAt = Number(finishedAt);
    if (typeof response === 'string' && response !== '') {
      final.response = JSON.parse(response) as AuthorizationResponse;
    }
    return final;
  } catch {
    return undefined;
  }
}
