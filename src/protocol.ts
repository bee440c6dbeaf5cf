/**
 * The typed messages between the preview panel's host (extension side) and its webview.
 *
 * Imported by both sides, so it must never import `vscode` or Node modules. One map per direction
 * from message name to payload type (the Jupyter extension's pattern): `post('window', …)` is
 * checked at compile time on both ends, and the host validates at run time everything it receives
 * (see src/vscode/preview/validate.ts) because a webview is a separate, less trusted context.
 *
 * Every message travels as `{ type, payload }`.
 */

export type CellValue = string | number | boolean | null;

export type ColumnType = 'integer' | 'number' | 'boolean' | 'datetime' | 'date' | 'string';

export interface ColumnInfo {
  name: string;
  type: ColumnType;
}

export interface SortKey {
  /** Index into the columns array. */
  column: number;
  desc: boolean;
}

/**
 * One column's filter from the grid's filter row. Text tests are case-insensitive on the value as
 * shown; `range` is inclusive and takes numbers or ISO dates (strings) for date columns.
 */
export type ColumnFilter =
  | { column: number; op: 'contains' | 'equals'; value: string }
  | { column: number; op: 'range'; min: number | string | null; max: number | string | null }
  | { column: number; op: 'empty' | 'notEmpty' };

/** The sorted/filtered view of the table the grid shows. */
export interface ViewQuery {
  sort: SortKey[];
  /** Case-insensitive "contains" over all cells; '' means no filter. */
  search: string;
  /**
   * Per-column filters, ANDed with each other and with the search. Optional so callers that only
   * sort and search (and data sources that cannot filter) need not mention them; absent = none.
   */
  filters?: ColumnFilter[];
}

/** What the header's stats button shows for one column (computed over the current view). */
export interface ColumnStatsPayload {
  column: number;
  count: number;
  nulls: number;
  distinct: number;
  min: CellValue;
  max: CellValue;
  top: { value: CellValue; count: number }[];
  /** Present for numeric and date columns: equal-width bins from `min` to `max`. */
  histogram: { edges: number[]; counts: number[] } | null;
}

/** Formats the webview can ask the host to export the current view to. */
export type ExportFormat = 'csv' | 'tsv' | 'json';

/**
 * `line`: one line per series. `bar`: bars, grouped side by side for several series.
 * `stackedBar`: series stacked bottom-up in array order at each x. `histogram`: adjacent bars, one
 * per bin; `x.values` are the bins' labels ("10–20") and series[0] the counts.
 */
export interface ChartSpec {
  kind: 'line' | 'bar' | 'stackedBar' | 'histogram';
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** ISO dates for `time` (read as UTC when they carry no zone), labels for `category`. */
  x: { type: 'time' | 'category'; values: string[] };
  series: { name: string; values: (number | null)[] }[];
  /** Per-x labels drawn above the bars, e.g. funnel conversion rates ("62.5%"). */
  annotations?: string[];
}

export interface ChartSummary {
  kind: string;
  series: number;
  points: number;
}

export type PreviewMode = 'table' | 'chart' | 'both';

/** What the webview reports after it paints: what is actually in the DOM, for tests and logs. */
export interface RenderReport {
  totalRows: number;
  rowsInView: number;
  /** Grid rows in the DOM that hold data (placeholders for rows still on their way don't count). */
  renderedRows: number;
  /** View index of the first row in `firstRowTexts` (the first row visible under the header). */
  firstRowIndex: number;
  columns: string[];
  /** textContent of the cells of up to 5 rows from the top of the viewport. */
  firstRowTexts: string[][];
  chart: ChartSummary | null;
  chartNote: string | null;
  /** 'light' | 'dark' | 'high-contrast' | 'high-contrast-light', from the body class VS Code sets. */
  theme: string;
  mode: PreviewMode;
  /** Present when the user's search is active. */
  search: string;
  sort: SortKey[];
  /** The column filters in force (absent when none). */
  filters?: ColumnFilter[];
}

export interface PreviewReport extends RenderReport {
  key: string;
}

/** Largest window the host serves in one reply; the grid asks for blocks far smaller than this. */
export const MAX_WINDOW_ROWS = 10_000;
/** Longest search string the host accepts. */
export const MAX_SEARCH_CHARS = 1_000;
/** Most column filters in one view (one per column is what the grid sends). */
export const MAX_FILTERS = 1_000;
/** Largest text the host writes to the clipboard for the webview (≈ 50,000 rows of a wide table). */
export const MAX_COPY_CHARS = 32 * 1024 * 1024;

export interface WebviewToHost {
  /** First message of every webview instance (also after a hide/show reload). */
  ready: Record<string, never>;
  /** Rows [start, start+count) of the view the webview believes is current. */
  requestWindow: { requestId: number; viewVersion: number; start: number; count: number };
  setView: ViewQuery;
  rendered: RenderReport;
  /** Clipboard writes go through the host: webview clipboard access depends on focus and platform. */
  copy: { text: string };
  /** Stats of one column over the current view (answered with `stats`). */
  requestStats: { column: number };
  /** Export all rows of the current view (host asks where to save). */
  export: { format: ExportFormat };
}

export interface InitPayload {
  title: string;
  subtitle: string | null;
  columns: ColumnInfo[];
  totalRows: number;
  loading: boolean;
  /** The view the host has applied; the webview restores its saved one with `setView` if it differs. */
  view: ViewQuery;
  viewVersion: number;
  rowsInView: number;
  chart: ChartSpec | null;
  chartNote: string | null;
  /** What the toolbar offers; absent = neither (the data source cannot do it). */
  features?: { stats: boolean; export: boolean };
  /** Saved with the webview state so the panel serializer can re-open the file after a reload. */
  source?: { file: string };
}

export interface HostToWebview {
  init: InitPayload;
  /** Reply to `requestWindow`; computed under `viewVersion` (the webview drops stale ones). */
  window: { requestId: number; viewVersion: number; start: number; rows: CellValue[][] };
  /** The view was re-applied (sort/search change, or rows arrived): cached rows are stale. */
  viewChanged: { viewVersion: number; rowsInView: number; view: ViewQuery };
  progress: { totalRows: number; loading: boolean };
  /** Something the user should see in the panel (a failed window read, for example). */
  error: { message: string };
  stats: ColumnStatsPayload;
  /** A short note for the footer (export finished, for example). */
  notice: { message: string };
}

/** `{ type, payload }` union for one direction's map. */
export type MessageOf<M> = { [K in keyof M]: { type: K; payload: M[K] } }[keyof M];
export type WebviewMessage = MessageOf<WebviewToHost>;
export type HostMessage = MessageOf<HostToWebview>;

/** A typed sender for one direction's map. */
export type PostFn<M> = <K extends keyof M>(type: K, payload: M[K]) => void;

export function sameFilters(a: ColumnFilter[] | undefined, b: ColumnFilter[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export function sameView(a: ViewQuery, b: ViewQuery): boolean {
  return (
    a.search === b.search &&
    sameFilters(a.filters, b.filters) &&
    a.sort.length === b.sort.length &&
    a.sort.every((k, i) => k.column === b.sort[i].column && k.desc === b.sort[i].desc)
  );
}
