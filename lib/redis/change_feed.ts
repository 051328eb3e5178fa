/**
 * Change notifications across instances: one Redis subscription per `RedisStore`, fanned out in
 * process to the waiters of each login. The scripts publish a login's id on one channel after they
 * changed its record; every instance hears it and tells its own waiters, who read the record again.
 *
 * One channel for all logins (rather than one per login) keeps the subscription count at one per
 * process however many browsers wait, and makes recovery simple: when the subscription connection
 * comes back after a loss, every local waiter is told to read again, since a change may have been
 * missed while it was away.
 */
import type { RedisConnection, RedisSubscriberLike } from './connection.js';

type Listener = () => void;

/** The in-process side of the notification channel. */
export class ChangeFeed {
  readonly channel: string;
  private readonly _connection: RedisConnection;
  private readonly _onError: (err: unknown) => void;
  private readonly _listeners = new Map<string, Set<Listener>>();
  private _subscriber: RedisSubscriberLike | undefined;
  private _starting: Promise<void> | undefined;
  private _closed = false;

  constructor(connection: RedisConnection, onError: (err: unknown) => void) {
    this._connection = connection;
    this._onError = onError;
    this.channel = `${connection.prefix}changes`;
  }

  /** Calls `listener` when the login `id` changes; returns the function that stops it. */
  subscribe(id: string, listener: Listener): () => void {
    if (!this._closed) this._start();
    let set = this._listeners.get(id);
    if (set === undefined) {
      set = new Set();
      this._listeners.set(id, set);
    }
    const call = (): void => {
      listener();
    };
    set.add(call);
    return () => {
      const current = this._listeners.get(id);
      if (current === undefined) return;
      current.delete(call);
      if (current.size === 0) this._listeners.delete(id);
    };
  }

  /** Stops the subscription connection. Waiters keep their re-read timers and see no more pushes. */
  async close(): Promise<void> {
    this._closed = true;
    const subscriber = this._subscriber;
    this._subscriber = undefined;
    if (subscriber === undefined) return;
    await this._starting?.catch(() => undefined);
    try {
      if (typeof subscriber.close === 'function') await subscriber.close();
      else if (typeof subscriber.quit === 'function') await subscriber.quit();
      else subscriber.destroy?.();
    } catch {
      subscriber.destroy?.();
    }
  }

  private _start(): void {
    if (this._subscriber !== undefined) return;
    const subscriber = this._connection.client.duplicate();
    this._subscriber = subscriber;
    // node-redis throws an unhandled 'error' event otherwise; it reconnects by itself.
    subscriber.on('error', (err) => {
      this._onError(err);
    });
    let connectedOnce = false;
    subscriber.on('ready', () => {
      // node-redis subscribes again on reconnect; what changed meanwhile was not heard.
      if (connectedOnce) this._tellEveryone();
      connectedOnce = true;
    });
    this._starting = subscriber
      .connect()
      .then(() =>
        subscriber.subscribe(this.channel, (id) => {
          this._tell(id);
        }),
      )
      .then(
        () => {
          // Whoever subscribed before the subscription was live may have missed a change.
          this._tellEveryone();
        },
        (err: unknown) => {
          this._onError(err);
        },
      );
  }

  private _tell(id: string): void {
    const set = this._listeners.get(id);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener();
      } catch (err) {
        this._onError(err);
      }
    }
  }

  private _tellEveryone(): void {
    for (const id of [...this._listeners.keys()]) this._tell(id);
  }
}
