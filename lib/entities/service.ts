/**
 * Services and public keys as the management endpoints return them (docs/protocol.md, "Service management"
 * and "Public keys of entities"), parsed and validated at runtime.
 */
import { nullableDate, requireDate } from './dates.js';
import {
  nullableString,
  requireArray,
  requireBoolean,
  requireObject,
  requireString,
  requireUuid,
  fieldName,
} from './validate.js';

/** A service of an organization or a directory. */
export interface Service {
  id: string;
  name: string;
  description: string | null;
  icon: string | null;
  callbackUrl: string | null;
  active: boolean;
}

/** Key purposes (docs/protocol.md, "Key types"). `OTHER` stands for a value this SDK does not know. */
export type KeyType = 'BOTH' | 'ENCRYPTION' | 'SIGNATURE' | 'OTHER';

const KEY_TYPES: readonly KeyType[] = ['BOTH', 'ENCRYPTION', 'SIGNATURE'];

/** The wire value of a key type. */
export function keyTypeToWire(keyType: Exclude<KeyType, 'OTHER'>): number {
  return KEY_TYPES.indexOf(keyType);
}

/** A public key registered for an entity. */
export interface PublicKeyInfo {
  /** The key id (fingerprint). */
  id: string;
  publicKey: string;
  created: Date;
  expires: Date | null;
  active: boolean;
  keyType: KeyType;
}

/** Parses one service object. */
export function parseService(value: unknown, field = 'service'): Service {
  const o = requireObject(value, field);
  return {
    id: requireUuid(o['id'], fieldName(field, 'id')),
    name: requireString(o['name'], fieldName(field, 'name')),
    description: nullableString(o['description'], fieldName(field, 'description'), { allowEmpty: true }),
    icon: nullableString(o['icon'], fieldName(field, 'icon'), { allowEmpty: true }),
    callbackUrl: nullableString(o['callback_url'], fieldName(field, 'callback_url'), { allowEmpty: true }),
    active: requireBoolean(o['active'], fieldName(field, 'active')),
  };
}

/** Parses a list of services. */
export function parseServices(value: unknown): Service[] {
  return requireArray(value, 'services').map((item, i) => parseService(item, `services[${i}]`));
}

/** Parses one public key object; a missing `key_type` is BOTH, as in the SDKs. */
export function parsePublicKeyInfo(value: unknown, field = 'key'): PublicKeyInfo {
  const o = requireObject(value, field);
  const rawType = o['key_type'];
  const keyType: KeyType =
    rawType === undefined || rawType === null
      ? 'BOTH'
      : typeof rawType === 'number'
        ? (KEY_TYPES[rawType] ?? 'OTHER')
        : 'OTHER';
  return {
    id: requireString(o['id'], fieldName(field, 'id')),
    publicKey: requireString(o['public_key'], fieldName(field, 'public_key')),
    created: requireDate(o['date_created'], fieldName(field, 'date_created')),
    expires: nullableDate(o['date_expires'], fieldName(field, 'date_expires')),
    active: requireBoolean(o['active'], fieldName(field, 'active')),
    keyType,
  };
}

/** Parses a list of public keys. */
export function parsePublicKeyInfos(value: unknown): PublicKeyInfo[] {
  return requireArray(value, 'keys').map((item, i) => parsePublicKeyInfo(item, `keys[${i}]`));
}

/** Parses `{ "id": uuid }`, the answer of the create calls. */
export function parseCreatedId(value: unknown): string {
  return requireUuid(requireObject(value, 'response')['id'], 'id');
}

/** Parses `{ "key_id": fingerprint }`, the answer of the add-key calls. */
export function parseKeyId(value: unknown): string {
  return requireString(requireObject(value, 'response')['key_id'], 'key_id');
}
