import { expect } from 'chai';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS, publicPem } from '../support/emulator_client.js';
import { vectorText } from '../support/vectors.js';

const org = `org:${IDS.org}`;
const dir = `dir:${IDS.dir}`;
const UNKNOWN = '8c3c0268-f692-11e7-bd2e-7692096aba47';

describe('emulator organization and service management', function () {
  let emu: Emulator;
  let o: EmulatorClient;
  let d: EmulatorClient;

  beforeEach(async function () {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    o = new EmulatorClient(emu.url, org, KEYS.org, 'python', () => emu.now());
    d = new EmulatorClient(emu.url, dir, KEYS.dir, 'java', () => emu.now());
  });
  afterEach(async function () {
    await emu.close();
  });

  const code = (res: { payload: unknown }) => (res.payload as { error_code?: string } | undefined)?.error_code;

  it('creates, lists, gets and updates directories with every documented key', async function () {
    const { payload } = await o.call('POST', '/organization/v3/directories', org, { name: 'New dir' });
    const id = (payload as { id: string }).id;
    await o.call('PATCH', '/organization/v3/directories', org, {
      directory_id: id,
      webhook_url: 'https://example.test/hook',
      denial_context_inquiry_enabled: true,
      active: false,
    });
    const [view] = (await o.call('POST', '/organization/v3/directories/list', org, { directory_ids: [id] }))
      .payload as Record<string, unknown>[];
    expect(view).to.include({
      id,
      name: 'New dir',
      webhook_url: 'https://example.test/hook',
      denial_context_inquiry_enabled: true,
      active: false,
    });
    expect(view).to.have.keys(
      'id',
      'name',
      'active',
      'service_ids',
      'sdk_keys',
      'android_key',
      'ios_certificate_fingerprint',
      'denial_context_inquiry_enabled',
      'webhook_url',
      'premium',
    );
    expect(((await o.call('GET', '/organization/v3/directories', org)).payload as unknown[]).length).to.equal(2);
  });

  it('creates a directory with the API defaults: active, denial context inquiry enabled, nothing else set', async function () {
    const { payload } = await o.call('POST', '/organization/v3/directories', org, { name: 'Fresh dir' });
    const id = (payload as { id: string }).id;
    const [view] = (await o.call('POST', '/organization/v3/directories/list', org, { directory_ids: [id] }))
      .payload as Record<string, unknown>[];
    expect(view).to.deep.equal({
      id,
      name: 'Fresh dir',
      active: true,
      service_ids: [],
      sdk_keys: [],
      android_key: null,
      ios_certificate_fingerprint: null,
      denial_context_inquiry_enabled: true,
      webhook_url: null,
      premium: false,
    });
    // A directory from the config without the setting is the same.
    const other = new EmulatorClient(emu.url, `org:${IDS.otherOrg}`, KEYS.dir, 'python', () => emu.now());
    const [configured] = (
      await other.call('POST', '/organization/v3/directories/list', `org:${IDS.otherOrg}`, {
        directory_ids: [IDS.otherDir],
      })
    ).payload as Record<string, unknown>[];
    expect(configured).to.include({ denial_context_inquiry_enabled: true });
  });

  it('ORG-003 for a duplicate directory name', async function () {
    expect(code(await o.call('POST', '/organization/v3/directories', org, { name: 'Dir' }))).to.equal('ORG-003');
  });

  it('403 for unknown or not owned directories in list, update and keys', async function () {
    expect(
      (await o.call('POST', '/organization/v3/directories/list', org, { directory_ids: [IDS.otherDir] })).status,
    ).to.equal(403);
    expect((await o.call('PATCH', '/organization/v3/directories', org, { directory_id: UNKNOWN })).status).to.equal(
      403,
    );
    expect(
      (await o.call('POST', '/organization/v3/directory/keys/list', org, { directory_id: UNKNOWN })).status,
    ).to.equal(403);
    expect(
      (await o.call('POST', '/organization/v3/directory/sdk-keys/list', org, { directory_id: UNKNOWN })).status,
    ).to.equal(403);
  });

  it('directory keys: add, list, KEY-002 twice, ARG-001 bad key_type, KEY-003 unknown, KEY-004 last', async function () {
    const pem = publicPem(KEYS.svc);
    const added = await o.call('POST', '/organization/v3/directory/keys', org, {
      directory_id: IDS.dir,
      public_key: pem,
      key_type: 1,
    });
    expect(added.payload).to.deep.equal({ key_id: loadPrivateKey(KEYS.svc).kid });
    expect(
      code(await o.call('POST', '/organization/v3/directory/keys', org, { directory_id: IDS.dir, public_key: pem })),
    ).to.equal('KEY-002');
    expect(
      code(
        await o.call('POST', '/organization/v3/directory/keys', org, {
          directory_id: IDS.dir,
          public_key: publicPem(KEYS.org),
          key_type: 'sup',
        }),
      ),
    ).to.equal('ARG-001');
    expect(
      code(await o.call('POST', '/organization/v3/directory/keys', org, { directory_id: IDS.dir, public_key: 'nope' })),
    ).to.equal('KEY-001');
    const keys = (await o.call('POST', '/organization/v3/directory/keys/list', org, { directory_id: IDS.dir }))
      .payload as Record<string, unknown>[];
    expect(keys[1]).to.include({ key_type: 1, active: true, date_expires: null });
    expect(keys[1]).to.have.keys('id', 'public_key', 'date_created', 'date_expires', 'active', 'key_type');
    expect(
      code(
        await o.call('PATCH', '/organization/v3/directory/keys', org, {
          directory_id: IDS.dir,
          key_id: '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff',
          active: false,
        }),
      ),
    ).to.equal('KEY-003');
    expect(
      (
        await o.call('PATCH', '/organization/v3/directory/keys', org, {
          directory_id: IDS.dir,
          key_id: keys[1]!['id'],
          date_expires: '2030-01-01T00:00:00Z',
        })
      ).status,
    ).to.equal(204);
    expect(
      (
        await o.call('DELETE', '/organization/v3/directory/keys', org, {
          directory_id: IDS.dir,
          key_id: keys[1]!['id'],
        })
      ).status,
    ).to.equal(204);
    expect(
      code(
        await o.call('DELETE', '/organization/v3/directory/keys', org, {
          directory_id: IDS.dir,
          key_id: keys[0]!['id'],
        }),
      ),
    ).to.equal('KEY-004');
  });

  it('SDK keys: generate, list, ORG-006 unknown, ORG-005 last', async function () {
    const a = (
      (await o.call('POST', '/organization/v3/directory/sdk-keys', org, { directory_id: IDS.dir })).payload as {
        sdk_key: string;
      }
    ).sdk_key;
    const b = (
      (await o.call('POST', '/organization/v3/directory/sdk-keys', org, { directory_id: IDS.dir })).payload as {
        sdk_key: string;
      }
    ).sdk_key;
    expect(
      (await o.call('POST', '/organization/v3/directory/sdk-keys/list', org, { directory_id: IDS.dir })).payload,
    ).to.deep.equal([a, b]);
    expect(
      code(
        await o.call('DELETE', '/organization/v3/directory/sdk-keys', org, { directory_id: IDS.dir, sdk_key: UNKNOWN }),
      ),
    ).to.equal('ORG-006');
    expect(
      (await o.call('DELETE', '/organization/v3/directory/sdk-keys', org, { directory_id: IDS.dir, sdk_key: a }))
        .status,
    ).to.equal(204);
    expect(
      code(await o.call('DELETE', '/organization/v3/directory/sdk-keys', org, { directory_id: IDS.dir, sdk_key: b })),
    ).to.equal('ORG-005');
  });

  for (const [who, prefix, subject] of [
    ['organization', '/organization/v3', org],
    ['directory', '/directory/v3', dir],
  ] as const) {
    it(`${who} services: create, list, get, update; SVC-001 duplicate; 403 unknown`, async function () {
      const c = who === 'organization' ? o : d;
      const id = (
        (
          await c.call('POST', `${prefix}/services`, subject, {
            name: 'Svc X',
            description: null,
            icon: null,
            callback_url: 'https://example.test/cb',
            active: true,
          })
        ).payload as { id: string }
      ).id;
      expect(code(await c.call('POST', `${prefix}/services`, subject, { name: 'Svc X' }))).to.equal('SVC-001');
      const [view] = (await c.call('POST', `${prefix}/services/list`, subject, { service_ids: [id] }))
        .payload as Record<string, unknown>[];
      expect(view).to.deep.equal({
        id,
        name: 'Svc X',
        description: null,
        icon: null,
        callback_url: 'https://example.test/cb',
        active: true,
      });
      expect(
        (await c.call('PATCH', `${prefix}/services`, subject, { service_id: id, name: 'Svc Y', active: false })).status,
      ).to.equal(204);
      const all = (await c.call('GET', `${prefix}/services`, subject)).payload as { id: string; name: string }[];
      expect(all.find((s) => s.id === id)).to.include({ name: 'Svc Y' });
      expect((await c.call('POST', `${prefix}/services/list`, subject, { service_ids: [UNKNOWN] })).status).to.equal(
        403,
      );
      expect(
        (await c.call('PATCH', `${prefix}/services`, subject, { service_id: UNKNOWN, name: 'Z' })).status,
      ).to.equal(403);
      expect((await c.call('POST', `${prefix}/service/keys/list`, subject, { service_id: UNKNOWN })).status).to.equal(
        403,
      );
    });

    it(`${who} services take active as a boolean or as Python's and JSON's text of one, nothing looser`, async function () {
      const c = who === 'organization' ? o : d;
      const activeOf = async (id: string) =>
        (
          (await c.call('POST', `${prefix}/services/list`, subject, { service_ids: [id] })).payload as {
            active: boolean;
          }[]
        )[0]?.active;
      for (const [i, [text, value]] of (
        [
          ['True', true],
          ['False', false],
          ['true', true],
          ['false', false],
        ] as const
      ).entries()) {
        // The official Python suite creates services from a table: `"active": "True"`.
        const created = await c.call('POST', `${prefix}/services`, subject, { name: `Text ${i}`, active: text });
        expect(created.status).to.equal(201);
        const id = (created.payload as { id: string }).id;
        expect(await activeOf(id)).to.equal(value);
        const flipped = value ? 'False' : 'true';
        expect(
          (await c.call('PATCH', `${prefix}/services`, subject, { service_id: id, active: flipped })).status,
        ).to.equal(204);
        expect(await activeOf(id)).to.equal(!value);
      }
      const id = ((await c.call('POST', `${prefix}/services`, subject, { name: 'Strict' })).payload as { id: string })
        .id;
      for (const refused of ['TRUE', 'FALSE', 'yes', '1', '0', '', ' True', 1, 0, [], {}]) {
        expect(
          code(
            await c.call('POST', `${prefix}/services`, subject, {
              name: `No ${JSON.stringify(refused)}`,
              active: refused,
            }),
          ),
        ).to.equal('ARG-001');
        expect(
          code(await c.call('PATCH', `${prefix}/services`, subject, { service_id: id, active: refused })),
        ).to.equal('ARG-001');
      }
      expect(await activeOf(id)).to.equal(true);
    });

    it(`${who} service keys and policies: KEY rules, four policy types, SVC-004 for an unknown service`, async function () {
      const c = who === 'organization' ? o : d;
      const id = ((await c.call('POST', `${prefix}/services`, subject, { name: 'Keyed' })).payload as { id: string })
        .id;
      const added = await c.call('POST', `${prefix}/service/keys`, subject, {
        service_id: id,
        public_key: publicPem(KEYS.svc),
        key_type: 2,
      });
      expect(added.status).to.equal(201);
      expect(
        code(
          await c.call('POST', `${prefix}/service/keys`, subject, { service_id: id, public_key: publicPem(KEYS.svc) }),
        ),
      ).to.equal('KEY-002');
      expect(
        code(
          await c.call('DELETE', `${prefix}/service/keys`, subject, {
            service_id: id,
            key_id: (added.payload as { key_id: string }).key_id,
          }),
        ),
      ).to.equal('KEY-004');
      const blank = await c.call('POST', `${prefix}/service/policy/item`, subject, { service_id: id });
      expect(blank.payload).to.deep.equal({ type: 'LEGACY', minimum_requirements: [], factors: [] });
      for (const policy of [
        {
          type: 'METHOD_AMOUNT',
          amount: 2.0,
          fences: [{ type: 'GEO_CIRCLE', name: 'a', latitude: 1, longitude: 1, radius: 1 }],
          deny_rooted_jailbroken: true,
          deny_emulator_simulator: false,
        },
        {
          type: 'FACTORS',
          factors: ['INHERENCE', 'POSSESSION'],
          fences: [{ type: 'TERRITORY', name: 't', country: 'US', administrative_area: 'US-CA', postal_code: null }],
        },
        JSON.parse(vectorText('json/policy-cond-geo-java.json')) as unknown,
        {
          minimum_requirements: [{ requirement: 'authenticated', any: 2, knowledge: 0, inherence: 0, possession: 0 }],
          factors: [
            {
              factor: 'timefence',
              requirement: 'forced requirement',
              priority: 1,
              attributes: {
                'time fences': [
                  {
                    name: 'Week',
                    days: ['Monday'],
                    'start hour': 0,
                    'end hour': 23,
                    'start minute': 0,
                    'end minute': 59,
                    timezone: 'America/Los_Angeles',
                  },
                ],
              },
            },
          ],
        },
      ]) {
        expect((await c.call('PUT', `${prefix}/service/policy`, subject, { service_id: id, policy })).status).to.equal(
          204,
        );
        const item = (await c.call('POST', `${prefix}/service/policy/item`, subject, { service_id: id }))
          .payload as Record<string, unknown>;
        expect(item['type']).to.equal((policy as { type?: string }).type ?? 'LEGACY');
      }
      expect((await c.call('DELETE', `${prefix}/service/policy`, subject, { service_id: id })).status).to.equal(204);
      expect(
        code(
          await c.call('PUT', `${prefix}/service/policy`, subject, {
            service_id: id,
            policy: { type: 'COND_GEO', fences: [] },
          }),
        ),
      ).to.equal('ARG-001');
      expect(
        code(
          await c.call('PUT', `${prefix}/service/policy`, subject, {
            service_id: id,
            policy: {
              type: 'COND_GEO',
              fences: [{ type: 'TERRITORY', country: 'US' }],
              inside: { type: 'COND_GEO' },
              outside: { type: 'METHOD_AMOUNT', amount: 1 },
            },
          }),
        ),
      ).to.equal('ARG-001');
      for (const [meth, path] of [
        ['PUT', 'policy'],
        ['POST', 'policy/item'],
        ['DELETE', 'policy'],
      ] as const) {
        expect(
          code(await c.call(meth, `${prefix}/service/${path}`, subject, { service_id: UNKNOWN, policy: {} })),
        ).to.equal('SVC-004');
      }
    });
  }
});
