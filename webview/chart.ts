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
import type { ChartAxes, ChartSpec, ChartSummary } from '../src/protocol';
import { parseUtcSeconds } from '../src/core/dates';
import { distinctNumberLabels, spansYears, timeGrain, timeLabel, timeTicks } from './axisLabels';
import { chartToSvg } from './chartSvg';
import { finiteOrNull, stackTotals, truncateLabel } from './chartValues';
import { el } from './dom';

/** The chart-data table shows at most this many rows (charts are downsampled far below it). */
const MAX_DATA_ROWS = 5_000;

/**
 * Kinds drawn as HTML instead of on uPlot's canvas: one number per category needs no axes, and
 * real text layout keeps long labels (countries, browsers, series names) readable.
 */
const HTML_KINDS: ReadonlySet<ChartSpec['kind']> = new Set(['hbar', 'number']);

interface ChartTheme {
  background: string;
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

/** `color` at `alpha` over `background`, as an opaque colour: stacked fills must hide what is behind them. */
function blend(color: string, background: string, alpha: number): string {
  const rgb = (c: string) => (withAlpha(c, 1).match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
  const [a, b] = [rgb(color), rgb(background)];
  return `rgb(${a.map((v, i) => Math.round(v * alpha + b[i] * (1 - alpha))).join(', ')})`;
}

function readTheme(): ChartTheme {
  const fg = cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', '#cccccc'));
  const family = cssVar('--vscode-font-family', 'sans-serif');
  return {
    background: cssVar('--vscode-editor-background', '#1e1e1e'),
    fg,
    muted: cssVar('--vscode-descriptionForeground', fg),
    grid: withAlpha(fg, 0.12),
    font: family,
    palette: PALETTE_VARS.map(([v, f]) => cssVar(v, f)),
  };
}

const full = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export class ChartView {
  readonly element: HTMLDivElement;
  private readonly plotHost: HTMLDivElement;
  private readonly noteEl: HTMLDivElement;
  private readonly captionEl: HTMLDivElement;
  private readonly dataEl: HTMLDivElement;
  private plot: uPlot | undefined;
  /** The HTML drawing of an `hbar` or `number` chart, while one is shown. */
  private html: HTMLElement | undefined;
  private spec: ChartSpec | null = null;
  private drawn = false;
  /** The tick labels the axes drew last (x, y), for the `rendered` report. */
  private ticks: { x: string[]; y: string[] } = { x: [], y: [] };
  private dataRows: number | undefined;

  constructor(
    private readonly onDraw: () => void,
    bar?: HTMLElement,
  ) {
    this.plotHost = el('div', { className: 'ip-plot' });
    this.noteEl = el('div', { className: 'ip-chart-note', attrs: { role: 'note' } });
    this.captionEl = el('div', { className: 'ip-chart-caption' });
    this.dataEl = el('div', { className: 'ip-chart-data', attrs: { role: 'region', 'aria-label': 'Chart data', tabindex: '0' } });
    this.dataEl.hidden = true;
    this.element = el('div', { className: 'ip-chart' }, [...(bar ? [bar] : []), this.noteEl, this.plotHost, this.dataEl, this.captionEl]);
    new ResizeObserver(() => this.fit()).observe(this.plotHost);
  }

  /**
   * `keepControls`: the bar stays (chart controls), so an empty chart is not "silent" even
   * without a note: the user can pick another.
   */
  set(spec: ChartSpec | null, note: string | null, keepControls = false): void {
    const drawable =
      spec && (spec.kind === 'box' ? (spec.box?.median.length ?? 0) > 0 : spec.series.length > 0) && spec.x.values.length > 0;
    this.spec = drawable ? spec : null;
    const text = this.spec ? '' : (note ?? (spec ? 'This result has nothing to chart.' : 'No chart for this result.'));
    this.noteEl.textContent = text;
    this.noteEl.hidden = text === '';
    this.captionEl.textContent = this.spec?.note ?? '';
    this.captionEl.hidden = !this.spec?.note;
    this.element.classList.toggle('ip-chart-empty', !this.spec);
    this.element.dataset.kind = this.spec?.kind ?? '';
    // Without a chart or a note, "both" is just the table; the generic text shows only in chart mode.
    this.element.classList.toggle('ip-chart-silent', !this.spec && note === null && !keepControls);
    if (this.dataRows !== undefined) this.renderData();
    this.rebuild();
  }

  /** Shows the numbers behind the chart as a table in place of the plot (or hides them). */
  showData(on: boolean): void {
    if (on) this.renderData();
    else {
      this.dataRows = undefined;
      this.dataEl.replaceChildren();
    }
    this.dataEl.hidden = !on;
    this.element.classList.toggle('ip-chart-showdata', on);
    if (!on) this.fit();
    this.onDraw();
  }

  /** Rows of the chart-data table on screen, undefined while it is hidden. */
  get dataRowCount(): number | undefined {
    return this.dataRows;
  }

  get title(): string {
    return this.spec?.title ?? 'chart';
  }

  /**
   * The chart as drawn, as PNG bytes in base64: the plot with its title and legend on the editor
   * background. HTML kinds are drawn from their SVG (the same picture "Save as SVG" writes).
   */
  async toPng(): Promise<string | null> {
    if (this.html && this.spec) return this.svgToPng();
    return this.toPngBase64();
  }

  private async svgToPng(): Promise<string | null> {
    const svg = this.toSvg();
    if (!svg) return null;
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      const ratio = uPlot.pxRatio;
      const out = document.createElement('canvas');
      out.width = Math.round(img.naturalWidth * ratio);
      out.height = Math.round(img.naturalHeight * ratio);
      const ctx = out.getContext('2d');
      if (!ctx) return null;
      ctx.drawImage(img, 0, 0, out.width, out.height);
      return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
    } catch {
      return null;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  private toPngBase64(): string | null {
    if (!this.plot || !this.spec) return null;
    const theme = readTheme();
    const src = this.plot.ctx.canvas;
    const ratio = uPlot.pxRatio;
    const pad = Math.round(12 * ratio);
    const titleH = this.spec.title ? Math.round(26 * ratio) : 0;
    const names = this.spec.kind === 'box' && this.spec.series.length === 0 ? [] : this.spec.series.map((s) => s.name);
    const legendH = names.length > 1 ? Math.round(22 * ratio) : 0;
    const noteH = this.spec.note ? Math.round(20 * ratio) : 0;
    const out = document.createElement('canvas');
    out.width = src.width + pad * 2;
    out.height = src.height + titleH + legendH + noteH + pad * 2;
    const ctx = out.getContext('2d');
    if (!ctx) return null;
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.textBaseline = 'middle';
    if (this.spec.title) {
      ctx.fillStyle = theme.fg;
      ctx.font = `600 ${Math.round(14 * ratio)}px ${theme.font}`;
      ctx.fillText(this.spec.title, pad, pad + titleH / 2);
    }
    ctx.drawImage(src, pad, pad + titleH);
    let x = pad;
    const ly = pad + titleH + src.height + legendH / 2;
    ctx.font = `${Math.round(12 * ratio)}px ${theme.font}`;
    names.forEach((name, i) => {
      ctx.fillStyle = theme.palette[i % theme.palette.length];
      ctx.fillRect(x, ly - 5 * ratio, 10 * ratio, 10 * ratio);
      ctx.fillStyle = theme.fg;
      ctx.fillText(name, x + 14 * ratio, ly);
      x += 14 * ratio + ctx.measureText(name).width + 16 * ratio;
    });
    if (this.spec.note) {
      ctx.fillStyle = theme.muted;
      ctx.fillText(this.spec.note, pad, pad + titleH + src.height + legendH + noteH / 2);
    }
    return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  }

  /** The chart as a standalone SVG document, in the current theme's colours and the plot's size. */
  toSvg(): string | null {
    if (!this.spec) return null;
    const theme = readTheme();
    const width = Math.max(480, this.plotHost.clientWidth);
    const height = Math.max(300, this.plotHost.clientHeight + 60);
    return chartToSvg(this.spec, { width, height, theme });
  }

  private renderData(): void {
    const spec = this.spec;
    if (!spec) {
      this.dataRows = 0;
      this.dataEl.replaceChildren(el('p', { className: 'ip-chart-note', text: 'No chart data.' }));
      return;
    }
    const head = [spec.xLabel ?? 'x'];
    const cols: (number | null)[][] = [];
    if (spec.kind === 'box' && spec.box) {
      const b = spec.box;
      head.push('min', 'Q1', 'median', 'Q3', 'max');
      cols.push(b.min, b.q1, b.median, b.q3, b.max);
    }
    for (const s of spec.series) {
      head.push(s.name);
      cols.push(s.values);
    }
    const n = Math.min(spec.x.values.length, MAX_DATA_ROWS);
    const body: HTMLTableRowElement[] = [];
    for (let i = 0; i < n; i++) {
      const label = spec.pointLabels?.[i];
      const x = String(spec.x.values[i]);
      body.push(
        el('tr', {}, [
          el('th', { text: label ? `${x} (${label})` : x, attrs: { scope: 'row' } }),
          ...cols.map((c) => el('td', { text: c[i] === null || c[i] === undefined ? '' : full.format(c[i] as number) })),
        ]),
      );
    }
    const table = el('table', { className: 'ip-chart-table' }, [
      el('thead', {}, [
        el(
          'tr',
          {},
          head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })),
        ),
      ]),
      el('tbody', {}, body),
    ]);
    const parts: Node[] = [table];
    if (spec.x.values.length > n)
      parts.push(el('p', { className: 'ip-chart-note', text: `First ${full.format(n)} of ${full.format(spec.x.values.length)} points.` }));
    this.dataRows = n;
    this.dataEl.replaceChildren(...parts);
  }

  /** Theme changed: colours are baked into the plot, so build it again. */
  rebuild(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.html?.remove();
    this.html = undefined;
    this.drawn = false;
    this.fit();
  }

  get hasChart(): boolean {
    return this.spec !== null;
  }

  /** What was drawn, for the `rendered` report; null until a plot is on the canvas. */
  summary(): ChartSummary | null {
    if (!this.spec || !(this.plot || this.html) || !this.drawn) return null;
    const s = this.spec;
    return { kind: s.kind, series: s.series.length, points: s.x.values.length, ...(s.title ? { title: s.title } : {}) };
  }

  /** The axes as drawn (tick labels, bottom of the y axis), for the `rendered` report; null until drawn. */
  axes(): ChartAxes | null {
    if (!this.spec || !this.plot || !this.drawn) return null;
    const yMin = this.plot.scales.y?.min;
    return {
      xTicks: this.ticks.x.slice(),
      yTicks: this.ticks.y.slice(),
      yMin: typeof yMin === 'number' && Number.isFinite(yMin) ? yMin : null,
    };
  }

  /** The drawn canvas's height in CSS pixels, 0 when nothing is drawn on a canvas. */
  canvasHeight(): number {
    const c = this.plotHost.querySelector('canvas');
    return c && this.plot ? Math.round(c.getBoundingClientRect().height) : 0;
  }

  canvasWidth(): number {
    const c = this.plotHost.querySelector('canvas');
    return c && this.plot ? Math.round(c.getBoundingClientRect().width) : 0;
  }

  /** The plot area (the splitter sizes it). */
  get plotElement(): HTMLElement {
    return this.plotHost;
  }

  /** Builds the plot once the host has a size (not while hidden), then keeps it fitted. */
  private fit(): void {
    const w = this.plotHost.clientWidth;
    const h = this.plotHost.clientHeight;
    if (!this.spec || w < 50 || h < 50) return;
    if (HTML_KINDS.has(this.spec.kind)) {
      if (!this.html) this.drawHtml(this.spec);
      return;
    }
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

  /**
   * `hbar`: one row per category (label, bar, value), bars scaled to the largest value, in the
   * order given (the host sorts). `number`: one large number per category with its label under it.
   */
  private drawHtml(spec: ChartSpec): void {
    const theme = readTheme();
    const values = spec.x.values.map((_, i) => finiteOrNull(spec.series[0]?.values[i]));
    const labels = spec.x.values.map(String);
    const children: Node[] = [];
    if (spec.title) children.push(el('div', { className: 'ip-html-title', text: spec.title }));
    if (spec.kind === 'number') {
      const tiles = labels.map((label, i) => {
        const v = values[i];
        // Styles through the CSSOM: the panel's CSP refuses style attributes.
        const number = el('div', { className: 'ip-bignumber-value', text: v === null ? '—' : full.format(v) });
        number.style.color = theme.palette[i % theme.palette.length];
        return el('figure', { className: 'ip-bignumber' }, [number, el('figcaption', { className: 'ip-bignumber-label', text: label })]);
      });
      children.push(el('div', { className: 'ip-bignumbers' }, tiles));
    } else {
      const max = Math.max(0, ...values.map((v) => v ?? 0));
      const rows = labels.map((label, i) => {
        const v = values[i];
        const share = v === null || max <= 0 ? 0 : Math.max(0, v) / max;
        const bar = el('div', { className: 'ip-hbar-fill' });
        bar.style.width = `${(share * 100).toFixed(2)}%`;
        bar.style.background = withAlpha(theme.palette[0], 0.75);
        return el('div', { className: 'ip-hbar-row', attrs: { role: 'listitem' } }, [
          el('div', { className: 'ip-hbar-label', text: label, attrs: { title: label } }),
          el('div', { className: 'ip-hbar-track' }, [bar]),
          el('div', { className: 'ip-hbar-value', text: v === null ? '—' : full.format(v) }),
        ]);
      });
      children.push(el('div', { className: 'ip-hbars', attrs: { role: 'list', 'aria-label': spec.series[0]?.name ?? 'Values' } }, rows));
    }
    if (spec.note) children.push(el('div', { className: 'ip-chart-note', text: spec.note }));
    this.html = el('div', { className: `ip-html-chart ip-html-${spec.kind}` }, children);
    this.plotHost.appendChild(this.html);
    this.drawn = true;
    performance.clearMarks('insight-chart-drawn');
    performance.mark('insight-chart-drawn');
    this.onDraw();
  }

  private create(spec: ChartSpec, width: number, height: number): uPlot {
    const theme = readTheme();
    const n = spec.x.values.length;
    const kind = spec.kind;
    const numericX = spec.x.type === 'number';
    const timeXs = spec.x.type === 'time' ? (spec.x.values as string[]).map(parseUtcSeconds) : [];
    // Bars and boxes stand at category slots (0…n-1) even over dates: a slot per bucket reads
    // better than bars squeezed to the width of a time scale's smallest gap.
    const time = (kind === 'line' || kind === 'area') && spec.x.type === 'time' && timeXs.every((x) => Number.isFinite(x));
    const xs: number[] = numericX ? (spec.x.values as number[]).slice() : time ? timeXs : spec.x.values.map((_, i) => i);
    const labels = numericX ? [] : (spec.x.values as string[]);
    const bar = kind === 'bar' || kind === 'stackedBar' || kind === 'histogram';
    const stacked = kind === 'stackedBar' || kind === 'area';
    const box = kind === 'box' && spec.box ? spec.box : undefined;
    const scatter = kind === 'scatter';
    // Stacked kinds: each series is drawn as the running total up to it, the tallest first so the
    // shorter totals paint over it; the legend and cursor still show each series' own value.
    const raw = spec.series.map((s) => xs.map((_, i) => finiteOrNull(s.values[i])));
    const plotted = stacked ? stackTotals(raw, xs.length).top : raw;
    const order = stacked ? raw.map((_, i) => raw.length - 1 - i) : raw.map((_, i) => i);
    const percent = spec.yFormat === 'percent';
    const yText = (v: number) => (percent ? `${full.format(v)}%` : full.format(v));
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
      values: (_u, splits) => (this.ticks.x = splits.map((i) => truncateLabel(labels[i] ?? '', 24))),
    };
    const numberAxis: uPlot.Axis = {
      ...axisBase,
      label: spec.xLabel,
      values: (_u, splits) => (this.ticks.x = distinctNumberLabels(splits)),
    };
    // Time ticks at the data's grain, on the data's own points: daily data ticks at days.
    const grain = timeGrain(timeXs);
    const withYear = spansYears(timeXs);
    const labelPx = grain === 'month' ? 70 : grain === 'day' || grain === 'week' ? (withYear ? 90 : 56) : 110;
    const timeAxis: uPlot.Axis = {
      ...axisBase,
      label: spec.xLabel,
      splits: (u) => {
        const lo = u.scales.x.min ?? -Infinity;
        const hi = u.scales.x.max ?? Infinity;
        return timeTicks(
          timeXs.filter((x) => x >= lo && x <= hi),
          u.bbox.width / uPlot.pxRatio,
          labelPx,
        );
      },
      values: (_u, splits) => (this.ticks.x = splits.map((v) => timeLabel(v, grain, withYear))),
    };

    const hasTime = time && spec.x.values.some((v) => /T\d{2}:\d{2}/.test(String(v)) && !/T00:00(:00)?/.test(String(v)));
    const pointName = (idx: number | null) => (idx !== null && spec.pointLabels?.[idx] ? ` · ${spec.pointLabels[idx]}` : '');
    const xSeries: uPlot.Series = {
      label: spec.xLabel ?? (time ? 'Date' : numericX ? 'x' : 'Category'),
      value: time
        ? hasTime
          ? '{YYYY}-{MM}-{DD} {HH}:{mm}'
          : '{YYYY}-{MM}-{DD}'
        : numericX
          ? (u, v) => (v === null ? '' : `${full.format(v)}${pointName(u.cursor.idx ?? null)}`)
          : (_u, v) => (v === null ? '' : (labels[Math.round(v)] ?? '')),
    };
    const series: uPlot.Series[] = [xSeries];
    const data: (number | null)[][] = [xs];
    if (box) {
      // Five invisible series: they set the y range and fill the legend with the hovered box's
      // numbers; the boxes themselves are drawn in the draw hook.
      const parts: [string, (number | null)[]][] = [
        ['max', box.max],
        ['Q3', box.q3],
        ['median', box.median],
        ['Q1', box.q1],
        ['min', box.min],
      ];
      for (const [label, values] of parts) {
        series.push({
          label,
          stroke: theme.palette[0],
          width: 0,
          paths: () => null,
          points: { show: false },
          value: (_u, v) => (v === null ? '—' : yText(v)),
        });
        data.push(xs.map((_, i) => finiteOrNull(values[i])));
      }
    }
    for (const i of order) {
      const s = spec.series[i];
      const color = theme.palette[(i + (box ? 1 : 0)) % theme.palette.length];
      const common = {
        label: s.name,
        stroke: color,
        value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => {
          const own = stacked && idx !== null ? raw[i][idx] : v;
          return own === null || own === undefined ? '—' : yText(own);
        },
      };
      data.push(plotted[i]);
      if (bar) {
        series.push({
          ...common,
          fill: withAlpha(color, stacked ? 0.9 : 0.75),
          width: 0,
          paths:
            kind === 'histogram'
              ? uPlot.paths.bars!({ size: [0.98, Infinity], align: 0 })
              : this.barPaths(i, stacked ? 1 : spec.series.length),
          points: { show: false },
        });
      } else if (scatter || box) {
        series.push({
          ...common,
          width: 0,
          paths: () => null,
          points: { show: true, size: box ? 7 : 4, width: 0, fill: withAlpha(color, box ? 1 : 0.7) },
        });
      } else {
        series.push({
          ...common,
          width: kind === 'area' ? 1.5 : 2,
          // Only areas are filled (from zero): a filled line whose axis starts at its minimum would
          // exaggerate a small change.
          fill: kind === 'area' ? blend(color, theme.background, 0.45) : undefined,
          points: { show: n <= 60, size: 5, fill: color },
          spanGaps: false,
        });
      }
    }

    const annotations = bar ? spec.annotations : undefined;
    const fromZero = bar || kind === 'area';
    // Time and number axes put a tick label at the plot's right edge: room for half of it, so the
    // last date ("Apr 21, 2025") is never cut off.
    const rightPad: uPlot.Padding[1] = (u) => {
      const last = this.ticks.x[this.ticks.x.length - 1];
      if (!last) return 16;
      u.ctx.font = axisFont;
      return Math.max(16, Math.ceil(u.ctx.measureText(last).width / uPlot.pxRatio / 2) + 6);
    };
    const opts: uPlot.Options = {
      width,
      height,
      title: spec.title,
      ...(time || numericX ? { padding: [null, rightPad, null, null] as uPlot.Padding } : {}),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      cursor: { points: { show: !bar && !box }, drag: { x: !bar && !box, y: false } },
      scales: {
        x: time ? { time: true } : numericX ? { time: false } : { time: false, range: () => [-0.5, n - 0.5] },
        y: {
          range: (_u, min, max) => {
            // Bars grow from zero; leave headroom for the labels drawn above them.
            const lo = fromZero ? Math.min(0, min) : min;
            const hi = max === lo ? lo + 1 : max;
            return uPlot.rangeNum(lo, hi * (annotations?.length ? 1.12 : 1), 0.05, true);
          },
        },
      },
      axes: [
        time ? timeAxis : numericX ? numberAxis : categoryAxis,
        {
          ...axisBase,
          label: spec.yLabel,
          // As wide as the widest tick label, so the rotated axis title never runs into it.
          size: fitTickLabels,
          values: (_u, splits) => (this.ticks.y = distinctNumberLabels(splits, percent ? '%' : '')),
        },
      ],
      series,
      legend: { show: true, live: true },
      hooks: {
        draw: [
          (u) => {
            if (box) this.drawBoxes(u, box, theme);
            if (annotations?.length) this.drawAnnotations(u, annotations, theme);
            this.drawn = true;
            // For `npm run bench`: each finished draw, read through Playwright.
            performance.clearMarks('insight-chart-drawn');
            performance.mark('insight-chart-drawn');
            this.onDraw();
          },
        ],
      },
    };
    return new uPlot(opts, data as uPlot.AlignedData, this.plotHost);
  }

  /** Whiskers from min to max, a box from Q1 to Q3 and a line at the median, one per category. */
  private drawBoxes(u: uPlot, box: NonNullable<ChartSpec['box']>, theme: ChartTheme): void {
    const ctx = u.ctx;
    const ratio = uPlot.pxRatio;
    const slot = Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true));
    const half = Math.max(3 * ratio, Math.min(40 * ratio, slot * 0.3));
    const color = theme.palette[0];
    ctx.save();
    ctx.lineWidth = Math.max(1, ratio);
    for (let i = 0; i < box.median.length; i++) {
      const five = [box.min[i], box.q1[i], box.median[i], box.q3[i], box.max[i]].map(finiteOrNull);
      if (five.some((v) => v === null)) continue;
      const [lo, q1, med, q3, hi] = (five as number[]).map((v) => u.valToPos(v, 'y', true));
      const x = u.valToPos(i, 'x', true);
      ctx.strokeStyle = theme.fg;
      ctx.beginPath();
      ctx.moveTo(x, lo);
      ctx.lineTo(x, q1);
      ctx.moveTo(x, q3);
      ctx.lineTo(x, hi);
      ctx.moveTo(x - half / 2, lo);
      ctx.lineTo(x + half / 2, lo);
      ctx.moveTo(x - half / 2, hi);
      ctx.lineTo(x + half / 2, hi);
      ctx.stroke();
      ctx.fillStyle = withAlpha(color, 0.35);
      ctx.strokeStyle = color;
      ctx.fillRect(x - half, q3, half * 2, Math.max(1, q1 - q3));
      ctx.strokeRect(x - half, q3, half * 2, Math.max(1, q1 - q3));
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = Math.max(2, 2 * ratio);
      ctx.beginPath();
      ctx.moveTo(x - half, med);
      ctx.lineTo(x + half, med);
      ctx.stroke();
      ctx.lineWidth = Math.max(1, ratio);
    }
    ctx.restore();
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

/**
 * A y axis's width from the tick labels it draws (uPlot calls this again until the size settles):
 * tick length + gap + the widest label, measured in the axis font.
 */
function fitTickLabels(u: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = u.axes[axisIdx] as uPlot.Axis & { _size?: number; ticks?: { size?: number }; gap?: number; font?: [string, number] | string };
  if (cycleNum > 1 && typeof axis._size === 'number') return axis._size;
  let size = (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 4;
  const longest = (values ?? []).reduce((a, v) => (String(v).length > a.length ? String(v) : a), '');
  if (longest) {
    const font = Array.isArray(axis.font) ? axis.font[0] : axis.font;
    if (font) u.ctx.font = font;
    size += u.ctx.measureText(longest).width / uPlot.pxRatio;
  }
  return Math.max(40, Math.ceil(size));
}
