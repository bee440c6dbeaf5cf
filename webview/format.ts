/** How cells and counts read on screen and on the clipboard. */
import { guardFormula } from '../src/core/formulaGuard';
import type { CellValue, ColumnType } from '../src/protocol';

const countFormat = new Intl.NumberFormat(undefined);

/** "1,204" in the user's locale (the webview's locale follows VS Code's display language). */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * Text drawn in a cell. Integers stay unformatted (ids and years must not grow separators);
 * fractions lose binary noise (0.1 + 0.2 shows 0.3) but keep 12 significant digits. Null draws as
 * '' — the grid marks it with a dimmed style, so it differs from an empty string on screen
 * without putting invented text into the DOM. Line breaks show as ↵ because rows are one line
 * high; the clipboard still gets the value as it is.
 */
export function cellText(v: CellValue): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    return String(Number.parseFloat(v.toPrecision(12)));
  }
  return typeof v === 'string' ? v.replace(/\r\n|\r|\n/g, '↵') : String(v);
}

export function isNumericType(t: ColumnType): boolean {
  return t === 'integer' || t === 'number';
}

/**
 * Raw value for the clipboard: exact, never the rounded display text. With the formula guard, a
 * text cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` (numbers never do).
 */
function clipboardText(v: CellValue, guard: boolean): string {
  const s = v === null ? '' : typeof v === 'string' && guard ? guardFormula(v) : String(v);
  // Spreadsheet-style quoting, so a tab, CR or LF inside a value does not split the cell.
  return /[\t\n\r"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as tab-separated text for the clipboard (`\n` between rows); the formula guard is on unless `guard` is false. */
export function toTsv(header: string[] | null, rows: CellValue[][], guard = true): string {
  const lines: string[] = [];
  if (header) lines.push(header.map((h) => clipboardText(h, guard)).join('\t'));
  for (const r of rows) lines.push(r.map((v) => clipboardText(v, guard)).join('\t'));
  return lines.join('\n');
}

export function singleCellText(v: CellValue): string {
  return v === null ? '' : String(v);
}
