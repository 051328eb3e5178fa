/**
 * The fraud cooldown: after the user reports a push as fraud, no start for that user (by username or
 * by the push id the answer named) sends another push for a while (docs/security.md, T9).
 */
import type { StrategyConfig } from './options.js';
import { fraudKeys } from './rate_limit.js';
import type { PendingRecord } from './store.js';

/**
 * Starts the user's fraud cooldown, under the username and the push id the answer named (both name the
 * user to LaunchKey: docs/security.md, T9), when `record` is a login its owner reported as fraud. The
 * cooldown runs from when the report was learned (`finishedAt`), so calling this again for the same
 * record (every status read) does not lengthen it.
 */
export async function noteFraud(config: StrategyConfig, record: PendingRecord | undefined): Promise<void> {
  const cooldown = config.fraudCooldown;
  if (cooldown === undefined || record === undefined) return;
  if (record.status !== 'denied' || record.response?.fraud !== true) return;
  const now = config.now();
  const remaining = (record.finishedAt ?? now) + cooldown.ms - now;
  if (remaining <= 0) return;
  for (const key of fraudKeys(record.username, record.response.userPushId))
    await cooldown.limiter.block(key, remaining);
}
