/**
 * PostHog results as tables and chart series. PostHog's own `format=csv` is a generic flattener
 * of the insight object, not a result table (API-NOTES.md), so each result shape is mapped here.
 */
import type { ChartSpec } from '../../../protocol';
import { InsightKind, PostHogInsight, insightKind } from './types';

export type Cell = string | number | null;
export interface ResultTable {
  columns: string[];
  rows: Cell[][];
}

interface TrendEntry {
  label?: string;
  action?: { name?: string; custom_name?: string | null } | null;
  data?: (number | null)[];
  /** One number for the whole range, for displays that show no time axis. */
  aggregated_value?: number | null;
  days?: (string | number)[];
  labels?: string[];
  breakdown_value?: unknown;
  status?: string;
}

interface FunnelStep {
  name?: string;
  custom_name?: string | null;
  order?: number;
  count?: number;
  breakdown_value?: unknown;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function cellText(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function seriesName(e: TrendEntry, i: number): string {
  return e.label ?? e.action?.custom_name ?? e.action?.name ?? `Series ${i + 1}`;
}

/**
 * Trends displays that show one number per series. For these PostHog's trends runner returns each
 * series with `data: []`, `count: 0` and an `aggregated_value` (plus `breakdown_value` when broken
 * down); `days` is empty or lists the range's dates (TrendsQueryRunner.build_series_response and
 * TrendsDisplay.is_total_value in PostHog's posthog/hogql_queries/insights/trends/).
 */
export const AGGREGATED_DISPLAYS = ['ActionsPie', 'ActionsTable', 'BoldNumber', 'ActionsBarValue', 'WorldMap'] as const;
export type AggregatedDisplay = (typeof AGGREGATED_DISPLAYS)[number];

/** The chart type PostHog draws a trends insight with: `query.source.trendsFilter.display`, or legacy `filters.display`. */
export function trendsDisplay(insight: Pick<PostHogInsight, 'query' | 'filters'>): string | undefined {
  const q = insight.query as { trendsFilter?: { display?: unknown }; source?: { trendsFilter?: { display?: unknown } } } | null | undefined;
  const d = q?.source?.trendsFilter?.display ?? q?.trendsFilter?.display ?? (insight.filters as { display?: unknown } | undefined)?.display;
  return typeof d === 'string' && d ? d : undefined;
}

/** Entries that carry an aggregated value and no per-date data: PostHog aggregated them. */
function looksAggregated(entries: TrendEntry[]): boolean {
  return entries.length > 0 && entries.every((e) => typeof e.aggregated_value === 'number' && (e.data ?? []).length === 0);
}

/** True when the insight's result has one number per series (by its display, or by the entries' shape). */
export function isAggregatedTrends(insight: PostHogInsight): boolean {
  if (insightKind(insight) !== 'trends') return false;
  const display = trendsDisplay(insight);
  if (display && (AGGREGATED_DISPLAYS as readonly string[]).includes(display)) return true;
  return looksAggregated((Array.isArray(insight.result) ? insight.result : []) as TrendEntry[]);
}

/** One number per series: `series,value[,breakdown_value]`, value = `aggregated_value`. */
export function aggregatedTrendsTable(result: unknown): ResultTable {
  const entries = (Array.isArray(result) ? result : []) as TrendEntry[];
  const hasBreakdown = entries.some((e) => e.breakdown_value !== undefined && e.breakdown_value !== null);
  const columns = hasBreakdown ? ['series', 'value', 'breakdown_value'] : ['series', 'value'];
  const rows = entries.map((e, i) => {
    const row: Cell[] = [seriesName(e, i), num(e.aggregated_value)];
    if (hasBreakdown) row.push(cellText(e.breakdown_value));
    return row;
  });
  return { columns, rows };
}

/**
 * Trends (and lifecycle/stickiness, same entry shape): `series,date,value[,breakdown_value]`.
 * Aggregated entries (no per-date data, an `aggregated_value`) give `series,value[,breakdown_value]`.
 */
export function trendsTable(result: unknown): ResultTable {
  const entries = (Array.isArray(result) ? result : []) as TrendEntry[];
  if (looksAggregated(entries)) return aggregatedTrendsTable(entries);
  const hasBreakdown = entries.some((e) => e.breakdown_value !== undefined && e.breakdown_value !== null);
  const hasStatus = entries.some((e) => typeof e.status === 'string');
  const columns = ['series', 'date', 'value'];
  if (hasBreakdown) columns.push('breakdown_value');
  if (hasStatus) columns.push('status');
  const rows: Cell[][] = [];
  entries.forEach((e, i) => {
    const days = e.days ?? [];
    const data = e.data ?? [];
    for (let d = 0; d < Math.max(days.length, data.length); d++) {
      const row: Cell[] = [seriesName(e, i), cellText(days[d]), num(data[d])];
      if (hasBreakdown) row.push(cellText(e.breakdown_value));
      if (hasStatus) row.push(e.status ?? null);
      rows.push(row);
    }
  });
  return { columns, rows };
}

function funnelSteps(result: unknown): { steps: FunnelStep[]; breakdown?: unknown }[] {
  if (!Array.isArray(result) || result.length === 0) return [];
  // With breakdowns the result is an array of step arrays, one per breakdown value.
  if (Array.isArray(result[0])) {
    return (result as FunnelStep[][]).map((steps) => ({ steps, breakdown: steps[0]?.breakdown_value }));
  }
  return [{ steps: result as FunnelStep[] }];
}

/** Funnels: `step,name,count,conversion_rate` (rate = count / first step's count). */
export function funnelsTable(result: unknown): ResultTable {
  const groups = funnelSteps(result);
  const withBreakdown = groups.length > 1 || groups.some((g) => g.breakdown !== undefined && g.breakdown !== null);
  const columns = ['step', 'name', 'count', 'conversion_rate'];
  if (withBreakdown) columns.push('breakdown_value');
  const rows: Cell[][] = [];
  for (const g of groups) {
    const sorted = [...g.steps].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    const first = num(sorted[0]?.count) ?? 0;
    sorted.forEach((s, i) => {
      const count = num(s.count) ?? 0;
      const rate = first > 0 ? Math.round((count / first) * 1e6) / 1e6 : null;
      const row: Cell[] = [i + 1, s.custom_name || s.name || `Step ${i + 1}`, count, rate];
      if (withBreakdown) row.push(cellText(Array.isArray(g.breakdown) ? g.breakdown.join(', ') : g.breakdown));
      rows.push(row);
    });
  }
  return { columns, rows };
}

/** Retention: one row per cohort, one column per period. */
export function retentionTable(result: unknown): ResultTable {
  const cohorts = (Array.isArray(result) ? result : []) as { label?: string; date?: string; values?: { count?: number; label?: string }[] }[];
  const width = Math.max(0, ...cohorts.map((c) => c.values?.length ?? 0));
  const periodNames = Array.from({ length: width }, (_, i) => cohorts.find((c) => c.values?.[i]?.label)?.values?.[i]?.label ?? `Period ${i}`);
  const columns = ['cohort', 'date', ...periodNames];
  const rows = cohorts.map((c) => [c.label ?? null, c.date ?? null, ...Array.from({ length: width }, (_, i) => num(c.values?.[i]?.count))]);
  return { columns, rows };
}

/** Paths: `source,target,value`. */
export function pathsTable(result: unknown): ResultTable {
  const links = (Array.isArray(result) ? result : []) as { source?: string; target?: string; value?: number; average_conversion_time?: number }[];
  return {
    columns: ['source', 'target', 'value', 'average_conversion_time'],
    rows: links.map((l) => [l.source ?? null, l.target ?? null, num(l.value), num(l.average_conversion_time)]),
  };
}

/** SQL / HogQL: `columns` + rows as sent. */
export function sqlTable(insight: PostHogInsight): ResultTable {
  const rows = (Array.isArray(insight.result) ? insight.result : []) as unknown[][];
  const width = Math.max(0, ...rows.map((r) => (Array.isArray(r) ? r.length : 0)));
  const columns = insight.columns && insight.columns.length ? insight.columns.map(String) : Array.from({ length: width }, (_, i) => `column_${i + 1}`);
  return { columns, rows: rows.map((r) => (Array.isArray(r) ? r : [r]).map(cellText)) };
}

/** Anything else: one row per top-level entry, nested values as JSON text. */
export function genericTable(result: unknown): ResultTable {
  const items = Array.isArray(result) ? result : result == null ? [] : [result];
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    if (it && typeof it === 'object' && !Array.isArray(it)) {
      for (const k of Object.keys(it)) if (!seen.has(k)) seen.add(k), columns.push(k);
    }
  }
  if (columns.length === 0) return { columns: ['value'], rows: items.map((v) => [cellText(v)]) };
  return { columns, rows: items.map((it) => columns.map((c) => cellText((it as Record<string, unknown>)?.[c]))) };
}

export function resultTable(insight: PostHogInsight): ResultTable {
  const kind = insightKind(insight);
  switch (kind) {
    case 'trends':
      return isAggregatedTrends(insight) ? aggregatedTrendsTable(insight.result) : trendsTable(insight.result);
    case 'lifecycle':
    case 'stickiness':
      return trendsTable(insight.result);
    case 'funnels':
      return funnelsTable(insight.result);
    case 'retention':
      return retentionTable(insight.result);
    case 'paths':
      return pathsTable(insight.result);
    case 'sql':
      return sqlTable(insight);
    default:
      return genericTable(insight.result);
  }
}

/** Chart for the kinds the preview draws; undefined means "table only" (with a note). */
export function resultChart(insight: PostHogInsight): ChartSpec | undefined {
  const kind: InsightKind = insightKind(insight);
  if (kind === 'trends' && isAggregatedTrends(insight)) return aggregatedChart(insight);
  if (kind === 'trends') {
    const entries = (Array.isArray(insight.result) ? insight.result : []) as TrendEntry[];
    if (entries.length === 0) return undefined;
    const days = (entries[0].days ?? []).map(String);
    const isoDates = days.every((d) => /^\d{4}-\d{2}-\d{2}/.test(d));
    return {
      kind: 'line',
      x: { type: isoDates ? 'time' : 'category', values: days },
      series: entries.map((e, i) => ({
        name: e.breakdown_value != null ? `${seriesName(e, i)} · ${String(e.breakdown_value)}` : seriesName(e, i),
        values: days.map((_, d) => num(e.data?.[d])),
      })),
    };
  }
  if (kind === 'funnels') {
    const groups = funnelSteps(insight.result);
    if (groups.length === 0) return undefined;
    const steps = [...groups[0].steps].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    const labels = steps.map((s, i) => `${i + 1}. ${s.custom_name || s.name || `Step ${i + 1}`}`);
    const series = groups.map((g, gi) => {
      const sorted = [...g.steps].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
      return { name: g.breakdown != null ? String(g.breakdown) : groups.length > 1 ? `Breakdown ${gi + 1}` : 'Count', values: sorted.map((s) => num(s.count)) };
    });
    const first = num(steps[0]?.count) ?? 0;
    const annotations = groups.length === 1 ? steps.map((s) => (first > 0 ? `${((100 * (num(s.count) ?? 0)) / first).toFixed(1)}%` : '')) : undefined;
    return { kind: 'bar', x: { type: 'category', values: labels }, series, annotations, yLabel: 'Persons' };
  }
  return undefined;
}

/** A label per aggregated entry: the breakdown value (a country code on a world map), with the series name when there are several series. */
function aggregatedLabels(entries: TrendEntry[]): string[] {
  const names = entries.map((e, i) => seriesName(e, i));
  const severalSeries = new Set(entries.map((e) => e.action?.name ?? e.label)).size > 1;
  return entries.map((e, i) => {
    if (e.breakdown_value === undefined || e.breakdown_value === null) return names[i];
    const bv = Array.isArray(e.breakdown_value) ? e.breakdown_value.join(', ') : String(e.breakdown_value);
    const series = e.action?.custom_name || e.action?.name;
    return severalSeries && series && series !== bv ? `${series} · ${bv}` : bv;
  });
}

/**
 * Pie, bar-value and world map: horizontal bars, largest first (a pie's slices and a map's
 * countries read best as sorted bars). BoldNumber: the number itself. ActionsTable: none (the
 * table is the view).
 */
function aggregatedChart(insight: PostHogInsight): ChartSpec | undefined {
  const entries = ((Array.isArray(insight.result) ? insight.result : []) as TrendEntry[]).filter((e) => e && typeof e === 'object');
  if (entries.length === 0) return undefined;
  const display = trendsDisplay(insight);
  if (display === 'ActionsTable') return undefined;
  const labels = aggregatedLabels(entries);
  const values = entries.map((e) => num(e.aggregated_value));
  if (display === 'BoldNumber') {
    return { kind: 'number', x: { type: 'category', values: labels }, series: [{ name: 'value', values }] };
  }
  const order = values.map((_, i) => i).sort((a, b) => (values[b] ?? -Infinity) - (values[a] ?? -Infinity) || a - b);
  return {
    kind: 'hbar',
    x: { type: 'category', values: order.map((i) => labels[i]) },
    series: [{ name: display === 'WorldMap' ? 'Country' : 'Value', values: order.map((i) => values[i]) }],
  };
}

const KIND_LABEL: Record<InsightKind, string> = {
  trends: 'Trends',
  funnels: 'Funnel',
  retention: 'Retention',
  paths: 'Paths',
  stickiness: 'Stickiness',
  lifecycle: 'Lifecycle',
  sql: 'SQL',
  other: 'Insight',
};

export function kindLabel(kind: InsightKind): string {
  return KIND_LABEL[kind];
}

/** Why there is no chart, in words for the preview. */
export function chartNote(insight: PostHogInsight): string | undefined {
  const kind = insightKind(insight);
  if (insight.result == null) return 'This insight has no cached result yet. Refresh it to calculate.';
  if (kind === 'trends' && trendsDisplay(insight) === 'ActionsTable') return 'PostHog shows this insight as a table: the table below is its result.';
  if (kind === 'trends' || kind === 'funnels') return undefined;
  return `Charts for ${KIND_LABEL[kind].toLowerCase()} insights are not drawn yet — the table shows the full result.`;
}
