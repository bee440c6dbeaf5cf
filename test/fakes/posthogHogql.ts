/**
 * PostHog's query API (`POST /api/projects/:id/query/`) in the PostHog fake: HogQL over a
 * generated `events` table, HogQLMetadata and DatabaseSchemaQuery, asynchronous runs with
 * progress and cancel, and the limits PostHog applies. posthog.ts routes to it.
 *
 * Each behaviour follows PostHog's source (PostHog/posthog):
 * - posthog/api/query.py QueryViewSet.create: 202 when the answer's `query_status.complete` is
 *   false, else 200; ExposedHogQLError → 400 ValidationError(str(e), code_name); a
 *   ConcurrencyLimitExceeded → Throttled(detail=str(e)), i.e. 429 `throttled_error`.
 *   QueryViewSet.retrieve: `{query_status}` with 202 while running, 200 complete, 400 when failed
 *   with an `error_message`; `show_progress=true` fills `query_progress`. destroy: 200
 *   `{"message": …}` (cancel_query returns True), even for an id it does not know.
 * - posthog/clickhouse/client/execute_async.py: a status lives per team (unknown id or another
 *   team → QueryNotFoundError, 404 "Query X not found for team Y"); a completed status's `results`
 *   is the whole query response; `query_progress` = {bytes_read, rows_read, estimated_rows_total,
 *   time_elapsed, active_cpu_time} while not complete; cancel deletes the status.
 * - posthog/hogql_queries/hogql_query_runner.py + insights/paginators.py: a SELECT without LIMIT
 *   gets the default 100 rows (DEFAULT_RETURNED_ROWS, posthog/hogql/constants.py), fetched as 101
 *   to set `hasMore`, with `limit` 100 and `offset` 0; a SELECT with a LIMIT gets no paginator, so
 *   `hasMore`/`limit`/`offset` are null. The printer (posthog/hogql/printer.py, limit_top_select)
 *   rewrites a top-level LIMIT to min(LIMIT, MAX_SELECT_RETURNED_ROWS = 50,000) without a word.
 * - posthog/hogql/user_query_validator.py: with a personal API key, any OFFSET is refused
 *   (QueryError → 400 `hogql_query_error`, OFFSET_NOT_ALLOWED_MESSAGE) unless the organisation is
 *   on an allow-list flag (`offsetAllowed` here).
 * - posthog/hogql/errors.py: codes `hogql_syntax_error`, `hogql_query_error`; unknown fields
 *   "Unable to resolve field: X" (resolver.py), unknown tables "Unknown table `X`."
 *   (database.py). HogQLMetadataResponse/HogQLNotice (posthog/schema.py): errors, warnings,
 *   notices with `message`, `start`, `end`, `fix`; `isValid`; `query`.
 * - posthog/clickhouse/client/limit.py get_api_personal_rate_limiter: 3 queries at once per
 *   organisation for API keys ("Exceeded maximum concurrency limit: 3 for key: … and task: …").
 *   PostHog first retries for up to 30 s; the fake answers the 4th at once.
 *
 * Unverified (no public source found): the exact wording of syntax errors; the JSON text of
 * DateTime64 values in `results` (ISO with microseconds and `Z` here); the column names PostHog
 * gives unaliased expressions; the ClickHouse `types` of property and toDate columns; the
 * top-level keys of the DatabaseSchemaQuery answer (`tables`, `joins`; each table and field as
 * DatabaseSchemaPostHogTable/DatabaseSchemaField in posthog/schema.py); whether an asynchronous
 * 4th query waits in a queue rather than being refused.
 */
import { randomUUID } from 'node:crypto';
import { type FakeResponse, json } from './fakeHttp';
import { phError } from './posthogErrors';
import { mulberry32 } from './random';
import { type Condition, type Expr, HogQLFakeError, type ParsedQuery, parseHogQL } from './posthogHogqlSql';

export const DEFAULT_RETURNED_ROWS = 100;
export const MAX_SELECT_RETURNED_ROWS = 50_000;
export const MAX_CONCURRENT_QUERIES = 3;

export const OFFSET_NOT_ALLOWED_MESSAGE =
  'OFFSET is not supported on queries made with a personal API key. ' +
  'For pagination, use keyset pagination on the `timestamp` column, e.g. ' +
  '`WHERE timestamp > :last_seen_timestamp ORDER BY timestamp LIMIT N`. ' +
  'For bulk data extraction, use batch exports: https://posthog.com/docs/cdp/batch-exports';

export interface FakeEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  person_id: string;
  /** Milliseconds since the epoch (PostHog keeps microseconds; the fake's data has whole ms). */
  ts: number;
  properties: Record<string, string>;
}

/** November 2026, UTC. */
export const EVENTS_FROM = Date.UTC(2026, 10, 1);
export const EVENTS_TO = Date.UTC(2026, 11, 1);

const EVENT_NAMES: [string, number][] = [
  ['$pageview', 45],
  ['$autocapture', 25],
  ['$pageleave', 12],
  ['video_played', 8],
  ['quiz_submitted', 6],
  ['$identify', 4],
];
const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Microsoft Edge'];
const PATHS = ['/', '/courses', '/courses/101', '/courses/204/lectures', '/quiz/7', '/help', '/settings'];

function hex(rng: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 16).toString(16);
  return s;
}

/**
 * A month of events, in time order. Events come in bursts that share one millisecond (a page
 * view and its autocapture), so many timestamps repeat: paging by time must cope with ties.
 */
export function generateEvents(count: number, seed = 14): FakeEvent[] {
  const rng = mulberry32(seed);
  const people = Array.from({ length: 400 }, (_, i) => ({
    distinct: `user-${String(i + 1).padStart(4, '0')}`,
    person: `0190b1c2-${hex(rng, 4)}-7${hex(rng, 3)}-8${hex(rng, 3)}-${hex(rng, 12)}`,
    browser: BROWSERS[Math.floor(rng() * BROWSERS.length)],
  }));
  const totalWeight = EVENT_NAMES.reduce((s, [, w]) => s + w, 0);
  const pickEvent = (): string => {
    let r = rng() * totalWeight;
    for (const [name, w] of EVENT_NAMES) if ((r -= w) < 0) return name;
    return EVENT_NAMES[0][0];
  };
  const span = EVENTS_TO - EVENTS_FROM;
  const bursts = Math.ceil(count / 2);
  const out: FakeEvent[] = [];
  for (let b = 0; out.length < count; b++) {
    // Evenly spread bursts with jitter; whole milliseconds.
    const ts = EVENTS_FROM + Math.floor(((b + rng() * 0.9) / bursts) * span);
    const person = people[Math.floor(rng() * people.length)];
    const size = 1 + Math.floor(rng() * 3);
    for (let k = 0; k < size && out.length < count; k++) {
      out.push({
        uuid: `0190b1c3-${hex(rng, 4)}-7${hex(rng, 3)}-8${hex(rng, 3)}-${hex(rng, 12)}`,
        event: pickEvent(),
        distinct_id: person.distinct,
        person_id: person.person,
        ts,
        properties: {
          $browser: person.browser,
          $current_url: `https://learn.example.edu${PATHS[Math.floor(rng() * PATHS.length)]}`,
          $os: rng() < 0.6 ? 'Windows' : 'Mac OS X',
        },
      });
    }
  }
  return out;
}

/** DateTime64(6, 'UTC') as the fake writes it in `results` (format unverified). */
export function isoMicros(ts: number): string {
  return new Date(ts).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Microseconds since the epoch of a date/time literal ('2026-11-03 10:00:00.123456', ISO, a date). */
function literalMicros(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]00:?00)?$/.exec(text.trim());
  if (!m) return undefined;
  const base = Date.parse(`${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}Z`);
  if (Number.isNaN(base)) return undefined;
  return base * 1000 + Number((m[5] ?? '').padEnd(6, '0') || 0);
}

// ---------------------------------------------------------------------------------------------
// The schema (DatabaseSchemaField types from posthog/schema.py DatabaseSerializedFieldType)

const EVENTS_FIELDS: [string, string, string][] = [
  // name, DatabaseSerializedFieldType, ClickHouse type in `types`
  ['uuid', 'string', 'UUID'],
  ['event', 'string', 'String'],
  ['properties', 'json', 'String'],
  ['timestamp', 'datetime', "DateTime64(6, 'UTC')"],
  ['distinct_id', 'string', 'String'],
  ['elements_chain', 'string', 'String'],
  ['created_at', 'datetime', "DateTime64(6, 'UTC')"],
  ['$session_id', 'string', 'String'],
  ['person_id', 'expression', 'UUID'],
];
const PERSONS_FIELDS: [string, string][] = [
  ['id', 'string'],
  ['created_at', 'datetime'],
  ['team_id', 'integer'],
  ['properties', 'json'],
  ['is_identified', 'boolean'],
];
const SESSIONS_FIELDS: [string, string][] = [
  ['session_id', 'string'],
  ['distinct_id', 'string'],
  ['$start_timestamp', 'datetime'],
  ['$end_timestamp', 'datetime'],
  ['$session_duration', 'integer'],
  ['$pageview_count', 'integer'],
  ['$entry_current_url', 'string'],
];

const schemaTable = (name: string, fields: [string, string, ...string[]][]): Record<string, unknown> => ({
  type: 'posthog',
  id: name,
  name,
  fields: Object.fromEntries(
    fields.map(([f, type]) => [f, { name: f, hogql_value: /^[A-Za-z_][A-Za-z0-9_]*$/.test(f) ? f : `\`${f}\``, type, schema_valid: true }]),
  ),
});

const EVENT_FIELD_NAMES = new Set(EVENTS_FIELDS.map(([n]) => n));
const KNOWN_TABLES = new Set(['events', 'persons', 'sessions', 'groups', 'person_distinct_ids', 'session_replay_events', 'cohort_people']);

// ---------------------------------------------------------------------------------------------
// Evaluation

type Value = string | number | null;

interface Compiled {
  columns: string[];
  types: [string, string][];
  rows: Value[][];
  /** Rows before LIMIT/OFFSET (so the fake can report progress in rows read). */
  matched: number;
}

function typeOf(e: Expr): string {
  switch (e.kind) {
    case 'count':
      return 'UInt64';
    case 'toDate':
      return 'Date';
    case 'prop':
      return 'Nullable(String)';
    case 'const':
      return typeof e.value === 'number' ? 'UInt8' : 'String';
    case 'field':
      return EVENTS_FIELDS.find(([n]) => n === e.name)?.[2] ?? 'String';
  }
}

function sameExpr(a: Expr, b: Expr): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'field' && b.kind === 'field') return a.name === b.name;
  if (a.kind === 'prop' && b.kind === 'prop') return a.key === b.key;
  if (a.kind === 'toDate' && b.kind === 'toDate') return sameExpr(a.arg, b.arg);
  if (a.kind === 'const' && b.kind === 'const') return a.value === b.value;
  return a.kind === 'count';
}

function hasCount(e: Expr): boolean {
  return e.kind === 'count' || (e.kind === 'toDate' && hasCount(e.arg));
}

/** Every field the query names must exist (the resolver's "Unable to resolve field"). */
function checkFields(q: ParsedQuery, aliases: Set<string>): HogQLFakeError[] {
  const errors: HogQLFakeError[] = [];
  const visit = (e: Expr, allowAlias: boolean): void => {
    if (e.kind === 'field' && !EVENT_FIELD_NAMES.has(e.name) && !(allowAlias && aliases.has(e.name))) {
      errors.push(new HogQLFakeError(`Unable to resolve field: ${e.name}`, 'hogql_query_error', e.start, e.end));
    }
    if (e.kind === 'toDate') visit(e.arg, allowAlias);
  };
  for (const s of q.select) visit(s.expr, false);
  for (const c of q.where) visit(c.expr, true);
  for (const g of q.groupBy) visit(g, true);
  for (const o of q.orderBy) visit(o.expr, true);
  return errors;
}

function checkTable(q: ParsedQuery): HogQLFakeError | undefined {
  if (q.table.name === 'events') return undefined;
  if (KNOWN_TABLES.has(q.table.name)) {
    return new HogQLFakeError(
      `The PostHog fake only runs queries on events, not ${q.table.name}.`,
      'unsupported_by_fake',
      q.table.start,
      q.table.end,
    );
  }
  return new HogQLFakeError(`Unknown table \`${q.table.name}\`.`, 'hogql_query_error', q.table.start, q.table.end);
}

function evalExpr(e: Expr, ev: FakeEvent): Value {
  switch (e.kind) {
    case 'field':
      switch (e.name) {
        case 'uuid':
          return ev.uuid;
        case 'event':
          return ev.event;
        case 'distinct_id':
          return ev.distinct_id;
        case 'person_id':
          return ev.person_id;
        case 'timestamp':
        case 'created_at':
          return isoMicros(ev.ts);
        case 'properties':
          return JSON.stringify(ev.properties);
        case 'elements_chain':
          return '';
        case '$session_id':
          return null;
        default:
          return null;
      }
    case 'prop':
      return ev.properties[e.key] ?? null;
    case 'toDate': {
      const v = evalExpr(e.arg, ev);
      return typeof v === 'string' ? v.slice(0, 10) : null;
    }
    case 'const':
      return e.value;
    case 'count':
      return null;
  }
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1; // NULLS LAST
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** A WHERE comparison: date/time fields compare as instants (ms precision in the data). */
function matches(c: Condition, ev: FakeEvent): boolean {
  let left: Value;
  let right: Value;
  if (c.expr.kind === 'field' && (c.expr.name === 'timestamp' || c.expr.name === 'created_at')) {
    const micros = typeof c.value === 'string' ? literalMicros(c.value) : undefined;
    if (micros === undefined)
      throw new HogQLFakeError(
        `Cannot compare timestamp with ${JSON.stringify(c.value)}: use 'YYYY-MM-DD hh:mm:ss[.ffffff]'.`,
        'hogql_query_error',
        c.expr.start,
        c.expr.end,
      );
    left = ev.ts * 1000;
    right = micros;
  } else {
    left = evalExpr(c.expr, ev);
    right = c.value;
    if (typeof right === 'number' && typeof left === 'string') left = Number(left);
  }
  if (left === null) return false;
  const d = compare(left, right);
  switch (c.op) {
    case '=':
      return d === 0;
    case '!=':
      return d !== 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
  }
}

function columnName(item: ParsedQuery['select'][number]): string {
  if (item.alias) return item.alias;
  if (item.expr.kind === 'field') return item.expr.name;
  // Unaliased expressions: the text as written (unverified for property access).
  return item.text.trim();
}

/** Runs a parsed query; `rowLimit` is what the server fetches (LIMIT capped, +1 for hasMore). */
function execute(q: ParsedQuery, events: FakeEvent[], rowLimit: number, offset: number): Compiled {
  const filtered = q.where.length ? events.filter((ev) => q.where.every((c) => matches(c, ev))) : events;
  const aggregated = q.groupBy.length > 0 || q.select.some((s) => hasCount(s.expr));
  const columns = q.select.map(columnName);
  const types = q.select.map((s, i): [string, string] => [columns[i], typeOf(s.expr)]);
  // The events are stored in time order: rows ordered by timestamp ascending need no sort, and
  // only the page's rows are computed (keeps a 1,000,000-event table quick to page through).
  const o = q.orderBy[0];
  const byTime =
    !aggregated &&
    q.orderBy.length === 1 &&
    !o.desc &&
    o.expr.kind === 'field' &&
    o.expr.name === 'timestamp' &&
    !q.select.some((s) => s.alias === 'timestamp' && !(s.expr.kind === 'field' && s.expr.name === 'timestamp'));
  if (byTime) {
    const page = filtered.slice(offset, offset + rowLimit);
    return { columns, types, rows: page.map((ev) => q.select.map((s) => evalExpr(s.expr, ev))), matched: filtered.length };
  }
  const aliasOf = new Map(q.select.flatMap((s, i) => (s.alias ? [[s.alias, i] as const] : [])));

  // Output rows with the way to compute any ORDER BY key for them.
  let rows: { out: Value[]; key: (e: Expr) => Value }[];
  if (aggregated) {
    const keyExprs = q.groupBy.map((g) => (g.kind === 'field' && aliasOf.has(g.name) ? q.select[aliasOf.get(g.name)!].expr : g));
    for (const s of q.select) {
      if (!hasCount(s.expr) && s.expr.kind !== 'const' && !keyExprs.some((k) => sameExpr(k, s.expr))) {
        throw new HogQLFakeError(
          `Column \`${columnName(s)}\` is not under aggregate function and not in GROUP BY.`,
          'hogql_query_error',
          s.expr.start,
          s.expr.end,
        );
      }
    }
    const groups = new Map<string, { sample: FakeEvent; count: number }>();
    for (const ev of filtered) {
      const k = JSON.stringify(keyExprs.map((e) => evalExpr(e, ev)));
      const g = groups.get(k);
      if (g) g.count++;
      else groups.set(k, { sample: ev, count: 1 });
    }
    if (groups.size === 0 && keyExprs.length === 0) groups.set('[]', { sample: undefined as unknown as FakeEvent, count: 0 });
    rows = [...groups.values()].map((g) => {
      const value = (e: Expr): Value => (hasCount(e) ? g.count : g.sample ? evalExpr(e, g.sample) : null);
      return { out: q.select.map((s) => value(s.expr)), key: value };
    });
  } else {
    rows = filtered.map((ev) => ({ out: q.select.map((s) => evalExpr(s.expr, ev)), key: (e: Expr) => evalExpr(e, ev) }));
  }

  if (q.orderBy.length) {
    const keys = q.orderBy.map((o) => {
      const idx =
        o.expr.kind === 'field' && aliasOf.has(o.expr.name)
          ? aliasOf.get(o.expr.name)!
          : q.select.findIndex((s) => sameExpr(s.expr, o.expr));
      return { idx, expr: o.expr, dir: o.desc ? -1 : 1 };
    });
    const decorated = rows.map((r) => ({ r, k: keys.map((k) => (k.idx >= 0 ? r.out[k.idx] : r.key(k.expr))) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const d = compare(a.k[i], b.k[i]);
        if (d !== 0) return d * keys[i].dir;
      }
      return 0;
    });
    rows = decorated.map((d) => d.r);
  }
  return { columns, types, rows: rows.slice(offset, offset + rowLimit).map((r) => r.out), matched: filtered.length };
}

// ---------------------------------------------------------------------------------------------
// State: running queries, cancels

interface RunningQuery {
  id: string;
  team: number;
  sql: string;
  polls: number;
  startTime: string;
  endTime: string | null;
  complete: boolean;
  error: boolean;
  errorMessage: string | null;
  response: Record<string, unknown> | null;
  /** The rows the finished query read (for progress). */
  rowsRead: number;
}

export interface HogQLFakeOptions {
  /** Events in the table (default 60,000: more than one query's 50,000 cap). */
  eventCount?: number;
  /** Polls of `query/:id/` that answer 202 before an asynchronous query completes (default 3). */
  asyncPolls?: number;
}

export class PostHogHogQLFake {
  private eventData: FakeEvent[] | undefined;
  private readonly eventCount: number;
  /** Ids a DELETE `query/:id/` was received for, in order. */
  readonly cancelled: string[] = [];
  /** Every HogQL text the query endpoint received (HogQLQuery only). */
  readonly queries: string[] = [];
  /** The organisation is on PostHog's OFFSET allow-list flag (default false: OFFSET refused). */
  offsetAllowed = false;
  /** Polls answered 202 before an asynchronous query completes; reset() restores the option's value. */
  asyncPolls: number;
  private readonly initialPolls: number;
  private readonly running = new Map<string, RunningQuery>();

  constructor(opts: HogQLFakeOptions = {}) {
    this.eventCount = opts.eventCount ?? 60_000;
    this.initialPolls = Math.max(0, opts.asyncPolls ?? 3);
    this.asyncPolls = this.initialPolls;
  }

  /** The events table, in time order (generated on first use). */
  get events(): FakeEvent[] {
    this.eventData ??= generateEvents(this.eventCount);
    return this.eventData;
  }

  reset(): void {
    this.running.clear();
    this.cancelled.length = 0;
    this.queries.length = 0;
    this.offsetAllowed = false;
    this.asyncPolls = this.initialPolls;
  }

  /** Queries started asynchronously and neither complete nor cancelled. */
  get runningCount(): number {
    return [...this.running.values()].filter((q) => !q.complete && !q.error).length;
  }

  knows(id: string): boolean {
    return this.running.has(id);
  }

  /**
   * `/__control/hogql` for tests in another process: GET the state (`cancelled`, `queries`,
   * `running`, `asyncPolls`); POST `{"asyncPolls": N, "offsetAllowed": bool}` to change it.
   */
  control(method: string, body: unknown): FakeResponse {
    if (method === 'POST') {
      const b = (typeof body === 'object' && body !== null ? body : {}) as { asyncPolls?: unknown; offsetAllowed?: unknown };
      if (b.asyncPolls !== undefined) {
        if (!Number.isInteger(b.asyncPolls) || (b.asyncPolls as number) < 0)
          return json(400, { ok: false, error: 'asyncPolls must be a whole number >= 0' });
        this.asyncPolls = b.asyncPolls as number;
      }
      if (b.offsetAllowed !== undefined) this.offsetAllowed = b.offsetAllowed === true;
    } else if (method !== 'GET') {
      return json(405, { ok: false, error: `no control route ${method} /__control/hogql` });
    }
    return json(200, {
      cancelled: this.cancelled,
      queries: this.queries,
      running: this.runningCount,
      asyncPolls: this.asyncPolls,
      offsetAllowed: this.offsetAllowed,
    });
  }

  /** `POST …/query/`. */
  create(team: number, body: unknown): FakeResponse {
    const b = (typeof body === 'object' && body !== null ? body : {}) as {
      query?: unknown;
      refresh?: unknown;
      client_query_id?: unknown;
      async?: unknown;
    };
    const query = (typeof b.query === 'object' && b.query !== null ? b.query : undefined) as
      { kind?: unknown; query?: unknown } | undefined;
    if (!query) return phError(400, 'validation_error', 'required', 'This field is required.', 'query');
    switch (query.kind) {
      case 'HogQLQuery':
        break;
      case 'HogQLMetadata':
        return json(200, this.metadata(typeof query.query === 'string' ? query.query : ''));
      case 'DatabaseSchemaQuery':
        return json(200, this.schema());
      default:
        return phError(400, 'validation_error', 'invalid_input', `The PostHog fake does not run ${String(query.kind)} queries.`, 'query');
    }
    if (typeof query.query !== 'string') return phError(400, 'validation_error', 'invalid_input', 'Field required', 'query');
    const sql = query.query;
    this.queries.push(sql);
    const refresh = b.refresh === true ? 'force_blocking' : typeof b.refresh === 'string' ? b.refresh : 'blocking';
    const isAsync = b.async === true || refresh === 'async' || refresh === 'force_async' || refresh === 'lazy_async';
    const id = typeof b.client_query_id === 'string' && b.client_query_id ? b.client_query_id : randomUUID().replace(/-/g, '');

    if (this.runningCount >= MAX_CONCURRENT_QUERIES) {
      return phError(
        429,
        'throttled_error',
        'throttled',
        `Exceeded maximum concurrency limit: ${MAX_CONCURRENT_QUERIES} for key: api:query:per-org:0190a6c2-0000-7000-8000-0000000000aa and task: ${id}`,
      );
    }
    if (!isAsync) {
      try {
        return json(200, this.respond(sql).response);
      } catch (e) {
        return this.refusal(e);
      }
    }
    const q: RunningQuery = {
      id,
      team,
      sql,
      polls: 0,
      startTime: new Date().toISOString(),
      endTime: null,
      complete: false,
      error: false,
      errorMessage: null,
      response: null,
      rowsRead: 0,
    };
    this.running.set(id, q);
    if (this.asyncPolls === 0) this.finish(q);
    const status = this.status(q, false);
    return json(q.complete ? 200 : 202, q.complete ? { ...(q.response ?? {}), query_status: status } : { query_status: status });
  }

  /** `GET …/query/:id/`; undefined when the id is not a HogQL query of the fake. */
  poll(team: number, id: string, showProgress: boolean): FakeResponse {
    const q = this.running.get(id);
    if (!q || q.team !== team) return phError(404, 'invalid_request', 'not_found', `Query ${id} not found for team ${team}`);
    if (!q.complete && !q.error) {
      q.polls++;
      if (q.polls > this.asyncPolls) this.finish(q);
    }
    const body = { query_status: this.status(q, showProgress) };
    if (q.error) return json(q.errorMessage ? 400 : 500, body);
    return json(q.complete ? 200 : 202, body);
  }

  /** `DELETE …/query/:id/`: recorded; the status is gone afterwards (404 on the next poll). */
  cancel(_team: number, id: string): FakeResponse {
    this.cancelled.push(id);
    this.running.delete(id);
    return json(200, { message: true });
  }

  private finish(q: RunningQuery): void {
    q.endTime = new Date().toISOString();
    try {
      const { response, rowsRead } = this.respond(q.sql);
      q.response = response;
      q.rowsRead = rowsRead;
      q.complete = true;
    } catch (e) {
      // execute_async.py: an exposed error keeps complete false, sets error and error_message.
      q.error = true;
      q.errorMessage =
        e instanceof HogQLFakeError && e.code !== 'unsupported_by_fake' ? e.message : e instanceof Error ? e.message : String(e);
    }
  }

  private status(q: RunningQuery, showProgress: boolean): Record<string, unknown> {
    const total = this.events.length;
    const done = Math.min(1, q.polls / Math.max(1, this.asyncPolls + 1));
    const rowsRead = Math.round(total * done);
    return {
      id: q.id,
      query_async: true,
      team_id: q.team,
      insight_id: null,
      dashboard_id: null,
      complete: q.complete,
      error: q.error,
      error_message: q.errorMessage,
      results: q.complete ? q.response : null,
      start_time: q.startTime,
      end_time: q.endTime,
      expiration_time: q.endTime ? new Date(Date.parse(q.endTime) + 600_000).toISOString() : null,
      task_id: `task-${q.id.slice(0, 8)}`,
      query_progress:
        showProgress && !q.complete && !q.error
          ? {
              bytes_read: rowsRead * 212,
              rows_read: rowsRead,
              estimated_rows_total: total,
              time_elapsed: q.polls,
              active_cpu_time: q.polls * 1000,
            }
          : null,
    };
  }

  private refusal(e: unknown): FakeResponse {
    if (e instanceof HogQLFakeError) return phError(400, 'validation_error', e.code, e.message, null);
    throw e;
  }

  /** The HogQLQueryResponse for a query, or a HogQLFakeError PostHog would answer with a 400. */
  private respond(sql: string): { response: Record<string, unknown>; rowsRead: number } {
    const q = parseHogQL(sql);
    const tableError = checkTable(q);
    if (tableError) throw tableError;
    const aliases = new Set(q.select.flatMap((s) => (s.alias ? [s.alias] : [])));
    const fieldErrors = checkFields(q, aliases);
    if (fieldErrors.length) throw fieldErrors[0];
    if (q.offset && !this.offsetAllowed)
      throw new HogQLFakeError(OFFSET_NOT_ALLOWED_MESSAGE, 'hogql_query_error', q.offset.start, q.offset.end);
    const paginated = q.limit === undefined;
    const limit = paginated ? DEFAULT_RETURNED_ROWS : Math.min(q.limit!, MAX_SELECT_RETURNED_ROWS);
    const offset = q.offset?.value ?? 0;
    const result = execute(q, this.events, paginated ? limit + 1 : limit, offset);
    const hasMore = paginated ? result.rows.length > limit : null;
    const rows = paginated && hasMore ? result.rows.slice(0, limit) : result.rows;
    const now = new Date().toISOString();
    return {
      rowsRead: result.matched,
      response: {
        cache_key: `cache_${Buffer.from(sql).toString('base64url').slice(0, 24)}`,
        clickhouse: null,
        columns: result.columns,
        error: null,
        explain: null,
        hasMore,
        hogql: sql.trim(),
        is_cached: false,
        last_refresh: now,
        limit: paginated ? limit : null,
        metadata: null,
        modifiers: {},
        next_allowed_client_refresh: now,
        offset: paginated ? offset : null,
        query: sql,
        query_status: null,
        results: rows,
        timezone: 'UTC',
        timings: [
          { k: './parse_select', t: 0.001 },
          { k: '.', t: 0.01 },
        ],
        types: result.types,
      },
    };
  }

  /** HogQLMetadata: errors with positions instead of a 400 (HogQLMetadataResponse). */
  metadata(sql: string): Record<string, unknown> {
    const errors: { message: string; start: number | null; end: number | null; fix: null }[] = [];
    try {
      const q = parseHogQL(sql);
      const tableError = checkTable(q);
      if (tableError && tableError.code !== 'unsupported_by_fake') errors.push(notice(tableError));
      const aliases = new Set(q.select.flatMap((s) => (s.alias ? [s.alias] : [])));
      if (!tableError) for (const e of checkFields(q, aliases)) errors.push(notice(e));
    } catch (e) {
      if (!(e instanceof HogQLFakeError)) throw e;
      if (e.code !== 'unsupported_by_fake') errors.push(notice(e));
    }
    return { errors, warnings: [], notices: [], isValid: errors.length === 0, query: sql, table_names: ['events'] };
  }

  /** DatabaseSchemaQuery: events, persons, sessions with their fields. */
  schema(): Record<string, unknown> {
    return {
      tables: {
        events: schemaTable(
          'events',
          EVENTS_FIELDS.map(([n, t]) => [n, t]),
        ),
        persons: schemaTable('persons', PERSONS_FIELDS),
        sessions: schemaTable('sessions', SESSIONS_FIELDS),
      },
      joins: [],
    };
  }
}

function notice(e: HogQLFakeError): { message: string; start: number | null; end: number | null; fix: null } {
  return { message: e.message, start: e.start ?? null, end: e.end ?? null, fix: null };
}
