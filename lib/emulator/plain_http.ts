/**
 * Small HTTP helpers of the emulator: bounded body reading and plain responses. The emulator never
 * sends Cache-Control or Location (clients compare them with the signed claims).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { PlainResult } from './router.js';

/** Largest request body accepted (a compact JWE of a large policy fits easily). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Thrown when a request body exceeds {@link MAX_BODY_BYTES}. */
export class BodyTooLargeError extends Error {
  constructor() {
    super('Request body too large');
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The client went away before its request body was complete (closed or reset the connection).
 * Nothing went wrong on the emulator's side and there is no one left to answer.
 */
export class RequestAbortedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The client aborted the request', options);
    this.name = 'RequestAbortedError';
  }
}

/**
 * Reads the whole body, refusing more than `limit` bytes without buffering them.
 *
 * Settles exactly once, whatever the client does, and removes its listeners when it does: a
 * request that ends, errs or closes early leaves neither a pending promise nor a listener behind.
 *
 * @throws {BodyTooLargeError} beyond `limit` bytes.
 * @throws {RequestAbortedError} when the connection errs or closes before the body is complete.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        settle(() => {
          reject(new BodyTooLargeError());
        });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      settle(() => {
        resolve(Buffer.concat(chunks));
      });
    };
    // A request stream errs only when its connection does (ECONNRESET "aborted"): the client is gone.
    const onError = (cause: Error) => {
      settle(() => {
        reject(new RequestAbortedError({ cause }));
      });
    };
    const onClose = () => {
      settle(() => {
        reject(new RequestAbortedError());
      });
    };
    const settle = (outcome: () => void) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      outcome();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Sends a plain result (bytes, JSON, text or empty). */
export function sendPlain(res: ServerResponse, result: PlainResult): void {
  const headers: Record<string, string> = { ...result.headers };
  let body: string | Buffer | undefined;
  if (result.body !== undefined) {
    body = result.body;
    headers['Content-Type'] ??= 'application/octet-stream';
  } else if (result.json !== undefined) {
    body = JSON.stringify(result.json);
    headers['Content-Type'] ??= 'application/json';
  } else if (result.text !== undefined) {
    body = result.text;
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
  }
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  else headers['Content-Length'] = '0';
  res.writeHead(result.status, headers);
  res.end(body);
}

/** Parses a JSON object body of the control API; empty is `{}`. */
export function jsonObject(raw: Buffer): Record<string, unknown> | undefined {
  if (raw.length === 0) return {};
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
