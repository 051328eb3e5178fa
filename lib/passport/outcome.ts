/**
 * What one `authenticate` call decides, before it is handed to passport (`success`, `fail`,
 * `redirect` or `pass`), and the small builders the phases share.
 */
import { FAILURE_STATUS, type LaunchKeyFailureInfo } from './failures.js';
import type { HttpRequest } from './http.js';
import type { AuthenticateOptions, StrategyConfig } from './options.js';
import type { PendingRecord } from './store.js';

/** What `req.launchkey` holds while a login is pending and the strategy passed. */
export interface LaunchKeyPending {
  status: 'pending';
  /**
   * The LaunchKey request id; for a decoy (docs/security.md, T8) a random UUID. Keep it server-side: shown to the
   * browser, it would let a page tell the two apart by asking the API.
   */
  authorizationRequestId: string;
  /** When the request expires at LaunchKey. */
  expiresAt: Date;
  /** The application's `state`. */
  state?: unknown;
  /** The per-attempt code the push context ends with (`" · code 42"`). */
  correlationCode?: string;
}

/** What `req.launchkey` holds after a failed login: the failure's `info`, as passport's `fail` got it. */
export type LaunchKeyFailed = { status: 'failed' } & LaunchKeyFailureInfo;

/** What `req.launchkey` holds after `authenticate`: a pending login, or a failure. */
export type LaunchKeyOutcomeInfo = LaunchKeyPending | LaunchKeyFailed;

declare global {
  // Express's Request carries what `authenticate` decided, as passport's own fields are declared.
  // eslint-disable-next-line @typescript-eslint/no-namespace -- the form Express's types are merged in
  namespace Express {
    interface Request {
      /** What passport-launchkey's `authenticate` decided: the pending login, or why it failed. */
      launchkey?: LaunchKeyOutcomeInfo;
    }
  }
}

/** The decision of one `authenticate` call. */
export type Outcome =
  | { kind: 'success'; user: Express.User; info: object }
  | { kind: 'fail'; info: LaunchKeyFailureInfo | object; status: number }
  | { kind: 'redirect'; url: string; status: number }
  | { kind: 'pass' };

/** A failure with the status of its code. */
export function fail(info: LaunchKeyFailureInfo): Outcome {
  return { kind: 'fail', info, status: FAILURE_STATUS[info.code] };
}

/** The answer while `record` is pending: the redirect to the waiting page, or `pass()` with `req.launchkey` (Koa: `ctx.state.launchkey`). */
export function pending(
  config: StrategyConfig,
  req: HttpRequest,
  options: AuthenticateOptions,
  record: PendingRecord,
): Outcome {
  const redirect = options.pendingRedirect === undefined ? config.pendingRedirect : options.pendingRedirect;
  if (typeof redirect === 'string') return { kind: 'redirect', url: redirect, status: 303 };
  const info: LaunchKeyPending = {
    status: 'pending',
    authorizationRequestId: record.authorizationRequestId,
    expiresAt: new Date(record.expiresAt),
    ...(record.state === undefined ? {} : { state: record.state }),
    ...(record.correlationCode === undefined ? {} : { correlationCode: record.correlationCode }),
  };
  req.setLaunchKey(info);
  return { kind: 'pass' };
}
