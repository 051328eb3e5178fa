import { expect } from 'chai';

import { decryptJweJson } from '../../lib/crypto/jwe.js';
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { startEmulator, type Emulator, type EmulatorConfig } from '../../lib/emulator/index.js';
import { baseConfig, control, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

const svc = `svc:${IDS.dirSvc}`;
const dir = `dir:${IDS.dir}`;

type Method = Record<string, unknown>;

/** One row of the official suites' method tables: method, set, active, allowed, supported, user_required, passed, error. */
const row = (
  method: string,
  set: boolean | null,
  active: boolean,
  supported: boolean,
  userRequired: boolean | null = null,
  passed: boolean | null = null,
  error: boolean | null = null,
): Method => ({
  method,
  set,
  active,
  allowed: true,
  supported,
  user_required: userRequired,
  passed,
  error,
});

/** A legacy request policy with one geofence of `radius` metres around (45.5, -122.6). */
const geofencePolicy = (radius: number) => ({
  minimum_requirements: [],
  factors: [
    {
      factor: 'geofence',
      requirement: 'forced requirement',
      quickfail: false,
      priority: 1,
      attributes: { locations: [{ radius, latitude: 45.5, longitude: -122.6 }] },
    },
  ],
});

const typesPolicy = (types: { knowledge?: number; inherence?: number; possession?: number }) => ({
  minimum_requirements: [{ requirement: 'authenticated', any: 0, knowledge: 0, inherence: 0, possession: 0, ...types }],
  factors: [],
});

describe('emulator device package: auth_policy and auth_methods', function () {
  let emu: Emulator;
  let s: EmulatorClient;
  let d: EmulatorClient;

  const start = async (config: EmulatorConfig = baseConfig()) => {
    emu = await startEmulator({ config, apiPrivateKey: KEYS.api });
    s = new EmulatorClient(emu.url, svc, KEYS.svc, 'python', () => emu.now());
    d = new EmulatorClient(emu.url, dir, KEYS.dir, 'java', () => emu.now());
  };
  afterEach(async function () {
    await emu.close();
  });

  /** Links a device for `identifier` through the control API, as the phone page does. */
  const link = async (identifier: string, options: Record<string, unknown> = {}) => {
    const { code } = (await d.call('POST', '/directory/v3/devices', dir, { identifier })).payload as { code: string };
    return control(emu.url, '/emulator/devices/link', { code, ...options });
  };
  /** Creates a request, answers it and returns the decrypted device package. */
  const answered = async (username: string, action: 'approve' | 'deny', body: Record<string, unknown> = {}) => {
    const created = await s.call('POST', '/service/v3/auths', svc, { username, ...body });
    const id = (created.payload as { auth_request: string }).auth_request;
    await emu.respond(id, action);
    const core = (await s.call('GET', `/service/v3/auths/${id}`, svc)).payload as { auth_jwe: string };
    const key = loadPrivateKey(KEYS.svc);
    const { payload } = await decryptJweJson(core.auth_jwe, (kid) => (kid === key.kid ? key : undefined));
    return payload as { auth_policy: unknown; auth_methods: Method[]; type: string };
  };

  it('with no policy: auth_policy {requirement: null, geofences: []}; a bare plain phone gives the suite’s table', async function () {
    await start();
    expect((await link('carol', { factors: [] })).status).to.equal(200);
    const pkg = await answered('carol', 'approve');
    expect(pkg.auth_policy).to.deep.equal({ requirement: null, geofences: [] });
    // The official Java suite's table for its test phone (no face unlock, no wearables, nothing set up).
    expect(pkg.auth_methods).to.deep.equal([
      row('wearables', false, false, false),
      row('geofencing', null, true, true),
      row('locations', false, false, true),
      row('pin_code', false, false, true),
      row('circle_code', false, false, true),
      row('face', false, false, false),
      row('fingerprint', false, false, true),
    ]);
  });

  it('reports what a device supports, as set when it is linked (control API) or configured', async function () {
    const config = baseConfig();
    config.users!.push({
      directoryId: IDS.dir,
      identifier: 'dave',
      devices: [
        {
          factors: [],
          supportedMethods: ['wearables', 'geofencing', 'locations', 'pin_code', 'circle_code', 'fingerprint'],
        },
      ],
    });
    await start(config);
    // The official Python suite's test phone: wearables supported, face not.
    const python = [
      row('wearables', false, false, true),
      row('geofencing', null, true, true),
      row('locations', false, false, true),
      row('pin_code', false, false, true),
      row('circle_code', false, false, true),
      row('face', false, false, false),
      row('fingerprint', false, false, true),
    ];
    expect((await answered('dave', 'approve')).auth_methods).to.deep.equal(python);
    await link('erin', {
      factors: [],
      supportedMethods: ['wearables', 'geofencing', 'locations', 'pin_code', 'circle_code', 'fingerprint'],
    });
    expect((await answered('erin', 'approve')).auth_methods).to.deep.equal(python);
    const { code } = (await d.call('POST', '/directory/v3/devices', dir, { identifier: 'frank' })).payload as {
      code: string;
    };
    await emu.linkDevice({ code, factors: ['inherence'], supportedMethods: ['face', 'pin_code'] });
    const methods = (await answered('frank', 'approve')).auth_methods;
    expect(methods.find((m) => m['method'] === 'face')).to.include({ set: true, supported: true });
    expect(methods.find((m) => m['method'] === 'fingerprint')).to.include({ set: false, supported: false });
    expect(methods.find((m) => m['method'] === 'geofencing')).to.include({ supported: false });
  });

  it('sets up each factor on the first supported method of its kind; user_required follows the policy; passed once verified', async function () {
    await start();
    // alice: all three factors on a default phone (no wearables: possession is carried by locations).
    const approved = await answered('alice', 'approve', { policy: typesPolicy({ inherence: 1 }) });
    expect(approved.type).to.equal('AUTHORIZED');
    expect(approved.auth_methods).to.deep.equal([
      row('wearables', false, false, false),
      row('geofencing', null, true, true),
      row('locations', true, true, true, false, true, false),
      row('pin_code', true, true, true, false, true, false),
      row('circle_code', false, false, true),
      row('face', false, false, false),
      row('fingerprint', true, true, true, true, true, false),
    ]);
    // An amount asks for every method set up; a denial verifies nothing.
    const denied = await answered('alice', 'deny', {
      policy: { minimum_requirements: [{ requirement: 'authenticated', any: 2 }], factors: [] },
    });
    expect(denied.auth_methods.filter((m) => m['set'] === true)).to.deep.equal([
      row('locations', true, true, true, true),
      row('pin_code', true, true, true, true),
      row('fingerprint', true, true, true, true),
    ]);
    await link('gina', {
      factors: ['knowledge', 'inherence', 'possession'],
      supportedMethods: ['wearables', 'circle_code', 'face'],
    });
    const set = (await answered('gina', 'approve')).auth_methods.filter((m) => m['set'] === true);
    expect(set.map((m) => m['method'])).to.deep.equal(['wearables', 'circle_code', 'face']);
    expect(set.every((m) => m['user_required'] === false)).to.equal(true);
  });

  it('geofencing: set null, active true, user_required null whatever the policy; passed/error carry the result', async function () {
    await start();
    // alice is at (45.5, -122.6): inside a 1 km fence there.
    const inside = await answered('alice', 'approve', { policy: geofencePolicy(1000) });
    expect(inside.type).to.equal('AUTHORIZED');
    expect(inside.auth_methods[1]).to.deep.equal(row('geofencing', null, true, true, null, true, false));
    const outside = await answered('alice', 'approve', {
      policy: {
        ...geofencePolicy(1000),
        factors: [
          {
            ...geofencePolicy(1000).factors[0],
            attributes: { locations: [{ radius: 10, latitude: 0, longitude: 0 }] },
          },
        ],
      },
    });
    expect(outside.type).to.equal('FAILED');
    expect(outside.auth_methods[1]).to.deep.equal(row('geofencing', null, true, true, null, false, false));
    // Nothing else is read from "the request has geofences".
    expect(outside.auth_methods.find((m) => m['method'] === 'locations')).to.deep.equal(
      row('locations', true, true, true, false),
    );
    // bob's phone has no location: it cannot tell.
    const unknown = await answered('bob', 'approve', { policy: geofencePolicy(1000) });
    expect(unknown.auth_methods[1]).to.deep.equal(row('geofencing', null, true, true, null, false, true));
    // Without fences there is no result.
    expect((await answered('alice', 'approve')).auth_methods[1]).to.deep.equal(row('geofencing', null, true, true));
  });

  it('refuses a link or a config whose supported methods are unknown or leave a factor without a method', async function () {
    await start();
    for (const options of [
      { supportedMethods: ['retina'] },
      { supportedMethods: 'face' },
      { factors: ['inherence'], supportedMethods: ['pin_code'] },
      { factors: ['possession'], supportedMethods: ['face'] },
    ]) {
      const res = await link('henry', options);
      expect(res.status, JSON.stringify(options)).to.equal(400);
      expect(res.json)
        .to.have.property('error')
        .that.matches(/supportedMethods/);
    }
    const config = baseConfig();
    config.users![0]!.devices![0]!.supportedMethods = ['pin_code'];
    const error = await startEmulator({ config, apiPrivateKey: KEYS.api }).then(
      async (started) => {
        await started.close();
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(error).to.have.property('code', 'ERR_LK_CONFIGURATION');
  });

  it('names a device linked without a name "Device N", not the pending placeholder; keeps a given name', async function () {
    await start();
    const list = async (identifier: string) =>
      (await d.call('POST', '/directory/v3/devices/list', dir, { identifier })).payload as { name: string }[];
    const { code } = (await d.call('POST', '/directory/v3/devices', dir, { identifier: 'ivy' })).payload as {
      code: string;
    };
    expect((await list('ivy'))[0]?.name).to.equal('Pending device');
    await emu.linkDevice({ code });
    await link('ivy', { name: 'Work phone' });
    await link('ivy');
    expect((await list('ivy')).map((x) => x.name)).to.deep.equal(['Device 1', 'Work phone', 'Device 3']);
  });
});
