import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PostHogFake, startPostHogFake } from '../fakes/posthog';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

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
});
