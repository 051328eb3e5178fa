/**
 * The authorization request state machine (docs/protocol.md, "Authorization requests"; its states: "The
 * emulator's request lifecycle"): create with validation and the busy signal, the simulated device's answer
 * evaluated against the policies, and the response core with both the legacy `auth` package and the
 * `auth_jwe` package, encrypted for the requesting entity.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';

import { encryptJwe } from '../crypto/jwe.js';
import { encryptLegacyPackage } from '../crypto/legacy_package.js';
import { AuthPolicy } from '../entities/policy.js';
import { InvalidPolicyError } from '../errors.js';
import { isoSeconds } from './emulator_clock.js';
import type { EmulatorContext } from './context.js';
import { ApiFault, invalidArgs, notFound, rateLimited } from './fault.js';
import { authMethods } from './device_methods.js';
import { packagePolicy, satisfiesAll } from './policy_eval.js';
import type { AuthAnswer, AuthRequest, DenialReason, Service, User } from './state.js';

function optText(
  body: Record<string, unknown>,
  field: string,
  max: number,
  errors: Record<string, string>,
): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') errors[field] = 'must be a string';
  else if (value.length > max) errors[field] = `must be at most ${max} characters`;
  else return value;
  return null;
}

/**
 * Denial reasons (docs/protocol.md, "Creating an authorization request"): ≥ 2, unique ids, at least one fraud
 * and one non-fraud.
 */
function denialReasons(
  value: unknown,
  service: Service,
  ctx: EmulatorContext,
  errors: Record<string, string>,
): DenialReason[] {
  if (value === undefined || value === null) return [];
  const directory = service.directoryId === null ? undefined : ctx.state.directories.get(service.directoryId);
  if (directory?.denialContextInquiryEnabled !== true) {
    errors['denial_reasons'] = 'only for directory services whose directory has denial context inquiry enabled';
    return [];
  }
  const valid =
    Array.isArray(value) &&
    value.every(
      (r: unknown) =>
        r !== null &&
        typeof r === 'object' &&
        typeof (r as DenialReason).id === 'string' &&
        (r as DenialReason).id.length > 0 &&
        typeof (r as DenialReason).reason === 'string' &&
        (r as DenialReason).reason.length > 0 &&
        typeof (r as DenialReason).fraud === 'boolean',
    );
  const list = valid ? (value as DenialReason[]).map(({ id, reason, fraud }) => ({ id, reason, fraud })) : [];
  if (
    !valid ||
    list.length < 2 ||
    new Set(list.map((r) => r.id)).size !== list.length ||
    !list.some((r) => r.fraud) ||
    !list.some((r) => !r.fraud)
  ) {
    errors['denial_reasons'] = 'needs at least two reasons with unique ids, one fraud and one not';
  }
  return list;
}

/**
 * The request's own policy (docs/protocol.md, "The request policy"), parsed by the SDK's
 * {@link AuthPolicy.fromJSON}; one it cannot read is refused with `SVC-002` ("invalid policy input"), as the API
 * does.
 */
function requestPolicy(value: unknown): AuthPolicy | null {
  if (value === undefined || value === null) return null;
  // fromJSON would also read JSON text; the API takes only an object here.
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiFault(400, 'SVC-002', { policy: 'policy must be an object' });
  }
  try {
    return AuthPolicy.fromJSON(value);
  } catch (err) {
    if (err instanceof InvalidPolicyError) throw new ApiFault(400, 'SVC-002', { [err.field]: err.message });
    throw err;
  }
}

/**
 * The sliding-window limit on authorization requests by one service for one user (docs/protocol.md, "Other
 * wire details"): over it, 429 with an empty body and `Retry-After` (the seconds until a request would be
 * accepted); a refused request is not counted, so the window frees up as the oldest counted requests age out
 * on the emulator clock.
 */
function checkRateLimit(ctx: EmulatorContext, service: Service, user: User, now: number): void {
  const { authsPerUser, windowSeconds } = ctx.rateLimit;
  const key = [service.id, user.directoryId, user.identifier].join('\u0000');
  const recent = (ctx.state.authAttempts.get(key) ?? []).filter((at) => at > now - windowSeconds);
  if (recent.length >= authsPerUser) {
    ctx.state.authAttempts.set(key, recent);
    // A request is accepted again once enough counted ones have left the window: the one that
    // brings the count below the limit leaves it at its time + windowSeconds.
    const freeing = [...recent].sort((a, b) => a - b)[recent.length - authsPerUser] ?? now;
    throw rateLimited(freeing + windowSeconds - now);
  }
  recent.push(now);
  ctx.state.authAttempts.set(key, recent);
}

/**
 * Handles `POST /service/v3/auths`. `requester` is the signed request's issuer and the id of the key
 * that signed it (the packages and the webhook are encrypted with the key it picks).
 */
export function createAuth(
  ctx: EmulatorContext,
  service: Service,
  requester: { id: string; keyId: string },
  body: Record<string, unknown>,
) {
  const { state } = ctx;
  const errors: Record<string, string> = {};
  // A null username names no user: the API answered 404, like for an unknown one. Java and .NET
  // leave a null out of the body, so an absent one is the same request.
  const username = body['username'] ?? null;
  if (username !== null && (typeof username !== 'string' || username.length === 0))
    errors['username'] = 'must be a non-empty string';
  const context = optText(body, 'context', 400, errors);
  const title = optText(body, 'title', 200, errors);
  const pushTitle = optText(body, 'push_title', 200, errors);
  const pushBody = optText(body, 'push_body', 400, errors);
  const ttlValue = body['ttl'];
  let ttl = ctx.defaultAuthTtl;
  if (ttlValue !== undefined && ttlValue !== null) {
    if (typeof ttlValue !== 'number' || !Number.isInteger(ttlValue) || ttlValue < 1 || ttlValue > 86_400) {
      errors['ttl'] = 'must be a whole number of seconds between 1 and 86400';
    } else ttl = ttlValue;
  }
  const reasons = denialReasons(body['denial_reasons'], service, ctx, errors);
  if (Object.keys(errors).length > 0) throw invalidArgs(errors);

  const policy = requestPolicy(body['policy']);

  const user = typeof username === 'string' ? state.findUser(service, username) : undefined;
  const devices = user?.devices.filter((d) => d.status === 1) ?? [];
  if (typeof username !== 'string' || user === undefined || devices.length === 0) throw notFound();
  // No SVC-003 (PolicyFailure) here, although the SDKs document it for "user not passing policy":
  // the official suites create requests no device of the user can meet (3 factors; inherence and
  // possession) and get the failure from the device (FAILED/POLICY), so that is what happens.

  const now = state.clock.now();
  checkRateLimit(ctx, service, user, now);
  const busy = state.auths.pendingOf(user);
  if (busy !== undefined) {
    throw new ApiFault(
      409,
      'SVC-005',
      `An auth already exists. Another one cannot be created until it is either responded to or expires in ${busy.expires - now} seconds.`,
      { auth_request: busy.id, from_same_service: busy.serviceId === service.id, expires: isoSeconds(busy.expires) },
    );
  }
  const auth: AuthRequest = {
    id: randomUUID(),
    serviceId: service.id,
    user,
    username,
    requester: requester.id,
    requesterKeyId: requester.keyId,
    context,
    title,
    pushTitle,
    pushBody,
    policy,
    denialReasons: reasons,
    created: now,
    expires: now + ttl,
    canceled: false,
    expired: false,
    answer: null,
    servicePins: Array.from({ length: 5 }, () => String(randomInt(10_000)).padStart(4, '0')),
    deviceIds: devices.map((d) => d.id),
  };
  state.auths.add(auth);
  return { auth_request: auth.id, device_ids: auth.deviceIds };
}

/** Device answers of the control API. */
export type AuthAction = 'approve' | 'deny' | 'fraud';

/** The simulated device answers a pending request; fires the service webhook. */
export async function respondToAuth(
  ctx: EmulatorContext,
  id: string,
  action: AuthAction,
  denialReason?: string,
): Promise<AuthRequest> {
  const { state } = ctx;
  const auth = state.auths.get(id);
  if (auth === undefined) throw new ApiFault(404, undefined, 'No such auth request');
  const status = state.authStatus(auth);
  if (status !== 'pending') throw new ApiFault(409, undefined, `The auth request is ${status}`);
  const device = auth.user.devices.find((d) => d.status === 1);
  if (device === undefined) throw new ApiFault(409, undefined, 'The user has no linked device');
  if (
    denialReason !== undefined &&
    (action === 'approve' || (auth.denialReasons.length > 0 && !auth.denialReasons.some((r) => r.id === denialReason)))
  ) {
    throw new ApiFault(400, undefined, 'denialReason is not one of the request’s denial reasons');
  }
  const service = state.services.get(auth.serviceId);
  const base = { denialReason: denialReason ?? null, deviceId: device.id, at: state.clock.now() };
  let answer: AuthAnswer;
  if (action === 'approve') {
    const ok = satisfiesAll([auth.policy, service?.policy ?? null], device, state.clock.nowMs());
    answer = ok ? { ...base, type: 'AUTHORIZED', reason: 'APPROVED' } : { ...base, type: 'FAILED', reason: 'POLICY' };
  } else {
    answer = { ...base, type: 'DENIED', reason: action === 'fraud' ? 'FRAUDULENT' : 'DISAPPROVED' };
  }
  state.auths.answer(auth, answer);
  if (service?.callbackUrl != null) {
    ctx.webhooks.send({
      kind: 'authorization-response',
      url: service.callbackUrl,
      audience: auth.requester,
      audienceKeyId: auth.requesterKeyId,
      subject: `svc:${service.id}`,
      payload: await authCore(ctx, auth),
      plain: false,
    });
  }
  return auth;
}

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url');
}

/** Opaque per-service and per-organization user hashes, stable for a user. */
export function userHashes(ctx: EmulatorContext, serviceId: string, user: User) {
  const org = ctx.state.directories.get(user.directoryId)?.organizationId ?? '';
  return {
    service_user_hash: hash('svc', serviceId, user.directoryId, user.identifier),
    org_user_hash: hash('org', org, user.directoryId, user.identifier),
  };
}

/**
 * The auth response core of the poll and the webhook: `auth` (legacy OAEP-SHA1 package) and `auth_jwe`, both
 * to the requesting entity's key for the key that signed the create request (the webhook's outer JWE uses the
 * same key, docs/protocol.md, "Device packages"), whose id is `public_key_id`.
 */
export async function authCore(ctx: EmulatorContext, auth: AuthRequest): Promise<Record<string, unknown>> {
  const answer = auth.answer;
  const requester = ctx.state.entityById(auth.requester);
  const key = requester === undefined ? undefined : ctx.state.responseKey(requester, auth.requesterKeyId);
  if (answer === null || key === undefined) throw new ApiFault(500);
  const device = auth.user.devices.find((d) => d.id === answer.deviceId);
  const service = ctx.state.services.get(auth.serviceId);
  const enforced = [auth.policy, service?.policy ?? null].filter((p) => p !== null);
  const reported = enforced[0];
  const devicePackage = {
    type: answer.type,
    reason: answer.reason,
    denial_reason: answer.denialReason,
    auth_request: auth.id,
    device_id: answer.deviceId,
    service_pins: auth.servicePins,
    // With no policy at all the service still reported one: no requirement, no fences.
    auth_policy: reported === undefined ? { requirement: null, geofences: [] } : packagePolicy(reported),
    ...(device === undefined ? {} : { auth_methods: authMethods(device, answer, enforced) }),
  };
  const legacy = {
    response: answer.type === 'AUTHORIZED',
    auth_request: auth.id,
    device_id: answer.deviceId,
    service_pins: auth.servicePins,
  };
  return {
    auth: encryptLegacyPackage(JSON.stringify(legacy), key.publicKey),
    auth_jwe: await encryptJwe(devicePackage, key.publicKey),
    ...userHashes(ctx, auth.serviceId, auth.user),
    user_push_id: auth.user.userPushId,
    public_key_id: key.publicKey.kid,
  };
}
