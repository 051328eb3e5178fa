/**
 * Push-bombing defence (docs/security.md, T9; MITRE ATT&CK T1621): limits on login starts per client
 * address, per username from one address, and per username from all addresses together, and a cooldown
 * for a user (by username and push id) after they reported a push as fraud, all checked before any push
 * is sent. {@link RateLimiter} is the small interface a shared implementation (Redis `INCR` + `PEXPIRE`,
 * `SET PX` + `PTTL`) fills; {@link MemoryRateLimiter} is the default.
 */
import { isIP } from 'node:net';

import type { Request } from 'express';

import { ConfigurationError } from '../errors.js';
import type { HttpRequest } from './http.js';

/** One limit: at most `max` starts per `window` milliseconds. */
export interface RateLimitRule {
  max: number;
  /** Window length in ms. */
  window: number;
}

/** The answer of a {@link RateLimiter}. */
export interface RateLimitDecision {
  allowed: boolean;
  /** When refused: ms until a start would be allowed again. */
  retryAfter?: number;
}

/**
 * Counts hits per key. `hit` must count and decide atomically (two concurrent hits never both see
 * the last free slot), and must count refused hits too, so hammering does not reopen the window.
 *
 * `block` and `blockedFor` carry the strategy's `fraudCooldown` (a username whose owner reported a
 * push as fraud gets no push for a while). They are optional in the type so a limiter written for
 * `hit` alone still type-checks, but the strategy refuses (ConfigurationError) a limiter without
 * them unless `fraudCooldown` is 0. Keys given to them never collide with keys given to `hit`.
 */
export interface RateLimiter {
  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /**
   * Blocks `key` for `ms` milliseconds from now. A block already in place that ends later is kept
   * (never shortened). Redis: `SET key 1 PX ms` unless `PTTL key` is larger.
   */
  block?(key: string, ms: number): Promise<void>;
  /** Milliseconds until the block of `key` ends; 0 when it is not blocked. Reading does not count as a hit. */
  blockedFor?(key: string): Promise<number>;
  /**
   * Optional: gives one hit of `key`'s current window back (never below zero). The strategy refunds
   * the username's start when the login was approved, so a user who logs in and out a few times does
   * not run out of starts; without it, approved starts count like any other.
   */
  refund?(key: string): Promise<void>;
}

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Most keys tracked; past it the oldest window is forgotten. Default 100 000. */
  maxKeys?: number;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
}

/**
 * In-process fixed-window counter with blocks. Bounded: when `maxKeys` windows (or blocks) are live,
 * the oldest is dropped (a limiter must not become a way to lock everyone out by filling it).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly _maxKeys: number;
  private readonly _now: () => number;
  private readonly _windows = new Map<string, { count: number; resets: number }>();
  private readonly _blocks = new Map<string, number>();

  constructor(options: MemoryRateLimiterOptions = {}) {
    const max = options.maxKeys ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1)
      throw new ConfigurationError('MemoryRateLimiter maxKeys must be a positive integer', { option: 'maxKeys' });
    this._maxKeys = max;
    this._now = options.now ?? Date.now;
  }

  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const now = this._now();
    let w = this._windows.get(key);
    if (w === undefined || w.resets <= now) {
      this._windows.delete(key);
      if (this._windows.size >= this._maxKeys) {
        for (const [k, v] of this._windows) if (v.resets <= now) this._windows.delete(k);
        const oldest = this._windows.keys().next();
        if (this._windows.size >= this._maxKeys && oldest.done !== true) this._windows.delete(oldest.value);
      }
      w = { count: 0, resets: now + rule.window };
      this._windows.set(key, w);
    }
    w.count += 1;
    return Promise.resolve(w.count <= rule.max ? { allowed: true } : { allowed: false, retryAfter: w.resets - now });
  }

  refund(key: string): Promise<void> {
    const w = this._windows.get(key);
    if (w !== undefined && w.resets > this._now() && w.count > 0) w.count -= 1;
    return Promise.resolve();
  }

  block(key: string, ms: number): Promise<void> {
    const now = this._now();
    const until = now + Math.max(0, ms);
    const current = this._blocks.get(key);
    if (current !== undefined && current > now) {
      if (current < until) this._blocks.set(key, until);
      return Promise.resolve();
    }
    this._blocks.delete(key);
    if (this._blocks.size >= this._maxKeys) {
      for (const [k, v] of this._blocks) if (v <= now) this._blocks.delete(k);
      const oldest = this._blocks.keys().next();
      if (this._blocks.size >= this._maxKeys && oldest.done !== true) this._blocks.delete(oldest.value);
    }
    this._blocks.set(key, until);
    return Promise.resolve();
  }

  blockedFor(key: string): Promise<number> {
    const now = this._now();
    const until = this._blocks.get(key);
    if (until === undefined) return Promise.resolve(0);
    if (until <= now) {
      this._blocks.delete(key);
      return Promise.resolve(0);
    }
    return Promise.resolve(until - now);
  }
}

/** The start limits of the strategy (`rateLimit` option). */
export interface RateLimitOptions {
  /**
   * Per username (trimmed, NFKC, lower-cased) from one client address; default 3 per 5 minutes; `false`
   * turns it off. Counted per address so that a stranger's starts do not use up the owner's.
   */
  perUsername?: RateLimitRule | false;
  /**
   * Per username from all client addresses together: the ceiling against an attacker with many
   * addresses; default 10 per 5 minutes; `false` turns it off. Such an attacker can still spend it and
   * keep the owner out until the window ends (docs/security.md, T9).
   */
  perUsernameTotal?: RateLimitRule | false;
  /** Per client address (`req.ip`; IPv6 by /64); default 10 per 5 minutes; `false` turns it off. */
  perIp?: RateLimitRule | false;
  /** Where counts live; default a {@link MemoryRateLimiter}. Use a shared one with several instances. */
  limiter?: RateLimiter;
}

/** The defaults of {@link RateLimitOptions}. */
export const DEFAULT_RATE_LIMITS = Object.freeze({
  perUsername: Object.freeze({ max: 3, window: 5 * 60_000 }),
  perUsernameTotal: Object.freeze({ max: 10, window: 5 * 60_000 }),
  perIp: Object.freeze({ max: 10, window: 5 * 60_000 }),
});

/** The start limits as the strategy holds them (options checked, defaults applied). */
export interface StartLimits {
  limiter: RateLimiter;
  perUsername: RateLimitRule | false;
  perUsernameTotal: RateLimitRule | false;
  perIp: RateLimitRule | false;
}

/**
 * What a start without a known client address counts under: all such starts together. No address must
 * never mean no limit (docs/security.md, T9). Never the key of an address: those start with `ip`.
 */
const NO_ADDRESS = 'addr:none';

/**
 * @internal Counts one start of `username` from `address` against each limit in turn, stopping at the
 * first that refuses: the address, the username from that address, the username from everywhere.
 * The order is the defence: a start refused for its address or its (username, address) pair is not
 * counted against the username's ceiling, so hammering from one address cannot spend the owner's
 * starts (a refused hit still counts in the limit that refused it, which keeps that window shut).
 */
export async function countStart(
  limits: StartLimits,
  username: string,
  address: string | undefined,
): Promise<{ limit: 'address' | 'username'; retryAfter: number } | undefined> {
  const keys = startKeys(username, address);
  const checks: [string, RateLimitRule | false, 'address' | 'username'][] = [
    [keys.address, limits.perIp, 'address'],
    [keys.userAtAddress, limits.perUsername, 'username'],
    [keys.user, limits.perUsernameTotal, 'username'],
  ];
  for (const [key, rule, limit] of checks) {
    if (rule === false) continue;
    const decision = await limits.limiter.hit(key, rule);
    if (!decision.allowed) {
      return { limit, retryAfter: Math.max(1, Math.ceil((decision.retryAfter ?? rule.window) / 1000)) };
    }
  }
  return undefined;
}

/**
 * @internal Gives an approved login's start back to the username's budgets (from `address`, the
 * completing client's, and in total), when the limiter can.
 */
export async function refundStart(limits: StartLimits, username: string, address: string | undefined): Promise<void> {
  if (limits.limiter.refund === undefined) return;
  const keys = startKeys(username, address);
  if (limits.perUsername !== false) await limits.limiter.refund(keys.userAtAddress);
  if (limits.perUsernameTotal !== false) await limits.limiter.refund(keys.user);
}

/**
 * @internal The client's address as the limits count it: the application's `clientAddress`, else the
 * framework's.
 */
export function clientAddressOf(
  clientAddress: ((req: Request) => string | undefined) | undefined,
  req: HttpRequest,
): string | undefined {
  return clientAddress === undefined ? req.clientAddress() : clientAddress(req.native as Request);
}

/**
 * The keys one start counts under. The pair's key has a prefix of its own and JSON around its two
 * parts, so no username (which may hold `@` and `:`) makes it collide with another user's key.
 */
function startKeys(username: string, address: string | undefined) {
  const where = addressKey(address) ?? NO_ADDRESS;
  const user = usernameKey(username);
  return { address: where, user, userAtAddress: `user-at:${JSON.stringify([user, where])}` };
}

/** @internal The username's rate-limit key: "Alice", " alice" and "ＡＬＩＣＥ" share one bucket. */
export function usernameKey(username: string): string {
  return `user:${username.trim().normalize('NFKC').toLowerCase()}`;
}

/** @internal The key of a username's fraud cooldown (same canonical form as {@link usernameKey}). */
export function fraudKey(username: string): string {
  return `fraud:${usernameKey(username)}`;
}

/**
 * @internal The cooldown keys of a login reported as fraud: its username's and, when the answer named
 * the user's push id, the push id's too. LaunchKey takes a push id wherever it takes a username, so the
 * cooldown must follow the user under both names (docs/security.md, T9).
 */
export function fraudKeys(username: string, userPushId: string | undefined): string[] {
  const keys = new Set([fraudKey(username)]);
  if (userPushId !== undefined && userPushId.length > 0) keys.add(fraudKey(userPushId));
  return [...keys];
}

/**
 * @internal The address's rate-limit key. IPv4 addresses count alone; IPv6 addresses count by
 * their /64 (one host usually holds a whole /64), except the forms that carry an IPv4 address,
 * which count as that IPv4 address: IPv4-mapped `::ffff:a.b.c.d` (a dual-stack socket), the
 * deprecated IPv4-compatible `::a.b.c.d`, and NAT64's `64:ff9b::a.b.c.d`, in dotted or hex form.
 */
export function addressKey(address: string | undefined): string | undefined {
  if (address === undefined || address.length === 0) return undefined;
  const bare = address.split('%')[0] ?? '';
  if (isIP(bare) !== 6) return `ip:${address}`;
  const groups = ipv6Groups(bare);
  if (groups === undefined) return `ip:${address}`;
  const prefix = groups.slice(0, 6).join(':');
  const tail = groups.slice(6).join(':');
  const carriesIpv4 =
    prefix === '0:0:0:0:0:ffff' ||
    prefix === '64:ff9b:0:0:0:0' ||
    (prefix === '0:0:0:0:0:0' && tail !== '0:0' && tail !== '0:1');
  if (carriesIpv4) {
    const high = parseInt(groups[6] ?? '0', 16);
    const low = parseInt(groups[7] ?? '0', 16);
    return `ip:${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return `ip6:${groups.slice(0, 4).join(':')}`;
}

/**
 * The eight groups of an IPv6 address, as lower-case hex without leading zeros. The WHATWG URL
 * parser does the hard part (`::` expansion, an embedded dotted IPv4 tail) the same way browsers do.
 */
function ipv6Groups(address: string): string[] | undefined {
  let host: string;
  try {
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = host.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...fill, ...right];
  return groups.length === 8 ? groups : undefined;
}

/** @internal Validates a rule given in options. */
export function checkRule(rule: unknown, name: string): RateLimitRule | false {
  if (rule === false) return false;
  const r = rule as Partial<RateLimitRule> | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    !Number.isSafeInteger(r.max) ||
    (r.max ?? 0) < 1 ||
    !Number.isSafeInteger(r.window) ||
    (r.window ?? 0) < 1
  ) {
    throw new ConfigurationError(
      `launchkey strategy option ${name} must be false or { max, window } with positive integers`,
      {
        option: name,
      },
    );
  }
  return { max: r.max as number, window: r.window as number };
}
