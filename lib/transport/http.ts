/**
 * The only code that performs HTTP (axios). It sends one request and returns the raw answer (status,
 * lower-cased headers, body bytes) for any status; the JOSE layer above decides what a status means.
 * Every network-level failure becomes a typed error here, once.
 *
 * Hardening (docs/security.md, T17): redirects are never followed (a signed request must not travel
 * elsewhere), environment proxies are ignored unless a proxy is configured explicitly, bodies are capped, a
 * timeout always applies, and plain `http:` is allowed only to a loopback host (the emulator). Errors keep a
 * sanitised cause: axios errors carry the request headers, which hold the signed token, so they are never
 * kept as such.
 */
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';

import {
  ApiTimeoutError,
  ConfigurationError,
  NetworkError,
  ResponseTooLargeError,
  type LaunchKeyError,
} from '../errors.js';
import { isLoopbackHost } from '../loopback.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';

/** The historical production base URL of the LaunchKey API. */
export const DEFAULT_BASE_URL = 'https://api.launchkey.com';
/** Default timeout of one request, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default largest response body accepted, in bytes (1 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Options of the HTTP layer. */
export interface HttpOptions {
  /** API base URL; default `https://api.launchkey.com`. `http:` only for loopback hosts. */
  baseUrl?: string;
  /** Timeout of one request in milliseconds; default 10 000. */
  timeout?: number;
  /** Largest response body in bytes; default 1 MiB. */
  maxResponseBytes?: number;
  /** An axios instance to send with (interceptors, agents). The hardening settings still apply. */
  axios?: AxiosInstance;
  /**
   * Extra axios request config (e.g. `proxy`, `httpsAgent`). It cannot re-enable redirects, remove
   * the size limit or the timeout.
   */
  axiosConfig?: AxiosRequestConfig;
  /** Appended to the User-Agent. */
  userAgent?: string;
}

/** One request to send. */
export interface HttpRequest {
  method: string;
  /** Path (and query, if any) appended to the base URL. */
  path: string;
  headers?: Record<string, string>;
  body?: string | undefined;
}

/** A raw answer: any status, headers lower-cased, the body bytes as received. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Validates a base URL: absolute, https (or http to loopback), no credentials, query or fragment. */
export function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (cause) {
    throw new ConfigurationError(`baseUrl ${JSON.stringify(baseUrl)} is not an absolute URL`, {
      cause,
      option: 'baseUrl',
    });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigurationError('baseUrl must use https (plain http is allowed only for a loopback emulator)', {
      option: 'baseUrl',
    });
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigurationError('baseUrl must not carry credentials, a query or a fragment', { option: 'baseUrl' });
  }
  return url.href.replace(/\/+$/, '');
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`${name} must be a positive number`, { option: name });
  }
  return value;
}

/** Sends requests to one API base URL. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly _axios: AxiosInstance;
  private readonly _timeout: number;
  private readonly _maxBytes: number;
  private readonly _config: AxiosRequestConfig;
  private readonly _userAgent: string;

  constructor(options: HttpOptions = {}) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    this._axios = options.axios ?? axios.create();
    this._timeout = positive(options.timeout, DEFAULT_TIMEOUT_MS, 'timeout');
    this._maxBytes = positive(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes');
    this._config = options.axiosConfig ?? {};
    const node = `Node.js/${process.versions.node}`;
    this._userAgent = [`${PACKAGE_NAME}/${PACKAGE_VERSION} (${node})`, options.userAgent].filter(Boolean).join(' ');
  }

  /** Sends one request and returns the answer, whatever its status. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let response;
    try {
      response = await this._axios.request<ArrayBuffer>({
        proxy: false,
        ...this._config,
        method: request.method,
        url: this.baseUrl + request.path,
        headers: { ...request.headers, 'User-Agent': this._userAgent, Accept: 'application/jose, application/json' },
        data: request.body,
        timeout: this._timeout,
        maxRedirects: 0,
        maxContentLength: this._maxBytes,
        maxBodyLength: this._maxBytes,
        responseType: 'arraybuffer',
        // Bytes, not parsed JSON: the body hash in the response token covers the exact bytes.
        transformResponse: [(data: unknown) => data],
        transformRequest: [(data: unknown) => data],
        validateStatus: () => true,
      });
    } catch (err) {
      throw this._mapError(err);
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') headers[name.toLowerCase()] = String(value);
      else if (Array.isArray(value)) headers[name.toLowerCase()] = value.map(String).join(', ');
    }
    const data: unknown = response.data;
    const body = Buffer.isBuffer(data)
      ? data
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : Buffer.from(typeof data === 'string' ? data : '', 'latin1');
    return { status: response.status, headers, body };
  }

  private _mapError(err: unknown): LaunchKeyError {
    const cause = sanitize(err);
    const code = err instanceof AxiosError ? err.code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return new ApiTimeoutError(this._timeout, { cause });
    }
    if (message.startsWith('maxContentLength') || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
      return new ResponseTooLargeError(this._maxBytes, { cause });
    }
    return new NetworkError(`The LaunchKey API could not be reached: ${message}`, { cause });
  }
}

/** A copy of an error with its name, code and message only: no config, headers or bodies. */
function sanitize(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const copy = new Error(message);
  copy.name = err instanceof Error ? err.name : 'Error';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}
