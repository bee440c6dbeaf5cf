/**
 * The table and its streaming builder.
 *
 * TableBuilder takes byte chunks (HTTP body, file, gunzip output) in any sizes, tokenizes them
 * (csvParser.ts) straight into dictionary-encoding column builders (columns.ts), and can be read
 * while it runs: `rowCount`, `rows(start, count)` for the first screenful, `snapshot()` for a
 * sortable table of what has arrived so far. `finish()` turns it into a Table of typed columns.
 */
import { InsightError } from '../errors';
import { IngestLimits } from '../ingestLimits';
import { CsvTokenizer, FieldSink, sniffDelimiter, toBuffer } from './csvParser';
import { AnyColumn, ColumnBuilder, ColumnType, DisplayValue, decodeBytes } from './columns';

export type WarningKind = 'ragged-short' | 'ragged-long' | 'invalid-utf8' | 'duplicate-header' | 'empty-header' | 'unclosed-quote';

/** Something odd about the input that did not stop the load. `rows`: the first data rows (1-based, header excluded) where it happened. */
export interface IngestWarning {
  kind: WarningKind;
  message: string;
  count: number;
  rows: number[];
}

export interface IngestOptions {
  /** One character; sniffed among `,` `\t` `|` `;` when absent. */
  delimiter?: string;
  /** Field, record and column caps (core/limits.ts); the defaults when absent. */
  limits?: IngestLimits;
  /** What is being read (a file path), named in limit errors. */
  label?: string;
  signal?: AbortSignal;
  /** Called after each chunk with the rows and bytes (as received) so far. */
  onProgress?: (rows: number, bytes: number) => void;
}

export type ByteSource = AsyncIterable<Uint8Array | string>;

const SNIFF_BYTES = 64 * 1024;
const MAX_ROWS_LISTED = 20;

export class Table {
  private byName: Map<string, number> | undefined;

  constructor(
    readonly columns: readonly AnyColumn[],
    readonly rowCount: number,
    readonly warnings: readonly IngestWarning[] = [],
    readonly delimiter = ',',
  ) {}

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** Index of a column given by name or index; a usage error when there is no such column. */
  columnIndex(ref: string | number): number {
    if (typeof ref === 'number') {
      if (Number.isInteger(ref) && ref >= 0 && ref < this.columns.length) return ref;
    } else {
      this.byName ??= new Map(this.columns.map((c, i) => [c.name, i]));
      const i = this.byName.get(ref);
      if (i !== undefined) return i;
    }
    throw new InsightError('usage', `No column ${typeof ref === 'number' ? '#' + ref : JSON.stringify(ref)} in this table.`);
  }

  column(ref: string | number): AnyColumn {
    return this.columns[this.columnIndex(ref)];
  }

  row(r: number): DisplayValue[] {
    return this.columns.map((c) => c.display(r));
  }
}

class WarningLog {
  private byKind = new Map<WarningKind, IngestWarning>();
  private extra = new Map<WarningKind, Map<number, number>>();
  /** Told about every add and note (a tokenizing builder forwards its warnings, see RowsOut). */
  forward: ((kind: WarningKind, row: number, detail: number | undefined, message: string | undefined) => void) | undefined;

  add(kind: WarningKind, row: number, detail?: number): void {
    this.forward?.(kind, row, detail, undefined);
    let w = this.byKind.get(kind);
    if (!w) {
      w = { kind, message: '', count: 0, rows: [] };
      this.byKind.set(kind, w);
    }
    w.count++;
    // The first rows, in order (columns report theirs column by column, a batch of rows at a time).
    const rows = w.rows;
    if (rows.length < MAX_ROWS_LISTED || row < rows[rows.length - 1]) {
      let i = rows.length;
      while (i > 0 && rows[i - 1] > row) i--;
      rows.splice(i, 0, row);
      if (rows.length > MAX_ROWS_LISTED) rows.pop();
    }
    if (detail !== undefined) {
      let m = this.extra.get(kind);
      if (!m) this.extra.set(kind, (m = new Map()));
      m.set(detail, (m.get(detail) ?? 0) + 1);
    }
  }

  note(kind: WarningKind, message: string): void {
    this.forward?.(kind, 0, undefined, message);
    this.byKind.set(kind, { kind, message, count: 1, rows: [] });
  }

  list(columns: number): IngestWarning[] {
    const out: IngestWarning[] = [];
    for (const w of this.byKind.values()) {
      const rows = `row${w.count > 1 ? 's' : ''} ${w.rows.join(', ')}${w.count > w.rows.length ? ', …' : ''}`;
      const counts = [...(this.extra.get(w.kind) ?? new Map<number, number>()).keys()].sort((a, b) => a - b).join('/');
      let message = w.message;
      if (w.kind === 'ragged-short')
        message = `${w.count} row${w.count > 1 ? 's' : ''} had fewer fields (${counts}) than the header (${columns}) and ${w.count > 1 ? 'were' : 'was'} padded with empty values: ${rows}.`;
      else if (w.kind === 'ragged-long')
        message = `${w.count} row${w.count > 1 ? 's' : ''} had more fields (${counts}) than the header (${columns}); the extra fields were dropped: ${rows}.`;
      else if (w.kind === 'invalid-utf8')
        message = `Invalid UTF-8 bytes (shown as U+FFFD) in ${w.count} distinct value${w.count > 1 ? 's' : ''}, first at ${w.rows[0] === 0 ? 'the header' : 'row ' + w.rows[0]}; is the file in another encoding?`;
      out.push({ ...w, message });
    }
    return out;
  }
}

/** Fields batched before the column builders see them (see TableBuilder.flush). */
const BATCH_FIELDS = 1 << 15;
/** A tokenizing builder's batch: a whole chunk's fields, so each chunk goes across once. */
const OUT_BATCH_FIELDS = 1 << 18;

/**
 * Where a builder that only tokenizes (on a worker thread, parseRemote.ts) sends what it finds;
 * a builder on the other side replays it with acceptHeader / acceptWarning / acceptRows.
 */
export interface RowsOut {
  /** A warning added (message undefined) or noted, in the order the builder logged it. */
  warning(kind: WarningKind, row: number, detail: number | undefined, message: string | undefined): void;
  /** The header record's fields, and the delimiter in use. */
  header(fields: string[], delimiter: number): void;
  /** A batch of rows (FieldBatch's layout; `side`: the bytes its unescaped fields use); the arrays are reused after the call. */
  rows(base: Buffer, side: Buffer, pos: Int32Array, flags: Uint8Array, rows: number, width: number): void;
}
/** A batched field's end when the value is the previous row's (a repeated prefix), or a null. */
const SAME = -1;
const NULL = -2;

/**
 * The fields of the rows tokenized since the last flush, as positions in the buffer being parsed.
 * Field k = row * width + column: bytes base[pos[2k], pos[2k + 1]) (or side[…] when flags bit 1
 * is set: an unescaped copy), flags bit 0 when they hold non-ASCII bytes; an end of SAME or NULL
 * instead of a range.
 */
class FieldBatch {
  readonly cap: number;
  readonly pos: Int32Array;
  readonly flags: Uint8Array;
  rows = 0;
  side = Buffer.allocUnsafe(4096);
  sideLen = 0;

  constructor(
    readonly width: number,
    fields = BATCH_FIELDS,
  ) {
    this.cap = Math.max(1, Math.floor(fields / width));
    this.pos = new Int32Array(this.cap * width * 2);
    this.flags = new Uint8Array(this.cap * width);
  }

  put(column: number, base: Buffer | undefined, buf: Buffer, start: number, end: number, nonAscii: boolean): void {
    const k = this.rows * this.width + column;
    if (buf === base) {
      this.pos[2 * k] = start;
      this.pos[2 * k + 1] = end;
      this.flags[k] = nonAscii ? 1 : 0;
      return;
    }
    const len = end - start;
    if (this.sideLen + len > this.side.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.side.length * 2, this.sideLen + len));
      this.side.copy(bigger, 0, 0, this.sideLen);
      this.side = bigger;
    }
    buf.copy(this.side, this.sideLen, start, end);
    this.pos[2 * k] = this.sideLen;
    this.pos[2 * k + 1] = this.sideLen + len;
    this.flags[k] = nonAscii ? 3 : 2;
    this.sideLen += len;
  }

  mark(column: number, what: typeof SAME | typeof NULL): void {
    this.pos[2 * (this.rows * this.width + column) + 1] = what;
  }
}

/** Streams CSV bytes into columns; readable while it runs. */
export class TableBuilder implements FieldSink {
  private tokenizer: CsvTokenizer | undefined;
  private prelude: Buffer[] = [];
  private preludeLen = 0;
  private headerFields: string[] | undefined = [];
  private names: string[] = [];
  private cols: ColumnBuilder[] = [];
  /** The buffer the tokenizer reads records from now (FieldSink.begin). */
  private base: Buffer | undefined;
  /** Fields not yet handed to the column builders (from the header on). */
  private batch: FieldBatch | undefined;
  private readonly log = new WarningLog();
  private delimiterByte: number | undefined;
  private finished: Table | undefined;
  /** Complete data rows so far. */
  rowCount = 0;
  /** Bytes pushed so far. */
  bytes = 0;

  private readonly limits: IngestLimits | undefined;
  private readonly label: string | undefined;
  /** Set: this builder only tokenizes, and sends rows and warnings there (no columns here). */
  private readonly out: RowsOut | undefined;
  /** Rows come from acceptRows (tokenized elsewhere), not from push. */
  private accepting = false;

  constructor(opts: { delimiter?: string; limits?: IngestLimits; label?: string; out?: RowsOut } = {}) {
    this.limits = opts.limits;
    this.label = opts.label;
    this.out = opts.out;
    if (this.out) {
      const out = this.out;
      this.log.forward = (kind, row, detail, message) => out.warning(kind, row, detail, message);
    }
    if (opts.delimiter !== undefined && opts.delimiter !== '') {
      const b = Buffer.from(opts.delimiter, 'utf8');
      if (b.length !== 1 || b[0] === 0x22 || b[0] === 0x0a || b[0] === 0x0d)
        throw new InsightError(
          'usage',
          `The delimiter must be one single-byte character other than a quote or newline, not ${JSON.stringify(opts.delimiter)}.`,
        );
      this.delimiterByte = b[0];
    }
  }

  /** The delimiter in use (known once enough bytes arrived to sniff it). */
  get delimiter(): string | undefined {
    return this.delimiterByte === undefined || !this.tokenizer ? undefined : String.fromCharCode(this.delimiterByte);
  }

  /** Column names and types inferred so far (empty until the header arrived). */
  get columns(): { name: string; type: ColumnType }[] {
    return this.cols.map((c, i) => ({ name: this.names[i], type: c.type }));
  }

  get warnings(): IngestWarning[] {
    return this.log.list(this.cols.length);
  }

  push(chunk: Uint8Array | string): void {
    if (this.finished) throw new Error('TableBuilder.push after finish');
    const buf = toBuffer(chunk);
    this.bytes += buf.length;
    if (this.tokenizer) {
      this.tokenizer.push(buf);
      this.flush();
      return;
    }
    this.prelude.push(buf);
    this.preludeLen += buf.length;
    if (this.preludeLen >= (this.delimiterByte === undefined ? SNIFF_BYTES : 3)) this.start(false);
    this.flush();
  }

  /** Ends the input and returns the finished table (the builder is spent afterwards). */
  finish(): Table {
    if (this.finished) return this.finished;
    if (!this.accepting) this.endInput();
    const warnings = this.warnings;
    const columns = this.cols.map((c, i) => c.build(this.names[i], this.rowCount, false));
    this.finished = new Table(columns, this.rowCount, warnings, String.fromCharCode(this.delimiterByte ?? 0x2c));
    this.cols = [];
    return this.finished;
  }

  /** Tokenizes what is left of the input (a tokenizing builder's last rows and warnings go out). */
  endInput(): void {
    if (!this.tokenizer) this.start(true);
    this.tokenizer!.end();
    this.flush();
    this.base = undefined;
    if (this.tokenizer!.unclosedQuote)
      this.log.note('unclosed-quote', 'The input ended inside a quoted field; its value runs to the end of the input.');
  }

  // ---- Rows tokenized elsewhere (parseRemote.ts), replayed in the order they were found

  acceptHeader(fields: string[], delimiter: number): void {
    this.accepting = true;
    this.delimiterByte = delimiter;
    this.setHeader(fields);
  }

  acceptWarning(kind: WarningKind, row: number, detail: number | undefined, message: string | undefined): void {
    this.accepting = true;
    if (message === undefined) this.log.add(kind, row, detail);
    else this.log.note(kind, message);
  }

  acceptRows(base: Uint8Array, side: Uint8Array, pos: Int32Array, flags: Uint8Array, rows: number): void {
    this.toColumns(base, side, pos, flags, rows);
    this.rowCount += rows;
  }

  /** A batch of rows (FieldBatch's layout, one field per column) to the column builders, column by column. */
  private toColumns(base: Uint8Array, side: Uint8Array, pos: Int32Array, flags: Uint8Array, rows: number): void {
    for (let i = 0; i < this.cols.length; i++) this.cols[i].addRows(base, side, pos, flags, i, this.cols.length, rows);
  }

  /** A table of the rows ingested so far; ingest can go on. Costs one pass over those rows. */
  snapshot(): Table {
    if (this.finished) return this.finished;
    const columns = this.cols.map((c, i) => c.build(this.names[i], this.rowCount, true));
    return new Table(columns, this.rowCount, this.warnings, String.fromCharCode(this.delimiterByte ?? 0x2c));
  }

  /** Display values of rows already ingested, [start, start + count) clipped to rowCount. */
  rows(start: number, count: number): DisplayValue[][] {
    if (this.finished) {
      const t = this.finished;
      const end = Math.min(t.rowCount, start + count);
      const out: DisplayValue[][] = [];
      for (let r = Math.max(0, start); r < end; r++) out.push(t.row(r));
      return out;
    }
    const end = Math.min(this.rowCount, start + count);
    const out: DisplayValue[][] = [];
    for (let r = Math.max(0, start); r < end; r++) out.push(this.cols.map((c) => c.display(r)));
    return out;
  }

  /** Reads a whole byte stream into the table. */
  async ingest(source: ByteSource, opts: Omit<IngestOptions, 'delimiter'> = {}): Promise<Table> {
    const { signal, onProgress } = opts;
    const cancelled = () => new InsightError('cancelled', 'Loading the table was cancelled.');
    if (signal?.aborted) throw cancelled();
    for await (const chunk of source) {
      if (signal?.aborted) throw cancelled();
      this.push(chunk);
      onProgress?.(this.rowCount, this.bytes);
    }
    if (signal?.aborted) throw cancelled();
    const table = this.finish();
    onProgress?.(table.rowCount, this.bytes);
    return table;
  }

  private start(final: boolean): void {
    let buf = this.prelude.length === 1 ? this.prelude[0] : Buffer.concat(this.prelude, this.preludeLen);
    this.prelude = [];
    if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    this.delimiterByte ??= sniffDelimiter(buf, final);
    this.tokenizer = new CsvTokenizer(this.delimiterByte, this, { limits: this.limits, label: this.label });
    this.tokenizer.push(buf);
  }

  /**
   * Hands the batched rows to the column builders, one column at a time: each builder then works
   * through a run of its own values with its own dictionary warm in the cache, rather than every
   * row touching all the dictionaries in turn. A builder sees its rows in order, so the result is
   * the same as adding field by field. Runs before push returns (the batch points into its chunk).
   */
  private flush(): void {
    const b = this.batch;
    if (b === undefined || b.rows === 0) return;
    const base = this.base ?? b.side;
    if (this.out) this.out.rows(base, b.side.subarray(0, b.sideLen), b.pos, b.flags, b.rows, b.width);
    else this.toColumns(base, b.side, b.pos, b.flags, b.rows);
    b.rows = 0;
    b.sideLen = 0;
  }

  // ---- FieldSink

  begin(buf: Buffer): void {
    this.flush();
    this.base = buf;
  }

  field(index: number, buf: Buffer, start: number, end: number, nonAscii: boolean): void {
    const b = this.batch;
    if (b !== undefined) {
      if (index < b.width) b.put(index, this.base, buf, start, end, nonAscii);
    } else if (this.headerFields !== undefined) {
      if (nonAscii && !isUtf8(buf, start, end)) this.log.add('invalid-utf8', 0);
      this.headerFields.push(decodeBytes(buf, start, end, nonAscii));
    }
  }

  repeat(count: number): boolean {
    // The record before the first data row is the header: its fields are not values.
    if (this.headerFields !== undefined || this.rowCount === 0) return false;
    const b = this.batch!;
    const n = Math.min(count, b.width);
    for (let i = 0; i < n; i++) b.mark(i, SAME);
    return true;
  }

  endRow(fieldCount: number): void {
    if (this.headerFields !== undefined) {
      if (this.out) {
        this.out.header(this.headerFields, this.delimiterByte!);
        this.batch = new FieldBatch(this.headerFields.length, OUT_BATCH_FIELDS);
      } else this.setHeader(this.headerFields);
      this.headerFields = undefined;
      return;
    }
    const b = this.batch!;
    const width = b.width;
    const row = this.rowCount + 1;
    if (fieldCount < width) {
      // A line with a single empty field in a wide table is a stray blank-ish line; still a row.
      for (let i = fieldCount; i < width; i++) b.mark(i, NULL);
      this.log.add('ragged-short', row, fieldCount);
    } else if (fieldCount > width) this.log.add('ragged-long', row, fieldCount);
    this.rowCount++;
    if (++b.rows === b.cap) this.flush();
  }

  rollbackRow(): void {
    // A record cut off by the end of a chunk: its fields so far are dropped (the batch's next row
    // overwrites them; the column builders never saw them).
    if (this.headerFields !== undefined) this.headerFields = [];
  }

  private setHeader(raw: string[]): void {
    const used = new Set<string>();
    const dupes: string[] = [];
    const empties: number[] = [];
    const names = raw.map((n, i) => {
      let name = n.trim();
      if (name === '') {
        empties.push(i + 1);
        name = `column_${i + 1}`;
      }
      return name;
    });
    // Names that are taken as written win over generated suffixes (`a,a,a_2` → a, a_3, a_2).
    const taken = new Set(names);
    for (let i = 0; i < names.length; i++) {
      const base = names[i];
      if (!used.has(base)) {
        used.add(base);
        continue;
      }
      let k = 2;
      while (used.has(`${base}_${k}`) || taken.has(`${base}_${k}`)) k++;
      names[i] = `${base}_${k}`;
      used.add(names[i]);
      dupes.push(`"${base}" → "${names[i]}"`);
    }
    if (dupes.length)
      this.log.note(
        'duplicate-header',
        `Duplicate column names were made unique: ${dupes.slice(0, 10).join(', ')}${dupes.length > 10 ? ', …' : ''}.`,
      );
    if (empties.length)
      this.log.note(
        'empty-header',
        `Column${empties.length > 1 ? 's' : ''} ${empties.slice(0, 10).join(', ')} had no name and ${empties.length > 1 ? 'were' : 'was'} named column_N.`,
      );
    this.names = names;
    this.cols = names.map(() => new ColumnBuilder((r) => this.log.add('invalid-utf8', r + 1)));
    this.batch = new FieldBatch(names.length);
  }
}

function isUtf8(buf: Buffer, s: number, e: number): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(s, e));
    return true;
  } catch {
    return false;
  }
}

/** Reads a whole CSV byte stream (file, HTTP body, gunzip output) into a Table. */
export function ingestCsv(source: ByteSource, opts: IngestOptions = {}): Promise<Table> {
  return new TableBuilder({ delimiter: opts.delimiter, limits: opts.limits, label: opts.label }).ingest(source, opts);
}
