// A small round-robin HTTP proxy: what a load balancer does in front of the app's instances, enough
// for this example (streams pass through, a client that leaves closes its upstream request, and the
// client's address is passed on in X-Forwarded-For). In production this is nginx, HAProxy, a cloud
// load balancer: nothing here is specific to LaunchKey.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One forwarded request, for the log. */
export interface Forwarded {
  method: string;
  path: string;
  /** Index of the instance that got it. */
  instance: number;
}

export interface ProxyOptions {
  /** The instances' base URLs (`http://127.0.0.1:PORT`). */
  targets: readonly string[];
  /**
   * Chooses the instance for a request; default round-robin. Return `undefined` to fall back to
   * round-robin for this request.
   */
  pick?: (req: IncomingMessage) => number | undefined;
}

export interface Proxy {
  url: string;
  /** Every request forwarded so far, oldest first. */
  log: Forwarded[];
  close(): Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  const log: Forwarded[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chosen = options.pick?.(req);
    const index = chosen ?? next++ % options.targets.length;
    const target = new URL(req.url ?? '/', options.targets[index]);
    log.push({ method: req.method ?? '', path: req.url ?? '', instance: index });
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    // The Host header goes through unchanged: the app compares it with the browser's Origin.
    const upstream = request(target, {
      method: req.method,
      headers: { ...req.headers, 'x-forwarded-for': forwardedFor },
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    // A browser that closes the page closes the instance's stream too.
    res.on('close', () => {
      upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
