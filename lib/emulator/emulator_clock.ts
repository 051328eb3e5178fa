/**
 * The emulator's clock: real time plus an offset that tests shift, so expiry and clock skew are
 * driven by moving time instead of sleeping.
 */
import { InvalidArgumentError } from '../errors.js';
import { formatIsoTime } from '../iso_time.js';

/**
 * How far ahead of real time the emulator clock may run: 100 years. Far beyond anything a test
 * crosses (auth ttl ≤ 1 day, link codes, key expiries), and far inside what the emulator can write:
 * past ±8.64e12 s JavaScript dates are invalid, so every date the API sends (and with it every
 * request) would fail, and past year 9999 dates lose the protocol's four-digit year.
 */
export const MAX_CLOCK_AHEAD_SECONDS = 100 * 36_525 * 864; // 100 Julian years = 3 155 760 000 s

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

  /**
   * The offset a change would give, refused when the clock would leave its range: not before the
   * Unix epoch (JWT times are non-negative; the SDKs refuse every token before 1970) and at most
   * {@link MAX_CLOCK_AHEAD_SECONDS} ahead of real time.
   *
   * @throws {InvalidArgumentError} for a change that is not a finite number or leaves the range.
   */
  offsetAfter(change: { advance: number } | { offset: number }): number {
    const argument = 'advance' in change ? 'advanceSeconds' : 'offsetSeconds';
    const value = 'advance' in change ? change.advance : change.offset;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidArgumentError(argument, `${argument} must be a finite number of seconds`);
    }
    const offset = 'advance' in change ? this.offset + Math.trunc(value) : Math.trunc(value);
    const real = Math.floor(Date.now() / 1000);
    if (offset < -real || offset > MAX_CLOCK_AHEAD_SECONDS) {
      throw new InvalidArgumentError(
        argument,
        `${argument} would put the emulator clock ${offset} s from real time; it must stay between ` +
          `1970-01-01 (${-real} s) and 100 years ahead (${MAX_CLOCK_AHEAD_SECONDS} s)`,
      );
    }
    return offset;
  }

  /** Moves time forward (or back, with a negative value) by whole seconds. */
  advance(seconds: number): void {
    this.offset = this.offsetAfter({ advance: seconds });
  }

  /** Sets the offset from real time. */
  setOffset(seconds: number): void {
    this.offset = this.offsetAfter({ offset: seconds });
  }

  offsetSeconds(): number {
    return this.offset;
  }
}

/** ISO-8601 UTC with whole seconds and `Z`, the API's date format. */
export function isoSeconds(epochSeconds: number): string {
  return formatIsoTime(new Date(epochSeconds * 1000));
}
