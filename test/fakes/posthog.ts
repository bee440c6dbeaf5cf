/**
 * A local PostHog: the insights API over real HTTP on 127.0.0.1, for unit tests, for integration
 * tests in an extension host, and as the sandbox behind `npm start` for people without an account.
 *
 * What it reproduces (shapes from PostHog's API and its own fixtures):
 * - `/api/projects/:pid/…` and `/api/environments/:pid/…` as aliases, trailing slash optional;
 * - Bearer personal-key auth with PostHog's 401/403/404 bodies;
 * - the insights list (limit/offset, absolute `next`/`previous`, filters, `basic`), one insight by
 *   numeric id or short_id with `refresh` modes, `my_last_viewed`, `viewed`, `cancel`;
 * - managing insights (posthogManage.ts): update, create, soft delete, activity, trending,
 *   sharing and share passwords, thresholds with alerts; `reset()` undoes every change;
 * - one slow insight that runs asynchronously: `query_status` on the insight, then polling
 *   `query/:id/` (202 while running, 200 when complete), then the insight carries its result;
 *   the query advances only when `query/:id/` is polled (each poll stands for time passing), so a
 *   test decides exactly how many 202s a client sees. As in PostHog, the completed status's
 *   `results` is the whole query response (`{results, hasMore, …}`,
 *   posthog/clickhouse/client/execute_async.py), and the status is stored per team: polling it
 *   through another team's route answers 404 (QueryNotFoundError). Switches make the cached read
 *   after completion miss, and make the status vanish (its 10-minute TTL) at a chosen poll;
 * - list filters as PostHog's InsightViewSet._filter_request reads them (products/product_analytics/
 *   backend/api/insight.py): `created_by` is a JSON-encoded list of user ids (`json.loads`, then
 *   `created_by__id__in`): a bare number or text breaks the lookup, 500. Without `order` PostHog
 *   sorts by the mostly-NULL `order` column, so each request sees its own order (pages may skip
 *   or repeat insights); `order=[-]field` sorts for real;
 * - the query API (posthogHogql.ts): HogQL over a generated month of events with PostHog's
 *   limits (100-row default, silent 50,000 cap, OFFSET refused), asynchronous runs with progress
 *   and cancel, HogQLMetadata and DatabaseSchemaQuery (`/__control/hogql` shows and sets its state);
 * - keys without the `user:read` scope: `/api/users/@me/` answers 403 naming the scope;
 * - injected faults (429 with or without Retry-After, 5xx, HTML pages, truncated JSON, resets,
 *   slow bodies), from code or over `/__control/…` for tests running in another process.
 *
 * Run standalone: `node out/test/fakes/posthog.js [--port N]` prints one JSON line
 * `{"url","projectId","apiKey"}` and serves until SIGINT/SIGTERM.
 */
import type * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  type FakeResponse,
  type FakeServerSpec,
  type HttpFault,
  type Query,
  FaultQueue,
  RequestLog,
  bearerToken,
  deliver,
  empty,
  endpointOf,
  first,
  htmlLoginPage,
  json,
  listenFake,
  nginxErrorPage,
  normalizeFault,
  parseBody,
  parseQuery,
  readBody,
  requestOrigin,
  runStandalone,
  statusText,
  text,
} from './fakeHttp';
import { forbidden, invalid, methodNotAllowed, notFound, phError, unauthorized } from './posthogErrors';
import { type FakeInsight, SLOW_SHORT_ID, USERS, generatePostHogData, insightKind } from './posthogData';
import { PostHogManageState } from './posthogManage';
import { type HogQLFakeOptions, PostHogHogQLFake } from './posthogHogql';

export type { FakeInsight, FakeUser } from './posthogData';
export type { FakeActivity, FakeSharing, PostHogManageState } from './posthogManage';
export type { FakeEvent, HogQLFakeOptions, PostHogHogQLFake } from './posthogHogql';

export interface PostHogFakeOptions {
  /** 0 = random free port. */
  port?: number;
  /** Default `['phx_sandbox_key_0123456789abcdef']`. */
  apiKeys?: string[];
  /** Default `[1]`. */
  projectIds?: number[];
  /** How many 202 polls before the slow query completes; default 3. */
  slowInsightPolls?: number;
  /**
   * The team `/api/projects/:id/…` acts on, per project id (default: the same number). In PostHog
   * a project's routes act on one of its environments (teams), whose id need not be the project's;
   * `/api/environments/:id/…` always acts on team `id`.
   */
  projectTeams?: Record<number, number>;
  /** Keys whose scopes lack `user:read`: `/api/users/@me/` refuses them (403). */
  keysWithoutUserRead?: string[];
  /** The query API's events table and asynchronous runs (posthogHogql.ts). */
  hogql?: HogQLFakeOptions;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  hasAuthorization: boolean;
  authorization?: string;
  body?: unknown;
  time: number;
}

export interface Fault extends HttpFault {
  /** Puts "Expected available in N seconds." into the 429 detail. */
  retryAfterInDetail?: number;
}

export interface PostHogFake {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** First valid key. */
  apiKey: string;
  projectId: number;
  requests: RecordedRequest[];
  addFault(f: Fault): void;
  clearFaults(): void;
  /**
   * Clears faults, the request log, the viewed list and the slow-query state, and undoes every
   * change made through the API (edits, trash, created insights, sharing, activity).
   */
  reset(): void;
  /** Live data: what the server answers from (soft-deleted insights stay here with `deleted: true`). */
  insights: FakeInsight[];
  /** Activity log, sharing, views and thresholds behind the management routes. */
  manage: PostHogManageState;
  /**
   * Switches for the slow insight's asynchronous query (cleared by reset()): `cacheMissAfterAsync`
   * makes the insight's cached read miss once the query completed (the result then only exists in
   * the completed query status); `loseStatusAtPolls` lists polls (counted from 1 since reset)
   * that answer 404 and forget the status, as PostHog does once its 10-minute TTL passed.
   */
  slowQuery: { cacheMissAfterAsync: boolean; loseStatusAtPolls: number[] };
  /** HogQL on the query API (`POST query/`): events, running queries, cancels received. */
  hogql: PostHogHogQLFake;
  close(): Promise<void>;
}

export const SANDBOX_API_KEY = 'phx_sandbox_key_0123456789abcdef';

/** Refresh modes that make PostHog calculate (legacy `true` = force_blocking). */
const CALCULATING = new Set([
  'blocking',
  'force_blocking',
  'async',
  'force_async',
  'lazy_async',
  'async_except_on_cache_miss',
  'true',
]);

/** The fields of PostHog's InsightBasicSerializer, used by `basic=true` and `my_last_viewed`. */
const BASIC_FIELDS = [
  'id',
  'short_id',
  'name',
  'derived_name',
  'filters',
  'query',
  'dashboards',
  'description',
  'last_refresh',
  'saved',
  'tags',
  'updated_at',
  'created_by',
  'created_at',
  'last_modified_at',
  'favorited',
] as const;

// ---------------------------------------------------------------------------------------------
// PostHog's error answers

/** What the proxy in front of PostHog says when the app is unreachable (not JSON). */
const PROXY_TEXT: Record<number, string> = {
  502: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
  503: 'no healthy upstream',
  504: 'upstream request timeout',
};

/** The response a fault replaces the real one with, or undefined when it only alters delivery. */
function faultResponse(f: Fault): FakeResponse | undefined {
  if (f.html) {
    const status = f.status ?? 502;
    return text(status, status === 200 ? htmlLoginPage() : nginxErrorPage(status), 'text/html');
  }
  const s = f.status;
  if (s === undefined || s === 200) return undefined;
  if (s === 401) return unauthorized();
  if (s === 403) return forbidden();
  if (s === 404) return notFound();
  if (s === 429) {
    // DRF only mentions the wait when it knows it; clients must cope with both forms.
    const wait =
      f.retryAfterInDetail !== undefined ? ` Expected available in ${f.retryAfterInDetail} seconds.` : '';
    return phError(429, 'throttled_error', 'throttled', `Request was throttled.${wait}`);
  }
  if (s === 500) return phError(500, 'server_error', 'error', 'A server error occurred.');
  if (PROXY_TEXT[s]) return text(s, PROXY_TEXT[s]);
  if (s === 400) return invalid('Invalid input.', 'query');
  if (s >= 500) return phError(s, 'server_error', 'error', statusText(s));
  if (s >= 400) return phError(s, 'invalid_request', 'error', statusText(s));
  return json(s, {});
}

/** Fields the list can be ordered by (`order=[-]field`); any other is a Django FieldError (500). */
const ORDER_FIELDS = new Set(['id', 'name', 'created_at', 'last_modified_at', 'updated_at', 'last_viewed_at', 'short_id']);

const serverError = (): FakeResponse => phError(500, 'server_error', 'error', 'A server error occurred.');

function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (l === 'true' || l === '1') return true;
  if (l === 'false' || l === '0') return false;
  return undefined;
}

/** `tags` as PostHog takes it (a JSON-encoded list), also repeated or comma-separated. */
function parseTags(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const values = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const raw of values) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (Array.isArray(parsed)) {
        out.push(...parsed.map(String));
        continue;
      }
    } catch {
      /* not JSON: a plain tag list */
    }
    out.push(...raw.split(',').map((t) => t.trim()).filter(Boolean));
  }
  return out.length ? out : undefined;
}

function nonNegInt(v: string | undefined, fallback: number): number {
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function basic(ins: FakeInsight): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of BASIC_FIELDS) out[k] = ins[k];
  return out;
}

interface Ctx {
  method: string;
  pid: number;
  /** The team the route acts on (query status is stored per team). */
  team: number;
  url: URL;
  query: Query;
  body: unknown;
  isJson: boolean;
  origin: string;
}

interface SlowQuery {
  id: string;
  team: number;
  polls: number;
  startTime: string;
  endTime: string | null;
  complete: boolean;
}

type Handler = (c: Ctx, m: RegExpExecArray) => FakeResponse;

export async function startPostHogFake(opts: PostHogFakeOptions = {}): Promise<PostHogFake> {
  const apiKeys = opts.apiKeys && opts.apiKeys.length > 0 ? [...opts.apiKeys] : [SANDBOX_API_KEY];
  const projectIds = opts.projectIds && opts.projectIds.length > 0 ? [...opts.projectIds] : [1];
  const slowPolls = Math.max(0, opts.slowInsightPolls ?? 3);
  const noUserRead = new Set(opts.keysWithoutUserRead ?? []);
  const slowSwitches: PostHogFake['slowQuery'] = { cacheMissAfterAsync: false, loseStatusAtPolls: [] };
  let totalPolls = 0;
  let listRequests = 0;

  const data = generatePostHogData();
  const hogql = new PostHogHogQLFake(opts.hogql);
  const insights = data.insights;
  const slowInsight = insights.find((i) => i.short_id === SLOW_SHORT_ID);
  if (!slowInsight) throw new Error('data set lacks the slow insight');
  const slowSnapshot = { ...slowInsight };

  const faults = new FaultQueue<Fault>();
  const log = new RequestLog<RecordedRequest>();
  let viewed: number[] = [];
  let slow: SlowQuery | undefined;
  let port = 0;

  const resetSlow = (): void => {
    slow = undefined;
    Object.assign(slowInsight, {
      result: slowSnapshot.result,
      last_refresh: slowSnapshot.last_refresh,
      is_cached: slowSnapshot.is_cached,
      query_status: slowSnapshot.query_status,
      cache_target_age: slowSnapshot.cache_target_age,
      next_allowed_client_refresh: slowSnapshot.next_allowed_client_refresh,
    });
  };
  /** By numeric id or short_id; a soft-deleted insight is not found unless asked for. */
  const findInsight = (key: string, includeDeleted = false): FakeInsight | undefined => {
    const ins = /^\d+$/.test(key) ? insights.find((i) => i.id === Number(key)) : insights.find((i) => i.short_id === key);
    return ins && (includeDeleted || !ins.deleted) ? ins : undefined;
  };

  /** The query response a completed status carries (a TrendsQueryResponse's fields, posthog/schema.py). */
  const queryResponse = (q: SlowQuery): Record<string, unknown> => ({
    results: data.slowResult,
    hasMore: false,
    is_cached: false,
    last_refresh: q.endTime,
    next_allowed_client_refresh: q.endTime,
    cache_key: `cache_${q.id.replace(/-/g, '')}`,
    timezone: 'UTC',
    hogql: 'SELECT count() AS total FROM events',
    timings: [],
    query_status: null,
  });

  const queryStatus = (q: SlowQuery): Record<string, unknown> => ({
    id: q.id,
    query_async: true,
    team_id: q.team,
    insight_id: slowInsight.id,
    dashboard_id: null,
    complete: q.complete,
    error: false,
    error_message: null,
    results: q.complete ? queryResponse(q) : null,
    start_time: q.startTime,
    end_time: q.endTime,
    expiration_time: null,
    query_progress: null,
  });

  const completeSlow = (q: SlowQuery): void => {
    const now = new Date();
    q.complete = true;
    q.endTime = now.toISOString();
    if (slowSwitches.cacheMissAfterAsync) return;
    Object.assign(slowInsight, {
      result: data.slowResult,
      last_refresh: q.endTime,
      is_cached: true,
      query_status: null,
      cache_target_age: new Date(now.getTime() + 6 * 3_600_000).toISOString(),
      next_allowed_client_refresh: new Date(now.getTime() + 15 * 60_000).toISOString(),
    });
  };

  /**
   * An insight as one GET answers it; fetching the slow one with a calculating mode starts its
   * query. `alerts` are the insight's alerts (InsightSerializer.get_alerts), kept with its thresholds.
   */
  const view = (ins: FakeInsight, refresh: string, team: number): Record<string, unknown> => {
    const alerts = manage.alertsOf(ins.id);
    if (ins !== slowInsight || slow?.complete) return { ...ins, alerts };
    if (!slow && CALCULATING.has(refresh)) {
      slow = {
        id: randomUUID(),
        team,
        polls: 0,
        startTime: new Date().toISOString(),
        endTime: null,
        complete: false,
      };
    }
    return { ...ins, alerts, result: null, query_status: slow ? queryStatus(slow) : null };
  };

  const manage: PostHogManageState = new PostHogManageState({
    insights,
    find: findInsight,
    view: (ins, team) => view(ins, 'force_cache', team),
    basic: (ins) => basic(ins),
  });

  const reset = (): void => {
    faults.clear();
    log.clear();
    slowSwitches.cacheMissAfterAsync = false;
    slowSwitches.loseStatusAtPolls = [];
    totalPolls = 0;
    listRequests = 0;
    viewed = [...data.seedViewed];
    // Edits first: the slow insight's query state is then reset on top of its restored fields.
    manage.reset();
    resetSlow();
    hogql.reset();
  };
  reset();

  const cancelSlow = (id: string): void => {
    // PostHog deletes the status of a cancelled query; the insight is then uncalculated again.
    if (slow && !slow.complete && slow.id === id) slow = undefined;
  };

  const projectJson = (pid: number): Record<string, unknown> => ({
    id: pid,
    uuid: `0190a6c2-0000-7000-8000-${String(pid).padStart(12, '0')}`,
    organization: '0190a6c2-0000-7000-8000-0000000000aa',
    api_token: `phc_sandboxProjectToken${pid}`,
    name: pid === projectIds[0] ? 'Learning Platform' : `Learning Platform ${pid}`,
    timezone: 'UTC',
    is_demo: false,
  });

  const list: Handler = (c) => {
    const q = c.query;
    const search = first(q, 'search')?.toLowerCase();
    const shortId = first(q, 'short_id');
    const saved = parseBool(first(q, 'saved'));
    const favorited = parseBool(first(q, 'favorited'));
    const kind = first(q, 'insight')?.toUpperCase();
    const tags = parseTags(q.tags);
    // `user` (any value) means "created by the key's owner", as in PostHog's _filter_request.
    const mine = q.user !== undefined ? USERS[0].id : undefined;
    // `created_by`: json.loads, then `created_by__id__in=…`; an empty value or list filters nothing.
    const createdByText = first(q, 'created_by');
    let createdBy: number[] | undefined;
    if (createdByText) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(createdByText);
      } catch {
        return serverError();
      }
      if (!Array.isArray(parsed)) return serverError(); // TypeError: 'int' object is not iterable
      if (parsed.length) createdBy = parsed.map(Number);
    }
    const order = first(q, 'order');
    const orderKey = order?.replace(/^-/, '');
    if (orderKey !== undefined && orderKey !== '' && !ORDER_FIELDS.has(orderKey)) return serverError(); // FieldError
    let items = insights.filter(
      (i) =>
        !i.deleted &&
        (!tags || i.tags.some((t) => tags.includes(t))) &&
        (mine === undefined || i.created_by.id === mine) &&
        (createdBy === undefined || createdBy.includes(i.created_by.id)) &&
        (!search ||
          (i.name ?? '').toLowerCase().includes(search) ||
          (i.derived_name ?? '').toLowerCase().includes(search)) &&
        (shortId === undefined || i.short_id === shortId) &&
        (saved === undefined || i.saved === saved) &&
        (favorited === undefined || i.favorited === favorited) &&
        (!kind || insightKind(i) === kind),
    );
    listRequests += 1;
    if (orderKey) {
      const dir = order!.startsWith('-') ? -1 : 1;
      const key = orderKey as keyof FakeInsight;
      items = items.sort((a, b) => {
        const x = a[key] as string | number | null;
        const y = b[key] as string | number | null;
        return (x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1) * dir || a.id - b.id;
      });
    } else {
      // ORDER BY a mostly-NULL column: each query may return rows in its own order.
      const salt = listRequests;
      const shuffleKey = (id: number): number => ((id * 2654435761 + salt * 40503) >>> 0) % 1_000_003;
      items = items.sort((a, b) => shuffleKey(a.id) - shuffleKey(b.id));
    }
    const limit = nonNegInt(first(q, 'limit'), 100) || 100;
    const offset = nonNegInt(first(q, 'offset'), 0);
    // Links as DRF's LimitOffsetPagination builds them: the request URL with limit/offset replaced,
    // and no offset at all on the way back to the first page.
    const link = (off: number): string => {
      const p = new URLSearchParams(c.url.searchParams);
      p.set('limit', String(limit));
      if (off <= 0) p.delete('offset');
      else p.set('offset', String(off));
      return `${c.origin}${c.url.pathname}?${p.toString()}`;
    };
    const isBasic = parseBool(first(q, 'basic')) === true;
    const results = items
      .slice(offset, offset + limit)
      .map((i) => (isBasic ? basic(i) : view(i, 'force_cache', c.team)));
    return json(200, {
      count: items.length,
      next: offset + limit < items.length ? link(offset + limit) : null,
      previous: offset > 0 ? link(offset - limit) : null,
      results,
    });
  };

  const detail: Handler = (c, m) => {
    const ins = findInsight(m[1]);
    if (!ins) return notFound();
    if (parseBool(first(c.query, 'basic')) === true) return json(200, basic(ins));
    return json(200, view(ins, first(c.query, 'refresh') ?? 'force_cache', c.team));
  };

  const lastViewed: Handler = () => {
    const out = viewed
      .map((id) => insights.find((i) => i.id === id && !i.deleted))
      .filter((i): i is FakeInsight => i !== undefined)
      .slice(0, 5)
      .map(basic);
    return json(200, out);
  };

  const markViewed: Handler = (c) => {
    const ids =
      c.isJson && typeof c.body === 'object' && c.body !== null
        ? (c.body as { insight_ids?: unknown }).insight_ids
        : undefined;
    if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x)))
      return invalid('insight_ids must be a list', 'insight_ids');
    for (const id of ids as number[]) {
      if (!insights.some((i) => i.id === id && !i.deleted)) continue;
      viewed = [id, ...viewed.filter((v) => v !== id)];
      manage.recordView(id);
    }
    viewed = viewed.slice(0, 50);
    return empty(201);
  };

  const cancel: Handler = (c) => {
    const id =
      c.isJson && typeof c.body === 'object' && c.body !== null
        ? (c.body as { client_query_id?: unknown }).client_query_id
        : undefined;
    if (typeof id !== 'string' || id === '')
      return invalid('This field is required.', 'client_query_id', 'required');
    cancelSlow(id);
    return empty(201);
  };

  // QueryViewSet.retrieve (posthog/api/query.py): the status of this team's query, 202 while
  // running, 200 when complete; a status this team does not have is QueryNotFoundError (404).
  const poll: Handler = (c, m) => {
    if (hogql.knows(m[1])) return hogql.poll(c.team, m[1], first(c.query, 'show_progress') === 'true' || first(c.query, 'showProgress') === 'true');
    const lost = (): FakeResponse => notFound(`Query ${m[1]} not found for team ${c.team}`);
    if (!slow || slow.id !== m[1] || slow.team !== c.team) return lost();
    totalPolls += 1;
    if (slowSwitches.loseStatusAtPolls.includes(totalPolls)) {
      slow = undefined;
      return lost();
    }
    if (!slow.complete) {
      slow.polls += 1;
      if (slow.polls > slowPolls) completeSlow(slow);
    }
    return json(slow.complete ? 200 : 202, { query_status: queryStatus(slow) });
  };

  const deleteQuery: Handler = (c, m) => {
    if (slow?.id === m[1]) {
      cancelSlow(m[1]);
      return empty(204);
    }
    // QueryViewSet.destroy: 200 `{message}` for any id, known or not (posthogHogql.ts).
    return hogql.cancel(c.team, m[1]);
  };

  const projectRoutes: { re: RegExp; methods: Record<string, Handler>; emptyOn405?: string[] }[] = [
    { re: /^$/, methods: { GET: (c) => json(200, projectJson(c.pid)) } },
    { re: /^insights$/, methods: { GET: list, POST: (c) => manage.create(c) } },
    ...manage.routes(),
    { re: /^insights\/my_last_viewed$/, methods: { GET: lastViewed } },
    { re: /^insights\/viewed$/, methods: { POST: markViewed } },
    { re: /^insights\/cancel$/, methods: { POST: cancel } },
    // PostHog never hard-deletes insights: DELETE is 405 with an empty body.
    {
      re: /^insights\/([^/]+)$/,
      methods: { GET: detail, PATCH: (c, m) => manage.update(c, m[1]) },
      emptyOn405: ['DELETE'],
    },
    { re: /^query$/, methods: { POST: (c) => hogql.create(c.team, c.body) } },
    { re: /^query\/([^/]+)$/, methods: { GET: poll, DELETE: deleteQuery } },
  ];

  const authenticate = (req: http.IncomingMessage): boolean => {
    const key = bearerToken(req);
    return key !== undefined && apiKeys.includes(key);
  };

  const route = (req: http.IncomingMessage, url: URL, body: unknown, isJson: boolean): FakeResponse => {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    const base = {
      method,
      url,
      query: parseQuery(url.searchParams),
      body,
      isJson,
      origin: requestOrigin(req, port),
    };

    if (path === '/api/projects' || path === '/api/environments') {
      if (!authenticate(req)) return unauthorized();
      if (method !== 'GET') return methodNotAllowed(method);
      return json(200, {
        count: projectIds.length,
        next: null,
        previous: null,
        results: projectIds.map(projectJson),
      });
    }
    if (path === '/api/users/@me') {
      if (!authenticate(req)) return unauthorized();
      if (method !== 'GET') return methodNotAllowed(method);
      // `/api/users/@me/` is `scope_object = "user"` under APIScopePermission (posthog/permissions.py;
      // PostHog's own code notes it is the `user:read` bucket), so a personal key without user:read
      // is refused. The detail's wording is as seen in public reports (not read in the source).
      if (noUserRead.has(bearerToken(req) ?? '')) return phError(403, 'authentication_error', 'permission_denied', "API key missing required scope 'user:read'");
      return json(200, {
        id: USERS[0].id,
        uuid: USERS[0].uuid,
        distinct_id: USERS[0].distinct_id,
        first_name: 'Dana',
        last_name: 'Okafor',
        email: 'dana.okafor@example.edu',
        team: { id: projectIds[0], name: 'Learning Platform' },
        organization: { id: '0190a6c2-0000-7000-8000-0000000000aa', name: 'Example University' },
      });
    }

    // The public page of a shared insight: no API key, only the access token in the path.
    const shared = /^\/shared\/([^/]+)$/.exec(path);
    if (shared && method === 'GET') return manage.sharedPage(decodeURIComponent(shared[1]));

    const m = /^\/api\/(?:projects|environments)\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!m) return notFound();
    const rest = m[2] ?? '';
    const r = projectRoutes.map((rt) => ({ rt, match: rt.re.exec(rest) })).find((x) => x.match !== null);
    if (!r || !r.match) return notFound();

    if (!authenticate(req)) return unauthorized();
    const pid = m[1] === '@current' ? projectIds[0] : /^\d+$/.test(m[1]) ? Number(m[1]) : NaN;
    if (!projectIds.includes(pid)) return Number.isNaN(pid) ? notFound() : forbidden();
    const team = path.startsWith('/api/projects/') ? (opts.projectTeams?.[pid] ?? pid) : pid;

    const handler = r.rt.methods[method];
    if (!handler) return r.rt.emptyOn405?.includes(method) ? empty(405) : methodNotAllowed(method);
    return handler({ ...base, pid, team }, r.match);
  };

  const addFault = (f: unknown): void =>
    faults.add(normalizeFault<Fault>(f, { retryAfterInDetail: 'number' }));

  const respond: FakeServerSpec<Fault>['respond'] = (req, url, body, fault) =>
    (fault && faultResponse(fault)) ?? route(req, url, body.value, body.isJson);
  // The query API's state for tests in another process (posthogHogql.ts `control`).
  const preRoute: FakeServerSpec<Fault>['preRoute'] = async (req, res, url) => {
    if (url.pathname.replace(/\/+$/, '') !== '/__control/hogql') return false;
    await deliver(res, hogql.control(req.method ?? 'GET', parseBody(await readBody(req)).value));
    return true;
  };
  const started = await listenFake({ faults, log, addFault, reset, respond, preRoute }, opts.port ?? 0);
  port = started.port;

  return {
    ...endpointOf(started),
    apiKey: apiKeys[0],
    projectId: projectIds[0],
    requests: log.entries,
    addFault: (f: Fault) => addFault(f),
    clearFaults: () => faults.clear(),
    reset,
    insights,
    manage,
    slowQuery: slowSwitches,
    hogql,
  };
}

if (require.main === module) {
  // The sandbox key is a published constant, not a credential: newcomers need it to sign in.
  runStandalone('posthog', 'POSTHOG_FAKE_PORT', startPostHogFake, (fake) => ({
    url: fake.url,
    projectId: fake.projectId,
    apiKey: fake.apiKey,
  }));
}
