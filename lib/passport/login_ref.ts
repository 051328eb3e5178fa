/**
 * Reading the login a browser session refers to. A real login is in the store, opened only when
 * the session's handle matches the record's; a decoy (docs/security.md, T8) is the record the session holds
 * itself. Both cost one store read: a decoy's random id is looked up too and misses, so neither the
 * work done nor the time taken tells a decoy from a real login.
 */
import type { StrategyConfig } from './options.js';
import type { PendingRef } from './session.js';
import type { PendingRecord } from './store.js';

/** The record `ref` points at, or `undefined` (no reference, taken, expired, or not this session's). */
export async function readLogin(
  config: StrategyConfig,
  ref: PendingRef | undefined,
): Promise<PendingRecord | undefined> {
  if (ref === undefined) return undefined;
  const stored = await config.store.get(ref.id);
  if (ref.decoy !== undefined) return ref.decoy;
  return stored?.handle === ref.handle ? stored : undefined;
}
