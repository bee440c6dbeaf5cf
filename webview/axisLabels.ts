/**
 * Tick labels a reader can use: numbers that stay distinct (no three ticks all reading "2.9K"),
 * and time ticks at the data's own grain (daily data ticks at days, never at 6am/12pm between them).
 * Pure functions, shared by the chart on screen; tested in Node.
 */
import { DAY_MS, MONTH_ABBR, monthDay } from '../src/core/dates';

export type TimeGrain = 'minute' | 'hour' | 'day' | 'week' | 'month';

/** A day in seconds (the charts' unit). */
const DAY = DAY_MS / 1000;

/**
 * Labels for numeric ticks: compact ("2.9K") when that tells every tick apart, else with more
 * precision until the labels are distinct (ticks are distinct numbers, so this ends).
 */
export function distinctNumberLabels(values: readonly number[], suffix = '', locale?: string): string[] {
  for (let digits = 1; digits <= 3; digits++) {
    const f = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: digits });
    const out = values.map((v) => f.format(v) + suffix);
    if (new Set(out).size === out.length) return out;
  }
  for (let digits = 0; digits <= 10; digits++) {
    const f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    const out = values.map((v) => f.format(v) + suffix);
    if (new Set(out).size === out.length) return out;
  }
  return values.map((v) => String(v) + suffix);
}

/** The grain of time points (epoch seconds, ascending): the smallest step between them, rounded to a calendar unit. */
export function timeGrain(xs: readonly number[]): TimeGrain {
  let step = Infinity;
  for (let i = 1; i < xs.length; i++) {
    const d = xs[i] - xs[i - 1];
    if (d > 0 && d < step) step = d;
  }
  const allMidnight = xs.every((x) => x % DAY === 0);
  if (!Number.isFinite(step)) return allMidnight ? 'day' : 'hour';
  if (step >= 28 * DAY && allMidnight && xs.every((x) => new Date(x * 1000).getUTCDate() === 1)) return 'month';
  if (step >= 7 * DAY && allMidnight) return 'week';
  if (step >= DAY && allMidnight) return 'day';
  if (step >= 3600 && xs.every((x) => x % 3600 === 0)) return 'hour';
  return 'minute';
}

/**
 * Which of the data's own points get a tick: all of them while labels of `labelPx` fit in
 * `widthPx`, else every k-th (always starting at the first point).
 */
export function timeTicks(xs: readonly number[], widthPx: number, labelPx: number): number[] {
  if (xs.length === 0) return [];
  const fit = Math.max(1, Math.floor(widthPx / Math.max(1, labelPx)));
  const step = Math.max(1, Math.ceil(xs.length / fit));
  return xs.filter((_, i) => i % step === 0);
}

/** A tick's text at a grain (UTC): months "Nov 2026", days and weeks "Nov 3" (with the year when the data spans years), hours "Nov 3 14:00". */
export function timeLabel(x: number, grain: TimeGrain, withYear: boolean): string {
  const d = new Date(x * 1000);
  const day = monthDay(x * 1000, withYear);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  switch (grain) {
    case 'month':
      return `${MONTH_ABBR[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    case 'week':
    case 'day':
      return day;
    default:
      return `${day} ${hm}`;
  }
}

/** Whether the points fall in more than one calendar year (then day labels carry the year). */
export function spansYears(xs: readonly number[]): boolean {
  if (xs.length === 0) return false;
  return new Date(xs[0] * 1000).getUTCFullYear() !== new Date(xs[xs.length - 1] * 1000).getUTCFullYear();
}
