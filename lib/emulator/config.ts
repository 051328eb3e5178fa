/**
 * The emulator's start-up world (docs/protocol.md, "Emulator configuration"): organizations, directories,
 * services and users with devices, from a JSON file or an object. A device listed here is already linked.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { loadPublicKey } from '../crypto/keys.js';
import { checkSupportedMethods, type AuthMethodName } from './device_methods.js';
import { UUID_PATTERN } from '../entities/validate.js';
import { ConfigurationError } from '../errors.js';
import { isHttpUrl } from './public_url.js';
import {
  DEVICE_FACTORS,
  type Device,
  type DeviceFactor,
  type DeviceLocation,
  type EmulatorState,
  type EntityKey,
  type KeyType,
} from './state.js';

export interface ConfigKey {
  pem: string;
  /** 0 both (default), 1 encryption, 2 signature. */
  keyType?: KeyType;
}

export interface ConfigDevice {
  name?: string;
  type?: string;
  factors?: DeviceFactor[];
  /**
   * The methods the device supports (`auth_methods[].supported`); default a plain phone without
   * face unlock or wearables. Each factor is set up on the first supported method of its kind.
   */
  supportedMethods?: AuthMethodName[];
  jailbroken?: boolean;
  location?: DeviceLocation | null;
}

/**
 * The limit on authorization requests (HTTP 429 `RateLimited`; docs/protocol.md, "Other wire details"): at
 * most `authsPerUser` requests by one service for one user in any `windowSeconds` (a sliding window on the
 * emulator clock, so tests move past it with `advanceClock`). Refused requests do not count.
 */
export interface RateLimitOptions {
  /** Most `POST /service/v3/auths` one service may send for one user within the window; default 30. */
  authsPerUser?: number;
  /** Length of the sliding window in seconds; default 300. */
  windowSeconds?: number;
}

/** The limit in force when neither the options nor the config set one: generous enough for tests. */
export const DEFAULT_RATE_LIMIT: Readonly<Required<RateLimitOptions>> = Object.freeze({
  authsPerUser: 30,
  windowSeconds: 300,
});

/** Merges rate-limit settings (later layers win, field by field) over the defaults, and checks them. */
export function resolveRateLimit(...layers: (RateLimitOptions | undefined)[]): Required<RateLimitOptions> {
  const merged = { ...DEFAULT_RATE_LIMIT };
  for (const declared of layers) {
    // JSON config is untrusted: check the shape, not only the values.
    const layer: unknown = declared;
    if (layer === undefined) continue;
    if (layer === null || typeof layer !== 'object' || Array.isArray(layer)) {
      throw new ConfigurationError('rateLimit must be an object');
    }
    for (const key of ['authsPerUser', 'windowSeconds'] as const) {
      const value: unknown = (layer as RateLimitOptions)[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
        throw new ConfigurationError(`rateLimit.${key} must be a whole number of at least 1`);
      }
      merged[key] = value;
    }
  }
  return merged;
}

export interface EmulatorConfig {
  /** The authorization request limit; `startEmulator`'s `rateLimit` option overrides it field by field. */
  rateLimit?: RateLimitOptions;
  organizations?: { id: string; name?: string; publicKeys?: ConfigKey[] }[];
  directories?: {
    id: string;
    organizationId: string;
    name?: string;
    publicKeys?: ConfigKey[];
    webhookUrl?: string | null;
    /** Whether services may send denial reasons; default true, as for a directory the API creates. */
    denialContextInquiryEnabled?: boolean;
  }[];
  services?: {
    id: string;
    organizationId?: string | null;
    directoryId?: string | null;
    name?: string;
    publicKeys?: ConfigKey[];
    callbackUrl?: string | null;
  }[];
  users?: { directoryId: string; identifier: string; devices?: ConfigDevice[] }[];
}

function uuid(value: unknown, where: string): string {
  const id = typeof value === 'string' ? value.toLowerCase() : '';
  if (!UUID_PATTERN.test(id)) throw new ConfigurationError(`${where} must be a UUID`);
  return id;
}

function keys(list: ConfigKey[] | undefined, now: number, where: string): EntityKey[] {
  return (list ?? []).map((k, i) => {
    // JSON config is untrusted: the declared type is not a guarantee.
    const keyType: unknown = k.keyType ?? 0;
    if (keyType !== 0 && keyType !== 1 && keyType !== 2) {
      throw new ConfigurationError(`${where}[${i}].keyType must be 0, 1 or 2`);
    }
    return { publicKey: publicKeyAt(k.pem, `${where}[${i}].pem`), keyType, active: true, created: now, expires: null };
  });
}

/** A webhook or callback URL of the config: absent or null is none; anything else must be an http(s) URL. */
function configUrl(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (!isHttpUrl(value)) throw new ConfigurationError(`${where} must be an http(s) URL`, { option: where });
  return value;
}

/** The key at `where`, or a ConfigurationError that names where it is (a config holds many keys). */
function publicKeyAt(pem: unknown, where: string): EntityKey['publicKey'] {
  try {
    return loadPublicKey(pem as string);
  } catch (err) {
    throw new ConfigurationError(`${where}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      option: where,
    });
  }
}

/** Reads a config file (JSON). */
export function readConfigFile(path: string): EmulatorConfig {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EmulatorConfig;
  } catch (cause) {
    throw new ConfigurationError(`Cannot read emulator config ${path}`, { cause });
  }
}

/** Creates the configured entities in `state`. */
export function applyConfig(state: EmulatorState, config: EmulatorConfig): void {
  const now = state.clock.now();
  for (const [i, o] of (config.organizations ?? []).entries()) {
    const id = uuid(o.id, `organizations[${i}].id`);
    state.organizations.set(id, {
      kind: 'org',
      id,
      name: o.name ?? `Organization ${i + 1}`,
      keys: keys(o.publicKeys, now, `organizations[${i}].publicKeys`),
    });
  }
  for (const [i, d] of (config.directories ?? []).entries()) {
    const id = uuid(d.id, `directories[${i}].id`);
    const organizationId = uuid(d.organizationId, `directories[${i}].organizationId`);
    if (!state.organizations.has(organizationId))
      throw new ConfigurationError(`directories[${i}] names an unknown organization`);
    state.directories.set(id, {
      kind: 'dir',
      id,
      organizationId,
      name: d.name ?? `Directory ${i + 1}`,
      keys: keys(d.publicKeys, now, `directories[${i}].publicKeys`),
      active: true,
      webhookUrl: configUrl(d.webhookUrl, `directories[${i}].webhookUrl`),
      androidKey: null,
      iosCertificateFingerprint: null,
      // As on a directory created through the API.
      denialContextInquiryEnabled: d.denialContextInquiryEnabled ?? true,
      sdkKeys: [],
    });
  }
  for (const [i, s] of (config.services ?? []).entries()) {
    const id = uuid(s.id, `services[${i}].id`);
    const directoryId = s.directoryId == null ? null : uuid(s.directoryId, `services[${i}].directoryId`);
    const organizationId =
      directoryId !== null ? null : uuid(s.organizationId, `services[${i}].organizationId (or directoryId)`);
    if (directoryId !== null && !state.directories.has(directoryId))
      throw new ConfigurationError(`services[${i}] names an unknown directory`);
    if (organizationId !== null && !state.organizations.has(organizationId))
      throw new ConfigurationError(`services[${i}] names an unknown organization`);
    state.services.set(id, {
      kind: 'svc',
      id,
      organizationId,
      directoryId,
      name: s.name ?? `Service ${i + 1}`,
      description: null,
      icon: null,
      callbackUrl: configUrl(s.callbackUrl, `services[${i}].callbackUrl`),
      active: true,
      keys: keys(s.publicKeys, now, `services[${i}].publicKeys`),
      policy: null,
    });
  }
  for (const [i, u] of (config.users ?? []).entries()) {
    const directoryId = uuid(u.directoryId, `users[${i}].directoryId`);
    if (!state.directories.has(directoryId)) throw new ConfigurationError(`users[${i}] names an unknown directory`);
    if (typeof u.identifier !== 'string' || u.identifier.length === 0)
      throw new ConfigurationError(`users[${i}].identifier is required`);
    state.users.push({
      directoryId,
      identifier: u.identifier,
      userPushId: randomUUID(),
      sessions: new Map(),
      totp: null,
      devices: (u.devices ?? []).map((d, j): Device => {
        const factors = checkFactors(d.factors, `users[${i}].devices[${j}].factors`);
        return {
          id: randomUUID(),
          name: d.name ?? `Device ${j + 1}`,
          type: d.type ?? 'Android',
          status: 1,
          created: now,
          updated: now,
          factors,
          supportedMethods: checkSupportedMethods(
            d.supportedMethods,
            factors,
            `users[${i}].devices[${j}].supportedMethods`,
          ),
          jailbroken: d.jailbroken ?? false,
          location: d.location ?? null,
          publicKey: null,
          link: null,
        };
      }),
    });
  }
}

/** Device factors; a device with none given has all three. */
export function checkFactors(value: unknown, where: string): DeviceFactor[] {
  if (value === undefined) return [...DEVICE_FACTORS];
  if (!Array.isArray(value) || !value.every((f) => (DEVICE_FACTORS as readonly unknown[]).includes(f))) {
    throw new ConfigurationError(`${where} must list knowledge, inherence or possession`);
  }
  return [...new Set(value as DeviceFactor[])];
}
