/**
 * `passport-launchkey/emulator`: a local LaunchKey Platform API v3 with a simulated phone.
 *
 * ```ts
 * const emu = await startEmulator({ config: { organizations: [...], services: [...], users: [...] } })
 * // point the SDK at emu.url; approve from a test:
 * await emu.respond((await emu.auths({ status: 'pending' }))[0].id, 'approve')
 * await emu.close()
 * ```
 *
 * > [!WARNING]
 * > The emulator approves anything it is told to. It binds to loopback only unless `allowRemote` is
 * > set, and refuses to start under `NODE_ENV=production`.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

import { loadPrivateKey, type PrivateKey } from '../crypto/keys.js';
import { ConfigurationError } from '../errors.js';
import { isLoopbackHost } from '../loopback.js';
import { respondToAuth, type AuthAction } from './auth_flow.js';
import { applyConfig, readConfigFile, resolveRateLimit, type EmulatorConfig, type RateLimitOptions } from './config.js';
import type { EmulatorContext } from './context.js';
import {
  completeLink,
  endSessionFromPhone,
  listAuths,
  snapshot,
  summarizeAuth,
  type AuthSummary,
  type LinkDeviceOptions,
} from './control_ops.js';
import { addControlRoutes } from './control.js';
import { parsePublicHosts } from './control_guard.js';
import { parsePublicUrl, publicUrlHost } from './public_url.js';
import { RouteTable } from './router.js';
import { addDirectoryRoutes } from './routes/directory.js';
import { addOrganizationRoutes } from './routes/organization.js';
import { addPublicRoutes } from './routes/public.js';
import { addServiceAdminRoutes } from './routes/service_admin.js';
import { addServiceRoutes } from './routes/service.js';
import { resolveRetention, type RetentionOptions } from './retention.js';
import { listen } from './server.js';
import { EmulatorState } from './state.js';
import { WebhookSender, type DeliveryRecord, type WebhookOptions } from './webhooks.js';

export type { EmulatorConfig, ConfigKey, ConfigDevice, RateLimitOptions } from './config.js';
export type { RetentionOptions } from './retention.js';
export type { AuthSummary, LinkDeviceOptions } from './control_ops.js';
export type { AuthAction } from './auth_flow.js';
export { MAX_CLOCK_AHEAD_SECONDS } from './clock.js';
export type { DeliveryRecord, WebhookKind, WebhookOptions } from './webhooks.js';
export type { DeviceLocation, KeyType } from './state.js';
export type { AuthMethodName } from './device_methods.js';
export { AUTH_METHODS, DEFAULT_SUPPORTED_METHODS } from './device_methods.js';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Interface to bind; default `127.0.0.1`. Non-loopback hosts need `allowRemote`. */
  host?: string;
  /** Port; default 0 (a free one). */
  port?: number;
  /** The start-up world: an object, or the path of a JSON file. */
  config?: EmulatorConfig | string;
  /**
   * The API's RSA private key (PEM). Default: one generated at start with `apiKeyBits` bits
   * (2048, for speed; the real API used 4096).
   */
  apiPrivateKey?: string;
  /** Size of a generated API key; default 2048. */
  apiKeyBits?: number;
  /** Bind to a non-loopback host (docs/security.md, T19: the emulator approves whatever it is told to). */
  allowRemote?: boolean;
  /** Seconds an auth request lives without a `ttl`; default 300. */
  defaultAuthTtl?: number;
  /** Webhook retry settings. */
  webhooks?: WebhookOptions;
  /**
   * The limit on authorization requests: at most `authsPerUser` `POST /service/v3/auths` by one
   * service for one user within any `windowSeconds`, counted on the emulator clock (so
   * `advanceClock` moves past it). Over the limit the request is answered HTTP 429 with an empty
   * body, a signed `X-IOV-JWT` (status 429) and `Retry-After` (whole seconds until a request would
   * be accepted), which the SDK raises as `RateLimitedError` with `retryAfter`; refused requests
   * are not counted. Overrides the config's `rateLimit` field by field; default
   * `{ authsPerUser: 30, windowSeconds: 300 }`.
   *
   * ```ts
   * await startEmulator({ config, rateLimit: { authsPerUser: 10, windowSeconds: 300 } })
   * ```
   */
  rateLimit?: RateLimitOptions;
  /**
   * How long history is kept, so that a long run does not grow without bound: a finished
   * authorization request (answered, canceled or expired) stays readable (poll, `auths()`,
   * `GET /emulator/auths`) for `finishedAuthSeconds` emulator seconds after it finished, default
   * 3600; at most `finishedAuths` finished requests are kept, default 10 000 (the first to finish
   * go first); the webhook delivery log keeps the last `webhookDeliveries` records, default 1000.
   * Pending requests are never dropped. A dropped request polls as an unknown one: 204.
   *
   * ```ts
   * await startEmulator({ config, retention: { finishedAuthSeconds: 600, webhookDeliveries: 100 } })
   * ```
   */
  retention?: RetentionOptions;
  /**
   * Names the control API and phone page (`/emulator/`) may be reached by, besides `localhost` and
   * IP addresses on the emulator's port: `host` (any port) or `host:port`, e.g. a container name or
   * a reverse proxy's name. Requests whose `Host` (or `Origin`, when sent) names anything else are
   * refused with 403, which stops DNS rebinding and cross-site pages from driving the phone.
   */
  publicHosts?: string[];
  /**
   * The base URL the emulator advertises, e.g. `https://launchkey.test` behind a reverse proxy or
   * `http://emulator:8480` in a container network: every absolute URL it hands out (a device link's
   * `qrcode`) starts with it instead of the bound address (an IP literal, which clients that want a
   * URL with a domain refuse). Its host is added to `publicHosts` (with its port when the URL
   * names one, else any port); list further names there. Default: {@link Emulator.url}.
   */
  publicUrl?: string;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:8480`. */
  readonly url: string;
  /** The base URL the emulator advertises: the `publicUrl` option, else {@link Emulator.url}. */
  readonly publicUrl: string;
  /** Key id of the API key (the `kid` of every response and webhook token). */
  readonly apiKeyId: string;
  /** Emulator time in Unix seconds. */
  now(): number;
  /**
   * Shifts the emulator clock forward by `seconds` (negative goes back).
   *
   * @throws {InvalidArgumentError} (`ERR_LK_INVALID_ARGUMENT`) when `seconds` is not finite or the
   *   clock would leave its range: not before 1970, at most 100 years ahead of real time
   *   ({@link MAX_CLOCK_AHEAD_SECONDS}). The clock is then unchanged.
   */
  advanceClock(seconds: number): void;
  /**
   * Sets the emulator clock's offset from real time.
   *
   * @throws {InvalidArgumentError} as {@link Emulator.advanceClock} does.
   */
  setClockOffset(seconds: number): void;
  /** Auth requests, optionally filtered. */
  auths(filter?: { status?: string; username?: string }): AuthSummary[];
  /** The simulated device answers a pending request. */
  respond(id: string, action: AuthAction, denialReason?: string): Promise<AuthSummary>;
  /** Completes a device link started with `POST /directory/v3/devices`. */
  linkDevice(options: LinkDeviceOptions): Promise<{ deviceId: string; identifier: string }>;
  /** The user logs out of a service from the phone (session-end webhook). */
  endSession(serviceId: string, username: string): void;
  /** The webhook delivery log. */
  webhooks(): DeliveryRecord[];
  /** Resolves once every webhook started so far is delivered or given up. */
  webhooksSettled(): Promise<void>;
  /** Everything the emulator holds. */
  state(): ReturnType<typeof snapshot>;
  /** Stops the server, ending keep-alive connections and pending webhook retries. */
  close(): Promise<void>;
}

async function apiKeyFrom(options: EmulatorOptions): Promise<PrivateKey> {
  if (options.apiPrivateKey !== undefined) return loadPrivateKey(options.apiPrivateKey);
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: options.apiKeyBits ?? 2048 });
  return loadPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/**
 * Whether `NODE_ENV` names production. Compared trimmed and case-insensitively: `Production` or
 * `production\n` (a trailing newline from an env file) is production to a person, so it must be to
 * this guard too.
 */
function isProductionEnv(value: string | undefined = process.env['NODE_ENV']): boolean {
  return value?.trim().toLowerCase() === 'production';
}

/** Starts an emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  if (isProductionEnv()) {
    throw new ConfigurationError('The LaunchKey emulator refuses to start with NODE_ENV=production');
  }
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && options.allowRemote !== true) {
    throw new ConfigurationError(`The LaunchKey emulator binds to loopback only; ${host} needs allowRemote`);
  }
  const retention = resolveRetention(options.retention);
  const state = new EmulatorState(retention);
  const config = typeof options.config === 'string' ? readConfigFile(options.config) : options.config;
  if (config !== undefined) applyConfig(state, config);
  const rateLimit = resolveRateLimit(config?.rateLimit, options.rateLimit);
  const apiKey = await apiKeyFrom(options);
  const publicUrl = parsePublicUrl(options.publicUrl);
  const publicHosts = parsePublicHosts(options.publicHosts);
  if (publicUrl !== undefined) publicHosts.push(publicUrlHost(publicUrl));
  let url = '';
  const ctx: EmulatorContext = {
    state,
    apiKey,
    webhooks: new WebhookSender(state, apiKey, options.webhooks, retention.webhookDeliveries),
    baseUrl: () => url,
    publicUrl: () => publicUrl ?? url,
    defaultAuthTtl: options.defaultAuthTtl ?? 300,
    rateLimit,
    publicHosts,
  };
  const routes = new RouteTable();
  addPublicRoutes(routes, ctx);
  addServiceRoutes(routes, ctx);
  addDirectoryRoutes(routes, ctx);
  addOrganizationRoutes(routes, ctx);
  addServiceAdminRoutes(routes, ctx);
  addControlRoutes(routes, ctx);
  const running = await listen(ctx, routes, host, options.port ?? 0);
  url = running.url;

  return {
    url,
    publicUrl: publicUrl ?? url,
    apiKeyId: apiKey.kid,
    now: () => state.clock.now(),
    advanceClock: (seconds) => {
      state.moveClock({ advance: seconds });
    },
    setClockOffset: (seconds) => {
      state.moveClock({ offset: seconds });
    },
    auths: (filter) => listAuths(ctx, filter),
    respond: async (id, action, denialReason) => summarizeAuth(ctx, await respondToAuth(ctx, id, action, denialReason)),
    linkDevice: (linkOptions) => completeLink(ctx, linkOptions),
    endSession: (serviceId, username) => {
      endSessionFromPhone(ctx, serviceId, username);
    },
    webhooks: () => [...ctx.webhooks.log],
    webhooksSettled: () => ctx.webhooks.settled(),
    state: () => snapshot(ctx),
    close: async () => {
      ctx.webhooks.close();
      await running.close();
    },
  };
}

export { createDemoWorld } from './demo_world.js';
export type { DemoWorld, DemoWorldOptions } from './demo_world.js';
export type { AuthStatus, DeviceFactor, Session } from './state.js';
