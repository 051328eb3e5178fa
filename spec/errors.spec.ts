import { expect } from 'chai';

import * as errors from '../lib/errors.js';
import {
  API_ERROR_CODES,
  ApiError,
  AuthorizationInProgressError,
  ConflictError,
  EntityNotFoundError,
  ForbiddenError,
  InvalidRequestError,
  JweDecryptionError,
  JwtVerificationError,
  LaunchKeyError,
  RateLimitedError,
  RequestTimedOutError,
  ServiceNotFoundError,
  UnauthorizedError,
  UnexpectedStatusError,
  TransportError,
  apiErrorFor,
  type ApiErrorDetails,
  type JweFailure,
  type JwtFailure,
  type LaunchKeyErrorCode,
  type LaunchKeyErrorOptions,
} from '../lib/errors.js';
import { vectorJson } from './support/vectors.js';

type AnyClass = abstract new (...args: never[]) => unknown;
type ApiErrorClass = new (details: ApiErrorDetails, options?: LaunchKeyErrorOptions) => ApiError;

const JWT_FAILURES: JwtFailure[] = [
  'malformed',
  'algorithm',
  'key',
  'signature',
  'claim',
  'expired',
  'not-yet-valid',
  'jti',
  'replay',
  'body-hash',
  'binding',
];
const JWE_FAILURES: JweFailure[] = ['malformed', 'algorithm', 'key', 'decrypt', 'payload'];

const DETAILS: ApiErrorDetails = { status: 400, errorCode: 'XXX-000' };

/** Every exported class that extends Error, by export name. */
const errorClasses: [string, AnyClass][] = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, AnyClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
);

/** The parents, never thrown as such: every other class owns its codes. */
const ABSTRACT = new Set(['LaunchKeyError', 'ApiError', 'TransportError']);

/** The classes that are thrown. */
const concreteClasses = errorClasses.filter(([name]) => !ABSTRACT.has(name));

/**
 * Every member of LaunchKeyErrorCode, once: the compiler refuses this object if a member is missing
 * or one is not in the union, so the runtime checks below compare the classes with the union itself.
 */
const ALL_CODES: Record<LaunchKeyErrorCode, true> = {
  ERR_LK_CONFIGURATION: true,
  ERR_LK_INVALID_ARGUMENT: true,
  ERR_LK_INVALID_POLICY: true,
  ERR_LK_JWT_MALFORMED: true,
  ERR_LK_JWT_ALGORITHM: true,
  ERR_LK_JWT_KEY: true,
  ERR_LK_JWT_SIGNATURE: true,
  ERR_LK_JWT_CLAIM: true,
  ERR_LK_JWT_EXPIRED: true,
  ERR_LK_JWT_NOT_YET_VALID: true,
  ERR_LK_JWT_JTI_MISMATCH: true,
  ERR_LK_JWT_REPLAY: true,
  ERR_LK_JWT_BODY_HASH: true,
  ERR_LK_JWT_BINDING: true,
  ERR_LK_JWE_MALFORMED: true,
  ERR_LK_JWE_ALGORITHM: true,
  ERR_LK_JWE_KEY_NOT_FOUND: true,
  ERR_LK_JWE_DECRYPT: true,
  ERR_LK_JWE_PAYLOAD: true,
  ERR_LK_PAYLOAD_INVALID: true,
  ERR_LK_LEGACY_PACKAGE_REFUSED: true,
  ERR_LK_AUTH_REQUEST_MISMATCH: true,
  ERR_LK_REPLAY_CACHE_FULL: true,
  ERR_LK_REPLAY_CACHE_UNAVAILABLE: true,
  ERR_LK_API_KEY_UNKNOWN: true,
  ERR_LK_CLOCK_NOT_SYNCHRONIZED: true,
  ERR_LK_STORE_FULL: true,
  ERR_LK_STORE_UNAVAILABLE: true,
  ERR_LK_HOOK_TIMEOUT: true,
  ERR_LK_AUDIT_LISTENER: true,
  ERR_LK_USAGE: true,
  ERR_LK_WAIT_TIMEOUT: true,
  ERR_LK_NETWORK: true,
  ERR_LK_TIMEOUT: true,
  ERR_LK_API_UNAVAILABLE: true,
  ERR_LK_RESPONSE_TOO_LARGE: true,
  ERR_LK_UNEXPECTED_RESPONSE: true,
  ERR_LK_INVALID_PARAMETERS: true,
  ERR_LK_INVALID_ROUTE: true,
  ERR_LK_SERVICE_NAME_TAKEN: true,
  ERR_LK_INVALID_POLICY_INPUT: true,
  ERR_LK_POLICY_FAILURE: true,
  ERR_LK_SERVICE_NOT_FOUND: true,
  ERR_LK_AUTHORIZATION_IN_PROGRESS: true,
  ERR_LK_AUTHORIZATION_RESPONSE_EXISTS: true,
  ERR_LK_AUTHORIZATION_REQUEST_CANCELED: true,
  ERR_LK_INVALID_DIRECTORY_IDENTIFIER: true,
  ERR_LK_INVALID_PUBLIC_KEY: true,
  ERR_LK_PUBLIC_KEY_ALREADY_IN_USE: true,
  ERR_LK_PUBLIC_KEY_DOES_NOT_EXIST: true,
  ERR_LK_LAST_REMAINING_KEY: true,
  ERR_LK_DIRECTORY_NAME_IN_USE: true,
  ERR_LK_LAST_REMAINING_SDK_KEY: true,
  ERR_LK_INVALID_SDK_KEY: true,
  ERR_LK_INVALID_REQUEST: true,
  ERR_LK_CONFLICT: true,
  ERR_LK_UNAUTHORIZED: true,
  ERR_LK_FORBIDDEN: true,
  ERR_LK_ENTITY_NOT_FOUND: true,
  ERR_LK_REQUEST_TIMED_OUT: true,
  ERR_LK_RATE_LIMITED: true,
  ERR_LK_UNEXPECTED_STATUS: true,
};

/** Instances of one class, covering every code it can carry, all built with `cause`. */
function instancesOf(name: string, cls: AnyClass, cause: unknown): LaunchKeyError[] {
  const options = { cause };
  switch (name) {
    case 'ConfigurationError':
      return [new errors.ConfigurationError('message', options)];
    case 'JwtVerificationError':
      return JWT_FAILURES.map((failure) => new JwtVerificationError(failure, 'message', options));
    case 'JweDecryptionError':
      return JWE_FAILURES.map((failure) => new JweDecryptionError(failure, 'message', options));
    case 'InvalidArgumentError':
      return [new errors.InvalidArgumentError('timeout', 'message', options)];
    case 'InvalidPolicyError':
      return [new errors.InvalidPolicyError('amount', 'message', options)];
    case 'PayloadValidationError':
      return [new errors.PayloadValidationError('field', 'message', options)];
    case 'NetworkError':
      return [new errors.NetworkError('message', options)];
    case 'ApiTimeoutError':
      return [new errors.ApiTimeoutError(1000, options)];
    case 'ApiUnavailableError':
      return [new errors.ApiUnavailableError(503, options)];
    case 'ResponseTooLargeError':
      return [new errors.ResponseTooLargeError(1024, options)];
    case 'UnexpectedResponseError':
      return [new errors.UnexpectedResponseError('message', { ...options, status: 302 })];
    case 'HookTimeoutError':
      return [new errors.HookTimeoutError('onSessionEnd', 10_000, options)];
    case 'AuditListenerError':
      return [new errors.AuditListenerError('threw', 'message', options)];
    case 'PendingStoreFullError':
      return [new errors.PendingStoreFullError('message', options)];
    case 'StoreUnavailableError':
      return [new errors.StoreUnavailableError('message', options)];
    case 'AuthRequestMismatchError':
      return [new errors.AuthRequestMismatchError('expected-id', 'received-id', options)];
    case 'UnknownApiKeyError':
      return [new errors.UnknownApiKeyError('ab:cd', options)];
    case 'ClockNotSynchronizedError':
      return [new errors.ClockNotSynchronizedError(options)];
    case 'LegacyPackageRefusedError':
      return [new errors.LegacyPackageRefusedError(options)];
    case 'UsageError':
      return [new errors.UsageError('message', { ...options, argument: '--ttl' })];
    case 'WaitTimeoutError':
      return [new errors.WaitTimeoutError('message', 5000, options)];
    case 'ReplayCacheError':
      return (['full', 'unavailable'] as const).map(
        (failure) => new errors.ReplayCacheError(failure, 'message', options),
      );
    default:
      if (cls.prototype instanceof ApiError) return [new (cls as unknown as ApiErrorClass)(DETAILS, options)];
      throw new Error(`errors.spec.ts does not know how to build ${name}; add it to instancesOf`);
  }
}

/** Asserts that `value` is an instance of `cls` and returns it typed as such. */
function narrow<T>(value: unknown, cls: abstract new (...args: never[]) => T): T {
  expect(value).to.be.instanceOf(cls);
  if (!(value instanceof cls)) throw new TypeError(`not a ${cls.name}`);
  return value;
}

/** docs/protocol.md, "Error codes". */
const PROTOCOL_CODES: [string, string][] = [
  ['ARG-001', 'InvalidParametersError'],
  ['ARG-002', 'InvalidRouteError'],
  ['SVC-001', 'ServiceNameTakenError'],
  ['SVC-002', 'InvalidPolicyInputError'],
  ['SVC-003', 'PolicyFailureError'],
  ['SVC-004', 'ServiceNotFoundError'],
  ['SVC-005', 'AuthorizationInProgressError'],
  ['SVC-006', 'AuthorizationResponseExistsError'],
  ['SVC-007', 'AuthorizationRequestCanceledError'],
  ['DIR-001', 'InvalidDirectoryIdentifierError'],
  ['KEY-001', 'InvalidPublicKeyError'],
  ['KEY-002', 'PublicKeyAlreadyInUseError'],
  ['KEY-003', 'PublicKeyDoesNotExistError'],
  ['KEY-004', 'LastRemainingKeyError'],
  ['ORG-003', 'DirectoryNameInUseError'],
  ['ORG-005', 'LastRemainingSDKKeyError'],
  ['ORG-006', 'InvalidSDKKeyError'],
];

/** docs/protocol.md, "Status handling", with 418 standing for any other 4xx. */
const STATUSES: [number, AnyClass][] = [
  [400, InvalidRequestError],
  [401, UnauthorizedError],
  [403, ForbiddenError],
  [404, EntityNotFoundError],
  [408, RequestTimedOutError],
  [409, ConflictError],
  [429, RateLimitedError],
  [418, UnexpectedStatusError],
];

describe('errors', () => {
  describe('the error classes', () => {
    it('the export scan finds the bases, the local errors and every mapped API error', () => {
      const names = errorClasses.map(([name]) => name);
      expect(names).to.include.members([...ABSTRACT, 'ConfigurationError', 'JwtVerificationError']);
      expect(names).to.include.members(PROTOCOL_CODES.map(([, className]) => className));
      expect(names).to.include.members(STATUSES.map(([, cls]) => cls.name));
    });

    for (const [name, cls] of concreteClasses) {
      it(`${name} has its class name as name, an ERR_LK_ code, the LaunchKeyError and Error prototypes and keeps cause`, () => {
        const cause = new Error('root cause');
        const instances = instancesOf(name, cls, cause);
        expect(instances).to.not.be.empty;
        for (const err of instances) {
          expect(err).to.be.instanceOf(cls);
          expect(err).to.be.instanceOf(LaunchKeyError);
          expect(err).to.be.instanceOf(Error);
          expect(err.name).to.equal(name);
          expect(err.code).to.match(/^ERR_LK_[A-Z0-9_]+$/);
          expect(err.cause).to.equal(cause);
          expect(err.message).to.be.a('string').and.not.be.empty;
          expect(err.stack).to.be.a('string');
          expect(String(err).startsWith(`${name}: `)).to.equal(true);
        }
      });
    }

    it('every class owns codes that no other class uses', () => {
      const owners = new Map<string, string>();
      for (const [name, cls] of concreteClasses) {
        for (const err of instancesOf(name, cls, undefined)) {
          const owner = owners.get(err.code);
          expect(owner === undefined || owner === name, `${err.code} is used by ${String(owner)} and ${name}`).to.equal(
            true,
          );
          owners.set(err.code, name);
        }
      }
      // One code per class, except the classes that own one code per failure.
      const singleCoded = concreteClasses.length - 3;
      expect(owners.size).to.equal(singleCoded + JWT_FAILURES.length + JWE_FAILURES.length + 2);
    });

    it('LaunchKeyErrorCode holds exactly the codes the classes carry: each class code is in it, each member is used', () => {
      const carried = new Set(
        concreteClasses.flatMap(([name, cls]) => instancesOf(name, cls, undefined).map((err) => err.code)),
      );
      expect([...carried].filter((code) => !Object.hasOwn(ALL_CODES, code))).to.deep.equal([]);
      expect(Object.keys(ALL_CODES).filter((code) => !carried.has(code as LaunchKeyErrorCode))).to.deep.equal([]);
    });

    it('the transport faults share the parent TransportError; no other class has it', () => {
      const transport = concreteClasses.filter(([, cls]) => cls.prototype instanceof TransportError);
      expect(transport.map(([name]) => name).sort()).to.deep.equal([
        'ApiTimeoutError',
        'ApiUnavailableError',
        'NetworkError',
        'ResponseTooLargeError',
        'UnexpectedResponseError',
      ]);
    });

    it('a LaunchKeyError without cause has no cause property', () => {
      const err = new errors.NetworkError('down');
      expect('cause' in err).to.equal(false);
    });

    it('JwtVerificationError carries its failure and claim', () => {
      const err = new JwtVerificationError('binding', 'm', { claim: 'response.status' });
      expect([err.code, err.failure, err.claim]).to.deep.equal(['ERR_LK_JWT_BINDING', 'binding', 'response.status']);
      expect(new JwtVerificationError('expired', 'm').claim).to.equal(undefined);
    });

    it('JweDecryptionError carries its failure and kid', () => {
      const err = new JweDecryptionError('key', 'm', { kid: 'k' });
      expect([err.code, err.failure, err.kid]).to.deep.equal(['ERR_LK_JWE_KEY_NOT_FOUND', 'key', 'k']);
    });

    it('the transport and validation errors carry their numbers, argument and field', () => {
      expect(new errors.ApiTimeoutError(2500).message).to.equal('The LaunchKey API did not answer within 2500 ms');
      expect(new errors.ApiTimeoutError(2500).timeoutMs).to.equal(2500);
      expect(new errors.ApiUnavailableError(502).status).to.equal(502);
      expect(new errors.ResponseTooLargeError(10).limit).to.equal(10);
      expect(new errors.UnexpectedResponseError('m', { status: 302 }).status).to.equal(302);
      expect(new errors.UnexpectedResponseError('m').status).to.equal(undefined);
      expect(new errors.PayloadValidationError('auth_request', 'm').field).to.equal('auth_request');
      expect(new errors.InvalidArgumentError('timeout', 'm').argument).to.equal('timeout');
      expect(new errors.InvalidPolicyError('amount', 'm').field).to.equal('amount');
    });

    it('retryable is true exactly for the faults that clear with time: transport, stores, unknown API key or clock', () => {
      const retryable = new Set([
        'StoreUnavailableError',
        'NetworkError',
        'ApiTimeoutError',
        'ApiUnavailableError',
        'UnexpectedResponseError',
        'ReplayCacheError',
        'UnknownApiKeyError',
        'ClockNotSynchronizedError',
      ]);
      for (const [name, cls] of concreteClasses) {
        for (const err of instancesOf(name, cls, undefined)) {
          expect(err.retryable, `${name} ${err.code}`).to.equal(retryable.has(name));
        }
      }
    });

    it('LegacyPackageRefusedError is a PayloadValidationError on auth_jwe with its own code', () => {
      const err = new errors.LegacyPackageRefusedError();
      expect(err).to.be.instanceOf(errors.PayloadValidationError);
      expect([err.code, err.field]).to.deep.equal(['ERR_LK_LEGACY_PACKAGE_REFUSED', 'auth_jwe']);
      expect(new errors.PayloadValidationError('f', 'm').code).to.equal('ERR_LK_PAYLOAD_INVALID');
    });

    it('an API error uses a string error_detail as message, JSON for an object, and its default otherwise', () => {
      expect(new ServiceNotFoundError({ ...DETAILS, errorDetail: 'No such service' }).message).to.equal(
        'No such service',
      );
      expect(
        new errors.InvalidParametersError({ ...DETAILS, errorDetail: { policy: 'Invalid Policy' } }).message,
      ).to.equal('{"policy":"Invalid Policy"}');
      expect(new ServiceNotFoundError({ ...DETAILS, errorDetail: '' }).message).to.equal('Service not found');
      expect(new ServiceNotFoundError(DETAILS).message).to.equal('Service not found');
      expect(new RateLimitedError(DETAILS).message).to.equal('Rate limited');
    });

    it('an API error keeps status, errorCode, errorDetail and errorData', () => {
      const err = new ConflictError({ status: 409, errorCode: 'X', errorDetail: { a: 1 }, errorData: { b: 2 } });
      expect([err.status, err.errorCode, err.errorDetail, err.errorData]).to.deep.equal([409, 'X', { a: 1 }, { b: 2 }]);
    });
  });

  describe('apiErrorFor', () => {
    it('API_ERROR_CODES is frozen and holds exactly the codes of docs/protocol.md, "Error codes"', () => {
      expect(Object.isFrozen(API_ERROR_CODES)).to.equal(true);
      expect(Object.keys(API_ERROR_CODES).sort()).to.deep.equal(PROTOCOL_CODES.map(([code]) => code).sort());
    });

    for (const [code, className] of PROTOCOL_CODES) {
      it(`apiErrorFor maps error_code ${code} to ${className}`, () => {
        const err = apiErrorFor({ status: 400, errorCode: code, errorDetail: `detail of ${code}` });
        expect(err.constructor.name).to.equal(className);
        expect(err).to.be.instanceOf(errorClasses.find(([name]) => name === className)?.[1]);
        expect(err).to.be.instanceOf(ApiError);
        expect([err.status, err.errorCode, err.message]).to.deep.equal([400, code, `detail of ${code}`]);
      });
    }

    for (const [status, cls] of STATUSES) {
      it(`apiErrorFor maps HTTP ${status} without a known error_code to ${cls.name}`, () => {
        const err = apiErrorFor({ status, errorCode: `HTTP-${status}` });
        expect(err).to.be.instanceOf(cls);
        expect(err.name).to.equal(cls.name);
        expect(err.status).to.equal(status);
        expect(err.errorCode).to.equal(`HTTP-${status}`);
      });
    }

    it('apiErrorFor maps another 4xx such as 402 to UnexpectedStatusError', () => {
      expect(apiErrorFor({ status: 402, errorCode: 'HTTP-402' })).to.be.instanceOf(UnexpectedStatusError);
    });

    it('apiErrorFor lets error_code win over the status (404 with SVC-004 is ServiceNotFoundError)', () => {
      const err = apiErrorFor({ status: 404, errorCode: 'SVC-004', errorDetail: 'Service not found' });
      expect(err).to.be.instanceOf(ServiceNotFoundError);
      expect(err).to.not.be.instanceOf(EntityNotFoundError);
      expect(err.status).to.equal(404);
    });

    it('apiErrorFor maps an unmapped error_code such as KEY-005 by status and keeps the code', () => {
      const err = apiErrorFor({ status: 400, errorCode: 'KEY-005', errorDetail: 'The key cannot be deleted' });
      expect(err).to.be.instanceOf(InvalidRequestError);
      expect(err.errorCode).to.equal('KEY-005');
      expect(err.message).to.equal('The key cannot be deleted');
    });

    for (const code of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      it(`apiErrorFor maps error_code ${code} by status, not through the prototype`, () => {
        const at400 = apiErrorFor({ status: 400, errorCode: code });
        expect(at400.constructor).to.equal(InvalidRequestError);
        expect(at400.errorCode).to.equal(code);
        expect(apiErrorFor({ status: 409, errorCode: code }).constructor).to.equal(ConflictError);
        expect(apiErrorFor({ status: 418, errorCode: code }).constructor).to.equal(UnexpectedStatusError);
      });
    }

    it('apiErrorFor passes Retry-After seconds to RateLimitedError', () => {
      const err = apiErrorFor({ status: 429, errorCode: 'HTTP-429', retryAfter: 30 });
      expect(err).to.be.instanceOf(RateLimitedError);
      expect(narrow(err, RateLimitedError).retryAfter).to.equal(30);
      expect(narrow(apiErrorFor({ status: 429, errorCode: 'HTTP-429' }), RateLimitedError).retryAfter).to.equal(
        undefined,
      );
    });
  });

  describe('AuthorizationInProgressError', () => {
    const busy = vectorJson('json/error-svc-005-busy-signal-dotnet.json') as {
      error_code: string;
      error_detail: string;
      error_data: Record<string, unknown>;
    };
    const inProgress = (errorData?: Record<string, unknown>): AuthorizationInProgressError =>
      narrow(apiErrorFor({ status: 409, errorCode: 'SVC-005', errorData }), AuthorizationInProgressError);

    it('AuthorizationInProgressError reads auth_request, the old my_auth key and expires from the .NET fixture', () => {
      expect(busy.error_data).to.have.property('my_auth');
      expect(busy.error_data).to.not.have.property('from_same_service');
      const err = apiErrorFor({
        status: 409,
        errorCode: busy.error_code,
        errorDetail: busy.error_detail,
        errorData: busy.error_data,
      });
      expect(err).to.be.instanceOf(AuthorizationInProgressError);
      const inProgressErr = narrow(err, AuthorizationInProgressError);
      expect(inProgressErr.code).to.equal('ERR_LK_AUTHORIZATION_IN_PROGRESS');
      expect(inProgressErr.authorizationRequestId).to.equal('adc0d351-d8a8-11e8-9fe8-acde48001122');
      expect(inProgressErr.fromSameService).to.equal(true);
      expect(inProgressErr.expires?.toISOString()).to.equal('2018-11-28T22:04:44.000Z');
      expect(inProgressErr.message).to.equal(busy.error_detail);
    });

    it('AuthorizationInProgressError reads from_same_service and prefers it over my_auth', () => {
      expect(inProgress({ from_same_service: true }).fromSameService).to.equal(true);
      expect(inProgress({ from_same_service: false, my_auth: true }).fromSameService).to.equal(false);
    });

    it('AuthorizationInProgressError counts only a boolean true as the same service', () => {
      for (const value of ['true', 1, null, {}]) {
        expect(inProgress({ from_same_service: value }).fromSameService, JSON.stringify(value)).to.equal(false);
      }
    });

    it('AuthorizationInProgressError gives undefined expires for a bad or non-string value', () => {
      for (const expires of ['not a date', '', 1543442684, null, { at: 1 }]) {
        expect(inProgress({ ...busy.error_data, expires }).expires, JSON.stringify(expires)).to.equal(undefined);
      }
    });

    it('AuthorizationInProgressError gives undefined id for an empty or non-string auth_request', () => {
      for (const id of ['', 42, null]) {
        expect(inProgress({ auth_request: id }).authorizationRequestId).to.equal(undefined);
      }
    });

    it('AuthorizationInProgressError without error_data has no id, not the same service and no expiry', () => {
      const err = inProgress();
      expect([err.authorizationRequestId, err.fromSameService, err.expires]).to.deep.equal([
        undefined,
        false,
        undefined,
      ]);
      expect(err.message).to.equal('An authorization request is already in progress for this user');
    });
  });
});
