import Papa from 'papaparse';
import { safeText } from './text';
import { guardFormula } from './formulaGuard';

export type CsvCell = string | number | boolean | null | undefined;

export interface CsvOptions {
  /** Field delimiter; default `,`. */
  delimiter?: string;
  /**
   * Prefix `'` to text cells (and header names) that start with `=`, `+`, `-`, `@`, tab or CR, so
   * spreadsheets do not run them as formulas (src/core/formulaGuard.ts). Numbers and booleans are
   * never changed. Default on; turned off by `insightExplorer.export.formulaGuard` = false or the
   * CLI's `--no-formula-guard`.
   */
  formulaGuard?: boolean;
}

/**
 * RFC 4180 CSV (papaparse's writer): fields with the delimiter, a quote, CR or LF, or a leading or
 * trailing space are quoted, quotes doubled. Lines end with `\n`, and the text with one.
 */
export function toCsv(columns: string[], rows: CsvCell[][], opts: CsvOptions = {}): string {
  return csvHeader(columns, opts) + csvRows(rows, opts);
}

/** The header line of `toCsv`: a CSV written in parts is `csvHeader` + `csvRows` of each part. */
export function csvHeader(columns: string[], opts: CsvOptions = {}): string {
  const guard = opts.formulaGuard ?? true;
  return Papa.unparse([columns.map((c) => (guard ? guardFormula(c) : c))], { delimiter: opts.delimiter ?? ',', newline: '\n' }) + '\n';
}

/** The lines of `rows` as `toCsv` writes them, each ending with `\n` (empty for no rows). */
export function csvRows(rows: CsvCell[][], opts: CsvOptions = {}): string {
  if (rows.length === 0) return '';
  const guard = opts.formulaGuard ?? true;
  // papaparse writes null and undefined as empty fields.
  const cell = (c: CsvCell) => (typeof c === 'string' && guard ? guardFormula(c) : c);
  return Papa.unparse(guard ? rows.map((r) => r.map(cell)) : rows, { delimiter: opts.delimiter ?? ',', newline: '\n' }) + '\n';
}

/**
 * TSV for `insights posthog list`: tabs and newlines inside values become spaces; other control
 * characters and bidi overrides from servers are shown escaped (a listing is read in a terminal).
 */
export function tsvLine(values: (string | number)[]): string {
  return values.map((v) => safeText(String(v).replace(/[\t\r\n]+/g, ' '))).join('\t') + '\n';
}
