/**
 * A local Canvas LMS with the Analytics API over real HTTP on 127.0.0.1: for unit tests, for
 * integration tests in an extension host, and as a sandbox for people without a Canvas instance.
 *
 * What it reproduces (API-NOTES.md "Canvas LMS Analytics"; instructure/analytics):
 * - Bearer auth; Canvas's 401 (`unauthenticated` / "Invalid access token."), 403 (`unauthorized`)
 *   and 404 bodies; `X-Request-Cost` and `X-Rate-Limit-Remaining` on every API answer;
 * - accounts (`self` = 1, sub-accounts 2–4; no analytics permission on 4), terms, courses
 *   (101 full access, 102 no roster access and daily page-view keys, 103 no analytics
 *   permission, 104 unpublished → analytics 404);
 * - department analytics for current / completed / terms/:id, with sparse grade maps;
 * - course activity, assignments (some with suppressed score statistics; course 101's
 *   `?async=true` first answers a Progress that runs, then completes), student summaries with
 *   sort_column / student_id and `Link` pagination (per_page default 10, max 100, no rel="last");
 * - student-in-course activity (hourly keys in 101, daily in 102), assignments, communication;
 * - faults: Canvas's throttle (403 text "Rate Limit Exceeded" + X-Rate-Limit-Remaining 0.0),
 *   any status, a next link on another origin, a failing Progress, plus the shared delivery
 *   faults (resets, slow bodies, truncated JSON, HTML), from code or over `/__control/…`.
 *
 * Run standalone: `node out/test/fakes/canvas.js [--port N]` prints one JSON line
 * `{"url","token","accountId","courseId","studentId"}` and serves until SIGINT/SIGTERM.
 */
import type * as http from 'node:http';
import {
  type FakeResponse,
  type HttpFault,
  type Query,
  type RecordedRequestBase,
  FaultQueue,
  RequestLog,
  bearerToken,
  endpointOf,
  first,
  htmlLoginPage,
  json,
  listenFake,
  nginxErrorPage,
  normalizeFault,
  parseQuery,
  requestOrigin,
  runStandalone,
  text,
} from './fakeHttp';
import { type CanvasFakeData, type FakeCourse, departmentData, generateCanvasData, studentActivity, studentAssignments, studentCommunication } from './canvasData';

export type { CanvasFakeData, FakeCourse } from './canvasData';

export const SANDBOX_CANVAS_TOKEN = '7~sandboxCanvasToken0123456789abcdefABCDEF';

export interface CanvasFakeOptions {
  /** 0 = random free port. */
  port?: number;
  /** Default SANDBOX_CANVAS_TOKEN. */
  token?: string;
  /** Progress polls before course 101's assignments are ready; default 3. */
  progressPolls?: number;
}

export interface CanvasFault extends HttpFault {
  /** Canvas's throttle answer: 403 text/plain "403 Forbidden (Rate Limit Exceeded)", X-Rate-Limit-Remaining 0.0. */
  rateLimit?: boolean;
  /** Rewrites the origin of the `rel="next"` link in this answer (e.g. "http://localhost:1234"). */
  nextOrigin?: string;
  /** The Progress this poll reads fails. */
  progressFails?: boolean;
}

export type RecordedRequest = RecordedRequestBase;

export interface CanvasFake {
  url: string;
  port: number;
  token: string;
  requests: RecordedRequest[];
  data: CanvasFakeData;
  addFault(f: CanvasFault): void;
  clearFaults(): void;
  /** Clears faults, the request log, the rate-limit budget and Progress state. */
  reset(): void;
  close(): Promise<void>;
}

// --- Canvas's answers --------------------------------------------------------------------------

const unauthenticated = (): FakeResponse =>
  json(401, { status: 'unauthenticated', errors: [{ message: 'user authorization required' }] }, { 'www-authenticate': 'Bearer realm="canvas-lms"' });
const invalidToken = (): FakeResponse => json(401, { errors: [{ message: 'Invalid access token.' }] }, { 'www-authenticate': 'Bearer realm="canvas-lms"' });
const unauthorized = (): FakeResponse => json(403, { status: 'unauthorized', errors: [{ message: 'user not authorized to perform that action' }] });
const notFound = (): FakeResponse => json(404, { errors: [{ message: 'The specified resource does not exist.' }] });
const rateLimited = (): FakeResponse => text(403, '403 Forbidden (Rate Limit Exceeded)\n', 'text/plain; charset=utf-8', { 'x-rate-limit-remaining': '0.0' });

function faultResponse(f: CanvasFault): FakeResponse | undefined {
  if (f.rateLimit) return rateLimited();
  if (f.html) {
    const status = f.status ?? 502;
    return text(status, status === 200 ? htmlLoginPage() : nginxErrorPage(status), 'text/html');
  }
  const s = f.status;
  if (s === undefined || s === 200) return undefined;
  if (s === 401) return invalidToken();
  if (s === 403) return unauthorized();
  if (s === 404) return notFound();
  if (s === 429) return text(429, '429 Too Many Requests (Rate Limit Exceeded)\n', 'text/plain; charset=utf-8', { 'x-rate-limit-remaining': '0.0' });
  if (s >= 500) return text(s, nginxErrorPage(s), 'text/html');
  return json(s, { errors: [{ message: 'Invalid request.' }] });
}

/** Canvas's Link header: entries joined by "," with no space; `last` only when asked for. */
function linkHeader(origin: string, url: URL, page: number, perPage: number, total: number, withLast: boolean, nextOrigin?: string): string {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const at = (p: number, o = origin): string => {
    const q = new URLSearchParams(url.searchParams);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    return `<${o}${url.pathname}?${q.toString()}>`;
  };
  const parts = [`${at(page)}; rel="current"`];
  if (page < pages) parts.push(`${at(page + 1, nextOrigin ?? origin)}; rel="next"`);
  if (page > 1) parts.push(`${at(page - 1)}; rel="prev"`);
  parts.push(`${at(1)}; rel="first"`);
  if (withLast) parts.push(`${at(pages)}; rel="last"`);
  return parts.join(',');
}

interface Ctx {
  url: URL;
  query: Query;
  origin: string;
  fault?: CanvasFault;
}

interface ProgressState {
  id: number;
  courseId: number;
  polls: number;
  state: 'queued' | 'running' | 'completed' | 'failed';
  created: string;
}

export async function startCanvasFake(opts: CanvasFakeOptions = {}): Promise<CanvasFake> {
  const token = opts.token ?? SANDBOX_CANVAS_TOKEN;
  const progressPolls = Math.max(1, opts.progressPolls ?? 3);
  const data = generateCanvasData();
  const faults = new FaultQueue<CanvasFault>();
  const log = new RequestLog<RecordedRequest>();
  let budget = 700;
  let progress = new Map<number, ProgressState>();
  let warm = new Set<number>();
  let nextProgressId = 31;
  let port = 0;

  const reset = (): void => {
    faults.clear();
    log.clear();
    budget = 700;
    progress = new Map();
    warm = new Set();
    nextProgressId = 31;
  };

  const page = <T>(c: Ctx, items: T[], withLast: boolean): FakeResponse => {
    const perPage = Math.min(100, Math.max(1, Number(first(c.query, 'per_page') ?? 10) || 10));
    const p = Math.max(1, Number(first(c.query, 'page') ?? 1) || 1);
    const slice = items.slice((p - 1) * perPage, p * perPage);
    return json(200, slice, { link: linkHeader(c.origin, c.url, p, perPage, items.length, withLast, c.fault?.nextOrigin) });
  };

  const account = (id: string) => data.accounts.find((a) => String(a.id) === (id === 'self' ? '1' : id));
  const course = (id: string) => data.courses.find((c) => String(c.id) === id);
  const accountJson = (a: (typeof data.accounts)[number]) => ({ id: a.id, name: a.name, parent_account_id: a.parent_account_id, root_account_id: a.root_account_id, workflow_state: a.workflow_state, uuid: `acct${a.id}uuid`, default_time_zone: 'America/Chicago' });
  const termJson = (id: number) => {
    const t = data.terms.find((x) => x.id === id);
    return t ? { id: t.id, name: t.name, start_at: t.start_at, end_at: t.end_at } : null;
  };
  const courseJson = (c: FakeCourse) => ({ id: c.id, name: c.name, course_code: c.course_code, account_id: c.account_id, enrollment_term_id: c.enrollment_term_id, workflow_state: c.workflow_state, start_at: `${c.start}T06:00:00Z`, end_at: null, is_public: false, default_view: 'modules', time_zone: 'America/Chicago', enrollments: [{ type: c.analytics === 'forbidden' ? 'student' : 'teacher', role: c.analytics === 'forbidden' ? 'StudentEnrollment' : 'TeacherEnrollment', enrollment_state: c.workflow_state === 'completed' ? 'completed' : 'active' }] });
  const progressJson = (p: ProgressState, origin: string) => ({
    id: p.id, context_id: p.courseId, context_type: 'Course', user_id: data.teacher.id, tag: 'analytics_course_assignments',
    completion: p.state === 'completed' ? 100 : p.state === 'queued' ? 0 : Math.min(95, Math.round(((p.polls - 1) / Math.max(1, progressPolls - 1)) * 100)),
    workflow_state: p.state, created_at: p.created, updated_at: new Date().toISOString(), message: p.state === 'failed' ? 'Job failed: statement timeout' : null,
    url: `${origin}/api/v1/progress/${p.id}`,
  });

  /** Course-level analytics checks, in Canvas's order: course exists, permission, availability. */
  const courseAnalytics = (id: string): FakeCourse | FakeResponse => {
    const c = course(id);
    if (!c) return notFound();
    if (c.analytics === 'forbidden') return unauthorized();
    if (c.analytics === 'unavailable') return notFound();
    return c;
  };

  const routes: { re: RegExp; handle: (c: Ctx, m: RegExpExecArray) => FakeResponse }[] = [
    { re: /^\/api\/v1\/accounts$/, handle: (c) => page(c, data.accounts.map(accountJson), true) },
    { re: /^\/api\/v1\/accounts\/([^/]+)$/, handle: (_c, m) => { const a = account(m[1]); return a ? json(200, accountJson(a)) : notFound(); } },
    {
      re: /^\/api\/v1\/accounts\/([^/]+)\/sub_accounts$/,
      handle: (c, m) => { const a = account(m[1]); return a ? page(c, data.accounts.filter((x) => x.parent_account_id === a.id).map(accountJson), true) : notFound(); },
    },
    {
      re: /^\/api\/v1\/accounts\/([^/]+)\/terms$/,
      handle: (c, m) => {
        const a = account(m[1]);
        if (!a) return notFound();
        if (!a.analytics) return unauthorized();
        const r = page(c, data.terms, true);
        // Terms come wrapped: {"enrollment_terms":[…]}.
        return { ...r, body: Buffer.from(JSON.stringify({ enrollment_terms: JSON.parse(r.body.toString('utf8')) as unknown[] })) };
      },
    },
    {
      re: /^\/api\/v1\/accounts\/([^/]+)\/analytics\/(current|completed|terms\/([^/]+))\/(activity|grades|statistics|statistics_by_subaccount)$/,
      handle: (_c, m) => {
        const a = account(m[1]);
        if (!a) return notFound();
        if (!a.analytics) return unauthorized();
        if (m[3] !== undefined && !data.terms.some((t) => String(t.id) === m[3])) return notFound();
        const d = departmentData(a, m[3] !== undefined ? `term:${m[3]}` : m[2], data.accounts);
        const body = { activity: d.activity, grades: d.grades, statistics: d.statistics, statistics_by_subaccount: d.statisticsBySubaccount }[m[4] as 'activity'];
        return json(200, body);
      },
    },
    {
      // canvas-lms courses_controller#index / courses_for_user: without state[] only current
      // enrollments are listed (concluded courses left out); state[] lists the user's courses in
      // those workflow states ("unpublished" also covers created/claimed); include[]=term adds
      // the term, include[]=concluded a `concluded` flag.
      re: /^\/api\/v1\/courses$/,
      handle: (c) => {
        const states = c.query['state[]'];
        const wanted = states === undefined ? undefined : new Set(Array.isArray(states) ? states : [states]);
        const includes = new Set([c.query['include[]'] ?? []].flat());
        const listed = data.courses.filter((x) => (wanted ? wanted.has(x.workflow_state) : x.workflow_state !== 'completed'));
        return page(
          c,
          listed.map((x) => ({
            ...courseJson(x),
            ...(includes.has('term') ? { term: termJson(x.enrollment_term_id) } : {}),
            ...(includes.has('concluded') ? { concluded: x.workflow_state === 'completed' } : {}),
          })),
          true,
        );
      },
    },
    { re: /^\/api\/v1\/courses\/([^/]+)$/, handle: (_c, m) => { const x = course(m[1]); return x ? json(200, courseJson(x)) : notFound(); } },
    {
      re: /^\/api\/v1\/courses\/([^/]+)\/users$/,
      handle: (c, m) => {
        const x = course(m[1]);
        if (!x) return notFound();
        if (!x.rosterReadable) return unauthorized();
        const types = c.query['enrollment_type[]'] ?? c.query.enrollment_type;
        const wanted = types === undefined ? ['student', 'teacher'] : Array.isArray(types) ? types : [types];
        const users = [
          ...(wanted.includes('teacher') ? [{ ...data.teacher }] : []),
          ...(wanted.includes('student') ? x.students.map((s) => ({ id: s.id, name: s.name, sortable_name: s.sortable_name, short_name: s.short_name, login_id: s.login_id })) : []),
        ];
        return page(c, users, true);
      },
    },
    { re: /^\/api\/v1\/courses\/([^/]+)\/analytics\/activity$/, handle: (_c, m) => { const x = courseAnalytics(m[1]); return 'status' in x ? x : json(200, x.activity); } },
    {
      re: /^\/api\/v1\/courses\/([^/]+)\/analytics\/assignments$/,
      handle: (c, m) => {
        const x = courseAnalytics(m[1]);
        if ('status' in x) return x;
        const async = ['true', '1'].includes((first(c.query, 'async') ?? '').toLowerCase());
        if (async && x.asyncAssignments && !warm.has(x.id)) {
          let p = [...progress.values()].find((q) => q.courseId === x.id && q.state !== 'failed');
          if (!p) {
            p = { id: nextProgressId++, courseId: x.id, polls: 0, state: 'queued', created: new Date().toISOString() };
            progress.set(p.id, p);
          }
          return json(200, { progress_url: `${c.origin}/api/v1/progress/${p.id}` });
        }
        return json(200, x.assignments);
      },
    },
    {
      re: /^\/api\/v1\/courses\/([^/]+)\/analytics\/student_summaries$/,
      handle: (c, m) => {
        const x = courseAnalytics(m[1]);
        if ('status' in x) return x;
        const sort = first(c.query, 'sort_column') ?? 'name';
        // An unknown sort_column falls back to name (student_collection.rb SortStrategy.for).
        const sm = /^(name|score|participations|page_views)(_ascending|_descending)?$/.exec(sort);
        const column = sm?.[1] ?? 'name';
        const descending = sm?.[2] === '_descending';
        const sid = first(c.query, 'student_id');
        const byId = new Map(x.students.map((s) => [s.id, s]));
        let rows = x.summaries.filter((s) => sid === undefined || String(s.id) === sid);
        // By page views or participations Canvas pages through the ids with page-view counts only
        // (instructure/analytics lib/analytics/student_collection.rb, BySortedIDs).
        if (column === 'page_views' || column === 'participations') rows = rows.filter((s) => s.page_views !== null);
        const key = (s: Record<string, unknown>): string | number => {
          const st = byId.get(s.id as number);
          if (column === 'name') return st?.sortable_name.toLowerCase() ?? '';
          if (column === 'score') return st?.score ?? 0;
          return s[column] as number;
        };
        rows = [...rows].sort((a, b) => {
          const ka = key(a);
          const kb = key(b);
          const d = ka < kb ? -1 : ka > kb ? 1 : (a.id as number) - (b.id as number);
          return descending ? -d : d;
        });
        // Canvas leaves rel="last" out here (counting would cost a query).
        return page(c, rows, false);
      },
    },
    {
      re: /^\/api\/v1\/courses\/([^/]+)\/analytics\/users\/([^/]+)\/(activity|assignments|communication)$/,
      handle: (c, m) => {
        const x = courseAnalytics(m[1]);
        if ('status' in x) return x;
        const sid = Number(m[2]);
        if (!x.students.some((s) => s.id === sid)) return notFound();
        if (m[3] === 'activity') return json(200, studentActivity(x, sid, c.origin));
        if (m[3] === 'assignments') return json(200, studentAssignments(x, sid));
        return json(200, studentCommunication(x, sid));
      },
    },
    {
      re: /^\/api\/v1\/progress\/(\d+)$/,
      handle: (c, m) => {
        const p = progress.get(Number(m[1]));
        if (!p) return notFound();
        if (c.fault?.progressFails) p.state = 'failed';
        if (p.state === 'queued' || p.state === 'running') {
          // The first look finds the job still queued; it then runs and completes.
          p.polls++;
          p.state = p.polls >= progressPolls ? 'completed' : p.polls === 1 ? 'queued' : 'running';
          if (p.state === 'completed') warm.add(p.courseId);
        }
        return json(200, progressJson(p, c.origin));
      },
    },
  ];

  const route = (req: http.IncomingMessage, url: URL, fault: CanvasFault | undefined): FakeResponse => {
    const path = url.pathname.replace(/\/+$/, '');
    if (!path.startsWith('/api/v1/')) return notFound();
    const given = bearerToken(req);
    if (given === undefined) return unauthenticated();
    if (given !== token) return invalidToken();
    if ((req.method ?? 'GET') !== 'GET') return json(405, { errors: [{ message: 'Method not allowed' }] });
    const c: Ctx = { url, query: parseQuery(url.searchParams), origin: requestOrigin(req, port), fault };
    for (const r of routes) {
      const m = r.re.exec(path);
      if (m) return r.handle(c, m);
    }
    return notFound();
  };

  const addFault = (f: unknown): void =>
    faults.add(normalizeFault<CanvasFault>(f, { rateLimit: 'boolean', nextOrigin: 'string', progressFails: 'boolean' }));

  const started = await listenFake(
    {
      faults,
      log,
      addFault,
      reset,
      respond: (req, url, _body, fault) => {
        const response = (fault && faultResponse(fault)) ?? route(req, url, fault);
        if (fault?.retryAfter !== undefined) response.headers['retry-after'] = fault.retryAfter;
        // Canvas's leaky bucket: every answer says what the call cost and what is left.
        const cost = 0.01 + (url.pathname.length % 17) / 1000 + (url.pathname.includes('analytics') ? 0.25 : 0);
        budget = Math.max(0, budget - cost);
        response.headers['x-request-cost'] = cost.toFixed(7);
        if (response.headers['x-rate-limit-remaining'] === undefined) response.headers['x-rate-limit-remaining'] = budget.toFixed(6);
        return response;
      },
    },
    opts.port ?? 0,
  );
  port = started.port;

  return {
    ...endpointOf(started),
    token,
    requests: log.entries,
    data,
    addFault: (f: CanvasFault) => addFault(f),
    clearFaults: () => faults.clear(),
    reset,
  };
}

if (require.main === module) {
  // The sandbox token is a published constant, not a credential.
  runStandalone('canvas', 'CANVAS_FAKE_PORT', startCanvasFake, (fake) => ({ url: fake.url, token: fake.token, accountId: 1, courseId: 101, studentId: 1001 }));
}
