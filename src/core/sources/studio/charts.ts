/**
 * Which charts a Studio CSV allows, decided from its header (Studio's column names are
 * unconfirmed upstream, so this matches meanings, not exact names):
 * - a date/time column plus a views column ("Views", "Video Views", "Unique Viewers") → line of
 *   viewership over time;
 * - a completion-rate column → histogram of completion rates in 10% bins.
 * Anything else: no chart (the table still opens).
 *
 * `studioChartSpecs` builds the ChartSpec (see ../canvas/charts.ts for the contract) from the CSV
 * text for the preview; large CSVs should instead feed the picks to the host's table engine.
 */
import Papa from 'papaparse';
import { ChartSpec } from '../canvas/charts';

export interface StudioLinePick {
  kind: 'line';
  title: string;
  /** Header of the date/time column. */
  x: string;
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

/** Durations and per-person "last seen" columns mention time but are not a time axis. */
const NOT_AN_AXIS = /(viewed|watched|spent|duration|minutes|seconds|hours|rate|last|first|completion)/;
const TIME_AXIS = /\b(date|day|time|timestamp|datetime|week|month|period|hour)\b/;

function timeColumn(header: readonly string[]): string | undefined {
  return header.find((h) => TIME_AXIS.test(norm(h)) && !NOT_AN_AXIS.test(norm(h)));
}

function viewColumns(header: readonly string[]): string[] {
  const views = header.filter((h) => /\bviews\b/.test(norm(h)));
  const viewers = header.filter((h) => /\bviewers\b/.test(norm(h)));
  return [...views, ...viewers];
}

function completionColumn(header: readonly string[]): string | undefined {
  return header.find((h) => /completion\s*(rate|%|percent)/.test(norm(h))) ?? header.find((h) => /completion/.test(norm(h)) && !/time/.test(norm(h)));
}

export function pickStudioCharts(header: readonly string[]): StudioChartPick[] {
  const picks: StudioChartPick[] = [];
  const x = timeColumn(header);
  const y = viewColumns(header);
  if (x && y.length > 0 && /\bviews\b/.test(norm(y[0]))) picks.push({ kind: 'line', title: 'Viewership over time', x, y });
  const c = completionColumn(header);
  if (c) picks.push({ kind: 'histogram', title: 'Completion rates', column: c, binWidth: 10 });
  return picks;
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

/** Chart specs for a Studio CSV, following `pickStudioCharts`. */
export function studioChartSpecs(csv: string | Buffer): ChartSpec[] {
  const { header, rows } = parseStudioCsv(csv);
  const specs: ChartSpec[] = [];
  for (const pick of pickStudioCharts(header)) {
    if (pick.kind === 'line') {
      const xi = header.indexOf(pick.x);
      const ys = pick.y.map((h) => header.indexOf(h));
      const data = rows.map((r) => ({ x: r[xi] ?? '', ys: ys.map((i) => csvNumber(r[i])) })).filter((d) => d.x.trim() !== '');
      const allDates = data.length > 0 && data.every((d) => Number.isFinite(Date.parse(d.x)));
      if (allDates) data.sort((a, b) => Date.parse(a.x) - Date.parse(b.x));
      specs.push({
        kind: 'line',
        title: pick.title,
        x: { label: pick.x, type: allDates ? 'time' : 'category', values: data.map((d) => d.x) },
        y: { label: pick.y[0], format: 'integer', min: 0 },
        series: pick.y.map((name, j) => ({ name, values: data.map((d) => d.ys[j]) })),
      });
    } else {
      const ci = header.indexOf(pick.column);
      const { edges, counts } = completionHistogram(completionPercents(rows.map((r) => r[ci] ?? '')));
      specs.push({
        kind: 'histogram',
        title: pick.title,
        x: { label: `${pick.column} (%)`, type: 'number', values: edges },
        y: { label: 'People', format: 'integer', min: 0 },
        series: [{ name: 'People', values: counts }],
        histogram: { binWidth: pick.binWidth },
      });
    }
  }
  return specs;
}
