/**
 * Fences of LaunchKey policies (docs/protocol.md, "Fences"): the geo circle and territory fences of the
 * service policies, and the time fences of legacy service policies. Immutable value objects with the meanings
 * of launchkey-python 4.x (`launchkey.entities.service.policy`).
 */
import { checkInteger, checkName, checkNumber, checkRecord, fail, parseStep, toPlainJson } from './policy_common.js';
import type { JsonRecord, PolicyRules } from './policy_common.js';

/** Wire form of a {@link GeoCircleFence} (Python key order). */
export interface GeoCircleFenceJson {
  type: 'GEO_CIRCLE';
  name: string | null;
  latitude: number;
  longitude: number;
  radius: number;
}

/** Wire form of a {@link TerritoryFence} (Python key order, `null` for unset fields). */
export interface TerritoryFenceJson {
  type: 'TERRITORY';
  name: string | null;
  administrative_area: string | null;
  country: string;
  postal_code: string | null;
}

/** Options of a {@link GeoCircleFence}; `name` defaults to none. */
export interface GeoCircleFenceOptions {
  /** Degrees, -90 to 90. */
  latitude: number;
  /** Degrees, -180 to 180. */
  longitude: number;
  /** Metres, greater than 0. */
  radius: number;
  /** Optional non-empty name. */
  name?: string | null | undefined;
}

/** A circle around a point: the device must be within `radius` metres of it. */
export class GeoCircleFence {
  /** Wire discriminator. */
  readonly type = 'GEO_CIRCLE';
  /** The name, or `null` when unnamed. */
  readonly name: string | null;
  /** Degrees north of the equator. */
  readonly latitude: number;
  /** Degrees east of the meridian. */
  readonly longitude: number;
  /** Metres. */
  readonly radius: number;

  /** Validates and freezes the fence; throws `InvalidPolicyError` naming the bad option. */
  constructor(options: GeoCircleFenceOptions) {
    this.name = checkName(options.name, 'name', false);
    this.latitude = checkNumber(options.latitude, 'latitude', -90, 90);
    this.longitude = checkNumber(options.longitude, 'longitude', -180, 180);
    this.radius = checkNumber(options.radius, 'radius', 0, Number.MAX_VALUE);
    if (this.radius <= 0) fail('radius', 'radius must be greater than 0');
    Object.freeze(this);
  }

  /** The wire form, as Python's `dict(GeoCircleFence)` (new object on every call). */
  toJSON(): GeoCircleFenceJson {
    return {
      type: 'GEO_CIRCLE',
      name: this.name,
      latitude: this.latitude,
      longitude: this.longitude,
      radius: this.radius,
    };
  }

  /** Parses a GEO_CIRCLE fence (a fence without `type` is one too); see {@link fenceFromJSON}. */
  static fromJSON(wire: unknown): GeoCircleFence {
    const fence = fenceFromJSON(wire);
    if (!(fence instanceof GeoCircleFence)) fail('fence.type', 'fence.type must be GEO_CIRCLE');
    return fence;
  }
}

/** Options of a {@link TerritoryFence}; `name`, `administrativeArea` and `postalCode` default to none. */
export interface TerritoryFenceOptions {
  /** ISO 3166-1 alpha-2 code, e.g. `US` (`^[A-Z]{2}$`). */
  country: string;
  /** ISO 3166-2 subdivision, e.g. `US-CA` (`^[A-Z]{2}-[A-Z]{2}[A-Z]?$`). */
  administrativeArea?: string | null | undefined;
  /** Postal code; a number is stringified as Python does. */
  postalCode?: string | number | null | undefined;
  /** Optional non-empty name. */
  name?: string | null | undefined;
}

const COUNTRY = /^[A-Z]{2}$/;
const ADMINISTRATIVE_AREA = /^[A-Z]{2}-[A-Z]{2}[A-Z]?$/;
const POSTAL_CODE_MAX = 32;

/** A country, optionally narrowed to a subdivision and a postal code. */
export class TerritoryFence {
  /** Wire discriminator. */
  readonly type = 'TERRITORY';
  /** The name, or `null` when unnamed. */
  readonly name: string | null;
  /** ISO 3166-1 alpha-2 country code. */
  readonly country: string;
  /** ISO 3166-2 subdivision code, or `null`. */
  readonly administrativeArea: string | null;
  /** Postal code as a string, or `null`. */
  readonly postalCode: string | null;

  /**
   * Validates and freezes the fence with the Python SDK validator's formats. Parsing (`fromJSON`)
   * only requires strings, because Java and .NET never checked them (their fixtures hold
   * `"country":"country"`).
   */
  constructor(options: TerritoryFenceOptions);
  /** @internal With `'parse'`, the country and area formats are not checked. */
  constructor(options: TerritoryFenceOptions, rules: PolicyRules);
  constructor(options: TerritoryFenceOptions, rules: PolicyRules = 'build') {
    this.name = checkName(options.name, 'name', false);
    const strict = rules === 'build';
    const country: unknown = options.country;
    if (
      typeof country !== 'string' ||
      (strict ? !COUNTRY.test(country) : checkName(country, 'country', true) === null)
    ) {
      fail('country', 'country must be an ISO 3166-1 alpha-2 code such as "US"');
    }
    this.country = country;
    const area = checkName(options.administrativeArea, 'administrativeArea', false);
    if (strict && area !== null && !ADMINISTRATIVE_AREA.test(area)) {
      fail('administrativeArea', 'administrativeArea must be an ISO 3166-2 code such as "US-CA"');
    }
    this.administrativeArea = area;
    const postal: unknown = options.postalCode;
    this.postalCode =
      typeof postal === 'number'
        ? String(checkInteger(postal, 'postalCode', 0, Number.MAX_SAFE_INTEGER))
        : checkName(postal, 'postalCode', false);
    if (this.postalCode !== null && this.postalCode.length > POSTAL_CODE_MAX) {
      fail('postalCode', `postalCode must be at most ${POSTAL_CODE_MAX} characters`);
    }
    Object.freeze(this);
  }

  /** The wire form, as Python's `dict(TerritoryFence)` (new object on every call). */
  toJSON(): TerritoryFenceJson {
    return {
      type: 'TERRITORY',
      name: this.name,
      administrative_area: this.administrativeArea,
      country: this.country,
      postal_code: this.postalCode,
    };
  }

  /** Parses a TERRITORY fence; see {@link fenceFromJSON}. */
  static fromJSON(wire: unknown): TerritoryFence {
    const fence = fenceFromJSON(wire);
    if (!(fence instanceof TerritoryFence)) fail('fence.type', 'fence.type must be TERRITORY');
    return fence;
  }
}

/** A fence of the new service policies. */
export type Fence = GeoCircleFence | TerritoryFence;

/** Wire form of a {@link Fence}. */
export type FenceJson = GeoCircleFenceJson | TerritoryFenceJson;

/** Builds a geo circle from a detached wire record (`type` is not looked at); `field` prefixes error fields. */
export function geoCircleFromRecord(raw: JsonRecord, field: string): GeoCircleFence {
  // A geo circle has no parse-only leniency: the builder's rules are the wire's.
  return parseStep(
    field,
    () =>
      new GeoCircleFence({
        latitude: raw['latitude'] as number,
        longitude: raw['longitude'] as number,
        radius: raw['radius'] as number,
        name: raw['name'] as string | null | undefined,
      }),
  );
}

/**
 * Builds a fence from an already detached wire value; `field` prefixes error fields. A fence
 * without `type` (or with `type: null`) is a GEO_CIRCLE, as in legacy locations and device packages.
 */
export function fenceFromWire(value: unknown, field: string): Fence {
  const raw = checkRecord(value, field);
  const type = raw['type'] ?? 'GEO_CIRCLE';
  if (type === 'GEO_CIRCLE') return geoCircleFromRecord(raw, field);
  if (type !== 'TERRITORY') return fail(`${field}.type`, `${field}.type must be GEO_CIRCLE or TERRITORY`);
  return parseStep(
    field,
    () =>
      new TerritoryFence(
        {
          country: raw['country'] as string,
          administrativeArea: raw['administrative_area'] as string | null | undefined,
          postalCode: raw['postal_code'] as string | number | null | undefined,
          name: raw['name'] as string | null | undefined,
        },
        'parse',
      ),
  );
}

/**
 * Parses one fence as any SDK or the API writes it (`type` absent means GEO_CIRCLE, as in legacy
 * locations and device packages); JSON text is accepted too. Throws `InvalidPolicyError`.
 */
export function fenceFromJSON(wire: unknown): Fence {
  return fenceFromWire(toPlainJson(wire, 'fence'), 'fence');
}

/** Day names as the wire spells them, in the order Python emits them. */
export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** A day of the week as the wire spells it. */
export type DayName = (typeof DAY_NAMES)[number];

/** Wire form of a {@link TimeFence} (Python key order). */
export interface TimeFenceJson {
  days: DayName[];
  'start hour': number;
  'end hour': number;
  name: string;
  'start minute': number;
  'end minute': number;
  timezone: string;
}

/** Options of a {@link TimeFence}; `timezone` defaults to `UTC` (Python's choice for naive times). */
export interface TimeFenceOptions {
  /** Non-empty name, unique within a policy. */
  name: string;
  /** At least one capitalised English day name, each at most once. */
  days: readonly DayName[];
  /** 0 to 23. */
  startHour: number;
  /** 0 to 59. */
  startMinute: number;
  /** 0 to 23. */
  endHour: number;
  /** 0 to 59. */
  endMinute: number;
  /** IANA time zone name, e.g. `America/Los_Angeles`; default `UTC`. */
  timezone?: string | undefined;
}

const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;

function checkTimezone(value: unknown): string {
  if (value === undefined) return 'UTC';
  if (typeof value !== 'string' || value.length > 64 || !ZONE_SHAPE.test(value)) {
    fail('timezone', 'timezone must be an IANA time zone name');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    fail('timezone', `timezone ${JSON.stringify(value)} is not a known IANA time zone`);
  }
  return value;
}

/** A weekly window: the listed days, from start to end time in a time zone (legacy service policies only). */
export class TimeFence {
  /** The name. */
  readonly name: string;
  /** Days in Monday-first order. */
  readonly days: readonly DayName[];
  /** Start hour, 0 to 23. */
  readonly startHour: number;
  /** Start minute, 0 to 59. */
  readonly startMinute: number;
  /** End hour, 0 to 23. */
  readonly endHour: number;
  /** End minute, 0 to 59. */
  readonly endMinute: number;
  /** IANA time zone name. */
  readonly timezone: string;

  /** Validates and freezes the time fence; throws `InvalidPolicyError` naming the bad option. */
  constructor(options: TimeFenceOptions);
  /**
   * @internal With `'parse'`, day names are read in any case and may repeat, and a window may start and end
   * at the same time.
   */
  constructor(options: TimeFenceOptions, rules: PolicyRules);
  constructor(options: TimeFenceOptions, rules: PolicyRules = 'build') {
    this.name = checkName(options.name, 'name', true) ?? fail('name', 'name is required');
    const days: unknown = options.days;
    if (!Array.isArray(days) || days.length === 0) fail('days', 'days must be a non-empty array of day names');
    const parsing = rules === 'parse';
    const set = new Set<DayName>();
    (days as unknown[]).forEach((day, i) => {
      // Parsing mirrors Python's `day.lower()`; builders get exactly the spelling the wire uses.
      const known = DAY_NAMES.find(
        (d) => d === day || (parsing && typeof day === 'string' && d.toLowerCase() === day.toLowerCase()),
      );
      if (known === undefined) fail(`days[${i}]`, `days[${i}] must be a capitalised English day name`);
      if (set.has(known) && !parsing) fail(`days[${i}]`, `days[${i}] repeats ${known}`);
      set.add(known);
    });
    this.days = Object.freeze(DAY_NAMES.filter((d) => set.has(d)));
    this.startHour = checkInteger(options.startHour, 'startHour', 0, 23);
    this.startMinute = checkInteger(options.startMinute, 'startMinute', 0, 59);
    this.endHour = checkInteger(options.endHour, 'endHour', 0, 23);
    this.endMinute = checkInteger(options.endMinute, 'endMinute', 0, 59);
    if (!parsing && this.startHour === this.endHour && this.startMinute === this.endMinute) {
      fail('endMinute', 'the time fence must not start and end at the same time');
    }
    this.timezone = checkTimezone(options.timezone);
    Object.freeze(this);
  }

  /** The wire form, as Python's `ServiceSecurityPolicy.add_timefence` writes it (new object on every call). */
  toJSON(): TimeFenceJson {
    return {
      days: [...this.days],
      'start hour': this.startHour,
      'end hour': this.endHour,
      name: this.name,
      'start minute': this.startMinute,
      'end minute': this.endMinute,
      timezone: this.timezone,
    };
  }
}

/**
 * Builds a time fence from a detached wire record. With `minutesDefaultToZero` an absent (or null)
 * `start minute`/`end minute` reads as 0, as the legacy `timefence` factor has always been read.
 */
export function timeFenceFromRecord(raw: JsonRecord, field: string, minutesDefaultToZero = false): TimeFence {
  const minute = (key: string): number => (raw[key] ?? (minutesDefaultToZero ? 0 : undefined)) as number;
  return parseStep(
    field,
    () =>
      new TimeFence(
        {
          name: raw['name'] as string,
          days: raw['days'] as DayName[],
          startHour: raw['start hour'] as number,
          startMinute: minute('start minute'),
          endHour: raw['end hour'] as number,
          endMinute: minute('end minute'),
          timezone: (raw['timezone'] ?? undefined) as string | undefined,
        },
        'parse',
      ),
  );
}
