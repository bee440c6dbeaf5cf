/**
 * Deterministic data for the Canvas fake: one small university with realistic Analytics answers.
 * Shapes follow instructure/analytics' API docs (API-NOTES.md); the values are invented but keep
 * the properties people check (weekend dips, grades clustered in the 70s–90s, a few missing keys,
 * suppressed score statistics on some assignments, hourly vs daily page-view keys).
 *
 * Same seed, same data: tests can assert on exact values.
 */

import { mulberry32 } from './random';

const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

export interface FakeAccount {
  id: number;
  name: string;
  parent_account_id: number | null;
  root_account_id: number | null;
  workflow_state: 'active';
  /** The token's user may read this account's analytics. */
  analytics: boolean;
}

export interface FakeTerm {
  id: number;
  name: string;
  start_at: string | null;
  end_at: string | null;
  workflow_state: 'active';
  sis_term_id: string | null;
}

export interface FakeStudent {
  id: number;
  name: string;
  sortable_name: string;
  short_name: string;
  login_id: string;
  /** Current score, for sort_column=score. */
  score: number;
}

export interface FakeCourse {
  id: number;
  name: string;
  course_code: string;
  account_id: number;
  enrollment_term_id: number;
  /** `completed`: a concluded course (canvas-lms Course model, workflow_state). */
  workflow_state: 'available' | 'unpublished' | 'completed';
  /** ok: teacher; forbidden: the token's user is a student there (403); unavailable: Analytics answers 404. */
  analytics: 'ok' | 'forbidden' | 'unavailable';
  /** May the token's user list the roster (read_roster)? */
  rosterReadable: boolean;
  /** Page-view keys of students in this course: hosted Canvas uses hours, some instances days. */
  pageViewKeys: 'hour' | 'day';
  /** `?async=true` first answers with a Progress (the cache is cold). */
  asyncAssignments: boolean;
  students: FakeStudent[];
  assignments: Record<string, unknown>[];
  activity: { date: string; views: number; participations: number }[];
  summaries: Record<string, unknown>[];
  start: string;
}

const FIRST = ['Amara', 'Ben', 'Chloé', 'Diego', 'Emma', 'Farah', 'Gabriel', 'Hana', 'Isaac', 'Jia', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoë'];
const LAST = ['Abara', 'Bianchi', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'García', "O'Brien", 'Horvat', 'Ibrahim', 'Jensen', 'Kowalski', 'Li', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Schmidt', 'Tanaka'];

function students(courseId: number, firstId: number, n: number): FakeStudent[] {
  const r = mulberry32(courseId * 7919);
  const out: FakeStudent[] = [];
  for (let i = 0; i < n; i++) {
    const f = FIRST[(i * 7 + courseId) % FIRST.length];
    const l = LAST[(i * 5 + Math.floor(i / FIRST.length)) % LAST.length];
    const id = firstId + i;
    out.push({
      id,
      name: `${f} ${l}`,
      sortable_name: `${l}, ${f}`,
      short_name: f,
      login_id: `${f.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${id}@example.edu`,
      score: Math.round((55 + r() * 45) * 10) / 10,
    });
  }
  return out;
}

const addDays = (iso: string, n: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const weekday = (iso: string): number => new Date(`${iso}T00:00:00Z`).getUTCDay();

function activity(seed: number, start: string, days: number, scale: number): { date: string; views: number; participations: number }[] {
  const r = mulberry32(seed);
  const out = [];
  for (let d = 0; d < days; d++) {
    const date = addDays(start, d);
    const weekend = weekday(date) === 0 || weekday(date) === 6;
    const views = Math.round(scale * (weekend ? 0.35 : 1) * (0.7 + r() * 0.6));
    out.push({ date, views, participations: Math.round(views * (0.08 + r() * 0.07)) });
  }
  return out;
}

interface AssignmentSeed {
  title: string;
  points: number;
  due: number;
  muted?: boolean;
  suppressed?: boolean;
}

function assignments(courseId: number, firstId: number, start: string, seeds: AssignmentSeed[], enrolled: number): Record<string, unknown>[] {
  const r = mulberry32(courseId * 104729);
  return seeds.map((s, i) => {
    const onTime = Math.round((0.6 + r() * 0.3) * 100) / 100;
    const late = Math.round(Math.min(1 - onTime, r() * 0.2) * 100) / 100;
    const missing = Math.round((1 - onTime - late) * 100) / 100;
    const a: Record<string, unknown> = {
      assignment_id: firstId + i,
      title: s.title,
      unlock_at: `${addDays(start, s.due - 7)}T06:00:00-06:00`,
      points_possible: s.points,
      due_at: `${addDays(start, s.due)}T23:59:00-06:00`,
      muted: s.muted ?? false,
      module_ids: [firstId * 10 + Math.floor(i / 3) + 1],
      tardiness_breakdown: { missing, late, on_time: onTime, floating: 0, total: enrolled },
    };
    if (!s.suppressed) {
      const min = Math.round(s.points * (0.2 + r() * 0.2) * 2) / 2;
      const q1 = Math.round(s.points * (0.62 + r() * 0.08) * 2) / 2;
      const med = Math.round(s.points * (0.78 + r() * 0.06) * 2) / 2;
      const q3 = Math.round(s.points * (0.88 + r() * 0.05) * 2) / 2;
      Object.assign(a, { max_score: s.points, min_score: min, first_quartile: q1, median: med, third_quartile: q3 });
    }
    return a;
  });
}

/**
 * Student summaries as instructure/analytics builds them (lib/analytics/student_summary.rb
 * `as_hash`). `noPageViews` students never opened the course: hosted Canvas's page-views service
 * has no counts for them (lib/analytics/extensions/page_view/pv4_client.rb keeps only the users
 * in its summary), so their `page_views`/`participations` are null and level 0, and a sort by
 * page views or participations leaves them out (lib/analytics/student_collection.rb).
 */
function summaries(courseId: number, list: FakeStudent[], nAssignments: number, levelsAsText: boolean, noPageViews: (i: number) => boolean = () => false): Record<string, unknown>[] {
  const r = mulberry32(courseId * 15485863);
  const raw = list.map((s, i) => {
    const pv = int(r, 3, 640);
    const part = Math.round(pv * (0.03 + r() * 0.09));
    const missing = int(r, 0, 2);
    const late = int(r, 0, Math.max(0, nAssignments - missing - 4));
    return noPageViews(i) ? { s, pv: null, part: null, missing, late } : { s, pv, part, missing, late };
  });
  const maxPv = Math.max(...raw.map((x) => x.pv ?? 0));
  const maxPart = Math.max(...raw.map((x) => x.part ?? 0));
  const level = (v: number | null, max: number): number | string => {
    const l = v === null || v === 0 ? 0 : v < max / 3 ? 1 : v < (2 * max) / 3 ? 2 : 3;
    return levelsAsText ? String(l) : l;
  };
  return raw.map(({ s, pv, part, missing, late }) => ({
    id: s.id,
    page_views: pv,
    max_page_views: maxPv,
    page_views_level: level(pv, maxPv),
    participations: part,
    max_participations: maxPart,
    participations_level: level(part, maxPart),
    tardiness_breakdown: { total: nAssignments, on_time: nAssignments - missing - late, late, missing, floating: 0 },
  }));
}

export interface CanvasFakeData {
  accounts: FakeAccount[];
  terms: FakeTerm[];
  courses: FakeCourse[];
  teacher: { id: number; name: string; sortable_name: string; short_name: string };
}

export const BIO_ASSIGNMENTS: AssignmentSeed[] = [
  { title: 'Lab 1: Microscopy', points: 20, due: 6 },
  { title: 'Quiz 1: Cell Structure', points: 10, due: 13 },
  { title: 'Essay: The Origin of Life', points: 50, due: 27, muted: true },
  { title: 'Lab 2: Osmosis', points: 20, due: 34 },
  { title: 'Midterm Exam', points: 100, due: 48 },
  { title: 'Field Journal (extra credit)', points: 5, due: 55, suppressed: true },
  { title: 'Lab 3: Genetics', points: 20, due: 69 },
  { title: 'Final Project Proposal', points: 25, due: 90, suppressed: true },
];

const HIST_ASSIGNMENTS: AssignmentSeed[] = [
  { title: 'Source analysis: the Congress of Vienna', points: 30, due: 10 },
  { title: 'Map quiz, Europe 1815', points: 15, due: 17 },
  { title: 'Essay draft, "Nation, state, people"', points: 40, due: 38 },
  { title: 'Reading response 4', points: 10, due: 52, suppressed: true },
  { title: 'Midterm', points: 100, due: 60 },
];

export function generateCanvasData(): CanvasFakeData {
  const accounts: FakeAccount[] = [
    { id: 1, name: 'Example University', parent_account_id: null, root_account_id: null, workflow_state: 'active', analytics: true },
    { id: 2, name: 'College of Arts & Sciences', parent_account_id: 1, root_account_id: 1, workflow_state: 'active', analytics: true },
    { id: 3, name: 'School of Engineering', parent_account_id: 1, root_account_id: 1, workflow_state: 'active', analytics: true },
    { id: 4, name: 'School of Medicine', parent_account_id: 1, root_account_id: 1, workflow_state: 'active', analytics: false },
  ];
  const terms: FakeTerm[] = [
    { id: 1, name: 'Default Term', start_at: null, end_at: null, workflow_state: 'active', sis_term_id: null },
    { id: 7, name: 'Fall 2024', start_at: '2024-08-26T06:00:00Z', end_at: '2024-12-21T06:00:00Z', workflow_state: 'active', sis_term_id: '2024FA' },
    { id: 8, name: 'Spring 2025', start_at: '2025-01-13T06:00:00Z', end_at: '2025-05-10T05:00:00Z', workflow_state: 'active', sis_term_id: '2025SP' },
  ];
  const bioStudents = students(101, 1001, 260);
  const histStudents = students(102, 2001, 42);
  const psycStudents = students(105, 3001, 18);
  const courses: FakeCourse[] = [
    {
      id: 101, name: 'BIO 101: Introduction to Biology', course_code: 'BIO 101', account_id: 2, enrollment_term_id: 7, workflow_state: 'available',
      analytics: 'ok', rosterReadable: true, pageViewKeys: 'hour', asyncAssignments: true, students: bioStudents, start: '2024-08-26',
      assignments: assignments(101, 5001, '2024-08-26', BIO_ASSIGNMENTS, bioStudents.length),
      activity: activity(101, '2024-08-26', 117, 2400),
      // Eight of the 260 never opened the course: no page-view data for them.
      summaries: summaries(101, bioStudents, BIO_ASSIGNMENTS.length, true, (i) => i % 33 === 32),
    },
    {
      id: 102, name: 'HIST 210: Modern Europe, 1815–1945', course_code: 'HIST 210', account_id: 2, enrollment_term_id: 7, workflow_state: 'available',
      analytics: 'ok', rosterReadable: false, pageViewKeys: 'day', asyncAssignments: false, students: histStudents, start: '2024-08-26',
      assignments: assignments(102, 6001, '2024-08-26', HIST_ASSIGNMENTS, histStudents.length),
      activity: activity(102, '2024-08-26', 117, 380),
      summaries: summaries(102, histStudents, HIST_ASSIGNMENTS.length, false),
    },
    {
      id: 103, name: 'ENGR 330: Thermodynamics', course_code: 'ENGR 330', account_id: 3, enrollment_term_id: 7, workflow_state: 'available',
      analytics: 'forbidden', rosterReadable: false, pageViewKeys: 'hour', asyncAssignments: false, students: [], start: '2024-08-26',
      assignments: [], activity: [], summaries: [],
    },
    {
      id: 104, name: 'CHEM 120: General Chemistry (Spring)', course_code: 'CHEM 120', account_id: 3, enrollment_term_id: 8, workflow_state: 'unpublished',
      analytics: 'unavailable', rosterReadable: true, pageViewKeys: 'hour', asyncAssignments: false, students: [], start: '2025-01-13',
      assignments: [], activity: [], summaries: [],
    },
    {
      // Concluded (workflow_state completed): left out of /api/v1/courses unless state[] asks for it.
      id: 105, name: 'PSYC 100: Introduction to Psychology (2023)', course_code: 'PSYC 100', account_id: 2, enrollment_term_id: 1, workflow_state: 'completed',
      analytics: 'ok', rosterReadable: true, pageViewKeys: 'hour', asyncAssignments: false, students: psycStudents, start: '2023-01-09',
      assignments: assignments(105, 7001, '2023-01-09', HIST_ASSIGNMENTS, psycStudents.length),
      activity: activity(105, '2023-01-09', 100, 900),
      summaries: summaries(105, psycStudents, HIST_ASSIGNMENTS.length, false),
    },
  ];
  return { accounts, terms, courses, teacher: { id: 42, name: 'Dana Okafor', sortable_name: 'Okafor, Dana', short_name: 'Dana' } };
}

const CATEGORIES = ['announcements', 'assignments', 'collaborations', 'conferences', 'discussions', 'files', 'general', 'grades', 'groups', 'modules', 'other', 'pages', 'quizzes'];

/** Department analytics for an account and a scope key ('current', 'completed', 'term:7'). */
export function departmentData(account: FakeAccount, scopeKey: string, allAccounts: FakeAccount[]): {
  activity: { by_date: Record<string, number>; by_category: Record<string, number> };
  grades: Record<string, number>;
  statistics: Record<string, number>;
  statisticsBySubaccount: { accounts: Record<string, unknown>[] };
} {
  const seed = account.id * 1009 + [...scopeKey].reduce((s, c) => s + c.charCodeAt(0), 0);
  const r = mulberry32(seed);
  const start = scopeKey === 'completed' ? '2024-01-16' : scopeKey === 'term:8' ? '2025-01-13' : '2024-09-02';
  const days = activity(seed, start, 28, 9000 / account.id);
  // Canvas's map comes in database order, not date order: interleave to prove the table sorts.
  const order = [...days.filter((_, i) => i % 2 === 1), ...days.filter((_, i) => i % 2 === 0)];
  const by_date: Record<string, number> = {};
  for (const d of order) by_date[d.date] = d.views;
  const by_category: Record<string, number> = {};
  for (const c of CATEGORIES) by_category[c] = int(r, 10, 420);
  // Grades cluster in the 70s–90s; scores nobody has are absent from the map.
  const grades: Record<string, number> = {};
  for (let s = 0; s <= 100; s++) {
    const bump = Math.exp(-((s - 84) ** 2) / 160);
    const n = s === 0 ? int(r, 20, 95) : s === 100 ? int(r, 60, 190) : Math.round(bump * 150 * (0.8 + r() * 0.4));
    if (n > 0) grades[String(s)] = n;
  }
  const subs = allAccounts.filter((a) => a.parent_account_id === account.id);
  const statsFor = (a: FakeAccount): Record<string, number> => {
    const rr = mulberry32(seed + a.id * 31);
    return {
      courses: int(rr, 8, 140),
      teachers: int(rr, 10, 160),
      students: int(rr, 300, 5200),
      discussion_topics: int(rr, 40, 900),
      media_objects: int(rr, 50, 1400),
      attachments: int(rr, 400, 9000),
      assignments: int(rr, 200, 2600),
    };
  };
  const own = statsFor(account);
  return {
    activity: { by_date, by_category },
    grades,
    statistics: { courses: own.courses, subaccounts: subs.length, teachers: own.teachers, students: own.students, discussion_topics: own.discussion_topics, media_objects: own.media_objects, attachments: own.attachments, assignments: own.assignments },
    statisticsBySubaccount: { accounts: subs.map((a) => ({ name: a.name, id: a.id, ...statsFor(a) })) },
  };
}

/** One student's activity: hourly keys ("2024-09-02T13:00:00-00:00") or daily ones ("2024-09-02"). */
export function studentActivity(course: FakeCourse, studentId: number, origin: string): { page_views: Record<string, number>; participations: { created_at: string; url: string }[] } {
  const r = mulberry32(course.id * 31 + studentId);
  const page_views: Record<string, number> = {};
  const participations: { created_at: string; url: string }[] = [];
  for (let d = 7; d < 7 + 21; d++) {
    const date = addDays(course.start, d);
    if (r() < 0.35) continue;
    if (course.pageViewKeys === 'day') {
      page_views[date] = int(r, 1, 40);
    } else {
      for (let h = 13; h < 24; h++) if (r() < 0.3) page_views[`${date}T${String(h).padStart(2, '0')}:00:00-00:00`] = int(r, 1, 25);
    }
    if (r() < 0.4) {
      participations.push({
        created_at: `${date}T${String(int(r, 8, 22)).padStart(2, '0')}:${String(int(r, 0, 59)).padStart(2, '0')}:00-06:00`,
        url: `${origin}/courses/${course.id}/discussion_topics/${int(r, 300, 340)}`,
      });
    }
  }
  return { page_views, participations };
}

/** One student's assignments: the course's statistics plus status and submission. */
export function studentAssignments(course: FakeCourse, studentId: number): Record<string, unknown>[] {
  const r = mulberry32(course.id * 17 + studentId);
  return course.assignments.map((a) => {
    const { tardiness_breakdown: _t, ...rest } = a;
    void _t;
    const roll = r();
    const status = roll < 0.08 ? 'missing' : roll < 0.2 ? 'late' : 'on_time';
    const due = String(a.due_at);
    const submitted = status === 'missing' ? null : new Date(Date.parse(due) + (status === 'late' ? 1 : -1) * int(r, 1, 60) * 3_600_000).toISOString();
    const points = Number(a.points_possible);
    const submission: Record<string, unknown> = status === 'missing' ? {} : { submitted_at: submitted, posted_at: a.muted ? null : submitted, score: Math.round(points * (0.55 + r() * 0.45) * 2) / 2 };
    return { ...rest, status, excused: false, submission };
  });
}

/** Messages per day; a day with only one kind omits the other key (Canvas does). */
export function studentCommunication(course: FakeCourse, studentId: number): Record<string, { instructorMessages?: number; studentMessages?: number }> {
  const r = mulberry32(course.id * 13 + studentId);
  const out: Record<string, { instructorMessages?: number; studentMessages?: number }> = {};
  for (let d = 3; d < 80; d += int(r, 3, 9)) {
    const kind = r();
    const v: { instructorMessages?: number; studentMessages?: number } = {};
    if (kind < 0.65) v.studentMessages = int(r, 1, 3);
    if (kind > 0.35) v.instructorMessages = int(r, 1, 2);
    out[addDays(course.start, d)] = v;
  }
  return out;
}
