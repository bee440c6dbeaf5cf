/**
 * Date ranges for Echo360 report requests, all in UTC calendar days.
 *
 * The API's rules (API-NOTES.md; Echo360 Reporting API docs,
 * https://support.echo360.com/hc/en-us/articles/360042030652): `start` inclusive, `end` exclusive,
 * at most 7 days per request. The one-year lookback is stated for `assetbydate` only, so it is
 * checked for that report alone (`checkLookback`); other reports' older ranges go to the server,
 * whose words are shown when it refuses. People think in terms, so a range of any length is
 * accepted here and split into consecutive ≤ 7-day chunks that share their boundaries.
 *
 * "In general, data for a given day is complete 48 hours after the close of that day (in UTC)"
 * (same docs): `incompleteDaysWarning` says so for ranges that end within that window, and
 * `last N complete days` asks only for days that are complete.
 */
import { DAY_MS, daysInMonth, formatUtc, parseUtcDay } from '../../dates';
import { InsightError } from '../../errors';

/** `YYYY-MM-DD` strings; `end` is exclusive. */
export interface DateRange {
  start: string;
  end: string;
}

/** The API refuses a request spanning more than 7 days. */
export const MAX_CHUNK_DAYS = 7;
const SHORTCUT = /^last\s+(\d{1,3})\s+(complete\s+)?days?$/i;
/** Reports whose `start` may reach back at most one year (Echo360 docs: assetbydate only). */
export const ONE_YEAR_LOOKBACK_REPORTS: ReadonlySet<string> = new Set(['assetbydate']);
/** A day's data is complete this long after the day ends (UTC). */
export const COMPLETE_AFTER_MS = 48 * 3600_000;
/** Shown wherever a range ends within the last 48 hours (prompt, result title, CLI stderr). */
export const INCOMPLETE_WARNING = 'the last 2 days may still be incomplete';

function usage(message: string): InsightError {
  return new InsightError('usage', message);
}

/** Midnight UTC of `YYYY-MM-DD`, or undefined when the text is not a real calendar day (2024-02-30 is refused, not rolled over). */
export const parseDay = parseUtcDay;

export function formatDay(ms: number): string {
  return formatUtc(ms, 'day');
}

export function todayUtc(now: number = Date.now()): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/** The same calendar day one year earlier (29 Feb → 28 Feb): the API's lookback limit. */
export function oneYearBefore(day: number): number {
  const d = new Date(day);
  const y = d.getUTCFullYear() - 1;
  const m = d.getUTCMonth();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), daysInMonth(y, m + 1)));
}

function requireDay(text: string, what: 'start' | 'end'): number {
  const t = parseDay(text);
  if (t === undefined) {
    throw usage(`Invalid ${what} date "${text}": use YYYY-MM-DD (a real UTC calendar day), e.g. 2024-06-01.`);
  }
  return t;
}

/**
 * The end (exclusive, midnight UTC) of the newest run of complete days: a day D is complete at
 * D + 1 day + 48 h, so the newest complete day is the one that closed 48 h or more ago.
 */
export function completeEnd(now: number = Date.now()): number {
  return todayUtc(now - COMPLETE_AFTER_MS);
}

/**
 * A warning when the range's last day is not complete yet (its close was less than 48 hours
 * ago), else undefined.
 */
export function incompleteDaysWarning(range: DateRange | undefined, now: number = Date.now()): string | undefined {
  if (!range) return undefined;
  const end = parseDay(range.end);
  if (end === undefined) return undefined;
  // The last day asked for is end - 1 day; it closes at `end` and is complete 48 h later.
  return end + COMPLETE_AFTER_MS > now ? INCOMPLETE_WARNING : undefined;
}

/**
 * A range typed by a person: `last 7 days`, `last 30 days`, `last 90 days` (any `last N days`),
 * `last 7 complete days` (any `last N complete days`), or `YYYY-MM-DD..YYYY-MM-DD` (end
 * exclusive). `last N days` ends today, exclusive: the N days before today, the newest two of
 * which may not be complete yet; `last N complete days` ends where the complete days end. The
 * result is validated.
 */
export function parseRange(text: string, now: number = Date.now()): DateRange {
  const t = text.trim();
  const m = SHORTCUT.exec(t);
  if (m) {
    const days = Number(m[1]);
    if (days < 1) throw usage(`"${t}" is empty: ask for at least 1 day.`);
    const end = m[2] ? completeEnd(now) : todayUtc(now);
    return validateRange({ start: formatDay(end - days * DAY_MS), end: formatDay(end) }, now);
  }
  const parts = t.split('..');
  if (parts.length === 2 && parts[0].trim() && parts[1].trim()) {
    return validateRange({ start: parts[0].trim(), end: parts[1].trim() }, now);
  }
  throw usage(
    `Unrecognised date range "${t}": use "last 7 complete days", "last 7 days", "last 30 days", "last 90 days" or YYYY-MM-DD..YYYY-MM-DD (end exclusive).`,
  );
}

/**
 * The CLI's `--start`/`--end`: both given, or neither (the last 7 days), or only `--start`
 * (up to today, exclusive).
 */
export function rangeFromOptions(start: string | undefined, end: string | undefined, now: number = Date.now()): DateRange {
  if (start === undefined && end === undefined) return parseRange('last 7 days', now);
  if (start === undefined) throw usage(`--end ${end} needs a --start too (YYYY-MM-DD, inclusive).`);
  return validateRange({ start, end: end ?? formatDay(todayUtc(now)) }, now);
}

/**
 * Checks a range against the API's rules and returns it with trimmed dates. Every error is one
 * line that names the fix.
 */
export function validateRange(range: DateRange, now: number = Date.now()): DateRange {
  const start = requireDay(range.start, 'start');
  const end = requireDay(range.end, 'end');
  const s = formatDay(start);
  const e = formatDay(end);
  if (start > end) throw usage(`The range is reversed: start ${s} is after end ${e}. Swap them.`);
  if (start === end) {
    throw usage(
      `The range is empty: start and end are both ${s} and the end is exclusive. Use --end ${formatDay(end + DAY_MS)} for that one day.`,
    );
  }
  const today = todayUtc(now);
  if (start > today) {
    throw usage(`The start date ${s} is in the future (today is ${formatDay(today)} UTC). Choose a start on or before today.`);
  }
  // End is exclusive, so tomorrow is the latest end that asks for nothing in the future.
  const latestEnd = today + DAY_MS;
  if (end > latestEnd) {
    throw usage(
      `The end date ${e} is in the future (today is ${formatDay(today)} UTC; the end is exclusive). Use an end on or before ${formatDay(latestEnd)}.`,
    );
  }
  return { start: s, end: e };
}

/**
 * The one-year lookback, for the reports whose documentation states it (`assetbydate`). Other
 * reports are not refused here: Echo360 answers for itself, and its words are shown.
 */
export function checkLookback(reportName: string, range: DateRange, now: number = Date.now()): void {
  if (!ONE_YEAR_LOOKBACK_REPORTS.has(reportName)) return;
  const start = requireDay(range.start, 'start');
  const earliest = oneYearBefore(todayUtc(now));
  if (start < earliest) {
    throw usage(
      `The start date ${formatDay(start)} is more than one year ago; Echo360's ${reportName} report reaches back one year only. Move the start to ${formatDay(earliest)} or later.`,
    );
  }
}

export function rangeDays(range: DateRange): number {
  return Math.round((requireDay(range.end, 'end') - requireDay(range.start, 'start')) / DAY_MS);
}

/**
 * Consecutive chunks of at most `maxDays` (the API's 7-day limit): each chunk's end is the next
 * chunk's start, so nothing is missed or counted twice. 20 days → 7 + 7 + 6.
 */
export function splitRange(range: DateRange, maxDays: number = MAX_CHUNK_DAYS): DateRange[] {
  if (!Number.isInteger(maxDays) || maxDays < 1) throw new RangeError('maxDays must be a positive integer');
  const start = requireDay(range.start, 'start');
  const end = requireDay(range.end, 'end');
  const chunks: DateRange[] = [];
  for (let t = start; t < end; t += maxDays * DAY_MS) {
    chunks.push({ start: formatDay(t), end: formatDay(Math.min(end, t + maxDays * DAY_MS)) });
  }
  return chunks;
}

/** `2024-06-01..2024-06-08`, or `all time` for a report that takes no date range. */
export function describeRange(range: Partial<DateRange> | undefined): string {
  return range?.start && range.end ? `${range.start}..${range.end}` : 'all time';
}
