/**
 * PostHog REST client: insights listing (limit/offset pages with absolute `next` links), fetching
 * with a refresh mode and polling of async query_status, marking viewed, recently viewed; and
 * managing insights: update, create, soft delete/restore, trending, activity, sharing, thresholds.
 */
import { randomUUID } from 'node:crypto';
import { InsightError } from '../../errors';
import { HttpClient, HttpLimits, HttpStatusError, Listing, abortableSleep } from '../../http';
import { Logger, Redactor } from '../../log';
import { parseBaseUrl } from '../../url';
import { ActivityEntry, ActivityPage } from './activity';
import { PostHogThreshold } from './alerts';
import { CreatedSharePassword, SharingPatch, SharingState } from './sharing';
import { InsightFilterKind, InsightPatch, NewInsight, Page, PostHogInsight, PostHogMe, QueryResponse, QueryStatus, RefreshMode, TrendingInsight } from './types';

export interface PostHogConfig {
  baseUrl: string;
  projectId: string;
  /** Treat projectId as an environment id (`/api/environments/:id/…`), an alias server-side. */
  environment?: boolean;
  apiKey: string;
  logger?: Logger;
  redactor?: Redactor;
  /** Poll interval for running queries (ms). */
  pollIntervalMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Body cap, per-request deadline, listing budget (HttpClient's defaults when left out). */
  limits?: HttpLimits;
}

export const POSTHOG_CLOUD = {
  us: 'https://us.posthog.com',
  eu: 'https://eu.posthog.com',
} as const;

export interface ListOptions {
  search?: string;
  limit?: number;
  basic?: boolean;
  signal?: AbortSignal;
  /** Insights carrying any of these tags. */
  tags?: string[];
  favorited?: boolean;
  kind?: InsightFilterKind;
  /**
   * A user id (sent as PostHog's JSON-encoded list, `created_by=[42]`), or 'me' for the key's
   * owner (`user=true`, which needs no id).
   */
  createdBy?: number | 'me';
}

export interface GetOptions {
  refresh?: RefreshMode;
  signal?: AbortSignal;
  /** Gives up polling after this long (ms). */
  timeoutMs?: number;
  /** Called while a query runs, for progress UI. */
  onProgress?: (status: QueryStatus, polls: number) => void;
  /** The client query id sent with the request, so a running calculation can be cancelled. */
  clientQueryId?: string;
}

export class PostHogClient {
  readonly http: HttpClient;
  private readonly prefix: string;

  constructor(private readonly cfg: PostHogConfig) {
    if (!/^\d+$/.test(cfg.projectId.trim())) {
      throw new InsightError('usage', `PostHog project id must be a number, got "${cfg.projectId}".`, {
        next: 'Copy it from Project settings in PostHog (the number in /project/<id>/).',
      });
    }
    const redactor = cfg.redactor ?? new Redactor();
    redactor.add(cfg.apiKey);
    this.prefix = `api/${cfg.environment ? 'environments' : 'projects'}/${cfg.projectId.trim()}`;
    this.http = new HttpClient({
      ...cfg.limits,
      baseUrl: parseBaseUrl(cfg.baseUrl, 'PostHog URL'),
      auth: () => ({ authorization: `Bearer ${cfg.apiKey}` }),
      logger: cfg.logger,
      redactor,
      retry: cfg.retry,
      sleep: cfg.sleep,
      describeError: (e) => describePostHogError(e, cfg.projectId),
    });
  }

  get projectId(): string {
    return this.cfg.projectId;
  }

  private path(rest: string): string {
    return `${this.prefix}/${rest}`;
  }

  /** A path under this project's API prefix (`api/projects/:id/…` or `api/environments/:id/…`). */
  apiPath(rest: string): string {
    return this.path(rest);
  }

  /** One page of insights; pass `next` (an absolute URL from the previous page) to continue. */
  async listPage(opts: ListOptions & { next?: string; listing?: Listing } = {}): Promise<Page<PostHogInsight>> {
    const target = opts.next ? this.checkNext(opts.next) : this.path('insights/');
    const res = await this.http.json<Page<PostHogInsight>>(target, {
      query: opts.next ? undefined : listQuery(opts),
      signal: opts.signal,
      listing: opts.listing,
    });
    const body = res.body;
    if (!body || !Array.isArray(body.results)) {
      throw new InsightError('data', 'PostHog returned an unexpected insights listing (no results array).', { next: 'Check the base URL points at PostHog.' });
    }
    return body;
  }

  /**
   * Every saved insight across all pages, in server order (newest change first). Pages are
   * limit/offset slices, so an insight saved meanwhile shifts the boundary: one seen on an earlier
   * page is not listed twice.
   */
  async listAll(opts: ListOptions = {}): Promise<PostHogInsight[]> {
    const all: PostHogInsight[] = [];
    // Insights saved while paging shift the offsets: an id already listed is skipped.
    const seen = new Set<number>();
    const add = (results: PostHogInsight[]) => {
      for (const i of results) {
        if (seen.has(i.id)) continue;
        seen.add(i.id);
        all.push(i);
      }
    };
    // A `next` pointing back at a page already read ends the listing (it would never end).
    const listing = this.http.listing('the PostHog insights listing');
    let page = await this.listPage({ ...opts, listing });
    add(page.results);
    while (page.next) {
      page = await this.listPage({ ...opts, next: page.next, listing });
      add(page.results);
    }
    return all;
  }

  /**
   * `next` links are absolute. Following one on another origin would send the key elsewhere
   * (HttpClient would strip it, but the listing would silently come from a different server).
   */
  private checkNext(next: string): URL {
    const url = new URL(next, this.http.baseUrl);
    if (url.origin !== this.http.baseUrl.origin) {
      throw new InsightError('data', `PostHog returned a next page on another origin (${url.origin}).`, {
        next: 'Check SITE_URL of the self-hosted instance.',
      });
    }
    return url;
  }

  async recentlyViewed(signal?: AbortSignal): Promise<PostHogInsight[]> {
    const res = await this.http.json<PostHogInsight[] | Page<PostHogInsight>>(this.path('insights/my_last_viewed/'), { signal });
    return Array.isArray(res.body) ? res.body : (res.body?.results ?? []);
  }

  async markViewed(ids: number[], signal?: AbortSignal): Promise<void> {
    await this.http.text(this.path('insights/viewed/'), { method: 'POST', json: { insight_ids: ids }, signal });
  }

  async cancelQuery(clientQueryId: string, signal?: AbortSignal): Promise<void> {
    await this.http.text(this.path('insights/cancel/'), { method: 'POST', json: { client_query_id: clientQueryId }, signal });
  }

  /** Cheap call used by Test Connection: the first page of insights, basic fields only. */
  async testConnection(signal?: AbortSignal): Promise<{ count: number }> {
    const page = await this.listPage({ limit: 1, basic: true, signal });
    return { count: page.count ?? page.results.length };
  }

  /**
   * Fetches an insight (numeric id or short_id). When the answer carries a running query_status,
   * polls the query endpoint until it completes, then refetches with force_cache, which carries
   * the result; when that cache read misses, the result comes from the completed status, whose
   * `results` is the whole query response. A concurrency-limit error is PostHog asking us to
   * wait, not a failure. A query status PostHog no longer has (404: it lives 10 minutes, per
   * team) makes us ask for the insight once more, which starts or finds the calculation again.
   */
  async getInsight(id: string | number, opts: GetOptions = {}): Promise<PostHogInsight> {
    const refresh = opts.refresh ?? 'blocking';
    const clientQueryId = opts.clientQueryId ?? randomUUID();
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    const sleep = this.cfg.sleep ?? abortableSleep;
    const interval = this.cfg.pollIntervalMs ?? 1000;
    const idText = String(id).trim();
    if (!/^[A-Za-z0-9]+$/.test(idText)) throw new InsightError('usage', `Invalid insight id "${idText}": use the numeric id or the 8-character short id.`);

    // The detail route takes the numeric id or the 8-character short_id (API-NOTES.md).
    const fetchOnce = async (mode: string): Promise<PostHogInsight> => {
      const res = await this.http.json<PostHogInsight>(this.path(`insights/${idText}/`), {
        query: { refresh: mode, client_query_id: clientQueryId },
        signal: opts.signal,
      });
      if (!res.body || typeof res.body !== 'object') throw new InsightError('data', `PostHog returned an empty answer for insight ${idText}.`);
      return res.body;
    };

    let insight = await fetchOnce(refresh);
    let polls = 0;
    let concurrencyRetries = 0;
    let refetchedAfterLostQuery = false;
    for (;;) {
      const st = insight.query_status;
      if (!st || st.complete || insight.result != null) {
        if (st?.error && st.error_message) throw queryFailed(st, idText);
        return insight;
      }
      if (st.error) {
        if (st.error_message === 'concurrency_limit_exceeded' && concurrencyRetries < 5 && Date.now() < deadline) {
          concurrencyRetries++;
          await sleep(interval * 2 ** concurrencyRetries, opts.signal);
          insight = await fetchOnce(refresh);
          continue;
        }
        throw queryFailed(st, idText);
      }
      // Running: poll the query until complete.
      let status: QueryStatus;
      try {
        status = await this.pollQuery(st, opts, deadline, sleep, interval, () => polls++);
      } catch (e) {
        if (!(e instanceof InsightError && e.kind === 'notFound')) throw e;
        if (refetchedAfterLostQuery) {
          throw new InsightError('notFound', `PostHog no longer knows query ${st.id} of insight ${idText} (404), even after fetching the insight again.`, {
            status: 404,
            next: 'Refresh the insight again; if it keeps happening, open it in PostHog.',
          });
        }
        refetchedAfterLostQuery = true;
        insight = await fetchOnce(refresh);
        continue;
      }
      if (status.error) throw queryFailed(status, idText);
      insight = await fetchOnce('force_cache');
      if (insight.result == null && status.results != null) insight = withQueryResponse(insight, status);
      if (insight.result == null && insight.query_status && !insight.query_status.complete) continue;
      return insight;
    }
  }

  /** Basic fields only (name, query, tags…, no result): never triggers a calculation. */
  async getInsightBasic(id: string | number, signal?: AbortSignal): Promise<PostHogInsight> {
    const res = await this.http.json<PostHogInsight>(this.path(`insights/${insightIdPath(id)}/`), { query: { basic: 'true' }, signal });
    if (!res.body || typeof res.body !== 'object') throw new InsightError('data', `PostHog returned an empty answer for insight ${id}.`);
    return res.body;
  }

  /** `PATCH …/insights/:id/`: rename, describe, tag, favourite, change the query, (un)delete. */
  async updateInsight(id: string | number, patch: InsightPatch, signal?: AbortSignal): Promise<PostHogInsight> {
    const res = await this.http.json<PostHogInsight>(this.path(`insights/${insightIdPath(id)}/`), { method: 'PATCH', json: patch, signal });
    return res.body;
  }

  /**
   * Soft delete. PostHog refuses DELETE on insights (405, empty body): an insight goes to the
   * trash with `deleted: true` and is then 404 until restored.
   */
  async trashInsight(id: string | number, signal?: AbortSignal): Promise<PostHogInsight> {
    return this.updateInsight(id, { deleted: true }, signal);
  }

  async restoreInsight(id: string | number, signal?: AbortSignal): Promise<PostHogInsight> {
    return this.updateInsight(id, { deleted: false }, signal);
  }

  /** `POST …/insights/` (201). Saved, so it shows in the insights list. */
  async createInsight(body: NewInsight, signal?: AbortSignal): Promise<PostHogInsight> {
    const res = await this.http.json<PostHogInsight>(this.path('insights/'), { method: 'POST', json: { saved: true, ...body }, signal });
    if (!res.body || typeof res.body !== 'object' || typeof res.body.id !== 'number') {
      throw new InsightError('data', 'PostHog did not return the new insight.', { next: 'Check the insights list in PostHog before trying again.' });
    }
    return res.body;
  }

  /**
   * The owner of the API key. Needs the key's `user:read` scope: without it PostHog answers 403,
   * which becomes an InsightError of kind 'auth' that names the scope.
   */
  async currentUser(signal?: AbortSignal): Promise<PostHogMe> {
    try {
      const res = await this.http.json<PostHogMe>('api/users/@me/', { signal });
      return res.body ?? {};
    } catch (e) {
      if (e instanceof InsightError && e.status === 403) {
        throw new InsightError('auth', 'PostHog would not say who owns this API key (403): the key lacks the user:read scope.', {
          status: 403,
          next: 'Add the user:read scope to the personal API key in PostHog, or filter without “Created by me”.',
        });
      }
      throw e;
    }
  }

  /**
   * The alerts on an insight, read fresh from the full insight (`alerts`; refresh=force_cache
   * never calculates). PostHog deletes them when the insight goes to the trash, and restoring the
   * insight does not bring them back (InsightSerializer.update in PostHog's
   * products/product_analytics/backend/api/insight.py).
   */
  async insightAlerts(id: string | number, signal?: AbortSignal): Promise<unknown[]> {
    const res = await this.http.json<PostHogInsight>(this.path(`insights/${insightIdPath(id)}/`), { query: { refresh: 'force_cache' }, signal });
    return Array.isArray(res.body?.alerts) ? res.body.alerts : [];
  }

  /** Most viewed insights over the last `days` days (`view_count` per entry). */
  async trending(opts: { days?: number; limit?: number; signal?: AbortSignal } = {}): Promise<TrendingInsight[]> {
    const res = await this.http.json<Page<TrendingInsight> | TrendingInsight[]>(this.path('insights/trending/'), {
      query: { days: opts.days ?? 7, limit: opts.limit ?? 10 },
      signal: opts.signal,
    });
    return Array.isArray(res.body) ? res.body : (res.body?.results ?? []);
  }

  /**
   * One page of the activity log: of one insight (numeric id; the activity route does not take
   * short ids) or of every insight of the project. Pages are numbered from 1.
   */
  async activityPage(opts: { insightId?: number; page?: number; limit?: number; next?: string; signal?: AbortSignal; listing?: Listing } = {}): Promise<ActivityPage> {
    const target = opts.next ? this.checkNext(opts.next) : this.path(opts.insightId !== undefined ? `insights/${insightIdPath(opts.insightId)}/activity/` : 'insights/activity/');
    const res = await this.http.json<ActivityPage>(target, {
      query: opts.next ? undefined : { page: opts.page ?? 1, limit: opts.limit ?? 50 },
      signal: opts.signal,
      listing: opts.listing,
    });
    const body = res.body;
    if (!body || !Array.isArray(body.results)) throw new InsightError('data', 'PostHog returned an unexpected activity page (no results array).');
    return body;
  }

  /** The latest activity entries, following `next` until `max` entries or the last page. */
  async activity(opts: { insightId?: number; max?: number; pageSize?: number; signal?: AbortSignal } = {}): Promise<{ entries: ActivityEntry[]; totalCount?: number }> {
    const max = opts.max ?? Infinity;
    const entries: ActivityEntry[] = [];
    const listing = this.http.listing('the PostHog activity listing');
    let page = await this.activityPage({ insightId: opts.insightId, limit: opts.pageSize, signal: opts.signal, listing });
    entries.push(...page.results);
    while (page.next && entries.length < max) {
      page = await this.activityPage({ next: page.next, signal: opts.signal, listing });
      entries.push(...page.results);
    }
    return { entries: entries.slice(0, max), totalCount: page.total_count };
  }

  async sharing(id: string | number, signal?: AbortSignal): Promise<SharingState> {
    return (await this.http.json<SharingState>(this.path(`insights/${insightIdPath(id)}/sharing/`), { signal })).body;
  }

  async updateSharing(id: string | number, patch: SharingPatch, signal?: AbortSignal): Promise<SharingState> {
    return (await this.http.json<SharingState>(this.path(`insights/${insightIdPath(id)}/sharing/`), { method: 'PATCH', json: patch, signal })).body;
  }

  /** A new access token: the old public link stops working at once. */
  async refreshSharing(id: string | number, signal?: AbortSignal): Promise<SharingState> {
    return (await this.http.json<SharingState>(this.path(`insights/${insightIdPath(id)}/sharing/refresh/`), { method: 'POST', json: {}, signal })).body;
  }

  /**
   * Adds a share password (PostHog generates one when `rawPassword` is empty). The answer is the
   * only time its plain text exists: callers show it once and keep nothing.
   */
  async addSharePassword(id: string | number, opts: { rawPassword?: string; note?: string; signal?: AbortSignal } = {}): Promise<CreatedSharePassword> {
    const body: Record<string, string> = {};
    if (opts.rawPassword) {
      body.raw_password = opts.rawPassword;
      this.http.redactor.add(opts.rawPassword);
    }
    if (opts.note) body.note = opts.note;
    const res = await this.http.json<CreatedSharePassword>(this.path(`insights/${insightIdPath(id)}/sharing/passwords/`), { method: 'POST', json: body, signal: opts.signal });
    if (!res.body || typeof res.body.password !== 'string') throw new InsightError('data', 'PostHog did not return the new share password.');
    this.http.redactor.add(res.body.password);
    return res.body;
  }

  async removeSharePassword(id: string | number, passwordId: string | number, signal?: AbortSignal): Promise<void> {
    await this.http.text(this.path(`insights/${insightIdPath(id)}/sharing/passwords/${encodeURIComponent(String(passwordId))}/`), { method: 'DELETE', signal });
  }

  /** Thresholds of an insight, each with the alerts that use it (read-only). */
  async thresholds(id: string | number, signal?: AbortSignal): Promise<PostHogThreshold[]> {
    const res = await this.http.json<Page<PostHogThreshold> | PostHogThreshold[]>(this.path(`insights/${insightIdPath(id)}/thresholds/`), { signal });
    return Array.isArray(res.body) ? res.body : (res.body?.results ?? []);
  }

  private async pollQuery(
    st: QueryStatus,
    opts: GetOptions,
    deadline: number,
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
    interval: number,
    tick: () => number,
  ): Promise<QueryStatus> {
    let status = st;
    for (;;) {
      if (Date.now() > deadline) {
        throw new InsightError('timeout', `PostHog is still calculating query ${st.id}.`, { next: 'Try again later with refresh mode force_cache, or raise the timeout.' });
      }
      await sleep(interval, opts.signal);
      const n = tick() + 1;
      // Query status is stored per team (execute_async.py keys it by query id and team id), and
      // the query route exists under both /projects/ and /environments/ (posthog/api/__init__.py):
      // poll through the same route and id the insight came from.
      const res = await this.http.json<{ query_status?: QueryStatus } & Partial<QueryStatus>>(this.path(`query/${encodeURIComponent(st.id)}/`), {
        signal: opts.signal,
        acceptStatus: (s) => s === 400,
      });
      const body = res.body ?? {};
      status = (body.query_status ?? (body as QueryStatus)) as QueryStatus;
      if (res.status === 400) return { ...status, error: true, error_message: status.error_message ?? 'query failed' };
      opts.onProgress?.(status, n);
      if (res.status === 200 && status.complete) return status;
    }
  }
}

/**
 * List parameters as PostHog reads them (InsightViewSet._filter_request in PostHog's
 * products/product_analytics/backend/api/insight.py): `tags` and `created_by` are JSON-encoded
 * lists (`json.loads`; a bare number there breaks the server's `__in` lookup: 500). Without
 * `order` PostHog sorts by the mostly-NULL `order` column, so limit/offset pages come in no fixed
 * order; `-last_modified_at` is what PostHog's own insights list sends.
 */
function listQuery(opts: ListOptions): Record<string, string | number | undefined> {
  return {
    order: '-last_modified_at',
    limit: opts.limit ?? 100,
    search: opts.search || undefined,
    basic: opts.basic ? 'true' : undefined,
    saved: 'true',
    tags: opts.tags?.length ? JSON.stringify(opts.tags) : undefined,
    // PostHog filters on the parameter's presence (`favorited` in GET), so only ever send true.
    favorited: opts.favorited ? 'true' : undefined,
    insight: opts.kind,
    created_by: typeof opts.createdBy === 'number' ? JSON.stringify([opts.createdBy]) : undefined,
    user: opts.createdBy === 'me' ? 'true' : undefined,
  };
}

/**
 * The insight with the result of a completed asynchronous query: `status.results` is the whole
 * query response (`{results, columns, hasMore, …}`). A bare array (rows as such) is taken as is.
 */
export function withQueryResponse(insight: PostHogInsight, status: QueryStatus): PostHogInsight {
  const response = status.results as QueryResponse | unknown[] | null | undefined;
  if (Array.isArray(response)) return { ...insight, result: response, query_status: status };
  if (!response || typeof response !== 'object') return insight;
  const result = response.results ?? response.result;
  if (result === undefined) return insight;
  return {
    ...insight,
    result,
    ...(Array.isArray(response.columns) ? { columns: response.columns } : {}),
    ...(typeof response.hasMore === 'boolean' ? { hasMore: response.hasMore } : {}),
    query_status: status,
  };
}

function insightIdPath(id: string | number): string {
  const text = String(id).trim();
  if (!/^[A-Za-z0-9]+$/.test(text)) throw new InsightError('usage', `Invalid insight id "${text}": use the numeric id or the 8-character short id.`);
  return text;
}

/**
 * PostHog's 400 `{type: "validation_error", code, detail, attr}`, kept whole so an editor can put
 * the message where `attr` points (a field of the insight, nested fields joined by `__`).
 */
export class PostHogValidationError extends InsightError {
  constructor(
    message: string,
    readonly detail: string,
    readonly attr: string | null,
    readonly code: string | undefined,
  ) {
    super('usage', message, { status: 400 });
  }
}

function queryFailed(st: QueryStatus, id: string): InsightError {
  return new InsightError('server', `PostHog could not calculate insight ${id}: ${st.error_message ?? 'query failed'}.`, { next: 'Open it in PostHog to check its query, then refresh.' });
}

/** PostHog's `{type, code, detail, attr}` errors as one line with the next step. */
export function describePostHogError(e: HttpStatusError, projectId: string): InsightError {
  const detail = e.detail;
  const path = e.url.pathname;
  switch (e.status) {
    case 401:
      return new InsightError('auth', 'PostHog refused the API key (401 Unauthorized).', { status: 401, next: 'Set Credentials with a personal API key (phx_…) that has insight:read.' });
    case 403:
      return new InsightError('auth', `PostHog denied access to project ${projectId} (403)${detail ? `: ${detail}` : ''}.`, {
        status: 403,
        next: 'Check the project id and that the key has the insight scopes for this project.',
      });
    case 404:
      return new InsightError('notFound', /\/insights\/[^/]+\/?$/.test(path) ? `PostHog insight not found (404) in project ${projectId}.` : `PostHog project ${projectId} or endpoint not found (404).`, {
        status: 404,
        next: 'Check the project id and the insight id.',
      });
    case 400: {
      const message = `PostHog rejected the request (400)${detail ? `: ${detail}` : ''}${/[.!?]$/.test(detail ?? '') ? '' : '.'}`;
      let body: { attr?: unknown; code?: unknown } = {};
      try {
        body = JSON.parse(e.bodyText) as typeof body;
      } catch {
        /* not JSON: no attr */
      }
      return new PostHogValidationError(message, detail ?? 'Invalid input.', typeof body.attr === 'string' ? body.attr : null, typeof body.code === 'string' ? body.code : undefined);
    }
    case 405:
      return new InsightError('usage', `PostHog does not allow ${e.url.pathname.includes('/insights/') ? 'that on insights' : 'that'} (405 Method Not Allowed).`, { status: 405 });
    default:
      return new InsightError('server', `PostHog failed with HTTP ${e.status}${detail ? `: ${detail}` : ''}.`, { status: e.status, next: 'Try again later.' });
  }
}
