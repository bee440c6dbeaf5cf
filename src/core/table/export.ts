/**
 * Export of a view as a stream of text chunks (CSV, TSV or JSON), so a million-row export is never
 * one giant string. The caller writes the chunks to a file (or a document) as they come.
 */
import { guardFormula } from '../formulaGuard';
import { AnyColumn, StringColumn } from './columns';
import { Table } from './table';
import { ColumnRef, View, allRows } from './view';

export type ExportFormat = 'csv' | 'tsv' | 'json';

export interface ExportOptions {
  /**
   * For files opened in spreadsheets (CSV/TSV): text cells starting with `=`, `+`, `-`, `@`, tab or
   * CR get a leading `'` so they are not run as formulas. Numbers, dates and booleans from typed
   * columns are never altered (a `-12.5` in a numeric column stays `-12.5`). JSON is never guarded.
   */
  formulaGuard?: boolean;
  /** Columns to export, in this order; default all. */
  columns?: readonly ColumnRef[];
  /** Line ending; default CRLF for CSV (RFC 4180), LF for TSV and JSON. */
  newline?: string;
  /** Approximate characters per yielded chunk (default 64 Ki). */
  chunkChars?: number;
}

/**
 * A consumer that only awaits the generator never gives the event loop a turn (async generators
 * resume through microtasks), so a million-row export would freeze the extension host for seconds.
 * Every few chunks, wait for a macrotask.
 */
const CHUNKS_PER_TURN = 16;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** RFC 4180 quoting: a field with the delimiter, a quote, CR or LF is quoted, quotes doubled. */
export function quoteField(text: string, delimiter: string): string {
  if (text.includes('"')) return '"' + text.replace(/"/g, '""') + '"';
  if (text.includes(delimiter) || text.includes('\n') || text.includes('\r')) return '"' + text + '"';
  return text;
}

/** One text cell as written to CSV/TSV. */
export function encodeTextCell(text: string, delimiter: string, guard: boolean): string {
  return quoteField(guard ? guardFormula(text) : text, delimiter);
}

type CellWriter = (row: number) => string;

function delimitedWriter(col: AnyColumn, delimiter: string, guard: boolean): CellWriter {
  if (col instanceof StringColumn) {
    // Each distinct value is encoded once.
    const cache: (string | undefined)[] = new Array(col.dict.length);
    cache[0] = '';
    const codes = col.codes;
    return (r) => {
      const c = codes[r];
      let s = cache[c];
      if (s === undefined) s = cache[c] = encodeTextCell(col.dict[c], delimiter, guard);
      return s;
    };
  }
  // Typed values as text (digits, signs, '.', 'e', ISO dates, true/false) never need quoting for
  // the comma or tab of CSV/TSV (the only delimited formats), and are never formula-guarded.
  return (r) => {
    const v = col.display(r);
    return v === null ? '' : String(v);
  };
}

function jsonWriter(col: AnyColumn): CellWriter {
  const key = JSON.stringify(col.name) + ':';
  if (col instanceof StringColumn) {
    const cache: (string | undefined)[] = new Array(col.dict.length);
    cache[0] = key + 'null';
    const codes = col.codes;
    return (r) => {
      const c = codes[r];
      let s = cache[c];
      if (s === undefined) s = cache[c] = key + JSON.stringify(col.dict[c]);
      return s;
    };
  }
  return (r) => key + JSON.stringify(col.display(r));
}

/** The view's rows as text chunks in the given format (header row first for CSV/TSV). */
export async function* exportView(
  table: Table,
  view: View | Uint32Array | null | undefined,
  format: ExportFormat,
  opts: ExportOptions = {},
): AsyncGenerator<string, void, undefined> {
  const rows = !view ? allRows(table) : view instanceof Uint32Array ? view : view.rows;
  const cols = (opts.columns ?? table.columns.map((_, i) => i)).map((c) => table.column(c));
  const chunkChars = opts.chunkChars ?? 65536;
  const parts: string[] = [];
  let size = 0;
  let chunks = 0;
  if (format === 'json') {
    const nl = opts.newline ?? '\n';
    const writers = cols.map(jsonWriter);
    parts.push('[');
    size = 1;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      let line = (i === 0 ? nl : ',' + nl) + '{';
      for (let c = 0; c < writers.length; c++) line += (c === 0 ? '' : ',') + writers[c](r);
      line += '}';
      parts.push(line);
      size += line.length;
      if (size >= chunkChars) {
        yield parts.join('');
        parts.length = 0;
        size = 0;
        if (++chunks % CHUNKS_PER_TURN === 0) await nextTurn();
      }
    }
    parts.push(nl + ']' + nl);
    yield parts.join('');
    return;
  }
  const delimiter = format === 'tsv' ? '\t' : ',';
  const nl = opts.newline ?? (format === 'csv' ? '\r\n' : '\n');
  const guard = !!opts.formulaGuard;
  const header = cols.map((c) => encodeTextCell(c.name, delimiter, guard)).join(delimiter) + nl;
  parts.push(header);
  size = header.length;
  const writers = cols.map((c) => delimitedWriter(c, delimiter, guard));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let line = writers.length > 0 ? writers[0](r) : '';
    for (let c = 1; c < writers.length; c++) line += delimiter + writers[c](r);
    // An empty line would read back as a blank line (skipped), not as one empty value.
    if (line === '' && writers.length === 1) line = '""';
    line += nl;
    parts.push(line);
    size += line.length;
    if (size >= chunkChars) {
      yield parts.join('');
      parts.length = 0;
      size = 0;
      if (++chunks % CHUNKS_PER_TURN === 0) await nextTurn();
    }
  }
  if (parts.length > 0) yield parts.join('');
}
