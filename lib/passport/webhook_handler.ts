/**
 * `webhookHandler()`: the service's callback URL (docs/protocol.md, "Webhook answers";
 * docs/security.md, T1-T3, T12, R5, R7, R8, R14). The request is verified by `ServiceClient.handleAdvancedWebhook`
 * (binding, signature, replay, then decryption) over the exact raw bytes received; only then does the store change.
 *
 * A verified fraud report starts the username's `fraudCooldown` (the webhook carries no username:
 * it is read from the login's record).
 *
 * Answers: 204 when processed, and for a replay (already processed: the sender stops retrying);
 * 503 when the store failed (the sender retries); otherwise the status of `webhookFailureStatus`,
 * always with an empty body (one answer per class, no oracle).
 */
import { answerStatus } from '../entities/auth_response.js';
import type { Request } from 'express';

import { ConfigurationError, HookTimeoutError, PayloadValidationError, errorCode } from '../errors.js';
import { startSpan } from '../telemetry/spans.js';
import {
  DEFAULT_MAX_WEBHOOK_BODY_BYTES,
  webhookFailureStatus,
  type AuthorizationResponseWebhook,
  type SessionEndWebhook,
} from '../webhooks/verify.js';
import { requestFacts } from './audit.js';
import type { WebhookAuditEvent } from './audit_events.js';
import { auditSettled } from './audit_settled.js';
import { noteFraud } from './fraud_cooldown.js';
import { checkFunctionOption, handlerOptions, wholeNumberOption } from './handler_options.js';
import type { HttpRequest } from './http.js';
import type { StrategyConfig } from './options.js';
import type { CoreHandler } from './status_handler.js';
import type { CompletionResult, FinalOutcome, PendingRecord } from './store.js';

/** A webhook's audit event, as the handler builds it. */
type WebhookDraft = Omit<WebhookAuditEvent, 'timestamp'>;

/**
 * Options of `strategy.webhookHandler()`. `Req` is the framework's request the hooks get: Express's
 * `Request`, Fastify's `FastifyRequest`, Koa's `Context`.
 */
export interface WebhookHandlerOptions<Req = Request> {
  /** Called after a verified authorization response was stored (after the 204); errors go to `onError`. */
  onAuthorizationResponse?: (event: AuthorizationResponseWebhook, req: Req) => void | Promise<void>;
  /** Called after a verified session end was recorded (after the 204); errors go to `onError`. */
  onSessionEnd?: (event: SessionEndWebhook, req: Req) => void | Promise<void>;
  /** Told of every refused webhook and failed hook (for logs; errors carry codes, never tokens). Default none. */
  onError?: (err: unknown, req: Req) => void;
  /**
   * How far the API's logout time may lag the local clock, in ms; default 30 000. A session end
   * revokes logins made before `min(received, api_time + tolerance)`: sessions started after the
   * webhook arrived survive a late redelivery, and a slow API clock cannot spare a session.
   */
  sessionEndTolerance?: number;
  /**
   * How long a hook may run before `onError` is told it hangs, in ms; default 10 000. The hook is not
   * stopped (JavaScript cannot), but a stuck one no longer goes unnoticed (docs/security.md, R5).
   */
  hookTimeout?: number;
}

/** The webhook handler's options, checked (handler_options.ts), with their defaults. */
function checkWebhookOptions<Req>(
  given: WebhookHandlerOptions<Req> | undefined,
): WebhookHandlerOptions<Req> & { sessionEndTolerance: number; hookTimeout: number } {
  const options = handlerOptions('webhookHandler', given);
  for (const name of ['onAuthorizationResponse', 'onSessionEnd', 'onError']) {
    checkFunctionOption('webhookHandler', options, name);
  }
  return {
    ...options,
    // Up to an hour of lag between the API's clock and ours; past that the clocks are broken, not late.
    sessionEndTolerance: wholeNumberOption('webhookHandler', options, 'sessionEndTolerance', 30_000, 0, 3_600_000),
    hookTimeout: wholeNumberOption('webhookHandler', options, 'hookTimeout', 10_000, 1, 3_600_000),
  };
}

/** `strategy.webhookHandler()`. */
export function webhookHandler<Req>(config: StrategyConfig, given?: WebhookHandlerOptions<Req>): CoreHandler {
  const options = checkWebhookOptions(given);
  const tolerance = options.sessionEndTolerance;
  const report = (err: unknown, req: HttpRequest): void => {
    try {
      options.onError?.(err, req.native as Req);
    } catch {
      // A failing logger must not change the answer.
    }
  };
  let warnedParsedBody = false;
  return async (req, res) => {
    // The audit event and the span of this delivery (docs/security.md, "Audit events"): who sent
    // it, what it was, how it was answered and why; never its token or body.
    const from = requestFacts(config.clientAddress, req);
    const span = startSpan('launchkey.webhook', 'internal', {
      'client.address': from.clientAddress,
      'user_agent.original': from.userAgent,
    });
    const answered = (draft: WebhookDraft): void => {
      config.audit.emit({ ...from, ...draft });
      span.end(
        {
          'launchkey.event': draft.event,
          'launchkey.webhook.kind': draft.kind,
          'launchkey.login_id': draft.loginId,
          'http.response.status_code': draft.status,
          'error.type': draft.code,
        },
        draft.event === 'webhook.refused',
      );
    };
    const refused = (status: number, err: unknown, known: Partial<WebhookDraft> = {}): void => {
      answered({ ...known, event: 'webhook.refused', outcome: 'failure', status, code: errorCode(err) });
    };

    let body: Buffer | string;
    try {
      const raw = await req.rawBody(DEFAULT_MAX_WEBHOOK_BODY_BYTES);
      if (raw === null) {
        // Close the connection rather than read the rest of an oversized upload.
        res.empty(413, { Connection: 'close' });
        refused(413, new PayloadValidationError('content-length', 'The webhook body is larger than allowed'));
        return;
      }
      body = raw;
    } catch (err) {
      report(err, req);
      refused(500, err);
      if (err instanceof ConfigurationError && !warnedParsedBody) {
        warnedParsedBody = true;
        warnParsedBody(err);
      }
      throw err;
    }

    let event;
    try {
      event = await config.client.handleAdvancedWebhook(
        {
          method: req.method,
          path: req.path,
          headers: req.headers,
          body,
        },
        { allowLegacyPackage: config.allowLegacyAuthPackage },
      );
    } catch (err) {
      const status = webhookFailureStatus(err);
      if (status !== 204) report(err, req);
      if (status === 204) {
        answered({ event: 'webhook.replayed', outcome: 'failure', status, code: errorCode(err) });
      } else {
        refused(status, err);
      }
      if (status === 500) throw err;
      res.empty(status);
      return;
    }

    const now = config.now();
    const known: Partial<WebhookDraft> =
      event.kind === 'authorization-response'
        ? { kind: 'authorization-response', loginId: event.response.authorizationRequestId }
        : { kind: 'session-end' };
    let fraudReported = false;
    let recorded: { outcome: FinalOutcome; result: CompletionResult } | undefined;
    try {
      if (event.kind === 'authorization-response') {
        const response = event.response;
        const outcome: FinalOutcome = { status: answerStatus(response), response, at: now };
        const result = await config.store.completeIfPending(response.authorizationRequestId, outcome);
        recorded = { outcome, result };
        fraudReported = result === 'completed' && response.fraud;
      } else {
        const at = Math.min(now, event.logoutRequested.getTime() + tolerance);
        await config.store.revoke(event.serviceUserHash, at);
      }
    } catch (err) {
      // Not stored: refuse, so the API delivers it again (docs/security.md, R14), and forget the token id, so that a
      // redelivery of the very same token is processed rather than taken for a replay.
      report(err, req);
      await config.client.releaseWebhook?.(event).catch((releaseError: unknown) => {
        report(releaseError, req);
      });
      res.empty(503);
      refused(503, err, known);
      return;
    }
    let record: PendingRecord | undefined;
    if (fraudReported && event.kind === 'authorization-response') {
      // docs/security.md, T9: the user reported this push as fraud; no push for that username during the cooldown,
      // even if the browser that started it never asks again. Before the 204, so a start racing the
      // webhook sees it. Stored already (a redelivery would be a replay), so a failure here is only
      // reported; reading the record later (the completion) starts the cooldown again.
      try {
        record = await config.store.get(event.response.authorizationRequestId);
        await noteFraud(config, record);
      } catch (err) {
        report(err, req);
      }
    }

    res.empty(204);
    answered({
      ...known,
      event: 'webhook.accepted',
      outcome: 'success',
      status: 204,
      ...(recorded === undefined ? {} : { result: recorded.result }),
    });
    if (event.kind === 'session-end') {
      config.audit.emit({
        ...from,
        event: 'logout.phone',
        outcome: 'success',
        serviceUserHash: event.serviceUserHash,
      });
    } else if (recorded !== undefined && recorded.result !== 'unchanged') {
      void auditAnswer(config, event.response.authorizationRequestId, recorded.outcome, record);
    }

    // After the answer, and not awaited: a framework that sends once the handler is done (Koa)
    // must not hold the sender's answer for a hook.
    const hook =
      event.kind === 'authorization-response'
        ? options.onAuthorizationResponse?.bind(undefined, event, req.native as Req)
        : options.onSessionEnd?.bind(undefined, event, req.native as Req);
    if (hook !== undefined) {
      void runHook(event.kind === 'authorization-response' ? 'onAuthorizationResponse' : 'onSessionEnd', hook, req);
    }
  };

  async function runHook(name: string, hook: () => void | Promise<void>, req: HttpRequest): Promise<void> {
    const timeout = options.hookTimeout;
    const timer = setTimeout(() => {
      report(new HookTimeoutError(name, timeout), req);
    }, timeout);
    // A hanging hook must not keep the process alive on its own.
    timer.unref();
    try {
      await hook();
    } catch (err) {
      report(err, req);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * `login.settled` for an answer this webhook recorded, after the 204. The webhook carries no
 * username: it is read from the login's record, only when an application listener gets the events,
 * and an answer that beat its record (docs/security.md, R8) or a record already gone goes out without it.
 */
async function auditAnswer(
  config: StrategyConfig,
  id: string,
  outcome: FinalOutcome,
  known: PendingRecord | undefined,
): Promise<void> {
  let username = known?.username;
  if (username === undefined && config.audit.listening) {
    username = await config.store.get(id).then(
      (record) => record?.username,
      () => undefined,
    );
  }
  auditSettled(config, { loginId: id, outcome, via: 'webhook', username });
}

/**
 * Says it loudly (a process warning, once per handler): a body parser mounted before the webhook route (an app-wide
 * `express.json()`) consumes the session-end webhook (plain JSON) and only that one, so logins still
 * work and every logout from a phone is lost without a sign, unless someone reads this.
 */
function warnParsedBody(err: ConfigurationError): void {
  process.emitWarning(`passport-launchkey: ${err.message}. Until it is fixed, logouts from the phone are lost.`, {
    code: 'LAUNCHKEY_WEBHOOK_BODY_PARSED',
  });
}
