/**
 * Metrics and spans through OpenTelemetry's API (docs/architecture.md, "Telemetry"), read with the
 * SDK's in-memory exporters registered as the global providers: what an application with an SDK
 * gets, and that nothing in it names a user or holds an id where it would multiply the series.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';

import { counted, pointsOf, registerTelemetry, type Telemetry } from '../support/audit.js';
import { buildApp, loggedIn, pendingId, useWorld, userPool } from '../support/passport_app.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The attributes a metric point may carry: bounded ones only. */
const METRIC_ATTRIBUTES = new Set([
  'launchkey.event',
  'launchkey.outcome',
  'error.type',
  'launchkey.phase',
  'launchkey.decoy',
  'launchkey.limit',
  'launchkey.answer',
  'launchkey.via',
  'launchkey.webhook.kind',
  'http.response.status_code',
  'http.request.method',
  'url.template',
  'server.address',
  'server.port',
  'launchkey.api.error_code',
]);

describe('telemetry through OpenTelemetry (in-memory exporters)', () => {
  const world = useWorld();
  const user = userPool();
  let otel: Telemetry;

  beforeEach(() => {
    otel = registerTelemetry();
  });
  afterEach(async () => {
    await otel.close();
  });

  const spanNamed = (name: string): ReadableSpan[] => otel.spans().filter((s) => s.name === name);

  it('counts every audit event in launchkey.events by name, also without an audit listener, and never by who or which login', async () => {
    const t = buildApp(world, { strategy: { mode: 'webhook' } });
    const username = user();
    await (await loggedIn(world, t, username)).post('/logout').expect(204);
    await t.browser().post('/login').set('Sec-Fetch-Site', 'cross-site').type('form').send({ username }).expect(403);
    const all = await otel.metrics();
    for (const event of ['login.started', 'webhook.accepted', 'login.settled', 'login.approved', 'logout.local']) {
      expect(counted(all, 'launchkey.events', { 'launchkey.event': event }), event).to.equal(1);
    }
    expect(
      counted(all, 'launchkey.events', {
        'launchkey.event': 'login.cross-site',
        'launchkey.outcome': 'failure',
        'error.type': 'cross-site',
      }),
    ).to.equal(1);
    expect(
      counted(all, 'launchkey.events', { 'launchkey.event': 'login.settled', 'launchkey.answer': 'approved' }),
    ).to.equal(1);
    for (const name of ['launchkey.events', 'launchkey.api.request.duration']) {
      for (const point of pointsOf(all, name)) {
        expect(
          Object.keys(point.attributes).filter((k) => !METRIC_ATTRIBUTES.has(k)),
          name,
        ).to.deep.equal([]);
        expect(JSON.stringify(point.attributes)).to.not.include(username).and.not.match(UUID);
      }
    }
  });

  it('records the approve-to-login time: from the answer being recorded to the completion that logged in', async () => {
    let now = Date.now();
    const t = buildApp(world, { strategy: { mode: 'webhook', now: () => now } });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    await world.emu.respond(pendingId(world, username), 'approve');
    await world.emu.webhooksSettled();
    now += 1500;
    await browser.get('/login/complete').expect(200);
    const [point] = pointsOf(await otel.metrics(), 'launchkey.login.approve_to_login.duration');
    expect(point?.value).to.include({ count: 1, sum: 1.5 });
  });

  it('spans each API call as METHOD /template (no id) with its status; the poll’s span names its login; the duration histogram is by route and status', async () => {
    const t = buildApp(world, { service: 'poll', strategy: { mode: 'poll', pollInterval: 100 } });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    const id = pendingId(world, username);
    await world.emu.respond(id, 'approve');
    await browser.get('/login/status?wait=10').expect(200);
    await browser.get('/login/complete').expect(200);

    const [start] = spanNamed('POST /service/v3/auths');
    expect(start?.attributes).to.include({
      'http.request.method': 'POST',
      'url.template': '/service/v3/auths',
      'server.address': '127.0.0.1',
    });
    expect(start?.attributes['http.response.status_code']).to.be.a('number').within(200, 299);
    const polls = spanNamed('GET /service/v3/auths/{id}');
    expect(polls).to.not.be.empty;
    for (const poll of polls) {
      expect(poll.attributes).to.include({ 'url.template': '/service/v3/auths/{id}', 'launchkey.login_id': id });
    }
    expect(spanNamed('POST /service/v3/sessions')).to.have.length(1);
    for (const span of otel.spans()) expect(span.name).to.not.match(UUID);

    const durations = pointsOf(await otel.metrics(), 'launchkey.api.request.duration');
    const routes = durations.map(
      (p) => `${String(p.attributes['http.request.method'])} ${String(p.attributes['url.template'])}`,
    );
    expect(routes).to.include.members([
      'POST /service/v3/auths',
      'GET /service/v3/auths/{id}',
      'POST /service/v3/sessions',
    ]);
    for (const point of durations) expect(point.attributes['http.response.status_code']).to.be.a('number');
  });

  it('an API refusal: the span is an error with the error code, the API’s own code and the status', async () => {
    const t = buildApp(world, { strategy: { mode: 'webhook', revealUnknownUsers: true } });
    await t.browser().post('/login').type('form').send({ username: 'nobody-here' }).expect(401);
    const [span] = spanNamed('POST /service/v3/auths');
    expect(span?.status.code).to.equal(2); // SpanStatusCode.ERROR
    expect(span?.attributes).to.include({ 'error.type': 'ERR_LK_ENTITY_NOT_FOUND', 'http.response.status_code': 404 });
    const [point] = pointsOf(await otel.metrics(), 'launchkey.api.request.duration').filter(
      (p) => p.attributes['error.type'] === 'ERR_LK_ENTITY_NOT_FOUND',
    );
    expect(point?.attributes).to.include({ 'url.template': '/service/v3/auths', 'http.response.status_code': 404 });
  });

  it('spans each webhook as launchkey.webhook: the event, kind, login, status, sender; a refused one is an error with its code', async () => {
    const t = buildApp(world, { strategy: { mode: 'webhook' } });
    const browser = t.browser();
    const username = user();
    await browser.post('/login').type('form').send({ username }).expect(202);
    const id = pendingId(world, username);
    await world.emu.respond(id, 'approve');
    await world.emu.webhooksSettled();
    await t
      .browser()
      .post('/webhooks/launchkey')
      .set('Content-Type', 'application/jose')
      .set('User-Agent', 'forger/1.0')
      .set('X-IOV-JWT', 'not.a.token')
      .send('x')
      .expect(401);
    const [accepted, refused] = spanNamed('launchkey.webhook');
    expect(accepted?.attributes).to.include({
      'launchkey.event': 'webhook.accepted',
      'launchkey.webhook.kind': 'authorization-response',
      'launchkey.login_id': id,
      'http.response.status_code': 204,
    });
    expect(accepted?.attributes['client.address']).to.be.a('string');
    expect(accepted?.status.code).to.not.equal(2);
    expect(refused?.attributes).to.include({
      'launchkey.event': 'webhook.refused',
      'http.response.status_code': 401,
      'error.type': 'ERR_LK_JWT_MALFORMED',
      'user_agent.original': 'forger/1.0',
    });
    expect(refused?.status.code).to.equal(2);
  });

  it('an SDK registered after the strategy was built gets its metrics and spans all the same', async () => {
    await otel.close();
    const t = buildApp(world, { strategy: { mode: 'webhook' } });
    otel = registerTelemetry();
    await loggedIn(world, t, user());
    expect(counted(await otel.metrics(), 'launchkey.events', { 'launchkey.event': 'login.approved' })).to.equal(1);
    expect(spanNamed('POST /service/v3/sessions')).to.have.length(1);
  });
});
