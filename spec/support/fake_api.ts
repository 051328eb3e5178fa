/**
 * A scriptable LaunchKey API behind nock, for the transport's own edge cases (tampered answers,
 * faults no honest server produces). Each call to `reply` verifies the request the way the API does
 * (token signature and binding with the client's public key, body decrypted with the API key), then
 * answers with a correctly signed and encrypted response that a `tamper` hook may alter.
 *
 * The protocol behaviour itself is tested against the emulator over real HTTP; this is only for what
 * the emulator will not do on purpose.
 */
import nock from 'nock';

import { digestHex } from '../../lib/crypto/digest.js';
import { decryptJweJson, encryptJwe } from '../../lib/crypto/jwe.js';
import type { PrivateKey, PublicKey } from '../../lib/crypto/keys.js';
import { checkRequestBinding, responseClaims, signToken, verifyToken, type TokenClaims } from '../../lib/crypto/jws.js';

export const BASE_URL = 'https://api.launchkey.test';

/** What the fake API saw of one request. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  claims: TokenClaims;
  tokenHeader: Record<string, unknown>;
  body: unknown;
  jweHeader: Record<string, unknown> | undefined;
}

/** A response before it is sent; `tamper` may change any of it. */
export interface DraftResponse {
  status: number;
  claims: Record<string, unknown>;
  headers: Record<string, string>;
  body: string;
  signingKey: PrivateKey;
}

export interface ReplyOptions {
  status?: number;
  /** Plain JSON to encrypt to the client key; omitted for an empty body. */
  payload?: unknown;
  /** Key the body is encrypted to; default the client's public key. */
  encryptTo?: PublicKey;
  /** Alter claims, headers, body or signing key after they are built. */
  tamper?: (draft: DraftResponse, seen: SeenRequest) => void | Promise<void>;
  /** Do not sign at all (no X-IOV-JWT). */
  unsigned?: boolean;
}

export interface FakeApiOptions {
  apiKey: PrivateKey;
  clientKey: PublicKey;
  /** API time offset from the local clock in seconds. */
  clockOffset?: number;
}

/** The nock-backed fake API. */
export class FakeApi {
  readonly seen: SeenRequest[] = [];
  readonly scope: nock.Scope;
  private readonly _options: FakeApiOptions;

  constructor(options: FakeApiOptions) {
    this._options = options;
    this.scope = nock(BASE_URL);
  }

  /** Answers pings with the API time, `times` times. */
  ping(times = 1): this {
    this.scope
      .get('/public/v3/ping')
      .times(times)
      .reply(200, () => ({ api_time: isoSeconds(now() + (this._options.clockOffset ?? 0)) }));
    return this;
  }

  /** Serves the current public key, `times` times. */
  publicKey(times = 1, key: PrivateKey = this._options.apiKey): this {
    this.scope
      .get('/public/v3/public-key')
      .times(times)
      .reply(200, key.publicKey.pem, { 'X-IOV-KEY-ID': key.kid, 'Content-Type': 'text/plain' });
    return this;
  }

  /** Answers one signed request on `method path`. */
  reply(method: string, path: string, options: ReplyOptions = {}): this {
    const api = this._options;
    const seenList = this.seen;
    this.scope.intercept(path, method).reply(async function (uri, requestBody) {
      const headers = this.req.headers as Record<string, string | string[] | undefined>;
      const seen = await readRequest(method, uri, headers, requestBody, api);
      seenList.push(seen);
      const status = options.status ?? 200;
      const body =
        options.payload === undefined ? '' : await encryptJwe(options.payload, options.encryptTo ?? api.clientKey);
      const claims: Record<string, unknown> = responseClaims({
        audience: seen.claims.iss,
        subject: seen.claims.sub,
        jti: seen.claims.jti,
        status,
        body,
        now: now() + (api.clockOffset ?? 0),
      });
      const draft: DraftResponse = { status, claims, headers: {}, body, signingKey: api.apiKey };
      if (body.length > 0) draft.headers['Content-Type'] = 'application/jose';
      await options.tamper?.(draft, seen);
      if (options.unsigned !== true) draft.headers['X-IOV-JWT'] = await signToken(draft.claims, draft.signingKey);
      return [draft.status, draft.body, draft.headers];
    });
    return this;
  }
}

async function readRequest(
  method: string,
  uri: string,
  headers: Record<string, string | string[] | undefined>,
  requestBody: unknown,
  api: FakeApiOptions,
): Promise<SeenRequest> {
  const authorization = String(headers['authorization'] ?? '');
  if (!authorization.startsWith('IOV-JWT ')) throw new Error(`fake API: no IOV-JWT authorization on ${uri}`);
  const token = authorization.slice('IOV-JWT '.length);
  const rawBody = typeof requestBody === 'string' ? requestBody : '';
  const { header, claims } = await verifyToken(token, {
    resolveKey: (kid) => (kid === api.clientKey.kid ? api.clientKey : undefined),
    audience: 'lka',
    now: now() + (api.clockOffset ?? 0),
    leeway: 5,
  });
  checkRequestBinding(claims, { method, path: uri, body: rawBody });
  let body: unknown;
  let jweHeader: Record<string, unknown> | undefined;
  if (rawBody.length > 0) {
    const opened = await decryptJweJson(rawBody, (kid) => (kid === api.apiKey.kid ? api.apiKey : undefined));
    body = opened.payload;
    jweHeader = { ...opened.header };
  }
  return { method, path: uri, headers, claims, tokenHeader: header, body, jweHeader };
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}

export function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Recomputes the body hash claim after a tamper changed the body on purpose. */
export function rehash(draft: DraftResponse): void {
  const response = draft.claims['response'] as Record<string, unknown>;
  response['hash'] = digestHex('S256', draft.body);
}
