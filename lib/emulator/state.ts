/**
 * The emulator's in-memory world: organizations, directories, services and their keys, directory
 * users with devices, TOTP and sessions, and authorization requests. Plain data plus lookups;
 * the rules that change it live in the route and flow modules.
 */
import type { PublicKey } from '../crypto/keys.js';
import type { AuthPolicy, ServicePolicy } from '../entities/policy.js';
import { AuthStore, type AuthRetention } from './auth_store.js';
import type { AuthMethodName } from './device_methods.js';
import { EmulatorClock } from './emulator_clock.js';
import { DEFAULT_RETENTION } from './retention.js';

/** An authentication factor category a simulated device has, lowercase as in device packages. */
export type DeviceFactor = 'knowledge' | 'inherence' | 'possession';

/** Every device factor, in the order device packages list them. */
export const DEVICE_FACTORS: readonly DeviceFactor[] = ['knowledge', 'inherence', 'possession'];

/** 0 both, 1 encryption only, 2 signature only (docs/protocol.md, "Key types"). */
export type KeyType = 0 | 1 | 2;

export interface EntityKey {
  publicKey: PublicKey;
  keyType: KeyType;
  active: boolean;
  created: number;
  /** Unix seconds, or null for no expiry. */
  expires: number | null;
}

export type EntityKind = 'org' | 'dir' | 'svc';

export interface Organization {
  kind: 'org';
  id: string;
  name: string;
  keys: EntityKey[];
}

export interface Directory {
  kind: 'dir';
  id: string;
  organizationId: string;
  name: string;
  keys: EntityKey[];
  active: boolean;
  webhookUrl: string | null;
  androidKey: string | null;
  iosCertificateFingerprint: string | null;
  denialContextInquiryEnabled: boolean;
  sdkKeys: string[];
}

export interface Service {
  kind: 'svc';
  id: string;
  /** The owning organization for organization services, null for directory services. */
  organizationId: string | null;
  directoryId: string | null;
  name: string;
  description: string | null;
  icon: string | null;
  callbackUrl: string | null;
  active: boolean;
  keys: EntityKey[];
  policy: ServicePolicy | null;
}

export type Entity = Organization | Directory | Service;

/** A device location; territory fields let TERRITORY fences be evaluated. */
export interface DeviceLocation {
  latitude: number;
  longitude: number;
  country?: string;
  administrative_area?: string;
  postal_code?: string;
}

export interface Device {
  id: string;
  name: string;
  type: string;
  /** 0 LINK_PENDING, 1 LINKED, 2 UNLINK_PENDING. */
  status: 0 | 1 | 2;
  created: number;
  updated: number;
  factors: DeviceFactor[];
  /** The methods the device's hardware supports (see device_methods.ts); its factors pick the ones set up. */
  supportedMethods: AuthMethodName[];
  jailbroken: boolean;
  location: DeviceLocation | null;
  publicKey: PublicKey | null;
  /** A link in progress; `initiatorKeyId` signed the link request and picks the webhook's key. */
  link: { code: string; expires: number; initiator: string; initiatorKeyId: string } | null;
}

export interface Session {
  serviceId: string;
  authRequest: string | null;
  created: number;
  /** The entity that started it: the session-end webhook is addressed to it. */
  initiator: string;
}

export interface User {
  directoryId: string;
  identifier: string;
  userPushId: string;
  devices: Device[];
  sessions: Map<string, Session>;
  totp: { secret: string; algorithm: 'SHA1'; period: number; digits: number } | null;
}

export interface DenialReason {
  id: string;
  reason: string;
  fraud: boolean;
}

export type AuthStatus = 'pending' | 'approved' | 'denied' | 'failed' | 'canceled' | 'expired';

/** What the device answered (the JWE package's type/reason pair). */
export interface AuthAnswer {
  type: 'AUTHORIZED' | 'DENIED' | 'FAILED';
  reason: 'APPROVED' | 'DISAPPROVED' | 'FRAUDULENT' | 'POLICY';
  denialReason: string | null;
  deviceId: string;
  at: number;
}

export interface AuthRequest {
  id: string;
  serviceId: string;
  user: User;
  /** The username as sent by the service. */
  username: string;
  /** `iss` of the create request: packages and webhooks are encrypted for it. */
  requester: string;
  /** The requester's key that signed the create request: it picks the key they are encrypted to. */
  requesterKeyId: string;
  context: string | null;
  title: string | null;
  pushTitle: string | null;
  pushBody: string | null;
  /** The request's own policy (`POST /service/v3/auths` `policy`), or null. */
  policy: AuthPolicy | null;
  denialReasons: DenialReason[];
  created: number;
  expires: number;
  canceled: boolean;
  /** Set once the request was seen expired: moving the clock back later does not revive it. */
  expired: boolean;
  answer: AuthAnswer | null;
  servicePins: string[];
  deviceIds: string[];
}

/** The whole world, with lookups that compare UUIDs case-insensitively. */
export class EmulatorState {
  readonly clock = new EmulatorClock();
  readonly organizations = new Map<string, Organization>();
  readonly directories = new Map<string, Directory>();
  readonly services = new Map<string, Service>();
  readonly users: User[] = [];
  /** Authorization requests, indexed, finished ones dropped after the retention. */
  readonly auths: AuthStore;
  /** Emulator times (Unix seconds) of the authorization requests counted by the rate limit, per service and user. */
  readonly authAttempts = new Map<string, number[]>();

  constructor(retention: AuthRetention = DEFAULT_RETENTION) {
    this.auths = new AuthStore(this.clock, retention);
  }

  entity(kind: EntityKind, id: string): Entity | undefined {
    const key = id.toLowerCase();
    if (kind === 'org') return this.organizations.get(key);
    if (kind === 'dir') return this.directories.get(key);
    return this.services.get(key);
  }

  /** Parses `org:<uuid>` etc. and finds the entity. */
  entityById(identifier: string): Entity | undefined {
    const match = /^(org|dir|svc):([0-9a-fA-F-]{36})$/.exec(identifier);
    if (match === null) return undefined;
    return this.entity(match[1] as EntityKind, match[2] ?? '');
  }

  /** The organization a directory or service ultimately belongs to. */
  organizationOf(entity: Entity): string | null {
    if (entity.kind === 'org') return entity.id;
    if (entity.kind === 'dir') return entity.organizationId;
    if (entity.directoryId !== null) return this.directories.get(entity.directoryId)?.organizationId ?? null;
    return entity.organizationId;
  }

  /** org → its directories, its services and its directories' services; dir → itself and its services. */
  entitled(issuer: Entity, subject: Entity): boolean {
    if (issuer.kind === subject.kind && issuer.id === subject.id) return true;
    if (issuer.kind === 'dir') return subject.kind === 'svc' && subject.directoryId === issuer.id;
    if (issuer.kind === 'org') return subject.kind !== 'org' && this.organizationOf(subject) === issuer.id;
    return false;
  }

  /** Directory users a service may address: its directory's, or its organization's directories'. */
  findUser(service: Service, username: string): User | undefined {
    const dirs =
      service.directoryId !== null
        ? [service.directoryId]
        : [...this.directories.values()].filter((d) => d.organizationId === service.organizationId).map((d) => d.id);
    return this.users.find(
      (u) => dirs.includes(u.directoryId) && (u.identifier === username || u.userPushId === username),
    );
  }

  directoryUser(directoryId: string, identifier: string): User | undefined {
    return this.users.find((u) => u.directoryId === directoryId && u.identifier === identifier);
  }

  servicesOf(owner: Organization | Directory): Service[] {
    return [...this.services.values()].filter((s) =>
      owner.kind === 'dir' ? s.directoryId === owner.id : s.directoryId === null && s.organizationId === owner.id,
    );
  }

  /** Status of a request at the emulator's current time. */
  authStatus(auth: AuthRequest): AuthStatus {
    return this.auths.status(auth);
  }

  /**
   * Moves the clock, first settling which requests have expired by now: a test that jumps past a
   * ttl and back sees the request stay expired, as it would with real time.
   *
   * @throws {InvalidArgumentError} when the clock would leave its range (see {@link EmulatorClock.offsetAfter}).
   */
  moveClock(change: { advance: number } | { offset: number }): void {
    // Refused before anything is settled: a refused move changes nothing.
    const offset = this.clock.offsetAfter(change);
    this.auths.settleExpired();
    this.clock.setOffset(offset);
    this.auths.settleExpired();
  }

  /** Usable keys of an entity: active, not expired, of a type that allows the use. */
  usableKeys(entity: Entity, use: 'sign' | 'encrypt'): EntityKey[] {
    const now = this.clock.now();
    const allowed: KeyType[] = use === 'sign' ? [0, 2] : [0, 1];
    return entity.keys.filter(
      (k) => k.active && (k.expires === null || k.expires > now) && allowed.includes(k.keyType),
    );
  }

  /**
   * The key a response is encrypted to, chosen per request from the key that signed it (`signingKid`; also
   * used for the auth packages and webhooks of a process, with the key that started it; docs/protocol.md,
   * "Webhook delivery"). The official SDKs' integration suite pins both halves of the rule on one
   * organization holding a dual-purpose, a signature-only and an encryption-only key:
   *
   * - signed with a dual-purpose key: the answer is encrypted to that same key, so a client holding
   *   only its dual-purpose key opens it whatever other keys the entity has;
   * - signed with a signature-only key: that key cannot encrypt, so the answer goes to an
   *   encryption-only key (the newest), the pairing a client with split keys holds; only an entity
   *   with no encryption-only key falls back to its newest dual-purpose key.
   *
   * "The newest encryption-capable key", the rule before, broke the first half whenever a key was
   * added after the dual-purpose one, and the second whenever the dual-purpose key was the newest.
   * Without a signer (or once its key is gone or inactive) the second half applies.
   */
  responseKey(entity: Entity, signingKid?: string): EntityKey | undefined {
    const encrypting = this.usableKeys(entity, 'encrypt');
    const signer = signingKid === undefined ? undefined : encrypting.find((k) => k.publicKey.kid === signingKid);
    return signer ?? encrypting.filter((k) => k.keyType === 1).at(-1) ?? encrypting.at(-1);
  }
}
