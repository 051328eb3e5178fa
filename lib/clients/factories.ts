/**
 * The credential hierarchy of the official SDKs (docs/protocol.md, "Entities and identifiers"): an
 * organization's credentials make clients for the organization, any of its directories and any of their
 * services; a directory's for itself and its services; a service's for itself. Each factory holds one
 * transport, so its clients share the API key and clock caches.
 */
import { ConfigurationError } from '../errors.js';
import { uuidArgument } from './arguments.js';
import { KeyRing, type PrivateKey } from '../crypto/keys.js';
import { JoseTransport, type TransportOptions } from '../transport/jose_transport.js';
import { MemoryReplayCache, type ReplayCache } from '../webhooks/replay_cache.js';
import { DirectoryClient } from './directory.js';
import { OrganizationClient } from './organization.js';
import { ServiceClient } from './service.js';

/** Private keys as PEM text or loaded: one signs, all decrypt (after a rotation, keep the old one). */
export type PrivateKeys = string | PrivateKey | readonly (string | PrivateKey)[];

/** Options of every factory: the transport's, plus key and webhook choices. */
export interface FactoryOptions extends TransportOptions {
  /** Key id of the key that signs; default the first key. */
  signingKeyId?: string;
  /**
   * Remembers the token ids of verified webhooks so a replay is refused; default one in-memory
   * cache per factory. Pass a shared store when several processes receive webhooks.
   */
  replayCache?: ReplayCache;
}

/** The key ring of the credentials; a key that does not load is an error about `privateKeys`. */
function keyRing(keys: readonly (string | PrivateKey)[], signingKeyId: string | undefined): KeyRing {
  try {
    return new KeyRing(keys, signingKeyId);
  } catch (err) {
    if (err instanceof ConfigurationError && err.option === undefined) {
      throw new ConfigurationError(`privateKeys: ${err.message}`, { cause: err, option: 'privateKeys' });
    }
    throw err;
  }
}

abstract class Factory {
  protected readonly _transport: JoseTransport;
  protected readonly _replayCache: ReplayCache;

  protected constructor(issuer: string, keys: PrivateKeys, options: FactoryOptions) {
    const list = typeof keys === 'string' || !Array.isArray(keys) ? [keys as string | PrivateKey] : keys;
    const { signingKeyId, replayCache, ...transportOptions } = options;
    this._transport = new JoseTransport(issuer, keyRing(list, signingKeyId), transportOptions);
    this._replayCache = replayCache ?? new MemoryReplayCache();
  }

  /** The credential holder, e.g. `org:<uuid>`. */
  get issuer(): string {
    return this._transport.issuer;
  }
}

/** Makes a client for one service with that service's own credentials. */
export class ServiceFactory extends Factory {
  private readonly _serviceId: string;

  /**
   * @param serviceId the service id (UUID).
   * @param privateKeys the service's private key(s), PEM.
   * @param options base URL (default `https://api.launchkey.com`), transport and key options.
   */
  constructor(serviceId: string, privateKeys: PrivateKeys, options: FactoryOptions = {}) {
    const id = uuidArgument(serviceId, 'serviceId');
    super(`svc:${id}`, privateKeys, options);
    this._serviceId = id;
  }

  makeServiceClient(): ServiceClient {
    return new ServiceClient(this._transport, this._serviceId, { replayCache: this._replayCache });
  }
}

/** Makes clients for one directory and its services with the directory's credentials. */
export class DirectoryFactory extends Factory {
  private readonly _directoryId: string;

  constructor(directoryId: string, privateKeys: PrivateKeys, options: FactoryOptions = {}) {
    const id = uuidArgument(directoryId, 'directoryId');
    super(`dir:${id}`, privateKeys, options);
    this._directoryId = id;
  }

  makeDirectoryClient(): DirectoryClient {
    return new DirectoryClient(this._transport, this._directoryId, { replayCache: this._replayCache });
  }

  /** A client for one of the directory's services. */
  makeServiceClient(serviceId: string): ServiceClient {
    return new ServiceClient(this._transport, serviceId, { replayCache: this._replayCache });
  }
}

/** Makes clients for an organization, its directories and their services with the organization's credentials. */
export class OrganizationFactory extends Factory {
  private readonly _organizationId: string;

  constructor(organizationId: string, privateKeys: PrivateKeys, options: FactoryOptions = {}) {
    const id = uuidArgument(organizationId, 'organizationId');
    super(`org:${id}`, privateKeys, options);
    this._organizationId = id;
  }

  makeOrganizationClient(): OrganizationClient {
    return new OrganizationClient(this._transport, this._organizationId);
  }

  /** A client for one of the organization's directories. */
  makeDirectoryClient(directoryId: string): DirectoryClient {
    return new DirectoryClient(this._transport, directoryId, { replayCache: this._replayCache });
  }

  /** A client for one of the organization's services, or of its directories' services. */
  makeServiceClient(serviceId: string): ServiceClient {
    return new ServiceClient(this._transport, serviceId, { replayCache: this._replayCache });
  }
}
