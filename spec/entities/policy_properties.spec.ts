import { expect } from 'chai';
import fc from 'fast-check';

import { InvalidPolicyError, PayloadValidationError } from '../../lib/errors.js';
import {
  AuthPolicy,
  ConditionalGeoFencePolicy,
  DAY_NAMES,
  FactorsPolicy,
  GeoCircleFence,
  LegacyPolicy,
  MethodAmountPolicy,
  TerritoryFence,
  TimeFence,
  servicePolicyFromJSON,
  type Fence,
  type ServicePolicy,
} from '../../lib/entities/policy.js';
import { vectorText } from '../support/vectors.js';

const RUNS = { numRuns: 200 };

/** Names are unique per policy, so each list draws from distinct prefixes plus a random tail. */
// Names refuse control characters, so the generator leaves them out.
// eslint-disable-next-line no-control-regex
const tail = fc.string({ maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s));
const names = (count: number): fc.Arbitrary<string[]> =>
  fc.array(tail, { minLength: count, maxLength: count }).map((tails) => tails.map((t, i) => `fence-${i}:${t}`));

const latitude = fc.double({ min: -90, max: 90, noNaN: true });
const longitude = fc.double({ min: -180, max: 180, noNaN: true });
const radius = fc.double({ min: 0.001, max: 1e7, noNaN: true });

const circleAt = (name: string | undefined): fc.Arbitrary<GeoCircleFence> =>
  fc.record({ latitude, longitude, radius }).map((o) => new GeoCircleFence({ ...o, name }));

const territoryAt = (name: string | undefined): fc.Arbitrary<TerritoryFence> =>
  fc
    .record({
      country: fc.constantFrom('US', 'CA', 'MX', 'GB'),
      administrativeArea: fc.option(fc.constantFrom('US-CA', 'US-NV', 'CA-QC', 'GB-ENG'), { nil: undefined }),
      postalCode: fc.option(fc.oneof(fc.stringMatching(/^[A-Z0-9]{3,10}$/), fc.nat(99_999)), { nil: undefined }),
    })
    .map((o) => new TerritoryFence({ ...o, name }));

const fencesOf = (min: number, kinds: 'any' | 'circle', named: boolean): fc.Arbitrary<Fence[]> =>
  fc.integer({ min, max: 4 }).chain((n) =>
    names(n).chain((list) =>
      fc.tuple(
        ...list.map((name) => {
          const chosen = named ? name : undefined;
          return kinds === 'circle' ? circleAt(chosen) : fc.oneof(circleAt(chosen), territoryAt(chosen));
        }),
      ),
    ),
  );

const deny = fc.record({ denyRootedJailbroken: fc.boolean(), denyEmulatorSimulator: fc.boolean() });
const factorList = fc.subarray(['KNOWLEDGE', 'INHERENCE', 'POSSESSION'] as const, { minLength: 1 });

const methodAmount = fc
  .tuple(fc.integer({ min: 0, max: 7 }), fencesOf(0, 'any', true), deny)
  .map(([amount, fences, flags]) => new MethodAmountPolicy({ amount, fences, ...flags }));
const factors = fc
  .tuple(factorList, fencesOf(0, 'any', true), deny)
  .map(([list, fences, flags]) => new FactorsPolicy({ factors: list, fences, ...flags }));
const nested = fc.oneof(
  fc.integer({ min: 1, max: 7 }).map((amount) => new MethodAmountPolicy({ amount })),
  factorList.map((list) => new FactorsPolicy({ factors: list })),
);
const condGeo = fc
  .tuple(fencesOf(1, 'any', true), nested, nested, deny)
  .map(([fences, inside, outside, flags]) => new ConditionalGeoFencePolicy({ fences, inside, outside, ...flags }));

const requirements = fc.oneof(
  fc.record({ any: fc.integer({ min: 0, max: 3 }), jailbreakProtection: fc.boolean() }),
  fc.record({
    knowledge: fc.boolean(),
    inherence: fc.boolean(),
    possession: fc.boolean(),
    jailbreakProtection: fc.boolean(),
  }),
);

const timeFences = fc.integer({ min: 0, max: 3 }).chain((n) =>
  names(n).chain((list) =>
    fc.tuple(
      ...list.map((name) =>
        fc
          .record({
            days: fc.subarray([...DAY_NAMES], { minLength: 1 }),
            startHour: fc.integer({ min: 0, max: 23 }),
            startMinute: fc.integer({ min: 0, max: 59 }),
            endHour: fc.integer({ min: 0, max: 23 }),
            endMinute: fc.integer({ min: 0, max: 59 }),
            timezone: fc.constantFrom('UTC', 'America/Los_Angeles', 'Europe/Paris', 'Asia/Tokyo'),
          })
          .filter((o) => o.startHour !== o.endHour || o.startMinute !== o.endMinute)
          .map((o) => new TimeFence({ ...o, name })),
      ),
    ),
  ),
);

const legacy = fc
  .tuple(requirements, fencesOf(0, 'circle', true), timeFences)
  .map(
    ([r, geofences, times]) => new LegacyPolicy({ ...r, geofences: geofences as GeoCircleFence[], timeFences: times }),
  );

const servicePolicy: fc.Arbitrary<ServicePolicy> = fc.oneof(methodAmount, factors, condGeo, legacy);

const authPolicy = fc
  .tuple(
    requirements,
    fencesOf(0, 'circle', false),
    fc.array(
      fc.option(
        tail.map((t) => `n${t}`),
        { nil: undefined },
      ),
    ),
  )
  .map(([r, fences, fenceNames]) => {
    const policy = new AuthPolicy(r);
    fences.forEach((f, i) => {
      const g = f as GeoCircleFence;
      policy.addGeofence({ latitude: g.latitude, longitude: g.longitude, radius: g.radius, name: fenceNames[i] });
    });
    return policy;
  });

/** Valid wire texts to mutate into near-valid garbage. */
const SEEDS = [
  'policy-factors-java.json',
  'policy-method-amount-java.json',
  'policy-cond-geo-java.json',
  'policy-legacy-parse-java.json',
  'auth-request-policy-java.json',
].map((f) => vectorText(`json/${f}`).trim());

const JUNK = ['"__proto__"', '"constructor"', 'null', '-1', '1e999', '"2"', '[]', '{}', 'true', '"COND_GEO"', '""'];

/** A seed with one JSON token replaced by junk, or a character spliced in. */
const mutatedSeed = fc.tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.constantFrom(...JUNK)).map(([seed, at, junk]) => {
  const tokens = seed.split(/(?<=[:,[{])/);
  const i = at % tokens.length;
  tokens[i] = tokens[i]!.replace(/^("[^"]*"|-?[\d.eE+-]+|true|false|null)/, junk);
  return tokens.join('');
});

/** The parsed value when the mutated text is still JSON, else the text itself. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const garbage = fc.oneof(
  fc.anything({
    withNullPrototype: true,
    withBigInt: true,
    withMap: true,
    withObjectString: true,
    withBoxedValues: true,
  }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  mutatedSeed,
  mutatedSeed.map(parsedOrText),
  fc.constant('{"type":"FACTORS","factors":["KNOWLEDGE"],"__proto__":{"polluted":1}}'),
);

function settle(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('policy properties (fast-check)', () => {
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype);

  afterEach(() => {
    expect(Object.getOwnPropertyNames(Object.prototype)).to.deep.equal(prototypeNames);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
  });

  it('a built AuthPolicy survives toJSON -> fromJSON -> toJSON unchanged', () => {
    fc.assert(
      fc.property(authPolicy, (policy) => {
        const once = policy.toJSON();
        const again = AuthPolicy.fromJSON(JSON.stringify(once));
        expect(JSON.stringify(again.toJSON())).to.equal(JSON.stringify(once));
        expect(again.equals(policy)).to.equal(true);
      }),
      RUNS,
    );
  });

  it('a built service policy survives toJSON -> fromJSON -> toJSON unchanged, deny flags included', () => {
    fc.assert(
      fc.property(servicePolicy, (policy) => {
        const once = policy.toJSON();
        const again = servicePolicyFromJSON(JSON.stringify(once));
        expect(again.constructor).to.equal(policy.constructor);
        expect(JSON.stringify(again.toJSON())).to.equal(JSON.stringify(once));
        if (!(policy instanceof LegacyPolicy) && !(again instanceof LegacyPolicy)) {
          expect(again.denyRootedJailbroken).to.equal(policy.denyRootedJailbroken);
        }
      }),
      RUNS,
    );
  });

  it('fromJSON of garbage returns a policy or throws InvalidPolicyError, never another error', () => {
    fc.assert(
      fc.property(garbage, (input) => {
        for (const parse of [servicePolicyFromJSON, (wire: unknown) => AuthPolicy.fromJSON(wire)]) {
          const error = settle(() => parse(input));
          if (error !== undefined) {
            expect(
              error instanceof InvalidPolicyError || error instanceof PayloadValidationError,
              error instanceof Error ? `${error.name}: ${error.message}` : typeof error,
            ).to.equal(true);
          }
        }
        expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
      }),
      RUNS,
    );
  });

  it('a policy parsed from garbage serialises to JSON that parses back to the same policy', () => {
    fc.assert(
      fc.property(mutatedSeed, (input) => {
        let policy: ServicePolicy | undefined;
        try {
          policy = servicePolicyFromJSON(input);
        } catch (err) {
          expect(err).to.be.instanceOf(InvalidPolicyError);
          return;
        }
        expect(JSON.stringify(servicePolicyFromJSON(policy.toJSON()))).to.equal(JSON.stringify(policy));
      }),
      RUNS,
    );
  });
});
