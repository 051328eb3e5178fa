/**
 * The one error hierarchy of passport-launchkey.
 *
 * Every error the package throws on purpose is a {@link LaunchKeyError} with a stable `code`
 * (`ERR_LK_*`). Callers branch on `code` or on `instanceof`; messages are for people and may change.
 * Foreign errors (axios, jose, node:crypto) are never thrown as such: they are wrapped once, at the
 * boundary that met them, and kept as `cause`.
 *
 * This module imports nothing of ours but the leaf that reads wire times (iso_time.ts, which imports
 * nothing), so every layer may import it.
 */
import { parseIsoTime } from './iso_time.js';

/** Options every LaunchKey error accepts. */
export interface LaunchKeyErrorOptions {
  /** The underlying error, kept for diagnosis. */
  cause?: unknown;
}

/**
 * Every `code` a {@link LaunchKeyError} can carry, one per refusal (as jose's `code`): switch on it
 * and the compiler checks the cases. `spec/errors.spec.ts` pins that every class's codes are here and
 * that every code here is some class's.
 */
export type LaunchKeyErrorCode =
  | 'ERR_LK_CONFIGURATION'
  | 'ERR_LK_INVALID_ARGUMENT'
  | 'ERR_LK_INVALID_POLICY'
  | 'ERR_LK_JWT_MALFORMED'
  | 'ERR_LK_JWT_ALGORITHM'
  | 'ERR_LK_JWT_KEY'
  | 'ERR_LK_JWT_SIGNATURE'
  | 'ERR_LK_JWT_CLAIM'
  | 'ERR_LK_JWT_EXPIRED'
  | 'ERR_LK_JWT_NOT_YET_VALID'
  | 'ERR_LK_JWT_JTI_MISMATCH'
  | 'ERR_LK_JWT_REPLAY'
  | 'ERR_LK_JWT_BODY_HASH'
  | 'ERR_LK_JWT_BINDING'
  | 'ERR_LK_JWE_MALFORMED'
  | 'ERR_LK_JWE_ALGORITHM'
  | 'ERR_LK_JWE_KEY_NOT_FOUND'
  | 'ERR_LK_JWE_DECRYPT'
  | 'ERR_LK_JWE_PAYLOAD'
  | 'ERR_LK_PAYLOAD_INVALID'
  | 'ERR_LK_LEGACY_PACKAGE_REFUSED'
  | 'ERR_LK_AUTH_REQUEST_MISMATCH'
  | 'ERR_LK_REPLAY_CACHE_FULL'
  | 'ERR_LK_REPLAY_CACHE_UNAVAILABLE'
  | 'ERR_LK_API_KEY_UNKNOWN'
  | 'ERR_LK_CLOCK_NOT_SYNCHRONIZED'
  | 'ERR_LK_STORE_FULL'
  | 'ERR_LK_STORE_UNAVAILABLE'
  | 'ERR_LK_HOOK_TIMEOUT'
  | 'ERR_LK_AUDIT_LISTENER'
  | 'ERR_LK_USAGE'
  | 'ERR_LK_WAIT_TIMEOUT'
  | 'ERR_LK_NETWORK'
  | 'ERR_LK_TIMEOUT'
  | 'ERR_LK_API_UNAVAILABLE'
  | 'ERR_LK_RESPONSE_TOO_LARGE'
  | 'ERR_LK_UNEXPECTED_RESPONSE'
  | 'ERR_LK_INVALID_PARAMETERS'
  | 'ERR_LK_INVALID_ROUTE'
  | 'ERR_LK_SERVICE_NAME_TAKEN'
  | 'ERR_LK_INVALID_POLICY_INPUT'
  | 'ERR_LK_POLICY_FAILURE'
  | 'ERR_LK_SERVICE_NOT_FOUND'
  | 'ERR_LK_AUTHORIZATION_IN_PROGRESS'
  | 'ERR_LK_AUTHORIZATION_RESPONSE_EXISTS'
  | 'ERR_LK_AUTHORIZATION_REQUEST_CANCELED'
  | 'ERR_LK_INVALID_DIRECTORY_IDENTIFIER'
  | 'ERR_LK_INVALID_PUBLIC_KEY'
  | 'ERR_LK_PUBLIC_KEY_ALREADY_IN_USE'
  | 'ERR_LK_PUBLIC_KEY_DOES_NOT_EXIST'
  | 'ERR_LK_LAST_REMAINING_KEY'
  | 'ERR_LK_DIRECTORY_NAME_IN_USE'
  | 'ERR_LK_LAST_REMAINING_SDK_KEY'
  | 'ERR_LK_INVALID_SDK_KEY'
  | 'ERR_LK_INVALID_REQUEST'
  | 'ERR_LK_CONFLICT'
  | 'ERR_LK_UNAUTHORIZED'
  | 'ERR_LK_FORBIDDEN'
  | 'ERR_LK_ENTITY_NOT_FOUND'
  | 'ERR_LK_REQUEST_TIMED_OUT'
  | 'ERR_LK_RATE_LIMITED'
  | 'ERR_LK_UNEXPECTED_STATUS';

/**
 * Parent of every error thrown by this package on purpose; never thrown as such (each refusal has
 * its own class and code).
 */
export abstract class LaunchKeyError extends Error {
  /** Stable machine-readable code, e.g. `ERR_LK_JWT_SIGNATURE`. */
  readonly code: LaunchKeyErrorCode;

  constructor(code: LaunchKeyErrorCode, message: string, options?: LaunchKeyErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * Whether the same operation may succeed if tried again later, unchanged: the API or a store was
   * unreachable or answered outside the protocol, or state we keep (an API key, the API clock) was
   * not known yet. A webhook handler answers these 503 so that the API delivers again. `false` for
   * everything that is wrong with the input or the configuration.
   */
  get retryable(): boolean {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Programmer and configuration errors
// ---------------------------------------------------------------------------------------------

/** A key, option or argument given to the package cannot be used (thrown eagerly, at setup). */
export class ConfigurationError extends LaunchKeyError {
  /** The option at fault, when the code that refused it knows its name (`baseUrl`, `timeout`, ...). */
  readonly option: string | undefined;

  constructor(message: string, options?: LaunchKeyErrorOptions & { option?: string }) {
    super('ERR_LK_CONFIGURATION', message, options);
    this.option = options?.option;
  }
}

/**
 * An argument given to an SDK call is invalid (a context over 400 characters, denial reasons that
 * break the rules, a malformed id). Thrown before any request is sent; `argument` names it.
 */
export class InvalidArgumentError extends LaunchKeyError {
  readonly argument: string;

  constructor(argument: string, message: string, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_INVALID_ARGUMENT', message, options);
    this.argument = argument;
  }
}

/**
 * A policy built or parsed by the SDK breaks the protocol's rules (docs/protocol.md, "Policies"); `field`
 * names where.
 */
export class InvalidPolicyError extends LaunchKeyError {
  readonly field: string;

  constructor(field: string, message: string, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_INVALID_POLICY', message, options);
    this.field = field;
  }
}

// ---------------------------------------------------------------------------------------------
// JOSE verification failures (responses from the API, webhooks, and requests at the emulator)
// ---------------------------------------------------------------------------------------------

/** What part of a signed token failed verification. */
export type JwtFailure =
  | 'malformed'
  | 'algorithm'
  | 'key'
  | 'signature'
  | 'claim'
  | 'expired'
  | 'not-yet-valid'
  | 'jti'
  | 'replay'
  | 'body-hash'
  | 'binding';

const JWT_CODES: Record<JwtFailure, LaunchKeyErrorCode> = {
  malformed: 'ERR_LK_JWT_MALFORMED',
  algorithm: 'ERR_LK_JWT_ALGORITHM',
  key: 'ERR_LK_JWT_KEY',
  signature: 'ERR_LK_JWT_SIGNATURE',
  claim: 'ERR_LK_JWT_CLAIM',
  expired: 'ERR_LK_JWT_EXPIRED',
  'not-yet-valid': 'ERR_LK_JWT_NOT_YET_VALID',
  jti: 'ERR_LK_JWT_JTI_MISMATCH',
  replay: 'ERR_LK_JWT_REPLAY',
  'body-hash': 'ERR_LK_JWT_BODY_HASH',
  binding: 'ERR_LK_JWT_BINDING',
};

/**
 * A signed token (`X-IOV-JWT` of a response or webhook, `Authorization: IOV-JWT` of a request) failed
 * verification. `failure` says which check failed and `claim` names the claim or binding involved
 * (`aud`, `iss`, `request.path`, `response.status`, `location`, `cache`, ...).
 */
export class JwtVerificationError extends LaunchKeyError {
  readonly failure: JwtFailure;
  readonly claim: string | undefined;

  constructor(failure: JwtFailure, message: string, options?: LaunchKeyErrorOptions & { claim?: string }) {
    super(JWT_CODES[failure], message, options);
    this.failure = failure;
    this.claim = options?.claim;
  }
}

/** What part of a JWE failed. */
export type JweFailure = 'malformed' | 'algorithm' | 'key' | 'decrypt' | 'payload';

const JWE_CODES: Record<JweFailure, LaunchKeyErrorCode> = {
  malformed: 'ERR_LK_JWE_MALFORMED',
  algorithm: 'ERR_LK_JWE_ALGORITHM',
  key: 'ERR_LK_JWE_KEY_NOT_FOUND',
  decrypt: 'ERR_LK_JWE_DECRYPT',
  payload: 'ERR_LK_JWE_PAYLOAD',
};

/**
 * An encrypted body or package could not be decrypted: malformed compact form, an algorithm outside
 * the allow-list, a `kid` naming no key we hold, a failed decryption (tampered bytes, wrong key),
 * or a plaintext that is not what the protocol says (not UTF-8 JSON).
 */
export class JweDecryptionError extends LaunchKeyError {
  readonly failure: JweFailure;
  /** The JWE `kid` when the failure is about the key. */
  readonly kid: string | undefined;

  constructor(failure: JweFailure, message: string, options?: LaunchKeyErrorOptions & { kid?: string }) {
    super(JWE_CODES[failure], message, options);
    this.failure = failure;
    this.kid = options?.kid;
  }
}

/** A decrypted or plain payload does not have the shape the protocol defines; `field` names where. */
export class PayloadValidationError extends LaunchKeyError {
  /** The code of the class; a subclass that names a more precise refusal declares its own. */
  protected static readonly CODE: LaunchKeyErrorCode = 'ERR_LK_PAYLOAD_INVALID';
  readonly field: string;

  constructor(field: string, message: string, options?: LaunchKeyErrorOptions) {
    super(new.target.CODE, message, options);
    this.field = field;
  }
}

/**
 * An authorization response carries only the legacy `auth` device package (no type, reason or fraud flag; key
 * chosen by the sender's `public_key_id`) and the caller does not accept it (`allowLegacyPackage: false`;
 * docs/security.md, T21). A {@link PayloadValidationError} on `auth_jwe`, with its own code
 * `ERR_LK_LEGACY_PACKAGE_REFUSED`.
 */
export class LegacyPackageRefusedError extends PayloadValidationError {
  protected static override readonly CODE: LaunchKeyErrorCode = 'ERR_LK_LEGACY_PACKAGE_REFUSED';

  constructor(options?: LaunchKeyErrorOptions) {
    super('auth_jwe', 'The authorization response has only the legacy auth package, which is not accepted', options);
  }
}

/**
 * The device package is an answer to a different authorization request than the one expected
 * (docs/security.md, T7 and T21): it must never be taken as this request's answer. Code
 * `ERR_LK_AUTH_REQUEST_MISMATCH`.
 */
export class AuthRequestMismatchError extends LaunchKeyError {
  /** The authorization request id the caller expected. */
  readonly expected: string;
  /** The `auth_request` the package carries. */
  readonly received: string;

  constructor(expected: string, received: string, options?: LaunchKeyErrorOptions) {
    super(
      'ERR_LK_AUTH_REQUEST_MISMATCH',
      'The authorization response belongs to another authorization request than the one expected',
      options,
    );
    this.expected = expected;
    this.received = received;
  }
}

/** Why a replay cache could not answer. */
export type ReplayCacheFailure = 'full' | 'unavailable';

/**
 * The replay cache could not remember a token id: it is full of entries that have not expired yet
 * (`full`, code `ERR_LK_REPLAY_CACHE_FULL`; evicting one would let its token be replayed), or a shared
 * store failed (`unavailable`, code `ERR_LK_REPLAY_CACHE_UNAVAILABLE`). Either way the webhook is
 * refused, not processed unprotected, and the sender retries later (answer 503).
 */
export class ReplayCacheError extends LaunchKeyError {
  readonly failure: ReplayCacheFailure;

  constructor(failure: ReplayCacheFailure, message: string, options?: LaunchKeyErrorOptions) {
    super(failure === 'full' ? 'ERR_LK_REPLAY_CACHE_FULL' : 'ERR_LK_REPLAY_CACHE_UNAVAILABLE', message, options);
    this.failure = failure;
  }

  /** Both clear with time: entries expire, the store comes back. */
  override get retryable(): boolean {
    return true;
  }
}

/**
 * A webhook token names an API key id that is not in our cache. Webhooks never fetch a key on their own
 * behalf (an unverified token must not make us send requests: docs/security.md, T5): the client refreshes the
 * API's current key in the background, rate-limited, and the API's next delivery can verify. Retryable
 * (answer 503). Code `ERR_LK_API_KEY_UNKNOWN`.
 */
export class UnknownApiKeyError extends LaunchKeyError {
  /** The key id the token named. */
  readonly kid: string;

  constructor(kid: string, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_API_KEY_UNKNOWN', `The API key ${kid} is not known yet`, options);
    this.kid = kid;
  }

  override get retryable(): boolean {
    return true;
  }
}

/**
 * A webhook token verified except for its time window, and the API clock offset is not measured yet
 * (or is stale), so "expired" or "not yet valid" may only mean that the API's clock differs from
 * ours. The client measures the offset in the background, rate-limited; the API's next delivery is
 * judged with it. Retryable (answer 503); the time failure is the `cause`. Code
 * `ERR_LK_CLOCK_NOT_SYNCHRONIZED`.
 */
export class ClockNotSynchronizedError extends LaunchKeyError {
  constructor(options?: LaunchKeyErrorOptions) {
    super('ERR_LK_CLOCK_NOT_SYNCHRONIZED', 'The API clock offset is not measured yet', options);
  }

  override get retryable(): boolean {
    return true;
  }
}

/**
 * The pending store refused a new record because it is full of records that have not expired
 * (fail closed: the login is refused, nothing is evicted). Code `ERR_LK_STORE_FULL`.
 */
export class PendingStoreFullError extends LaunchKeyError {
  constructor(message: string, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_STORE_FULL', message, options);
  }
}

/**
 * A shared store (Redis, or the application's own) could not be reached or did not answer in time.
 * The operation changed nothing the caller can rely on; nobody is logged in because of it, and a
 * webhook answered 503 because of it is delivered again. Code `ERR_LK_STORE_UNAVAILABLE`.
 */
export class StoreUnavailableError extends LaunchKeyError {
  constructor(message: string, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_STORE_UNAVAILABLE', message, options);
  }

  /** The store comes back by itself: a webhook refused for it is answered 503 and delivered again. */
  override get retryable(): boolean {
    return true;
  }
}

/** A webhook hook of the app did not settle in time (reported to `onError`; the hook keeps running). */
export class HookTimeoutError extends LaunchKeyError {
  readonly hook: string;
  readonly timeoutMs: number;

  constructor(hook: string, timeoutMs: number, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_HOOK_TIMEOUT', `The webhook hook ${hook} did not settle within ${timeoutMs} ms`, options);
    this.hook = hook;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The stable code of anything thrown, for logs, audit events and telemetry: a LaunchKeyError's
 * `code`, another error's string `code` (Node's `ECONNRESET`), else its class name. Never its
 * message, which may hold what a log must not.
 */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0 && code.length <= 64) return code;
  return err instanceof Error ? err.name : typeof err;
}

/** Why an audit listener failed (see {@link AuditListenerError}). */
export type AuditListenerFailure = 'threw' | 'rejected' | 'backlog' | 'username';

/**
 * The application's audit listener (the strategy's `audit` option) failed: it threw, its promise
 * rejected, too many of its promises were still pending (`backlog`: events are dropped until some
 * settle), or the `auditUsername` mapping threw (the event went out without a username). Reported
 * once per strategy, on the first failure, to `onError`; no login is affected. Code
 * `ERR_LK_AUDIT_LISTENER`.
 */
export class AuditListenerError extends LaunchKeyError {
  readonly failure: AuditListenerFailure;

  constructor(failure: AuditListenerFailure, message: string, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_AUDIT_LISTENER', message, options);
    this.failure = failure;
  }
}

// ---------------------------------------------------------------------------------------------
// The operator CLI (`launchkey`)
// ---------------------------------------------------------------------------------------------

/**
 * The `launchkey` command line cannot be run as given: an unknown command or option, a missing or
 * malformed argument, missing or unusable credentials. Nothing was sent. `argument` names the
 * option, argument or environment variable at fault when there is one; the message never repeats
 * a credential's value. Code `ERR_LK_USAGE`.
 */
export class UsageError extends LaunchKeyError {
  readonly argument: string | undefined;

  constructor(message: string, options?: LaunchKeyErrorOptions & { argument?: string }) {
    super('ERR_LK_USAGE', message, options);
    this.argument = options?.argument;
  }
}

/**
 * A command that waits for something to happen (a device link, the answer to a push) gave up
 * before it happened: its own deadline passed, not the API's. Not retryable: trying again means a
 * new push or a new linking code for a person, which a script must not do on its own. Code
 * `ERR_LK_WAIT_TIMEOUT`.
 */
export class WaitTimeoutError extends LaunchKeyError {
  /** How long the command waited, in milliseconds. */
  readonly waitedMs: number;

  constructor(message: string, waitedMs: number, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_WAIT_TIMEOUT', message, options);
    this.waitedMs = waitedMs;
  }
}

// ---------------------------------------------------------------------------------------------
// Transport faults: the API could not be reached or answered outside the protocol
// ---------------------------------------------------------------------------------------------

/**
 * Parent of the transport faults: the API could not be reached, did not answer in time or in full,
 * or answered outside the protocol. Nothing the API verified refused the request, so the caller may
 * try again later (`retryable`, except for a response over the size limit, which will not shrink).
 * Catch this one class rather than list its subclasses or match their codes.
 */
export abstract class TransportError extends LaunchKeyError {
  override get retryable(): boolean {
    return true;
  }
}

/** The request never got an HTTP answer (DNS, refused, reset). The network error is the `cause`. */
export class NetworkError extends TransportError {
  constructor(message: string, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_NETWORK', message, options);
  }
}

/** No complete answer within the configured timeout. A POST may still have been processed. */
export class ApiTimeoutError extends TransportError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_TIMEOUT', `The LaunchKey API did not answer within ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The API answered with a 5xx status: unavailable or failing; retry later. */
export class ApiUnavailableError extends TransportError {
  readonly status: number;

  constructor(status: number, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_API_UNAVAILABLE', `The LaunchKey API answered HTTP ${status}`, options);
    this.status = status;
  }
}

/** The response body exceeded the configured size limit and was not read to the end. */
export class ResponseTooLargeError extends TransportError {
  readonly limit: number;

  constructor(limit: number, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_RESPONSE_TOO_LARGE', `The LaunchKey API response exceeded ${limit} bytes`, options);
    this.limit = limit;
  }

  /** The same request gets the same answer, which will not fit the limit next time either. */
  override get retryable(): boolean {
    return false;
  }
}

/**
 * The API answered outside the protocol: a redirect (never followed), a status the protocol does not
 * use, a missing `X-IOV-JWT` or `X-IOV-KEY-ID` header, or a public key that is not what was asked for.
 */
export class UnexpectedResponseError extends TransportError {
  readonly status: number | undefined;

  constructor(message: string, options?: LaunchKeyErrorOptions & { status?: number }) {
    super('ERR_LK_UNEXPECTED_RESPONSE', message, options);
    this.status = options?.status;
  }
}

// ---------------------------------------------------------------------------------------------
// API errors: the API verified our request and refused it (docs/protocol.md, "Status handling" and
// "Error codes")
// ---------------------------------------------------------------------------------------------

/** Fields of a decrypted API error body. */
export interface ApiErrorDetails {
  /** HTTP status of the response. */
  status: number;
  /** The API's `error_code`, e.g. `SVC-004`, or `HTTP-<status>` when the body was empty. */
  errorCode: string;
  /** The API's `error_detail`: usually a string, an object for field validation errors. */
  errorDetail?: unknown;
  /** The API's `error_data`, only used by `SVC-005`. */
  errorData?: Record<string, unknown> | undefined;
}

/**
 * Parent of every refusal by the API (never thrown as such). `errorCode` is the API's own code
 * (`ARG-001`, ...).
 */
export abstract class ApiError extends LaunchKeyError {
  readonly status: number;
  readonly errorCode: string;
  readonly errorDetail: unknown;
  readonly errorData: Record<string, unknown> | undefined;

  constructor(code: LaunchKeyErrorCode, message: string, details: ApiErrorDetails, options?: LaunchKeyErrorOptions) {
    super(code, message, options);
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.errorDetail = details.errorDetail;
    this.errorData = details.errorData;
  }
}

/**
 * Builds one API error class with its fixed code and default message. `options.message` is this
 * package's own explanation (a hint of what to check), kept apart from `errorDetail`, which is only
 * ever what the API said.
 */
function apiErrorClass(code: LaunchKeyErrorCode, defaultMessage: string) {
  return class extends ApiError {
    constructor(details: ApiErrorDetails, options: LaunchKeyErrorOptions & { message?: string } = {}) {
      const { message, ...rest } = options;
      super(code, message ?? messageOf(details.errorDetail) ?? defaultMessage, details, rest);
    }
  };
}

function messageOf(detail: unknown): string | undefined {
  if (typeof detail === 'string' && detail.length > 0) return detail;
  if (detail !== null && typeof detail === 'object') return JSON.stringify(detail);
  return undefined;
}

/** `ARG-001`: the request data did not validate; `errorDetail` may map fields to reasons. */
export class InvalidParametersError extends apiErrorClass('ERR_LK_INVALID_PARAMETERS', 'Invalid parameters') {}
/** `ARG-002`: the route or method does not exist. */
export class InvalidRouteError extends apiErrorClass('ERR_LK_INVALID_ROUTE', 'Invalid route') {}
/** `SVC-001`: the service name is already in use. */
export class ServiceNameTakenError extends apiErrorClass('ERR_LK_SERVICE_NAME_TAKEN', 'Service name already in use') {}
/** `SVC-002`: the authorization request policy is invalid. */
export class InvalidPolicyInputError extends apiErrorClass('ERR_LK_INVALID_POLICY_INPUT', 'Invalid policy input') {}
/** `SVC-003`: the user cannot satisfy the policy. */
export class PolicyFailureError extends apiErrorClass('ERR_LK_POLICY_FAILURE', 'The user cannot satisfy the policy') {}
/** `SVC-004`: the service does not exist. */
export class ServiceNotFoundError extends apiErrorClass('ERR_LK_SERVICE_NOT_FOUND', 'Service not found') {}
/** `SVC-006`: the authorization request was already answered. */
export class AuthorizationResponseExistsError extends apiErrorClass(
  'ERR_LK_AUTHORIZATION_RESPONSE_EXISTS',
  'The authorization request has already been responded to',
) {}
/** `SVC-007`: the authorization request was canceled. */
export class AuthorizationRequestCanceledError extends apiErrorClass(
  'ERR_LK_AUTHORIZATION_REQUEST_CANCELED',
  'The authorization request has been canceled',
) {}
/** `DIR-001`: the directory user identifier is invalid. */
export class InvalidDirectoryIdentifierError extends apiErrorClass(
  'ERR_LK_INVALID_DIRECTORY_IDENTIFIER',
  'Invalid directory user identifier',
) {}
/** `KEY-001`: the public key is not valid. */
export class InvalidPublicKeyError extends apiErrorClass('ERR_LK_INVALID_PUBLIC_KEY', 'Invalid public key') {}
/** `KEY-002`: the public key is already registered for this entity. */
export class PublicKeyAlreadyInUseError extends apiErrorClass(
  'ERR_LK_PUBLIC_KEY_ALREADY_IN_USE',
  'Public key already in use',
) {}
/** `KEY-003`: no key with that id. */
export class PublicKeyDoesNotExistError extends apiErrorClass(
  'ERR_LK_PUBLIC_KEY_DOES_NOT_EXIST',
  'Public key does not exist',
) {}
/** `KEY-004`: the last remaining key cannot be removed. */
export class LastRemainingKeyError extends apiErrorClass('ERR_LK_LAST_REMAINING_KEY', 'Cannot remove the last key') {}
/** `ORG-003`: the directory name is already in use. */
export class DirectoryNameInUseError extends apiErrorClass(
  'ERR_LK_DIRECTORY_NAME_IN_USE',
  'Directory name already in use',
) {}
/** `ORG-005`: the last remaining SDK key cannot be removed. */
export class LastRemainingSDKKeyError extends apiErrorClass(
  'ERR_LK_LAST_REMAINING_SDK_KEY',
  'Cannot remove the last SDK key',
) {}
/** `ORG-006`: the SDK key does not belong to the directory. */
export class InvalidSDKKeyError extends apiErrorClass('ERR_LK_INVALID_SDK_KEY', 'Invalid SDK key') {}

/** `SVC-005`, the busy signal: the user already has a pending authorization request. */
export class AuthorizationInProgressError extends ApiError {
  /** Id of the pending request (`error_data.auth_request`). */
  readonly authorizationRequestId: string | undefined;
  /** Whether the pending request came from the same service (`from_same_service`, formerly `my_auth`). */
  readonly fromSameService: boolean;
  /** When the pending request expires, when the API said so in a parseable form. */
  readonly expires: Date | undefined;

  constructor(details: ApiErrorDetails, options?: LaunchKeyErrorOptions) {
    super(
      'ERR_LK_AUTHORIZATION_IN_PROGRESS',
      messageOf(details.errorDetail) ?? 'An authorization request is already in progress for this user',
      details,
      options,
    );
    const data = details.errorData ?? {};
    const id = data['auth_request'];
    this.authorizationRequestId = typeof id === 'string' && id.length > 0 ? id : undefined;
    // The key was renamed in 2018; SDK fixtures still carry the old name, so read both.
    const same = data['from_same_service'] ?? data['my_auth'];
    this.fromSameService = same === true;
    this.expires = parseIsoTime(data['expires']);
  }
}

/** 400 with no mapped error code: the request was refused for a reason the SDK does not name. */
export class InvalidRequestError extends apiErrorClass('ERR_LK_INVALID_REQUEST', 'Invalid request') {}
/** 409 with no mapped error code. */
export class ConflictError extends apiErrorClass('ERR_LK_CONFLICT', 'Conflict') {}
/** 401: the API did not accept our credentials (unknown key, expired token, bad signature). */
export class UnauthorizedError extends apiErrorClass('ERR_LK_UNAUTHORIZED', 'Unauthorized') {}
/** 403: the credentials may not act on that entity (unknown or not owned service or directory). */
export class ForbiddenError extends apiErrorClass('ERR_LK_FORBIDDEN', 'Forbidden') {}
/** 404: the entity (user, device, auth request) does not exist. */
export class EntityNotFoundError extends apiErrorClass('ERR_LK_ENTITY_NOT_FOUND', 'Entity not found') {}
/** 408: the request timed out at the API; for a poll, the authorization request expired. */
export class RequestTimedOutError extends apiErrorClass('ERR_LK_REQUEST_TIMED_OUT', 'Request timed out') {}

/** 429: too many requests; `retryAfter` carries the `Retry-After` seconds when the API sent them. */
export class RateLimitedError extends ApiError {
  readonly retryAfter: number | undefined;

  constructor(details: ApiErrorDetails & { retryAfter?: number }, options?: LaunchKeyErrorOptions) {
    super('ERR_LK_RATE_LIMITED', messageOf(details.errorDetail) ?? 'Rate limited', details, options);
    this.retryAfter = details.retryAfter;
  }
}

/** Another 4xx the protocol does not name. */
export class UnexpectedStatusError extends apiErrorClass('ERR_LK_UNEXPECTED_STATUS', 'Unexpected HTTP status') {}

type ApiErrorConstructor = new (details: ApiErrorDetails, options?: LaunchKeyErrorOptions) => ApiError;

/** API `error_code` → error class (identical tables in the three official SDKs). */
export const API_ERROR_CODES: Readonly<Record<string, ApiErrorConstructor>> = Object.freeze({
  'ARG-001': InvalidParametersError,
  'ARG-002': InvalidRouteError,
  'SVC-001': ServiceNameTakenError,
  'SVC-002': InvalidPolicyInputError,
  'SVC-003': PolicyFailureError,
  'SVC-004': ServiceNotFoundError,
  'SVC-005': AuthorizationInProgressError,
  'SVC-006': AuthorizationResponseExistsError,
  'SVC-007': AuthorizationRequestCanceledError,
  'DIR-001': InvalidDirectoryIdentifierError,
  'KEY-001': InvalidPublicKeyError,
  'KEY-002': PublicKeyAlreadyInUseError,
  'KEY-003': PublicKeyDoesNotExistError,
  'KEY-004': LastRemainingKeyError,
  'ORG-003': DirectoryNameInUseError,
  'ORG-005': LastRemainingSDKKeyError,
  'ORG-006': InvalidSDKKeyError,
});

const STATUS_ERRORS: Readonly<Record<number, ApiErrorConstructor>> = Object.freeze({
  400: InvalidRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: EntityNotFoundError,
  408: RequestTimedOutError,
  409: ConflictError,
  429: RateLimitedError,
});

/**
 * The typed error for an API refusal: the `error_code` decides first (so a 404 whose body says
 * `SVC-004` is a {@link ServiceNotFoundError}, as in the Python SDK), then the HTTP status.
 */
export function apiErrorFor(details: ApiErrorDetails & { retryAfter?: number }): ApiError {
  const byCode = Object.hasOwn(API_ERROR_CODES, details.errorCode) ? API_ERROR_CODES[details.errorCode] : undefined;
  if (byCode !== undefined) return new byCode(details);
  if (details.status === 429) return new RateLimitedError(details);
  const byStatus = STATUS_ERRORS[details.status] ?? UnexpectedStatusError;
  return new byStatus(details);
}
