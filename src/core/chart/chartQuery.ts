/**
 * The preview panel's charts, computed in the host: a `ChartQuery` from the webview's chart
 * controls (kind, x, y, aggregate, split, time bucket) over the rows of the grid's current view
 * becomes a `ChartSpec` of at most a few thousand points. The webview never sees the rows.
 *
 * `kind: 'auto'` (or no query) picks from the column types, as the first auto chart did:
 *
 *   a date column and a number column  → line of the number's sum per time bucket
 *   a date column alone                → line of the row count per time bucket
 *   a category column and a number     → bars of the number's sum per category (largest first)
 *   a category column alone            → bars of the row count per category
 *   a number column alone              → histogram
 *
 * A category is a text column with at most 200 distinct values; id-like columns ("id", "user_id",
 * "userId") are never picked: their sum means nothing. The columns are chosen from the whole
 * table (so the choice does not jump while the user filters); the time bucket from the span of the
 * view (hour up to 3 days, day up to 400 days, week up to 5 years, month beyond). The resolved
 * query goes back with the chart so the controls show concrete choices.
 *
 * Per kind:
 *
 * - line / area / bar / stackedBar: rows grouped by x (a date x by its time bucket, x.type 'time';
 *   any other x as category labels, null as "(empty)"), y aggregated per group. Time x keeps every
 *   bucket in time order (rows without a date are left out). Category x keeps the `maxCategories`
 *   groups with the largest value (ties: key order), bars largest first, lines and areas in key
 *   order. `split` makes one series per value of a column, the `maxSeries` most frequent in the
 *   view (ties: key order); the others are summed into "Other" for count and sum, and left out
 *   (with a note) for the other aggregates. A group with no rows is null on a line, 0 on bars and
 *   areas. `agg: 'none'` on a line or area plots y per row against a date or number x, sorted by x
 *   and reduced with LTTB to `maxPoints`; on bars it means sum.
 * - histogram: 20 equal-width bins of a number or date x (the engine's `histogram`).
 * - scatter: y against x, both numbers, one point per row with both values; beyond `maxPoints`
 *   an evenly spaced sample of the view's rows (deterministic), then sorted by x. With `split`
 *   (here and on lines of rows) one series per value, null where the point is another series';
 *   points of the values beyond `maxSeries` are left out, with a note.
 * - box: min, quartiles (linear interpolation, numpy's default) and max of a number y per x
 *   group (the `maxCategories` largest groups, in key order), or one box over all rows.
 *
 * A query that cannot be drawn (no x, a text y for a sum, …) gets `chart: null` and a one-line
 * note naming what to pick. When a chart is drawn, its remarks (categories left out, points
 * sampled) are in `chart.note` and the payload's `note` is null.
 *
 * Speed (1,000,000 rows): the engine does the aggregating (groupBy, histogram, sortRows) on row-id
 * lists. Category keys are read from the columns' arrays (dictionary codes, a small hash of
 * numbers) so a text column with a million distinct values is never sorted; the chosen groups'
 * rows are then aggregated by the engine group by group. No object is built per row.
 *
 * No `vscode` import (unit-tested in Node).
 */
import {
  NumericColumn,
  StringColumn,
  allRows,
  bucketStart,
  downsample,
  groupBy,
  histogram,
  sortRows,
  type AnyColumn,
  type Aggregation,
  type DisplayValue,
  type GroupKey,
  type Table,
  type TimeBucket,
} from '../table';
import { DAY_MS, formatUtc } from '../dates';
import { displayOf, foldKey } from '../table/columns';
import { binEdgeText } from './bins';
import {
  isIdLikeName,
  pickMeasure,
  type ChartAgg,
  type ChartBucket,
  type ChartKind,
  type ChartPayload,
  type ChartQuery,
  type ChartSpec,
  type ColumnType,
} from '../../protocol';

export interface ChartOptions {
  /** Most points of a scatter plot or of a line of rows (`agg: 'none'`); default 4,000. */
  maxPoints?: number;
  /** Most series a split makes (besides "Other"); default 8. */
  maxSeries?: number;
  /** Most categories (bars, boxes) on a category axis; default 30. */
  maxCategories?: number;
}

const MAX_POINTS = 4_000;
const MAX_SERIES = 8;
const MAX_CATEGORIES = 30;
/** A text column with more distinct values than this is not a category for the auto chart. */
const MAX_CATEGORY_DISTINCT = 200;
const HIST_BINS = 20;

export const NO_COLUMN_NOTE = 'No column to chart: it takes a date, a category or a number column.';
export const NO_ROWS_NOTE = 'No rows in this view to chart.';

const KINDS: readonly ChartKind[] = ['line', 'area', 'bar', 'stackedBar', 'histogram', 'scatter', 'box'];
const AGGS: readonly ChartAgg[] = ['count', 'sum', 'mean', 'min', 'max', 'distinct', 'none'];
const BUCKETS: readonly ChartBucket[] = ['auto', 'hour', 'day', 'week', 'month'];
const EMPTY_LABEL = '(empty)';
const OTHER = 'Other';

/** "id", "user_id", "user.id", "userId", "uuid", "guid": identifiers, never charted by `auto`. */
export const idLike = isIdLikeName;

/** The time bucket for a span of time: about 24 to 400 points on a line. */
export function bucketFor(spanMs: number): TimeBucket {
  if (spanMs <= 3 * DAY_MS) return 'hour';
  if (spanMs <= 400 * DAY_MS) return 'day';
  if (spanMs <= 5 * 366 * DAY_MS) return 'week';
  return 'month';
}

const count = (n: number) => n.toLocaleString('en-US');
const isNumber = (t: ColumnType) => t === 'integer' || t === 'number';
const isDate = (t: ColumnType) => t === 'date' || t === 'datetime';

// ---------------------------------------------------------------------------------------------
// Resolving a query

/**
 * The query made concrete: `auto` replaced by the choice from the column types, a bucket of
 * `auto` on a date x by the one for the view's span, out-of-range columns set to null, fields a
 * kind does not use normalised (histogram: count, no split; scatter and box: `none`; bars: `none`
 * means sum). Null only when `auto` finds nothing to chart. `rows` (the view; null = all rows)
 * only decides the time bucket.
 */
export function resolveChartQuery(table: Table, q: ChartQuery | null, rows: Uint32Array | null = null): ChartQuery | null {
  if (!q || !KINDS.includes(q.kind as ChartKind)) return autoQuery(table, rows);
  const col = (c: unknown) => (typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < table.columns.length ? c : null);
  const kind = q.kind as ChartKind;
  const x = col(q.x);
  let split = col(q.split);
  let agg: ChartAgg = AGGS.includes(q.agg) ? q.agg : 'count';
  let bucket: ChartBucket = BUCKETS.includes(q.bucket) ? q.bucket : 'auto';
  if (kind === 'histogram') {
    agg = 'count';
    split = null;
  } else if (kind === 'scatter') agg = 'none';
  else if (kind === 'box') {
    agg = 'none';
    split = null;
  } else if ((kind === 'bar' || kind === 'stackedBar') && agg === 'none') agg = 'sum';
  if (bucket === 'auto' && x !== null && isDate(table.columns[x].type) && kind !== 'histogram' && kind !== 'scatter')
    bucket = autoBucket(table.columns[x] as NumericColumn, rows);
  return { kind, x, y: col(q.y), agg, split, bucket };
}

/** The auto chart's choice (see the header). */
function autoQuery(table: Table, rows: Uint32Array | null): ChartQuery | null {
  const cols = table.columns;
  const numeric = cols.map((c, i) => (isNumber(c.type) ? i : -1)).filter((i) => i >= 0);
  // The measure: a named quantity first, never an id or a code (section numbers, years).
  const y = pickMeasure(
    cols.map((c) => c.name),
    numeric,
    (i) => looksLikeYears(cols[i] as NumericColumn),
  );
  const date = cols.findIndex((c) => isDate(c.type));
  if (date >= 0) {
    if (Number.isFinite(spanOf(cols[date] as NumericColumn, null))) {
      const bucket = autoBucket(cols[date] as NumericColumn, rows);
      return { kind: 'line', x: date, y, agg: y === null ? 'count' : 'sum', split: null, bucket };
    }
  }
  const cat = cols.findIndex((c) => c instanceof StringColumn && !idLike(c.name) && distinctAtMost(c, MAX_CATEGORY_DISTINCT));
  if (cat >= 0) return { kind: 'bar', x: cat, y, agg: y === null ? 'count' : 'sum', split: null, bucket: 'auto' };
  if (y !== null) return { kind: 'histogram', x: y, y: null, agg: 'count', split: null, bucket: 'auto' };
  return null;
}

/** An integer column whose values all fall in 1900–2100 (a year, or a code in that range): not a measure. */
function looksLikeYears(col: NumericColumn): boolean {
  if (col.type !== 'integer') return false;
  const v = col.values;
  const nulls = col.nulls;
  let seen = 0;
  for (let r = 0; r < col.length; r++) {
    if (nulls !== null && (nulls[r >>> 3] & (1 << (r & 7))) !== 0) continue;
    if (v[r] < 1900 || v[r] > 2100) return false;
    seen++;
  }
  return seen > 0;
}

/** The bucket for the span of the view's dates (of the table's when the view has none; else day). */
function autoBucket(col: NumericColumn, rows: Uint32Array | null): TimeBucket {
  let span = rows ? spanOf(col, rows) : NaN;
  if (!Number.isFinite(span)) span = spanOf(col, null);
  return Number.isFinite(span) ? bucketFor(span) : 'day';
}

/** max - min of a numeric column over the rows (null: all rows); NaN when it has no values there. */
function spanOf(col: NumericColumn, rows: Uint32Array | null): number {
  const v = col.values;
  const nulls = col.nulls;
  const n = rows ? rows.length : col.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    if (nulls !== null && (nulls[r >>> 3] & (1 << (r & 7))) !== 0) continue;
    const x = v[r];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? hi - lo : NaN;
}

/** At most `limit` distinct values in the whole column (stops counting past it). */
function distinctAtMost(col: StringColumn, limit: number): boolean {
  if (col.dict.length - 1 <= limit) return true;
  const seen = new Uint8Array(col.dict.length);
  const codes = col.codes;
  let distinct = 0;
  for (let r = 0; r < col.length; r++) {
    const c = codes[r];
    if (c !== 0 && seen[c] === 0) {
      seen[c] = 1;
      if (++distinct > limit) return false;
    }
  }
  return true;
}

/** Why the (resolved) query cannot be drawn, as what to pick; null when it can. */
function invalidReason(table: Table, q: ChartQuery): string | null {
  const type = (c: number | null) => (c === null ? null : table.columns[c].type);
  const xt = type(q.x);
  const yt = type(q.y);
  switch (q.kind) {
    case 'histogram':
      return xt !== null && (isNumber(xt) || isDate(xt)) ? null : 'Pick a number or date column for x: a histogram needs one.';
    case 'scatter':
      if (xt === null || !isNumber(xt)) return 'Pick a number column for x: a scatter plot needs numbers.';
      return yt !== null && isNumber(yt) ? null : 'Pick a number column for y: a scatter plot needs numbers.';
    case 'box':
      return yt !== null && isNumber(yt) ? null : 'Pick a number column for y: a box plot needs numbers.';
    default:
      if (xt === null) return 'Pick a column for x.';
      if (q.agg === 'none') {
        if (!isNumber(xt) && !isDate(xt)) return 'Pick a date or number column for x: plotting rows as they are needs one.';
        return yt !== null && isNumber(yt) ? null : 'Pick a number column for y: plotting rows as they are needs numbers.';
      }
      if (q.agg === 'distinct') return yt === null ? 'Pick a column for y: distinct counts its values.' : null;
      if (q.agg !== 'count' && (yt === null || !isNumber(yt))) return `Pick a number column for y: ${q.agg} needs numbers.`;
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Computing a chart

/**
 * The chart of `q` over `rows` (the view's row ids in view order; null = all rows in table order).
 * Returns the chart (or null and a note saying why not) and the query as resolved.
 */
export function computeChart(table: Table, rows: Uint32Array | null, q: ChartQuery | null, opts: ChartOptions = {}): ChartPayload {
  const view = rows ?? allRows(table);
  const query = resolveChartQuery(table, q, view);
  if (!query) return { chart: null, note: view.length === 0 ? NO_ROWS_NOTE : NO_COLUMN_NOTE, query: null };
  const invalid = invalidReason(table, query);
  if (invalid) return { chart: null, note: invalid, query };
  if (view.length === 0) return { chart: null, note: NO_ROWS_NOTE, query };
  const ctx: Ctx = {
    table,
    rows: view,
    q: query,
    maxPoints: limit(opts.maxPoints, MAX_POINTS, 3),
    maxSeries: limit(opts.maxSeries, MAX_SERIES, 1),
    maxCategories: limit(opts.maxCategories, MAX_CATEGORIES, 1),
  };
  let out: ChartSpec | string;
  switch (query.kind) {
    case 'histogram':
      out = histogramChart(ctx);
      break;
    case 'scatter':
      out = scatterChart(ctx);
      break;
    case 'box':
      out = boxChart(ctx);
      break;
    default:
      out = query.agg === 'none' ? rowLineChart(ctx) : groupChart(ctx);
  }
  if (typeof out === 'string') return { chart: null, note: out, query };
  return { chart: out, note: null, query };
}

interface Ctx {
  table: Table;
  rows: Uint32Array;
  q: ChartQuery;
  maxPoints: number;
  maxSeries: number;
  maxCategories: number;
}

function limit(v: number | undefined, dflt: number, min: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : dflt;
}

/** Notes joined into the one line under the chart (undefined when there are none). */
function noteOf(notes: string[]): string | undefined {
  return notes.length > 0 ? notes.join(' ') : undefined;
}

const AGG_WORD: Record<ChartAgg, string> = {
  count: 'count',
  sum: 'sum',
  mean: 'average',
  min: 'min',
  max: 'max',
  distinct: 'distinct',
  none: '',
};
const AGG_LEAD: Record<ChartAgg, (y: string) => string> = {
  count: () => 'Rows',
  sum: (y) => `Sum of ${y}`,
  mean: (y) => `Average ${y}`,
  min: (y) => `Minimum ${y}`,
  max: (y) => `Maximum ${y}`,
  distinct: (y) => `Distinct ${y} values`,
  none: (y) => y,
};

// ---------------------------------------------------------------------------------------------
// Keys: a dense id per view row for a column's values (0 = null), from the column arrays

interface Keys {
  /** Per view position (aligned with the rows), 0 = null. */
  ids: Uint32Array;
  /** Every id is below this. */
  card: number;
  /** Rows per id. */
  rowsPer: Float64Array;
  display(id: number): DisplayValue;
  /** Key order (text as the grid sorts it, numbers ascending), null last. */
  compare(a: number, b: number): number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * Dense ids for numbers: open addressing on the float's bits, key and id side by side in one
 * array (one cache line per probe; a Map is several times slower on a million distinct values).
 */
class NumberIds {
  readonly values: number[] = [NaN];
  /** [2s] = key, [2s + 1] = id (0 = empty slot). */
  private slots = new Float64Array(128);

  id(v: number): number {
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    let s = hashNumber(v) & mask;
    for (;;) {
      const id = slots[2 * s + 1];
      if (id === 0) break;
      if (slots[2 * s] === v) return id;
      s = (s + 1) & mask;
    }
    const id = this.values.length;
    this.values.push(v);
    slots[2 * s] = v;
    slots[2 * s + 1] = id;
    if (id * 4 > slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const slots = new Float64Array(this.slots.length * 4);
    const mask = (slots.length >>> 1) - 1;
    for (let id = 1; id < this.values.length; id++) {
      const v = this.values[id];
      let s = hashNumber(v) & mask;
      while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
      slots[2 * s] = v;
      slots[2 * s + 1] = id;
    }
    this.slots = slots;
  }
}

function hashNumber(v: number): number {
  f64[0] = v;
  let h = Math.imul(u32[0] ^ Math.imul(u32[1], 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Keys of `col` over the rows; a date column by the start of its `bucket` when one is given. */
function keysOf(col: AnyColumn, rows: Uint32Array, bucket?: TimeBucket): Keys {
  const n = rows.length;
  if (col instanceof StringColumn) {
    const codes = col.codes;
    const dict = col.dict;
    const ids = new Uint32Array(n);
    const rowsPer = new Float64Array(dict.length);
    for (let i = 0; i < n; i++) rowsPer[(ids[i] = codes[rows[i]])]++;
    // compareText's order, each value folded once (choosing the top of a million tied values
    // compares each of them with the current last one).
    const folded: (string | undefined)[] = [];
    const fold = (id: number) => (folded[id] ??= foldKey(dict[id]));
    return {
      ids,
      card: dict.length,
      rowsPer,
      display: (id) => (id === 0 ? null : dict[id]),
      compare: (a, b) => {
        if (a === b) return 0;
        if (a === 0 || b === 0) return a === 0 ? 1 : -1;
        const ka = fold(a);
        const kb = fold(b);
        if (ka !== kb) return ka < kb ? -1 : 1;
        return dict[a] < dict[b] ? -1 : dict[a] > dict[b] ? 1 : 0;
      },
    };
  }
  const v = col.values;
  const nulls = col.nulls;
  const ids = new Uint32Array(n);
  const map = new NumberIds();
  let last = NaN;
  let lastId = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (nulls !== null && (nulls[r >>> 3] & (1 << (r & 7))) !== 0) continue;
    const x = bucket ? bucketStart(v[r], bucket) : v[r] + 0; // + 0: -0 is 0
    if (x !== last) {
      last = x;
      lastId = map.id(x);
    }
    ids[i] = lastId;
  }
  const vals = map.values;
  const rowsPer = new Float64Array(vals.length);
  for (let i = 0; i < n; i++) rowsPer[ids[i]]++;
  const type: ColumnType = bucket ? (bucket === 'hour' ? 'datetime' : 'date') : col.type;
  return {
    ids,
    card: vals.length,
    rowsPer,
    display: (id) => (id === 0 ? null : displayOf(type, vals[id])),
    compare: (a, b) => (a === b ? 0 : a === 0 ? 1 : b === 0 ? -1 : vals[a] - vals[b]),
  };
}

/** Ids with rows, best `score` first (NaN last; ties in key order), at most `k` of them. */
function topIds(keys: Keys, score: Float64Array, k: number): number[] {
  const cmp = (a: number, b: number) => {
    const sa = score[a];
    const sb = score[b];
    if (sa !== sb) {
      if (sa !== sa) return 1;
      if (sb !== sb) return -1;
      return sa > sb ? -1 : 1;
    }
    return keys.compare(a, b);
  };
  const top: number[] = [];
  for (let id = 0; id < keys.card; id++) {
    if (keys.rowsPer[id] === 0) continue;
    if (top.length === k && cmp(id, top[k - 1]) >= 0) continue;
    let at = top.length;
    while (at > 0 && cmp(id, top[at - 1]) < 0) at--;
    top.splice(at, 0, id);
    if (top.length > k) top.pop();
  }
  return top;
}

/** Ids that have rows. */
function presentIds(keys: Keys): number {
  let k = 0;
  for (let id = 0; id < keys.card; id++) if (keys.rowsPer[id] > 0) k++;
  return k;
}

/**
 * The aggregate of y per key id over the rows (NaN = no value), to choose the top categories
 * before the engine aggregates only their rows. Sums run in row order, as the engine's do, so the
 * values are the same.
 */
function scoreOf(table: Table, rows: Uint32Array, keys: Keys, agg: ChartAgg, y: number | null): Float64Array {
  if (agg === 'count' || y === null) return keys.rowsPer;
  const card = keys.card;
  const ids = keys.ids;
  const out = new Float64Array(card).fill(NaN);
  const col = table.columns[y];
  if (agg === 'distinct') {
    const yk = keysOf(col, rows);
    const counts = new Float64Array(card);
    const space = card * yk.card;
    if (space <= 1 << 27) {
      const seen = new Uint8Array((space + 7) >>> 3);
      for (let i = 0; i < rows.length; i++) {
        const yid = yk.ids[i];
        if (yid === 0) continue;
        const key = ids[i] * yk.card + yid;
        const bit = 1 << (key & 7);
        if ((seen[key >>> 3] & bit) === 0) {
          seen[key >>> 3] |= bit;
          counts[ids[i]]++;
        }
      }
    } else {
      const pairs = new Float64Array(rows.length);
      let m = 0;
      for (let i = 0; i < rows.length; i++) if (yk.ids[i] !== 0) pairs[m++] = ids[i] * yk.card + yk.ids[i];
      const sorted = pairs.subarray(0, m).sort();
      for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) counts[Math.floor(sorted[i] / yk.card)]++;
    }
    for (let id = 0; id < card; id++) if (keys.rowsPer[id] > 0) out[id] = counts[id];
    return out;
  }
  const num = col as NumericColumn;
  const v = num.values;
  const nulls = num.nulls;
  const n = new Float64Array(card);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (nulls !== null && (nulls[r >>> 3] & (1 << (r & 7))) !== 0) continue;
    const id = ids[i];
    const x = v[r];
    const o = out[id];
    if (n[id]++ === 0) out[id] = x;
    else if (agg === 'sum' || agg === 'mean') out[id] = o + x;
    else if (agg === 'min' ? x < o : x > o) out[id] = x;
  }
  if (agg === 'mean') for (let id = 0; id < card; id++) if (n[id] > 0) out[id] /= n[id];
  return out;
}

/** The rows by part (0 ≤ part < parts; -1 = none), each part in view order. */
function partition(rows: Uint32Array, partOf: Int32Array, parts: number): Uint32Array[] {
  const starts = new Uint32Array(parts + 1);
  for (let i = 0; i < rows.length; i++) if (partOf[i] >= 0) starts[partOf[i] + 1]++;
  for (let p = 0; p < parts; p++) starts[p + 1] += starts[p];
  const out = new Uint32Array(starts[parts]);
  const at = starts.slice(0, parts);
  for (let i = 0; i < rows.length; i++) {
    const p = partOf[i];
    if (p >= 0) out[at[p]++] = rows[i];
  }
  return Array.from({ length: parts }, (_, p) => out.subarray(starts[p], starts[p + 1]));
}

/** The split column's series: the `maxSeries` most frequent values in the view, then "Other". */
interface Split {
  names: string[];
  /** Per view position: series index, `names.length` for the other values, -1 for none. */
  of: Int32Array;
  /** Distinct split values in the view beyond the series. */
  leftOut: number;
  name: string;
}

function splitOf(ctx: Ctx): Split | null {
  if (ctx.q.split === null) return null;
  const col = ctx.table.columns[ctx.q.split];
  const keys = keysOf(col, ctx.rows);
  const top = topIds(keys, keys.rowsPer, ctx.maxSeries);
  const seriesOf = new Int32Array(keys.card).fill(top.length);
  top.forEach((id, s) => (seriesOf[id] = s));
  const of = new Int32Array(ctx.rows.length);
  for (let i = 0; i < of.length; i++) of[i] = seriesOf[keys.ids[i]];
  return { names: top.map((id) => labelOf(keys.display(id))), of, leftOut: presentIds(keys) - top.length, name: col.name };
}

const labelOf = (v: DisplayValue) => (v === null ? EMPTY_LABEL : String(v));
const numOrNull = (v: DisplayValue): number | null => (typeof v === 'number' ? v : null);

/**
 * The engine's groupBy rows, around its one trap: a numeric key column (a time bucket, or the
 * values a distinct count keys internally) with no value in the rows fails there (the key range
 * is empty). No time value: no group. No value to count distinct: each group counts 0.
 */
function groupRows(table: Table, rows: Uint32Array, keys: GroupKey[], agg: Aggregation): DisplayValue[][] {
  if (keys.some((k) => !hasValue(table.column(k.column), rows))) return [];
  if (agg.op === 'distinct' && !hasValue(table.column(agg.column!), rows))
    return groupBy(table, rows, keys, [{ op: 'count' }]).rows.map((r) => [...r.slice(0, -1), 0]);
  return groupBy(table, rows, keys, [agg]).rows;
}

/** Has the column a non-null value in any of the rows? */
function hasValue(col: AnyColumn, rows: Uint32Array): boolean {
  for (let i = 0; i < rows.length; i++) if (!col.isNull(rows[i])) return true;
  return false;
}

function leftOutNote(split: Split, why: string): string {
  return `${split.names.length} most frequent ${split.name} values shown; ${count(split.leftOut)} more left out (${why}).`;
}

// ---------------------------------------------------------------------------------------------
// line / area / bar / stackedBar of an aggregate per x

function groupChart(ctx: Ctx): ChartSpec | string {
  const { table, rows, q } = ctx;
  const kind = q.kind as ChartKind;
  const xCol = table.columns[q.x!];
  const yName = q.y === null ? '' : table.columns[q.y].name;
  const agg: Aggregation = q.agg === 'count' ? { op: 'count' } : { op: q.agg as Exclude<ChartAgg, 'count' | 'none'>, column: q.y! };
  const what = q.agg === 'count' ? 'rows' : `${yName} (${AGG_WORD[q.agg]})`;
  const missing = kind === 'line' ? null : 0;
  const split = splitOf(ctx);
  const additive = q.agg === 'count' || q.agg === 'sum';
  const notes: string[] = [];
  const time = isDate(xCol.type);
  const bucket = q.bucket as TimeBucket;

  let labels: string[];
  /** Values per x position of the rows of one series (undefined: no rows there). */
  let valuesOf: (part: Uint32Array) => (number | null | undefined)[];
  let unsplit: (number | null | undefined)[];
  /** Per view position: x position or -1. */
  let posOf: Int32Array | null = null;

  if (time) {
    // Every bucket with rows, in time order, straight from the engine.
    const key: GroupKey = { column: q.x!, bucket };
    const g = groupRows(table, rows, [key], agg).filter((r) => r[0] !== null);
    labels = g.map((r) => String(r[0]));
    const at = new Map(labels.map((l, p) => [l, p]));
    valuesOf = (part) => {
      const out: (number | null | undefined)[] = new Array(labels.length).fill(undefined);
      for (const r of groupRows(table, part, [key], agg)) {
        const p = r[0] === null ? undefined : at.get(String(r[0]));
        if (p !== undefined) out[p] = numOrNull(r[1]);
      }
      return out;
    };
    unsplit = g.map((r) => numOrNull(r[1]));
  } else {
    // Categories: keys from the column arrays; when there are too many, the best by value. The
    // engine then aggregates the rows of each chosen category (a group-by without keys), so a
    // text column with a million distinct values is never sorted.
    const keys = keysOf(xCol, rows);
    const distinct = presentIds(keys);
    let chosen: number[];
    if (distinct > ctx.maxCategories) {
      chosen = topIds(keys, scoreOf(table, rows, keys, q.agg, q.y), ctx.maxCategories);
      notes.push(
        `Top ${count(chosen.length)} of ${count(distinct)} ${xCol.name} values shown; ${count(distinct - chosen.length)} left out.`,
      );
    } else {
      chosen = [];
      for (let id = 0; id < keys.card; id++) if (keys.rowsPer[id] > 0) chosen.push(id);
    }
    chosen.sort(keys.compare);
    const posOfId = new Int32Array(keys.card).fill(-1);
    chosen.forEach((id, p) => (posOfId[id] = p));
    const pos = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) pos[i] = posOfId[keys.ids[i]];
    posOf = pos;
    labels = chosen.map((id) => labelOf(keys.display(id)));
    const aggOfRows = (part: Uint32Array) => (part.length === 0 ? undefined : numOrNull(groupRows(table, part, [], agg)[0][0]));
    valuesOf = (part) => {
      // `part` is a subset of the view in view order: its x positions by walking both.
      const partOf = new Int32Array(part.length);
      for (let i = 0, j = 0; i < part.length; i++) {
        while (rows[j] !== part[i]) j++;
        partOf[i] = pos[j++];
      }
      return partition(part, partOf, labels.length).map(aggOfRows);
    };
    unsplit = partition(rows, pos, labels.length).map(aggOfRows);
  }
  if (labels.length === 0) return `No ${xCol.name} values in this view to chart.`;

  const series: { name: string; values: (number | null)[] }[] = [];
  const fill = (vals: (number | null | undefined)[]) => vals.map((v) => (v === undefined ? missing : v));
  if (!split) series.push({ name: what, values: fill(unsplit) });
  else {
    const names = split.names;
    const others = split.leftOut > 0 && additive;
    const partOf = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const s = split.of[i];
      partOf[i] = (posOf !== null && posOf[i] < 0) || (s === names.length && !others) ? -1 : s;
    }
    const parts = partition(rows, partOf, names.length + (others ? 1 : 0));
    parts.forEach((part, s) => series.push({ name: s < names.length ? names[s] : OTHER, values: fill(valuesOf(part)) }));
    if (split.leftOut > 0 && !additive) notes.push(leftOutNote(split, `${AGG_WORD[q.agg]} cannot be combined into "${OTHER}"`));
  }

  // Bars over categories: largest first (ties in key order, which the positions are in).
  if (!time && (kind === 'bar' || kind === 'stackedBar')) {
    const order = labels.map((_, p) => p);
    const v = (p: number) => unsplit[p] ?? -Infinity;
    order.sort((a, b) => v(b) - v(a) || a - b);
    labels = order.map((p) => labels[p]);
    for (const s of series) s.values = order.map((p) => s.values[p]);
  }

  const xName = time ? bucket : xCol.name;
  return {
    kind,
    title: `${AGG_LEAD[q.agg](yName)} by ${xName}${split ? ` and ${split.name}` : ''}`,
    xLabel: time && xCol.name !== bucket ? `${xCol.name} (${bucket})` : xCol.name,
    yLabel: what,
    x: { type: time ? 'time' : 'category', values: labels },
    series,
    ...(notes.length ? { note: noteOf(notes) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// line / area of the rows themselves (agg: 'none'), downsampled

/**
 * The points of a chart of rows (a line of rows, a scatter plot): the x and y number columns, the
 * split, the series names, and each view position's series, or -1 where it is no point (x or y
 * missing, or a split value beyond the series).
 */
function pointsOf(ctx: Ctx): {
  xCol: NumericColumn;
  yCol: NumericColumn;
  split: Split | null;
  names: string[];
  seriesOf: Int32Array;
  total: number;
} {
  const { table, rows, q } = ctx;
  const xCol = table.columns[q.x!] as NumericColumn;
  const yCol = table.columns[q.y!] as NumericColumn;
  const split = splitOf(ctx);
  const names = split ? split.names : [yCol.name];
  const seriesOf = new Int32Array(rows.length);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    seriesOf[i] = xCol.isNull(r) || yCol.isNull(r) ? -1 : split ? (split.of[i] < names.length ? split.of[i] : -1) : 0;
    if (seriesOf[i] >= 0) total++;
  }
  return { xCol, yCol, split, names, seriesOf, total };
}

function rowLineChart(ctx: Ctx): ChartSpec | string {
  const { table, rows, q } = ctx;
  const kind = q.kind as ChartKind;
  const { xCol, yCol, split, names, seriesOf, total } = pointsOf(ctx);
  const notes: string[] = [];
  if (split && split.leftOut > 0) notes.push(leftOutNote(split, 'rows cannot be combined into "Other"'));
  const parts = partition(rows, seriesOf, names.length);
  if (total === 0) return `No rows with both ${xCol.name} and ${yCol.name} in this view to chart.`;
  const budget = Math.max(3, Math.floor(ctx.maxPoints / names.length));
  const xv = xCol.values;
  const yv = yCol.values;
  const pts: { x: number[]; y: number[] }[] = parts.map((part) => {
    const sorted = ascending(xv, part) ? part : sortRows(table, part, [{ column: q.x! }]);
    const x = new Float64Array(sorted.length);
    const y = new Float64Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      x[i] = xv[sorted[i]];
      y[i] = yv[sorted[i]];
    }
    return downsample(x, y, budget, 'lttb');
  });
  const shown = pts.reduce((a, p) => a + p.x.length, 0);
  if (shown < total) notes.push(`${count(shown)} of ${count(total)} points shown (downsampled).`);
  const { x, series } = mergeSeries(pts, names);
  return {
    kind,
    title: `${yCol.name} by ${xCol.name}${split ? ` and ${split.name}` : ''}`,
    xLabel: xCol.name,
    yLabel: yCol.name,
    x: isDate(xCol.type) ? { type: 'time', values: x.map((v) => String(displayOf(xCol.type, v))) } : { type: 'number', values: x },
    series,
    ...(notes.length ? { note: noteOf(notes) } : {}),
  };
}

function ascending(v: ArrayLike<number>, rows: Uint32Array): boolean {
  for (let i = 1; i < rows.length; i++) if (v[rows[i]] < v[rows[i - 1]]) return false;
  return true;
}

/** Series of points on one ascending x axis; a series is null where another's point is. */
function mergeSeries(
  pts: { x: ArrayLike<number>; y: ArrayLike<number> }[],
  names: string[],
): { x: number[]; series: { name: string; values: (number | null)[] }[] } {
  if (pts.length === 1) return { x: Array.from(pts[0].x), series: [{ name: names[0], values: Array.from(pts[0].y) }] };
  const all: { x: number; s: number; y: number }[] = [];
  pts.forEach((p, s) => {
    for (let i = 0; i < p.x.length; i++) all.push({ x: p.x[i], s, y: p.y[i] });
  });
  all.sort((a, b) => a.x - b.x || a.s - b.s); // stable: each series keeps its order
  const series = names.map((name) => ({ name, values: new Array<number | null>(all.length).fill(null) }));
  all.forEach((p, i) => (series[p.s].values[i] = p.y));
  return { x: all.map((p) => p.x), series };
}

// ---------------------------------------------------------------------------------------------
// histogram

function histogramChart(ctx: Ctx): ChartSpec | string {
  const { table, rows, q } = ctx;
  const col = table.columns[q.x!];
  const h = histogram(table, rows, q.x!, { bins: HIST_BINS });
  if (h.counts.length === 0) return `No ${col.name} values in this view to chart.`;
  const width = (h.edges[h.edges.length - 1] - h.edges[0]) / h.counts.length;
  const label = isDate(col.type) ? (ms: number) => timeLabel(ms, col.type === 'date' ? DAY_MS : width) : binEdgeText;
  return {
    kind: 'histogram',
    title: `Distribution of ${col.name}`,
    xLabel: col.name,
    yLabel: 'rows',
    x: { type: 'category', values: h.counts.map((_, b) => `${label(h.edges[b])}–${label(h.edges[b + 1])}`) },
    series: [{ name: 'rows', values: h.counts }],
  };
}

/** A bin edge in time: the day when bins are days or wider, else to the minute (or second). */
function timeLabel(ms: number, width: number): string {
  return formatUtc(Math.round(ms), width >= DAY_MS ? 'day' : width >= 60_000 ? 'minute' : 'second');
}

// ---------------------------------------------------------------------------------------------
// scatter

function scatterChart(ctx: Ctx): ChartSpec | string {
  const { rows } = ctx;
  const { xCol, yCol, split, names, seriesOf, total } = pointsOf(ctx);
  const notes: string[] = [];
  if (split && split.leftOut > 0) notes.push(leftOutNote(split, 'points of the rest are not drawn'));
  if (total === 0) return `No rows with both ${xCol.name} and ${yCol.name} in this view to chart.`;
  // An evenly spaced sample of the points, in view order: point j·total/maxPoints for each j.
  const take = Math.min(total, ctx.maxPoints);
  const at = new Uint32Array(take);
  for (let i = 0, k = 0, j = 0; i < rows.length && j < take; i++) {
    if (seriesOf[i] < 0) continue;
    if (k === Math.floor((j * total) / take)) at[j++] = i;
    k++;
  }
  if (take < total) notes.push(`${count(take)} of ${count(total)} points shown (sampled).`);
  const order = Array.from(at);
  const xv = xCol.values;
  const yv = yCol.values;
  order.sort((a, b) => xv[rows[a]] - xv[rows[b]]); // stable: ties keep view order
  const series = names.map((name) => ({ name, values: new Array<number | null>(take).fill(null) }));
  order.forEach((i, p) => (series[seriesOf[i]].values[p] = yv[rows[i]]));
  return {
    kind: 'scatter',
    title: `${yCol.name} against ${xCol.name}${split ? ` by ${split.name}` : ''}`,
    xLabel: xCol.name,
    yLabel: yCol.name,
    x: { type: 'number', values: order.map((i) => xv[rows[i]]) },
    series,
    ...(notes.length ? { note: noteOf(notes) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// box

function boxChart(ctx: Ctx): ChartSpec | string {
  const { table, rows, q } = ctx;
  const yCol = table.columns[q.y!] as NumericColumn;
  const notes: string[] = [];
  let labels: string[];
  let groupOf: Int32Array;
  const xCol = q.x === null ? null : table.columns[q.x];
  if (xCol === null) {
    labels = [yCol.name];
    groupOf = new Int32Array(rows.length);
  } else {
    const keys = keysOf(xCol, rows, isDate(xCol.type) ? (q.bucket as TimeBucket) : undefined);
    const distinct = presentIds(keys);
    const chosen = topIds(keys, keys.rowsPer, ctx.maxCategories).sort(keys.compare);
    if (chosen.length < distinct)
      notes.push(
        `The ${count(chosen.length)} largest of ${count(distinct)} ${xCol.name} groups shown; ${count(distinct - chosen.length)} left out.`,
      );
    const posOfId = new Int32Array(keys.card).fill(-1);
    chosen.forEach((id, p) => (posOfId[id] = p));
    groupOf = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) groupOf[i] = posOfId[keys.ids[i]];
    labels = chosen.map((id) => labelOf(keys.display(id)));
  }
  // The y values of each group, side by side, then each group's run sorted.
  const nulls = yCol.nulls;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (nulls !== null && (nulls[r >>> 3] & (1 << (r & 7))) !== 0) groupOf[i] = -1;
  }
  const parts = partition(rows, groupOf, labels.length);
  const v = yCol.values;
  const box = {
    min: [] as (number | null)[],
    q1: [] as (number | null)[],
    median: [] as (number | null)[],
    q3: [] as (number | null)[],
    max: [] as (number | null)[],
  };
  for (const part of parts) {
    const vals = new Float64Array(part.length);
    for (let i = 0; i < part.length; i++) vals[i] = v[part[i]];
    const five = fiveNumbers(vals);
    box.min.push(five?.[0] ?? null);
    box.q1.push(five?.[1] ?? null);
    box.median.push(five?.[2] ?? null);
    box.q3.push(five?.[3] ?? null);
    box.max.push(five?.[4] ?? null);
  }
  return {
    kind: 'box',
    title: `Spread of ${yCol.name}${xCol ? ` by ${isDate(xCol.type) ? q.bucket : xCol.name}` : ''}`,
    ...(xCol ? { xLabel: isDate(xCol.type) && xCol.name !== q.bucket ? `${xCol.name} (${q.bucket})` : xCol.name } : {}),
    yLabel: yCol.name,
    x: { type: 'category', values: labels },
    series: [],
    box,
    ...(notes.length ? { note: noteOf(notes) } : {}),
  };
}

/**
 * Min, the quartiles and max of the values (reordered in place), the quartiles interpolated
 * linearly between the two nearest values as numpy's default percentile does. Quickselect, not a
 * sort: a million values take a few milliseconds. Null for no values.
 */
export function fiveNumbers(a: Float64Array): [number, number, number, number, number] | null {
  const n = a.length;
  if (n === 0) return null;
  const out: number[] = [];
  let from = 0;
  for (const p of [0.25, 0.5, 0.75]) {
    const pos = p * (n - 1);
    const lo = Math.floor(pos);
    select(a, lo, from, n - 1);
    from = lo;
    // The next value up is the smallest of those right of `lo` (all ≥ a[lo] after the select).
    let next = a[lo];
    if (lo + 1 < n) {
      next = a[lo + 1];
      for (let i = lo + 2; i < n; i++) if (a[i] < next) next = a[i];
    }
    out.push(a[lo] + (next - a[lo]) * (pos - lo));
  }
  let min = a[0];
  let max = a[0];
  for (let i = 1; i < n; i++) {
    if (a[i] < min) min = a[i];
    else if (a[i] > max) max = a[i];
  }
  return [min, out[0], out[1], out[2], max];
}

/** Reorders a[left..right] so a[k] is the value a sort would put there, smaller ones left of it, larger right. */
function select(a: Float64Array, k: number, left: number, right: number): void {
  let budget = 2 * Math.ceil(Math.log2(right - left + 2)) + 16;
  while (right > left) {
    if (budget-- === 0) {
      // Pivots keep missing (an adversarial order): sort what is left.
      a.subarray(left, right + 1).sort();
      return;
    }
    // Median of three as the pivot; Hoare partition (many equal values split evenly).
    const mid = (left + right) >>> 1;
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
