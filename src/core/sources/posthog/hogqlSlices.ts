/**
 * Time slices for HogQL Fetch All: a range of a date-time column cut into slices that each hold
 * fewer rows than PostHog's 50,000 cap, planned from a per-day row count, so that several slices
 * can run at once (PostHog runs 3 queries of a project at a time). The plan only has to be good,
 * not exact: a slice that still hits the cap keeps its complete rows and the rest of its range is
 * bisected (hogql.ts), and the last slice is open-ended, so no row can fall outside every slice.
 */

const DAY_US = 86_400_000_000;

/** A half-open slice `[from, to)` of the column, in microseconds since the epoch; `to` undefined: open-ended. */
export interface TimeSlice {
  from: number;
  to?: number;
}

/**
 * Microseconds since the epoch of a date-time as PostHog writes it in results (ISO 8601, `T` or a
 * space, up to 9 fraction digits, `Z`, an offset, or none meaning UTC); undefined for anything else.
 */
export function microsOf(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (!m) return undefined;
  const zone = !m[4] || m[4] === 'Z' ? 'Z' : m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (!Number.isFinite(ms)) return undefined;
  return ms * 1000 + Number((m[3] ?? '').padEnd(6, '0').slice(0, 6));
}

/** A microsecond instant as an ISO UTC date-time with 6 fraction digits (what hogqlLiteral turns into toDateTime64). */
export function isoOfMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const frac = String(us - ms * 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, `.$1${frac}Z`);
}

/** Days of `toDate(column)` with their row counts, as the histogram query returns them. */
export interface DayCount {
  day: string;
  rows: number;
}

/**
 * Slices from `from` on holding about `target` rows each (rows assumed even within a day). The
 * days are PostHog's `toDate`, in the project's time zone, read as UTC days here: a plan that is
 * a few hours off costs a bisection at most. At most enough slices for `wanted` rows are planned
 * before the open-ended last one. Days that do not parse are left out of the plan.
 */
export function planSlices(from: number, days: DayCount[], target: number, wanted = Infinity): TimeSlice[] {
  const bounds: number[] = [];
  let carried = 0;
  let planned = 0;
  for (const d of days) {
    const start = Date.parse(`${d.day}T00:00:00Z`) * 1000;
    if (!Number.isFinite(start) || !(d.rows > 0)) continue;
    // The counts are of rows from `from` on: those of its day lie between it and the day's end.
    const lo = Math.max(start, from);
    const hi = start + DAY_US;
    if (hi <= lo) continue;
    const rows = d.rows;
    let used = 0;
    while (carried + (rows - used) >= target && planned + target < wanted) {
      used += target - carried;
      carried = 0;
      planned += target;
      const at = Math.round(lo + (hi - lo) * (used / rows));
      if (at > (bounds[bounds.length - 1] ?? from)) bounds.push(at);
    }
    carried += rows - used;
  }
  const slices: TimeSlice[] = [];
  let at = from;
  for (const b of bounds) {
    slices.push({ from: at, to: b });
    at = b;
  }
  slices.push({ from: at });
  return slices;
}

/** The two halves of a bounded slice, or undefined when it is too short to cut. */
export function bisect(s: TimeSlice): [TimeSlice, TimeSlice] | undefined {
  if (s.to === undefined || s.to - s.from < 2) return undefined;
  const mid = s.from + Math.floor((s.to - s.from) / 2);
  return [
    { from: s.from, to: mid },
    { from: mid, to: s.to },
  ];
}
