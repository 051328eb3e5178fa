/**
 * The authorization requests the emulator holds, indexed the way they are looked up: by id (poll,
 * cancel, respond), by username and by status (the control API's `GET /emulator/auths`), and the
 * open ones per user (the busy signal). Finished requests are dropped after a retention (see
 * retention.ts), so neither memory nor the cost of a lookup grows with every request ever served.
 *
 * Status changes go through this store (answer, cancel, expiry seen) so the indexes stay true.
 */
import type { EmulatorClock } from './emulator_clock.js';
import type { AuthAnswer, AuthRequest, AuthStatus, User } from './state.js';

type FinishedStatus = Exclude<AuthStatus, 'pending'>;

const NONE: ReadonlySet<AuthRequest> = new Set();

/** The retention of finished requests (both fields required; see RetentionOptions). */
export interface AuthRetention {
  finishedAuthSeconds: number;
  finishedAuths: number;
}

/** Filter of {@link AuthStore.find}: unknown status values match nothing. */
export interface AuthFilter {
  status?: string | undefined;
  username?: string | undefined;
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set === undefined) index.set(key, new Set([value]));
  else set.add(value);
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

export class AuthStore {
  private readonly byId = new Map<string, AuthRequest>();
  /** Creation order, to list requests from any index in the order they were made. */
  private readonly order = new Map<AuthRequest, number>();
  private nextOrder = 0;
  private readonly byUsername = new Map<string, Set<AuthRequest>>();
  /** Neither answered, canceled nor seen expired; in creation order. */
  private readonly open = new Set<AuthRequest>();
  private readonly openByUser = new Map<User, Set<AuthRequest>>();
  private readonly byStatus = new Map<FinishedStatus, Set<AuthRequest>>();
  /** Finished requests in the order they finished, with the emulator time they finished at. */
  private readonly finished = new Map<AuthRequest, number>();

  constructor(
    private readonly clock: EmulatorClock,
    private readonly retention: AuthRetention,
  ) {}

  add(auth: AuthRequest): void {
    this.prune();
    this.byId.set(auth.id, auth);
    this.order.set(auth, this.nextOrder++);
    addTo(this.byUsername, auth.username, auth);
    this.open.add(auth);
    addTo(this.openByUser, auth.user, auth);
  }

  /** The request with this id (any case), unless unknown or dropped. */
  get(id: string): AuthRequest | undefined {
    this.prune();
    return this.byId.get(id.toLowerCase());
  }

  /** Status of a request at the emulator's current time; notes an expiry it sees. */
  status(auth: AuthRequest): AuthStatus {
    if (auth.canceled) return 'canceled';
    if (auth.answer !== null) {
      if (auth.answer.type === 'AUTHORIZED') return 'approved';
      return auth.answer.type === 'DENIED' ? 'denied' : 'failed';
    }
    if (!auth.expired && this.clock.now() >= auth.expires) {
      auth.expired = true;
      this.finish(auth, 'expired', auth.expires);
    }
    return auth.expired ? 'expired' : 'pending';
  }

  /** Records the device's answer to a pending request. */
  answer(auth: AuthRequest, answer: AuthAnswer): void {
    auth.answer = answer;
    this.finish(auth, this.status(auth) as FinishedStatus, answer.at);
  }

  /** Cancels a pending request. */
  cancel(auth: AuthRequest): void {
    auth.canceled = true;
    this.finish(auth, 'canceled', this.clock.now());
  }

  /** The user's pending request (the busy signal), if any. */
  pendingOf(user: User): AuthRequest | undefined {
    this.prune();
    for (const auth of this.openByUser.get(user) ?? []) if (this.status(auth) === 'pending') return auth;
    return undefined;
  }

  /** Notes every expiry at the current time (before and after the clock moves). */
  settleExpired(): void {
    for (const auth of this.open) this.status(auth);
    this.prune();
  }

  /** Requests matching the filter, in creation order; reads only the smallest index the filter names. */
  find(filter: AuthFilter = {}): AuthRequest[] {
    const { status, username } = filter;
    if (status === undefined) this.prune();
    else this.settleExpired();
    const indexes: ReadonlySet<AuthRequest>[] = [];
    if (username !== undefined) indexes.push(this.byUsername.get(username) ?? NONE);
    if (status === 'pending') indexes.push(this.open);
    else if (status !== undefined) indexes.push(this.byStatus.get(status as FinishedStatus) ?? NONE);
    const source = indexes.length === 0 ? this.byId.values() : indexes.reduce((a, b) => (b.size < a.size ? b : a));
    return [...source]
      .filter(
        (a) =>
          (status === undefined || this.status(a) === status) && (username === undefined || a.username === username),
      )
      .sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  private finish(auth: AuthRequest, status: FinishedStatus, at: number): void {
    this.open.delete(auth);
    removeFrom(this.openByUser, auth.user, auth);
    addTo(this.byStatus, status, auth);
    this.finished.set(auth, at);
  }

  /**
   * Drops finished requests past their retention, oldest-finished first. Stops at the first one
   * still inside it, so with a clock moved back a request may stay longer, never shorter.
   */
  private prune(): void {
    const now = this.clock.now();
    for (const [auth, at] of this.finished) {
      if (this.finished.size <= this.retention.finishedAuths && at + this.retention.finishedAuthSeconds > now) break;
      this.finished.delete(auth);
      this.byId.delete(auth.id);
      this.order.delete(auth);
      removeFrom(this.byUsername, auth.username, auth);
      removeFrom(this.byStatus, this.status(auth) as FinishedStatus, auth);
    }
  }
}
