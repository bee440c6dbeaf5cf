/** The parts of PostHog's insight objects we read (API-NOTES.md "Insight fields"). */
export interface PostHogUser {
  id?: number;
  uuid?: string;
  first_name?: string;
  email?: string;
}

/**
 * PostHog's QueryStatus. When an asynchronous query completes, `results` holds the whole query
 * response (`{results, columns, hasMore, …}`), not the rows: execute_process_query stores
 * `query_status.results = process_query(…)` (posthog/clickhouse/client/execute_async.py).
 */
export interface QueryStatus {
  id: string;
  query_async?: boolean;
  complete: boolean;
  error: boolean;
  error_message?: string | null;
  results?: QueryResponse | null;
  team_id?: number;
  insight_id?: number | string | null;
  start_time?: string | null;
  end_time?: string | null;
  query_progress?: unknown;
}

/** The part of a query response (posthog/api/services/query.py, process_query) a result is read from. */
export interface QueryResponse {
  results?: unknown;
  result?: unknown;
  columns?: string[] | null;
  hasMore?: boolean | null;
  types?: unknown;
  [key: string]: unknown;
}

export interface PostHogInsight {
  id: number;
  short_id: string;
  name: string | null;
  derived_name?: string | null;
  description?: string | null;
  query?: Record<string, unknown> | null;
  filters?: Record<string, unknown>;
  result?: unknown;
  columns?: string[] | null;
  last_refresh?: string | null;
  is_cached?: boolean;
  query_status?: QueryStatus | null;
  tags?: string[];
  favorited?: boolean;
  saved?: boolean;
  created_at?: string;
  created_by?: PostHogUser | null;
  last_modified_at?: string;
  last_viewed_at?: string | null;
  timezone?: string;
  /** Alerts on the insight (full serializer only; `[]` when its query kind cannot carry alerts). */
  alerts?: unknown[];
  [key: string]: unknown;
}

export interface Page<T> {
  count?: number;
  next: string | null;
  previous?: string | null;
  results: T[];
}

export const REFRESH_MODES = ['blocking', 'force_cache', 'async', 'lazy_async', 'force_blocking', 'force_async', 'async_except_on_cache_miss'] as const;
export type RefreshMode = (typeof REFRESH_MODES)[number];

export type InsightKind = 'trends' | 'funnels' | 'retention' | 'paths' | 'stickiness' | 'lifecycle' | 'sql' | 'other';

/** The display name PostHog's UI shows: name, else derived_name, else "Untitled". */
export function insightName(i: Pick<PostHogInsight, 'name' | 'derived_name'>): string {
  return i.name || i.derived_name || '';
}

/** Reads the kind from the query (new-style insights) or legacy filters. */
export function insightKind(i: Pick<PostHogInsight, 'query' | 'filters'>): InsightKind {
  const q = i.query as { kind?: string; source?: { kind?: string } } | null | undefined;
  const k = (q?.source?.kind ?? q?.kind ?? '') as string;
  const map: Record<string, InsightKind> = {
    TrendsQuery: 'trends',
    FunnelsQuery: 'funnels',
    RetentionQuery: 'retention',
    PathsQuery: 'paths',
    StickinessQuery: 'stickiness',
    LifecycleQuery: 'lifecycle',
    HogQLQuery: 'sql',
  };
  if (map[k]) return map[k];
  const legacy = String((i.filters as { insight?: string } | undefined)?.insight ?? '').toLowerCase();
  if (['trends', 'funnels', 'retention', 'paths', 'stickiness', 'lifecycle'].includes(legacy)) return legacy as InsightKind;
  return 'other';
}

/** PostHog's `insight` list filter values (API-NOTES.md "List"). */
export const INSIGHT_FILTER_KINDS = ['TRENDS', 'FUNNELS', 'RETENTION', 'PATHS', 'STICKINESS', 'LIFECYCLE', 'SQL', 'JSON'] as const;
export type InsightFilterKind = (typeof INSIGHT_FILTER_KINDS)[number];

/** The fields an insight can be changed through (`PATCH …/insights/:id/`). */
export interface InsightPatch {
  name?: string;
  description?: string;
  tags?: string[];
  favorited?: boolean;
  /** Soft delete: PostHog refuses DELETE (405); `deleted: false` restores. */
  deleted?: boolean;
  query?: Record<string, unknown>;
  saved?: boolean;
}

/** `POST …/insights/` body. */
export interface NewInsight extends InsightPatch {
  name: string;
  query: Record<string, unknown>;
}

/** `GET /api/users/@me/`: only what we read. */
export interface PostHogMe {
  id?: number;
  uuid?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
}

/**
 * One entry of `…/insights/trending/` (TrendingInsightSerializer in PostHog's
 * products/product_analytics/backend/api/insight.py): `view_count` is the number of distinct
 * viewers in the window (one InsightViewed row per user and insight), `viewers` up to 3 of the
 * most recent of them. Older spellings of the viewers list are still accepted.
 */
export interface TrendingInsight extends PostHogInsight {
  /** Distinct viewers in the window, not views. */
  view_count?: number;
  recent_viewers?: PostHogUser[];
  viewers?: PostHogUser[];
  last_viewed_by?: PostHogUser[];
}

/** Up to `max` recent viewers of a trending entry, whatever the field is called. */
export function trendingViewers(t: TrendingInsight, max = 3): PostHogUser[] {
  const list = t.viewers ?? t.recent_viewers ?? t.last_viewed_by ?? [];
  return (Array.isArray(list) ? list : []).filter((u) => u && typeof u === 'object').slice(0, max);
}

/** "1 viewer", "3 viewers": trending's `view_count` counts people, not views. */
export function viewersLabel(n: number | undefined): string {
  const count = typeof n === 'number' && Number.isFinite(n) ? n : 0;
  return `${count} viewer${count === 1 ? '' : 's'}`;
}

/** "Dana Okafor", else the email, else "someone". */
export function userLabel(u: PostHogUser | null | undefined): string {
  if (!u) return 'someone';
  const full = [u.first_name, (u as { last_name?: string }).last_name].filter((x) => typeof x === 'string' && x.trim()).join(' ').trim();
  return full || u.email || 'someone';
}
