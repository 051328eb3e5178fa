/**
 * What every handler of one emulator instance shares: the world, the API key, the webhook sender
 * and a few settings.
 */
import type { PrivateKey } from '../crypto/keys.js';
import type { RateLimitOptions } from './config.js';
import type { HostPort } from './control_guard.js';
import type { EmulatorState } from './state.js';
import type { WebhookSender } from './webhooks.js';

export interface EmulatorContext {
  state: EmulatorState;
  apiKey: PrivateKey;
  webhooks: WebhookSender;
  /** The bound address, `http://HOST:PORT` (the control guard's port comes from it). */
  baseUrl: () => string;
  /** The base of every absolute URL the emulator hands out: the `publicUrl` option, else {@link baseUrl}. */
  publicUrl: () => string;
  /** Seconds an auth request lives when the service gives no `ttl`. */
  defaultAuthTtl: number;
  /** The authorization request limit in force (defaults applied). */
  rateLimit: Required<RateLimitOptions>;
  /** Names the control API answers to besides localhost and IP addresses (see control_guard.ts). */
  publicHosts?: readonly HostPort[];
  /** Reports a handler failure (a bug: the request was answered 500); default `process.emitWarning`. */
  warn?: (message: string) => void;
}
