/**
 * The API's public keys, from the unauthenticated `/public/v3/public-key` endpoints (docs/protocol.md, "The
 * API's public keys"): the current key, to which request bodies are encrypted, cached for 300 s; and keys by
 * id, which verify response tokens, cached for the life of the process.
 *
 * Known keys and unknown ids are kept apart, each bounded on its own: a flood of tokens naming random key ids
 * fills the negative side only and never pushes a real API key out (docs/security.md, T5). A `kid` the API
 * does not know is remembered for a while, and concurrent look-ups of one `kid` share one fetch. A fetched
 * key must be the key that was asked for: its fingerprint is recomputed and compared to the `kid` and to
 * `X-IOV-KEY-ID`.
 *
 * Only {@link ApiKeyCache.byKid} fetches by id, for the tokens of answers to our own calls (the API
 * we called chose the `kid`). Webhooks use {@link ApiKeyCache.cached}, which never sends anything:
 * an unverified request must not make us send requests.
 */
import { KID_PATTERN, loadPublicKey, requireUsableKey, type PublicKey } from '../crypto/keys.js';
import { ApiUnavailableError, ConfigurationError, JwtVerificationError, UnexpectedResponseError } from '../errors.js';
import type { HttpClient, HttpResponse } from './http.js';

/** Options of {@link ApiKeyCache}. */
export interface ApiKeyCacheOptions {
  /** Seconds the current key is trusted before it is fetched again; default 300. */
  currentKeyTtl?: number;
  /** Seconds an unknown key id is remembered as unknown; default 60. */
  unknownKeyTtl?: number;
  /** Most known API keys held before the oldest is forgotten; default 100. Unknown ids never count. */
  maxEntries?: number;
  /** Most unknown key ids remembered before the oldest is forgotten; default 1000. */
  maxUnknownEntries?: number;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

function positiveInteger(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigurationError(`${option} must be a positive integer`, { option });
  }
  return value;
}

/** Fetches and caches the API's public keys. */
export class ApiKeyCache {
  private readonly _http: HttpClient;
  private readonly _currentTtlMs: number;
  private readonly _unknownTtlMs: number;
  private readonly _maxKnown: number;
  private readonly _maxUnknown: number;
  private readonly _now: () => number;
  private _current: { key: PublicKey; until: number } | undefined;
  private _currentFetch: Promise<PublicKey> | undefined;
  /** kid → key, only keys the API served; insertion order is age. */
  private readonly _known = new Map<string, PublicKey>();
  /** kid → until (ms) for ids the API said it does not know; insertion order is age. */
  private readonly _unknown = new Map<string, number>();
  private readonly _fetches = new Map<string, Promise<PublicKey | undefined>>();

  constructor(http: HttpClient, options: ApiKeyCacheOptions = {}) {
    this._http = http;
    this._currentTtlMs = (options.currentKeyTtl ?? 300) * 1000;
    this._unknownTtlMs = (options.unknownKeyTtl ?? 60) * 1000;
    this._maxKnown = positiveInteger(options.maxEntries ?? 100, 'maxEntries');
    this._maxUnknown = positiveInteger(options.maxUnknownEntries ?? 1000, 'maxUnknownEntries');
    this._now = options.now ?? Date.now;
  }

  /** The key request bodies are encrypted to. */
  async current(): Promise<PublicKey> {
    const cached = this._current;
    if (cached !== undefined && cached.until > this._now()) return cached.key;
    return this.refreshCurrent();
  }

  /**
   * Fetches the current key now, whatever the cache holds (one fetch shared by concurrent callers),
   * and learns it by its id: after a key rotation, the new key's tokens then verify from the cache.
   */
  refreshCurrent(): Promise<PublicKey> {
    this._currentFetch ??= this._fetch('/public/v3/public-key', undefined)
      .then((fetched) => {
        if (fetched === undefined) {
          throw new UnexpectedResponseError('The API has no current public key', { status: 404 });
        }
        // The same key served again keeps its loaded object: jose caches the CryptoKey it derives on
        // the KeyObject, so a fresh one every TTL would be imported again for nothing.
        const known = this._known.get(fetched.kid);
        const key = known !== undefined && known.pem === fetched.pem ? known : fetched;
        this._current = { key, until: this._now() + this._currentTtlMs };
        this._learn(key);
        return key;
      })
      .finally(() => {
        this._currentFetch = undefined;
      });
    return this._currentFetch;
  }

  /** The API key with this id if it is already known, without any I/O; `undefined` otherwise. */
  cached(kid: string): PublicKey | undefined {
    return this._known.get(kid);
  }

  /**
   * The API key with this id, fetched once when not cached. For the tokens of answers to our own
   * calls only; see {@link cached} for anything else.
   *
   * @throws {JwtVerificationError} (failure `key`) when the id is malformed or the API does not know it.
   */
  async byKid(kid: string): Promise<PublicKey> {
    if (!KID_PATTERN.test(kid)) throw new JwtVerificationError('key', 'Key id is not a fingerprint', { claim: 'kid' });
    const known = this._known.get(kid);
    if (known !== undefined) return known;
    const unknownUntil = this._unknown.get(kid);
    if (unknownUntil !== undefined) {
      if (unknownUntil > this._now()) throw unknownKey(kid);
      this._unknown.delete(kid);
    }
    let fetch = this._fetches.get(kid);
    if (fetch === undefined) {
      fetch = this._fetch(`/public/v3/public-key/${kid}`, kid)
        .then((key) => {
          if (key === undefined) this._rememberUnknown(kid);
          else this._learn(key);
          return key;
        })
        .finally(() => this._fetches.delete(kid));
      this._fetches.set(kid, fetch);
    }
    const key = await fetch;
    if (key === undefined) throw unknownKey(kid);
    return key;
  }

  /** Holds a key the API served; the oldest known key goes when there are too many. */
  private _learn(key: PublicKey): void {
    this._unknown.delete(key.kid);
    this._known.delete(key.kid);
    this._known.set(key.kid, key);
    // Maps iterate in insertion order: the first entries are the oldest.
    for (const oldest of this._known.keys()) {
      if (this._known.size <= this._maxKnown) break;
      this._known.delete(oldest);
    }
  }

  /** Remembers an id the API does not know, on the negative side only, bounded on its own. */
  private _rememberUnknown(kid: string): void {
    this._unknown.delete(kid);
    this._unknown.set(kid, this._now() + this._unknownTtlMs);
    for (const oldest of this._unknown.keys()) {
      if (this._unknown.size <= this._maxUnknown) break;
      this._unknown.delete(oldest);
    }
  }

  private async _fetch(path: string, expectedKid: string | undefined): Promise<PublicKey | undefined> {
    const response = await this._http.send({ method: 'GET', path });
    if (response.status === 404 && expectedKid !== undefined) return undefined;
    return parseKeyResponse(response, expectedKid);
  }
}

function unknownKey(kid: string): JwtVerificationError {
  return new JwtVerificationError('key', `The API does not know the key id ${kid}`, { claim: 'kid' });
}

/** Checks a public-key response: 200, PEM text, and a fingerprint equal to `X-IOV-KEY-ID` (and the kid asked for). */
function parseKeyResponse(response: HttpResponse, expectedKid: string | undefined): PublicKey {
  const { status } = response;
  if (status >= 500) throw new ApiUnavailableError(status);
  if (status !== 200) throw new UnexpectedResponseError(`The public key endpoint answered HTTP ${status}`, { status });
  const headerKid = response.headers['x-iov-key-id'];
  if (headerKid === undefined) {
    throw new UnexpectedResponseError('Public Key ID header X-IOV-KEY-ID not found in response', { status });
  }
  let key: PublicKey;
  try {
    key = requireUsableKey(loadPublicKey(response.body.toString('utf8')), 'API public key');
  } catch (cause) {
    throw new UnexpectedResponseError('The public key endpoint did not answer with a usable RSA public key', {
      status,
      cause,
    });
  }
  if (key.kid !== headerKid.trim() || (expectedKid !== undefined && key.kid !== expectedKid)) {
    throw new UnexpectedResponseError('The API public key does not have the key id it was fetched by', { status });
  }
  return key;
}
