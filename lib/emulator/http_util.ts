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

/** Reads the whole body, refusing more than `limit` bytes without buffering them. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** Sends a plain result (JSON, text or empty). */
export function sendPlain(res: ServerResponse, result: PlainResult): void {
  const headers: Record<string, string> = { ...result.headers };
  let body: string | undefined;
  if (result.json !== undefined) {
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
