/**
 * The strategy's data in `req.session[sessionKey]`: the reference to the pending login (never an id
 * from the request, docs/security.md, T7), a decoy's whole record, and, after a login, who logged in and when
 * (for `logout` and `sessionGuard`). Read defensively: a session store may hand back anything.
 */
import { UUID_PATTERN } from '../entities/validate.js';
import { ConfigurationError } from '../errors.js';
import { asError } from './callback_values.js';
import type { PendingRecord } from './store.js';

/**
 * The session's reference to its pending login: the store key and the secret handle that must
 * match the record's. A decoy (docs/security.md, T8) is not in the store at all: its whole record lives here,
 * in the session of whoever started it, so no number of decoys can fill the shared store.
 */
export interface PendingRef {
  id: string;
  handle: string;
  decoy?: PendingRecord;
}

/**
 * A start whose API call timed out (docs/security.md, R3): the push may exist at LaunchKey though its id never came
 * back. Kept so the next start from this session can recognise that push by its user and expiry
 * (never by trusting the id of the busy signal) and take it back.
 */
export interface UncertainStart {
  username: string;
  /** When the timed-out start began (ms). */
  at: number;
  /** The request ttl it asked for, in seconds. */
  ttl: number;
}

/** What the strategy keeps in the session. */
export interface LaunchKeySessionData {
  pending?: PendingRef;
  uncertain?: UncertainStart;
  /**
   * The request id of this session's own push that is being taken back at LaunchKey in the
   * background (a cancel, or a new start that dropped it). A start right after may reach LaunchKey
   * before the DELETE and meet the busy signal of that very push: knowing the id, it takes the push
   * back itself and sends the new one (start.ts), instead of ending in a decoy nobody answers.
   */
  withdrawing?: string;
  /** Set when a LaunchKey login succeeded (after passport regenerated the session). */
  login?: LoginMarker;
}

/** Who logged in with LaunchKey, in this session. */
export interface LoginMarker {
  username: string;
  serviceUserHash: string;
  /** Local time of the login, ms. */
  at: number;
}

/** The part of an express-session `Session` the strategy needs. */
export interface SessionLike {
  regenerate(callback: (err?: unknown) => void): unknown;
  save(callback?: (err?: unknown) => void): unknown;
  [key: string]: unknown;
}

const HANDLE = /^[A-Za-z0-9_-]{43}$/;

/** What to tell the developer when a framework's session is missing or unfit. */
export interface SessionAdvice {
  /** The session middleware is not mounted. */
  missing: string;
  /** The session cannot regenerate (so a login would keep the pre-login id). */
  unfit: string;
}

/**
 * `value` as the session, or a {@link ConfigurationError} that says how to fix it: a session must
 * exist and have `regenerate()` and `save()`, or a login would keep the pre-login session id
 * (docs/security.md, T10).
 */
export function checkSession(value: unknown, advice: SessionAdvice): SessionLike {
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new ConfigurationError(advice.missing);
  }
  const s = value as Partial<SessionLike>;
  if (typeof s.regenerate !== 'function' || typeof s.save !== 'function') throw new ConfigurationError(advice.unfit);
  return value as SessionLike;
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The strategy's session data, with anything malformed dropped (a session store may hand back anything). */
export function readData(session: SessionLike, key: string): LaunchKeySessionData {
  const raw = Object.hasOwn(session, key) ? session[key] : undefined;
  if (raw === null || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const data: LaunchKeySessionData = {};
  const pending = readPending(r['pending']);
  if (pending !== undefined) data.pending = pending;
  const u = r['uncertain'] as Partial<UncertainStart> | null | undefined;
  if (u !== null && typeof u === 'object' && typeof u.username === 'string' && finite(u.at) && finite(u.ttl)) {
    data.uncertain = { username: u.username, at: u.at, ttl: u.ttl };
  }
  const withdrawing = r['withdrawing'];
  if (typeof withdrawing === 'string' && UUID_PATTERN.test(withdrawing)) data.withdrawing = withdrawing;
  const login = r['login'] as Partial<LoginMarker> | null | undefined;
  if (
    login !== null &&
    typeof login === 'object' &&
    typeof login.username === 'string' &&
    typeof login.serviceUserHash === 'string' &&
    finite(login.at)
  ) {
    data.login = { username: login.username, serviceUserHash: login.serviceUserHash, at: login.at };
  }
  return data;
}

function readPending(value: unknown): PendingRef | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const p = value as Record<string, unknown>;
  const { id, handle } = p;
  if (typeof id !== 'string' || !UUID_PATTERN.test(id) || typeof handle !== 'string' || !HANDLE.test(handle)) {
    return undefined;
  }
  const ref: PendingRef = { id, handle };
  if (p['decoy'] !== undefined) {
    const decoy = p['decoy'] as Partial<PendingRecord> | null | undefined;
    if (
      decoy === null ||
      typeof decoy !== 'object' ||
      decoy.v !== 2 ||
      decoy.authorizationRequestId !== id ||
      decoy.handle !== handle ||
      typeof decoy.username !== 'string' ||
      (decoy.status !== 'pending' && decoy.status !== 'canceled') ||
      !finite(decoy.createdAt) ||
      !finite(decoy.expiresAt)
    ) {
      return undefined;
    }
    ref.decoy = decoy as PendingRecord;
  }
  return ref;
}

/** Writes the strategy's session data (removes the key when empty). */
export function writeData(
  session: SessionLike,
  key: string,
  data: { [K in keyof LaunchKeySessionData]?: LaunchKeySessionData[K] | undefined },
): void {
  const clean: LaunchKeySessionData = {};
  if (data.pending !== undefined) clean.pending = data.pending;
  if (data.uncertain !== undefined) clean.uncertain = data.uncertain;
  if (data.withdrawing !== undefined) clean.withdrawing = data.withdrawing;
  if (data.login !== undefined) clean.login = data.login;
  if (Object.keys(clean).length === 0) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the key is the validated sessionKey option
    delete session[key];
  } else {
    session[key] = clean;
  }
}

/** Changes part of the strategy's session data. */
export function updateData(
  session: SessionLike,
  key: string,
  change: { [K in keyof LaunchKeySessionData]?: LaunchKeySessionData[K] | undefined },
): void {
  writeData(session, key, { ...readData(session, key), ...change });
}

/** Forgets the pending login (keeps the login marker and the push being taken back). */
export function clearPending(session: SessionLike, key: string): void {
  const { login, withdrawing } = readData(session, key);
  writeData(session, key, { login, withdrawing });
}

/** Saves the session (express-session's callback API as a promise). */
export function saveSession(session: SessionLike): Promise<void> {
  return new Promise((resolve, reject) => {
    session.save((err) => {
      if (err === undefined || err === null) resolve();
      else reject(asError(err));
    });
  });
}
