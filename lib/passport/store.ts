/**
 * The contract of the strategy's shared state (docs/architecture.md, "Where state lives"): where a
 * started login waits for the device's answer, how every instance learns that it changed, who polls
 * it, and where session-end revocations live for `sessionGuard()`.
 *
 * One login is keyed by its LaunchKey authorization request id, so every key of a login can share
 * one hash tag in a clustered store. The browser session holds that id together with a random
 * `handle` that must match the record's: an id learned elsewhere (a webhook, the busy signal) never
 * opens a record on its own.
 *
 * The strategy's default is the in-process `MemoryStore`; several instances share
 * `RedisStore` (`passport-launchkey/redis`) or a store of the application's own, which the
 * conformance suite (`passport-launchkey/testing`) checks against every rule below.
 */
import type { AuthorizationResponse } from '../entities/auth_response.js';

/** Where a login stands. Every status but `pending` is final: it never changes again. */
export type PendingStatus = 'pending' | 'approved' | 'denied' | 'failed' | 'expired' | 'canceled';

/** A final status. */
export type FinalStatus = Exclude<PendingStatus, 'pending'>;

/**
 * One started login. Plain JSON data (a shared store serialises it); times are milliseconds since
 * the epoch on the clock of the process that wrote them. A store hands back every field it was
 * given, unchanged, plus what it recorded itself (`status`, `finishedAt`, `response`).
 */
export interface PendingRecord {
  /** Record format version; 2. A store may drop records of another version. */
  v: 2;
  /** The LaunchKey authorization request id (UUID): the record's key. */
  authorizationRequestId: string;
  /**
   * A random secret (32 bytes, base64url) that only the browser session which started the login
   * holds. A session's reference opens the record only when both the id and the handle match.
   */
  handle: string;
  /** The username the push was sent to. */
  username: string;
  status: PendingStatus;
  /** When the login started. */
  createdAt: number;
  /** When the authorization request expires at LaunchKey (its ttl after `createdAt`). */
  expiresAt: number;
  /** When the status became final. */
  finishedAt?: number;
  /** The device's answer, for `approved`, `denied` and `failed`. */
  response?: AuthorizationResponse;
  /** The application's `state` (JSON data), handed back in `info.state`. */
  state?: unknown;
  /** The per-attempt code appended to the push context (`correlationCode` option), e.g. `'42'`. */
  correlationCode?: string;
  /**
   * `true` when `getUsername` named the user (step-up of a logged-in user): the completion checks
   * that it still names the same user, and keeps the session's data.
   */
  stepUp?: true;
}

/** A final outcome to record with {@link PendingStore.completeIfPending}. */
export interface FinalOutcome {
  status: FinalStatus;
  /** The device's answer, when there is one. */
  response?: AuthorizationResponse;
  /** When the outcome was learned (ms). */
  at: number;
}

/** What {@link PendingStore.completeIfPending} did. */
export type CompletionResult =
  /** The record was pending and now holds the outcome. */
  | 'completed'
  /** The record was already final (the first final outcome wins) and was left unchanged. */
  | 'unchanged'
  /** No record has that id yet: the outcome is kept briefly for a record written later (docs/security.md, R8). */
  | 'orphan';

/** Told that the record of a login changed (completed, claimed, taken): read it again to see how. */
export type ChangeListener = () => void;

/**
 * Where started logins wait, and the small pieces of shared state around them.
 *
 * Required behaviour (a shared implementation keeps every point; "atomic" means no other caller,
 * in any process, can observe or act between the read and the write):
 *
 * - Every entry expires: records after the `ttlMs` given to {@link set}, orphans, locks and
 *   revocations after their own limits. Nothing lives forever, nothing grows without bound.
 * - Failures reject the returned promise and change nothing (fail closed): {@link set} rejects when
 *   the store cannot take a new record (full, unreachable), and the login is refused rather than
 *   started without a record. The strategy turns a rejection into `error()` (nobody logs in) and the
 *   webhook handler into 503 (the API delivers again).
 * - Every change a waiting browser must see ({@link set}, {@link completeIfPending} when it
 *   completes, {@link takeOnce} when it takes) is announced to {@link subscribe}rs of the login's id
 *   in every process sharing the store, after the change is visible to {@link get}.
 */
export interface PendingStore {
  /**
   * Stores `record` under `record.authorizationRequestId`. When an orphan outcome is waiting for
   * that id, it is applied at once, atomically with the write.
   *
   * @param ttlMs how long the record may live, in milliseconds.
   * @throws {PendingStoreFullError} (or another error) when the record cannot be stored.
   */
  set(record: PendingRecord, ttlMs: number): Promise<void>;

  /** The record of `authorizationRequestId`, or `undefined` (never stored, expired, taken). */
  get(authorizationRequestId: string): Promise<PendingRecord | undefined>;

  /**
   * Atomically: when the record is pending, records `outcome` and resolves `'completed'`; when it is
   * already final, changes nothing (`'unchanged'`); when no record has that id, keeps the outcome as
   * an orphan for a short while (`'orphan'`, bounded: a store may refuse to keep more and resolve
   * `'unchanged'`), so that a record written later by {@link set} picks it up (a fast phone whose
   * webhook beats the API's answer to the start: docs/security.md, R8). A `canceled` outcome is never
   * kept as an orphan (`'unchanged'`): only the API's answers come before their record, and a decoy's
   * cancel, which costs the store this same call on an id nobody stores (docs/security.md, T8), must
   * leave nothing behind.
   */
  completeIfPending(authorizationRequestId: string, outcome: FinalOutcome): Promise<CompletionResult>;

  /**
   * Atomically: when the record is `approved` and not claimed by someone else (or their claim
   * expired), marks it claimed by `owner` for `ttlMs` and resolves the record; otherwise resolves
   * `undefined`. A completion claims an approval before the work that may fail (the LaunchKey session
   * start, `verify`), so a failure can {@link release} it for a retry instead of losing it, while two
   * concurrent completions never both do that work.
   */
  claim(authorizationRequestId: string, owner: string, ttlMs: number): Promise<PendingRecord | undefined>;

  /** Drops `owner`'s claim on the record, if it still holds it. */
  release(authorizationRequestId: string, owner: string): Promise<void>;

  /** Atomically reads and deletes the record; resolves it to at most one caller. */
  takeOnce(authorizationRequestId: string): Promise<PendingRecord | undefined>;

  /**
   * The poll lease of a pending login: at most one poller across all instances asks the API about
   * it. Atomically: when the record exists, is pending, and its lease is free, expired or already
   * `owner`'s, gives (or renews) it to `owner` for `ttlMs` and resolves `true`; otherwise `false`.
   * The lease lives with the record: it ends when the record does.
   */
  pollLease(authorizationRequestId: string, owner: string, ttlMs: number): Promise<boolean>;

  /**
   * A short lock that is not about one login (the strategy serialises the starts of one browser
   * session with it). Atomically: when `key` is free (or already `token`'s), takes it for `ttlMs`
   * and resolves `token`; otherwise resolves the token of whoever holds it.
   */
  lock(key: string, token: string, ttlMs: number): Promise<string>;

  /**
   * Atomically: when `key` is held by `token`, frees it, or, with `handOver`, leaves it holding
   * `handOver.token` for `handOver.ttlMs` (how a lock holder tells the waiters what it made).
   */
  unlock(key: string, token: string, handOver?: { token: string; ttlMs: number }): Promise<void>;

  /**
   * Calls `listener` whenever the record of `authorizationRequestId` changes, in this or any process
   * sharing the store; returns the function that stops it. A listener may be called for no visible
   * change (and, after a lost connection, once for every id, so waiters read again): it must read.
   */
  subscribe(authorizationRequestId: string, listener: ChangeListener): () => void;

  /**
   * Records that the LaunchKey session of `serviceUserHash` ended at `at` (ms). Keep the latest
   * time per hash; keep it at least as long as the application's login sessions last.
   */
  revoke(serviceUserHash: string, at: number): Promise<void>;

  /** Whether `serviceUserHash` has a revocation later than `since` (ms). */
  isRevoked(serviceUserHash: string, since: number): Promise<boolean>;

  /**
   * Optional: stops background work (subscriptions, timers) the store started itself. The
   * application's own connections (a Redis client it passed in) are left open.
   */
  close?(): Promise<void>;
}

/** The method names of {@link PendingStore} a store must implement (checked when the strategy is built). */
export const PENDING_STORE_METHODS = [
  'set',
  'get',
  'completeIfPending',
  'claim',
  'release',
  'takeOnce',
  'pollLease',
  'lock',
  'unlock',
  'subscribe',
  'revoke',
  'isRevoked',
] as const satisfies readonly (keyof PendingStore)[];
