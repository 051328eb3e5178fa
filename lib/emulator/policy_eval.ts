/**
 * Whether a simulated device can satisfy an auth policy (docs/protocol.md, "How the emulator evaluates
 * policies"): factor counts and types against the device's factors, jailbreak protection against
 * `jailbroken`, geofences by haversine distance to the device location, territory fences by
 * country/area/postal code, and legacy time fences against the emulator clock. The request policy is merged
 * with the service policy by requiring both: a request can only make the service's policy stricter. Policies
 * are the SDK's own classes (lib/entities/policy.ts), parsed with their `fromJSON`; this module only reads
 * them.
 */
import {
  AuthPolicy,
  ConditionalGeoFencePolicy,
  LegacyPolicy,
  MethodAmountPolicy,
  type Fence,
  type NestedPolicy,
  type ServicePolicy,
  type TimeFence,
} from '../entities/policy.js';
import { DEVICE_FACTORS, type Device, type DeviceFactor, type DeviceLocation } from './state.js';

/** A policy the emulator evaluates: a service policy, or the request policy of one auth request. */
export type EvaluatedPolicy = ServicePolicy | AuthPolicy;

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres. */
export function haversineMetres(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function same(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Whether a location lies in a fence. */
export function insideFence(location: DeviceLocation | null, fence: Fence): boolean {
  if (location === null) return false;
  if (fence.type === 'GEO_CIRCLE') return haversineMetres(location, fence) <= fence.radius;
  return (
    same(location.country, fence.country) &&
    (fence.administrativeArea === null || same(location.administrative_area, fence.administrativeArea)) &&
    (fence.postalCode === null || same(location.postal_code, fence.postalCode))
  );
}

/** Whether a location lies in at least one of the fences. */
export function insideAny(location: DeviceLocation | null, fences: readonly Fence[]): boolean {
  return fences.some((f) => insideFence(location, f));
}

/** Whether `nowMs` falls on an allowed day and in the window of a time fence, in its time zone. */
export function insideTimeFence(fence: TimeFence, nowMs: number): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: fence.timezone,
    weekday: 'long',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date(nowMs));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const start = fence.startHour * 60 + fence.startMinute;
  const end = fence.endHour * 60 + fence.endMinute;
  return (fence.days as readonly string[]).includes(part('weekday')) && minutes >= start && minutes <= end;
}

/** A legacy service policy or a request policy: requirement counts, device integrity, geofences. */
type LegacyLike = LegacyPolicy | AuthPolicy;

function legacySatisfied(policy: LegacyLike, device: Device, nowMs: number): boolean {
  if (device.factors.length < policy.any) return false;
  if (policy.knowledge && !device.factors.includes('knowledge')) return false;
  if (policy.inherence && !device.factors.includes('inherence')) return false;
  if (policy.possession && !device.factors.includes('possession')) return false;
  if (policy.jailbreakProtection && device.jailbroken) return false;
  if (policy.geofences.length > 0 && !insideAny(device.location, policy.geofences)) return false;
  const timeFences = policy instanceof LegacyPolicy ? policy.timeFences : [];
  if (timeFences.length > 0 && !timeFences.some((t) => insideTimeFence(t, nowMs))) return false;
  return true;
}

function nestedSatisfied(policy: NestedPolicy, device: Device): boolean {
  if (policy.denyRootedJailbroken && device.jailbroken) return false;
  if (policy.fences.length > 0 && !insideAny(device.location, policy.fences)) return false;
  if (policy instanceof MethodAmountPolicy) return device.factors.length >= policy.amount;
  return policy.factors.every((f) => device.factors.includes(f.toLowerCase() as DeviceFactor));
}

/** Whether the device satisfies one policy. */
export function satisfies(policy: EvaluatedPolicy, device: Device, nowMs: number): boolean {
  if (policy instanceof LegacyPolicy || policy instanceof AuthPolicy) return legacySatisfied(policy, device, nowMs);
  if (policy instanceof ConditionalGeoFencePolicy) {
    if (policy.denyRootedJailbroken && device.jailbroken) return false;
    return nestedSatisfied(insideAny(device.location, policy.fences) ? policy.inside : policy.outside, device);
  }
  return nestedSatisfied(policy, device);
}

/** Whether the device satisfies the request policy and the service policy together. */
export function satisfiesAll(policies: readonly (EvaluatedPolicy | null)[], device: Device, nowMs: number): boolean {
  return policies.every((p) => p === null || satisfies(p, device, nowMs));
}

/** What one policy asks of a device's methods: a number of factors, factors by name, fences to be in. */
export interface MethodDemand {
  amount: number;
  factors: readonly DeviceFactor[];
  fences: readonly Fence[];
}

/** What `policy` asks of `device` (a COND_GEO policy: the branch for where the device is). */
export function demandOf(policy: EvaluatedPolicy, device: Device): MethodDemand {
  if (policy instanceof LegacyPolicy || policy instanceof AuthPolicy) {
    return { amount: policy.any, factors: DEVICE_FACTORS.filter((f) => policy[f]), fences: policy.geofences };
  }
  if (policy instanceof ConditionalGeoFencePolicy) {
    // Its fences choose the branch; they are no place the device has to be.
    return demandOf(insideAny(device.location, policy.fences) ? policy.inside : policy.outside, device);
  }
  if (policy instanceof MethodAmountPolicy) return { amount: policy.amount, factors: [], fences: policy.fences };
  return {
    amount: 0,
    factors: policy.factors.map((f) => f.toLowerCase() as DeviceFactor),
    fences: policy.fences,
  };
}

const fenceForPackage = (fence: Fence): Record<string, unknown> => ({ ...fence.toJSON() });

/** The `auth_policy` object of a device package: what the device enforced (lowercase types). */
export function packagePolicy(policy: EvaluatedPolicy): Record<string, unknown> {
  if (policy instanceof LegacyPolicy || policy instanceof AuthPolicy) {
    // Legacy locations carry no `type` (docs/protocol.md, "How the emulator evaluates policies").
    const geofences = policy.geofences.map((g) => ({
      name: g.name,
      latitude: g.latitude,
      longitude: g.longitude,
      radius: g.radius,
    }));
    if (policy.any > 0) return { requirement: 'amount', amount: policy.any, geofences };
    const types = (['knowledge', 'inherence', 'possession'] as const).filter((t) => policy[t]);
    return types.length > 0 ? { requirement: 'types', types, geofences } : { requirement: null, geofences };
  }
  const geofences = policy.fences.map(fenceForPackage);
  if (policy instanceof ConditionalGeoFencePolicy) return { requirement: 'cond_geo', geofences };
  if (policy instanceof MethodAmountPolicy) return { requirement: 'amount', amount: policy.amount, geofences };
  return { requirement: 'types', types: policy.factors.map((f) => f.toLowerCase()), geofences };
}

/**
 * A service policy as `POST …/service/policy/item` (and the control API) reports it: the class's own `toJSON`
 * (Python's key order), with `type: "LEGACY"` first on legacy policies, and the blank legacy policy when the
 * service has none (both arrays always present: docs/protocol.md, "Service policies").
 */
export function servicePolicyItem(policy: ServicePolicy | null): Record<string, unknown> {
  if (policy === null) return { type: 'LEGACY', factors: [], minimum_requirements: [] };
  if (policy instanceof LegacyPolicy) return { type: 'LEGACY', ...policy.toJSON() };
  return { ...policy.toJSON() };
}
