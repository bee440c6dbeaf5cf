/**
 * HogQL (PostHog's SQL) on PostHog's query API, through a PostHogClient's HTTP and key:
 * `POST …/query/` with `{"query":{"kind":"HogQLQuery","query":…}}`, synchronously or
 * asynchronously (202 + `query_status`, polled at `GET …/query/:id/?show_progress=true`, cancelled
 * with `DELETE …/query/:id/`), plus HogQLMetadata (errors with positions) and DatabaseSchemaQuery.
 *
 * PostHog's limits (PostHog/posthog posthog/hogql/constants.py, hogql_query_runner.py, printer.py,
 * user_query_validator.py): a query without LIMIT returns 100 rows with `hasMore`; a LIMIT above
 * 50,000 is cut to 50,000 without a word (`hasMore` null), so exactly 50,000 rows means "probably
 * cut"; OFFSET is refused for personal API keys. Past the cap, `fetchAll` cuts the rest of the
 * range into time slices run 2 at once, or pages by the time column, never by OFFSET.
 */
import { randomUUID } from 'node:crypto';
import { InsightError, isCancelled } from '../../errors';
import { abortableSleep } from '../../http';
import { PostHogClient, PostHogValidationError } from './client';
import { QueryStatus } from './types';
import { type TimeSlice, bisect, isoOfMicros, microsOf, planSlices } from './hogqlSlices';

/** A cancel sent while giving up (Ctrl-C, timeout) never holds the caller longer than this. */
const CANCEL_TIMEOUT_MS = 10_000;

/**
 * Fetch All's time slices at once. PostHog runs at most 3 queries at once per organisation
 * (posthog/clickhouse/client/limit.py, get_api_personal_rate_limiter): 2 leaves one for everyone else.
 */
export const HOGQL_FETCH_CONCURRENCY = 2;

/** PostHog's MAX_SELECT_RETURNED_ROWS: no query returns more rows than this. */
export const HOGQL_MAX_ROWS = 50_000;

export interface HogQLResult {
  columns: string[];
  /** As PostHog sends them: `[name, ClickHouse type]` pairs. */
  types: unknown[];
  results: unknown[][];
  hasMore: boolean | null;
  limit: number | null;
  offset: number | null;
  /** PostHog may have cut the result: `hasMore`, or exactly 50,000 rows. */
  capped: boolean;
}

export interface HogQLProgress {
  polls: number;
  rowsRead?: number;
  bytesRead?: number;
  estimatedRowsTotal?: number;
}

export interface HogQLRunOptions {
  /** Run asynchronously (refresh `force_async`), polling the status until it completes. */
  async?: boolean;
  signal?: AbortSignal;
  /** While an asynchronous run is polled: PostHog's `query_progress`. */
  onProgress?: (p: HogQLProgress) => void;
  /** Gives up (and cancels the query on PostHog) after this long (ms); default 300 s. */
  timeoutMs?: number;
  clientQueryId?: string;
}

export interface HogQLNotice {
  message: string;
  start?: number | null;
  end?: number | null;
  fix?: string | null;
}

export interface HogQLMetadata {
  isValid: boolean;
  errors: HogQLNotice[];
  warnings: HogQLNotice[];
  notices: HogQLNotice[];
}

export interface HogQLSchemaTable {
  name: string;
  type: string;
  fields: { name: string; type: string; hogqlValue: string }[];
}

export interface FetchAllOptions {
  /** The most rows wanted (the query's own LIMIT, if smaller, wins). */
  maxRows: number;
  /** The column paged on (default `timestamp`): must be in the SELECT list. */
  timeColumn?: string;
  /** Rows per query (default and most: 50,000). */
  pageSize?: number;
  signal?: AbortSignal;
  /** Each query runs asynchronously (see HogQLRunOptions). */
  async?: boolean;
  /** Per query. */
  timeoutMs?: number;
  /** After each query: rows kept so far and queries made. */
  onPage?: (rows: number, queries: number) => void;
  /**
   * Takes each page's complete rows, in order, as they come: the rows are then not kept, and the
   * result's `results` is empty. A million rows cost a few pages of memory (the one being taken
   * and the slices running) instead of all of them. It is called as soon as a page arrives and
   * runs while the next queries do; the page after waits for it, and fetchAll ends when the last
   * one is done.
   */
  onRows?: (rows: unknown[][], head: { columns: string[]; types: unknown[] }) => void | Promise<void>;
  /** Time slices run at once after the first page (default HOGQL_FETCH_CONCURRENCY, at most 3); 1 pages one query after another. */
  concurrency?: number;
  /** Rows a time slice is planned to hold (default 80% of pageSize, so most slices stay under the cap). */
  sliceRows?: number;
}

export interface FetchAllResult extends HogQLResult {
  /** Rows fetched (given to `onRows`, or in `results`). */
  rows: number;
  /** Time slices planned after the first page (0: it paged by the column one query at a time). */
  slices: number;
  /** Slices that hit the cap and had the rest of their range cut in two. */
  bisected: number;
  /** Queries made. */
  queries: number;
  /** Stopped at maxRows: more rows may exist. */
  reachedMax: boolean;
}

/** PostHog refused the query (400): its message, its code (e.g. `hogql_syntax_error`). */
export class HogQLQueryError extends InsightError {
  constructor(
    readonly detail: string,
    readonly code: string | undefined,
  ) {
    const offset = /\bOFFSET is not supported\b/i.test(detail);
    super('usage', `PostHog refused the HogQL query${code ? ` (${code})` : ''}: ${detail}${/[.!?]$/.test(detail) ? '' : '.'}`, {
      status: 400,
      next: offset ? 'Remove OFFSET and page by time instead (insights posthog query --max-rows does).' : 'Fix the query and run it again.',
    });
  }
}

interface QueryAnswer {
  results?: unknown;
  columns?: unknown;
  types?: unknown;
  hasMore?: unknown;
  limit?: unknown;
  offset?: unknown;
  query_status?: QueryStatus | null;
}

export class HogQLClient {
  private readonly pollIntervalMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly client: PostHogClient,
    opts: { pollIntervalMs?: number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
  ) {
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.sleep = opts.sleep ?? abortableSleep;
  }

  /** One query. Cancelling (the signal) or timing out also cancels it on PostHog. */
  async run(sql: string, opts: HogQLRunOptions = {}): Promise<HogQLResult> {
    const id = opts.clientQueryId ?? randomUUID();
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    try {
      const res = await this.post<QueryAnswer>(
        { kind: 'HogQLQuery', query: sql },
        { refresh: opts.async ? 'force_async' : 'blocking', client_query_id: id },
        opts.signal,
      );
      const st = res.query_status;
      if (st && st.complete === false) {
        if (st.error) throw this.failed(st);
        return toResult(await this.poll(st.id || id, opts, deadline));
      }
      return toResult(res);
    } catch (e) {
      if (opts.signal?.aborted || isCancelled(e) || (e instanceof InsightError && e.kind === 'timeout'))
        await this.cancel(id, AbortSignal.timeout(CANCEL_TIMEOUT_MS)).catch(() => undefined);
      throw e;
    }
  }

  /** `DELETE …/query/:id/`: stops a running query (PostHog answers 200 even for an unknown id). */
  async cancel(id: string, signal?: AbortSignal): Promise<void> {
    await this.client.http.text(this.client.apiPath(`query/${encodeURIComponent(id)}/`), { method: 'DELETE', signal });
  }

  /** Errors, warnings and notices for a query, with character ranges, without running it. */
  async metadata(sql: string, signal?: AbortSignal): Promise<HogQLMetadata> {
    const body = await this.post<Partial<HogQLMetadata>>({ kind: 'HogQLMetadata', language: 'hogQL', query: sql }, {}, signal);
    const list = (v: unknown): HogQLNotice[] =>
      Array.isArray(v)
        ? v.filter((n): n is HogQLNotice => typeof n === 'object' && n !== null && typeof (n as HogQLNotice).message === 'string')
        : [];
    const errors = list(body?.errors);
    return {
      isValid: typeof body?.isValid === 'boolean' ? body.isValid : errors.length === 0,
      errors,
      warnings: list(body?.warnings),
      notices: list(body?.notices),
    };
  }

  /** Every table HogQL can query, with its fields and their types. */
  async schema(signal?: AbortSignal): Promise<HogQLSchemaTable[]> {
    const body = await this.post<{
      tables?: Record<
        string,
        { name?: string; type?: string; fields?: Record<string, { name?: string; type?: string; hogql_value?: string }> }
      >;
    }>({ kind: 'DatabaseSchemaQuery' }, {}, signal);
    if (!body || typeof body.tables !== 'object' || body.tables === null)
      throw new InsightError('data', 'PostHog returned no tables for the database schema.', {
        next: 'Check the base URL points at PostHog.',
      });
    return Object.entries(body.tables).map(([key, t]) => ({
      name: t.name ?? key,
      type: t.type ?? 'posthog',
      fields: Object.entries(t.fields ?? {}).map(([fk, f]) => ({
        name: f.name ?? fk,
        type: f.type ?? 'unknown',
        hogqlValue: f.hogql_value ?? fk,
      })),
    }));
  }

  /**
   * More rows than one query returns, never by OFFSET (PostHog refuses it for personal API keys).
   * Only a plain `SELECT … FROM … [WHERE …] [ORDER BY t [ASC]] [LIMIT n]` over a column t can be
   * fetched this way. The first query is the first page, `ORDER BY t LIMIT 50000`. When it is full:
   *
   * - the rows at its last value of t may continue past it, so they are held back and fetched
   *   again with what follows (`t >= last`): no row is lost or repeated where values tie;
   * - when t is a date-time, one query counts the remaining rows per day (`toDate(t)`), and the
   *   rest of the range is cut into time slices of about 40,000 rows (`t >= a AND t < b`), run 2
   *   at once (PostHog runs 3 per organisation; a 429 waits as PostHog says) and appended in
   *   time order. A slice that still hits the cap keeps its complete rows, and the rest of its
   *   range is bisected; the last slice is open-ended, so every row falls in one slice;
   * - otherwise it pages by t one query after another (`WHERE t >= last ORDER BY t LIMIT n`).
   *
   * 1,000,000 events over a month take about 27 queries.
   */
  async fetchAll(sql: string, opts: FetchAllOptions): Promise<FetchAllResult> {
    const tc = opts.timeColumn ?? 'timestamp';
    const parts = keysetParts(sql, tc);
    const wanted = Math.min(opts.maxRows, parts.limit ?? Infinity);
    const pageSize = Math.max(1, Math.min(opts.pageSize ?? HOGQL_MAX_ROWS, HOGQL_MAX_ROWS));
    const concurrency = Math.min(3, Math.max(1, Math.floor(opts.concurrency ?? HOGQL_FETCH_CONCURRENCY)));
    const kept: unknown[][] = [];
    let count = 0;
    let columns: string[] = [];
    let types: unknown[] = [];
    let queries = 0;
    // The page being handed to onRows while the next query runs (its failure surfaces at the next take).
    let handing: Promise<void> | undefined;
    // Rows left out to stop at `wanted`: more rows exist.
    let cut = false;
    const take = async (rows: unknown[][]) => {
      if (rows.length > wanted - count) cut = true;
      const some = cut ? rows.slice(0, wanted - count) : rows;
      count += some.length;
      const onRows = opts.onRows;
      if (onRows) {
        if (handing) await handing;
        handing = (async () => onRows(some, { columns, types }))();
        handing.catch(() => undefined);
      } else {
        for (const r of some) kept.push(r);
      }
      opts.onPage?.(count, queries);
    };
    // Slices still running when the fetch ends early (maxRows reached, a failure) are cancelled.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.signal?.aborted) stop.abort();
    /**
     * One query of the fetch. PostHog runs 3 queries at once per organisation: when others hold
     * the slots (a dashboard, a teammate) the 429 outlasts the HTTP retries, so the query waits
     * for a slot, doubling the wait up to 30 s, within the per-query timeout.
     */
    const runWaiting = async (sqlText: string): Promise<HogQLResult> => {
      const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.run(sqlText, { signal: stop.signal, async: opts.async, timeoutMs: opts.timeoutMs });
        } catch (e) {
          if (!(e instanceof InsightError && e.kind === 'throttled') || Date.now() >= deadline) throw e;
          await this.sleep(Math.min(30_000, Math.max(1, this.pollIntervalMs) * 2 ** Math.min(attempt, 15)), stop.signal);
        }
      }
    };
    const query = async (conds: PageCondition[], n: number) => {
      const page = await runWaiting(pageQuery(parts, tc, conds, n));
      queries++;
      if (columns.length === 0) {
        columns = page.columns;
        types = page.types;
      }
      return page;
    };
    /** A full page: its rows before the last value of t (complete), and that value (whose rows come again). */
    const splitFull = (page: HogQLResult, n: number): { complete: unknown[][]; edge: unknown } => {
      const idx = timeIndex(page.columns, tc);
      if (idx < 0)
        throw new InsightError('usage', `Paging past ${HOGQL_MAX_ROWS.toLocaleString('en-US')} rows needs ${tc} in the SELECT list.`, {
          next: `Add ${tc} to the columns, or lower --max-rows.`,
        });
      const edge = page.results[page.results.length - 1][idx];
      if (edge === null || edge === undefined)
        throw new InsightError('data', `A row has no ${tc}: paging cannot continue past it.`, {
          next: `Add "${tc} IS NOT NULL"-like filtering to the query.`,
        });
      let complete = 0;
      for (const r of page.results) if (!sameValue(r[idx], edge)) complete++;
      if (complete === 0) {
        throw new InsightError(
          'data',
          `${n.toLocaleString('en-US')} or more rows share ${tc} = ${String(edge)}: paging by ${tc} cannot split them.`,
          { next: 'Narrow the query with a WHERE condition.' },
        );
      }
      return { complete: page.results.slice(0, complete), edge };
    };

    let exhausted = false;
    let sliced = 0;
    let bisected = 0;
    try {
      // One query after another (`t >= last`), until the first full page shows t is a date-time.
      let after: unknown;
      let heldBack = 0;
      let from: number | undefined;
      while (count < wanted) {
        const n = Math.min(pageSize, wanted - count + heldBack);
        const page = await query(after === undefined ? [] : [{ op: '>=', value: after }], n);
        if (page.results.length < n) {
          await take(page.results);
          exhausted = true;
          break;
        }
        const { complete, edge } = splitFull(page, n);
        await take(complete);
        heldBack = page.results.length - complete.length;
        after = edge;
        from = concurrency > 1 ? microsOf(edge) : undefined;
        if (from !== undefined) break;
      }

      if (from !== undefined && count < wanted) {
        // Rows per day from the held-back value on, to plan slices of ~80% of the cap.
        const hist = await runWaiting(histogramQuery(parts, tc, after));
        queries++;
        const days = hist.results.map((r) => ({ day: String(r[0]), rows: Number(r[1]) }));
        type Node = { slice: TimeSlice; started?: boolean; page?: Promise<HogQLResult> };
        const nodes: Node[] = planSlices(from, days, Math.max(1, Math.floor(opts.sliceRows ?? pageSize * 0.8)), wanted - count).map((slice) => ({ slice }));
        sliced = nodes.length;
        const start = (node: Node) => {
          const conds: PageCondition[] = [{ op: '>=', value: isoOfMicros(node.slice.from) }];
          if (node.slice.to !== undefined) conds.push({ op: '<', value: isoOfMicros(node.slice.to) });
          node.started = true;
          node.page = query(conds, pageSize);
          // Observed when it becomes the next to append; cancelled with the rest on an early end.
          node.page.catch(() => undefined);
        };
        let i = 0;
        while (i < nodes.length && count < wanted) {
          // A window of `concurrency` slices from the next one to append: running or done, never
          // more pages in hand than that (slices that finish early wait for the ones before).
          for (let j = i; j < Math.min(nodes.length, i + concurrency); j++) if (!nodes[j].started) start(nodes[j]);
          const head = nodes[i];
          const page = await head.page!;
          head.page = undefined; // appended: its rows are the writer's now, not the plan's
          if (page.results.length < pageSize) {
            await take(page.results);
            i++;
            continue;
          }
          // The slice hit the cap: keep its complete rows, bisect the rest of its range.
          const { complete, edge } = splitFull(page, pageSize);
          await take(complete);
          const at = microsOf(edge);
          if (at === undefined)
            throw new InsightError('data', `PostHog sent ${tc} = ${String(edge)}, not a date-time: the slices cannot continue.`, {
              next: 'Report this with the query; meanwhile lower the row count with LIMIT.',
            });
          const rest: TimeSlice = { from: at, to: head.slice.to };
          const halves = bisect(rest);
          nodes.splice(i, 1, ...(halves ?? [rest]).map((slice) => ({ slice })));
          if (halves) bisected++;
        }
        exhausted = i >= nodes.length;
      }
      if (handing) await handing;
    } catch (e) {
      stop.abort();
      // Never leave the caller's writer mid-page: the page in hand finishes (or fails) first.
      await handing?.catch(() => undefined);
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    stop.abort();
    return {
      columns,
      types,
      results: kept,
      rows: count,
      hasMore: null,
      limit: null,
      offset: null,
      capped: false,
      queries,
      slices: sliced,
      bisected,
      reachedMax: count >= wanted && (cut || !exhausted),
    };
  }

  private async post<T>(query: Record<string, unknown>, extra: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    try {
      const res = await this.client.http.json<T>(this.client.apiPath('query/'), { method: 'POST', json: { query, ...extra }, signal });
      return res.body;
    } catch (e) {
      throw queryError(e);
    }
  }

  private async poll(id: string, opts: HogQLRunOptions, deadline: number): Promise<QueryAnswer> {
    for (let polls = 1; ; polls++) {
      if (Date.now() > deadline)
        throw new InsightError('timeout', `PostHog is still running HogQL query ${id}; it was cancelled.`, {
          next: 'Narrow the query or raise --timeout.',
        });
      await this.sleep(this.pollIntervalMs, opts.signal);
      let res;
      try {
        res = await this.client.http.json<{ query_status?: QueryStatus }>(this.client.apiPath(`query/${encodeURIComponent(id)}/`), {
          query: { show_progress: 'true' },
          signal: opts.signal,
          // QueryViewSet.retrieve: 400 with the status when the query failed with a message.
          acceptStatus: (s) => s === 400,
        });
      } catch (e) {
        if (e instanceof InsightError && e.kind === 'notFound') {
          throw new InsightError('notFound', `PostHog no longer knows HogQL query ${id} (404): it was cancelled, or its status expired.`, {
            status: 404,
            next: 'Run the query again.',
          });
        }
        throw e;
      }
      const st = res.body?.query_status;
      if (!st || typeof st !== 'object')
        throw new InsightError('data', `PostHog answered the status of query ${id} without a query_status.`);
      if (res.status === 400 || st.error) throw this.failed(st);
      const p = (st.query_progress ?? {}) as { rows_read?: number; bytes_read?: number; estimated_rows_total?: number };
      opts.onProgress?.({ polls, rowsRead: p.rows_read, bytesRead: p.bytes_read, estimatedRowsTotal: p.estimated_rows_total });
      if (res.status === 200 && st.complete) {
        const answer = st.results as QueryAnswer | null | undefined;
        if (!answer || typeof answer !== 'object')
          throw new InsightError('data', `PostHog completed query ${id} without results.`, { next: 'Run the query again.' });
        return answer;
      }
    }
  }

  private failed(st: QueryStatus): InsightError {
    return st.error_message
      ? new HogQLQueryError(st.error_message, undefined)
      : new InsightError('server', `PostHog failed to run HogQL query ${st.id}.`, { next: 'Try again later.' });
  }
}

function queryError(e: unknown): unknown {
  if (e instanceof PostHogValidationError) return new HogQLQueryError(e.detail, e.code);
  if (e instanceof InsightError && e.kind === 'throttled') {
    return new InsightError(
      'throttled',
      `PostHog kept refusing the query (429): it runs at most 3 queries at once per organisation and limits queries per hour.`,
      {
        status: 429,
        next: 'Wait for other queries to finish, then try again.',
      },
    );
  }
  return e;
}

function toResult(body: QueryAnswer | undefined): HogQLResult {
  if (!body || !Array.isArray(body.results))
    throw new InsightError('data', 'PostHog returned a query answer without a results array.', {
      next: 'Check the base URL points at PostHog.',
    });
  const results = body.results as unknown[][];
  const hasMore = typeof body.hasMore === 'boolean' ? body.hasMore : null;
  return {
    columns: Array.isArray(body.columns) ? body.columns.map(String) : [],
    types: Array.isArray(body.types) ? body.types : [],
    results,
    hasMore,
    limit: typeof body.limit === 'number' ? body.limit : null,
    offset: typeof body.offset === 'number' ? body.offset : null,
    capped: hasMore === true || results.length === HOGQL_MAX_ROWS,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

function timeIndex(columns: string[], tc: string): number {
  const exact = columns.indexOf(tc);
  if (exact >= 0) return exact;
  const bare = tc.split('.').pop()!;
  return columns.findIndex((c) => c === bare || c.toLowerCase() === tc.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// The query's top-level clauses, for keyset paging

export interface KeysetParts {
  select: string;
  from: string;
  where?: string;
  limit?: number;
}

const CLAUSES = [
  'select',
  'distinct',
  'from',
  'where',
  'group',
  'having',
  'order',
  'limit',
  'offset',
  'union',
  'intersect',
  'except',
  'join',
  'window',
  'qualify',
  'settings',
  'with',
  'prewhere',
  'sample',
  'by',
];

/** Words at parenthesis depth 0, outside strings, quoted names and comments, with their offsets. */
function topLevelWords(sql: string): { word: string; start: number; end: number }[] {
  const out: { word: string; start: number; end: number }[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? sql.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < sql.length && sql[i] !== c) i += sql[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
    } else if (/[A-Za-z_$]/.test(c)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_$]/.test(sql[i])) i++;
      const word = sql.slice(start, i).toLowerCase();
      // `events.timestamp`: a name after a dot is never a keyword.
      if (depth === 0 && CLAUSES.includes(word) && sql[start - 1] !== '.') out.push({ word, start, end: i });
    } else {
      i++;
    }
  }
  return out;
}

/**
 * The parts of a query that keyset paging can rebuild, or a usage error naming what stops it.
 * Exported for tests.
 */
export function keysetParts(sqlText: string, tc: string): KeysetParts {
  const sql = sqlText.replace(/[\s;]+$/, '');
  const words = topLevelWords(sql);
  const refuse = (what: string): never => {
    throw new InsightError(
      'usage',
      `This query cannot be paged past ${HOGQL_MAX_ROWS.toLocaleString('en-US')} rows by ${tc}: it has ${what}.`,
      {
        next: `Use a plain SELECT … FROM … [WHERE …] [ORDER BY ${tc}] query, or keep --max-rows at ${HOGQL_MAX_ROWS.toLocaleString('en-US')} or less.`,
      },
    );
  };
  if (words[0]?.word !== 'select' || sql.slice(0, words[0].start).trim() !== '')
    refuse(words[0]?.word === 'with' ? 'a WITH clause' : 'no leading SELECT');
  const at = (w: string) => words.findIndex((x) => x.word === w);
  for (const [w, what] of [
    ['distinct', 'DISTINCT'],
    ['group', 'GROUP BY'],
    ['having', 'HAVING'],
    ['union', 'UNION'],
    ['intersect', 'INTERSECT'],
    ['except', 'EXCEPT'],
    ['join', 'a JOIN'],
    ['offset', 'OFFSET'],
    ['window', 'WINDOW'],
    ['qualify', 'QUALIFY'],
    ['settings', 'SETTINGS'],
    ['prewhere', 'PREWHERE'],
    ['sample', 'SAMPLE'],
  ] as const) {
    if (at(w) >= 0) refuse(what);
  }
  if (words.filter((x) => x.word === 'select').length > 1) refuse('more than one SELECT');
  const from = at('from');
  if (from < 0) refuse('no FROM');
  const clauseStart = (i: number) => (i >= 0 ? words[i].start : sql.length);
  const next = (i: number) => {
    const later = words.slice(i + 1).find((x) => ['where', 'order', 'limit'].includes(x.word));
    return later ? later.start : sql.length;
  };
  const where = at('where');
  const order = at('order');
  const limit = at('limit');
  if ((where >= 0 && where < from) || (order >= 0 && order < from) || (limit >= 0 && limit < from)) refuse('clauses before FROM');
  if (order >= 0) {
    const text = sql
      .slice(words[order].end, clauseStart(limit > order ? limit : -1))
      .replace(/^\s*by\b/i, '')
      .trim();
    const esc = tc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (!new RegExp(`^${esc}(\\s+asc)?$`, 'i').test(text)) refuse(`ORDER BY ${text} (only ${tc} ascending can be paged)`);
  }
  let limitValue: number | undefined;
  if (limit >= 0) {
    const text = sql.slice(words[limit].end).trim();
    if (!/^\d+$/.test(text)) refuse(`LIMIT ${text}`);
    limitValue = Number(text);
  }
  return {
    select: sql.slice(words[0].end, words[from].start).trim(),
    from: sql.slice(words[from].end, next(from)).trim(),
    where: where >= 0 ? sql.slice(words[where].end, next(where)).trim() : undefined,
    limit: limitValue,
  };
}

/** A literal for a value PostHog returned in the time column. */
export function hogqlLiteral(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  const us = microsOf(v);
  if (us !== undefined) {
    const iso = isoOfMicros(us); // YYYY-MM-DDTHH:MM:SS.ffffffZ, in UTC
    return `toDateTime64('${iso.slice(0, 10)} ${iso.slice(11, 26)}', 6, 'UTC')`;
  }
  const s = String(v);
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A condition on the time column added to the query's own. */
export interface PageCondition {
  op: '>=' | '<';
  value: unknown;
}

/** The query's own WHERE (parenthesised: its OR binds inside), AND the conditions on the time column. */
function whereOf(parts: KeysetParts, tc: string, conds: PageCondition[]): string | undefined {
  const all = [parts.where ? `(${parts.where}\n)` : undefined, ...conds.map((c) => `${tc} ${c.op} ${hogqlLiteral(c.value)}`)].filter(Boolean);
  return all.length ? `WHERE ${all.join(' AND ')}` : undefined;
}

/** One page: the query's own conditions, AND the conditions on the time column, ordered by it. */
export function pageQuery(parts: KeysetParts, tc: string, conds: PageCondition[], limit: number): string {
  // Each clause on its own line: a trailing `--` comment in the user's text never swallows ours.
  return [
    `SELECT ${parts.select}`,
    `FROM ${parts.from}`,
    whereOf(parts, tc, conds),
    `ORDER BY ${tc} ASC`,
    `LIMIT ${limit}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Rows per day (`toDate(t)`, PostHog's project time zone) from `from` on: the plan of the slices. */
export function histogramQuery(parts: KeysetParts, tc: string, from: unknown): string {
  return [
    `SELECT toDate(${tc}) AS day, count() AS n`,
    `FROM ${parts.from}`,
    whereOf(parts, tc, [{ op: '>=', value: from }]),
    'GROUP BY day',
    'ORDER BY day ASC',
    `LIMIT ${HOGQL_MAX_ROWS}`,
  ].join('\n');
}
