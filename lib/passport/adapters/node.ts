/**
 * What the adapters share about Node's own HTTP objects, which every framework sits on: headers,
 * reading a body with a limit, and an event stream over a `ServerResponse`.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

import type { EventStream } from '../http.js';

/** A header's first value; `undefined` when absent. */
export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads a body stream nobody read yet, up to `limit` bytes; `null` when it is longer. A declared
 * length over the limit is refused before a byte is read (docs/security.md, T12).
 */
export async function readBody(
  stream: Readable & { headers: IncomingHttpHeaders },
  limit: number,
): Promise<Buffer | null> {
  const declared = Number(stream.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** An event stream over a Node response whose headers were sent. */
export function nodeStream(res: ServerResponse): EventStream {
  const alive = (): boolean => !res.writableEnded && !res.destroyed;
  return {
    alive,
    write(text) {
      if (alive()) res.write(text);
    },
    end() {
      if (!res.writableEnded) res.end();
    },
  };
}

/**
 * Whether the client of a Node request can still get an answer: `false` only on a sign that it hung
 * up (its socket destroyed by a reset, ended by the client's FIN, after which Node's server drops the
 * request's answer, or closed for writing). A socket that shows none of them counts as connected,
 * and so do the stand-ins of injected requests (Fastify's `inject`), which have no such fields.
 */
export function clientConnected(req: IncomingMessage): boolean {
  const socket = req.socket as Partial<IncomingMessage['socket']> | null | undefined;
  return !(socket?.destroyed === true || socket?.readableEnded === true || socket?.writable === false);
}
