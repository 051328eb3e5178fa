import { expect } from 'chai';

import { InvalidPolicyError } from '../../lib/errors.js';
import {
  AuthPolicy,
  ConditionalGeoFencePolicy,
  FactorsPolicy,
  GeoCircleFence,
  LegacyPolicy,
  MethodAmountPolicy,
  TerritoryFence,
  TimeFence,
  fenceFromJSON,
  servicePolicyFromJSON,
  type Fence,
  type TimeFenceOptions,
} from '../../lib/entities/policy.js';
import { timeFenceFromRecord } from '../../lib/entities/fences.js';
import { MAX_FENCES, checkRecord, toPlainJson } from '../../lib/entities/policy_common.js';
import { vectorJson, vectorText } from '../support/vectors.js';

/** A time fence record (`"start hour"` keys, as the legacy policy carries them) from JSON text or a value. */
function timeFenceFromJSON(wire: unknown): TimeFence {
  return timeFenceFromRecord(checkRecord(toPlainJson(wire, 'timeFence'), 'timeFence'), 'timeFence');
}

/** Runs `fn`, expecting an InvalidPolicyError; returns it for further assertions. */
function policyError(fn: () => unknown): InvalidPolicyError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected an InvalidPolicyError').to.be.instanceOf(InvalidPolicyError);
  const error = thrown as InvalidPolicyError;
  expect(error.code).to.equal('ERR_LK_INVALID_POLICY');
  return error;
}

function expectPolicyError(fn: () => unknown, field: string): void {
  expect(policyError(fn).field).to.equal(field);
}

/** Compares JSON texts: the wire forms are plain data, so equal text means equal key order and values. */
const text = (value: unknown): string => JSON.stringify(value);

interface PythonFixture {
  cases: Record<string, unknown>;
  raw_json_dumps: Record<string, string>;
}

const python = vectorJson('json/python-policy-serializations.json') as PythonFixture;

function pythonRaw(prefix: string): string {
  const key = Object.keys(python.raw_json_dumps).find((k) => k.startsWith(prefix));
  if (key === undefined) throw new Error(`no Python case ${prefix}`);
  return python.raw_json_dumps[key]!;
}

/**
 * The Python reference output re-serialised by JSON.stringify. Python writes floats as `200.0`, which
 * a JavaScript number cannot distinguish from `200`; parsing and re-stringifying normalises only that,
 * while key order and every value are still compared exactly (JSON.parse keeps the text's key order).
 */
const pythonText = (prefix: string): string => text(JSON.parse(pythonRaw(prefix)));

const geo = (name: string | undefined, latitude = 1, longitude = 2, radius = 3): GeoCircleFence =>
  new GeoCircleFence({ latitude, longitude, radius, name });

const weekDays: TimeFenceOptions = {
  name: 'Week Days',
  days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
  startHour: 0,
  startMinute: 0,
  endHour: 23,
  endMinute: 59,
};

describe('policy API (entities/policy)', () => {
  describe('Python SDK serialisations (python-policy-serializations.json)', () => {
    it('builds AuthPolicy(any=2, jailbreak_protection=True) + add_geofence("HQ") exactly as Python does', () => {
      const policy = new AuthPolicy({ any: 2, jailbreakProtection: true }).addGeofence({
        latitude: 36.120825,
        longitude: -115.157216,
        radius: 200,
        name: 'HQ',
      });
      expect(text(policy)).to.equal(pythonText('AuthPolicy(any=2, jailbreak_protection=True)'));
    });

    it('builds AuthPolicy(knowledge=True, possession=True) exactly as Python does', () => {
      expect(text(new AuthPolicy({ knowledge: true, possession: true }))).to.equal(
        pythonText('AuthPolicy(knowledge=True, possession=True)'),
      );
    });

    it('builds the blank AuthPolicy with empty minimum_requirements and device integrity 0', () => {
      expect(text(new AuthPolicy())).to.equal(pythonText('AuthPolicy()'));
    });

    it('leaves the name out of an unnamed geofence location', () => {
      const policy = new AuthPolicy({ any: 1 }).addGeofence({ latitude: 1, longitude: 2, radius: 3 });
      expect(text(policy)).to.equal(pythonText('AuthPolicy(any=1).add_geofence(1, 2, 3)'));
    });

    it('builds MethodAmountPolicy with geo circle and territory fences exactly as Python does', () => {
      const policy = new MethodAmountPolicy({
        amount: 2,
        denyRootedJailbroken: true,
        fences: [
          new GeoCircleFence({ latitude: 36.1, longitude: -115.1, radius: 200, name: 'Vegas' }),
          new TerritoryFence({ country: 'US', administrativeArea: 'US-NV', postalCode: 89120, name: 'NV' }),
        ],
      });
      expect(text(policy)).to.equal(pythonText('MethodAmountPolicy(amount=2'));
    });

    it('emits FactorsPolicy factors in Python order I, K, P whatever the input order and case', () => {
      const policy = new FactorsPolicy({ factors: ['knowledge', 'INHERENCE', 'Knowledge' as 'KNOWLEDGE'] });
      expect(policy.factors).to.deep.equal(['INHERENCE', 'KNOWLEDGE']);
      expect(text(policy)).to.equal(pythonText('FactorsPolicy('));
    });

    it('builds ConditionalGeoFencePolicy with nested policies stripped of deny flags, as Python does', () => {
      const policy = new ConditionalGeoFencePolicy({
        inside: new MethodAmountPolicy({ amount: 1 }),
        outside: new FactorsPolicy({ factors: ['POSSESSION'] }),
        denyRootedJailbroken: true,
        fences: [new TerritoryFence({ country: 'US', name: 'US' })],
      });
      expect(text(policy)).to.equal(pythonText('ConditionalGeoFencePolicy('));
    });

    it('builds the legacy service policy without "type" and with the timefence factor, as set_service_policy sends it', () => {
      const policy = new LegacyPolicy({
        any: 2,
        jailbreakProtection: true,
        geofences: [new GeoCircleFence({ latitude: 12.3, longitude: 23.4, radius: 500, name: 'Location Alpha' })],
        timeFences: [new TimeFence(weekDays)],
      });
      const json = policy.toJSON();
      expect(json).to.not.have.property('type');
      expect(text(json)).to.equal(pythonText('ServiceSecurityPolicy('));
    });

    for (const [name, raw] of Object.entries(python.raw_json_dumps).filter(([k]) => !k.startsWith('LegacyPolicy('))) {
      it(`parses and re-serialises the Python case ${name.slice(0, 60)} to the same JSON`, () => {
        const policy = name.startsWith('AuthPolicy') ? AuthPolicy.fromJSON(raw) : servicePolicyFromJSON(raw);
        expect(text(policy)).to.equal(text(JSON.parse(raw)));
        expect(
          text(name.startsWith('AuthPolicy') ? AuthPolicy.fromJSON(policy) : servicePolicyFromJSON(policy)),
        ).to.equal(text(policy));
      });
    }

    it("parses Python's odd LegacyPolicy.to_dict() shape leniently into the same legacy policy", () => {
      const policy = servicePolicyFromJSON(pythonRaw('LegacyPolicy('));
      expect(policy).to.be.instanceOf(LegacyPolicy);
      const legacy = policy as LegacyPolicy;
      expect([legacy.any, legacy.knowledge, legacy.inherence, legacy.possession]).to.deep.equal([
        2,
        false,
        false,
        false,
      ]);
      expect(legacy.jailbreakProtection).to.equal(true);
      expect(legacy.geofences.map((g) => g.toJSON())).to.deep.equal([
        { type: 'GEO_CIRCLE', name: 'x', latitude: 1, longitude: 2, radius: 3 },
      ]);
      expect(legacy.timeFences).to.deep.equal([]);
      expect(servicePolicyFromJSON(legacy.toJSON()).equals(legacy)).to.equal(true);
    });
  });

  describe('Java and .NET fixtures', () => {
    it('parses the Java auth request policy (any combined with all factors, unnamed locations)', () => {
      const raw = vectorText('json/auth-request-policy-java.json');
      const policy = AuthPolicy.fromJSON(raw);
      expect([policy.any, policy.knowledge, policy.inherence, policy.possession]).to.deep.equal([2, true, true, true]);
      expect(policy.jailbreakProtection).to.equal(true);
      expect(policy.geofences.map((g) => [g.name, g.radius, g.latitude, g.longitude])).to.deep.equal([
        [null, 1.1, 2.1, 3.1],
        [null, 1.2, 2.2, 3.2],
      ]);
      expect(AuthPolicy.fromJSON(policy.toJSON()).equals(policy)).to.equal(true);
    });

    it('parses the .NET auth request policy (only "any", no priority, no device integrity)', () => {
      const bodies = vectorJson('json/auth-create-request-bodies-dotnet.json') as Record<string, unknown>;
      const raw = JSON.parse(bodies['ShouldSerializeCorrectly_WithPolicy__raw'] as string) as { policy: unknown };
      const policy = AuthPolicy.fromJSON(raw.policy);
      expect([policy.any, policy.knowledge, policy.jailbreakProtection]).to.deep.equal([2, false, false]);
      expect(policy.geofences.map((g) => g.toJSON())).to.deep.equal([
        { type: 'GEO_CIRCLE', name: null, latitude: 27.175, longitude: 78.0422, radius: 60 },
      ]);
      expect(text(AuthPolicy.fromJSON(policy.toJSON()))).to.equal(text(policy));
      expect(
        AuthPolicy.fromJSON((bodies['ShouldSerializeCorrectly_WithPolicy'] as { policy: unknown }).policy).equals(
          policy,
        ),
      ).to.equal(true);
    });

    const javaFences = [
      { type: 'GEO_CIRCLE', name: 'a GeoCircle Fence', latitude: 1, longitude: 1, radius: 1 },
      {
        type: 'TERRITORY',
        name: 'a Territory Fence',
        administrative_area: 'Admin Area',
        country: 'country',
        postal_code: 'ABCDE6',
      },
    ];

    it('parses the Java FACTORS policy, keeping its unvalidated territory codes', () => {
      const policy = FactorsPolicy.fromJSON(vectorText('json/policy-factors-java.json'));
      expect(policy.factors).to.deep.equal(['INHERENCE', 'POSSESSION']);
      expect(policy.fences.map((f) => f.toJSON())).to.deep.equal(javaFences);
      expect([policy.denyRootedJailbroken, policy.denyEmulatorSimulator]).to.deep.equal([false, false]);
      expect(servicePolicyFromJSON(policy.toJSON()).equals(policy)).to.equal(true);
    });

    it('parses the Java METHOD_AMOUNT policy with amount 5 and both deny flags', () => {
      const policy = MethodAmountPolicy.fromJSON(vectorText('json/policy-method-amount-java.json'));
      expect(policy.amount).to.equal(5);
      expect(policy.fences.map((f) => f.toJSON())).to.deep.equal(javaFences);
      expect([policy.denyRootedJailbroken, policy.denyEmulatorSimulator]).to.deep.equal([true, true]);
      expect(servicePolicyFromJSON(policy.toJSON()).equals(policy)).to.equal(true);
    });

    it('parses the Java COND_GEO policy with nested METHOD_AMOUNT policies that have no fences key', () => {
      const policy = ConditionalGeoFencePolicy.fromJSON(vectorText('json/policy-cond-geo-java.json'));
      expect(policy.fences.map((f) => f.toJSON())).to.deep.equal(javaFences);
      expect(policy.inside).to.be.instanceOf(MethodAmountPolicy);
      expect((policy.inside as MethodAmountPolicy).amount).to.equal(5);
      expect((policy.outside as MethodAmountPolicy).amount).to.equal(10);
      expect([policy.denyRootedJailbroken, policy.denyEmulatorSimulator]).to.deep.equal([true, true]);
      expect(servicePolicyFromJSON(policy.toJSON()).equals(policy)).to.equal(true);
    });

    it('parses the Java legacy policy ("factor enabled":"1", time fences) into a LegacyPolicy', () => {
      const policy = LegacyPolicy.fromJSON(vectorText('json/policy-legacy-parse-java.json'));
      expect([policy.any, policy.knowledge, policy.inherence, policy.possession]).to.deep.equal([2, true, true, true]);
      expect(policy.jailbreakProtection).to.equal(true);
      expect(policy.geofences).to.have.length(2);
      expect(policy.timeFences.map((t) => t.toJSON())).to.deep.equal([
        {
          days: ['Monday', 'Tuesday', 'Wednesday'],
          'start hour': 0,
          'end hour': 23,
          name: 'tf1',
          'start minute': 0,
          'end minute': 59,
          timezone: 'America/Los_Angeles',
        },
        {
          days: ['Thursday', 'Friday', 'Saturday', 'Sunday'],
          'start hour': 0,
          'end hour': 23,
          name: 'tf2',
          'start minute': 0,
          'end minute': 59,
          timezone: 'America/Los_Angeles',
        },
      ]);
      expect(servicePolicyFromJSON(policy.toJSON()).equals(policy)).to.equal(true);
    });

    for (const file of [
      'auth-jwe-payload-amount-dotnet.json',
      'auth-jwe-payload-amount-java.json',
      'auth-jwe-payload-null-requirement-dotnet.json',
      'auth-jwe-payload-types-dotnet.json',
      'auth-jwe-payload-types-java.json',
    ]) {
      it(`parses every auth_policy geofence of ${file} as a GeoCircleFence that round-trips`, () => {
        const payload = vectorJson(`json/${file}`) as { auth_policy: { geofences: Record<string, unknown>[] } };
        const raw = payload.auth_policy.geofences;
        const fences = raw.map((g) => fenceFromJSON(g));
        expect(fences.map((f) => f.toJSON())).to.deep.equal(
          raw.map((g) => ({
            type: 'GEO_CIRCLE',
            name: g['name'],
            latitude: g['latitude'],
            longitude: g['longitude'],
            radius: g['radius'],
          })),
        );
        for (const fence of fences) expect(text(fenceFromJSON(fence.toJSON()))).to.equal(text(fence));
      });
    }
  });

  describe('AuthPolicy builder rules', () => {
    for (const bad of [-1, 4, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', 2n, null]) {
      it(`refuses any = ${String(bad)}`, () => {
        expectPolicyError(() => new AuthPolicy({ any: bad as number }), 'any');
      });
    }

    it('refuses any combined with a specific factor, as Python raises InvalidParameters', () => {
      expectPolicyError(() => new AuthPolicy({ any: 1, knowledge: true }), 'any');
      expectPolicyError(() => new AuthPolicy({ any: 2, possession: true }), 'any');
    });

    it('refuses non-boolean factor flags', () => {
      expectPolicyError(() => new AuthPolicy({ knowledge: 1 as unknown as boolean }), 'knowledge');
      expectPolicyError(
        () => new AuthPolicy({ jailbreakProtection: 'yes' as unknown as boolean }),
        'jailbreakProtection',
      );
    });

    const cases: [string, Record<string, unknown>, string][] = [
      ['latitude above 90', { latitude: 90.0001 }, 'latitude'],
      ['latitude below -90', { latitude: -91 }, 'latitude'],
      ['longitude above 180', { longitude: 180.5 }, 'longitude'],
      ['longitude below -180', { longitude: -181 }, 'longitude'],
      ['radius 0', { radius: 0 }, 'radius'],
      ['radius -0', { radius: -0 }, 'radius'],
      ['negative radius', { radius: -5 }, 'radius'],
      ['infinite radius', { radius: Number.POSITIVE_INFINITY }, 'radius'],
      ['NaN latitude', { latitude: Number.NaN }, 'latitude'],
      ['latitude as the string "1e3"', { latitude: '1e3' }, 'latitude'],
      ['an empty name', { name: '' }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a 10 kB name', { name: 'x'.repeat(10_240) }, 'name'],
      ['a name with a control character', { name: 'HQ\u0000' }, 'name'],
    ];
    for (const [label, override, field] of cases) {
      it(`addGeofence refuses ${label}`, () => {
        const policy = new AuthPolicy();
        expectPolicyError(() => policy.addGeofence({ latitude: 1, longitude: 2, radius: 3, ...override }), field);
        expect(policy.geofences).to.have.length(0);
      });
    }

    it('accepts the range limits for latitude and longitude', () => {
      const policy = new AuthPolicy().addGeofence({ latitude: -90, longitude: 180, radius: Number.MIN_VALUE });
      expect(policy.geofences[0]!.latitude).to.equal(-90);
    });

    it(`refuses more than ${MAX_FENCES} geofences`, () => {
      const policy = new AuthPolicy();
      for (let i = 0; i < MAX_FENCES; i += 1) policy.addGeofence({ latitude: 0, longitude: 0, radius: 1 });
      expectPolicyError(() => policy.addGeofence({ latitude: 0, longitude: 0, radius: 1 }), 'geofences');
    });

    it('never changes a wire object it already built when a geofence is added later', () => {
      const policy = new AuthPolicy({ any: 1 });
      const before = policy.toJSON();
      const snapshot = text(before);
      policy.addGeofence({ latitude: 1, longitude: 2, radius: 3 });
      expect(text(before)).to.equal(snapshot);
      expect(policy.toJSON().factors).to.have.length(2);
    });

    it('is not changed by edits to a built wire object, to the geofences list or to its fields', () => {
      const policy = new AuthPolicy({ possession: true }).addGeofence({ latitude: 1, longitude: 2, radius: 3 });
      const snapshot = text(policy);
      const built = policy.toJSON();
      built.minimum_requirements.length = 0;
      built.factors.push(built.factors[0]!);
      expect(() => (policy.geofences as GeoCircleFence[]).push(geo('x'))).to.throw(TypeError);
      expect(() => {
        (policy as { any: number }).any = 3;
      }).to.throw(TypeError);
      expect(text(policy)).to.equal(snapshot);
    });
  });

  describe('service policy builder rules', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', 8]) {
      it(`MethodAmountPolicy refuses amount = ${String(bad)}`, () => {
        expectPolicyError(() => new MethodAmountPolicy({ amount: bad as number }), 'amount');
      });
    }

    it('MethodAmountPolicy accepts amount 0 at the top level (Python default) but not as a COND_GEO branch', () => {
      expect(new MethodAmountPolicy({ amount: 0 }).amount).to.equal(0);
      const fences = [geo('a')];
      const zero = new MethodAmountPolicy({ amount: 0 });
      const one = new MethodAmountPolicy({ amount: 1 });
      expectPolicyError(() => new ConditionalGeoFencePolicy({ fences, inside: zero, outside: one }), 'inside.amount');
    });

    it('FactorsPolicy refuses an empty, unknown or mixed-type factor list', () => {
      expectPolicyError(() => new FactorsPolicy({ factors: [] }), 'factors');
      expectPolicyError(() => new FactorsPolicy({ factors: ['BIOMETRIC' as 'KNOWLEDGE'] }), 'factors[0]');
      expectPolicyError(() => new FactorsPolicy({ factors: ['KNOWLEDGE', 1 as unknown as 'KNOWLEDGE'] }), 'factors[1]');
    });

    it('refuses fences that are not fence objects and more than MAX_FENCES fences', () => {
      const plain = { type: 'GEO_CIRCLE', name: 'x', latitude: 1, longitude: 2, radius: 3 } as unknown as Fence;
      expectPolicyError(() => new MethodAmountPolicy({ amount: 1, fences: [geo('a'), plain] }), 'fences[1]');
      const many = Array.from({ length: MAX_FENCES + 1 }, (_, i) => geo(`f${i}`));
      expectPolicyError(() => new FactorsPolicy({ factors: ['KNOWLEDGE'], fences: many }), 'fences');
    });

    it('refuses fence names that differ only by case or Unicode normalisation', () => {
      expectPolicyError(
        () => new MethodAmountPolicy({ amount: 1, fences: [geo('Office'), geo('OFFICE')] }),
        'fences[1].name',
      );
      expectPolicyError(
        () => new MethodAmountPolicy({ amount: 1, fences: [geo('Caf\u00e9'), geo('Cafe\u0301')] }),
        'fences[1].name',
      );
    });

    it('refuses non-boolean deny flags', () => {
      expectPolicyError(
        () => new MethodAmountPolicy({ amount: 1, denyRootedJailbroken: 1 as unknown as boolean }),
        'denyRootedJailbroken',
      );
    });

    describe('ConditionalGeoFencePolicy nesting', () => {
      const fences = [new TerritoryFence({ country: 'US' })];
      const ok = new MethodAmountPolicy({ amount: 1 });

      it('refuses a COND_GEO nested in a COND_GEO', () => {
        const inner = new ConditionalGeoFencePolicy({ fences, inside: ok, outside: ok });
        expectPolicyError(
          () => new ConditionalGeoFencePolicy({ fences, inside: inner as never, outside: ok }),
          'inside',
        );
      });

      it('refuses a legacy policy as a branch', () => {
        expectPolicyError(
          () => new ConditionalGeoFencePolicy({ fences, inside: ok, outside: new LegacyPolicy() as never }),
          'outside',
        );
      });

      it('refuses branches with fences or deny flags', () => {
        const fenced = new FactorsPolicy({ factors: ['KNOWLEDGE'], fences: [geo('a')] });
        const rooted = new MethodAmountPolicy({ amount: 1, denyRootedJailbroken: true });
        const emulated = new FactorsPolicy({ factors: ['KNOWLEDGE'], denyEmulatorSimulator: true });
        expectPolicyError(
          () => new ConditionalGeoFencePolicy({ fences, inside: fenced, outside: ok }),
          'inside.fences',
        );
        expectPolicyError(
          () => new ConditionalGeoFencePolicy({ fences, inside: rooted, outside: ok }),
          'inside.denyRootedJailbroken',
        );
        expectPolicyError(
          () => new ConditionalGeoFencePolicy({ fences, inside: ok, outside: emulated }),
          'outside.denyEmulatorSimulator',
        );
      });

      it('refuses an empty fence list', () => {
        expectPolicyError(() => new ConditionalGeoFencePolicy({ fences: [], inside: ok, outside: ok }), 'fences');
      });
    });

    describe('fences', () => {
      for (const [label, options, field] of [
        ['a lowercase country', { country: 'us' }, 'country'],
        ['a three-letter country', { country: 'USA' }, 'country'],
        ['an empty country', { country: '' }, 'country'],
        ['a numeric country', { country: 840 }, 'country'],
        [
          'an administrative area without country prefix',
          { country: 'US', administrativeArea: 'CA' },
          'administrativeArea',
        ],
        ['a lowercase administrative area', { country: 'US', administrativeArea: 'us-ca' }, 'administrativeArea'],
        [
          'an administrative area with a long suffix',
          { country: 'US', administrativeArea: 'US-CALI' },
          'administrativeArea',
        ],
        ['a postal code object', { country: 'US', postalCode: { code: 1 } }, 'postalCode'],
        ['a fractional postal code', { country: 'US', postalCode: 1.5 }, 'postalCode'],
        ['a 10 kB name', { country: 'US', name: 'n'.repeat(10_240) }, 'name'],
      ] as [string, Record<string, unknown>, string][]) {
        it(`TerritoryFence refuses ${label}`, () => {
          expectPolicyError(() => new TerritoryFence(options as never), field);
        });
      }

      it('TerritoryFence stringifies numeric postal codes and emits null for unset fields', () => {
        expect(new TerritoryFence({ country: 'US', postalCode: 89120 }).toJSON()).to.deep.equal({
          type: 'TERRITORY',
          name: null,
          administrative_area: null,
          country: 'US',
          postal_code: '89120',
        });
      });

      for (const [label, override, field] of [
        ['an empty days list', { days: [] }, 'days'],
        ['a lowercase day name', { days: ['monday'] }, 'days[0]'],
        ['an unknown day name', { days: ['Monday', 'Funday'] }, 'days[1]'],
        ['a repeated day', { days: ['Monday', 'Monday'] }, 'days[1]'],
        ['hour 24', { startHour: 24 }, 'startHour'],
        ['a negative hour', { endHour: -1 }, 'endHour'],
        ['minute 60', { endMinute: 60 }, 'endMinute'],
        ['a fractional minute', { startMinute: 0.5 }, 'startMinute'],
        ['start equal to end', { startHour: 9, startMinute: 30, endHour: 9, endMinute: 30 }, 'endMinute'],
        ['the time zone Mars/Phobos', { timezone: 'Mars/Phobos' }, 'timezone'],
        ['an empty time zone', { timezone: '' }, 'timezone'],
        ['the time zone UTC+25', { timezone: 'UTC+25' }, 'timezone'],
        ['an empty name', { name: '' }, 'name'],
        ['a missing name', { name: undefined }, 'name'],
      ] as [string, Record<string, unknown>, string][]) {
        it(`TimeFence refuses ${label}`, () => {
          expectPolicyError(() => new TimeFence({ ...weekDays, ...override }), field);
        });
      }

      it('TimeFence defaults the time zone to UTC and orders days Monday first', () => {
        const fence = new TimeFence({ ...weekDays, days: ['Sunday', 'Monday'] });
        expect(fence.timezone).to.equal('UTC');
        expect(fence.days).to.deep.equal(['Monday', 'Sunday']);
        expect(timeFenceFromJSON(fence.toJSON()).toJSON()).to.deep.equal(fence.toJSON());
      });
    });

    describe('LegacyPolicy', () => {
      it('refuses territory fences and unnamed geofences', () => {
        const territory = new TerritoryFence({ country: 'US', name: 'US' });
        expectPolicyError(() => new LegacyPolicy({ geofences: [territory as never] }), 'geofences[0]');
        expectPolicyError(() => new LegacyPolicy({ geofences: [geo(undefined)] }), 'geofences[0].name');
      });

      it('refuses duplicate geofence and time fence names, ignoring case', () => {
        expectPolicyError(() => new LegacyPolicy({ geofences: [geo('HQ'), geo('hq')] }), 'geofences[1].name');
        const timeFences = [new TimeFence(weekDays), new TimeFence({ ...weekDays, name: 'WEEK DAYS' })];
        expectPolicyError(() => new LegacyPolicy({ timeFences }), 'timeFences[1].name');
      });

      it('refuses any combined with specific factors, like ServiceSecurityPolicy', () => {
        expectPolicyError(() => new LegacyPolicy({ any: 1, inherence: true }), 'any');
      });

      it('copies its lists, so later edits to the caller arrays do not reach it', () => {
        const geofences = [geo('a')];
        const policy = new LegacyPolicy({ geofences });
        geofences.push(geo('b'));
        expect(policy.geofences).to.have.length(1);
      });
    });
  });

  describe('parsing rules (servicePolicyFromJSON, AuthPolicy.fromJSON, fenceFromJSON)', () => {
    const amount = { type: 'METHOD_AMOUNT', amount: 1 };
    const circle = { type: 'GEO_CIRCLE', name: 'a', latitude: 1, longitude: 2, radius: 3 };
    const cases: [string, unknown, string][] = [
      [
        'COND_GEO nested in COND_GEO',
        { type: 'COND_GEO', fences: [circle], inside: { type: 'COND_GEO' }, outside: amount },
        'policy.inside.type',
      ],
      [
        'a nested legacy policy',
        { type: 'COND_GEO', fences: [circle], inside: amount, outside: {} },
        'policy.outside.type',
      ],
      [
        'a nested policy with fences',
        { type: 'COND_GEO', fences: [circle], inside: { ...amount, fences: [circle] }, outside: amount },
        'policy.inside.fences',
      ],
      [
        'a nested policy with deny_rooted_jailbroken true',
        { type: 'COND_GEO', fences: [circle], inside: amount, outside: { ...amount, deny_rooted_jailbroken: true } },
        'policy.outside.denyRootedJailbroken',
      ],
      ['COND_GEO without fences', { type: 'COND_GEO', fences: [], inside: amount, outside: amount }, 'policy.fences'],
      ['an empty FACTORS list', { type: 'FACTORS', factors: [] }, 'policy.factors'],
      ['an unknown factor', { type: 'FACTORS', factors: ['KNOWLEDGE', 'LUCK'] }, 'policy.factors[1]'],
      ['amount as the string "2"', { type: 'METHOD_AMOUNT', amount: '2' }, 'policy.amount'],
      ['a fractional amount', { type: 'METHOD_AMOUNT', amount: 1.5 }, 'policy.amount'],
      ['a negative amount', { type: 'METHOD_AMOUNT', amount: -1 }, 'policy.amount'],
      ['an unknown type', { type: 'BIOMETRIC_ONLY' }, 'policy.type'],
      ['a deny flag as a string', { ...amount, deny_emulator_simulator: 'true' }, 'policy.denyEmulatorSimulator'],
      [
        'a latitude out of range',
        { type: 'METHOD_AMOUNT', amount: 1, fences: [{ ...circle, latitude: 95 }] },
        'policy.fences[0].latitude',
      ],
      [
        'a territory fence in a legacy policy',
        { amount: 1, fences: [{ type: 'TERRITORY', country: 'US' }] },
        'policy.geofences[0]',
      ],
      ['an unknown fence type', { ...amount, fences: [{ type: 'POLYGON' }] }, 'policy.fences[0].type'],
      [
        'an own __proto__ key',
        JSON.parse('{"type":"FACTORS","factors":["KNOWLEDGE"],"__proto__":{"polluted":true}}'),
        'policy.__proto__',
      ],
      [
        'a constructor key',
        { type: 'METHOD_AMOUNT', amount: 1, fences: [{ ...circle, constructor: { prototype: { polluted: true } } }] },
        'policy.fences[0].constructor',
      ],
      [
        'a legacy location latitude as a numeric string',
        { factors: [{ factor: 'geofence', attributes: { locations: [{ latitude: '1', longitude: 2, radius: 3 }] } }] },
        'policy.factors[0].attributes.locations[0].latitude',
      ],
      [
        'a legacy time fence hour as a numeric string',
        {
          factors: [
            {
              factor: 'timefence',
              attributes: { 'time fences': [{ name: 't', days: ['Monday'], 'start hour': '1', 'end hour': 2 }] },
            },
          ],
        },
        'policy.factors[0].attributes.time fences[0].startHour',
      ],
      ['an empty legacy policy', {}, 'policy'],
      ['an array', [amount], 'policy'],
      ['text that is not JSON', '{"type":', 'policy'],
      ['null', null, 'policy'],
    ];
    for (const [label, wire, field] of cases) {
      it(`servicePolicyFromJSON refuses ${label} with InvalidPolicyError on ${field}`, () => {
        expectPolicyError(() => servicePolicyFromJSON(wire), field);
        expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
      });
    }

    it('refuses values JSON cannot hold: BigInt, cycles, throwing getters and proxies', () => {
      const cyclic: Record<string, unknown> = { type: 'METHOD_AMOUNT', amount: 1 };
      cyclic['fences'] = [cyclic];
      const getter = Object.defineProperty({ type: 'METHOD_AMOUNT' }, 'amount', {
        enumerable: true,
        get() {
          throw new RangeError('boom');
        },
      });
      const proxy = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
        },
      );
      for (const wire of [{ type: 'METHOD_AMOUNT', amount: 1n }, cyclic, getter, proxy, { amount: Number.NaN }]) {
        policyError(() => servicePolicyFromJSON(wire));
      }
    });

    it('AuthPolicy.fromJSON refuses time fences and service policy types', () => {
      const legacy = vectorJson('json/policy-legacy-parse-java.json');
      expect(policyError(() => AuthPolicy.fromJSON(legacy)).field).to.equal('policy.factors[2]');
      expectPolicyError(() => AuthPolicy.fromJSON({ type: 'METHOD_AMOUNT', amount: 1 }), 'policy.type');
    });

    it('AuthPolicy.fromJSON reads Python\'s "all" like "any" and numeric strings as flags', () => {
      const policy = AuthPolicy.fromJSON({
        minimum_requirements: [{ requirement: 'authenticated', all: 2 }],
        factors: [{ factor: 'device integrity', attributes: { 'factor enabled': '1' } }],
      });
      expect([policy.any, policy.jailbreakProtection]).to.deep.equal([2, true]);
    });

    it('reads only the first minimum_requirements entry, as Python does', () => {
      const policy = AuthPolicy.fromJSON({
        minimum_requirements: [
          { requirement: 'authenticated', any: 3 },
          { requirement: 'authenticated', any: 0, knowledge: 1 },
        ],
      });
      expect([policy.any, policy.knowledge]).to.deep.equal([3, false]);
      const legacy = LegacyPolicy.fromJSON({ minimum_requirements: [{ possession: 1 }, { any: 1 }], factors: [] });
      expect([legacy.any, legacy.possession]).to.deep.equal([0, true]);
    });

    it('the class-specific fromJSON refuses another policy type', () => {
      expectPolicyError(() => FactorsPolicy.fromJSON({ type: 'METHOD_AMOUNT', amount: 1 }), 'policy.type');
      expectPolicyError(() => GeoCircleFence.fromJSON({ type: 'TERRITORY', country: 'US' }), 'fence.type');
    });

    it('fenceFromJSON reads a fence without type as a geo circle', () => {
      expect(fenceFromJSON({ latitude: 1, longitude: 2, radius: 3 })).to.be.instanceOf(GeoCircleFence);
    });
  });

  describe('parse-only leniencies (the parsers pass them to the constructors, nothing else turns them on)', () => {
    const geo = (name: string) => ({ type: 'GEO_CIRCLE', name, latitude: 1, longitude: 2, radius: 3 });
    const day = { name: 't', 'start hour': 1, 'end hour': 2, 'start minute': 0, 'end minute': 0 };
    // [what, fromJSON of the wire form, the builder given the same values, the field the builder names]
    const CASES: [string, () => unknown, () => unknown, string][] = [
      [
        'an amount above AMOUNT_MAX',
        () => servicePolicyFromJSON({ type: 'METHOD_AMOUNT', amount: 10, fences: [] }),
        () => new MethodAmountPolicy({ amount: 10 }),
        'amount',
      ],
      [
        'a territory code in no ISO format',
        () => fenceFromJSON({ type: 'TERRITORY', country: 'country' }),
        () => new TerritoryFence({ country: 'country' }),
        'country',
      ],
      [
        'two fence names equal but for case',
        () => servicePolicyFromJSON({ type: 'FACTORS', factors: ['KNOWLEDGE'], fences: [geo('a'), geo('A')] }),
        () => new FactorsPolicy({ factors: ['KNOWLEDGE'], fences: [geo('a'), geo('A')].map((g) => fenceFromJSON(g)) }),
        'fences[1].name',
      ],
      [
        'any beside a specific factor',
        () => AuthPolicy.fromJSON({ minimum_requirements: [{ any: 1, knowledge: 1 }], factors: [] }),
        () => new AuthPolicy({ any: 1, knowledge: true }),
        'any',
      ],
      [
        'a lower-case day name',
        () => timeFenceFromJSON({ ...day, days: ['monday'] }),
        () =>
          new TimeFence({
            name: 't',
            days: ['monday' as 'Monday'],
            startHour: 1,
            startMinute: 0,
            endHour: 2,
            endMinute: 0,
          }),
        'days[0]',
      ],
      [
        'a COND_GEO branch that requires nothing',
        () =>
          servicePolicyFromJSON({
            type: 'COND_GEO',
            fences: [geo('a')],
            inside: { type: 'METHOD_AMOUNT', amount: 0 },
            outside: { type: 'METHOD_AMOUNT', amount: 1 },
          }),
        () =>
          new ConditionalGeoFencePolicy({
            fences: [fenceFromJSON(geo('a'))],
            inside: new MethodAmountPolicy({ amount: 0 }),
            outside: new MethodAmountPolicy({ amount: 1 }),
          }),
        'inside.amount',
      ],
      [
        'an unnamed legacy geofence',
        () =>
          LegacyPolicy.fromJSON({
            minimum_requirements: [],
            factors: [{ factor: 'geofence', attributes: { locations: [{ latitude: 1, longitude: 2, radius: 3 }] } }],
          }),
        () => new LegacyPolicy({ geofences: [new GeoCircleFence({ latitude: 1, longitude: 2, radius: 3 })] }),
        'geofences[0].name',
      ],
    ];
    for (const [what, parse, build, field] of CASES) {
      it(`${what}: fromJSON accepts it, the public constructor refuses it on ${field}`, () => {
        expect(parse).to.not.throw();
        expectPolicyError(build, field);
      });
    }
  });
});
