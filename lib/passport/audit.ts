/**
 * Delivering audit events (docs/security.md, "Audit events"): to the application's `audit` listener,
 * and as the `launchkey.events` counter through OpenTelemetry when the application has it.
 *
 * Nothing here may break or slow a login. An event is built from what the request already holds,
 * counted, and handed to the listener on a later turn of the event loop (`setImmediate`), after the
 * answer was decided and outside the request's path; the listener's promise, if it returns one, is
 * not awaited. A listener that throws or rejects, and the `auditUsername` mapping when it throws, are
 * caught; a listener whose promises pile up (a logger that hangs) gets no more events past
 * {@link MAX_PENDING} until some settle. The first failure of any kind is reported to `onError`
 * once, as an `AuditListenerError`; every failure is counted (`launchkey.audit.listener_failures`).
 */
import { AuditListenerError, type AuditListenerFailure } from '../errors.js';
import { record } from '../telemetry/otel.js';
import type { AuditEvent, AuditListener } from './audit_events.js';
import type { HttpRequest } from './http.js';
import { isPromiseLike } from './callback_values.js';
import type { StrategyConfig } from './options.js';
import { clientAddressOf } from './rate_limit.js';

type WithoutTimestamp<E> = E extends unknown ? Omit<E, 'timestamp'> : never;

/** An event as the strategy builds it: the timestamp is added when it is emitted. */
export type AuditDraft = WithoutTimestamp<AuditEvent>;

/** Listener promises that may be pending at once; past it, events are dropped (and the failure reported). */
export const MAX_PENDING = 1000;

/** Longest `User-Agent` kept in an event: the header is the client's to choose. */
const MAX_USER_AGENT = 512;

/** What the auditor is built from. */
export interface AuditorOptions {
  listener: AuditListener | undefined;
  /** How usernames appear in events; `undefined` leaves the field out. */
  username: ((username: string) => string | undefined) | undefined;
  onError: (err: unknown) => void;
  now: () => number;
}

/** Emits one strategy's audit events. */
export class Auditor {
  private readonly _options: AuditorOptions;
  private _pending = 0;
  private _reported = false;

  constructor(options: AuditorOptions) {
    this._options = options;
  }

  /** Whether an application listener gets the events (else they are only counted). */
  get listening(): boolean {
    return this._options.listener !== undefined;
  }

  /** Counts `draft` now and hands it to the listener later. Never throws. */
  emit(draft: AuditDraft): void {
    let timestamp: string;
    try {
      timestamp = new Date(this._options.now()).toISOString();
    } catch {
      // A clock that gives no valid time: the event keeps the local one.
      timestamp = new Date().toISOString();
    }
    // One spelling per login on every instance, whichever side (the API, a device package) named it.
    const event: AuditEvent = {
      ...draft,
      ...(draft.loginId === undefined ? {} : { loginId: draft.loginId.toLowerCase() }),
      timestamp,
    };
    record((i) => {
      i.events.add(1, metricAttributes(event));
    });
    const listener = this._options.listener;
    if (listener === undefined) return;
    setImmediate(() => {
      this._deliver(listener, event);
    });
  }

  private _deliver(listener: AuditListener, draft: AuditEvent): void {
    if (this._pending >= MAX_PENDING) {
      this._fail('backlog', `more than ${MAX_PENDING} audit listener promises are pending; events are dropped`);
      return;
    }
    const event = Object.freeze(this._mapped(draft));
    let returned: unknown;
    try {
      returned = listener(event);
    } catch (err) {
      this._fail('threw', 'the audit listener threw', err);
      return;
    }
    if (!isPromiseLike(returned)) return;
    this._pending += 1;
    Promise.resolve(returned).then(
      () => {
        this._pending -= 1;
      },
      (err: unknown) => {
        this._pending -= 1;
        this._fail('rejected', "the audit listener's promise rejected", err);
      },
    );
  }

  /** The event with its username as the application records it. */
  private _mapped(event: AuditEvent): AuditEvent {
    const map = this._options.username;
    if (map === undefined || event.username === undefined) return event;
    let username: unknown;
    try {
      username = map(event.username);
    } catch (err) {
      this._fail('username', 'auditUsername threw; the event goes out without a username', err);
      username = undefined;
    }
    const mapped: Partial<AuditEvent> = { ...event };
    if (typeof username === 'string') mapped.username = username;
    else delete mapped.username;
    return mapped as AuditEvent;
  }

  private _fail(failure: AuditListenerFailure, message: string, cause?: unknown): void {
    record((i) => {
      i.auditFailures.add(1, { 'launchkey.audit.failure': failure });
    });
    if (this._reported) return;
    this._reported = true;
    this._options.onError(
      new AuditListenerError(failure, `${message} (reported once; later failures are only counted)`, { cause }),
    );
  }
}

/** The metric attributes of an event: its name and the few bounded fields; never who or which login. */
function metricAttributes(event: AuditEvent): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    'launchkey.event': event.event,
    'launchkey.outcome': event.outcome,
  };
  const fields = event as unknown as Partial<Record<string, unknown>>;
  const copy = (from: string, to: string): void => {
    const value = fields[from];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[to] = value;
  };
  copy('code', 'error.type');
  copy('phase', 'launchkey.phase');
  copy('decoy', 'launchkey.decoy');
  copy('limit', 'launchkey.limit');
  copy('answer', 'launchkey.answer');
  copy('via', 'launchkey.via');
  copy('kind', 'launchkey.webhook.kind');
  copy('status', 'http.response.status_code');
  return out;
}

/** Where a request comes from, as events record it. */
export interface RequestFacts {
  clientAddress?: string;
  userAgent?: string;
}

/**
 * The client's address (as the per-address limit counts it: the application's `clientAddress`, else
 * the framework's) and user agent. Never throws: what cannot be read is left out.
 */
export function requestFacts(clientAddress: StrategyConfig['clientAddress'], req: HttpRequest): RequestFacts {
  const facts: RequestFacts = {};
  try {
    const address = clientAddressOf(clientAddress, req);
    if (typeof address === 'string' && address.length > 0) facts.clientAddress = address;
  } catch {
    // The application's function (or a request that is not a whole one) failed here.
  }
  try {
    const agent = req.header('user-agent');
    if (agent !== undefined && agent.length > 0) facts.userAgent = agent.slice(0, MAX_USER_AGENT);
  } catch {
    // Idem.
  }
  return facts;
}
