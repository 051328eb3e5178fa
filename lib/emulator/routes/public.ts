/**
 * Public endpoints (docs/protocol.md, "The public endpoints"): unauthenticated, unencrypted.
 */
import { isoSeconds } from '../emulator_clock.js';
import type { EmulatorContext } from '../context.js';
import type { PlainResult, RouteTable } from '../router.js';

export function addPublicRoutes(routes: RouteTable, ctx: EmulatorContext): void {
  const keyResult = (): PlainResult => ({
    status: 200,
    text: ctx.apiKey.publicKey.pem,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-IOV-KEY-ID': ctx.apiKey.kid },
  });
  routes
    .plain('GET', '/public/v3/ping', function ping() {
      return { status: 200, json: { api_time: isoSeconds(ctx.state.clock.now()) } };
    })
    .plain('GET', '/public/v3/public-key', function currentPublicKey() {
      return keyResult();
    })
    .plain('GET', '/public/v3/public-key/:kid', function publicKeyById({ params }) {
      return params['kid'] === ctx.apiKey.kid ? keyResult() : { status: 404 };
    });
}
