/**
 * The webview's end of the protocol: typed `post`, incoming messages, and the state VS Code keeps
 * for us across hide/show (`setState`), which is why the panel needs no retainContextWhenHidden.
 */
import type { ChartQuery, ColumnFilter, HostMessage, PreviewMode, SortKey, WebviewToHost } from '../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface SavedState {
  /** Identifies the columns the sort and widths refer to; a different result ignores them. */
  columnsKey: string;
  sort: SortKey[];
  search: string;
  /** Column filters of the filter row (checked again against the columns when restored). */
  filters?: ColumnFilter[];
  /** Logical pixels (row index × row height), independent of scroll scaling and panel size. */
  scrollTop: number;
  mode: PreviewMode;
  /** The id of the host's record of what this panel shows (the host looks it up when VS Code restores the panel). */
  source?: { panel: string };
  /** Per column: the width the user set, or null where the grid sizes it. */
  widths: (number | null)[];
  /** The chart controls' choice (host-charted tables). */
  chartQuery?: ChartQuery;
  /** Which of the result's own charts the picker shows. */
  chartIndex?: number;
  /** The chart data table is shown instead of the plot. */
  chartData?: boolean;
  /** The plot's height in CSS pixels, as the user dragged the splitter (absent: the default). */
  chartHeight?: number;
}

const MODES: readonly PreviewMode[] = ['table', 'chart', 'both'];

const column = (v: unknown) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);

function isChartQuery(v: unknown): v is ChartQuery {
  if (!v || typeof v !== 'object') return false;
  const q = v as Record<string, unknown>;
  return typeof q.kind === 'string' && typeof q.agg === 'string' && typeof q.bucket === 'string' && column(q.x) && column(q.y) && column(q.split);
}

export class HostBridge {
  // acquireVsCodeApi may be called once per page load.
  private readonly api: VsCodeApi = acquireVsCodeApi();

  post<K extends keyof WebviewToHost>(type: K, payload: WebviewToHost[K]): void {
    this.api.postMessage({ type, payload });
  }

  onMessage(handler: (message: HostMessage) => void): void {
    window.addEventListener('message', (e: MessageEvent<unknown>) => {
      const d = e.data as { type?: unknown; payload?: unknown } | null;
      if (d && typeof d.type === 'string' && typeof d.payload === 'object' && d.payload !== null) {
        handler(d as HostMessage);
      }
    });
  }

  loadState(): Partial<SavedState> {
    const s = this.api.getState() as Partial<SavedState> | undefined;
    if (!s || typeof s !== 'object') return {};
    const out: Partial<SavedState> = {};
    if (typeof s.columnsKey === 'string') out.columnsKey = s.columnsKey;
    if (Array.isArray(s.sort)) out.sort = s.sort.filter((k) => Number.isInteger(k?.column) && typeof k?.desc === 'boolean');
    if (typeof s.search === 'string') out.search = s.search;
    if (typeof s.source?.panel === 'string') out.source = { panel: s.source.panel };
    if (Array.isArray(s.filters)) out.filters = s.filters.filter((f) => Number.isInteger(f?.column) && typeof f?.op === 'string');
    if (typeof s.scrollTop === 'number' && Number.isFinite(s.scrollTop)) out.scrollTop = s.scrollTop;
    if (MODES.includes(s.mode as PreviewMode)) out.mode = s.mode;
    if (Array.isArray(s.widths) && s.widths.every((w) => w === null || (typeof w === 'number' && w > 0))) {
      out.widths = s.widths;
    }
    if (isChartQuery(s.chartQuery)) out.chartQuery = s.chartQuery;
    if (typeof s.chartIndex === 'number' && Number.isInteger(s.chartIndex) && s.chartIndex >= 0) out.chartIndex = s.chartIndex;
    if (typeof s.chartData === 'boolean') out.chartData = s.chartData;
    if (typeof s.chartHeight === 'number' && Number.isFinite(s.chartHeight) && s.chartHeight > 0 && s.chartHeight < 100_000) out.chartHeight = s.chartHeight;
    return out;
  }

  saveState(state: SavedState): void {
    this.api.setState(state);
  }
}
