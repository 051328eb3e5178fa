/**
 * What every client shares: the JOSE transport of its credential holder, the entity it acts on,
 * and, for the clients that receive webhooks, the replay cache their verification uses.
 */
import type { ApiRequest, JoseTransport } from '../transport/jose_transport.js';
import type { ReplayCache } from '../webhooks/replay_cache.js';
import { verifyWebhook, type WebhookEvent, type WebhookRequest } from '../webhooks/verify.js';

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
   * with the API keys of the transport and this client's replay cache.
   */
  protected async _verifyWebhook(
    request: WebhookRequest,
    options: { allowLegacyPackage?: boolean } = {},
  ): Promise<WebhookEvent> {
    return verifyWebhook(request, {
      ...(options.allowLegacyPackage === undefined ? {} : { allowLegacyPackage: options.allowLegacyPackage }),
      entity: this.issuer,
      subject: this.subject,
      keyRing: this._transport.keyRing,
      resolveApiKey: (kid) => this._transport.apiKeys.byKid(kid),
      ...(this._replayCache === undefined ? {} : { replayCache: this._replayCache }),
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
