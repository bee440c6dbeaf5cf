/**
 * Date ranges for Echo360 report requests, all in UTC calendar days.
 *
 * The API's rules (API-NOTES.md): `start` inclusive, `end` exclusive, at most 7 days per request,
 * reaching back at most one year. People think in terms, so a range of any length is accepted
 * here and split into consecutive ≤ 7-day chunks that share their boundaries.
 */
import { InsightError } from '../../errors';

/** `YYYY-MM-DD` strings; `end` is exclusive. */
export interface DateRange {
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;
/** The API refuses a request spanning more than 7 days. */
export const MAX_CHUNK_DAYS = 7;
const SHORTCUT = /^last\s+(\d{1,3})\s+days?$/i;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function usage(message: string): InsightError {
  return new InsightError('usage', message);
}

/** Midnight UTC of `YYYY-MM-DD`, or undefined when the text is not a real calendar day. */
export function parseDay(text: string): number | undefined {
  const m = ISO_DAY.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  // Date.UTC rolls 2024-02-30 over to March: reject instead of guessing.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t;
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function todayUtc(now: number = Date.now()): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/** The same calendar day one year earlier (29 Feb → 28 Feb): the API's lookback limit. */
export function oneYearBefore(day: number): number {
  const d = new Date(day);
  const y = d.getUTCFullYear() - 1;
  const m = d.getUTCMonth();
  const lastOfMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastOfMonth));
}

function requireDay(text: string, what: 'start' | 'end'): number {
  const t = parseDay(text);
  if (t === undefined) {
    throw usage(`Invalid ${what} date "${text}": use YYYY-MM-DD (a real UTC calendar day), e.g. 2024-06-01.`);
  }
  return t;
}

/**
 * A range typed by a person: `last 7 days`, `last 30 days`, `last 90 days` (any `last N days`),
 * or `YYYY-MM-DD..YYYY-MM-DD` (end exclusive). `last N days` ends today, exclusive: the N
 * complete days before today. The result is validated.
 */
export function parseRange(text: string, now: number = Date.now()): DateRange {
  const t = text.trim();
  const m = SHORTCUT.exec(t);
  if (m) {
    const days = Number(m[1]);
    if (days < 1) throw usage(`"${t}" is empty: ask for at least 1 day.`);
    const end = todayUtc(now);
    return validateRange({ start: formatDay(end - days * DAY_MS), end: formatDay(end) }, now);
  }
  const parts = t.split('..');
  if (parts.length === 2 && parts[0].trim() && parts[1].trim()) {
    return validateRange({ start: parts[0].trim(), end: parts[1].trim() }, now);
  }
  throw usage(
    `Unrecognised date range "${t}": use "last 7 days", "last 30 days", "last 90 days" or YYYY-MM-DD..YYYY-MM-DD (end exclusive).`,
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
  const earliest = oneYearBefore(today);
  if (start < earliest) {
    throw usage(
      `The start date ${s} is more than one year ago; Echo360 reports reach back one year only. Move the start to ${formatDay(earliest)} or later.`,
    );
  }
  return { start: s, end: e };
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

export function describeRange(range: DateRange): string {
  return `${range.start}..${range.end}`;
}
