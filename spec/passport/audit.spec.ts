/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * Audit events (docs/security.md, "Audit events"): every outcome the strategy and the webhook path
 * decide, with who, from where and which login, delivered to the application's listener after the
 * decision. Real apps over loopback against the emulator; every wait is on an event's arrival.
 */
import { createHash } from 'node:crypto';

import { expect } from 'chai';

import { AuditListenerError } from '../../lib/errors.js';
import { Auditor, MAX_PENDING } from '../../lib/passport/audit.js';
import { AuthPolicy } from '../../lib/entities/auth_policy.js';
import type { AuditEvent } from '../../lib/passport/index.js';
import { AuditRecorder } from '../support/audit.js';
import {
  buildApp,
  FRAMEWORKS,
  IDS,
  loggedIn,
  pendingId,
  replayWebhook,
  useWorld,
  userPool,
  type AppOptions,
} from '../support/passport_app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const AGENT = 'spec-browser/1.0 (audit)';

/** An event's fields, for chai's `include` and property checks. */
function fields(event: AuditEvent): Record<string, unknown> {
  return event as unknown as Record<string, unknown>;
}

/** The client address of a loopback request, however the framework spells it. */
function loopback(value: unknown): boolean {
  return value === '127.0.0.1' || value === '::ffff:127.0.0.1';
}

for (const framework of FRAMEWORKS) {
  describe(`audit events (${framework})`, () => {
    const world = useWorld();
    const user = userPool();

    /** An app whose strategy records its audit events. */
    function app(options: AppOptions = {}): ReturnType<typeof buildApp> & { audit: AuditRecorder } {
      const audit = new AuditRecorder();
      const t = buildApp(world, {
        framework,
        ...options,
        strategy: { mode: 'webhook', audit: audit.listener, ...options.strategy },
      });
      return Object.assign(t, { audit });
    }

    describe('a login, start to finish', () => {
      it('login.started (with the correlation code), webhook.accepted, login.settled, login.approved: one loginId, who and from where', async () => {
        const t = app();
        const browser = t.browser();
        const username = user();
        const res = await browser.post('/login').set('User-Agent', AGENT).type('form').send({ username }).expect(202);
        const id = pendingId(world, username);

        const started = fields(await t.audit.next('login.started'));
        expect(started).to.include({
          event: 'login.started',
          outcome: 'unknown',
          phase: 'start',
          loginId: id,
          username,
          userAgent: AGENT,
          decoy: false,
          stepUp: false,
          correlationCode: (res.body as { pending: { correlationCode: string } }).pending.correlationCode,
        });
        expect(started['timestamp']).to.match(ISO);
        expect(loopback(started['clientAddress']), String(started['clientAddress'])).to.equal(true);

        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        const accepted = fields(await t.audit.next('webhook.accepted'));
        expect(accepted).to.include({
          outcome: 'success',
          kind: 'authorization-response',
          loginId: id,
          status: 204,
          result: 'completed',
        });
        expect(loopback(accepted['clientAddress'])).to.equal(true);
        expect(fields(await t.audit.next('login.settled'))).to.include({
          outcome: 'success',
          loginId: id,
          username,
          answer: 'approved',
          via: 'webhook',
        });

        await browser.get('/login/complete').set('User-Agent', AGENT).expect(200);
        const approved = fields(await t.audit.next('login.approved'));
        expect(approved).to.include({
          outcome: 'success',
          phase: 'complete',
          loginId: id,
          username,
          userAgent: AGENT,
          serviceUserHash: t.verified[0]?.serviceUserHash,
          stepUp: false,
        });
        expect(t.audit.names()).to.deep.equal(['login.started', 'webhook.accepted', 'login.settled', 'login.approved']);
        // Frozen: a listener cannot change what it was given.
        expect(Object.isFrozen(t.audit.events[0])).to.equal(true);
      });

      it('a reload of the pending start and a completion while pending decide nothing new: no event', async () => {
        const t = app();
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await browser.post('/login').type('form').send({ username }).expect(202);
        await browser.get('/login/complete').expect(202);
        await world.emu.respond(pendingId(world, username), 'deny');
        await world.emu.webhooksSettled();
        await browser.get('/login/complete').expect(401);
        await t.audit.next('login.denied');
        expect(t.audit.names()).to.deep.equal(['login.started', 'webhook.accepted', 'login.settled', 'login.denied']);
      });
    });

    describe("the phone's answers", () => {
      it('a denial: login.settled answer denied, then login.denied with the device reason', async () => {
        const t = app();
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        await world.emu.respond(id, 'deny');
        await world.emu.webhooksSettled();
        expect(fields(await t.audit.next('login.settled'))).to.include({
          outcome: 'failure',
          loginId: id,
          username,
          answer: 'denied',
          reason: 'DISAPPROVED',
        });
        await browser.get('/login/complete').expect(401);
        expect(fields(await t.audit.next('login.denied'))).to.include({
          outcome: 'failure',
          phase: 'complete',
          code: 'denied',
          loginId: id,
          username,
          reason: 'DISAPPROVED',
        });
      });

      it('a fraud report is on record from the webhook even if the browser never returns; the next start is login.rate-limited by the fraud cooldown', async () => {
        const t = app();
        const username = user();
        await t.browser().post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        await world.emu.respond(id, 'fraud');
        await world.emu.webhooksSettled();
        expect(fields(await t.audit.next('login.settled'))).to.include({
          loginId: id,
          username,
          answer: 'fraud',
          reason: 'FRAUDULENT',
        });
        // The one who sent the reported push tries again, from another browser.
        await t.browser().post('/login').type('form').send({ username }).expect(429);
        const cooling = fields(await t.audit.next('login.rate-limited'));
        expect(cooling).to.include({ phase: 'start', code: 'rate-limited', username, limit: 'fraud-cooldown' });
        expect(cooling['retryAfter']).to.be.a('number').and.be.greaterThan(0);
        expect(cooling).to.not.have.property('loginId');
      });

      it('the completion of a fraud report is login.fraud', async () => {
        const t = app();
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'fraud');
        await world.emu.webhooksSettled();
        await browser.get('/login/complete').expect(401);
        expect(fields(await t.audit.next('login.fraud'))).to.include({ code: 'fraud', reason: 'FRAUDULENT', username });
      });

      it('a policy the device cannot meet: login.settled answer policy, then login.policy', async () => {
        const t = app({ strategy: { policy: () => new AuthPolicy({ any: 2, jailbreakProtection: true }) } });
        const browser = t.browser();
        await browser.post('/login').type('form').send({ username: 'rooted' }).expect(202);
        const id = pendingId(world, 'rooted');
        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        expect(fields(await t.audit.next('login.settled'))).to.include({ loginId: id, answer: 'policy' });
        await browser.get('/login/complete').expect(401);
        expect(fields(await t.audit.next('login.policy'))).to.include({
          phase: 'complete',
          code: 'policy',
          reason: 'POLICY',
          username: 'rooted',
        });
      });

      it('an answer learned by the poller is login.settled via poll', async () => {
        const t = app({ service: 'poll', strategy: { mode: 'poll', pollInterval: 100 } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        await world.emu.respond(id, 'approve');
        expect(fields(await t.audit.next('login.settled'))).to.include({
          loginId: id,
          username,
          answer: 'approved',
          via: 'poll',
        });
        expect(t.audit.names()).to.not.include('webhook.accepted');
      });
    });

    describe('expiry and cancel', () => {
      it('a login nobody answered: login.expired at the completion', async () => {
        let now = Date.now();
        const t = app({ strategy: { ttl: 30, now: () => now } });
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        now += 30_000;
        await browser.get('/login/complete').expect(401);
        expect(fields(await t.audit.next('login.expired'))).to.include({ code: 'expired', loginId: id, username });
        // The events are stamped with the strategy's clock.
        expect(Date.parse(t.audit.events.at(-1)?.timestamp ?? '')).to.equal(now);
      });

      it('a cancel: login.settled answer canceled via cancel, from the browser that asked; then login.canceled', async () => {
        const t = app();
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        const id = pendingId(world, username);
        await browser.post('/login/cancel').set('User-Agent', AGENT).expect(200);
        expect(fields(await t.audit.next('login.settled'))).to.include({
          loginId: id,
          username,
          answer: 'canceled',
          via: 'cancel',
          userAgent: AGENT,
        });
        await browser.get('/login/complete').expect(401);
        expect(fields(await t.audit.next('login.canceled'))).to.include({ code: 'canceled', loginId: id });
      });
    });

    describe('decoys (SECURITY T8)', () => {
      it('an unknown user: login.started with decoy: true and a loginId of its own; its cancel and completion say decoy too', async () => {
        const t = app();
        const browser = t.browser();
        await browser.post('/login').type('form').send({ username: 'nobody-here' }).expect(202);
        const started = fields(await t.audit.next('login.started'));
        expect(started).to.include({ username: 'nobody-here', decoy: true });
        expect(started['loginId']).to.match(UUID);
        expect(world.emu.auths({ username: 'nobody-here' })).to.deep.equal([]);
        await browser.post('/login/cancel').expect(200);
        expect(fields(await t.audit.next('login.settled'))).to.include({
          loginId: started['loginId'],
          answer: 'canceled',
          decoy: true,
        });
        await browser.get('/login/complete').expect(401);
        expect(fields(await t.audit.next('login.canceled'))).to.include({
          loginId: started['loginId'],
          decoy: true,
        });
      });
    });

    describe('refusals', () => {
      it('a cross-site start: login.cross-site naming the username the forged form carried, with no loginId', async () => {
        const t = app();
        const username = user();
        await t
          .browser()
          .post('/login')
          .set('Sec-Fetch-Site', 'cross-site')
          .set('User-Agent', AGENT)
          .type('form')
          .send({ username })
          .expect(403);
        const refused = fields(await t.audit.next('login.cross-site'));
        expect(refused).to.include({
          outcome: 'failure',
          phase: 'start',
          code: 'cross-site',
          username,
          userAgent: AGENT,
        });
        expect(refused).to.not.have.property('loginId');
      });

      it('no username, and a username that is refused: neither records a username', async () => {
        const t = app();
        await t.browser().post('/login').type('form').send({}).expect(400);
        expect(fields(await t.audit.next('login.missing-username'))).to.not.have.property('username');
        await t.browser().post('/login').type('form').send({ username: 'evil\u202egnp.exe' }).expect(400);
        const invalid = fields(await t.audit.next('login.invalid-username'));
        expect(invalid).to.include({ code: 'invalid-username' });
        expect(invalid).to.not.have.property('username');
      });

      it('the start limits: login.rate-limited with the limit that refused (username, address) and retryAfter', async () => {
        const byUser = app({ strategy: { rateLimit: { perUsername: { max: 1, window: 60_000 }, perIp: false } } });
        const username = user();
        await byUser.browser().post('/login').type('form').send({ username }).expect(202);
        await byUser.browser().post('/login').type('form').send({ username }).expect(429);
        expect(fields(await byUser.audit.next('login.rate-limited'))).to.include({
          username,
          limit: 'username',
          retryAfter: 60,
        });
        const byAddress = app({ strategy: { rateLimit: { perIp: { max: 1, window: 60_000 }, perUsername: false } } });
        await byAddress.browser().post('/login').type('form').send({ username: user() }).expect(202);
        await byAddress.browser().post('/login').type('form').send({ username: user() }).expect(429);
        expect(fields(await byAddress.audit.next('login.rate-limited'))).to.include({ limit: 'address' });
      });

      it('revealed: login.unknown-user and login.in-progress, the other request’s id never recorded as this one’s', async () => {
        const t = app({ strategy: { revealUnknownUsers: true, revealInProgress: true } });
        await t.browser().post('/login').type('form').send({ username: 'nobody-here' }).expect(401);
        const unknown = fields(await t.audit.next('login.unknown-user'));
        expect(unknown).to.include({ username: 'nobody-here', code: 'unknown-user' });
        expect(unknown).to.not.have.property('loginId');
        const username = user();
        await t.browser().post('/login').type('form').send({ username }).expect(202);
        await t.browser().post('/login').type('form').send({ username }).expect(409);
        const busy = fields(await t.audit.next('login.in-progress'));
        expect(busy).to.include({ username, code: 'in-progress' });
        expect(busy).to.not.have.property('loginId');
      });

      it('verify refuses the user: login.rejected; a fault at the completion: login.error with its code', async () => {
        const refused = app({ verify: () => Promise.resolve(false) });
        const username = user();
        const browser = refused.browser();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        await browser.get('/login/complete').expect(401);
        expect(fields(await refused.audit.next('login.rejected'))).to.include({ code: 'rejected', username });

        const failing = app({ failApi: (call) => call === 'POST /service/v3/sessions' });
        const other = user();
        const second = failing.browser();
        await second.post('/login').type('form').send({ username: other }).expect(202);
        const id = pendingId(world, other);
        await world.emu.respond(id, 'approve');
        await world.emu.webhooksSettled();
        await second.get('/login/complete').expect(500);
        expect(fields(await failing.audit.next('login.error'))).to.include({
          outcome: 'failure',
          phase: 'complete',
          code: 'ERR_LK_NETWORK',
          loginId: id,
          username: other,
        });
      });

      it('a step-up approved for another user than getUsername names: login.user-mismatch', async () => {
        const t = app({ strategy: { getUsername: (req) => req.get('x-acting-user') } });
        const browser = t.browser();
        const first = user();
        await browser.post('/login').set('x-acting-user', first).expect(202);
        expect(fields(await t.audit.next('login.started'))).to.include({ username: first, stepUp: true });
        await world.emu.respond(pendingId(world, first), 'approve');
        await world.emu.webhooksSettled();
        await browser.get('/login/complete').set('x-acting-user', user()).expect(401);
        expect(fields(await t.audit.next('login.user-mismatch'))).to.include({
          username: first,
          code: 'user-mismatch',
        });
      });
    });

    describe('webhooks', () => {
      it('a forged webhook: webhook.refused with its code and 401; an oversized one with 413', async () => {
        const t = app();
        await t
          .browser()
          .post('/webhooks/launchkey')
          .set('Content-Type', 'application/jose')
          .set('X-IOV-JWT', 'not.a.token')
          .send('x')
          .expect(401);
        const refused = fields(await t.audit.next('webhook.refused'));
        expect(refused).to.include({ outcome: 'failure', status: 401, code: 'ERR_LK_JWT_MALFORMED' });
        expect(refused).to.not.have.property('kind');
        await t
          .browser()
          .post('/webhooks/launchkey')
          .set('Content-Type', 'application/jose')
          .send(Buffer.alloc(64 * 1024 + 1, 'a'))
          .expect(413);
        expect(fields(await t.audit.next('webhook.refused', (e) => fields(e)['status'] === 413))).to.include({
          code: 'ERR_LK_PAYLOAD_INVALID',
        });
      });

      it('a replayed webhook: webhook.replayed, and the login is not settled twice', async () => {
        const t = app();
        const browser = t.browser();
        const username = user();
        await browser.post('/login').type('form').send({ username }).expect(202);
        await world.emu.respond(pendingId(world, username), 'approve');
        await world.emu.webhooksSettled();
        await t.audit.next('login.settled');
        const [captured] = t.webhooks;
        await replayWebhook(t.browser(), captured!).expect(204);
        expect(fields(await t.audit.next('webhook.replayed'))).to.include({
          outcome: 'failure',
          status: 204,
          code: 'ERR_LK_JWT_REPLAY',
        });
        expect(t.audit.names().filter((n) => n === 'login.settled')).to.have.length(1);
      });
    });

    describe('logouts', () => {
      it('logout(): logout.launchkey, then logout.local, with who logged out', async () => {
        const t = app();
        const username = user();
        const browser = await loggedIn(world, t, username);
        const hash = t.verified[0]?.serviceUserHash;
        await browser.post('/logout').set('User-Agent', AGENT).expect(204);
        const local = fields(await t.audit.next('logout.local'));
        expect(local).to.include({ outcome: 'success', username, serviceUserHash: hash, userAgent: AGENT });
        expect(fields(await t.audit.next('logout.launchkey'))).to.include({ outcome: 'success', username });
        expect(t.audit.names().slice(-2)).to.deep.equal(['logout.launchkey', 'logout.local']);
      });

      it('endSessionOnLogout(): logout.local comes once the application’s own req.logout() has ended, with its failure', async () => {
        const t = app();
        // On one route, a local logout that fails (a session store that cannot regenerate), under the hook.
        t.app.use('/my-logout-failing', (req, _res, next) => {
          (req as { logout: unknown }).logout = (done: (err?: unknown) => void) => {
            done(new Error('the session store is down'));
          };
          next();
        });
        t.app.use(t.strategy.endSessionOnLogout());
        for (const path of ['/my-logout', '/my-logout-failing']) {
          t.app.post(path, (req, res) => {
            req.logout((err) => {
              res.status(err === undefined || err === null ? 204 : 500).end();
            });
          });
        }
        const username = user();
        const failing = await loggedIn(world, t, username);
        await failing.post('/my-logout-failing').expect(500);
        expect(fields(await t.audit.next('logout.local'))).to.include({ outcome: 'failure', username });
        expect(t.audit.names().slice(-2)).to.deep.equal(['logout.launchkey', 'logout.local']);

        const other = user();
        const browser = await loggedIn(world, t, other);
        await browser.post('/my-logout').expect(204);
        expect(fields(await t.audit.next('logout.local', (e) => fields(e)['username'] === other))).to.include({
          outcome: 'success',
        });
      });

      it('a logout from the phone: logout.phone from the session-end webhook, logout.revoked when the guard applies it', async () => {
        const t = app();
        const username = user();
        const browser = await loggedIn(world, t, username);
        const hash = t.verified[0]?.serviceUserHash;
        world.emu.endSession(IDS.hook, username);
        await world.emu.webhooksSettled();
        expect(fields(await t.audit.next('webhook.accepted', (e) => fields(e)['kind'] === 'session-end'))).to.include({
          status: 204,
        });
        const phone = fields(await t.audit.next('logout.phone'));
        expect(phone).to.include({ outcome: 'success', serviceUserHash: hash });
        expect(phone).to.not.have.property('username');
        await browser.get('/me').set('User-Agent', AGENT).expect(200);
        expect(fields(await t.audit.next('logout.revoked'))).to.include({
          username,
          serviceUserHash: hash,
          userAgent: AGENT,
        });
      });
    });
  });
}

describe('audit delivery: nothing a listener does breaks or slows a login', () => {
  const world = useWorld();
  const user = userPool();

  it('a throwing listener: every login completes, and onError hears of it once, as AuditListenerError threw', async () => {
    const errors: unknown[] = [];
    const calls = new AuditRecorder();
    const t = buildApp(world, {
      strategy: {
        mode: 'webhook',
        audit: (event) => {
          calls.listener(event);
          throw new Error('the log shipper is down');
        },
        onError: (err) => errors.push(err),
      },
    });
    for (const username of [user(), user()]) {
      await (await loggedIn(world, t, username)).get('/me').expect(200);
      await calls.next('login.approved', (e) => e.username === username);
    }
    expect(calls.names().filter((n) => n === 'login.approved')).to.have.length(2);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.be.instanceOf(AuditListenerError);
    expect(errors[0]).to.include({ failure: 'threw', code: 'ERR_LK_AUDIT_LISTENER' });
    expect((errors[0] as Error).cause).to.have.property('message', 'the log shipper is down');
  });

  it('a rejecting listener is reported once, as rejected; one that never settles holds no login back', async () => {
    const errors: unknown[] = [];
    let reported!: () => void;
    const first = new Promise<void>((resolve) => (reported = resolve));
    const rejecting = buildApp(world, {
      strategy: {
        mode: 'webhook',
        audit: () => Promise.reject(new Error('refused')),
        onError: (err) => {
          errors.push(err);
          reported();
        },
      },
    });
    await loggedIn(world, rejecting, user());
    await first;
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ failure: 'rejected' });

    const calls = new AuditRecorder();
    const hanging = buildApp(world, {
      strategy: {
        mode: 'webhook',
        audit: (event) => {
          calls.listener(event);
          return new Promise(() => undefined);
        },
      },
    });
    const username = user();
    const browser = await loggedIn(world, hanging, username);
    expect((await browser.get('/me')).body.user.username).to.equal(username);
    await calls.next('login.approved');
  });

  it('auditUsername maps every username it records; one that throws leaves the username out and is reported once', async () => {
    const hashed = (name: string): string => createHash('sha256').update(`spec key:${name}`).digest('hex').slice(0, 16);
    const recorder = new AuditRecorder();
    const mapped = buildApp(world, {
      strategy: { mode: 'webhook', audit: recorder.listener, auditUsername: hashed },
    });
    const username = user();
    await (await loggedIn(world, mapped, username)).post('/logout').expect(204);
    await recorder.next('logout.local');
    const named = recorder.events.filter((e) => e.username !== undefined);
    expect(named.map((e) => e.event)).to.include.members(['login.started', 'login.approved', 'logout.local']);
    for (const event of named) expect(event.username).to.equal(hashed(username));
    expect(JSON.stringify(recorder.events)).to.not.include(username);

    const errors: unknown[] = [];
    const failing = new AuditRecorder();
    const throwing = buildApp(world, {
      strategy: {
        mode: 'webhook',
        audit: failing.listener,
        auditUsername: () => {
          throw new Error('no key');
        },
        onError: (err) => errors.push(err),
      },
    });
    const other = user();
    await throwing.browser().post('/login').type('form').send({ username: other }).expect(202);
    const started = await failing.next('login.started');
    expect(started).to.not.have.property('username');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ failure: 'username' });
  });
});

describe('Auditor', () => {
  it('gives a listener whose promises never settle at most MAX_PENDING events, then drops them and reports it once', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const auditor = new Auditor({
      listener: () => {
        calls += 1;
        return new Promise(() => undefined);
      },
      username: undefined,
      onError: (err) => errors.push(err),
      now: () => 0,
    });
    for (let i = 0; i < MAX_PENDING + 5; i++) {
      auditor.emit({ event: 'logout.local', outcome: 'success' });
    }
    // Delivery happens on later turns of the event loop: wait for the last one to have run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).to.equal(MAX_PENDING);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ failure: 'backlog' });
  });

  it('calls the listener after the emitting code has gone on, never inside it', async () => {
    const seen: string[] = [];
    const auditor = new Auditor({
      listener: (event) => seen.push(event.event),
      username: undefined,
      onError: () => undefined,
      now: Date.now,
    });
    auditor.emit({ event: 'logout.local', outcome: 'success' });
    expect(seen).to.deep.equal([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).to.deep.equal(['logout.local']);
  });
});
