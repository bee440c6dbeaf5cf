/**
 * The catalogue of Canvas endpoints Insight Explorer knows: a human title for the tree, the
 * permission Canvas checks (so a 403 can say what is missing), and the path.
 *
 * Permissions come from instructure/analytics lib/analytics/permissions.rb and
 * analytics_api_controller.rb:
 * - department analytics: `view_analytics` on the account;
 * - course analytics: `view_analytics` on the course plus `read_as_admin` (teacher, TA, designer or
 *   admin); student summaries additionally `manage_grades` or `view_all_grades`;
 * - student-in-course analytics: `view_analytics` on the course plus `read_grades` on that
 *   student's enrollment;
 * and from Canvas's own APIs: the course roster needs `read_roster`, enrollment terms an account
 * admin role. Analytics answers 404 (not 403) when the Analytics feature is off or the course is
 * neither available nor concluded.
 */
import { InsightError } from '../../errors';
import { StudentSummarySort } from './types';

/** Which courses department analytics covers: the default term's current or concluded courses, or a term. */
export type DepartmentScope = 'current' | 'completed' | { termId: string | number };

export type CanvasEndpointId =
  | 'account.terms'
  | 'courses'
  | 'department.activity'
  | 'department.grades'
  | 'department.statistics'
  | 'department.statisticsBySubaccount'
  | 'course.activity'
  | 'course.assignments'
  | 'course.studentSummaries'
  | 'course.students'
  | 'student.activity'
  | 'student.assignments'
  | 'student.communication';

export interface CanvasEndpointInfo {
  id: CanvasEndpointId;
  /** Where it sits in the tree. */
  level: 'account' | 'course' | 'student' | 'user';
  /** Short title for a tree item or a preview tab. */
  title: string;
  /** One sentence for a tooltip. */
  description: string;
  /** The permission Canvas checks, phrased to complete "the token's user needs …"; `{account}`/`{course}` are filled in. */
  permission: string;
  /** Path with `:account_id`, `:scope`, `:course_id`, `:student_id` placeholders. */
  template: string;
  /** Answers are split into `Link` pages. */
  paginated: boolean;
}

const ANALYTICS_COURSE = 'the view_analytics permission and teacher-level (read_as_admin) access in course {course}';

export const CANVAS_ENDPOINTS: Readonly<Record<CanvasEndpointId, CanvasEndpointInfo>> = {
  'account.terms': {
    id: 'account.terms',
    level: 'account',
    title: 'Enrollment terms',
    description: "The account's terms, to pick one for department analytics.",
    permission: 'an admin role on account {account} that may read enrollment terms',
    template: '/api/v1/accounts/:account_id/terms',
    paginated: true,
  },
  courses: {
    id: 'courses',
    level: 'user',
    title: 'Courses',
    description: "The courses the token's user is enrolled in.",
    permission: 'a valid token (the list covers only its own enrollments)',
    template: '/api/v1/courses',
    paginated: true,
  },
  'department.activity': {
    id: 'department.activity',
    level: 'account',
    title: 'Page views by day and by category',
    description: 'Page views summed over every course in the account, per day and per kind of page.',
    permission: 'the view_analytics permission on account {account}',
    template: '/api/v1/accounts/:account_id/analytics/:scope/activity',
    paginated: false,
  },
  'department.grades': {
    id: 'department.grades',
    level: 'account',
    title: 'Grade distribution',
    description: "How many students' current course grades fall on each score from 0 to 100.",
    permission: 'the view_analytics permission on account {account}',
    template: '/api/v1/accounts/:account_id/analytics/:scope/grades',
    paginated: false,
  },
  'department.statistics': {
    id: 'department.statistics',
    level: 'account',
    title: 'Statistics',
    description: 'Counts of courses, teachers, students, assignments, files and more.',
    permission: 'the view_analytics permission on account {account}',
    template: '/api/v1/accounts/:account_id/analytics/:scope/statistics',
    paginated: false,
  },
  'department.statisticsBySubaccount': {
    id: 'department.statisticsBySubaccount',
    level: 'account',
    title: 'Statistics by sub-account',
    description: 'The same counts, one row per sub-account.',
    permission: 'the view_analytics permission on account {account}',
    template: '/api/v1/accounts/:account_id/analytics/:scope/statistics_by_subaccount',
    paginated: false,
  },
  'course.activity': {
    id: 'course.activity',
    level: 'course',
    title: 'Course activity',
    description: 'Page views and participations per day over the life of the course.',
    permission: ANALYTICS_COURSE,
    template: '/api/v1/courses/:course_id/analytics/activity',
    paginated: false,
  },
  'course.assignments': {
    id: 'course.assignments',
    level: 'course',
    title: 'Assignment statistics',
    description: 'Score quartiles and on-time / late / missing shares for each assignment.',
    permission: ANALYTICS_COURSE,
    template: '/api/v1/courses/:course_id/analytics/assignments',
    paginated: false,
  },
  'course.studentSummaries': {
    id: 'course.studentSummaries',
    level: 'course',
    title: 'Student summaries',
    description: 'Page views, participations and submission timeliness for every student.',
    permission: `${ANALYTICS_COURSE}, and manage_grades or view_all_grades there`,
    template: '/api/v1/courses/:course_id/analytics/student_summaries',
    paginated: true,
  },
  'course.students': {
    id: 'course.students',
    level: 'course',
    title: 'Students',
    description: 'The students enrolled in the course (names for the summaries).',
    permission: 'the read_roster permission in course {course}',
    template: '/api/v1/courses/:course_id/users',
    paginated: true,
  },
  'student.activity': {
    id: 'student.activity',
    level: 'student',
    title: 'Student activity',
    description: "One student's page views per hour and participations in the course.",
    permission: "the view_analytics permission in course {course} and read_grades on that student's enrollment",
    template: '/api/v1/courses/:course_id/analytics/users/:student_id/activity',
    paginated: false,
  },
  'student.assignments': {
    id: 'student.assignments',
    level: 'student',
    title: "Student's assignments",
    description: "One student's submissions and scores beside the class quartiles.",
    permission: "the view_analytics permission in course {course} and read_grades on that student's enrollment",
    template: '/api/v1/courses/:course_id/analytics/users/:student_id/assignments',
    paginated: false,
  },
  'student.communication': {
    id: 'student.communication',
    level: 'student',
    title: 'Messages with instructors',
    description: 'Messages between the student and instructors per day.',
    permission: "the view_analytics permission in course {course} and read_grades on that student's enrollment",
    template: '/api/v1/courses/:course_id/analytics/users/:student_id/communication',
    paginated: false,
  },
};

/** The endpoints shown under one tree level, in catalogue order. */
export function endpointsAt(level: CanvasEndpointInfo['level']): CanvasEndpointInfo[] {
  return Object.values(CANVAS_ENDPOINTS).filter((e) => e.level === level);
}

/** Everything needed to fetch one endpoint. */
export type CanvasEndpointRef =
  | { id: 'courses' }
  | { id: 'account.terms'; accountId: string | number }
  | {
      id: 'department.activity' | 'department.grades' | 'department.statistics' | 'department.statisticsBySubaccount';
      accountId: string | number;
      scope: DepartmentScope;
    }
  | { id: 'course.activity' | 'course.assignments' | 'course.students'; courseId: string | number }
  | { id: 'course.studentSummaries'; courseId: string | number; sortColumn?: StudentSummarySort; studentId?: string | number }
  | { id: 'student.activity' | 'student.assignments' | 'student.communication'; courseId: string | number; studentId: string | number };

/**
 * Canvas ids in a path: numbers, `self` (accounts), or the `sis_course_id:…`-style forms Canvas
 * accepts anywhere an id goes. Anything that could change the path (`/`, `?`, `#`, `..`) is refused.
 */
export function canvasId(value: string | number, what: string): string {
  const s = String(value).trim();
  // SIS ids may hold spaces (sent encoded); control characters never.
  if (s === '' || /[/?#\\\u0000-\u001f]/.test(s) || s === '.' || s === '..') {
    throw new InsightError('usage', `Invalid Canvas ${what} "${s}".`, { next: `Enter the numeric ${what} shown in the Canvas URL.` });
  }
  return encodeURIComponent(s).replace(/%3A/gi, ':');
}

export function scopeSegment(scope: DepartmentScope): string {
  if (scope === 'current' || scope === 'completed') return scope;
  return `terms/${canvasId(scope.termId, 'term id')}`;
}

/** The API path (no query) of an endpoint reference. */
export function canvasPath(ref: CanvasEndpointRef): string {
  const t = CANVAS_ENDPOINTS[ref.id].template;
  let p = t;
  if ('accountId' in ref) p = p.replace(':account_id', canvasId(ref.accountId, 'account id'));
  if ('scope' in ref) p = p.replace(':scope', scopeSegment(ref.scope));
  if ('courseId' in ref) p = p.replace(':course_id', canvasId(ref.courseId, 'course id'));
  if ('studentId' in ref && ref.studentId !== undefined && p.includes(':student_id')) p = p.replace(':student_id', canvasId(ref.studentId, 'student id'));
  return p;
}

/** What a path refers to, for error messages about any request (including `insights canvas get`). */
export interface CanvasPathMatch {
  endpoint?: CanvasEndpointInfo;
  accountId?: string;
  termId?: string;
  courseId?: string;
  studentId?: string;
}

export function matchCanvasPath(pathname: string): CanvasPathMatch {
  const p = pathname.replace(/\/+$/, '');
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  let m = /^\/api\/v1\/accounts\/([^/]+)\/analytics\/(?:current|completed|terms\/([^/]+))\/(activity|grades|statistics|statistics_by_subaccount)$/.exec(p);
  if (m) {
    const id = ({ activity: 'department.activity', grades: 'department.grades', statistics: 'department.statistics', statistics_by_subaccount: 'department.statisticsBySubaccount' } as const)[
      m[3] as 'activity' | 'grades' | 'statistics' | 'statistics_by_subaccount'
    ];
    return { endpoint: CANVAS_ENDPOINTS[id], accountId: dec(m[1]), termId: m[2] === undefined ? undefined : dec(m[2]) };
  }
  m = /^\/api\/v1\/accounts\/([^/]+)\/terms$/.exec(p);
  if (m) return { endpoint: CANVAS_ENDPOINTS['account.terms'], accountId: dec(m[1]) };
  if (p === '/api/v1/courses') return { endpoint: CANVAS_ENDPOINTS.courses };
  m = /^\/api\/v1\/courses\/([^/]+)\/analytics\/users\/([^/]+)\/(activity|assignments|communication)$/.exec(p);
  if (m) {
    const id = `student.${m[3]}` as 'student.activity' | 'student.assignments' | 'student.communication';
    return { endpoint: CANVAS_ENDPOINTS[id], courseId: dec(m[1]), studentId: dec(m[2]) };
  }
  m = /^\/api\/v1\/courses\/([^/]+)\/analytics\/(activity|assignments|student_summaries)$/.exec(p);
  if (m) {
    const id = ({ activity: 'course.activity', assignments: 'course.assignments', student_summaries: 'course.studentSummaries' } as const)[m[2] as 'activity' | 'assignments' | 'student_summaries'];
    return { endpoint: CANVAS_ENDPOINTS[id], courseId: dec(m[1]) };
  }
  m = /^\/api\/v1\/courses\/([^/]+)\/users$/.exec(p);
  if (m) return { endpoint: CANVAS_ENDPOINTS['course.students'], courseId: dec(m[1]) };
  // Not in the catalogue: still name the ids the path carries.
  const acc = /^\/api\/v1\/accounts\/([^/]+)/.exec(p);
  const course = /^\/api\/v1\/courses\/([^/]+)/.exec(p);
  const student = /\/users\/([^/]+)/.exec(p);
  return { accountId: acc ? dec(acc[1]) : undefined, courseId: course ? dec(course[1]) : undefined, studentId: course && student ? dec(student[1]) : undefined };
}

/** "analytics for course 5", "analytics for student 7 in course 5", "/api/v1/foo" … */
export function describeTarget(m: CanvasPathMatch, pathname: string): string {
  const e = m.endpoint;
  if (e?.level === 'account' && e.id !== 'account.terms') return `analytics for account ${m.accountId}${m.termId ? ` (term ${m.termId})` : ''}`;
  if (e?.id === 'account.terms') return `the terms of account ${m.accountId}`;
  if (e?.id === 'courses') return 'the course list';
  if (e?.id === 'course.students') return `the students of course ${m.courseId}`;
  if (e?.level === 'course') return `${e.id === 'course.studentSummaries' ? 'student summaries' : 'analytics'} for course ${m.courseId}`;
  if (e?.level === 'student') return `analytics for student ${m.studentId} in course ${m.courseId}`;
  return pathname;
}

/** The endpoint's permission sentence with the ids filled in. */
export function permissionFor(m: CanvasPathMatch): string | undefined {
  return m.endpoint?.permission.replace('{account}', m.accountId ?? '?').replace('{course}', m.courseId ?? '?');
}

/** "the course id 5", "the course id 5 and the student id 7", "the account id 1 and the term id 3". */
export function idsToCheck(m: CanvasPathMatch): string | undefined {
  const parts: string[] = [];
  if (m.accountId !== undefined) parts.push(`the account id ${m.accountId}`);
  if (m.termId !== undefined) parts.push(`the term id ${m.termId}`);
  if (m.courseId !== undefined) parts.push(`the course id ${m.courseId}`);
  if (m.studentId !== undefined) parts.push(`the student id ${m.studentId}`);
  return parts.length ? parts.join(' and ') : undefined;
}
