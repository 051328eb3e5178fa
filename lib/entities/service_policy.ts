/**
 * Service policies (docs/protocol.md, "Service policies") with the meanings of launchkey-python 4.x
 * `launchkey.entities.service.policy` (MethodAmountPolicy, FactorsPolicy, ConditionalGeoFencePolicy) and
 * `ServiceSecurityPolicy` (here {@link LegacyPolicy}), plus one parser for every SDK's serialisation.
 */
import { GeoCircleFence, TerritoryFence, fenceFromWire, timeFenceFromRecord } from './fences.js';
import type { Fence, FenceJson, TimeFence } from './fences.js';
import { TimeFence as TimeFenceClass } from './fences.js';
import { canonicalText, checkRequirements, legacyStructureToJSON, readLegacyStructure } from './auth_policy.js';
import type { AuthPolicyOptions, LegacyStructureJson } from './auth_policy.js';
import {
  checkBoolean,
  checkInteger,
  checkList,
  checkRecord,
  checkUniqueNames,
  fail,
  parseStep,
  requireLegacyStructure,
  toPlainJson,
} from './policy_common.js';
import type { JsonRecord, PolicyRules } from './policy_common.js';

/** Flags every new service policy carries; both default to false. */
export interface DenyOptions {
  /** Refuse rooted or jailbroken devices. Default false. */
  denyRootedJailbroken?: boolean | undefined;
  /** Refuse emulators and simulators. Default false. */
  denyEmulatorSimulator?: boolean | undefined;
}

/**
 * Most methods a builder may require: the authenticator knows seven methods (PIN code, circle code,
 * geofencing, locations, wearables, fingerprint, face), so a higher amount can never be met. Parsing
 * accepts up to {@link PARSED_AMOUNT_MAX}, because the Java SDK's own fixtures use 10.
 */
export const AMOUNT_MAX = 7;

/** Highest `amount` `fromJSON` accepts. */
export const PARSED_AMOUNT_MAX = 1000;

function checkFences(value: unknown, field: string, rules: PolicyRules): readonly Fence[] {
  const list = checkList(value, field).map((f, i) =>
    f instanceof GeoCircleFence || f instanceof TerritoryFence
      ? f
      : fail(`${field}[${i}]`, `${field}[${i}] must be a GeoCircleFence or a TerritoryFence`),
  );
  checkUniqueNames(
    list.map((f) => f.name),
    field,
    rules,
  );
  return Object.freeze(list);
}

function denyFlags(options: DenyOptions): { denyRootedJailbroken: boolean; denyEmulatorSimulator: boolean } {
  return {
    denyRootedJailbroken: checkBoolean(options.denyRootedJailbroken, 'denyRootedJailbroken'),
    denyEmulatorSimulator: checkBoolean(options.denyEmulatorSimulator, 'denyEmulatorSimulator'),
  };
}

/** Wire form of a {@link MethodAmountPolicy} (Python key order). */
export interface MethodAmountPolicyJson {
  type: 'METHOD_AMOUNT';
  fences: FenceJson[];
  amount: number;
  deny_rooted_jailbroken?: boolean;
  deny_emulator_simulator?: boolean;
}

/** Options of a {@link MethodAmountPolicy}; `fences` default to none. */
export interface MethodAmountPolicyOptions extends DenyOptions {
  /** How many authentication methods the user must pass, 0 to 7 (`AMOUNT_MAX`). */
  amount: number;
  /** Fences the device must be inside. Default none. */
  fences?: readonly Fence[] | undefined;
}

/** Requires a number of authentication methods, of any kind. */
export class MethodAmountPolicy {
  /** Wire discriminator. */
  readonly type = 'METHOD_AMOUNT';
  /** Methods required. */
  readonly amount: number;
  /** Fences the device must be inside. */
  readonly fences: readonly Fence[];
  /** Whether rooted or jailbroken devices are refused. */
  readonly denyRootedJailbroken: boolean;
  /** Whether emulators and simulators are refused. */
  readonly denyEmulatorSimulator: boolean;

  /** Validates and freezes the policy; throws `InvalidPolicyError` naming the bad option. */
  constructor(options: MethodAmountPolicyOptions);
  /** @internal With `'parse'`, `amount` may reach {@link PARSED_AMOUNT_MAX} and fence names may repeat. */
  constructor(options: MethodAmountPolicyOptions, rules: PolicyRules);
  constructor(options: MethodAmountPolicyOptions, rules: PolicyRules = 'build') {
    this.amount = checkInteger(options.amount, 'amount', 0, rules === 'parse' ? PARSED_AMOUNT_MAX : AMOUNT_MAX);
    this.fences = checkFences(options.fences, 'fences', rules);
    ({ denyRootedJailbroken: this.denyRootedJailbroken, denyEmulatorSimulator: this.denyEmulatorSimulator } =
      denyFlags(options));
    Object.freeze(this);
  }

  /** The wire form, as Python's `MethodAmountPolicy.to_dict()` (new object on every call). */
  toJSON(): MethodAmountPolicyJson {
    return {
      type: 'METHOD_AMOUNT',
      fences: this.fences.map((f) => f.toJSON()),
      amount: this.amount,
      deny_rooted_jailbroken: this.denyRootedJailbroken,
      deny_emulator_simulator: this.denyEmulatorSimulator,
    };
  }

  /** Whether `other` is a MethodAmountPolicy with the same wire form. */
  equals(other: unknown): boolean {
    return other instanceof MethodAmountPolicy && canonicalText(other.toJSON()) === canonicalText(this.toJSON());
  }

  /** Parses a METHOD_AMOUNT policy; see {@link servicePolicyFromJSON}. */
  static fromJSON(wire: unknown): MethodAmountPolicy {
    const policy = servicePolicyFromJSON(wire);
    return policy instanceof MethodAmountPolicy ? policy : fail('policy.type', 'policy.type must be METHOD_AMOUNT');
  }
}

/** A factor category of a {@link FactorsPolicy}, as the wire spells it. */
export type FactorName = 'INHERENCE' | 'KNOWLEDGE' | 'POSSESSION';

/** Factor names in the order Python emits them. */
export const FACTOR_ORDER: readonly FactorName[] = ['INHERENCE', 'KNOWLEDGE', 'POSSESSION'];

/** Wire form of a {@link FactorsPolicy} (Python key order). */
export interface FactorsPolicyJson {
  type: 'FACTORS';
  fences: FenceJson[];
  factors: FactorName[];
  deny_rooted_jailbroken?: boolean;
  deny_emulator_simulator?: boolean;
}

/** Options of a {@link FactorsPolicy}; `fences` default to none. */
export interface FactorsPolicyOptions extends DenyOptions {
  /** At least one factor category; any letter case, repeats collapse. */
  factors: readonly (FactorName | Lowercase<FactorName>)[];
  /** Fences the device must be inside. Default none. */
  fences?: readonly Fence[] | undefined;
}

/** Requires specific factor categories. */
export class FactorsPolicy {
  /** Wire discriminator. */
  readonly type = 'FACTORS';
  /** Required categories, in Python's I, K, P order. */
  readonly factors: readonly FactorName[];
  /** Fences the device must be inside. */
  readonly fences: readonly Fence[];
  /** Whether rooted or jailbroken devices are refused. */
  readonly denyRootedJailbroken: boolean;
  /** Whether emulators and simulators are refused. */
  readonly denyEmulatorSimulator: boolean;

  /** Validates and freezes the policy; throws `InvalidPolicyError` naming the bad option. */
  constructor(options: FactorsPolicyOptions);
  /** @internal With `'parse'`, fence names may repeat. */
  constructor(options: FactorsPolicyOptions, rules: PolicyRules);
  constructor(options: FactorsPolicyOptions, rules: PolicyRules = 'build') {
    const list = checkList(options.factors, 'factors', FACTOR_ORDER.length * 4);
    if (list.length === 0) fail('factors', 'factors must name at least one factor');
    const chosen = new Set(
      list.map((f, i) => {
        const name = typeof f === 'string' ? FACTOR_ORDER.find((n) => n === f.toUpperCase()) : undefined;
        return name ?? fail(`factors[${i}]`, `factors[${i}] must be KNOWLEDGE, INHERENCE or POSSESSION`);
      }),
    );
    this.factors = Object.freeze(FACTOR_ORDER.filter((n) => chosen.has(n)));
    this.fences = checkFences(options.fences, 'fences', rules);
    ({ denyRootedJailbroken: this.denyRootedJailbroken, denyEmulatorSimulator: this.denyEmulatorSimulator } =
      denyFlags(options));
    Object.freeze(this);
  }

  /** The wire form, as Python's `FactorsPolicy.to_dict()` (new object on every call). */
  toJSON(): FactorsPolicyJson {
    return {
      type: 'FACTORS',
      fences: this.fences.map((f) => f.toJSON()),
      factors: [...this.factors],
      deny_rooted_jailbroken: this.denyRootedJailbroken,
      deny_emulator_simulator: this.denyEmulatorSimulator,
    };
  }

  /** Whether `other` is a FactorsPolicy with the same wire form. */
  equals(other: unknown): boolean {
    return other instanceof FactorsPolicy && canonicalText(other.toJSON()) === canonicalText(this.toJSON());
  }

  /** Parses a FACTORS policy; see {@link servicePolicyFromJSON}. */
  static fromJSON(wire: unknown): FactorsPolicy {
    const policy = servicePolicyFromJSON(wire);
    return policy instanceof FactorsPolicy ? policy : fail('policy.type', 'policy.type must be FACTORS');
  }
}

/** A policy allowed inside or outside a {@link ConditionalGeoFencePolicy}. */
export type NestedPolicy = MethodAmountPolicy | FactorsPolicy;

/** Wire form of a {@link ConditionalGeoFencePolicy} (Python key order; nested policies without deny flags). */
export interface ConditionalGeoFencePolicyJson {
  type: 'COND_GEO';
  fences: FenceJson[];
  inside: MethodAmountPolicyJson | FactorsPolicyJson;
  outside: MethodAmountPolicyJson | FactorsPolicyJson;
  deny_rooted_jailbroken: boolean;
  deny_emulator_simulator: boolean;
}

/** Options of a {@link ConditionalGeoFencePolicy}. */
export interface ConditionalGeoFencePolicyOptions extends DenyOptions {
  /** At least one fence deciding inside or outside. */
  fences: readonly Fence[];
  /** Policy when the device is inside a fence: no fences, no deny flags. */
  inside: NestedPolicy;
  /** Policy when the device is outside every fence: no fences, no deny flags. */
  outside: NestedPolicy;
}

function checkNested(value: unknown, field: string, rules: PolicyRules): NestedPolicy {
  if (!(value instanceof MethodAmountPolicy) && !(value instanceof FactorsPolicy)) {
    fail(field, `${field} must be a MethodAmountPolicy or a FactorsPolicy`);
  }
  if (value.fences.length > 0) fail(`${field}.fences`, `${field} must not have fences`);
  if (value.denyRootedJailbroken) fail(`${field}.denyRootedJailbroken`, `${field} must not set denyRootedJailbroken`);
  if (value.denyEmulatorSimulator) {
    fail(`${field}.denyEmulatorSimulator`, `${field} must not set denyEmulatorSimulator`);
  }
  // A branch requiring nothing would let that whole region in without a factor; only parsing accepts it.
  if (rules === 'build' && value instanceof MethodAmountPolicy && value.amount === 0) {
    fail(`${field}.amount`, `${field}.amount must be at least 1`);
  }
  return value;
}

function nestedJson(policy: NestedPolicy): MethodAmountPolicyJson | FactorsPolicyJson {
  // Python rebuilds nested policies with deny flags None, which it then leaves out.
  const fences: FenceJson[] = [];
  return policy instanceof MethodAmountPolicy
    ? { type: 'METHOD_AMOUNT', fences, amount: policy.amount }
    : { type: 'FACTORS', fences, factors: [...policy.factors] };
}

/** Chooses the policy by whether the device is inside one of the fences. */
export class ConditionalGeoFencePolicy {
  /** Wire discriminator. */
  readonly type = 'COND_GEO';
  /** Fences deciding inside or outside. */
  readonly fences: readonly Fence[];
  /** Policy inside a fence. */
  readonly inside: NestedPolicy;
  /** Policy outside every fence. */
  readonly outside: NestedPolicy;
  /** Whether rooted or jailbroken devices are refused. */
  readonly denyRootedJailbroken: boolean;
  /** Whether emulators and simulators are refused. */
  readonly denyEmulatorSimulator: boolean;

  /** Validates the nesting rules and freezes the policy; throws `InvalidPolicyError` naming the bad option. */
  constructor(options: ConditionalGeoFencePolicyOptions);
  /** @internal With `'parse'`, fence names may repeat and a branch may require nothing. */
  constructor(options: ConditionalGeoFencePolicyOptions, rules: PolicyRules);
  constructor(options: ConditionalGeoFencePolicyOptions, rules: PolicyRules = 'build') {
    this.fences = checkFences(options.fences, 'fences', rules);
    if (this.fences.length === 0) fail('fences', 'fences must hold at least one fence');
    this.inside = checkNested(options.inside, 'inside', rules);
    this.outside = checkNested(options.outside, 'outside', rules);
    ({ denyRootedJailbroken: this.denyRootedJailbroken, denyEmulatorSimulator: this.denyEmulatorSimulator } =
      denyFlags(options));
    Object.freeze(this);
  }

  /** The wire form, as Python's `ConditionalGeoFencePolicy.to_dict()` (new object on every call). */
  toJSON(): ConditionalGeoFencePolicyJson {
    return {
      type: 'COND_GEO',
      fences: this.fences.map((f) => f.toJSON()),
      inside: nestedJson(this.inside),
      outside: nestedJson(this.outside),
      deny_rooted_jailbroken: this.denyRootedJailbroken,
      deny_emulator_simulator: this.denyEmulatorSimulator,
    };
  }

  /** Whether `other` is a ConditionalGeoFencePolicy with the same wire form. */
  equals(other: unknown): boolean {
    return other instanceof ConditionalGeoFencePolicy && canonicalText(other.toJSON()) === canonicalText(this.toJSON());
  }

  /** Parses a COND_GEO policy; see {@link servicePolicyFromJSON}. */
  static fromJSON(wire: unknown): ConditionalGeoFencePolicy {
    const policy = servicePolicyFromJSON(wire);
    return policy instanceof ConditionalGeoFencePolicy ? policy : fail('policy.type', 'policy.type must be COND_GEO');
  }
}

/** Options of a {@link LegacyPolicy}: the request options plus fences; lists default to empty. */
export interface LegacyPolicyOptions extends AuthPolicyOptions {
  /** Named geo circles (Python's `ServiceSecurityPolicy.add_geofence` requires unique names). */
  geofences?: readonly GeoCircleFence[] | undefined;
  /** Named time fences, unique names. */
  timeFences?: readonly TimeFence[] | undefined;
}

/** The legacy service policy (`ServiceSecurityPolicy`): requirement counts, device integrity, geofences and time fences. */
export class LegacyPolicy {
  /** Wire discriminator (Python leaves it out of the request). */
  readonly type = 'LEGACY';
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
  /** Geo circles the device must be inside. */
  readonly geofences: readonly GeoCircleFence[];
  /** Windows in which authorization is allowed. */
  readonly timeFences: readonly TimeFence[];

  /** Validates with Python's rules and freezes the policy; throws `InvalidPolicyError` naming the bad option. */
  constructor(options?: LegacyPolicyOptions);
  /**
   * @internal With `'parse'`, `any` may accompany specific factors, geofences may be unnamed and names may
   * repeat.
   */
  constructor(options: LegacyPolicyOptions, rules: PolicyRules);
  constructor(options: LegacyPolicyOptions = {}, rules: PolicyRules = 'build') {
    ({
      any: this.any,
      knowledge: this.knowledge,
      inherence: this.inherence,
      possession: this.possession,
      jailbreakProtection: this.jailbreakProtection,
    } = checkRequirements(options, rules));
    const strict = rules === 'build';
    this.geofences = Object.freeze(
      checkList(options.geofences, 'geofences').map((g, i) => {
        if (!(g instanceof GeoCircleFence)) fail(`geofences[${i}]`, `geofences[${i}] must be a GeoCircleFence`);
        if (strict && g.name === null) fail(`geofences[${i}].name`, `geofences[${i}].name is required`);
        return g;
      }),
    );
    checkUniqueNames(
      this.geofences.map((g) => g.name),
      'geofences',
      rules,
    );
    this.timeFences = Object.freeze(
      checkList(options.timeFences, 'timeFences').map((t, i) =>
        t instanceof TimeFenceClass ? t : fail(`timeFences[${i}]`, `timeFences[${i}] must be a TimeFence`),
      ),
    );
    checkUniqueNames(
      this.timeFences.map((t) => t.name),
      'timeFences',
      rules,
    );
    Object.freeze(this);
  }

  /**
   * The legacy structure (docs/protocol.md, "The request policy") without `type`, as Python's
   * `set_service_policy(ServiceSecurityPolicy)` sends it.
   */
  toJSON(): LegacyStructureJson {
    return legacyStructureToJSON(this, this.geofences, this.timeFences);
  }

  /** Whether `other` is a LegacyPolicy with the same wire form. */
  equals(other: unknown): boolean {
    return other instanceof LegacyPolicy && canonicalText(other.toJSON()) === canonicalText(this.toJSON());
  }

  /** Parses a legacy policy; see {@link servicePolicyFromJSON}. */
  static fromJSON(wire: unknown): LegacyPolicy {
    const policy = servicePolicyFromJSON(wire);
    return policy instanceof LegacyPolicy ? policy : fail('policy.type', 'policy.type must be LEGACY or absent');
  }
}

/** Any service policy. */
export type ServicePolicy = LegacyPolicy | MethodAmountPolicy | FactorsPolicy | ConditionalGeoFencePolicy;

/** Keys of Python's `LegacyPolicy.to_dict()` shape (both its 4.0 and earlier spellings). */
const ODD_LEGACY_KEYS = [
  'amount',
  'inherence_required',
  'knowledge_required',
  'possession_required',
  'inherence',
  'knowledge',
  'possession',
  'deny_rooted_jailbroken',
  'fences',
  'time_restrictions',
];

const orUndefined = (value: unknown): unknown => value ?? undefined;

function parseFences(value: unknown, field: string): Fence[] {
  return checkList(value ?? undefined, field).map((f, i) => fenceFromWire(f, `${field}[${i}]`));
}

function parseLegacy(raw: JsonRecord, field: string): LegacyPolicy {
  if (!('minimum_requirements' in raw) && !('factors' in raw) && ODD_LEGACY_KEYS.some((k) => k in raw)) {
    // Python's LegacyPolicy.to_dict(): flat keys instead of the legacy structure.
    const times = checkList(orUndefined(raw['time_restrictions']), `${field}.time_restrictions`).map((t, i) =>
      timeFenceFromRecord(checkRecord(t, `${field}.time_restrictions[${i}]`), `${field}.time_restrictions[${i}]`),
    );
    const fences = parseFences(raw['fences'], `${field}.fences`);
    return parseStep(
      field,
      () =>
        new LegacyPolicy(
          {
            any: orUndefined(raw['amount']) as number | undefined,
            inherence: orUndefined(raw['inherence_required'] ?? raw['inherence']) as boolean | undefined,
            knowledge: orUndefined(raw['knowledge_required'] ?? raw['knowledge']) as boolean | undefined,
            possession: orUndefined(raw['possession_required'] ?? raw['possession']) as boolean | undefined,
            jailbreakProtection: orUndefined(raw['deny_rooted_jailbroken']) as boolean | undefined,
            geofences: fences as GeoCircleFence[],
            timeFences: times,
          },
          'parse',
        ),
    );
  }
  requireLegacyStructure(raw, field);
  return parseStep(field, () => {
    const read = readLegacyStructure(raw, true);
    return new LegacyPolicy({ ...read.requirements, geofences: read.geofences, timeFences: read.timeFences }, 'parse');
  });
}

function parseRecord(raw: JsonRecord, field: string, nested: boolean): ServicePolicy {
  const type = raw['type'] ?? 'LEGACY';
  if (nested && type !== 'METHOD_AMOUNT' && type !== 'FACTORS') {
    return fail(`${field}.type`, `${field}.type must be METHOD_AMOUNT or FACTORS`);
  }
  const deny = {
    denyRootedJailbroken: orUndefined(raw['deny_rooted_jailbroken']) as boolean | undefined,
    denyEmulatorSimulator: orUndefined(raw['deny_emulator_simulator']) as boolean | undefined,
  };
  switch (type) {
    case 'LEGACY':
      return parseLegacy(raw, field);
    case 'METHOD_AMOUNT': {
      const fences = parseFences(raw['fences'], `${field}.fences`);
      const amount = raw['amount'] as number;
      return parseStep(field, () => new MethodAmountPolicy({ amount, fences, ...deny }, 'parse'));
    }
    case 'FACTORS': {
      const fences = parseFences(raw['fences'], `${field}.fences`);
      const factors = raw['factors'] as FactorName[];
      return parseStep(field, () => new FactorsPolicy({ factors, fences, ...deny }, 'parse'));
    }
    case 'COND_GEO': {
      const fences = parseFences(raw['fences'], `${field}.fences`);
      const inside = parseRecord(checkRecord(raw['inside'], `${field}.inside`), `${field}.inside`, true);
      const outside = parseRecord(checkRecord(raw['outside'], `${field}.outside`), `${field}.outside`, true);
      return parseStep(
        field,
        () =>
          new ConditionalGeoFencePolicy(
            { fences, inside: inside as NestedPolicy, outside: outside as NestedPolicy, ...deny },
            'parse',
          ),
      );
    }
    default:
      return fail(`${field}.type`, `${field}.type must be LEGACY, METHOD_AMOUNT, FACTORS or COND_GEO`);
  }
}

/**
 * Parses a service policy as any SDK or the API writes it, from JSON text or a value: `type` absent or
 * `LEGACY` gives a {@link LegacyPolicy} (the legacy structure of docs/protocol.md, "The request policy", or
 * leniently Python's flat `LegacyPolicy.to_dict()` shape); METHOD_AMOUNT, FACTORS and COND_GEO give their
 * classes. Only the Python validator's territory formats and duplicate-name checks are relaxed; every other
 * builder rule applies. Throws `InvalidPolicyError` naming the wire path.
 */
export function servicePolicyFromJSON(wire: unknown): ServicePolicy {
  return parseRecord(checkRecord(toPlainJson(wire), 'policy'), 'policy', false);
}
