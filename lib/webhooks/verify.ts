/**
 * Verification and decoding of the three webhook kinds (docs/protocol.md, "Webhook kinds"): authorization
 * response (JWE, `sub` `svc:`), service-user session end (plain JSON, `sub` `svc:`) and device-link
 * completion (JWE, `sub` `dir:`). Framework-agnostic: the caller hands over the raw request and a key
 * resolver.
 *
 * The order is cheap first, private key last (docs/security.md, T1-T3 and T12; the steps are those of
 * docs/protocol.md, "Webhook verification"), stopping at the first failure:
 *
 * 1. body size cap (64 KiB);
 * 2. exactly one token: `X-IOV-JWT`, or the older `Authorization: IOV-JWT <token>` (both may be sent
 *    if they carry the same token);
 * 3. content type: `application/jose` (encrypted kinds) or `application/json` (session end only);
 * 4. the token: RS256/384/512 signature by the API key its `kid` names (from the caller's resolver,
 *    which for the clients is cache-only), `iss` `lka`, `aud` our entity (a single string), `sub`
 *    when configured, lifetime ≤ 300 s;
 * 5. its binding: method, path (exact, undecoded), body hash over the exact raw bytes; then its time
 *    window with leeway, at API time (local time plus the offset already measured, if any);
 * 6. the body's shape (JWE header / session-end JSON), still without any key;
 * 7. the replay check-and-set on `iss|jti`;
 * 8. only then private-key work: decrypt the JWE with the key its `kid` names, then, for an
 *    authorization response, the nested device package. When anything here fails, the replay
 *    reservation is given back: only a processed delivery counts as seen.
 *
 * Dispatch is on the validated content type and the decrypted `type` field, never on a substring of
 * the body. Every failure is a {@link LaunchKeyError}; {@link webhookFailureStatus} maps it to the
 * HTTP status a handler should answer.
 */
import { decryptJwe, JWE_ALGORITHMS, readJweHeader } from '../crypto/jwe.js';
import { loadPublicKey, MIN_RSA_BITS, type PublicKey } from '../crypto/keys.js';
import {
  API_ENTITY,
  checkRequestBinding,
  checkTokenTimes,
  DEFAULT_LEEWAY,
  DEFAULT_MAX_LIFETIME,
  tokenAcceptedUntilMs,
  verifyToken,
  type TokenClaims,
} from '../crypto/jws.js';
import { parseAuthResponseCore, type AuthorizationResponse } from '../entities/auth_response.js';
import { requireDate } from '../entities/dates.js';
import { invalid, requireString, requireUuid, UUID_PATTERN, type JsonObject } from '../entities/validate.js';
import {
  ClockNotSynchronizedError,
  ConfigurationError,
  JweDecryptionError,
  JwtVerificationError,
  LaunchKeyError,
  ReplayCacheError,
  PayloadValidationError,
} from '../errors.js';
import { decodeAuthorizationResponse, type PrivateKeyLookup } from './device_package.js';
import { parseJsonObject } from './json_text.js';
import type { ReplayCache } from './replay_cache.js';

/** Default largest webhook body, in bytes (64 KiB). */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

/** Largest accepted webhook token, in characters (8 KiB; docs/security.md, T12). */
export const MAX_WEBHOOK_TOKEN_LENGTH = 8 * 1024;

/**
 * `field` of the {@link PayloadValidationError} thrown for a body over the size cap (answer 413).
 */
export const BODY_TOO_LARGE_FIELD = 'content-length';

/**
 * `field` of the {@link PayloadValidationError} thrown for a missing, repeated or unsupported
 * `Content-Type` (answer 415).
 */
export const CONTENT_TYPE_FIELD = 'content-type';

/** A received webhook, as the HTTP framework gives it. */
export interface WebhookRequest {
  /** HTTP method (`POST`). */
  method: string;
  /**
   * The request path exactly as received, undecoded, without the query string: the API signs the
   * path of the callback URL (the official SDKs pass Flask's `request.path` and the like). It is
   * compared byte for byte: no normalisation, so `/webhook/` or `/%2e%2e/webhook` do not pass for
   * `/webhook`.
   */
  path: string;
  /** Request headers; names are matched case-insensitively. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body bytes (e.g. from `express.raw({ type: '*\/*' })`), never a parsed object. */
  body: string | Uint8Array;
}

/** What a webhook must be for, and the keys to check and open it. */
export interface WebhookContext {
  /** Our entity, e.g. `svc:<uuid>` or `org:<uuid>`: the required `aud`. */
  entity: string;
  /** Required `sub`: `svc:<service id>` for service webhooks, `dir:<directory id>` for directory ones. */
  subject?: string;
  /** Our private keys (a `KeyRing`); used only after the token and its binding verified. */
  keyRing: PrivateKeyLookup;
  /** The API's public key for a `kid` (e.g. `ApiKeyCache.byKid`); never our own keys. */
  resolveApiKey: (kid: string) => Promise<PublicKey>;
  /**
   * Remembers `iss|jti` of verified tokens. Without one, replays are NOT detected: a handler must pass
   * one (a shared store when several instances receive webhooks). A delivery that fails after its
   * reservation (decryption, decoding, a key not yet in the ring) is forgotten again, so that the
   * API's redelivery is processed; that needs the cache's optional `forget` (see {@link ReplayCache}).
   */
  replayCache?: ReplayCache;
  /** Current local time in seconds, fractions allowed (the replay entry is sized in ms); default the local clock. */
  now?: () => number;
  /**
   * The API clock offset already measured, without any I/O (e.g. `ApiClock.measured`): seconds to
   * add to `now` to get API time, `fresh` while within its TTL; `undefined` when none is measured.
   * When given, a token that verifies except for its time window while the offset is unknown or
   * stale is refused with a retryable {@link ClockNotSynchronizedError} (503) and `requestRefresh` is
   * called, instead of a final `expired`/`not-yet-valid` (401): the API's clock may only differ.
   */
  apiClockOffset?: () => { seconds: number; fresh: boolean } | undefined;
  /**
   * Asks for a background refresh of the API state (current key, clock offset); must return at once
   * and rate-limit itself (e.g. `BackgroundRefresh.request`). Called when the state is missing.
   */
  requestRefresh?: () => void;
  /** Leeway on time claims, in seconds; default 30. */
  leeway?: number;
  /** Longest accepted `exp − iat`, in seconds; default 300. */
  maxLifetime?: number;
  /** Largest accepted body, in bytes; default 64 KiB. */
  maxBodyBytes?: number;
  /**
   * Whether an authorization response without `auth_jwe` may use the legacy `auth` package; default
   * `true`. With `false` such a response is a `LegacyPackageRefusedError`.
   */
  allowLegacyPackage?: boolean;
}

/** An authorization-response webhook: a device answered an authorization request. */
export interface AuthorizationResponseWebhook {
  /**
   * The replay-cache key remembered for this delivery (`iss|jti`), when a replay cache was used: pass
   * the event to `ServiceClient.releaseWebhook` when it could not be processed.
   */
  replayKey?: string;
  kind: 'authorization-response';
  /** The service, from `sub` (`svc:<id>`). */
  serviceId: string;
  /** The entity that made the authorization request (`aud`). */
  requestingEntity: string;
  response: AuthorizationResponse;
}

/** A session-end webhook: the user ended the service session from the device. */
export interface SessionEndWebhook {
  /**
   * The replay-cache key remembered for this delivery (`iss|jti`), when a replay cache was used: pass
   * the event to `ServiceClient.releaseWebhook` when it could not be processed.
   */
  replayKey?: string;
  kind: 'session-end';
  /** The service, from `sub` (`svc:<id>`). */
  serviceId: string;
  serviceUserHash: string;
  /** When the user logged out (`api_time`). */
  logoutRequested: Date;
}

/** A device-link-completion webhook: a device finished linking to a directory user. */
export interface DeviceLinkCompletionWebhook {
  /**
   * The replay-cache key remembered for this delivery (`iss|jti`), when a replay cache was used: pass
   * the event to `ServiceClient.releaseWebhook` when it could not be processed.
   */
  replayKey?: string;
  kind: 'device-link-completion';
  /** The directory, from `sub` (`dir:<id>`). */
  directoryId: string;
  deviceId: string;
  /** The device's public key PEM, as sent. */
  devicePublicKey: string;
  /** The device's key id, checked to be the fingerprint of `devicePublicKey`. */
  devicePublicKeyId: string;
}

/** A verified, decoded webhook. */
export type WebhookEvent = AuthorizationResponseWebhook | SessionEndWebhook | DeviceLinkCompletionWebhook;

/**
 * Verifies a webhook and decodes it (see the module comment for the order of checks).
 *
 * @throws {PayloadValidationError} field `content-length` (413) or `content-type` (415); other fields
 *   for a malformed body or payload.
 * @throws {JwtVerificationError} for the token: `malformed` (missing, repeated or conflicting
 *   header), `algorithm`, `key`, `signature`, `claim` (`iss`, `aud`, `sub`, `exp` lifetime, ...),
 *   `expired`, `not-yet-valid`, `binding` (`request.meth`, `request.path`), `body-hash`, and `replay`
 *   (code `ERR_LK_JWT_REPLAY`) for a second delivery, which a handler answers 204 idempotently.
 * @throws {ReplayCacheError} when the replay cache cannot remember the token (answer 503).
 * @throws {ClockNotSynchronizedError} when the token fails only its time window and no fresh API
 *   clock offset is measured (`apiClockOffset` given; answer 503). The resolver of the clients
 *   throws `UnknownApiKeyError` (answer 503) for a key id it does not hold.
 * @throws {JweDecryptionError} when the body or the device package cannot be decrypted (a `kid` we
 *   do not hold: answer 503, the key may not be deployed yet; otherwise 400).
 * @throws {LegacyPackageRefusedError} when `allowLegacyPackage` is `false` and the response has only
 *   the legacy package.
 * @throws {ConfigurationError} when the request or context is unusable (e.g. an already parsed body).
 */
export async function verifyWebhook(request: WebhookRequest, context: WebhookContext): Promise<WebhookEvent> {
  try {
    return await verify(request, context);
  } catch (err) {
    if (err instanceof LaunchKeyError) throw err;
    // A bug or a hostile input we did not foresee must still surface as ours (docs/security.md, "Hostile
    // input").
    throw new PayloadValidationError('webhook', 'The webhook could not be processed', { cause: err });
  }
}

async function verify(request: WebhookRequest, context: WebhookContext): Promise<WebhookEvent> {
  checkArguments(request, context);
  const maxBodyBytes = context.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
  const { body } = request;
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  if (size > maxBodyBytes) invalid(BODY_TOO_LARGE_FIELD, `The webhook body exceeds ${maxBodyBytes} bytes`);

  const token = readToken(request.headers);
  const encrypted = readContentType(request.headers);

  // Not floored: the replay entry is sized in milliseconds from this instant.
  const now = context.now === undefined ? Date.now() / 1000 : context.now();
  if (!Number.isFinite(now)) throw new ConfigurationError('now() must return a number of seconds');
  const leeway = context.leeway ?? DEFAULT_LEEWAY;
  const offset = context.apiClockOffset?.();
  // The API's time, as far as we know it: the tokens are stamped with it (docs/protocol.md, "Ping and the
  // clock offset").
  const apiNow = now + (offset?.seconds ?? 0);
  if (!Number.isFinite(apiNow)) throw new ConfigurationError('apiClockOffset() must return a number of seconds');
  const { claims } = await verifyToken(token, {
    resolveKey: apiKeyResolver(context.resolveApiKey),
    issuer: API_ENTITY,
    audience: context.entity,
    ...(context.subject === undefined ? {} : { subject: context.subject }),
    checkTimes: false,
    leeway,
    maxLifetime: context.maxLifetime ?? DEFAULT_MAX_LIFETIME,
    maxLength: MAX_WEBHOOK_TOKEN_LENGTH,
  });
  checkRequestBinding(claims, { method: request.method, path: request.path, body });
  // Last among the token checks, so that a refusal for want of a measured clock is only ever given
  // to a token that is right in every other way.
  checkTimeWindow(context, claims, apiNow, leeway, offset);

  // Shape checks that need no key, so that only well-formed, authentic deliveries reach the cache.
  const text = bodyText(body);
  const sessionEnd = encrypted ? undefined : parseSessionEnd(text, entityId(claims, 'svc'));
  if (encrypted) readJweHeader(text, { algorithms: JWE_ALGORITHMS, maxLength: maxBodyBytes });

  const cache = context.replayCache;
  const replayKey = cache === undefined ? undefined : await checkReplay(cache, claims, apiNow, leeway);
  const remembered = replayKey === undefined ? {} : { replayKey };
  if (sessionEnd !== undefined) return { ...sessionEnd, ...remembered };

  try {
    return { ...(await openEncrypted(text, claims, context, maxBodyBytes)), ...remembered };
  } catch (err) {
    // Only a delivery that was processed counts as seen: without this, the API's retry of a delivery
    // that failed here (a key not yet in our ring, a package we could not decode) would be answered
    // as a replay and dropped.
    if (cache !== undefined && replayKey !== undefined) await release(cache, replayKey);
    throw err;
  }
}

/**
 * Gives back a replay reservation. A cache without `forget` keeps it until its TTL: a redelivery of
 * the very same token (same `jti`) is then refused as a replay (204) and the event is lost, while a
 * retry with a fresh token is not affected. A `forget` that fails is ignored for the same outcome;
 * the caller still gets the error that made the delivery fail.
 */
async function release(cache: ReplayCache, key: string): Promise<void> {
  try {
    await cache.forget?.(key);
  } catch {
    // See above: the original failure is what the caller must see.
  }
}

/** The private-key part: decrypt the body, then decode a device link or an authorization response. */
async function openEncrypted(
  text: string,
  claims: TokenClaims,
  context: WebhookContext,
  maxBodyBytes: number,
): Promise<DeviceLinkCompletionWebhook | AuthorizationResponseWebhook> {
  // Private-key work starts here, and only here.
  const { plaintext } = await decryptJwe(text, (kid) => context.keyRing.get(kid), {
    algorithms: JWE_ALGORITHMS,
    maxLength: maxBodyBytes,
  });
  const payload = parseJsonObject(plaintext, 'body', maxBodyBytes);
  const type = payload['type'];
  if (type === 'DEVICE_LINK_COMPLETION') return parseDeviceLink(payload, entityId(claims, 'dir'));
  if (type !== undefined && type !== null && type !== 'AUTHORIZATION_RESPONSE') {
    invalid('type', 'type must be AUTHORIZATION_RESPONSE or DEVICE_LINK_COMPLETION');
  }
  const serviceId = entityId(claims, 'svc');
  const core = parseAuthResponseCore(payload);
  const response = await decodeAuthorizationResponse(
    core,
    context.keyRing,
    context.allowLegacyPackage === undefined ? {} : { allowLegacyPackage: context.allowLegacyPackage },
  );
  return { kind: 'authorization-response', serviceId, requestingEntity: claims.aud, response };
}

/**
 * The token's time window at API time. Out of it with no fresh offset measured, the token may well
 * be in time on the API's clock: refuse it for now (retryable) and have the offset measured in the
 * background, never here (no request on behalf of unverified input).
 */
function checkTimeWindow(
  context: WebhookContext,
  claims: TokenClaims,
  apiNow: number,
  leeway: number,
  offset: { seconds: number; fresh: boolean } | undefined,
): void {
  try {
    checkTokenTimes(claims, apiNow, leeway);
  } catch (err) {
    if (context.apiClockOffset === undefined || offset?.fresh === true) throw err;
    context.requestRefresh?.();
    throw new ClockNotSynchronizedError({ cause: err });
  }
}

/** Runtime checks of what TypeScript cannot guarantee to a JavaScript caller. */
function checkArguments(request: WebhookRequest, context: WebhookContext): void {
  const r = request as Partial<Record<keyof WebhookRequest, unknown>> | null;
  if (r === null || typeof r !== 'object') throw new ConfigurationError('The webhook request must be an object');
  if (typeof r.method !== 'string' || typeof r.path !== 'string') {
    throw new ConfigurationError('The webhook request needs a method and a path');
  }
  if (r.headers === null || typeof r.headers !== 'object') {
    throw new ConfigurationError('The webhook request needs its headers');
  }
  if (typeof r.body !== 'string' && !(r.body instanceof Uint8Array)) {
    throw new ConfigurationError(
      'The webhook body must be the raw body (string or Buffer); was it parsed by a JSON middleware?',
    );
  }
  const c = context as Partial<Record<keyof WebhookContext, unknown>> | null;
  if (c === null || typeof c !== 'object' || typeof c.entity !== 'string' || c.entity === '') {
    throw new ConfigurationError('The webhook context needs our entity');
  }
  const ring = c.keyRing as { get?: unknown } | null | undefined;
  if (typeof ring?.get !== 'function' || typeof c.resolveApiKey !== 'function') {
    throw new ConfigurationError('The webhook context needs a key ring and an API key resolver');
  }
}

/** Every value of a header, whatever the case of its name. */
function headerValues(headers: WebhookRequest['headers'], name: string): string[] {
  const values: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value: unknown = headers[key];
    if (value === undefined) continue;
    const list: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of list) {
      if (typeof item !== 'string') throw new ConfigurationError(`Header ${name} must hold strings`);
      values.push(item);
    }
  }
  return values;
}

const IOV_JWT_SCHEME = 'IOV-JWT ';

/**
 * The one token of the webhook. Two `X-IOV-JWT` values (an array, or two header names differing in
 * case), two `IOV-JWT` authorizations, or an `X-IOV-JWT` and an `Authorization: IOV-JWT` carrying
 * different tokens are refused: which one was verified and which one a proxy or framework acts on
 * must never differ.
 */
function readToken(headers: WebhookRequest['headers']): string {
  const direct = headerValues(headers, 'x-iov-jwt');
  const viaAuthorization = headerValues(headers, 'authorization')
    .filter((v) => v.startsWith(IOV_JWT_SCHEME))
    .map((v) => v.slice(IOV_JWT_SCHEME.length));
  if (direct.length > 1 || viaAuthorization.length > 1) {
    throw new JwtVerificationError('malformed', 'The webhook carries more than one token');
  }
  const [token] = direct;
  const [fromAuthorization] = viaAuthorization;
  if (token !== undefined && fromAuthorization !== undefined && token !== fromAuthorization) {
    throw new JwtVerificationError('malformed', 'X-IOV-JWT and Authorization carry different tokens');
  }
  const found = token ?? fromAuthorization;
  if (found === undefined) throw new JwtVerificationError('malformed', 'The webhook carries no X-IOV-JWT header');
  return found;
}

/** Whether the body is encrypted (`application/jose`) or plain JSON (`application/json`). */
function readContentType(headers: WebhookRequest['headers']): boolean {
  const values = headerValues(headers, 'content-type');
  const [value] = values;
  if (values.length !== 1 || value === undefined) {
    invalid(CONTENT_TYPE_FIELD, 'The webhook needs exactly one Content-Type header');
  }
  const media = (value.split(';')[0] ?? '').trim().toLowerCase();
  if (media === 'application/jose') return true;
  if (media === 'application/json') return false;
  invalid(CONTENT_TYPE_FIELD, 'The webhook Content-Type must be application/jose or application/json');
}

/** Wraps the caller's resolver: foreign errors become typed, and short keys are refused. */
function apiKeyResolver(resolve: WebhookContext['resolveApiKey']): (kid: string) => Promise<PublicKey> {
  return async (kid) => {
    let key: PublicKey;
    try {
      key = await resolve(kid);
    } catch (cause) {
      if (cause instanceof LaunchKeyError) throw cause;
      throw new JwtVerificationError('key', `The API key ${kid} could not be resolved`, { cause, claim: 'kid' });
    }
    if (key.bits < MIN_RSA_BITS) {
      throw new JwtVerificationError('key', `The API key ${kid} is shorter than ${MIN_RSA_BITS} bits`, {
        claim: 'kid',
      });
    }
    return key;
  };
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function bodyText(body: string | Uint8Array): string {
  if (typeof body === 'string') return body;
  try {
    return fatalUtf8.decode(body);
  } catch (cause) {
    invalid('body', 'The webhook body is not UTF-8', cause);
  }
}

/** The id part of `sub`, which must name an entity of that type (`svc:<uuid>` or `dir:<uuid>`). */
function entityId(claims: TokenClaims, type: 'svc' | 'dir'): string {
  const prefix = `${type}:`;
  const id = claims.sub.startsWith(prefix) ? claims.sub.slice(prefix.length) : '';
  if (!UUID_PATTERN.test(id)) {
    throw new JwtVerificationError('claim', `JWT claim sub must be ${prefix}<uuid> for this webhook`, { claim: 'sub' });
  }
  return id;
}

/**
 * How long a replay entry outlives the last instant its token could still be accepted, in ms. It
 * covers a clock offset measured again in between (whole seconds, so it may move by one) and a
 * shared store whose clock runs a little behind ours.
 */
export const REPLAY_MARGIN_MS = 5_000;

/**
 * Seconds to remember a token verified at `now` (seconds): until after the first instant it is
 * refused as expired, computed in milliseconds and rounded up, plus {@link REPLAY_MARGIN_MS}, so a
 * replay can never meet an expired entry while the token itself would still pass.
 */
export function replayTtlSeconds(claims: Pick<TokenClaims, 'exp'>, now: number, leeway: number): number {
  return Math.ceil((tokenAcceptedUntilMs(claims, leeway) - now * 1000 + REPLAY_MARGIN_MS) / 1000);
}

/** Remembers the token's `iss|jti`; returns the key. */
async function checkReplay(cache: ReplayCache, claims: TokenClaims, now: number, leeway: number): Promise<string> {
  // Keyed on the verified claims, not the token text: a re-encoded token is the same delivery.
  const key = `${claims.iss}|${claims.jti}`;
  let fresh: boolean;
  try {
    fresh = await cache.remember(key, replayTtlSeconds(claims, now, leeway));
  } catch (cause) {
    if (cause instanceof LaunchKeyError) throw cause;
    throw new ReplayCacheError('unavailable', 'The replay cache could not be reached', { cause });
  }
  if (!fresh) throw new JwtVerificationError('replay', 'The webhook was already delivered', { claim: 'jti' });
  return key;
}

function parseSessionEnd(text: string, serviceId: string): SessionEndWebhook {
  const payload = parseJsonObject(text, 'body');
  return {
    kind: 'session-end',
    serviceId,
    serviceUserHash: requireString(payload['service_user_hash'], 'service_user_hash'),
    // The API always sends `Z`; .NET may omit it, which reads as UTC.
    logoutRequested: requireDate(payload['api_time'], 'api_time'),
  };
}

/**
 * A device-link completion. The key id must be the fingerprint of the key sent with it
 * (docs/security.md, T20): a mismatch means the two were not produced together, and either could be the
 * wrong one.
 */
function parseDeviceLink(payload: JsonObject, directoryId: string): DeviceLinkCompletionWebhook {
  const deviceId = requireUuid(payload['device_id'], 'device_id');
  const pem = requireString(payload['device_public_key'], 'device_public_key');
  let key: PublicKey;
  try {
    key = loadPublicKey(pem);
  } catch (cause) {
    invalid('device_public_key', 'device_public_key is not an RSA public key PEM', cause);
  }
  const kid = requireString(payload['device_public_key_id'], 'device_public_key_id');
  if (kid.toLowerCase() !== key.kid) {
    invalid('device_public_key_id', 'device_public_key_id is not the fingerprint of device_public_key');
  }
  return { kind: 'device-link-completion', directoryId, deviceId, devicePublicKey: pem, devicePublicKeyId: key.kid };
}

/**
 * The HTTP status a webhook handler should answer for a failure of {@link verifyWebhook}: 204 for a
 * replay (already processed: idempotent success, so the sender stops retrying), 413 and 415 for the
 * size and content-type refusals, 503 for every retryable failure (`error.retryable`: the replay
 * cache or a network look-up unavailable, an API key or the API clock not known yet) and for a JWE
 * naming a private key we do not hold yet (a key rotation in progress: the sender retries), 401 for
 * every token failure, 400 for bodies that cannot be decrypted or do not validate, 500 for anything
 * else (configuration or a bug).
 */
export function webhookFailureStatus(error: unknown): number {
  if (!(error instanceof LaunchKeyError) || error instanceof ConfigurationError) return 500;
  if (error.retryable) return 503;
  if (error instanceof JwtVerificationError) return error.failure === 'replay' ? 204 : 401;
  if (error instanceof PayloadValidationError) {
    if (error.field === BODY_TOO_LARGE_FIELD) return 413;
    if (error.field === CONTENT_TYPE_FIELD) return 415;
    return 400;
  }
  // The JWE was bound to a token the API signed, so its kid names a key the API meant: one we do not
  // hold yet (deployed before the new key), not a forgery. Answer so that the API delivers it again.
  if (error instanceof JweDecryptionError && error.failure === 'key') return 503;
  return 400;
}
