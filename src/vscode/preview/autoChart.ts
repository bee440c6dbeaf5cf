/**
 * A first chart for a table nobody described (a local file): picked from the column types and
 * computed in the host with the engine's aggregates, so the webview gets tens or hundreds of points,
 * never the rows.
 *
 *   a date column and a number column  → line of the number's sum per time bucket
 *   a date column alone                → line of the row count per time bucket
 *   a category column and a number     → bars of the number's sum per category (largest first)
 *   a number column alone              → histogram
 *
 * Id-like columns ("id", "user_id", "userId") are never charted: their sum means nothing. No
 * `vscode` import (unit-tested in Node).
 */
import { columnStats, groupBy, histogram, type Table, type TimeBucket } from '../../core/table';
import type { ChartSpec } from '../../protocol';

const MAX_CATEGORIES = 30;
const MAX_CATEGORY_DISTINCT = 200;
const HIST_BINS = 20;
const DAY_MS = 86_400_000;

const idLike = (name: string) => /(^|[_\s.-])id$|[a-z]Id$|^id$/i.test(name) || /^(uuid|guid)$/i.test(name);

function bucketFor(spanMs: number): TimeBucket {
  if (spanMs <= 3 * DAY_MS) return 'hour';
  if (spanMs <= 400 * DAY_MS) return 'day';
  if (spanMs <= 5 * 366 * DAY_MS) return 'week';
  return 'month';
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number.parseFloat(n.toPrecision(4)));
}

export function autoChart(table: Table): { chart?: ChartSpec; chartNote?: string } {
  if (table.rowCount === 0) return { chartNote: 'No rows to chart.' };
  return withScope(table.rowCount, pick(table));
}

/** The chart is of the whole file, not the grid's filtered view: the title says so. */
function withScope(rows: number, r: { chart?: ChartSpec; chartNote?: string }): { chart?: ChartSpec; chartNote?: string } {
  if (r.chart) r.chart.title = `${r.chart.title} · all ${rows.toLocaleString('en-US')} rows`;
  return r;
}

function pick(table: Table): { chart?: ChartSpec; chartNote?: string } {
  const cols = table.columns.map((c, i) => ({ i, name: c.name, type: c.type }));
  const date = cols.find((c) => c.type === 'date' || c.type === 'datetime');
  const num = cols.find((c) => (c.type === 'integer' || c.type === 'number') && !idLike(c.name));
  if (date) {
    const s = columnStats(table, date.i, null, 0);
    const span = typeof s.min === 'string' && typeof s.max === 'string' ? Date.parse(s.max) - Date.parse(s.min) : NaN;
    if (s.count > 0 && Number.isFinite(span)) {
      const bucket = bucketFor(span);
      const agg = num ? { op: 'sum' as const, column: num.i } : { op: 'count' as const };
      const g = groupBy(table, null, [{ column: date.i, bucket }], [agg]);
      const rows = g.rows.filter((r) => r[0] !== null);
      const what = num ? `${num.name} (sum)` : 'rows';
      return {
        chart: {
          kind: 'line',
          title: `${num ? `Sum of ${num.name}` : 'Rows'} per ${bucket}`,
          xLabel: date.name === bucket ? date.name : `${date.name} (${bucket})`,
          yLabel: what,
          x: { type: 'time', values: rows.map((r) => String(r[0])) },
          series: [{ name: what, values: rows.map((r) => (typeof r[1] === 'number' ? r[1] : null)) }],
        },
      };
    }
  }
  const cat = cols.find((c) => c.type === 'string' && !idLike(c.name) && columnStats(table, c.i, null, 0).distinct <= MAX_CATEGORY_DISTINCT);
  if (cat) {
    const agg = num ? { op: 'sum' as const, column: num.i } : { op: 'count' as const };
    const g = groupBy(table, null, [cat.i], [agg]);
    const rows = g.rows
      .filter((r) => typeof r[1] === 'number')
      .sort((a, b) => (b[1] as number) - (a[1] as number))
      .slice(0, MAX_CATEGORIES);
    const what = num ? `${num.name} (sum)` : 'rows';
    return {
      chart: {
        kind: 'bar',
        title: `${num ? `Sum of ${num.name}` : 'Rows'} by ${cat.name}${g.rows.length > MAX_CATEGORIES ? ` (top ${MAX_CATEGORIES})` : ''}`,
        xLabel: cat.name,
        yLabel: what,
        x: { type: 'category', values: rows.map((r) => (r[0] === null ? '(empty)' : String(r[0]))) },
        series: [{ name: what, values: rows.map((r) => r[1] as number) }],
      },
    };
  }
  if (num) {
    const h = histogram(table, null, num.i, { bins: HIST_BINS });
    if (h.counts.length > 0) {
      return {
        chart: {
          kind: 'histogram',
          title: `Distribution of ${num.name}`,
          xLabel: num.name,
          yLabel: 'rows',
          x: { type: 'category', values: h.counts.map((_, b) => `${fmt(h.edges[b])}–${fmt(h.edges[b + 1])}`) },
          series: [{ name: 'rows', values: h.counts }],
        },
      };
    }
  }
  return { chartNote: 'No column to chart: it takes a date, a category or a number column.' };
}
