/**
 * Outbound webhooks (docs/protocol.md, "Webhook delivery"): POSTed at once to the callback URL with an
 * `X-IOV-JWT` signed by the API key and bound to method, path and body; encrypted bodies go to the initiating
 * entity's encryption key. Failures are retried a few times with a short backoff; every attempt is recorded
 * in the delivery log.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { encryptJwe } from '../crypto/jwe.js';
import type { PrivateKey } from '../crypto/keys.js';
import { requestClaims, signToken } from '../crypto/jws.js';
import { DEFAULT_RETENTION } from './retention.js';
import type { EmulatorState } from './state.js';

export type WebhookKind = 'authorization-response' | 'session-end' | 'device-link-completion';

/** One delivery attempt. */
export interface DeliveryRecord {
  kind: WebhookKind;
  url: string;
  attempt: number;
  /** HTTP status of the receiver's answer, when it answered. */
  status?: number;
  /** Why the attempt failed without an answer (or why there was none). */
  error?: string;
  at: string;
}

export interface WebhookOptions {
  /** Attempts per webhook; default 3. */
  attempts?: number;
  /** Milliseconds before the second attempt, doubled for each next one; default 100. */
  backoffMs?: number;
  /** Milliseconds to wait for a receiver; default 5000. */
  timeoutMs?: number;
}

/** A webhook to send: `payload` is encrypted (JWE) unless `plain`. */
export interface Webhook {
  kind: WebhookKind;
  url: string;
  /** The initiating entity (`aud`), e.g. `svc:<uuid>`. */
  audience: string;
  /**
   * The initiator's key that signed the request starting the process: it picks the key an encrypted body goes
   * to ("the same key utilized to initiate the process"; docs/protocol.md, "Webhook delivery").
   */
  audienceKeyId?: string;
  /** `svc:<uuid>` or `dir:<uuid>`. */
  subject: string;
  payload: unknown;
  plain: boolean;
}

export class WebhookSender {
  /** The last delivery attempts, oldest first (at most `logLimit`). */
  readonly log: DeliveryRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly requests = new Set<ClientRequest>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /**
   * @param logLimit Most delivery records kept in {@link log}; the oldest are dropped first.
   */
  constructor(
    private readonly state: EmulatorState,
    private readonly apiKey: PrivateKey,
    private readonly options: WebhookOptions = {},
    private readonly logLimit = DEFAULT_RETENTION.webhookDeliveries,
  ) {}

  /** Starts delivering; returns at once. */
  send(hook: Webhook): void {
    const done = this.deliver(hook).finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves when every delivery started so far has finished (delivered or given up). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops retries and aborts requests in flight. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const r of this.requests) r.destroy();
  }

  private isClosed(): boolean {
    return this.closed;
  }

  private record(hook: Webhook, attempt: number, result: { status?: number; error?: string }): void {
    this.log.push({ kind: hook.kind, url: hook.url, attempt, ...result, at: new Date().toISOString() });
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }

  private async deliver(hook: Webhook): Promise<void> {
    let url: URL;
    try {
      url = new URL(hook.url);
    } catch {
      this.record(hook, 0, { error: 'invalid URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.record(hook, 0, { error: 'only http and https URLs receive webhooks' });
      return;
    }
    let body: string;
    if (hook.plain) {
      body = JSON.stringify(hook.payload);
    } else {
      const entity = this.state.entityById(hook.audience);
      const key = entity === undefined ? undefined : this.state.responseKey(entity, hook.audienceKeyId);
      if (key === undefined) {
        this.record(hook, 0, { error: `no encryption key for ${hook.audience}` });
        return;
      }
      body = await encryptJwe(hook.payload, key.publicKey);
    }
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts && !this.isClosed(); attempt++) {
      if (attempt > 1) await this.wait((this.options.backoffMs ?? 100) * 2 ** (attempt - 2));
      // close() may have run while waiting.
      if (this.isClosed()) return;
      const result = await this.post(url, hook, body);
      this.record(hook, attempt, result);
      if (result.status !== undefined && result.status >= 200 && result.status < 300) return;
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async post(url: URL, hook: Webhook, body: string): Promise<{ status?: number; error?: string }> {
    // A fresh token per attempt: receivers allow only a few seconds on iat.
    const claims = requestClaims({
      issuer: 'lka',
      audience: hook.audience,
      subject: hook.subject,
      method: 'POST',
      path: url.pathname,
      body,
      now: this.state.clock.now(),
    });
    const token = await signToken(claims, this.apiKey, { typ: true });
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(url, {
        method: 'POST',
        timeout: this.options.timeoutMs ?? 5000,
        headers: {
          'Content-Type': hook.plain ? 'application/json' : 'application/jose',
          'Content-Length': String(Buffer.byteLength(body)),
          'X-IOV-JWT': token,
        },
      });
      this.requests.add(req);
      const finish = (result: { status?: number; error?: string }) => {
        this.requests.delete(req);
        resolve(result);
      };
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          finish({ status: res.statusCode ?? 0 });
        });
        res.on('error', (err) => {
          finish({ error: err.message });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => {
        finish({ error: err.message });
      });
      req.end(body);
    });
  }
}
