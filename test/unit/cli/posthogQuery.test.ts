import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Papa from 'papaparse';
import { PostHogFake, startPostHogFake } from '../../fakes/posthog';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would: a separate process, the key only in the environment. */
function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const csvRows = (text: string): string[][] => Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data;

describe('insights posthog query (CLI)', function () {
  this.timeout(60_000);
  let fake: PostHogFake;
  let base: string[];
  let env: Record<string, string>;
  before(async () => {
    assert.ok(fs.existsSync(CLI), `build the CLI first (npm run build): ${CLI}`);
    fake = await startPostHogFake();
    base = ['posthog', 'query', '--base-url', fake.url, '--project', String(fake.projectId), '--poll-interval', '0.01'];
    env = { POSTHOG_API_KEY: fake.apiKey };
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  const noSecret = (r: Run) => assert.ok(!r.stdout.includes(fake.apiKey) && !r.stderr.includes(fake.apiKey), 'the key is never printed');

  it('csv: the columns, then the rows PostHog computed; no warning for a complete result', async () => {
    const r = await run([...base, '--sql', 'SELECT event, count() AS n FROM events GROUP BY event ORDER BY n DESC, event ASC'], env);
    assert.equal(r.code, 0, r.stderr);
    const counts = new Map<string, number>();
    for (const e of fake.hogql.events) counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
    const expected = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([e, n]) => [e, String(n)]);
    assert.deepEqual(csvRows(r.stdout), [['event', 'n'], ...expected]);
    assert.doesNotMatch(r.stderr, /warning/);
    assert.match(r.stderr, /6 rows/);
    noSecret(r);
    const post = fake.requests.find((q) => q.method === 'POST' && q.path === `/api/projects/${fake.projectId}/query/`);
    assert.deepEqual((post?.body as { query: unknown }).query, {
      kind: 'HogQLQuery',
      query: 'SELECT event, count() AS n FROM events GROUP BY event ORDER BY n DESC, event ASC',
    });
  });

  it('json: {columns, types, results} as PostHog sent them, from --file, into --out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hogql-cli-'));
    try {
      const file = path.join(dir, 'q.sql');
      fs.writeFileSync(file, "-- first views\nSELECT uuid, timestamp FROM events WHERE event = '$pageview' ORDER BY timestamp LIMIT 3\n");
      const out = path.join(dir, 'out.json');
      const r = await run([...base, '--file', file, '--format', 'json', '--out', out, '--environment'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      const body = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['columns', 'types', 'results']);
      assert.deepEqual(body.columns, ['uuid', 'timestamp']);
      assert.deepEqual(body.types, [
        ['uuid', 'UUID'],
        ['timestamp', "DateTime64(6, 'UTC')"],
      ]);
      const views = fake.hogql.events.filter((e) => e.event === '$pageview').slice(0, 3);
      assert.deepEqual(
        (body.results as string[][]).map((x) => x[0]),
        views.map((e) => e.uuid),
      );
      assert.ok(fake.requests.some((q) => q.method === 'POST' && q.path === `/api/environments/${fake.projectId}/query/`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid query exits 2 with PostHog message on one line, and prints no result', async () => {
    const r = await run([...base, '--sql', 'SELECT evnt FROM events'], env);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    // Asynchronous runs report the failure in query_status.error_message (no code there).
    assert.match(
      lines[0],
      /^insights: PostHog refused the HogQL query( \(hogql_query_error\))?: Unable to resolve field: evnt\. Fix the query and run it again\.$/,
    );
    const offset = await run([...base, '--sql', 'SELECT uuid FROM events LIMIT 5 OFFSET 5'], env);
    assert.equal(offset.code, 2);
    assert.match(offset.stderr, /OFFSET is not supported on queries made with a personal API key/);
  });

  it('warns on stderr when PostHog may have cut the result: hasMore, or exactly 50,000 rows', async () => {
    const dflt = await run([...base, '--sql', 'SELECT uuid FROM events'], env);
    assert.equal(dflt.code, 0, dflt.stderr);
    assert.equal(csvRows(dflt.stdout).length, 1 + 100);
    assert.match(
      dflt.stderr,
      /warning: PostHog has more rows than the 100 returned \(PostHog returns 100 rows when the query has no LIMIT\)/,
    );
    const cut = await run([...base, '--sql', 'SELECT uuid, timestamp FROM events LIMIT 70000'], env);
    assert.equal(cut.code, 0, cut.stderr);
    assert.equal(csvRows(cut.stdout).length, 1 + 50_000);
    assert.match(cut.stderr, /warning: 50,000 rows returned: PostHog cuts a query there without saying so/);
  });

  it('--max-rows above 50,000 pages by timestamp: every row once, in time order, no warning', async () => {
    const r = await run([...base, '--sql', 'SELECT uuid, timestamp FROM events', '--max-rows', '55000'], env);
    assert.equal(r.code, 0, r.stderr);
    const rows = csvRows(r.stdout);
    assert.deepEqual(rows[0], ['uuid', 'timestamp']);
    const data = rows.slice(1);
    assert.equal(data.length, 55_000);
    assert.equal(new Set(data.map((x) => x[0])).size, 55_000, 'no row twice');
    const truth = new Set(fake.hogql.events.slice(0, 55_000).map((e) => e.uuid));
    assert.ok(
      data.every((x) => truth.has(x[0])),
      'the first 55,000 events',
    );
    assert.doesNotMatch(r.stderr, /warning/);
    assert.match(r.stderr, /stopped at --max-rows 55,000/);
    assert.ok(!fake.hogql.queries.some((q) => /offset/i.test(q)), 'never OFFSET');
  });

  it('--max-rows json into --out: one JSON document {columns, types, results} of every row, written page by page', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hogql-cli-'));
    try {
      const out = path.join(dir, 'all.json');
      const r = await run([...base, '--sql', 'SELECT uuid, timestamp FROM events', '--max-rows', '1000000', '--format', 'json', '--out', out], env);
      assert.equal(r.code, 0, r.stderr);
      const text = fs.readFileSync(out, 'utf8');
      const body = JSON.parse(text) as { columns: string[]; types: unknown[]; results: string[][] };
      // The same compact form as a one-query result: one line, a newline at the end.
      assert.equal(text, JSON.stringify(body) + '\n');
      assert.deepEqual(body.columns, ['uuid', 'timestamp']);
      assert.deepEqual(body.types, [
        ['uuid', 'UUID'],
        ['timestamp', "DateTime64(6, 'UTC')"],
      ]);
      assert.deepEqual(
        body.results.map((x) => x[0]),
        fake.hogql.events.map((e) => e.uuid),
        'every event once, in time order',
      );
      assert.equal(fake.hogql.queries.length, 3, '60,000 events: the first page, the count per day, one slice');
      assert.match(r.stderr, /60,000 rows/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--max-rows interrupted after the first page leaves no --out file, not even a half-written one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hogql-cli-'));
    try {
      const out = path.join(dir, 'all.csv');
      // Polls 0.2 s apart: the second page is still running when the test sees it start.
      const args = [...base.slice(0, -1), '0.2', '--sql', 'SELECT uuid, timestamp FROM events', '--max-rows', '1000000', '--out', out];
      const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      // The first page arrived (and went into the temp file); hold the second one on PostHog.
      // (Fewer than 50,000: the rows at the page's last timestamp come again with the next page.)
      const until = async (what: string, ok: () => boolean) => {
        for (const end = Date.now() + 20_000; !ok(); await new Promise((r) => setTimeout(r, 5)))
          if (Date.now() > end) assert.fail(`waited 20 s for ${what}; stderr: ${stderr}`);
      };
      await until('the first page', () => /4\d,\d{3} rows after 1 query/.test(stderr));
      fake.hogql.asyncPolls = 100_000;
      await until('the second query', () => fake.hogql.queries.length === 2);
      child.kill('SIGINT');
      assert.equal(await closed, 130, stderr);
      assert.deepEqual(fs.readdirSync(dir), [], 'neither the file nor its temp file');
      assert.equal(fake.hogql.cancelled.length, 1, 'the running page was cancelled on PostHog');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--max-rows above 50,000 on a query that cannot be paged by time is refused before any query', async () => {
    const r = await run([...base, '--sql', 'SELECT event, count() FROM events GROUP BY event', '--max-rows', '60000'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot be paged past 50,000 rows by timestamp: it has GROUP BY/);
    assert.equal(fake.hogql.queries.length, 0);
  });

  it('Ctrl-C cancels the running query on PostHog (DELETE) and exits 130', async () => {
    fake.hogql.asyncPolls = 100_000;
    const child = spawn(process.execPath, [CLI, ...base, '--sql', 'SELECT uuid FROM events LIMIT 10'], {
      env: { PATH: process.env.PATH, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt once PostHog has been polled a few times: the query is running there.
    const polled = () => fake.requests.filter((q) => q.method === 'GET' && /\/query\/[^/]+\/$/.test(q.path)).length;
    while (polled() < 3) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    assert.equal(await closed, 130, stderr);
    assert.match(stderr, /cancelled/);
    const started = fake.requests.find((q) => q.method === 'POST' && q.path.endsWith('/query/'));
    const id = (started?.body as { client_query_id?: string }).client_query_id;
    assert.ok(id, 'the query was sent with a client_query_id');
    assert.deepEqual(fake.hogql.cancelled, [id]);
    assert.equal(fake.hogql.runningCount, 0);
  });

  it('needs exactly one of --sql and --file', async () => {
    const both = await run([...base, '--sql', 'SELECT 1', '--file', 'x.sql'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of --sql TEXT or --file FILE\.sql/);
    const none = await run(base, env);
    assert.equal(none.code, 2);
  });
});
