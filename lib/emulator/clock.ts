/**
 * The emulator's clock: real time plus an offset that tests shift, so expiry and clock skew are
 * driven by moving time instead of sleeping.
 */
import { formatDate } from '../entities/dates.js';

/** Emulator time in whole seconds and the offset that produces it. */
export class EmulatorClock {
  private offset = 0;

  /** Now, in whole Unix seconds, as the emulated API sees it. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.offset;
  }

  /** Now, in milliseconds (for time-of-day checks such as time fences). */
  nowMs(): number {
    return Date.now() + this.offset * 1000;
  }

  /** Moves time forward (or back, with a negative value) by whole seconds. */
  advance(seconds: number): void {
    this.offset += Math.trunc(seconds);
  }

  /** Sets the offset from real time. */
  setOffset(seconds: number): void {
    this.offset = Math.trunc(seconds);
  }

  offsetSeconds(): number {
    return this.offset;
  }
}

/** ISO-8601 UTC with whole seconds and `Z`, the API's date format. */
export function isoSeconds(epochSeconds: number): string {
  return formatDate(new Date(epochSeconds * 1000));
}
