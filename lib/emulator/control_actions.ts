/**
 * What the simulated phone and the tests can do, shared by the control API and the handle that
 * `startEmulator` returns: list auth requests, complete a device link, log out from the phone, and
 * dump the state.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

import { loadPublicKey } from '../crypto/keys.js';
import { ConfigurationError } from '../errors.js';
import { isoSeconds } from './emulator_clock.js';
import { checkFactors } from './config.js';
import { checkSupportedMethods, type AuthMethodName } from './device_methods.js';
import type { EmulatorContext } from './context.js';
import { ApiFault } from './fault.js';
import { userHashes } from './auth_flow.js';
import { servicePolicyItem } from './policy_eval.js';
import type { AuthRequest, AuthStatus, Device, DeviceLocation, EntityKey } from './state.js';

const generateRsa = promisify(generateKeyPair);

/** An auth request as the control API lists it. */
export interface AuthSummary {
  id: string;
  username: string;
  serviceId: string;
  serviceName: string;
  status: AuthStatus;
  policy: Record<string, unknown> | null;
  context: string | null;
  title: string | null;
  expiresAt: string;
  denialReasons: { id: string; reason: string; fraud: boolean }[];
}

/** How the control API shows one auth request. */
export function summarizeAuth(ctx: EmulatorContext, auth: AuthRequest): AuthSummary {
  const { state } = ctx;
  return {
    id: auth.id,
    username: auth.username,
    serviceId: auth.serviceId,
    serviceName: state.services.get(auth.serviceId)?.name ?? '',
    status: state.auths.status(auth),
    policy: auth.policy === null ? null : { ...auth.policy.toJSON() },
    context: auth.context,
    title: auth.title,
    expiresAt: isoSeconds(auth.expires),
    denialReasons: auth.denialReasons,
  };
}

/**
 * The auth requests the emulator holds (finished ones for their retention), filtered; only the
 * matches are formatted, found through the store's indexes.
 */
export function listAuths(ctx: EmulatorContext, filter: { status?: string; username?: string } = {}): AuthSummary[] {
  return ctx.state.auths.find(filter).map((auth) => summarizeAuth(ctx, auth));
}

/** Options of a device link completion. */
export interface LinkDeviceOptions {
  code: string;
  /** The name the device reports; default `Device N`, N its place among the user's devices. */
  name?: string;
  factors?: ('knowledge' | 'inherence' | 'possession')[];
  /**
   * The methods the device supports (`auth_methods[].supported`): some of `wearables`,
   * `geofencing`, `locations`, `pin_code`, `circle_code`, `face`, `fingerprint`. Default a plain
   * phone without face unlock or wearables. Each factor is set up on the first supported method of
   * its kind (knowledge: PIN, else circle code; inherence: fingerprint, else face; possession:
   * wearables, else locations), so every factor needs one.
   */
  supportedMethods?: AuthMethodName[];
  jailbroken?: boolean;
  location?: DeviceLocation | null;
}

/** Completes a pending link: the device becomes LINKED and the directory webhook fires. */
export async function completeLink(
  ctx: EmulatorContext,
  options: LinkDeviceOptions,
): Promise<{ deviceId: string; identifier: string }> {
  const { state } = ctx;
  const now = state.clock.now();
  let found: { device: Device; identifier: string; directoryId: string } | undefined;
  for (const user of state.users) {
    const device = user.devices.find((d) => d.status === 0 && d.link?.code === options.code);
    if (device !== undefined) found = { device, identifier: user.identifier, directoryId: user.directoryId };
  }
  const link = found?.device.link;
  if (found === undefined || link == null || link.expires <= now)
    throw new ApiFault(404, undefined, 'No pending link with that code');
  let factors;
  let supportedMethods;
  try {
    factors = checkFactors(options.factors, 'factors');
    supportedMethods = checkSupportedMethods(options.supportedMethods, factors, 'supportedMethods');
  } catch (err) {
    throw new ApiFault(400, undefined, err instanceof ConfigurationError ? err.message : 'invalid device');
  }
  const { publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const device = found.device;
  const user = state.directoryUser(found.directoryId, found.identifier);
  // The placeholder of a pending link is no name for a linked phone: number it as the config does.
  const place = (user?.devices.indexOf(device) ?? 0) + 1;
  Object.assign(device, {
    status: 1,
    updated: now,
    name: options.name ?? `Device ${place}`,
    factors,
    supportedMethods,
    jailbroken: options.jailbroken ?? false,
    location: options.location ?? null,
    publicKey: loadPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    link: null,
  });
  const directory = state.directories.get(found.directoryId);
  if (directory?.webhookUrl != null && device.publicKey !== null) {
    ctx.webhooks.send({
      kind: 'device-link-completion',
      url: directory.webhookUrl,
      audience: link.initiator,
      audienceKeyId: link.initiatorKeyId,
      subject: `dir:${directory.id}`,
      payload: {
        type: 'DEVICE_LINK_COMPLETION',
        device_id: device.id,
        device_public_key: device.publicKey.pem,
        device_public_key_id: device.publicKey.kid,
      },
      plain: false,
    });
  }
  return { deviceId: device.id, identifier: found.identifier };
}

/** The user logs out of a service from the phone: the session ends and the service is told. */
export function endSessionFromPhone(ctx: EmulatorContext, serviceId: string, username: string): void {
  const { state } = ctx;
  const service = state.services.get(serviceId.toLowerCase());
  const user = service === undefined ? undefined : state.findUser(service, username);
  const session = user?.sessions.get(service?.id ?? '');
  if (service === undefined || user === undefined || session === undefined)
    throw new ApiFault(404, undefined, 'No such session');
  user.sessions.delete(service.id);
  if (service.callbackUrl !== null) {
    ctx.webhooks.send({
      kind: 'session-end',
      url: service.callbackUrl,
      audience: session.initiator,
      subject: `svc:${service.id}`,
      payload: {
        service_user_hash: userHashes(ctx, service.id, user).service_user_hash,
        api_time: isoSeconds(state.clock.now()),
      },
      plain: true,
    });
  }
}

/** Open sessions, for the phone page. */
export function listSessions(ctx: EmulatorContext) {
  return ctx.state.users.flatMap((u) =>
    [...u.sessions.values()].map((s) => ({
      serviceId: s.serviceId,
      serviceName: ctx.state.services.get(s.serviceId)?.name ?? '',
      username: u.identifier,
      authRequest: s.authRequest,
      created: isoSeconds(s.created),
    })),
  );
}

const keyView = (k: EntityKey) => ({
  id: k.publicKey.kid,
  keyType: k.keyType,
  active: k.active,
  expires: k.expires === null ? null : isoSeconds(k.expires),
});

/** Everything the emulator holds, as JSON, for debugging. */
export function snapshot(ctx: EmulatorContext) {
  const { state } = ctx;
  return {
    now: isoSeconds(state.clock.now()),
    clockOffsetSeconds: state.clock.offsetSeconds(),
    apiKeyId: ctx.apiKey.kid,
    organizations: [...state.organizations.values()].map((o) => ({
      id: o.id,
      name: o.name,
      keys: o.keys.map(keyView),
    })),
    directories: [...state.directories.values()].map((d) => ({ ...d, kind: undefined, keys: d.keys.map(keyView) })),
    services: [...state.services.values()].map((s) => ({
      ...s,
      kind: undefined,
      keys: s.keys.map(keyView),
      policy: s.policy === null ? null : servicePolicyItem(s.policy),
    })),
    users: state.users.map((u) => ({
      directoryId: u.directoryId,
      identifier: u.identifier,
      userPushId: u.userPushId,
      totp: u.totp !== null,
      devices: u.devices.map((d) => ({ ...d, publicKey: d.publicKey?.kid ?? null })),
      sessions: [...u.sessions.values()],
    })),
    auths: listAuths(ctx),
    webhooks: ctx.webhooks.log,
  };
}
