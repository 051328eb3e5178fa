/**
 * Wire shapes of LaunchKey auth policies (PROTOCOL.md §9) with pure parsing and serialisation:
 * the per-request legacy policy (`minimum_requirements` + `factors`) and the four service policy
 * types (LEGACY, METHOD_AMOUNT, FACTORS, COND_GEO) with their GEO_CIRCLE and TERRITORY fences.
 *
 * Parsing is lenient where the SDKs disagree (numbers as `2.0`, flags as `0`/`1`/booleans/strings,
 * absent `type` for legacy policies) and strict where the protocol is (nested policy rules).
 */
import { PayloadValidationError } from '../errors.js';

/** Authentication factor categories, lowercase as in device packages. */
export type FactorName = 'knowledge' | 'inherence' | 'possession';

export const FACTOR_NAMES: readonly FactorName[] = ['knowledge', 'inherence', 'possession'];

export interface GeoCircleFence {
  type: 'GEO_CIRCLE';
  name: string | null;
  latitude: number;
  longitude: number;
  /** Metres. */
  radius: number;
}

export interface TerritoryFence {
  type: 'TERRITORY';
  name: string | null;
  country: string;
  administrative_area: string | null;
  postal_code: string | null;
}

export type Fence = GeoCircleFence | TerritoryFence;

/** A legacy time fence: allowed days and a time-of-day window in an IANA time zone. */
export interface TimeFence {
  name: string | null;
  days: string[];
  startHour: number;
  endHour: number;
  startMinute: number;
  endMinute: number;
  timezone: string;
}

/** Counts of the legacy `minimum_requirements` entry. */
export interface MinimumRequirement {
  any: number;
  knowledge: number;
  inherence: number;
  possession: number;
}

export interface LegacyPolicy {
  type: 'LEGACY';
  requirement: MinimumRequirement | null;
  /** `device integrity` factor: `null` when absent, else whether it is enabled. */
  deviceIntegrity: boolean | null;
  geofences: GeoCircleFence[];
  timeFences: TimeFence[];
}

export interface MethodAmountPolicy {
  type: 'METHOD_AMOUNT';
  amount: number;
  fences: Fence[];
  denyRootedJailbroken: boolean;
  denyEmulatorSimulator: boolean;
}

export interface FactorsPolicy {
  type: 'FACTORS';
  factors: FactorName[];
  fences: Fence[];
  denyRootedJailbroken: boolean;
  denyEmulatorSimulator: boolean;
}

export type NestedPolicy = MethodAmountPolicy | FactorsPolicy;

export interface CondGeoPolicy {
  type: 'COND_GEO';
  fences: Fence[];
  inside: NestedPolicy;
  outside: NestedPolicy;
  denyRootedJailbroken: boolean;
  denyEmulatorSimulator: boolean;
}

export type ServicePolicy = LegacyPolicy | MethodAmountPolicy | FactorsPolicy | CondGeoPolicy;

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function bad(field: string, message: string): never {
  throw new PayloadValidationError(field, message);
}

function obj(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(field, `${field} must be an object`);
  return value as Record<string, unknown>;
}

function arr(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) bad(field, `${field} must be an array`);
  return value;
}

function num(value: unknown, field: string, min = -Infinity, max = Infinity): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) bad(field, `${field} must be a number`);
  return n;
}

function int(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = num(value, field, min, max);
  if (!Number.isInteger(n)) bad(field, `${field} must be a whole number`);
  return n;
}

/** A 0/1 flag sent as a number, boolean or numeric string (SDKs differ); absent or null is 0. */
function flag(value: unknown, field: string): number {
  if (value === undefined || value === null || value === false) return 0;
  if (value === true) return 1;
  const n = int(value, field, 0);
  return n > 0 ? 1 : 0;
}

function bool(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') bad(field, `${field} must be a boolean`);
  return value;
}

function optString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') bad(field, `${field} must be a string`);
  return value;
}

function geoCircle(raw: Record<string, unknown>, field: string): GeoCircleFence {
  return {
    type: 'GEO_CIRCLE',
    name: optString(raw['name'], `${field}.name`),
    latitude: num(raw['latitude'], `${field}.latitude`, -90, 90),
    longitude: num(raw['longitude'], `${field}.longitude`, -180, 180),
    radius: num(raw['radius'], `${field}.radius`, Number.MIN_VALUE),
  };
}

/** Parses one fence; a fence without `type` is a GEO_CIRCLE (legacy locations and device packages). */
export function parseFence(value: unknown, field: string): Fence {
  const raw = obj(value, field);
  const type = raw['type'] ?? 'GEO_CIRCLE';
  if (type === 'GEO_CIRCLE') return geoCircle(raw, field);
  if (type !== 'TERRITORY') bad(`${field}.type`, `${field}.type must be GEO_CIRCLE or TERRITORY`);
  const country = optString(raw['country'], `${field}.country`);
  if (country === null || country.length === 0) bad(`${field}.country`, `${field}.country is required`);
  return {
    type: 'TERRITORY',
    name: optString(raw['name'], `${field}.name`),
    country,
    administrative_area: optString(raw['administrative_area'], `${field}.administrative_area`),
    postal_code: optString(raw['postal_code'], `${field}.postal_code`),
  };
}

function timeFence(value: unknown, field: string): TimeFence {
  const raw = obj(value, field);
  const days = arr(raw['days'], `${field}.days`).map((d, i) => {
    const day = typeof d === 'string' ? DAYS.find((x) => x.toLowerCase() === d.toLowerCase()) : undefined;
    return day ?? bad(`${field}.days[${i}]`, `${field}.days[${i}] is not a day name`);
  });
  const timezone = optString(raw['timezone'], `${field}.timezone`) ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    bad(`${field}.timezone`, `${field}.timezone is not an IANA time zone`);
  }
  return {
    name: optString(raw['name'], `${field}.name`),
    days,
    startHour: int(raw['start hour'], `${field}.start hour`, 0, 23),
    endHour: int(raw['end hour'], `${field}.end hour`, 0, 23),
    startMinute: int(raw['start minute'] ?? 0, `${field}.start minute`, 0, 59),
    endMinute: int(raw['end minute'] ?? 0, `${field}.end minute`, 0, 59),
    timezone,
  };
}

/** Parses the legacy `minimum_requirements`/`factors` structure; time fences only when allowed. */
function parseLegacy(raw: Record<string, unknown>, allowTimeFences: boolean): LegacyPolicy {
  const policy: LegacyPolicy = {
    type: 'LEGACY',
    requirement: null,
    deviceIntegrity: null,
    geofences: [],
    timeFences: [],
  };
  const requirements = arr(raw['minimum_requirements'], 'minimum_requirements');
  requirements.forEach((value, i) => {
    const field = `minimum_requirements[${i}]`;
    const r = obj(value, field);
    if (r['requirement'] !== undefined && r['requirement'] !== 'authenticated' && r['requirement'] !== 'enabled') {
      bad(`${field}.requirement`, `${field}.requirement must be authenticated or enabled`);
    }
    // Python reads `all` like `any`; accept either.
    const any = r['any'] ?? r['all'];
    policy.requirement = {
      any: any === undefined || any === null ? 0 : int(any, `${field}.any`, 0),
      knowledge: flag(r['knowledge'], `${field}.knowledge`),
      inherence: flag(r['inherence'], `${field}.inherence`),
      possession: flag(r['possession'], `${field}.possession`),
    };
  });
  arr(raw['factors'], 'factors').forEach((value, i) => {
    const field = `factors[${i}]`;
    const f = obj(value, field);
    const attributes = obj(f['attributes'] ?? {}, `${field}.attributes`);
    switch (f['factor']) {
      case 'geofence':
        for (const [j, loc] of arr(attributes['locations'], `${field}.attributes.locations`).entries()) {
          policy.geofences.push(geoCircle(obj(loc, `${field}.locations[${j}]`), `${field}.locations[${j}]`));
        }
        break;
      case 'device integrity':
        policy.deviceIntegrity = flag(attributes['factor enabled'], `${field}.attributes.factor enabled`) === 1;
        break;
      case 'timefence':
        if (!allowTimeFences) bad(field, 'time fences are only allowed in service policies');
        for (const [j, tf] of arr(attributes['time fences'], `${field}.attributes.time fences`).entries()) {
          policy.timeFences.push(timeFence(tf, `${field}.time fences[${j}]`));
        }
        break;
      default:
        bad(`${field}.factor`, `${field}.factor must be geofence, device integrity or timefence`);
    }
  });
  return policy;
}

/** Parses the `policy` of `POST /service/v3/auths` (legacy structure, no time fences). */
export function parseRequestPolicy(value: unknown): LegacyPolicy {
  return parseLegacy(obj(value, 'policy'), false);
}

function denyFlags(raw: Record<string, unknown>) {
  return {
    denyRootedJailbroken: bool(raw['deny_rooted_jailbroken'], 'deny_rooted_jailbroken'),
    denyEmulatorSimulator: bool(raw['deny_emulator_simulator'], 'deny_emulator_simulator'),
  };
}

function fences(raw: Record<string, unknown>, field: string): Fence[] {
  return arr(raw['fences'], `${field}.fences`).map((f, i) => parseFence(f, `${field}.fences[${i}]`));
}

function parseNested(value: unknown, field: string): NestedPolicy {
  const raw = obj(value, field);
  const policy = parseServicePolicy(raw, field);
  if (policy.type !== 'METHOD_AMOUNT' && policy.type !== 'FACTORS') {
    bad(`${field}.type`, `${field} must be METHOD_AMOUNT or FACTORS`);
  }
  if (policy.fences.length > 0) bad(`${field}.fences`, `${field} must not have fences`);
  if (policy.denyRootedJailbroken || policy.denyEmulatorSimulator) {
    bad(field, `${field} must not set deny_rooted_jailbroken or deny_emulator_simulator`);
  }
  return policy;
}

/** Parses the `policy` of `PUT …/service/policy` (any of the four types). */
export function parseServicePolicy(value: unknown, field = 'policy'): ServicePolicy {
  const raw = obj(value, field);
  switch (raw['type'] ?? 'LEGACY') {
    case 'LEGACY':
      return parseLegacy(raw, true);
    case 'METHOD_AMOUNT':
      return {
        type: 'METHOD_AMOUNT',
        amount: int(raw['amount'], `${field}.amount`, 0),
        fences: fences(raw, field),
        ...denyFlags(raw),
      };
    case 'FACTORS': {
      const list = arr(raw['factors'], `${field}.factors`);
      if (list.length === 0) bad(`${field}.factors`, `${field}.factors must not be empty`);
      const factors = list.map((f, i) => {
        const name = typeof f === 'string' ? f.toLowerCase() : '';
        if (!(FACTOR_NAMES as readonly string[]).includes(name)) bad(`${field}.factors[${i}]`, 'unknown factor');
        return name as FactorName;
      });
      return { type: 'FACTORS', factors: [...new Set(factors)], fences: fences(raw, field), ...denyFlags(raw) };
    }
    case 'COND_GEO': {
      const list = fences(raw, field);
      if (list.length === 0) bad(`${field}.fences`, 'COND_GEO needs at least one fence');
      return {
        type: 'COND_GEO',
        fences: list,
        inside: parseNested(raw['inside'], `${field}.inside`),
        outside: parseNested(raw['outside'], `${field}.outside`),
        ...denyFlags(raw),
      };
    }
    default:
      return bad(`${field}.type`, `${field}.type is not a policy type`);
  }
}
