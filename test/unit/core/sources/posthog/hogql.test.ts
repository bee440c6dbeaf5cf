import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import { PostHogClient } from '../../../../../src/core/sources/posthog/client';
import { HOGQL_MAX_ROWS, HogQLClient, HogQLQueryError, keysetParts } from '../../../../../src/core/sources/posthog/hogql';
import { PostHogFake, startPostHogFake } from '../../../../fakes/posthog';
import { isoMicros } from '../../../../fakes/posthogHogql';

describe('HogQL on the PostHog query API (client against the fake over HTTP)', function () {
  this.timeout(60_000);
  let fake: PostHogFake;
  before(async () => {
    fake = await startPostHogFake();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  const posthog = () =>
    new PostHogClient({
      baseUrl: fake.url,
      projectId: String(fake.projectId),
      apiKey: fake.apiKey,
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 },
    });
  const make = () => new HogQLClient(posthog(), { pollIntervalMs: 1 });
  const events = () => fake.hogql.events;
  const refusal = async (p: Promise<unknown>): Promise<HogQLQueryError> => {
    const e = await p.then(
      () => assert.fail('PostHog should have refused the query'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof HogQLQueryError, `a HogQLQueryError, got ${String(e)}`);
    return e;
  };

  it('a LIMIT returns that many rows with columns and ClickHouse types, and no hasMore', async () => {
    const r = await make().run(
      'SELECT uuid, event, timestamp, properties.$browser AS browser FROM events ORDER BY timestamp ASC LIMIT 250',
    );
    assert.deepEqual(r.columns, ['uuid', 'event', 'timestamp', 'browser']);
    assert.deepEqual(r.types, [
      ['uuid', 'UUID'],
      ['event', 'String'],
      ['timestamp', "DateTime64(6, 'UTC')"],
      ['browser', 'Nullable(String)'],
    ]);
    assert.equal(r.results.length, 250);
    const first = events()[0];
    assert.deepEqual(r.results[0], [first.uuid, first.event, isoMicros(first.ts), first.properties.$browser]);
    assert.equal(r.hasMore, null);
    assert.equal(r.limit, null);
    assert.equal(r.capped, false);
  });

  it('without a LIMIT PostHog returns its default 100 rows and says hasMore: flagged as capped', async () => {
    const r = await make().run("SELECT uuid FROM events WHERE event = 'video_played'");
    assert.equal(r.results.length, 100);
    assert.equal(r.hasMore, true);
    assert.equal(r.limit, 100);
    assert.equal(r.offset, 0);
    assert.equal(r.capped, true);
    // A query with fewer rows than the default has hasMore false.
    const few = await make().run("SELECT event, count() FROM events WHERE event = 'video_played' GROUP BY event");
    assert.equal(few.results.length, 1);
    assert.equal(few.hasMore, false);
    assert.equal(few.capped, false);
    assert.equal(few.results[0][1], events().filter((e) => e.event === 'video_played').length);
  });

  it('a LIMIT above 50,000 is cut to 50,000 without a word (hasMore null): the result is flagged as capped', async () => {
    assert.ok(events().length > HOGQL_MAX_ROWS, 'the table holds more than one query can return');
    const r = await make().run('SELECT uuid FROM events LIMIT 80000');
    assert.equal(r.results.length, HOGQL_MAX_ROWS);
    assert.equal(r.hasMore, null);
    assert.equal(r.capped, true);
    const under = await make().run('SELECT uuid FROM events LIMIT 49999');
    assert.equal(under.capped, false);
  });

  it('OFFSET is refused for a personal API key with PostHog message and code, exit code 2', async () => {
    const e = await refusal(make().run('SELECT uuid FROM events ORDER BY timestamp LIMIT 10 OFFSET 20'));
    assert.equal(e.code, 'hogql_query_error');
    assert.equal(e.kind, 'usage');
    assert.equal(e.exitCode, 2);
    assert.match(
      e.message,
      /^PostHog refused the HogQL query \(hogql_query_error\): OFFSET is not supported on queries made with a personal API key\./,
    );
    assert.match(e.message, /page by time/);
    assert.ok(!e.message.includes('\n'), 'one line');
    // An organisation on PostHog's allow-list may use OFFSET: the fake then runs it.
    fake.hogql.offsetAllowed = true;
    const r = await make().run('SELECT uuid FROM events ORDER BY timestamp LIMIT 10 OFFSET 20');
    assert.deepEqual(
      r.results.map((x) => x[0]),
      events()
        .slice(20, 30)
        .map((e) => e.uuid),
    );
  });

  it('a syntax error, an unknown field and an unknown table come back as one line with PostHog message', async () => {
    const syntax = await refusal(make().run('SELECT event FROM events WHERE'));
    assert.equal(syntax.code, 'hogql_syntax_error');
    assert.match(
      syntax.message,
      /^PostHog refused the HogQL query \(hogql_syntax_error\): Syntax error at line 1, column 30: .*Fix the query and run it again\.$/,
    );
    const field = await refusal(make().run('SELECT evnt FROM events'));
    assert.equal(field.detail, 'Unable to resolve field: evnt');
    const table = await refusal(make().run('SELECT event FROM evnts'));
    assert.equal(table.detail, 'Unknown table `evnts`.');
    for (const e of [syntax, field, table]) assert.ok(!e.message.includes('\n'));
  });

  it('an asynchronous run reports PostHog query_progress while polling, then returns the whole result', async () => {
    const seen: { rowsRead?: number; estimatedRowsTotal?: number; polls: number }[] = [];
    const sql = "SELECT toDate(timestamp) AS day, count() AS n FROM events WHERE event = '$pageview' GROUP BY day ORDER BY day";
    const r = await make().run(sql, { async: true, onProgress: (p) => seen.push(p) });
    const sync = await make().run(sql);
    assert.deepEqual(r.results, sync.results);
    assert.equal(r.results.length, 30, 'one row per day of November');
    const running = seen.filter((p) => p.rowsRead !== undefined);
    assert.equal(running.length, fake.hogql.asyncPolls, 'progress on every 202');
    assert.ok(running.every((p) => p.estimatedRowsTotal === events().length));
    assert.ok(running[running.length - 1].rowsRead! > running[0].rowsRead!, 'rows read grow');
    const post = fake.requests.find((q) => q.method === 'POST' && q.path.endsWith('/query/'));
    assert.equal((post?.body as { refresh?: string }).refresh, 'force_async');
    const polls = fake.requests.filter((q) => q.method === 'GET' && /\/query\/[^/]+\/$/.test(q.path));
    assert.equal(polls.length, fake.hogql.asyncPolls + 1);
    assert.ok(polls.every((q) => q.query.show_progress === 'true'));
  });

  it('an asynchronous query that fails reports PostHog error_message', async () => {
    const e = await refusal(make().run('SELECT evnt FROM events', { async: true }));
    assert.equal(e.detail, 'Unable to resolve field: evnt');
  });

  it('cancelling a running query sends DELETE query/:id/ to PostHog', async () => {
    const ac = new AbortController();
    fake.hogql.asyncPolls = 50;
    const run = make().run('SELECT uuid FROM events LIMIT 10', {
      async: true,
      signal: ac.signal,
      clientQueryId: 'cancel-me-1',
      onProgress: (p) => {
        if (p.polls === 2) ac.abort();
      },
    });
    await assert.rejects(run, (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
    assert.deepEqual(fake.hogql.cancelled, ['cancel-me-1']);
    assert.ok(fake.requests.some((q) => q.method === 'DELETE' && q.path.endsWith('/query/cancel-me-1/')));
    assert.equal(fake.hogql.runningCount, 0, 'PostHog no longer runs it');
  });

  it('a query PostHog no longer knows (404 while polling) fails with a clear message', async () => {
    fake.hogql.asyncPolls = 50;
    const run = make().run('SELECT uuid FROM events LIMIT 10', {
      async: true,
      clientQueryId: 'lost-query-1',
      // Someone else cancels it meanwhile: its status is gone.
      onProgress: (p) => void (p.polls === 1 && fake.hogql.cancel(fake.projectId, 'lost-query-1')),
    });
    await assert.rejects(
      run,
      (e: unknown) =>
        e instanceof InsightError && e.kind === 'notFound' && /no longer knows HogQL query lost-query-1 \(404\)/.test(e.message),
    );
    const raw = await posthog().http.json<{ detail: string; code: string }>(posthog().apiPath('query/no-such-query/'), {
      acceptStatus: (s) => s === 404,
    });
    assert.equal(raw.status, 404);
    assert.equal(raw.body.detail, `Query no-such-query not found for team ${fake.projectId}`);
    assert.equal(raw.body.code, 'not_found');
  });

  it('a 4th query while 3 run is refused the way PostHog refuses it (429 concurrency limit)', async () => {
    fake.hogql.asyncPolls = 50;
    const c = posthog();
    for (let i = 0; i < 3; i++) {
      const res = await c.http.json<{ query_status: { complete: boolean } }>(c.apiPath('query/'), {
        method: 'POST',
        json: { query: { kind: 'HogQLQuery', query: 'SELECT uuid FROM events LIMIT 5' }, refresh: 'force_async' },
      });
      assert.equal(res.status, 202);
      assert.equal(res.body.query_status.complete, false);
    }
    const raw = await c.http.json<{ type: string; detail: string }>(c.apiPath('query/'), {
      method: 'POST',
      json: { query: { kind: 'HogQLQuery', query: 'SELECT 1 FROM events LIMIT 1' } },
      acceptStatus: (s) => s === 429,
    });
    assert.equal(raw.status, 429);
    assert.equal(raw.body.type, 'throttled_error');
    assert.match(raw.body.detail, /^Exceeded maximum concurrency limit: 3 for key: api:query:per-org:/);
    await assert.rejects(
      make().run('SELECT uuid FROM events LIMIT 5'),
      (e: unknown) => e instanceof InsightError && e.kind === 'throttled' && /at most 3 queries at once/.test(e.message),
    );
  });

  it('HogQLMetadata marks a misspelt field at its position; a valid query has no errors', async () => {
    const sql = "SELECT event, distinct_idd FROM events WHERE event = '$pageview'";
    const m = await make().metadata(sql);
    assert.equal(m.isValid, false);
    assert.equal(m.errors.length, 1);
    assert.equal(m.errors[0].message, 'Unable to resolve field: distinct_idd');
    assert.equal(sql.slice(m.errors[0].start!, m.errors[0].end!), 'distinct_idd');
    const syntax = await make().metadata('SELECT event FROM events WHERE');
    assert.equal(syntax.errors[0].start, 'SELECT event FROM events WHERE'.length);
    const ok = await make().metadata(sql.replace('distinct_idd', 'distinct_id'));
    assert.deepEqual([ok.isValid, ok.errors], [true, []]);
    assert.equal(fake.hogql.queries.length, 0, 'metadata never runs a query');
  });

  it('DatabaseSchemaQuery lists events, persons and sessions with typed fields', async () => {
    const tables = await make().schema();
    assert.deepEqual(
      tables.map((t) => t.name),
      ['events', 'persons', 'sessions'],
    );
    const ev = tables[0].fields;
    assert.deepEqual(
      ev.find((f) => f.name === 'timestamp'),
      { name: 'timestamp', type: 'datetime', hogqlValue: 'timestamp' },
    );
    assert.deepEqual(ev.find((f) => f.name === 'properties')?.type, 'json');
    assert.equal(ev.find((f) => f.name === '$session_id')?.hogqlValue, '`$session_id`');
  });

  it('DELETE of an id PostHog does not know still answers 200; /__control/hogql shows and sets the state', async () => {
    const c = posthog();
    const del = await c.http.json<{ message: unknown }>(c.apiPath('query/never-started/'), { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { message: true });
    const set = await fetch(`${fake.url}/__control/hogql`, {
      method: 'POST',
      body: JSON.stringify({ asyncPolls: 7 }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(set.status, 200);
    assert.equal(fake.hogql.asyncPolls, 7);
    const state = (await (await fetch(`${fake.url}/__control/hogql`)).json()) as { cancelled: string[]; asyncPolls: number };
    assert.deepEqual(state.cancelled, ['never-started']);
    assert.equal(state.asyncPolls, 7);
    fake.reset();
    assert.equal(fake.hogql.asyncPolls, 3, 'reset restores the option');
  });

  describe('fetching past the cap by keyset paging on timestamp', () => {
    it('one query after another (concurrency 1): loses and repeats no row at page edges, even where timestamps tie', async () => {
      const to = '2026-11-04 00:00:00';
      const truth = events().filter((e) => e.ts < Date.parse('2026-11-04T00:00:00Z') && e.event !== '$identify');
      const pages: number[] = [];
      const r = await make().fetchAll(`SELECT uuid, timestamp, event FROM events WHERE timestamp < '${to}' AND event != '$identify'`, {
        maxRows: 1_000_000,
        pageSize: 500,
        concurrency: 1,
        onPage: (rows) => pages.push(rows),
      });
      assert.equal(r.results.length, truth.length);
      const uuids = r.results.map((x) => x[0] as string);
      assert.equal(new Set(uuids).size, uuids.length, 'no row twice');
      assert.deepEqual(new Set(uuids), new Set(truth.map((e) => e.uuid)), 'no row lost');
      const times = r.results.map((x) => x[1] as string);
      assert.ok(
        times.every((t, i) => i === 0 || times[i - 1] <= t),
        'in time order',
      );
      assert.equal(r.reachedMax, false);
      assert.ok(pages.length > 5, 'many pages');
      // The test means something only if some page edge fell inside a group of equal timestamps.
      const edges = fake.hogql.queries.map((q) => /timestamp >= toDateTime64\('([^']+)'/.exec(q)?.[1]).filter((x): x is string => !!x);
      assert.ok(edges.length > 5);
      // One query per page: the rows held back at an edge come with the next page.
      assert.equal(r.queries, fake.hogql.queries.length);
      assert.ok(r.queries <= Math.ceil(truth.length / 400) + 1, `${r.queries} queries for ${truth.length} rows in pages of 500`);
      const tied = edges.filter((t) => truth.filter((e) => e.ts === Date.parse(t.replace(' ', 'T').slice(0, 23) + 'Z')).length > 1);
      assert.ok(tied.length > 0, 'a page edge split rows of one timestamp');
      assert.ok(!fake.hogql.queries.some((q) => /offset/i.test(q)), 'never OFFSET');
    });

    it('stops at maxRows and at the query LIMIT', async () => {
      const r = await make().fetchAll('SELECT uuid, timestamp FROM events', { maxRows: 1234, pageSize: 500 });
      assert.equal(r.results.length, 1234);
      assert.equal(r.reachedMax, true);
      assert.deepEqual(
        r.results.map((x) => x[0]),
        events()
          .slice(0, 1234)
          .map((e) => e.uuid),
      );
      const limited = await make().fetchAll('SELECT uuid, timestamp FROM events ORDER BY timestamp LIMIT 700', {
        maxRows: 5000,
        pageSize: 500,
      });
      assert.equal(limited.results.length, 700);
      // The last slice held more than was wanted: more rows exist. Exactly all of them: none do.
      const most = await make().fetchAll('SELECT uuid, timestamp FROM events', { maxRows: events().length - 10, pageSize: 5000 });
      assert.equal(most.rows, events().length - 10);
      assert.equal(most.reachedMax, true);
      const all = await make().fetchAll('SELECT uuid, timestamp FROM events', { maxRows: events().length, pageSize: 5000 });
      assert.equal(all.rows, events().length);
      assert.equal(all.reachedMax, false);
    });

    it('time slices after the first page: every row once, in time order, 2 queries running at once (PostHog allows 3 per organisation)', async () => {
      const sql = "SELECT uuid, timestamp FROM events WHERE event != '$identify'";
      const truth = events().filter((e) => e.event !== '$identify');
      fake.hogql.asyncPolls = 8; // each query runs a while: overlaps are visible
      let most = 0;
      const watch = setInterval(() => (most = Math.max(most, fake.hogql.runningCount)), 1);
      let r;
      try {
        r = await make().fetchAll(sql, { maxRows: 1_000_000, pageSize: 2000, async: true });
      } finally {
        clearInterval(watch);
      }
      assert.equal(r.results.length, truth.length);
      assert.deepEqual(
        r.results.map((x) => x[0]),
        truth.map((e) => e.uuid),
        'the events in time order (ties in the order of the events table), none lost or repeated',
      );
      assert.ok(r.slices >= Math.floor(truth.length / 2000), `${r.slices} slices planned for ${truth.length} rows`);
      assert.equal(most, 2, 'queries running at once');
      const qs = fake.hogql.queries;
      assert.match(qs[1], /^SELECT toDate\(timestamp\) AS day, count\(\) AS n\nFROM events\nWHERE \(event != '\$identify'\n\) AND timestamp >= toDateTime64\('[^']+', 6, 'UTC'\)\nGROUP BY day/);
      assert.ok(qs.slice(2).every((q) => /timestamp >= toDateTime64/.test(q) && /LIMIT 2000$/.test(q)), 'every slice bounded below, capped');
      // PostHog records a query it refuses for a 4th at once (429) too: none was refused.
      assert.equal(r.queries, qs.length, 'no query refused');
      assert.ok(!qs.some((q) => /offset/i.test(q)), 'never OFFSET');

      // insightExplorer.posthog.hogqlFetchConcurrency 3: PostHog's whole allowance, never a 4th.
      fake.reset();
      fake.hogql.asyncPolls = 8;
      most = 0;
      const watch3 = setInterval(() => (most = Math.max(most, fake.hogql.runningCount)), 1);
      try {
        r = await make().fetchAll(sql, { maxRows: 1_000_000, pageSize: 2000, async: true, concurrency: 3 });
      } finally {
        clearInterval(watch3);
      }
      assert.equal(r.results.length, truth.length);
      assert.equal(most, 3, 'queries running at once');
      assert.equal(r.queries, fake.hogql.queries.length, 'no query refused');
    });

    it('slices wait for a free slot while other queries of the organisation hold PostHog 3 (429), then finish', async () => {
      // Two queries of someone else, polled slowly: they hold 2 of PostHog's 3 slots for a while.
      const other = new HogQLClient(posthog(), { pollIntervalMs: 250 });
      const held = [other.run('SELECT uuid FROM events LIMIT 5', { async: true }), other.run('SELECT event FROM events LIMIT 5', { async: true })];
      for (const end = Date.now() + 10_000; fake.hogql.runningCount < 2; await new Promise((r) => setTimeout(r, 2)))
        if (Date.now() > end) assert.fail('the two other queries did not start');
      const sql = 'SELECT uuid, timestamp FROM events';
      const r = await make().fetchAll(sql, { maxRows: 20_000, pageSize: 2000, async: true, concurrency: 3 });
      await Promise.all(held);
      assert.deepEqual(
        r.results.map((x) => x[0]),
        events()
          .slice(0, 20_000)
          .map((e) => e.uuid),
      );
      const refused = fake.hogql.queries.length - 2 - r.queries;
      assert.ok(refused > 0, 'PostHog refused some slices for a 4th query at once, and they ran later');
    });

    it('a slice that hits the cap keeps its complete rows and bisects the rest of its range', async () => {
      const sql = 'SELECT uuid, timestamp FROM events';
      // Slices planned at 3 times the cap: every one of them hits it.
      const r = await make().fetchAll(sql, { maxRows: 20_000, pageSize: 1000, sliceRows: 3000 });
      assert.equal(r.results.length, 20_000);
      assert.deepEqual(
        r.results.map((x) => x[0]),
        events()
          .slice(0, 20_000)
          .map((e) => e.uuid),
      );
      assert.ok(r.bisected >= r.slices - 1, `${r.bisected} bisections of ${r.slices} slices`);
      // Each bisection runs the two halves of the rest: a slice starting where an earlier one hit the cap.
      const lows = fake.hogql.queries.map((q) => /timestamp >= toDateTime64\('([^']+)'/.exec(q)?.[1]).filter(Boolean);
      assert.equal(new Set(lows).size, lows.length - 1, 'no range asked twice (the histogram shares the first lower bound)');
      assert.equal(r.reachedMax, true);
    });

    it('onRows takes each page as it arrives, before the next query, and nothing is kept', async () => {
      const sql = "SELECT uuid, timestamp FROM events WHERE event != '$identify'";
      const whole = await make().fetchAll(sql, { maxRows: 3210, pageSize: 500 });
      fake.reset();
      const taken: unknown[][] = [];
      const calls: { rows: number; queriesSeen: number; columns: string[] }[] = [];
      const r = await make().fetchAll(sql, {
        maxRows: 3210,
        pageSize: 500,
        concurrency: 1,
        onRows: (page, head) => {
          calls.push({ rows: page.length, queriesSeen: fake.hogql.queries.length, columns: head.columns });
          taken.push(...page);
        },
      });
      assert.deepEqual(r.results, [], 'the rows went to onRows, not into memory');
      assert.equal(r.rows, 3210);
      assert.equal(r.reachedMax, true);
      assert.deepEqual(taken, whole.results, 'the same rows in the same order as fetched whole');
      assert.equal(taken.length, 3210, 'cut at maxRows');
      // Streamed: one query after another, the n-th page reached onRows when PostHog had seen n
      // queries, not all of them.
      assert.deepEqual(
        calls.map((c) => c.queriesSeen),
        calls.map((_, i) => i + 1),
      );
      assert.ok(calls.length > 5 && calls.every((c) => c.rows <= 500 && c.columns.join() === 'uuid,timestamp'));

      // A writer that fails (a full disk) stops the fetch: at most the query already under way runs.
      fake.reset();
      let pagesTaken = 0;
      await assert.rejects(
        make().fetchAll(sql, {
          maxRows: 3210,
          pageSize: 500,
        concurrency: 1,
          onRows: async () => {
            if (++pagesTaken === 2) throw new Error('ENOSPC: no space left on device');
          },
        }),
        /ENOSPC/,
      );
      assert.ok(fake.hogql.queries.length <= 3, `${fake.hogql.queries.length} queries after the writer failed on page 2`);
    });

    it('refuses queries that cannot be paged by time, naming why', () => {
      assert.throws(
        () => keysetParts('SELECT event, count() FROM events GROUP BY event', 'timestamp'),
        /cannot be paged .* it has GROUP BY/,
      );
      assert.throws(() => keysetParts('SELECT uuid, timestamp FROM events ORDER BY event', 'timestamp'), /ORDER BY event/);
      assert.throws(() => keysetParts('SELECT uuid FROM events LIMIT 10 OFFSET 5', 'timestamp'), /OFFSET/);
      assert.deepEqual(
        keysetParts("SELECT uuid, timestamp -- the time\nFROM events WHERE event = 'a' ORDER BY timestamp ASC LIMIT 9;", 'timestamp'),
        {
          select: 'uuid, timestamp -- the time',
          from: 'events',
          where: "event = 'a'",
          limit: 9,
        },
      );
    });

    it('asks for the time column in the SELECT list when a full page lacks it', async () => {
      await assert.rejects(
        make().fetchAll('SELECT uuid FROM events', { maxRows: 2000, pageSize: 500 }),
        /needs timestamp in the SELECT list/,
      );
    });
  });
});
