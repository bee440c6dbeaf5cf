/**
 * Chart specs: for each Canvas answer, the chart it calls for, as plain data the preview draws.
 * Pure functions; built from the same tables the grid shows, so chart and table always agree.
 *
 * They are the preview protocol's `ChartSpec` (src/protocol.ts says what each kind draws): the
 * panel gets them as they are.
 */
import type { ChartSpec } from '../../../protocol';
import { binLabels } from '../../chart/bins';
import { CanvasEndpointId } from './endpoints';
import {
  CanvasTable,
  courseActivity,
  courseAssignments,
  departmentActivityByCategory,
  departmentActivityByDate,
  departmentGrades,
  departmentStatistics,
  numeric,
  statisticsBySubaccount,
  studentAssignments,
  studentCommunication,
  studentPageViews,
  studentParticipations,
  studentSummaries,
} from './tables';

type BoxData = NonNullable<ChartSpec['box']>;

/** The column `name` of a table as numbers (null where empty or not numeric). */
export function columnValues(t: CanvasTable, name: string): (number | null)[] {
  const i = t.columns.indexOf(name);
  return t.rows.map((r) => (i < 0 ? null : numeric(r[i])));
}

function columnText(t: CanvasTable, name: string): string[] {
  const i = t.columns.indexOf(name);
  return t.rows.map((r) => (i < 0 || r[i] === null ? '' : String(r[i])));
}

const pct = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 10);

// --- department --------------------------------------------------------------------------------

export function departmentActivityCharts(json: unknown): ChartSpec[] {
  const byDate = departmentActivityByDate(json);
  const byCat = departmentActivityByCategory(json);
  return [
    {
      kind: 'line',
      title: 'Page views per day',
      xLabel: 'Date',
      yLabel: 'Page views',
      x: { type: 'time', values: columnText(byDate, 'date') },
      series: [{ name: 'Page views', values: columnValues(byDate, 'views') }],
    },
    {
      kind: 'bar',
      title: 'Page views by category',
      xLabel: 'Category',
      yLabel: 'Page views',
      x: { type: 'category', values: columnText(byCat, 'category') },
      series: [{ name: 'Page views', values: columnValues(byCat, 'views') }],
    },
  ];
}

export function gradesChart(json: unknown): ChartSpec {
  const t = departmentGrades(json);
  return {
    kind: 'histogram',
    title: 'Distribution of current grades',
    xLabel: 'Score',
    yLabel: 'Students',
    // One bin per whole score, labelled with it.
    x: { type: 'category', values: binLabels(columnValues(t, 'score') as number[], 1) },
    series: [{ name: 'Students', values: columnValues(t, 'count') }],
  };
}

export function statisticsChart(json: unknown): ChartSpec {
  const t = departmentStatistics(json);
  const row = t.rows[0] ?? [];
  const keep = t.columns.map((c, i) => ({ c, v: numeric(row[i]) })).filter((x) => x.v !== null);
  return {
    kind: 'bar',
    title: 'Department statistics',
    xLabel: 'Statistic',
    yLabel: 'Count',
    x: { type: 'category', values: keep.map((x) => x.c) },
    series: [{ name: 'Count', values: keep.map((x) => x.v) }],
  };
}

export function subaccountChart(json: unknown): ChartSpec {
  const t = statisticsBySubaccount(json);
  const names = t.rows.map((r, i) => String(r[t.columns.indexOf('name')] ?? r[t.columns.indexOf('id')] ?? `Account ${i + 1}`));
  return {
    kind: 'bar',
    title: 'Courses, teachers and students by sub-account',
    xLabel: 'Sub-account',
    yLabel: 'Count',
    x: { type: 'category', values: names },
    series: ['courses', 'teachers', 'students'].map((c) => ({ name: c[0].toUpperCase() + c.slice(1), values: columnValues(t, c) })),
  };
}

// --- course ------------------------------------------------------------------------------------

export function courseActivityChart(json: unknown): ChartSpec {
  const t = courseActivity(json);
  return {
    kind: 'line',
    title: 'Page views and participations per day',
    xLabel: 'Date',
    yLabel: 'Count',
    x: { type: 'time', values: columnText(t, 'date') },
    series: [
      { name: 'Page views', values: columnValues(t, 'views') },
      { name: 'Participations', values: columnValues(t, 'participations') },
    ],
  };
}

function assignmentLabels(t: CanvasTable): string[] {
  const titles = columnText(t, 'title');
  const ids = columnText(t, 'assignment_id');
  return titles.map((s, i) => s || `Assignment ${ids[i]}`);
}

function boxFrom(t: CanvasTable): { box: BoxData; suppressed: number } {
  const box: BoxData = {
    min: columnValues(t, 'min_score'),
    q1: columnValues(t, 'first_quartile'),
    median: columnValues(t, 'median'),
    q3: columnValues(t, 'third_quartile'),
    max: columnValues(t, 'max_score'),
  };
  const suppressed = box.median.filter((v, i) => v === null && box.min[i] === null && box.max[i] === null).length;
  return { box, suppressed };
}

/** The note under a box plot, when Canvas withheld some assignments' statistics. */
const suppressedNote = (n: number): { note?: string } =>
  n > 0 ? { note: `Canvas withheld score statistics for ${n} assignment${n === 1 ? '' : 's'}; ${n === 1 ? 'it has' : 'they have'} no box.` } : {};

/** Box plot of scores per assignment, and stacked on-time / late / missing shares. */
export function assignmentCharts(json: unknown): ChartSpec[] {
  const t = courseAssignments(json);
  const labels = assignmentLabels(t);
  const { box, suppressed } = boxFrom(t);
  return [
    {
      kind: 'box',
      title: 'Scores per assignment',
      xLabel: 'Assignment',
      yLabel: 'Score (points)',
      x: { type: 'category', values: labels },
      series: [],
      box,
      ...suppressedNote(suppressed),
    },
    {
      kind: 'stackedBar',
      title: 'On time, late and missing submissions',
      xLabel: 'Assignment',
      yLabel: 'Share of students',
      yFormat: 'percent',
      x: { type: 'category', values: labels },
      series: [
        { name: 'On time', values: columnValues(t, 'tardiness_breakdown.on_time').map(pct) },
        { name: 'Late', values: columnValues(t, 'tardiness_breakdown.late').map(pct) },
        { name: 'Missing', values: columnValues(t, 'tardiness_breakdown.missing').map(pct) },
      ],
    },
  ];
}

/**
 * Page views against participations, one point per student, in ascending page views (the plot
 * needs x in order; ties keep the table's order), each point keeping its student's name.
 */
export function studentSummariesChart(json: unknown, names?: ReadonlyMap<number, string>): ChartSpec {
  const t = studentSummaries(json, names);
  const ids = columnText(t, 'id');
  const nameCol = names ? columnText(t, 'name') : [];
  const xs = columnValues(t, 'page_views').map((v) => v ?? 0);
  const ys = columnValues(t, 'participations');
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
  return {
    kind: 'scatter',
    title: 'Page views vs participations per student',
    xLabel: 'Page views',
    yLabel: 'Participations',
    x: { type: 'number', values: order.map((i) => xs[i]) },
    series: [{ name: 'Participations', values: order.map((i) => ys[i]) }],
    pointLabels: order.map((i) => nameCol[i] || `Student ${ids[i]}`),
  };
}

// --- student in course -------------------------------------------------------------------------

export function studentActivityCharts(json: unknown): ChartSpec[] {
  const { table, granularity } = studentPageViews(json);
  const parts = studentParticipations(json);
  // Participations per day: the raw list is one row per event.
  const perDay = new Map<string, number>();
  for (const r of parts.rows) {
    const d = String(r[0] ?? '').slice(0, 10);
    if (d) perDay.set(d, (perDay.get(d) ?? 0) + 1);
  }
  const days = [...perDay.keys()].sort();
  const charts: ChartSpec[] = [
    {
      kind: 'line',
      title: granularity === 'day' ? 'Page views per day' : 'Page views per hour',
      xLabel: granularity === 'day' ? 'Date' : 'Hour',
      yLabel: 'Page views',
      x: { type: 'time', values: columnText(table, 'timestamp') },
      series: [{ name: 'Page views', values: columnValues(table, 'page_views') }],
    },
  ];
  if (days.length > 0) {
    charts.push({
      kind: 'bar',
      title: 'Participations per day',
      xLabel: 'Date',
      yLabel: 'Participations',
      x: { type: 'time', values: days },
      series: [{ name: 'Participations', values: days.map((d) => perDay.get(d) ?? 0) }],
    });
  }
  return charts;
}

/** The class's box per assignment with the student's own score drawn over it. */
export function studentAssignmentsChart(json: unknown): ChartSpec {
  const t = studentAssignments(json);
  const labels = assignmentLabels(t);
  const { box, suppressed } = boxFrom(t);
  return {
    kind: 'box',
    title: "Student's scores against the class",
    xLabel: 'Assignment',
    yLabel: 'Score (points)',
    x: { type: 'category', values: labels },
    series: [{ name: 'Student score', values: columnValues(t, 'submission.score') }],
    box,
    ...suppressedNote(suppressed),
  };
}

export function communicationChart(json: unknown): ChartSpec {
  const t = studentCommunication(json);
  return {
    kind: 'stackedBar',
    title: 'Messages per day',
    xLabel: 'Date',
    yLabel: 'Messages',
    x: { type: 'time', values: columnText(t, 'date') },
    series: [
      { name: 'Instructor messages', values: columnValues(t, 'instructorMessages') },
      { name: 'Student messages', values: columnValues(t, 'studentMessages') },
    ],
  };
}

/** The charts an endpoint's answer calls for; none for plain lists (terms, courses, roster). */
export function canvasCharts(id: CanvasEndpointId, data: unknown, opts: { names?: ReadonlyMap<number, string> } = {}): ChartSpec[] {
  switch (id) {
    case 'department.activity':
      return departmentActivityCharts(data);
    case 'department.grades':
      return [gradesChart(data)];
    case 'department.statistics':
      return [statisticsChart(data)];
    case 'department.statisticsBySubaccount':
      return [subaccountChart(data)];
    case 'course.activity':
      return [courseActivityChart(data)];
    case 'course.assignments':
      return assignmentCharts(data);
    case 'course.studentSummaries':
      return [studentSummariesChart(data, opts.names)];
    case 'student.activity':
      return studentActivityCharts(data);
    case 'student.assignments':
      return [studentAssignmentsChart(data)];
    case 'student.communication':
      return [communicationChart(data)];
    default:
      return [];
  }
}
