/**
 * Reading the login a browser session refers to. A real login is in the store, opened only when
 * the session's handle matches the record's; a decoy (docs/security.md, T8) is the record the session holds
 * itself. Both cost one store read: a decoy's random id is looked up too and misses, so neither the
 * work done nor the time taken tells a decoy from a real login.
 */
import type { StrategyConfig } from './options.js';
import type { PendingRef } from './session.js';
import type { PendingRecord } from './store.js';

/**
 * How long a record stays readable after its request expired (the waiting page reads it): a real
 * login's store TTL is its ttl plus this, and a decoy is read as gone after the same time.
 */
export const RECORD_GRACE_MS = 5 * 60_000;

/** The record `ref` points at, or `undefined` (no reference, taken, expired, or not this session's). */
export async function readLogin(
  config: StrategyConfig,
  ref: PendingRef | undefined,
): Promise<PendingRecord | undefined> {
  if (ref === undefined) return undefined;
  const stored = await config.store.get(ref.id);
  if (ref.decoy !== undefined) {
    // Gone when a real record would have left the store, so a late look cannot tell them apart (docs/security.md, T8).
    return config.now() < ref.decoy.expiresAt + RECORD_GRACE_MS ? ref.decoy : undefined;
  }
  return stored?.handle === ref.handle ? stored : undefined;
}
