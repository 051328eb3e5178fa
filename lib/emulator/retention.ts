/**
 * How much history the emulator keeps. It runs for hours under load tests and demos, so finished
 * authorization requests and webhook delivery records are dropped once they are old enough, or
 * once there are too many of them; pending requests are never dropped.
 */
import { ConfigurationError } from '../errors.js';

/** Options of `startEmulator({ retention })`; every field is optional. */
export interface RetentionOptions {
  /**
   * Emulator seconds a finished authorization request (answered, canceled or expired) stays
   * readable after it finished: its poll still answers, the control API still lists it. Counted on
   * the emulator clock, so `advanceClock` moves past it as it moves past a ttl. Default 3600.
   */
  finishedAuthSeconds?: number;
  /**
   * Most finished authorization requests kept at once; beyond it, the ones that finished first are dropped
   * even inside `finishedAuthSeconds`. Default 10 000. A dropped request polls as an unknown one does on the
   * API: 204, indistinguishable from pending (docs/protocol.md, "The emulator's request lifecycle").
   */
  finishedAuths?: number;
  /** Most webhook delivery records kept (the log of `webhooks()` and `GET /emulator/webhooks`); the oldest go first. Default 1000. */
  webhookDeliveries?: number;
}

export const DEFAULT_RETENTION: Readonly<Required<RetentionOptions>> = Object.freeze({
  finishedAuthSeconds: 3600,
  finishedAuths: 10_000,
  webhookDeliveries: 1000,
});

/** The retention in force: the options over the defaults, each a whole number of at least 1. */
export function resolveRetention(options: RetentionOptions | undefined): Required<RetentionOptions> {
  const merged = { ...DEFAULT_RETENTION };
  if (options === undefined) return merged;
  const layer: unknown = options;
  if (layer === null || typeof layer !== 'object' || Array.isArray(layer)) {
    throw new ConfigurationError('retention must be an object', { option: 'retention' });
  }
  for (const key of ['finishedAuthSeconds', 'finishedAuths', 'webhookDeliveries'] as const) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new ConfigurationError(`retention.${key} must be a whole number of at least 1`, {
        option: `retention.${key}`,
      });
    }
    merged[key] = value;
  }
  return merged;
}
