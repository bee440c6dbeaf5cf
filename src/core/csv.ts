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
  const guard = opts.formulaGuard ?? true;
  const text = (s: string) => (guard ? guardFormula(s) : s);
  // papaparse writes null and undefined as empty fields.
  const cell = (c: CsvCell) => (typeof c === 'string' ? text(c) : c);
  return (
    Papa.unparse(
      { fields: columns.map(text), data: rows.map((r) => r.map(cell)) },
      { delimiter: opts.delimiter ?? ',', newline: '\n' },
    ) + '\n'
  );
}

/**
 * TSV for `insights posthog list`: tabs and newlines inside values become spaces; other control
 * characters and bidi overrides from servers are shown escaped (a listing is read in a terminal).
 */
export function tsvLine(values: (string | number)[]): string {
  return values.map((v) => safeText(String(v).replace(/[\t\r\n]+/g, ' '))).join('\t') + '\n';
}
