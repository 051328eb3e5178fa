/**
 * `launchkey push USER`: a test push (an authorization request, optionally with a policy), then the
 * answer, by polling. The exit status says the outcome: 0 approved, 3 anything else the user or
 * the API decided, 4 no answer within `--timeout`.
 */
import { TTL_MAX } from '../../clients/auth_request_options.js';
import type { ServiceClient } from '../../clients/service.js';
import { AuthPolicy, type GeofenceOptions } from '../../entities/auth_policy.js';
import { answerStatus, type AuthorizationResponse } from '../../entities/auth_response.js';
import {
  AuthorizationRequestCanceledError,
  AuthorizationResponseExistsError,
  InvalidPolicyError,
  RequestTimedOutError,
  UsageError,
  WaitTimeoutError,
} from '../../errors.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit_codes.js';
import { durationMs, wholeSeconds, type ParsedOptions } from '../options.js';
import { pollUntil } from '../poll.js';
import { seconds } from '../views.js';

/** The API's lifetime of a request sent without `ttl`. */
const DEFAULT_TTL = 300;
/** Waited beyond the ttl by default, so the API's own "expired" is what ends the wait. */
const EXPIRY_GRACE_SECONDS = 30;
const DEFAULT_POLL_MS = 1000;

/** How a push ended. */
export type PushOutcome = 'approved' | 'denied' | 'fraud' | 'failed' | 'expired' | 'canceled';

interface Ended {
  outcome: PushOutcome;
  /** The device's answer; `null` when there was none (expired, canceled). */
  response: AuthorizationResponse | null;
}

/** The outcome of an answer, read as the strategy reads it (`answerStatus`); a denial reported as fraud is `fraud`. */
export function outcomeOf(response: AuthorizationResponse): PushOutcome {
  const status = answerStatus(response);
  return status === 'denied' && response.fraud ? 'fraud' : status;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** `LAT,LON,RADIUS[,NAME]` (degrees, degrees, metres; the name may hold commas). */
function geofence(value: string): GeofenceOptions {
  const [latitude, longitude, radius, ...rest] = value.split(',');
  const numbers = [latitude, longitude, radius].map((part) => part?.trim() ?? '');
  if (numbers.some((part) => !NUMBER.test(part))) {
    throw new UsageError('--geofence takes LAT,LON,RADIUS[,NAME]: degrees, degrees, metres', {
      argument: '--geofence',
    });
  }
  const fence: GeofenceOptions = {
    latitude: Number(numbers[0]),
    longitude: Number(numbers[1]),
    radius: Number(numbers[2]),
  };
  const name = rest.join(',').trim();
  if (name !== '') fence.name = name;
  return fence;
}

/** The policy the options ask for, or `undefined` for the service's own. */
function policyOf(options: ParsedOptions): AuthPolicy | undefined {
  const factors = options.string('factors');
  const jailbreakProtection = options.flag('jailbreak-protection');
  const fences = options.strings('geofence').map(geofence);
  if (factors === undefined && !jailbreakProtection && fences.length === 0) return undefined;
  if (factors !== undefined && !/^[123]$/.test(factors)) {
    throw new UsageError('--factors must be 1, 2 or 3', { argument: '--factors' });
  }
  try {
    const policy = new AuthPolicy({ any: factors === undefined ? 0 : Number(factors), jailbreakProtection });
    for (const fence of fences) policy.addGeofence(fence);
    return policy;
  } catch (err) {
    if (err instanceof InvalidPolicyError) {
      throw new UsageError(`--geofence: ${err.message}`, { argument: '--geofence', cause: err });
    }
    throw err;
  }
}

/** One poll: the outcome, or `undefined` while pending. */
async function poll(service: ServiceClient, id: string): Promise<Ended | undefined> {
  try {
    const response = await service.getAdvancedAuthorizationResponse(id);
    return response === null ? undefined : { outcome: outcomeOf(response), response };
  } catch (err) {
    if (err instanceof RequestTimedOutError) return { outcome: 'expired', response: null };
    if (err instanceof AuthorizationRequestCanceledError) return { outcome: 'canceled', response: null };
    throw err;
  }
}

/**
 * Cancels the request we stop waiting for, so the user's phone stops asking. When the answer (or
 * the expiry) beat the cancel, that outcome is returned, to be reported like any other.
 */
async function cancel(service: ServiceClient, id: string): Promise<Ended | undefined> {
  try {
    await service.cancelAuthorizationRequest(id);
    return undefined;
  } catch (err) {
    if (err instanceof AuthorizationResponseExistsError || err instanceof RequestTimedOutError) {
      return poll(service, id);
    }
    if (err instanceof AuthorizationRequestCanceledError) return { outcome: 'canceled', response: null };
    throw err;
  }
}

function describe(user: string, { outcome, response }: Ended): string {
  const how = response?.type == null ? '' : ` (${response.type}/${response.reason ?? '-'})`;
  const denialReason = response?.denialReason == null ? '' : `; denial reason ${response.denialReason}`;
  switch (outcome) {
    case 'approved':
      return `Approved by ${user} on device ${response?.deviceId ?? '-'}${how}.`;
    case 'denied':
      return `Denied by ${user}${how}${denialReason}.`;
    case 'fraud':
      return `Denied by ${user} and reported as fraud${how}${denialReason}.`;
    case 'failed':
      return `Failed${how}: the device could not authorize the request.`;
    case 'expired':
      return `Expired: ${user} did not answer in time.`;
    case 'canceled':
      return 'Canceled before an answer.';
  }
}

export const push: Command = {
  name: 'push',
  summary: 'send a test push (authorization request) and wait for the answer',
  args: ['USER'],
  description: [
    "Sends an authorization request to USER's devices, optionally with a policy that can only make the",
    "service's own stricter, then polls until the user answers, the request expires or --timeout",
    'passes (the request is then canceled). Ctrl-C cancels the request too.',
    '',
    'A negative latitude is written with "=": --geofence=-33.87,151.21,5000,Sydney.',
  ],
  options: {
    factors: { type: 'string', value: 'N', description: 'policy: require N factors of any kind (1 to 3)' },
    'jailbreak-protection': { type: 'boolean', description: 'policy: refuse rooted or jailbroken devices' },
    geofence: {
      type: 'string',
      multiple: true,
      value: 'LAT,LON,RADIUS[,NAME]',
      description: 'policy: the device is within RADIUS metres (repeatable)',
    },
    title: { type: 'string', value: 'TEXT', description: 'title shown on the device (up to 200 characters)' },
    context: { type: 'string', value: 'TEXT', description: 'context shown on the device (up to 400 characters)' },
    ttl: { type: 'string', value: 'SECONDS', description: "how long the request stays open (default the API's, 300)" },
    timeout: {
      type: 'string',
      value: 'SECONDS',
      description: `give up and cancel after this long (default the ttl + ${EXPIRY_GRACE_SECONDS})`,
    },
    'poll-interval': { type: 'string', value: 'SECONDS', description: 'time between polls (default 1)' },
  },
  credentials: 'service',
  notFound: "The user is unknown to the service's directory, or has no linked device.",
  exits: [
    [EXIT.OK, 'approved'],
    [EXIT.NOT_APPROVED, 'denied, reported as fraud, failed (e.g. the policy), expired or canceled'],
    [EXIT.TIMEOUT, 'no answer within --timeout; the request was canceled'],
    [EXIT.INTERRUPTED, 'interrupted; the request was canceled'],
  ],
  json: [
    '{"event":"push-sent","user","authorizationRequestId","deviceIds"}, then',
    '{"event":"push-outcome","user","authorizationRequestId","outcome","authorized","type","reason",',
    ' "denialReason","deviceId"}; outcome: approved|denied|fraud|failed|expired|canceled',
  ],
  async run({ args, options, out, credentials, signal }) {
    const [user = ''] = args;
    const policy = policyOf(options);
    const ttlText = options.string('ttl');
    const ttl = ttlText === undefined ? undefined : wholeSeconds(ttlText, '--ttl', 1, TTL_MAX);
    const timeoutText = options.string('timeout');
    const timeoutMs =
      timeoutText === undefined
        ? ((ttl ?? DEFAULT_TTL) + EXPIRY_GRACE_SECONDS) * 1000
        : durationMs(timeoutText, '--timeout');
    const intervalText = options.string('poll-interval');
    const intervalMs = intervalText === undefined ? DEFAULT_POLL_MS : durationMs(intervalText, '--poll-interval');
    const title = options.string('title');
    const context = options.string('context');
    const service = credentials.serviceClient();

    const request = await service.authorizationRequest(user, {
      ...(policy === undefined ? {} : { policy }),
      ...(title === undefined ? {} : { title }),
      ...(context === undefined ? {} : { context }),
      ...(ttl === undefined ? {} : { ttl }),
    });
    const id = request.authorizationRequestId;
    out.result(`Push sent to ${user}: authorization request ${id}.`, {
      event: 'push-sent',
      user,
      authorizationRequestId: id,
      deviceIds: request.deviceIds ?? null,
    });
    out.note(`Waiting for the answer (up to ${seconds(timeoutMs)}; Ctrl-C cancels)...`);

    const result = await pollUntil(() => poll(service, id), { intervalMs, timeoutMs, signal });
    let ended: Ended | undefined;
    switch (result.kind) {
      case 'done':
        ended = result.value;
        break;
      case 'interrupted':
        ended = await cancel(service, id);
        if (ended === undefined) {
          out.note('Interrupted; the authorization request was canceled.');
          return EXIT.INTERRUPTED;
        }
        break;
      case 'timeout':
        ended = await cancel(service, id);
        if (ended === undefined) {
          throw new WaitTimeoutError(
            `no answer within ${seconds(result.waitedMs)}; the authorization request was canceled`,
            result.waitedMs,
          );
        }
        break;
    }
    const { response } = ended;
    out.result(describe(user, ended), {
      event: 'push-outcome',
      user,
      authorizationRequestId: id,
      outcome: ended.outcome,
      authorized: ended.outcome === 'approved',
      type: response?.type ?? null,
      reason: response?.reason ?? null,
      denialReason: response?.denialReason ?? null,
      deviceId: response?.deviceId ?? null,
    });
    return ended.outcome === 'approved' ? EXIT.OK : EXIT.NOT_APPROVED;
  },
};
