/**
 * The public, typed policy API of the SDK (docs/protocol.md, "Policies"): the per-request {@link AuthPolicy},
 * the service policies and their fences, with the meanings of launchkey-python 4.x. Builders validate eagerly
 * and throw `InvalidPolicyError` (`code` `ERR_LK_INVALID_POLICY`, `field` naming the place); every class is
 * immutable (except `AuthPolicy.addGeofence`) and `toJSON` always returns a new object.
 */
export {
  AuthPolicy,
  type AuthPolicyOptions,
  type GeofenceOptions,
  type LegacyFactorAttributesJson,
  type LegacyFactorJson,
  type LegacyStructureJson,
  type LocationJson,
  type MinimumRequirementJson,
} from './auth_policy.js';
export {
  DAY_NAMES,
  GeoCircleFence,
  TerritoryFence,
  TimeFence,
  fenceFromJSON,
  type DayName,
  type Fence,
  type FenceJson,
  type GeoCircleFenceJson,
  type GeoCircleFenceOptions,
  type TerritoryFenceJson,
  type TerritoryFenceOptions,
  type TimeFenceJson,
  type TimeFenceOptions,
} from './fences.js';
export {
  ConditionalGeoFencePolicy,
  FactorsPolicy,
  LegacyPolicy,
  MethodAmountPolicy,
  servicePolicyFromJSON,
  type ConditionalGeoFencePolicyJson,
  type ConditionalGeoFencePolicyOptions,
  type FactorName,
  type FactorsPolicyJson,
  type FactorsPolicyOptions,
  type LegacyPolicyOptions,
  type MethodAmountPolicyJson,
  type MethodAmountPolicyOptions,
  type NestedPolicy,
  type ServicePolicy,
} from './service_policy.js';
