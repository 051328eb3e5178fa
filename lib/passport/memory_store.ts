/**
 * `MemoryStore`: the in-process {@link PendingStore}, the strategy's default. Bounded, expiring,
 * fail-closed when full, with change notification so waiting browsers learn of a webhook at once.
 * One process only: behind a load balancer, or to survive restarts, use a shared store.
 */
import { EventEmitter } from 'node:events';

import { ConfigurationError, PendingStoreFullError } from '../errors.js';
import {
  type CompletionResult,
  type FinalOutcome,
  type PendingListener,
  type PendingRecord,
  type PendingStore,
} from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most pending records held at once; a new login is refused when full. Default 10 000. */
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
  /** Clock in ms; default `Date.now`. For tests. */
  now?: () => number;
}

interface Expiring<T> {
  value: T;
  expires: number;
}

let warnedInProduction = false;

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1)
    throw new ConfigurationError(`MemoryStore option ${name} must be a positive integer`);
  return v;
}

/**
 * In-process pending store. Every entry has a TTL and is removed when read after it, or when the
 * store needs room. When `NODE_ENV` is `production`, the first instance emits a warning
 * (`LAUNCHKEY_MEMORY_STORE`): it does not share state between processes nor survive a restart.
 */
export class MemoryStore implements PendingStore {
  private readonly _maxRecords: number;
  private readonly _maxOrphans: number;
  private readonly _orphanTtl: number;
  private readonly _maxRevocations: number;
  private readonly _revocationTtl: number;
  private readonly _now: () => number;
  private readonly _records = new Map<string, Expiring<PendingRecord>>();
  private readonly _byRequest = new Map<string, string>();
  private readonly _orphans = new Map<string, Expiring<FinalOutcome>>();
  private readonly _revocations = new Map<string, Expiring<number>>();
  private readonly _events = new EventEmitter();

  constructor(options: MemoryStoreOptions = {}) {
    this._maxRecords = positive(options.maxRecords, 10_000, 'maxRecords');
    this._maxOrphans = positive(options.maxOrphans, 1_000, 'maxOrphans');
    this._orphanTtl = positive(options.orphanTtl, 60_000, 'orphanTtl');
    this._maxRevocations = positive(options.maxRevocations, 100_000, 'maxRevocations');
    this._revocationTtl = positive(options.revocationTtl, 30 * 86_400_000, 'revocationTtl');
    this._now = options.now ?? Date.now;
    // Every waiting status request subscribes; the default limit of 10 would warn needlessly.
    this._events.setMaxListeners(0);
    if (process.env['NODE_ENV'] === 'production' && !warnedInProduction) {
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
    this._sweep();
    return this._records.size;
  }

  set(record: PendingRecord, ttlMs: number): Promise<void> {
    const now = this._now();
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) return Promise.reject(new RangeError('ttlMs must be positive'));
    let copy: PendingRecord;
    try {
      // A copy, so callers cannot change stored state, and non-JSON state fails here (as it would
      // in a shared store) rather than later.
      copy = structuredClone(record);
    } catch (cause) {
      return Promise.reject(
        new ConfigurationError('The pending record (with its state) must be plain data', { cause }),
      );
    }
    if (!this._records.has(copy.handle) && this._records.size >= this._maxRecords) {
      this._sweep();
      if (this._records.size >= this._maxRecords) {
        return Promise.reject(new PendingStoreFullError(`MemoryStore is full (${this._maxRecords} pending logins)`));
      }
    }
    const orphan = this._live(this._orphans, copy.authorizationRequestId, now);
    if (orphan !== undefined && copy.status === 'pending') {
      this._orphans.delete(copy.authorizationRequestId);
      applyOutcome(copy, orphan);
    }
    this._records.set(copy.handle, { value: copy, expires: now + ttlMs });
    this._byRequest.set(copy.authorizationRequestId, copy.handle);
    this._notify(copy.handle);
    return Promise.resolve();
  }

  get(handle: string): Promise<PendingRecord | undefined> {
    const entry = this._liveRecord(handle, this._now());
    return Promise.resolve(entry === undefined ? undefined : structuredClone(entry));
  }

  findByRequest(authorizationRequestId: string): Promise<PendingRecord | undefined> {
    const handle = this._byRequest.get(authorizationRequestId);
    return handle === undefined ? Promise.resolve(undefined) : this.get(handle);
  }

  completeIfPending(authorizationRequestId: string, outcome: FinalOutcome): Promise<CompletionResult> {
    const now = this._now();
    const handle = this._byRequest.get(authorizationRequestId);
    const record = handle === undefined ? undefined : this._liveRecord(handle, now);
    if (handle === undefined || record === undefined) {
      if (this._byRequest.has(authorizationRequestId)) this._byRequest.delete(authorizationRequestId);
      if (!this._orphans.has(authorizationRequestId) && this._orphans.size >= this._maxOrphans) {
        this._sweepMap(this._orphans, now);
        // Orphans are a convenience for a rare race; when full, the poll (or expiry) still settles
        // the login, so refusing is safe and keeps memory bounded.
        if (this._orphans.size >= this._maxOrphans) return Promise.resolve('unchanged');
      }
      // The first outcome wins for orphans too.
      if (this._live(this._orphans, authorizationRequestId, now) === undefined) {
        this._orphans.set(authorizationRequestId, { value: structuredClone(outcome), expires: now + this._orphanTtl });
      }
      return Promise.resolve('orphan');
    }
    if (record.status !== 'pending') return Promise.resolve('unchanged');
    applyOutcome(record, structuredClone(outcome));
    this._notify(handle);
    return Promise.resolve('completed');
  }

  takeOnce(handle: string): Promise<PendingRecord | undefined> {
    const record = this._liveRecord(handle, this._now());
    if (record === undefined) return Promise.resolve(undefined);
    this._records.delete(handle);
    if (this._byRequest.get(record.authorizationRequestId) === handle)
      this._byRequest.delete(record.authorizationRequestId);
    this._notify(handle);
    return Promise.resolve(record);
  }

  revoke(serviceUserHash: string, at: number): Promise<void> {
    const now = this._now();
    const previous = this._live(this._revocations, serviceUserHash, now);
    if (previous === undefined && this._revocations.size >= this._maxRevocations) {
      this._sweepMap(this._revocations, now);
      // Dropping a revocation would keep a logged-out user logged in: refuse instead (the webhook
      // answers 503 and the API retries).
      if (this._revocations.size >= this._maxRevocations) {
        return Promise.reject(new PendingStoreFullError(`MemoryStore is full (${this._maxRevocations} revocations)`));
      }
    }
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

  subscribe(handle: string, listener: PendingListener): () => void {
    const wrapped = (): void => {
      listener(this._peek(handle));
    };
    this._events.on(handle, wrapped);
    return () => {
      this._events.off(handle, wrapped);
    };
  }

  private _peek(handle: string): PendingRecord | undefined {
    const record = this._liveRecord(handle, this._now());
    return record === undefined ? undefined : structuredClone(record);
  }

  private _notify(handle: string): void {
    this._events.emit(handle);
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

  /** The live record under `handle`; an expired one is dropped from both indexes (and listeners told). */
  private _liveRecord(handle: string, now: number): PendingRecord | undefined {
    const entry = this._records.get(handle);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this._records.delete(handle);
      this._dropRecord(handle, entry.value);
      return undefined;
    }
    return entry.value;
  }

  private _dropRecord(handle: string, record: PendingRecord): void {
    if (this._byRequest.get(record.authorizationRequestId) === handle)
      this._byRequest.delete(record.authorizationRequestId);
    this._notify(handle);
  }

  private _sweep(): void {
    const now = this._now();
    for (const [handle, entry] of this._records) {
      if (entry.expires <= now) {
        this._records.delete(handle);
        this._dropRecord(handle, entry.value);
      }
    }
    this._sweepMap(this._orphans, now);
  }

  private _sweepMap<T>(map: Map<string, Expiring<T>>, now: number): void {
    for (const [key, entry] of map) if (entry.expires <= now) map.delete(key);
  }
}

function applyOutcome(record: PendingRecord, outcome: FinalOutcome): void {
  record.status = outcome.status;
  record.finishedAt = outcome.at;
  if (outcome.response !== undefined) record.response = outcome.response;
}

/** @internal Lets specs observe the once-per-process production warning again. */
export function resetMemoryStoreWarning(): void {
  warnedInProduction = false;
}
