/**
 * Credentials of the CLI: ids and private keys from options or `LAUNCHKEY_*` variables (an option
 * wins), turned into the SDK client a command needs. The narrowest credentials given are used
 * (service, then directory, then organization), so an operator holding several acts with the
 * least authority that works.
 *
 * Key values never reach any output: messages name the option or variable, never its value, and
 * a key option takes a file path only, since a command line is visible to every local user (`ps`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { DirectoryFactory, OrganizationFactory, ServiceFactory, type FactoryOptions } from '../clients/factories.js';
import type { DirectoryClient } from '../clients/directory.js';
import type { OrganizationClient } from '../clients/organization.js';
import type { ServiceClient } from '../clients/service.js';
import { loadPrivateKey, type PrivateKey } from '../crypto/keys.js';
import { UUID_PATTERN } from '../entities/validate.js';
import { ConfigurationError, UsageError } from '../errors.js';
import type { OptionSpecs, ParsedOptions } from './options.js';

/** What a command acts through: a service (push), a directory (devices, sessions), or a service's manager (keys). */
export type CredentialNeed = 'service' | 'directory' | 'service-keys';

type Entity = 'organization' | 'directory' | 'service';

/** The option and variable of one credential field. */
interface Field {
  option: string;
  env: string;
}

const id = (entity: Entity): Field => ({ option: `${entity}-id`, env: `LAUNCHKEY_${entity.toUpperCase()}_ID` });
const key = (entity: Entity): Field => ({ option: `${entity}-key`, env: `LAUNCHKEY_${entity.toUpperCase()}_KEY` });
const BASE_URL: Field = { option: 'base-url', env: 'LAUNCHKEY_BASE_URL' };

/** The entities whose credentials a command can act with, narrowest first. */
const ENTITIES: Record<CredentialNeed, readonly Entity[]> = {
  service: ['service', 'directory', 'organization'],
  directory: ['directory', 'organization'],
  // A service cannot manage its own keys: its directory or organization does.
  'service-keys': ['directory', 'organization'],
};

/** Longest key file read: an RSA key of any usable size is a few kilobytes. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The options a command with this need accepts for its credentials and the API's address. */
export function credentialOptions(need: CredentialNeed): OptionSpecs {
  const specs: Record<string, OptionSpecs[string]> = {
    [BASE_URL.option]: {
      type: 'string',
      value: 'URL',
      description: `API base URL (${BASE_URL.env}); default https://api.launchkey.com`,
    },
  };
  const entities = ENTITIES[need];
  // The target service of `keys` is named even though its own key is of no use there.
  if (need === 'service-keys') {
    specs[id('service').option] = {
      type: 'string',
      value: 'UUID',
      description: `the service whose keys to manage (${id('service').env})`,
    };
  }
  for (const entity of entities) {
    specs[id(entity).option] = { type: 'string', value: 'UUID', description: `${entity} id (${id(entity).env})` };
    specs[key(entity).option] = {
      type: 'string',
      value: 'FILE',
      description: `${entity} private key, a PEM file (${key(entity).env}: PEM or path)`,
    };
  }
  return specs;
}

/** Help lines saying which credentials a command uses. */
export function credentialHelp(need: CredentialNeed): string[] {
  switch (need) {
    case 'service':
      return [
        'Acts as the service: its own key (LAUNCHKEY_SERVICE_ID + LAUNCHKEY_SERVICE_KEY), or the key of',
        'its directory or organization with LAUNCHKEY_SERVICE_ID naming the service.',
      ];
    case 'directory':
      return [
        'Acts as the directory: its own key (LAUNCHKEY_DIRECTORY_ID + LAUNCHKEY_DIRECTORY_KEY), or the',
        "organization's key with LAUNCHKEY_DIRECTORY_ID naming the directory.",
      ];
    case 'service-keys':
      return [
        "Acts as the service's owner: the directory of a directory service (its key, or the organization's",
        'key with LAUNCHKEY_DIRECTORY_ID), or the organization of an organization service.',
      ];
  }
}

/** A value and where it came from, for messages that name the source and never the value. */
interface Sourced {
  value: string;
  source: string;
  fromOption: boolean;
}

/** Resolves credentials lazily: nothing is read or checked until a command asks for a client. */
export class Credentials {
  constructor(
    private readonly _need: CredentialNeed,
    private readonly _options: ParsedOptions,
    private readonly _env: Readonly<Record<string, string | undefined>>,
    /** Relative key file paths are resolved against it. */
    private readonly _cwd: string,
  ) {}

  /** A client for the service named by `--service-id` / `LAUNCHKEY_SERVICE_ID`. */
  serviceClient(): ServiceClient {
    const serviceId = this.serviceId();
    const { entity, entityId, privateKey } = this._narrowest();
    return this._make((options) => {
      switch (entity) {
        case 'service':
          return new ServiceFactory(serviceId, privateKey, options).makeServiceClient();
        case 'directory':
          return new DirectoryFactory(entityId, privateKey, options).makeServiceClient(serviceId);
        case 'organization':
          return new OrganizationFactory(entityId, privateKey, options).makeServiceClient(serviceId);
      }
    });
  }

  /** A client for the directory: its own credentials, or the organization's for `--directory-id`. */
  directoryClient(): DirectoryClient {
    const { entity, entityId, privateKey } = this._narrowest();
    if (entity === 'directory') {
      return this._make((options) => new DirectoryFactory(entityId, privateKey, options).makeDirectoryClient());
    }
    const directoryId = this._requiredId('directory');
    return this._make((options) =>
      new OrganizationFactory(entityId, privateKey, options).makeDirectoryClient(directoryId),
    );
  }

  /**
   * The client that manages the target service's keys: the directory when one is named (its own
   * key, or the organization's), else the organization (an organization service).
   */
  serviceManager(): DirectoryClient | OrganizationClient {
    if (this._id('directory') !== undefined) return this.directoryClient();
    const { entityId, privateKey } = this._narrowest();
    return this._make((options) => new OrganizationFactory(entityId, privateKey, options).makeOrganizationClient());
  }

  /** The service id given (required by `push` and `keys`). */
  serviceId(): string {
    return this._requiredId('service');
  }

  /** The narrowest entity whose key is given, with its id and loaded key. */
  private _narrowest(): { entity: Entity; entityId: string; privateKey: PrivateKey } {
    for (const entity of ENTITIES[this._need]) {
      const keyValue = this._sourced(key(entity));
      if (keyValue === undefined) continue;
      return { entity, entityId: this._requiredId(entity), privateKey: this._loadKey(keyValue) };
    }
    const names = ENTITIES[this._need].map((e) => key(e).env).join(', ');
    throw new UsageError(`no credentials: set one of ${names} (or the matching --*-key option) with its id`, {
      argument: key(ENTITIES[this._need][0] ?? 'service').env,
    });
  }

  private _sourced(field: Field): Sourced | undefined {
    const fromOption = this._options.string(field.option);
    if (fromOption !== undefined) return { value: fromOption, source: `--${field.option}`, fromOption: true };
    const fromEnv = this._env[field.env];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv, source: field.env, fromOption: false };
    return undefined;
  }

  private _id(entity: Entity): string | undefined {
    const sourced = this._sourced(id(entity));
    if (sourced === undefined) return undefined;
    const value = sourced.value.trim();
    if (!UUID_PATTERN.test(value)) {
      throw new UsageError(`${sourced.source} must be a UUID`, { argument: sourced.source });
    }
    return value.toLowerCase();
  }

  private _requiredId(entity: Entity): string {
    const value = this._id(entity);
    if (value === undefined) {
      const field = id(entity);
      throw new UsageError(`the ${entity} id is missing: set ${field.env} or --${field.option}`, {
        argument: field.env,
      });
    }
    return value;
  }

  /** Reads and loads a private key; failures name the source, never the text. */
  private _loadKey(sourced: Sourced): PrivateKey {
    const pem = this._pemText(sourced);
    try {
      return loadPrivateKey(pem);
    } catch (err) {
      if (err instanceof ConfigurationError) {
        throw new UsageError(`${sourced.source}: ${err.message}`, { argument: sourced.source, cause: err });
      }
      throw err;
    }
  }

  private _pemText(sourced: Sourced): string {
    const { value, source } = sourced;
    if (value.includes('-----BEGIN')) {
      if (sourced.fromOption) {
        throw new UsageError(
          `${source} takes the path of a PEM file, not the key itself: a command line is visible to other local users`,
          { argument: source },
        );
      }
      // .env files often hold a PEM on one line with literal \n escapes.
      return value.includes('\n') ? value : value.replace(/\\n/g, '\n');
    }
    return readKeyFile(resolve(this._cwd, value), source);
  }

  /**
   * Runs `make` with the factory options; the transport owns the base URL's rules (https, or http
   * to loopback; no credentials or query), and its refusal is reported against the option or
   * variable that gave the URL.
   */
  private _make<T>(make: (options: FactoryOptions) => T): T {
    const options: FactoryOptions = { userAgent: 'launchkey-cli' };
    const baseUrl = this._sourced(BASE_URL);
    if (baseUrl !== undefined) options.baseUrl = baseUrl.value.trim();
    try {
      return make(options);
    } catch (err) {
      if (baseUrl !== undefined && err instanceof ConfigurationError && err.option === 'baseUrl') {
        const message = err.message.replace(/^baseUrl /, 'the URL ');
        throw new UsageError(`${baseUrl.source}: ${message}`, { argument: baseUrl.source, cause: err });
      }
      throw err;
    }
  }
}

/** Reads a key file; a failure names the source and the system's reason, not the path's text. */
function readKeyFile(path: string, source: string): string {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(
      `${source} is neither a PEM key nor the path of a readable file (${typeof code === 'string' ? code : 'unreadable'})`,
      { argument: source },
    );
  }
  if (text.length > MAX_KEY_FILE_BYTES) {
    throw new UsageError(`${source}: the file is too large to be a private key`, { argument: source });
  }
  return text.toString('utf8');
}
