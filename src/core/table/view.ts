/**
 * Views: filter, search and sort over all rows without copying any column. A view is a
 * Uint32Array of row ids into the table's columns; the grid reads windows of it.
 *
 * Sorting is a stable LSD radix sort on integer keys: string columns sort by a per-column
 * dictionary rank (computed once, see StringColumn.rank), integers and booleans by their value
 * mapped to an unsigned key, numbers and dates by the IEEE-754 bits mapped to an order-preserving
 * pair of words. Multi-column sorts run the keys from last to first; each pass is stable, so the
 * result is the lexicographic order, ties keep the input order, and nulls go last in either
 * direction (a final stable partition per key).
 */
import { InsightError } from '../errors';
import { AnyColumn, DisplayValue, NumericColumn, StringColumn, formatDate, formatDateTime, parseIsoDate } from './columns';
import { Table } from './table';

export type ColumnRef = string | number;

export type Filter =
  /** Case-insensitive substring / equality on the value as text (numbers as shown, dates as ISO). */
  | { column: ColumnRef; op: 'contains' | 'equals'; value: string }
  /**
   * Inclusive range on a numeric, boolean, date or datetime column. Dates may be given as ISO
   * strings or epoch ms; a date-only `max` on a datetime column includes that whole day.
   */
  | { column: ColumnRef; op: 'range'; min?: number | string | null; max?: number | string | null }
  | { column: ColumnRef; op: 'empty' | 'notEmpty' };

export interface SortKey {
  column: ColumnRef;
  desc?: boolean;
}

export interface ViewSpec {
  filters?: readonly Filter[];
  /** Case-insensitive substring over every column's text; blank = no search. */
  search?: string;
  sort?: readonly SortKey[];
}

export interface View {
  readonly table: Table;
  /** Row ids, in display order. */
  readonly rows: Uint32Array;
  readonly spec: ViewSpec;
}

/** All rows in file order. */
export function allRows(table: Table): Uint32Array {
  const rows = new Uint32Array(table.rowCount);
  for (let i = 0; i < rows.length; i++) rows[i] = i;
  return rows;
}

/** Filters AND search, then sort. */
export function createView(table: Table, spec: ViewSpec = {}): View {
  let rows: Uint32Array = allRows(table);
  for (const f of spec.filters ?? []) rows = applyFilter(table, rows, f);
  if (spec.search && spec.search.trim() !== '') rows = applySearch(table, rows, spec.search.trim());
  if (spec.sort && spec.sort.length > 0) rows = sortRows(table, rows, spec.sort);
  return { table, rows, spec };
}

/** Display rows [start, start + count) of the view, clipped. */
export function getWindow(view: View, start: number, count: number): DisplayValue[][] {
  const cols = view.table.columns;
  const from = Math.max(0, Math.floor(start));
  const to = Math.min(view.rows.length, from + Math.max(0, Math.floor(count)));
  const out: DisplayValue[][] = new Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    const r = view.rows[i];
    const row: DisplayValue[] = new Array(cols.length);
    for (let c = 0; c < cols.length; c++) row[c] = cols[c].display(r);
    out[i - from] = row;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Filters

function compact(rows: Uint32Array, keep: (r: number) => boolean): Uint32Array {
  const out = new Uint32Array(rows.length);
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (keep(r)) out[k++] = r;
  }
  return k === rows.length ? out : out.slice(0, k);
}

/** Per-row text test, evaluated once per distinct value (string dictionary, or memo for numbers). */
export function textTest(col: AnyColumn, pred: (lowerText: string) => boolean): (row: number) => boolean {
  if (col instanceof StringColumn) {
    const match = new Uint8Array(col.dict.length);
    for (let c = 1; c < col.dict.length; c++) match[c] = pred(col.dict[c].toLowerCase()) ? 1 : 0;
    const codes = col.codes;
    return (r) => match[codes[r]] === 1;
  }
  const values = col.values;
  const nulls = col.nulls;
  const type = col.type;
  const text: (v: number) => string =
    type === 'boolean'
      ? (v) => (v !== 0 ? 'true' : 'false')
      : type === 'date'
        ? formatDate
        : type === 'datetime'
          ? (v) => formatDateTime(v).toLowerCase()
          : (v) => String(v);
  const isNull = (r: number) => nulls !== null && (nulls[r >>> 3] & (1 << (r & 7))) !== 0;
  if (type === 'integer' || type === 'boolean' || type === 'date') {
    // Whole numbers (days for dates) over a modest range: one verdict per possible value, in an array.
    const scale = type === 'date' ? 86400000 : 1;
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < values.length; r++) {
      if (isNull(r)) continue;
      const v = values[r];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi >= lo && (hi - lo) / scale < 1 << 20) {
      const verdict = new Int8Array((hi - lo) / scale + 1).fill(-1);
      return (r) => {
        if (isNull(r)) return false;
        const v = values[r];
        const at = (v - lo) / scale;
        let m = verdict[at];
        if (m < 0) m = verdict[at] = pred(text(v)) ? 1 : 0;
        return m === 1;
      };
    }
  }
  if (type === 'datetime') return (r) => !isNull(r) && pred(text(values[r]));
  // Other numbers: remember verdicts per value while that stays cheap (repeated measurements),
  // and stop remembering once the column turns out to be mostly distinct.
  const memo = new Map<number, boolean>();
  return (r) => {
    if (isNull(r)) return false;
    const v = values[r];
    let m = memo.get(v);
    if (m === undefined) {
      m = pred(text(v));
      if (memo.size < 1 << 16) memo.set(v, m);
    }
    return m;
  };
}

function bound(col: NumericColumn, v: number | string | null | undefined, isMax: boolean): number {
  if (v === undefined || v === null || v === '') return isMax ? Infinity : -Infinity;
  if (typeof v === 'number') return v;
  if (col.type === 'date' || col.type === 'datetime') {
    const ms = parseIsoDate(v.trim());
    if (Number.isNaN(ms)) throw new InsightError('usage', `${JSON.stringify(v)} is not a date (use YYYY-MM-DD or an ISO 8601 date-time).`);
    return isMax && /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) && col.type === 'datetime' ? ms + 86399999 : ms;
  }
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) throw new InsightError('usage', `${JSON.stringify(v)} is not a number.`);
  return n;
}

export function applyFilter(table: Table, rows: Uint32Array, f: Filter): Uint32Array {
  const col = table.column(f.column);
  switch (f.op) {
    case 'empty':
      return compact(rows, (r) => col.isNull(r));
    case 'notEmpty':
      return compact(rows, (r) => !col.isNull(r));
    case 'contains':
    case 'equals': {
      const needle = String(f.value ?? '').toLowerCase();
      return compact(rows, textTest(col, f.op === 'contains' ? (t) => t.includes(needle) : (t) => t === needle));
    }
    case 'range': {
      if (!(col instanceof NumericColumn))
        throw new InsightError('usage', `A range filter needs a numeric or date column; "${col.name}" holds text.`);
      const lo = bound(col, f.min, false);
      const hi = bound(col, f.max, true);
      const values = col.values;
      if (col.nulls === null) return compact(rows, (r) => values[r] >= lo && values[r] <= hi);
      return compact(rows, (r) => !col.isNull(r) && values[r] >= lo && values[r] <= hi);
    }
    default:
      throw new InsightError('usage', `Unknown filter ${JSON.stringify((f as { op?: unknown }).op)}.`);
  }
}

const NUMBER_CHARS = /^[0-9.e+-]*$/;
const DATE_CHARS = /^[0-9-]*$/;
const DATETIME_CHARS = /^[0-9:.tz-]*$/;

/** Rows where any column's text contains `term` (case-insensitive). */
export function applySearch(table: Table, rows: Uint32Array, term: string): Uint32Array {
  const needle = term.toLowerCase();
  const hit = new Uint8Array(rows.length);
  for (const col of table.columns) {
    // Skip columns whose text can never contain the term (letters never appear in a number).
    if (col.type === 'integer' || col.type === 'number') {
      if (!NUMBER_CHARS.test(needle)) continue;
    } else if (col.type === 'date') {
      if (!DATE_CHARS.test(needle)) continue;
    } else if (col.type === 'datetime') {
      if (!DATETIME_CHARS.test(needle)) continue;
    }
    if (col instanceof StringColumn) {
      const match = new Uint8Array(col.dict.length);
      let any = false;
      for (let c = 1; c < col.dict.length; c++)
        if (col.dict[c].toLowerCase().includes(needle)) {
          match[c] = 1;
          any = true;
        }
      if (!any) continue;
      const codes = col.codes;
      for (let i = 0; i < rows.length; i++) if (hit[i] === 0 && match[codes[rows[i]]] === 1) hit[i] = 1;
    } else {
      const test = textTest(col, (t) => t.includes(needle));
      for (let i = 0; i < rows.length; i++) if (hit[i] === 0 && test(rows[i])) hit[i] = 1;
    }
  }
  let k = 0;
  for (let i = 0; i < rows.length; i++) if (hit[i]) k++;
  const out = new Uint32Array(k);
  k = 0;
  for (let i = 0; i < rows.length; i++) if (hit[i]) out[k++] = rows[i];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sort

/**
 * Stable LSD radix sort of `rows` by the words in `words` (words[0] least significant), each a
 * per-position Uint32 key array aligned with `rows`. Returns the sorted rows (a new array).
 */
function radixSort(rows: Uint32Array, words: Uint32Array[]): Uint32Array {
  const n = rows.length;
  const bits = n < 1 << 16 ? 8 : 16;
  const mask = (1 << bits) - 1;
  const count = new Uint32Array(1 << bits);
  let r: Uint32Array = Uint32Array.from(rows);
  let rt: Uint32Array = new Uint32Array(n);
  const ws: Uint32Array[] = words.slice();
  const wt: Uint32Array[] = words.map(() => new Uint32Array(n));
  for (let w = 0; w < ws.length; w++) {
    for (let shift = 0; shift < 32; shift += bits) {
      const k = ws[w];
      count.fill(0);
      for (let i = 0; i < n; i++) count[(k[i] >>> shift) & mask]++;
      if (count[(k[0] >>> shift) & mask] === n) continue; // every key has this digit: nothing moves
      let sum = 0;
      for (let b = 0; b <= mask; b++) {
        const c = count[b];
        count[b] = sum;
        sum += c;
      }
      const kt = wt[w];
      const last = shift + bits >= 32 && w === ws.length - 1; // no later pass reads this word
      if (w + 1 < ws.length) {
        const h = ws[w + 1];
        const ht = wt[w + 1];
        for (let i = 0; i < n; i++) {
          const p = count[(k[i] >>> shift) & mask]++;
          rt[p] = r[i];
          kt[p] = k[i];
          ht[p] = h[i];
        }
        wt[w + 1] = h;
        ws[w + 1] = ht;
      } else if (last) {
        for (let i = 0; i < n; i++) rt[count[(k[i] >>> shift) & mask]++] = r[i];
      } else {
        for (let i = 0; i < n; i++) {
          const p = count[(k[i] >>> shift) & mask]++;
          rt[p] = r[i];
          kt[p] = k[i];
        }
      }
      wt[w] = k;
      ws[w] = kt;
      const t = r;
      r = rt;
      rt = t;
    }
  }
  return r;
}

function sortWords(col: AnyColumn, rows: Uint32Array, desc: boolean): Uint32Array[] {
  const n = rows.length;
  if (col instanceof StringColumn) {
    const rank = col.rank();
    const codes = col.codes;
    const key = new Uint32Array(n);
    const flip = desc ? 0xffffffff : 0;
    for (let i = 0; i < n; i++) key[i] = (rank[codes[rows[i]]] ^ flip) >>> 0;
    return [key];
  }
  const v = col.values;
  if (v instanceof Float64Array) {
    const lo = new Uint32Array(n);
    const hi = new Uint32Array(n);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    const flip = desc ? 0xffffffff : 0;
    for (let i = 0; i < n; i++) {
      f[0] = v[rows[i]] + 0; // +0 folds -0 into 0 so they tie, as they compare equal
      let h = u[1];
      let l = u[0];
      if (h & 0x80000000) {
        h = ~h;
        l = ~l;
      } else h |= 0x80000000;
      hi[i] = (h ^ flip) >>> 0;
      lo[i] = (l ^ flip) >>> 0;
    }
    return [lo, hi];
  }
  const key = new Uint32Array(n);
  const flip = desc ? 0xffffffff : 0;
  for (let i = 0; i < n; i++) key[i] = (v[rows[i]] ^ 0x80000000 ^ flip) >>> 0;
  return [key];
}

/** `rows` sorted by `keys` (stable; nulls last in both directions). A new array. */
export function sortRows(table: Table, rows: Uint32Array, keys: readonly SortKey[]): Uint32Array {
  let order: Uint32Array = Uint32Array.from(rows);
  for (let k = keys.length - 1; k >= 0; k--) {
    const col = table.column(keys[k].column);
    order = radixSort(order, sortWords(col, order, !!keys[k].desc));
    const hasNulls = col instanceof StringColumn ? true : col.nulls !== null;
    if (hasNulls) {
      const out = new Uint32Array(order.length);
      let a = 0;
      const nulls: number[] = [];
      for (let i = 0; i < order.length; i++) {
        const r = order[i];
        if (col.isNull(r)) nulls.push(r);
        else out[a++] = r;
      }
      for (let i = 0; i < nulls.length; i++) out[a++] = nulls[i];
      order = out;
    }
  }
  return order;
}
