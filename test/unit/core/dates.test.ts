/** The date module (src/core/dates.ts): UTC calendar arithmetic, time buckets, ISO reading and writing. */
import * as assert from 'node:assert/strict';
import {
  DAY_MS,
  MONTH_ABBR,
  bucketStart,
  civilYearMonth,
  daysFromCivil,
  daysInMonth,
  formatUtc,
  monthDay,
  monthIndex,
  monthStart,
  parseUtcDay,
  parseUtcSeconds,
  weekStart,
} from '../../../src/core/dates';

const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, m - 1, d, h, mi, s);

describe('dates: calendar arithmetic', () => {
  it('day numbers agree with Date.UTC from 1600 to 2400, both ways, leap days included', () => {
    for (let t = utc(1600, 1, 1); t <= utc(2400, 12, 31); t += 13 * DAY_MS) {
      const d = new Date(t);
      const days = t / DAY_MS;
      assert.equal(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()), days, d.toISOString());
      assert.deepEqual(civilYearMonth(days), [d.getUTCFullYear(), d.getUTCMonth() + 1], d.toISOString());
    }
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(daysFromCivil(1969, 12, 31), -1, 'before the epoch');
    assert.equal(daysFromCivil(2024, 2, 29) + 1, daysFromCivil(2024, 3, 1), 'leap day, then March');
    assert.deepEqual(civilYearMonth(daysFromCivil(2023, 12, 31)), [2023, 12]);
    assert.deepEqual(civilYearMonth(daysFromCivil(2024, 1, 1)), [2024, 1], 'year boundary');
  });

  it('month lengths: leap years every 4th, not centuries, except every 400th', () => {
    assert.equal(daysInMonth(2024, 2), 29);
    assert.equal(daysInMonth(2023, 2), 28);
    assert.equal(daysInMonth(1900, 2), 28, 'a century is not a leap year');
    assert.equal(daysInMonth(2000, 2), 29, 'unless divisible by 400');
    assert.deepEqual(
      Array.from({ length: 12 }, (_, i) => daysInMonth(2023, i + 1)),
      [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
    );
  });
});

describe('dates: time buckets', () => {
  it('hour, day, ISO week (Monday) and month starts in UTC', () => {
    const t = utc(2024, 3, 14, 15, 42, 7); // a Thursday
    assert.equal(bucketStart(t, 'hour'), utc(2024, 3, 14, 15));
    assert.equal(bucketStart(t, 'day'), utc(2024, 3, 14));
    assert.equal(bucketStart(t, 'week'), utc(2024, 3, 11), 'the Monday before');
    assert.equal(bucketStart(t, 'month'), utc(2024, 3, 1));
    assert.equal(weekStart(utc(2024, 3, 11)), utc(2024, 3, 11), 'a Monday is its own week start');
    assert.equal(weekStart(utc(2024, 3, 17, 23, 59)), utc(2024, 3, 11), 'Sunday night is still that week');
    assert.equal(weekStart(utc(2025, 1, 1)), utc(2024, 12, 30), 'a week across the new year starts in the old one');
    assert.equal(weekStart(utc(1969, 12, 31)), utc(1969, 12, 29), 'before the epoch');
    assert.equal(bucketStart(utc(2024, 2, 29, 12), 'month'), utc(2024, 2, 1), 'leap day');
    assert.equal(bucketStart(utc(2024, 1, 1) - 1, 'month'), utc(2023, 12, 1), 'the last millisecond of a year');
    assert.throws(() => bucketStart(0, 'year' as never), /Unknown time bucket "year"/);
  });

  it('month numbers are consecutive across year ends and map back to the 1st', () => {
    assert.equal(monthIndex(utc(2024, 1, 15)) - monthIndex(utc(2023, 12, 31, 23, 59)), 1);
    assert.equal(monthIndex(utc(2024, 12, 1)), 2024 * 12 + 11);
    assert.equal(monthStart(2024 * 12 + 11), utc(2024, 12, 1));
    assert.equal(monthStart(2024 * 12 + 12), utc(2025, 1, 1));
    for (let t = utc(1999, 1, 1); t < utc(2002, 1, 1); t += 5 * DAY_MS) assert.equal(monthStart(monthIndex(t)), bucketStart(t, 'month'));
  });
});

describe('dates: reading and writing', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('reads zone-less dates as UTC whatever the local zone', () => {
    for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
      process.env.TZ = tz;
      assert.equal(parseUtcSeconds('2024-06-01'), Date.UTC(2024, 5, 1) / 1000, tz);
      assert.equal(parseUtcSeconds('2024-06-01T12:30'), Date.UTC(2024, 5, 1, 12, 30) / 1000, tz);
      assert.equal(parseUtcSeconds('2024-06-01 12:30:00'), Date.UTC(2024, 5, 1, 12, 30) / 1000, tz);
      assert.equal(parseUtcSeconds(' 2024-06-01T12:30:00.250 '), Date.UTC(2024, 5, 1, 12, 30, 0, 250) / 1000, tz);
      assert.equal(parseUtcSeconds('2024-06-01T12:30+02:00'), Date.UTC(2024, 5, 1, 10, 30) / 1000, tz);
      assert.equal(parseUtcSeconds('2024-06-01T12:30-0500'), Date.UTC(2024, 5, 1, 17, 30) / 1000, tz);
      assert.equal(parseUtcSeconds('2024-06-01T12:30:00z'), Date.UTC(2024, 5, 1, 12, 30) / 1000, tz);
      assert.equal(parseUtcDay('2024-06-01'), Date.UTC(2024, 5, 1), tz);
    }
  });

  it('unreadable dates are NaN (or undefined for a day), never a guess', () => {
    for (const bad of ['', 'soon', '2024-13-01T00:00', '2024-06-01T25:00', 'June 1']) assert.ok(Number.isNaN(parseUtcSeconds(bad)), bad);
    assert.ok(Number.isNaN(parseUtcSeconds(null as unknown as string)));
    assert.equal(parseUtcDay('2023-02-29'), undefined, 'no leap day in 2023');
    assert.equal(parseUtcDay('2024-02-30'), undefined, 'not rolled over to March');
    assert.equal(parseUtcDay('2024-04-31'), undefined);
    assert.equal(parseUtcDay('2024-00-10'), undefined);
    assert.equal(parseUtcDay('2024-6-1'), undefined);
    assert.equal(parseUtcDay('2024-06-01T00:00'), undefined, 'a day, not a date-time');
    assert.equal(parseUtcDay('2024-02-29'), Date.UTC(2024, 1, 29));
    assert.equal(parseUtcDay(' 2000-02-29 '), Date.UTC(2000, 1, 29));
  });

  it('writes UTC text to the day, minute or second, whatever the local zone', () => {
    for (const tz of ['America/Los_Angeles', 'Asia/Tokyo']) {
      process.env.TZ = tz;
      const t = utc(2024, 12, 31, 23, 5, 9);
      assert.equal(formatUtc(t, 'day'), '2024-12-31', tz);
      assert.equal(formatUtc(t, 'minute'), '2024-12-31 23:05', tz);
      assert.equal(formatUtc(t, 'second'), '2024-12-31 23:05:09', tz);
      assert.equal(formatUtc(utc(2024, 2, 29), 'day'), '2024-02-29', tz);
      assert.equal(formatUtc(-1, 'second'), '1969-12-31 23:59:59', tz);
    }
    assert.equal(formatUtc(NaN, 'day'), '');
    assert.equal(formatUtc(Infinity, 'minute'), '');
  });

  it('month names and short days in UTC', () => {
    assert.equal(MONTH_ABBR.length, 12);
    assert.equal(MONTH_ABBR[0], 'Jan');
    assert.equal(MONTH_ABBR[11], 'Dec');
    process.env.TZ = 'America/Los_Angeles';
    // Midnight UTC on the 1st is still the last day of the previous month in Los Angeles.
    assert.equal(monthDay(utc(2026, 11, 1)), 'Nov 1');
    assert.equal(monthDay(utc(2027, 1, 1), true), 'Jan 1, 2027');
    assert.equal(monthDay(utc(2024, 2, 29)), 'Feb 29');
  });
});
