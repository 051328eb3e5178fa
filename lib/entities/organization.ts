/**
 * Directories as the organization endpoints return them (docs/protocol.md, "Organization endpoints"), parsed
 * and validated at runtime.
 */
import {
  fieldName,
  nullableString,
  requireArray,
  requireBoolean,
  requireObject,
  requireString,
  requireStringArray,
  requireUuid,
} from './validate.js';

/** A directory of an organization. */
export interface Directory {
  id: string;
  name: string;
  active: boolean;
  serviceIds: string[];
  sdkKeys: string[];
  androidKey: string | null;
  iosCertificateFingerprint: string | null;
  denialContextInquiryEnabled: boolean;
  webhookUrl: string | null;
  premium: boolean;
}

/** Parses one directory; `premium` and `denial_context_inquiry_enabled` default to false when absent. */
export function parseDirectory(value: unknown, field = 'directory'): Directory {
  const o = requireObject(value, field);
  const optionalFlag = (key: string): boolean =>
    o[key] === undefined || o[key] === null ? false : requireBoolean(o[key], fieldName(field, key));
  return {
    id: requireUuid(o['id'], fieldName(field, 'id')),
    name: requireString(o['name'], fieldName(field, 'name')),
    active: requireBoolean(o['active'], fieldName(field, 'active')),
    serviceIds: requireStringArray(o['service_ids'], fieldName(field, 'service_ids')),
    sdkKeys: requireStringArray(o['sdk_keys'], fieldName(field, 'sdk_keys')),
    androidKey: nullableString(o['android_key'], fieldName(field, 'android_key'), { allowEmpty: true }),
    iosCertificateFingerprint: nullableString(
      o['ios_certificate_fingerprint'],
      fieldName(field, 'ios_certificate_fingerprint'),
      { allowEmpty: true },
    ),
    denialContextInquiryEnabled: optionalFlag('denial_context_inquiry_enabled'),
    webhookUrl: nullableString(o['webhook_url'], fieldName(field, 'webhook_url'), { allowEmpty: true }),
    premium: optionalFlag('premium'),
  };
}

/** Parses a list of directories. */
export function parseDirectories(value: unknown): Directory[] {
  return requireArray(value, 'directories').map((item, i) => parseDirectory(item, `directories[${i}]`));
}

/** Parses the bare array of SDK keys. */
export function parseSdkKeys(value: unknown): string[] {
  return requireStringArray(value, 'sdk_keys');
}
