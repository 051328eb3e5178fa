import { expect } from 'chai';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { startEmulator, type Emulator, type EmulatorConfig, type KeyType } from '../../lib/emulator/index.js';
import { JweDecryptionError } from '../../lib/errors.js';
import { EmulatorClient, KEYS, publicPem } from '../support/emulator_client.js';
import { startReceiver, type Receiver } from '../support/webhook_receiver.js';

/**
 * The official SDKs' single-purpose-keys integration scenario: one organization holds a
 * dual-purpose key (its usual one), a signature-only key and an encryption-only key. Every order of
 * adding them is checked, since "newest key wins" rules pass some orders by luck.
 */
const ORG = '5e1f0000-0000-4000-8000-000000000001';
const DIR = '5e1f0000-0000-4000-8000-000000000002';
const SVC = '5e1f0000-0000-4000-8000-000000000003';
const org = `org:${ORG}`;
const svc = `svc:${SVC}`;

const KEY = {
  dual: { pem: KEYS.org, keyType: 0 as KeyType },
  signature: { pem: KEYS.dir, keyType: 2 as KeyType },
  encryption: { pem: KEYS.svc, keyType: 1 as KeyType },
};
type Role = keyof typeof KEY;
const kid = (role: Role) => loadPrivateKey(KEY[role].pem).kid;

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function config(order: readonly Role[], callbackUrl: string): EmulatorConfig {
  return {
    organizations: [
      {
        id: ORG,
        name: 'Org',
        publicKeys: order.map((role) => ({ pem: publicPem(KEY[role].pem), keyType: KEY[role].keyType })),
      },
    ],
    directories: [
      {
        id: DIR,
        organizationId: ORG,
        name: 'Dir',
        publicKeys: [{ pem: publicPem(KEYS.dir) }],
        webhookUrl: `${callbackUrl}/directory`,
      },
    ],
    services: [{ id: SVC, directoryId: DIR, name: 'Svc', publicKeys: [{ pem: publicPem(KEYS.svc) }], callbackUrl }],
    users: [{ directoryId: DIR, identifier: 'alice', devices: [{ name: 'phone' }] }],
  };
}

/** The `kid` of a compact JWE's protected header. */
function jweKid(compact: string): string {
  const header = JSON.parse(Buffer.from(compact.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    kid: string;
  };
  return header.kid;
}

describe('emulator response encryption key, chosen per request', function () {
  let emu: Emulator;
  let rx: Receiver;
  /** An organization client signing with the first of `roles` and holding all of them. */
  const client = (...roles: Role[]) =>
    new EmulatorClient(
      emu.url,
      org,
      roles.map((r) => KEY[r].pem),
      'python',
      () => emu.now(),
    );

  beforeEach(async function () {
    rx = await startReceiver();
  });
  afterEach(async function () {
    await emu.close();
    await rx.close();
  });

  for (const order of permutations<Role>(['dual', 'signature', 'encryption'])) {
    describe(`keys added ${order.join(', ')}`, function () {
      beforeEach(async function () {
        emu = await startEmulator({ config: config(order, `${rx.url}/hook`), apiPrivateKey: KEYS.api });
      });

      it('answers a request signed with the dual-purpose key encrypted to that key', async function () {
        const res = await client('dual').call('GET', '/organization/v3/directories', org);
        expect(res.status).to.equal(200);
        expect(jweKid(res.rawBody)).to.equal(kid('dual'));
        expect(res.payload).to.be.an('array').with.length(1);
      });

      it('answers a request signed with the signature-only key encrypted to the encryption-only key', async function () {
        const res = await client('signature', 'encryption').call('GET', '/organization/v3/directories', org);
        expect(res.status).to.equal(200);
        expect(jweKid(res.rawBody)).to.equal(kid('encryption'));
        expect(res.payload).to.be.an('array').with.length(1);
        // The scenario "Using signature key with no encryption key": nothing the client holds opens it.
        const error = await client('signature')
          .call('GET', '/organization/v3/directories', org)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).to.be.instanceOf(JweDecryptionError).with.property('code', 'ERR_LK_JWE_KEY_NOT_FOUND');
      });

      it('encrypts the device-link webhook to the key picked by the link request', async function () {
        for (const [signer, expected] of [
          [['dual'], 'dual'],
          [['signature', 'encryption'], 'encryption'],
        ] as const) {
          const linked = await client(...signer).call('POST', '/directory/v3/devices', `dir:${DIR}`, {
            identifier: `user-${expected}`,
          });
          await emu.linkDevice({ code: (linked.payload as { code: string }).code });
          await emu.webhooksSettled();
          const hook = rx.deliveries.shift();
          expect(hook?.path).to.equal('/hook/directory');
          expect(jweKid(hook?.body.toString('latin1') ?? '')).to.equal(kid(expected));
        }
      });

      it('refuses a request signed with the encryption-only key with 401', async function () {
        const sent = await client('encryption').send('GET', '/organization/v3/directories', org);
        expect(sent.status).to.equal(401);
      });

      it('encrypts the auth packages and the auth webhook to the key picked by the create request', async function () {
        for (const [signer, expected] of [
          [['dual'], 'dual'],
          [['signature', 'encryption'], 'encryption'],
        ] as const) {
          const c = client(...signer);
          const created = await c.call('POST', '/service/v3/auths', svc, { username: 'alice' });
          const id = (created.payload as { auth_request: string }).auth_request;
          await emu.respond(id, 'approve');
          const polled = await c.call('GET', `/service/v3/auths/${id}`, svc);
          const core = polled.payload as { public_key_id: string; auth_jwe: string };
          expect(core.public_key_id).to.equal(kid(expected));
          expect(jweKid(core.auth_jwe)).to.equal(kid(expected));
          await emu.webhooksSettled();
          const hook = rx.deliveries.shift();
          expect(jweKid(hook?.body.toString('latin1') ?? '')).to.equal(kid(expected));
        }
      });
    });
  }

  it('falls back to the newest dual-purpose key for a signature-only signer when there is no encryption-only key', async function () {
    const cfg = config(['signature', 'dual'], `${rx.url}/hook`);
    emu = await startEmulator({ config: cfg, apiPrivateKey: KEYS.api });
    const res = await client('signature', 'dual').call('GET', '/organization/v3/directories', org);
    expect(jweKid(res.rawBody)).to.equal(kid('dual'));
  });
});
