/**
 * The `node:http` server: dispatches through the route table, runs signed routes through the
 * envelope, turns faults into protocol answers and bugs into a 500, and closes cleanly (keep-alive
 * sockets included). One failing request never takes the server down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { EmulatorContext } from './context.js';
import { EnvelopeRefusal, faultPayload, sendSigned, verifyRequest, type ResponseAddress } from './server_envelope.js';
import { ApiFault } from './fault.js';
import { BodyTooLargeError, readBody, RequestAbortedError, sendPlain } from './plain_http.js';
import type { RouteMatch, RouteTable } from './router.js';

async function handleSigned(
  ctx: EmulatorContext,
  match: RouteMatch & { target: { kind: 'signed' } },
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  rawBody: Buffer,
): Promise<void> {
  let address: ResponseAddress | undefined;
  try {
    const verified = await verifyRequest(ctx.state, ctx.apiKey, req, path, rawBody, match.target.subjectKind);
    address = verified.address;
    const result = await match.target.handler({
      issuerId: verified.claims.iss,
      issuer: verified.issuer,
      signingKeyId: verified.address.signingKeyId ?? '',
      subject: verified.subject,
      params: match.params,
      body: verified.body,
    });
    await sendSigned(res, ctx.state, ctx.apiKey, address, result.status, result.body);
  } catch (err) {
    if (err instanceof EnvelopeRefusal) {
      await sendSigned(res, ctx.state, ctx.apiKey, err.address, err.status);
    } else if (err instanceof ApiFault) {
      const faultAddress = address ?? (err as ApiFault & { address?: ResponseAddress }).address;
      if (faultAddress === undefined) throw err;
      await sendSigned(res, ctx.state, ctx.apiKey, faultAddress, err.status, faultPayload(err), err.headers);
    } else {
      throw err;
    }
  }
}

async function dispatch(ctx: EmulatorContext, routes: RouteTable, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const query = new URLSearchParams((req.url ?? '').split('?').slice(1).join('?'));
  const match = routes.match(req.method ?? 'GET', path);
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req);
  } catch (err) {
    // The client is gone mid-upload: not a failure of ours, and there is no one to answer.
    if (err instanceof RequestAbortedError) return;
    if (!(err instanceof BodyTooLargeError)) throw err;
    res.setHeader('Connection', 'close');
    sendPlain(res, { status: 413 });
    res.on('finish', () => req.destroy());
    return;
  }
  if (match === undefined) {
    sendPlain(res, { status: 404 });
    return;
  }
  if (match.target.kind === 'signed') {
    await handleSigned(ctx, { ...match, target: match.target }, req, res, path, rawBody);
    return;
  }
  sendPlain(res, await match.target.handler({ req, params: match.params, query, rawBody }));
}

/** A listening emulator server. */
export interface RunningServer {
  server: Server;
  url: string;
  /** Stops listening, ends every connection and resolves once every request handler has finished. */
  close: () => Promise<void>;
}

/** Creates and starts the server on `host:port` (port 0 picks a free one). */
export function listen(ctx: EmulatorContext, routes: RouteTable, host: string, port: number): Promise<RunningServer> {
  const warn =
    ctx.warn ??
    ((message: string) => {
      process.emitWarning(message);
    });
  // Requests being handled: close() waits for them, so no handler still runs once it resolved.
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handling = dispatch(ctx, routes, req, res)
      .catch((err: unknown) => {
        // A bug in a handler: answer 500 and keep serving.
        warn(`launchkey emulator: ${req.method ?? ''} ${req.url ?? ''} failed: ${String(err)}`);
        if (!res.headersSent) sendPlain(res, { status: 500 });
        else res.destroy();
      })
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });
  server.on('clientError', (_err, socket) => {
    socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      // Bound to every interface: clients reach it on loopback (and the SDK allows plain http there only).
      const reachable =
        address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
      const shownHost = address.family === 'IPv6' ? `[${reachable}]` : reachable;
      resolve({
        server,
        url: `http://${shownHost}:${address.port}`,
        close: async () => {
          await new Promise<void>((done) => {
            server.close(() => {
              done();
            });
            server.closeAllConnections();
          });
          await Promise.all(inFlight);
        },
      });
    });
  });
}
