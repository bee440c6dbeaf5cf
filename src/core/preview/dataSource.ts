/**
 * What the preview panel reads rows from. Every preview reads the column engine
 * (EngineDataSource: local files and stored results alike).
 *
 * No `vscode` import here on purpose: the webview test harness runs this in plain Node. `PreviewEvent` is the structural shape of `vscode.Event`, so a `vscode.EventEmitter`'s
 * `.event` can be used directly as `onDidChange`.
 */
import type { CellValue, ChartPayload, ChartQuery, ColumnFilter, ColumnInfo, ColumnStatsPayload, ExportFormat, SortKey } from '../../protocol';

export type PreviewEvent<T> = (listener: (e: T) => unknown) => { dispose(): void };

export interface PreviewDataSource {
  readonly columns: ColumnInfo[];
  /** All rows, before any search (may grow while loading). */
  readonly totalRows: number;
  readonly loading: boolean;
  /** Rows arrived or loading finished. */
  readonly onDidChange: PreviewEvent<void>;
  /** Applies filters, search and sort; resolves to the number of rows in the view. */
  setView(q: { sort: SortKey[]; search?: string; filters?: ColumnFilter[] }): Promise<number>;
  /** Rows [start, start+count) of the current view (fewer at the end). */
  window(start: number, count: number): Promise<CellValue[][]>;
  /** Optional: statistics of one column over the current view (the header's stats button). */
  stats?(column: number): Promise<ColumnStatsPayload>;
  /**
   * Optional: a chart of the current view for the chart controls' query (null: the data source
   * picks one from the column types). Data sources with this get chart controls in the panel,
   * unless the content brings its own chart.
   */
  chartFor?(q: ChartQuery | null): Promise<ChartPayload>;
  /** Optional: every row of the current view as text chunks (the toolbar's export button). */
  exportView?(format: ExportFormat, opts: { formulaGuard: boolean }): AsyncIterable<string>;
}

/** A minimal event emitter with the `vscode.EventEmitter` shape, usable outside VS Code. */
export class PreviewEmitter<T> {
  private readonly listeners = new Set<(e: T) => unknown>();

  readonly event: PreviewEvent<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // One failing listener must not starve the others (same as vscode.EventEmitter).
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
