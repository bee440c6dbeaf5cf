/**
 * The preview's data source over the column engine (src/core/table): a `TableBuilder` while the
 * bytes stream in, the finished `Table` afterwards.
 *
 * No `vscode` import, so the unit tests and the Chromium webview harness run it in plain Node.
 *
 * While loading, the unfiltered, unsorted view reads the builder directly (`builder.rows`, no copy),
 * so the first screen shows as soon as the header and a few rows are parsed. A sorted, filtered or
 * searched view needs a `Table`: the builder's `snapshot()` costs one pass over the rows so far, so
 * while loading it is reused for up to SNAPSHOT_MAX_AGE_MS (the panel re-applies the view every
 * 200 ms as rows arrive; a fresh snapshot each time would spend the load re-copying columns).
 */
import type { IngestLimits } from '../ingestLimits';
import {
  Table,
  TableBuilder,
  columnStats,
  createView,
  exportView,
  getWindow,
  histogram,
  type ByteSource,
  type Filter,
  type View,
  type ViewSpec,
} from '../table';
import type { CellValue, ChartPayload, ChartQuery, ColumnFilter, ColumnInfo, ColumnStatsPayload, ExportFormat, SortKey } from '../../protocol';
import { computeChart } from '../chart/chartQuery';
import { PreviewEmitter, type PreviewDataSource } from './dataSource';
import { countOf } from '../plural';

const SNAPSHOT_MAX_AGE_MS = 1_000;
const STATS_BINS = 20;

export class EngineDataSource implements PreviewDataSource {
  private readonly emitter = new PreviewEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private builder: TableBuilder | undefined;
  private table: Table | undefined;
  private spec: ViewSpec = {};
  /** null: all rows in file order, `count` of them (the count frozen when the view was applied). */
  private view: View | null = null;
  private count = 0;
  private snap: { table: Table; at: number } | undefined;
  private failure: string | undefined;

  /**
   * From a finished table, or a builder that `stream` (or the caller) is still feeding.
   * `charts`: the panel gets chart controls, and this data source charts the current view.
   */
  constructor(source: Table | TableBuilder, opts: { charts?: boolean } = {}) {
    if (source instanceof Table) this.table = source;
    else this.builder = source;
    if (!opts.charts) this.chartFor = undefined;
  }

  /**
   * The chart of the current view for the controls' query (null: chosen from the column types),
   * computed from the columns (see chartQuery.ts), once every row is read: a chart of part of a
   * file would change under the user while it loads. The title says which rows it covers.
   */
  chartFor? = async (q: ChartQuery | null): Promise<ChartPayload> => {
    if (!this.table) return { chart: null, note: 'The chart is drawn when all rows are read.', query: q };
    const rows = this.view ? this.view.rows : null;
    const payload = computeChart(this.table, rows, q);
    if (payload.chart) {
      const total = this.table.rowCount;
      const scope = rows ? `filtered view, ${rows.length.toLocaleString('en-US')} of ${countOf(total, 'row', 'rows')}` : total === 1 ? 'the only row' : `all ${countOf(total, 'row', 'rows')}`;
      payload.chart.title = payload.chart.title ? `${payload.chart.title} · ${scope}` : scope;
    }
    return payload;
  };

  /** Streams `source` into a new builder; the returned data source shows rows as they arrive. */
  static stream(
    source: ByteSource,
    opts: { delimiter?: string; signal?: AbortSignal; charts?: boolean; limits?: IngestLimits; label?: string } = {},
  ): { data: EngineDataSource; done: Promise<Table> } {
    const builder = new TableBuilder({ delimiter: opts.delimiter, limits: opts.limits, label: opts.label });
    const data = new EngineDataSource(builder, { charts: opts.charts });
    const done = builder.ingest(source, { signal: opts.signal, onProgress: () => data.emitter.fire() }).then(
      (table) => {
        data.finished(table);
        return table;
      },
      (e: unknown) => {
        // Rows read so far stay browsable; the failure is reported by whoever awaits `done`.
        data.failure = e instanceof Error ? e.message : String(e);
        data.finished(builder.snapshot());
        throw e;
      },
    );
    return { data, done };
  }

  get columns(): ColumnInfo[] {
    if (this.table) return this.table.columns.map((c) => ({ name: c.name, type: c.type }));
    return this.builder?.columns ?? [];
  }

  get totalRows(): number {
    return this.table ? this.table.rowCount : (this.builder?.rowCount ?? 0);
  }

  get loading(): boolean {
    return !this.table;
  }

  /** Why loading stopped early, when it did. */
  get error(): string | undefined {
    return this.failure;
  }

  /** The finished table (undefined while loading). */
  get finishedTable(): Table | undefined {
    return this.table;
  }

  /** Switches from the builder to the finished table. */
  finished(table: Table): void {
    this.table = table;
    this.builder = undefined;
    this.snap = undefined;
    this.emitter.fire();
  }

  async setView(q: { sort: SortKey[]; search?: string; filters?: ColumnFilter[] }): Promise<number> {
    const width = this.columns.length;
    const sort = q.sort.filter((k) => k.column < width).map((k) => ({ column: k.column, desc: k.desc }));
    const filters = (q.filters ?? []).filter((f) => f.column < width).map(toEngineFilter);
    const search = (q.search ?? '').trim();
    this.spec = { sort, filters, search };
    if (sort.length === 0 && filters.length === 0 && search === '') {
      this.view = null;
      this.count = this.totalRows;
      return this.count;
    }
    this.view = createView(this.readable(), this.spec);
    this.count = this.view.rows.length;
    return this.count;
  }

  async window(start: number, count: number): Promise<CellValue[][]> {
    if (this.view) return getWindow(this.view, start, count);
    const n = Math.max(0, Math.min(count, this.count - start));
    if (this.table) return getWindow({ table: this.table, rows: rangeRows(start, n), spec: {} }, 0, n);
    return this.builder ? this.builder.rows(start, n) : [];
  }

  async stats(column: number): Promise<ColumnStatsPayload> {
    const table = this.readable();
    const rows = this.currentRows(table);
    const s = columnStats(table, column, rows, 5);
    const type = table.columns[column].type;
    let hist: ColumnStatsPayload['histogram'] = null;
    if (type !== 'string' && type !== 'boolean' && s.count > 0) {
      const h = histogram(table, rows, column, { bins: STATS_BINS });
      hist = { edges: Array.from(h.edges), counts: Array.from(h.counts) };
    }
    return {
      column,
      count: s.count,
      nulls: s.nulls,
      distinct: s.distinct,
      min: s.min,
      max: s.max,
      top: s.top,
      histogram: hist,
    };
  }

  /** Every row of the current view, re-read from the table as it is now (export waits for loading to end). */
  exportView(format: ExportFormat, opts: { formulaGuard: boolean }): AsyncIterable<string> {
    const table = this.readable();
    const rows = this.view ? createView(table, this.spec) : null;
    return exportView(table, rows, format, { formulaGuard: opts.formulaGuard });
  }

  dispose(): void {
    this.emitter.dispose();
  }

  /** The table to build views on: the finished one, or a (recent) snapshot of the builder. */
  private readable(): Table {
    if (this.table) return this.table;
    const now = Date.now();
    if (!this.snap || (now - this.snap.at > SNAPSHOT_MAX_AGE_MS && this.snap.table.rowCount !== this.totalRows)) {
      this.snap = { table: this.builder!.snapshot(), at: now };
    }
    return this.snap.table;
  }

  private currentRows(table: Table): Uint32Array | null {
    if (this.view && this.view.table === table) return this.view.rows;
    return this.view ? createView(table, this.spec).rows : null;
  }
}

function rangeRows(start: number, count: number): Uint32Array {
  const rows = new Uint32Array(Math.max(0, count));
  for (let i = 0; i < rows.length; i++) rows[i] = start + i;
  return rows;
}

function toEngineFilter(f: ColumnFilter): Filter {
  switch (f.op) {
    case 'contains':
    case 'equals':
      return { column: f.column, op: f.op, value: f.value };
    case 'range':
      return { column: f.column, op: 'range', min: f.min, max: f.max };
    default:
      return { column: f.column, op: f.op };
  }
}
