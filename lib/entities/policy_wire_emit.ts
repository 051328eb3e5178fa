/**
 * Serialisation of auth policies as the API emits them (`POST …/service/policy/item`, the control
 * API): every key present, `null` where unset, legacy policies with both arrays.
 */
import type { Fence, LegacyPolicy, NestedPolicy, ServicePolicy } from './policy_wire.js';

/** A fence as the API emits it (every key present, null where unset). */
export function fenceToWire(fence: Fence): Record<string, unknown> {
  return { ...fence };
}

/** The legacy structure as emitted: both arrays always present (Python and .NET require them). */
export function legacyPolicyToWire(policy: LegacyPolicy): Record<string, unknown> {
  const factors: Record<string, unknown>[] = [];
  if (policy.geofences.length > 0) {
    factors.push({
      factor: 'geofence',
      requirement: 'forced requirement',
      quickfail: false,
      priority: 1,
      attributes: {
        locations: policy.geofences.map((g) => ({
          ...(g.name === null ? {} : { name: g.name }),
          radius: g.radius,
          latitude: g.latitude,
          longitude: g.longitude,
        })),
      },
    });
  }
  if (policy.deviceIntegrity !== null) {
    factors.push({
      factor: 'device integrity',
      requirement: 'forced requirement',
      quickfail: false,
      priority: 1,
      attributes: { 'factor enabled': policy.deviceIntegrity ? 1 : 0 },
    });
  }
  if (policy.timeFences.length > 0) {
    factors.push({
      factor: 'timefence',
      requirement: 'forced requirement',
      quickfail: false,
      priority: 1,
      attributes: {
        'time fences': policy.timeFences.map((t) => ({
          name: t.name,
          days: t.days,
          'start hour': t.startHour,
          'end hour': t.endHour,
          'start minute': t.startMinute,
          'end minute': t.endMinute,
          timezone: t.timezone,
        })),
      },
    });
  }
  const requirement = policy.requirement === null ? [] : [{ requirement: 'authenticated', ...policy.requirement }];
  return { type: 'LEGACY', minimum_requirements: requirement, factors };
}

function nestedToWire(policy: NestedPolicy, withExtras: boolean): Record<string, unknown> {
  const base: Record<string, unknown> =
    policy.type === 'METHOD_AMOUNT'
      ? { type: 'METHOD_AMOUNT', amount: policy.amount }
      : { type: 'FACTORS', factors: policy.factors.map((f) => f.toUpperCase()) };
  if (!withExtras) return { ...base, fences: [] };
  return {
    ...base,
    fences: policy.fences.map(fenceToWire),
    deny_rooted_jailbroken: policy.denyRootedJailbroken,
    deny_emulator_simulator: policy.denyEmulatorSimulator,
  };
}

/** A service policy as `POST …/service/policy/item` returns it. */
export function servicePolicyToWire(policy: ServicePolicy): Record<string, unknown> {
  switch (policy.type) {
    case 'LEGACY':
      return legacyPolicyToWire(policy);
    case 'COND_GEO':
      return {
        type: 'COND_GEO',
        fences: policy.fences.map(fenceToWire),
        inside: nestedToWire(policy.inside, false),
        outside: nestedToWire(policy.outside, false),
        deny_rooted_jailbroken: policy.denyRootedJailbroken,
        deny_emulator_simulator: policy.denyEmulatorSimulator,
      };
    default:
      return nestedToWire(policy, true);
  }
}

/** The blank policy: what a service without one reports. */
export function blankPolicy(): LegacyPolicy {
  return { type: 'LEGACY', requirement: null, deviceIntegrity: null, geofences: [], timeFences: [] };
}
