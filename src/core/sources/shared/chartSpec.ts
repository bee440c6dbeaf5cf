/**
 * Chart specs shared by every platform: what a core module proposes to draw for a table, as plain
 * data, and its mapping onto the preview protocol. No platform's code in here, so every platform
 * folder under src/core/sources can use it without importing another's.
 *
 * ## ChartSpec (the contract with the preview)
 * A neutral description, no drawing library in it. Every array in `x.values`, each `series[i].values`,
 * `pointLabels` and the `box` arrays has the same length: one entry per x position. `null` is
 * "no value here" (a gap in a line, no bar, no box), never zero.
 *
 * | kind         | x.type           | draws |
 * |--------------|------------------|-------|
 * | `line`       | time / category  | one line per series |
 * | `bar`        | category / time  | one bar per x, grouped side by side when several series |
 * | `stackedBar` | category / time  | series stacked bottom-up in array order at each x |
 * | `histogram`  | number           | x.values are bin lower edges; bin i spans [x_i, x_i + histogram.binWidth); series[0] holds the counts |
 * | `box`        | category         | one box per x from `box` (min, q1, median, q3, max); `series`, if any, are points drawn over the boxes (e.g. one student's score) |
 * | `scatter`    | number           | one point per x; series[0].values are the y values; `pointLabels` name the points |
 *
 * `time` values are ISO 8601 dates ("2024-01-24") or date-times with an offset; read a value
 * without an offset as UTC. `y.format: 'percent'` means the values are percentages 0–100.
 * Line and bar specs with `time`/`category` x map one-to-one onto the preview protocol's
 * ChartSpec (`x.label` → `xLabel`, `y.label` → `yLabel`).
 */
import type { ChartSpec as PreviewChartSpec } from '../../../protocol';

export type ChartKind = 'line' | 'bar' | 'stackedBar' | 'histogram' | 'box' | 'scatter';
export type AxisType = 'time' | 'category' | 'number';

export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

export interface BoxData {
  labels: string[];
  min: (number | null)[];
  q1: (number | null)[];
  median: (number | null)[];
  q3: (number | null)[];
  max: (number | null)[];
}

export interface ChartSpec {
  kind: ChartKind;
  title: string;
  x: { label: string; type: AxisType; values: (string | number)[] };
  y: { label: string; format?: 'integer' | 'number' | 'percent'; min?: number; max?: number };
  series: ChartSeries[];
  /** `box` only. */
  box?: BoxData;
  /** `histogram` only: width of every bin in x units. */
  histogram?: { binWidth: number };
  /** Tooltip label per x position (scatter points: student names). */
  pointLabels?: string[];
  /** One line to show under the chart (e.g. why some boxes are missing). */
  note?: string;
}

/**
 * The spec in the preview protocol's shape (src/protocol.ts): histograms get bin labels ("0",
 * "10–20"), box plots their five-number arrays per category, scatter points are put in ascending
 * x order (the plot needs it) with their labels and y values moved along.
 */
export function toPreviewChart(spec: ChartSpec): PreviewChartSpec {
  const base = {
    title: spec.title,
    xLabel: spec.x.label,
    yLabel: spec.y.label,
    ...(spec.y.format === 'percent' ? { yFormat: 'percent' as const } : {}),
    ...(spec.note ? { note: spec.note } : {}),
  };
  const labels = () => spec.x.values.map(String);
  switch (spec.kind) {
    case 'histogram': {
      const w = spec.histogram?.binWidth ?? 1;
      const bins = spec.x.values.map((v) => (w === 1 ? String(v) : `${v}–${Number(v) + w}`));
      return { ...base, kind: 'histogram', x: { type: 'category', values: bins }, series: spec.series };
    }
    case 'box': {
      const b = spec.box;
      const n = spec.x.values.length;
      const empty = () => Array.from({ length: n }, () => null);
      return {
        ...base,
        kind: 'box',
        x: { type: 'category', values: b?.labels.length === n ? b.labels : labels() },
        series: spec.series,
        box: b
          ? { min: b.min, q1: b.q1, median: b.median, q3: b.q3, max: b.max }
          : { min: empty(), q1: empty(), median: empty(), q3: empty(), max: empty() },
      };
    }
    case 'scatter': {
      const xs = spec.x.values.map((v) => (typeof v === 'number' ? v : Number(v)));
      const order = xs.map((_, i) => i).filter((i) => Number.isFinite(xs[i]));
      order.sort((a, b) => xs[a] - xs[b] || a - b);
      return {
        ...base,
        kind: 'scatter',
        x: { type: 'number', values: order.map((i) => xs[i]) },
        series: spec.series.map((s) => ({ name: s.name, values: order.map((i) => s.values[i] ?? null) })),
        ...(spec.pointLabels ? { pointLabels: order.map((i) => spec.pointLabels![i] ?? '') } : {}),
      };
    }
    default: {
      // A line over numbers (a position in a video) keeps its numeric axis.
      const xs = spec.x.values;
      const numeric = spec.x.type === 'number' && xs.every((v): v is number => typeof v === 'number');
      return {
        ...base,
        kind: spec.kind,
        x: numeric ? { type: 'number', values: xs as number[] } : { type: spec.x.type === 'time' ? 'time' : 'category', values: labels() },
        series: spec.series,
      };
    }
  }
}

/** The preview's charts for a list of specs: the first shown, the rest in the picker. */
export function chartOf(specs: readonly ChartSpec[]): { chart?: PreviewChartSpec; moreCharts?: PreviewChartSpec[] } {
  const all = specs.map(toPreviewChart);
  if (all.length === 0) return {};
  return all.length === 1 ? { chart: all[0] } : { chart: all[0], moreCharts: all.slice(1) };
}
