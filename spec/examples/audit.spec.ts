/**
 * The audit example (examples/audit, `npm run example:audit`) run as a user runs it against an
 * emulator: a login and a logout must come out of its stdout as the JSON lines a log shipper reads,
 * the audit events with one loginId and a keyed hash for the username, and the OpenTelemetry
 * metrics the SDK exported.
 */
import { createHmac } from 'node:crypto';

import { expect } from 'chai';

import type { Emulator } from '../../lib/emulator/index.js';
import { startExampleApp, type ExampleApp } from '../support/example_app.js';

const USERNAME_KEY = 'the audit spec key';

/** A browser in miniature: one cookie jar, redirects not followed so each step can be asserted. */
class Browser {
  cookie = '';
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    const response = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    const set = response.headers.get('set-cookie');
    if (set !== null) this.cookie = set.split(';')[0] ?? '';
    return response;
  }
}

type Line = Record<string, unknown>;

/** Every line the app printed, each parsed as JSON (a line that is not JSON fails the spec). */
function lines(app: ExampleApp): Line[] {
  return app
    .output()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Line;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

describe('the audit example (examples/audit)', function () {
  this.timeout(60_000);
  let app: ExampleApp;
  let emu: Emulator;

  before(async () => {
    app = await startExampleApp('examples/audit/server.ts', {
      METRICS_INTERVAL_MS: '200',
      AUDIT_USERNAME_KEY: USERNAME_KEY,
    });
    emu = app.emu;
  });

  after(() => app.close());

  it('writes a login and a logout as JSON lines of audit events, and exports their metrics', async () => {
    const browser = new Browser(app.base);
    const start = await browser.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=demo',
    });
    expect(start.status).to.equal(303);
    const [pending] = emu.auths({ status: 'pending', username: 'demo' });
    await emu.respond(pending!.id, 'approve');
    await emu.webhooksSettled();
    const complete = await browser.request('/login/complete');
    expect(complete.headers.get('location')).to.equal('/');
    const sessionCookie = browser.cookie;
    expect(await (await browser.request('/logout', { method: 'POST' })).text()).to.not.include('Hello');

    await app.waitForOutput(/"event":"logout\.local"/);
    const audit = lines(app).filter((line) => line['msg'] === 'launchkey audit');
    const events = audit.map((line) => String(line['event']));
    // The answer is settled by the webhook, or by the background poll if it asked first: either order.
    expect([events[0], [events[1], events[2]].sort(), ...events.slice(3)]).to.deep.equal([
      'login.started',
      ['login.settled', 'webhook.accepted'],
      'login.approved',
      'logout.launchkey',
      'logout.local',
    ]);
    const hashed = createHmac('sha256', USERNAME_KEY).update('demo').digest('base64url').slice(0, 22);
    const loginId = pending!.id.toLowerCase();
    for (const line of audit) {
      expect(line['level'], String(line['event'])).to.equal(30); // pino's info
      expect(line['timestamp']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      if (String(line['event']).startsWith('login.') || line['event'] === 'webhook.accepted') {
        expect(line['loginId'], String(line['event'])).to.equal(loginId);
      }
    }
    // auditUsername: the keyed hash wherever a username is recorded, never the username itself.
    for (const event of ['login.started', 'login.settled', 'login.approved', 'logout.launchkey', 'logout.local']) {
      expect(audit.find((line) => line['event'] === event)?.['username'], event).to.equal(hashed);
    }
    expect(app.output()).to.not.include('"demo"');
    expect(app.output()).to.not.include(decodeURIComponent(sessionCookie.split('=')[1] ?? '').slice(2, 34));
    expect(audit[0]).to.include({ outcome: 'unknown', clientAddress: '127.0.0.1', decoy: false });
    expect(audit[3]).to.include({ outcome: 'success', phase: 'complete' });

    // The SDK's periodic reader exports what the strategy recorded through @opentelemetry/api.
    await app.waitForOutput(/"metric":"launchkey\.events".*"launchkey\.event":"logout\.local"/);
    const points = lines(app).filter((line) => line['msg'] === 'metric');
    const last = (metric: string, attribute: string, value: string): Line | undefined =>
      points.findLast(
        (p) => p['metric'] === metric && (p['attributes'] as Record<string, unknown>)[attribute] === value,
      );
    expect(last('launchkey.events', 'launchkey.event', 'login.approved')?.['value']).to.equal(1);
    expect(last('launchkey.events', 'launchkey.event', 'login.started')?.['value']).to.equal(1);
    const approveToLogin = points.findLast((p) => p['metric'] === 'launchkey.login.approve_to_login.duration');
    expect(approveToLogin).to.deep.include({ unit: 's' });
    expect((approveToLogin?.['value'] as { count: number }).count).to.equal(1);
    const apiStart = last('launchkey.api.request.duration', 'url.template', '/service/v3/auths');
    expect((apiStart?.['value'] as { count: number } | undefined)?.count).to.be.greaterThan(0);
    // Metrics never name who or which login.
    for (const point of points) expect(JSON.stringify(point['attributes'])).to.not.include(loginId);
  });
});
