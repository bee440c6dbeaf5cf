/**
 * Column storage.
 *
 * While ingesting, EVERY column is dictionary-encoded on its raw bytes (ColumnBuilder): a row is
 * a Uint32 code, each distinct byte string is stored once, and each distinct value is classified
 * once (integer / number / boolean / date / datetime) when it first appears. A column's type is the
 * most specific class shared by all its distinct values. This is what makes type inference safe:
 * a column that looked like integers for 900k rows and then meets "n/a" simply becomes a string
 * column — the raw bytes of every earlier value are still in its dictionary, nothing is re-read and
 * nothing is lost. Typed arrays are only built when the table is finished (or snapshotted), from a
 * code → value lookup table, so parsing cost is per distinct value, not per row.
 *
 * Finished columns: StringColumn (codes + string dictionary, code 0 = null) and NumericColumn
 * (integer/number/boolean/date/datetime in a typed array plus a null bitset; dates and datetimes
 * as epoch milliseconds, UTC).
 */

export type ColumnType = 'integer' | 'number' | 'boolean' | 'datetime' | 'date' | 'string';
/** What the grid shows: strings as stored, numbers as numbers, booleans, dates as ISO strings. */
export type DisplayValue = string | number | boolean | null;

// Classification bits. A value's mask holds every type it can be read as; a column's mask is the
// AND over its distinct values.
const INT = 1;
const NUM = 2;
const BOOL = 4;
const DATE = 8;
const DT = 16;
const ALL = INT | NUM | BOOL | DATE | DT;

export function typeOfMask(mask: number, sawValue: boolean): ColumnType {
  if (!sawValue) return 'string';
  if (mask & INT) return 'integer';
  if (mask & NUM) return 'number';
  if (mask & BOOL) return 'boolean';
  if (mask & DATE) return 'date';
  if (mask & DT) return 'datetime';
  return 'string';
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
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

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parse an ISO date (`YYYY-MM-DD`) or datetime string to epoch ms; NaN when it is neither. */
export function parseIsoDate(text: string): number {
  const b = Buffer.from(text, 'latin1');
  const m = classifyBytes(b, 0, b.length);
  return m & (DATE | DT) ? classified.value : NaN;
}

// ---------------------------------------------------------------------------------------------
// Classifying one distinct value from its bytes (no string is made unless a decimal must be parsed)

/** Output slot of classifyBytes, to avoid allocating a result per value. */
const classified = { value: 0 };

function digit(b: number): number {
  return b >= 0x30 && b <= 0x39 ? b - 0x30 : -1;
}

function num2(buf: Uint8Array, i: number): number {
  const a = digit(buf[i]);
  const b = digit(buf[i + 1]);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** Classification mask of buf[s, e) (already known non-empty); sets classified.value. */
export function classifyBytes(buf: Uint8Array, s: number, e: number): number {
  while (s < e && buf[s] === 0x20) s++;
  while (e > s && buf[e - 1] === 0x20) e--;
  const n = e - s;
  if (n === 0) return 0;
  const c0 = buf[s];
  // Numbers. Leading zeros ("007", ZIP codes) and integers over 15 digits (long ids) stay strings,
  // so what the user sees is never changed by the typing.
  if ((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x2d || c0 === 0x2b || c0 === 0x2e) {
    let i = s;
    if (c0 === 0x2d || c0 === 0x2b) i++;
    const intStart = i;
    let v = 0;
    while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) v = v * 10 + (buf[i++] - 0x30);
    const intDigits = i - intStart;
    if (intDigits > 1 && buf[intStart] === 0x30) return dateBytes(buf, s, e, n);
    if (i === e) {
      if (intDigits === 0 || intDigits > 15) return 0;
      classified.value = c0 === 0x2d ? -v : v;
      return INT | NUM;
    }
    if (intDigits === 4 && buf[i] === 0x2d) return dateBytes(buf, s, e, n);
    let frac = 0;
    if (buf[i] === 0x2e) {
      i++;
      const f0 = i;
      while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
      frac = i - f0;
      if (frac === 0) return 0;
    }
    if (intDigits === 0 && frac === 0) return 0;
    if (i < e && (buf[i] === 0x65 || buf[i] === 0x45)) {
      i++;
      if (i < e && (buf[i] === 0x2d || buf[i] === 0x2b)) i++;
      const x0 = i;
      while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
      if (i === x0) return 0;
    }
    if (i !== e) return 0;
    if (intDigits + frac > 17) return 0;
    classified.value = Number(latin1Slice.call(buf, s, e));
    return Number.isFinite(classified.value) ? NUM : 0;
  }
  if (n === 4 || n === 5) {
    const l = (i: number) => buf[s + i] | 0x20;
    if (n === 4 && l(0) === 0x74 && l(1) === 0x72 && l(2) === 0x75 && l(3) === 0x65) {
      classified.value = 1;
      return BOOL;
    }
    if (n === 5 && l(0) === 0x66 && l(1) === 0x61 && l(2) === 0x6c && l(3) === 0x73 && l(4) === 0x65) {
      classified.value = 0;
      return BOOL;
    }
  }
  return 0;
}

/** `YYYY-MM-DD` → DATE|DT; `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:MM]]` → DT. */
function dateBytes(buf: Uint8Array, s: number, e: number, n: number): number {
  if (n < 10 || buf[s + 4] !== 0x2d || buf[s + 7] !== 0x2d) return 0;
  const y = num2(buf, s) * 100 + num2(buf, s + 2);
  const mo = num2(buf, s + 5);
  const d = num2(buf, s + 8);
  if (y < 0 || num2(buf, s) < 0 || num2(buf, s + 2) < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return 0;
  const day = daysFromCivil(y, mo, d) * 86400000;
  if (n === 10) {
    classified.value = day;
    return DATE | DT;
  }
  let i = s + 10;
  const sep = buf[i];
  if ((sep !== 0x54 && sep !== 0x20) || n < 16 || buf[i + 3] !== 0x3a) return 0;
  const hh = num2(buf, i + 1);
  const mm = num2(buf, i + 4);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return 0;
  i += 6;
  let ss = 0;
  let ms = 0;
  if (i < e && buf[i] === 0x3a) {
    ss = num2(buf, i + 1);
    if (i + 3 > e || ss < 0 || ss > 59) return 0;
    i += 3;
    if (i < e && (buf[i] === 0x2e || buf[i] === 0x2c)) {
      i++;
      const f0 = i;
      let scale = 100;
      while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) {
        ms += (buf[i] - 0x30) * scale;
        scale /= 10;
        i++;
      }
      if (i === f0) return 0;
      ms = Math.floor(ms + 1e-9);
    }
  }
  let offset = 0;
  if (i < e) {
    const z = buf[i];
    if (z === 0x5a || z === 0x7a) i++;
    else if (z === 0x2b || z === 0x2d) {
      const oh = num2(buf, i + 1);
      if (i + 3 > e || oh < 0 || oh > 23) return 0;
      i += 3;
      let om = 0;
      if (i < e && buf[i] === 0x3a) i++;
      if (i < e) {
        om = num2(buf, i);
        if (i + 2 > e || om < 0 || om > 59) return 0;
        i += 2;
      }
      offset = (oh * 60 + om) * 60000 * (z === 0x2d ? -1 : 1);
    }
    if (i !== e) return 0;
  }
  classified.value = day + ((hh * 60 + mm) * 60 + ss) * 1000 + ms - offset;
  return DT;
}

// ---------------------------------------------------------------------------------------------
// UTF-8

/** True when buf[s, e) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
export function isValidUtf8(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  while (i < e) {
    const c = buf[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= e) return false;
    const c1 = buf[i + 1];
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= need; k++) {
      const ck = buf[i + k];
      if (ck < 0x80 || ck > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

// Buffer's own slice decoders skip toString's argument checks; they matter when a column has
// hundreds of thousands of distinct values. Fall back to toString where they are missing.
type SliceFn = (this: Uint8Array, start: number, end: number) => string;
const proto = Buffer.prototype as unknown as { latin1Slice?: SliceFn; utf8Slice?: SliceFn };
const latin1Slice: SliceFn =
  proto.latin1Slice ?? function (this: Uint8Array, s: number, e: number) { return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('latin1', s, e); };
const utf8Slice: SliceFn =
  proto.utf8Slice ?? function (this: Uint8Array, s: number, e: number) { return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('utf8', s, e); };

export function decodeBytes(buf: Uint8Array, s: number, e: number, nonAscii: boolean): string {
  // utf8Slice replaces malformed sequences with U+FFFD, which is what we keep after warning.
  return nonAscii ? utf8Slice.call(buf, s, e) : latin1Slice.call(buf, s, e);
}

// ---------------------------------------------------------------------------------------------
// Finished columns

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
    readonly codes: Uint32Array,
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

function compareFolded(ka: string, a: string, kb: string, b: string): number {
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
    const v = this.values[row];
    switch (this.type) {
      case 'boolean':
        return v !== 0;
      case 'date':
        return formatDate(v);
      case 'datetime':
        return formatDateTime(v);
      default:
        return v;
    }
  }

  text(row: number): string | null {
    const v = this.display(row);
    return v === null ? null : String(v);
  }
}

export type AnyColumn = StringColumn | NumericColumn;

// ---------------------------------------------------------------------------------------------
// Builder: bytes → dictionary codes, during ingest

function grow<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, min: number): T {
  let size = a.length * 2;
  while (size < min) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Past this many distinct values, a typed column whose values are mostly distinct (timestamps to
 * the second, measurements) leaves the dictionary: hashing and storing a million distinct values
 * costs more than parsing each row's bytes, and saves nothing.
 */
const DIRECT_MIN_DISTINCT = 1 << 15;

export class ColumnBuilder {
  /** Rows so far. */
  length = 0;
  private codes = new Uint32Array(256);
  /** Distinct values so far; codes 1..count. */
  count = 0;
  private arena = new Uint8Array(256);
  private arenaLen = 0;
  private offs = new Uint32Array(16); // entry c = arena[offs[c-1], offs[c]) (offs[0] = 0)
  private hashes = new Int32Array(16);
  private flags = new Uint8Array(16); // bit 0: non-ASCII
  private nums = new Float64Array(16);
  private slots = new Int32Array(16);
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
    const offs = this.offs;
    // Same as the previous value? (Most rows repeat most of the previous row.) Then no hashing.
    const lc = this.lastCode;
    if (lc !== 0) {
      const a0 = offs[lc - 1];
      if (offs[lc] - a0 === len) {
        let k = 0;
        while (k < len && arena[a0 + k] === buf[s + k]) k++;
        if (k === len) {
          this.codes[this.length++] = lc;
          return;
        }
      }
    }
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const code = slots[slot];
      if (code === 0) break;
      if (this.hashes[code] === h) {
        const a0 = offs[code - 1];
        if (offs[code] - a0 === len) {
          let k = 0;
          while (k < len && arena[a0 + k] === buf[s + k]) k++;
          if (k === len) {
            this.codes[this.length++] = code;
            this.lastCode = code;
            return;
          }
        }
      }
      slot = (slot + 1) & mask;
    }
    const code = this.insert(buf, s, e, h, nonAscii, slot);
    this.codes[this.length++] = code;
    this.lastCode = code;
    if (code >= DIRECT_MIN_DISTINCT && code * 2 > this.length && (this.mask & (INT | NUM | DATE | DT)) !== 0) this.goDirect();
  }

  /** This row's value is the previous row's (same bytes). */
  repeat(): void {
    const r = this.length;
    if (this.direct !== null) {
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

  truncate(rows: number): void {
    if (rows < this.length) {
      this.length = rows;
      if (this.rawOffs) this.rawLen = this.rawOffs[rows];
    }
  }

  private insert(buf: Uint8Array, s: number, e: number, h: number, nonAscii: boolean, slot: number): number {
    const code = ++this.count;
    const len = e - s;
    if (this.arenaLen + len > this.arena.length) this.arena = grow(this.arena, this.arenaLen + len);
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
    this.slots[slot] = code;
    if (this.count * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let c = 1; c <= this.count; c++) {
      let slot = this.hashes[c] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = c;
    }
    this.slots = slots;
  }

  /** Leave the dictionary: parsed values and raw bytes per row from here on. */
  private goDirect(): void {
    const n = this.length;
    const direct = new Float64Array(Math.max(256, n * 2));
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
    const n = this.length;
    const raw = Buffer.from(this.raw!.buffer, this.raw!.byteOffset, this.rawLen);
    const offs = this.rawOffs!;
    const nonAscii = this.rawNonAscii;
    this.direct = null;
    this.raw = null;
    this.rawOffs = null;
    this.codes = new Uint32Array(Math.max(256, n * 2));
    this.arena = new Uint8Array(1024);
    this.arenaLen = 0;
    this.offs = new Uint32Array(16);
    this.hashes = new Int32Array(16);
    this.flags = new Uint8Array(16);
    this.nums = new Float64Array(16);
    this.slots = new Int32Array(16);
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

  private releaseDictionary(): void {
    this.arena = new Uint8Array(0);
    this.slots = new Int32Array(1);
    this.offs = new Uint32Array(1);
    this.hashes = new Int32Array(1);
    this.flags = new Uint8Array(1);
    this.nums = new Float64Array(1);
    this.strs = [];
    this.codes = new Uint32Array(0);
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
    if (Number.isNaN(v)) return null;
    switch (type) {
      case 'boolean':
        return v !== 0;
      case 'date':
        return formatDate(v);
      case 'datetime':
        return formatDateTime(v);
      default:
        return v;
    }
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
    this.direct = null;
    this.raw = null;
    this.rawOffs = null;
  }
}
