/**
 * Run-time checks of what the webview sends. The webview is a browser context that renders data
 * from remote servers, so the host treats its messages as untrusted input: wrong shapes, wrong
 * types and out-of-range numbers are rejected (with a reason for the log), never half-used.
 */
import {
  MAX_CHART_IMAGE_CHARS,
  MAX_COPY_CHARS,
  type ChartAxes,
  type ChartQuery,
  MAX_FILTERS,
  type ColumnFilter,
  MAX_SEARCH_CHARS,
  MAX_WINDOW_ROWS,
  type PreviewMode,
  type RenderReport,
  type SortKey,
  type WebviewMessage,
} from '../../protocol';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isStr = (v: unknown, maxLen = 10_000): v is string => typeof v === 'string' && v.length <= maxLen;
const MODES: readonly PreviewMode[] = ['table', 'chart', 'both'];

function sortKeys(v: unknown, columnCount: number): SortKey[] | string {
  if (!Array.isArray(v)) return 'sort is not an array';
  if (v.length > columnCount) return 'more sort keys than columns';
  const out: SortKey[] = [];
  for (const k of v) {
    if (!isObj(k) || !isInt(k.column, 0, columnCount - 1) || typeof k.desc !== 'boolean') {
      return 'bad sort key';
    }
    out.push({ column: k.column, desc: k.desc });
  }
  return out;
}

const isBound = (v: unknown): v is number | string | null => v === null || (typeof v === 'number' && Number.isFinite(v)) || isStr(v, 100);

/** Absent filters are none; anything else must be a well-formed list naming existing columns. */
function columnFilters(v: unknown, columnCount: number): ColumnFilter[] | string {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_FILTERS) return 'filters is not an array';
  const out: ColumnFilter[] = [];
  for (const f of v) {
    if (!isObj(f) || !isInt(f.column, 0, columnCount - 1)) return 'bad filter column';
    const column = f.column;
    if (f.op === 'contains' || f.op === 'equals') {
      if (!isStr(f.value, MAX_SEARCH_CHARS)) return 'bad filter value';
      out.push({ column, op: f.op, value: f.value });
    } else if (f.op === 'range') {
      if (!isBound(f.min) || !isBound(f.max)) return 'bad range bound';
      out.push({ column, op: 'range', min: f.min, max: f.max });
    } else if (f.op === 'empty' || f.op === 'notEmpty') {
      out.push({ column, op: f.op });
    } else return 'bad filter op';
  }
  return out;
}

const CHART_KINDS: readonly ChartQuery['kind'][] = ['auto', 'line', 'area', 'bar', 'stackedBar', 'histogram', 'scatter', 'box'];
const CHART_AGGS: readonly ChartQuery['agg'][] = ['count', 'sum', 'mean', 'min', 'max', 'distinct', 'none'];
const CHART_BUCKETS: readonly ChartQuery['bucket'][] = ['auto', 'hour', 'day', 'week', 'month'];

function chartQuery(v: unknown, columnCount: number): ChartQuery | string {
  if (!isObj(v)) return 'chart query is not an object';
  const col = (c: unknown) => c === null || isInt(c, 0, columnCount - 1);
  if (!CHART_KINDS.includes(v.kind as ChartQuery['kind'])) return 'bad chart kind';
  if (!CHART_AGGS.includes(v.agg as ChartQuery['agg'])) return 'bad chart aggregation';
  if (!CHART_BUCKETS.includes(v.bucket as ChartQuery['bucket'])) return 'bad chart bucket';
  if (!col(v.x) || !col(v.y) || !col(v.split)) return 'chart column out of range';
  return {
    kind: v.kind as ChartQuery['kind'],
    x: v.x as number | null,
    y: v.y as number | null,
    agg: v.agg as ChartQuery['agg'],
    split: v.split as number | null,
    bucket: v.bucket as ChartQuery['bucket'],
  };
}

function stringRows(v: unknown, maxRows: number, maxCells: number): string[][] | undefined {
  if (!Array.isArray(v) || v.length > maxRows) return undefined;
  for (const r of v) {
    if (!Array.isArray(r) || r.length > maxCells || !r.every((c) => isStr(c))) return undefined;
  }
  return v as string[][];
}

function renderReport(p: Obj, columnCount: number): RenderReport | string {
  const ints = ['totalRows', 'rowsInView', 'renderedRows', 'firstRowIndex'] as const;
  for (const k of ints) if (!isInt(p[k])) return `${k} is not a count`;
  if (!Array.isArray(p.columns) || p.columns.length > columnCount || !p.columns.every((c) => isStr(c))) {
    return 'bad columns';
  }
  const firstRowTexts = stringRows(p.firstRowTexts, 5, columnCount);
  if (!firstRowTexts) return 'bad firstRowTexts';
  let chart: RenderReport['chart'] = null;
  if (p.chart !== null) {
    const c = p.chart;
    if (!isObj(c) || !isStr(c.kind, 20) || !isInt(c.series) || !isInt(c.points)) return 'bad chart';
    if (c.title !== undefined && !isStr(c.title, 1_000)) return 'bad chart title';
    chart = { kind: c.kind, series: c.series, points: c.points, ...(c.title !== undefined ? { title: c.title } : {}) };
  }
  let chartAxes: ChartAxes | undefined;
  if (p.chartAxes !== undefined) {
    const a = p.chartAxes;
    const ticks = (t: unknown): t is string[] => Array.isArray(t) && t.length <= 1_000 && t.every((x) => isStr(x, 200));
    if (!isObj(a) || !ticks(a.xTicks) || !ticks(a.yTicks)) return 'bad chartAxes';
    if (a.yMin !== null && (typeof a.yMin !== 'number' || !Number.isFinite(a.yMin))) return 'bad chartAxes yMin';
    chartAxes = { xTicks: a.xTicks, yTicks: a.yTicks, yMin: a.yMin };
  }
  let query: ChartQuery | undefined;
  if (p.chartQuery !== undefined) {
    const q = chartQuery(p.chartQuery, columnCount);
    if (typeof q === 'string') return q;
    query = q;
  }
  if (p.chartDataRows !== undefined && !isInt(p.chartDataRows)) return 'bad chartDataRows';
  const offers = p.offers as Record<string, unknown> | undefined;
  if (offers !== undefined && (!offers || typeof offers !== 'object' || !['export', 'stats', 'chartControls'].every((k) => typeof offers[k] === 'boolean')))
    return 'bad offers';
  if (p.plotHeight !== undefined && !isInt(p.plotHeight)) return 'bad plotHeight';
  if (p.plotWidth !== undefined && !isInt(p.plotWidth)) return 'bad plotWidth';
  if (p.chartChoices !== undefined && (!Array.isArray(p.chartChoices) || p.chartChoices.length > 100 || !p.chartChoices.every((c) => isStr(c, 500))))
    return 'bad chartChoices';
  if (p.chartNote !== null && !isStr(p.chartNote)) return 'bad chartNote';
  if (!isStr(p.theme, 40)) return 'bad theme';
  if (!MODES.includes(p.mode as PreviewMode)) return 'bad mode';
  if (!isStr(p.search, MAX_SEARCH_CHARS)) return 'bad search';
  const sort = sortKeys(p.sort, columnCount);
  if (typeof sort === 'string') return sort;
  const filters = columnFilters(p.filters, columnCount);
  if (typeof filters === 'string') return filters;
  return {
    ...(chartAxes ? { chartAxes } : {}),
    ...(filters.length > 0 ? { filters } : {}),
    ...(query ? { chartQuery: query } : {}),
    ...(p.chartDataRows !== undefined ? { chartDataRows: p.chartDataRows as number } : {}),
    ...(offers ? { offers: { export: offers.export as boolean, stats: offers.stats as boolean, chartControls: offers.chartControls as boolean } } : {}),
    ...(p.chartChoices !== undefined ? { chartChoices: p.chartChoices as string[] } : {}),
    ...(p.plotHeight !== undefined ? { plotHeight: p.plotHeight as number } : {}),
    ...(p.plotWidth !== undefined ? { plotWidth: p.plotWidth as number } : {}),
    totalRows: p.totalRows as number,
    rowsInView: p.rowsInView as number,
    renderedRows: p.renderedRows as number,
    firstRowIndex: p.firstRowIndex as number,
    columns: p.columns as string[],
    firstRowTexts,
    chart,
    chartNote: p.chartNote as string | null,
    theme: p.theme,
    mode: p.mode as PreviewMode,
    search: p.search,
    sort,
  };
}

/**
 * Returns the message rebuilt from checked fields only (extra fields are dropped), or a reason
 * string when it is not a valid message. `columnCount` bounds column indices in sort keys.
 */
export function parseWebviewMessage(raw: unknown, columnCount: number): WebviewMessage | string {
  if (!isObj(raw) || typeof raw.type !== 'string') return 'not a {type, payload} message';
  const p = raw.payload;
  if (!isObj(p)) return `${raw.type}: payload is not an object`;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready', payload: {} };
    case 'requestWindow': {
      if (!isInt(p.requestId) || !isInt(p.viewVersion) || !isInt(p.start) || !isInt(p.count, 1, MAX_WINDOW_ROWS)) {
        return 'requestWindow: requestId, viewVersion, start and count must be counts (count 1..' + MAX_WINDOW_ROWS + ')';
      }
      return {
        type: 'requestWindow',
        payload: { requestId: p.requestId, viewVersion: p.viewVersion, start: p.start, count: p.count },
      };
    }
    case 'setView': {
      const sort = sortKeys(p.sort, columnCount);
      if (typeof sort === 'string') return `setView: ${sort}`;
      if (!isStr(p.search, MAX_SEARCH_CHARS)) return 'setView: search must be a string of at most ' + MAX_SEARCH_CHARS;
      const filters = columnFilters(p.filters, columnCount);
      if (typeof filters === 'string') return `setView: ${filters}`;
      return { type: 'setView', payload: { sort, search: p.search, ...(filters.length > 0 ? { filters } : {}) } };
    }
    case 'rendered': {
      const r = renderReport(p, columnCount);
      return typeof r === 'string' ? `rendered: ${r}` : { type: 'rendered', payload: r };
    }
    case 'copy':
      if (!isStr(p.text, MAX_COPY_CHARS)) return 'copy: text must be a string';
      return { type: 'copy', payload: { text: p.text } };
    case 'requestStats':
      if (!isInt(p.column, 0, columnCount - 1)) return 'requestStats: column out of range';
      return { type: 'requestStats', payload: { column: p.column } };
    case 'export':
      if (p.format !== 'csv' && p.format !== 'tsv' && p.format !== 'json') return 'export: bad format';
      return { type: 'export', payload: { format: p.format } };
    case 'setChart': {
      if (!isInt(p.seq)) return 'setChart: seq must be a count';
      const q = chartQuery(p.query, columnCount);
      return typeof q === 'string' ? `setChart: ${q}` : { type: 'setChart', payload: { query: q, seq: p.seq } };
    }
    case 'saveChart':
      if (p.format !== 'png' && p.format !== 'svg') return 'saveChart: bad format';
      if (!isStr(p.data, MAX_CHART_IMAGE_CHARS) || p.data.length === 0) return 'saveChart: data must be a non-empty string';
      if (p.format === 'png' && !/^[A-Za-z0-9+/]+=*$/.test(p.data)) return 'saveChart: PNG data must be base64';
      if (p.format === 'svg' && !p.data.trimStart().startsWith('<')) return 'saveChart: SVG data must be markup';
      if (!isStr(p.name, 200)) return 'saveChart: bad name';
      return { type: 'saveChart', payload: { format: p.format, data: p.data, name: p.name } };
    default:
      return `unknown message type ${JSON.stringify(raw.type).slice(0, 40)}`;
  }
}
