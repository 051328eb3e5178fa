/**
 * The background poller (docs/architecture.md, "The waiting path"): in `mode` `'poll'` and
 * `'both'`, the one place that asks the API about a pending login. Status requests and event
 * streams never do; they read the store and wait for its change notifications.
 *
 * At most one poller per login across all instances: each tick first renews the login's poll lease
 * in the store, and only the holder polls. The instance that started the login takes the lease; when
 * that instance goes away, the lease runs out and the next instance that reads the login (a status
 * request, a stream's periodic re-read, a completion) takes it over. A tick polls only while the
 * record is pending: a webhook's answer, a cancel, the request's expiry or the record's removal stop
 * it, and an answer it learns itself is written to the store, where every waiter hears of it.
 */
import { answerStatus } from '../entities/auth_response.js';
import { randomUUID } from 'node:crypto';

import { AuthorizationRequestCanceledError, LegacyPackageRefusedError, RequestTimedOutError } from '../errors.js';
import { auditSettled } from './audit_settled.js';
import { noteFraud } from './fraud_cooldown.js';
import type { StrategyConfig } from './options.js';
import type { FinalOutcome } from './store.js';

/** Polls pending logins for one strategy instance. */
export class Poller {
  private readonly _config: StrategyConfig;
  /** Identifies this instance's leases in the store. */
  private readonly _owner = randomUUID();
  private readonly _timers = new Map<string, NodeJS.Timeout>();
  private _closed = false;

  constructor(config: StrategyConfig) {
    this._config = config;
  }

  /** How long a lease outlives its holder's last tick: three missed ticks. */
  private get _leaseMs(): number {
    return 3 * this._config.pollInterval;
  }

  /** Logins this instance polls now (for tests and monitoring). */
  get active(): number {
    return this._timers.size;
  }

  /**
   * Makes sure someone polls the login `id`: takes (or renews) its lease when it is free and
   * polls here. Costs one store call (none in `mode` `'webhook'`), always, also when this instance
   * polls it already and for an id with no record: a decoy's id costs what a real login costs,
   * wherever it is asked about. Never rejects: a failure is reported to `onError` and the next
   * reader tries again.
   */
  async ensure(id: string): Promise<void> {
    if (this._config.mode === 'webhook' || this._closed) return;
    try {
      if (!(await this._config.store.pollLease(id, this._owner, this._leaseMs))) return;
    } catch (err) {
      this._config.onError(err);
      return;
    }
    if (!this.closed && !this._timers.has(id)) this._schedule(id);
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this._closed;
  }

  /** Stops every poller of this instance; their leases run out and other instances take over. */
  close(): void {
    this._closed = true;
    for (const timer of this._timers.values()) clearTimeout(timer);
    this._timers.clear();
  }

  private _schedule(id: string): void {
    const timer = setTimeout(() => {
      void this._tick(id);
    }, this._config.pollInterval);
    // A pending login must not keep the process alive on its own.
    timer.unref();
    this._timers.set(id, timer);
  }

  private async _tick(id: string): Promise<void> {
    const { store } = this._config;
    let done = true;
    try {
      if (!(await store.pollLease(id, this._owner, this._leaseMs))) return;
      const record = await store.get(id);
      if (record?.status !== 'pending') return;
      const now = this._config.now();
      const outcome = now >= record.expiresAt ? { status: 'expired' as const, at: now } : await this._poll(id, now);
      if (outcome === undefined) {
        done = false;
        return;
      }
      if ((await store.completeIfPending(id, outcome)) === 'completed') {
        auditSettled(this._config, { loginId: id, outcome, via: 'poll', username: record.username });
        // Rare: only a fraud report starts a cooldown, so only then is the stored record read back.
        if (outcome.response?.fraud === true) await noteFraud(this._config, await store.get(id));
      }
    } catch (err) {
      // Transient (the API or the store is away): try again at the next tick, until the expiry.
      this._config.onError(err);
      done = false;
    } finally {
      this._timers.delete(id);
      if (!done && !this._closed) this._schedule(id);
    }
  }

  /** One poll of the API: the final outcome, or `undefined` while the device has not answered. */
  private async _poll(id: string, now: number): Promise<FinalOutcome | undefined> {
    try {
      const response = await this._config.client.getAdvancedAuthorizationResponse(id, {
        allowLegacyPackage: this._config.allowLegacyAuthPackage,
      });
      return response === null ? undefined : { status: answerStatus(response), response, at: now };
    } catch (err) {
      if (err instanceof RequestTimedOutError) return { status: 'expired', at: now };
      if (err instanceof AuthorizationRequestCanceledError) return { status: 'canceled', at: now };
      // The device answered in a form this strategy refuses (allowLegacyAuthPackage): it failed.
      if (err instanceof LegacyPackageRefusedError) return { status: 'failed', at: now };
      throw err;
    }
  }
}
