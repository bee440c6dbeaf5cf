/**
 * Values as bytes: classifying one distinct value (integer / number / boolean / date / datetime)
 * straight from its bytes, ISO date parsing and formatting (UTC, epoch ms), UTF-8 checks and the
 * fast slice decoders. Used by the column builders once per distinct value, so nothing here runs
 * per row unless a column is stored directly (see ColumnBuilder). The calendar arithmetic is the
 * date module's (src/core/dates.ts).
 */
import { DAY_MS, daysFromCivil, daysInMonth } from '../dates';

export type ColumnType = 'integer' | 'number' | 'boolean' | 'datetime' | 'date' | 'string';
/** What the grid shows: strings as stored, numbers as numbers, booleans, dates as ISO strings. */
export type DisplayValue = string | number | boolean | null;

// Classification bits. A value's mask holds every type it can be read as; a column's mask is the
// AND over its distinct values.
export const INT = 1;
export const NUM = 2;
export const BOOL = 4;
export const DATE = 8;
export const DT = 16;
export const ALL = INT | NUM | BOOL | DATE | DT;

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

// Formatting runs per row (grid windows, search over dates, exports), so it avoids a Date per call:
// day strings are cached (exports touch few distinct days) and the time of day is assembled from
// precomputed digit strings. Output is exactly Date.prototype.toISOString's.
const dayCache = new Map<number, string>();
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

function dayString(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, -14);
    if (dayCache.size >= 1 << 16) dayCache.clear();
    dayCache.set(day, s);
  }
  return s;
}

/** `YYYY-MM-DD` (UTC) of epoch ms. */
export function formatDate(ms: number): string {
  return dayString(Math.floor(ms / DAY_MS));
}

/** ISO 8601 `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC) of epoch ms. */
export function formatDateTime(ms: number): string {
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let t = ms - day * DAY_MS;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const sec = t % 60;
  t = (t - sec) / 60;
  const min = t % 60;
  const hour = (t - min) / 60;
  return dayString(day) + 'T' + PAD2[hour] + ':' + PAD2[min] + ':' + PAD2[sec] + '.' + PAD3[milli] + 'Z';
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
export const classified = { value: 0 };

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
  const day = daysFromCivil(y, mo, d) * DAY_MS;
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
  proto.latin1Slice ??
  function (this: Uint8Array, s: number, e: number) {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('latin1', s, e);
  };
const utf8Slice: SliceFn =
  proto.utf8Slice ??
  function (this: Uint8Array, s: number, e: number) {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('utf8', s, e);
  };

export function decodeBytes(buf: Uint8Array, s: number, e: number, nonAscii: boolean): string {
  // utf8Slice replaces malformed sequences with U+FFFD, which is what we keep after warning.
  return nonAscii ? utf8Slice.call(buf, s, e) : latin1Slice.call(buf, s, e);
}

/** Display form of a raw numeric value of a column of this type (booleans 0/1, dates as epoch ms). */
export function displayOf(type: ColumnType, v: number): DisplayValue {
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
