/**
 * The signed tokens of the protocol (docs/protocol.md, "The request token", "What the client verifies" and
 * "Webhook verification"): the `IOV-JWT` request token, the `X-IOV-JWT` response token and the `X-IOV-JWT`
 * webhook token. All three are RS256/384/512 compact JWS over a claim set with `iss`, `sub`, `aud`, `iat`,
 * `nbf`, `exp`, `jti` and either a `request` (`meth`, `path`, `func`, `hash`) or a `response` (`status`,
 * `func`, `hash`, `cache`, `location`) object that binds the token to one HTTP message.
 *
 * Verification is the union of the three official SDKs' checks, each failure a
 * {@link JwtVerificationError} naming the check. Nothing is trusted from the header beyond `alg`
 * (allow-listed) and `kid` (a fingerprint looked up by the caller): `jwk`, `jku`, `x5u` and `x5c` are
 * never used.
 *
 * The signature itself (RSASSA-PKCS1-v1_5, RFC 7515, RFC 7518 §3.3) is jose's: `CompactSign` and
 * `compactVerify`, with the one allow-listed `alg` the header names, on the caller's KeyObject (jose
 * caches a CryptoKey per KeyObject and alg, and runs the RSA work on the thread pool). Everything that
 * makes a token ours is checked around it, by this module: before jose sees the token, the length
 * cap, three canonical base64url parts, a UTF-8 JSON header with no member twice (jose parses the
 * header again itself, and the two parses must not be able to differ), the `alg` allow-list, no
 * `crit` or `b64`, the `kid` fingerprint, and a key that is RSA, public and at least 2048 bits; after
 * it, the claim set (no member twice, types, issuer, audience, subject, `jti`, lifetime, the time
 * window with its end strictly before `exp + leeway`) and, in the callers, the request/response
 * bindings and body hash.
 */
import { CompactSign, compactVerify } from 'jose';
import { randomUUID } from 'node:crypto';

import { ConfigurationError, JwtVerificationError } from '../errors.js';
import { digestHex, digestMatches, isHashFunc, type HashFunc } from './digest.js';
import { KID_PATTERN, type PrivateKey, type PublicKey } from './keys.js';
import { isCanonicalBase64url } from './base64url.js';
import { findDuplicateKey, quoteKey } from './duplicate_keys.js';
import { requireRsaKey } from './rsa.js';

/** Signature algorithms of the protocol. */
export type JwsAlgorithm = 'RS256' | 'RS384' | 'RS512';

/** Every accepted signature algorithm. */
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'RS384', 'RS512'];

/** Audience of request tokens, and issuer of response and webhook tokens: the LaunchKey API. */
export const API_ENTITY = 'lka';

/** Lifetime the official SDKs and the API give their tokens (`exp = iat + 5`). */
export const TOKEN_LIFETIME = 5;

/** Default leeway on time claims (the Python SDK's 30 s). */
export const DEFAULT_LEEWAY = 30;

/** Default longest `exp − iat` accepted: a captured long-lived token is refused even if signed. */
export const DEFAULT_MAX_LIFETIME = 300;

/** Default longest compact token accepted, in characters. */
export const DEFAULT_MAX_TOKEN_LENGTH = 16 * 1024;

const utf8 = new TextEncoder();
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The `request` claim: binds a token to the HTTP request it travels with. */
export interface RequestClaim {
  meth: string;
  path: string;
  func?: HashFunc;
  hash?: string;
}

/** The `response` claim: binds a token to the HTTP response it travels with. */
export interface ResponseClaim {
  status: number;
  func?: HashFunc;
  hash?: string;
  cache?: string;
  location?: string;
}

/** Claims of a protocol token, after verification. */
export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  request?: RequestClaim;
  response?: ResponseClaim;
  [claim: string]: unknown;
}

/** Protected header of a protocol token. */
export interface TokenHeader {
  alg: JwsAlgorithm;
  kid: string;
  typ?: string;
  [parameter: string]: unknown;
}

/** Current time in whole seconds, shifted by an offset in seconds (the API clock offset). */
export function epochSeconds(offsetSeconds = 0): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

/** Options shared by the token builders. */
export interface TokenTimeOptions {
  /** `iat` and `nbf`, in seconds; default now. */
  now?: number;
  /** `exp − iat`, in seconds; default 5. */
  lifetime?: number;
}

/** Parameters of a request token (`Authorization: IOV-JWT …`). */
export interface RequestTokenParams extends TokenTimeOptions {
  /** The credential holder, e.g. `org:<uuid>`. */
  issuer: string;
  /** The entity acted on, e.g. `svc:<uuid>`. */
  subject: string;
  /** Default `lka`. */
  audience?: string;
  /** Default a fresh random UUID. */
  jti?: string;
  method: string;
  path: string;
  /** The exact body bytes, when a body is sent. */
  body?: string | Uint8Array | undefined;
  /** Digest of the body; default `S256`. */
  hashFunc?: HashFunc;
}

/** The claim set of a request token (or of a webhook token, with `issuer` `lka`). */
export function requestClaims(params: RequestTokenParams): TokenClaims {
  const request: RequestClaim = { meth: params.method.toUpperCase(), path: params.path };
  if (params.body !== undefined && params.body.length > 0) {
    const func = params.hashFunc ?? 'S256';
    request.func = func;
    request.hash = digestHex(func, params.body);
  }
  return {
    ...timeClaims(params),
    iss: params.issuer,
    sub: params.subject,
    aud: params.audience ?? API_ENTITY,
    jti: params.jti ?? randomUUID(),
    request,
  };
}

/** Parameters of a response token (`X-IOV-JWT` of a response). */
export interface ResponseTokenParams extends TokenTimeOptions {
  /** The request's `iss`. */
  audience: string;
  /** The request's `sub`. */
  subject: string;
  /** The request's `jti`, echoed. */
  jti: string;
  status: number;
  /** The exact response body bytes, when there is a body. */
  body?: string | Uint8Array | undefined;
  /** The `Cache-Control` header sent with the response, if any. */
  cache?: string;
  /** The `Location` header sent with the response, if any. */
  location?: string;
  /** Default `lka`. */
  issuer?: string;
  hashFunc?: HashFunc;
}

/** The claim set of a response token. */
export function responseClaims(params: ResponseTokenParams): TokenClaims {
  const response: ResponseClaim = { status: params.status };
  if (params.body !== undefined && params.body.length > 0) {
    const func = params.hashFunc ?? 'S256';
    response.func = func;
    response.hash = digestHex(func, params.body);
  }
  if (params.cache !== undefined) response.cache = params.cache;
  if (params.location !== undefined) response.location = params.location;
  return {
    ...timeClaims(params),
    iss: params.issuer ?? API_ENTITY,
    sub: params.subject,
    aud: params.audience,
    jti: params.jti,
    cty: 'application/json',
    response,
  };
}

function timeClaims(options: TokenTimeOptions): { iat: number; nbf: number; exp: number } {
  const now = options.now ?? epochSeconds();
  return { iat: now, nbf: now, exp: now + (options.lifetime ?? TOKEN_LIFETIME) };
}

/** Options of {@link signToken}. */
export interface SignTokenOptions {
  /** Default `RS256`. */
  algorithm?: JwsAlgorithm;
  /** Add `typ: JWT` to the header (the API does; the SDKs do not). */
  typ?: boolean;
}

/**
 * Signs a claim set with `key`; the header carries `alg` and `kid` (the key id).
 *
 * @throws {ConfigurationError} (as a rejection) for an algorithm outside RS256/384/512 or a key that
 *   is not an RSA private key of at least 2048 bits.
 */
export async function signToken(
  claims: Readonly<Record<string, unknown>>,
  key: PrivateKey,
  options: SignTokenOptions = {},
): Promise<string> {
  const alg = options.algorithm ?? 'RS256';
  if (!(JWS_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new ConfigurationError(`JWS alg ${JSON.stringify(alg)} is not one of the protocol`);
  }
  requireRsaKey(key.keyObject, 'private');
  // Member order as the SDKs write it; jose serialises the header exactly as given.
  const header: { alg: JwsAlgorithm; typ?: string; kid: string } =
    options.typ === true ? { alg, typ: 'JWT', kid: key.kid } : { alg, kid: key.kid };
  return new CompactSign(utf8.encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key.keyObject);
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/** What a verifier expects of a token. Unset expectations are not checked. */
export interface VerifyTokenOptions {
  /**
   * Returns the public key for the header `kid`. It is called before the signature is checked, with
   * the still unverified `iss` (the emulator uses it to pick the entity's keys). Throw a
   * {@link JwtVerificationError} with failure `key` (or return `undefined`) for an unknown key.
   */
  resolveKey: (
    kid: string,
    unverifiedIssuer: string | undefined,
  ) => Promise<PublicKey | undefined> | PublicKey | undefined;
  /** Accepted algorithms; default RS256, RS384, RS512. */
  algorithms?: readonly JwsAlgorithm[];
  /** Required `iss`. */
  issuer?: string;
  /** Required `aud`: one value, or the accepted values. `aud` must be a string, never an array. */
  audience?: string | readonly string[];
  /** Required `sub`. */
  subject?: string;
  /** Required `jti` (the request's, for a response). */
  jti?: string;
  /** Current time in seconds (fractions allowed); default the local clock. */
  now?: number;
  /** Leeway on `iat`, `nbf` and `exp`, in seconds; default 30. */
  leeway?: number;
  /**
   * `false` leaves the time window (`exp`, `nbf`, `iat` against `now`) to the caller, who checks it
   * with {@link checkTokenTimes} once it knows what time it is (a webhook receiver that first checks
   * everything else, then decides whether an out-of-window token means a clock it has not measured).
   * The lifetime check (`maxLifetime`) does not depend on `now` and always runs. Default `true`.
   */
  checkTimes?: boolean;
  /** Longest accepted `exp − iat`, in seconds; default 300. */
  maxLifetime?: number;
  /** Longest accepted token, in characters; default 16 KiB. */
  maxLength?: number;
}

/** A verified token. */
export interface VerifiedToken {
  header: TokenHeader;
  claims: TokenClaims;
}

function fail(failure: ConstructorParameters<typeof JwtVerificationError>[0], message: string, claim?: string): never {
  throw new JwtVerificationError(failure, message, claim === undefined ? undefined : { claim });
}

/**
 * Whether `err` is the jose error with this code. By code rather than `instanceof`: an application
 * that loads jose twice (a CommonJS and an ESM copy) must get the same answer.
 */
function isJoseError(err: unknown, code: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === code;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  return parseObject(Buffer.from(segment, 'base64url').toString('utf8'), what);
}

/** A JSON object with no member name twice, or a `malformed` failure naming `what`. */
function parseObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new JwtVerificationError('malformed', `JWT ${what} is not JSON`, { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('malformed', `JWT ${what} is not a JSON object`);
  }
  // JSON.parse keeps the last of two equal names; another party's parser may keep the first.
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) fail('malformed', `JWT ${what} has the member ${quoteKey(duplicate)} twice`);
  return value as Record<string, unknown>;
}

/** Reads and checks the header of a compact token without verifying anything else. */
export function readTokenHeader(token: string, options: Pick<VerifyTokenOptions, 'algorithms' | 'maxLength'> = {}) {
  if (typeof token !== 'string' || token.length === 0) fail('malformed', 'JWT is missing');
  const maxLength = options.maxLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (token.length > maxLength) fail('malformed', `JWT is longer than ${maxLength} characters`);
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => p.length > 0 && isCanonicalBase64url(p))) {
    fail('malformed', 'JWT is not a compact serialization of three base64url parts');
  }
  // jose decodes the header as strict UTF-8 and refuses anything else: say so here, before any key
  // is looked up, rather than let its refusal surface after the lookup.
  let headerText: string;
  try {
    headerText = fatalUtf8.decode(Buffer.from(parts[0] ?? '', 'base64url'));
  } catch (cause) {
    throw new JwtVerificationError('malformed', 'JWT header is not UTF-8', { cause });
  }
  const header = parseObject(headerText, 'header');
  const algorithms = options.algorithms ?? JWS_ALGORITHMS;
  if (typeof header['alg'] !== 'string' || !(algorithms as readonly string[]).includes(header['alg'])) {
    fail('algorithm', `JWT alg ${JSON.stringify(header['alg'])} is not accepted`, 'alg');
  }
  if ('crit' in header || 'b64' in header) fail('malformed', 'JWT header parameters crit and b64 are not accepted');
  if (typeof header['kid'] !== 'string' || !KID_PATTERN.test(header['kid'])) {
    fail('malformed', 'JWT header kid is missing or not a key fingerprint', 'kid');
  }
  return { header: header as TokenHeader, parts: parts as [string, string, string] };
}

function requireString(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    fail('claim', `JWT claim ${name} is missing or not a string`, name);
  }
  return value;
}

function requireTime(claims: Record<string, unknown>, name: string): number {
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail('claim', `JWT claim ${name} is missing or not a whole number of seconds`, name);
  }
  return value;
}

function checkEqual(actual: string, expected: string | readonly string[] | undefined, name: string): void {
  if (expected === undefined) return;
  const accepted = typeof expected === 'string' ? [expected] : expected;
  if (!accepted.includes(actual)) fail('claim', `JWT claim ${name} is not the expected value`, name);
}

/**
 * Verifies a compact token: header, signature, then the claims the options name and the time window.
 * The `request`/`response` bindings are checked by {@link checkRequestBinding} and
 * {@link checkResponseBinding}.
 *
 * @throws {JwtVerificationError} naming the failed check.
 */
export async function verifyToken(token: string, options: VerifyTokenOptions): Promise<VerifiedToken> {
  const { header, parts } = readTokenHeader(token, options);
  // The issuer is read unverified only to choose where to look the key up.
  const unverifiedIss = (() => {
    try {
      const iss = decodeSegment(parts[1], 'payload')['iss'];
      return typeof iss === 'string' ? iss : undefined;
    } catch {
      return undefined;
    }
  })();
  const key = await options.resolveKey(header.kid, unverifiedIss);
  if (key === undefined) fail('key', `No key with id ${header.kid} is known for this token`, 'kid');

  // jose verifies with exactly the alg readTokenHeader read and allow-listed, no other. The key must
  // be an RSA public key of at least 2048 bits, else a typed failure rather than jose's TypeError.
  let payload: Uint8Array;
  try {
    requireRsaKey(key.keyObject, 'public');
    ({ payload } = await compactVerify(token, key.keyObject, { algorithms: [header.alg] }));
  } catch (cause) {
    if (isJoseError(cause, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')) fail('signature', 'JWT signature does not verify');
    throw new JwtVerificationError('malformed', 'JWT could not be verified', { cause });
  }

  // The claims are read from the bytes jose verified (the payload segment, decoded).
  const raw = parseObject(Buffer.from(payload).toString('utf8'), 'payload');
  const claims = {
    ...raw,
    iss: requireString(raw, 'iss'),
    aud: typeof raw['aud'] === 'string' ? raw['aud'] : fail('claim', 'JWT claim aud is not a single string', 'aud'),
    sub: requireString(raw, 'sub'),
    jti: requireString(raw, 'jti'),
    iat: requireTime(raw, 'iat'),
    nbf: requireTime(raw, 'nbf'),
    exp: requireTime(raw, 'exp'),
  } as TokenClaims;

  checkEqual(claims.iss, options.issuer, 'iss');
  checkEqual(claims.aud, options.audience, 'aud');
  checkEqual(claims.sub, options.subject, 'sub');
  if (options.jti !== undefined && claims.jti !== options.jti) {
    fail('jti', 'JWT jti is not the jti of the request', 'jti');
  }

  checkTokenLifetime(claims, options.maxLifetime);
  if (options.checkTimes !== false) checkTokenTimes(claims, options.now ?? epochSeconds(), options.leeway);
  return { header, claims };
}

/** Checks `exp − iat`: not negative, and at most `maxLifetime` (default 300) seconds. */
export function checkTokenLifetime(claims: TokenClaims, maxLifetime = DEFAULT_MAX_LIFETIME): void {
  if (claims.exp < claims.iat || claims.exp - claims.iat > maxLifetime) {
    fail('claim', 'JWT lifetime (exp - iat) is outside the accepted range', 'exp');
  }
}

/**
 * Checks the time window at `now` (seconds, fractions allowed), with jose's rules (RFC 7519 §4.1.4,
 * §4.1.5): the token is expired from the instant `exp + leeway` on (so it is accepted strictly
 * before it, never at it), and not valid yet while `nbf − leeway` or `iat − leeway` is still ahead.
 * With whole-second claims, a `now` floored to the second (jose's) or not gives the same answer.
 *
 * @throws {JwtVerificationError} `expired` or `not-yet-valid`.
 */
export function checkTokenTimes(claims: TokenClaims, now: number, leeway = DEFAULT_LEEWAY): void {
  if (claims.exp <= now - leeway) fail('expired', 'JWT has expired', 'exp');
  if (claims.nbf > now + leeway) fail('not-yet-valid', 'JWT is not valid yet', 'nbf');
  if (claims.iat > now + leeway) fail('not-yet-valid', 'JWT was issued in the future', 'iat');
}

/**
 * The first instant, in milliseconds on the clock `now` was read from, at which
 * {@link checkTokenTimes} refuses the token as expired: `(exp + leeway) · 1000`. Everything that
 * must outlive the token's acceptance (a replay entry) is measured against it.
 */
export function tokenAcceptedUntilMs(claims: Pick<TokenClaims, 'exp'>, leeway = DEFAULT_LEEWAY): number {
  return (claims.exp + leeway) * 1000;
}

/** Checks `func`/`hash` of a binding claim against the body: present exactly when there is a body. */
function checkBodyHash(binding: Record<string, unknown>, body: string | Uint8Array | undefined, prefix: string): void {
  const hasBody = body !== undefined && body.length > 0;
  const { func, hash } = binding;
  if (!hasBody) {
    if (func !== undefined || hash !== undefined)
      fail('body-hash', 'JWT has a body hash but there is no body', `${prefix}.hash`);
    return;
  }
  if (!isHashFunc(func)) fail('body-hash', 'JWT func is missing or not S256, S384 or S512', `${prefix}.func`);
  if (typeof hash !== 'string' || !digestMatches(func, body, hash)) {
    fail('body-hash', 'JWT body hash does not match the body', `${prefix}.hash`);
  }
}

function bindingObject(claims: TokenClaims, name: 'request' | 'response'): Record<string, unknown> {
  const value: unknown = claims[name];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('claim', `JWT claim ${name} is missing or not an object`, name);
  }
  return value as Record<string, unknown>;
}

/** What a request (or webhook) token must be bound to. */
export interface RequestBinding {
  method: string;
  path: string;
  body?: string | Uint8Array | undefined;
}

/** Checks the `request` claim: method, path (exact, undecoded) and body hash. */
export function checkRequestBinding(claims: TokenClaims, actual: RequestBinding): RequestClaim {
  const request = bindingObject(claims, 'request');
  if (request['meth'] !== actual.method.toUpperCase())
    fail('binding', 'JWT request.meth does not match', 'request.meth');
  if (request['path'] !== actual.path) fail('binding', 'JWT request.path does not match', 'request.path');
  checkBodyHash(request, actual.body, 'request');
  return request as unknown as RequestClaim;
}

/** What a response token must be bound to. */
export interface ResponseBinding {
  status: number;
  body?: string | Uint8Array | undefined;
  /** The `Location` header received, if any. */
  location?: string | undefined;
  /** The `Cache-Control` header received, if any. */
  cache?: string | undefined;
}

/**
 * Checks the `response` claim: the status equals the HTTP status, the body hash matches, and the
 * `Location` and `Cache-Control` headers are present exactly when mirrored in the claim, with the
 * same value (a proxy may not add either without the API having signed it).
 */
export function checkResponseBinding(claims: TokenClaims, actual: ResponseBinding): ResponseClaim {
  const response = bindingObject(claims, 'response');
  if (response['status'] !== actual.status)
    fail('binding', 'JWT response.status is not the HTTP status', 'response.status');
  checkBodyHash(response, actual.body, 'response');
  if (response['location'] !== actual.location)
    fail('binding', 'Location header and JWT disagree', 'response.location');
  if (response['cache'] !== actual.cache) fail('binding', 'Cache-Control header and JWT disagree', 'response.cache');
  return response as unknown as ResponseClaim;
}
