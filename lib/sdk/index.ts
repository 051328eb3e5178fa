/**
 * `passport-launchkey/sdk`: the LaunchKey Platform API v3 SDK on its own, for code that talks to the
 * API without the strategy (linking devices, managing services and keys, a login flow of its own,
 * webhooks): the factories and clients, the keys, the policies and the entities the API answers with,
 * and webhook verification. Its errors, and the replay cache a factory can take, come from the root
 * entry, `passport-launchkey`, which every face shares. Re-exports only; no logic.
 */

// Keys
export { loadPrivateKey, loadPublicKey, keyId, KeyRing } from '../crypto/keys.js';
export type { PrivateKey, PublicKey } from '../crypto/keys.js';

// Factories and clients
export { ServiceFactory, DirectoryFactory, OrganizationFactory } from '../clients/factories.js';
export type { FactoryOptions, PrivateKeys } from '../clients/factories.js';
export { ServiceClient } from '../clients/service.js';
export type {
  AuthorizationRequest,
  AuthorizationRequestOptions,
  AuthorizationResponseOptions,
  DenialReason,
  LegacyAuthorizationResponseWebhook,
  ServiceClientOptions,
} from '../clients/service.js';
export { DirectoryClient } from '../clients/directory.js';
export type { DirectoryClientOptions, LinkDeviceOptions } from '../clients/directory.js';
export { OrganizationClient } from '../clients/organization.js';
export type { UpdateDirectoryOptions } from '../clients/organization.js';
export type {
  AddPublicKeyOptions,
  CreateServiceOptions,
  UpdatePublicKeyOptions,
  UpdateServiceOptions,
} from '../clients/service_management.js';
export type { TransportOptions } from '../transport/jose_transport.js';
export type { JweAlgorithm } from '../crypto/jwe.js';
export type { JwsAlgorithm } from '../crypto/jws.js';
export type { HashFunc } from '../crypto/digest.js';

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
  DAY_NAMES,
} from '../entities/policy.js';
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
  FactorName,
  FenceJson,
  GeoCircleFenceJson,
  TerritoryFenceJson,
  TimeFenceJson,
  LegacyStructureJson,
  LegacyFactorJson,
  LegacyFactorAttributesJson,
  LocationJson,
  MinimumRequirementJson,
  MethodAmountPolicyJson,
  FactorsPolicyJson,
  ConditionalGeoFencePolicyJson,
} from '../entities/policy.js';
export type {
  AuthorizationResponse,
  LegacyAuthorizationResponse,
  AuthorizationResponsePolicy,
  AuthMethod,
  AuthResponseType,
  AuthResponseReason,
  AuthMethodType,
  AuthPolicyRequirement,
  AuthPolicyType,
} from '../entities/auth_response.js';
export type { Device, DeviceStatus, DeviceLinkData, ServiceSession, DirectoryUserTotp } from '../entities/directory.js';
export type { Service, PublicKeyInfo, KeyType } from '../entities/service.js';
export type { Directory } from '../entities/organization.js';

// Webhooks
export { verifyWebhook, webhookFailureStatus } from '../webhooks/verify.js';
export type {
  WebhookRequest,
  WebhookContext,
  WebhookEvent,
  AuthorizationResponseWebhook,
  SessionEndWebhook,
  DeviceLinkCompletionWebhook,
} from '../webhooks/verify.js';
export type { PrivateKeyLookup } from '../webhooks/device_package.js';
