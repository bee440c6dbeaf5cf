/**
 * The chart above the grid, drawn with uPlot (canvas; small and fast with long time series).
 *
 * Colours come from VS Code's theme variables (`--vscode-charts-*` is the palette VS Code's own
 * charts use), read when the chart is built; a theme switch rebuilds it, since uPlot bakes axis
 * and series colours in at creation. Dates without a zone are read as UTC and the axis is shown
 * in UTC: analytics APIs bucket by UTC day, and a local-time axis would shift every bar by a day
 * for users west of Greenwich.
 */
import uPlot from 'uplot';
import type { ChartSpec, ChartSummary } from '../src/protocol';
import { el } from './dom';

interface ChartTheme {
  fg: string;
  muted: string;
  grid: string;
  font: string;
  palette: string[];
}

const PALETTE_VARS: [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Resolves any CSS colour to rgba() with the given alpha (canvas needs a concrete colour). */
function withAlpha(color: string, alpha: number): string {
  const probe = el('span');
  probe.style.color = color;
  document.body.appendChild(probe);
  const m = getComputedStyle(probe).color.match(/[\d.]+/g);
  probe.remove();
  if (!m || m.length < 3) return color;
  return `rgba(${m[0]}, ${m[1]}, ${m[2]}, ${alpha})`;
}

function readTheme(): ChartTheme {
  const fg = cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', '#cccccc'));
  const family = cssVar('--vscode-font-family', 'sans-serif');
  return {
    fg,
    muted: cssVar('--vscode-descriptionForeground', fg),
    grid: withAlpha(fg, 0.12),
    font: family,
    palette: PALETTE_VARS.map(([v, f]) => cssVar(v, f)),
  };
}

/** Unix seconds for an ISO date or date-time; zone-less values are UTC. NaN when unreadable. */
export function parseUtcSeconds(iso: string): number {
  const s = iso.trim().replace(' ', 'T');
  const zoned = /^\d{4}-\d{2}-\d{2}$/.test(s) || /(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  return Date.parse(zoned ? s : `${s}Z`) / 1000;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const full = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

function truncate(label: string, max: number): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

/** Running totals across series at each x; a missing value adds nothing and stays missing. */
function cumulative(series: (number | null)[][]): (number | null)[][] {
  const totals = series.length > 0 ? series[0].map(() => 0) : [];
  return series.map((s) =>
    s.map((v, i) => {
      if (v === null) return null;
      totals[i] += v;
      return totals[i];
    }),
  );
}

export class ChartView {
  readonly element: HTMLDivElement;
  private readonly plotHost: HTMLDivElement;
  private readonly noteEl: HTMLDivElement;
  private plot: uPlot | undefined;
  private spec: ChartSpec | null = null;
  private drawn = false;

  constructor(private readonly onDraw: () => void) {
    this.plotHost = el('div', { className: 'ip-plot' });
    this.noteEl = el('div', { className: 'ip-chart-note', attrs: { role: 'note' } });
    this.element = el('div', { className: 'ip-chart' }, [this.noteEl, this.plotHost]);
    new ResizeObserver(() => this.fit()).observe(this.plotHost);
  }

  set(spec: ChartSpec | null, note: string | null): void {
    this.spec = spec && spec.series.length > 0 && spec.x.values.length > 0 ? spec : null;
    const text = this.spec ? '' : (note ?? (spec ? 'This result has nothing to chart.' : 'No chart for this result.'));
    this.noteEl.textContent = text;
    this.noteEl.hidden = text === '';
    this.element.classList.toggle('ip-chart-empty', !this.spec);
    // Without a chart or a note, "both" is just the table; the generic text shows only in chart mode.
    this.element.classList.toggle('ip-chart-silent', !this.spec && note === null);
    this.rebuild();
  }

  /** Theme changed: colours are baked into the plot, so build it again. */
  rebuild(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.drawn = false;
    this.fit();
  }

  get hasChart(): boolean {
    return this.spec !== null;
  }

  /** What was drawn, for the `rendered` report; null until a plot is on the canvas. */
  summary(): ChartSummary | null {
    if (!this.spec || !this.plot || !this.drawn) return null;
    return { kind: this.spec.kind, series: this.spec.series.length, points: this.spec.x.values.length };
  }

  /** Builds the plot once the host has a size (not while hidden), then keeps it fitted. */
  private fit(): void {
    const w = this.plotHost.clientWidth;
    const h = this.plotHost.clientHeight;
    if (!this.spec || w < 50 || h < 50) return;
    if (!this.plot) {
      this.plot = this.create(this.spec, w, h);
      // uPlot lays out its title and legend in a microtask: fit again once they have a size.
      requestAnimationFrame(() => this.fit());
      return;
    }
    // Title and legend sit outside the plot's height: measure them and give the plot the rest.
    const root = this.plot.root;
    const extra =
      ((root.querySelector('.u-title') as HTMLElement | null)?.offsetHeight ?? 0) +
      ((root.querySelector('.u-legend') as HTMLElement | null)?.offsetHeight ?? 0);
    const height = Math.max(60, Math.floor(h - extra));
    if (this.plot.width !== w || this.plot.height !== height) this.plot.setSize({ width: w, height });
  }

  private create(spec: ChartSpec, width: number, height: number): uPlot {
    const theme = readTheme();
    const n = spec.x.values.length;
    let xs = spec.x.values.map(parseUtcSeconds);
    const time = spec.kind === 'line' && spec.x.type === 'time' && xs.every((x) => Number.isFinite(x));
    if (!time) xs = spec.x.values.map((_, i) => i);
    const labels = spec.x.values;
    const bar = spec.kind !== 'line';
    const stacked = spec.kind === 'stackedBar';
    // Stacked bars: each series is drawn as the running total up to it, the tallest first so the
    // shorter totals paint over it; the legend and cursor still show each series' own value.
    const raw = spec.series.map((s) => xs.map((_, i) => s.values[i] ?? null));
    const plotted = stacked ? cumulative(raw) : raw;
    const order = stacked ? raw.map((_, i) => raw.length - 1 - i) : raw.map((_, i) => i);
    const axisFont = `11px ${theme.font}`;
    const axisBase = {
      stroke: theme.muted,
      font: axisFont,
      labelFont: `12px ${theme.font}`,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 },
    };

    const categoryAxis: uPlot.Axis = {
      ...axisBase,
      label: spec.xLabel,
      grid: { show: false },
      // Thin the labels to what fits: one per category while there is room, else every k-th.
      splits: (u) => {
        const maxLabel = Math.min(140, Math.max(...labels.map((l) => Math.min(l.length, 24))) * 6.5 + 12);
        const slot = u.bbox.width / uPlot.pxRatio / Math.max(1, n);
        const step = Math.max(1, Math.ceil(maxLabel / slot));
        return xs.filter((_, i) => i % step === 0);
      },
      values: (_u, splits) => splits.map((i) => truncate(labels[i] ?? '', 24)),
    };

    const hasTime = time && spec.x.values.some((v) => /T\d{2}:\d{2}/.test(v) && !/T00:00(:00)?/.test(v));
    const series: uPlot.Series[] = [
      {
        label: spec.xLabel ?? (time ? 'Date' : 'Category'),
        value: time
          ? hasTime
            ? '{YYYY}-{MM}-{DD} {HH}:{mm}'
            : '{YYYY}-{MM}-{DD}'
          : (_u, v) => (v === null ? '' : (labels[Math.round(v)] ?? '')),
      },
      ...order.map((i): uPlot.Series => {
        const s = spec.series[i];
        const color = theme.palette[i % theme.palette.length];
        const common = {
          label: s.name,
          stroke: color,
          value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => {
            const own = stacked && idx !== null ? raw[i][idx] : v;
            return own === null || own === undefined ? '—' : full.format(own);
          },
        };
        if (bar) {
          return {
            ...common,
            fill: withAlpha(color, stacked ? 0.9 : 0.75),
            width: 0,
            paths: spec.kind === 'histogram' ? uPlot.paths.bars!({ size: [0.98, Infinity], align: 0 }) : this.barPaths(i, stacked ? 1 : spec.series.length),
            points: { show: false },
          };
        }
        return {
          ...common,
          width: 2,
          fill: spec.series.length === 1 ? withAlpha(color, 0.08) : undefined,
          points: { show: n <= 60, size: 5, fill: color },
          spanGaps: false,
        };
      }),
    ];

    const annotations = bar ? spec.annotations : undefined;
    const opts: uPlot.Options = {
      width,
      height,
      title: spec.title,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      cursor: { points: { show: !bar }, drag: { x: !bar, y: false } },
      scales: {
        x: time ? { time: true } : { time: false, range: () => [-0.5, n - 0.5] },
        y: {
          range: (_u, min, max) => {
            // Bars grow from zero; leave headroom for the labels drawn above them.
            const lo = bar ? Math.min(0, min) : min;
            const hi = max === lo ? lo + 1 : max;
            return uPlot.rangeNum(lo, hi * (annotations?.length ? 1.12 : 1), 0.05, true);
          },
        },
      },
      axes: [
        time ? { ...axisBase, label: spec.xLabel } : categoryAxis,
        {
          ...axisBase,
          label: spec.yLabel,
          size: 56,
          values: (_u, splits) => splits.map((v) => compact.format(v)),
        },
      ],
      series,
      legend: { show: true, live: true },
      hooks: {
        draw: [
          (u) => {
            if (annotations?.length) this.drawAnnotations(u, annotations, theme);
            this.drawn = true;
            this.onDraw();
          },
        ],
      },
    };
    const data = [xs, ...order.map((i) => plotted[i])] as uPlot.AlignedData;
    return new uPlot(opts, data, this.plotHost);
  }

  /** Single series: plain centred bars. Several: grouped side by side within each category. */
  private barPaths(seriesIndex: number, seriesCount: number): uPlot.Series.PathBuilder {
    const bars = uPlot.paths.bars!;
    if (seriesCount === 1) return bars({ size: [0.6, 96], align: 0 });
    const group = 0.8;
    const each = group / seriesCount;
    const scaleValue = 1 as uPlot.Series.BarsPathBuilderFacetUnit.ScaleValue;
    return bars({
      align: 0,
      disp: {
        x0: {
          unit: scaleValue,
          // With `disp`, uPlot takes x0 as the bar's left edge (align is ignored): 5% gap each side.
          values: (u) => (u.data[0] as number[]).map((x) => x - group / 2 + each * (seriesIndex + 0.05)),
        },
        size: { unit: scaleValue, values: (u) => (u.data[0] as number[]).map(() => each * 0.9) },
      },
    });
  }

  /** Labels such as funnel conversion rates, centred above each category's tallest bar. */
  private drawAnnotations(u: uPlot, labels: string[], theme: ChartTheme): void {
    const ctx = u.ctx;
    const ratio = uPlot.pxRatio;
    ctx.save();
    ctx.font = `600 ${Math.round(11 * ratio)}px ${theme.font}`;
    ctx.fillStyle = theme.fg;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    labels.forEach((label, i) => {
      if (!label) return;
      let top = -Infinity;
      for (let s = 1; s < u.data.length; s++) {
        const v = u.data[s][i];
        if (typeof v === 'number') top = Math.max(top, v);
      }
      if (!Number.isFinite(top)) return;
      const x = u.valToPos(i, 'x', true);
      const y = u.valToPos(Math.max(top, 0), 'y', true) - 4 * ratio;
      ctx.fillText(label, x, y);
    });
    ctx.restore();
  }
}
