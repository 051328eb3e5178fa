/**
 * Authorization responses (docs/protocol.md, "The auth response core", "Device packages" and "What counts as
 * approved"): the "auth response core" of the poll (`GET /service/v3/auths/{id}`) and of the
 * authorization-response webhook, and the two device packages it carries — the JWE `auth_jwe` and the legacy
 * RSA-OAEP-SHA1 `auth` — parsed, once decrypted, into typed, runtime-validated results. Decryption is not
 * here: the layer that receives the bytes opens the packages (`webhooks/device_package.ts`) and hands the
 * plaintext to these parsers, so the entities stay wire types and parsers.
 *
 * Semantics follow the Python SDK 4.x (the newest): `AdvancedAuthorizationResponse` is
 * {@link AuthorizationResponse}; its legacy `AuthorizationResponse` is
 * {@link LegacyAuthorizationResponse}, derived with {@link toLegacyAuthorizationResponse}.
 *
 * Lenient where the SDKs are (unknown enum values become `OTHER`, case-insensitive policy names) and
 * strict where a wrong JSON type could change a decision (`response: "true"` is an error, not an
 * approval).
 */
import { InvalidPolicyError } from '../errors.js';
import { fenceFromWire, type FenceJson } from './fences.js';
import {
  fieldName,
  invalid,
  nullableBoolean,
  nullableNumber,
  nullableObject,
  nullableString,
  optionalString,
  requireArray,
  requireBoolean,
  requireObject,
  requireString,
  requireStringArray,
  type JsonObject,
} from './validate.js';

// ---------------------------------------------------------------------------------------------
// The core
// ---------------------------------------------------------------------------------------------

/** The decrypted auth response core, with wire names mapped to camelCase. */
export interface AuthResponseCore {
  /** Legacy device package: base64 of one RSA-OAEP-SHA1 block (may be wrapped with CRLF). */
  auth: string;
  /** JWE device package, when the API sent one (preferred over `auth`). */
  authJwe?: string;
  serviceUserHash: string;
  organizationUserHash: string;
  userPushId: string;
  /** Key id of the requesting entity's key that `auth` was encrypted to. */
  publicKeyId: string;
  /** `AUTHORIZATION_RESPONSE` in webhooks; absent in poll responses. */
  type?: string;
}

/**
 * Validates a decrypted auth response core. Every key the Python SDK requires must be present as a
 * non-empty string (`auth`, `service_user_hash`, `org_user_hash`, `user_push_id`, `public_key_id`).
 * `auth_jwe` is optional: absent or `null` means "no JWE package"; any other non-string is an
 * error, and so is `""` (the Python SDK would silently fall back to `auth`, Java and .NET would fail
 * to decrypt it; an empty package is never sent by a correct server, so it is refused).
 *
 * `public_key_id` is not checked against the key-id pattern here: it is only used as a key lookup,
 * where an unknown id is a {@link JweDecryptionError} `key`.
 *
 * @throws {PayloadValidationError} naming the missing or mistyped field.
 */
export function parseAuthResponseCore(payload: unknown): AuthResponseCore {
  const raw = requireObject(payload, 'core');
  const core: AuthResponseCore = {
    auth: requireString(raw['auth'], 'auth'),
    serviceUserHash: requireString(raw['service_user_hash'], 'service_user_hash'),
    organizationUserHash: requireString(raw['org_user_hash'], 'org_user_hash'),
    userPushId: requireString(raw['user_push_id'], 'user_push_id'),
    publicKeyId: requireString(raw['public_key_id'], 'public_key_id'),
  };
  const authJwe = optionalString(raw['auth_jwe'], 'auth_jwe');
  if (authJwe !== undefined) core.authJwe = authJwe;
  const type = optionalString(raw['type'], 'type');
  if (type !== undefined) core.type = type;
  return core;
}

// ---------------------------------------------------------------------------------------------
// Decoded responses
// ---------------------------------------------------------------------------------------------

/** `type` of a JWE device package; anything else the device sends is `OTHER`. */
export type AuthResponseType = 'AUTHORIZED' | 'DENIED' | 'FAILED' | 'OTHER';

/** `reason` of a JWE device package; anything else the device sends is `OTHER`. */
export type AuthResponseReason =
  | 'APPROVED'
  | 'DISAPPROVED'
  | 'FRAUDULENT'
  | 'POLICY'
  | 'PERMISSION'
  | 'AUTHENTICATION'
  | 'CONFIGURATION'
  | 'BUSY_LOCAL'
  | 'SENSOR'
  | 'OTHER';

/** The policy requirement the device enforced (`null`: none stated). */
export type AuthPolicyRequirement = 'AMOUNT' | 'TYPES' | 'COND_GEO' | 'OTHER';

/** Factor categories of a `types` policy. */
export type AuthPolicyType = 'KNOWLEDGE' | 'INHERENCE' | 'POSSESSION';

/** Authentication methods a device reports (`auth_methods[].method`); unknown ones are `OTHER`. */
export type AuthMethodType =
  'PIN_CODE' | 'CIRCLE_CODE' | 'GEOFENCING' | 'LOCATIONS' | 'WEARABLES' | 'FINGERPRINT' | 'FACE' | 'OTHER';

/** The policy the device reports it enforced (`auth_policy`). */
export interface AuthorizationResponsePolicy {
  requirement: AuthPolicyRequirement | null;
  /** Factor count of an `AMOUNT` requirement; `null` otherwise. */
  amount: number | null;
  /** Factor categories of a `TYPES` requirement (unknown names are dropped); `[]` otherwise. */
  types: AuthPolicyType[];
  /** Fences in their wire form; a fence without `type` is a GEO_CIRCLE. */
  geofences: FenceJson[];
}

/** One entry of `auth_methods`: what the device could and did use. */
export interface AuthMethod {
  method: AuthMethodType;
  set: boolean | null;
  active: boolean;
  allowed: boolean;
  supported: boolean;
  userRequired: boolean | null;
  passed: boolean | null;
  error: boolean | null;
}

/**
 * A decoded authorization response (Python `AdvancedAuthorizationResponse`).
 *
 * For a JWE package every field is filled from it. For a legacy package (`packageFormat`
 * `'legacy'`) only `authorized`, `authorizationRequestId`, `deviceId` and `servicePins` exist on
 * the wire, so `type`, `reason` and `denialReason` are `null`, `fraud` is `false`, and `policy` and
 * `authMethods` are `null`, as in the Python SDK (which leaves them `None`).
 */
export interface AuthorizationResponse {
  /** Which device package the response was decoded from. */
  packageFormat: 'jwe' | 'legacy';
  /** The package's `auth_request`. */
  authorizationRequestId: string;
  /**
   * JWE: `type === 'AUTHORIZED' && reason === 'APPROVED'` (the Python rule, stricter than Java's and
   * .NET's type-only rule). Legacy: the package's boolean `response`.
   */
  authorized: boolean;
  type: AuthResponseType | null;
  reason: AuthResponseReason | null;
  /** The id of the denial reason the user picked, if any. */
  denialReason: string | null;
  /** `reason === 'FRAUDULENT'`. */
  fraud: boolean;
  deviceId: string;
  servicePins: string[];
  serviceUserHash: string;
  organizationUserHash: string;
  userPushId: string;
  policy: AuthorizationResponsePolicy | null;
  authMethods: AuthMethod[] | null;
}

/** The Python SDK's legacy `AuthorizationResponse` view: the fields both package formats carry. */
export interface LegacyAuthorizationResponse {
  authorized: boolean;
  authorizationRequestId: string;
  deviceId: string;
  servicePins: string[];
  serviceUserHash: string;
  organizationUserHash: string;
  userPushId: string;
}

/**
 * What a device's answer means, as the strategy and the CLI both read it: `approved` only for a strict
 * approval (`authorized`); `failed` for an answer of type FAILED or OTHER; anything else, a legacy
 * package's refusal included, is `denied`. Whether a denial was a fraud report is `response.fraud`.
 */
export function answerStatus(response: AuthorizationResponse): 'approved' | 'denied' | 'failed' {
  if (response.authorized) return 'approved';
  if (response.type === 'FAILED' || response.type === 'OTHER') return 'failed';
  return 'denied';
}

/** The legacy (Python `AuthorizationResponse`) view of a decoded response. */
export function toLegacyAuthorizationResponse(response: AuthorizationResponse): LegacyAuthorizationResponse {
  return {
    authorized: response.authorized,
    authorizationRequestId: response.authorizationRequestId,
    deviceId: response.deviceId,
    servicePins: [...response.servicePins],
    serviceUserHash: response.serviceUserHash,
    organizationUserHash: response.organizationUserHash,
    userPushId: response.userPushId,
  };
}

// ---------------------------------------------------------------------------------------------
// Package parsing
// ---------------------------------------------------------------------------------------------

/** Fields of the core every decoded response carries. */
function coreFields(core: AuthResponseCore) {
  return {
    serviceUserHash: core.serviceUserHash,
    organizationUserHash: core.organizationUserHash,
    userPushId: core.userPushId,
  };
}

/**
 * Validates a decrypted legacy device package (`{response, auth_request, device_id, service_pins}`)
 * and combines it with the core's user fields.
 *
 * @throws {PayloadValidationError} naming the field under `auth.`.
 */
export function parseLegacyPackage(payload: unknown, core: AuthResponseCore): AuthorizationResponse {
  const raw = requireObject(payload, 'auth');
  return {
    packageFormat: 'legacy',
    authorizationRequestId: requireString(raw['auth_request'], 'auth.auth_request'),
    // Strictly a boolean: "true" or 1 must never read as an approval (docs/security.md, T21).
    authorized: requireBoolean(raw['response'], 'auth.response'),
    type: null,
    reason: null,
    denialReason: null,
    fraud: false,
    deviceId: requireString(raw['device_id'], 'auth.device_id'),
    servicePins: requireStringArray(raw['service_pins'], 'auth.service_pins'),
    ...coreFields(core),
    policy: null,
    authMethods: null,
  };
}

const TYPES: readonly AuthResponseType[] = ['AUTHORIZED', 'DENIED', 'FAILED'];
const REASONS: readonly AuthResponseReason[] = [
  'APPROVED',
  'DISAPPROVED',
  'FRAUDULENT',
  'POLICY',
  'PERMISSION',
  'AUTHENTICATION',
  'CONFIGURATION',
  'BUSY_LOCAL',
  'SENSOR',
];
const REQUIREMENTS: readonly AuthPolicyRequirement[] = ['AMOUNT', 'TYPES', 'COND_GEO'];
const POLICY_TYPES: readonly AuthPolicyType[] = ['KNOWLEDGE', 'INHERENCE', 'POSSESSION'];
const METHODS: readonly AuthMethodType[] = [
  'PIN_CODE',
  'CIRCLE_CODE',
  'GEOFENCING',
  'LOCATIONS',
  'WEARABLES',
  'FINGERPRINT',
  'FACE',
];

/** An enum value by exact match, else `OTHER` (Python `_retrieve_enum_from_value`). */
function enumOrOther<T extends string>(value: string, known: readonly T[]): T | 'OTHER' {
  return (known as readonly string[]).includes(value) ? (value as T) : 'OTHER';
}

/**
 * Validates a decrypted JWE device package and combines it with the core's user fields. `type` and
 * `reason` are matched exactly (`"authorized"` is `OTHER`, never an approval); method and policy names
 * case-insensitively, as the Python SDK upper-cases them.
 *
 * @throws {PayloadValidationError} naming the field under `auth_jwe.`.
 */
export function parseJwePackage(payload: unknown, core: AuthResponseCore): AuthorizationResponse {
  const p = 'auth_jwe';
  const raw = requireObject(payload, p);
  const type = enumOrOther(requireString(raw['type'], `${p}.type`), TYPES);
  const reason = enumOrOther(requireString(raw['reason'], `${p}.reason`), REASONS);
  const policy = nullableObject(raw['auth_policy'], `${p}.auth_policy`);
  const methods = raw['auth_methods'];
  return {
    packageFormat: 'jwe',
    authorizationRequestId: requireString(raw['auth_request'], `${p}.auth_request`),
    authorized: type === 'AUTHORIZED' && reason === 'APPROVED',
    type,
    reason,
    denialReason: nullableString(raw['denial_reason'], `${p}.denial_reason`),
    fraud: reason === 'FRAUDULENT',
    deviceId: requireString(raw['device_id'], `${p}.device_id`),
    servicePins: requireStringArray(raw['service_pins'], `${p}.service_pins`),
    ...coreFields(core),
    policy: policy === null ? null : parsePolicy(policy, `${p}.auth_policy`),
    authMethods:
      methods === undefined || methods === null
        ? null
        : requireArray(methods, `${p}.auth_methods`).map((m, i) => parseAuthMethod(m, `${p}.auth_methods[${i}]`)),
  };
}

function parsePolicy(raw: JsonObject, prefix: string): AuthorizationResponsePolicy {
  const requirementText = nullableString(raw['requirement'], fieldName(prefix, 'requirement'));
  const requirement = requirementText === null ? null : enumOrOther(requirementText.toUpperCase(), REQUIREMENTS);
  const amountField = fieldName(prefix, 'amount');
  const amount = nullableNumber(raw['amount'], amountField);
  if (requirement === 'AMOUNT' && amount === null) invalid(amountField, `${amountField} is required for "amount"`);
  const typesField = fieldName(prefix, 'types');
  const rawTypes = raw['types'];
  if (requirement === 'TYPES' && (rawTypes === undefined || rawTypes === null)) {
    invalid(typesField, `${typesField} is required for "types"`);
  }
  const types: AuthPolicyType[] = [];
  if (rawTypes !== undefined && rawTypes !== null) {
    for (const name of requireStringArray(rawTypes, typesField)) {
      // Unknown categories are dropped, as the Python SDK does: a policy can only look weaker.
      const known = enumOrOther(name.toUpperCase(), POLICY_TYPES);
      if (known !== 'OTHER' && !types.includes(known)) types.push(known);
    }
  }
  const fencesField = fieldName(prefix, 'geofences');
  const rawFences = raw['geofences'];
  const geofences =
    rawFences === undefined || rawFences === null
      ? []
      : requireArray(rawFences, fencesField).map((f, i) => parseFence(f, `${fencesField}[${i}]`));
  return { requirement, amount, types, geofences };
}

/**
 * Reads one fence of a device package's `auth_policy.geofences` into its wire form, with the SDK's
 * own fence parser (a fence without `type` is a GEO_CIRCLE, as in legacy locations). Its policy
 * error becomes a payload error here: the package came off the wire, not from the caller.
 */
function parseFence(value: unknown, prefix: string): FenceJson {
  try {
    return fenceFromWire(value, prefix).toJSON();
  } catch (err) {
    if (err instanceof InvalidPolicyError) invalid(err.field, err.message, err);
    throw err;
  }
}

function parseAuthMethod(value: unknown, prefix: string): AuthMethod {
  const raw = requireObject(value, prefix);
  const f = (key: string) => fieldName(prefix, key);
  return {
    method: enumOrOther(requireString(raw['method'], f('method')).toUpperCase(), METHODS),
    set: nullableBoolean(raw['set'], f('set')),
    active: requireBoolean(raw['active'], f('active')),
    allowed: requireBoolean(raw['allowed'], f('allowed')),
    supported: requireBoolean(raw['supported'], f('supported')),
    userRequired: nullableBoolean(raw['user_required'], f('user_required')),
    passed: nullableBoolean(raw['passed'], f('passed')),
    error: nullableBoolean(raw['error'], f('error')),
  };
}
