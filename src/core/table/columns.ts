/**
 * Column storage.
 *
 * While ingesting, EVERY column is dictionary-encoded on its raw bytes (ColumnBuilder): a row is
 * a dictionary code, each distinct byte string is stored once, and each distinct value is classified
 * once (integer / number / boolean / date / datetime) when it first appears. A column's type is the
 * most specific class shared by all its distinct values. This is what makes type inference safe:
 * a column that looked like integers for 900k rows and then meets "n/a" simply becomes a string
 * column — the raw bytes of every earlier value are still in its dictionary, nothing is re-read and
 * nothing is lost. Typed arrays are only built when the table is finished (or snapshotted), from a
 * code → value lookup table, so parsing cost is per distinct value, not per row.
 *
 * The exception is a typed column whose values are nearly all distinct (timestamps to the second):
 * past 32k distinct values it stores one parsed value per row plus each row's raw bytes, so it
 * can still become a string column, exactly, if a non-number arrives later (see goDirect). While
 * every value is written the way the value's own text is (`2025-03-03T10:15:22.123Z` as
 * toISOString writes it, `-42` as String does), the raw bytes are not kept: the text is rebuilt
 * from the value, exactly, if it is ever needed (see Canon).
 *
 * Codes are as narrow as the dictionary allows: one byte per row while a column has at most 255
 * distinct values, two up to 65,535, four beyond (a million-row column of 24,000 user ids costs
 * 2 MB, not 4).
 *
 * Finished columns: StringColumn (codes + string dictionary, code 0 = null) and NumericColumn
 * (integer/number/boolean/date/datetime in a typed array plus a null bitset; dates and datetimes
 * as epoch milliseconds, UTC).
 */

import {
  ALL,
  ColumnType,
  DATE,
  DT,
  DisplayValue,
  INT,
  NUM,
  classified,
  classifyBytes,
  decodeBytes,
  displayOf,
  formatDate,
  formatDateTime,
  isValidUtf8,
  typeOfMask,
} from './values';

export type { ColumnType, DisplayValue };
export { displayOf, formatDate, formatDateTime };
export { parseIsoDate, decodeBytes } from './values';

// ---------------------------------------------------------------------------------------------
// Finished columns

/** Dictionary codes, one per row: Uint8Array up to 255 distinct values, Uint16Array up to 65,535, else Uint32Array. */
export type CodeArray = Uint8Array | Uint16Array | Uint32Array;

export abstract class Column {
  constructor(
    readonly name: string,
    readonly type: ColumnType,
    readonly length: number,
  ) {}
  abstract isNull(row: number): boolean;
  abstract display(row: number): DisplayValue;
  /** The value as text (what search, text filters and CSV export see); null for null. */
  abstract text(row: number): string | null;
}

export class StringColumn extends Column {
  private rankCache: Uint32Array | undefined;

  /** `dict[0]` is unused: code 0 means null. */
  constructor(
    name: string,
    length: number,
    readonly codes: CodeArray,
    readonly dict: readonly string[],
  ) {
    super(name, 'string', length);
  }

  isNull(row: number): boolean {
    return this.codes[row] === 0;
  }

  display(row: number): DisplayValue {
    const c = this.codes[row];
    return c === 0 ? null : this.dict[c];
  }

  text(row: number): string | null {
    const c = this.codes[row];
    return c === 0 ? null : this.dict[c];
  }

  /**
   * Sort rank of each dictionary code (rank[0] = 0 for null; values from 1), computed once per
   * column and cached: the dictionary is immutable, so every later sort by this column is a
   * typed-array sort on ranks, never a string comparison per row.
   */
  rank(): Uint32Array {
    if (this.rankCache) return this.rankCache;
    const n = this.dict.length;
    const order: number[] = new Array(n - 1);
    for (let i = 1; i < n; i++) order[i - 1] = i;
    const dict = this.dict;
    const keys = dict.map(foldKey);
    order.sort((a, b) => compareFolded(keys[a], dict[a], keys[b], dict[b]));
    const rank = new Uint32Array(n);
    for (let i = 0; i < order.length; i++) rank[order[i]] = i + 1;
    this.rankCache = rank;
    return rank;
  }
}

/**
 * The order strings sort in: ordinal order of a folded key (lower case, accents removed), then
 * ordinal order of the text itself, so "apple" < "Banana" < "banana" < "Émile" < "zoe" and the
 * order is total and deterministic. A locale collator would know more languages, but its cost per
 * comparison makes ranking a million-entry dictionary take seconds; folding costs once per value.
 */
export function compareText(a: string, b: string): number {
  return compareFolded(foldKey(a), a, foldKey(b), b);
}

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING = /[\u0300-\u036f]/g;

export function foldKey(s: string): string {
  const lower = s.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize('NFD').replace(COMBINING, '') : lower;
}

export function compareFolded(ka: string, a: string, kb: string, b: string): number {
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

export type NumericArray = Float64Array | Int32Array | Uint8Array;

export class NumericColumn extends Column {
  /** `nulls`: bitset, bit set = null; null when the column has no nulls. */
  constructor(
    name: string,
    type: Exclude<ColumnType, 'string'>,
    length: number,
    readonly values: NumericArray,
    readonly nulls: Uint8Array | null,
  ) {
    super(name, type, length);
  }

  isNull(row: number): boolean {
    const n = this.nulls;
    return n !== null && (n[row >>> 3] & (1 << (row & 7))) !== 0;
  }

  display(row: number): DisplayValue {
    if (this.isNull(row)) return null;
    return displayOf(this.type, this.values[row]);
  }

  text(row: number): string | null {
    const v = this.display(row);
    return v === null ? null : String(v);
  }
}

export type AnyColumn = StringColumn | NumericColumn;

// ---------------------------------------------------------------------------------------------
// Builder: bytes → dictionary codes, during ingest

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(a: T, min: number): T {
  let size = a.length * 2;
  while (size < min) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** Byte ranges equal? Four bytes at a time (the DataViews are on `a` and `b`). */
function sameBytes(av: DataView, a: Uint8Array, a0: number, bv: DataView, b: Uint8Array, b0: number, len: number): boolean {
  let k = 0;
  for (; k + 4 <= len; k += 4) if (av.getInt32(a0 + k, true) !== bv.getInt32(b0 + k, true)) return false;
  for (; k < len; k++) if (a[a0 + k] !== b[b0 + k]) return false;
  return true;
}

/** MurmurHash3 (x86, 32-bit) of buf[s, e), four bytes at a time. */
function hashRange(dv: DataView, buf: Uint8Array, s: number, e: number): number {
  let h = 0x9747b28c | 0;
  let i = s;
  for (; i + 4 <= e; i += 4) {
    let k = Math.imul(dv.getInt32(i, true), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let sh = 0; i < e; i++, sh += 8) k |= buf[i] << sh;
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h ^= e - s;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Past this many distinct values, a typed column whose values are mostly distinct (timestamps to
 * the second, measurements) leaves the dictionary: hashing and storing a million distinct values
 * costs more than parsing each row's bytes, and saves nothing.
 */
const DIRECT_MIN_DISTINCT = 1 << 15;

/**
 * How a direct-mode column's rows are written, when it is one way for every row so far (then no
 * raw bytes are kept): RAW, no single way (raw bytes kept); ISO_MS, `new Date(v).toISOString()`
 * (24 bytes: `YYYY-MM-DDTHH:MM:SS.mmmZ`); INT, `String(v)` (an optional minus, no leading zero,
 * at most 15 digits).
 */
const enum Canon {
  RAW = 0,
  ISO_MS = 1,
  INT = 2,
}

/** The canonical form a column of this class mask can keep its values in (RAW: none). */
function canonOfMask(mask: number): Canon {
  return (mask & DT) !== 0 ? Canon.ISO_MS : (mask & INT) !== 0 ? Canon.INT : Canon.RAW;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * buf[s, e) is the canonical text of its value (classified as `m`, see classifyBytes) in the form
 * `canon`. ISO_MS: the classifier read a date-time (so each field is in range) and the bytes are
 * exactly 24 in toISOString's layout; INT: an integer with no sign but '-', no leading zero, no
 * "-0", at most 15 digits (so String of the value writes the same digits).
 */
function isCanonical(buf: Uint8Array, s: number, e: number, canon: Canon, m: number): boolean {
  if (canon === Canon.ISO_MS) {
    if ((m & DT) === 0 || e - s !== 24) return false;
    if (buf[s + 10] !== 0x54 || buf[s + 19] !== 0x2e || buf[s + 23] !== 0x5a) return false;
    return isDigit(buf[s + 20]) && isDigit(buf[s + 21]) && isDigit(buf[s + 22]);
  }
  if (canon === Canon.INT) {
    if ((m & INT) === 0) return false;
    let i = s;
    if (buf[i] === 0x2d) i++;
    const digits = e - i;
    if (digits < 1 || digits > 15 || (buf[i] === 0x30 && (digits > 1 || i > s))) return false;
    for (; i < e; i++) if (!isDigit(buf[i])) return false;
    return true;
  }
  return false;
}

/** The canonical text of `v` in the form `canon` (ASCII). */
function canonicalText(v: number, canon: Canon): string {
  return canon === Canon.ISO_MS ? new Date(v).toISOString() : String(v);
}

export class ColumnBuilder {
  /** Rows so far. */
  length = 0;
  private codes: CodeArray = new Uint8Array(256);
  /** Distinct values so far; codes 1..count. */
  count = 0;
  private arena: Uint8Array = new Uint8Array(256);
  private arenaView: DataView = new DataView(this.arena.buffer);
  private arenaLen = 0;
  private bufOfView: Uint8Array | null = null;
  private bufView: DataView = this.arenaView;
  private offs = new Uint32Array(16); // entry c = arena[offs[c-1], offs[c]) (offs[0] = 0)
  private hashes = new Int32Array(16);
  private flags = new Uint8Array(16); // bit 0: non-ASCII
  private nums = new Float64Array(16);
  /** Open addressing, load ≤ 1/2: [2s] = code (0 = empty), [2s + 1] = its hash (one cache line per probe). */
  /**
   * Open addressing, load ≤ 1/2, four ints per slot: code (0 = empty), hash, arena offset, length,
   * so a probe needs one cache line besides the bytes it compares.
   */
  private slots = new Int32Array(64);
  private strs: (string | undefined)[] = [undefined];
  /** The last value seen (most columns repeat the previous row's value most of the time). */
  private lastCode = 0;
  /**
   * Direct mode (typed, high-cardinality): one parsed value per row (NaN = null), plus every row's
   * raw bytes so the column can still turn back into strings, exactly, if a non-number arrives.
   */
  private direct: Float64Array | null = null;
  private raw: Uint8Array | null = null;
  private rawLen = 0;
  private rawOffs: Uint32Array | null = null; // row r = raw[rawOffs[r], rawOffs[r+1])
  private rawNonAscii = false;
  /** Direct mode: every row so far is its value's canonical text in this form, and no raw bytes are kept (RAW: they are). */
  private canon = Canon.RAW;
  /** AND of the classification masks of all distinct values. */
  mask = ALL;
  private sawValue = false;
  private replaying = false;

  /** `onInvalidUtf8(row)` fires for the first row of each distinct value with malformed UTF-8. */
  constructor(private readonly onInvalidUtf8: (row: number) => void) {}

  get type(): ColumnType {
    return typeOfMask(this.mask, this.sawValue);
  }

  add(buf: Uint8Array, s: number, e: number, nonAscii: boolean): void {
    if (this.direct !== null) {
      this.addDirect(buf, s, e, nonAscii);
      return;
    }
    if (this.length === this.codes.length) this.codes = grow(this.codes, this.length + 1);
    if (s === e) {
      this.codes[this.length++] = 0;
      return;
    }
    const len = e - s;
    const arena = this.arena;
    const adv = this.arenaView;
    const offs = this.offs;
    const dv = buf === this.bufOfView ? this.bufView : this.viewOf(buf);
    // Same as the previous value? (Most rows repeat most of the previous row.) Then no hashing.
    const lc = this.lastCode;
    if (lc !== 0) {
      const a0 = offs[lc - 1];
      if (offs[lc] - a0 === len && sameBytes(adv, arena, a0, dv, buf, s, len)) {
        this.codes[this.length++] = lc;
        return;
      }
    }
    const h = hashRange(dv, buf, s, e);
    const slots = this.slots;
    const mask = (slots.length >>> 2) - 1;
    let slot = h & mask;
    for (;;) {
      const at = slot << 2;
      const code = slots[at];
      if (code === 0) break;
      if (slots[at + 1] === h && slots[at + 3] === len) {
        const a0 = slots[at + 2];
        if (sameBytes(adv, arena, a0, dv, buf, s, len)) {
          this.codes[this.length++] = code;
          this.lastCode = code;
          return;
        }
      }
      slot = (slot + 1) & mask;
    }
    const code = this.insert(buf, s, e, h, nonAscii, slot);
    this.codes[this.length++] = code;
    this.lastCode = code;
    if (code >= DIRECT_MIN_DISTINCT && code * 2 > this.length && (this.mask & (INT | NUM | DATE | DT)) !== 0) this.goDirect();
  }

  /**
   * Rows from a batch (table.ts, FieldBatch): field k = r * width + column of each row r, bytes
   * base[pos[2k], pos[2k + 1]) or side[…] when flags bit 1 is set; an end of -1 repeats the
   * previous row's value, -2 is a null.
   */
  addRows(base: Uint8Array, side: Uint8Array, pos: Int32Array, flags: Uint8Array, column: number, width: number, rows: number): void {
    for (let r = 0, k = column; r < rows; r++, k += width) {
      const end = pos[2 * k + 1];
      if (end >= 0) {
        const f = flags[k];
        this.add((f & 2) === 0 ? base : side, pos[2 * k], end, (f & 1) !== 0);
      } else if (end === -1) this.repeat();
      else this.addNull();
    }
  }

  /** This row's value is the previous row's (same bytes). */
  repeat(): void {
    const r = this.length;
    if (this.direct !== null) {
      if (this.canon !== Canon.RAW) {
        // The same bytes: the same value, still canonical.
        if (r + 1 >= this.direct.length) this.direct = grow(this.direct, r + 2);
        this.direct[r] = this.direct[r - 1];
        this.length = r + 1;
        return;
      }
      const raw = this.raw!;
      const offs = this.rawOffs!;
      this.addDirect(raw, offs[r - 1], offs[r], this.rawNonAscii);
      return;
    }
    if (r === this.codes.length) this.codes = grow(this.codes, r + 1);
    this.codes[r] = this.codes[r - 1];
    this.length = r + 1;
  }

  addNull(): void {
    if (this.direct !== null) {
      this.addDirect(this.arena, 0, 0, false);
      return;
    }
    if (this.length === this.codes.length) this.codes = grow(this.codes, this.length + 1);
    this.codes[this.length++] = 0;
  }

  private insert(buf: Uint8Array, s: number, e: number, h: number, nonAscii: boolean, slot: number): number {
    const code = ++this.count;
    if (code === 0x100 || code === 0x10000) this.widenCodes(code);
    const len = e - s;
    if (this.arenaLen + len > this.arena.length) this.setArena(grow(this.arena, this.arenaLen + len));
    const arena = this.arena;
    const at = this.arenaLen;
    for (let k = 0; k < len; k++) arena[at + k] = buf[s + k];
    this.arenaLen += len;
    if (code + 1 >= this.offs.length) {
      this.offs = grow(this.offs, code + 2);
      this.hashes = grow(this.hashes, code + 2);
      this.flags = grow(this.flags, code + 2);
      this.nums = grow(this.nums, code + 2);
    }
    this.offs[code] = this.arenaLen;
    this.hashes[code] = h;
    this.flags[code] = nonAscii ? 1 : 0;
    this.strs.push(undefined);
    if (nonAscii && !this.replaying && !isValidUtf8(buf, s, e)) this.onInvalidUtf8(this.length);
    this.sawValue = true;
    if (this.mask !== 0) {
      const m = classifyBytes(buf, s, e);
      this.mask &= m;
      this.nums[code] = classified.value;
    }
    const sa = slot << 2;
    this.slots[sa] = code;
    this.slots[sa + 1] = h;
    this.slots[sa + 2] = at;
    this.slots[sa + 3] = len;
    if (this.count * 8 > this.slots.length) this.rehash();
    return code;
  }

  /** The codes array can no longer hold `code`: copy the rows so far into the next wider one. */
  private widenCodes(code: number): void {
    const wider = code <= 0xffff ? new Uint16Array(this.codes.length) : new Uint32Array(this.codes.length);
    wider.set(this.codes.subarray(0, this.length));
    this.codes = wider;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = (slots.length >>> 2) - 1;
    for (let c = 1; c <= this.count; c++) {
      const h = this.hashes[c];
      let slot = h & mask;
      while (slots[slot << 2] !== 0) slot = (slot + 1) & mask;
      const sa = slot << 2;
      slots[sa] = c;
      slots[sa + 1] = h;
      slots[sa + 2] = this.offs[c - 1];
      slots[sa + 3] = this.offs[c] - this.offs[c - 1];
    }
    this.slots = slots;
  }

  /** Leave the dictionary: parsed values and raw bytes per row from here on. */
  private goDirect(): void {
    const n = this.length;
    const direct = new Float64Array(Math.max(256, n * 2));
    // Every distinct value written canonically? Then the values alone are kept.
    const canon = canonOfMask(this.mask);
    let all = canon !== Canon.RAW;
    for (let c = 1; c <= this.count && all; c++) all = this.flags[c] === 0 && isCanonical(this.arena, this.offs[c - 1], this.offs[c], canon, this.mask);
    if (all) {
      for (let r = 0; r < n; r++) {
        const c = this.codes[r];
        direct[r] = c === 0 ? NaN : this.nums[c];
      }
      this.direct = direct;
      this.canon = canon;
      this.releaseDictionary();
      return;
    }
    const rawOffs = new Uint32Array(direct.length + 1);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const c = this.codes[r];
      if (c !== 0) total += this.offs[c] - this.offs[c - 1];
    }
    const raw = new Uint8Array(Math.max(1024, total * 2));
    let at = 0;
    for (let r = 0; r < n; r++) {
      const c = this.codes[r];
      if (c === 0) direct[r] = NaN;
      else {
        direct[r] = this.nums[c];
        const a0 = this.offs[c - 1];
        const a1 = this.offs[c];
        raw.set(this.arena.subarray(a0, a1), at);
        at += a1 - a0;
        this.rawNonAscii ||= this.flags[c] !== 0;
      }
      rawOffs[r + 1] = at;
    }
    this.direct = direct;
    this.raw = raw;
    this.rawLen = at;
    this.rawOffs = rawOffs;
    this.releaseDictionary();
  }

  private addDirect(buf: Uint8Array, s: number, e: number, nonAscii: boolean): void {
    const r = this.length;
    if (this.canon !== Canon.RAW) {
      if (r + 1 >= this.direct!.length) this.direct = grow(this.direct!, r + 2);
      if (s === e) {
        this.direct![r] = NaN;
        this.length = r + 1;
        return;
      }
      const m = nonAscii ? 0 : classifyBytes(buf, s, e) & this.mask;
      if (m !== 0 && isCanonical(buf, s, e, this.canon, m)) {
        this.mask = m;
        this.direct![r] = classified.value;
        this.length = r + 1;
        return;
      }
      // Written some other way: keep every row's bytes from here on (the rows so far rebuilt).
      this.keepRaw();
    }
    if (r + 1 >= this.direct!.length) {
      this.direct = grow(this.direct!, r + 2);
      this.rawOffs = grow(this.rawOffs!, r + 3);
    }
    const len = e - s;
    if (this.rawLen + len > this.raw!.length) this.raw = grow(this.raw!, this.rawLen + len);
    const raw = this.raw!;
    const at = this.rawLen;
    for (let k = 0; k < len; k++) raw[at + k] = buf[s + k];
    this.rawLen += len;
    this.rawOffs![r + 1] = this.rawLen;
    this.length = r + 1;
    if (len === 0) {
      this.direct![r] = NaN;
      return;
    }
    if (nonAscii) {
      this.rawNonAscii = true;
      if (!isValidUtf8(buf, s, e)) this.onInvalidUtf8(r);
    }
    const m = classifyBytes(buf, s, e) & this.mask;
    if (m === 0) {
      this.mask = 0;
      this.backToDictionary();
      return;
    }
    this.mask = m;
    this.direct![r] = classified.value;
  }

  /** A direct-mode column met a non-number: re-encode every row's raw bytes as dictionary strings. */
  private backToDictionary(): void {
    if (this.canon !== Canon.RAW) this.keepRaw();
    const n = this.length;
    const raw = Buffer.from(this.raw!.buffer, this.raw!.byteOffset, this.rawLen);
    const offs = this.rawOffs!;
    const nonAscii = this.rawNonAscii;
    this.direct = null;
    this.raw = null;
    this.rawOffs = null;
    this.codes = new Uint8Array(Math.max(256, n * 2));
    this.setArena(new Uint8Array(1024));
    this.arenaLen = 0;
    this.offs = new Uint32Array(16);
    this.hashes = new Int32Array(16);
    this.flags = new Uint8Array(16);
    this.nums = new Float64Array(16);
    this.slots = new Int32Array(64);
    this.strs = [undefined];
    this.count = 0;
    this.lastCode = 0;
    this.length = 0;
    this.replaying = true; // bad bytes were reported when they first arrived
    for (let r = 0; r < n; r++) {
      const s = offs[r];
      const e = offs[r + 1];
      this.add(raw, s, e, nonAscii);
    }
    this.replaying = false;
  }

  /** Canonical direct mode → raw bytes: each row's text rebuilt from its value, exactly as it was read. */
  private keepRaw(): void {
    const n = this.length;
    const d = this.direct!;
    const canon = this.canon;
    this.canon = Canon.RAW;
    const rawOffs = new Uint32Array(d.length + 1);
    let raw = new Uint8Array(Math.max(1024, n * (canon === Canon.ISO_MS ? 48 : 16)));
    let at = 0;
    for (let r = 0; r < n; r++) {
      const v = d[r];
      if (v === v) {
        const t = canonicalText(v, canon);
        if (at + t.length > raw.length) raw = grow(raw, at + t.length);
        for (let k = 0; k < t.length; k++) raw[at + k] = t.charCodeAt(k);
        at += t.length;
      }
      rawOffs[r + 1] = at;
    }
    this.raw = raw;
    this.rawLen = at;
    this.rawOffs = rawOffs;
    this.rawNonAscii = false;
  }

  private setArena(a: Uint8Array): void {
    this.arena = a;
    this.arenaView = new DataView(a.buffer, a.byteOffset, a.byteLength);
  }

  /** A DataView on the chunk being added (fields of one chunk come in a row, so it is reused). */
  private viewOf(buf: Uint8Array): DataView {
    this.bufOfView = buf;
    this.bufView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    return this.bufView;
  }

  private releaseDictionary(): void {
    this.setArena(new Uint8Array(0));
    this.bufOfView = null;
    this.slots = new Int32Array(4);
    this.offs = new Uint32Array(1);
    this.hashes = new Int32Array(1);
    this.flags = new Uint8Array(1);
    this.nums = new Float64Array(1);
    this.strs = [];
    this.codes = new Uint8Array(0);
  }

  /** The string of a dictionary code (decoded once, then cached). */
  str(code: number): string {
    let s = this.strs[code];
    if (s === undefined) {
      s = decodeBytes(this.arena, this.offs[code - 1], this.offs[code], this.flags[code] !== 0);
      this.strs[code] = s;
    }
    return s;
  }

  private num(row: number): number {
    if (this.direct !== null) return this.direct[row];
    const c = this.codes[row];
    return c === 0 ? NaN : this.nums[c];
  }

  /** Display value of a row already ingested, under the type inferred so far. */
  display(row: number): DisplayValue {
    const type = this.type;
    if (type === 'string') {
      const code = this.codes[row];
      return code === 0 ? null : this.str(code);
    }
    const v = this.num(row);
    return Number.isNaN(v) ? null : displayOf(type, v);
  }

  /**
   * The finished column over rows [0, rows). With `share`, arrays are shared or copied but never
   * released (snapshots while ingest goes on: rows below `rows` never change).
   */
  build(name: string, rows: number, share: boolean): AnyColumn {
    const type = this.type;
    if (type === 'string') {
      const dict: string[] = new Array(this.count + 1);
      dict[0] = '';
      for (let c = 1; c <= this.count; c++) dict[c] = this.str(c);
      const codes = this.codes;
      const own = share || codes.length <= rows * 1.25 ? codes.subarray(0, rows) : codes.slice(0, rows);
      if (!share) this.release();
      return new StringColumn(name, rows, own, dict);
    }
    let int32 = type === 'integer';
    let values: NumericArray;
    let nulls: Uint8Array | null = null;
    const setNull = (r: number) => {
      nulls ??= new Uint8Array((rows + 7) >>> 3);
      nulls[r >>> 3] |= 1 << (r & 7);
    };
    if (this.direct !== null) {
      const d = this.direct;
      for (let r = 0; r < rows && int32; r++) if (d[r] > 2147483647 || d[r] < -2147483648) int32 = false;
      // Float64 results reuse (or copy) the parsed values; NaN marked nulls and becomes 0.
      values = type === 'boolean' ? new Uint8Array(rows) : int32 ? new Int32Array(rows) : share ? d.slice(0, rows) : d.subarray(0, rows);
      const copy = !(values instanceof Float64Array);
      for (let r = 0; r < rows; r++) {
        const v = d[r];
        if (v !== v) {
          setNull(r);
          values[r] = 0;
        } else if (copy) values[r] = v;
      }
    } else {
      const codes = this.codes;
      const lut = new Float64Array(this.count + 1);
      for (let c = 1; c <= this.count; c++) {
        const v = this.nums[c];
        lut[c] = v;
        if (int32 && (v > 2147483647 || v < -2147483648)) int32 = false;
      }
      values = type === 'boolean' ? new Uint8Array(rows) : int32 ? new Int32Array(rows) : new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const c = codes[r];
        if (c === 0) setNull(r);
        else values[r] = lut[c];
      }
    }
    if (!share) this.release();
    return new NumericColumn(name, type, rows, values, nulls);
  }

  private release(): void {
    this.releaseDictionary();
    this.canon = Canon.RAW;
    this.direct = null;
    this.raw = null;
    this.rawOffs = null;
  }
}
