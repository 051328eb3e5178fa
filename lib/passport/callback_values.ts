/**
 * Reading what an application's callbacks give back (verify, hooks, framework callbacks): they are
 * foreign code, so a thrown value may be anything and a result may or may not be a promise.
 */
/** `err` as an Error (foreign callbacks may pass anything). */
export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : 'Non-error value thrown', { cause: err });
}

/** Whether `value` is a promise (or any thenable). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
