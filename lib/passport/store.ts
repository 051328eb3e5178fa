/**
 * The pending-login store contract (DESIGN.md §2, SECURITY T7, R6–R9, R14): where a started login
 * waits for the device's answer, shared by the strategy, the webhook handler and the status handler,
 * and where session-end revocations live for `sessionGuard()`.
 *
 * The default is the in-process `MemoryStore`. A store shared by several processes (Redis, a SQL
 * table) implements {@link PendingStore}; the TSDoc of each method says what must be atomic.
 */
import type { AuthorizationResponse } from '../entities/auth_response.js';

/** Where a login stands. Every status but `pending` is final: it never changes again. */
export type PendingStatus = 'pending' | 'approved' | 'denied' | 'failed' | 'expired' | 'canceled';

/** A final status. */
export type FinalStatus = Exclude<PendingStatus, 'pending'>;

/**
 * One started login. Plain JSON data (a shared store serialises it); times are milliseconds since
 * the epoch on the clock of the process that wrote them. A store must hand back every field it was
 * given, unchanged (including optional ones such as `decoy` and `correlationCode`): dropping `decoy`
 * would make the strategy poll the API for a request that does not exist.
 */
export interface PendingRecord {
  /** Record format version; 1. A store may drop records of another version. */
  v: 1;
  /**
   * The random handle (32 bytes, base64url) the record is stored under. It lives only in the
   * server-side session of the browser that started the login and is never accepted from a request.
   */
  handle: string;
  /** The LaunchKey authorization request id (UUID). The webhook finds the record by it. */
  authorizationRequestId: string;
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
  /**
   * `true` for a decoy (SECURITY T8): the login of an unknown user (or, with `revealInProgress:
   * false`, of a user who already has a pending request) that looks pending like a real one and
   * expires after its ttl, but for which no push was sent. `authorizationRequestId` is then a random
   * UUID that LaunchKey never issued; the strategy never asks the API about a decoy. Absent otherwise.
   */
  decoy?: true;
  /** The per-attempt code appended to the push context (`correlationCode` option), e.g. `'42'`. */
  correlationCode?: string;
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
  /** No record has that id yet: the outcome is kept briefly for a record written later (R8). */
  | 'orphan';

/** Told when a record changes (completed, taken or expired): `undefined` when it is gone. */
export type PendingListener = (record: PendingRecord | undefined) => void;

/**
 * Where started logins wait and where session-end revocations live.
 *
 * Required behaviour (a shared implementation must keep every point; "atomic" means no other
 * caller, in any process, can observe or act between the read and the write):
 *
 * - Every entry expires: records after the `ttlMs` given to {@link set}, orphans and revocations
 *   after the store's own limits. Nothing lives forever.
 * - {@link set} fails closed: when the store cannot take a new record (full, unreachable) it
 *   rejects, and the login is refused rather than started without a record.
 * - {@link completeIfPending} is a compare-and-set from `pending` to a final status, keyed by the
 *   authorization request id: the first final outcome wins, later ones change nothing.
 * - {@link takeOnce} is an atomic get-and-delete: of two concurrent callers, at most one receives
 *   the record. This is what makes a login complete at most once.
 * - Errors reject the returned promise; the strategy turns them into `error()` (no login) and the
 *   webhook handler into 503 (the API retries).
 */
export interface PendingStore {
  /**
   * Stores `record` under `record.handle` and indexes it by `record.authorizationRequestId`. When an
   * orphan outcome is waiting for that id, it is applied at once (atomically with the write).
   *
   * @param ttlMs how long the record may live, in milliseconds.
   * @throws {PendingStoreFullError} (or another error) when the record cannot be stored.
   */
  set(record: PendingRecord, ttlMs: number): Promise<void>;

  /** The record stored under `handle`, or `undefined` when there is none (never stored, expired, taken). */
  get(handle: string): Promise<PendingRecord | undefined>;

  /**
   * Atomically: when the record for `authorizationRequestId` is pending, records `outcome` and
   * resolves `'completed'`; when it is already final, changes nothing (`'unchanged'`); when no
   * record has that id, keeps the outcome as an orphan for a short while (`'orphan'`), so a record
   * written later by {@link set} picks it up.
   */
  completeIfPending(authorizationRequestId: string, outcome: FinalOutcome): Promise<CompletionResult>;

  /** Atomically reads and deletes the record under `handle`; resolves it to at most one caller. */
  takeOnce(handle: string): Promise<PendingRecord | undefined>;

  /**
   * Records that the LaunchKey session of `serviceUserHash` ended at `at` (ms). Keep the latest
   * time per hash; keep it at least as long as the application's login sessions last.
   */
  revoke(serviceUserHash: string, at: number): Promise<void>;

  /** Whether `serviceUserHash` has a revocation later than `since` (ms). */
  isRevoked(serviceUserHash: string, since: number): Promise<boolean>;

  /**
   * Optional, recommended: the record whose `authorizationRequestId` is `authorizationRequestId`, or
   * `undefined`. The webhook handler uses it to learn whose push was reported as fraud (the
   * webhook carries no username) and start that username's `fraudCooldown` at once. Without it, a
   * fraud report received by webhook starts the cooldown only when the strategy next reads that
   * record (status request, completion, or a new start in the same browser session).
   */
  findByRequest?(authorizationRequestId: string): Promise<PendingRecord | undefined>;

  /**
   * Optional: calls `listener` whenever the record under `handle` changes, in this or (for a shared
   * store) any process; returns the function that stops it. Without it, waiting status requests
   * re-read the store at the strategy's `pollInterval`.
   */
  subscribe?(handle: string, listener: PendingListener): () => void;
}
