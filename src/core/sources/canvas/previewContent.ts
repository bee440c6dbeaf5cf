/**
 * From core tables + their charts to what the preview panel is given, in one place.
 *
 * The core describes every chart an answer calls for (line, bar, stacked bar, histogram, box,
 * scatter: src/core/sources/canvas/charts.ts); the preview draws them all. A table with several
 * charts (assignments: box plot and on-time/late/missing bars) shows the first and offers the
 * others in the panel's chart picker.
 */
import type { ChartSpec } from '../../../protocol';
import type { CanvasEndpointId } from './endpoints';
import type { NamedTable } from './tables';

export interface TableView {
  table: NamedTable;
  /** Every chart the core proposes for this table, in its order: the first is shown. */
  charts: ChartSpec[];
}

/**
 * Pairs charts with tables. Two-table answers (department activity: by date / by category;
 * student activity: page views / participations) list their charts in table order, and the
 * second chart is absent when its table is empty; one-table answers get all their charts.
 */
export function previewContentFor(_id: CanvasEndpointId, tables: readonly NamedTable[], charts: readonly ChartSpec[]): TableView[] {
  return tables.map((table, i) => ({ table, charts: tables.length === 1 ? [...charts] : charts[i] ? [charts[i]] : [] }));
}
