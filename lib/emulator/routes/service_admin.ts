/**
 * Service management (docs/protocol.md, "Service management") under both `/organization/v3` (subject `org:`)
 * and `/directory/v3` (subject `dir:`): services, service keys and service policies.
 */
import { randomUUID } from 'node:crypto';

import { servicePolicyFromJSON, type ServicePolicy } from '../../entities/policy.js';
import { InvalidPolicyError } from '../../errors.js';
import type { EmulatorContext } from '../context.js';
import { addKey, keyView, removeKey, updateKey } from '../entity_keys.js';
import { ApiFault, forbidden, invalidArgs } from '../fault.js';
import { servicePolicyItem } from '../policy_eval.js';
import { isHttpUrl } from '../public_url.js';
import type { RouteTable, SignedContext } from '../router.js';
import type { Directory, EntityKind, Organization, Service } from '../state.js';

/** An optional http(s) URL field: absent stays undefined, null clears. */
export function optionalUrl(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (isHttpUrl(value)) return value;
  throw invalidArgs({ [field]: 'must be an http(s) URL' });
}

/**
 * The spellings of a boolean the API took for a service's `active`: JSON booleans and the text of
 * one as the SDKs' languages print it, Python's `str(True)` ("True"; the official Python suite sends
 * `"active": "True"` from its tables) and the lowercase JSON/Java form ("true"). Nothing looser:
 * "TRUE", "1", "yes" or numbers stay invalid.
 */
const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = { True: true, true: true, False: false, false: false };

function serviceActive(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && Object.hasOwn(BOOLEAN_TEXT, value)) return BOOLEAN_TEXT[value] === true;
  throw invalidArgs({ active: 'must be a boolean' });
}

function optText(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalidArgs({ [field]: 'must be a string' });
  return value;
}

/**
 * The `policy` of `PUT …/service/policy`, parsed by the SDK's {@link servicePolicyFromJSON} (every
 * SDK's serialisation, Python's flat `LegacyPolicy.to_dict()` shape included); one it cannot read
 * is refused with `ARG-001` and an `error_detail` naming the field, never stored as something weaker.
 */
function servicePolicy(value: unknown): ServicePolicy {
  // fromJSON would also read JSON text; the API takes only an object here.
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgs({ policy: 'policy must be an object' });
  }
  try {
    return servicePolicyFromJSON(value);
  } catch (err) {
    if (err instanceof InvalidPolicyError) throw invalidArgs({ [err.field]: err.message });
    throw err;
  }
}

const view = (s: Service) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  icon: s.icon,
  callback_url: s.callbackUrl,
  active: s.active,
});

function addFor(routes: RouteTable, ctx: EmulatorContext, prefix: string, kind: EntityKind): void {
  const { state } = ctx;
  const owner = (c: SignedContext) => c.subject as Organization | Directory;
  const body = (c: SignedContext) => c.body ?? {};
  const find = (c: SignedContext, id: unknown): Service | undefined => {
    const svc = typeof id === 'string' ? state.services.get(id.toLowerCase()) : undefined;
    return svc !== undefined && state.servicesOf(owner(c)).includes(svc) ? svc : undefined;
  };
  const owned = (c: SignedContext, id: unknown): Service =>
    find(c, id) ??
    (() => {
      throw forbidden();
    })();
  // Policy calls on an unknown service answer SVC-004, not 403 (the SDK integration suites).
  const policyTarget = (c: SignedContext): Service =>
    find(c, body(c)['service_id']) ??
    (() => {
      throw new ApiFault(400, 'SVC-004', 'Service not found');
    })();
  const nameTaken = (c: SignedContext, name: string, except?: Service) =>
    state.servicesOf(owner(c)).some((s) => s !== except && s.name.toLowerCase() === name.toLowerCase());
  const applyFields = (svc: Service, b: Record<string, unknown>) => {
    if (b['description'] !== undefined) svc.description = optText(b['description'], 'description');
    if (b['icon'] !== undefined) svc.icon = optionalUrl(b['icon'], 'icon');
    if (b['callback_url'] !== undefined) svc.callbackUrl = optionalUrl(b['callback_url'], 'callback_url');
    if (b['active'] !== undefined && b['active'] !== null) svc.active = serviceActive(b['active']);
  };

  routes
    .signed('POST', `${prefix}/services`, kind, function createService(c) {
      const b = body(c);
      const name = b['name'];
      if (typeof name !== 'string' || name.trim().length === 0) throw invalidArgs({ name: 'is required' });
      if (nameTaken(c, name)) throw new ApiFault(400, 'SVC-001', 'Service name already in use');
      const o = owner(c);
      const svc: Service = {
        kind: 'svc',
        id: randomUUID(),
        organizationId: o.kind === 'org' ? o.id : null,
        directoryId: o.kind === 'dir' ? o.id : null,
        name,
        description: null,
        icon: null,
        callbackUrl: null,
        active: true,
        keys: [],
        policy: null,
      };
      applyFields(svc, b);
      state.services.set(svc.id, svc);
      return { status: 201, body: { id: svc.id } };
    })
    .signed('GET', `${prefix}/services`, kind, function listAllServices(c) {
      return { status: 200, body: state.servicesOf(owner(c)).map(view) };
    })
    .signed('POST', `${prefix}/services/list`, kind, function listServices(c) {
      const ids = body(c)['service_ids'];
      if (!Array.isArray(ids)) throw invalidArgs({ service_ids: 'must be a list of UUIDs' });
      return { status: 200, body: ids.map((id) => view(owned(c, id))) };
    })
    .signed('PATCH', `${prefix}/services`, kind, function updateService(c) {
      const b = body(c);
      const svc = owned(c, b['service_id']);
      if (b['name'] !== undefined && b['name'] !== null) {
        if (typeof b['name'] !== 'string' || b['name'].trim().length === 0)
          throw invalidArgs({ name: 'must not be empty' });
        if (nameTaken(c, b['name'], svc)) throw new ApiFault(400, 'SVC-001', 'Service name already in use');
        svc.name = b['name'];
      }
      applyFields(svc, b);
      return { status: 204 };
    })
    .signed('POST', `${prefix}/service/keys`, kind, function addServiceKey(c) {
      return { status: 201, body: addKey(owned(c, body(c)['service_id']), body(c), state.clock.now()) };
    })
    .signed('POST', `${prefix}/service/keys/list`, kind, function listServiceKeys(c) {
      return { status: 200, body: owned(c, body(c)['service_id']).keys.map(keyView) };
    })
    .signed('PATCH', `${prefix}/service/keys`, kind, function updateServiceKey(c) {
      updateKey(owned(c, body(c)['service_id']), body(c));
      return { status: 204 };
    })
    .signed('DELETE', `${prefix}/service/keys`, kind, function removeServiceKey(c) {
      removeKey(owned(c, body(c)['service_id']), body(c));
      return { status: 204 };
    })
    .signed('PUT', `${prefix}/service/policy`, kind, function setServicePolicy(c) {
      const svc = policyTarget(c);
      svc.policy = servicePolicy(body(c)['policy']);
      return { status: 204 };
    })
    .signed('POST', `${prefix}/service/policy/item`, kind, function getServicePolicy(c) {
      return { status: 200, body: servicePolicyItem(policyTarget(c).policy) };
    })
    .signed('DELETE', `${prefix}/service/policy`, kind, function removeServicePolicy(c) {
      policyTarget(c).policy = null;
      return { status: 204 };
    });
}

export function addServiceAdminRoutes(routes: RouteTable, ctx: EmulatorContext): void {
  addFor(routes, ctx, '/organization/v3', 'org');
  addFor(routes, ctx, '/directory/v3', 'dir');
}
