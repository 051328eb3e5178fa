/* eslint-disable @typescript-eslint/no-unsafe-member-access -- supertest's res.body is parsed JSON (any); the assertions check its shape */
/**
 * No secret in an audit event, a span or a metric (docs/security.md, "Audit events", T16): a run of
 * logins, refusals, webhooks and logouts records everything secret that went by (the service's
 * private key, every request and answer token and body on the API, every webhook's token and body,
 * every session id and cookie, every login handle), then searches every recorded event, span and
 * metric point for each of them.
 */
import axios from 'axios';
import { expect } from 'chai';

import {
  KEYS,
  IDS,
  buildApp,
  loggedIn,
  pendingId,
  replayWebhook,
  useWorld,
  userPool,
} from '../support/passport_app.js';
import { AuditRecorder, registerTelemetry, type Telemetry } from '../support/audit.js';

/** The pieces of a compact token or JWE worth searching for (the longer segments). */
function pieces(value: string): string[] {
  const parts = value.split(/[.\s]+/).filter((p) => p.length >= 16);
  return [value, ...parts];
}

describe('audit events, spans and metrics hold no secret', () => {
  const world = useWorld();
  const user = userPool();
  let otel: Telemetry;

  before(() => {
    otel = registerTelemetry();
  });
  after(async () => {
    await otel.close();
  });

  it('never a token, a key, a body, a session id or a login handle, across logins, refusals, webhooks and logouts', async () => {
    const secrets = new Set<string>();
    const keep = (value: unknown): void => {
      if (typeof value === 'string' && value.length >= 16) for (const p of pieces(value)) secrets.add(p);
      else if (Buffer.isBuffer(value) && value.length >= 16) keep(value.toString('latin1'));
    };
    // The service's private key, line by line (a PEM's body lines are 64 characters of base64).
    for (const line of KEYS.svc.split('\n')) if (!line.startsWith('-----')) keep(line);

    // Everything the strategy sends to the API and gets back.
    const api = axios.create();
    api.interceptors.request.use((cfg) => {
      keep(cfg.headers.get('Authorization'));
      keep(cfg.data);
      return cfg;
    });
    api.interceptors.response.use((res) => {
      keep(res.headers['x-iov-jwt']);
      keep(Buffer.from(res.data as ArrayBuffer));
      return res;
    });

    const audit = new AuditRecorder();
    const t = buildApp(world, {
      transport: { axios: api },
      strategy: { audit: audit.listener, revealUnknownUsers: false },
    });
    const cookies = (res: { headers: Record<string, unknown> }): void => {
      const set = res.headers['set-cookie'];
      for (const cookie of Array.isArray(set) ? (set as string[]) : []) {
        const value = decodeURIComponent(cookie.split(';')[0]?.split('=')[1] ?? '');
        keep(value);
        // The session id inside a signed cookie (s:<id>.<signature>).
        keep(/^s:([^.]+)\./.exec(value)?.[1]);
      }
    };
    const me = async (browser: ReturnType<typeof t.browser>): Promise<void> => {
      const res = await browser.get('/me');
      keep(res.body.sessionID);
      keep(res.body.launchkey?.pending?.handle);
    };

    // An approved login, then a logout, then one ended from the phone.
    const username = user();
    const browser = t.browser();
    cookies(await browser.post('/login').type('form').send({ username }).expect(202));
    await me(browser);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    cookies(await browser.get('/login/complete').expect(200));
    await me(browser);
    cookies(await browser.post('/logout').expect(204));
    const other = user();
    const phone = await loggedIn(world, t, other);
    await me(phone);
    world.emu.endSession(IDS.hook, other);
    await world.emu.webhooksSettled();
    await me(phone);
    // A denial, a decoy, a cross-site start, a forged webhook and a replayed one.
    const denied = user();
    const third = t.browser();
    cookies(await third.post('/login').type('form').send({ username: denied }).expect(202));
    await me(third);
    await world.emu.respond(pendingId(world, denied), 'deny');
    await world.emu.webhooksSettled();
    await third.get('/login/complete').expect(401);
    const decoy = t.browser();
    cookies(await decoy.post('/login').type('form').send({ username: 'nobody-here' }).expect(202));
    await me(decoy);
    await t.browser().post('/login').set('Sec-Fetch-Site', 'cross-site').type('form').send({ username }).expect(403);
    await t
      .browser()
      .post('/webhooks/launchkey')
      .set('Content-Type', 'application/jose')
      .set('X-IOV-JWT', 'forged.token.value-with-some-length')
      .send('a forged body that is long enough')
      .expect(401);
    keep('forged.token.value-with-some-length');
    keep('a forged body that is long enough');
    await replayWebhook(t.browser(), t.webhooks[0]!).expect(204);
    for (const hook of t.webhooks) {
      keep(hook.body);
      keep(hook.headers['x-iov-jwt']);
    }
    await audit.next('webhook.replayed');
    await audit.next('logout.phone');

    // What was recorded, all of it.
    const spans = otel.spans();
    const points = (await otel.metrics()).flatMap((m) => m.dataPoints.map((p) => p.attributes));
    expect(audit.names()).to.include.members([
      'login.started',
      'webhook.accepted',
      'login.settled',
      'login.approved',
      'logout.launchkey',
      'logout.local',
      'logout.phone',
      'login.denied',
      'login.cross-site',
      'webhook.refused',
      'webhook.replayed',
    ]);
    expect(spans.map((s) => s.name)).to.include.members(['POST /service/v3/auths', 'launchkey.webhook']);
    expect(secrets.size).to.be.greaterThan(40);
    const recorded = [
      ...audit.events.map((e) => JSON.stringify(e)),
      ...spans.map((s) =>
        JSON.stringify({ name: s.name, attributes: s.attributes, events: s.events, status: s.status }),
      ),
      ...points.map((a) => JSON.stringify(a)),
    ];
    const leaks: string[] = [];
    for (const text of recorded) {
      for (const secret of secrets)
        if (text.includes(secret)) leaks.push(`${secret.slice(0, 24)}… in ${text.slice(0, 80)}`);
    }
    expect(leaks).to.deep.equal([]);
  });
});
