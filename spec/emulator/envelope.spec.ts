import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { verifyToken } from '../../lib/crypto/jws.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { baseConfig, EmulatorClient, IDS, KEYS } from '../support/emulator_client.js';

const svc = `svc:${IDS.dirSvc}`;

describe('emulator envelope and lifecycle', function () {
  let emu: Emulator;
  const client = (flavor: 'python' | 'java' | 'default' = 'default', issuer = svc, key = KEYS.svc) =>
    new EmulatorClient(emu.url, issuer, key, flavor, () => emu.now());

  before(async function () {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
  });
  after(async function () {
    await emu.close();
  });

  it('listens on 127.0.0.1 with a free port by default', function () {
    expect(emu.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('ping answers api_time in whole seconds with Z', async function () {
    const res = await fetch(`${emu.url}/public/v3/ping`);
    const body = (await res.json()) as { api_time: string };
    expect(res.status).to.equal(200);
    expect(body.api_time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('public-key answers the PEM as text with X-IOV-KEY-ID, also by kid', async function () {
    const kid = loadPrivateKey(KEYS.api).kid;
    for (const path of ['/public/v3/public-key', `/public/v3/public-key/${kid}`]) {
      const res = await fetch(`${emu.url}${path}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('x-iov-key-id')).to.equal(kid);
      expect(await res.text()).to.contain('-----BEGIN PUBLIC KEY-----');
    }
  });

  it('public-key/{kid} answers 404 for an unknown kid', async function () {
    const res = await fetch(`${emu.url}/public/v3/public-key/00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff`);
    expect(res.status).to.equal(404);
  });

  it('unknown routes answer 404', async function () {
    expect((await fetch(`${emu.url}/nope`)).status).to.equal(404);
    expect((await fetch(`${emu.url}/service/v3/auths`, { method: 'PUT' })).status).to.equal(404);
  });

  for (const flavor of ['python', 'java', 'default'] as const) {
    it(`accepts a request built the ${flavor} SDK way and answers a full signed envelope`, async function () {
      const res = await client(flavor).call('POST', '/service/v3/auths', svc, { username: 'alice' });
      expect(res.status).to.equal(201);
      expect(res.headers['content-type']).to.equal('application/jose');
      expect(res.headers).not.to.have.property('cache-control');
      expect(res.headers).not.to.have.property('location');
      const claims = res.opened.claims;
      expect(claims.iss).to.equal('lka');
      expect(claims.aud).to.equal(svc);
      expect(claims.sub).to.equal(svc);
      expect(claims.exp - claims.iat).to.equal(5);
      expect(claims.nbf).to.equal(claims.iat);
      expect(claims.response).to.include({ status: 201, func: 'S256' });
      const id = (res.payload as { auth_request: string }).auth_request;
      await emu.respond(id, 'deny');
    });
  }

  it('signs the response with a kid that resolves, and echoes jti', async function () {
    const c = client();
    const sent = await c.send('GET', `/service/v3/auths/${IDS.org}`, svc);
    expect(sent.status).to.equal(204);
    const { header, claims } = await verifyToken(sent.headers['x-iov-jwt']!, {
      resolveKey: (kid) => c.apiKey(kid),
      audience: svc,
      now: emu.now(),
    });
    expect(header.kid).to.equal(emu.apiKeyId);
    expect(claims.jti).to.equal(sent.jti);
    expect(claims.response).to.deep.equal({ status: 204 });
  });

  for (const hashFunc of ['S384', 'S512'] as const) {
    it(`accepts a body hashed with ${hashFunc}`, async function () {
      const sent = await client('python').send(
        'DELETE',
        '/service/v3/sessions',
        svc,
        { username: 'alice' },
        { hashFunc },
      );
      expect(sent.status).to.equal(204);
    });
  }

  it('accepts a body on DELETE and ignores Content-Type', async function () {
    const res = await client('java').call('DELETE', '/service/v3/sessions', svc, { username: 'alice' });
    expect(res.status).to.equal(204);
  });

  describe('refusals', function () {
    const refused = async (tamper: Parameters<EmulatorClient['send']>[4], expected: number, c = client()) => {
      const sent = await c.send('POST', '/service/v3/sessions', svc, { username: 'alice' }, tamper);
      expect(sent.status).to.equal(expected);
      expect(sent.raw.length).to.equal(0);
      return sent;
    };

    it('answers 401 with an empty body but a signed X-IOV-JWT addressed to the claimed issuer', async function () {
      const sent = await refused({ badSignature: true }, 401);
      const { claims } = await verifyToken(sent.headers['x-iov-jwt']!, {
        resolveKey: (kid) => client().apiKey(kid),
        audience: svc,
        now: emu.now(),
      });
      expect(claims.response).to.deep.equal({ status: 401 });
      expect(claims.jti).to.equal(sent.jti);
    });
    it('refuses a bad signature under the right kid with 401', async function () {
      const spoof = { ...loadPrivateKey(KEYS.org), kid: loadPrivateKey(KEYS.svc).kid };
      await refused({ signWith: spoof }, 401);
    });
    it('refuses a kid that is not a key of the issuer with 401', async function () {
      await refused({ signWith: loadPrivateKey(KEYS.dir) }, 401);
    });
    it('refuses a request signed with an ENCRYPTION-only key with 401', async function () {
      const c = client('default', `svc:${IDS.encOnlySvc}`);
      const sent = await c.send('POST', '/service/v3/sessions', `svc:${IDS.encOnlySvc}`, { username: 'alice' });
      expect(sent.status).to.equal(401);
    });
    it('refuses an expired token with 401', async function () {
      await refused({ claims: (c) => Object.assign(c, { iat: c.iat - 60, nbf: c.nbf - 60, exp: c.exp - 60 }) }, 401);
    });
    it('accepts a token a few seconds off the emulator clock', async function () {
      const sent = await client().send(
        'POST',
        '/service/v3/sessions',
        svc,
        { username: 'alice' },
        {
          claims: (c) => Object.assign(c, { iat: c.iat + 3, nbf: c.nbf + 3, exp: c.exp + 3 }),
        },
      );
      expect(sent.status).to.equal(204);
    });
    it('refuses a token whose path is not the requested path with 401', async function () {
      await refused(
        { sentPath: '/service/v3/sessions?x=1', claims: (c) => (c.request!.path = '/service/v3/session') },
        401,
      );
    });
    it('refuses a token whose method is not the request method with 401', async function () {
      await refused({ sentMethod: 'DELETE' }, 401);
    });
    it('refuses a body whose hash does not match with 401', async function () {
      await refused({ claims: (c) => (c.request!.hash = '0'.repeat(64)) }, 401);
    });
    it('refuses a body without func/hash with 401', async function () {
      await refused(
        {
          claims: (c) => {
            delete c.request!.func;
            delete c.request!.hash;
          },
        },
        401,
      );
    });
    it('refuses a wrong audience with 401', async function () {
      await refused({ claims: (c) => (c.aud = 'lkb') }, 401);
    });
    it('refuses an issuer that is not entitled to the subject with 403', async function () {
      const c = client('default', `org:${IDS.otherOrg}`, KEYS.dir);
      const sent = await c.send('POST', '/service/v3/sessions', svc, { username: 'alice' });
      expect(sent.status).to.equal(403);
      expect(sent.raw.length).to.equal(0);
    });
    it('lets an organization act for its directory services and a directory for its services', async function () {
      for (const c of [client('default', `org:${IDS.org}`, KEYS.org), client('python', `dir:${IDS.dir}`, KEYS.dir)]) {
        const res = await c.call('DELETE', '/service/v3/sessions', svc, { username: 'alice' });
        expect(res.status).to.equal(204);
        expect(res.opened.claims.aud).to.equal(c.issuer);
      }
    });
    it('refuses a subject of the wrong family with 403', async function () {
      const c = client('default', `org:${IDS.org}`, KEYS.org);
      expect((await c.send('POST', '/service/v3/sessions', `org:${IDS.org}`, { username: 'alice' })).status).to.equal(
        403,
      );
    });
    it('refuses a missing or garbage Authorization with 401 and keeps serving', async function () {
      for (const authorization of ['', 'Bearer x', 'IOV-JWT garbage', 'IOV-JWT a.b.c']) {
        const res = await fetch(`${emu.url}/service/v3/sessions`, {
          method: 'POST',
          headers: { Authorization: authorization },
          body: 'x',
        });
        expect(res.status).to.equal(401);
        expect(res.headers.get('x-iov-jwt')).to.be.a('string');
      }
    });
  });

  it('answers ARG-001 for a body that is not a JWE to the API key, without crashing', async function () {
    const res = await client().call('POST', '/service/v3/sessions', svc, undefined, {});
    expect(res.status).to.equal(400);
    const bad = await client().call('POST', '/service/v3/auths', svc, undefined, {
      sentBody: 'not-a-jwe',
      claims: (c) =>
        (c.request = {
          meth: 'POST',
          path: '/service/v3/auths',
          func: 'S256',
          hash: createHash('sha256').update('not-a-jwe').digest('hex'),
        }),
    });
    expect(bad.status).to.equal(400);
    expect(bad.payload).to.include({ error_code: 'ARG-001' });
  });

  it('refuses a huge body and keeps serving', async function () {
    const status = await new Promise<number | string>((resolve) => {
      const req = httpRequest(`${emu.url}/service/v3/auths`, {
        method: 'POST',
        headers: { 'Content-Length': String(5 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (err) => {
        resolve(err.message);
      });
      req.write(Buffer.alloc(2 * 1024 * 1024, 97));
    });
    expect(status).to.satisfy((s: unknown) => s === 413 || typeof s === 'string');
    expect((await fetch(`${emu.url}/public/v3/ping`)).status).to.equal(200);
  });

  it('closes cleanly with keep-alive connections open', async function () {
    const other = await startEmulator({ apiPrivateKey: KEYS.api });
    await fetch(`${other.url}/public/v3/ping`, { keepalive: true });
    await other.close();
    const error = await fetch(`${other.url}/public/v3/ping`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
  });
});
