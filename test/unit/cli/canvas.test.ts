/**
 * `insights canvas get` end to end: a child process running the bundled CLI against the Canvas
 * fake. Checks the CLI.md contract: output shapes, exit codes 0/2/3/4/5, the token from
 * CANVAS_TOKEN only and never printed (even with --verbose).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CanvasFake, startCanvasFake } from '../../fakes/canvas';
import { CliRun, cliBundle, runCli } from '../../fakes/canvasCli';

describe('insights canvas get (CLI end to end)', function () {
  this.timeout(60_000);
  let fake: CanvasFake;
  let tmp: string;

  const get = (args: string[], token: string | null = fake.token): Promise<CliRun> => runCli(['canvas', 'get', '--base-url', fake.url, ...args], { CANVAS_TOKEN: token ?? undefined });
  const noSecret = (r: CliRun, secret = fake.token): void => {
    assert.ok(!r.stdout.toString('utf8').includes(secret), 'token in stdout');
    assert.ok(!r.stderr.includes(secret), 'token in stderr');
  };

  before(async () => {
    await cliBundle();
    fake = await startCanvasFake();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'canvas-cli-'));
  });
  after(async () => {
    await fake.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => fake.reset());

  it('json: concatenates every page of student summaries (exit 0)', async () => {
    const r = await get(['--path', '/api/v1/courses/101/analytics/student_summaries', '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout.toString('utf8')) as { id: number }[];
    assert.equal(rows.length, 260);
    assert.equal(new Set(rows.map((x) => x.id)).size, 260);
    assert.equal(fake.requests.length, 3);
    assert.match(r.stderr, /260 items from 3 pages/);
    assert.match(r.stderr, /\[info\] GET http:\/\/127\.0\.0\.1/, 'verbose logs the requests');
    noSecret(r);
  });

  it('csv: flattened with dotted columns', async () => {
    const r = await get(['--path', 'courses/101/analytics/student_summaries', '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString('utf8').trimEnd().split('\n');
    assert.equal(lines.length, 261);
    assert.equal(lines[0], 'id,page_views,max_page_views,page_views_level,participations,max_participations,participations_level,tardiness_breakdown.total,tardiness_breakdown.on_time,tardiness_breakdown.late,tardiness_breakdown.missing,tardiness_breakdown.floating');
    assert.equal(fake.requests[0].path, '/api/v1/courses/101/analytics/student_summaries', '/api/v1 added to a bare path');
  });

  it('prints a non-array answer as is, and merges wrapped lists', async () => {
    const act = await get(['--path', '/api/v1/accounts/self/analytics/current/activity']);
    assert.equal(act.code, 0, act.stderr);
    const body = JSON.parse(act.stdout.toString('utf8')) as { by_date: Record<string, number>; by_category: Record<string, number> };
    assert.equal(Object.keys(body.by_date).length, 28);
    assert.equal(Object.keys(body.by_category).length, 13);
    const terms = await get(['--path', '/api/v1/accounts/1/terms?per_page=2']);
    assert.deepEqual((JSON.parse(terms.stdout.toString('utf8')) as { enrollment_terms: unknown[] }).enrollment_terms.length, 3);
  });

  it('polls a progress_url answer (assignments?async=true) and prints the data', async () => {
    const r = await get(['--path', '/api/v1/courses/101/analytics/assignments?async=true', '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /preparing the data: completed 100%/);
    const lines = r.stdout.toString('utf8').trimEnd().split('\n');
    assert.equal(lines.length, 9);
    assert.ok(lines[0].includes('tardiness_breakdown.on_time'));
  });

  it('--out writes the file atomically, and leaves nothing behind on failure', async () => {
    const file = path.join(tmp, 'activity.json');
    const ok = await get(['--path', '/api/v1/courses/101/analytics/activity', '--out', file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[]).length, 117);
    assert.equal(ok.stdout.length, 0);
    const missing = path.join(tmp, 'missing.json');
    const bad = await get(['--path', '/api/v1/courses/5/analytics/activity', '--out', missing]);
    assert.equal(bad.code, 4);
    assert.deepEqual(fs.readdirSync(tmp), ['activity.json']);
  });

  it('exit 2 for bad usage, before any request', async () => {
    for (const args of [
      ['--path', '/api/v1/courses', '--format', 'xml'],
      ['--path', 'https://evil.example/api/v1/courses'],
      ['--path', '/api/v1/courses', '--bogus'],
    ]) {
      const r = await get(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
    const remote = await runCli(['canvas', 'get', '--base-url', 'http://canvas.example.edu', '--path', '/api/v1/courses'], { CANVAS_TOKEN: fake.token });
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /must use https/);
    const noPath = await runCli(['canvas', 'get', '--base-url', fake.url], { CANVAS_TOKEN: fake.token });
    assert.equal(noPath.code, 2);
    assert.equal(fake.requests.length, 0);
  });

  it('exit 3 for a refused token, a missing token or a missing permission', async () => {
    const bad = await get(['--path', '/api/v1/courses'], 'expired-token-abcdef');
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /^insights: Canvas refused the access token \(401\)\. Set Credentials with a new token\.\n$/);
    noSecret(bad, 'expired-token-abcdef');
    const none = await get(['--path', '/api/v1/courses'], null);
    assert.equal(none.code, 3);
    assert.match(none.stderr, /CANVAS_TOKEN is not set/);
    const denied = await get(['--path', '/api/v1/courses/103/analytics/activity']);
    assert.equal(denied.code, 3);
    assert.match(denied.stderr, /Canvas denied access to analytics for course 103 \(403\): the token's user needs the view_analytics permission/);
  });

  it('exit 4 for an unknown id', async () => {
    const r = await get(['--path', '/api/v1/courses/101/analytics/users/9999/communication']);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /does not exist \(404\): check the course id 101 and the student id 9999/);
  });

  it('a throttle is retried and announced on stderr; one too long to wait out is exit 5, not a permission error', async () => {
    fake.addFault({ rateLimit: true, times: 1 });
    const retried = await get(['--path', '/api/v1/courses/101/analytics/activity']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(fake.requests.length, 2);
    assert.match(retried.stderr, /^throttled by Canvas, retrying in \d+ s \(retry 1 of 6\)$/m);
    fake.reset();
    // (The minute of retries of a lasting throttle is measured in canvasClient.test.ts with the sleep hook.)
    fake.addFault({ rateLimit: true, retryAfter: '600', times: Infinity });
    const r = await get(['--path', '/api/v1/courses/101/analytics/activity']);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /is rate-limited for 600 s/);
    assert.doesNotMatch(r.stderr, /denied|permission/);
    noSecret(r);
  });
});
