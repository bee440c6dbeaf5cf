import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PostHogFake, startPostHogFake } from '../../fakes/posthog';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would: a separate process, secrets only in the environment. */
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

describe('insights posthog (CLI)', function () {
  this.timeout(30_000);
  let fake: PostHogFake;
  let base: string[];
  let env: Record<string, string>;
  before(async () => {
    assert.ok(fs.existsSync(CLI), `build the CLI first (npm run build): ${CLI}`);
    fake = await startPostHogFake({ slowInsightPolls: 2 });
    base = ['--base-url', fake.url, '--project', String(fake.projectId)];
    env = { POSTHOG_API_KEY: fake.apiKey };
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  const noSecret = (r: Run) => {
    assert.ok(!r.stdout.includes(fake.apiKey) && !r.stderr.includes(fake.apiKey), 'the key is never printed');
  };

  it('list prints id<TAB>short_id<TAB>name for every insight across pages', async () => {
    const r = await run(['posthog', 'list', ...base], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, fake.insights.length);
    const first = fake.insights.slice().sort((a, b) => String(b.last_modified_at).localeCompare(String(a.last_modified_at)))[0];
    const cells = lines[0].split('\t');
    assert.equal(cells.length, 3);
    assert.equal(cells[0], String(first.id));
    assert.equal(cells[1], first.short_id);
    assert.equal(cells[2], first.name || first.derived_name || '');
    noSecret(r);
  });

  it('list --format json prints the insight objects as received; --search narrows', async () => {
    const r = await run(['posthog', 'list', ...base, '--format', 'json', '--search', 'funnel'], env);
    assert.equal(r.code, 0, r.stderr);
    const arr = JSON.parse(r.stdout) as { name: string; short_id: string }[];
    assert.ok(arr.length > 0);
    for (const i of arr) assert.match(i.name.toLowerCase(), /funnel/);
  });

  it('get --format csv prints series,value[,breakdown_value] for pie and big-number trends', async () => {
    const pie = fake.insights.find((i) => i.name === 'Page views by browser')!;
    const r = await run(['posthog', 'get', ...base, '--insight', pie.short_id, '--format', 'csv'], env);
    assert.equal(r.code, 0, r.stderr);
    const entries = pie.result as { label: string; aggregated_value: number; breakdown_value: string }[];
    assert.deepEqual(
      r.stdout.trim().split(/\r?\n/),
      ['series,value,breakdown_value', ...entries.map((e) => `${e.label},${e.aggregated_value},${e.breakdown_value}`)],
    );
    assert.ok(entries.length === 4 && entries.every((e) => e.aggregated_value > 0));
    const bold = fake.insights.find((i) => i.name === 'Help center article views')!;
    const b = await run(['posthog', 'get', ...base, '--insight', String(bold.id), '--format', 'csv'], env);
    assert.equal(b.code, 0, b.stderr);
    const [entry] = bold.result as { label: string; aggregated_value: number }[];
    assert.deepEqual(b.stdout.trim().split(/\r?\n/), ['series,value', `${entry.label},${entry.aggregated_value}`]);
    noSecret(r);
  });

  it('get --format csv writes series,date,value to --out atomically', async () => {
    const target = fake.insights.find((i) => i.name === 'Weekly active learners')!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-cli-'));
    const out = path.join(dir, 'wal.csv');
    const r = await run(['posthog', 'get', ...base, '--insight', String(target.id), '--format', 'csv', '--out', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    const entries = target.result as { label: string; days: string[]; data: number[] }[];
    assert.equal(lines[0], 'series,date,value');
    assert.equal(lines[1], `${entries[0].label},${entries[0].days[0]},${entries[0].data[0]}`);
    assert.deepEqual(fs.readdirSync(dir), ['wal.csv'], 'no temp file left behind');
  });

  it('get polls a running query and prints the completed insight as json', async () => {
    const r = await run(['posthog', 'get', ...base, '--insight', 'SLOWQURY'], env);
    assert.equal(r.code, 0, r.stderr);
    const insight = JSON.parse(r.stdout) as { result: unknown; short_id: string };
    assert.equal(insight.short_id, 'SLOWQURY');
    assert.ok(insight.result != null);
  });

  it('exit codes: 2 bad usage, 3 wrong key, 4 unknown insight, 5 server down', async () => {
    const usage = await run(['posthog', 'list', ...base, '--bogus'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown option --bogus/);
    const insecure = await run(['posthog', 'list', '--base-url', 'http://posthog.example.com', '--project', '1'], env);
    assert.equal(insecure.code, 2);
    assert.match(insecure.stderr, /https/);
    const wrong = await run(['posthog', 'list', ...base], { POSTHOG_API_KEY: 'phx_wrong_0000000000000' });
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /^insights: PostHog refused the API key \(401 Unauthorized\)\. Set Credentials/);
    assert.ok(!wrong.stderr.includes('phx_wrong_0000000000000'));
    assert.equal(wrong.stderr.trim().split('\n').length, 1, 'one line');
    const missing = await run(['posthog', 'get', ...base, '--insight', '99999999'], env);
    assert.equal(missing.code, 4);
    const nokey = await run(['posthog', 'list', ...base], {});
    assert.equal(nokey.code, 3);
    assert.match(nokey.stderr, /POSTHOG_API_KEY is not set/);
    const down = await run(['posthog', 'list', '--base-url', 'http://127.0.0.1:9', '--project', '1'], env);
    assert.equal(down.code, 5);
    assert.match(down.stderr, /connection refused/);
  });

  it('a failed run never leaves a half-written --out file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-cli-'));
    const out = path.join(dir, 'x.json');
    fake.addFault({ status: 500, times: Infinity });
    const r = await run(['posthog', 'list', ...base, '--out', out], env);
    assert.equal(r.code, 5);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('trending prints id, short_id, view_count, name and recent viewers; --days widens the window', async () => {
    const week = await run(['posthog', 'trending', ...base], env);
    assert.equal(week.code, 0, week.stderr);
    const rows = week.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(r.length, 5);
      assert.match(r[0], /^\d+$/);
      assert.ok(Number(r[2]) >= 1);
      assert.ok(r[4].split(', ').length <= 3);
    }
    const counts = rows.map((r) => Number(r[2]));
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    const top = fake.insights.find((i) => i.id === Number(rows[0][0]))!;
    assert.equal(rows[0][1], top.short_id);
    assert.equal(rows[0][3], top.name);
    assert.match(week.stderr, /trending insights? over 7 days/);
    assert.equal(fake.requests.find((r) => r.path.includes('/insights/trending'))?.query.days, '7');

    const month = await run(['posthog', 'trending', ...base, '--days', '30', '--format', 'json'], env);
    assert.equal(month.code, 0, month.stderr);
    const items = JSON.parse(month.stdout) as { view_count: number; viewers: unknown[] }[];
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.ok(total(items.map((i) => i.view_count)) > total(counts));
    const bad = await run(['posthog', 'trending', ...base, '--days', 'week'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--days must be a positive number/);
    noSecret(week);
  });

  it('activity of the project pages through everything; --insight narrows, by id or short id', async () => {
    const all = await run(['posthog', 'activity', ...base], env);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trim().split('\n');
    assert.equal(lines.length, fake.manage.activity.length);
    assert.ok(fake.requests.filter((r) => r.path.endsWith('/insights/activity/')).length > 1, 'followed next pages');
    const first = lines[0].split('\t');
    assert.equal(first.length, 6);
    assert.equal(first[0], fake.manage.activity[0].created_at);
    assert.match(first[1], /@example\.edu$/);

    const target = fake.insights.find((i) => i.name === 'Weekly active learners')!;
    const one = await run(['posthog', 'activity', ...base, '--insight', target.short_id], env);
    assert.equal(one.code, 0, one.stderr);
    const rows = one.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(rows.map((r) => r[2]), ['updated', 'updated', 'updated', 'created']);
    assert.ok(rows.every((r) => r[3] === String(target.id) && r[4] === 'Weekly active learners'));
    assert.equal(rows[2][5], 'name: “Weekly learners” → “Weekly active learners”');

    const json = await run(['posthog', 'activity', ...base, '--insight', String(target.id), '--format', 'json', '--max', '2'], env);
    assert.equal(json.code, 0, json.stderr);
    const entries = JSON.parse(json.stdout) as { activity: string; user: { email: string } }[];
    assert.equal(entries.length, 2);
    assert.match(json.stderr, /2 of 4 activity entries/);

    const missing = await run(['posthog', 'activity', ...base, '--insight', '99999999'], env);
    assert.equal(missing.code, 4);
    noSecret(all);
  });
});
