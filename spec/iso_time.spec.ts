import { expect } from 'chai';

import { formatIsoTime, parseIsoTime } from '../lib/iso_time.js';
import { repoModule, runInChild } from './support/child_node.js';

const iso = (text: string): string | undefined => parseIsoTime(text)?.toISOString();

describe('iso_time', () => {
  it('reads the API format, fractions, offsets and a bare day; a time without a zone is UTC', () => {
    expect(iso('2018-01-11T05:20:55Z')).to.equal('2018-01-11T05:20:55.000Z');
    expect(iso('2018-01-11T05:22:17.1234567')).to.equal('2018-01-11T05:22:17.123Z');
    expect(iso('2018-01-11T05:20:55+05:30')).to.equal('2018-01-10T23:50:55.000Z');
    expect(iso('2018-01-11T05:20:55-08:00')).to.equal('2018-01-11T13:20:55.000Z');
    expect(iso('2018-01-11T05:20')).to.equal('2018-01-11T05:20:00.000Z');
    expect(iso('2018-01-11')).to.equal('2018-01-11T00:00:00.000Z');
  });

  it('refuses what is not an ISO-8601 date-time of the calendar, and non-strings', () => {
    for (const text of [
      '',
      'yesterday',
      'Thu, 11 Jan 2018 05:20:55 GMT',
      '2018-1-11',
      '2018-01-11 05:20:55Z',
      '2018-01-11T05:20:55 Z',
      '2030-02-31',
      '2030-02-29T00:00:00Z',
      '2030-01-31T24:00:00Z',
      '2030-01-31T23:60:00Z',
      '2030-01-31T12:00:00+24:00',
      '1543442684',
    ]) {
      expect(parseIsoTime(text), text).to.equal(undefined);
    }
    for (const value of [1543442684, null, undefined, {}, new Date()]) expect(parseIsoTime(value)).to.equal(undefined);
    expect(iso('2028-02-29T00:00:00Z')).to.equal('2028-02-29T00:00:00.000Z');
  });

  it('writes whole seconds in UTC with Z', () => {
    expect(formatIsoTime(new Date('2018-01-11T05:20:55.987Z'))).to.equal('2018-01-11T05:20:55Z');
  });

  it('reads a time without a zone as UTC in every reader, also when the process runs in TZ=America/New_York', async function () {
    this.timeout(30_000);
    const source = `
      const { parseIsoTime } = await import(${JSON.stringify(repoModule('lib/iso_time.ts'))});
      const { requireDate } = await import(${JSON.stringify(repoModule('lib/entities/dates.ts'))});
      const { parseDate } = await import(${JSON.stringify(repoModule('lib/emulator/entity_keys.ts'))});
      const { AuthorizationInProgressError } = await import(${JSON.stringify(repoModule('lib/errors.ts'))});
      const text = '2030-01-01T00:00:00';
      const busy = new AuthorizationInProgressError({ status: 400, errorCode: 'SVC-005', errorData: { expires: text } });
      console.log(JSON.stringify({
        localOffsetMinutes: new Date(2030, 0, 1).getTimezoneOffset(),
        dateParse: new Date(text).toISOString(),
        parseIsoTime: parseIsoTime(text).toISOString(),
        requireDate: requireDate(text, 'created').toISOString(),
        emulator: new Date(parseDate(text, 'date_expires') * 1000).toISOString(),
        busySignal: busy.expires.toISOString(),
      }));
    `;
    const { stdout } = await runInChild(source, { TZ: 'America/New_York' });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    // The child really ran five hours behind UTC: Date's own reading of the text is local, 05:00Z.
    expect(seen['localOffsetMinutes']).to.equal(300);
    expect(seen['dateParse']).to.equal('2030-01-01T05:00:00.000Z');
    const utc = '2030-01-01T00:00:00.000Z';
    expect(seen).to.include({ parseIsoTime: utc, requireDate: utc, emulator: utc, busySignal: utc });
  });
});
