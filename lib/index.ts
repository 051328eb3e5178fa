/**
 * passport-launchkey: the public entry point. The Passport strategy, the LaunchKey v3 SDK and the
 * error hierarchy; the emulator is `passport-launchkey/emulator`. Re-exports only; no logic.
 */

// The Passport strategy and its helpers
export * from './passport/index.js';

export * as errors from './errors.js';
export {
  LaunchKeyError,
  ConfigurationError,
  InvalidArgumentError,
  InvalidPolicyError,
  JwtVerificationError,
  JweDecryptionError,
  PayloadValidationError,
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
  AuthRequestMismatchError,
  ReplayCacheError,
  UnknownApiKeyError,
  ClockNotSynchronizedError,
  LegacyPackageRefusedError,
  PendingStoreFullError,
  StoreUnavailableError,
  HookTimeoutError,
  AuditListenerError,
} from './errors.js';
export type { JwtFailure, JweFailure, ApiErrorDetails, LaunchKeyErrorCode } from './errors.js';
export { loadPrivateKey, loadPublicKey, keyId, KeyRing } from './crypto/keys.js';
export type { PrivateKey, PublicKey } from './crypto/keys.js';

// The SDK: factories and clients
export { ServiceFactory, DirectoryFactory, OrganizationFactory } from './clients/factories.js';
export type { FactoryOptions, PrivateKeys } from './clients/factories.js';
export { ServiceClient } from './clients/service.js';
export type {
  AuthorizationRequest,
  AuthorizationRequestOptions,
  AuthorizationResponseOptions,
  DenialReason,
  LegacyAuthorizationResponseWebhook,
  ServiceClientOptions,
} from './clients/service.js';
export { DirectoryClient } from './clients/directory.js';
export type { DirectoryClientOptions, LinkDeviceOptions } from './clients/directory.js';
export { OrganizationClient } from './clients/organization.js';
export type { UpdateDirectoryOptions } from './clients/organization.js';
export type {
  AddPublicKeyOptions,
  CreateServiceOptions,
  UpdatePublicKeyOptions,
  UpdateServiceOptions,
} from './clients/service_management.js';
export type { TransportOptions } from './transport/jose_transport.js';

// Entities
export {
  AuthPolicy,
  GeoCircleFence,
  TerritoryFence,
  TimeFence,
  MethodAmountPolicy,
  FactorsPolicy,
  ConditionalGeoFencePolicy,
  LegacyPolicy,
  servicePolicyFromJSON,
  fenceFromJSON,
} from './entities/policy.js';
export type {
  AuthPolicyOptions,
  GeofenceOptions,
  Fence,
  ServicePolicy,
  NestedPolicy,
  DayName,
  GeoCircleFenceOptions,
  TerritoryFenceOptions,
  TimeFenceOptions,
  MethodAmountPolicyOptions,
  FactorsPolicyOptions,
  ConditionalGeoFencePolicyOptions,
  LegacyPolicyOptions,
} from './entities/policy.js';
export type {
  AuthorizationResponse,
  LegacyAuthorizationResponse,
  AuthorizationResponsePolicy,
  AuthMethod,
  AuthResponseType,
  AuthResponseReason,
} from './entities/auth_response.js';
export type { Device, DeviceStatus, DeviceLinkData, ServiceSession, DirectoryUserTotp } from './entities/directory.js';
export type { Service, PublicKeyInfo, KeyType } from './entities/service.js';
export type { Directory } from './entities/organization.js';

// Webhooks
export { verifyWebhook, webhookFailureStatus } from './webhooks/verify.js';
export type {
  WebhookRequest,
  WebhookContext,
  WebhookEvent,
  AuthorizationResponseWebhook,
  SessionEndWebhook,
  DeviceLinkCompletionWebhook,
} from './webhooks/verify.js';
export { MemoryReplayCache } from './webhooks/replay_cache.js';
export type { ReplayCache, MemoryReplayCacheOptions } from './webhooks/replay_cache.js';
