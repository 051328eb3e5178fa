/**
 * Whether a simulated device can satisfy an auth policy (PROTOCOL.md §9): factor counts and types
 * against the device's factors, jailbreak protection against `jailbroken`, geofences by haversine
 * distance to the device location, territory fences by country/area/postal code, and legacy time
 * fences against the emulator clock. The request policy is merged with the service policy by
 * requiring both: a request can only make the service's policy stricter.
 */
import type { Fence, LegacyPolicy, NestedPolicy, ServicePolicy, TimeFence } from '../entities/policy_wire.js';
import type { Device, DeviceLocation } from './state.js';

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
    (fence.administrative_area === null || same(location.administrative_area, fence.administrative_area)) &&
    (fence.postal_code === null || same(location.postal_code, fence.postal_code))
  );
}

function insideAny(location: DeviceLocation | null, fences: readonly Fence[]): boolean {
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
  return fence.days.includes(part('weekday')) && minutes >= start && minutes <= end;
}

function legacySatisfied(policy: LegacyPolicy, device: Device, nowMs: number): boolean {
  const r = policy.requirement;
  if (r !== null) {
    if (device.factors.length < r.any) return false;
    if (r.knowledge > 0 && !device.factors.includes('knowledge')) return false;
    if (r.inherence > 0 && !device.factors.includes('inherence')) return false;
    if (r.possession > 0 && !device.factors.includes('possession')) return false;
  }
  if (policy.deviceIntegrity === true && device.jailbroken) return false;
  if (policy.geofences.length > 0 && !insideAny(device.location, policy.geofences)) return false;
  if (policy.timeFences.length > 0 && !policy.timeFences.some((t) => insideTimeFence(t, nowMs))) return false;
  return true;
}

function nestedSatisfied(policy: NestedPolicy, device: Device): boolean {
  if (policy.denyRootedJailbroken && device.jailbroken) return false;
  if (policy.fences.length > 0 && !insideAny(device.location, policy.fences)) return false;
  if (policy.type === 'METHOD_AMOUNT') return device.factors.length >= policy.amount;
  return policy.factors.every((f) => device.factors.includes(f));
}

/** Whether the device satisfies one policy. */
export function satisfies(policy: ServicePolicy, device: Device, nowMs: number): boolean {
  switch (policy.type) {
    case 'LEGACY':
      return legacySatisfied(policy, device, nowMs);
    case 'COND_GEO':
      if (policy.denyRootedJailbroken && device.jailbroken) return false;
      return nestedSatisfied(insideAny(device.location, policy.fences) ? policy.inside : policy.outside, device);
    default:
      return nestedSatisfied(policy, device);
  }
}

/** Whether the device satisfies the request policy and the service policy together. */
export function satisfiesAll(policies: readonly (ServicePolicy | null)[], device: Device, nowMs: number): boolean {
  return policies.every((p) => p === null || satisfies(p, device, nowMs));
}

function fenceForPackage(fence: Fence): Record<string, unknown> {
  return { ...fence };
}

/** The `auth_policy` object of a device package: what the device enforced (lowercase types). */
export function packagePolicy(policy: ServicePolicy): Record<string, unknown> {
  switch (policy.type) {
    case 'LEGACY': {
      const r = policy.requirement;
      const geofences = policy.geofences.map((g) => ({
        name: g.name,
        latitude: g.latitude,
        longitude: g.longitude,
        radius: g.radius,
      }));
      if (r !== null && r.any > 0) return { requirement: 'amount', amount: r.any, geofences };
      const types = r === null ? [] : (['knowledge', 'inherence', 'possession'] as const).filter((t) => r[t] > 0);
      return types.length > 0 ? { requirement: 'types', types, geofences } : { requirement: null, geofences };
    }
    case 'METHOD_AMOUNT':
      return { requirement: 'amount', amount: policy.amount, geofences: policy.fences.map(fenceForPackage) };
    case 'FACTORS':
      return { requirement: 'types', types: policy.factors, geofences: policy.fences.map(fenceForPackage) };
    case 'COND_GEO':
      return { requirement: 'cond_geo', geofences: policy.fences.map(fenceForPackage) };
  }
}
