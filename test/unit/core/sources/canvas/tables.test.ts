/**
 * Canvas Analytics JSON → tables and chart specs. Fixtures are the documented example answers
 * (instructure/analytics analytics_api_controller.rb, API-NOTES.md), trimmed; assertions check
 * the values a teacher would look for in the spreadsheet.
 */
import * as assert from 'node:assert/strict';
import {
  CANVAS_ENDPOINTS,
  CanvasEndpointId,
  canvasCharts,
  canvasPath,
  canvasTables,
  courseActivity,
  endpointsAt,
  courseAssignments,
  departmentActivityByCategory,
  departmentActivityByDate,
  departmentGrades,
  departmentStatistics,
  flattenJson,
  matchCanvasPath,
  parseLinkHeader,
  statisticsBySubaccount,
  studentAssignments,
  studentCommunication,
  studentPageViews,
  studentParticipations,
  studentSummaries,
  tableToCsv,
} from '../../../../../src/core/sources/canvas';
import { mergePages } from '../../../../../src/core/sources/canvas/client';

const ACTIVITY = {
  by_date: { '2024-01-27': 912, '2024-01-24': 1240, '2024-01-25': 1101 },
  by_category: { announcements: 54, assignments: 256, discussions: 354, quizzes: 356 },
};

const ASSIGNMENTS = [
  {
    assignment_id: 1234, title: 'Assignment 1', points_possible: 10, due_at: '2012-01-25T22:00:00-07:00', unlock_at: '2012-01-20T22:00:00-07:00',
    muted: false, min_score: 2, max_score: 10, median: 7, first_quartile: 4, third_quartile: 8, module_ids: [1, 2],
    tardiness_breakdown: { on_time: 0.75, missing: 0.1, late: 0.15, floating: 0, total: 20 },
  },
  {
    // Score statistics suppressed: the keys are absent.
    assignment_id: 1235, title: 'Assignment 2', points_possible: 15, due_at: '2012-01-26T22:00:00-07:00', unlock_at: null,
    muted: true, module_ids: [1], tardiness_breakdown: { on_time: 0.65, missing: 0.12, late: 0.23, total: 275 },
  },
];

const SUMMARIES = [
  { id: 2346, page_views: 351, page_views_level: '1', max_page_views: 415, participations: 1, participations_level: '3', max_participations: 10, tardiness_breakdown: { total: 5, on_time: 3, late: 0, missing: 2, floating: 0 } },
  { id: 2345, page_views: 124, participations: 15, tardiness_breakdown: { total: 5, on_time: 1, late: 2, missing: 3, floating: 0 } },
];

const col = (t: { columns: string[]; rows: unknown[][] }, name: string): unknown[] => t.rows.map((r) => r[t.columns.indexOf(name)]);

describe('Canvas Link header', () => {
  it('reads Canvas\'s format: entries joined by "," with no space, rel="last" missing', () => {
    const h =
      '<https://h/api/v1/courses/5/analytics/student_summaries?sort_column=name&page=2&per_page=10>; rel="current",' +
      '<https://h/api/v1/courses/5/analytics/student_summaries?sort_column=name&page=3&per_page=10>; rel="next",' +
      '<https://h/api/v1/courses/5/analytics/student_summaries?sort_column=name&page=1&per_page=10>; rel="prev",' +
      '<https://h/api/v1/courses/5/analytics/student_summaries?sort_column=name&page=1&per_page=10>; rel="first"';
    const l = parseLinkHeader(h);
    assert.equal(l.next, 'https://h/api/v1/courses/5/analytics/student_summaries?sort_column=name&page=3&per_page=10');
    assert.equal(l.current?.includes('page=2'), true);
    assert.equal(l.last, undefined);
  });

  it('tolerates spaces, unquoted and multiple rels, and commas inside URLs', () => {
    const l = parseLinkHeader('<https://h/a?include[]=a,b&page=2>; rel=next, <https://h/a?page=9> ; rel="prev last"');
    assert.equal(l.next, 'https://h/a?include[]=a,b&page=2');
    assert.equal(l.last, 'https://h/a?page=9');
    assert.equal(l.prev, 'https://h/a?page=9');
  });

  it('is empty for a missing or junk header', () => {
    assert.deepEqual(parseLinkHeader(undefined), {});
    assert.deepEqual(parseLinkHeader('garbage; rel="next"'), {});
  });
});

describe('Canvas department tables', () => {
  it('activity by_date → date,views in date order', () => {
    const t = departmentActivityByDate(ACTIVITY);
    assert.deepEqual(t.columns, ['date', 'views']);
    assert.deepEqual(t.rows, [['2024-01-24', 1240], ['2024-01-25', 1101], ['2024-01-27', 912]]);
  });

  it('activity by_category → category,views', () => {
    const t = departmentActivityByCategory(ACTIVITY);
    assert.deepEqual(t.columns, ['category', 'views']);
    assert.deepEqual(t.rows[2], ['discussions', 354]);
    assert.equal(t.rows.length, 4);
  });

  it('grades → score,count for every score 0–100, missing keys as 0', () => {
    const t = departmentGrades({ '0': 95, '1': 1, '93': 125, '100': 190, '101': 7 });
    assert.deepEqual(t.columns, ['score', 'count']);
    assert.equal(t.rows.length, 101);
    assert.deepEqual(t.rows[0], [0, 95]);
    assert.deepEqual(t.rows[50], [50, 0]);
    assert.deepEqual(t.rows[93], [93, 125]);
    assert.deepEqual(t.rows[100], [100, 190]);
    assert.equal(t.rows.reduce((s, r) => s + (r[1] as number), 0), 411, 'scores outside 0–100 are ignored, as Canvas does');
  });

  it('statistics → one row with the documented columns first', () => {
    const t = departmentStatistics({ courses: 27, subaccounts: 3, teachers: 36, students: 418, discussion_topics: 77, media_objects: 219, attachments: 1268, assignments: 290 });
    assert.deepEqual(t.columns, ['courses', 'subaccounts', 'teachers', 'students', 'discussion_topics', 'media_objects', 'attachments', 'assignments']);
    assert.deepEqual(t.rows, [[27, 3, 36, 418, 77, 219, 1268, 290]]);
  });

  it('statistics_by_subaccount → one row per account (wrapped or bare)', () => {
    const accounts = [
      { name: 'Arts', id: 188, courses: 27, teachers: 36, students: 418, discussion_topics: 77, media_objects: 219, attachments: 1268, assignments: 290 },
      { name: 'Science', id: 189, courses: 4, teachers: 5, students: 60, discussion_topics: 7, media_objects: 9, attachments: 12, assignments: 30 },
    ];
    const t = statisticsBySubaccount({ accounts });
    assert.deepEqual(t.columns.slice(0, 3), ['id', 'name', 'courses']);
    assert.deepEqual(col(t, 'students'), [418, 60]);
    assert.deepEqual(statisticsBySubaccount(accounts), t);
  });
});

describe('Canvas course tables', () => {
  it('course activity → date,views,participations in date order', () => {
    const t = courseActivity([
      { date: '2024-01-25', views: 4, participations: 1 },
      { date: '2024-01-24', views: 10, participations: 3 },
    ]);
    assert.deepEqual(t.columns, ['date', 'views', 'participations']);
    assert.deepEqual(t.rows, [['2024-01-24', 10, 3], ['2024-01-25', 4, 1]]);
  });

  it('assignments → quartiles and tardiness flattened; suppressed statistics are empty, not 0', () => {
    const t = courseAssignments(ASSIGNMENTS);
    for (const c of ['min_score', 'first_quartile', 'median', 'third_quartile', 'max_score', 'tardiness_breakdown.on_time', 'tardiness_breakdown.late', 'tardiness_breakdown.missing', 'tardiness_breakdown.total']) {
      assert.ok(t.columns.includes(c), c);
    }
    assert.deepEqual(col(t, 'median'), [7, null]);
    assert.deepEqual(col(t, 'first_quartile'), [4, null]);
    assert.deepEqual(col(t, 'tardiness_breakdown.on_time'), [0.75, 0.65]);
    assert.deepEqual(col(t, 'tardiness_breakdown.total'), [20, 275]);
    assert.deepEqual(col(t, 'module_ids'), ['1;2', '1']);
    assert.deepEqual(col(t, 'muted'), ['false', 'true']);
    const csv = tableToCsv(t).split('\n');
    assert.match(csv[2], /^1235,Assignment 2,2012-01-26T22:00:00-07:00,,15,true,,,,,,0\.65,0\.23,0\.12,,275,1$/);
  });

  it('student summaries → one row per student with tardiness_breakdown.* and names when known', () => {
    const t = studentSummaries(SUMMARIES, new Map([[2346, 'Ada Lovelace']]));
    assert.deepEqual(t.columns.slice(0, 3), ['id', 'name', 'page_views']);
    assert.deepEqual(col(t, 'name'), ['Ada Lovelace', null]);
    assert.deepEqual(col(t, 'page_views_level'), [1, null], 'string levels become numbers');
    assert.deepEqual(col(t, 'tardiness_breakdown.missing'), [2, 3]);
    assert.deepEqual(col(t, 'tardiness_breakdown.on_time'), [3, 1]);
    const ids = studentSummaries(SUMMARIES);
    assert.equal(ids.columns.includes('name'), false, 'no name column without the roster');
  });
});

describe('Canvas student-in-course tables', () => {
  it('hourly page views → timestamp,page_views in time order', () => {
    const { table, granularity } = studentPageViews({
      page_views: { '2012-01-24T14:00:00-00:00': 13, '2012-01-24T13:00:00-00:00': 19, '2012-01-27T09:00:00-00:00': 23 },
    });
    assert.equal(granularity, 'hour');
    assert.deepEqual(table.columns, ['timestamp', 'page_views']);
    assert.deepEqual(table.rows, [['2012-01-24T13:00:00-00:00', 19], ['2012-01-24T14:00:00-00:00', 13], ['2012-01-27T09:00:00-00:00', 23]]);
  });

  it('plain-date page views are per day', () => {
    const { table, granularity } = studentPageViews({ page_views: { '2024-01-25': 3, '2024-01-24': 7 } });
    assert.equal(granularity, 'day');
    assert.deepEqual(table.rows, [['2024-01-24', 7], ['2024-01-25', 3]]);
  });

  it('orders timestamps with different offsets by instant', () => {
    const { table } = studentPageViews({ page_views: { '2024-01-24T10:00:00-06:00': 1, '2024-01-24T15:00:00-00:00': 2 } });
    assert.deepEqual(table.rows.map((r) => r[1]), [2, 1]);
  });

  it('participations → created_at,url', () => {
    const t = studentParticipations({ participations: [{ created_at: '2012-01-27T22:00:00-06:00', url: 'https://c/x' }, { created_at: '2012-01-21T22:00:00-06:00', url: 'https://c/y' }] });
    assert.deepEqual(t.columns, ['created_at', 'url']);
    assert.deepEqual(t.rows[0], ['2012-01-21T22:00:00-06:00', 'https://c/y']);
  });

  it('student assignments → flattened with submission.*', () => {
    const t = studentAssignments([
      { ...ASSIGNMENTS[0], status: 'on_time', excused: false, submission: { submitted_at: '2012-01-22T22:00:00-07:00', score: 10 } },
      { ...ASSIGNMENTS[1], status: 'missing', excused: false, submission: { submitted_at: null } },
    ]);
    assert.deepEqual(col(t, 'submission.score'), [10, null]);
    assert.deepEqual(col(t, 'submission.submitted_at'), ['2012-01-22T22:00:00-07:00', null]);
    assert.deepEqual(col(t, 'status'), ['on_time', 'missing']);
    assert.ok(t.columns.includes('submission.posted_at'));
  });

  it('communication → date,instructorMessages,studentMessages with absent keys as 0', () => {
    const t = studentCommunication({ '2012-01-27': { studentMessages: 1 }, '2012-01-24': { instructorMessages: 1, studentMessages: 2 } });
    assert.deepEqual(t.columns, ['date', 'instructorMessages', 'studentMessages']);
    assert.deepEqual(t.rows, [['2012-01-24', 1, 2], ['2012-01-27', 0, 1]]);
  });
});

describe('Canvas generic flattener', () => {
  it('dots nested objects, joins primitive arrays with ";", unions keys in first-seen order', () => {
    const t = flattenJson([
      { id: 1, name: 'A', sub: { x: 1, y: { z: 'deep' } }, tags: ['a', 'b'] },
      { id: 2, extra: true, sub: { x: 2 }, objs: [{ k: 1 }] },
    ]);
    assert.deepEqual(t.columns, ['id', 'name', 'sub.x', 'sub.y.z', 'tags', 'extra', 'objs']);
    assert.deepEqual(t.rows[0], [1, 'A', 1, 'deep', 'a;b', null, null]);
    assert.deepEqual(t.rows[1], [2, null, 2, null, null, 'true', '[{"k":1}]']);
  });

  it('unwraps a single-list object ({"enrollment_terms":[…]}), keeps other objects as one row', () => {
    assert.deepEqual(flattenJson({ enrollment_terms: [{ id: 1 }, { id: 7 }] }).rows, [[1], [7]]);
    const one = flattenJson({ by_date: { '2024-01-24': 3 }, by_category: { pages: 2 } });
    assert.deepEqual(one.columns, ['by_date.2024-01-24', 'by_category.pages']);
    assert.deepEqual(flattenJson(5), { columns: ['value'], rows: [[5]] });
  });

  it('writes RFC 4180 CSV', () => {
    assert.equal(tableToCsv({ columns: ['a', 'b'], rows: [['x, "y"', null]] }), 'a,b\n"x, ""y""",\n');
  });

  it('merges pages: arrays concatenated, wrapped lists merged, single objects as is', () => {
    assert.deepEqual(mergePages([[1, 2], [3]]), [1, 2, 3]);
    assert.deepEqual(mergePages([{ enrollment_terms: [1] }, { enrollment_terms: [2] }]), { enrollment_terms: [1, 2] });
    assert.deepEqual(mergePages([{ a: 1 }]), { a: 1 });
  });
});

describe('Canvas chart specs', () => {
  it('department activity → time-series line and category bars', () => {
    const [line, bar] = canvasCharts('department.activity', ACTIVITY);
    assert.equal(line.kind, 'line');
    assert.equal(line.x.type, 'time');
    assert.deepEqual(line.x.values, ['2024-01-24', '2024-01-25', '2024-01-27']);
    assert.deepEqual(line.series[0].values, [1240, 1101, 912]);
    assert.equal(bar.kind, 'bar');
    assert.equal(bar.x.type, 'category');
    assert.deepEqual(bar.x.values, ['announcements', 'assignments', 'discussions', 'quizzes']);
  });

  it('grades → histogram over 0–100 with unit bins', () => {
    const [h] = canvasCharts('department.grades', { '0': 95, '100': 190 });
    assert.equal(h.kind, 'histogram');
    assert.equal(h.x.values.length, 101);
    assert.deepEqual(h.x, { type: 'category', values: Array.from({ length: 101 }, (_, i) => String(i)) }, 'one bin per score, named by it');
    assert.equal(h.series[0].values[100], 190);
    assert.equal(h.series[0].values[42], 0);
  });

  it('assignments → box per assignment (no box when suppressed) and stacked on-time/late/missing', () => {
    const [box, stacked] = canvasCharts('course.assignments', ASSIGNMENTS);
    assert.equal(box.kind, 'box');
    assert.deepEqual(box.x, { type: 'category', values: ['Assignment 1', 'Assignment 2'] });
    assert.deepEqual([box.box?.min[0], box.box?.q1[0], box.box?.median[0], box.box?.q3[0], box.box?.max[0]], [2, 4, 7, 8, 10]);
    assert.equal(box.box?.median[1], null);
    assert.match(box.note ?? '', /1 assignment/);
    assert.equal(stacked.kind, 'stackedBar');
    assert.deepEqual(stacked.series.map((s) => s.name), ['On time', 'Late', 'Missing']);
    assert.deepEqual(stacked.series.map((s) => s.values[0]), [75, 15, 10]);
    assert.equal(stacked.yFormat, 'percent');
  });

  it('student summaries → scatter of page views vs participations, labelled by name', () => {
    const [s] = canvasCharts('course.studentSummaries', SUMMARIES, { names: new Map([[2346, 'Ada Lovelace']]) });
    assert.equal(s.kind, 'scatter');
    // In ascending page views (the plot needs x in order), each point keeping its y and its name.
    assert.deepEqual(s.x, { type: 'number', values: [124, 351] });
    assert.deepEqual(s.series[0].values, [15, 1]);
    assert.deepEqual(s.pointLabels, ['Student 2345', 'Ada Lovelace']);
  });

  it('communication → stacked bars per day; course activity → two lines', () => {
    const [c] = canvasCharts('student.communication', { '2012-01-24': { instructorMessages: 1, studentMessages: 2 }, '2012-01-27': { studentMessages: 1 } });
    assert.equal(c.kind, 'stackedBar');
    assert.deepEqual(c.series.map((s) => s.values), [[1, 0], [2, 1]]);
    const [a] = canvasCharts('course.activity', [{ date: '2024-01-24', views: 10, participations: 3 }]);
    assert.equal(a.kind, 'line');
    assert.deepEqual(a.series.map((s) => s.name), ['Page views', 'Participations']);
  });

  it('student activity → hourly line plus participations per day; lists have no chart', () => {
    const charts = canvasCharts('student.activity', {
      page_views: { '2012-01-24T13:00:00-00:00': 19 },
      participations: [{ created_at: '2012-01-21T22:00:00-06:00', url: 'u' }, { created_at: '2012-01-21T23:00:00-06:00', url: 'v' }],
    });
    assert.deepEqual(charts.map((c) => c.kind), ['line', 'bar']);
    assert.equal(charts[0].title, 'Page views per hour');
    assert.deepEqual(charts[1].series[0].values, [2]);
    assert.deepEqual(canvasCharts('courses', []), []);
  });

  it('every chart keeps its arrays aligned with x', () => {
    const ids: [CanvasEndpointId, unknown][] = [
      ['department.activity', ACTIVITY], ['course.assignments', ASSIGNMENTS], ['course.studentSummaries', SUMMARIES],
      ['student.assignments', ASSIGNMENTS.map((a) => ({ ...a, submission: { score: 3 } }))],
    ];
    for (const [id, data] of ids) {
      for (const c of canvasCharts(id, data)) {
        for (const s of c.series) assert.equal(s.values.length, c.x.values.length, `${id} ${c.title} ${s.name}`);
        if (c.box) for (const k of ['min', 'q1', 'median', 'q3', 'max'] as const) assert.equal(c.box[k].length, c.x.values.length);
      }
    }
  });

  it("gives the preview every chart in the protocol's shape: labels, bins, boxes, points in x order", () => {
    const [line, bar] = canvasCharts('department.activity', ACTIVITY);
    assert.deepEqual(line.x, { type: 'time', values: ['2024-01-24', '2024-01-25', '2024-01-27'] });
    assert.equal(line.xLabel, 'Date');
    assert.equal(line.yLabel, 'Page views');
    assert.equal(line.yFormat, undefined);
    assert.equal(bar.kind, 'bar');
    const [h] = canvasCharts('department.grades', { '0': 1 });
    assert.equal(h.kind, 'histogram');
    assert.equal(h.x.values[100], '100');
    const [box, stacked] = canvasCharts('course.assignments', ASSIGNMENTS);
    assert.equal(box.kind, 'box');
    assert.deepEqual(box.box?.median, [7, null]);
    assert.deepEqual(box.box?.q1, [4, null]);
    assert.equal(stacked.kind, 'stackedBar');
    assert.equal(stacked.series.length, 3);
    assert.equal('note' in stacked, false, 'no empty note');
    // Scatter: points in ascending x, each keeping its own y and label.
    const [sc] = canvasCharts('course.studentSummaries', [
      { id: 1, page_views: 30, participations: 3 },
      { id: 2, page_views: 10, participations: 1 },
      { id: 3, page_views: 20, participations: 2 },
      { id: 4, page_views: 10, participations: 4 },
    ]);
    assert.equal(sc.kind, 'scatter');
    assert.deepEqual(sc.x, { type: 'number', values: [10, 10, 20, 30] });
    assert.deepEqual(sc.series[0].values, [1, 4, 2, 3]);
    assert.deepEqual(sc.pointLabels, ['Student 2', 'Student 4', 'Student 3', 'Student 1'], 'ties keep the table order');
  });

  it('canvasTables splits answers that hold two tables', () => {
    assert.deepEqual(canvasTables('department.activity', ACTIVITY).map((t) => t.key), ['by_date', 'by_category']);
    assert.deepEqual(canvasTables('account.terms', { enrollment_terms: [{ id: 1, name: 'Default Term' }] })[0].table.rows, [[1, 'Default Term']]);
  });
});

describe('Canvas endpoint catalogue', () => {
  it('has a title, a permission and a path for every endpoint', () => {
    for (const e of Object.values(CANVAS_ENDPOINTS)) {
      assert.ok(e.title.length > 3 && e.permission.length > 5 && e.template.startsWith('/api/v1/'), e.id);
    }
  });

  it('groups endpoints by tree level', () => {
    assert.deepEqual(endpointsAt('student').map((e) => e.id), ['student.activity', 'student.assignments', 'student.communication']);
    assert.deepEqual(endpointsAt('account').map((e) => e.title), ['Enrollment terms', 'Page views by day and by category', 'Grade distribution', 'Statistics', 'Statistics by sub-account']);
  });

  it('builds and recognises paths', () => {
    assert.equal(canvasPath({ id: 'department.grades', accountId: 'self', scope: { termId: 7 } }), '/api/v1/accounts/self/analytics/terms/7/grades');
    assert.equal(canvasPath({ id: 'department.activity', accountId: 1, scope: 'completed' }), '/api/v1/accounts/1/analytics/completed/activity');
    assert.equal(canvasPath({ id: 'student.communication', courseId: 'sis_course_id:BIO-101', studentId: 7 }), '/api/v1/courses/sis_course_id:BIO-101/analytics/users/7/communication');
    const m = matchCanvasPath('/api/v1/courses/5/analytics/users/7/activity');
    assert.equal(m.endpoint?.id, 'student.activity');
    assert.equal(m.courseId, '5');
    assert.equal(m.studentId, '7');
    assert.equal(matchCanvasPath('/api/v1/accounts/1/analytics/terms/3/statistics_by_subaccount').termId, '3');
  });

  it('refuses ids that would change the path', () => {
    assert.throws(() => canvasPath({ id: 'course.activity', courseId: '../../accounts/1' }), (e: Error & { kind?: string }) => e.kind === 'usage');
    assert.throws(() => canvasPath({ id: 'course.activity', courseId: ' ' }), /Invalid Canvas course id/);
    assert.equal(canvasPath({ id: 'course.activity', courseId: 'sis_course_id:BIO 101' }), '/api/v1/courses/sis_course_id:BIO%20101/analytics/activity');
  });
});
