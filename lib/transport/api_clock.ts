/**
 * The API clock: `GET /public/v3/ping` gives the API time, and the offset from the local clock stamps every
 * request token (docs/protocol.md, "Ping and the clock offset"), so a machine whose clock drifts still makes
 * tokens the API accepts within their 5-second life.
 *
 * The ping is unauthenticated, so the offset is bounded (docs/security.md, T6): an offset larger than
 * `maxOffset` is refused instead of applied.
 */
import { ApiUnavailableError, UnexpectedResponseError } from '../errors.js';
import { parseIsoTime } from '../iso_time.js';
import type { HttpClient } from './http.js';

/** Options of {@link ApiClock}. */
export interface ApiClockOptions {
  /** Seconds an offset is reused before pinging again; default 300 (the Python SDK's). */
  ttl?: number;
  /** Largest offset in seconds accepted from the API; default 300. */
  maxOffset?: number;
  /** Local clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

/** The local clock corrected by the API's. */
export class ApiClock {
  private readonly _http: HttpClient;
  private readonly _ttlMs: number;
  private readonly _maxOffset: number;
  private readonly _now: () => number;
  private _offset: { seconds: number; until: number } | undefined;
  private _ping: Promise<number> | undefined;

  constructor(http: HttpClient, options: ApiClockOptions = {}) {
    this._http = http;
    this._ttlMs = (options.ttl ?? 300) * 1000;
    this._maxOffset = options.maxOffset ?? 300;
    this._now = options.now ?? Date.now;
  }

  /** API time in whole seconds. */
  async now(): Promise<number> {
    return Math.floor(this._now() / 1000) + (await this.offset());
  }

  /** Seconds to add to the local clock to get API time. */
  async offset(): Promise<number> {
    const cached = this._offset;
    if (cached !== undefined && cached.until > this._now()) return cached.seconds;
    this._ping ??= this._measure().finally(() => {
      this._ping = undefined;
    });
    return this._ping;
  }

  /**
   * The offset measured last, without any I/O: `fresh` while within its TTL, still given after it
   * (a measured offset, even an old one, beats none); `undefined` when none was measured yet. For
   * the webhook path, which must not ping on behalf of unverified input.
   */
  measured(): { seconds: number; fresh: boolean } | undefined {
    const offset = this._offset;
    return offset === undefined ? undefined : { seconds: offset.seconds, fresh: offset.until > this._now() };
  }

  /** Forgets the offset: the next call pings. */
  reset(): void {
    this._offset = undefined;
  }

  /**
   * Pings now, e.g. after the API refused a token as expired. When the ping fails, the previous
   * offset stays in use and `undefined` is returned.
   */
  async resync(): Promise<number | undefined> {
    const previous = this._offset;
    this._offset = undefined;
    try {
      return await this.offset();
    } catch {
      this._offset = previous;
      return undefined;
    }
  }

  private async _measure(): Promise<number> {
    const response = await this._http.send({ method: 'GET', path: '/public/v3/ping' });
    if (response.status >= 500) throw new ApiUnavailableError(response.status);
    let apiTime: unknown;
    try {
      apiTime = (JSON.parse(response.body.toString('utf8')) as { api_time?: unknown }).api_time;
    } catch {
      apiTime = undefined;
    }
    const apiMs = parseIsoTime(apiTime)?.getTime() ?? NaN;
    if (response.status !== 200 || Number.isNaN(apiMs)) {
      throw new UnexpectedResponseError('The ping endpoint did not answer with an api_time', {
        status: response.status,
      });
    }
    const local = this._now();
    const seconds = Math.round((apiMs - local) / 1000);
    if (Math.abs(seconds) > this._maxOffset) {
      throw new UnexpectedResponseError(
        `The API clock differs from the local clock by ${seconds} s, more than the ${this._maxOffset} s accepted`,
        { status: response.status },
      );
    }
    this._offset = { seconds, until: local + this._ttlMs };
    return seconds;
  }
}
