/** The parts of PostHog's insight objects we read (API-NOTES.md "Insight fields"). */
export interface PostHogUser {
  id?: number;
  uuid?: string;
  first_name?: string;
  email?: string;
}

export interface QueryStatus {
  id: string;
  query_async?: boolean;
  complete: boolean;
  error: boolean;
  error_message?: string | null;
  results?: unknown;
  start_time?: string | null;
  end_time?: string | null;
  query_progress?: unknown;
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
