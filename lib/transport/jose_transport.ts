/**
 * One signed, encrypted API call end to end: clock, API key, seal, send, verify, decrypt, and the mapping of
 * the verified status and error body to a typed error (docs/protocol.md, "Status handling" and "Errors").
 *
 * Every answer that can carry a token is verified before anything in it is believed, error statuses
 * included: a 404 or a 409 could otherwise be forged by anything on the path. Two kinds of answer are
 * errors without verification, because nothing is taken from them: 5xx (a proxy or load balancer may
 * have answered) and redirects (never followed).
 */
import { HASH_FUNCS, type HashFunc } from '../crypto/digest.js';
import { JWE_ALGORITHMS, type JweAlgorithm } from '../crypto/jwe.js';
import type { KeyRing } from '../crypto/keys.js';
import { JWS_ALGORITHMS, type JwsAlgorithm, type TokenClaims } from '../crypto/jws.js';
import {
  ApiUnavailableError,
  ConfigurationError,
  JwtVerificationError,
  UnauthorizedError,
  UnexpectedResponseError,
  apiErrorFor,
  type ApiError,
} from '../errors.js';
import { observeApiCall } from '../telemetry/api_calls.js';
import { ApiKeyCache } from './api_keys.js';
import { BackgroundRefresh } from './background_refresh.js';
import { ApiClock } from './api_clock.js';
import { openResponse, sealRequest, type EnvelopeCredentials } from './client_envelope.js';
import { HttpClient, type HttpOptions, type HttpResponse } from './http.js';

/** Options of the signed and encrypted transport under every client: the HTTP options plus the JOSE choices. */
export interface TransportOptions extends HttpOptions {
  /** Request token algorithm; default `RS256`. */
  signingAlgorithm?: JwsAlgorithm;
  /** Request body key wrapping; default `RSA-OAEP`. */
  encryptionAlgorithm?: JweAlgorithm;
  /** Request body digest; default `S256`. */
  hashFunc?: HashFunc;
  /** Leeway on response token times, in seconds (0 to 120); default 30. */
  leeway?: number;
  /** Largest API clock offset accepted from the ping, in seconds; default 300. */
  maxClockOffset?: number;
  /** Seconds the API clock offset and current key are reused; default 300. */
  cacheTtl?: number;
  /**
   * Least seconds between two background refreshes of the API's current key and clock offset, which
   * webhooks ask for when they meet a key id or a clock we do not know yet; default 10.
   */
  refreshInterval?: number;
}

/** An API call. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path built from constants and validated ids (no query string). */
  path: string;
  /** The entity acted on, e.g. `svc:<uuid>`. */
  subject: string;
  /** JSON-serialisable body; omitted for none. */
  body?: unknown;
}

/** A successful, verified answer. */
export interface ApiResponse {
  status: number;
  /** Decrypted JSON body, or `undefined` when the body was empty. */
  data: unknown;
  claims: TokenClaims;
}

/** The LaunchKey JOSE transport for one credential holder. */
export class JoseTransport {
  readonly issuer: string;
  readonly keyRing: KeyRing;
  readonly http: HttpClient;
  readonly apiKeys: ApiKeyCache;
  readonly clock: ApiClock;
  /**
   * Refreshes the current API key and the clock offset in the background, rate-limited. Webhooks ask
   * for it instead of fetching anything themselves (see `BaseClient`).
   */
  readonly refresher: BackgroundRefresh;
  private readonly _credentials: EnvelopeCredentials;
  private readonly _leeway: number;

  constructor(issuer: string, keyRing: KeyRing, options: TransportOptions = {}) {
    if (!/^(org|dir|svc):[0-9a-f-]{36}$/i.test(issuer)) {
      throw new ConfigurationError(`issuer ${JSON.stringify(issuer)} is not an entity id like svc:<uuid>`);
    }
    const leeway = options.leeway ?? 30;
    if (!Number.isFinite(leeway) || leeway < 0 || leeway > 120) {
      throw new ConfigurationError('leeway must be between 0 and 120 seconds', { option: 'leeway' });
    }
    // Checked here, at setup, not at the first call (a user's first login): a typo from JavaScript or
    // a config file would otherwise surface as a crypto error naming no option.
    checkOneOf('signingAlgorithm', options.signingAlgorithm, JWS_ALGORITHMS);
    checkOneOf('encryptionAlgorithm', options.encryptionAlgorithm, JWE_ALGORITHMS);
    checkOneOf('hashFunc', options.hashFunc, HASH_FUNCS);
    this.issuer = issuer;
    this.keyRing = keyRing;
    this.http = new HttpClient(options);
    const ttl = options.cacheTtl ?? 300;
    this.apiKeys = new ApiKeyCache(this.http, { currentKeyTtl: ttl });
    this.clock = new ApiClock(this.http, {
      ttl,
      ...(options.maxClockOffset === undefined ? {} : { maxOffset: options.maxClockOffset }),
    });
    this.refresher = new BackgroundRefresh(
      () => Promise.allSettled([this.clock.resync(), this.apiKeys.refreshCurrent()]),
      options.refreshInterval === undefined ? {} : { minInterval: options.refreshInterval },
    );
    this._leeway = leeway;
    this._credentials = {
      issuer,
      keyRing,
      ...(options.signingAlgorithm === undefined ? {} : { signingAlgorithm: options.signingAlgorithm }),
      ...(options.encryptionAlgorithm === undefined ? {} : { encryptionAlgorithm: options.encryptionAlgorithm }),
      ...(options.hashFunc === undefined ? {} : { hashFunc: options.hashFunc }),
    };
  }

  /**
   * Sends a signed (and, with a body, encrypted) request and returns the verified, decrypted answer.
   *
   * @throws {ApiError} subclasses for refusals by the API (after the answer verified).
   * @throws {JwtVerificationError} / {JweDecryptionError} when the answer does not verify or decrypt.
   * @throws {NetworkError} / {ApiTimeoutError} / {ApiUnavailableError} / {ResponseTooLargeError} /
   *   {UnexpectedResponseError} for transport faults.
   */
  async request(request: ApiRequest): Promise<ApiResponse> {
    // One span and one duration per call, retries included: the latency a login sees.
    return observeApiCall({ method: request.method, path: request.path, baseUrl: this.http.baseUrl }, () =>
      this._request(request, false),
    );
  }

  private async _request(request: ApiRequest, retried: boolean): Promise<ApiResponse> {
    const offset = await this.clock.offset();
    const now = await this.clock.now();
    const apiKey = await this.apiKeys.current();
    const sealed = await sealRequest(this._credentials, request, apiKey, now);
    const response = await this.http.send({
      method: request.method,
      path: request.path,
      headers: sealed.headers,
      body: sealed.body,
    });
    const { status } = response;
    if (status >= 500) throw new ApiUnavailableError(status);
    if (status >= 300 && status < 400) {
      throw new UnexpectedResponseError(`The API answered with a redirect (HTTP ${status}), which is not followed`, {
        status,
      });
    }
    try {
      return await this._open(request, sealed.jti, response, now);
    } catch (err) {
      // The API clock may have moved since the offset was measured (a stale offset makes our tokens
      // look expired to the API, and its tokens look early to us). Measure again; a 401 was not
      // processed and a GET is idempotent, so those two are sent once more with the new offset.
      const timeFailure =
        err instanceof JwtVerificationError && (err.failure === 'expired' || err.failure === 'not-yet-valid');
      if (!retried && (timeFailure || err instanceof UnauthorizedError) && (await this._clockMoved(offset))) {
        if (status === 401 || request.method === 'GET') return this._request(request, true);
      }
      throw err;
    }
  }

  /** Verifies and decrypts an answer, and turns a refusal into its typed error. */
  private async _open(request: ApiRequest, jti: string, response: HttpResponse, now: number): Promise<ApiResponse> {
    const { status } = response;
    const expected = { jti, subject: request.subject };
    const verifyOptions = { resolveApiKey: (kid: string) => this.apiKeys.byKid(kid), now, leeway: this._leeway };
    if (status === 401) {
      // A 401 must still be signed (the Java SDK's rule), else anything on the path could pass for
      // "your credentials are wrong". The API may not know the subject then, and in 2018 it used the
      // audience "public".
      const refusal = await openResponse(this._credentials, expected, response, {
        ...verifyOptions,
        extraAudiences: ['public'],
        checkSubject: false,
      });
      // What the API itself said, if anything: kept as errorDetail, apart from our hint.
      const said: unknown = (refusal.payload as { error_detail?: unknown } | null | undefined)?.error_detail;
      const opened401Detail = said === undefined || said === null || said === '' ? undefined : said;
      // The bare "Unauthorized" of a wrong id and of a wrong key look alike: say what to check.
      throw new UnauthorizedError(
        { status, errorCode: 'HTTP-401', errorDetail: opened401Detail },
        {
          message:
            `The API refused the credentials of ${this.issuer} (HTTP 401): check that this is the entity's id ` +
            `and that the key ${this.keyRing.signingKey.kid} (the id of the private key that signed) is one of ` +
            'its active public keys',
        },
      );
    }
    const opened = await openResponse(this._credentials, expected, response, verifyOptions);
    if (status >= 200 && status < 300) return { status, data: opened.payload, claims: opened.claims };
    throw errorFromResponse(response, opened.payload);
  }

  /** Measures the clock offset again; whether it changed by more than a second. */
  private async _clockMoved(previous: number): Promise<boolean> {
    const offset = await this.clock.resync();
    return offset !== undefined && Math.abs(offset - previous) > 1;
  }
}

/** The typed error of a verified 4xx answer: the body's `error_code` first, then the status. */
function errorFromResponse(response: HttpResponse, payload: unknown): ApiError {
  const { status } = response;
  const retryAfterHeader = response.headers['retry-after'];
  const retryAfter =
    retryAfterHeader !== undefined && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
  const base = { status, ...(retryAfter === undefined ? {} : { retryAfter }) };
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const body = payload as Record<string, unknown>;
    const code = body['error_code'];
    if (typeof code === 'string' && code.length > 0) {
      const data = body['error_data'];
      return apiErrorFor({
        ...base,
        errorCode: code,
        errorDetail: body['error_detail'],
        errorData:
          data !== null && typeof data === 'object' && !Array.isArray(data)
            ? (data as Record<string, unknown>)
            : undefined,
      });
    }
  }
  return apiErrorFor({ ...base, errorCode: `HTTP-${status}` });
}

/** Refuses an option given outside its allowed values, naming the option and the values. */
function checkOneOf(option: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new ConfigurationError(`${option} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`, {
      option,
    });
  }
}
