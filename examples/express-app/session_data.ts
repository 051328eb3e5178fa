// The demo's own fields in express-session's session, beside passport's and the strategy's.
import type { Request } from 'express';

export interface DemoSession {
  /** One message for the next login page (a "flash"): an error, or news such as a cancel. */
  flash?: { kind: 'error' | 'info'; text: string };
  /** The sign-in the waiting page is about: who, and the context its push carries. */
  waiting?: { username: string; context: string };
}

/** The demo's view of `req.session` (express-session is mounted before every route that calls this). */
export function demoSession(req: Request): DemoSession {
  return req.session as unknown as DemoSession;
}

/** Reads and clears the flash message. */
export function takeFlash(req: Request): DemoSession['flash'] {
  const session = demoSession(req);
  const message = session.flash;
  delete session.flash;
  return message;
}
