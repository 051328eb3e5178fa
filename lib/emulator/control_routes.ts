/**
 * The control API (docs/protocol.md, "The control API"): plain JSON under `/emulator/`, never part of the
 * LaunchKey protocol. It plays the phone (answer, link, log out) and drives the clock so tests never sleep.
 * Every route is behind the guard of control_guard.ts: the emulator's own Host, no foreign Origin, and
 * `Content-Type: application/json` on POSTs.
 */
import { respondToAuth } from './auth_flow.js';
import { isoSeconds } from './emulator_clock.js';
import type { EmulatorContext } from './context.js';
import { controlGuard } from './control_guard.js';
import {
  completeLink,
  endSessionFromPhone,
  listAuths,
  listSessions,
  snapshot,
  summarizeAuth,
  type LinkDeviceOptions,
} from './control_actions.js';
import { InvalidArgumentError } from '../errors.js';
import { ApiFault } from './fault.js';
import { jsonObject } from './plain_http.js';
import { MAX_QR_TEXT, qrPng } from './link_qr.js';
import { PHONE_PAGE } from './phone_page.js';
import type { PlainContext, PlainHandler, PlainResult, RouteTable } from './router.js';

const badRequest = (error: string): PlainResult => ({ status: 400, json: { error } });

/** Runs a control operation, mapping its faults to `{error}` JSON. */
async function guarded(run: () => Promise<PlainResult> | PlainResult): Promise<PlainResult> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiFault)
      return { status: err.status, json: { error: typeof err.detail === 'string' ? err.detail : err.message } };
    if (err instanceof InvalidArgumentError) return badRequest(err.message);
    throw err;
  }
}

function body(c: PlainContext): Record<string, unknown> {
  const parsed = jsonObject(c.rawBody);
  if (parsed === undefined) throw new ApiFault(400, undefined, 'Body must be a JSON object');
  return parsed;
}

function str(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * `result` with the headers that forbid framing it: the phone page approves a login with one click, so
 * a page that framed it could cover it and have the developer click "Approve" (clickjacking). Every
 * control answer carries them. The policy restricts nothing but framing: the page's own inline script
 * and the browser tests that drive it (Playwright evaluates strings in it) must keep working.
 */
function unframeable(result: PlainResult): PlainResult {
  return {
    ...result,
    headers: {
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "frame-ancestors 'none'",
      ...result.headers,
    },
  };
}

export function addControlRoutes(routes: RouteTable, ctx: EmulatorContext): void {
  const { state } = ctx;
  const clockView = () => ({ now: isoSeconds(state.clock.now()), offsetSeconds: state.clock.offsetSeconds() });
  // URL leaves out a default port: an emulator on port 80 has port "".
  const guard = controlGuard(() => new URL(ctx.baseUrl()).port || '80', ctx.publicHosts ?? []);
  // Every route below answers only requests that pass the guard (Host, Origin, JSON bodies), and no
  // answer may be shown in another site's frame (docs/security.md, "T19 The emulator in the wrong place").
  const control = {
    plain(method: string, pattern: string, handler: PlainHandler) {
      const checked: PlainHandler = async (c) => unframeable(guard(c.req) ?? (await handler(c)));
      Object.defineProperty(checked, 'name', { value: handler.name });
      routes.plain(method, pattern, checked);
      return control;
    },
  };
  control
    .plain('GET', '/emulator/', function phonePage() {
      return { status: 200, text: PHONE_PAGE, headers: { 'Content-Type': 'text/html; charset=utf-8' } };
    })
    .plain('GET', '/emulator/qrcode/:code', function qrcodeImage({ params }) {
      const code = params['code'] ?? '';
      if (code.length > MAX_QR_TEXT) return { status: 404 };
      return { status: 200, body: qrPng(code), headers: { 'Content-Type': 'image/png' } };
    })
    .plain('GET', '/emulator/auths', function listAuthRequests({ query }) {
      const filter: { status?: string; username?: string } = {};
      const status = query.get('status');
      const username = query.get('username');
      if (status !== null) filter.status = status;
      if (username !== null) filter.username = username;
      return { status: 200, json: listAuths(ctx, filter) };
    })
    .plain('POST', '/emulator/auths/:id/respond', function respondAuthRequest(c) {
      return guarded(async () => {
        const b = body(c);
        const action = b['action'];
        if (action !== 'approve' && action !== 'deny' && action !== 'fraud')
          return badRequest('action must be approve, deny or fraud');
        const reason = b['denialReason'];
        if (reason !== undefined && reason !== null && !str(reason)) return badRequest('denialReason must be a string');
        const auth = await respondToAuth(ctx, c.params['id'] ?? '', action, str(reason) ? reason : undefined);
        return { status: 200, json: summarizeAuth(ctx, auth) };
      });
    })
    .plain('POST', '/emulator/sessions/end', function endSessionOnPhone(c) {
      return guarded(() => {
        const b = body(c);
        if (!str(b['serviceId']) || !str(b['username'])) return badRequest('serviceId and username are required');
        endSessionFromPhone(ctx, b['serviceId'], b['username']);
        return { status: 204 };
      });
    })
    .plain('GET', '/emulator/sessions', function listOpenSessions() {
      return { status: 200, json: listSessions(ctx) };
    })
    .plain('POST', '/emulator/devices/link', function linkDeviceOnPhone(c) {
      return guarded(async () => {
        const b = body(c);
        if (!str(b['code'])) return badRequest('code is required');
        const options: LinkDeviceOptions = { code: b['code'] };
        if (str(b['name'])) options.name = b['name'];
        if (b['factors'] !== undefined) options.factors = b['factors'] as LinkDeviceOptions['factors'] & object;
        // Checked by completeLink, like factors.
        if (b['supportedMethods'] !== undefined)
          options.supportedMethods = b['supportedMethods'] as LinkDeviceOptions['supportedMethods'] & object;
        if (typeof b['jailbroken'] === 'boolean') options.jailbroken = b['jailbroken'];
        const location = b['location'];
        if (location !== undefined && location !== null) {
          const l = location as Record<string, unknown>;
          if (typeof l['latitude'] !== 'number' || typeof l['longitude'] !== 'number')
            return badRequest('location needs latitude and longitude');
          options.location = location as LinkDeviceOptions['location'] & object;
        }
        return { status: 200, json: await completeLink(ctx, options) };
      });
    })
    .plain('GET', '/emulator/state', function dumpState() {
      return { status: 200, json: snapshot(ctx) };
    })
    .plain('GET', '/emulator/clock', function readClock() {
      return { status: 200, json: clockView() };
    })
    .plain('POST', '/emulator/clock', function shiftClock(c) {
      return guarded(() => {
        const b = body(c);
        const advance = b['advanceSeconds'];
        const offset = b['offsetSeconds'];
        // moveClock refuses a clock out of range with InvalidArgumentError: 400 below.
        if (typeof advance === 'number') state.moveClock({ advance });
        else if (typeof offset === 'number') state.moveClock({ offset });
        else return badRequest('advanceSeconds or offsetSeconds (number) is required');
        return { status: 200, json: clockView() };
      });
    })
    .plain('GET', '/emulator/webhooks', function webhookLog() {
      return { status: 200, json: ctx.webhooks.log };
    });
}
