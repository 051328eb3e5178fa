/**
 * passport-launchkey: the public entry point of the SDK. Named re-exports only; no logic.
 */
export * as errors from './errors.js';
export {
  LaunchKeyError,
  ConfigurationError,
  InvalidArgumentError,
  InvalidPolicyError,
  JwtVerificationError,
  JweDecryptionError,
  PayloadValidationError,
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
export type { JwtFailure, JweFailure, ApiErrorDetails } from './errors.js';
export { loadPrivateKey, loadPublicKey, keyId, KeyRing } from './crypto/keys.js';
export type { PrivateKey, PublicKey } from './crypto/keys.js';
