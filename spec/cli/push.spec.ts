import { expect } from 'chai';

import { outcomeOf, type PushOutcome } from '../../lib/cli/commands/push.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { answerStatus, type AuthorizationResponse } from '../../lib/entities/auth_response.js';
import { LEGACY_RESPONSE } from '../support/auth_packages.js';
import {
  FAST,
  IDS,
  cli,
  directoryEnv,
  organizationEnv,
  pendingAuth,
  serviceEnv,
  startWorld,
  type CliResult,
} from './support.js';

describe('launchkey push', function () {
  this.timeout(15_000);
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startWorld();
  });

  afterEach(async () => {
    await emu.close();
  });

  /** Runs `launchkey push USER ...`, and has the phone answer once the request is pending. */
  async function pushAnswered(
    user: string,
    action: 'approve' | 'deny' | 'fraud',
    args: string[] = [],
    env = serviceEnv(emu),
  ): Promise<CliResult> {
    const running = cli(['push', user, ...FAST, ...args], env);
    await emu.respond((await pendingAuth(emu, user)).id, action);
    return running;
  }

  it('exits 0 and prints the request and the approval when the user approves', async () => {
    const result = await pushAnswered('alice', 'approve');
    expect(result.code).to.equal(0);
    const [sent, outcome] = result.stdout.trim().split('\n');
    expect(sent).to.match(/^Push sent to alice: authorization request [0-9a-f-]{36}\.$/);
    expect(outcome).to.match(/^Approved by alice on device [0-9a-f-]{36} \(AUTHORIZED\/APPROVED\)\.$/);
    expect(result.stderr).to.match(/^Waiting for the answer \(up to 330 s; Ctrl-C cancels\)\.\.\.\n$/);
  });

  it('prints push-sent then push-outcome as JSON lines with --json, and nothing on stderr', async () => {
    const result = await pushAnswered('alice', 'approve', ['--json']);
    expect(result.code).to.equal(0);
    expect(result.stderr).to.equal('');
    const [sent, outcome] = result.json();
    const id = sent?.['authorizationRequestId'];
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(sent).to.deep.include({ event: 'push-sent', user: 'alice', authorizationRequestId: id });
    expect(sent?.['deviceIds']).to.be.an('array').with.lengthOf(1);
    expect(outcome).to.deep.include({
      event: 'push-outcome',
      user: 'alice',
      authorizationRequestId: id,
      outcome: 'approved',
      authorized: true,
      type: 'AUTHORIZED',
      reason: 'APPROVED',
      denialReason: null,
    });
    expect(outcome?.['deviceId']).to.match(/^[0-9a-f-]{36}$/);
    // The documented shapes (README "The operator CLI"), in order.
    expect(Object.keys(sent ?? {})).to.deep.equal(['event', 'user', 'authorizationRequestId', 'deviceIds']);
    expect(Object.keys(outcome ?? {})).to.deep.equal([
      'event',
      'user',
      'authorizationRequestId',
      'outcome',
      'authorized',
      'type',
      'reason',
      'denialReason',
      'deviceId',
    ]);
  });

  it('exits 3 with outcome denied when the user denies', async () => {
    const result = await pushAnswered('alice', 'deny', ['--json']);
    expect(result.code).to.equal(3);
    expect(result.json()[1]).to.deep.include({ outcome: 'denied', authorized: false, type: 'DENIED' });
    const text = await pushAnswered('alice', 'deny');
    expect(text.code).to.equal(3);
    expect(text.stdout).to.match(/\nDenied by alice \(DENIED\/DISAPPROVED\)\.\n$/);
  });

  it('exits 3 with outcome fraud when the user reports fraud', async () => {
    const result = await pushAnswered('alice', 'fraud', ['--json']);
    expect(result.code).to.equal(3);
    expect(result.json()[1]).to.deep.include({ outcome: 'fraud', authorized: false, reason: 'FRAUDULENT' });
  });

  it('sends the policy of --factors, --jailbreak-protection and each --geofence', async () => {
    const running = cli(
      [
        'push',
        'alice',
        ...FAST,
        '--factors',
        '2',
        '--jailbreak-protection',
        '--geofence',
        '45.5,-122.6,30000,Portland, Oregon',
        '--geofence=-33.87,151.21,5000',
        '--title',
        'CLI test',
        '--context',
        'from the operator',
        '--ttl',
        '120',
      ],
      serviceEnv(emu),
    );
    const auth = await pendingAuth(emu, 'alice');
    expect([auth.title, auth.context]).to.deep.equal(['CLI test', 'from the operator']);
    expect(auth.policy).to.deep.equal({
      factors: [
        {
          factor: 'device integrity',
          requirement: 'forced requirement',
          quickfail: false,
          priority: 1,
          attributes: { 'factor enabled': 1 },
        },
        {
          factor: 'geofence',
          requirement: 'forced requirement',
          quickfail: false,
          priority: 1,
          attributes: {
            locations: [
              { radius: 30000, latitude: 45.5, longitude: -122.6, name: 'Portland, Oregon' },
              { radius: 5000, latitude: -33.87, longitude: 151.21 },
            ],
          },
        },
      ],
      minimum_requirements: [{ requirement: 'authenticated', any: 2, knowledge: 0, inherence: 0, possession: 0 }],
    });
    await emu.respond(auth.id, 'approve');
    expect((await running).code).to.equal(0);
  });

  it('exits 3 with outcome failed (FAILED/POLICY) when a jailbroken phone meets --jailbreak-protection', async () => {
    const result = await pushAnswered('bob', 'approve', ['--jailbreak-protection', '--json']);
    expect(result.code).to.equal(3);
    expect(result.json()[1]).to.deep.include({ outcome: 'failed', type: 'FAILED', reason: 'POLICY' });
    const text = await pushAnswered('bob', 'approve', ['--jailbreak-protection']);
    expect(text.stdout).to.match(/\nFailed \(FAILED\/POLICY\): the device could not authorize the request\.\n$/);
  });

  it('exits 3 when the phone is outside every --geofence, and 0 inside one', async () => {
    const outside = await pushAnswered('alice', 'approve', ['--geofence', '51.5,-0.12,1000,London', '--json']);
    expect(outside.code).to.equal(3);
    expect(outside.json()[1]).to.deep.include({ outcome: 'failed', reason: 'POLICY' });
    const inside = await pushAnswered('alice', 'approve', ['--geofence', '45.5,-122.6,5000']);
    expect(inside.code).to.equal(0);
  });

  it('exits 3 with outcome expired when the request expires unanswered', async () => {
    // The clock moves once the CLI has the API's answer to the push: moved while that answer is on
    // its way, it would make the answer look early (a clock that jumps mid-request, which no API does).
    let sent!: () => void;
    const pushSent = new Promise<void>((resolve) => (sent = resolve));
    const running = cli(['push', 'alice', ...FAST, '--ttl', '30', '--json'], serviceEnv(emu), {
      onLine: (line) => {
        if (line.includes('"push-sent"')) sent();
      },
    });
    await pushSent;
    emu.advanceClock(31);
    const result = await running;
    expect(result.code, result.stderr).to.equal(3);
    expect(result.json()[1]).to.deep.include({ outcome: 'expired', authorized: false, type: null, deviceId: null });
  });

  it('exits 4 and cancels the request when --timeout passes without an answer', async () => {
    const result = await cli(['push', 'alice', ...FAST, '--timeout', '0.2'], serviceEnv(emu));
    expect(result.code).to.equal(4);
    expect(result.stderr).to.match(
      /launchkey: no answer within 0\.\d s; the authorization request was canceled \(ERR_LK_WAIT_TIMEOUT\)\n$/,
    );
    expect(emu.auths({ username: 'alice' }).map((a) => a.status)).to.deep.equal(['canceled']);
    const json = await cli(['push', 'alice', ...FAST, '--timeout', '0.2', '--json'], serviceEnv(emu));
    expect(json.error()).to.deep.include({ code: 'ERR_LK_WAIT_TIMEOUT', exitCode: 4, retryable: false });
  });

  it('exits 130 and cancels the request when interrupted', async () => {
    const controller = new AbortController();
    const running = cli(['push', 'alice', ...FAST], serviceEnv(emu), { signal: controller.signal });
    await pendingAuth(emu, 'alice');
    controller.abort();
    const result = await running;
    expect(result.code).to.equal(130);
    expect(result.stderr).to.match(/Interrupted; the authorization request was canceled\.\n$/);
    expect(emu.auths({ username: 'alice' }).map((a) => a.status)).to.deep.equal(['canceled']);
  });

  it('reports the answer that beat an interruption instead of cancelling', async () => {
    const controller = new AbortController();
    const running = cli(['push', 'alice', '--poll-interval', '5', '--json'], serviceEnv(emu), {
      signal: controller.signal,
    });
    await emu.respond((await pendingAuth(emu, 'alice')).id, 'approve');
    controller.abort();
    const result = await running;
    expect(result.code).to.equal(0);
    expect(result.json()[1]).to.deep.include({ outcome: 'approved' });
  });

  it('acts through the directory key, or the organization key, with LAUNCHKEY_SERVICE_ID', async () => {
    for (const env of [directoryEnv(emu), organizationEnv(emu)]) {
      const result = await pushAnswered('alice', 'approve', [], { ...env, LAUNCHKEY_SERVICE_ID: IDS.dirSvc });
      expect(result.code).to.equal(0);
    }
  });

  it('exits 2 for an unknown user, naming the code and what it means', async () => {
    const result = await cli(['push', 'nobody'], serviceEnv(emu));
    expect(result.code).to.equal(2);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.equal(
      "launchkey: Entity not found (ERR_LK_ENTITY_NOT_FOUND)\nThe user is unknown to the service's directory, or has no linked device.\n",
    );
    const json = await cli(['push', 'nobody', '--json'], serviceEnv(emu));
    expect(json.error()).to.deep.equal({
      code: 'ERR_LK_ENTITY_NOT_FOUND',
      message: 'Entity not found',
      exitCode: 2,
      retryable: false,
      status: 404,
      apiErrorCode: 'HTTP-404',
    });
  });

  it('exits 2 with the busy signal while another push to the user is pending', async () => {
    const first = cli(['push', 'alice', ...FAST], serviceEnv(emu));
    const pending = await pendingAuth(emu, 'alice');
    const second = await cli(['push', 'alice', '--json'], serviceEnv(emu));
    expect(second.code).to.equal(2);
    expect(second.error()).to.deep.include({ code: 'ERR_LK_AUTHORIZATION_IN_PROGRESS', apiErrorCode: 'SVC-005' });
    await emu.respond(pending.id, 'approve');
    expect((await first).code).to.equal(0);
  });

  it('refuses bad policy and time options with exit 1 before sending anything', async () => {
    const cases: [string[], string][] = [
      [['--factors', '4'], '--factors must be 1, 2 or 3'],
      [['--geofence', '45.5,-122.6'], '--geofence takes LAT,LON,RADIUS[,NAME]: degrees, degrees, metres'],
      [['--geofence', '91,0,100'], '--geofence: latitude must be'],
      [['--geofence', '45,0,0'], '--geofence: radius must be greater than 0'],
      [['--ttl', '0'], '--ttl must be a whole number of seconds from 1 to 86400'],
      [['--ttl', '1.5'], '--ttl must be a whole number of seconds'],
      [['--timeout', 'soon'], '--timeout must be a number of seconds from 0.01 to 86400'],
      [['--poll-interval', '0'], '--poll-interval must be a number of seconds'],
      [['--title', ''], 'title must be a string of 1 to 200 characters'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(['push', 'alice', ...args], serviceEnv(emu));
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.stderr, args.join(' ')).to.include(`launchkey: ${message}`);
      expect(result.stderr).to.match(/\nRun "launchkey push --help" for usage\.\n$/);
    }
    expect(emu.auths()).to.deep.equal([]);
  });
});

describe('launchkey push: what an answer means', () => {
  const answer = (change: Partial<AuthorizationResponse>): AuthorizationResponse => ({ ...LEGACY_RESPONSE, ...change });

  it('reads an answer as the strategy does (answerStatus), with a denial reported as fraud apart', () => {
    const cases: [Partial<AuthorizationResponse>, PushOutcome, string][] = [
      [{ authorized: true, type: 'AUTHORIZED', reason: 'APPROVED' }, 'approved', 'approved'],
      [{ authorized: false, type: 'AUTHORIZED', reason: 'OTHER' }, 'denied', 'denied'],
      [{ authorized: false, type: 'DENIED', reason: 'FRAUDULENT', fraud: true }, 'fraud', 'denied'],
      [{ authorized: false, type: 'FAILED', reason: 'POLICY' }, 'failed', 'failed'],
      [{ authorized: false, type: 'FAILED', reason: 'FRAUDULENT', fraud: true }, 'failed', 'failed'],
      [{ authorized: false, type: null, reason: null }, 'denied', 'denied'],
    ];
    for (const [change, outcome, status] of cases) {
      const response = answer(change);
      expect(outcomeOf(response), JSON.stringify(change)).to.equal(outcome);
      expect(answerStatus(response), JSON.stringify(change)).to.equal(status);
    }
  });
});
