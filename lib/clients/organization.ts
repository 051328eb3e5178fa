/**
 * `OrganizationClient`: the organization's directories, their keys and SDK keys (docs/protocol.md,
 * "Organization endpoints"), and the organization's services ("Service management").
 */
import { textArgument, uuidArgument } from './arguments.js';
import { parseDirectories, parseSdkKeys, type Directory } from '../entities/organization.js';
import { parseCreatedId, type PublicKeyInfo } from '../entities/service.js';
import { invalid, requireObject, requireUuid } from '../entities/validate.js';
import type { JoseTransport } from '../transport/jose_transport.js';
import { PolicyManagingClient } from './policy_management.js';
import { KeyCalls, type AddPublicKeyOptions, type UpdatePublicKeyOptions } from './service_management.js';

/** Changes of {@link OrganizationClient.updateDirectory}: absent is unchanged, `null` clears. */
export interface UpdateDirectoryOptions {
  active?: boolean;
  /** Android push key (GCM/FCM server key). */
  androidKey?: string | null;
  /** iOS push certificate: base64 of a password-less PKCS#12 file. */
  iosP12?: string | null;
  /** Whether the directory's services may ask the user why they deny (denial reasons). */
  denialContextInquiryEnabled?: boolean;
  /** URL the API posts device-link webhooks to. */
  webhookUrl?: string | null;
}

/** Client for one organization. Made by `OrganizationFactory`. */
export class OrganizationClient extends PolicyManagingClient {
  /** The organization id (UUID). */
  readonly organizationId: string;
  private readonly _directoryKeys: KeyCalls;

  /**
   * Use a factory (`ServiceFactory`, `DirectoryFactory`, `OrganizationFactory`), which builds the transport.
   *
   * @hidden
   */
  constructor(transport: JoseTransport, organizationId: string) {
    const id = uuidArgument(organizationId, 'organizationId');
    super(transport, `org:${id}`, '/organization/v3');
    this.organizationId = id;
    this._directoryKeys = new KeyCalls(
      (m, p, b) => this._call(m, p, b),
      '/organization/v3/directory/keys',
      'directory_id',
    );
  }

  /** Creates a directory and returns its id (`DirectoryNameInUse` for a taken name). */
  async createDirectory(name: string): Promise<string> {
    const body = { name: textArgument(name, 'name') };
    return parseCreatedId(await this._call('POST', '/organization/v3/directories', body));
  }

  /** Changes a directory. */
  async updateDirectory(directoryId: string, changes: UpdateDirectoryOptions): Promise<void> {
    const body: Record<string, unknown> = { directory_id: uuidArgument(directoryId, 'directoryId') };
    if (changes.active !== undefined) body['active'] = changes.active;
    if (changes.androidKey !== undefined) body['android_key'] = changes.androidKey;
    if (changes.iosP12 !== undefined) body['ios_p12'] = changes.iosP12;
    if (changes.denialContextInquiryEnabled !== undefined) {
      body['denial_context_inquiry_enabled'] = changes.denialContextInquiryEnabled;
    }
    if (changes.webhookUrl !== undefined) body['webhook_url'] = changes.webhookUrl;
    await this._call('PATCH', '/organization/v3/directories', body);
  }

  /** One directory. */
  async getDirectory(directoryId: string): Promise<Directory> {
    const [directory] = await this.getDirectories([directoryId]);
    if (directory === undefined) invalid('directories', 'The API answered no directory for the id asked');
    return directory;
  }

  /** The directories with these ids (403 `Forbidden` when any is unknown or not owned). */
  async getDirectories(directoryIds: readonly string[]): Promise<Directory[]> {
    const ids = directoryIds.map((id, i) => uuidArgument(id, `directoryIds[${i}]`));
    return parseDirectories(await this._call('POST', '/organization/v3/directories/list', { directory_ids: ids }));
  }

  /** Every directory of the organization. */
  async getAllDirectories(): Promise<Directory[]> {
    return parseDirectories(await this._call('GET', '/organization/v3/directories'));
  }

  /** Registers a public key (PEM) for a directory and returns its key id. */
  async addDirectoryPublicKey(directoryId: string, publicKey: string, options: AddPublicKeyOptions = {}) {
    return this._directoryKeys.add(uuidArgument(directoryId, 'directoryId'), publicKey, options);
  }

  /** The public keys of a directory. */
  async getDirectoryPublicKeys(directoryId: string): Promise<PublicKeyInfo[]> {
    return this._directoryKeys.list(uuidArgument(directoryId, 'directoryId'));
  }

  /** Removes a public key of a directory (`LastRemainingKey` for the last one). */
  async removeDirectoryPublicKey(directoryId: string, keyId: string): Promise<void> {
    await this._directoryKeys.remove(uuidArgument(directoryId, 'directoryId'), keyId);
  }

  /** Changes the expiry or activity of a public key of a directory. */
  async updateDirectoryPublicKey(directoryId: string, keyId: string, changes: UpdatePublicKeyOptions): Promise<void> {
    await this._directoryKeys.update(uuidArgument(directoryId, 'directoryId'), keyId, changes);
  }

  /** Generates an SDK key for a directory (white-label mobile SDKs) and returns it. */
  async generateAndAddDirectorySdkKey(directoryId: string): Promise<string> {
    const body = { directory_id: uuidArgument(directoryId, 'directoryId') };
    const data = await this._call('POST', '/organization/v3/directory/sdk-keys', body);
    return requireUuid(requireObject(data, 'response')['sdk_key'], 'sdk_key');
  }

  /** The SDK keys of a directory. */
  async getAllDirectorySdkKeys(directoryId: string): Promise<string[]> {
    const body = { directory_id: uuidArgument(directoryId, 'directoryId') };
    return parseSdkKeys(await this._call('POST', '/organization/v3/directory/sdk-keys/list', body));
  }

  /** Removes an SDK key (`LastRemainingSDKKey`, `InvalidSDKKey`). */
  async removeDirectorySdkKey(directoryId: string, sdkKey: string): Promise<void> {
    const body = { directory_id: uuidArgument(directoryId, 'directoryId'), sdk_key: uuidArgument(sdkKey, 'sdkKey') };
    await this._call('DELETE', '/organization/v3/directory/sdk-keys', body);
  }
}
