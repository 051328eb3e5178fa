/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
import { expect } from 'chai';

import { ConfigurationError } from '../../lib/errors.js';
import { FAILURE_MESSAGES, Strategy, type PendingRecord } from '../../lib/passport/index.js';
import { eventually } from '../support/assertions.js';
import { buildApp, IDS, KEYS, pendingId, useWorld, userPool } from '../support/passport_app.js';

describe('Strategy push-bombing defences (SECURITY T9)', () => {
  const world = useWorld();
  const user = userPool();

  describe('fraud cooldown', () => {
    it('after a completion with fraud, refuses starts for that username (any case or spacing) with 429 and no push until the cooldown ends', async () => {
      let now = Date.now();
      // The poll service has no webhook: the background poller learns of the fraud report.
      const t = buildApp(world, {
        service: 'poll',
        strategy: { now: () => now, rateLimit: { perUsername: false }, pollInterval: 100 },
      });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'fraud');
      await browser.get('/login/status?wait=10').expect(200);
      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(401);
      expect(done.body.info).to.include({ code: 'fraud', fraud: true });

      const calls = t.apiCalls.length;
      for (const variant of [
        username,
        username.toUpperCase(),
        `  ${username} `,
        username.replace('user', 'ＵＳＥＲ'),
      ]) {
        const refused = await t.browser().post('/login').type('form').send({ username: variant });
        expect(refused.status, variant).to.equal(429);
        expect(refused.body.info).to.deep.equal({
          code: 'rate-limited',
          message: FAILURE_MESSAGES[429],
          retryAfter: 900,
        });
        expect(refused.headers['set-cookie'], variant).to.equal(undefined);
      }
      expect(t.apiCalls.length).to.equal(calls);
      expect(world.emu.auths({ username })).to.have.length(1);

      now += 600_000;
      const later = await t.browser().post('/login').type('form').send({ username });
      expect(later.status).to.equal(429);
      expect(later.body.info.retryAfter).to.equal(300);

      // Other users are not affected.
      await t.browser().post('/login').type('form').send({ username: user() }).expect(202);

      now += 300_000;
      const again = t.browser();
      await again.post('/login').type('form').send({ username }).expect(202);
      expect(world.emu.auths({ username })).to.have.length(2);
      await again.post('/login/cancel').expect(200);
    });

    it('starts on the fraud webhook, even when the browser that started the login never asks again', async () => {
      let now = Date.now();
      const t = buildApp(world, { strategy: { now: () => now } });
      const username = user();
      await t.browser().post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'fraud');
      await world.emu.webhooksSettled();

      const calls = t.apiCalls.length;
      const refused = await t.browser().post('/login').type('form').send({ username });
      expect(refused.status).to.equal(429);
      expect(refused.body.info.code).to.equal('rate-limited');
      expect(t.apiCalls.length).to.equal(calls);
      expect(world.emu.auths({ username })).to.have.length(1);
      now += 900_000;
      await t.browser().post('/login').type('form').send({ username }).expect(202);
    });

    it('retries during the cooldown spend none of the owner’s starts: the first try after it sends a push', async () => {
      let now = Date.now();
      const t = buildApp(world, {
        strategy: { now: () => now, rateLimit: { perIp: false, perUsername: { max: 2, window: 3_600_000 } } },
      });
      const username = user();
      await t.browser().post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'fraud');
      await world.emu.webhooksSettled();
      for (let i = 0; i < 3; i++) {
        const refused = await t.browser().post('/login').type('form').send({ username }).expect(429);
        expect(refused.body.info.retryAfter).to.be.a('number');
      }
      now += 900_000;
      const browser = t.browser();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await browser.post('/login/cancel').expect(200);
    });

    it('starts from the poller in poll mode, even when the browser that started the login never asks again', async () => {
      const t = buildApp(world, { service: 'poll', strategy: { mode: 'poll', pollInterval: 100 } });
      const attacker = t.browser();
      const username = user();
      await attacker.post('/login').type('form').send({ username }).expect(202);
      const id = pendingId(world, username);
      await world.emu.respond(id, 'fraud');
      // The attacker reads nothing; the poller alone learns of the report and starts the cooldown.
      await eventually(async () => (await t.store.get(id))?.status === 'denied', 'the poller to learn the answer');
      expect((await t.browser().post('/login').type('form').send({ username })).status).to.equal(429);
      expect(world.emu.auths({ username })).to.have.length(1);
    });

    it('a plain denial starts no cooldown', async () => {
      const t = buildApp(world);
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'deny');
      await world.emu.webhooksSettled();
      expect((await browser.get('/login/complete')).body.info.code).to.equal('denied');
      const again = t.browser();
      await again.post('/login').type('form').send({ username }).expect(202);
      await again.post('/login/cancel').expect(200);
    });

    it('fraudCooldown: 0 turns it off', async () => {
      const t = buildApp(world, { strategy: { fraudCooldown: 0 } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'fraud');
      await world.emu.webhooksSettled();
      expect((await browser.get('/login/complete')).body.info.code).to.equal('fraud');
      const again = t.browser();
      await again.post('/login').type('form').send({ username }).expect(202);
      await again.post('/login/cancel').expect(200);
    });

    it('needs a limiter with block() and blockedFor() unless fraudCooldown is 0', () => {
      const base = { serviceId: IDS.hook, privateKey: KEYS.svc, baseUrl: world.emu.url };
      const limiter = { hit: () => Promise.resolve({ allowed: true }) };
      const verify = (): Promise<false> => Promise.resolve(false);
      const thrown = ((): unknown => {
        try {
          new Strategy({ ...base, rateLimit: { limiter } }, verify);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(thrown).to.be.instanceOf(ConfigurationError);
      expect((thrown as ConfigurationError).option).to.equal('rateLimit.limiter');
      expect((thrown as Error).message).to.include('fraudCooldown');
      expect(() => new Strategy({ ...base, rateLimit: { limiter }, fraudCooldown: 0 }, verify)).to.not.throw();
      for (const bad of [-1, 1.5, '900', 30 * 86_400 + 1]) {
        expect(() => new Strategy({ ...base, fraudCooldown: bad as number }, verify))
          .to.throw(ConfigurationError)
          .with.property('option', 'fraudCooldown');
      }
      for (const option of ['revealUnknownUsers', 'revealInProgress', 'sameOriginOnly', 'correlationCode']) {
        expect(() => new Strategy({ ...base, [option]: 'yes' }, verify))
          .to.throw(ConfigurationError)
          .with.property('option', option);
      }
    });

    it('keeps the cooldown in a shared limiter given as rateLimit.limiter, with start limits off', async () => {
      const keys: string[] = [];
      const blocks = new Map<string, number>();
      const limiter = {
        hit: () => Promise.resolve({ allowed: true }),
        block: (key: string, ms: number) => {
          keys.push(key);
          blocks.set(key, Date.now() + ms);
          return Promise.resolve();
        },
        blockedFor: (key: string) => Promise.resolve(Math.max(0, (blocks.get(key) ?? 0) - Date.now())),
      };
      const t = buildApp(world, { strategy: { rateLimit: { limiter, perIp: false, perUsername: false } } });
      const browser = t.browser();
      const username = user();
      await browser.post('/login').type('form').send({ username }).expect(202);
      await world.emu.respond(pendingId(world, username), 'fraud');
      await world.emu.webhooksSettled();
      // The user's push id names the same user (docs/security.md, T9): cooled down too.
      const pushId = world.emu.state().users.find((u) => u.identifier === username)?.userPushId ?? '';
      expect(keys).to.deep.equal([`fraud:user:${username}`, `fraud:user:${pushId}`]);
      expect((await t.browser().post('/login').type('form').send({ username })).status).to.equal(429);
    });
  });

  describe('correlation code (on by default)', () => {
    it('appends " · code NN" to the push context and shows the same NN in req.launchkey and the status JSON', async () => {
      const t = buildApp(world, { strategy: { context: 'Sign in to Example from Firefox' } });
      const browser = t.browser();
      const username = user();
      const started = await browser.post('/login').type('form').send({ username });
      expect(started.status).to.equal(202);
      const code = started.body.pending.correlationCode as string;
      expect(code).to.match(/^[1-9]\d$/);
      const [auth] = world.emu.auths({ status: 'pending', username });
      expect(auth?.context).to.equal(`Sign in to Example from Firefox · code ${code}`);
      expect((await browser.get('/login/status')).body).to.include({ status: 'pending', correlationCode: code });
      const record = (await t.store.get(
        ((await browser.get('/me')).body as { launchkey: { pending: { id: string } } }).launchkey.pending.id,
      )) as PendingRecord;
      expect(record.correlationCode).to.equal(code);
      // Reloading the same login sends no new push and keeps the code.
      const reloaded = await browser.post('/login').type('form').send({ username });
      expect(reloaded.body.pending.correlationCode).to.equal(code);
      await browser.post('/login/cancel').expect(200);
    });

    it('draws a new code per attempt', async () => {
      const t = buildApp(world, { strategy: { rateLimit: false } });
      const username = user();
      const codes = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const browser = t.browser();
        const started = await browser.post('/login').type('form').send({ username });
        codes.add(started.body.pending.correlationCode as string);
        // Without a context of the app's, the push says what asked (supertest's agent names no browser).
        expect(world.emu.auths({ status: 'pending', username })[0]?.context).to.match(/^Sign-in request · code \d\d$/);
        await browser.post('/login/cancel').expect(200);
      }
      expect(codes.size).to.be.greaterThan(1);
    });

    it('shortens a long context to fit 400 characters, never splitting a character', async () => {
      const t = buildApp(world, {
        strategy: { context: `${'a'.repeat(388)}😀😀😀😀😀😀` },
      });
      const browser = t.browser();
      const username = user();
      const started = await browser.post('/login').type('form').send({ username });
      expect(started.status).to.equal(202);
      const code = started.body.pending.correlationCode as string;
      const context = world.emu.auths({ status: 'pending', username })[0]?.context ?? '';
      expect(context.length).to.be.at.most(400);
      expect(context).to.equal(`${'a'.repeat(388)}… · code ${code}`);
      await browser.post('/login/cancel').expect(200);
    });

    it('gives a decoy a code too, in the same places', async () => {
      const t = buildApp(world, { strategy: { pendingRedirect: '/login/wait' } });
      const real = t.browser();
      const decoy = t.browser();
      await real.post('/login/std').type('form').send({ username: user() }).expect(303);
      await decoy.post('/login/std').type('form').send({ username: 'nobody-here' }).expect(303);
      const realStatus = (await real.get('/login/status')).body as object;
      const decoyStatus = (await decoy.get('/login/status')).body as object;
      expect(Object.keys(decoyStatus)).to.deep.equal(Object.keys(realStatus));
      expect(decoyStatus)
        .to.have.property('correlationCode')
        .that.matches(/^\d\d$/);
      await real.post('/login/cancel').expect(200);
    });

    it('correlationCode: false turns it off: the context is sent unchanged and no code appears', async () => {
      const t = buildApp(world, { strategy: { context: 'Sign in to Example', correlationCode: false } });
      const browser = t.browser();
      const username = user();
      const started = await browser.post('/login').type('form').send({ username });
      expect(started.body.pending).to.not.have.property('correlationCode');
      expect(world.emu.auths({ status: 'pending', username })[0]?.context).to.equal('Sign in to Example');
      const status = (await browser.get('/login/status')).body as Record<string, unknown>;
      expect(Object.keys(status).sort()).to.deep.equal(['expiresAt', 'status']);
      await browser.post('/login/cancel').expect(200);
    });

    it('says by default what asked for the push: the browser and the system from the User-Agent', async () => {
      const t = buildApp(world, { strategy: { correlationCode: false } });
      const cases: [string, string][] = [
        [
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
          'Sign-in from Chrome on Linux',
        ],
        [
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
          'Sign-in from Safari on iOS',
        ],
        [
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
          'Sign-in from Firefox on Windows',
        ],
        // Never a sentence the requester wrote.
        ['Official Bank Verification - call 555 0100', 'Sign-in request'],
        ['', 'Sign-in request'],
      ];
      for (const [agent, context] of cases) {
        const browser = t.browser();
        const username = user();
        await browser.post('/login').set('User-Agent', agent).type('form').send({ username }).expect(202);
        expect(world.emu.auths({ status: 'pending', username })[0]?.context, agent).to.equal(context);
        await browser.post('/login/cancel').expect(200);
      }
    });
  });
});
