/**
 * Canvas LMS Analytics client: instance URL + access token, over the shared HttpClient.
 *
 * Canvas specifics handled here (API-NOTES.md "Canvas LMS Analytics"):
 * - Throttling is a **403** `text/plain` "403 Forbidden (Rate Limit Exceeded)" with
 *   `X-Rate-Limit-Remaining: 0.0` (newer instances: 429). Those are retried with backoff through
 *   HttpClient's `isThrottled` hook and never reported as a permission problem. Canvas sends no
 *   Retry-After: "each request subtracts from your quota, and the quota is automatically
 *   replenished over time … retry the request at a later time" (instructure/canvas-lms
 *   doc/api/throttling.md). The refill takes tens of seconds, so Canvas has its own, longer retry
 *   policy (`CANVAS_RETRY_POLICY`: up to about a minute of waiting in all, with jitter), and each
 *   wait is announced through `onRetry` ("throttled by Canvas, retrying in N s").
 * - A real 401/403/404 becomes one line naming the permission or the id to check (endpoints.ts).
 * - Lists are paginated by `Link: <…>; rel="next"`; we ask for `per_page=100` (the documented
 *   maximum) and follow `next` until it is absent, on the instance's origin only: a next link on
 *   another origin is refused (or, if configured, ends the listing) and never gets the token.
 * - `assignments?async=true` may answer `{"progress_url":…}`: poll that Progress with backoff
 *   until `completed` (or `failed`), then ask again.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { InsightError } from '../../errors';
import { HttpClient, HttpStatusError, Query, RetryInfo, RetryPolicy, abortableSleep, withQuery } from '../../http';
import { Logger, Redactor, silentLogger } from '../../log';
import { parseBaseUrl } from '../../url';
import {
  CANVAS_ENDPOINTS,
  CanvasEndpointInfo,
  CanvasEndpointRef,
  DepartmentScope,
  canvasId,
  canvasPath,
  describeTarget,
  idsToCheck,
  matchCanvasPath,
  permissionFor,
} from './endpoints';
import { parseLinkHeader } from './links';
import type { HttpClientBaseOptions } from '../shared/clientOptions';
import {
  CanvasCourse,
  CanvasProgress,
  CanvasUser,
  CourseActivityDay,
  CourseAssignment,
  DepartmentActivity,
  DepartmentGrades,
  DepartmentStatistics,
  EnrollmentTerm,
  ProgressAnswer,
  StudentActivity,
  StudentAssignment,
  StudentCommunication,
  StudentSummary,
  StudentSummarySort,
  SubaccountStatistics,
  isStudentSummarySort,
} from './types';

/**
 * Canvas's retries: 6, with full-jitter waits capped at 1.5, 3, 6, 12, 20, 20 s, so between about
 * 31 and 63 s of waiting in all before giving up. The shared default (4 retries from 0.5 s) gives
 * up after at most 7.5 s, before Canvas's bucket has refilled.
 */
export const CANVAS_RETRY_POLICY: RetryPolicy = { retries: 6, baseDelayMs: 1_500, maxDelayMs: 20_000, maxRetryAfterMs: 90_000 };

/** "throttled by Canvas, retrying in 12 s" (or the status that is retried). */
export function canvasRetryMessage(info: RetryInfo): string {
  const secs = Math.max(1, Math.round(info.delayMs / 1000));
  const what = info.throttled
    ? 'throttled by Canvas'
    : info.status !== undefined
      ? `Canvas answered HTTP ${info.status}`
      : 'the connection to Canvas dropped';
  return `${what}, retrying in ${secs} s (retry ${info.attempt} of ${info.retries})`;
}

export interface CanvasClientOptions extends HttpClientBaseOptions {
  /** The instance, e.g. https://school.instructure.com (an API URL is accepted and cut back to the site). */
  baseUrl: string | URL;
  /** Access token, or a function returning the current one (read per request). */
  token: string | (() => string | Promise<string>);
  /** Page size asked for; Canvas caps it at 100. */
  perPage?: number;
  /** A `next` link on another origin: 'error' (default) fails the listing, 'stop' ends it there. */
  crossOriginNext?: 'error' | 'stop';
  /** Progress polling: first wait, longest wait, give up after. */
  progress?: { initialDelayMs?: number; maxDelayMs?: number; timeoutMs?: number };
  /** Told before every wait between attempts, for every call of this client (see also RequestOpts.onRetry). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RequestOpts {
  signal?: AbortSignal;
  query?: Query;
  /** Told before every wait between attempts of this call: "throttled by Canvas, retrying in N s". */
  onRetry?: (info: RetryInfo) => void;
}

export interface PageInfo {
  page: number;
  url: URL;
  /** Items on this page when it is an array. */
  items?: number;
  requestCost?: number;
  rateLimitRemaining?: number;
}

export interface PageOpts extends RequestOpts {
  perPage?: number;
  /** Safety stop against a server that never ends its pages (default: the client's `limits.maxPages`). */
  maxPages?: number;
  onPage?: (info: PageInfo) => void;
  /** Poll a `{"progress_url"}` answer and ask again (default true). */
  followProgress?: boolean;
  onProgress?: (p: CanvasProgress) => void;
}

export interface CanvasPage<T> {
  body: T;
  info: PageInfo;
  /** The next page, when Canvas sent one on the instance's origin. */
  next?: URL;
}

export type CanvasErrorReason = 'token' | 'permission' | 'notFound' | 'badRequest' | 'server' | 'other';

/** An InsightError that also says which Canvas situation it is (the tree picks an action from it). */
export class CanvasApiError extends InsightError {
  constructor(
    kind: InsightError['kind'],
    message: string,
    readonly reason: CanvasErrorReason,
    options: { status?: number; next?: string } = {},
  ) {
    super(kind, message, options);
  }
}

/** The site root from what people paste: `https://h`, `https://h/`, `https://h/api/v1`, `https://h/courses/5`. */
export function canvasSiteRoot(input: string | URL): URL {
  const url = parseBaseUrl(typeof input === 'string' ? input : input.toString(), 'Canvas URL');
  const i = url.pathname.indexOf('/api/v1');
  // Canvas serves its API at /api/v1 on the site root; a page URL (/courses/5) is cut to the origin.
  return new URL(url.origin + (i > 0 ? url.pathname.slice(0, i) : ''));
}

/**
 * Canvas's throttle: 403 whose text says "Rate Limit Exceeded", or any 403 with
 * `X-Rate-Limit-Remaining` at 0 ("0.0" on the wire); 429 on newer instances.
 */
export function isCanvasThrottle(status: number, headers: Record<string, string>, bodyText: string): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  if (/rate limit exceeded/i.test(bodyText)) return true;
  const rem = headers['x-rate-limit-remaining'];
  if (rem === undefined || rem.trim() === '') return false;
  const n = Number(rem);
  return Number.isFinite(n) && n <= 0;
}

function canvasErrorStatus(bodyText: string): string | undefined {
  try {
    const b = JSON.parse(bodyText) as { status?: unknown };
    return typeof b.status === 'string' ? b.status : undefined;
  } catch {
    return undefined;
  }
}

/** One line for a final Canvas error response; `reason` tells the caller what kind it was. */
export function describeCanvasError(err: HttpStatusError): CanvasApiError {
  const m = matchCanvasPath(err.url.pathname);
  const what = describeTarget(m, err.url.pathname);
  const status = err.status;
  const detail = err.detail;
  // Older instances answer "not permitted" with 401 + status "unauthorized"; a bad or expired
  // token is 401 "unauthenticated" (or a bare errors list: "Invalid access token.").
  if (status === 401 && canvasErrorStatus(err.bodyText) !== 'unauthorized') {
    return new CanvasApiError('auth', 'Canvas refused the access token (401). Set Credentials with a new token.', 'token', { status });
  }
  if (status === 401 || status === 403) {
    const perm = permissionFor(m);
    const need = perm ? `the token's user needs ${perm}.` : `the token's user lacks the permission for it${detail ? ` (${detail})` : ''}.`;
    return new CanvasApiError('auth', `Canvas denied access to ${what} (${status}): ${need}`, 'permission', { status });
  }
  if (status === 404) {
    const ids = idsToCheck(m);
    const analytics =
      m.endpoint && m.endpoint.template.includes('/analytics/') ? ' (Analytics must be enabled and the course published or concluded)' : '';
    return new CanvasApiError('notFound', `Canvas says ${what} does not exist (404): check ${ids ?? 'the path'}${analytics}.`, 'notFound', {
      status,
    });
  }
  if (status === 400 || status === 422) {
    return new CanvasApiError('usage', `Canvas rejected the request for ${what} (${status})${detail ? `: ${detail}` : ''}.`, 'badRequest', {
      status,
      next: 'Check the parameters.',
    });
  }
  if (status >= 500) {
    return new CanvasApiError('server', `Canvas failed on ${what} (HTTP ${status})${detail ? `: ${detail}` : ''}.`, 'server', {
      status,
      next: 'Try again later.',
    });
  }
  return new CanvasApiError('server', `Canvas answered HTTP ${status} for ${what}${detail ? `: ${detail}` : ''}.`, 'other', { status });
}

export function isProgressAnswer(body: unknown): body is ProgressAnswer {
  return (
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    typeof (body as { progress_url?: unknown }).progress_url === 'string'
  );
}

/**
 * One value from the bodies of all pages: arrays concatenated; a single non-array body as is;
 * objects that wrap one list under the same key (`{"enrollment_terms":[…]}`) merged into one such
 * object; anything else, the list of page bodies.
 */
export function mergePages(bodies: unknown[]): unknown {
  if (bodies.length === 0) return [];
  if (bodies.every(Array.isArray)) return (bodies as unknown[][]).flat();
  if (bodies.length === 1) return bodies[0];
  const key = wrappedListKey(bodies[0]);
  if (key && bodies.every((b) => wrappedListKey(b) === key)) {
    return { ...(bodies[0] as object), [key]: bodies.flatMap((b) => (b as Record<string, unknown[]>)[key]) };
  }
  return bodies;
}

/** The key of the only array-valued property of a plain object, if exactly one. */
export function wrappedListKey(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.entries(body).filter(([, v]) => Array.isArray(v));
  return keys.length === 1 ? keys[0][0] : undefined;
}

/** Validates an id for a query parameter (the URL encoding is withQuery's job, not ours). */
function queryId(v: string | number): string {
  canvasId(v, 'student id');
  return String(v).trim();
}

const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

export class CanvasClient {
  readonly http: HttpClient;
  /** The instance's site root; credentials go to its origin only. */
  readonly site: URL;
  /** Cost and remaining quota from the last answer (`X-Request-Cost`, `X-Rate-Limit-Remaining`). */
  lastRate: { cost?: number; remaining?: number } = {};
  private readonly log: Logger;
  private readonly perPage: number;
  private readonly crossOriginNext: 'error' | 'stop';
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly progressOpts: { initialDelayMs: number; maxDelayMs: number; timeoutMs: number };
  /** Carries each call's onRetry into the shared HttpClient's hook (calls may run side by side). */
  private readonly retryListener = new AsyncLocalStorage<((info: RetryInfo) => void) | undefined>();

  constructor(opts: CanvasClientOptions) {
    this.site = canvasSiteRoot(opts.baseUrl);
    const redactor = opts.redactor ?? new Redactor();
    const token = opts.token;
    if (typeof token === 'string') {
      if (token.trim() === '')
        throw new InsightError('auth', 'No Canvas access token.', {
          next: 'Set Credentials with a token from Canvas → Account → Settings.',
        });
      redactor.add(token);
    }
    this.log = opts.logger ?? silentLogger;
    this.perPage = Math.min(100, Math.max(1, Math.floor(opts.perPage ?? 100)));
    this.crossOriginNext = opts.crossOriginNext ?? 'error';
    this.sleep = opts.sleep ?? abortableSleep;
    this.progressOpts = { initialDelayMs: 500, maxDelayMs: 5_000, timeoutMs: 300_000, ...opts.progress };
    this.http = new HttpClient({
      ...opts.limits,
      baseUrl: this.site,
      auth: async () => ({ authorization: `Bearer ${typeof token === 'function' ? await token() : token}` }),
      logger: opts.logger,
      redactor,
      retry: { ...CANVAS_RETRY_POLICY, ...opts.retry },
      timeoutMs: opts.timeoutMs,
      sleep: opts.sleep,
      isThrottled: isCanvasThrottle,
      describeError: describeCanvasError,
      onRetry: (info) => {
        opts.onRetry?.(info);
        this.retryListener.getStore()?.(info);
      },
    });
  }

  /** One request, one page, no pagination (for endpoints that answer a single object). */
  async get<T = unknown>(path: string, opts: RequestOpts = {}): Promise<T> {
    const url = this.apiUrl(path, opts.query);
    const res = await this.retryListener.run(opts.onRetry, () => this.http.json<T>(url, { signal: opts.signal }));
    this.noteRate(res.headers);
    return res.body;
  }

  /**
   * Every page of a GET, in order. The first URL gets `per_page` unless the path sets it; later
   * URLs are exactly Canvas's `next` links (they carry the page bookmark and per_page).
   */
  async *pages<T = unknown>(path: string, opts: PageOpts = {}): AsyncGenerator<CanvasPage<T>> {
    let url: URL | undefined = this.apiUrl(path, opts.query);
    if (!url.searchParams.has('per_page')) url.searchParams.set('per_page', String(Math.min(100, opts.perPage ?? this.perPage)));
    // Refuses a page already read (a next link back to itself), and bounds pages and bytes.
    const listing = this.http.listing(`the Canvas listing ${this.http.describeUrl(url)}`);
    const maxPages = opts.maxPages ?? listing.maxPages;
    let page = 0;
    while (url) {
      if (page >= maxPages) throw new InsightError('data', `Stopped after ${maxPages} pages of ${this.http.describeUrl(url)}.`);
      const at = url;
      const res = await this.retryListener.run(opts.onRetry, () => this.http.json<T>(at, { signal: opts.signal, listing }));
      page++;
      this.noteRate(res.headers);
      const info: PageInfo = {
        page,
        url: res.url,
        items: Array.isArray(res.body) ? res.body.length : undefined,
        requestCost: this.lastRate.cost,
        rateLimitRemaining: this.lastRate.remaining,
      };
      const next = this.nextPage(res.headers.link, res.url);
      opts.onPage?.(info);
      yield { body: res.body, info, next };
      url = next;
    }
  }

  /**
   * All pages as one value (see mergePages). A `{"progress_url"}` answer is polled to completion
   * and the request made again, so `?async=true` paths work here too.
   */
  async getAll(path: string, opts: PageOpts = {}): Promise<unknown> {
    for (let round = 0; ; round++) {
      const bodies: unknown[] = [];
      let progressUrl: string | undefined;
      for await (const p of this.pages(path, opts)) {
        if (bodies.length === 0 && opts.followProgress !== false && isProgressAnswer(p.body)) {
          progressUrl = p.body.progress_url;
          break;
        }
        bodies.push(p.body);
      }
      if (progressUrl === undefined) return mergePages(bodies);
      // The progress completing means the data is cached; a second progress_url after that is
      // unusual but possible (cache evicted), so allow a few rounds, not an endless loop.
      if (round >= 4)
        throw new InsightError('timeout', `Canvas kept preparing ${this.what(path)} in the background.`, {
          next: 'Try again in a few minutes.',
        });
      await this.waitForProgress(progressUrl, {
        signal: opts.signal,
        onProgress: opts.onProgress,
        onRetry: opts.onRetry,
        what: this.what(path),
      });
    }
  }

  /** All pages of a list endpoint as one array (also unwraps `{"enrollment_terms":[…]}`-style answers). */
  async listAll<T>(path: string, opts: PageOpts = {}): Promise<T[]> {
    const v = await this.getAll(path, opts);
    if (Array.isArray(v)) return v as T[];
    const key = wrappedListKey(v);
    if (key) return (v as Record<string, T[]>)[key];
    throw new InsightError('data', `Expected a list from ${this.what(path)} but Canvas sent ${v === null ? 'null' : typeof v}.`);
  }

  /** Polls a Canvas Progress until `completed`; `failed` or the timeout throw. */
  async waitForProgress(
    progressUrl: string,
    opts: { signal?: AbortSignal; onProgress?: (p: CanvasProgress) => void; onRetry?: (info: RetryInfo) => void; what?: string } = {},
  ): Promise<CanvasProgress> {
    const url = this.progressUrl(progressUrl);
    const what = opts.what ?? 'the data';
    const deadline = Date.now() + this.progressOpts.timeoutMs;
    let delay = this.progressOpts.initialDelayMs;
    for (;;) {
      const p = await this.get<CanvasProgress>(url.toString(), { signal: opts.signal, onRetry: opts.onRetry });
      if (typeof p !== 'object' || p === null || typeof p.workflow_state !== 'string') {
        throw new InsightError('data', `Canvas sent an unreadable Progress for ${what}.`);
      }
      opts.onProgress?.(p);
      if (p.workflow_state === 'completed') return p;
      if (p.workflow_state === 'failed') {
        throw new InsightError(
          'server',
          `Canvas could not prepare ${what}: its background job failed${p.message ? ` (${p.message})` : ''}.`,
          { next: 'Try again later.' },
        );
      }
      if (Date.now() + delay > deadline) {
        const done = typeof p.completion === 'number' ? ` (${Math.round(p.completion)}% done)` : '';
        throw new InsightError(
          'timeout',
          `Canvas was still preparing ${what} after ${Math.round(this.progressOpts.timeoutMs / 1000)} s${done}.`,
          {
            next: 'Try again later; Canvas keeps working on it.',
          },
        );
      }
      await this.sleep(delay, opts.signal);
      delay = Math.min(this.progressOpts.maxDelayMs, Math.ceil(delay * 1.6));
    }
  }

  // --- typed endpoints -------------------------------------------------------------------------

  async terms(accountId: string | number, opts: PageOpts = {}): Promise<EnrollmentTerm[]> {
    return this.listAll<EnrollmentTerm>(canvasPath({ id: 'account.terms', accountId }), opts);
  }

  /**
   * The token user's courses, concluded ones included. Without `state[]`, `GET /api/v1/courses`
   * lists only current enrollments (canvas-lms app/controllers/courses_controller.rb,
   * `courses_for_user`: `cached_currentish_enrollments`), so past terms could not be picked; with
   * `state[]` it lists the user's enrollments in courses of those states ("unpublished" |
   * "available" | "completed" | "deleted", documented on `index`). `include[]=term` and
   * `include[]=concluded` (same docs) say which term and whether the course has concluded.
   */
  async courses(opts: PageOpts = {}): Promise<CanvasCourse[]> {
    return this.listAll<CanvasCourse>(canvasPath({ id: 'courses' }), {
      ...opts,
      query: { 'state[]': ['unpublished', 'available', 'completed'], 'include[]': ['term', 'concluded'], ...opts.query },
    });
  }

  async departmentActivity(accountId: string | number, scope: DepartmentScope, opts: RequestOpts = {}): Promise<DepartmentActivity> {
    return this.get(canvasPath({ id: 'department.activity', accountId, scope }), opts);
  }

  async departmentGrades(accountId: string | number, scope: DepartmentScope, opts: RequestOpts = {}): Promise<DepartmentGrades> {
    return this.get(canvasPath({ id: 'department.grades', accountId, scope }), opts);
  }

  async departmentStatistics(accountId: string | number, scope: DepartmentScope, opts: RequestOpts = {}): Promise<DepartmentStatistics> {
    return this.get(canvasPath({ id: 'department.statistics', accountId, scope }), opts);
  }

  async statisticsBySubaccount(
    accountId: string | number,
    scope: DepartmentScope,
    opts: RequestOpts = {},
  ): Promise<SubaccountStatistics[]> {
    const body = await this.get<{ accounts?: SubaccountStatistics[] } | SubaccountStatistics[]>(
      canvasPath({ id: 'department.statisticsBySubaccount', accountId, scope }),
      opts,
    );
    return Array.isArray(body) ? body : (body?.accounts ?? []);
  }

  async courseActivity(courseId: string | number, opts: RequestOpts = {}): Promise<CourseActivityDay[]> {
    return this.get(canvasPath({ id: 'course.activity', courseId }), opts);
  }

  /** With `async` (default true) large courses answer through a Progress instead of timing out. */
  async courseAssignments(courseId: string | number, opts: PageOpts & { async?: boolean } = {}): Promise<CourseAssignment[]> {
    const query = { ...opts.query, ...(opts.async === false ? {} : { async: true }) };
    return this.listAll<CourseAssignment>(canvasPath({ id: 'course.assignments', courseId }), { ...opts, query });
  }

  async studentSummaries(
    courseId: string | number,
    opts: PageOpts & { sortColumn?: StudentSummarySort | string; studentId?: string | number } = {},
  ): Promise<StudentSummary[]> {
    if (opts.sortColumn !== undefined && !isStudentSummarySort(opts.sortColumn)) {
      throw new InsightError('usage', `Invalid sort column "${opts.sortColumn}".`, {
        next: 'Use name, score, participations or page_views, optionally with _ascending or _descending.',
      });
    }
    const query: Query = {
      ...opts.query,
      sort_column: opts.sortColumn,
      student_id: opts.studentId === undefined ? undefined : queryId(opts.studentId),
    };
    return this.listAll<StudentSummary>(canvasPath({ id: 'course.studentSummaries', courseId }), { ...opts, query });
  }

  /**
   * Student names by id, or undefined when the token may not read the roster (then tables show
   * ids only). Other errors (bad token, unknown course) still throw.
   */
  async studentNames(courseId: string | number, opts: PageOpts = {}): Promise<Map<number, string> | undefined> {
    try {
      const users = await this.listAll<CanvasUser>(canvasPath({ id: 'course.students', courseId }), {
        ...opts,
        query: { ...opts.query, 'enrollment_type[]': ['student'] },
      });
      const names = new Map<number, string>();
      for (const u of users) if (typeof u.id === 'number') names.set(u.id, u.name ?? u.sortable_name ?? u.short_name ?? String(u.id));
      return names;
    } catch (e) {
      if (e instanceof CanvasApiError && e.reason === 'permission') {
        this.log.info(`Canvas: no roster access for course ${courseId}; showing student ids.`);
        return undefined;
      }
      throw e;
    }
  }

  async studentActivity(courseId: string | number, studentId: string | number, opts: RequestOpts = {}): Promise<StudentActivity> {
    return this.get(canvasPath({ id: 'student.activity', courseId, studentId }), opts);
  }

  async studentAssignments(courseId: string | number, studentId: string | number, opts: RequestOpts = {}): Promise<StudentAssignment[]> {
    return this.get(canvasPath({ id: 'student.assignments', courseId, studentId }), opts);
  }

  async studentCommunication(courseId: string | number, studentId: string | number, opts: RequestOpts = {}): Promise<StudentCommunication> {
    return this.get(canvasPath({ id: 'student.communication', courseId, studentId }), opts);
  }

  /**
   * Any catalogue endpoint by reference: what the tree calls. Student summaries come with names
   * when the roster is readable. Feed `data` (and `names`) to `canvasTables` / `canvasCharts`.
   */
  async fetch(
    ref: CanvasEndpointRef,
    opts: PageOpts & { withNames?: boolean } = {},
  ): Promise<{ endpoint: CanvasEndpointInfo; data: unknown; names?: Map<number, string> }> {
    const endpoint = CANVAS_ENDPOINTS[ref.id];
    switch (ref.id) {
      case 'course.assignments':
        return { endpoint, data: await this.courseAssignments(ref.courseId, opts) };
      case 'course.studentSummaries': {
        const [data, names] = await Promise.all([
          this.studentSummaries(ref.courseId, { ...opts, sortColumn: ref.sortColumn, studentId: ref.studentId }),
          opts.withNames === false
            ? Promise.resolve(undefined)
            : this.studentNames(ref.courseId, { signal: opts.signal, onRetry: opts.onRetry }),
        ]);
        return { endpoint, data, names };
      }
      case 'course.students':
        return {
          endpoint,
          data: await this.listAll(canvasPath(ref), { ...opts, query: { ...opts.query, 'enrollment_type[]': ['student'] } }),
        };
      default:
        return { endpoint, data: endpoint.paginated ? await this.listAll(canvasPath(ref), opts) : await this.get(canvasPath(ref), opts) };
    }
  }

  // --- internals -------------------------------------------------------------------------------

  private apiUrl(path: string, query?: Query): URL {
    const url = withQuery(this.http.resolve(path), query);
    // Absolute URLs are accepted only on the instance itself: the token goes nowhere else.
    if (!this.http.mayAuthenticate(url)) {
      throw new InsightError('usage', `Refusing to call ${url.origin}: it is not the Canvas instance ${this.site.origin}.`, {
        next: 'Give a path such as /api/v1/courses.',
      });
    }
    return url;
  }

  private nextPage(link: string | undefined, current: URL): URL | undefined {
    const href = parseLinkHeader(link).next;
    if (!href) return undefined;
    let next: URL;
    try {
      next = new URL(href, current);
    } catch {
      throw new InsightError('data', `Canvas sent an unreadable next-page link for ${this.http.describeUrl(current)}.`);
    }
    if (this.http.mayAuthenticate(next)) return next;
    // Canvas builds links from the host it was called on, so another origin here means a proxy or
    // alias rewrote it: following would send the token to a host we were not told to trust.
    const msg = `Canvas sent a next-page link to another origin (${next.origin}); refusing to follow it so the token stays with ${this.site.origin}.`;
    if (this.crossOriginNext === 'stop') {
      this.log.warn(`${msg} The listing stops at page ${this.http.describeUrl(current)}.`);
      return undefined;
    }
    throw new InsightError('data', msg, { next: "Use the instance's canonical address as the base URL." });
  }

  private progressUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw, this.site);
    } catch {
      throw new InsightError('data', 'Canvas sent an unreadable progress_url.');
    }
    if (this.http.mayAuthenticate(url)) return url;
    // Canvas writes the Progress URL from the host it saw; behind a proxy that can differ from
    // ours. It is an API resource of this instance, so ask this instance, never the other host.
    if (/^\/api\/v1\/progress\/[^/]+\/?$/.test(url.pathname)) return new URL(url.pathname + url.search, this.site);
    throw new InsightError('data', `Canvas sent a progress_url on another origin (${url.origin}); not following it.`);
  }

  private noteRate(headers: Record<string, string>): void {
    const cost = num(headers['x-request-cost']);
    const remaining = num(headers['x-rate-limit-remaining']);
    if (cost !== undefined || remaining !== undefined) {
      this.lastRate = { cost, remaining };
      this.log.debug(`Canvas request cost ${cost ?? '?'}, rate-limit remaining ${remaining ?? '?'}`);
    }
  }

  private what(path: string): string {
    const pathname = path.split('?')[0];
    return describeTarget(matchCanvasPath(pathname), pathname);
  }
}
