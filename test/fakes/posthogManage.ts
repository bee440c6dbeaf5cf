/**
 * The management half of the PostHog fake: what people do to insights besides reading them.
 *
 * - update (`PATCH insights/:id`: name, description, tags, favorited, query, deleted) and create
 *   (`POST insights`), with DRF-style validation errors `{type, code, detail, attr}`; an invalid
 *   query is refused the way PostHog's schema validation does (400, `attr: "query"`, the detail
 *   starting with the location inside the query, e.g. `source.kind: …`);
 * - soft delete: `deleted: true` makes the insight 404 everywhere until `deleted: false`;
 * - the activity log (`insights/activity`, `insights/:id/activity`), page-numbered
 *   `{results, next, previous, total_count}`, seeded from the data set and extended by every change;
 * - trending (`insights/trending?days=N`): distinct viewers per insight in the window, with
 *   `view_count` (a count of InsightViewed rows, one per user and insight: people, not views) and
 *   up to three most recent `viewers` (InsightViewSet.trending and TrendingInsightSerializer in
 *   PostHog's products/product_analytics/backend/api/insight.py). Seeded views are placed relative
 *   to the server's start (or last reset), so "the last 7 days" always has something in it;
 * - sharing per insight (`insights/:id/sharing`, `…/refresh`, `…/passwords[/id]`) and the public
 *   page `/shared/:token`, which stops answering once the token is refreshed. Share passwords are
 *   stored as hashes only: the plain text exists once, in the creation answer;
 * - thresholds with their alerts (`insights/:id/thresholds`, read-only) for a few trends insights;
 *   the insight's own `alerts` field lists the same alerts. Moving an insight to the trash deletes
 *   its alerts (thresholds stay), and restoring it does not bring them back
 *   (InsightSerializer.update: `for alert in instance.alertconfiguration_set.all(): alert.delete()`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type FakeResponse, type Query, empty, first, json, text } from './fakeHttp';
import { invalid, notFound } from './posthogErrors';
import { type FakeInsight, type FakeUser, USERS } from './posthogData';

/** What a management route needs from one request (posthog.ts's context satisfies it). */
export interface ManageRequest {
  method: string;
  pid: number;
  /** The team the route acts on; defaults to `pid`. */
  team?: number;
  url: URL;
  query: Query;
  body: unknown;
  isJson: boolean;
  origin: string;
}

export type ManageHandler = (c: ManageRequest, m: RegExpExecArray) => FakeResponse;

/** What the management routes need from the rest of the fake. */
export interface ManageHost {
  insights: FakeInsight[];
  /** By numeric id or short_id; soft-deleted ones only when asked. */
  find(key: string, includeDeleted?: boolean): FakeInsight | undefined;
  /** The insight as a GET answers it (full serializer), through the route of team `team`. */
  view(ins: FakeInsight, team: number): Record<string, unknown>;
  /** The basic serializer's fields. */
  basic(ins: FakeInsight): Record<string, unknown>;
}

export interface FakeActivity {
  id: string;
  user: FakeUser | null;
  unread: boolean;
  is_system: boolean;
  activity: string;
  scope: 'Insight';
  item_id: string;
  detail: {
    id: string;
    name: string | null;
    short_id: string;
    type: null;
    changes: { type: 'Insight'; action: string; field: string; before: unknown; after: unknown }[] | null;
    merge: null;
    trigger: null;
  };
  created_at: string;
}

export interface FakeSharePassword {
  id: number;
  created_at: string;
  note: string;
  created_by_email: string;
  is_active: boolean;
  /** sha256 of the password: the plain text is never kept. */
  hash: string;
}

export interface FakeSharing {
  created_at: string | null;
  enabled: boolean;
  access_token: string;
  settings: Record<string, unknown> | null;
  password_required: boolean;
  passwords: FakeSharePassword[];
  /** Tokens that worked before a refresh; their pages now answer 404. */
  expired: string[];
}

const HOUR = 3_600_000;
const ME = USERS[0];

/** Query kinds PostHog accepts at the top of an insight's query, and inside the wrapper nodes. */
const WRAPPER_KINDS = ['InsightVizNode', 'DataVisualizationNode', 'DataTableNode'];
const SOURCE_KINDS = [
  'TrendsQuery',
  'FunnelsQuery',
  'RetentionQuery',
  'PathsQuery',
  'StickinessQuery',
  'LifecycleQuery',
  'HogQLQuery',
  'EventsQuery',
  'ActorsQuery',
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * PostHog validates a query against its schema (pydantic) and answers 400 with `attr: "query"`;
 * the detail names the location inside the query first, as pydantic's messages do.
 */
export function queryProblem(q: unknown): string | undefined {
  if (!isObject(q)) return 'Input should be a valid dictionary (a JSON object with a "kind").';
  const checkSource = (node: Record<string, unknown>, at: string): string | undefined => {
    if (typeof node.kind !== 'string') return `${at}kind: Field required`;
    if (!SOURCE_KINDS.includes(node.kind))
      return `${at}kind: Unknown query kind “${node.kind}”; expected one of ${SOURCE_KINDS.join(', ')}`;
    if (node.kind === 'HogQLQuery' && typeof node.query !== 'string') return `${at}query: Field required`;
    if ('series' in node && !Array.isArray(node.series)) return `${at}series: Input should be a valid list`;
    return undefined;
  };
  if (typeof q.kind !== 'string') return 'kind: Field required';
  if (WRAPPER_KINDS.includes(q.kind)) {
    if (!isObject(q.source)) return 'source: Field required';
    return checkSource(q.source, 'source.');
  }
  if (SOURCE_KINDS.includes(q.kind)) return checkSource(q, '');
  return `kind: Unknown query kind “${q.kind}”; expected one of ${[...WRAPPER_KINDS, ...SOURCE_KINDS].join(', ')}`;
}

/** An older wording of a name, for the seeded rename entries ("Weekly learners" → "Weekly active learners"). */
function earlierName(name: string): string {
  const words = name.split(' ');
  return words.length >= 3 ? [words[0], ...words.slice(2)].join(' ') : `${name} (draft)`;
}

const iso = (t: number): string => new Date(t).toISOString();

export class PostHogManageState {
  activity: FakeActivity[] = [];
  readonly sharing = new Map<number, FakeSharing>();
  /** `${userId}:${insightId}` → last view time (PostHog's InsightViewed: one row per user and insight). */
  readonly views = new Map<string, number>();
  thresholds = new Map<number, unknown[]>();
  private activitySeq = 0;
  private passwordSeq = 0;
  private shortIdSeq = 0;
  /** The generated insights; later ones were created through the API. */
  private readonly generatedCount: number;
  /** Copies of insights taken before their first change, so reset() restores only what changed. */
  private readonly originals = new Map<FakeInsight, FakeInsight>();
  private readonly seededActivity: FakeActivity[];

  constructor(private readonly host: ManageHost) {
    this.generatedCount = host.insights.length;
    this.seededActivity = this.seedActivity();
    this.reset();
  }

  /**
   * Back to the generated state: changed insights get their values back (in the same objects, so
   * references held by tests stay valid), created ones go, and the logs start over.
   */
  reset(): void {
    for (const [ins, original] of this.originals) {
      const target = ins as unknown as Record<string, unknown>;
      for (const key of Object.keys(target)) if (!(key in original)) delete target[key];
      Object.assign(target, original);
    }
    this.originals.clear();
    this.host.insights.length = this.generatedCount;
    this.activity = [...this.seededActivity];
    this.activitySeq = this.seededActivity.length;
    this.sharing.clear();
    this.views.clear();
    this.thresholds = this.seedThresholds();
    this.passwordSeq = 0;
    this.shortIdSeq = 0;
    this.seedViews(Date.now());
  }

  private remember(ins: FakeInsight): void {
    if (!this.originals.has(ins) && this.host.insights.indexOf(ins) < this.generatedCount) this.originals.set(ins, structuredClone(ins));
  }

  /** A view by the key's owner (POST insights/viewed), for trending. */
  recordView(insightId: number, userId = ME.id): void {
    this.views.set(`${userId}:${insightId}`, Date.now());
  }

  routes(): { re: RegExp; methods: Record<string, ManageHandler> }[] {
    return [
      { re: /^insights\/trending$/, methods: { GET: (c) => this.trending(c) } },
      { re: /^insights\/activity$/, methods: { GET: (c) => this.activityPage(c, undefined) } },
      { re: /^insights\/([^/]+)\/activity$/, methods: { GET: (c, m) => this.insightActivity(c, m[1]) } },
      {
        re: /^insights\/([^/]+)\/sharing$/,
        methods: {
          GET: (_c, m) => this.withSharing(m[1], (s) => json(200, this.sharingJson(s))),
          PATCH: (c, m) => this.patchSharing(c, m[1]),
        },
      },
      { re: /^insights\/([^/]+)\/sharing\/refresh$/, methods: { POST: (_c, m) => this.refreshSharing(m[1]) } },
      { re: /^insights\/([^/]+)\/sharing\/passwords$/, methods: { POST: (c, m) => this.addPassword(c, m[1]) } },
      { re: /^insights\/([^/]+)\/sharing\/passwords\/([^/]+)$/, methods: { DELETE: (_c, m) => this.removePassword(m[1], m[2]) } },
      { re: /^insights\/([^/]+)\/thresholds$/, methods: { GET: (_c, m) => this.thresholdList(m[1]) } },
    ];
  }

  // -------------------------------------------------------------------------------------------
  // Update and create

  /** `PATCH insights/:id`. A soft-deleted insight can only be restored (`deleted: false`). */
  update(c: ManageRequest, key: string): FakeResponse {
    const body = isObject(c.body) ? c.body : {};
    const ins = this.host.find(key, body.deleted === false);
    if (!ins) return notFound();
    const problem = this.fieldProblem(body);
    if (problem) return problem;
    const changes: NonNullable<FakeActivity['detail']['changes']> = [];
    this.remember(ins);
    for (const field of ['name', 'description', 'tags', 'favorited', 'query', 'saved', 'deleted'] as const) {
      if (!(field in body)) continue;
      const before = ins[field];
      const after = field === 'tags' ? [...new Set(body.tags as string[])] : body[field];
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      changes.push({ type: 'Insight', action: 'changed', field, before, after });
      (ins as unknown as Record<string, unknown>)[field] = after;
    }
    // Soft delete deletes the insight's alerts for good; restoring does not recreate them.
    if (body.deleted === true) for (const t of (this.thresholds.get(ins.id) ?? []) as { alerts: unknown[] }[]) t.alerts = [];
    if (changes.length) {
      const now = iso(Date.now());
      Object.assign(ins, { last_modified_at: now, updated_at: now, last_modified_by: ME });
      if (changes.some((ch) => ch.field === 'query')) Object.assign(ins, { derived_name: null, is_cached: false });
      this.log(ins, 'updated', changes);
    }
    return json(200, this.host.view(ins, c.team ?? c.pid));
  }

  /** `POST insights` (201). A query is required here: the fake has no legacy `filters` insights. */
  create(c: ManageRequest): FakeResponse {
    const body = isObject(c.body) ? c.body : {};
    if (!('query' in body) || body.query === null) return invalid('This field is required.', 'query', 'required');
    const problem = this.fieldProblem(body);
    if (problem) return problem;
    const now = Date.now();
    const id = Math.max(...this.host.insights.map((i) => i.id)) + 1;
    this.shortIdSeq += 1;
    const ins: FakeInsight = {
      id,
      short_id: `New${String(this.shortIdSeq).padStart(5, '0')}`,
      name: typeof body.name === 'string' ? body.name : null,
      derived_name: null,
      description: typeof body.description === 'string' ? body.description : '',
      query: body.query as Record<string, unknown>,
      filters: {},
      result: null,
      columns: null,
      last_refresh: null,
      is_cached: false,
      query_status: null,
      cache_target_age: null,
      next_allowed_client_refresh: null,
      tags: Array.isArray(body.tags) ? [...new Set(body.tags as string[])] : [],
      favorited: body.favorited === true,
      saved: body.saved !== false,
      dashboards: [],
      created_at: iso(now),
      created_by: ME,
      updated_at: iso(now),
      last_modified_at: iso(now),
      last_modified_by: ME,
      last_viewed_at: null,
      timezone: 'UTC',
      resolved_date_range: null,
      alerts: [],
      deleted: false,
    };
    this.host.insights.push(ins);
    this.log(ins, 'created', null);
    return json(201, this.host.view(ins, c.team ?? c.pid));
  }

  private fieldProblem(body: Record<string, unknown>): FakeResponse | undefined {
    if ('name' in body && body.name !== null && typeof body.name !== 'string') return invalid('Not a valid string.', 'name');
    if (typeof body.name === 'string' && body.name.length > 400)
      return invalid('Ensure this field has no more than 400 characters.', 'name', 'max_length');
    if ('description' in body && typeof body.description !== 'string') return invalid('Not a valid string.', 'description');
    if ('tags' in body && (!Array.isArray(body.tags) || !body.tags.every((t) => typeof t === 'string'))) {
      return invalid(`Expected a list of items but got type "${typeof body.tags}".`, 'tags', 'not_a_list');
    }
    for (const f of ['favorited', 'deleted', 'saved']) {
      if (f in body && typeof body[f] !== 'boolean') return invalid('Must be a valid boolean.', f);
    }
    if ('query' in body) {
      const p = queryProblem(body.query);
      if (p) return invalid(p, 'query');
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Activity

  private log(
    ins: FakeInsight,
    activity: string,
    changes: FakeActivity['detail']['changes'],
    user: FakeUser | null = ME,
    at = Date.now(),
  ): void {
    this.activity.unshift(this.entry(ins, activity, changes, user, iso(at)));
  }

  private entry(
    ins: FakeInsight,
    activity: string,
    changes: FakeActivity['detail']['changes'],
    user: FakeUser | null,
    createdAt: string,
  ): FakeActivity {
    this.activitySeq += 1;
    return {
      id: `0190b7d0-0000-7000-8000-${String(this.activitySeq).padStart(12, '0')}`,
      user,
      unread: false,
      is_system: user === null,
      activity,
      scope: 'Insight',
      item_id: String(ins.id),
      detail: { id: String(ins.id), name: ins.name, short_id: ins.short_id, type: null, changes, merge: null, trigger: null },
      created_at: createdAt,
    };
  }

  /** Every insight was created, most were renamed, tagged and described along the way. */
  private seedActivity(): FakeActivity[] {
    const seeded: FakeActivity[] = [];
    for (const ins of this.host.insights) {
      const created = Date.parse(ins.created_at);
      const modified = Date.parse(ins.last_modified_at);
      const step = (modified - created) / 3;
      seeded.push(this.entry(ins, 'created', null, ins.created_by, ins.created_at));
      const change = (field: string, before: unknown, after: unknown) => [
        { type: 'Insight' as const, action: 'changed', field, before, after },
      ];
      if (ins.name)
        seeded.push(this.entry(ins, 'updated', change('name', earlierName(ins.name), ins.name), ins.created_by, iso(created + step)));
      if (ins.tags.length)
        seeded.push(
          this.entry(ins, 'updated', change('tags', ins.tags.slice(0, -1), ins.tags), ins.last_modified_by, iso(created + 2 * step)),
        );
      if (ins.description)
        seeded.push(this.entry(ins, 'updated', change('description', '', ins.description), ins.last_modified_by, ins.last_modified_at));
    }
    return seeded.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  }

  private insightActivity(c: ManageRequest, key: string): FakeResponse {
    // The route filters on the numeric primary key (PostHog answers 404 with an empty string body).
    const ins = /^\d+$/.test(key) ? this.host.find(key) : undefined;
    if (!ins) return json(404, '');
    return this.activityPage(c, String(ins.id));
  }

  private activityPage(c: ManageRequest, itemId: string | undefined): FakeResponse {
    const all = itemId === undefined ? this.activity : this.activity.filter((e) => e.item_id === itemId);
    const limit = Math.max(1, Number.parseInt(first(c.query, 'limit') ?? '10', 10) || 10);
    const page = Math.max(1, Number.parseInt(first(c.query, 'page') ?? '1', 10) || 1);
    const link = (p: number): string => {
      const params = new URLSearchParams(c.url.searchParams);
      params.set('page', String(p));
      params.set('limit', String(limit));
      return `${c.origin}${c.url.pathname}?${params.toString()}`;
    };
    const results = all.slice((page - 1) * limit, page * limit);
    return json(200, {
      results,
      next: page * limit < all.length ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      total_count: all.length,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Trending

  private seedViews(start: number): void {
    const named = this.host.insights.filter((i) => i.name && !i.deleted).slice(0, 10);
    named.forEach((ins, j) => {
      const viewers = 5 - Math.floor(j / 2);
      for (let u = 0; u < viewers; u++) {
        // Spread over two weeks, so a 7-day and a 30-day window differ.
        const hoursAgo = ((j * 37 + u * 71) % 330) + 1;
        this.views.set(`${USERS[u].id}:${ins.id}`, start - hoursAgo * HOUR);
      }
    });
  }

  private trending(c: ManageRequest): FakeResponse {
    const days = Math.max(1, Number.parseInt(first(c.query, 'days') ?? '7', 10) || 7);
    const limit = Math.max(1, Number.parseInt(first(c.query, 'limit') ?? '10', 10) || 10);
    const since = Date.now() - days * 24 * HOUR;
    const byInsight = new Map<number, { userId: number; at: number }[]>();
    for (const [key, at] of this.views) {
      if (at < since) continue;
      const [userId, insightId] = key.split(':').map(Number);
      const list = byInsight.get(insightId) ?? [];
      list.push({ userId, at });
      byInsight.set(insightId, list);
    }
    const rows = [...byInsight.entries()]
      .map(([id, viewers]) => ({ ins: this.host.find(String(id)), viewers: viewers.sort((a, b) => b.at - a.at) }))
      .filter((r): r is { ins: FakeInsight; viewers: { userId: number; at: number }[] } => r.ins !== undefined)
      .sort((a, b) => b.viewers.length - a.viewers.length || b.viewers[0].at - a.viewers[0].at)
      .slice(0, limit);
    const results = rows.map((r) => ({
      ...this.host.basic(r.ins),
      view_count: r.viewers.length,
      viewers: r.viewers.slice(0, 3).map((v) => USERS.find((u) => u.id === v.userId)),
    }));
    return json(200, { count: results.length, next: null, previous: null, results });
  }

  // -------------------------------------------------------------------------------------------
  // Sharing

  private withSharing(key: string, fn: (s: FakeSharing, ins: FakeInsight) => FakeResponse): FakeResponse {
    const ins = this.host.find(key);
    if (!ins) return notFound('Insight not found.');
    let s = this.sharing.get(ins.id);
    if (!s) {
      s = {
        created_at: null,
        enabled: false,
        access_token: randomBytes(16).toString('base64url'),
        settings: null,
        password_required: false,
        passwords: [],
        expired: [],
      };
      this.sharing.set(ins.id, s);
    }
    return fn(s, ins);
  }

  private sharingJson(s: FakeSharing): Record<string, unknown> {
    return {
      created_at: s.created_at,
      enabled: s.enabled,
      access_token: s.access_token,
      settings: s.settings,
      password_required: s.password_required,
      share_passwords: s.passwords.filter((p) => p.is_active).map(({ hash: _hash, ...p }) => p),
    };
  }

  private patchSharing(c: ManageRequest, key: string): FakeResponse {
    return this.withSharing(key, (s, ins) => {
      const body = isObject(c.body) ? c.body : {};
      for (const f of ['enabled', 'password_required'] as const) {
        if (f in body && typeof body[f] !== 'boolean') return invalid('Must be a valid boolean.', f);
      }
      if ('settings' in body && body.settings !== null && !isObject(body.settings)) return invalid('Invalid settings format', 'settings');
      s.created_at ??= iso(Date.now());
      const wasEnabled = s.enabled;
      if (typeof body.enabled === 'boolean') s.enabled = body.enabled;
      if (typeof body.password_required === 'boolean') s.password_required = body.password_required;
      if ('settings' in body) s.settings = body.settings as Record<string, unknown> | null;
      if (s.enabled !== wasEnabled) {
        this.log(ins, `sharing ${s.enabled ? 'enabled' : 'disabled'}`, [
          { type: 'Insight', action: 'changed', field: 'sharing', before: wasEnabled, after: s.enabled },
        ]);
      }
      return json(200, this.sharingJson(s));
    });
  }

  private refreshSharing(key: string): FakeResponse {
    return this.withSharing(key, (s, ins) => {
      s.expired.push(s.access_token);
      s.access_token = randomBytes(16).toString('base64url');
      this.log(ins, 'access token refreshed', null);
      return json(200, this.sharingJson(s));
    });
  }

  private addPassword(c: ManageRequest, key: string): FakeResponse {
    return this.withSharing(key, (s) => {
      if (!s.password_required) return json(400, { error: 'Password protection must be enabled before creating passwords' });
      const body = isObject(c.body) ? c.body : {};
      const raw = typeof body.raw_password === 'string' ? body.raw_password : '';
      if (raw && raw.length < 8) return invalid('Password must be at least 8 characters long.', 'raw_password');
      if ('note' in body && (typeof body.note !== 'string' || body.note.length > 100))
        return invalid('Ensure this field has no more than 100 characters.', 'note');
      const password = raw || randomBytes(12).toString('base64url');
      this.passwordSeq += 1;
      const p: FakeSharePassword = {
        id: this.passwordSeq,
        created_at: iso(Date.now()),
        note: typeof body.note === 'string' ? body.note : '',
        created_by_email: ME.email,
        is_active: true,
        hash: createHash('sha256').update(password).digest('hex'),
      };
      s.passwords.push(p);
      return json(201, { id: p.id, password, note: p.note, created_at: p.created_at, created_by_email: p.created_by_email });
    });
  }

  private removePassword(key: string, passwordId: string): FakeResponse {
    return this.withSharing(key, (s) => {
      const p = s.passwords.find((x) => String(x.id) === passwordId && x.is_active);
      if (!p) return notFound('Password not found');
      p.is_active = false;
      return empty(204);
    });
  }

  /** Whether `password` opens the share (tests check passwords this way: only hashes are kept). */
  passwordWorks(insightId: number, password: string): boolean {
    const hash = createHash('sha256').update(password).digest('hex');
    return this.sharing.get(insightId)?.passwords.some((p) => p.is_active && p.hash === hash) ?? false;
  }

  /** `GET /shared/:token`: the public page (no API key), or 404 once disabled or refreshed. */
  sharedPage(token: string): FakeResponse {
    for (const [id, s] of this.sharing) {
      if (s.access_token !== token || !s.enabled) continue;
      const ins = this.host.find(String(id));
      if (!ins) break;
      const title = (ins.name ?? ins.derived_name ?? 'Insight').replace(/[<&>]/g, '');
      const body = s.password_required ? 'This insight is password protected.' : `Shared insight: ${title}`;
      return text(
        200,
        `<!DOCTYPE html><html><head><title>${title}</title></head><body>${body}</body></html>\n`,
        'text/html; charset=utf-8',
      );
    }
    return text(404, '<!DOCTYPE html><html><body>Not found</body></html>\n', 'text/html; charset=utf-8');
  }

  // -------------------------------------------------------------------------------------------
  // Thresholds

  private seedThresholds(): Map<number, unknown[]> {
    const out = new Map<number, unknown[]>();
    let seq = 0;
    const uuid = () => `0190b7e0-0000-7000-8000-${String(++seq).padStart(12, '0')}`;
    const byName = (n: string) => this.host.insights.find((i) => i.name === n);
    const alert = (
      ins: FakeInsight,
      threshold: Record<string, unknown>,
      a: { name: string; interval: string; condition: string; state: string; enabled?: boolean; series?: number; users: FakeUser[] },
    ) => ({
      id: uuid(),
      created_by: ME,
      created_at: ins.last_modified_at,
      insight: { id: ins.id, short_id: ins.short_id, name: ins.name },
      name: a.name,
      subscribed_users: a.users,
      threshold,
      condition: { type: a.condition },
      state: a.state,
      enabled: a.enabled ?? true,
      last_notified_at: a.state === 'Firing' ? ins.last_modified_at : null,
      last_checked_at: ins.last_refresh,
      next_check_at: null,
      checks: [],
      config: { type: 'TrendsAlertConfig', series_index: a.series ?? 0, check_ongoing_interval: false },
      detector_config: null,
      calculation_interval: a.interval,
      snoozed_until: null,
      skip_weekend: false,
    });
    const add = (
      name: string,
      thresholds: { name: string; configuration: Record<string, unknown>; alerts: Parameters<typeof alert>[2][] }[],
    ) => {
      const ins = byName(name);
      if (!ins) return;
      out.set(
        ins.id,
        thresholds.map((t) => {
          const th = { id: uuid(), created_at: ins.last_modified_at, name: t.name, configuration: t.configuration };
          return { ...th, alerts: t.alerts.map((a) => alert(ins, th, a)) };
        }),
      );
    };
    add('Daily active learners', [
      {
        name: 'DAU floor',
        configuration: { type: 'absolute', bounds: { lower: 100 } },
        alerts: [
          {
            name: 'Daily learners below 100',
            interval: 'daily',
            condition: 'absolute_value',
            state: 'Not firing',
            users: [USERS[0], USERS[1]],
          },
        ],
      },
    ]);
    add('Weekly active learners', [
      {
        name: 'Healthy range',
        configuration: { type: 'absolute', bounds: { lower: 2000, upper: 8000 } },
        alerts: [
          { name: 'Weekly learners out of range', interval: 'weekly', condition: 'absolute_value', state: 'Firing', users: [USERS[0]] },
        ],
      },
    ]);
    add('Logins per day', [
      {
        name: 'Login spike',
        configuration: { type: 'percentage', bounds: { upper: 0.25 } },
        alerts: [
          { name: 'Logins up more than 25%', interval: 'daily', condition: 'relative_increase', state: 'Not firing', users: [USERS[2]] },
        ],
      },
      {
        name: 'Login drop',
        configuration: { type: 'percentage', bounds: { upper: 0.5 } },
        alerts: [
          {
            name: 'Logins halved',
            interval: 'daily',
            condition: 'relative_decrease',
            state: 'Not firing',
            enabled: false,
            users: [USERS[2], USERS[3]],
          },
        ],
      },
    ]);
    add('Video starts vs completions', [
      {
        name: 'Completions ceiling',
        configuration: { type: 'absolute', bounds: { upper: 5000 } },
        alerts: [{ name: 'Too many completions', interval: 'hourly', condition: 'absolute_value', state: 'Errored', series: 1, users: [] }],
      },
      { name: 'Unused threshold', configuration: { type: 'absolute', bounds: { lower: 10 } }, alerts: [] },
    ]);
    return out;
  }

  /** Every alert on an insight (what the full serializer's `alerts` lists). */
  alertsOf(insightId: number): unknown[] {
    return ((this.thresholds.get(insightId) ?? []) as { alerts?: unknown[] }[]).flatMap((t) => t.alerts ?? []);
  }

  private thresholdList(key: string): FakeResponse {
    const ins = this.host.find(key);
    if (!ins) return notFound();
    const results = this.thresholds.get(ins.id) ?? [];
    return json(200, { count: results.length, next: null, previous: null, results });
  }
}
