/**
 * The typed messages between the preview panel's host (extension side) and its webview.
 *
 * Imported by both sides, so it must never import `vscode` or Node modules. One map per direction
 * from message name to payload type (the Jupyter extension's pattern): `post('window', …)` is
 * checked at compile time on both ends, and the host validates at run time everything it receives
 * (see src/core/preview/validate.ts) because a webview is a separate, less trusted context.
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

export type ChartKind = 'line' | 'area' | 'bar' | 'stackedBar' | 'histogram' | 'scatter' | 'box' | 'hbar' | 'number';

/**
 * A chart as plain data; the webview draws it (uPlot) and can write it as SVG. The one chart
 * contract: the host's chart of a table (src/core/chart) and the charts platforms propose for
 * their answers (Canvas, Studio) are built in this shape and reach the panel as they are.
 *
 * Every per-x array (`x.values`, each `series[i].values`, `annotations`, `pointLabels`, each `box`
 * array) has one entry per x position. `null` is "no value here" (a gap, no bar, no box), never 0.
 *
 * | kind         | x.type          | draws |
 * |--------------|-----------------|-------|
 * | `line`       | time / category | one line per series |
 * | `area`       | time / category | lines filled down to zero, series stacked bottom-up |
 * | `bar`        | category / time | bars, grouped side by side for several series |
 * | `stackedBar` | category / time | series stacked bottom-up in array order at each x |
 * | `histogram`  | category        | adjacent bars, one per bin; x labels name the bins ("10–20"), series[0] the counts |
 * | `scatter`    | number          | one point per x; x.values ascending, series[i].values the y values; `pointLabels` name points |
 * | `box`        | category        | one box per x from `box` (min, q1, median, q3, max); `series`, if any, are points over the boxes |
 * | `hbar`       | category        | one horizontal bar per x, top to bottom in array order, from series[0] (labels on the left, values on the bars) |
 * | `number`     | category        | one large number per x from series[0], captioned with the x label (a "big number" tile) |
 */
export interface ChartSpec {
  kind: ChartKind;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** ISO dates for `time` (read as UTC when they carry no zone), labels for `category`, numbers for `number`. */
  x: { type: 'time' | 'category'; values: string[] } | { type: 'number'; values: number[] };
  series: { name: string; values: (number | null)[] }[];
  /** Per-x labels drawn above the bars, e.g. funnel conversion rates ("62.5%"). */
  annotations?: string[];
  /** `box` only: the five numbers per x. */
  box?: { min: (number | null)[]; q1: (number | null)[]; median: (number | null)[]; q3: (number | null)[]; max: (number | null)[] };
  /** `scatter`: a name per point for the legend (student names). */
  pointLabels?: string[];
  /** `percent`: values are percentages 0–100. */
  yFormat?: 'number' | 'percent';
  /** One line shown under the chart (sampled points, categories left out, suppressed values). */
  note?: string;
}

/**
 * Id-like column names ("id", "user_id", "userId", "uuid"): never picked for a chart by default,
 * their sums mean nothing. Shared by the host's automatic choice and the webview's chart controls.
 */
export function isIdLikeName(name: string): boolean {
  return /(^|[_\s.-])id$|[a-z]Id$|^id$/i.test(name) || /^(uuid|guid)$/i.test(name);
}

/**
 * Numbers that are codes, not quantities, by their name: ids, section/course/term numbers, codes,
 * years, zip codes, phone numbers, positions in a list. Summing them means nothing, so no
 * automatic chart uses them as its measure ("Sum of sectionNumber by day").
 */
export function isCodeLikeName(name: string): boolean {
  if (isIdLikeName(name)) return true;
  // The last word decides: "sectionNumber", "course_code", "term", "zip" are codes; "number_of_views" is not.
  const words = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean);
  return CODE_WORDS.has((words[words.length - 1] ?? '').toLowerCase());
}

const CODE_WORDS = new Set([
  'number',
  'num',
  'no',
  'nr',
  'code',
  'year',
  'yr',
  'section',
  'term',
  'semester',
  'zip',
  'zipcode',
  'postcode',
  'postal',
  'phone',
  'index',
  'idx',
  'version',
  'rank',
  'order',
  'seq',
  'sequence',
  'lat',
  'latitude',
  'lon',
  'lng',
  'longitude',
]);

/** Names of quantities worth summing: durations, views, counts, totals, scores, amounts. */
export function isMeasureName(name: string): boolean {
  return (
    !isCodeLikeName(name) &&
    /(duration|seconds|secs|minutes|mins|hours|watched|views|viewers|count|total|sum|amount|score|points|grade|percent|pct|rate|bytes|size|revenue|price|cost|value|participations|time_?spent)/i.test(
      name,
    )
  );
}

/**
 * The measure an automatic chart sums, among `numeric` columns (indices, in column order): the
 * first named quantity (`duration_Minute`, `seconds_watched`), else the first number that is not a
 * code; null when there is none (the chart then counts rows). `isCode` adds a check on the values
 * (the host knows them: a column of years).
 */
export function pickMeasure(
  names: readonly string[],
  numeric: readonly number[],
  isCode: (i: number) => boolean = () => false,
): number | null {
  const usable = numeric.filter((i) => !isCodeLikeName(names[i]) && !isCode(i));
  return usable.find((i) => isMeasureName(names[i])) ?? usable[0] ?? null;
}

/** How a chart's y is computed from the rows of each x (and split) group; `none` plots rows as they are. */
export type ChartAgg = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'distinct' | 'none';
export type ChartBucket = 'auto' | 'hour' | 'day' | 'week' | 'month';

/**
 * The chart controls' choice for a table the host charts itself (local files, Echo360 results).
 * Columns are indices into the columns array. `kind: 'auto'` lets the host pick from the column
 * types; the host answers with the query it resolved (every field concrete except `split`/`y`).
 */
export interface ChartQuery {
  kind: 'auto' | ChartKind;
  x: number | null;
  /** null: the row count. */
  y: number | null;
  agg: ChartAgg;
  /** One series per value of this column (the most frequent ones). */
  split: number | null;
  bucket: ChartBucket;
}

/** What the host charted, with the query it resolved (controls show it) and the rows it covers. */
export interface ChartPayload {
  chart: ChartSpec | null;
  note: string | null;
  query: ChartQuery | null;
}

export interface ChartSummary {
  kind: string;
  series: number;
  points: number;
  /** The chart's title as drawn. */
  title?: string;
}

/** The chart's axes as drawn: what a reader sees at the ticks. */
export interface ChartAxes {
  xTicks: string[];
  yTicks: string[];
  /** The bottom of the y axis (null: no numeric y scale). */
  yMin: number | null;
}

/** Image formats the chart can be saved as. */
export type ChartImageFormat = 'png' | 'svg';
/** Largest chart image the host accepts from the webview (characters of base64 or SVG text). */
export const MAX_CHART_IMAGE_CHARS = 32 * 1024 * 1024;

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
  /** The drawn chart's tick labels and y floor (absent when no chart is drawn). */
  chartAxes?: ChartAxes;
  chartNote: string | null;
  /** 'light' | 'dark' | 'high-contrast' | 'high-contrast-light', from the body class VS Code sets. */
  theme: string;
  mode: PreviewMode;
  /** Present when the user's search is active. */
  search: string;
  sort: SortKey[];
  /** The column filters in force (absent when none). */
  filters?: ColumnFilter[];
  /** The chart controls' query in force (while the host's chart of the rows is shown). */
  chartQuery?: ChartQuery;
  /** What the panel offers, read from the DOM: the Export button, the header's statistics buttons, the chart controls. */
  offers?: { export: boolean; stats: boolean; chartControls: boolean };
  /** The chart picker's choices, when it shows (two or more). */
  chartChoices?: string[];
  /** The drawn chart's canvas height in CSS pixels (absent when no chart is drawn on a canvas). */
  plotHeight?: number;
  /** Its width in CSS pixels. */
  plotWidth?: number;
  /** Rows of the chart-data table on screen (absent when it is hidden). */
  chartDataRows?: number;
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
  /**
   * Chart the current view this way (answered with `chart`, and again after every view change).
   * `seq` grows with each query the webview sends; charts carry the seq of the query they answer,
   * so a late answer to an older choice never overwrites a newer one in the controls.
   */
  setChart: { query: ChartQuery; seq: number };
  /** Save the chart as drawn: `data` is base64 PNG bytes or SVG text (host asks where to save). */
  saveChart: { format: ChartImageFormat; data: string; name: string };
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
  /**
   * The result's own charts, offered in a picker (`chart` is the first of them unless the host
   * charted the rows). With chart controls (`features.chartQuery`), present means the result
   * brings its own charts — possibly none, only `ownNote` — and the picker adds "Chart the rows".
   */
  charts?: ChartSpec[];
  /** Why the result has no chart of its own (with `charts: []`), kept for when the picker returns to it. */
  ownNote?: string | null;
  /** The host charted the rows (the user chose "Chart the rows", or the result has no chart of its own). */
  customChart?: boolean;
  /** Host-charted tables: the query `chart` was computed with (the controls start from it). */
  chartQuery?: ChartQuery | null;
  /** What the toolbar offers; absent = none (the data source cannot do it). */
  features?: { stats: boolean; export: boolean; chartQuery?: boolean };
  /**
   * Saved with the webview state: the opaque id of the host's record of what this panel shows
   * (src/vscode/preview/panelRecords.ts), which the panel serializer looks up after a reload.
   */
  source?: { panel: string };
  /**
   * Copy as TSV prefixes `'` to text cells starting with `=`, `+`, `-`, `@`, tab or CR
   * (`insightExplorer.export.formulaGuard`); absent = on.
   */
  formulaGuard?: boolean;
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
  /** The chart of the current view, for the query last set (host-charted tables), with that query's seq. */
  chart: ChartPayload & { seq: number };
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
