/**
 * The cross-site check of every route that changes a browser's login state: the start, cancel and
 * logout (docs/security.md, T9 and T11). A page on another site can make the browser post a form to
 * any of them, with its cookies; the browser says where the request comes from, and that is what is
 * checked, the same way on all three.
 *
 * @internal
 */
import { failure, type LaunchKeyFailureInfo } from './failures.js';
import type { HttpRequest } from './http.js';
import type { StrategyConfig } from './options.js';

/**
 * Whether the browser says this request comes from another site. `Sec-Fetch-Site` decides when
 * present: only `same-origin` and `none` (typed URL, bookmark) pass; `same-site` (a sibling
 * subdomain) does not. Without it, an `Origin` header must name the `Host` the request was sent to
 * (the raw header, not `X-Forwarded-Host`: a proxy must pass Host through); `Origin: null`
 * (sandboxed frame, opaque origin) is refused. Neither header: not a (modern) browser; passes.
 */
export function isCrossSite(req: HttpRequest): boolean {
  const site = req.header('sec-fetch-site');
  if (site !== undefined) {
    const value = site.trim().toLowerCase();
    return value !== 'same-origin' && value !== 'none';
  }
  const origin = req.header('origin');
  if (origin === undefined) return false;
  const host = req.header('host');
  if (host === undefined) return true;
  try {
    const from = new URL(origin);
    if (from.origin === 'null' || from.host === '') return true;
    // Parsed with the origin's scheme, so a default port written out in Host compares equal.
    return new URL(`${from.protocol}//${host}`).host !== from.host;
  } catch {
    return true;
  }
}

/**
 * The refusal of a cross-site request under `sameOriginOnly` (code `'cross-site'`, 403), or
 * `undefined` when the request may go on; worded by the `messages` option as a start's is. Shown on the request as a refused start's is
 * (`req.launchkey`, Koa: `ctx.state.launchkey`), so a route of the application's own sees why.
 */
export function crossSiteRefusal(config: StrategyConfig, req: HttpRequest): LaunchKeyFailureInfo | undefined {
  if (!config.sameOriginOnly || !isCrossSite(req)) return undefined;
  const worded = Object.hasOwn(config.messages, 'cross-site') ? config.messages['cross-site'] : undefined;
  const info = failure('cross-site', worded === undefined ? {} : { message: worded });
  req.setLaunchKey({ status: 'failed', ...info });
  return info;
}
