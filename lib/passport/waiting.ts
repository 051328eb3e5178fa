/**
 * Waiting for a login to change (docs/architecture.md, "The waiting path"), independent of the
 * web framework: what a long poll or an event stream does between its first answer and its last.
 *
 * A wait reads the store and listens to the store's change notifications; it never calls the API
 * (the background poller does, once per login across all instances). Besides the notifications it
 * wakes at the request's expiry (a pending login then reads `expired`, locally) and every
 * {@link RECHECK_MS} as a safety net for a notification lost with a connection, at which point it
 * also makes sure the login still has a poller. Every timer and subscription is released by the
 * function {@link watchLogin} returns, whenever the caller stops.
 */
import { statusView, type LoginStatus } from './login_status.js';
import { readLogin } from './login_ref.js';
import type { StrategyConfig } from './options.js';
import type { Poller } from './poller.js';
import type { PendingRef } from './session.js';

/** How often a wait reads the store again without a notification, in ms. */
export const RECHECK_MS = 10_000;

/** What a wait reports. */
export interface WatchCallbacks {
  /** A new view of the login (its status changed). */
  onChange(view: LoginStatus): void;
  /** The wait is over: the login is final or gone, the deadline passed, or the store failed. Called once. */
  onEnd(error?: unknown): void;
}

/** Same status, same code: nothing for the browser to learn. */
function sameView(a: LoginStatus, b: LoginStatus): boolean {
  return a.status === b.status && a.code === b.code;
}

/**
 * Watches the login `ref` points at, from the view the caller already sent (`seen`), until it is
 * final or gone or `durationMs` passed. Returns the function that stops the wait
 * without calling `onEnd` (the client went away).
 */
export function watchLogin(
  config: StrategyConfig,
  poller: Poller,
  ref: PendingRef,
  seen: LoginStatus,
  durationMs: number,
  callbacks: WatchCallbacks,
): () => void {
  let last = seen;
  let finished = false;
  let reading = false;
  let readAgain = false;
  let expiryTimer: NodeJS.Timeout | undefined;

  const stop = (): void => {
    if (finished) return;
    finished = true;
    unsubscribe();
    clearTimeout(deadlineTimer);
    clearTimeout(expiryTimer);
    clearInterval(recheck);
  };
  const end = (error?: unknown): void => {
    if (finished) return;
    stop();
    callbacks.onEnd(error);
  };
  const read = (): void => {
    if (finished) return;
    if (reading) {
      // A change arrived while reading: read once more afterwards, never twice at once.
      readAgain = true;
      return;
    }
    reading = true;
    readLogin(config, ref).then(
      (record) => {
        reading = false;
        if (finished) return;
        const now = config.now();
        const view = statusView(record, now);
        if (!sameView(view, last)) {
          last = view;
          callbacks.onChange(view);
        }
        if (view.status !== 'pending' || record === undefined) {
          end();
          return;
        }
        if (expiryTimer === undefined) {
          expiryTimer = setTimeout(read, Math.max(0, record.expiresAt - now) + 1);
        }
        if (readAgain) {
          readAgain = false;
          read();
        }
      },
      (err: unknown) => {
        reading = false;
        end(err);
      },
    );
  };

  const unsubscribe = config.store.subscribe(ref.id, read);
  const deadlineTimer = setTimeout(() => {
    end();
  }, durationMs);
  const recheck = setInterval(() => {
    read();
    void poller.ensure(ref.id);
  }, RECHECK_MS);
  // A change between the caller's first read and the subscription would otherwise be missed.
  read();
  return stop;
}

/**
 * The open waits (long polls and event streams) of one status handler: at most `perLogin` per login
 * (a new one closes the oldest: a reloaded tab must not be refused because of its own dead stream)
 * and `total` in all (above it, a new wait is refused with 503 and `Retry-After`).
 */
export class WaitRegistry {
  private readonly _perLogin: number;
  private readonly _total: number;
  private _count = 0;
  private readonly _byLogin = new Map<string, Set<() => void>>();

  constructor(perLogin: number, total: number) {
    this._perLogin = perLogin;
    this._total = total;
  }

  /** Open waits now. */
  get size(): number {
    return this._count;
  }

  /**
   * Registers a wait on `login`, closed by `close` when it must make room. Resolves the function that
   * unregisters it (call it exactly when the wait ends, whatever ended it), or `undefined` when the
   * process is at its limit.
   */
  open(login: string, close: () => void): (() => void) | undefined {
    let waits = this._byLogin.get(login);
    if (waits !== undefined && waits.size >= this._perLogin) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = waits.values().next().value;
      oldest?.();
    }
    if (this._count >= this._total) return undefined;
    waits = this._byLogin.get(login);
    if (waits === undefined) {
      waits = new Set();
      this._byLogin.set(login, waits);
    }
    const entry = (): void => {
      close();
    };
    waits.add(entry);
    this._count += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this._count -= 1;
      const set = this._byLogin.get(login);
      set?.delete(entry);
      if (set?.size === 0) this._byLogin.delete(login);
    };
  }
}
