/**
 * The authentication methods of a simulated device and the `auth_methods` insight of its device package
 * (docs/protocol.md, "Device packages"). A device supports some methods (its hardware: face unlock, a
 * fingerprint reader, wearables over Bluetooth, ...) and has some set up; what is set up follows from its
 * factors: each factor is carried by the first method of its kind the device supports (knowledge: PIN code,
 * else circle code; inherence: fingerprint, else face; possession: wearables, else locations).
 *
 * Each entry reports `set` (set up) and `active` (the same), `allowed` (always: the emulator has no
 * per-directory method settings), `supported` (the model), and for a set method `user_required`
 * (the enforced policy asks for its factor, or for an amount), `passed`/`error` (true/false once the
 * user verified, which an approval means; null when the user denied or the device failed the
 * policy). Geofencing is special, as the real service reported it: `set` and `user_required` are
 * always null and `active` true whatever the policy; only `passed`/`error` carry the geofence
 * result, when the policy has fences to be inside.
 */
import type { Fence } from '../entities/policy.js';
import { ConfigurationError } from '../errors.js';
import { demandOf, insideAny, type EvaluatedPolicy } from './policy_eval.js';
import type { AuthAnswer, Device, DeviceFactor } from './state.js';

/** The methods of `auth_methods`, in the order device packages list them. */
export const AUTH_METHODS = [
  'wearables',
  'geofencing',
  'locations',
  'pin_code',
  'circle_code',
  'face',
  'fingerprint',
] as const;

export type AuthMethodName = (typeof AUTH_METHODS)[number];

/**
 * What a device supports when nothing says otherwise: a plain phone, without face unlock or
 * wearables (the official Java suite's test phone reported exactly this).
 */
export const DEFAULT_SUPPORTED_METHODS: readonly AuthMethodName[] = [
  'geofencing',
  'locations',
  'pin_code',
  'circle_code',
  'fingerprint',
];

/** The methods that can carry each factor, preferred first. */
const CARRIERS: Readonly<Record<DeviceFactor, readonly AuthMethodName[]>> = {
  knowledge: ['pin_code', 'circle_code'],
  inherence: ['fingerprint', 'face'],
  possession: ['wearables', 'locations'],
};

/** The methods set up on a device, each with the factor it carries. */
export function setMethods(device: Pick<Device, 'factors' | 'supportedMethods'>): Map<AuthMethodName, DeviceFactor> {
  const set = new Map<AuthMethodName, DeviceFactor>();
  for (const factor of device.factors) {
    const method = CARRIERS[factor].find((m) => device.supportedMethods.includes(m));
    if (method !== undefined) set.set(method, factor);
  }
  return set;
}

/**
 * Checks a device's supported methods (default {@link DEFAULT_SUPPORTED_METHODS}) against its
 * factors: every factor needs a supported method to carry it.
 *
 * @throws {ConfigurationError} naming `where` otherwise.
 */
export function checkSupportedMethods(
  value: unknown,
  factors: readonly DeviceFactor[],
  where: string,
): AuthMethodName[] {
  if (value === undefined) value = DEFAULT_SUPPORTED_METHODS;
  if (!Array.isArray(value) || !value.every((m) => (AUTH_METHODS as readonly unknown[]).includes(m))) {
    throw new ConfigurationError(`${where} must list methods among ${AUTH_METHODS.join(', ')}`);
  }
  const supported = AUTH_METHODS.filter((m) => (value as unknown[]).includes(m));
  for (const factor of factors) {
    if (!CARRIERS[factor].some((m) => supported.includes(m))) {
      throw new ConfigurationError(
        `${where}: the ${factor} factor needs one of ${CARRIERS[factor].join(' or ')} among the supported methods`,
      );
    }
  }
  return supported;
}

/** The geofence result: whether the device is inside the fences every policy requires. */
function geofenceResult(device: Device, groups: readonly (readonly Fence[])[]) {
  if (groups.length === 0) return { passed: null, error: null };
  // Without a location the device cannot tell: an error, not a pass.
  if (device.location === null) return { passed: false, error: true };
  return { passed: groups.every((fences) => insideAny(device.location, fences)), error: false };
}

/** The `auth_methods` of a device package for `answer`, under the enforced policies. */
export function authMethods(device: Device, answer: AuthAnswer, policies: readonly EvaluatedPolicy[]) {
  const demands = policies.map((p) => demandOf(p, device));
  const requires = (factor: DeviceFactor) => demands.some((d) => d.amount > 0 || d.factors.includes(factor));
  const verified = answer.type === 'AUTHORIZED';
  const set = setMethods(device);
  const geofence = geofenceResult(
    device,
    demands.map((d) => d.fences).filter((fences) => fences.length > 0),
  );
  return AUTH_METHODS.map((method) => {
    const supported = device.supportedMethods.includes(method);
    if (method === 'geofencing') {
      return { method, set: null, active: true, allowed: true, supported, user_required: null, ...geofence };
    }
    const factor = set.get(method);
    if (factor === undefined) {
      return {
        method,
        set: false,
        active: false,
        allowed: true,
        supported,
        user_required: null,
        passed: null,
        error: null,
      };
    }
    return {
      method,
      set: true,
      active: true,
      allowed: true,
      supported,
      user_required: requires(factor),
      passed: verified ? true : null,
      error: verified ? false : null,
    };
  });
}
