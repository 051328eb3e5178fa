/**
 * The API's public keys, from the unauthenticated `/public/v3/public-key` endpoints (PROTOCOL.md
 * §2.2): the current key, to which request bodies are encrypted, cached for 300 s; and keys by id,
 * which verify response tokens, cached for the life of the process.
 *
 * A `kid` that the API does not know is remembered for a while (negative cache), and concurrent
 * look-ups of one `kid` share one fetch, so a flood of tokens naming random key ids costs one request
 * per id, not one per token (SECURITY.md T5). A fetched key must be the key that was asked for: its
 * fingerprint is recomputed and compared to the `kid` and to `X-IOV-KEY-ID`.
 */
import { KID_PATTERN, loadPublicKey, requireUsableKey, type PublicKey } from '../crypto/keys.js';
import { ApiUnavailableError, JwtVerificationError, UnexpectedResponseError } from '../errors.js';
import type { HttpClient, HttpResponse } from './http.js';

/** Options of {@link ApiKeyCache}. */
export interface ApiKeyCacheOptions {
  /** Seconds the current key is trusted before it is fetched again; default 300. */
  currentKeyTtl?: number;
  /** Seconds an unknown key id is remembered as unknown; default 60. */
  unknownKeyTtl?: number;
  /** Most key ids cached (known or unknown) before the oldest are forgotten; default 100. */
  maxEntries?: number;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

interface Cached {
  key: PublicKey | undefined;
  until: number;
}

/** Fetches and caches the API's public keys. */
export class ApiKeyCache {
  private readonly _http: HttpClient;
  private readonly _currentTtlMs: number;
  private readonly _unknownTtlMs: number;
  private readonly _maxEntries: number;
  private readonly _now: () => number;
  private _current: { key: PublicKey; until: number } | undefined;
  private _currentFetch: Promise<PublicKey> | undefined;
  private readonly _byKid = new Map<string, Cached>();
  private readonly _fetches = new Map<string, Promise<PublicKey | undefined>>();

  constructor(http: HttpClient, options: ApiKeyCacheOptions = {}) {
    this._http = http;
    this._currentTtlMs = (options.currentKeyTtl ?? 300) * 1000;
    this._unknownTtlMs = (options.unknownKeyTtl ?? 60) * 1000;
    this._maxEntries = options.maxEntries ?? 100;
    this._now = options.now ?? Date.now;
  }

  /** The key request bodies are encrypted to. */
  async current(): Promise<PublicKey> {
    const cached = this._current;
    if (cached !== undefined && cached.until > this._now()) return cached.key;
    this._currentFetch ??= this._fetch('/public/v3/public-key', undefined)
      .then((key) => {
        if (key === undefined) throw new UnexpectedResponseError('The API has no current public key', { status: 404 });
        this._current = { key, until: this._now() + this._currentTtlMs };
        this._remember(key.kid, key, Infinity);
        return key;
      })
      .finally(() => {
        this._currentFetch = undefined;
      });
    return this._currentFetch;
  }

  /**
   * The API key with this id, fetched once when not cached.
   *
   * @throws {JwtVerificationError} (failure `key`) when the id is malformed or the API does not know it.
   */
  async byKid(kid: string): Promise<PublicKey> {
    if (!KID_PATTERN.test(kid)) throw new JwtVerificationError('key', 'Key id is not a fingerprint', { claim: 'kid' });
    const cached = this._byKid.get(kid);
    if (cached !== undefined && cached.until > this._now()) {
      if (cached.key !== undefined) return cached.key;
      throw unknownKey(kid);
    }
    let fetch = this._fetches.get(kid);
    if (fetch === undefined) {
      fetch = this._fetch(`/public/v3/public-key/${kid}`, kid)
        .then((key) => {
          this._remember(kid, key, key === undefined ? this._now() + this._unknownTtlMs : Infinity);
          return key;
        })
        .finally(() => this._fetches.delete(kid));
      this._fetches.set(kid, fetch);
    }
    const key = await fetch;
    if (key === undefined) throw unknownKey(kid);
    return key;
  }

  private _remember(kid: string, key: PublicKey | undefined, until: number): void {
    this._byKid.delete(kid);
    this._byKid.set(kid, { key, until });
    // Maps iterate in insertion order: the first entries are the oldest.
    for (const oldest of this._byKid.keys()) {
      if (this._byKid.size <= this._maxEntries) break;
      this._byKid.delete(oldest);
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
