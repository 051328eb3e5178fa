// The Activity panel's data: the last audit events of this process (the strategy's `audit` option),
// so a newcomer sees what their security team would see. A real app sends these to its log pipeline
// (examples/audit) and shows them to nobody on its pages: here every visitor sees every username.
import type { AuditEvent } from 'passport-launchkey';

/** One line of the panel: what a security team reads first. */
export interface ActivityEntry {
  event: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  outcome: string;
  username: string | undefined;
  /** The failure or error code, when there is one. */
  code: string | undefined;
}

/** The last `capacity` events, in memory, oldest dropped first. */
export class Activity {
  private readonly entries: ActivityEntry[] = [];

  constructor(private readonly capacity = 50) {}

  /** The strategy's `audit` listener. */
  readonly record = (event: AuditEvent): void => {
    this.entries.push({
      event: event.event,
      timestamp: event.timestamp,
      outcome: event.outcome,
      username: event.username,
      code: event.code,
    });
    if (this.entries.length > this.capacity) this.entries.shift();
  };

  /** Newest first. */
  recent(): readonly ActivityEntry[] {
    return this.entries.toReversed();
  }
}
