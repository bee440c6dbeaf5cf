/**
 * Which charts a Studio CSV allows, decided from its header AND its values. Studio documents the
 * overview only as "video views, time viewed, unique viewers and time based viewership data"
 * (https://developerdocs.instructure.com/services/studio/api-reference/insights): the column
 * names are unverified, and "time based" may mean calendar dates or positions in the video. So:
 * - a column whose every value is a date (or date-time) plus a views column → a line over
 *   calendar time ("Viewership over time");
 * - a position-like column ("Time", "Position", "Second", "%"…) whose every value is a number of
 *   seconds, a clock offset (`1:30`, `01:02:03`) or a percentage, plus a views column → a line
 *   over the position in the video, its axis labelled with the unit (seconds or % of the video);
 * - a completion-rate column → histogram of completion rates in 10% bins.
 * Anything else: no chart (the table still opens), never an axis labelled as something it is not.
 *
 * A CSV may start with summary lines of two cells (`Views,120`; a public script reading the
 * overview expects such rows) before the time-based table: the chart reads the first row with three
 * or more cells as that table's header.
 *
 * `studioChartSpecs` builds the preview protocol's ChartSpec (src/protocol.ts says what each kind
 * draws) from the CSV text; large CSVs should instead feed the picks to the host's table engine.
 */
import Papa from 'papaparse';
import type { ChartSpec } from '../../../protocol';
import { binLabels } from '../../chart/bins';

/** What the x axis of a viewership line is: calendar time, or a position in the video. */
export type StudioAxisKind = 'date' | 'seconds' | 'percent';

export interface StudioLinePick {
  kind: 'line';
  title: string;
  /** Header of the date/position column. */
  x: string;
  axis: StudioAxisKind;
  /** Headers of the view-count columns, the plain views column first. */
  y: string[];
}

export interface StudioHistogramPick {
  kind: 'histogram';
  title: string;
  column: string;
  binWidth: 10;
}

export type StudioChartPick = StudioLinePick | StudioHistogramPick;

const norm = (h: string): string => h.replace(/^\uFEFF/, '').trim().toLowerCase();

/** Durations, totals and per-person "last seen" columns mention time but are not an axis. */
const NOT_AN_AXIS = /(viewed|watched|spent|duration|minutes|hours|rate|last|first|completion|views|viewers)/;
const POSITION_HEADER = /\b(time|timestamp|position|second|seconds|sec|secs|offset|point|mark|progress|elapsed|playback|segment|interval)\b|%|percent/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const CLOCK = /^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?(\.\d+)?$/;
const PLAIN = /^\d+(\.\d+)?$/;

/** Seconds from `90`, `90.5`, `1:30`, `01:02:03`; undefined otherwise. */
export function positionSeconds(v: string): number | undefined {
  const t = v.trim();
  if (PLAIN.test(t)) return Number(t);
  const m = CLOCK.exec(t);
  if (!m) return undefined;
  const frac = m[4] ? Number(m[4]) : 0;
  return m[3] !== undefined ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + frac : Number(m[1]) * 60 + Number(m[2]) + frac;
}

/** The axis a column's values allow, or undefined when they are not all of one kind. */
export function classifyAxis(header: string, values: readonly string[]): StudioAxisKind | undefined {
  const h = norm(header);
  if (NOT_AN_AXIS.test(h)) return undefined;
  const vs = values.map((v) => v.trim()).filter((v) => v !== '');
  if (vs.length === 0) return undefined;
  if (vs.every((v) => ISO_DATE.test(v) && Number.isFinite(Date.parse(v)))) return 'date';
  // A position is only read from a column whose name says it is one: a bare number column
  // (an id, a count) is never turned into an axis.
  if (!POSITION_HEADER.test(h)) return undefined;
  const percentHeader = /%|percent/.test(h);
  if ((percentHeader || vs.every((v) => v.endsWith('%'))) && vs.every((v) => PLAIN.test(v.replace(/%$/, '').trim()) && Number(v.replace(/%$/, '')) <= 100)) {
    return 'percent';
  }
  if (!percentHeader && vs.every((v) => positionSeconds(v) !== undefined)) return 'seconds';
  return undefined;
}

function viewColumns(header: readonly string[]): string[] {
  const views = header.filter((h) => /\bviews\b/.test(norm(h)));
  const viewers = header.filter((h) => /\bviewers\b/.test(norm(h)));
  return [...views, ...viewers];
}

function completionColumn(header: readonly string[]): string | undefined {
  return header.find((h) => /completion\s*(rate|%|percent)/.test(norm(h))) ?? header.find((h) => /completion/.test(norm(h)) && !/time/.test(norm(h)));
}

const LINE_TITLE: Record<StudioAxisKind, string> = {
  date: 'Viewership over time',
  seconds: 'Viewership through the video',
  percent: 'Viewership through the video',
};

/** The charts a table allows: from its header and its values (`rows`, as parsed). */
export function pickStudioCharts(header: readonly string[], rows: readonly (readonly string[])[]): StudioChartPick[] {
  const picks: StudioChartPick[] = [];
  const y = viewColumns(header);
  if (y.length > 0 && /\bviews\b/.test(norm(y[0]))) {
    for (let i = 0; i < header.length; i++) {
      const axis = classifyAxis(header[i], rows.map((r) => r[i] ?? ''));
      if (axis) {
        picks.push({ kind: 'line', title: LINE_TITLE[axis], x: header[i], axis, y });
        break;
      }
    }
  }
  const c = completionColumn(header);
  if (c) picks.push({ kind: 'histogram', title: 'Completion rates', column: c, binWidth: 10 });
  return picks;
}

/** The x axis label, with the unit: never a date label on positions, nor the reverse. */
export function axisLabel(column: string, axis: StudioAxisKind): string {
  const name = column.replace(/^\uFEFF/, '').trim();
  if (axis === 'seconds') return `${name} (seconds into the video)`;
  if (axis === 'percent') return `${name} (% of the video)`;
  return name;
}

/** Number from a CSV cell: "1,234" and "87%" included; null when not numeric. */
export function csvNumber(v: string | undefined): number | null {
  if (v === undefined) return null;
  const s = v.trim().replace(/%$/, '').trim();
  if (s === '') return null;
  const n = Number(/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s) ? s.replace(/,/g, '') : s);
  return Number.isFinite(n) ? n : null;
}

/**
 * Completion rates as percentages: "87%" and "87" are 87; a column whose values are all
 * between 0 and 1 with no "%" anywhere is read as fractions (0.87 → 87).
 */
export function completionPercents(values: readonly string[]): number[] {
  const nums = values.map(csvNumber);
  const present = nums.filter((n): n is number => n !== null);
  const fractions = !values.some((v) => v.includes('%')) && present.length > 0 && present.every((n) => n >= 0 && n <= 1);
  return present.map((n) => Math.min(100, Math.max(0, fractions ? n * 100 : n)));
}

/** Ten bins [0,10) … [90,100]; 100% falls in the last bin. */
export function completionHistogram(percents: readonly number[]): { edges: number[]; counts: number[] } {
  const edges = Array.from({ length: 10 }, (_, i) => i * 10);
  const counts = edges.map(() => 0);
  for (const p of percents) counts[Math.min(9, Math.floor(p / 10))]++;
  return { edges, counts };
}

/** Header and rows of a CSV (BOM dropped, blank lines skipped). */
export function parseStudioCsv(csv: string | Buffer): { header: string[]; rows: string[][] } {
  const text = (typeof csv === 'string' ? csv : csv.toString('utf8')).replace(/^\uFEFF/, '');
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  const [header = [], ...rows] = parsed.data;
  return { header, rows };
}

/**
 * The table to chart: the whole CSV, or, when it opens with two-cell summary lines, the part
 * from the first row of three or more cells on (its header).
 */
export function studioChartTable(csv: string | Buffer): { header: string[]; rows: string[][] } {
  const { header, rows } = parseStudioCsv(csv);
  if (header.length >= 3) return { header, rows };
  const all = [header, ...rows];
  const at = all.findIndex((r) => r.length >= 3);
  if (at < 0) return { header, rows };
  const width = all[at].length;
  return { header: all[at], rows: all.slice(at + 1).filter((r) => r.length === width) };
}

/** Chart specs for a Studio CSV, following `pickStudioCharts`. */
export function studioChartSpecs(csv: string | Buffer): ChartSpec[] {
  const { header, rows } = studioChartTable(csv);
  const specs: ChartSpec[] = [];
  for (const pick of pickStudioCharts(header, rows)) {
    if (pick.kind === 'line') {
      const xi = header.indexOf(pick.x);
      const ys = pick.y.map((h) => header.indexOf(h));
      const data = rows.map((r) => ({ x: (r[xi] ?? '').trim(), ys: ys.map((i) => csvNumber(r[i])) })).filter((d) => d.x !== '');
      const series = (d: typeof data) => pick.y.map((name, j) => ({ name, values: d.map((p) => p.ys[j]) }));
      const line = { kind: 'line', title: pick.title, xLabel: axisLabel(pick.x, pick.axis), yLabel: pick.y[0] } as const;
      if (pick.axis === 'date') {
        data.sort((a, b) => Date.parse(a.x) - Date.parse(b.x));
        specs.push({ ...line, x: { type: 'time', values: data.map((d) => d.x) }, series: series(data) });
      } else {
        const pos = (v: string) => (pick.axis === 'percent' ? Number(v.replace(/%$/, '')) : positionSeconds(v)!);
        data.sort((a, b) => pos(a.x) - pos(b.x));
        // A position in the video keeps its numeric axis.
        specs.push({ ...line, x: { type: 'number', values: data.map((d) => pos(d.x)) }, series: series(data) });
      }
    } else {
      const ci = header.indexOf(pick.column);
      const { edges, counts } = completionHistogram(completionPercents(rows.map((r) => r[ci] ?? '')));
      specs.push({
        kind: 'histogram',
        title: pick.title,
        xLabel: `${pick.column} (%)`.replace(/\s*\[%\]\s*\(%\)$/, ' (%)'),
        yLabel: 'People',
        x: { type: 'category', values: binLabels(edges, pick.binWidth) },
        series: [{ name: 'People', values: counts }],
      });
    }
  }
  return specs;
}
