import { expect } from 'chai';

import { decryptJweJson } from '../../lib/crypto/jwe.js';
import { decryptLegacyPackage } from '../../lib/crypto/legacy_package.js';
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

const svc = `svc:${IDS.dirSvc}`;

interface Core {
  auth: string;
  auth_jwe: string;
  service_user_hash: string;
  org_user_hash: string;
  user_push_id: string;
  public_key_id: string;
}

describe('emulator service endpoints and auth state machine', function () {
  let emu: Emulator;
  let c: EmulatorClient;

  beforeEach(async function () {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
    c = new EmulatorClient(emu.url, svc, KEYS.svc, 'default', () => emu.now());
  });
  afterEach(async function () {
    await emu.close();
  });

  const create = async (body: Record<string, unknown> = { username: 'alice' }) => {
    const res = await c.call('POST', '/service/v3/auths', svc, body);
    return { res, id: (res.payload as { auth_request?: string } | undefined)?.auth_request ?? '' };
  };
  const poll = (id: string) => c.call('GET', `/service/v3/auths/${id}`, svc);
  const open = async (core: Core) => {
    const key = loadPrivateKey(KEYS.svc);
    const { payload } = await decryptJweJson(core.auth_jwe, (kid) => (kid === key.kid ? key : undefined));
    const legacy = JSON.parse(await decryptLegacyPackage(core.auth, key)) as Record<string, unknown>;
    return { pkg: payload as Record<string, unknown>, legacy };
  };

  it('creates an auth request: 201 with auth_request and device_ids, no push_package', async function () {
    const { res, id } = await create({ username: 'alice', context: 'Log in', title: 'Hi', ttl: 60 });
    expect(res.status).to.equal(201);
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(res.payload).to.have.property('device_ids').that.has.length(1);
    expect(res.payload).not.to.have.property('push_package');
  });

  it('polls 204 while pending and for an unknown id', async function () {
    const { id } = await create();
    expect((await poll(id)).status).to.equal(204);
    expect((await poll('8c3c0268-f692-11e7-bd2e-7692096aba47')).status).to.equal(204);
  });

  it('approve: poll 200 with auth and auth_jwe, both opening to AUTHORIZED/APPROVED', async function () {
    const { id } = await create();
    await emu.respond(id, 'approve');
    const res = await poll(id);
    expect(res.status).to.equal(200);
    const core = res.payload as Core;
    for (const k of [
      'auth',
      'auth_jwe',
      'service_user_hash',
      'org_user_hash',
      'user_push_id',
      'public_key_id',
    ] as const) {
      expect(core[k]).to.be.a('string').and.not.equal('');
    }
    expect(core.public_key_id).to.equal(loadPrivateKey(KEYS.svc).kid);
    const { pkg, legacy } = await open(core);
    expect(pkg).to.include({ type: 'AUTHORIZED', reason: 'APPROVED', auth_request: id, denial_reason: null });
    expect(pkg['service_pins']).to.be.an('array').with.length(5);
    expect(legacy).to.include({ response: true, auth_request: id });
    expect(legacy['service_pins']).to.deep.equal(pkg['service_pins']);
    const methods = pkg['auth_methods'] as Record<string, unknown>[];
    for (const m of methods) {
      expect(m['method']).to.match(/^[a-z_]+$/);
      for (const f of ['active', 'allowed', 'supported']) expect(m[f]).to.be.a('boolean');
    }
  });

  it('deny and fraud answer DENIED with DISAPPROVED / FRAUDULENT and the denial reason', async function () {
    const reasons = [
      { id: 'DEN1', reason: 'Not me', fraud: true },
      { id: 'DEN2', reason: 'Changed my mind', fraud: false },
    ];
    let { id } = await create({ username: 'alice', denial_reasons: reasons });
    await emu.respond(id, 'deny', 'DEN2');
    expect((await open((await poll(id)).payload as Core)).pkg).to.include({
      type: 'DENIED',
      reason: 'DISAPPROVED',
      denial_reason: 'DEN2',
    });
    ({ id } = await create({ username: 'alice', denial_reasons: reasons }));
    await emu.respond(id, 'fraud', 'DEN1');
    const { pkg, legacy } = await open((await poll(id)).payload as Core);
    expect(pkg).to.include({ type: 'DENIED', reason: 'FRAUDULENT', denial_reason: 'DEN1' });
    expect(legacy['response']).to.equal(false);
  });

  it('approve answers FAILED/POLICY when the device cannot satisfy the request policy', async function () {
    const policy = {
      minimum_requirements: [{ requirement: 'authenticated', any: 2, knowledge: 0, inherence: 0, possession: 0 }],
      factors: [
        {
          factor: 'device integrity',
          requirement: 'forced requirement',
          priority: 1,
          attributes: { 'factor enabled': 1 },
        },
      ],
    };
    const { id } = await create({ username: 'bob', policy });
    await emu.respond(id, 'approve');
    const { pkg } = await open((await poll(id)).payload as Core);
    expect(pkg).to.include({ type: 'FAILED', reason: 'POLICY' });
    expect(pkg['auth_policy']).to.deep.include({ requirement: 'amount', amount: 2 });
  });

  it('never answers SVC-003 at creation: a policy no device can meet is created, and the device fails it', async function () {
    // The official suites make a 3-factor (and an inherence + possession) request for a phone that
    // cannot meet it and expect the failure from the device, not PolicyFailure at creation.
    for (const [username, policy] of [
      ['bob', { minimum_requirements: [{ requirement: 'authenticated', any: 3 }], factors: [] }],
      [
        'bob',
        {
          minimum_requirements: [],
          factors: [
            { factor: 'device integrity', requirement: 'forced requirement', attributes: { 'factor enabled': 1 } },
          ],
        },
      ],
    ] as const) {
      const { res, id } = await create({ username, policy });
      expect(res.status).to.equal(201);
      await emu.respond(id, 'approve');
      expect((await open((await poll(id)).payload as Core)).pkg).to.include({ type: 'FAILED', reason: 'POLICY' });
    }
  });

  it('reports lowercase factor types in auth_policy', async function () {
    const policy = {
      minimum_requirements: [{ requirement: 'authenticated', any: 0, knowledge: 1, inherence: 0, possession: 1 }],
      factors: [],
    };
    const { id } = await create({ username: 'alice', policy });
    await emu.respond(id, 'approve');
    const { pkg } = await open((await poll(id)).payload as Core);
    expect(pkg).to.include({ type: 'AUTHORIZED', reason: 'APPROVED' });
    expect(pkg['auth_policy']).to.deep.equal({
      requirement: 'types',
      types: ['knowledge', 'possession'],
      geofences: [],
    });
  });

  it('approve succeeds inside a geofence and fails outside it', async function () {
    const fence = (lat: number) => ({
      minimum_requirements: [],
      factors: [
        {
          factor: 'geofence',
          requirement: 'forced requirement',
          priority: 1,
          attributes: { locations: [{ radius: 5000, latitude: lat, longitude: -122.6 }] },
        },
      ],
    });
    let { id } = await create({ username: 'alice', policy: fence(45.51) });
    await emu.respond(id, 'approve');
    expect(emu.auths({ username: 'alice' }).find((a) => a.id === id)?.status).to.equal('approved');
    ({ id } = await create({ username: 'alice', policy: fence(40) }));
    await emu.respond(id, 'approve');
    expect(emu.auths().find((a) => a.id === id)?.status).to.equal('failed');
  });

  it('expires by clock shift: poll 408 with an empty body', async function () {
    const { id } = await create({ username: 'alice', ttl: 30 });
    emu.advanceClock(31);
    const res = await poll(id);
    expect(res.status).to.equal(408);
    expect(res.rawBody).to.equal('');
  });

  it('uses a default ttl of 300 seconds', async function () {
    const { id } = await create();
    emu.advanceClock(299);
    expect((await poll(id)).status).to.equal(204);
    emu.advanceClock(1);
    expect((await poll(id)).status).to.equal(408);
  });

  it('cancel: 204, then poll SVC-007, cancel again SVC-007; unknown id 404', async function () {
    const { id } = await create();
    expect((await c.call('DELETE', `/service/v3/auths/${id}`, svc)).status).to.equal(204);
    expect((await poll(id)).payload).to.include({ error_code: 'SVC-007' });
    const again = await c.call('DELETE', `/service/v3/auths/${id}`, svc);
    expect(again.status).to.equal(400);
    expect(again.payload).to.include({ error_code: 'SVC-007' });
    expect((await c.call('DELETE', '/service/v3/auths/8c3c0268-f692-11e7-bd2e-7692096aba47', svc)).status).to.equal(
      404,
    );
  });

  it('cancel after an answer: SVC-006', async function () {
    const { id } = await create();
    await emu.respond(id, 'approve');
    expect((await c.call('DELETE', `/service/v3/auths/${id}`, svc)).payload).to.include({ error_code: 'SVC-006' });
  });

  it('busy signal: 409 SVC-005 with auth_request, from_same_service and expires', async function () {
    const { id } = await create();
    const same = await c.call('POST', '/service/v3/auths', svc, { username: 'alice' });
    expect(same.status).to.equal(409);
    expect(same.payload).to.deep.include({ error_code: 'SVC-005' });
    expect((same.payload as { error_data: unknown }).error_data).to.include({
      auth_request: id,
      from_same_service: true,
    });
    const org = new EmulatorClient(emu.url, `org:${IDS.org}`, KEYS.org, 'default', () => emu.now());
    const other = await org.call('POST', '/service/v3/auths', `svc:${IDS.splitSvc}`, { username: 'alice' });
    expect((other.payload as { error_data: Record<string, unknown> }).error_data).to.include({
      from_same_service: false,
    });
    expect((other.payload as { error_data: Record<string, unknown> }).error_data['expires']).to.match(/Z$/);
  });

  it('404 for an unknown user or a user without linked devices', async function () {
    expect((await create({ username: 'nobody' })).res.status).to.equal(404);
    expect((await create({ username: 'nodevice' })).res.status).to.equal(404);
  });

  it('404 for a null username, and for an absent one (Java and .NET leave a null out); ARG-001 for a wrong type', async function () {
    for (const body of [{ username: null }, {}, { username: null, context: 'Log in', policy: { factors: [] } }]) {
      const { res } = await create(body);
      expect(res.status).to.equal(404);
      expect(res.rawBody).to.equal('');
    }
    for (const username of ['', 5, true, ['alice'], { id: 'alice' }]) {
      const { res } = await create({ username });
      expect(res.status).to.equal(400);
      expect(res.payload).to.include({ error_code: 'ARG-001' });
    }
    // Other fields are still checked first.
    expect((await create({ username: null, title: 'x'.repeat(201) })).res.payload).to.include({
      error_code: 'ARG-001',
    });
  });

  for (const [name, body] of [
    ['context over 400 characters', { context: 'x'.repeat(401) }],
    ['title over 200 characters', { title: 'x'.repeat(201) }],
    ['a non-integer ttl', { ttl: 1.5 }],
    ['a non-string push_title', { push_title: 5 }],
    ['one denial reason', { denial_reasons: [{ id: '1', reason: 'r', fraud: true }] }],
    [
      'denial reasons without a non-fraud one',
      {
        denial_reasons: [
          { id: '1', reason: 'r', fraud: true },
          { id: '2', reason: 's', fraud: true },
        ],
      },
    ],
    [
      'duplicate denial reason ids',
      {
        denial_reasons: [
          { id: '1', reason: 'r', fraud: true },
          { id: '1', reason: 's', fraud: false },
        ],
      },
    ],
  ] as const) {
    it(`refuses ${name} with ARG-001`, async function () {
      const { res } = await create({ username: 'alice', ...body });
      expect(res.status).to.equal(400);
      expect(res.payload).to.include({ error_code: 'ARG-001' });
    });
  }

  it('refuses denial reasons for an organization service with ARG-001', async function () {
    const org = new EmulatorClient(emu.url, `svc:${IDS.orgSvc}`, KEYS.svc, 'default', () => emu.now());
    const res = await org.call('POST', '/service/v3/auths', `svc:${IDS.orgSvc}`, {
      username: 'alice',
      denial_reasons: [
        { id: '1', reason: 'r', fraud: true },
        { id: '2', reason: 's', fraud: false },
      ],
    });
    expect(res.payload).to.include({ error_code: 'ARG-001' });
  });

  it('refuses an invalid policy with SVC-002', async function () {
    const { res } = await create({ username: 'alice', policy: { factors: [{ factor: 'teleport' }] } });
    expect(res.payload).to.include({ error_code: 'SVC-002' });
  });

  it('encrypts packages for the requesting entity (org credentials on a directory service)', async function () {
    const org = new EmulatorClient(emu.url, `org:${IDS.org}`, KEYS.org, 'python', () => emu.now());
    const created = await org.call('POST', '/service/v3/auths', svc, { username: 'alice' });
    const id = (created.payload as { auth_request: string }).auth_request;
    await emu.respond(id, 'approve');
    const res = await org.call('GET', `/service/v3/auths/${id}`, svc);
    expect((res.payload as Core).public_key_id).to.equal(loadPrivateKey(KEYS.org).kid);
  });

  it('encrypts to the ENCRYPTION key when an entity has separate keys', async function () {
    const split = new EmulatorClient(emu.url, `svc:${IDS.splitSvc}`, KEYS.svc, 'default', () => emu.now());
    const sent = await split.send('POST', '/service/v3/auths', `svc:${IDS.splitSvc}`, { username: 'alice' });
    expect(sent.status).to.equal(201);
    const header = JSON.parse(Buffer.from(sent.raw.toString().split('.')[0]!, 'base64url').toString()) as {
      kid: string;
      alg: string;
    };
    expect(header).to.include({ kid: loadPrivateKey(KEYS.org).kid, alg: 'RSA-OAEP' });
  });

  it('sessions: start and end for a known user, 404 for an unknown user, end without a session succeeds', async function () {
    expect(
      (await c.call('POST', '/service/v3/sessions', svc, { username: 'alice', auth_request: null })).status,
    ).to.equal(204);
    expect((await c.call('DELETE', '/service/v3/sessions', svc, { username: 'alice' })).status).to.equal(204);
    expect((await c.call('DELETE', '/service/v3/sessions', svc, { username: 'alice' })).status).to.equal(204);
    expect((await c.call('POST', '/service/v3/sessions', svc, { username: 'nobody' })).status).to.equal(404);
    expect((await c.call('DELETE', '/service/v3/sessions', svc, { username: 'nobody' })).status).to.equal(404);
  });
});
