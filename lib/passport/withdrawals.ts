/**
 * Taking pushes back at LaunchKey in the background. A cancel, and a new start that drops the
 * session's previous login, end the login in the store first and answer the browser from there; the
 * API's DELETE follows without the browser waiting for it, so a real login's cancel costs the
 * browser what a decoy's does, which is never sent anywhere (docs/security.md, T8), and an answer
 * that reaches the API meanwhile finds the login already ended here (docs/security.md, R11).
 *
 * @internal
 */
import { AuthorizationRequestCanceledError, AuthorizationResponseExistsError, EntityNotFoundError } from '../errors.js';

/** The DELETEs in flight of one strategy. */
export class Withdrawals {
  private readonly _inFlight = new Set<Promise<void>>();

  constructor(
    private readonly _client: { cancelAuthorizationRequest(authorizationRequestId: string): Promise<void> },
    private readonly _onError: (err: unknown) => void,
  ) {}

  /**
   * Withdraws the push of `authorizationRequestId`; the caller need not wait (the returned promise
   * never rejects). Already answered, canceled or gone is not an error: the login ended here either
   * way. Any other failure goes to `onError`.
   */
  start(authorizationRequestId: string): Promise<void> {
    // Started on a timer, not setImmediate: a session store that finishes the answer on the next check
    // phase (express-session's MemoryStore saves with setImmediate) then writes it before the DELETE
    // is signed, so that work is no part of the answer's time (docs/security.md, T8). The cancel is the
    // application's own route's, so there is no response to wait for here.
    const work = new Promise<void>((resolve) => setTimeout(resolve, 0))
      .then(() => this._client.cancelAuthorizationRequest(authorizationRequestId))
      .then(
        () => undefined,
        (err: unknown) => {
          if (!settledAlready(err)) this._onError(err);
        },
      );
    this._inFlight.add(work);
    void work.finally(() => this._inFlight.delete(work));
    return work;
  }

  /** Resolves once every withdrawal started so far has finished (`strategy.close()` waits for them). */
  async settled(): Promise<void> {
    while (this._inFlight.size > 0) await Promise.all([...this._inFlight]);
  }
}

/** Whether a failed DELETE only says that the request is over at LaunchKey already. */
function settledAlready(err: unknown): boolean {
  return (
    err instanceof AuthorizationResponseExistsError ||
    err instanceof AuthorizationRequestCanceledError ||
    err instanceof EntityNotFoundError
  );
}
