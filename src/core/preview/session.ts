/**
 * The host half of one preview panel's conversation with its webview, without `vscode`: the panel
 * manager feeds it the webview's messages and gives it a `post` function, and the standalone
 * webview test does the same over Chromium. Keeping it vscode-free is what lets the test exercise
 * the real host logic instead of a look-alike.
 *
 * Ordering: data-source calls (`setView`, `window`, refresh after new rows) run one at a time in
 * arrival order, so a window is always read from the view its request was made against. Each
 * applied view gets a new `viewVersion`; window requests made against an older version are
 * dropped unanswered (the webview forgets pending requests when the view changes), and replies
 * carry the version they were read under so the webview can drop any that crossed a change.
 */
import type { Logger } from '../log';
import type { ChartImageFormat, ChartQuery, ChartSpec, ExportFormat, HostToWebview, PostFn, RenderReport, ViewQuery } from '../../protocol';
import type { PreviewDataSource } from './dataSource';
import { parseWebviewMessage } from './validate';

export interface PreviewContent {
  title: string;
  /** e.g. 'PostHog · Trends · last refreshed 2 min ago' */
  subtitle?: string;
  data: PreviewDataSource;
  chart?: ChartSpec;
  /** Further charts of the same result the panel offers in a picker (Canvas assignments: box plot and stacked bars). */
  moreCharts?: ChartSpec[];
  /** Shown instead of a chart, e.g. why this insight kind has no chart yet. */
  chartNote?: string;
  /** Where the rows came from, when a reloaded window can read them again (a local file's URI). */
  source?: { panel: string };
}

export interface PreviewSessionHooks {
  log: Logger;
  /** The webview painted; the report says what is in its DOM. */
  onReport?(report: RenderReport): void;
  /** The user copied cells; the panel writes the text to the system clipboard. */
  onCopy?(text: string): PromiseLike<void> | void;
  /** Whether copied rows get the formula guard (`insightExplorer.export.formulaGuard`); default on. */
  formulaGuard?(): boolean;
  /**
   * The user asked to export the current view. The panel asks where to save and writes the chunks;
   * resolves to a note for the footer (or undefined when the user cancelled).
   */
  onExport?(format: ExportFormat, data: PreviewDataSource): Promise<string | undefined>;
  /**
   * The user asked to save the chart as drawn: PNG bytes or SVG text. The panel asks where to save;
   * resolves to a note for the footer (or undefined when the user cancelled).
   */
  onSaveChart?(format: ChartImageFormat, data: Uint8Array | string, name: string): Promise<string | undefined>;
}

/** Rows arriving while loading re-apply the view at most this often. */
const REFRESH_INTERVAL_MS = 200;

export class PreviewSession {
  private ready = false;
  private disposed = false;
  private view: ViewQuery = { sort: [], search: '' };
  private viewVersion = 0;
  private rowsInView = 0;
  /** False until the data source has been given `view` (new content, or rows changed before ready). */
  private viewApplied = false;
  private queue: Promise<void> = Promise.resolve();
  private dataSubscription: { dispose(): void } | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Columns (names and types) last sent in `init`: types inferred while loading may still change. */
  private sentColumns = '';
  /** Whether the chart could be drawn when init was last sent: a host-charted one can once loading ends. */
  private sentChart = '';
  /** The chart controls' last query (null: the data source's automatic choice), and its seq. */
  private chartQuery: ChartQuery | null = null;
  private chartSeq = 0;
  /** The user chose to chart the rows (the controls) over the result's own charts. */
  private customChart = false;

  constructor(
    private content: PreviewContent,
    private readonly post: PostFn<HostToWebview>,
    private readonly hooks: PreviewSessionHooks,
  ) {
    this.subscribe();
  }

  /** Replaces what the panel shows (same key opened again). Resets the view: columns may differ. */
  setContent(content: PreviewContent): Promise<void> {
    this.dataSubscription?.dispose();
    this.content = content;
    this.view = { sort: [], search: '' };
    this.chartQuery = null;
    this.chartSeq = 0;
    this.customChart = false;
    this.viewApplied = false;
    this.subscribe();
    return this.ready ? this.enqueue(() => this.sendInit()) : Promise.resolve();
  }

  /** Handles one raw message from the webview. Resolves when its work (if any) is done. */
  receive(raw: unknown): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const msg = parseWebviewMessage(raw, this.content.data.columns.length);
    if (typeof msg === 'string') {
      this.hooks.log.warn(`Preview: ignored a message from the webview: ${msg}`);
      return Promise.resolve();
    }
    switch (msg.type) {
      case 'ready':
        // Also sent when a hidden panel's webview is recreated: every ready gets a fresh init.
        this.ready = true;
        return this.enqueue(() => this.sendInit());
      case 'requestWindow': {
        const req = msg.payload;
        if (!this.ready || req.viewVersion !== this.viewVersion) return Promise.resolve();
        return this.enqueue(async () => {
          if (req.viewVersion !== this.viewVersion) return; // the view changed while queued
          const count = Math.max(0, Math.min(req.count, this.rowsInView - req.start));
          const rows = count > 0 ? await this.content.data.window(req.start, count) : [];
          this.post('window', { requestId: req.requestId, viewVersion: this.viewVersion, start: req.start, rows });
        });
      }
      case 'setView': {
        const view = msg.payload;
        return this.enqueue(async () => {
          this.view = view;
          await this.applyView();
        });
      }
      case 'rendered':
        this.hooks.onReport?.(msg.payload);
        return Promise.resolve();
      case 'copy':
        return Promise.resolve(this.hooks.onCopy?.(msg.payload.text)).catch((e: unknown) =>
          this.hooks.log.error(`Preview: copy to clipboard failed: ${String(e)}`),
        );
      case 'requestStats': {
        const data = this.content.data;
        if (!data.stats) return Promise.resolve();
        const column = msg.payload.column;
        return this.enqueue(async () => this.post('stats', await data.stats!(column)));
      }
      case 'setChart': {
        if (!this.hostCharts()) return Promise.resolve();
        const { query, seq } = msg.payload;
        return this.enqueue(async () => {
          this.chartQuery = query;
          this.chartSeq = seq;
          this.customChart = true;
          await this.postChart();
        });
      }
      case 'saveChart': {
        const onSave = this.hooks.onSaveChart;
        if (!onSave) return Promise.resolve();
        const { format, data, name } = msg.payload;
        const body = format === 'png' ? Buffer.from(data, 'base64') : data;
        return onSave(format, body, name).then(
          (note) => {
            if (note && !this.disposed) this.post('notice', { message: note });
          },
          (e: unknown) => {
            const message = e instanceof Error ? e.message : String(e);
            this.hooks.log.error(`Preview: saving the chart failed: ${message}`);
            if (!this.disposed) this.post('error', { message: `Saving the chart failed: ${message}` });
          },
        );
      }
      case 'export': {
        const data = this.content.data;
        const onExport = this.hooks.onExport;
        if (!data.exportView || !onExport) return Promise.resolve();
        // Not queued: an export can take a while, and the grid must stay usable meanwhile. The data
        // source re-reads the view it holds when the export starts.
        return onExport(msg.payload.format, data).then(
          (note) => {
            if (note && !this.disposed) this.post('notice', { message: note });
          },
          (e: unknown) => {
            const message = e instanceof Error ? e.message : String(e);
            this.hooks.log.error(`Preview: export failed: ${message}`);
            if (!this.disposed) this.post('error', { message: `Export failed: ${message}` });
          },
        );
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.dataSubscription?.dispose();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
  }

  private subscribe(): void {
    const data = this.content.data;
    this.dataSubscription = data.onDidChange(() => {
      if (this.disposed || data !== this.content.data) return;
      if (!this.ready) {
        this.viewApplied = false; // init will read fresh counts
        return;
      }
      // Throttled, not debounced: a steady stream of rows must still show progress.
      this.refreshTimer ??= setTimeout(() => {
        this.refreshTimer = undefined;
        void this.enqueue(async () => {
          if (this.columnsKey() !== this.sentColumns || this.chartKey() !== this.sentChart) {
            // The header arrived, or loading settled a column's type: the grid needs new columns.
            this.viewApplied = false;
            return this.sendInit();
          }
          this.post('progress', { totalRows: data.totalRows, loading: data.loading });
          await this.applyView();
        });
      }, REFRESH_INTERVAL_MS);
    });
  }

  private async applyView(): Promise<void> {
    this.rowsInView = await this.content.data.setView(this.view);
    this.viewApplied = true;
    this.viewVersion++;
    this.post('viewChanged', { viewVersion: this.viewVersion, rowsInView: this.rowsInView, view: this.view });
    // The chart follows the view: filters and search change what it counts.
    if (this.hostChartShown()) await this.postChart();
  }

  /** The data source can chart the view itself: the panel gets chart controls. */
  private hostCharts(): boolean {
    return !!this.content.data.chartFor;
  }

  /** The result's own charts (a platform's trend, funnel, box plot…), shown before any chart of the rows. */
  private contentCharts(): ChartSpec[] {
    return this.content.chart ? [this.content.chart, ...(this.content.moreCharts ?? [])] : [];
  }

  /** The result speaks for its chart: charts of its own, or a note saying why it has none. */
  private ownCharts(): boolean {
    return this.contentCharts().length > 0 || !!this.content.chartNote;
  }

  /** What the panel shows is the host's chart of the view: the result has no chart of its own, or the user chose "Chart the rows". */
  private hostChartShown(): boolean {
    return this.hostCharts() && (this.customChart || !this.ownCharts());
  }

  private async postChart(): Promise<void> {
    const payload = await this.content.data.chartFor!(this.chartQuery);
    if (!this.disposed) this.post('chart', { ...payload, seq: this.chartSeq });
  }

  private async sendInit(): Promise<void> {
    const { title, subtitle, data } = this.content;
    if (!this.viewApplied) {
      this.rowsInView = await data.setView(this.view);
      this.viewApplied = true;
      this.viewVersion++;
    }
    const own = this.contentCharts();
    const computed = this.hostChartShown() ? await data.chartFor!(this.chartQuery) : undefined;
    const chart = computed ? computed.chart : (own[0] ?? null);
    const chartNote = computed ? computed.note : (this.content.chartNote ?? null);
    // With chart controls, a result with its own charts (or a note instead) gets a picker of them and
    // "Chart the rows"; without, the picker shows for two or more charts.
    const ownMode = this.hostCharts() && this.ownCharts();
    const charts = ownMode ? own : !this.hostCharts() && own.length > 1 ? own : undefined;
    this.sentColumns = this.columnsKey();
    this.sentChart = this.chartKey();
    this.post('init', {
      features: { stats: !!data.stats, export: !!data.exportView && !!this.hooks.onExport, ...(this.hostCharts() ? { chartQuery: true } : {}) },
      title,
      subtitle: subtitle ?? null,
      columns: data.columns,
      totalRows: data.totalRows,
      loading: data.loading,
      view: this.view,
      viewVersion: this.viewVersion,
      rowsInView: this.rowsInView,
      chart: chart ?? null,
      chartNote: chartNote ?? null,
      ...(charts ? { charts } : {}),
      ...(computed ? { chartQuery: computed.query } : {}),
      ...(ownMode ? { ownNote: this.content.chartNote ?? null } : {}),
      ...(computed ? { customChart: true } : {}),
      ...(this.content.source ? { source: this.content.source } : {}),
      formulaGuard: this.hooks.formulaGuard?.() ?? true,
    });
  }

  private chartKey(): string {
    // Host-charted: the chart can be drawn once loading ends (init then carries it).
    return this.hostChartShown() ? `query:${this.content.data.loading}` : 'content';
  }

  private columnsKey(): string {
    return JSON.stringify(this.content.data.columns.map((c) => [c.name, c.type]));
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(() => (this.disposed ? undefined : task()))
      .catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        this.hooks.log.error(`Preview: ${message}`);
        if (!this.disposed) this.post('error', { message });
      });
    return this.queue;
  }
}
