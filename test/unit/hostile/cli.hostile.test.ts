/**
 * Hostile servers against the built `insights` CLI (`node dist/cli.js`, as a user runs it): each
 * case checks the exit code and message of CLI.md "Safety rules for every command", and the
 * memory-bound cases also check the child's peak RSS stays under 600 MB.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEcho360Fake } from '../../fakes/echo360';
import { startPostHogFake } from '../../fakes/posthog';
import { SLOW_SHORT_ID } from '../../fakes/posthogData';
import { CLI, CliRun, HostileServer, MB, RSS_LIMIT, drip, endless, hasRawControls, hostileServer, runCli } from './hostileKit';

const KEY = 'phx_hostileclikey0123456789';
const CANVAS_TOKEN = 'canvas-hostile-token-0123456789';
const ECHO_ID = 'echo-hostile-id';
const ECHO_SECRET = 'echo-hostile-secret-0123456789';
const HOSTILE = 'nope\x1b]0;pwned\x07 \x1b[2J \u202egnp.exe';

function assertBoundedMemory(r: CliRun): void {
  assert.ok(Number.isFinite(r.peakRss) && r.peakRss > 0, 'the peak RSS was measured');
  assert.ok(r.peakRss < RSS_LIMIT, `peak RSS ${Math.round(r.peakRss / MB)} MB stays under 600 MB`);
}

describe('hostile: insights CLI', function () {
  this.timeout(60_000);
  const servers: HostileServer[] = [];
  const start = async (...args: Parameters<typeof hostileServer>) => {
    const s = await hostileServer(...args);
    servers.push(s);
    return s;
  };
  let dir: string;
  before(() => assert.ok(fs.existsSync(CLI), `build the CLI first (npm run build): ${CLI}`));
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-hostile-'))));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const posthog = (s: HostileServer, cmd: string, ...more: string[]) => runCli(['posthog', cmd, '--base-url', s.url, '--project', '1', ...more], { env: { POSTHOG_API_KEY: KEY } });
  const page = (next: string | null, results: unknown[] = [{ id: 1, short_id: 'abc', name: 'x' }]) => JSON.stringify({ next, results });

  it('an endless JSON answer stops at --max-body-mb with exit 5, naming the cap, in bounded memory', async () => {
    const s = await start((_q, res) => endless(res));
    const r = await posthog(s, 'list', '--max-body-mb', '5');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^insights: http:\/\/127\.0\.0\.1:\d+\/api\/projects\/1\/insights\/ sent more than 5 MB \(the cap for one answer\); stopped reading\./);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assertBoundedMemory(r);
  });

  it('posthog list: a next link to the same page exits 5 "the server sent page … twice", in bounded memory', async () => {
    const s = await start((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(page(`http://${req.headers.host}${req.url}`)));
    const r = await posthog(s, 'list');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /the server sent page http:\/\/127\.0\.0\.1:\d+\/api\/projects\/1\/insights\/\?order=-last_modified_at&limit=100&saved=true twice/);
    assert.equal(s.received.length, 1);
    assertBoundedMemory(r);
  });

  it('posthog activity: a next link back to an earlier page exits 5, in bounded memory', async () => {
    const s = await start((req, res) => {
      const next = `http://${req.headers.host}/api/projects/1/insights/activity/?page=${req.url!.includes('page=2') ? 1 : 2}&limit=100`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [{ activity: 'updated', created_at: '2026-01-01T00:00:00Z' }], next }));
    });
    const r = await posthog(s, 'activity');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /Stopped the PostHog activity listing: the server sent page .*\?page=1&limit=100 twice/);
    assertBoundedMemory(r);
  });

  it('posthog list: pages that never repeat stop at the listing budget (--max-body-mb), in bounded memory', async () => {
    let n = 0;
    const results = Array.from({ length: 2000 }, (_, i) => ({ id: i, short_id: `s${i}`, name: 'n'.repeat(400) }));
    const body = (host: string) => page(`http://${host}/api/projects/1/insights/?offset=${++n}`, results);
    const s = await start((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(body(req.headers.host!)));
    const r = await posthog(s, 'list', '--max-body-mb', '8');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /Stopped the PostHog insights listing at 8 MB over \d+ pages \(the cap for one listing\)/);
    assertBoundedMemory(r);
  });

  it('canvas get: a Link rel="next" to the same page exits 5 "the server sent page … twice", in bounded memory', async () => {
    const s = await start((req, res) => void res.writeHead(200, { 'content-type': 'application/json', link: `<http://${req.headers.host}${req.url}>; rel="next"` }).end('[{"id":1}]'));
    const r = await runCli(['canvas', 'get', '--base-url', s.url, '--path', '/api/v1/courses'], { env: { CANVAS_TOKEN } });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /the server sent page http:\/\/127\.0\.0\.1:\d+\/api\/v1\/courses\?per_page=100 twice/);
    assertBoundedMemory(r);
  });

  it('--timeout is the most one request may take: a body dripping a byte every 100 ms exits 5 "timed out after 1 s"', async () => {
    const s = await start((_q, res) => drip(res, 100));
    const r = await runCli(['canvas', 'get', '--base-url', s.url, '--path', '/api/v1/courses', '--timeout', '1'], { env: { CANVAS_TOKEN } });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /timed out after 1 s/);
    assertBoundedMemory(r);
  });

  it('posthog get --timeout keeps its polling meaning: a query still running after SEC exits 5', async () => {
    const fake = await startPostHogFake({ slowInsightPolls: 1000 });
    try {
      const r = await runCli(['posthog', 'get', '--base-url', fake.url, '--project', String(fake.projectId), '--insight', SLOW_SHORT_ID, '--refresh', 'force_async', '--timeout', '1'], {
        env: { POSTHOG_API_KEY: fake.apiKey },
      });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /PostHog is still calculating query/);
    } finally {
      await fake.close();
    }
  });

  it('every command takes --timeout and --max-body-mb (a bad value is a usage error, not an unknown option)', async () => {
    // Each with its required options (no server listens there: the check comes before any request).
    const u = 'http://127.0.0.1:9';
    const uuid = '0b6a8f3e-6a3c-4d3e-9a52-2f1d5c7e8a90';
    const commands = [
      ['posthog', 'list', '--base-url', u, '--project', '1'],
      ['posthog', 'get', '--base-url', u, '--project', '1', '--insight', '1'],
      ['posthog', 'trending', '--base-url', u, '--project', '1'],
      ['posthog', 'activity', '--base-url', u, '--project', '1'],
      ['echo360', 'reports', '--base-url', u],
      ['echo360', 'requests', '--base-url', u],
      ['echo360', 'run', '--base-url', u, '--report', 'asset', '--out', path.join(dir, 'x.csv')],
      ['canvas', 'get', '--base-url', u, '--path', '/api/v1/courses'],
      ['studio', 'overview', '--base-url', u, '--perspective', uuid],
      ['studio', 'users', '--base-url', u, '--perspective', uuid],
      ['inspect', path.join(dir, 'x.csv')],
    ];
    for (const c of commands) {
      for (const opt of ['--timeout', '--max-body-mb']) {
        const r = await runCli([...c, opt, 'soon']);
        assert.equal(r.code, 2, `${c.join(' ')} ${opt}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${opt} must be a positive number, got "soon"`), c.join(' '));
        assert.equal(r.stdout, '');
      }
    }
  });

  it('hostile detail strings reach stderr escaped: no terminal title, no screen clear, no bidi override', async () => {
    const s = await start((_q, res) => void res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: HOSTILE })));
    const r = await posthog(s, 'list');
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stderr.includes('nope\\x1b]0;pwned\\x07 \\x1b[2J \\u202egnp.exe'), r.stderr);
    assert.ok(!hasRawControls(r.stderr.replace(/\n$/, '')), 'no raw control character on stderr');
  });

  it('tsv listings show server names escaped (data fields keep their tab separators)', async () => {
    const s = await start((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(page(null, [{ id: 7, short_id: 'ab\x1b[2J', name: HOSTILE }])));
    const r = await posthog(s, 'list');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '7\tab\\x1b[2J\tnope\\x1b]0;pwned\\x07 \\x1b[2J \\u202egnp.exe\n');
    const json = await posthog(s, 'list', '--format', 'json');
    assert.equal((JSON.parse(json.stdout) as { name: string }[])[0].name, HOSTILE, 'json output is data: bytes as received');
  });

  it('echo360: a token endpoint redirecting (307) to another origin is refused, exit 5 naming the host; that origin gets nothing', async () => {
    const evil = await start((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"evil-token-123456"}'));
    const echo = await start((req, res) => {
      if (req.url!.startsWith('/oauth2/access_token')) return void res.writeHead(307, { location: `${evil.url}/oauth2/access_token` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"reports":[]}');
    });
    const r = await runCli(['echo360', 'reports', '--base-url', echo.url], { env: { ECHO360_CLIENT_ID: ECHO_ID, ECHO360_CLIENT_SECRET: ECHO_SECRET } });
    assert.equal(r.code, 5, r.stderr);
    assert.ok(r.stderr.includes(`another host (${evil.host})`), r.stderr);
    assert.deepEqual(evil.received, []);
    assert.ok(!r.stderr.includes(ECHO_SECRET));
    assert.deepEqual(
      echo.received.map((q) => q.url),
      ['/oauth2/access_token'],
      'no API call with a token from anywhere',
    );
  });

  it('echo360 run: a plain-http signed link from the server is exit 5 (the server’s fault), not exit 2', async () => {
    const fake = await startEcho360Fake({ pendingMs: 50, clientId: ECHO_ID, clientSecret: ECHO_SECRET, assetOrigin: 'http://storage.example.invalid' });
    try {
      const out = path.join(dir, 'r.csv');
      const r = await runCli(['echo360', 'run', '--base-url', fake.url, '--report', 'asset', '--poll-interval', '0.1', '--out', out], {
        env: { ECHO360_CLIENT_ID: ECHO_ID, ECHO360_CLIENT_SECRET: ECHO_SECRET },
      });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /Refusing to fetch http:\/\/storage\.example\.invalid over plain http:\/\/: the server sent an insecure link/);
      assert.deepEqual(fs.readdirSync(dir), [], 'no FILE and no temp file');
    } finally {
      await fake.close();
    }
  });

  describe('Ctrl-C (SIGINT)', () => {
    it('cancels the in-flight request, removes the temp file, prints "cancelled", exits 130', async () => {
      // Studio CSV that keeps coming slowly: the temp file exists and is being written.
      let sent!: () => void;
      const streaming = new Promise<void>((r) => (sent = r));
      const s = await start((_q, res) => {
        drip(res, 50, 'text/csv');
        setTimeout(sent, 300);
      });
      const out = path.join(dir, 'overview.csv');
      const r = await runCli(['studio', 'overview', '--base-url', s.url, '--perspective', '0b6a8f3e-6a3c-4d3e-9a52-2f1d5c7e8a90', '--out', out], {
        env: { STUDIO_TOKEN: 'studio-hostile-token-0123' },
        onSpawn: (child) => void streaming.then(() => child.kill('SIGINT')),
      });
      assert.equal(r.code, 130, r.stderr);
      assert.equal(r.stderr, 'insights: cancelled\n');
      assert.deepEqual(fs.readdirSync(dir), [], 'no FILE and no temp file left');
    });

    it('echo360 run waiting for a report: cancelled, its result file and temp file removed, exit 130', async () => {
      const fake = await startEcho360Fake({ pendingMs: 60_000, clientId: ECHO_ID, clientSecret: ECHO_SECRET });
      try {
        const out = path.join(dir, 'run.csv');
        const r = await runCli(['echo360', 'run', '--base-url', fake.url, '--report', 'asset', '--poll-interval', '0.1', '--out', out], {
          env: { ECHO360_CLIENT_ID: ECHO_ID, ECHO360_CLIENT_SECRET: ECHO_SECRET },
          // Once the report is requested and the temp file is open, the run is waiting for Echo360.
          onSpawn: (child) =>
            void (async () => {
              const submitted = () => fake.requests.some((q) => q.method === 'POST' && q.path.includes('/requests/asset'));
              while (child.exitCode === null && (!submitted() || fs.readdirSync(dir).length === 0)) await new Promise((t) => setTimeout(t, 50));
              child.kill('SIGINT');
            })(),
        });
        assert.equal(r.code, 130, r.stderr);
        assert.match(r.stderr, /insights: cancelled\n$/);
        assert.deepEqual(fs.readdirSync(dir), [], 'no FILE and no temp file left');
      } finally {
        await fake.close();
      }
    });

    it('a request waiting for an answer is cancelled the same way', async () => {
      let asked!: () => void;
      const waiting = new Promise<void>((r) => (asked = r));
      const s = await start(() => asked());
      const r = await runCli(['posthog', 'list', '--base-url', s.url, '--project', '1'], {
        env: { POSTHOG_API_KEY: KEY },
        onSpawn: (child) => void waiting.then(() => child.kill('SIGINT')),
      });
      assert.equal(r.code, 130, r.stderr);
      assert.equal(r.stderr, 'insights: cancelled\n');
    });
  });
});
