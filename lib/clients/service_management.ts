/**
 * Service management shared by the organization and directory clients (docs/protocol.md, "Service
 * management"): the same calls under `/organization/v3` (organization services) or `/directory/v3` (directory
 * services), plus the public-key calls, which have the same shape for service and directory keys.
 */
import { textArgument, uuidArgument } from './arguments.js';
import {
  keyTypeToWire,
  parseCreatedId,
  parseKeyId,
  parsePublicKeyInfos,
  parseServices,
  type KeyType,
  type PublicKeyInfo,
  type Service,
} from '../entities/service.js';
import { formatIsoTime } from '../iso_time.js';
import type { JoseTransport } from '../transport/jose_transport.js';
import type { ReplayCache } from '../webhooks/replay_cache.js';
import { invalid } from '../entities/validate.js';
import { BaseClient } from './base.js';

/** Options of `createService`. */
export interface CreateServiceOptions {
  description?: string | null;
  /** URL of the service's icon. */
  icon?: string | null;
  /** URL the API posts webhooks (authorization responses, session ends) to. */
  callbackUrl?: string | null;
  /** Default `true`. */
  active?: boolean;
}

/** Changes of `updateService`: an absent field is unchanged, `null` clears it. */
export interface UpdateServiceOptions extends CreateServiceOptions {
  name?: string;
}

/** Options of the add-public-key calls. */
export interface AddPublicKeyOptions {
  /** When the key stops being valid. */
  expires?: Date;
  /** Default `true`. */
  active?: boolean;
  /** What the key may be used for; default `BOTH`. */
  keyType?: Exclude<KeyType, 'OTHER'>;
}

/** Changes of the update-public-key calls. */
export interface UpdatePublicKeyOptions {
  /** New expiry; `null` removes it. */
  expires?: Date | null;
  active?: boolean;
}

/** Converts camelCase service options to the wire, keeping "absent" and "null" distinct. */
function serviceFields(options: UpdateServiceOptions): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  if (options.name !== undefined) wire['name'] = textArgument(options.name, 'name');
  if (options.description !== undefined) wire['description'] = options.description;
  if (options.icon !== undefined) wire['icon'] = options.icon;
  if (options.callbackUrl !== undefined) wire['callback_url'] = options.callbackUrl;
  if (options.active !== undefined) wire['active'] = options.active;
  return wire;
}

/** Shared public-key calls on one key path (`…/service/keys` or `…/directory/keys`). */
export class KeyCalls {
  constructor(
    private readonly _call: (method: 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown) => Promise<unknown>,
    private readonly _path: string,
    private readonly _idField: string,
  ) {}

  async add(ownerId: string, publicKey: string, options: AddPublicKeyOptions = {}): Promise<string> {
    const body: Record<string, unknown> = {
      [this._idField]: ownerId,
      public_key: textArgument(publicKey, 'publicKey'),
    };
    if (options.expires !== undefined) body['date_expires'] = formatIsoTime(options.expires);
    if (options.active !== undefined) body['active'] = options.active;
    if (options.keyType !== undefined) body['key_type'] = keyTypeToWire(options.keyType);
    return parseKeyId(await this._call('POST', this._path, body));
  }

  async list(ownerId: string): Promise<PublicKeyInfo[]> {
    return parsePublicKeyInfos(await this._call('POST', `${this._path}/list`, { [this._idField]: ownerId }));
  }

  async remove(ownerId: string, keyId: string): Promise<void> {
    await this._call('DELETE', this._path, { [this._idField]: ownerId, key_id: textArgument(keyId, 'keyId') });
  }

  async update(ownerId: string, keyId: string, options: UpdatePublicKeyOptions): Promise<void> {
    const body: Record<string, unknown> = { [this._idField]: ownerId, key_id: textArgument(keyId, 'keyId') };
    if (options.expires !== undefined)
      body['date_expires'] = options.expires === null ? null : formatIsoTime(options.expires);
    if (options.active !== undefined) body['active'] = options.active;
    await this._call('PATCH', this._path, body);
  }
}

/** Base of the clients that manage services: the organization and directory clients. */
export abstract class ServiceManagingClient extends BaseClient {
  private readonly _prefix: string;
  private readonly _serviceKeys: KeyCalls;

  protected constructor(
    transport: JoseTransport,
    subject: string,
    prefix: '/organization/v3' | '/directory/v3',
    replayCache?: ReplayCache,
  ) {
    super(transport, subject, replayCache);
    this._prefix = prefix;
    this._serviceKeys = new KeyCalls((m, p, b) => this._call(m, p, b), `${prefix}/service/keys`, 'service_id');
  }

  /** Creates a service and returns its id. */
  async createService(name: string, options: CreateServiceOptions = {}): Promise<string> {
    // Sent in full, as the Python SDK does: the API fills nothing in for a missing field.
    const body = {
      name: textArgument(name, 'name'),
      description: options.description ?? null,
      icon: options.icon ?? null,
      callback_url: options.callbackUrl ?? null,
      active: options.active ?? true,
    };
    return parseCreatedId(await this._call('POST', `${this._prefix}/services`, body));
  }

  /** Every service this entity owns. */
  async getAllServices(): Promise<Service[]> {
    return parseServices(await this._call('GET', `${this._prefix}/services`));
  }

  /** The services with these ids (403 `Forbidden` when any is unknown or not owned). */
  async getServices(serviceIds: readonly string[]): Promise<Service[]> {
    const ids = serviceIds.map((id, i) => uuidArgument(id, `serviceIds[${i}]`));
    return parseServices(await this._call('POST', `${this._prefix}/services/list`, { service_ids: ids }));
  }

  /** One service (403 `Forbidden` when it is unknown or not owned). */
  async getService(serviceId: string): Promise<Service> {
    const [service] = await this.getServices([serviceId]);
    if (service === undefined) invalid('services', 'The API answered no service for the id asked');
    return service;
  }

  /** Changes a service: absent options are unchanged, `null` clears. */
  async updateService(serviceId: string, changes: UpdateServiceOptions): Promise<void> {
    const body = { service_id: uuidArgument(serviceId, 'serviceId'), ...serviceFields(changes) };
    await this._call('PATCH', `${this._prefix}/services`, body);
  }

  /** Registers a public key (PEM) for a service and returns its key id. */
  async addServicePublicKey(serviceId: string, publicKey: string, options: AddPublicKeyOptions = {}): Promise<string> {
    return this._serviceKeys.add(uuidArgument(serviceId, 'serviceId'), publicKey, options);
  }

  /** The public keys of a service. */
  async getServicePublicKeys(serviceId: string): Promise<PublicKeyInfo[]> {
    return this._serviceKeys.list(uuidArgument(serviceId, 'serviceId'));
  }

  /** Removes a public key of a service (`LastRemainingKey` for the last one). */
  async removeServicePublicKey(serviceId: string, keyId: string): Promise<void> {
    await this._serviceKeys.remove(uuidArgument(serviceId, 'serviceId'), keyId);
  }

  /** Changes the expiry or activity of a public key of a service. */
  async updateServicePublicKey(serviceId: string, keyId: string, changes: UpdatePublicKeyOptions): Promise<void> {
    await this._serviceKeys.update(uuidArgument(serviceId, 'serviceId'), keyId, changes);
  }

  /** Sends a policy call for one service: the policy endpoints share their prefix. */
  protected async _policyCall(method: 'PUT' | 'POST' | 'DELETE', suffix: string, body: unknown): Promise<unknown> {
    return this._call(method, `${this._prefix}/service/policy${suffix}`, body);
  }
}
