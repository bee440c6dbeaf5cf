/**
 * Canvas LMS Analytics API shapes, as documented in instructure/analytics
 * (app/controllers/analytics_api_controller.rb) and summarised in API-NOTES.md. Every field is
 * optional where the API omits it in some answers (score statistics are absent when suppressed,
 * `total` is missing from older tardiness breakdowns), so the mappers never assume presence.
 */

/** `…/analytics/{current|completed|terms/:id}/activity`. */
export interface DepartmentActivity {
  by_date?: Record<string, number>;
  by_category?: Record<string, number>;
}

/** `…/grades`: string keys "0".."100", values are counts of students. */
export type DepartmentGrades = Record<string, number>;

/** `…/statistics`. */
export interface DepartmentStatistics {
  courses?: number;
  subaccounts?: number;
  teachers?: number;
  students?: number;
  discussion_topics?: number;
  media_objects?: number;
  attachments?: number;
  assignments?: number;
  [key: string]: unknown;
}

/** One entry of `…/statistics_by_subaccount` → `{"accounts":[…]}`. */
export interface SubaccountStatistics extends DepartmentStatistics {
  id?: number;
  name?: string;
}

/** `/api/v1/courses/:id/analytics/activity` entries. */
export interface CourseActivityDay {
  date: string;
  views?: number;
  participations?: number;
}

/**
 * Course assignments carry fractions (0–1) plus `total` (a count); student summaries carry counts.
 * Same keys either way.
 */
export interface TardinessBreakdown {
  missing?: number;
  late?: number;
  on_time?: number;
  floating?: number;
  total?: number;
}

/** `/api/v1/courses/:id/analytics/assignments` entries, sorted by due date upstream. */
export interface CourseAssignment {
  assignment_id: number;
  title?: string;
  unlock_at?: string | null;
  points_possible?: number | null;
  due_at?: string | null;
  muted?: boolean;
  max_score?: number | null;
  min_score?: number | null;
  first_quartile?: number | null;
  median?: number | null;
  third_quartile?: number | null;
  module_ids?: number[];
  tardiness_breakdown?: TardinessBreakdown;
  [key: string]: unknown;
}

/** What `?async=true` may answer instead of the assignments array. */
export interface ProgressAnswer {
  progress_url: string;
}

/** `/api/v1/progress/:id` (Canvas Progress API). */
export interface CanvasProgress {
  id?: number;
  workflow_state: 'queued' | 'running' | 'completed' | 'failed' | string;
  /** Percent 0–100, or null before the job reports. */
  completion?: number | null;
  message?: string | null;
  tag?: string;
  url?: string | null;
}

/** `/api/v1/courses/:id/analytics/student_summaries` entries (paginated). */
export interface StudentSummary {
  id: number;
  page_views?: number;
  max_page_views?: number;
  /** 0–3; some instances send it as a string ("1"). */
  page_views_level?: number | string;
  participations?: number;
  max_participations?: number;
  participations_level?: number | string;
  tardiness_breakdown?: TardinessBreakdown;
  [key: string]: unknown;
}

export const SUMMARY_SORT_COLUMNS = ['name', 'score', 'participations', 'page_views'] as const;
export type SummarySortBase = (typeof SUMMARY_SORT_COLUMNS)[number];
/** `sort_column`: each column, also with `_ascending` / `_descending`. */
export type StudentSummarySort = SummarySortBase | `${SummarySortBase}_ascending` | `${SummarySortBase}_descending`;

export function isStudentSummarySort(v: string): v is StudentSummarySort {
  const m = /^(name|score|participations|page_views)(_ascending|_descending)?$/.exec(v);
  return m !== null;
}

/**
 * What a student-summaries sort leaves out, or undefined when it lists every student. Sorted by
 * page views or participations, Canvas pages through the ids that have page-view counts only
 * (instructure/analytics lib/analytics/student_collection.rb, `BySortedIDs` over
 * `page_view_counts.keys`); with the page-views service of hosted Canvas those are the students
 * the service has counts for (lib/analytics/extensions/page_view/pv4_client.rb,
 * `counters_by_context_for_users`), so students who never opened the course are not in the list.
 */
export function summariesSortNote(sort: string | undefined): string | undefined {
  return sort !== undefined && /^(page_views|participations)(_ascending|_descending)?$/.test(sort) ? 'only students with page-view data' : undefined;
}

/** `/api/v1/courses/:id/analytics/users/:student_id/activity`. */
export interface StudentActivity {
  /** Keys are hourly ISO timestamps on hosted Canvas, plain dates on some instances. */
  page_views?: Record<string, number>;
  participations?: { created_at: string; url?: string }[];
}

/** `/api/v1/courses/:id/analytics/users/:student_id/assignments` entries. */
export interface StudentAssignment extends CourseAssignment {
  status?: string;
  excused?: boolean;
  submission?: { posted_at?: string | null; submitted_at?: string | null; score?: number | null } | null;
}

/** `/api/v1/courses/:id/analytics/users/:student_id/communication`: an absent key means 0. */
export type StudentCommunication = Record<string, { instructorMessages?: number; studentMessages?: number }>;

/** `/api/v1/accounts/:id/terms` → `{"enrollment_terms":[…]}`. */
export interface EnrollmentTerm {
  id: number;
  name: string;
  start_at?: string | null;
  end_at?: string | null;
  workflow_state?: string;
  sis_term_id?: string | null;
}

/** `/api/v1/courses` entries (the fields the tree needs; Canvas sends many more). */
export interface CanvasCourse {
  id: number;
  name?: string;
  course_code?: string;
  account_id?: number;
  enrollment_term_id?: number;
  /** unpublished, available, completed (concluded) or deleted. */
  workflow_state?: string;
  /** With `include[]=concluded`: concluded, "taking course and term dates into account". */
  concluded?: boolean;
  /** With `include[]=term`. */
  term?: { id?: number; name?: string; start_at?: string | null; end_at?: string | null };
  [key: string]: unknown;
}

/** Concluded: `include[]=concluded` said so, or the course itself is `completed`. */
export function isConcludedCourse(c: Pick<CanvasCourse, 'concluded' | 'workflow_state'>): boolean {
  return c.concluded === true || c.workflow_state === 'completed';
}

/** `course 5 · BIO 101 · Fall 2024 · concluded` for pickers. */
export function courseDescription(c: CanvasCourse): string {
  return [`course ${c.id}`, c.course_code, c.term?.name, isConcludedCourse(c) ? 'concluded' : c.workflow_state === 'unpublished' ? 'unpublished' : undefined]
    .filter((x): x is string => typeof x === 'string' && x !== '')
    .join(' · ');
}

/** `/api/v1/courses/:id/users` entries. */
export interface CanvasUser {
  id: number;
  name?: string;
  sortable_name?: string;
  short_name?: string;
  [key: string]: unknown;
}
