/**
 * The grid's filter row: one small text box per column, read with a tiny syntax so one box covers
 * every filter the host supports without menus:
 *
 *   text        contains (case-insensitive)      =text   equals
 *   =           empty                            !=      not empty
 *   10..20      inclusive range (numbers, dates; either side may be left out: "..20", "10..")
 *   >=10, <=20  open ranges                      12 (on a number column) equals 12
 *
 * Parsing lives here, apart from the DOM, so it can be tested on its own.
 */
import type { ColumnFilter, ColumnType } from '../src/protocol';
import { isNumericType } from './format';

export const FILTER_HELP =
  'Filter: text contains · =text equals · = empty · != not empty · 10..20, >=10, <=20 ranges (numbers, dates)';

function bound(text: string, type: ColumnType): number | string | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (isNumericType(type) && type !== 'date' && type !== 'datetime') {
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  // Dates and datetimes travel as ISO text; the host parses them against the column's type.
  return /^\d{4}-\d{2}(-\d{2}([T ][\d:.]+Z?)?)?$/.test(t) ? t : undefined;
}

/** The filter for one box's text; null when the box is blank, 'invalid' when it cannot be read. */
export function parseFilter(text: string, column: number, type: ColumnType): ColumnFilter | null | 'invalid' {
  const t = text.trim();
  if (t === '') return null;
  if (t === '=') return { column, op: 'empty' };
  if (t === '!=') return { column, op: 'notEmpty' };
  const ranged = type !== 'string' && type !== 'boolean';
  if (ranged) {
    const dots = t.indexOf('..');
    let min: number | string | null | undefined;
    let max: number | string | null | undefined;
    if (dots >= 0) {
      min = bound(t.slice(0, dots), type);
      max = bound(t.slice(dots + 2), type);
    } else if (t.startsWith('>=')) {
      min = bound(t.slice(2), type);
      max = null;
    } else if (t.startsWith('<=')) {
      min = null;
      max = bound(t.slice(2), type);
    } else if (type === 'integer' || type === 'number') {
      const v = bound(t.startsWith('=') ? t.slice(1) : t, type);
      if (v === undefined || v === null) return 'invalid';
      return { column, op: 'range', min: v, max: v };
    }
    if (min !== undefined || max !== undefined) {
      if (min === undefined || max === undefined || (min === null && max === null)) return 'invalid';
      return { column, op: 'range', min, max };
    }
  }
  if (t.startsWith('=')) return { column, op: 'equals', value: t.slice(1) };
  return { column, op: 'contains', value: t };
}

/** The box text that reproduces a filter (restoring saved state). */
export function filterText(f: ColumnFilter): string {
  switch (f.op) {
    case 'empty':
      return '=';
    case 'notEmpty':
      return '!=';
    case 'equals':
      return `=${f.value}`;
    case 'contains':
      return f.value;
    case 'range':
      if (f.min !== null && f.min === f.max && typeof f.min === 'number') return String(f.min);
      return `${f.min ?? ''}..${f.max ?? ''}`;
  }
}
