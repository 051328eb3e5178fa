/**
 * `MemoryStore`: the in-process {@link PendingStore}, the strategy's default. Bounded, expiring,
 * fail-closed when full, with change notification so waiting browsers learn of a webhook at once.
 * One process only: behind a load balancer, or to survive restarts, use a shared store
 * (`passport-launchkey/redis`).
 *
 * Cost per operation is independent of how many logins are held (benchmarked in
 * `bench/memory_store.bench.ts`): records are stored once, frozen, and handed out without copying;
 * expiry is incremental through a heap instead of a sweep over everything.
 */
import { ConfigurationError, PendingStoreFullError } from '../errors.js';
import { ExpiryHeap } from './expiry_heap.js';
import type { ChangeListener, CompletionResult, FinalOutcome, PendingRecord, PendingStore } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most pending records held at once; a new login is refused when full. Default 100 000. */
  maxRecords?: number;
  /** Most orphan outcomes (webhooks for records not written yet) held at once. Default 1 000. */
  maxOrphans?: number;
  /** How long an orphan outcome is kept, in ms. Default 60 000 (one minute). */
  orphanTtl?: number;
  /** Most revoked service user hashes held at once. Default 100 000. */
  maxRevocations?: number;
  /**
   * How long a session-end revocation is kept, in ms; set it to at least the lifetime of your login
   * sessions (cookie `maxAge`). Default 30 days.
   */
  revocationTtl?: number;
  /** Most locks held at once. Default 10 000. */
  maxLocks?: number;
  /** The clock, in ms since the epoch; default `Date.now`. Give your own to drive time in your tests. */
  now?: () => number;
}

interface Entry {
  record: PendingRecord;
  expires: number;
  claim?: { owner: string; until: number };
  lease?: { owner: string; until: number };
}

interface Expiring<T> {
  value: T;
  expires: number;
}

/** Expired records removed per write, so expiry never costs one caller a long pause. */
const SWEEP_BUDGET = 32;

let warnedInProduction = false;

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new ConfigurationError(`MemoryStore option ${name} must be a positive integer`, { option: name });
  }
  return v;
}

/** A deep-frozen copy of plain JSON data (the copy detaches it from the caller; frozen, it can be shared). */
function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * In-process pending store. Every entry has a TTL. When `NODE_ENV` is `production`, the first
 * instance emits a warning (`LAUNCHKEY_MEMORY_STORE`): it does not share state between processes
 * nor survive a restart.
 *
 * Records handed out are frozen: they are the stored objects themselves, not copies.
 */
export class MemoryStore implements PendingStore {
  private readonly _maxRecords: number;
  private readonly _maxOrphans: number;
  private readonly _orphanTtl: number;
  private readonly _maxRevocations: number;
  private readonly _revocationTtl: number;
  private readonly _maxLocks: number;
  private readonly _now: () => number;
  private readonly _records = new Map<string, Entry>();
  private readonly _expiries = new ExpiryHeap();
  /** Insertion order is expiry order: every orphan lives `orphanTtl`. */
  private readonly _orphans = new Map<string, Expiring<FinalOutcome>>();
  /** Insertion order is expiry order: a renewed revocation is moved to the end. */
  private readonly _revocations = new Map<string, Expiring<number>>();
  private readonly _locks = new Map<string, Expiring<string>>();
  private readonly _listeners = new Map<string, Set<ChangeListener>>();

  constructor(options: MemoryStoreOptions = {}) {
    this._maxRecords = positive(options.maxRecords, 100_000, 'maxRecords');
    this._maxOrphans = positive(options.maxOrphans, 1_000, 'maxOrphans');
    this._orphanTtl = positive(options.orphanTtl, 60_000, 'orphanTtl');
    this._maxRevocations = positive(options.maxRevocations, 100_000, 'maxRevocations');
    this._revocationTtl = positive(options.revocationTtl, 30 * 86_400_000, 'revocationTtl');
    this._maxLocks = positive(options.maxLocks, 10_000, 'maxLocks');
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new ConfigurationError('MemoryStore option now must be a function', { option: 'now' });
    }
    this._now = options.now ?? Date.now;
    if (process.env['NODE_ENV']?.trim().toLowerCase() === 'production' && !warnedInProduction) {
      warnedInProduction = true;
      process.emitWarning(
        'passport-launchkey MemoryStore keeps pending logins in this process only: it is not shared ' +
          'between instances and is lost on restart. Use a shared PendingStore in production.',
        { code: 'LAUNCHKEY_MEMORY_STORE' },
      );
    }
  }

  /** Number of live pending records (for monitoring and tests). */
  get size(): number {
    this._sweep(this._now(), Infinity);
    return this._records.size;
  }

  set(record: PendingRecord, ttlMs: number): Promise<void> {
    const now = this._now();
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) return Promise.reject(new RangeError('ttlMs must be positive'));
    let copy: PendingRecord;
    try {
      // Copied once, so callers cannot change stored state, and non-JSON state fails here (as it
      // would in a shared store) rather than later.
      copy = frozenCopy(record);
    } catch (cause) {
      return Promise.reject(
        new ConfigurationError('The pending record (with its state) must be plain data', { cause }),
      );
    }
    const id = copy.authorizationRequestId;
    this._sweep(now, SWEEP_BUDGET);
    if (!this._records.has(id) && this._records.size >= this._maxRecords) {
      this._sweep(now, Infinity);
      if (this._records.size >= this._maxRecords) {
        return Promise.reject(new PendingStoreFullError(`MemoryStore is full (${this._maxRecords} pending logins)`));
      }
    }
    const orphan = this._live(this._orphans, id, now);
    if (orphan !== undefined && copy.status === 'pending') {
      this._orphans.delete(id);
      copy = withOutcome(copy, orphan);
    }
    const expires = now + ttlMs;
    this._records.set(id, { record: copy, expires });
    this._expiries.push(expires, id);
    if (this._expiries.size > 2 * this._records.size + 1024) {
      this._expiries.compact((at, key) => this._records.get(key)?.expires === at);
    }
    this._notify(id);
    return Promise.resolve();
  }

  get(authorizationRequestId: string): Promise<PendingRecord | undefined> {
    return Promise.resolve(this._entry(authorizationRequestId, this._now())?.record);
  }

  completeIfPending(authorizationRequestId: string, outcome: FinalOutcome): Promise<CompletionResult> {
    const now = this._now();
    const entry = this._entry(authorizationRequestId, now);
    if (entry === undefined) return Promise.resolve(this._keepOrphan(authorizationRequestId, outcome, now));
    if (entry.record.status !== 'pending') return Promise.resolve('unchanged');
    entry.record = withOutcome(entry.record, frozenCopy(outcome));
    this._notify(authorizationRequestId);
    return Promise.resolve('completed');
  }

  claim(authorizationRequestId: string, owner: string, ttlMs: number): Promise<PendingRecord | undefined> {
    const now = this._now();
    const entry = this._entry(authorizationRequestId, now);
    if (entry?.record.status !== 'approved') return Promise.resolve(undefined);
    if (entry.claim !== undefined && entry.claim.owner !== owner && entry.claim.until > now) {
      return Promise.resolve(undefined);
    }
    entry.claim = { owner, until: now + ttlMs };
    return Promise.resolve(entry.record);
  }

  release(authorizationRequestId: string, owner: string): Promise<void> {
    const entry = this._entry(authorizationRequestId, this._now());
    if (entry?.claim?.owner === owner) delete entry.claim;
    return Promise.resolve();
  }

  takeOnce(authorizationRequestId: string): Promise<PendingRecord | undefined> {
    const entry = this._entry(authorizationRequestId, this._now());
    if (entry === undefined) return Promise.resolve(undefined);
    this._records.delete(authorizationRequestId);
    this._notify(authorizationRequestId);
    return Promise.resolve(entry.record);
  }

  pollLease(authorizationRequestId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this._now();
    const entry = this._entry(authorizationRequestId, now);
    if (entry?.record.status !== 'pending') return Promise.resolve(false);
    if (entry.lease !== undefined && entry.lease.owner !== owner && entry.lease.until > now) {
      return Promise.resolve(false);
    }
    entry.lease = { owner, until: now + ttlMs };
    return Promise.resolve(true);
  }

  lock(key: string, token: string, ttlMs: number): Promise<string> {
    const now = this._now();
    const held = this._live(this._locks, key, now);
    if (held !== undefined && held !== token) return Promise.resolve(held);
    if (held === undefined && this._locks.size >= this._maxLocks) {
      this._sweepMap(this._locks, now, Infinity);
      if (this._locks.size >= this._maxLocks) {
        return Promise.reject(new PendingStoreFullError(`MemoryStore is full (${this._maxLocks} locks)`));
      }
    }
    this._locks.delete(key);
    this._locks.set(key, { value: token, expires: now + ttlMs });
    return Promise.resolve(token);
  }

  unlock(key: string, token: string, handOver?: { token: string; ttlMs: number }): Promise<void> {
    const now = this._now();
    if (this._live(this._locks, key, now) !== token) return Promise.resolve();
    this._locks.delete(key);
    if (handOver !== undefined) this._locks.set(key, { value: handOver.token, expires: now + handOver.ttlMs });
    return Promise.resolve();
  }

  subscribe(authorizationRequestId: string, listener: ChangeListener): () => void {
    let set = this._listeners.get(authorizationRequestId);
    if (set === undefined) {
      set = new Set();
      this._listeners.set(authorizationRequestId, set);
    }
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const call = (): void => {
      listener();
    };
    set.add(call);
    return () => {
      const current = this._listeners.get(authorizationRequestId);
      if (current === undefined) return;
      current.delete(call);
      if (current.size === 0) this._listeners.delete(authorizationRequestId);
    };
  }

  revoke(serviceUserHash: string, at: number): Promise<void> {
    const now = this._now();
    const previous = this._live(this._revocations, serviceUserHash, now);
    if (previous === undefined && this._revocations.size >= this._maxRevocations) {
      this._sweepMap(this._revocations, now, Infinity);
      // Dropping a revocation would keep a logged-out user logged in: refuse instead (the webhook
      // answers 503 and the API retries).
      if (this._revocations.size >= this._maxRevocations) {
        return Promise.reject(new PendingStoreFullError(`MemoryStore is full (${this._maxRevocations} revocations)`));
      }
    }
    this._revocations.delete(serviceUserHash);
    this._revocations.set(serviceUserHash, {
      value: Math.max(at, previous ?? -Infinity),
      expires: now + this._revocationTtl,
    });
    return Promise.resolve();
  }

  isRevoked(serviceUserHash: string, since: number): Promise<boolean> {
    const at = this._live(this._revocations, serviceUserHash, this._now());
    return Promise.resolve(at !== undefined && at > since);
  }

  /** Tells every subscriber of `id`; a throwing listener cannot stop the others or the store. */
  private _notify(id: string): void {
    const set = this._listeners.get(id);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener();
      } catch {
        // A listener's own failure is its business; the change is already made.
      }
    }
  }

  private _keepOrphan(id: string, outcome: FinalOutcome, now: number): CompletionResult {
    this._sweepMap(this._orphans, now, SWEEP_BUDGET);
    // Only the API's answers can come before their record; a cancel (a decoy's, whose id is never
    // stored: docs/security.md, T8) must not fill the orphans the answers need.
    if (outcome.status === 'canceled') return 'unchanged';
    // The first outcome wins for orphans too.
    if (this._live(this._orphans, id, now) !== undefined) return 'orphan';
    if (this._orphans.size >= this._maxOrphans) {
      this._sweepMap(this._orphans, now, Infinity);
      // Orphans are a convenience for a rare race; when full, the poll (or expiry) still settles
      // the login, so refusing is safe and keeps memory bounded.
      if (this._orphans.size >= this._maxOrphans) return 'unchanged';
    }
    this._orphans.set(id, { value: frozenCopy(outcome), expires: now + this._orphanTtl });
    return 'orphan';
  }

  /** The live entry of `id`; an expired one is dropped (and its subscribers told). */
  private _entry(id: string, now: number): Entry | undefined {
    const entry = this._records.get(id);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this._records.delete(id);
      this._notify(id);
      return undefined;
    }
    return entry;
  }

  /** The value under `key` when it has not expired; removes it when it has. */
  private _live<T>(map: Map<string, Expiring<T>>, key: string, now: number): T | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Drops up to `budget` expired records, earliest first. */
  private _sweep(now: number, budget: number): void {
    let left = budget;
    while (left > 0 && this._expiries.peekTime() <= now) {
      const due = this._expiries.pop();
      if (due === undefined) break;
      const entry = this._records.get(due.key);
      // A stale pair: the record was taken, or stored again with another expiry.
      if (entry?.expires !== due.expires) continue;
      this._records.delete(due.key);
      this._notify(due.key);
      left -= 1;
    }
    this._sweepMap(this._orphans, now, budget);
  }

  /**
   * Drops expired entries of a map whose insertion order is (about) expiry order, from the oldest,
   * up to `budget`; with an unlimited budget, every expired entry wherever it stands.
   */
  private _sweepMap<T>(map: Map<string, Expiring<T>>, now: number, budget: number): void {
    let left = budget;
    for (const [key, entry] of map) {
      if (left <= 0) break;
      if (entry.expires > now) {
        if (budget !== Infinity) break;
        continue;
      }
      map.delete(key);
      left -= 1;
    }
  }
}

function withOutcome(record: PendingRecord, outcome: FinalOutcome): PendingRecord {
  return deepFreeze({
    ...record,
    status: outcome.status,
    finishedAt: outcome.at,
    ...(outcome.response === undefined ? {} : { response: outcome.response }),
  });
}
