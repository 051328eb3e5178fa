/**
 * What every client shares: the JOSE transport of its credential holder, the entity it acts on,
 * and, for the clients that receive webhooks, the replay cache their verification uses.
 */
import type { ApiRequest, JoseTransport } from '../transport/jose_transport.js';
import type { ReplayCache } from '../webhooks/replay_cache.js';
import { UnknownApiKeyError } from '../errors.js';
import { verifyWebhook, type WebhookEvent, type WebhookRequest } from '../webhooks/verify.js';

/** How an authorization response (from the poll or a webhook) may be decoded. */
export interface AuthorizationResponseOptions {
  /**
   * Whether an authorization response that carries only the legacy `auth` package (no type, reason or fraud
   * flag; its key chosen by the sender's `public_key_id`) is accepted; default `true`, as the official SDKs
   * do. With `false` it is refused with `LegacyPackageRefusedError` (docs/security.md, T21), before anything
   * is decrypted.
   */
  allowLegacyPackage?: boolean;
}

/** Base of the service, directory and organization clients. */
export abstract class BaseClient {
  /** The entity this client acts on, e.g. `svc:<uuid>`. */
  readonly subject: string;
  /** The signed, encrypted transport of the credential holder. */
  protected readonly _transport: JoseTransport;
  /** Remembers the token ids of verified webhooks; without one, replays are not detected. */
  protected readonly _replayCache: ReplayCache | undefined;

  protected constructor(transport: JoseTransport, subject: string, replayCache?: ReplayCache) {
    this._transport = transport;
    this.subject = subject;
    this._replayCache = replayCache;
  }

  /** The credential holder signing this client's requests, e.g. `org:<uuid>`. */
  get issuer(): string {
    return this._transport.issuer;
  }

  /** Sends one call on this client's subject and returns the decrypted body (or `undefined`). */
  protected async _call(method: ApiRequest['method'], path: string, body?: unknown): Promise<unknown> {
    return (await this._callWithStatus(method, path, body)).data;
  }

  /**
   * Verifies a webhook addressed to this client's credential holder about this client's subject,
   * with the API keys and clock offset the transport already holds and this client's replay cache.
   *
   * Nothing is fetched on behalf of the webhook, which is unverified until its signature checks
   * (docs/security.md, T5): the API key comes from the cache only, and the time window is judged with the
   * offset measured by earlier calls. When either is missing, the webhook is refused with a retryable error
   * (503) and the transport refreshes both in the background, rate-limited, so that the API's next delivery
   * verifies.
   */
  protected async _verifyWebhook(
    request: WebhookRequest,
    options: AuthorizationResponseOptions = {},
  ): Promise<WebhookEvent> {
    const transport = this._transport;
    return verifyWebhook(request, {
      entity: this.issuer,
      subject: this.subject,
      keyRing: transport.keyRing,
      resolveApiKey: (kid) => {
        const key = transport.apiKeys.cached(kid);
        if (key !== undefined) return Promise.resolve(key);
        transport.refresher.request();
        return Promise.reject(new UnknownApiKeyError(kid));
      },
      apiClockOffset: () => transport.clock.measured(),
      requestRefresh: () => {
        transport.refresher.request();
      },
      ...(this._replayCache === undefined ? {} : { replayCache: this._replayCache }),
      ...(options.allowLegacyPackage === undefined ? {} : { allowLegacyPackage: options.allowLegacyPackage }),
    });
  }

  /** Like {@link _call}, also returning the HTTP status (the poll tells pending from answered by it). */
  protected async _callWithStatus(
    method: ApiRequest['method'],
    path: string,
    body?: unknown,
  ): Promise<{ status: number; data: unknown }> {
    const request: ApiRequest = { method, path, subject: this.subject };
    if (body !== undefined) request.body = body;
    const { status, data } = await this._transport.request(request);
    return { status, data };
  }
}
