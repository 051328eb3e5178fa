/**
 * Public-key management shared by directory and service key endpoints (docs/protocol.md, "Public keys of
 * entities"): add with the KEY-001/KEY-002/ARG-001 rules, list, update (KEY-003) and remove
 * (KEY-003/KEY-004).
 */
import { loadPublicKey, type PublicKey } from '../crypto/keys.js';
import { parseIsoTime } from '../iso_time.js';
import { isoSeconds } from './emulator_clock.js';
import { ApiFault, invalidArgs } from './fault.js';
import type { Entity, EntityKey } from './state.js';

/** An optional date as the SDKs send it (`Z`, offsets, fractional seconds, no zone: UTC), in Unix seconds. */
export function parseDate(value: unknown, field: string): number | null {
  if (value === null) return null;
  const date = parseIsoTime(value);
  if (date === undefined) throw invalidArgs({ [field]: 'must be an ISO-8601 date' });
  return Math.floor(date.getTime() / 1000);
}

function optBool(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidArgs({ [field]: 'must be a boolean' });
  return value;
}

export function addKey(entity: Entity, body: Record<string, unknown>, now: number): { key_id: string } {
  const pem = body['public_key'];
  if (typeof pem !== 'string') throw invalidArgs({ public_key: 'is required' });
  let publicKey: PublicKey;
  try {
    publicKey = loadPublicKey(pem);
  } catch {
    throw new ApiFault(400, 'KEY-001', 'The public key is not valid');
  }
  const rawType = body['key_type'] ?? 0;
  if (rawType !== 0 && rawType !== 1 && rawType !== 2) throw invalidArgs({ key_type: 'must be 0, 1 or 2' });
  if (entity.keys.some((k) => k.publicKey.kid === publicKey.kid)) {
    throw new ApiFault(400, 'KEY-002', 'The public key is already in use');
  }
  const expires = body['date_expires'] === undefined ? null : parseDate(body['date_expires'], 'date_expires');
  entity.keys.push({
    publicKey,
    keyType: rawType,
    active: optBool(body['active'], 'active') ?? true,
    created: now,
    expires,
  });
  return { key_id: publicKey.kid };
}

export function keyView(key: EntityKey) {
  return {
    id: key.publicKey.kid,
    public_key: key.publicKey.pem,
    date_created: isoSeconds(key.created),
    date_expires: key.expires === null ? null : isoSeconds(key.expires),
    active: key.active,
    key_type: key.keyType,
  };
}

function findKey(entity: Entity, body: Record<string, unknown>): EntityKey {
  const id = body['key_id'];
  const key = typeof id === 'string' ? entity.keys.find((k) => k.publicKey.kid === id.toLowerCase()) : undefined;
  if (key === undefined) throw new ApiFault(400, 'KEY-003', 'The public key does not exist');
  return key;
}

/** Absent fields stay unchanged; an explicit null expiry clears it. */
export function updateKey(entity: Entity, body: Record<string, unknown>): void {
  const key = findKey(entity, body);
  if (body['date_expires'] !== undefined) key.expires = parseDate(body['date_expires'], 'date_expires');
  const active = optBool(body['active'], 'active');
  if (active !== undefined) key.active = active;
}

export function removeKey(entity: Entity, body: Record<string, unknown>): void {
  const key = findKey(entity, body);
  if (entity.keys.length <= 1) throw new ApiFault(400, 'KEY-004', 'The last remaining key cannot be removed');
  entity.keys.splice(entity.keys.indexOf(key), 1);
}
