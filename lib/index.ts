/**
 * passport-launchkey: the Passport strategy and what an application wires with it (its options,
 * results and failures, the handlers' options, the pending store, replay cache and rate limiter
 * contracts with their in-process defaults, the audit events), and the errors every face of the package
 * throws. The SDK is `passport-launchkey/sdk`; the emulator, the Redis state and the test helpers have
 * their own entries too (docs/architecture.md, "The faces and the layers"). Re-exports only; no logic.
 */

// The strategy and what it is wired with
export * from './passport/index.js';
export { MemoryReplayCache } from './webhooks/replay_cache.js';
export type { ReplayCache, MemoryReplayCacheOptions } from './webhooks/replay_cache.js';

// The errors of every face, exported once, here
export {
  LaunchKeyError,
  ConfigurationError,
  InvalidArgumentError,
  InvalidPolicyError,
  JwtVerificationError,
  JweDecryptionError,
  PayloadValidationError,
  LegacyPackageRefusedError,
  AuthRequestMismatchError,
  ReplayCacheError,
  UnknownApiKeyError,
  ClockNotSynchronizedError,
  PendingStoreFullError,
  StoreUnavailableError,
  HookTimeoutError,
  AuditListenerError,
  TransportError,
  NetworkError,
  ApiTimeoutError,
  ApiUnavailableError,
  ResponseTooLargeError,
  UnexpectedResponseError,
  ApiError,
  InvalidParametersError,
  InvalidRouteError,
  ServiceNameTakenError,
  InvalidPolicyInputError,
  PolicyFailureError,
  ServiceNotFoundError,
  AuthorizationInProgressError,
  AuthorizationResponseExistsError,
  AuthorizationRequestCanceledError,
  InvalidDirectoryIdentifierError,
  InvalidPublicKeyError,
  PublicKeyAlreadyInUseError,
  PublicKeyDoesNotExistError,
  LastRemainingKeyError,
  DirectoryNameInUseError,
  LastRemainingSDKKeyError,
  InvalidSDKKeyError,
  InvalidRequestError,
  ConflictError,
  UnauthorizedError,
  ForbiddenError,
  EntityNotFoundError,
  RequestTimedOutError,
  RateLimitedError,
  UnexpectedStatusError,
} from './errors.js';
export type {
  ApiErrorDetails,
  AuditListenerFailure,
  JweFailure,
  JwtFailure,
  LaunchKeyErrorCode,
  LaunchKeyErrorOptions,
  ReplayCacheFailure,
} from './errors.js';
