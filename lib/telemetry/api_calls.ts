/**
 * What every signed API call records (docs/architecture.md, "Telemetry"): a client span named
 * `METHOD /route/template` and the `launchkey.api.request.duration` histogram, by templated route
 * and status. The route never holds an id (a UUID segment is `{id}`), so the histogram's series stay
 * few and nothing in them names a user or a login; the span alone carries the login id of a poll or
 * a cancel (`launchkey.login_id`, the authorization request id in the path), which is what ties
 * that call to the login's audit events.
 */
import { performance } from 'node:perf_hooks';

import { errorCode } from '../errors.js';
import { instruments, record } from './otel.js';
import { defined, withSpan, type Attributes } from './spans.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A segment that is part of a route: lower-case words joined by dashes, maybe a version number. */
const ROUTE_WORD = /^[a-z]+(?:-[a-z]+)*\d*$/;

/** The path with every value segment as `{id}`, and the login id when it is a request's path. */
export function routeOf(path: string): { template: string; loginId?: string } {
  const segments = path.split('/');
  const template = segments.map((s) => (s === '' || (ROUTE_WORD.test(s) && !UUID.test(s)) ? s : '{id}')).join('/');
  const id = segments[4];
  if (template === '/service/v3/auths/{id}' && id !== undefined && UUID.test(id)) {
    return { template, loginId: id.toLowerCase() };
  }
  return { template };
}

/** The HTTP status an error or answer carries, if any (an API refusal, a 5xx, a redirect). */
function statusOf(value: unknown): number | undefined {
  const status = (value as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The server attributes of the last base URL seen: an application has one, so it is parsed once. */
let lastServer: { baseUrl: string; server: { address: string; port: number | undefined } | undefined } | undefined;

function serverOf(baseUrl: string): { address: string; port: number | undefined } | undefined {
  if (lastServer?.baseUrl !== baseUrl) {
    let server: { address: string; port: number | undefined } | undefined;
    try {
      const url = new URL(baseUrl);
      server = { address: url.hostname, port: url.port === '' ? undefined : Number(url.port) };
    } catch {
      server = undefined;
    }
    lastServer = { baseUrl, server };
  }
  return lastServer.server;
}

/**
 * Runs one API call inside its span and records its duration. `call` is the whole signed call;
 * what it resolves or rejects is handed through unchanged.
 */
export function observeApiCall<T>(
  request: { method: string; path: string; baseUrl: string },
  call: () => Promise<T>,
): Promise<T> {
  if (instruments() === undefined) return call();
  const route = routeOf(request.path);
  const server = serverOf(request.baseUrl);
  const common: Attributes = {
    'http.request.method': request.method,
    'url.template': route.template,
    'server.address': server?.address,
    'server.port': server?.port,
  };
  const started = performance.now();
  return withSpan(`${request.method} ${route.template}`, 'client', common, async (span) => {
    const finish = (result: Attributes, failed: boolean): void => {
      const seconds = (performance.now() - started) / 1000;
      record((i) => {
        i.apiDuration.record(seconds, { ...defined(common), ...defined(result) });
      });
      span.end({ ...result, 'launchkey.login_id': route.loginId }, failed);
    };
    try {
      const answer = await call();
      finish({ 'http.response.status_code': statusOf(answer) }, false);
      return answer;
    } catch (err) {
      const apiCode = (err as { errorCode?: unknown } | null)?.errorCode;
      finish(
        {
          'http.response.status_code': statusOf(err),
          'error.type': errorCode(err),
          'launchkey.api.error_code': typeof apiCode === 'string' ? apiCode : undefined,
        },
        true,
      );
      throw err;
    }
  });
}
