/**
 * What the directory endpoints return about a user (docs/protocol.md, "Directory endpoints"): linking data,
 * devices, service sessions and TOTP secrets, parsed and validated at runtime.
 */
import { nullableDate, requireDate } from './dates.js';
import {
  fieldName,
  invalid,
  nullableString,
  requireArray,
  requireNumber,
  requireObject,
  requireString,
  requireUuid,
} from './validate.js';

/** What a newly started device link gives the user to type or scan. */
export interface DeviceLinkData {
  /** The linking code the user types into the authenticator. */
  code: string;
  /** URL of an image of the code as a QR code. */
  qrcode: string;
  /** Id of the device being linked. */
  deviceId: string;
}

/** Device link states; `OTHER` stands for a value this SDK does not know. */
export type DeviceStatus = 'LINK_PENDING' | 'LINKED' | 'UNLINK_PENDING' | 'OTHER';

const DEVICE_STATUSES: readonly DeviceStatus[] = ['LINK_PENDING', 'LINKED', 'UNLINK_PENDING'];

/** A device of a directory user. */
export interface Device {
  id: string;
  name: string;
  status: DeviceStatus;
  /** Whether the device can answer authorization requests (Python and Java count UNLINK_PENDING). */
  active: boolean;
  type: string;
  created: Date | null;
  updated: Date | null;
}

/** A session of a directory user with one of the directory's services. */
export interface ServiceSession {
  serviceId: string;
  serviceName: string;
  serviceIcon: string | null;
  authRequest: string | null;
  created: Date;
}

/** A TOTP secret generated for a directory user. */
export interface DirectoryUserTotp {
  secret: string;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  period: number;
  digits: number;
}

/** Parses the answer of `POST /directory/v3/devices`. */
export function parseDeviceLinkData(value: unknown): DeviceLinkData {
  const o = requireObject(value, 'response');
  return {
    code: requireString(o['code'], 'code'),
    qrcode: requireString(o['qrcode'], 'qrcode'),
    deviceId: requireUuid(o['device_id'], 'device_id'),
  };
}

/** Parses one device. */
export function parseDevice(value: unknown, field = 'device'): Device {
  const o = requireObject(value, field);
  const status = DEVICE_STATUSES[requireNumber(o['status'], fieldName(field, 'status'))] ?? 'OTHER';
  return {
    id: requireString(o['id'], fieldName(field, 'id')),
    name: requireString(o['name'], fieldName(field, 'name'), { allowEmpty: true }),
    status,
    active: status === 'LINKED' || status === 'UNLINK_PENDING',
    type: requireString(o['type'], fieldName(field, 'type'), { allowEmpty: true }),
    created: nullableDate(o['created'], fieldName(field, 'created')),
    updated: nullableDate(o['updated'], fieldName(field, 'updated')),
  };
}

/** Parses a device list. */
export function parseDevices(value: unknown): Device[] {
  return requireArray(value, 'devices').map((item, i) => parseDevice(item, `devices[${i}]`));
}

/** Parses a service-session list. */
export function parseServiceSessions(value: unknown): ServiceSession[] {
  return requireArray(value, 'sessions').map((item, i) => {
    const field = `sessions[${i}]`;
    const o = requireObject(item, field);
    return {
      serviceId: requireUuid(o['service_id'], fieldName(field, 'service_id')),
      serviceName: requireString(o['service_name'], fieldName(field, 'service_name')),
      serviceIcon: nullableString(o['service_icon'], fieldName(field, 'service_icon'), { allowEmpty: true }),
      authRequest: nullableString(o['auth_request'], fieldName(field, 'auth_request')),
      created: requireDate(o['date_created'], fieldName(field, 'date_created')),
    };
  });
}

/** Parses the answer of `POST /directory/v3/totp`. */
export function parseDirectoryUserTotp(value: unknown): DirectoryUserTotp {
  const o = requireObject(value, 'response');
  const algorithm = requireString(o['algorithm'], 'algorithm').toUpperCase();
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256' && algorithm !== 'SHA512') {
    invalid('algorithm', 'algorithm must be SHA1, SHA256 or SHA512');
  }
  return {
    secret: requireString(o['secret'], 'secret'),
    algorithm,
    period: requireNumber(o['period'], 'period'),
    digits: requireNumber(o['digits'], 'digits'),
  };
}
