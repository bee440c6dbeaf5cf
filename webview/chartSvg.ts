/**
 * A chart spec written as one self-contained SVG document, for "Export chart as SVG".
 *
 * The on-screen chart is uPlot on a canvas (webview/chart.ts), which cannot be saved as vectors, so
 * this module draws the same picture again as SVG text: same palette order, bars grouped side by
 * side for several series, stacked bars and areas as running totals, histogram bars touching,
 * category labels thinned to what fits, dates read and shown in UTC. It imports neither uPlot nor
 * the DOM and measures text by an average glyph width, so it runs unchanged in the webview, in
 * Node (tests, the CLI) and in a worker, and the same spec always gives the same string.
 *
 * Every piece of text (titles, series names, category labels, annotations) comes from user data,
 * so all of it goes through `xmlText`, which escapes the five XML specials and replaces
 * characters XML 1.0 forbids even when escaped (control characters, lone surrogates): the result
 * must parse as XML and a cell such as `<img src=x onerror=…>` must stay text in any viewer.
 * Coordinates are rounded to 2 decimals to keep files small; colours sit on one `<g>` per series,
 * not on every mark. Marks carry `ip-*` classes so tests (and a stylesheet) can find them, except
 * scatter circles, which can number 20,000: they are found through their series group.
 */
import { formatUtc, monthIndex, monthStart, parseUtcSeconds } from '../src/core/dates';
import type { ChartSpec } from '../src/protocol';
import { finiteOrNull, stackTotals, truncateLabel } from './chartValues';

export interface SvgOptions {
  width: number;
  height: number;
  theme: { background: string; fg: string; muted: string; grid: string; font: string; palette: string[] };
}

type Maybe = number | null;

/** uPlot's palette fallbacks in webview/chart.ts, used when the theme gives none. */
const DEFAULT_PALETTE = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];
/** Scatter points drawn at most; the host samples first, this only bounds the file. */
export const MAX_SCATTER_POINTS = 20_000;
const LABEL_CHARS = 24;
const DAY = 86_400;
/** Average advance of one character at 11px in a UI sans-serif; text is never measured for real. */
const CHAR_W = 6.5;

// ---- text and numbers ----

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// Characters not allowed in XML 1.0 at all (escaping does not help): C0 controls other than tab,
// newline and carriage return, U+FFFE/U+FFFF, and surrogates that are not part of a pair.
const NOT_XML = new RegExp(
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
  'g',
);

/** Text safe inside an element or a quoted attribute. */
export function xmlText(value: unknown): string {
  const s = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  return s.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A coordinate: 2 decimals, no "-0", no exponent (values are clamped far outside any canvas). */
function n2(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(Math.max(-1e7, Math.min(1e7, v)) * 100) / 100;
  return String(r === 0 ? 0 : r);
}

function textWidth(label: string, size = 11): number {
  return Array.from(label).length * CHAR_W * (size / 11);
}

/** Decimals needed to write `step` exactly (0.25 → 2, 5 → 0), at most 10. */
function decimalsOf(step: number): number {
  for (let d = 0; d <= 10; d++) {
    const x = step * 10 ** d;
    if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, Math.abs(x))) return d;
  }
  return 10;
}

function fixed(v: number, decimals: number): string {
  let s = v.toFixed(decimals);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

const UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/**
 * A tick label like uPlot's compact one ("1.2K", "3M", "0.25"), with as many decimals as the
 * tick step needs so neighbouring ticks never read alike. Written by hand instead of with
 * Intl.NumberFormat so an exported file does not depend on the exporting machine's locale.
 */
export function formatTick(v: number, step: number, percent = false): string {
  const abs = Math.abs(v);
  let out = '';
  for (const [div, suffix] of UNITS) {
    if (abs >= div) {
      out = `${fixed(v / div, Math.min(2, decimalsOf(step / div)))}${suffix}`;
      break;
    }
  }
  if (!out) out = fixed(v, decimalsOf(step));
  return percent ? `${out}%` : out;
}

// ---- scales ----

interface Ticks {
  min: number;
  max: number;
  step: number;
  values: number[];
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target: number): Ticks {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceTicks(lo - pad, hi + pad, target);
  }
  const rough = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const count = Math.round((max - min) / step);
  // A step lost in floating point (a range of 1e-300, or 2 units on top of 1e17): plain ends.
  if (!(step > 0) || !Number.isFinite(count) || count < 1 || count > 1000 || min + step === min) {
    return { min: lo, max: hi, step: hi - lo, values: [lo, hi] };
  }
  const dec = Math.min(20, Math.max(0, -Math.floor(Math.log10(step)) + 1));
  const values: number[] = [];
  for (let k = 0; k <= count; k++) values.push(Number((min + k * step).toFixed(dec)));
  return { min, max, step, values };
}

/** A date tick's text (`t` in seconds): "2024-06-01", or "2024-06-01 13:30" with `withTime`, in UTC. */
function dateText(t: number, withTime: boolean): string {
  return formatUtc(t * 1000, withTime ? 'minute' : 'day');
}

const TIME_STEPS = [60, 300, 900, 1800, 3600, 7200, 10800, 21600, 43200, DAY, 2 * DAY, 7 * DAY];
const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200];

/**
 * Date ticks in UTC over [t0, t1] (seconds), at most `maxTicks`: minutes and hours on the clock,
 * days from midnight, weeks on Mondays, months on the 1st (every 2/3/6 aligned to January), years.
 */
export function timeTicks(t0: number, t1: number, maxTicks: number): number[] {
  const span = t1 - t0;
  const out: number[] = [];
  const fixedStep = TIME_STEPS.find((s) => span / s <= maxTicks);
  if (fixedStep !== undefined) {
    // 1970-01-05 was a Monday: weeks start there.
    const offset = fixedStep === 7 * DAY ? 4 * DAY : 0;
    for (let t = Math.ceil((t0 - offset) / fixedStep) * fixedStep + offset; t <= t1 && out.length < 1000; t += fixedStep) out.push(t);
    return out;
  }
  const months = MONTH_STEPS.find((m) => span / (m * 30.44 * DAY) <= maxTicks) ?? Math.ceil(span / (30.44 * DAY * maxTicks));
  let index = monthIndex(t0 * 1000);
  if (monthStart(index) / 1000 < t0) index++;
  index = Math.ceil(index / months) * months;
  for (; out.length < 1000; index += months) {
    const t = monthStart(index) / 1000;
    if (t > t1 || !Number.isFinite(t)) break;
    out.push(t);
  }
  return out;
}

// ---- layout ----

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface XAxis {
  /** Centre of x position i; null when that x cannot be placed (an unreadable number or date). */
  pos(i: number): number | null;
  /** Width of one category slot (slots mode), else the plot width over the number of points. */
  slot: number;
  ticks: { at: number; label: string }[];
}

interface Series {
  name: string;
  values: Maybe[];
  color: string;
  index: number;
}

function legendRows(items: string[], width: number): { text: string; w: number }[][] {
  const rows: { text: string; w: number }[][] = [];
  let row: { text: string; w: number }[] = [];
  let used = 0;
  for (const name of items) {
    const text = truncateLabel(name, 32);
    const w = 16 + textWidth(text, 12) + 14;
    if (row.length > 0 && used + w > width) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push({ text, w });
    used += w;
  }
  if (row.length) rows.push(row);
  return rows;
}

/** The chart as a complete SVG document (UTF-8 text). */
export function chartToSvg(spec: ChartSpec, opts: SvgOptions): string {
  const W = Math.round(Number.isFinite(opts.width) ? Math.max(120, Math.min(20_000, opts.width)) : 800);
  const H = Math.round(Number.isFinite(opts.height) ? Math.max(100, Math.min(20_000, opts.height)) : 450);
  const theme = opts.theme;
  const palette = theme.palette.length > 0 ? theme.palette : DEFAULT_PALETTE;
  const parts: string[] = [];
  const title = spec.title ? String(spec.title) : '';
  parts.push(
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${xmlText(theme.font)}" role="img"${title ? ` aria-label="${xmlText(title)}"` : ''}>`,
  );
  if (title) parts.push(`<title>${xmlText(title)}</title>`);
  parts.push(`<rect class="ip-background" width="${W}" height="${H}" fill="${xmlText(theme.background)}"/>`);
  const PAD = 8;
  let top = PAD;
  if (title) {
    parts.push(
      `<text class="ip-title" x="${n2(W / 2)}" y="${top + 14}" text-anchor="middle" font-size="14" font-weight="600" fill="${xmlText(theme.fg)}">${xmlText(truncateLabel(title, Math.max(8, Math.floor((W - 2 * PAD) / 8))))}</text>`,
    );
    top += 26;
  }

  const xValues: unknown[] = Array.isArray(spec.x?.values) ? spec.x.values : [];
  const n = xValues.length;
  const kind = spec.kind;
  const box = kind === 'box' ? spec.box : undefined;
  const series: Series[] = (Array.isArray(spec.series) ? spec.series : []).map((s, index) => ({
    name: String(s?.name ?? ''),
    values: Array.from({ length: n }, (_, i) => finiteOrNull(s?.values?.[i])),
    color: palette[index % palette.length],
    index,
  }));
  if (n === 0 || (series.length === 0 && !box)) {
    parts.push(
      `<text class="ip-empty" x="${n2(W / 2)}" y="${n2((top + H) / 2)}" text-anchor="middle" font-size="13" fill="${xmlText(theme.muted)}">Nothing to chart</text>`,
    );
    if (spec.note) parts.push(noteText(String(spec.note), W, H, PAD, theme.muted));
    parts.push('</svg>\n');
    return parts.join('\n');
  }

  if (kind === 'hbar' || kind === 'number') {
    parts.push(kind === 'hbar' ? hbarsSvg(spec, series[0], W, H, top, theme) : numbersSvg(spec, series[0], W, H, top, theme, palette));
    if (spec.note) parts.push(noteText(String(spec.note), W, H, PAD, theme.muted));
    parts.push('</svg>\n');
    return parts.join('\n');
  }

  const percent = spec.yFormat === 'percent';
  const bars = kind === 'bar' || kind === 'stackedBar' || kind === 'histogram';
  const stacked = kind === 'stackedBar' || kind === 'area';
  const { base, top: tops } = stacked
    ? stackTotals(
        series.map((s) => s.values),
        n,
      )
    : { base: [], top: series.map((s) => s.values) };
  const fiveNumbers = box
    ? {
        min: Array.from({ length: n }, (_, i) => finiteOrNull(box.min?.[i])),
        q1: Array.from({ length: n }, (_, i) => finiteOrNull(box.q1?.[i])),
        median: Array.from({ length: n }, (_, i) => finiteOrNull(box.median?.[i])),
        q3: Array.from({ length: n }, (_, i) => finiteOrNull(box.q3?.[i])),
        max: Array.from({ length: n }, (_, i) => finiteOrNull(box.max?.[i])),
      }
    : undefined;

  // y extent: what is drawn (running totals when stacked), from zero for bars and areas.
  let lo = Infinity;
  let hi = -Infinity;
  const see = (v: Maybe) => {
    if (v === null) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  };
  tops.forEach((s) => s.forEach(see));
  if (fiveNumbers) Object.values(fiveNumbers).forEach((s) => s.forEach(see));
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (bars || kind === 'area') {
    lo = Math.min(0, lo);
    hi = Math.max(0, hi);
  }
  const annotations = Array.isArray(spec.annotations) ? spec.annotations.map((a) => (a === null || a === undefined ? '' : String(a))) : [];
  const hasAnnotations = annotations.some((a) => a !== '');
  if (hasAnnotations && hi > lo) hi += (hi - lo) * 0.12;

  // Legend: one entry per series when there are several (box: its point series, if any).
  const legendItems = kind === 'box' ? (series.length > 0 ? series : []) : series.length >= 2 ? series : [];
  const rows = legendRows(
    legendItems.map((s) => s.name),
    W - 2 * PAD,
  );
  const note = spec.note ? String(spec.note) : '';
  let bottom = PAD + (note ? 18 : 0) + rows.length * 18 + (spec.xLabel ? 18 : 0) + 20;
  const yTicksGuess = niceTicks(lo, hi, Math.max(2, Math.min(10, Math.floor((H - top - bottom) / 40))));
  const yTickWidth = Math.max(24, ...yTicksGuess.values.map((v) => textWidth(formatTick(v, yTicksGuess.step, percent))));
  const left = PAD + (spec.yLabel ? 18 : 0) + yTickWidth + 8;
  const right = PAD + 16;
  bottom = Math.min(bottom, H - top - 20);
  const plot: Box = { x: left, y: top + 6, w: Math.max(20, W - left - right), h: Math.max(20, H - top - 6 - bottom) };
  const yTicks = niceTicks(lo, hi, Math.max(2, Math.min(10, Math.floor(plot.h / 40))));
  const yPos = (v: number) => plot.y + plot.h - ((v - yTicks.min) / (yTicks.max - yTicks.min)) * plot.h;

  let xAxis = buildXAxis(spec, kind, xValues, plot);
  // Widen the side margins so the first and last x labels, centred on their ticks, fit the canvas
  // (a long first category, a date tick at the plot's left edge), then lay the axis out again.
  // (4px spare: narrower slots move the first category's centre left a little.)
  const overflow = (v: number) => (v > 0 ? v + 4 : 0);
  const overflowLeft = overflow(Math.max(...xAxis.ticks.map((t) => PAD + textWidth(t.label) / 2 - t.at)));
  const overflowRight = overflow(Math.max(...xAxis.ticks.map((t) => t.at + textWidth(t.label) / 2 - (W - PAD))));
  if ((overflowLeft > 0 || overflowRight > 0) && plot.w - overflowLeft - overflowRight >= 40) {
    plot.x += overflowLeft;
    plot.w -= overflowLeft + overflowRight;
    xAxis = buildXAxis(spec, kind, xValues, plot);
  }

  // Grid and axes.
  parts.push(`<g class="ip-grid" stroke="${xmlText(theme.grid)}" stroke-width="1">`);
  for (const v of yTicks.values)
    parts.push(`<line x1="${n2(plot.x)}" x2="${n2(plot.x + plot.w)}" y1="${n2(yPos(v))}" y2="${n2(yPos(v))}"/>`);
  for (const t of xAxis.ticks)
    parts.push(`<line x1="${n2(t.at)}" x2="${n2(t.at)}" y1="${n2(plot.y + plot.h)}" y2="${n2(plot.y + plot.h + 4)}"/>`);
  parts.push('</g>');
  parts.push(`<g class="ip-y-ticks" font-size="11" text-anchor="end" fill="${xmlText(theme.muted)}">`);
  for (const v of yTicks.values) {
    parts.push(`<text x="${n2(plot.x - 6)}" y="${n2(yPos(v) + 4)}">${xmlText(formatTick(v, yTicks.step, percent))}</text>`);
  }
  parts.push('</g>');
  parts.push(`<g class="ip-x-ticks" font-size="11" text-anchor="middle" fill="${xmlText(theme.muted)}">`);
  let lastRight = -Infinity;
  for (const t of xAxis.ticks) {
    // Kept inside the canvas, and a label that would still run into its neighbour is left out.
    const half = textWidth(t.label) / 2;
    const x = Math.max(PAD + half, Math.min(W - PAD - half, t.at));
    if (x - half < lastRight + 2) continue;
    lastRight = x + half;
    parts.push(`<text x="${n2(x)}" y="${n2(plot.y + plot.h + 16)}">${xmlText(t.label)}</text>`);
  }
  parts.push('</g>');
  let below = plot.y + plot.h + 20;
  if (spec.xLabel) {
    parts.push(
      `<text class="ip-x-label" x="${n2(plot.x + plot.w / 2)}" y="${n2(below + 13)}" text-anchor="middle" font-size="12" fill="${xmlText(theme.fg)}">${xmlText(truncateLabel(String(spec.xLabel), 80))}</text>`,
    );
    below += 18;
  }
  if (spec.yLabel) {
    const cx = PAD + 10;
    const cy = plot.y + plot.h / 2;
    parts.push(
      `<text class="ip-y-label" x="${n2(cx)}" y="${n2(cy)}" transform="rotate(-90 ${n2(cx)} ${n2(cy)})" text-anchor="middle" font-size="12" fill="${xmlText(theme.fg)}">${xmlText(truncateLabel(String(spec.yLabel), 60))}</text>`,
    );
  }

  // Marks.
  if (bars) {
    // Histograms name one series of counts; extra series, if sent, share each bin side by side.
    const grouped = kind === 'stackedBar' ? 1 : series.length;
    const slot = xAxis.slot;
    series.forEach((s, k) => {
      parts.push(
        `<g class="ip-series ip-bars" data-series="${s.index}" fill="${xmlText(s.color)}" fill-opacity="${kind === 'stackedBar' ? 0.9 : 0.75}">`,
      );
      for (let i = 0; i < n; i++) {
        const v = s.values[i];
        const cx = xAxis.pos(i);
        if (v === null || cx === null) continue;
        let x0: number;
        let w: number;
        if (kind === 'histogram') {
          const each = (slot * 0.98) / grouped;
          x0 = cx - (slot * 0.98) / 2 + each * k;
          w = each;
        } else if (grouped === 1) {
          w = Math.min(slot * 0.6, 96);
          x0 = cx - w / 2;
        } else {
          const each = (slot * 0.8) / grouped;
          x0 = cx - (slot * 0.8) / 2 + each * (k + 0.05);
          w = each * 0.9;
        }
        const from = kind === 'stackedBar' ? (base[k][i] ?? 0) : 0;
        const to = kind === 'stackedBar' ? (tops[k][i] ?? v) : v;
        const y0 = yPos(from);
        const y1 = yPos(to);
        parts.push(
          `<rect class="ip-bar" x="${n2(x0)}" y="${n2(Math.min(y0, y1))}" width="${n2(w)}" height="${n2(Math.abs(y0 - y1))}"><title>${xmlText(`${s.name}: ${fixed(v, 6)}`)}</title></rect>`,
        );
      }
      parts.push('</g>');
    });
  } else if (kind === 'line' || kind === 'area') {
    series.forEach((s, k) => {
      const runs = splitRuns(n, (i) => {
        const x = xAxis.pos(i);
        const v = tops[k][i];
        return x === null || v === null ? null : [x, yPos(v)];
      });
      parts.push(`<g class="ip-series ip-${kind}s" data-series="${s.index}">`);
      if (kind === 'area') {
        for (const run of runs) {
          if (run.length < 2) continue;
          const floor = run.map(([x, , i]) => `${n2(x)},${n2(yPos(base[k][i] ?? 0))}`).reverse();
          parts.push(
            `<path class="ip-area-fill" d="M${run.map(([x, y]) => `${n2(x)},${n2(y)}`).join('L')}L${floor.join('L')}Z" fill="${xmlText(s.color)}" fill-opacity="0.35" stroke="none"/>`,
          );
        }
      }
      for (const run of runs) {
        // A lone point still shows: a zero-length segment with round caps draws a dot.
        const d = run.length === 1 ? `M${n2(run[0][0])},${n2(run[0][1])}h0` : `M${run.map(([x, y]) => `${n2(x)},${n2(y)}`).join('L')}`;
        parts.push(
          `<path class="ip-line" d="${d}" fill="none" stroke="${xmlText(s.color)}" stroke-width="${run.length === 1 ? 4 : 2}" stroke-linejoin="round" stroke-linecap="round"/>`,
        );
      }
      parts.push('</g>');
    });
  } else if (kind === 'box' && fiveNumbers) {
    const color = xmlText(palette[0]);
    const w = Math.min(xAxis.slot * 0.5, 60);
    parts.push(`<g class="ip-boxes" stroke="${color}" stroke-width="1.5">`);
    for (let i = 0; i < n; i++) {
      const cx = xAxis.pos(i);
      const q1 = fiveNumbers.q1[i];
      const med = fiveNumbers.median[i];
      const q3 = fiveNumbers.q3[i];
      if (cx === null || q1 === null || med === null || q3 === null) continue;
      const lowV = fiveNumbers.min[i] ?? Math.min(q1, q3);
      const highV = fiveNumbers.max[i] ?? Math.max(q1, q3);
      const [yq1, yq3, ymed, ymin, ymax] = [yPos(q1), yPos(q3), yPos(med), yPos(lowV), yPos(highV)];
      const label = xmlText(
        `${String(xValues[i] ?? '')}: min ${fixed(lowV, 6)}, q1 ${fixed(q1, 6)}, median ${fixed(med, 6)}, q3 ${fixed(q3, 6)}, max ${fixed(highV, 6)}`,
      );
      parts.push(`<g class="ip-box" data-index="${i}"><title>${label}</title>`);
      // One whisker from min to max, drawn as two strokes that stop at the box so its tint stays clean.
      const [boxTop, boxBottom] = [Math.min(yq1, yq3), Math.max(yq1, yq3)];
      parts.push(`<path class="ip-whisker" d="M${n2(cx)},${n2(ymin)}V${n2(boxBottom)}M${n2(cx)},${n2(boxTop)}V${n2(ymax)}" fill="none"/>`);
      parts.push(`<line class="ip-cap" x1="${n2(cx - w / 4)}" x2="${n2(cx + w / 4)}" y1="${n2(ymin)}" y2="${n2(ymin)}"/>`);
      parts.push(`<line class="ip-cap" x1="${n2(cx - w / 4)}" x2="${n2(cx + w / 4)}" y1="${n2(ymax)}" y2="${n2(ymax)}"/>`);
      parts.push(
        `<rect class="ip-iqr" x="${n2(cx - w / 2)}" y="${n2(Math.min(yq1, yq3))}" width="${n2(w)}" height="${n2(Math.abs(yq1 - yq3))}" fill="${color}" fill-opacity="0.35"/>`,
      );
      parts.push(
        `<line class="ip-median" x1="${n2(cx - w / 2)}" x2="${n2(cx + w / 2)}" y1="${n2(ymed)}" y2="${n2(ymed)}" stroke-width="2.5"/>`,
      );
      parts.push('</g>');
    }
    parts.push('</g>');
  }
  if (kind === 'scatter' || kind === 'box') {
    // Box charts may carry points over the boxes; both draw the same small circles.
    const labels = kind === 'scatter' && Array.isArray(spec.pointLabels) ? spec.pointLabels : [];
    let budget = MAX_SCATTER_POINTS;
    for (const s of series) {
      parts.push(
        `<g class="ip-series ip-points" data-series="${s.index}" fill="${xmlText(s.color)}" fill-opacity="${kind === 'box' ? 0.6 : 0.8}">`,
      );
      for (let i = 0; i < n && budget > 0; i++) {
        const v = s.values[i];
        const cx = xAxis.pos(i);
        if (v === null || cx === null) continue;
        budget--;
        const name = labels[i];
        const tip = name === null || name === undefined || name === '' ? '' : `<title>${xmlText(name)}</title>`;
        parts.push(`<circle cx="${n2(cx)}" cy="${n2(yPos(v))}" r="2.5"${tip ? `>${tip}</circle>` : '/>'}`);
      }
      parts.push('</g>');
    }
  }

  // Labels above each x's tallest mark (funnel conversion rates).
  if (hasAnnotations) {
    parts.push(`<g class="ip-annotations" font-size="11" font-weight="600" text-anchor="middle" fill="${xmlText(theme.fg)}">`);
    for (let i = 0; i < n; i++) {
      const label = annotations[i] ?? '';
      const cx = xAxis.pos(i);
      if (!label || cx === null) continue;
      let peak = -Infinity;
      for (const s of tops) if (s[i] !== null) peak = Math.max(peak, s[i] as number);
      const boxPeak = fiveNumbers ? (fiveNumbers.max[i] ?? fiveNumbers.q3[i]) : null;
      if (boxPeak !== null) peak = Math.max(peak, boxPeak);
      if (!Number.isFinite(peak)) continue;
      const y = yPos(bars ? Math.max(peak, 0) : peak) - (bars ? 4 : 7);
      parts.push(`<text class="ip-annotation" x="${n2(cx)}" y="${n2(y)}">${xmlText(truncateLabel(label, LABEL_CHARS))}</text>`);
    }
    parts.push('</g>');
  }

  if (rows.length) {
    parts.push(`<g class="ip-legend" font-size="12" fill="${xmlText(theme.fg)}">`);
    let k = 0;
    for (const row of rows) {
      const rowW = row.reduce((a, b) => a + b.w, 0) - 14;
      let x = Math.max(PAD, (W - rowW) / 2);
      for (const item of row) {
        const s = legendItems[k++];
        parts.push(
          `<g class="ip-legend-item"><rect x="${n2(x)}" y="${n2(below + 4)}" width="10" height="10" rx="2" fill="${xmlText(s.color)}"/><text x="${n2(x + 16)}" y="${n2(below + 13)}">${xmlText(item.text)}</text></g>`,
        );
        x += item.w;
      }
      below += 18;
    }
    parts.push('</g>');
  }
  if (note) parts.push(noteText(note, W, H, PAD, theme.muted));
  parts.push('</svg>\n');
  return parts.join('\n');
}

/** Plain grouping ("12,345.67"), by hand so a file does not depend on the exporting machine's locale. */
function plainNumber(v: number): string {
  const [int, frac] = fixed(v, Math.abs(v) >= 100 ? 0 : 2).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

/** `hbar`: a row per category, label left, bar scaled to the largest value, value at the bar's end. */
function hbarsSvg(spec: ChartSpec, s: Series, W: number, H: number, top: number, theme: SvgOptions['theme']): string {
  const labels = spec.x.values.map((v) => truncateLabel(String(v), LABEL_CHARS));
  const PAD = 8;
  const labelW = Math.min(W * 0.4, Math.max(...labels.map((l) => textWidth(l))) + 8);
  const valueW = Math.max(...s.values.map((v) => textWidth(v === null ? '—' : plainNumber(v)))) + 10;
  const x0 = PAD + labelW;
  const barMax = Math.max(20, W - x0 - valueW - PAD);
  const rowH = Math.max(4, Math.min(28, (H - top - PAD - (spec.note ? 18 : 0)) / Math.max(1, labels.length)));
  const max = Math.max(0, ...s.values.map((v) => v ?? 0));
  const out: string[] = [`<g class="ip-series ip-hbars" data-series="0" fill="${xmlText(s.color)}" fill-opacity="0.75">`];
  const text: string[] = [`<g font-size="11" fill="${xmlText(theme.fg)}">`];
  labels.forEach((label, i) => {
    const v = s.values[i];
    const y = top + i * rowH;
    const w = v === null || max <= 0 ? 0 : (Math.max(0, v) / max) * barMax;
    if (w > 0) out.push(`<rect class="ip-bar" x="${n2(x0)}" y="${n2(y + rowH * 0.15)}" width="${n2(w)}" height="${n2(rowH * 0.7)}"/>`);
    text.push(`<text class="ip-category" x="${n2(x0 - 6)}" y="${n2(y + rowH / 2 + 4)}" text-anchor="end">${xmlText(label)}</text>`);
    text.push(`<text class="ip-value" x="${n2(x0 + w + 4)}" y="${n2(y + rowH / 2 + 4)}">${xmlText(v === null ? '—' : plainNumber(v))}</text>`);
  });
  out.push('</g>');
  text.push('</g>');
  return [...out, ...text].join('\n');
}

/** `number`: each value large, its label under it, side by side. */
function numbersSvg(spec: ChartSpec, s: Series, W: number, H: number, top: number, theme: SvgOptions['theme'], palette: string[]): string {
  const n = spec.x.values.length;
  const slot = W / Math.max(1, n);
  const size = Math.max(18, Math.min(72, (H - top) / 3, slot / 5));
  const cy = top + (H - top) / 2;
  const out: string[] = [];
  spec.x.values.forEach((label, i) => {
    const v = s.values[i];
    const cx = slot * (i + 0.5);
    out.push(
      `<text class="ip-bignumber" x="${n2(cx)}" y="${n2(cy)}" text-anchor="middle" font-size="${n2(size)}" font-weight="700" fill="${xmlText(palette[i % palette.length])}">${xmlText(v === null ? '—' : plainNumber(v))}</text>`,
      `<text class="ip-category" x="${n2(cx)}" y="${n2(cy + 22)}" text-anchor="middle" font-size="13" fill="${xmlText(theme.muted)}">${xmlText(truncateLabel(String(label), Math.max(8, Math.floor(slot / 8))))}</text>`,
    );
  });
  return out.join('\n');
}

function noteText(note: string, W: number, H: number, pad: number, color: string): string {
  const max = Math.max(10, Math.floor((W - 2 * pad) / CHAR_W));
  return `<text class="ip-note" x="${pad}" y="${H - pad - 2}" font-size="11" fill="${xmlText(color)}">${xmlText(truncateLabel(note, max))}</text>`;
}

/** Unbroken runs of placeable points, each point as [x, y, index]. */
function splitRuns(n: number, at: (i: number) => [number, number] | null): [number, number, number][][] {
  const runs: [number, number, number][][] = [];
  let run: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const p = at(i);
    if (p === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push([p[0], p[1], i]);
  }
  if (run.length) runs.push(run);
  return runs;
}

/**
 * The x axis. Lines, areas and scatters over readable dates or numbers get a continuous axis;
 * everything else (and dates that do not all parse, like uPlot's fallback) gets one slot per x.
 */
function buildXAxis(spec: ChartSpec, kind: ChartSpec['kind'], values: unknown[], plot: Box): XAxis {
  const n = values.length;
  const continuousKind = kind === 'line' || kind === 'area' || kind === 'scatter';
  const xs = values.map((v) => (spec.x.type === 'number' ? (finiteOrNull(v) ?? NaN) : spec.x.type === 'time' ? parseUtcSeconds(String(v)) : NaN));
  const readable = xs.filter((v) => Number.isFinite(v));
  const time = spec.x.type === 'time';
  const hasClock = values.some(
    (v) => /T\d{2}:\d{2}|\s\d{2}:\d{2}/.test(String(v)) && !/[T\s]00:00(:00(\.0+)?)?(Z|[+-]00:?00)?$/.test(String(v)),
  );

  if (continuousKind && (spec.x.type === 'number' || (time && readable.length === n))) {
    let t0 = Math.min(...readable);
    let t1 = Math.max(...readable);
    if (readable.length === 0) {
      t0 = 0;
      t1 = 1;
    }
    let ticks: { at: number; label: string }[];
    let lo = t0;
    let hi = t1;
    if (time) {
      if (t1 === t0) {
        // One instant: centre it, with its own date as the only tick.
        lo = t0 - (hasClock ? 3600 : DAY);
        hi = t0 + (hasClock ? 3600 : DAY);
      }
      const withTime = t1 === t0 ? hasClock : t1 - t0 < 3 * DAY;
      const at = (t: number) => plot.x + ((t - lo) / (hi - lo)) * plot.w;
      const maxTicks = Math.max(2, Math.floor(plot.w / (withTime ? 112 : 84)));
      const list = t1 === t0 ? [t0] : timeTicks(lo, hi, maxTicks);
      ticks = list.map((t) => ({ at: at(t), label: dateText(t, withTime) }));
    } else {
      const nice = niceTicks(t0, t1, Math.max(2, Math.min(10, Math.floor(plot.w / 80))));
      lo = nice.min;
      hi = nice.max;
      const at = (t: number) => plot.x + ((t - lo) / (hi - lo)) * plot.w;
      ticks = nice.values.map((t) => ({ at: at(t), label: formatTick(t, nice.step, false) }));
    }
    return {
      pos: (i) => (Number.isFinite(xs[i]) ? plot.x + ((xs[i] - lo) / (hi - lo)) * plot.w : null),
      slot: plot.w / Math.max(1, n),
      ticks,
    };
  }

  // Slots: labels as given, dates written like the continuous axis when they all parse.
  const allDates = time && readable.length === n;
  const labels = values.map((v, i) => (allDates ? dateText(xs[i], hasClock) : v === null || v === undefined ? '' : String(v)));
  const slot = plot.w / n;
  const pos = (i: number) => plot.x + (i + 0.5) * slot;
  // Thin the labels to what fits: one per category while there is room, else every k-th (room
  // for the widest label after truncation, so neighbours never overlap).
  const widest = Math.max(...labels.map((l) => Math.min(Array.from(l).length, LABEL_CHARS))) * CHAR_W + 12;
  const step = Math.max(1, Math.ceil(widest / slot));
  const ticks: { at: number; label: string }[] = [];
  for (let i = 0; i < n; i += step) ticks.push({ at: pos(i), label: truncateLabel(labels[i], LABEL_CHARS) });
  return { pos, slot, ticks };
}
