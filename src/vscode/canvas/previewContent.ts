/**
 * From core tables + neutral ChartSpecs to what the preview panel is given, in one place.
 *
 * The core describes every chart an answer calls for (line, bar, stacked bar, histogram, box,
 * scatter: src/core/sources/canvas/charts.ts). Today's preview draws line and bar only, so each
 * table gets `toSimpleChart` of its first drawable spec, and a note naming the chart when none is
 * drawable. The full `specs` stay on every view: once the preview draws every kind, `chartOf`
 * below is the one line to change.
 */
import { CanvasEndpointId, ChartSpec, NamedTable, SimpleChart, toSimpleChart } from '../../core/sources/canvas';
import type { CellValue, ColumnInfo } from '../preview';

export interface TableView {
  table: NamedTable;
  /** Every chart the core proposes for this table, in its order. */
  specs: ChartSpec[];
  /** What the preview draws today. */
  chart?: SimpleChart;
  /** Shown instead of a chart when none of `specs` can be drawn yet. */
  chartNote?: string;
}

const KIND_NAME: Record<ChartSpec['kind'], string> = {
  line: 'line chart',
  bar: 'bar chart',
  stackedBar: 'stacked bar chart',
  histogram: 'histogram',
  box: 'box plot',
  scatter: 'scatter plot',
};

/** The chart and note the preview gets for a list of specs. */
export function chartOf(specs: readonly ChartSpec[]): { chart?: SimpleChart; chartNote?: string } {
  for (const s of specs) {
    const chart = toSimpleChart(s);
    if (chart) return { chart };
  }
  if (specs.length === 0) return {};
  const s = specs[0];
  return {
    chartNote: `${s.title}: a ${KIND_NAME[s.kind]}, not drawn by this preview yet; the table holds its data.${s.note ? ` ${s.note}` : ''}`,
  };
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
