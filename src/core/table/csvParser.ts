/**
 * Byte-level CSV tokenizer.
 *
 * Why not papaparse: it works on JS strings, so every chunk must be decoded first (its stream mode
 * decodes chunk by chunk and corrupts UTF-8 characters split across chunk boundaries), and it
 * hands back one JS string per field, which the column store would then have to hash again to
 * dictionary-encode. Measured on the 1M-row Echo360-like file (bench/run.ts, section
 * `papaparse`): papaparse alone, decoding and splitting only, takes 2.3-3× the `gunzip | wc -l`
 * floor, already past the 1.5× ingest target before a single column is built. This tokenizer
 * works on the raw bytes: it scans for the delimiter/quote/newline bytes and hands
 * (buffer, start, end) to the sink, so a repeated value costs a byte compare (columns.ts) and is
 * never decoded; only distinct values ever become strings. On top of that, a record that starts
 * with the same bytes as the previous one (sorted exports: an Echo360 view is a run of 30-s rows
 * of one user/course/media) has those leading fields repeated without scanning them at all.
 *
 * Fields are always handed over as one contiguous byte range (a partial record at the end of a
 * chunk is carried into the next one), which is why multi-byte UTF-8 characters split across
 * chunks decode correctly.
 *
 * Limits (core/limits.ts): a record still incomplete past the record cap, a field past the field
 * cap and a record with more fields than the column cap stop the parse with a LimitError naming
 * the input and line, before anything of that size is allocated as a string: pending bytes are
 * bounded by the record cap, the unescape buffer by the field cap.
 */
import { DEFAULT_LIMITS, IngestLimits, LimitError, mb } from '../ingestLimits';

export const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Receives the fields of each record, in order. */
export interface FieldSink {
  /**
   * The records that follow, until the next begin, are read from `buf` (fields in other buffers
   * are unescaped copies that live only for the call). Records are complete at this point: a
   * record cut off by the end of a chunk was rolled back before.
   */
  begin?(buf: Buffer): void;
  /** One complete field: `buf[start, end)` (already unquoted), and whether it has non-ASCII bytes. */
  field(index: number, buf: Buffer, start: number, end: number, nonAscii: boolean): void;
  /**
   * The record's first `count` fields are byte for byte those of the previous record. Return false
   * to have them handed over as fields instead (e.g. when the previous record was the header).
   */
  repeat(count: number): boolean;
  /** The record ended after `fieldCount` fields. */
  endRow(fieldCount: number): void;
  /** The fields handed over since the last endRow belong to a record that is not complete yet: drop them (they come again). */
  rollbackRow(): void;
}

function growInt32(a: Int32Array, min: number): Int32Array {
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

function hasHighByte(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] > 127) return true;
  return false;
}

function countLf(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (buf[i] === LF) n++;
  return n;
}

export interface TokenizerOptions {
  limits?: IngestLimits;
  /** What is being read (a file path), for error messages. */
  label?: string;
}

export function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Streaming tokenizer. `push` parses every complete record in the chunk and keeps the trailing
 * partial record as pending bytes; `end` flushes it. A resumable quote-state scanner finds where a
 * pending record ends, so a record spanning many chunks is scanned once, not once per chunk.
 */
export class CsvTokenizer {
  private readonly d: number;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Quote state of the scanner over pending bytes: 0 field start, 1 unquoted, 2 quoted, 3 quote seen inside quoted. */
  private scanState = 0;
  private scratch = Buffer.allocUnsafe(4096);
  private ends: Int32Array = new Int32Array(64);
  /** Set when the input ended inside a quoted field (the field then runs to the end of input). */
  unclosedQuote = false;
  private ended = false;
  private readonly maxField: number;
  private readonly maxRecord: number;
  private readonly maxColumns: number;
  private readonly label: string;
  /** Records completed, blank lines skipped and line breaks inside quoted fields: the line count so far. */
  private linesDone = 0;
  /** The bytes parsed so far ended with a CR: an LF that comes next is the rest of that line end. */
  private crEnded = false;

  constructor(
    delimiter: number,
    private readonly sink: FieldSink,
    opts: TokenizerOptions = {},
  ) {
    this.d = delimiter;
    const limits = opts.limits ?? DEFAULT_LIMITS;
    this.maxField = limits.maxFieldBytes;
    this.maxRecord = limits.maxRecordBytes;
    this.maxColumns = limits.maxColumns;
    this.label = opts.label ?? 'the input';
  }

  /** 1-based line where the record being read starts. */
  get line(): number {
    return this.linesDone + 1;
  }

  push(chunk: Buffer): void {
    if (this.crEnded && chunk.length > 0) {
      // A CRLF split between chunks is one line end, not a line end and a blank line.
      this.crEnded = false;
      if (chunk[0] === LF) chunk = chunk.subarray(1);
    }
    if (chunk.length === 0) return;
    if (this.pendingLen === 0) {
      this.consume(chunk);
      return;
    }
    const end = this.scanRowEnd(chunk);
    if (end < 0) {
      if (this.pendingLen + chunk.length > this.maxRecord) this.recordTooLong();
      this.pending.push(Buffer.from(chunk));
      this.pendingLen += chunk.length;
      return;
    }
    if (this.pendingLen + end > this.maxRecord) this.recordTooLong();
    // Join only the pending record with its end, not the whole chunk: the rest is parsed in place.
    const head = chunk.subarray(0, end + 1);
    const joined = Buffer.concat([...this.pending, head], this.pendingLen + head.length);
    this.pending = [];
    this.pendingLen = 0;
    this.consume(joined);
    this.push(chunk.subarray(end + 1));
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.pendingLen === 0) return;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    this.parse(buf, 0, buf.length, true);
  }

  /** Parse the complete records of `buf`; keep the rest pending. */
  private consume(buf: Buffer): void {
    // Records can only end at a CR or LF, so nothing after the last one can complete now.
    const lim = Math.max(buf.lastIndexOf(LF), buf.lastIndexOf(CR)) + 1;
    const stop = lim > 0 ? this.parse(buf, 0, lim, false) : 0;
    this.crEnded = stop === buf.length && buf[stop - 1] === CR;
    if (stop < buf.length) {
      const tail = buf.subarray(stop);
      // The tail is rescanned once to learn its quote state; later chunks are scanned from there.
      this.scanState = 0;
      this.scanRowEnd(tail);
      if (tail.length > this.maxRecord) this.recordTooLong();
      // Copy: the caller's chunk may be a view on a buffer that gets reused.
      this.pending = [Buffer.from(tail)];
      this.pendingLen = tail.length;
    }
  }

  private recordTooLong(): never {
    const quoted = this.scanState === 2;
    throw new LimitError(
      'maxRecordBytes',
      `${this.label}, line ${this.line}: ${quoted ? 'a quoted field is never closed: it runs' : 'a line runs'} past ${mb(this.maxRecord)} (the record-size limit); stopped reading there.`,
    );
  }

  private fieldTooLong(): never {
    throw new LimitError('maxFieldBytes', `${this.label}, line ${this.line}: a field is longer than ${mb(this.maxField)} (the field-size limit); stopped reading there.`);
  }

  private tooManyColumns(): never {
    throw new LimitError(
      'maxColumns',
      `${this.label}, line ${this.line}: more than ${this.maxColumns.toLocaleString('en-US')} columns (the column limit); stopped reading there.`,
    );
  }

  /** Continue the quote-state scan over `buf`; index of the first record-ending byte, or -1. */
  private scanRowEnd(buf: Buffer): number {
    const d = this.d;
    let s = this.scanState;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      switch (s) {
        case 0:
        case 1:
          if (c === LF || c === CR) {
            this.scanState = 0;
            return i;
          }
          s = c === d ? 0 : s === 0 && c === QUOTE ? 2 : 1;
          break;
        case 2:
          if (c === QUOTE) s = 3;
          break;
        default: // 3: a quote inside a quoted field: escaped quote, or the field's end
          if (c === LF || c === CR) {
            this.scanState = 0;
            return i;
          }
          s = c === QUOTE ? 2 : c === d ? 0 : 1;
      }
    }
    this.scanState = s;
    return -1;
  }

  /**
   * Parse records in buf[pos, lim). Returns where the first incomplete record starts (lim when all
   * were complete). With `final`, reaching lim ends the record (end of input).
   */
  private parse(buf: Buffer, pos: number, lim: number, final: boolean): number {
    const d = this.d;
    const top = Math.max(d, CR); // bytes above this are never special: one compare for most bytes
    const sink = this.sink;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    // The previous record in this buffer: where it started, and where each of its delimiters was
    // (relative; quoted fields included, since equal raw bytes mean equal values either way). Exports are usually sorted by entity (an Echo360
    // view is 30-s rows of the same user/course/media), so a record often starts with the same
    // bytes as the one before; the fields inside that common prefix are the previous record's
    // fields again, which the sink copies without scanning, comparing or hashing them.
    let prevStart = -1;
    let prevDelims = 0;
    let ends: Int32Array = this.ends;
    sink.begin?.(buf);
    while (pos < lim) {
      const rowStart = pos;
      const linesAtRow = this.linesDone;
      let c = buf[pos];
      if (c === LF || c === CR) {
        // Blank line: not a record.
        pos++;
        if (c === CR && pos < lim && buf[pos] === LF) pos++;
        this.linesDone++;
        prevStart = -1;
        continue;
      }
      let fi = 0;
      if (prevStart >= 0 && prevDelims > 0) {
        const max = Math.min(ends[prevDelims - 1] + 1, lim - rowStart);
        let l = 0;
        while (l + 4 <= max && dv.getInt32(prevStart + l, true) === dv.getInt32(rowStart + l, true)) l += 4;
        while (l < max && buf[prevStart + l] === buf[rowStart + l]) l++;
        while (fi < prevDelims && ends[fi] < l) fi++;
        if (fi > 0) {
          if (sink.repeat(fi)) pos = rowStart + ends[fi - 1] + 1;
          else fi = 0;
        }
      }
      for (;;) {
        if (pos < lim && buf[pos] === QUOTE) {
          const after = this.quoted(buf, pos, lim, final, fi);
          if (after < 0) {
            sink.rollbackRow();
            this.linesDone = linesAtRow;
            return rowStart;
          }
          pos = after;
          fi++;
        } else {
          const s = pos;
          let or = 0;
          while (pos < lim) {
            c = buf[pos];
            if (c <= top && (c === d || c === LF || c === CR)) break;
            or |= c;
            pos++;
          }
          if (pos === lim && !final) {
            sink.rollbackRow();
            this.linesDone = linesAtRow;
            return rowStart;
          }
          if (pos - s > this.maxField) this.fieldTooLong();
          sink.field(fi++, buf, s, pos, or > 127);
        }
        if (pos >= lim) {
          sink.endRow(fi);
          this.linesDone++;
          return lim;
        }
        c = buf[pos++];
        if (c === d) {
          if (fi >= this.maxColumns) this.tooManyColumns();
          if (fi > ends.length) ends = this.ends = growInt32(ends, fi);
          ends[fi - 1] = pos - 1 - rowStart;
          continue;
        }
        if (c === CR && pos < lim && buf[pos] === LF) pos++;
        sink.endRow(fi);
        this.linesDone++;
        break;
      }
      prevStart = rowStart;
      prevDelims = fi - 1;
    }
    return pos;
  }

  /**
   * A quoted field starting at buf[pos] (the opening quote). Hands it to the sink and returns the
   * position of the byte after it (delimiter/newline/lim), or -1 when the record is incomplete.
   * Lenient like most readers: text after the closing quote, up to the next delimiter, is kept.
   */
  private quoted(buf: Buffer, pos: number, lim: number, final: boolean, fi: number): number {
    const start = pos + 1;
    const q = buf.indexOf(QUOTE, start);
    if (q >= 0 && q + 1 < lim) {
      const next = buf[q + 1];
      if (next === this.d || next === LF || next === CR) {
        // Common case: no escaped quotes, nothing after the closing quote: hand over in place.
        if (q - start > this.maxField) this.fieldTooLong();
        this.linesDone += countLf(buf, start, q);
        this.sink.field(fi, buf, start, q, hasHighByte(buf, start, q));
        return q + 1;
      }
    }
    // General case: unescape into the scratch buffer.
    let out = 0;
    let i = start;
    let closed = false;
    while (i < lim) {
      const c = buf[i];
      if (c === QUOTE) {
        if (i + 1 >= lim) {
          if (!final) return -1;
          closed = true;
          i++;
          break;
        }
        if (buf[i + 1] === QUOTE) {
          out = this.put(out, QUOTE);
          i += 2;
          continue;
        }
        closed = true;
        i++;
        break;
      }
      out = this.put(out, c);
      i++;
    }
    if (!closed) {
      if (!final) return -1;
      this.unclosedQuote = true;
    } else {
      while (i < lim) {
        const c = buf[i];
        if (c === this.d || c === LF || c === CR) break;
        out = this.put(out, c);
        i++;
      }
      if (i >= lim && !final) return -1;
    }
    const sc = this.scratch;
    this.linesDone += countLf(sc, 0, out);
    this.sink.field(fi, sc, 0, out, hasHighByte(sc, 0, out));
    return i;
  }

  private put(at: number, byte: number): number {
    if (at >= this.scratch.length) {
      if (at >= this.maxField) this.fieldTooLong();
      const bigger = Buffer.allocUnsafe(this.scratch.length * 2);
      this.scratch.copy(bigger, 0, 0, at);
      this.scratch = bigger;
    }
    this.scratch[at] = byte;
    return at + 1;
  }
}

const CANDIDATES = [0x2c, 0x09, 0x7c, 0x3b]; // , \t | ;

/**
 * Pick the delimiter among `,` `\t` `|` `;` from the first records of `sample`: the candidate that
 * appears in the header and whose count per record is most consistent; earlier candidates win ties.
 * Quotes are honoured so delimiters inside quoted values do not count.
 */
export function sniffDelimiter(sample: Uint8Array, final: boolean): number {
  const counts: number[][] = CANDIDATES.map(() => []);
  const cur = CANDIDATES.map(() => 0);
  let inQuotes = false;
  let lines = 0;
  let lineHasContent = false;
  let i = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf ? 3 : 0;
  for (; i < sample.length && lines < 50; i++) {
    const c = sample[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && (c === LF || c === CR)) {
      if (lineHasContent) {
        for (let k = 0; k < CANDIDATES.length; k++) {
          counts[k].push(cur[k]);
          cur[k] = 0;
        }
        lines++;
      }
      lineHasContent = false;
    } else {
      lineHasContent = true;
      if (!inQuotes) {
        const k = CANDIDATES.indexOf(c);
        if (k >= 0) cur[k]++;
      }
    }
  }
  if (final && lineHasContent && lines < 50) for (let k = 0; k < CANDIDATES.length; k++) counts[k].push(cur[k]);
  let best = CANDIDATES[0];
  let bestScore = -1;
  for (let k = 0; k < CANDIDATES.length; k++) {
    const per = counts[k];
    if (per.length === 0 || per[0] === 0) continue;
    const consistent = per.filter((n) => n === per[0]).length / per.length;
    if (consistent > bestScore) {
      bestScore = consistent;
      best = CANDIDATES[k];
    }
  }
  return best;
}
