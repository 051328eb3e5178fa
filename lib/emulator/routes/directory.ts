/**
 * Directory endpoints (docs/protocol.md, "Directory endpoints"; subject `dir:`): device linking, devices,
 * sessions, TOTP.
 */
import { randomInt, randomUUID } from 'node:crypto';

import { isoSeconds } from '../emulator_clock.js';
import type { EmulatorContext } from '../context.js';
import { DEFAULT_SUPPORTED_METHODS } from '../device_methods.js';
import { ApiFault, invalidArgs, notFound } from '../fault.js';
import type { RouteTable, SignedContext } from '../router.js';
import type { Directory, User } from '../state.js';
import { generateTotpSecret } from '../totp.js';

/** Default seconds a linking code stays valid. */
export const DEFAULT_LINK_TTL = 300;

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function linkCode(): string {
  return Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

function identifierOf(body: Record<string, unknown> | undefined): string {
  const value = body?.['identifier'];
  if (typeof value !== 'string') throw invalidArgs({ identifier: 'is required' });
  if (value.trim().length === 0 || value.length > 256)
    throw new ApiFault(400, 'DIR-001', 'Invalid directory user identifier');
  return value;
}

export function addDirectoryRoutes(routes: RouteTable, ctx: EmulatorContext): void {
  const { state } = ctx;
  const directory = (c: SignedContext) => c.subject as Directory;
  const existing = (c: SignedContext): User | undefined => state.directoryUser(directory(c).id, identifierOf(c.body));
  const required = (c: SignedContext): User =>
    existing(c) ??
    (() => {
      throw notFound();
    })();
  /**
   * The directory user, created on first use: linking a device and generating a TOTP secret both
   * make the user known to the directory (the official suites do either for a fresh identifier).
   */
  const implicit = (c: SignedContext): User => {
    const found = existing(c);
    if (found !== undefined) return found;
    const user: User = {
      directoryId: directory(c).id,
      identifier: identifierOf(c.body),
      userPushId: randomUUID(),
      devices: [],
      sessions: new Map(),
      totp: null,
    };
    state.users.push(user);
    return user;
  };

  routes
    .signed('POST', '/directory/v3/devices', 'dir', function linkDevice(c) {
      identifierOf(c.body);
      const ttlValue = c.body?.['ttl'];
      if (
        ttlValue !== undefined &&
        ttlValue !== null &&
        (typeof ttlValue !== 'number' || !Number.isInteger(ttlValue) || ttlValue < 1)
      ) {
        throw invalidArgs({ ttl: 'must be a positive whole number of seconds' });
      }
      const user = implicit(c);
      const now = state.clock.now();
      const code = linkCode();
      const device = {
        id: randomUUID(),
        name: 'Pending device',
        type: 'Android',
        status: 0 as const,
        created: now,
        updated: now,
        factors: [],
        supportedMethods: [...DEFAULT_SUPPORTED_METHODS],
        jailbroken: false,
        location: null,
        publicKey: null,
        link: {
          code,
          expires: now + (typeof ttlValue === 'number' ? ttlValue : DEFAULT_LINK_TTL),
          initiator: c.issuerId,
          initiatorKeyId: c.signingKeyId,
        },
      };
      user.devices.push(device);
      return {
        status: 201,
        body: { qrcode: `${ctx.publicUrl()}/emulator/qrcode/${code}`, code, device_id: device.id },
      };
    })
    .signed('POST', '/directory/v3/devices/list', 'dir', function listDevices(c) {
      const devices = existing(c)?.devices ?? [];
      return {
        status: 200,
        body: devices.map((d) => ({
          id: d.id,
          name: d.name,
          status: d.status,
          type: d.type,
          created: isoSeconds(d.created),
          updated: isoSeconds(d.updated),
        })),
      };
    })
    .signed('DELETE', '/directory/v3/devices', 'dir', function unlinkDevice(c) {
      const user = required(c);
      const id = c.body?.['device_id'];
      const index = typeof id === 'string' ? user.devices.findIndex((d) => d.id === id.toLowerCase()) : -1;
      if (index < 0) throw notFound();
      user.devices.splice(index, 1);
      return { status: 204 };
    })
    .signed('POST', '/directory/v3/sessions/list', 'dir', function listSessions(c) {
      const user = required(c);
      return {
        status: 200,
        body: [...user.sessions.values()].map((s) => {
          const service = state.services.get(s.serviceId);
          return {
            service_id: s.serviceId,
            service_name: service?.name ?? '',
            service_icon: service?.icon ?? null,
            auth_request: s.authRequest,
            date_created: isoSeconds(s.created),
          };
        }),
      };
    })
    .signed('DELETE', '/directory/v3/sessions', 'dir', function endAllSessions(c) {
      required(c).sessions.clear();
      return { status: 204 };
    })
    .signed('POST', '/directory/v3/totp', 'dir', function generateTotp(c) {
      const user = implicit(c);
      user.totp = { secret: generateTotpSecret(), algorithm: 'SHA1', period: 30, digits: 6 };
      return { status: 200, body: { ...user.totp } };
    })
    .signed('DELETE', '/directory/v3/totp', 'dir', function removeTotp(c) {
      // Removing what a user does not have succeeds, also for an identifier never seen (the API did).
      const user = existing(c);
      if (user !== undefined) user.totp = null;
      return { status: 204 };
    });
}
