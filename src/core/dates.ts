/**
 * Calendar dates, always in UTC: the day arithmetic of the table engine, the time buckets of
 * its charts, the reading and writing of ISO dates, month names. One module for the host, the
 * CLI and the webview's charts (it imports nothing, so the browser bundle takes it as it is).
 *
 * Why UTC everywhere: analytics APIs bucket by UTC day, and a date read or shown in local time
 * moves every bucket by a day for readers west (or east) of Greenwich.
 *
 * Times are epoch milliseconds unless a name says seconds (`parseUtcSeconds`: the charts' unit).
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Month names as the charts and the tree show them ("Nov 3", "Oct 28–Nov 4"), January first. */
export const MONTH_ABBR: readonly string[] = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// ---------------------------------------------------------------------------------------------
// Day arithmetic (proleptic Gregorian calendar, no Date object)

/** Days since 1970-01-01 of a proleptic Gregorian date, month 1-12 (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month 1-12] of a day count since 1970-01-01. */
export function civilYearMonth(days: number): [number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m];
}

/** Days in month `m` (1-12) of year `y`: February has 29 in leap years (every 4th, not centuries unless by 400). */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// ---------------------------------------------------------------------------------------------
// Time buckets

export type TimeBucket = 'hour' | 'day' | 'week' | 'month';

/** Months since the start of year 0 of the month holding `ms`: consecutive months are consecutive numbers. */
export function monthIndex(ms: number): number {
  const [y, m] = civilYearMonth(Math.floor(ms / DAY_MS));
  return y * 12 + m - 1;
}

/** Midnight UTC of the 1st of the month `monthIndex` numbers. */
export function monthStart(index: number): number {
  const year = Math.floor(index / 12);
  return daysFromCivil(year, index - year * 12 + 1, 1) * DAY_MS;
}

/** Midnight UTC of the Monday starting the (ISO) week that holds `ms`. */
export function weekStart(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is the number of days since Monday.
  return (day - ((((day + 3) % 7) + 7) % 7)) * DAY_MS;
}

/** Start of the bucket holding `ms`: the hour, midnight, Monday's midnight, the 1st of the month (UTC). */
export function bucketStart(ms: number, bucket: TimeBucket): number {
  switch (bucket) {
    case 'hour':
      return Math.floor(ms / HOUR_MS) * HOUR_MS;
    case 'day':
      return Math.floor(ms / DAY_MS) * DAY_MS;
    case 'week':
      return weekStart(ms);
    case 'month':
      return monthStart(monthIndex(ms));
    default:
      throw new RangeError(`Unknown time bucket ${JSON.stringify(bucket)} (use hour, day, week or month).`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and writing

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of `YYYY-MM-DD`, or undefined when the text is not a real calendar day (2023-02-29, 2024-13-01). */
export function parseUtcDay(text: string): number | undefined {
  const m = ISO_DAY.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d) * DAY_MS;
}

/**
 * Unix seconds of an ISO date or date-time (`T` or a space between them); one without a zone is
 * UTC, never local time. NaN when unreadable, and for anything not starting with `YYYY-MM-DD`:
 * the engine's fallback parser would read "June 1" as a day in 2001.
 */
export function parseUtcSeconds(iso: string): number {
  const s = String(iso).trim().replace(' ', 'T');
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return NaN;
  // A date alone is UTC by the standard; a date-time without a zone would be local: make it UTC.
  const zoned = /^\d{4}-\d{2}-\d{2}$/.test(s) || /(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  return Date.parse(zoned ? s : `${s}Z`) / 1000;
}

const pad2 = (v: number) => String(v).padStart(2, '0');

/**
 * `ms` as UTC text to a precision: "2024-06-01", "2024-06-01 13:30" or "2024-06-01 13:30:05"
 * (no zone letter: callers say UTC where it is not understood). '' when `ms` is not a time.
 */
export function formatUtc(ms: number, precision: 'day' | 'minute' | 'second'): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  const day = `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  if (precision === 'day') return day;
  const hm = `${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  return precision === 'minute' ? hm : `${hm}:${pad2(d.getUTCSeconds())}`;
}

/** "Nov 3" (UTC), and "Nov 3, 2026" with `withYear`. */
export function monthDay(ms: number, withYear = false): string {
  const d = new Date(ms);
  return `${MONTH_ABBR[d.getUTCMonth()]} ${d.getUTCDate()}${withYear ? `, ${d.getUTCFullYear()}` : ''}`;
}
