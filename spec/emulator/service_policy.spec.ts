import { expect } from 'chai';

import { MethodAmountPolicy, servicePolicyFromJSON } from '../../lib/entities/policy.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';
import { vectorText } from '../support/vectors.js';

const org = `org:${IDS.org}`;
const svc = `svc:${IDS.orgSvc}`;
const POLICY = '/organization/v3/service/policy';

interface ErrorBody {
  error_code?: string;
  error_detail?: Record<string, string>;
}

/** The flat shape of Python's `LegacyPolicy(amount=2, deny_rooted_jailbroken=True, fences=[…]).to_dict()`. */
const PYTHON_FLAT_LEGACY = (() => {
  const dumps = (
    JSON.parse(vectorText('json/python-policy-serializations.json')) as { raw_json_dumps: Record<string, string> }
  ).raw_json_dumps;
  const [, text] = Object.entries(dumps).find(([name]) => name.startsWith('LegacyPolicy(')) ?? ['', 'null'];
  return JSON.parse(text) as Record<string, unknown>;
})();

describe('emulator service policies and request policies (the SDK policy classes)', function () {
  let emu: Emulator;
  let o: EmulatorClient;
  let s: EmulatorClient;

  beforeEach(async function () {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    o = new EmulatorClient(emu.url, org, KEYS.org, 'python', () => emu.now());
    s = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
  });
  afterEach(async function () {
    await emu.close();
  });

  const put = (policy: unknown) => o.call('PUT', POLICY, org, { service_id: IDS.orgSvc, policy });
  const item = async () =>
    (await o.call('POST', `${POLICY}/item`, org, { service_id: IDS.orgSvc })).payload as Record<string, unknown>;
  const create = (body: Record<string, unknown>) => s.call('POST', '/service/v3/auths', svc, body);
  const approve = async (body: Record<string, unknown>) => {
    const id = ((await create(body)).payload as { auth_request: string }).auth_request;
    return (await emu.respond(id, 'approve')).status;
  };

  it('accepts the Java METHOD_AMOUNT fixture (amount 5) and returns it from policy/item in Python order', async function () {
    const fixture = vectorText('json/policy-method-amount-java.json');
    expect((await put(JSON.parse(fixture))).status).to.equal(204);
    const read = await item();
    expect(read['amount']).to.equal(5);
    expect(JSON.stringify(read)).to.equal(JSON.stringify(MethodAmountPolicy.fromJSON(fixture).toJSON()));
  });

  it('accepts the Java COND_GEO fixture (inside 5, outside 10) and returns it from policy/item', async function () {
    const fixture = vectorText('json/policy-cond-geo-java.json');
    expect((await put(JSON.parse(fixture))).status).to.equal(204);
    const read = await item();
    expect(read).to.deep.include({
      type: 'COND_GEO',
      inside: { type: 'METHOD_AMOUNT', fences: [], amount: 5 },
      outside: { type: 'METHOD_AMOUNT', fences: [], amount: 10 },
      deny_rooted_jailbroken: true,
      deny_emulator_simulator: true,
    });
    expect(JSON.stringify(read)).to.equal(JSON.stringify(servicePolicyFromJSON(fixture).toJSON()));
    expect(servicePolicyFromJSON(read).equals(servicePolicyFromJSON(fixture))).to.equal(true);
  });

  it("reads Python's flat LegacyPolicy.to_dict() shape faithfully: same requirements, enforced on approve", async function () {
    expect(PYTHON_FLAT_LEGACY['time_restrictions']).to.deep.equal([]);
    expect((await put(PYTHON_FLAT_LEGACY)).status).to.equal(204);
    expect(await item()).to.deep.equal({
      type: 'LEGACY',
      factors: [
        {
          factor: 'device integrity',
          requirement: 'forced requirement',
          quickfail: false,
          priority: 1,
          attributes: { 'factor enabled': 1 },
        },
        {
          factor: 'geofence',
          requirement: 'forced requirement',
          quickfail: false,
          priority: 1,
          attributes: { locations: [{ radius: 3, latitude: 1, longitude: 2, name: 'x' }] },
        },
      ],
      minimum_requirements: [{ requirement: 'authenticated', any: 2, knowledge: 0, inherence: 0, possession: 0 }],
    });
    // alice has three factors but is in Portland, far outside the 3 m fence at (1, 2).
    expect(await approve({ username: 'alice' })).to.equal('failed');
  });

  it('refuses a legacy policy that says nothing ({} or only a type) with ARG-001 and keeps the stored one', async function () {
    expect((await put({ type: 'FACTORS', factors: ['INHERENCE'] })).status).to.equal(204);
    for (const policy of [{}, { type: 'LEGACY' }, { type: 'LEGACY', deny_emulator_simulator: true }]) {
      const res = await put(policy);
      expect(res.status, JSON.stringify(policy)).to.equal(400);
      expect((res.payload as ErrorBody).error_code).to.equal('ARG-001');
      expect((res.payload as ErrorBody).error_detail).to.have.property('policy');
    }
    expect(await item()).to.include({ type: 'FACTORS' });
  });

  it('answers ARG-001 with an error_detail naming the offending field', async function () {
    const circle = { type: 'GEO_CIRCLE', name: 'a', latitude: 1, longitude: 2, radius: 3 };
    const cases: [unknown, string][] = [
      [{ type: 'METHOD_AMOUNT', amount: 1, fences: [{ ...circle, latitude: 95 }] }, 'policy.fences[0].latitude'],
      [{ type: 'METHOD_AMOUNT', amount: '2' }, 'policy.amount'],
      [{ type: 'FACTORS', factors: ['KNOWLEDGE', 'LUCK'] }, 'policy.factors[1]'],
      [{ type: 'COND_GEO', fences: [circle], inside: { type: 'COND_GEO' }, outside: {} }, 'policy.inside.type'],
      [
        { factors: [{ factor: 'geofence', attributes: { locations: [{ ...circle, radius: '3' }] } }] },
        'policy.factors[0].attributes.locations[0].radius',
      ],
      [JSON.stringify({ type: 'METHOD_AMOUNT', amount: 1 }), 'policy'],
      [undefined, 'policy'],
    ];
    for (const [policy, field] of cases) {
      const res = await put(policy);
      expect((res.payload as ErrorBody).error_code, field).to.equal('ARG-001');
      expect(Object.keys((res.payload as ErrorBody).error_detail ?? {}), field).to.deep.equal([field]);
    }
  });

  it('refuses an unreadable request policy with SVC-002 naming the field, and reads only the first requirement', async function () {
    const cases: [unknown, string][] = [
      [{ type: 'METHOD_AMOUNT', amount: 1 }, 'policy.type'],
      [{}, 'policy'],
      ['{"minimum_requirements":[]}', 'policy'],
      [
        {
          factors: [{ factor: 'geofence', attributes: { locations: [{ latitude: '45.5', longitude: 1, radius: 9 }] } }],
        },
        'policy.factors[0].attributes.locations[0].latitude',
      ],
    ];
    for (const [policy, field] of cases) {
      const res = await create({ username: 'alice', policy });
      expect((res.payload as ErrorBody).error_code, field).to.equal('SVC-002');
      expect(Object.keys((res.payload as ErrorBody).error_detail ?? {}), field).to.deep.equal([field]);
    }
    // Python reads the first entry: bob (one factor) cannot meet any=3, whatever follows it.
    const twice = [
      { requirement: 'authenticated', any: 3 },
      { requirement: 'authenticated', any: 0 },
    ];
    expect(await approve({ username: 'bob', policy: { minimum_requirements: twice } })).to.equal('failed');
  });
});
