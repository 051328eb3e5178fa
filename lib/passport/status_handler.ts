/**
 * `statusHandler()`: what the waiting page asks while the phone is out (DESIGN.md §2). It answers
 * `{ status, code?, correlationCode? }` for the session's own pending login only, never logs anyone
 * in, and does not consume the record (the completion route does). A decoy (T8) answers exactly like
 * a real login that nobody answers. Three ways to ask:
 *
 * - plain GET: the status now (after one API poll when the mode allows and no webhook arrived);
 * - `?wait=SECONDS` (long poll, at most `maxWait`): answers as soon as the login is final, else
 *   when the wait is over;
 * - `Accept: text/event-stream` (Server-Sent Events): an `event: status` message now and at every
 *   change, closing once the login is final.
 *
 * A webhook answer reaches waiting requests through the store's `subscribe` at once; with no
 * webhook (or no `subscribe`), the request re-checks every `pollInterval`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

import { refreshRecord, statusView } from './core.js';
import type { StrategyConfig } from './options.js';
import { asError, readData, requireSession } from './session.js';
import type { PendingRecord } from './store.js';

/** Options of `strategy.statusHandler()`. */
export interface StatusHandlerOptions {
  /** Longest `?wait=` honoured, in seconds (larger values are clamped); default 25. */
  maxWait?: number;
  /** Longest life of one event stream, in seconds (the browser's EventSource reconnects); default 300. */
  maxStream?: number;
  /** Seconds between SSE keep-alive comments; default 15. */
  heartbeat?: number;
}

/** @internal `strategy.statusHandler()`. */
export function statusHandler(config: StrategyConfig, options: StatusHandlerOptions): RequestHandler {
  const maxWait = Math.max(0, Math.min(options.maxWait ?? 25, 300));
  const maxStream = Math.max(1, options.maxStream ?? 300);
  const heartbeat = Math.max(1, options.heartbeat ?? 15);
  return (req: Request, res: Response, next: NextFunction): void => {
    let handle: string | undefined;
    try {
      handle = readData(requireSession(req), config.sessionKey).handle;
    } catch (err) {
      next(err);
      return;
    }
    const accept = req.headers.accept ?? '';
    if (accept.includes('text/event-stream')) {
      stream(config, handle, req, res, maxStream, heartbeat);
      return;
    }
    const wait = parseWait(req.query['wait'], maxWait);
    current(config, handle)
      .then((record) =>
        record?.status === 'pending' && handle !== undefined && wait > 0
          ? watch(config, handle, record, wait * 1000, res, () => undefined)
          : record,
      )
      .then((record) => {
        if (res.writableEnded || res.destroyed) return;
        res.setHeader('Cache-Control', 'no-store');
        res.json(statusView(record));
      })
      .catch(next);
  };
}

function parseWait(value: unknown, max: number): number {
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value)) return 0;
  return Math.min(Number(value), max);
}

async function current(config: StrategyConfig, handle: string | undefined): Promise<PendingRecord | undefined> {
  if (handle === undefined) return undefined;
  const record = await config.store.get(handle);
  return record === undefined ? undefined : refreshRecord(config, record);
}

/**
 * Watches `handle` until its record is final or gone, `ms` passed, or the client left; calls
 * `onChange` with each record seen. Resolves with the last record.
 */
function watch(
  config: StrategyConfig,
  handle: string,
  initial: PendingRecord | undefined,
  ms: number,
  res: Response,
  onChange: (record: PendingRecord | undefined) => void,
): Promise<PendingRecord | undefined> {
  return new Promise((resolve, reject) => {
    let last = initial;
    let finished = false;
    let checking = false;
    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      unsubscribe?.();
      clearInterval(ticker);
      clearTimeout(deadline);
      res.off('close', onClose);
      if (error === undefined) resolve(last);
      else reject(asError(error));
    };
    const seen = (record: PendingRecord | undefined): void => {
      if (finished) return;
      const changed = last?.status !== record?.status || (last === undefined) !== (record === undefined);
      last = record;
      if (changed) onChange(record);
      if (record === undefined || record.status !== 'pending') finish();
    };
    const check = (): void => {
      if (checking || finished) return;
      checking = true;
      current(config, handle).then(
        (record) => {
          checking = false;
          seen(record);
        },
        (err: unknown) => {
          checking = false;
          finish(err);
        },
      );
    };
    const onClose = (): void => {
      finish();
    };
    const unsubscribe = config.store.subscribe?.(handle, seen);
    const ticker = setInterval(check, config.pollInterval);
    const deadline = setTimeout(() => {
      finish();
    }, ms);
    res.on('close', onClose);
    // A change between the first read and the subscription would otherwise be missed.
    config.store.get(handle).then(
      (record) => {
        if (record?.status !== 'pending') seen(record);
      },
      (err: unknown) => {
        finish(err);
      },
    );
  });
}

function stream(
  config: StrategyConfig,
  handle: string | undefined,
  req: Request,
  res: Response,
  maxStream: number,
  heartbeat: number,
): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold the events back.
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const send = (record: PendingRecord | undefined): void => {
    if (!res.writableEnded && !res.destroyed)
      res.write(`event: status\ndata: ${JSON.stringify(statusView(record))}\n\n`);
  };
  const pinger = setInterval(() => {
    if (!res.writableEnded && !res.destroyed) res.write(': keep-alive\n\n');
  }, heartbeat * 1000);
  const end = (): void => {
    clearInterval(pinger);
    if (!res.writableEnded) res.end();
  };
  req.socket.setTimeout(0);
  current(config, handle)
    .then(async (record) => {
      send(record);
      if (record?.status !== 'pending' || handle === undefined) return;
      await watch(config, handle, record, maxStream * 1000, res, (changed) => {
        if (changed?.status !== 'pending') send(changed);
      });
    })
    .catch(() => {
      // Headers are gone; the stream just ends and the page asks again (EventSource reconnects).
    })
    .finally(end);
}
