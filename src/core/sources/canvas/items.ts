/**
 * Canvas LMS Analytics as plain tree items and results (the platform contract's `children` and
 * `fetch`):
 *
 *   Source ─┬─ Account (self) ─┬─ Current term ─ Activity, Grades, Statistics, …
 *           │                  ├─ Completed, a term…
 *           │                  └─ Term…                      (pick or enter a term)
 *           └─ Courses ─ BIO 101 ─┬─ Activity, Assignments, Student summaries
 *                                 └─ Students ─ a student ─ Activity, Assignments, Communication
 *
 * Accounts, terms and courses come from the source's options; only Students costs a request (the
 * student summaries, named from the roster), listed once per source until a refresh.
 */
import { type CanvasClient, canvasRetryMessage } from './client';
import { type CanvasEndpointId, type CanvasEndpointInfo, type CanvasEndpointRef, type DepartmentScope, CANVAS_ENDPOINTS, canvasId, endpointsAt } from './endpoints';
import { accountLabel, courseLabel, readCanvasOptions, sortLabel, termLabel } from './options';
import { previewContentFor } from './previewContent';
import { canvasCharts } from './charts';
import { canvasTables } from './tables';
import { type StudentSummary, summariesSortNote } from './types';
import type { Counts, FetchContext, PlatformItem, PlatformResult, SourceConfig } from '../../platform';

/** Short labels for the tree (the catalogue titles become descriptions and tab titles). */
const SHORT_LABEL: Partial<Record<CanvasEndpointId, string>> = {
  'department.activity': 'Activity',
  'department.grades': 'Grades',
  'department.statistics': 'Statistics',
  'department.statisticsBySubaccount': 'Statistics by sub-account',
  'course.activity': 'Activity',
  'course.assignments': 'Assignments',
  'course.studentSummaries': 'Student summaries',
  'student.activity': 'Activity',
  'student.assignments': 'Assignments',
  'student.communication': 'Communication',
};

const ICON: Partial<Record<CanvasEndpointId, string>> = {
  'department.activity': 'pulse',
  'department.grades': 'graph',
  'department.statistics': 'symbol-number',
  'department.statisticsBySubaccount': 'list-tree',
  'course.activity': 'pulse',
  'course.assignments': 'checklist',
  'course.studentSummaries': 'table',
  'student.activity': 'pulse',
  'student.assignments': 'checklist',
  'student.communication': 'comment-discussion',
};

/** What the items carry (JSON-safe). */
export interface CanvasItemData {
  account?: string;
  scope?: DepartmentScope;
  term?: string;
  course?: string;
  student?: number;
  /** An endpoint: what to fetch, and where it is ("BIO 101", "Account (self) · Current term") for titles. */
  ref?: CanvasEndpointRef;
  where?: string;
}

/** Stable result key of an endpoint reference: the ids in it, never labels. */
export function resultKey(ref: CanvasEndpointRef): string {
  if ('scope' in ref) {
    const scope = typeof ref.scope === 'string' ? ref.scope : `term${ref.scope.termId}`;
    return `canvas-account-${ref.accountId}-${scope}-${ref.id}`;
  }
  if ('studentId' in ref && ref.studentId !== undefined) return `canvas-course-${ref.courseId}-student-${ref.studentId}-${ref.id}`;
  if ('courseId' in ref) return `canvas-course-${ref.courseId}-${ref.id}`;
  if ('accountId' in ref) return `canvas-account-${ref.accountId}-${ref.id}`;
  return `canvas-${ref.id}`;
}

function endpointItem(e: CanvasEndpointInfo, ref: CanvasEndpointRef, where: string, description?: string): PlatformItem {
  const perm = e.permission
    .replace('{account}', 'accountId' in ref ? String(ref.accountId) : '?')
    .replace('{course}', 'courseId' in ref ? String(ref.courseId) : '?');
  return {
    key: `endpoint/${e.id}`,
    type: `endpoint:${e.id}`,
    label: SHORT_LABEL[e.id] ?? e.title,
    icon: ICON[e.id] ?? 'graph',
    description: description ?? (SHORT_LABEL[e.id] && SHORT_LABEL[e.id] !== e.title ? e.title : undefined),
    tooltip: `${e.title}\n\n${e.description}\n\nNeeds ${perm}.`,
    capabilities: ['open', 'openRaw'],
    data: { ref, where } satisfies CanvasItemData,
  };
}

const action = (key: string, label: string, icon: string, command: string, title: string, description: string, data?: CanvasItemData): PlatformItem => ({
  key,
  type: 'action',
  label,
  icon,
  description,
  command: { command, title },
  data,
});

/** The students of a course from its student summaries (every student with analytics, paged), named from the roster when readable. */
async function students(client: CanvasClient, courseId: string): Promise<{ id: number; name?: string; summary: StudentSummary }[]> {
  const { data, names } = await client.fetch({ id: 'course.studentSummaries', courseId, sortColumn: 'name' });
  const list = (Array.isArray(data) ? (data as StudentSummary[]) : []).filter((s) => typeof s?.id === 'number');
  // Canvas sorts by sortable name; without the roster its order (by id) is kept.
  return list.map((s) => ({ id: s.id, name: names?.get(s.id), summary: s }));
}

export async function canvasChildren(source: SourceConfig, parent: PlatformItem | undefined, client: () => Promise<CanvasClient>, counts: Counts): Promise<PlatformItem[]> {
  const o = readCanvasOptions(source);
  const d = (parent?.data ?? {}) as CanvasItemData;
  if (!parent) {
    const n = o.courses.length;
    return [
      ...o.accounts.map(
        (a): PlatformItem => ({
          key: `account/${a.id}`,
          type: 'account',
          label: accountLabel(a),
          icon: 'organization',
          description: a.name ? `account ${a.id}` : 'department analytics',
          tooltip: `Department analytics of Canvas account ${a.id}. Needs the view_analytics permission on the account.`,
          expandable: true,
          capabilities: ['copyId'],
          id: a.id,
          data: { account: a.id } satisfies CanvasItemData,
        }),
      ),
      { key: 'courses', type: 'courses', label: 'Courses', icon: 'book', description: n === 0 ? 'none added yet' : String(n), expandable: n > 0 ? 'expanded' : true },
    ];
  }
  switch (parent.type) {
    case 'account': {
      const account = o.accounts.find((a) => a.id === d.account);
      if (!account) return [];
      const scope = (key: string, label: string, icon: string, tooltip: string, s: DepartmentScope, term?: string): PlatformItem => ({
        key: `scope/${key}`,
        type: term ? 'scope:term' : 'scope',
        label,
        icon,
        tooltip,
        expandable: true,
        data: { account: account.id, scope: s, term } satisfies CanvasItemData,
      });
      return [
        scope('current', 'Current term', 'play-circle', "Courses of the account's default term that are in progress", 'current'),
        scope('completed', 'Completed', 'pass', "Concluded courses of the account's default term", 'completed'),
        ...account.terms.map((t) => scope(`term/${t.id}`, termLabel(t), 'calendar', `Courses of term ${t.id}`, { termId: t.id }, t.id)),
        action('pickTerm', 'Term…', 'calendar', 'insightExplorer.canvas.addTerm', 'Add Term', 'pick or enter a term', { account: account.id }),
      ];
    }
    case 'scope':
    case 'scope:term': {
      const account = o.accounts.find((a) => a.id === d.account);
      if (!account || d.scope === undefined) return [];
      const where = `${accountLabel(account)} · ${parent.label}`;
      const accountId = account.id;
      const scope = d.scope;
      return endpointsAt('account')
        .filter((e) => e.id !== 'account.terms')
        .map((e) => endpointItem(e, { id: e.id, accountId, scope } as CanvasEndpointRef, where));
    }
    case 'courses':
      if (o.courses.length === 0) return [action('add', 'Add Course…', 'add', 'insightExplorer.canvas.addCourse', 'Add Course', 'by id or from your courses')];
      return o.courses.map((c) => ({
        key: `course/${c.id}`,
        type: 'course',
        label: courseLabel(c),
        icon: 'mortar-board',
        description: `course ${c.id}`,
        expandable: true,
        capabilities: ['copyId'],
        id: c.id,
        data: { course: c.id } satisfies CanvasItemData,
      }));
    case 'course': {
      const course = o.courses.find((c) => c.id === d.course);
      if (!course) return [];
      const where = courseLabel(course);
      const items = endpointsAt('course')
        .filter((e) => e.id !== 'course.students')
        .map((e) =>
          e.id === 'course.studentSummaries'
            ? endpointItem(e, { id: e.id, courseId: course.id, sortColumn: course.sort ?? 'name' }, where, `sorted by ${sortLabel(course.sort)}`)
            : endpointItem(e, { id: e.id, courseId: course.id } as CanvasEndpointRef, where),
        );
      items.push({
        key: 'students',
        type: 'students',
        label: 'Students',
        icon: 'account',
        tooltip: 'Every student with analytics in the course (from the student summaries), named from the roster when the token may read it.',
        expandable: true,
        cacheChildren: true,
        empty: 'No students with analytics in this course',
        data: { course: course.id } satisfies CanvasItemData,
      });
      return items;
    }
    case 'students': {
      const courseId = canvasId(d.course ?? '', 'course id');
      return (await students(await client(), courseId)).map((s) => {
        const activity = [
          typeof s.summary.page_views === 'number' ? counts.views(s.summary.page_views) : '',
          typeof s.summary.participations === 'number' ? counts.participations(s.summary.participations) : '',
        ]
          .filter(Boolean)
          .join(' · ');
        return {
          key: `student/${s.id}`,
          type: 'student',
          label: s.name ?? `Student ${s.id}`,
          icon: 'person',
          description: s.name ? `id ${s.id}${activity ? ` · ${activity}` : ''}` : activity,
          expandable: true,
          capabilities: ['copyId'],
          id: String(s.id),
          data: { course: d.course, student: s.id } satisfies CanvasItemData,
        };
      });
    }
    case 'student': {
      const course = o.courses.find((c) => c.id === d.course) ?? { id: d.course ?? '' };
      const where = `${parent.label} · ${courseLabel(course)}`;
      return endpointsAt('student').map((e) => endpointItem(e, { id: e.id, courseId: course.id, studentId: String(d.student) } as CanvasEndpointRef, where));
    }
    default:
      return [];
  }
}

/**
 * An endpoint's answer: the JSON as the raw document, and its tables (one, or two for department
 * activity and student activity) with the charts the core proposes for each.
 */
export async function canvasFetch(client: CanvasClient, source: SourceConfig, item: PlatformItem, ctx: FetchContext): Promise<PlatformResult> {
  const { ref, where = '' } = item.data as CanvasItemData;
  if (!ref || !CANVAS_ENDPOINTS[ref.id]) throw new Error(`not a Canvas endpoint: ${item.label}`);
  const endpoint = CANVAS_ENDPOINTS[ref.id];
  const { data, names } = await client.fetch(ref, {
    signal: ctx.signal,
    onPage: (p) => {
      if (p.page > 1) ctx.progress(`page ${p.page}…`);
    },
    // Canvas throttles without Retry-After; the waits can add up to a minute: say so.
    onRetry: (info) => ctx.progress(`${canvasRetryMessage(info)}…`),
    // Course assignments answer through a Canvas Progress on large courses (?async=true).
    onProgress: (p) =>
      ctx.progress(`Canvas is preparing the data (${p.workflow_state}${typeof p.completion === 'number' ? `, ${Math.round(p.completion)}%` : ''})…`),
  });
  const views = previewContentFor(ref.id, canvasTables(ref.id, data, { names }), canvasCharts(ref.id, data, { names }));
  // Sorted by page views or participations, Canvas lists only students with page-view data.
  const note = ref.id === 'course.studentSummaries' ? summariesSortNote(ref.sortColumn) : undefined;
  return {
    key: resultKey(ref),
    title: `${where} · ${endpoint.title}`,
    subtitle: `Canvas · ${where} · ${source.label}${ref.id === 'course.studentSummaries' ? ` · sorted by ${sortLabel(ref.sortColumn)}` : ''}`,
    raw: { ext: 'json', bytes: Buffer.from(JSON.stringify(data, null, 2) + '\n') },
    tables: views.map((v) => ({
      key: v.table.key,
      name: v.table.title,
      title: `${where} · ${v.table.title}${note ? ` (${note})` : ''}`,
      columns: v.table.table.columns,
      rows: v.table.table.rows,
      charts: v.charts.length > 0 ? v.charts : undefined,
    })),
    summary: `Canvas: ${endpoint.title} (${where}): ${views.map((v) => `${v.table.title} ${v.table.table.rows.length} rows`).join(', ')}.`,
  };
}
