/**
 * `statusHandler()`: what the waiting page asks while the phone is out (docs/architecture.md, "The
 * waiting path"). It answers `{ status, code?, correlationCode? }` for the session's own login
 * only, never logs anyone in, never consumes the record (the completion route does), and never
 * calls the API: the answer comes from the store. A decoy (docs/security.md, T8) answers exactly like a real login that
 * nobody answers, with the same store work. Three ways to ask:
 *
 * - plain GET: the status now;
 * - `?wait=SECONDS` (long poll, at most `maxWait`): answers as soon as the status changes, else
 *   when the wait is over;
 * - `Accept: text/event-stream` (Server-Sent Events): an `event: status` message now and at every
 *   change, closing once the login is final.
 *
 * Waits are bounded per login (`maxWaitsPerLogin`, the oldest closes) and per handler
 * (`maxWaits`, then 503 with `Retry-After`), and release everything when the client goes away.
 */
import Negotiator from 'negotiator';

import { handlerOptions, wholeNumberOption } from './handler_options.js';
import { statusView, type LoginStatus } from './login_status.js';
import type { EventStream, HttpRequest, HttpResponse } from './http.js';
import { readLogin } from './login_ref.js';
import type { StrategyConfig } from './options.js';
import type { Poller } from './poller.js';
import { readData, type PendingRef } from './session.js';
import { WaitRegistry, watchLogin } from './waiting.js';

/** Options of `strategy.statusHandler()`. */
export interface StatusHandlerOptions {
  /** Longest `?wait=` honoured, in seconds (larger values are clamped), 0 to 300; default 25. */
  maxWait?: number;
  /** Longest life of one event stream, in seconds (the browser's EventSource reconnects), 1 to 3 600; default 300. */
  maxStream?: number;
  /** Seconds between SSE keep-alive comments, 1 to 300; default 15. */
  heartbeat?: number;
  /** Most open waits (long polls and streams) per login; a new one closes the oldest. 1 to 20; default 4. */
  maxWaitsPerLogin?: number;
  /** Most open waits of this handler; above it a wait is refused with 503 and `Retry-After`. Default 10 000. */
  maxWaits?: number;
}

/** Seconds a client refused for load is told to wait. */
const BUSY_RETRY_AFTER = 5;

/** A framework-neutral handler (http.ts): resolves once it answered, or once the client went away. */
export type CoreHandler = (req: HttpRequest, res: HttpResponse) => Promise<void>;

/** `strategy.statusHandler()`. */
export function statusHandler(config: StrategyConfig, poller: Poller, given?: StatusHandlerOptions): CoreHandler {
  const options = handlerOptions('statusHandler', given);
  const integer = (name: keyof StatusHandlerOptions, fallback: number, min: number, max: number): number =>
    wholeNumberOption('statusHandler', options, name, fallback, min, max);
  const maxWait = integer('maxWait', 25, 0, 300);
  const maxStream = integer('maxStream', 300, 1, 3600);
  const heartbeat = integer('heartbeat', 15, 1, 300);
  const waits = new WaitRegistry(integer('maxWaitsPerLogin', 4, 1, 20), integer('maxWaits', 10_000, 1, 1_000_000));
  return async (req, res) => {
    const ref = readData(req.session(), config.sessionKey).pending;
    const events = wantsEvents(req);
    const waitSeconds = events ? 0 : parseWait(req.query['wait'], maxWait);
    if (!events && (ref === undefined || waitSeconds === 0)) {
      // One answer, now: nothing to hold open.
      const record = await readLogin(config, ref);
      if (record?.status === 'pending') void poller.ensure(record.authorizationRequestId);
      sendJson(res, statusView(record, config.now()));
      return;
    }
    if (ref === undefined) {
      // An event stream with nothing to wait for: one `none` event, then the end.
      const stream = openStream(res);
      stream.write(eventOf({ status: 'none' }));
      stream.end();
      return;
    }
    const login = ref;
    // Registered before anything is awaited: a client gone at any moment releases everything.
    const wait = new OpenWait(res);
    const release = waits.open(login.handle, () => {
      wait.evict();
    });
    if (release === undefined) {
      wait.end();
      res.empty(503, { 'Retry-After': String(BUSY_RETRY_AFTER), 'Cache-Control': 'no-store' });
      return;
    }
    wait.release = release;
    const context = { config, poller, ref: login, res, wait };
    if (events) await stream({ ...context, maxStream, heartbeat });
    else await longPoll({ ...context, waitMs: waitSeconds * 1000 });
  };
}

/**
 * One open wait (a long poll or a stream): what must be released when it ends, whatever ends it
 * (the answer, the client going away, the handler making room), exactly once.
 */
class OpenWait {
  /** Frees the wait's slot in the registry. */
  release: (() => void) | undefined;
  /** Stops the watch (timers, subscription), once it runs. */
  stopWatch: (() => void) | undefined;
  /** How this kind of wait leaves when it must make room: answer what it has, or close. */
  onEvict: () => void = () => undefined;
  private _ended = false;
  private readonly _ending: (() => void)[] = [];
  private readonly _offClose: () => void;

  constructor(res: HttpResponse) {
    this._offClose = res.onClose(() => {
      this.end();
    });
  }

  get ended(): boolean {
    return this._ended;
  }

  /** Resolves once the wait ended, whatever ended it. */
  done(): Promise<void> {
    if (this._ended) return Promise.resolve();
    return new Promise((resolve) => this._ending.push(resolve));
  }

  /** Releases everything; idempotent. */
  end(): void {
    if (this._ended) return;
    this._ended = true;
    this.stopWatch?.();
    this.release?.();
    this._offClose();
    for (const resolve of this._ending.splice(0)) resolve();
  }

  /** Ends the wait to make room for a newer one of the same login. */
  evict(): void {
    if (this._ended) return;
    this.end();
    this.onEvict();
  }
}

interface WaitContext {
  config: StrategyConfig;
  poller: Poller;
  ref: PendingRef;
  res: HttpResponse;
  wait: OpenWait;
}

/** Answers once the login changed or the wait is over; rejects on a store failure (nothing sent yet). */
async function longPoll(c: WaitContext & { waitMs: number }): Promise<void> {
  let record;
  try {
    record = await readLogin(c.config, c.ref);
  } catch (err) {
    c.wait.end();
    throw err;
  }
  const first = statusView(record, c.config.now());
  // Over already (the client left, or a newer wait took the slot): answer what there is.
  if (first.status !== 'pending' || c.wait.ended) {
    c.wait.end();
    sendJson(c.res, first);
    return;
  }
  void c.poller.ensure(c.ref.id);
  let view = first;
  let failure: { error: unknown } | undefined;
  c.wait.onEvict = () => {
    sendJson(c.res, view);
  };
  c.wait.stopWatch = watchLogin(c.config, c.poller, c.ref, first, c.waitMs, {
    onChange: (changed) => {
      view = changed;
    },
    onEnd: (error) => {
      c.wait.end();
      if (error !== undefined) failure = { error };
      else sendJson(c.res, view);
    },
  });
  await c.wait.done();
  if (failure !== undefined) throw failure.error;
}

/** Opens the stream and resolves at once; the stream goes on until the login is final or the client leaves. */
async function stream(c: WaitContext & { maxStream: number; heartbeat: number }): Promise<void> {
  const events = openStream(c.res);
  const send = (view: LoginStatus): void => {
    events.write(eventOf(view));
  };
  const pinger = setInterval(() => {
    events.write(': keep-alive\n\n');
  }, c.heartbeat * 1000);
  const finish = (): void => {
    clearInterval(pinger);
    c.wait.end();
    events.end();
  };
  c.res.onClose(finish);
  // Made room for a newer stream: end this one; its EventSource, if still open, reconnects.
  c.wait.onEvict = finish;
  readLogin(c.config, c.ref).then(
    (record) => {
      if (!events.alive() || c.wait.ended) {
        finish();
        return;
      }
      const first = statusView(record, c.config.now());
      send(first);
      if (first.status !== 'pending') {
        finish();
        return;
      }
      void c.poller.ensure(c.ref.id);
      c.wait.stopWatch = watchLogin(c.config, c.poller, c.ref, first, c.maxStream * 1000, {
        onChange: send,
        // Also on a store failure: headers are gone, so the stream just ends and the page's
        // EventSource asks again.
        onEnd: finish,
      });
    },
    // The same when the first read fails.
    finish,
  );
  return Promise.resolve();
}

function openStream(res: HttpResponse): EventStream {
  const events = res.stream({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold the events back.
    'X-Accel-Buffering': 'no',
  });
  events.write('retry: 2000\n\n');
  return events;
}

function eventOf(view: LoginStatus): string {
  return `event: status\ndata: ${JSON.stringify(view)}\n\n`;
}

/** Whether the client prefers Server-Sent Events to JSON (a real `Accept` parse: `q=0` refuses, case is ignored). */
function wantsEvents(req: HttpRequest): boolean {
  return (
    new Negotiator({ headers: req.headers }).mediaType(['application/json', 'text/event-stream']) ===
    'text/event-stream'
  );
}

function parseWait(value: unknown, max: number): number {
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value)) return 0;
  return Math.min(Number(value), max);
}

function sendJson(res: HttpResponse, view: LoginStatus): void {
  if (res.finished) return;
  res.json(200, view, { 'Cache-Control': 'no-store' });
}
