/**
 * `statusHandler()`: what the waiting page asks while the phone is out (docs/architecture.md, "The
 * waiting path"). It answers `{ status, code?, correlationCode? }` for the session's own login
 * only, never logs anyone in, never consumes the record (the completion route does), and never
 * calls the API: the answer comes from the store. A decoy (T8) answers exactly like a real login that
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
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import Negotiator from 'negotiator';

import { ConfigurationError } from '../errors.js';
import { statusView, type LoginStatus } from './core.js';
import { readLogin } from './login_ref.js';
import type { StrategyConfig } from './options.js';
import type { Poller } from './poller.js';
import { readData, requireSession, type PendingRef } from './session.js';
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

function integer(
  options: StatusHandlerOptions,
  name: keyof StatusHandlerOptions,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = Object.hasOwn(options, name) ? options[name] : undefined;
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new ConfigurationError(`statusHandler option ${name} must be a whole number from ${min} to ${max}`, {
      option: name,
    });
  }
  return v;
}

/** @internal `strategy.statusHandler()`. */
export function statusHandler(config: StrategyConfig, poller: Poller, options: StatusHandlerOptions): RequestHandler {
  if ((options as unknown) === null || typeof options !== 'object') {
    throw new ConfigurationError('statusHandler options must be an object', { option: 'options' });
  }
  const maxWait = integer(options, 'maxWait', 25, 0, 300);
  const maxStream = integer(options, 'maxStream', 300, 1, 3600);
  const heartbeat = integer(options, 'heartbeat', 15, 1, 300);
  const waits = new WaitRegistry(
    integer(options, 'maxWaitsPerLogin', 4, 1, 20),
    integer(options, 'maxWaits', 10_000, 1, 1_000_000),
  );
  return (req: Request, res: Response, next: NextFunction): void => {
    let ref: PendingRef | undefined;
    try {
      ref = readData(requireSession(req), config.sessionKey).pending;
    } catch (err) {
      next(err);
      return;
    }
    const events = wantsEvents(req);
    const waitSeconds = events ? 0 : parseWait(req.query['wait'], maxWait);
    if (!events && (ref === undefined || waitSeconds === 0)) {
      // One answer, now: nothing to hold open.
      readLogin(config, ref).then((record) => {
        if (record?.status === 'pending') void poller.ensure(record.authorizationRequestId);
        sendJson(res, statusView(record, config.now()));
      }, next);
      return;
    }
    if (ref === undefined) {
      // An event stream with nothing to wait for: one `none` event, then the end.
      openStream(res);
      res.end(eventOf({ status: 'none' }));
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
      res.setHeader('Retry-After', String(BUSY_RETRY_AFTER));
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).end();
      return;
    }
    wait.release = release;
    const context = { config, poller, ref: login, res, wait };
    if (events) stream({ ...context, maxStream, heartbeat });
    else longPoll({ ...context, waitMs: waitSeconds * 1000, next });
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
  private readonly _res: Response;
  private readonly _onClose = (): void => {
    this.end();
  };

  constructor(res: Response) {
    this._res = res;
    res.on('close', this._onClose);
  }

  get ended(): boolean {
    return this._ended;
  }

  /** Releases everything; idempotent. */
  end(): void {
    if (this._ended) return;
    this._ended = true;
    this.stopWatch?.();
    this.release?.();
    this._res.off('close', this._onClose);
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
  res: Response;
  wait: OpenWait;
}

function longPoll(c: WaitContext & { waitMs: number; next: NextFunction }): void {
  readLogin(c.config, c.ref).then(
    (record) => {
      const first = statusView(record, c.config.now());
      // Over already (the client left, or a newer wait took the slot): answer what there is.
      if (first.status !== 'pending' || c.wait.ended) {
        c.wait.end();
        sendJson(c.res, first);
        return;
      }
      void c.poller.ensure(c.ref.id);
      let view = first;
      c.wait.onEvict = () => {
        sendJson(c.res, view);
      };
      c.wait.stopWatch = watchLogin(c.config, c.poller, c.ref, first, c.waitMs, {
        onChange: (changed) => {
          view = changed;
        },
        onEnd: (error) => {
          c.wait.end();
          if (error !== undefined) c.next(error);
          else sendJson(c.res, view);
        },
      });
    },
    (err: unknown) => {
      c.wait.end();
      c.next(err);
    },
  );
}

function stream(c: WaitContext & { maxStream: number; heartbeat: number }): void {
  const { res } = c;
  openStream(res);
  res.req.socket.setTimeout(0);
  const alive = (): boolean => !res.writableEnded && !res.destroyed;
  const send = (view: LoginStatus): void => {
    if (alive()) res.write(eventOf(view));
  };
  const pinger = setInterval(() => {
    if (alive()) res.write(': keep-alive\n\n');
  }, c.heartbeat * 1000);
  const finish = (): void => {
    clearInterval(pinger);
    c.wait.end();
    if (!res.writableEnded) res.end();
  };
  res.on('close', finish);
  // Made room for a newer stream: end this one; its EventSource, if still open, reconnects.
  c.wait.onEvict = finish;
  readLogin(c.config, c.ref).then(
    (record) => {
      if (!alive() || c.wait.ended) {
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
}

function openStream(res: Response): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold the events back.
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
}

function eventOf(view: LoginStatus): string {
  return `event: status\ndata: ${JSON.stringify(view)}\n\n`;
}

/** Whether the client prefers Server-Sent Events to JSON (a real `Accept` parse: `q=0` refuses, case is ignored). */
function wantsEvents(req: Request): boolean {
  return new Negotiator(req).mediaType(['application/json', 'text/event-stream']) === 'text/event-stream';
}

function parseWait(value: unknown, max: number): number {
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value)) return 0;
  return Math.min(Number(value), max);
}

function sendJson(res: Response, view: LoginStatus): void {
  if (res.writableEnded || res.destroyed) return;
  res.setHeader('Cache-Control', 'no-store');
  res.json(view);
}
