/**
 * `ServiceClient`: what a service does with LaunchKey (docs/protocol.md, "Service endpoints" and
 * "Authorization requests"): ask a user to authorize, learn the answer (poll or webhook), cancel, start and
 * end the user's session, verify a TOTP code.
 */
import {
  parseAuthResponseCore,
  toLegacyAuthorizationResponse,
  type AuthorizationResponse,
  type LegacyAuthorizationResponse,
} from '../entities/auth_response.js';
import { userArgument, uuidArgument } from './arguments.js';
import {
  invalid,
  requireArray,
  requireBoolean,
  requireObject,
  requireString,
  requireUuid,
} from '../entities/validate.js';
import { InvalidArgumentError } from '../errors.js';
import type { JoseTransport } from '../transport/jose_transport.js';
import { decodeAuthorizationResponse } from '../webhooks/device_package.js';
import type { AuthorizationResponseWebhook, SessionEndWebhook, WebhookRequest } from '../webhooks/verify.js';
import type { ReplayCache } from '../webhooks/replay_cache.js';
import { BaseClient, type AuthorizationResponseOptions } from './base.js';
import { validateAuthorizationRequest, type AuthorizationRequestOptions } from './auth_request_options.js';

export type { AuthorizationRequestOptions, DenialReason } from './auth_request_options.js';
export type { AuthorizationResponseOptions } from './base.js';

/** The answer to a new authorization request. */
export interface AuthorizationRequest {
  /** Id of the request: poll it, cancel it, match its webhook. */
  authorizationRequestId: string;
  /** Push package for white-label authenticators, when the API sends one. */
  pushPackage: string | undefined;
  /** Ids of the devices the request was sent to, when the API says. */
  deviceIds: string[] | undefined;
}

/** An authorization-response webhook in the legacy view. */
export interface LegacyAuthorizationResponseWebhook extends Omit<AuthorizationResponseWebhook, 'response'> {
  response: LegacyAuthorizationResponse;
}

/** Options of the service client. */
export interface ServiceClientOptions {
  /** Remembers webhook token ids so a replayed webhook is refused; default an in-memory cache. */
  replayCache?: ReplayCache;
}

/** Client for one service. Made by a factory; see `ServiceFactory`. */
export class ServiceClient extends BaseClient {
  /** The service id (UUID). */
  readonly serviceId: string;

  /**
   * Use a factory (`ServiceFactory`, `DirectoryFactory`, `OrganizationFactory`), which builds the transport.
   *
   * @hidden
   */
  constructor(transport: JoseTransport, serviceId: string, options: ServiceClientOptions = {}) {
    const id = uuidArgument(serviceId, 'serviceId');
    super(transport, `svc:${id}`, options.replayCache);
    this.serviceId = id;
  }

  /**
   * Asks `user` to authorize: a push goes to their devices.
   *
   * @param user LaunchKey username, User Push ID, or directory user identifier.
   * @throws {InvalidArgumentError} for options that break the protocol's rules (sent nothing).
   * @throws {EntityNotFoundError} when the user is unknown or has no linked device.
   * @throws {AuthorizationInProgressError} (the busy signal) when the user already has a pending request.
   */
  async authorizationRequest(user: string, options: AuthorizationRequestOptions = {}): Promise<AuthorizationRequest> {
    const body = { username: userArgument(user), ...validateAuthorizationRequest(options) };
    const o = requireObject(await this._call('POST', '/service/v3/auths', body), 'response');
    const pushPackage = o['push_package'];
    const deviceIds = o['device_ids'];
    return {
      authorizationRequestId: requireUuid(o['auth_request'], 'auth_request'),
      pushPackage:
        pushPackage === undefined || pushPackage === null ? undefined : requireString(pushPackage, 'push_package'),
      deviceIds:
        deviceIds === undefined || deviceIds === null
          ? undefined
          : requireArray(deviceIds, 'device_ids').map((d, i) => requireString(d, `device_ids[${i}]`)),
    };
  }

  /** The short form of {@link authorizationRequest}: resolves to the authorization request id. */
  async authorize(user: string, options: AuthorizationRequestOptions = {}): Promise<string> {
    return (await this.authorizationRequest(user, options)).authorizationRequestId;
  }

  /**
   * The answer to an authorization request, or `null` while it is pending.
   *
   * @throws {RequestTimedOutError} when the request expired unanswered.
   * @throws {AuthorizationRequestCanceledError} when it was canceled.
   * @throws {AuthRequestMismatchError} when the API's package answers another request.
   * @throws {LegacyPackageRefusedError} when the answer has only the legacy package and
   *   `options.allowLegacyPackage` is `false`.
   */
  async getAdvancedAuthorizationResponse(
    authorizationRequestId: string,
    options: AuthorizationResponseOptions = {},
  ): Promise<AuthorizationResponse | null> {
    const id = uuidArgument(authorizationRequestId, 'authorizationRequestId');
    const { status, data } = await this._callWithStatus('GET', `/service/v3/auths/${id}`);
    if (status === 204 || data === undefined) return null;
    const core = parseAuthResponseCore(data);
    return decodeAuthorizationResponse(core, this._transport.keyRing, {
      expectedAuthorizationRequestId: id,
      ...(options.allowLegacyPackage === undefined ? {} : { allowLegacyPackage: options.allowLegacyPackage }),
    });
  }

  /** The legacy view of {@link getAdvancedAuthorizationResponse} (Python's `get_authorization_response`). */
  async getAuthorizationResponse(
    authorizationRequestId: string,
    options: AuthorizationResponseOptions = {},
  ): Promise<LegacyAuthorizationResponse | null> {
    const response = await this.getAdvancedAuthorizationResponse(authorizationRequestId, options);
    return response === null ? null : toLegacyAuthorizationResponse(response);
  }

  /**
   * Cancels a pending authorization request.
   *
   * @throws {AuthorizationResponseExistsError} when it was already answered.
   * @throws {AuthorizationRequestCanceledError} when it was already canceled.
   * @throws {EntityNotFoundError} when it does not exist.
   */
  async cancelAuthorizationRequest(authorizationRequestId: string): Promise<void> {
    const id = uuidArgument(authorizationRequestId, 'authorizationRequestId');
    await this._call('DELETE', `/service/v3/auths/${id}`);
  }

  /** Tells LaunchKey the user's session started, after an approved authorization request. */
  async sessionStart(user: string, authorizationRequestId?: string): Promise<void> {
    const body: Record<string, unknown> = { username: userArgument(user) };
    if (authorizationRequestId !== undefined) {
      body['auth_request'] = uuidArgument(authorizationRequestId, 'authorizationRequestId');
    }
    await this._call('POST', '/service/v3/sessions', body);
  }

  /** Tells LaunchKey the user's session ended (also when there was none). */
  async sessionEnd(user: string): Promise<void> {
    await this._call('DELETE', '/service/v3/sessions', { username: userArgument(user) });
  }

  /**
   * Whether `otp` is the user's current TOTP code.
   *
   * @param user the directory user identifier.
   * @throws {EntityNotFoundError} when the user has no TOTP secret.
   */
  async verifyTotp(user: string, otp: string): Promise<boolean> {
    if (typeof otp !== 'string' || !/^\d{6,8}$/.test(otp)) {
      throw new InvalidArgumentError('otp', 'otp must be a string of 6 to 8 digits');
    }
    const data = await this._call('POST', '/service/v3/totp', { identifier: userArgument(user), otp });
    return requireBoolean(requireObject(data, 'response')['valid'], 'valid');
  }

  /**
   * Verifies and decodes a webhook the API posted to this service's callback URL: an authorization
   * response or a session end. Every binding (signature, audience, subject, method, path, body
   * hash, time, replay) is checked before any private-key work.
   *
   * @param request the raw request: method, path exactly as received, headers and the raw body.
   * @param options `allowLegacyPackage: false` refuses an authorization response that has only the
   *   legacy package with `LegacyPackageRefusedError` (answer 400).
   */
  async handleAdvancedWebhook(
    request: WebhookRequest,
    options: AuthorizationResponseOptions = {},
  ): Promise<AuthorizationResponseWebhook | SessionEndWebhook> {
    const event = await this._verifyWebhook(request, options);
    if (event.kind === 'device-link-completion') invalid('type', 'A service does not receive device link webhooks');
    return event;
  }

  /**
   * Forgets that a webhook was delivered, so the sender's retry of the same token is processed
   * instead of refused as a replay. Call it when a verified event could not be acted on (your store
   * was down and you answered 503). Without a replay cache that can forget, it does nothing.
   */
  async releaseWebhook(event: { replayKey?: string | undefined }): Promise<void> {
    if (event.replayKey !== undefined && this._replayCache?.forget !== undefined) {
      await this._replayCache.forget(event.replayKey);
    }
  }

  /**
   * The legacy view of {@link handleAdvancedWebhook} (Python's `handle_webhook`): an authorization
   * response carries only the fields both device packages have. The same checks apply.
   */
  async handleWebhook(
    request: WebhookRequest,
    options: AuthorizationResponseOptions = {},
  ): Promise<LegacyAuthorizationResponseWebhook | SessionEndWebhook> {
    const event = await this.handleAdvancedWebhook(request, options);
    if (event.kind === 'session-end') return event;
    return { ...event, response: toLegacyAuthorizationResponse(event.response) };
  }
}
