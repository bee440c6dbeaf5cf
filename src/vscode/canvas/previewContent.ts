/**
 * From core tables + neutral ChartSpecs to what the preview panel is given, in one place.
 *
 * The core describes every chart an answer calls for (line, bar, stacked bar, histogram, box,
 * scatter: src/core/sources/canvas/charts.ts); the preview draws them all. A table with several
 * charts (assignments: box plot and on-time/late/missing bars) shows the first and offers the
 * others in the panel's chart picker.
 */
import { CanvasEndpointId, ChartSpec, NamedTable, toPreviewChart } from '../../core/sources/canvas';
import type { ChartSpec as PreviewChartSpec } from '../../protocol';
import type { CellValue, ColumnInfo } from '../preview';

export interface TableView {
  table: NamedTable;
  /** Every chart the core proposes for this table, in its order. */
  specs: ChartSpec[];
  /** The chart the preview shows first. */
  chart?: PreviewChartSpec;
  /** The others, in the panel's chart picker. */
  moreCharts?: PreviewChartSpec[];
}

/** The preview's charts for a list of specs: the first shown, the rest in the picker. */
export function chartOf(specs: readonly ChartSpec[]): { chart?: PreviewChartSpec; moreCharts?: PreviewChartSpec[] } {
  const all = specs.map(toPreviewChart);
  if (all.length === 0) return {};
  return all.length === 1 ? { chart: all[0] } : { chart: all[0], moreCharts: all.slice(1) };
}

/**
 * Pairs charts with tables. Two-table answers (department activity: by date / by category;
 * student activity: page views / participations) list their charts in table order, and the
 * second chart is absent when its table is empty; one-table answers get all their charts.
 */
export function previewContentFor(_id: CanvasEndpointId, tables: readonly NamedTable[], charts: readonly ChartSpec[]): TableView[] {
  return tables.map((table, i) => {
    const specs = tables.length === 1 ? [...charts] : charts[i] ? [charts[i]] : [];
    return { table, specs, ...chartOf(specs) };
  });
}

/** Column types from the values, so the grid right-aligns and sorts numbers as numbers. */
export function columnInfos(columns: readonly string[], rows: readonly (readonly CellValue[])[]): ColumnInfo[] {
  return columns.map((name, i) => ({ name, type: columnType(rows, i) }));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

function columnType(rows: readonly (readonly CellValue[])[], i: number): ColumnInfo['type'] {
  let numbers = 0;
  let ints = true;
  let dates = 0;
  let datetimes = 0;
  let seen = 0;
  for (const r of rows) {
    const v = r[i];
    if (v === null || v === undefined || v === '') continue;
    seen++;
    if (typeof v === 'number') {
      numbers++;
      if (!Number.isInteger(v)) ints = false;
    } else if (typeof v === 'string' && DATE.test(v)) dates++;
    else if (typeof v === 'string' && DATETIME.test(v)) datetimes++;
    else return 'string';
  }
  if (seen === 0) return 'string';
  if (numbers === seen) return ints ? 'integer' : 'number';
  if (dates === seen) return 'date';
  if (dates + datetimes === seen) return 'datetime';
  return 'string';
}
