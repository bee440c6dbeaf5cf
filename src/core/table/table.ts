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

  add(kind: WarningKind, row: number, detail?: number): void {
    let w = this.byKind.get(kind);
    if (!w) {
      w = { kind, message: '', count: 0, rows: [] };
      this.byKind.set(kind, w);
    }
    w.count++;
    if (w.rows.length < MAX_ROWS_LISTED) w.rows.push(row);
    if (detail !== undefined) {
      let m = this.extra.get(kind);
      if (!m) this.extra.set(kind, (m = new Map()));
      m.set(detail, (m.get(detail) ?? 0) + 1);
    }
  }

  note(kind: WarningKind, message: string): void {
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

/** Streams CSV bytes into columns; readable while it runs. */
export class TableBuilder implements FieldSink {
  private tokenizer: CsvTokenizer | undefined;
  private prelude: Buffer[] = [];
  private preludeLen = 0;
  private headerFields: string[] | undefined = [];
  private names: string[] = [];
  private cols: ColumnBuilder[] = [];
  private fieldsThisRow = 0;
  private readonly log = new WarningLog();
  private delimiterByte: number | undefined;
  private finished: Table | undefined;
  /** Complete data rows so far. */
  rowCount = 0;
  /** Bytes pushed so far. */
  bytes = 0;

  private readonly limits: IngestLimits | undefined;
  private readonly label: string | undefined;

  constructor(opts: { delimiter?: string; limits?: IngestLimits; label?: string } = {}) {
    this.limits = opts.limits;
    this.label = opts.label;
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
      return;
    }
    this.prelude.push(buf);
    this.preludeLen += buf.length;
    if (this.preludeLen >= (this.delimiterByte === undefined ? SNIFF_BYTES : 3)) this.start(false);
  }

  /** Ends the input and returns the finished table (the builder is spent afterwards). */
  finish(): Table {
    if (this.finished) return this.finished;
    if (!this.tokenizer) this.start(true);
    this.tokenizer!.end();
    if (this.tokenizer!.unclosedQuote)
      this.log.note('unclosed-quote', 'The input ended inside a quoted field; its value runs to the end of the input.');
    const warnings = this.warnings;
    const columns = this.cols.map((c, i) => c.build(this.names[i], this.rowCount, false));
    this.finished = new Table(columns, this.rowCount, warnings, String.fromCharCode(this.delimiterByte ?? 0x2c));
    this.cols = [];
    return this.finished;
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

  // ---- FieldSink

  field(index: number, buf: Buffer, start: number, end: number, nonAscii: boolean): void {
    this.fieldsThisRow = index + 1;
    const cols = this.cols;
    if (index < cols.length) cols[index].add(buf, start, end, nonAscii);
    else if (this.headerFields !== undefined) {
      if (nonAscii && !isUtf8(buf, start, end)) this.log.add('invalid-utf8', 0);
      this.headerFields.push(decodeBytes(buf, start, end, nonAscii));
    }
  }

  repeat(count: number): boolean {
    // The record before the first data row is the header: its fields are not values.
    if (this.headerFields !== undefined || this.rowCount === 0) return false;
    this.fieldsThisRow = count;
    const n = Math.min(count, this.cols.length);
    for (let i = 0; i < n; i++) this.cols[i].repeat();
    return true;
  }

  endRow(fieldCount: number): void {
    this.fieldsThisRow = 0;
    if (this.headerFields !== undefined) {
      this.setHeader(this.headerFields);
      this.headerFields = undefined;
      return;
    }
    const cols = this.cols;
    const row = this.rowCount + 1;
    if (fieldCount < cols.length) {
      // A line with a single empty field in a wide table is a stray blank-ish line; still a row.
      for (let i = fieldCount; i < cols.length; i++) cols[i].addNull();
      this.log.add('ragged-short', row, fieldCount);
    } else if (fieldCount > cols.length) this.log.add('ragged-long', row, fieldCount);
    this.rowCount++;
  }

  rollbackRow(): void {
    if (this.headerFields !== undefined) {
      this.headerFields = [];
    } else {
      const n = Math.min(this.fieldsThisRow, this.cols.length);
      for (let i = 0; i < n; i++) this.cols[i].truncate(this.rowCount);
    }
    this.fieldsThisRow = 0;
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
