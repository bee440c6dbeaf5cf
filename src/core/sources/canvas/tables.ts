/**
 * Canvas Analytics JSON → tables a spreadsheet opens. Pure functions, no I/O.
 *
 * Canvas answers in shapes no grid reads directly: date-keyed maps (`by_date`), string-keyed
 * grade histograms (`"0".."100"`), nested tardiness breakdowns, hour-keyed page views. Each mapper
 * below names its columns explicitly (the preferred ones first, in a stable order) and then
 * appends any field Canvas adds later, so a new field shows up instead of being dropped.
 *
 * Conventions: a value Canvas omitted on purpose (suppressed score statistics) is an empty cell
 * (null), never 0; a count Canvas omits because it is zero (grade buckets, message counts) is 0.
 */
import { CsvOptions, toCsv } from '../../csv';
import { CANVAS_ENDPOINTS, CanvasEndpointId } from './endpoints';
import {
  CourseActivityDay,
  DepartmentActivity,
  StudentActivity,
  StudentCommunication,
} from './types';

export type Cell = string | number | null;

export interface CanvasTable {
  columns: string[];
  rows: Cell[][];
}

/** A table with a key (stable, for URIs) and a title (for tabs), since some answers hold two tables. */
export interface NamedTable {
  key: string;
  title: string;
  table: CanvasTable;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A finite number, a numeric string as a number, else null. */
export function numeric(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** One cell from any JSON value: arrays of primitives joined with ";", other structures as JSON. */
export function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) {
    return v.map((x) => (x === null ? '' : String(x))).join(';');
  }
  return JSON.stringify(v);
}

/** `{a:{b:1}, c:[1,2]}` → `{"a.b":1, "c":"1;2"}`. */
export function flattenObject(obj: Record<string, unknown>, prefix = '', out: Record<string, Cell> = {}): Record<string, Cell> {
  for (const [k, v] of Object.entries(obj)) {
    if (isPlainObject(v) && Object.keys(v).length > 0) flattenObject(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = cell(v);
  }
  return out;
}

/**
 * Records → table: nested objects become dotted columns, the union of keys in first-seen order
 * after the `preferred` columns (which are always present, empty where a record lacks them).
 */
export function flattenRecords(records: readonly unknown[], preferred: readonly string[] = []): CanvasTable {
  const flats = records.map((r) => (isPlainObject(r) ? flattenObject(r) : { value: cell(r) }));
  const columns = [...preferred];
  const known = new Set(columns);
  for (const f of flats) {
    for (const k of Object.keys(f)) {
      if (!known.has(k)) {
        known.add(k);
        columns.push(k);
      }
    }
  }
  return { columns, rows: flats.map((f) => columns.map((c) => f[c] ?? null)) };
}

/**
 * The generic flattener behind `insights canvas get --format csv`: an array is one row per
 * element; an object holding nothing but one list (`{"enrollment_terms":[…]}`,
 * `{"accounts":[…]}`) is that list; any other object is one row; a primitive is one `value` cell.
 */
export function flattenJson(json: unknown): CanvasTable {
  if (json === null || json === undefined) return { columns: [], rows: [] };
  if (Array.isArray(json)) return flattenRecords(json);
  if (isPlainObject(json)) {
    const keys = Object.keys(json);
    if (keys.length === 1 && Array.isArray(json[keys[0]])) return flattenRecords(json[keys[0]] as unknown[]);
    return flattenRecords([json]);
  }
  return { columns: ['value'], rows: [[cell(json)]] };
}

/** CSV text (RFC 4180 via papaparse, "\n" line ends, trailing newline), formula guard on by default. */
export function tableToCsv(t: CanvasTable, opts: CsvOptions = {}): string {
  return toCsv(t.columns, t.rows, opts);
}

/** Chronological order for ISO dates/timestamps with any offset; text order when unparsable. */
export function byTime(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asObject = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});

// --- department (account) ----------------------------------------------------------------------

/** `by_date` → `date,views`, in date order (Canvas's map has no guaranteed order). */
export function departmentActivityByDate(json: unknown): CanvasTable {
  const byDate = asObject((json as DepartmentActivity | undefined)?.by_date);
  const dates = Object.keys(byDate).sort(byTime);
  return { columns: ['date', 'views'], rows: dates.map((d) => [d, numeric(byDate[d]) ?? 0]) };
}

/** `by_category` → `category,views` in Canvas's order (alphabetical upstream). */
export function departmentActivityByCategory(json: unknown): CanvasTable {
  const byCat = asObject((json as DepartmentActivity | undefined)?.by_category);
  return { columns: ['category', 'views'], rows: Object.entries(byCat).map(([c, v]) => [c, numeric(v) ?? 0]) };
}

/** Grades → `score,count` for every score 0–100; a missing key is a score nobody has (0). */
export function departmentGrades(json: unknown): CanvasTable {
  const g = asObject(json);
  const rows: Cell[][] = [];
  // Canvas bins to integers and ignores anything outside 0–100 (analytics_api_controller.rb).
  for (let s = 0; s <= 100; s++) rows.push([s, numeric(g[String(s)]) ?? 0]);
  return { columns: ['score', 'count'], rows };
}

export const STATISTICS_COLUMNS = ['courses', 'subaccounts', 'teachers', 'students', 'discussion_topics', 'media_objects', 'attachments', 'assignments'] as const;

/** Statistics → one row. */
export function departmentStatistics(json: unknown): CanvasTable {
  return flattenRecords([asObject(json)], STATISTICS_COLUMNS);
}

/** `{"accounts":[…]}` (or a bare list) → one row per sub-account. */
export function statisticsBySubaccount(json: unknown): CanvasTable {
  const list = Array.isArray(json) ? json : asArray(asObject(json).accounts);
  return flattenRecords(list, ['id', 'name', ...STATISTICS_COLUMNS.filter((c) => c !== 'subaccounts')]);
}

// --- course ------------------------------------------------------------------------------------

/** Course activity → `date,views,participations` in date order. */
export function courseActivity(json: unknown): CanvasTable {
  const days = asArray(json).filter(isPlainObject) as unknown as CourseActivityDay[];
  const sorted = [...days].sort((a, b) => byTime(String(a.date ?? ''), String(b.date ?? '')));
  return { columns: ['date', 'views', 'participations'], rows: sorted.map((d) => [cell(d.date), numeric(d.views) ?? 0, numeric(d.participations) ?? 0]) };
}

const TARDINESS = ['tardiness_breakdown.on_time', 'tardiness_breakdown.late', 'tardiness_breakdown.missing', 'tardiness_breakdown.floating', 'tardiness_breakdown.total'];
const SCORE_STATS = ['min_score', 'first_quartile', 'median', 'third_quartile', 'max_score'];

export const ASSIGNMENT_COLUMNS = ['assignment_id', 'title', 'due_at', 'unlock_at', 'points_possible', 'muted', ...SCORE_STATS, ...TARDINESS, 'module_ids'];

/**
 * Course assignments → one row per assignment: quartiles, tardiness fractions (0–1) flattened as
 * `tardiness_breakdown.on_time` etc. Score statistics Canvas suppressed (absent) stay empty.
 */
export function courseAssignments(json: unknown): CanvasTable {
  return flattenRecords(asArray(json), ASSIGNMENT_COLUMNS);
}

const LEVELS = new Set(['page_views_level', 'participations_level']);

/**
 * Student summaries → one row per student, `tardiness_breakdown.*` as counts. With `names`
 * (from the roster) a `name` column follows `id`; without, ids only.
 */
export function studentSummaries(json: unknown, names?: ReadonlyMap<number, string>): CanvasTable {
  const preferred = ['id', ...(names ? ['name'] : []), 'page_views', 'max_page_views', 'page_views_level', 'participations', 'max_participations', 'participations_level', ...TARDINESS];
  const records = asArray(json).map((r) => {
    if (!isPlainObject(r)) return r;
    const out: Record<string, unknown> = { ...r };
    // Levels are documented as 0–3 but sent as strings ("1") by some instances.
    for (const k of LEVELS) if (k in out) out[k] = numeric(out[k]) ?? out[k];
    if (names) out.name = typeof r.id === 'number' ? (names.get(r.id) ?? null) : null;
    return out;
  });
  return flattenRecords(records, preferred);
}

// --- student in course -------------------------------------------------------------------------

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Page views → `timestamp,page_views` in time order. Hosted Canvas keys them by hour
 * ("2024-01-24T13:00:00-00:00"), some instances by day ("2024-01-24"): `granularity` says which.
 */
export function studentPageViews(json: unknown): { table: CanvasTable; granularity: 'hour' | 'day' } {
  const pv = asObject((json as StudentActivity | undefined)?.page_views);
  const keys = Object.keys(pv).sort(byTime);
  const granularity = keys.length > 0 && keys.every((k) => PLAIN_DATE.test(k)) ? 'day' : 'hour';
  return { table: { columns: ['timestamp', 'page_views'], rows: keys.map((k) => [k, numeric(pv[k]) ?? 0]) }, granularity };
}

/** Participations → `created_at,url`, oldest first. */
export function studentParticipations(json: unknown): CanvasTable {
  const list = asArray((json as StudentActivity | undefined)?.participations).filter(isPlainObject);
  const sorted = [...list].sort((a, b) => byTime(String(a.created_at ?? ''), String(b.created_at ?? '')));
  return { columns: ['created_at', 'url'], rows: sorted.map((p) => [cell(p.created_at), cell(p.url)]) };
}

export const STUDENT_ASSIGNMENT_COLUMNS = [
  'assignment_id', 'title', 'due_at', 'unlock_at', 'points_possible', 'status', 'excused', 'muted',
  'submission.submitted_at', 'submission.posted_at', 'submission.score', ...SCORE_STATS, 'module_ids',
];

/** Student assignments → one row per assignment with `submission.*` beside the class statistics. */
export function studentAssignments(json: unknown): CanvasTable {
  return flattenRecords(asArray(json), STUDENT_ASSIGNMENT_COLUMNS);
}

/** Communication → `date,instructorMessages,studentMessages`; an absent count is 0 (as Canvas means it). */
export function studentCommunication(json: unknown): CanvasTable {
  const byDate = asObject(json) as StudentCommunication;
  const dates = Object.keys(byDate).sort(byTime);
  return {
    columns: ['date', 'instructorMessages', 'studentMessages'],
    rows: dates.map((d) => {
      const v = asObject(byDate[d]);
      return [d, numeric(v.instructorMessages) ?? 0, numeric(v.studentMessages) ?? 0];
    }),
  };
}

// --- by endpoint -------------------------------------------------------------------------------

/** The tables an endpoint's answer calls for (what the preview opens, tab by tab). */
export function canvasTables(id: CanvasEndpointId, data: unknown, opts: { names?: ReadonlyMap<number, string> } = {}): NamedTable[] {
  switch (id) {
    case 'department.activity':
      return [
        { key: 'by_date', title: 'Page views by day', table: departmentActivityByDate(data) },
        { key: 'by_category', title: 'Page views by category', table: departmentActivityByCategory(data) },
      ];
    case 'department.grades':
      return [{ key: 'grades', title: 'Grade distribution', table: departmentGrades(data) }];
    case 'department.statistics':
      return [{ key: 'statistics', title: 'Statistics', table: departmentStatistics(data) }];
    case 'department.statisticsBySubaccount':
      return [{ key: 'statistics_by_subaccount', title: 'Statistics by sub-account', table: statisticsBySubaccount(data) }];
    case 'course.activity':
      return [{ key: 'activity', title: 'Course activity', table: courseActivity(data) }];
    case 'course.assignments':
      return [{ key: 'assignments', title: 'Assignment statistics', table: courseAssignments(data) }];
    case 'course.studentSummaries':
      return [{ key: 'student_summaries', title: 'Student summaries', table: studentSummaries(data, opts.names) }];
    case 'student.activity': {
      const pv = studentPageViews(data);
      return [
        { key: 'page_views', title: pv.granularity === 'day' ? 'Page views per day' : 'Page views per hour', table: pv.table },
        { key: 'participations', title: 'Participations', table: studentParticipations(data) },
      ];
    }
    case 'student.assignments':
      return [{ key: 'assignments', title: "Student's assignments", table: studentAssignments(data) }];
    case 'student.communication':
      return [{ key: 'communication', title: 'Messages with instructors', table: studentCommunication(data) }];
    default:
      return [{ key: id, title: CANVAS_ENDPOINTS[id].title, table: flattenJson(data) }];
  }
}
