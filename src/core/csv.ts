import Papa from 'papaparse';
import { safeText } from './text';

export type CsvCell = string | number | boolean | null | undefined;

/** RFC 4180 CSV (papaparse's writer): fields with delimiters, quotes or newlines are quoted. */
export function toCsv(columns: string[], rows: CsvCell[][], delimiter = ','): string {
  return Papa.unparse({ fields: columns, data: rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : c))) }, { delimiter, newline: '\n' }) + '\n';
}

/**
 * TSV for `insights posthog list`: tabs and newlines inside values become spaces; other control
 * characters and bidi overrides from servers are shown escaped (a listing is read in a terminal).
 */
export function tsvLine(values: (string | number)[]): string {
  return values.map((v) => safeText(String(v).replace(/[\t\r\n]+/g, ' '))).join('\t') + '\n';
}
