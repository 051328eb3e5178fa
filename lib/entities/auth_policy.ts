/**
 * The per-request policy of `POST /service/v3/auths` (docs/protocol.md, "The request policy"), with the
 * meaning and the exact serialisation of launchkey-python 4.x `launchkey.entities.service.AuthPolicy`, and
 * the `minimum_requirements`/`factors` structure it shares with legacy service policies.
 */
import { GeoCircleFence, geoCircleFromRecord, timeFenceFromRecord } from './fences.js';
import type { TimeFence, TimeFenceJson } from './fences.js';
import {
  MAX_FENCES,
  checkBoolean,
  checkInteger,
  checkList,
  checkRecord,
  fail,
  parseStep,
  requireLegacyStructure,
  toPlainJson,
} from './policy_common.js';
import type { JsonRecord, PolicyRules } from './policy_common.js';

/** The `minimum_requirements` entry Python writes (all four counts present). */
export interface MinimumRequirementJson {
  requirement: 'authenticated';
  any: number;
  knowledge: 0 | 1;
  inherence: 0 | 1;
  possession: 0 | 1;
}

/** A location of the `geofence` factor (Python key order; `name` only when set). */
export interface LocationJson {
  radius: number;
  latitude: number;
  longitude: number;
  name?: string;
}

/** Attributes of a legacy factor, by factor kind. */
export type LegacyFactorAttributesJson =
  { 'factor enabled': 0 | 1 } | { locations: LocationJson[] } | { 'time fences': TimeFenceJson[] };

/** One entry of `factors` as Python writes it. */
export interface LegacyFactorJson {
  factor: 'device integrity' | 'geofence' | 'timefence';
  requirement: 'forced requirement';
  quickfail: false;
  priority: 1;
  attributes: LegacyFactorAttributesJson;
}

/** The legacy `minimum_requirements`/`factors` structure (no `type`, as Python sends it). */
export interface LegacyStructureJson {
  factors: LegacyFactorJson[];
  minimum_requirements: MinimumRequirementJson[];
}

/** Options of an {@link AuthPolicy}; every field defaults to 0/false (the service's own policy applies). */
export interface AuthPolicyOptions {
  /** Require this many factors of any kind, 0 to 3; cannot be combined with specific factors. Default 0. */
  any?: number | undefined;
  /** Require a knowledge factor. Default false. */
  knowledge?: boolean | undefined;
  /** Require an inherence factor. Default false. */
  inherence?: boolean | undefined;
  /** Require a possession factor. Default false. */
  possession?: boolean | undefined;
  /** Refuse rooted or jailbroken devices. Default false. */
  jailbreakProtection?: boolean | undefined;
}

/** A geofence to add to an {@link AuthPolicy}; `name` defaults to none. */
export interface GeofenceOptions {
  /** Degrees, -90 to 90. */
  latitude: number;
  /** Degrees, -180 to 180. */
  longitude: number;
  /** Metres, greater than 0. */
  radius: number;
  /** Optional non-empty name. */
  name?: string | undefined;
}

/** Validated requirement counts shared by {@link AuthPolicy} and the legacy service policy. */
export interface Requirements {
  any: number;
  knowledge: boolean;
  inherence: boolean;
  possession: boolean;
  jailbreakProtection: boolean;
}

/**
 * Validates requirement options with Python's rules. When parsing, `any` may accompany specific
 * factors, because Java sends exactly that (`auth-request-policy-java.json`) and the API merges it.
 */
export function checkRequirements(options: AuthPolicyOptions, rules: PolicyRules): Requirements {
  const any = options.any === undefined ? 0 : checkInteger(options.any, 'any', 0, 3);
  const knowledge = checkBoolean(options.knowledge, 'knowledge');
  const inherence = checkBoolean(options.inherence, 'inherence');
  const possession = checkBoolean(options.possession, 'possession');
  if (rules === 'build' && any !== 0 && (knowledge || inherence || possession)) {
    fail('any', 'any cannot be combined with knowledge, inherence or possession');
  }
  return {
    any,
    knowledge,
    inherence,
    possession,
    jailbreakProtection: checkBoolean(options.jailbreakProtection, 'jailbreakProtection'),
  };
}

function factor(kind: LegacyFactorJson['factor'], attributes: LegacyFactorAttributesJson): LegacyFactorJson {
  return { factor: kind, requirement: 'forced requirement', quickfail: false, priority: 1, attributes };
}

/**
 * Serialises the legacy structure as Python does: the `device integrity` factor always first, then
 * `geofence` and `timefence` when present; `minimum_requirements` empty when nothing is required.
 */
export function legacyStructureToJSON(
  requirements: Requirements,
  geofences: readonly GeoCircleFence[],
  timeFences: readonly TimeFence[] = [],
): LegacyStructureJson {
  const factors = [factor('device integrity', { 'factor enabled': requirements.jailbreakProtection ? 1 : 0 })];
  if (geofences.length > 0) {
    const locations = geofences.map((g): LocationJson => {
      const location: LocationJson = { radius: g.radius, latitude: g.latitude, longitude: g.longitude };
      if (g.name !== null) location.name = g.name;
      return location;
    });
    factors.push(factor('geofence', { locations }));
  }
  if (timeFences.length > 0) factors.push(factor('timefence', { 'time fences': timeFences.map((t) => t.toJSON()) }));
  const { any, knowledge, inherence, possession } = requirements;
  const required = any !== 0 || knowledge || inherence || possession;
  const minimum: MinimumRequirementJson[] = required
    ? [
        {
          requirement: 'authenticated',
          any,
          knowledge: knowledge ? 1 : 0,
          inherence: inherence ? 1 : 0,
          possession: possession ? 1 : 0,
        },
      ]
    : [];
  return { factors, minimum_requirements: minimum };
}

/** What the legacy `minimum_requirements`/`factors` structure says, read by {@link readLegacyStructure}. */
export interface LegacyStructure {
  requirements: AuthPolicyOptions;
  geofences: GeoCircleFence[];
  timeFences: TimeFence[];
}

/**
 * A 0/1 flag as the SDKs write it: a number, a boolean, or a numeric string (the Java fixture's
 * `"factor enabled":"1"`); absent or null is off. Any other value is refused.
 */
function legacyFlag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return checkInteger(n, field, 0, Number.MAX_SAFE_INTEGER) > 0;
}

/**
 * Reads the legacy structure (docs/protocol.md, "The request policy") of a detached record: the first
 * `minimum_requirements` entry (as Python reads it; `all` is read like `any`), the `device integrity` flag,
 * the `geofence` locations (unnamed allowed) and, when `allowTimeFences`, the `timefence` windows. Numbers
 * must be JSON numbers; only the 0/1 flags accept numeric strings. The fences are built with the parse rules;
 * error fields are relative to the record.
 */
export function readLegacyStructure(raw: JsonRecord, allowTimeFences: boolean): LegacyStructure {
  const requirements: AuthPolicyOptions = {};
  const geofences: GeoCircleFence[] = [];
  const timeFences: TimeFence[] = [];
  const minimum = checkList(raw['minimum_requirements'] ?? undefined, 'minimum_requirements');
  if (minimum.length > 0) {
    const field = 'minimum_requirements[0]';
    const r = checkRecord(minimum[0], field);
    const requirement = r['requirement'];
    if (requirement !== undefined && requirement !== 'authenticated' && requirement !== 'enabled') {
      fail(`${field}.requirement`, `${field}.requirement must be authenticated or enabled`);
    }
    const anyKey = r['any'] === undefined || r['any'] === null ? 'all' : 'any';
    requirements.any = checkInteger(r[anyKey] ?? 0, `${field}.${anyKey}`, 0, 3);
    requirements.knowledge = legacyFlag(r['knowledge'], `${field}.knowledge`);
    requirements.inherence = legacyFlag(r['inherence'], `${field}.inherence`);
    requirements.possession = legacyFlag(r['possession'], `${field}.possession`);
  }
  checkList(raw['factors'] ?? undefined, 'factors').forEach((value, i) => {
    const field = `factors[${i}]`;
    const f = checkRecord(value, field);
    const attributes = checkRecord(f['attributes'] ?? {}, `${field}.attributes`);
    switch (f['factor']) {
      case 'geofence': {
        const where = `${field}.attributes.locations`;
        checkList(attributes['locations'] ?? undefined, where).forEach((loc, j) => {
          geofences.push(geoCircleFromRecord(checkRecord(loc, `${where}[${j}]`), `${where}[${j}]`));
        });
        break;
      }
      case 'device integrity':
        requirements.jailbreakProtection = legacyFlag(
          attributes['factor enabled'],
          `${field}.attributes.factor enabled`,
        );
        break;
      case 'timefence': {
        if (!allowTimeFences) fail(field, `${field}: time fences are only allowed in service policies`);
        const where = `${field}.attributes.time fences`;
        checkList(attributes['time fences'] ?? undefined, where).forEach((t, j) => {
          timeFences.push(timeFenceFromRecord(checkRecord(t, `${where}[${j}]`), `${where}[${j}]`, true));
        });
        break;
      }
      default:
        fail(`${field}.factor`, `${field}.factor must be geofence, device integrity or timefence`);
    }
  });
  if (geofences.length > MAX_FENCES) fail('geofences', `at most ${MAX_FENCES} geofences are allowed`);
  if (timeFences.length > MAX_FENCES) fail('timeFences', `at most ${MAX_FENCES} time fences are allowed`);
  return { requirements, geofences, timeFences };
}

/** Canonical text of a policy's wire form, for equality. */
export function canonicalText(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * The policy of one authorization request: how many or which factors, device integrity, and
 * geofences. Immutable except for {@link AuthPolicy.addGeofence}; `toJSON` always builds a new object.
 */
export class AuthPolicy {
  /** Factors of any kind required, 0 to 3. */
  readonly any: number;
  /** Whether a knowledge factor is required. */
  readonly knowledge: boolean;
  /** Whether an inherence factor is required. */
  readonly inherence: boolean;
  /** Whether a possession factor is required. */
  readonly possession: boolean;
  /** Whether rooted or jailbroken devices are refused. */
  readonly jailbreakProtection: boolean;
  readonly #geofences: GeoCircleFence[] = [];

  /** Validates the options with Python's rules; throws `InvalidPolicyError` naming the bad option. */
  constructor(options?: AuthPolicyOptions);
  /** @internal With `'parse'`, `any` may accompany specific factors. */
  constructor(options: AuthPolicyOptions, rules: PolicyRules);
  constructor(options: AuthPolicyOptions = {}, rules: PolicyRules = 'build') {
    const r = checkRequirements(options, rules);
    this.any = r.any;
    this.knowledge = r.knowledge;
    this.inherence = r.inherence;
    this.possession = r.possession;
    this.jailbreakProtection = r.jailbreakProtection;
    Object.freeze(this);
  }

  /** The geofences, in the order added (a frozen copy). */
  get geofences(): readonly GeoCircleFence[] {
    return Object.freeze([...this.#geofences]);
  }

  /** Adds a geofence the device must be inside; returns this policy. Throws `InvalidPolicyError`. */
  addGeofence(options: GeofenceOptions): this {
    if (this.#geofences.length >= MAX_FENCES) fail('geofences', `at most ${MAX_FENCES} geofences are allowed`);
    const { latitude, longitude, radius, name } = options;
    this.#geofences.push(new GeoCircleFence({ latitude, longitude, radius, name }));
    return this;
  }

  /** The wire form, byte-for-byte what Python's `AuthPolicy.to_dict()` gives for the same intent. */
  toJSON(): LegacyStructureJson {
    return legacyStructureToJSON(this, this.#geofences);
  }

  /** Whether `other` is an AuthPolicy with the same wire form. */
  equals(other: unknown): boolean {
    return other instanceof AuthPolicy && canonicalText(other.toJSON()) === canonicalText(this.toJSON());
  }

  /**
   * Parses a request policy as Python, Java or .NET write it (numbers such as `2.0`, flags as
   * `0`/`1`/booleans/numeric strings, missing arrays as empty, unnamed locations), from JSON text or
   * a value; only the first `minimum_requirements` entry counts, as in Python. Time fences are
   * refused: they exist only in service policies. Throws `InvalidPolicyError`.
   */
  static fromJSON(wire: unknown): AuthPolicy {
    const raw: JsonRecord = checkRecord(toPlainJson(wire), 'policy');
    if (raw['type'] !== undefined && raw['type'] !== null && raw['type'] !== 'LEGACY') {
      fail('policy.type', 'an authorization request policy has no type other than LEGACY');
    }
    requireLegacyStructure(raw, 'policy');
    return parseStep('policy', () => {
      const read = readLegacyStructure(raw, false);
      const policy = new AuthPolicy(read.requirements, 'parse');
      policy.#geofences.push(...read.geofences);
      return policy;
    });
  }
}
