/**
 * HogQL "Fetch all" benchmark: 1,000,000 event rows from the PostHog fake through
 * `HogQLClient.fetchAll` (what the workbench's Fetch All and `insights posthog query --max-rows`
 * run), against a plain `curl` loop that POSTs the very same page queries in the same run.
 *
 * Prints figures, never asserts them. Targets (the HogQL workbench issue): ≤ 40 API calls at
 * 50,000 rows per call, peak RSS ≤ 400 MB, wall time ≤ 1.3× the curl loop. The fake runs in a
 * child process so its work neither shares our event loop nor counts in our RSS (it still shares
 * the machine's cores with both sides alike). Events are real-shaped: UUIDs, person ids, URLs,
 * millisecond timestamps with ties.
 *
 * Alone: `node out/bench/hogql.js [--rows N] [--concurrency 1-3]` (default: the product's, 2) after `npm run compile-tests`;
 * `node --max-old-space-size=200 out/bench/hogql.js` shows what a capped heap (not the fake's) needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PostHogClient } from '../src/core/sources/posthog/client';
import { HOGQL_FETCH_CONCURRENCY, HogQLClient } from '../src/core/sources/posthog/hogql';
import { startPostHogFake } from '../test/fakes/posthog';
import { openHogQLResultFiles } from '../src/core/sources/posthog/hogqlOutput';
import { measured, startFakeProcess } from './fakeProcess';

interface FakeInfo {
  url: string;
  apiKey: string;
  projectId: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const SQL = 'SELECT uuid, event, distinct_id, person_id, timestamp, properties.$current_url AS url FROM events ORDER BY timestamp';

/** Child-process side: the fake with `rows` events; answers 'queries' with the HogQL texts it ran. */
async function serveFake(rows: number): Promise<void> {
  const fake = await startPostHogFake({ hogql: { eventCount: rows } });
  const started = Date.now();
  void fake.hogql.events.length; // generate now, not inside the first measured query
  process.stderr.write(`hogql bench: the fake generated ${rows.toLocaleString('en')} events in ${secs(Date.now() - started)}\n`);
  process.on('message', (m) => {
    if (m === 'queries') process.send?.({ queries: [...fake.hogql.queries] });
  });
  process.send?.({ url: fake.url, apiKey: fake.apiKey, projectId: fake.projectId } satisfies FakeInfo);
}

function queriesOf(child: ChildProcess): Promise<string[]> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { queries: string[] }).queries));
    child.send('queries');
  });
}

/** The same pages as one shell loop of curl POSTs, bodies prepared beforehand; undefined without curl. */
async function curlLoop(info: FakeInfo, queries: string[]): Promise<{ ms: number; bytes: number } | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hogql-bench-'));
  try {
    const files = queries.map((q, i) => {
      const f = path.join(dir, `body-${i}.json`);
      fs.writeFileSync(f, JSON.stringify({ query: { kind: 'HogQLQuery', query: q }, refresh: 'blocking' }));
      return f;
    });
    const url = `${info.url}/api/projects/${info.projectId}/query/`;
    // The key goes in a curl config file, never on a command line another user could read.
    const config = path.join(dir, 'curl.conf');
    fs.writeFileSync(config, `header = "Authorization: Bearer ${info.apiKey}"\nheader = "Content-Type: application/json"\n`, { mode: 0o600 });
    const script = files.map((f) => `curl -sS --fail -K '${config}' --data-binary @'${f}' '${url}' | wc -c`).join('\n');
    const t0 = performance.now();
    const out = await new Promise<string | undefined>((resolve) => {
      const p = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.on('error', () => resolve(undefined));
      p.on('close', (code) => resolve(code === 0 ? text : undefined));
    });
    if (out === undefined) return undefined;
    return { ms: performance.now() - t0, bytes: out.split('\n').reduce((s, l) => s + (Number(l) || 0), 0) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchHogQL(opts: { rows: number; concurrency?: number }): Promise<void> {
  const rows = Math.max(1000, Math.floor(opts.rows));
  const { child, info } = await startFakeProcess<FakeInfo>(__filename, [String(rows)]);
  try {
    const posthog = new PostHogClient({ baseUrl: info.url, projectId: String(info.projectId), apiKey: info.apiKey });
    const client = new HogQLClient(posthog, { pollIntervalMs: 50 });
    // As the workbench's Fetch All does: each page straight into the raw JSON, the CSV document
    // and the preview's rows, written atomically; the rows are never all in memory.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hogql-bench-out-'));
    // Half a gigabyte at 1M rows: removed whether or not the fetch succeeds.
    const m = await measured(async () => {
      const files = await openHogQLResultFiles({ raw: path.join(dir, 'all.json'), csv: path.join(dir, 'all.csv'), rows: path.join(dir, 'all.rows') }, true);
      const all = await client.fetchAll(SQL, { maxRows: rows, concurrency: opts.concurrency, onRows: (page, head) => files.writer.append(page, head) });
      await files.writer.end(all);
      await files.commit();
      return { ...all, written: files.bytes() };
    }).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
    const r = m.value;
    const queries = await queriesOf(child);
    const curl = await curlLoop(info, queries);
    const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')} rows/s`;
    const lines = [
      `hogql bench: Fetch all of ${rows.toLocaleString('en')} events (${r.columns.length} columns): ${r.slices ? `the first page, then ${r.slices} time slices ${opts.concurrency ?? HOGQL_FETCH_CONCURRENCY} at once (${r.bisected} bisected)` : 'one page after another'}`,
      `  Fetch all: ${secs(m.ms)} = ${rate(r.rows, m.ms)}, ${r.rows.toLocaleString('en')} rows, ` +
        `${r.queries} API calls (target ≤ 40), peak RSS ${mb(m.peak)} (target ≤ 400 MB), CPU ${secs(m.cpuMs)}`,
      `    written page by page as the workbench does: JSON + CSV document + preview rows, ${mb(r.written)}`,
      curl
        ? `  curl loop over the same ${queries.length} pages: ${secs(curl.ms)} = ${rate(r.rows, curl.ms)}, ${mb(curl.bytes)} of JSON`
        : '  curl loop: not available here (needs bash and curl)',
      curl ? `  ratio fetchAll / curl: ${(m.ms / curl.ms).toFixed(2)}× wall (target ≤ 1.3×)` : '  ratio: skipped',
      `  load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs (the fake's query time counts on both sides)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    child.kill();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--serve-fake') {
    serveFake(Number(argv[1])).catch((e: unknown) => {
      process.stderr.write(`hogql bench fake: ${(e as Error).message}\n`);
      process.exit(1);
    });
  } else {
    const i = argv.indexOf('--rows');
    const c = argv.indexOf('--concurrency');
    benchHogQL({ rows: i >= 0 ? Number(argv[i + 1]) : 1_000_000, concurrency: c >= 0 ? Number(argv[c + 1]) : undefined }).catch((e: unknown) => {
      process.stderr.write(`hogql bench: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
  }
}
