/**
 * Who may use the control API and the phone page (everything under `/emulator/`). They approve
 * logins and show everything the emulator holds, with no credentials, so a web page the developer
 * happens to have open must not reach them:
 *
 * - a cross-site form or `no-cors` fetch can POST `text/plain` without a CORS preflight: control
 *   POSTs must be `Content-Type: application/json`, which a page on another origin can only send
 *   after a preflight the emulator never grants;
 * - a page on another origin sends its `Origin`: when present it must be one of the emulator's own;
 * - DNS rebinding makes the attacker's name resolve to 127.0.0.1, so the browser treats the
 *   emulator as same-origin, but the `Host` header still carries the attacker's name: `Host` must
 *   be `localhost` or an IP address with the emulator's port (a page's origin is a DNS name it
 *   controls, never one of those), or a host configured with `publicHosts`.
 *
 * Node clients (the SDK, specs, tools) send no `Origin` and the emulator's own `Host`, and the phone
 * page is served by the emulator itself, so all of them pass unchanged. A per-run token was the
 * other option; it would break every existing caller of the control API and still need the Host
 * check against DNS rebinding (the page carrying the token would be readable after a rebind).
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

import { ConfigurationError } from '../errors.js';
import type { PlainResult } from './router.js';

/** A host name and, when it was given, the port. */
export interface HostPort {
  hostname: string;
  port: string | undefined;
}

/** `host[:port]` as in a `Host` header: no scheme, path, user or spaces. */
function parseHost(value: string): HostPort | undefined {
  if (!/^[^\s/?#@\\]+$/.test(value)) return undefined;
  try {
    const url = new URL(`http://${value}`);
    // URL drops the default port; keep "given or not" apart from "80".
    const port = url.port !== '' ? url.port : /:80$/.test(value) ? '80' : undefined;
    return { hostname: url.hostname.toLowerCase(), port };
  } catch {
    return undefined;
  }
}

/**
 * Checks `publicHosts` (names the emulator may be reached by besides localhost and IP addresses,
 * e.g. a container name or a reverse proxy's name), each `host` (any port) or `host:port`.
 */
export function parsePublicHosts(values: readonly string[] | undefined): HostPort[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) throw new ConfigurationError('publicHosts must be a list', { option: 'publicHosts' });
  return values.map((value: unknown, i) => {
    const parsed = typeof value === 'string' ? parseHost(value) : undefined;
    if (parsed === undefined) {
      throw new ConfigurationError(`publicHosts[${i}] must be a host name, optionally with :port`, {
        option: 'publicHosts',
      });
    }
    return parsed;
  });
}

const refuse = (status: 400 | 403, error: string): PlainResult => ({ status, json: { error } });

/**
 * The check run before every `/emulator/` route: undefined to go on, or the refusal to send.
 *
 * @param ownPort The emulator's port, once it listens.
 */
export function controlGuard(
  ownPort: () => string,
  publicHosts: readonly HostPort[],
): (req: IncomingMessage) => PlainResult | undefined {
  const isOwn = (host: HostPort, defaultPort: string): boolean => {
    const port = host.port ?? defaultPort;
    const bare = host.hostname.replace(/^\[(.*)\]$/, '$1');
    if ((bare === 'localhost' || isIP(bare) !== 0) && port === ownPort()) return true;
    return publicHosts.some((p) => p.hostname === host.hostname && (p.port === undefined || p.port === port));
  };
  return (req) => {
    const host = parseHost(req.headers.host ?? '');
    if (host === undefined || !isOwn(host, '80')) {
      return refuse(403, 'The Host header does not name this emulator (see the publicHosts option)');
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        url = undefined;
      }
      const fromOrigin = url === undefined ? undefined : parseHost(url.host);
      const defaultPort = url?.protocol === 'https:' ? '443' : '80';
      if (
        url === undefined ||
        fromOrigin === undefined ||
        url.origin !== origin.toLowerCase() ||
        (url.protocol !== 'http:' && url.protocol !== 'https:') ||
        !isOwn(fromOrigin, defaultPort)
      ) {
        return refuse(403, 'Control requests from another origin are refused');
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') return refuse(400, 'Content-Type must be application/json');
    }
    return undefined;
  };
}
