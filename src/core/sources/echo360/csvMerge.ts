/**
 * Merges the CSV files of a run's chunks into one CSV: the header once (every chunk's header must
 * match), then each chunk's rows in order, in the delimiter the user asked for.
 *
 * Speed matters here: one videoview week is ~1M rows / ~275 MB of CSV. Everything streams. When
 * the file's delimiter is already the output delimiter (the usual case: the run asks Echo360 for
 * it), rows are copied as bytes after the header line; only a delimiter change re-parses.
 */
import { StringDecoder } from 'node:string_decoder';
import { InsightError } from '../../errors';
import { DEFAULT_LIMITS, IngestLimits, LimitError, mb } from '../../ingestLimits';
import { ResultFileWriter } from './resultFile';
import { EchoDelimiter, delimiterName } from './types';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** A header longer than this is not a header: the file is not the CSV we expect. */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * RFC 4180 tokenizer over text arriving in pieces. Lenient like the CSV readers people use: a
 * quote inside an unquoted field is kept as text; `\r` outside quotes is dropped (CRLF files).
 */
export class CsvTokenizer {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** A quote closed the text inside quotes at the very end of a piece: `""` or a closing quote. */
  private quoteAtEnd = false;
  private atFieldStart = true;
  private readonly d: number;

  constructor(
    delimiter: string,
    /** Longest field, in UTF-16 units (a field over the byte cap is over it in units too, or close). */
    private readonly maxField = DEFAULT_LIMITS.maxFieldBytes,
    private readonly where = 'the CSV',
  ) {
    this.d = delimiter.charCodeAt(0);
  }

  private checkField(): void {
    if (this.field.length > this.maxField)
      throw new LimitError('maxFieldBytes', `${this.where}: a field is longer than ${mb(this.maxField)} (the field-size limit); stopped reading there.`);
  }

  push(text: string, onRecord: (fields: string[]) => void): void {
    let i = 0;
    const n = text.length;
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (n > 0 && text.charCodeAt(0) === QUOTE) {
        this.field += '"';
        i = 1;
      } else this.inQuotes = false;
    }
    const d = this.d;
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          this.field += text.slice(i);
          this.checkField();
          return;
        }
        this.field += text.slice(i, q);
        this.checkField();
        if (q + 1 === n) {
          this.quoteAtEnd = true;
          return;
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === d || c === LF || c === CR || c === QUOTE) break;
        j++;
      }
      if (j > i) {
        this.field += text.slice(i, j);
        this.checkField();
        this.atFieldStart = false;
      }
      if (j === n) return;
      const c = text.charCodeAt(j);
      i = j + 1;
      if (c === d) {
        this.fields.push(this.field);
        this.field = '';
        this.atFieldStart = true;
      } else if (c === QUOTE) {
        if (this.atFieldStart) this.inQuotes = true;
        else this.field += '"';
        this.atFieldStart = false;
      } else if (c === LF) {
        this.fields.push(this.field);
        onRecord(this.fields);
        this.fields = [];
        this.field = '';
        this.atFieldStart = true;
      }
    }
  }

  /** True between records: nothing of a record has been read yet. */
  atRecordStart(): boolean {
    return this.fields.length === 0 && this.field === '' && this.atFieldStart && !this.inQuotes && !this.quoteAtEnd;
  }

  end(onRecord: (fields: string[]) => void): void {
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) throw new InsightError('data', 'The CSV ends inside a quoted field: the file is cut short.');
    if (this.field !== '' || this.fields.length > 0 || !this.atFieldStart) {
      this.fields.push(this.field);
      onRecord(this.fields);
    }
    this.fields = [];
    this.field = '';
    this.atFieldStart = true;
  }
}

const NEEDS_QUOTES: Record<EchoDelimiter, RegExp> = { ',': /[",\r\n]/, '|': /["|\r\n]/, '\t': /["\t\r\n]/ };

export function formatRecord(fields: string[], delimiter: EchoDelimiter): string {
  const re = NEEDS_QUOTES[delimiter];
  let out = '';
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k];
    if (k > 0) out += delimiter;
    out += re.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
  }
  return out;
}

/** Blank lines are not records. */
function isBlank(fields: string[]): boolean {
  return fields.length === 1 && fields[0] === '';
}

/**
 * Counts record ends (LF outside quotes) in `buf`, carrying the quote state across buffers;
 * `state.lastEnd` is set to the index of the last one (-1: none in this buffer).
 */
export function countRecordEnds(buf: Uint8Array, state: { inQuotes: boolean; lastEnd?: number }): number {
  let count = 0;
  let last = -1;
  let q = state.inQuotes;
  let i = 0;
  const n = buf.length;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  // Jumps between quotes and newlines with indexOf (memchr) instead of a byte loop: most rows
  // have no quotes at all.
  while (i < n) {
    if (q) {
      const close = b.indexOf(QUOTE, i);
      if (close === -1) break;
      q = false;
      i = close + 1;
    } else {
      const open = b.indexOf(QUOTE, i);
      const stop = open === -1 ? n : open;
      let nl = b.indexOf(LF, i);
      while (nl !== -1 && nl < stop) {
        count++;
        last = nl;
        nl = b.indexOf(LF, nl + 1);
      }
      if (open === -1) break;
      q = true;
      i = open + 1;
    }
  }
  state.inQuotes = q;
  state.lastEnd = last;
  return count;
}

/** Where the first record ends (index of its LF), or -1 when `buf` does not hold a whole record yet. */
function firstRecordEnd(buf: Buffer): number {
  const state = { inQuotes: false };
  let i = 0;
  while (i < buf.length) {
    const nl = buf.indexOf(LF, i);
    if (nl === -1) return -1;
    countRecordEnds(buf.subarray(i, nl), state);
    if (!state.inQuotes) return nl;
    i = nl + 1;
  }
  return -1;
}

export interface MergeMark {
  size: number;
  rows: number;
  header: string[] | undefined;
  headerSource: string | undefined;
}

/**
 * The merged result. `beginPart` for each asset of each chunk, in chronological order; `mark` and
 * `rollback` undo a part whose download broke off.
 */
export class CsvMerger {
  header: string[] | undefined;
  private headerSource: string | undefined;
  rows = 0;
  /** Called once, when the first data row has been written. */
  onFirstRows: (() => void) | undefined;

  readonly limits: IngestLimits;

  constructor(
    readonly out: ResultFileWriter,
    readonly delimiter: EchoDelimiter,
    limits?: IngestLimits,
  ) {
    this.limits = limits ?? DEFAULT_LIMITS;
  }

  mark(): MergeMark {
    return { size: this.out.size, rows: this.rows, header: this.header, headerSource: this.headerSource };
  }

  async rollback(m: MergeMark): Promise<void> {
    await this.out.truncate(m.size);
    this.rows = m.rows;
    this.header = m.header;
    this.headerSource = m.headerSource;
  }

  beginPart(label: string, inputDelimiter: EchoDelimiter): CsvPart {
    return new CsvPart(this, label, inputDelimiter);
  }

  /** @internal Checks a part's header against the first one; writes it when it is the first. */
  async acceptHeader(fields: string[], label: string, inputDelimiter: EchoDelimiter, raw: Buffer | undefined): Promise<void> {
    if (fields.length > this.limits.maxColumns) {
      throw new LimitError(
        'maxColumns',
        `${label}, line 1: more than ${this.limits.maxColumns.toLocaleString('en-US')} columns (the column limit); stopped reading there.`,
      );
    }
    if (fields.length > 0) fields[0] = fields[0].replace(/^\uFEFF/, '');
    if (!this.header) {
      this.header = fields;
      this.headerSource = label;
      // Byte-for-byte when nothing changes, so the result equals the chunks concatenated.
      await this.out.write(raw && inputDelimiter === this.delimiter ? raw : Buffer.from(formatRecord(fields, this.delimiter) + '\n'));
      return;
    }
    if (fields.length !== this.header.length || fields.some((f, i) => f !== this.header![i])) {
      const show = (h: string[]) => h.join(delimiterName(this.delimiter) === '\\t' ? '\t' : this.delimiter);
      throw new InsightError(
        'data',
        `The header of ${label} does not match ${this.headerSource}: expected "${show(this.header)}", got "${show(fields)}".`,
        {
          next: 'Echo360 changed the report columns between chunks; request those ranges as separate runs.',
        },
      );
    }
  }

  /** @internal */
  async writeRows(data: Buffer, rows: number): Promise<void> {
    if (data.length === 0) return;
    const before = this.rows;
    this.rows += rows;
    await this.out.write(data);
    if (before === 0 && this.rows > 0) this.onFirstRows?.();
  }
}

/** One CSV file (one signed asset) flowing into the merger. */
export class CsvPart {
  private phase: 'header' | 'rows' = 'header';
  private head: Buffer[] = [];
  private headBytes = 0;
  private readonly fast: boolean;
  private readonly quoteState: { inQuotes: boolean; lastEnd?: number } = { inQuotes: false };
  /** Bytes of the record being copied (fast path) since its last record end. */
  private recordBytes = 0;
  /** Data records of this part so far (for the line in limit errors). */
  private partRows = 0;
  private lastByte = LF;
  private decoder: StringDecoder | undefined;
  private tokenizer: CsvTokenizer | undefined;
  /** The unfinished last line of the text converted so far (slow path). */
  private carry = '';
  private bomChecked = false;

  constructor(
    private readonly merger: CsvMerger,
    readonly label: string,
    private readonly inputDelimiter: EchoDelimiter,
  ) {
    this.fast = inputDelimiter === merger.delimiter;
  }

  async push(chunk: Buffer): Promise<void> {
    let buf = chunk;
    if (!this.bomChecked && this.phase === 'header') {
      if (this.headBytes + buf.length < 3) {
        this.head.push(buf);
        this.headBytes += buf.length;
        return;
      }
      buf = this.takeHead(buf);
      this.bomChecked = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (this.phase === 'header') {
      buf = this.takeHead(buf);
      const end = firstRecordEnd(buf);
      if (end === -1) {
        if (buf.length > MAX_HEADER_BYTES) throw new InsightError('data', `${this.label} does not start with a CSV header line.`);
        this.head = [buf];
        this.headBytes = buf.length;
        return;
      }
      await this.header(buf.subarray(0, end + 1));
      buf = buf.subarray(end + 1);
    }
    await this.rows(buf);
  }

  async end(): Promise<void> {
    if (this.phase === 'header') {
      const rest = this.takeHead(Buffer.alloc(0));
      const body = this.bomChecked || !(rest[0] === 0xef && rest[1] === 0xbb && rest[2] === 0xbf) ? rest : rest.subarray(3);
      // An empty file has no header and no rows: nothing to add.
      if (body.length > 0) await this.header(Buffer.concat([body, Buffer.from('\n')]));
      return;
    }
    if (this.fast) {
      // Rows of the next part must start on a new line.
      if (this.lastByte !== LF) await this.merger.writeRows(Buffer.from('\n'), 1);
      if (this.quoteState.inQuotes) throw new InsightError('data', `${this.label} ends inside a quoted field: the file is cut short.`);
      return;
    }
    await this.convert(this.decoder!.end(), true);
  }

  private recordTooLong(): never {
    throw new LimitError(
      'maxRecordBytes',
      `${this.label}, data row ${this.partRows + 1}: ${this.quoteState.inQuotes ? 'a quoted field is never closed: it runs' : 'a line runs'} past ${mb(this.merger.limits.maxRecordBytes)} (the record-size limit); stopped reading there.`,
    );
  }

  private takeHead(buf: Buffer): Buffer {
    if (this.head.length === 0) return buf;
    const all = Buffer.concat([...this.head, buf]);
    this.head = [];
    this.headBytes = 0;
    return all;
  }

  private async header(line: Buffer): Promise<void> {
    let fields: string[] = [];
    const t = new CsvTokenizer(this.inputDelimiter);
    t.push(line.toString('utf8'), (f) => (fields = f));
    t.end((f) => (fields = fields.length ? fields : f));
    await this.merger.acceptHeader(fields, this.label, this.inputDelimiter, line);
    this.phase = 'rows';
    if (!this.fast) {
      this.decoder = new StringDecoder('utf8');
      this.tokenizer = new CsvTokenizer(this.inputDelimiter, this.merger.limits.maxFieldBytes, this.label);
    }
  }

  private async rows(buf: Buffer): Promise<void> {
    if (buf.length === 0) return;
    if (this.fast) {
      const n = countRecordEnds(buf, this.quoteState);
      const lastEnd = this.quoteState.lastEnd ?? -1;
      this.recordBytes = lastEnd >= 0 ? buf.length - lastEnd - 1 : this.recordBytes + buf.length;
      this.partRows += n;
      // Bytes are copied, not held, but a record that never ends is not a report row either.
      if (this.recordBytes > this.merger.limits.maxRecordBytes) this.recordTooLong();
      this.lastByte = buf[buf.length - 1];
      await this.merger.writeRows(buf, n);
      return;
    }
    await this.convert(this.decoder!.write(buf), false);
  }

  /**
   * Re-delimits text. A line without quotes is one whole record whose fields cannot hold a quote
   * or a newline, so it is converted with native string operations; only lines with quotes (and
   * the records they start) go through the tokenizer. Most report rows have no quotes.
   */
  private async convert(text: string, final: boolean): Promise<void> {
    const inD = this.inputDelimiter;
    const outD = this.merger.delimiter;
    const t = this.tokenizer!;
    const out: string[] = [];
    const emit = (f: string[]) => {
      if (!isBlank(f)) out.push(formatRecord(f, outD));
    };
    const s = this.carry + text;
    this.carry = '';
    let i = 0;
    while (i < s.length) {
      const nl = s.indexOf('\n', i);
      if (!t.atRecordStart()) {
        // Inside a quoted record that spans lines: the tokenizer reads on to its end.
        t.push(nl === -1 ? s.slice(i) : s.slice(i, nl + 1), emit);
        i = nl === -1 ? s.length : nl + 1;
        continue;
      }
      if (nl === -1 && !final) {
        this.carry = s.slice(i);
        if (this.carry.length > this.merger.limits.maxRecordBytes) this.recordTooLong();
        break;
      }
      let line = s.slice(i, nl === -1 ? s.length : nl);
      i = nl === -1 ? s.length : nl + 1;
      if (line.indexOf('"') !== -1) {
        t.push(line + '\n', emit);
        continue;
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') continue;
      if (line.indexOf(outD) === -1 && line.indexOf('\r') === -1) out.push(line.replaceAll(inD, outD));
      else out.push(formatRecord(line.split(inD), outD));
    }
    if (final) t.end(emit);
    this.partRows += out.length;
    if (out.length) await this.merger.writeRows(Buffer.from(out.join('\n') + '\n'), out.length);
  }
}
