/**
 * Chart-ready aggregates over a view (or the whole table): group-by with count / sum / mean / min /
 * max / distinct count, time buckets as group keys, histograms, column statistics, and downsampling
 * of long series. All of them work on the column arrays and row-id lists directly; string keys are
 * grouped by dictionary code, so no string is touched per row.
 */
import { InsightError } from '../errors';
import { DAY_MS, HOUR_MS, type TimeBucket, monthIndex, monthStart, weekStart } from '../dates';
import { AnyColumn, ColumnType, DisplayValue, NumericArray, NumericColumn, StringColumn, compareFolded, displayOf, foldKey } from './columns';
import { Table } from './table';
import { ColumnRef, View, allRows } from './view';

export type RowSource = View | Uint32Array | null | undefined;

function rowsOf(table: Table, src: RowSource): Uint32Array {
  if (!src) return allRows(table);
  return src instanceof Uint32Array ? src : src.rows;
}

// ---------------------------------------------------------------------------------------------
// Time buckets

// The buckets and their starts are the date module's (src/core/dates.ts), shared with the charts.
export { type TimeBucket, bucketStart } from '../dates';

// ---------------------------------------------------------------------------------------------
// Group-by

export interface GroupKey {
  column: ColumnRef;
  /** Group a date/datetime column by the start of its hour/day/week/month (UTC). */
  bucket?: TimeBucket;
}

export type AggOp = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'distinct';

export interface Aggregation {
  op: AggOp;
  /** Required except for `count`, which then counts rows (with a column: its non-null values). */
  column?: ColumnRef;
  /** Output column name; default `op(column)` or `count`. */
  as?: string;
}

export interface GroupResult {
  columns: string[];
  types: ColumnType[];
  /** One row per group, ordered by the keys (ascending, nulls last). */
  rows: DisplayValue[][];
}

/** Dense ids (0 = null) for one key over the rows, with each id's display value and sort order. */
interface KeyIds {
  ids: Uint32Array;
  card: number;
  display(id: number): DisplayValue;
  order: Float64Array; // by id; nulls (id 0) get +Infinity
  type: ColumnType;
  name: string;
}

function keyIds(table: Table, rows: Uint32Array, key: ColumnRef | GroupKey): KeyIds {
  const k: GroupKey = typeof key === 'object' ? key : { column: key };
  const col = table.column(k.column);
  const n = rows.length;
  const ids = new Uint32Array(n);
  if (col instanceof StringColumn) {
    if (k.bucket) throw new InsightError('usage', `Time buckets need a date or datetime column; "${col.name}" holds text.`);
    const codes = col.codes;
    for (let i = 0; i < n; i++) ids[i] = codes[rows[i]];
    const rank = col.rank();
    const order = new Float64Array(col.dict.length);
    for (let c = 1; c < order.length; c++) order[c] = rank[c];
    order[0] = Infinity;
    return { ids, card: col.dict.length, display: (id) => (id === 0 ? null : col.dict[id]), order, type: 'string', name: col.name };
  }
  if (k.bucket && col.type !== 'date' && col.type !== 'datetime')
    throw new InsightError('usage', `Time buckets need a date or datetime column; "${col.name}" is ${col.type}.`);
  const bucket = k.bucket;
  const values = col.values;
  const type: ColumnType = bucket ? (bucket === 'hour' ? 'datetime' : 'date') : col.type;
  const name = bucket ? `${col.name} (${bucket})` : col.name;
  // Keys as numbers first: bucket indexes (whole hours/days/weeks/months) or the values.
  const keys = new Float64Array(n);
  const isNull = new Uint8Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (col.isNull(r)) {
      isNull[i] = 1;
      continue;
    }
    const v = bucket ? bucketIndex(values[r], bucket) : values[r];
    keys[i] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const vals: number[] = [NaN];
  const integral = bucket !== undefined || col.type === 'integer' || col.type === 'boolean';
  if (integral && lo <= hi && hi - lo < 1 << 22) {
    // Small integer range (always for time buckets over real data): a lookup array, no hashing.
    const lut = new Int32Array(hi - lo + 1);
    for (let i = 0; i < n; i++) {
      if (isNull[i]) continue;
      const at = keys[i] - lo;
      let id = lut[at];
      if (id === 0) {
        id = lut[at] = vals.length;
        vals.push(keys[i]);
      }
      ids[i] = id;
    }
  } else {
    const map = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (isNull[i]) continue;
      const v = keys[i];
      let id = map.get(v);
      if (id === undefined) {
        id = vals.length;
        vals.push(v);
        map.set(v, id);
      }
      ids[i] = id;
    }
  }
  if (bucket) for (let id = 1; id < vals.length; id++) vals[id] = bucketFromIndex(vals[id], bucket);
  const order = Float64Array.from(vals);
  order[0] = Infinity;
  return { ids, card: vals.length, display: (id) => (id === 0 ? null : displayOf(type, vals[id])), order, type, name };
}

/** A whole number per bucket, increasing with time: hours, days or Monday-days since 1970, or months since year 0. */
function bucketIndex(ms: number, bucket: TimeBucket): number {
  switch (bucket) {
    case 'hour':
      return Math.floor(ms / HOUR_MS);
    case 'day':
      return Math.floor(ms / DAY_MS);
    case 'week':
      return weekStart(ms) / DAY_MS;
    default:
      return monthIndex(ms);
  }
}

function bucketFromIndex(index: number, bucket: TimeBucket): number {
  switch (bucket) {
    case 'hour':
      return index * HOUR_MS;
    case 'day':
    case 'week':
      return index * DAY_MS;
    default:
      return monthStart(index);
  }
}

/** Numeric view of an aggregated column: value per row id, or a string column's rank. */
function measure(col: AnyColumn, op: AggOp): (r: number) => number {
  if (col instanceof NumericColumn) {
    const v = col.values;
    return (r) => v[r];
  }
  if (op === 'min' || op === 'max') {
    const rank = col.rank();
    const codes = col.codes;
    return (r) => rank[codes[r]];
  }
  throw new InsightError('usage', `${op} needs a numeric column; "${col.name}" holds text.`);
}

export function groupBy(table: Table, src: RowSource, keys: readonly (ColumnRef | GroupKey)[], aggs: readonly Aggregation[]): GroupResult {
  const rows = rowsOf(table, src);
  const n = rows.length;
  const ks = keys.map((k) => keyIds(table, rows, k));
  // Combine the keys into one dense group id per row.
  const gid = new Uint32Array(n);
  const firstRow: number[] = [];
  let groups = 0;
  if (ks.length === 0) {
    groups = n > 0 ? 1 : 0;
    if (n > 0) firstRow.push(0);
  } else {
    let space = 1;
    for (const k of ks) space *= k.card;
    if (space <= 1 << 22) {
      const lut = new Int32Array(space).fill(-1);
      // The combined key, column by column (one pass per key, no per-row loop over keys).
      const combined = ks.length === 1 ? ks[0].ids : new Uint32Array(n);
      if (ks.length > 1)
        for (const k of ks) {
          const ids = k.ids;
          const card = k.card;
          for (let i = 0; i < n; i++) combined[i] = combined[i] * card + ids[i];
        }
      for (let i = 0; i < n; i++) {
        const c = combined[i];
        let g = lut[c];
        if (g < 0) {
          g = lut[c] = groups++;
          firstRow.push(i);
        }
        gid[i] = g;
      }
    } else {
      const map = new Map<number | string, number>();
      const exact = space <= Number.MAX_SAFE_INTEGER;
      for (let i = 0; i < n; i++) {
        let c: number | string;
        if (exact) {
          c = 0;
          for (const k of ks) c = c * k.card + k.ids[i];
        } else c = ks.map((k) => k.ids[i]).join(',');
        let g = map.get(c);
        if (g === undefined) {
          g = groups++;
          map.set(c, g);
          firstRow.push(i);
        }
        gid[i] = g;
      }
    }
  }

  const columns = ks.map((k) => k.name);
  const types = ks.map((k) => k.type);
  const outputs: ((g: number) => DisplayValue)[] = [];
  for (const a of aggs) {
    const col = a.column === undefined ? undefined : table.column(a.column);
    if (!col && a.op !== 'count') throw new InsightError('usage', `The ${a.op} aggregation needs a column.`);
    columns.push(a.as ?? (col ? `${a.op}(${col.name})` : 'count'));
    if (a.op === 'count' || a.op === 'distinct') types.push('integer');
    else if (a.op === 'mean') types.push('number');
    else if (a.op === 'sum') types.push(col!.type === 'integer' ? 'integer' : 'number');
    else types.push(col!.type);
    outputs.push(aggregate(table, a.op, col, rows, gid, groups));
  }

  const order = Array.from({ length: groups }, (_, g) => g);
  if (ks.length > 0)
    order.sort((a, b) => {
      for (const k of ks) {
        const d = k.order[k.ids[firstRow[a]]] - k.order[k.ids[firstRow[b]]];
        if (d !== 0 && !Number.isNaN(d)) return d;
      }
      return 0;
    });
  const out: DisplayValue[][] = order.map((g) => {
    const row: DisplayValue[] = ks.map((k) => k.display(k.ids[firstRow[g]]));
    for (const o of outputs) row.push(o(g));
    return row;
  });
  return { columns, types, rows: out };
}

function aggregate(
  table: Table,
  op: AggOp,
  col: AnyColumn | undefined,
  rows: Uint32Array,
  gid: Uint32Array,
  groups: number,
): (g: number) => DisplayValue {
  const n = rows.length;
  if (!col) {
    const counts = new Float64Array(groups);
    for (let i = 0; i < n; i++) counts[gid[i]]++;
    return (g) => counts[g];
  }
  const counts = new Float64Array(groups);
  if (op === 'count') {
    for (let i = 0; i < n; i++) if (!col.isNull(rows[i])) counts[gid[i]]++;
    return (g) => counts[g];
  }
  if (op === 'distinct') {
    // Distinct (group, value) pairs, values as dictionary codes or dense ids of numbers.
    let vid: Uint32Array;
    let card: number;
    if (col instanceof StringColumn) {
      vid = new Uint32Array(n);
      for (let i = 0; i < n; i++) vid[i] = col.codes[rows[i]];
      card = col.dict.length;
    } else {
      const k = keyIds(table, rows, { column: col.name });
      vid = k.ids;
      card = k.card;
    }
    const space = groups * card;
    if (space <= 1 << 27) {
      const seen = new Uint8Array((space + 7) >>> 3);
      for (let i = 0; i < n; i++) {
        if (vid[i] === 0) continue;
        const key = gid[i] * card + vid[i];
        const bit = 1 << (key & 7);
        if ((seen[key >>> 3] & bit) === 0) {
          seen[key >>> 3] |= bit;
          counts[gid[i]]++;
        }
      }
    } else {
      const pairs = new Float64Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) if (vid[i] !== 0) pairs[m++] = gid[i] * card + vid[i];
      const sorted = pairs.subarray(0, m).sort();
      for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) counts[Math.floor(sorted[i] / card)]++;
    }
    return (g) => counts[g];
  }
  const m = measure(col, op);
  if (op === 'sum' || op === 'mean') {
    if (col.type === 'date' || col.type === 'datetime' || col.type === 'boolean')
      throw new InsightError('usage', `${op} needs a numeric column; "${col.name}" is ${col.type}.`);
    const sums = new Float64Array(groups);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (col.isNull(r)) continue;
      sums[gid[i]] += m(r);
      counts[gid[i]]++;
    }
    return (g) => (counts[g] === 0 ? null : op === 'sum' ? sums[g] : sums[g] / counts[g]);
  }
  const best = new Float64Array(groups).fill(op === 'min' ? Infinity : -Infinity);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (col.isNull(r)) continue;
    const v = m(r);
    const g = gid[i];
    if (op === 'min' ? v < best[g] : v > best[g]) best[g] = v;
    counts[g]++;
  }
  if (col instanceof StringColumn) {
    const byRank = new Uint32Array(col.dict.length);
    const rank = col.rank();
    for (let c = 1; c < rank.length; c++) byRank[rank[c]] = c;
    return (g) => (counts[g] === 0 ? null : col.dict[byRank[best[g]]]);
  }
  return (g) => (counts[g] === 0 ? null : displayOf(col.type, best[g]));
}

// ---------------------------------------------------------------------------------------------
// Histogram

export interface Histogram {
  column: string;
  type: ColumnType;
  /** bins + 1 edges (epoch ms for dates). Bin i is [edges[i], edges[i+1]); the last bin includes its upper edge. */
  edges: number[];
  counts: number[];
  nulls: number;
}

/**
 * Histogram of a numeric or date column. `bins` fixes the bin count; by default an integer column
 * spanning at most 100 values gets one bin per value, anything else Sturges' rule (capped at 100).
 */
export function histogram(table: Table, src: RowSource, column: ColumnRef, opts: { bins?: number } = {}): Histogram {
  const col = table.column(column);
  if (!(col instanceof NumericColumn))
    throw new InsightError('usage', `A histogram needs a numeric or date column; "${col.name}" holds text.`);
  const rows = rowsOf(table, src);
  const v = col.values;
  let min = Infinity;
  let max = -Infinity;
  let nulls = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (col.isNull(r)) {
      nulls++;
      continue;
    }
    const x = v[r];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const count = rows.length - nulls;
  const result: Histogram = { column: col.name, type: col.type, edges: [], counts: [], nulls };
  if (count === 0) return result;
  let bins: number;
  let width: number;
  if (opts.bins === undefined && (col.type === 'integer' || col.type === 'boolean') && max - min + 1 <= 100) {
    bins = max - min + 1;
    width = 1;
  } else {
    bins = opts.bins ?? Math.min(100, Math.ceil(Math.log2(count) + 1));
    bins = max === min ? 1 : Math.max(1, Math.floor(bins));
    width = (max - min) / bins;
  }
  const counts = new Float64Array(bins);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (col.isNull(r)) continue;
    counts[binOf(v[r], min, width, bins)]++;
  }
  for (let b = 0; b <= bins; b++) result.edges.push(b === bins && width !== 1 ? max : min + b * width);
  result.counts = Array.from(counts);
  return result;
}

/** The bin of x: floor((x - min) / width), the maximum going into the last bin. */
export function binOf(x: number, min: number, width: number, bins: number): number {
  if (width === 0) return 0;
  const b = Math.floor((x - min) / width);
  return b >= bins ? bins - 1 : b < 0 ? 0 : b;
}

// ---------------------------------------------------------------------------------------------
// Column statistics

export interface ColumnStats {
  name: string;
  type: ColumnType;
  /** Non-null values. */
  count: number;
  nulls: number;
  distinct: number;
  min: DisplayValue;
  max: DisplayValue;
  /** Most frequent values, most frequent first (ties: smaller value first). */
  top: { value: DisplayValue; count: number }[];
}

/** Keeps the N best (count desc, first seen wins ties) of a stream in ascending value order. */
class TopN {
  readonly items: { key: number; count: number }[] = [];
  constructor(private readonly n: number) {}
  offer(key: number, count: number): void {
    if (this.n <= 0) return;
    const items = this.items;
    if (items.length === this.n && count <= items[items.length - 1].count) return;
    let i = items.length;
    while (i > 0 && items[i - 1].count < count) i--;
    items.splice(i, 0, { key, count });
    if (items.length > this.n) items.pop();
  }
}

/** Is `a` in TypedArray#sort's order already? (NaN last, -0 before 0: those cases say no unless trivially so.) */
function inOrder(a: NumericArray): boolean {
  for (let i = 1; i < a.length; i++) {
    const p = a[i - 1];
    const v = a[i];
    if (!(p <= v)) return false;
    if (v === 0 && p === 0 && Object.is(v, -0) && !Object.is(p, -0)) return false;
  }
  return true;
}

/**
 * One LSD radix pass's table: `counts[d]` becomes where the keys whose 16-bit digit at `shift` is
 * `d` start. False when every key has the same digit there (the pass would move nothing).
 */
function digitStarts(keys: Uint32Array, shift: number, counts: Uint32Array): boolean {
  const n = keys.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & 0xffff]++;
  if (counts[(keys[0] >>> shift) & 0xffff] === n) return false;
  let sum = 0;
  for (let d = 0; d < 65536; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
  return true;
}

/**
 * Sorts numbers ascending in place, as TypedArray#sort does (-0 before 0), in linear time: a
 * counting sort for integers of a small range; for doubles, an LSD radix sort (16 bits a pass,
 * passes whose digit is the same for every value skipped), on 32-bit offsets from the smallest
 * for whole numbers within 2^32 of each other (timestamps to the millisecond over weeks: two
 * passes), else on the bits. A million timestamps sort in about half the time of the
 * comparison sort or less (bench/run.ts, inspect's column summary).
 */
export function sortNumbers(a: NumericArray): NumericArray {
  const n = a.length;
  if (n < 2048) return a.sort();
  // Already in order (a column of view times in an export sorted by them): nothing to do.
  if (inOrder(a)) return a;
  if (!(a instanceof Float64Array)) {
    let min = a[0];
    let max = a[0];
    for (let i = 1; i < n; i++) {
      const v = a[i];
      if (v < min) min = v;
      else if (v > max) max = v;
    }
    if (max - min > 1 << 22) return a.sort();
    const counts = new Uint32Array(max - min + 1);
    for (let i = 0; i < n; i++) counts[a[i] - min]++;
    let at = 0;
    for (let v = 0; v < counts.length; v++) for (let c = counts[v]; c > 0; c--) a[at++] = v + min;
    return a;
  }
  // Whole numbers within 2^32 of each other (timestamps to the millisecond over weeks): their
  // offsets from the smallest, as 32-bit keys, two passes at most. Not with a -0 (it sorts before 0).
  let min = a[0];
  let max = a[0];
  let whole = true;
  for (let i = 0; i < n && whole; i++) {
    const v = a[i];
    if (v < min) min = v;
    else if (v > max) max = v;
    whole = v === Math.floor(v) && !(v === 0 && 1 / v < 0);
  }
  if (whole && max - min < 2 ** 32) {
    let keys = new Uint32Array(n);
    for (let i = 0; i < n; i++) keys[i] = a[i] - min;
    let tmp = new Uint32Array(n);
    const counts = new Uint32Array(65536);
    for (const shift of [0, 16]) {
      if (!digitStarts(keys, shift, counts)) continue;
      for (let i = 0; i < n; i++) tmp[counts[(keys[i] >>> shift) & 0xffff]++] = keys[i];
      [keys, tmp] = [tmp, keys];
    }
    for (let i = 0; i < n; i++) a[i] = keys[i] + min;
    return a;
  }
  // Keys that order as unsigned integers: negative doubles with every bit flipped, others with the sign bit set.
  const words = new Uint32Array(a.buffer, a.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = words[2 * i];
    const h = words[2 * i + 1];
    if (h & 0x80000000) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    if (!digitStarts(src, shift, counts)) continue;
    for (let i = 0; i < n; i++) {
      const at = counts[(src[i] >>> shift) & 0xffff]++;
      lo2[at] = lo[i];
      hi2[at] = hi[i];
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i];
    if (h & 0x80000000) {
      words[2 * i] = lo[i];
      words[2 * i + 1] = h & 0x7fffffff;
    } else {
      words[2 * i] = ~lo[i] >>> 0;
      words[2 * i + 1] = ~h >>> 0;
    }
  }
  return a;
}

export function columnStats(table: Table, column: ColumnRef, src?: RowSource, topN = 10): ColumnStats {
  const col = table.column(column);
  // Every row (no view): read the column straight, without an index of all rows per call.
  const rows = src ? rowsOf(table, src) : null;
  const n = rows ? rows.length : table.rowCount;
  const base = { name: col.name, type: col.type };
  if (col instanceof StringColumn) {
    const counts = new Uint32Array(col.dict.length);
    const codes = col.codes;
    if (rows) for (let i = 0; i < n; i++) counts[codes[rows[i]]]++;
    else for (let r = 0; r < n; r++) counts[codes[r]]++;
    if (topN <= 0) return { ...base, ...textExtremes(col.dict, counts), count: n - counts[0], nulls: counts[0], top: [] };
    const rank = col.rank();
    const byRank = new Uint32Array(col.dict.length);
    for (let c = 1; c < rank.length; c++) byRank[rank[c]] = c;
    let distinct = 0;
    let min = 0;
    let max = 0;
    const top = new TopN(topN);
    for (let k = 1; k < byRank.length; k++) {
      const c = byRank[k];
      if (counts[c] === 0) continue;
      distinct++;
      if (min === 0) min = c;
      max = c;
      top.offer(c, counts[c]);
    }
    return {
      ...base,
      count: n - counts[0],
      nulls: counts[0],
      distinct,
      min: min === 0 ? null : col.dict[min],
      max: max === 0 ? null : col.dict[max],
      top: top.items.map((t) => ({ value: col.dict[t.key], count: t.count })),
    };
  }
  const v = col.values;
  let sorted: NumericArray;
  let k = 0;
  if (!rows && col.nulls === null) {
    sorted = v.slice(0, n);
    k = n;
  } else {
    sorted = new (v.constructor as new (n: number) => typeof v)(n);
    for (let i = 0; i < n; i++) {
      const r = rows ? rows[i] : i;
      if (!col.isNull(r)) sorted[k++] = v[r];
    }
  }
  const vals = sortNumbers(sorted.subarray(0, k));
  let distinct = 0;
  const top = new TopN(topN);
  for (let i = 0; i < k;) {
    let j = i + 1;
    while (j < k && vals[j] === vals[i]) j++;
    distinct++;
    top.offer(vals[i], j - i);
    i = j;
  }
  return {
    ...base,
    count: k,
    nulls: n - k,
    distinct,
    min: k === 0 ? null : displayOf(col.type, vals[0]),
    max: k === 0 ? null : displayOf(col.type, vals[k - 1]),
    top: top.items.map((t) => ({ value: displayOf(col.type, t.key), count: t.count })),
  };
}

/**
 * Distinct values, smallest and largest in compareText's order, of the codes counted in `counts`
 * (counts[0]: nulls), in one pass: no ranking of the whole dictionary when no top values are asked for.
 */
function textExtremes(dict: readonly string[], counts: Uint32Array): { distinct: number; min: string | null; max: string | null } {
  let distinct = 0;
  let min = 0;
  let max = 0;
  let minKey = '';
  let maxKey = '';
  for (let c = 1; c < dict.length; c++) {
    if (counts[c] === 0) continue;
    distinct++;
    const key = foldKey(dict[c]);
    if (min === 0 || compareFolded(key, dict[c], minKey, dict[min]) < 0) {
      min = c;
      minKey = key;
    }
    if (max === 0 || compareFolded(key, dict[c], maxKey, dict[max]) > 0) {
      max = c;
      maxKey = key;
    }
  }
  return { distinct, min: min === 0 ? null : dict[min], max: max === 0 ? null : dict[max] };
}

// ---------------------------------------------------------------------------------------------
// Downsampling

export interface Series {
  x: number[];
  y: number[];
}

/**
 * Reduce a long series (x ascending) to about `points` points for a chart. `lttb`
 * (Largest-Triangle-Three-Buckets) keeps the visual shape; `minmax` keeps each bucket's extremes
 * (never hides a spike). Series no longer than `points` come back unchanged.
 */
export function downsample(x: ArrayLike<number>, y: ArrayLike<number>, points: number, method: 'lttb' | 'minmax' = 'lttb'): Series {
  const n = Math.min(x.length, y.length);
  if (points >= n || points < 3) return { x: Array.from({ length: n }, (_, i) => x[i]), y: Array.from({ length: n }, (_, i) => y[i]) };
  const ox: number[] = [];
  const oy: number[] = [];
  if (method === 'minmax') {
    const buckets = Math.max(1, Math.floor(points / 2));
    const size = n / buckets;
    for (let b = 0; b < buckets; b++) {
      const s = Math.floor(b * size);
      const e = Math.min(n, Math.floor((b + 1) * size));
      let lo = s;
      let hi = s;
      for (let i = s + 1; i < e; i++) {
        if (y[i] < y[lo]) lo = i;
        if (y[i] > y[hi]) hi = i;
      }
      const [a, c] = lo <= hi ? [lo, hi] : [hi, lo];
      ox.push(x[a]);
      oy.push(y[a]);
      if (c !== a) {
        ox.push(x[c]);
        oy.push(y[c]);
      }
    }
    return { x: ox, y: oy };
  }
  const every = (n - 2) / (points - 2);
  let a = 0;
  ox.push(x[0]);
  oy.push(y[0]);
  for (let i = 0; i < points - 2; i++) {
    const ns = Math.floor((i + 1) * every) + 1;
    const ne = Math.min(n, Math.floor((i + 2) * every) + 1);
    let avgX = 0;
    let avgY = 0;
    for (let j = ns; j < ne; j++) {
      avgX += x[j];
      avgY += y[j];
    }
    const len = Math.max(1, ne - ns);
    avgX /= len;
    avgY /= len;
    const s = Math.floor(i * every) + 1;
    const e = Math.floor((i + 1) * every) + 1;
    let best = s;
    let bestArea = -1;
    for (let j = s; j < e; j++) {
      const area = Math.abs((x[a] - avgX) * (y[j] - y[a]) - (x[a] - x[j]) * (avgY - y[a]));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    ox.push(x[best]);
    oy.push(y[best]);
    a = best;
  }
  ox.push(x[n - 1]);
  oy.push(y[n - 1]);
  return { x: ox, y: oy };
}
