/**
 * `DirectoryClient`: what a directory does with its users (docs/protocol.md, "Directory endpoints"): link and
 * unlink their devices, list and end their service sessions, manage their TOTP secrets, receive device-link
 * webhooks; and manage the directory's services ("Service management").
 */
import {
  parseDeviceLinkData,
  parseDevices,
  parseDirectoryUserTotp,
  parseServiceSessions,
  type Device,
  type DeviceLinkData,
  type DirectoryUserTotp,
  type ServiceSession,
} from '../entities/directory.js';
import { textArgument, userArgument, uuidArgument } from './arguments.js';
import { invalid } from '../entities/validate.js';
import { InvalidArgumentError } from '../errors.js';
import type { JoseTransport } from '../transport/jose_transport.js';
import type { ReplayCache } from '../webhooks/replay_cache.js';
import type { DeviceLinkCompletionWebhook, WebhookRequest } from '../webhooks/verify.js';
import { PolicyManagingClient } from './policy_management.js';

/** Options of {@link DirectoryClient.linkDevice}. */
export interface LinkDeviceOptions {
  /** Seconds the linking code stays valid; default the API's. */
  ttl?: number;
}

/** Options of the directory client. */
export interface DirectoryClientOptions {
  replayCache?: ReplayCache;
}

/** Client for one directory. Made by a factory; see `DirectoryFactory` and `OrganizationFactory`. */
export class DirectoryClient extends PolicyManagingClient {
  /** The directory id (UUID). */
  readonly directoryId: string;

  /**
   * Use a factory (`ServiceFactory`, `DirectoryFactory`, `OrganizationFactory`), which builds the transport.
   *
   * @hidden
   */
  constructor(transport: JoseTransport, directoryId: string, options: DirectoryClientOptions = {}) {
    const id = uuidArgument(directoryId, 'directoryId');
    super(transport, `dir:${id}`, '/directory/v3', options.replayCache);
    this.directoryId = id;
  }

  /**
   * Starts linking a device for `user` (creating the directory user if new): show the code, or the
   * QR image, to the user; the link completes when they enter it in the authenticator.
   */
  async linkDevice(user: string, options: LinkDeviceOptions = {}): Promise<DeviceLinkData> {
    const body: Record<string, unknown> = { identifier: userArgument(user) };
    if (options.ttl !== undefined) {
      if (!Number.isSafeInteger(options.ttl) || options.ttl < 1) {
        throw new InvalidArgumentError('ttl', 'ttl must be a positive whole number of seconds');
      }
      body['ttl'] = options.ttl;
    }
    return parseDeviceLinkData(await this._call('POST', '/directory/v3/devices', body));
  }

  /** The user's devices, pending links included (an unknown user has none). */
  async getLinkedDevices(user: string): Promise<Device[]> {
    return parseDevices(await this._call('POST', '/directory/v3/devices/list', { identifier: userArgument(user) }));
  }

  /** Unlinks one of the user's devices (`EntityNotFound` for an unknown user or device). */
  async unlinkDevice(user: string, deviceId: string): Promise<void> {
    const body = { identifier: userArgument(user), device_id: textArgument(deviceId, 'deviceId') };
    await this._call('DELETE', '/directory/v3/devices', body);
  }

  /** The user's sessions with the directory's services. */
  async getAllServiceSessions(user: string): Promise<ServiceSession[]> {
    return parseServiceSessions(
      await this._call('POST', '/directory/v3/sessions/list', { identifier: userArgument(user) }),
    );
  }

  /** Ends all of the user's sessions with the directory's services. */
  async endAllServiceSessions(user: string): Promise<void> {
    await this._call('DELETE', '/directory/v3/sessions', { identifier: userArgument(user) });
  }

  /** Generates (or replaces) the user's TOTP secret. */
  async generateUserTotp(user: string): Promise<DirectoryUserTotp> {
    return parseDirectoryUserTotp(await this._call('POST', '/directory/v3/totp', { identifier: userArgument(user) }));
  }

  /** Removes the user's TOTP secret. */
  async removeUserTotp(user: string): Promise<void> {
    await this._call('DELETE', '/directory/v3/totp', { identifier: userArgument(user) });
  }

  /**
   * Verifies and decodes a webhook the API posted to the directory's webhook URL: a device link
   * completion. Every binding is checked before any private-key work.
   */
  async handleWebhook(request: WebhookRequest): Promise<DeviceLinkCompletionWebhook> {
    const event = await this._verifyWebhook(request);
    if (event.kind !== 'device-link-completion') invalid('type', 'A directory receives only device link webhooks');
    return event;
  }
}
