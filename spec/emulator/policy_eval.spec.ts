import { expect } from 'chai';

import { AuthPolicy, servicePolicyFromJSON } from '../../lib/entities/policy.js';
import { startEmulator } from '../../lib/emulator/index.js';
import { haversineMetres, satisfies } from '../../lib/emulator/policy_eval.js';
import type { Device } from '../../lib/emulator/state.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

const device = (over: Partial<Device> = {}): Device => ({
  id: 'd',
  name: 'phone',
  type: 'Android',
  status: 1,
  created: 0,
  updated: 0,
  factors: ['possession', 'knowledge'],
  supportedMethods: ['geofencing', 'locations', 'pin_code', 'circle_code', 'fingerprint'],
  jailbroken: false,
  location: {
    latitude: 36.120825,
    longitude: -115.157216,
    country: 'US',
    administrative_area: 'US-NV',
    postal_code: '89109',
  },
  publicKey: null,
  link: null,
  ...over,
});
const NOW = Date.UTC(2024, 0, 1, 12, 0, 0); // a Monday, 04:00 in Los Angeles

describe('emulator policy evaluation', function () {
  it('measures haversine distance in metres', function () {
    expect(haversineMetres({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 1 })).to.be.closeTo(111_195, 5);
  });

  it('legacy: any counts factors, specific factors need the factor, device integrity refuses jailbroken', function () {
    const p = (r: object, integrity = 0) =>
      AuthPolicy.fromJSON({
        minimum_requirements: [{ requirement: 'authenticated', knowledge: 0, inherence: 0, possession: 0, ...r }],
        factors: [{ factor: 'device integrity', attributes: { 'factor enabled': integrity } }],
      });
    expect(satisfies(p({ any: 2 }), device(), NOW)).to.equal(true);
    expect(satisfies(p({ any: 3 }), device(), NOW)).to.equal(false);
    expect(satisfies(p({ inherence: 1 }), device(), NOW)).to.equal(false);
    expect(satisfies(p({ knowledge: 1 }, 1), device({ jailbroken: true }), NOW)).to.equal(false);
  });

  it('METHOD_AMOUNT and FACTORS, with geofences and jailbreak denial', function () {
    const circle = { type: 'GEO_CIRCLE', name: 'Strip', latitude: 36.12, longitude: -115.157, radius: 500 };
    expect(
      satisfies(servicePolicyFromJSON({ type: 'METHOD_AMOUNT', amount: 2, fences: [circle] }), device(), NOW),
    ).to.equal(true);
    expect(
      satisfies(
        servicePolicyFromJSON({ type: 'METHOD_AMOUNT', amount: 2, fences: [circle] }),
        device({ location: null }),
        NOW,
      ),
    ).to.equal(false);
    expect(
      satisfies(servicePolicyFromJSON({ type: 'FACTORS', factors: ['KNOWLEDGE', 'POSSESSION'] }), device(), NOW),
    ).to.equal(true);
    expect(satisfies(servicePolicyFromJSON({ type: 'FACTORS', factors: ['INHERENCE'] }), device(), NOW)).to.equal(
      false,
    );
    expect(
      satisfies(
        servicePolicyFromJSON({ type: 'FACTORS', factors: ['KNOWLEDGE'], deny_rooted_jailbroken: true }),
        device({ jailbroken: true }),
        NOW,
      ),
    ).to.equal(false);
  });

  it('TERRITORY fences match country, administrative area and postal code', function () {
    const t = (f: object) =>
      servicePolicyFromJSON({
        type: 'METHOD_AMOUNT',
        amount: 0,
        fences: [{ type: 'TERRITORY', name: 't', country: 'US', ...f }],
      });
    expect(satisfies(t({ administrative_area: 'US-NV' }), device(), NOW)).to.equal(true);
    expect(satisfies(t({ administrative_area: 'US-CA' }), device(), NOW)).to.equal(false);
    expect(satisfies(t({ postal_code: '89109' }), device(), NOW)).to.equal(true);
  });

  it('COND_GEO applies inside or outside by location', function () {
    const policy = servicePolicyFromJSON({
      type: 'COND_GEO',
      fences: [{ type: 'TERRITORY', name: 'US', country: 'US' }],
      inside: { type: 'METHOD_AMOUNT', amount: 1 },
      outside: { type: 'FACTORS', factors: ['INHERENCE'] },
    });
    expect(satisfies(policy, device(), NOW)).to.equal(true);
    expect(satisfies(policy, device({ location: { latitude: 48.85, longitude: 2.35, country: 'FR' } }), NOW)).to.equal(
      false,
    );
  });

  it('legacy time fences use the fence time zone and the given time', function () {
    const tf = (start: number, end: number, days = ['Monday']) =>
      servicePolicyFromJSON({
        factors: [
          {
            factor: 'timefence',
            attributes: {
              'time fences': [
                {
                  name: 'x',
                  days,
                  'start hour': start,
                  'end hour': end,
                  'start minute': 0,
                  'end minute': 59,
                  timezone: 'America/Los_Angeles',
                },
              ],
            },
          },
        ],
      });
    expect(satisfies(tf(3, 5), device(), NOW)).to.equal(true);
    expect(satisfies(tf(9, 17), device(), NOW)).to.equal(false);
    expect(satisfies(tf(3, 5, ['Tuesday']), device(), NOW)).to.equal(false);
  });

  it('approve merges the service policy: a stricter service policy fails the device with FAILED/POLICY', async function () {
    const emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    try {
      const org = new EmulatorClient(emu.url, `org:${IDS.org}`, KEYS.org, 'default', () => emu.now());
      await org.call('PUT', '/organization/v3/service/policy', `org:${IDS.org}`, {
        service_id: IDS.orgSvc,
        policy: { type: 'FACTORS', factors: ['INHERENCE'], deny_rooted_jailbroken: true },
      });
      const svc = `svc:${IDS.orgSvc}`;
      const c = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
      const id = (
        (await c.call('POST', '/service/v3/auths', svc, { username: 'bob' })).payload as { auth_request: string }
      ).auth_request;
      expect((await emu.respond(id, 'approve')).status).to.equal('failed');
      const id2 = (
        (await c.call('POST', '/service/v3/auths', svc, { username: 'alice' })).payload as { auth_request: string }
      ).auth_request;
      expect((await emu.respond(id2, 'approve')).status).to.equal('approved');
    } finally {
      await emu.close();
    }
  });
});
