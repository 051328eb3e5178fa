/**
 * The small HTTP interface the strategy's core works on, whatever the web framework
 * (docs/architecture.md, "Frameworks"). Each framework has a thin adapter in `adapters/` that
 * builds these from its own request and response; the core (start, complete, status, webhook,
 * logout, guard) never touches a framework's object except to hand it back to the application's
 * callbacks (`native`).
 */
import type { IncomingHttpHeaders } from 'node:http';

import type { LaunchKeyOutcomeInfo } from './outcome.js';
import type { SessionLike } from './session.js';

/** One request, as the core reads it. */
export interface HttpRequest {
  /** The framework's own request: what the application's callbacks (`getUsername`, `state`, hooks) get. */
  readonly native: unknown;
  /** The method, upper case. */
  readonly method: string;
  /** One header's value (the first, when repeated), or `undefined` when absent (never `''` for absent). */
  header(name: string): string | undefined;
  /** All headers, lower-case names, as received (webhook verification, content negotiation). */
  readonly headers: IncomingHttpHeaders;
  /** The path as received, undecoded, without the query (the webhook token binds it). */
  readonly path: string;
  /** The parsed query. */
  readonly query: Readonly<Record<string, unknown>>;
  /** The parsed body, when a body parser ran. */
  readonly body: unknown;
  /**
   * The exact bytes of the body (the webhook token signs their hash); `null` when longer than
   * `limit`. Throws a ConfigurationError when a parser consumed it without keeping the bytes.
   */
  rawBody(limit: number): Promise<Buffer | string | null>;
  /** The client's address (after the framework's proxy settings), for the per-address limit. */
  clientAddress(): string | undefined;
  /**
   * Whether the client's connection is still open. A client that sent its whole request and hung up
   * may be gone before the start runs: it gets no push (docs/security.md, T9).
   */
  connected(): boolean;
  /**
   * The session: an object whose properties are the session's data, with `regenerate` and `save`.
   * Read again after a login or logout (they may replace it). Throws a ConfigurationError that names
   * the framework's session middleware when there is none, or one that cannot get a new id.
   */
  session(): SessionLike;
  /** The session's id, when it has one (keys the start lock; changes at every start and login). */
  sessionId(): string | undefined;
  /**
   * Gives the session a new id and keeps its data, as passport's `keepSessionInfo` does at a login;
   * the old id no longer opens it. A start does this before it binds a login to the session, so an
   * id planted in the browser beforehand holds nothing of that login (docs/security.md, T10).
   * Resolves the session, read again (some frameworks replace the object).
   */
  renewSession(): Promise<SessionLike>;
  /**
   * Arranges for `write(session)` to run on the session this request's next passport login
   * creates, after the bridge regenerated it and before the bridge stores it (so what it writes is
   * stored with the login, in the same write). `keepSessionInfo` asks the bridge to keep the
   * pre-login session's data in the new session (step-up).
   */
  onNextLogIn(write: (session: SessionLike) => void, options: { keepSessionInfo: boolean }): void;
  /** Logs out through the framework's passport bridge (which regenerates the session). */
  logOut(): Promise<void>;
  /**
   * Shows what `authenticate` decided to the routes after it (`req.launchkey`, Koa:
   * `ctx.state.launchkey`): the pending login, or why the login failed (also when passport's
   * `failWithError` turns the failure into an error that carries no details).
   */
  setLaunchKey(info: LaunchKeyOutcomeInfo): void;
}

/** An open Server-Sent Events stream. */
export interface EventStream {
  /** Whether the client can still be written to. */
  alive(): boolean;
  write(text: string): void;
  end(): void;
}

/** Headers to send with an answer. */
export type HttpHeaders = Readonly<Record<string, string>>;

/** The answer to one request, as the core gives it. Exactly one of `json`, `empty`, `redirect` or `stream`. */
export interface HttpResponse {
  /** Whether an answer was given or the connection is gone: nothing more can be sent. */
  readonly finished: boolean;
  json(status: number, body: unknown, headers?: HttpHeaders): void;
  empty(status: number, headers?: HttpHeaders): void;
  redirect(status: number, url: string): void;
  /** Sends the status and headers of an event stream and keeps the connection open. */
  stream(headers: HttpHeaders): EventStream;
  /** Calls `listener` once when the connection closes (the client went away, or the answer ended); returns its removal. */
  onClose(listener: () => void): () => void;
}
