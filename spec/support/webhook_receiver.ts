/**
 * A loopback webhook receiver for the client specs: a node:http server that answers every request
 * 204 and keeps it (method, path, headers, raw body) in `deliveries`, oldest first.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the receiver got it. */
export interface Delivery {
  method: string;
  /** The request target, query included. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A started receiver. */
export interface Receiver {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  /** Every request received so far; specs may empty or shift it. */
  deliveries: Delivery[];
  /** Drops open connections and stops listening. */
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    req.on('end', () => {
      deliveries.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
