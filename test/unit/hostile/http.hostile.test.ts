/**
 * Hostile servers against the core's HTTP layer (the extension and the CLI share it). Each test
 * names the guarantee it checks; every server is real HTTP on 127.0.0.1.
 */
import * as assert from 'node:assert/strict';
import { InsightError } from '../../../src/core/errors';
import { HttpClient, retryAfterMs } from '../../../src/core/http';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_BODY_BYTES } from '../../../src/core/limits';
import { Redactor } from '../../../src/core/log';
import { CanvasClient } from '../../../src/core/sources/canvas/client';
import { Echo360Client } from '../../../src/core/sources/echo360/client';
import { PostHogClient } from '../../../src/core/sources/posthog/client';
import { StudioClient } from '../../../src/core/sources/studio/client';
import { safeText } from '../../../src/core/text';
import { parseBaseUrl } from '../../../src/core/url';
import { HostileServer, MB, drip, endless, hostileServer } from './hostileKit';

const CLIENT_SECRET = 'echo-client-secret-0123456789';
const REFRESH_TOKEN = 'studio-refresh-token-abcdef0123';
const STUDIO_SECRET = 'studio-client-secret-9876543210';
const PERSPECTIVE = '0b6a8f3e-6a3c-4d3e-9a52-2f1d5c7e8a90';

describe('hostile: HTTP core', function () {
  this.timeout(20_000);
  const servers: HostileServer[] = [];
  const start = async (...args: Parameters<typeof hostileServer>) => {
    const s = await hostileServer(...args);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  /** Everything a recording server got, as one string, to search for secrets. */
  const everything = (s: HostileServer) => JSON.stringify(s.received);

  describe('a request with a body never follows a redirect to another origin', () => {
    for (const status of [302, 307, 308]) {
      it(`Echo360 token POST answered ${status} to another origin: refused naming the host; that origin receives nothing`, async () => {
        const evil = await start((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"evil-token-123456","expires_in":3600}'));
        const echo = await start((req, res) => {
          if (req.url?.startsWith('/oauth2/access_token')) return void res.writeHead(status, { location: `${evil.url}/oauth2/access_token` }).end();
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"reports":[]}');
        });
        const client = new Echo360Client({ baseUrl: parseBaseUrl(echo.url), credentials: { clientId: 'cid', clientSecret: CLIENT_SECRET }, retry: { retries: 0 } });
        await assert.rejects(client.listReports(), (e: unknown) => {
          assert.ok(e instanceof InsightError);
          assert.equal(e.exitCode, 5);
          assert.match(e.message, new RegExp(`redirect of POST .* to another host \\(${evil.host.replace('.', '\\.')}\\)`));
          assert.ok(!e.message.includes(CLIENT_SECRET));
          return true;
        });
        assert.deepEqual(evil.received, [], 'the other origin received no request at all (no body, no secret)');
        // The token the other host would have answered was never used: no API call was made.
        assert.deepEqual(
          echo.received.map((r) => r.url),
          ['/oauth2/access_token'],
        );
      });
    }

    it('Studio refresh-token POST redirected (307) to another origin: refused; the secret and refresh token stay home, no foreign token is used', async () => {
      const evil = await start((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"evil-access-123456"}'));
      const studio = await start((req, res) => {
        if (req.url?.startsWith('/api/public/oauth/token')) return void res.writeHead(307, { location: `${evil.url}/api/public/oauth/token` }).end();
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      });
      const client = new StudioClient({
        baseUrl: studio.url,
        accessToken: 'studio-old-access-token',
        refresh: { refreshToken: REFRESH_TOKEN, clientId: 'studio-client', clientSecret: STUDIO_SECRET },
        retry: { retries: 0 },
      });
      await assert.rejects(client.fetchInsights('overview', PERSPECTIVE), (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.equal(e.exitCode, 5);
        assert.match(e.message, new RegExp(`another host \\(${evil.host.replace('.', '\\.')}\\)`));
        return true;
      });
      assert.deepEqual(evil.received, []);
      assert.ok(!everything(evil).includes(STUDIO_SECRET) && !everything(evil).includes(REFRESH_TOKEN));
      const bearers = studio.received.map((r) => r.headers.authorization).filter(Boolean);
      assert.deepEqual([...new Set(bearers)], ['Bearer studio-old-access-token'], 'only the original token was ever sent');
    });

    it('a 302/303 on the same origin turns a POST into a GET without the body; 307 keeps the POST', async () => {
      const home = await start((req, res) => {
        if (req.url === '/start302') return void res.writeHead(302, { location: '/landing' }).end();
        if (req.url === '/start303') return void res.writeHead(303, { location: '/landing' }).end();
        if (req.url === '/start307') return void res.writeHead(307, { location: '/landing' }).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      const c = new HttpClient({ baseUrl: parseBaseUrl(home.url) });
      for (const start of ['start302', 'start303']) await c.json(start, { method: 'POST', form: { client_secret: CLIENT_SECRET } });
      await c.json('start307', { method: 'POST', form: { client_secret: CLIENT_SECRET } });
      const landings = home.received.filter((r) => r.url === '/landing');
      assert.deepEqual(
        landings.map((r) => [r.method, r.body === '' ? 'no body' : 'body', r.headers['content-type'] ?? 'no content-type']),
        [
          ['GET', 'no body', 'no content-type'],
          ['GET', 'no body', 'no content-type'],
          ['POST', 'body', 'application/x-www-form-urlencoded'],
        ],
      );
    });

    it('caller-supplied headers and credentials are dropped when a GET redirect leaves the origin', async () => {
      const other = await start((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      const home = await start((_q, res) => void res.writeHead(302, { location: `${other.url}/elsewhere` }).end());
      const c = new HttpClient({ baseUrl: parseBaseUrl(home.url), auth: () => ({ authorization: 'Bearer home-only-token-123' }) });
      await c.json('x', { headers: { 'x-api-key': 'caller-secret-header' } });
      assert.equal(home.received[0].headers['x-api-key'], 'caller-secret-header');
      assert.equal(other.received.length, 1);
      assert.equal(other.received[0].headers['x-api-key'], undefined);
      assert.equal(other.received[0].headers.authorization, undefined);
    });
  });

  describe('bodies are capped while they are read', () => {
    it('the default cap is 256 MB, and the default deadline 300 s', () => {
      const c = new HttpClient({ baseUrl: parseBaseUrl('https://example.com') });
      assert.equal(c.limits.maxBodyBytes, 256 * 1024 * 1024);
      assert.equal(DEFAULT_MAX_BODY_BYTES, 256 * 1024 * 1024);
      assert.equal(c.limits.deadlineMs, 300_000);
      assert.equal(DEFAULT_DEADLINE_MS, 300_000);
    });

    it('an endless JSON body stops at the cap with one line naming it', async () => {
      const s = await start((_q, res) => endless(res));
      const c = new HttpClient({ baseUrl: parseBaseUrl(s.url), maxBodyBytes: 2 * MB });
      await assert.rejects(c.json('api/insights/'), (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.equal(e.exitCode, 5);
        assert.match(e.message, /sent more than 2 MB \(the cap for one answer\); stopped reading/);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    });

    it('a Studio CSV held in memory (the extension opens it) is capped the same way', async () => {
      const s = await start((_q, res) => endless(res, 'text/csv'));
      const c = new StudioClient({ baseUrl: s.url, accessToken: 'studio-token-0123456789', limits: { maxBodyBytes: MB } });
      await assert.rejects(c.fetchInsights('overview', PERSPECTIVE), /sent more than 1 MB \(the cap for one answer\)/);
    });

    it('an answer just under the cap is read whole', async () => {
      const s = await start((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(MB - 100) })));
      const c = new HttpClient({ baseUrl: parseBaseUrl(s.url), maxBodyBytes: MB });
      const r = await c.json<{ pad: string }>('x');
      assert.equal(r.body.pad.length, MB - 100);
    });
  });

  describe('one deadline per request, retries included', () => {
    it('a body dripping one byte at a time (never idle long enough for a per-chunk timeout) times out at the deadline', async () => {
      const s = await start((_q, res) => drip(res, 50));
      const c = new HttpClient({ baseUrl: parseBaseUrl(s.url), deadlineMs: 800, timeoutMs: 5_000 });
      await assert.rejects(c.json('x'), (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.equal(e.kind, 'timeout');
        assert.equal(e.exitCode, 5);
        assert.match(e.message, /timed out after 0\.8 s/);
        return true;
      });
      assert.equal(s.received.length, 1, 'a cut-off slow body is not fetched again past the deadline');
    });

    it('a server that never answers: the retries share the deadline (no 5 × timeout)', async () => {
      // Headers never come; each attempt's idle limit is 300 ms, the whole request gets 1 s.
      const s = await start(() => undefined);
      const c = new HttpClient({ baseUrl: parseBaseUrl(s.url), deadlineMs: 1_000, timeoutMs: 300, retry: { retries: 20, baseDelayMs: 10, maxDelayMs: 20 } });
      await assert.rejects(c.json('x'), /timed out after 1 s/);
      assert.ok(s.received.length < 20, `stopped retrying at the deadline (${s.received.length} attempts)`);
    });

    it('a wait for a retry that would end past the deadline is not started', async () => {
      const s = await start((_q, res) => void res.writeHead(503, { 'retry-after': '30' }).end());
      const sleeps: number[] = [];
      const c = new HttpClient({ baseUrl: parseBaseUrl(s.url), deadlineMs: 5_000, sleep: async (ms) => void sleeps.push(ms) });
      await assert.rejects(c.json('x'), /timed out after 5 s \(last: HTTP 503\)/);
      assert.deepEqual(sleeps, []);
      assert.equal(s.received.length, 1);
    });
  });

  describe('Retry-After that is negative, zero or in the past uses the normal backoff', () => {
    it('parses only a future delay', () => {
      const now = Date.parse('2026-01-01T00:00:00Z');
      assert.equal(retryAfterMs({ 'retry-after': '-5' }, '', now), undefined);
      assert.equal(retryAfterMs({ 'retry-after': '0' }, '', now), undefined);
      assert.equal(retryAfterMs({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, '', now), undefined);
      assert.equal(retryAfterMs({ 'retry-after': '4' }, '', now), 4000);
      assert.equal(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, '', now), 30_000);
    });

    it('a 429 with Retry-After -5 waits the backoff, not zero', async () => {
      let n = 0;
      const s = await start((_q, res) => {
        if (n++ < 2) return void res.writeHead(429, { 'retry-after': n === 1 ? '-5' : 'Mon, 01 Jan 2001 00:00:00 GMT' }).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      });
      const sleeps: number[] = [];
      const c = new HttpClient({ baseUrl: parseBaseUrl(s.url), retry: { baseDelayMs: 400, maxDelayMs: 10_000 }, sleep: async (ms) => void sleeps.push(ms) });
      await c.json('x');
      assert.equal(sleeps.length, 2);
      // Full jitter between half and all of base × 2^attempt.
      assert.ok(sleeps[0] >= 200 && sleeps[0] <= 400, `first wait ${sleeps[0]}`);
      assert.ok(sleeps[1] >= 400 && sleeps[1] <= 800, `second wait ${sleeps[1]}`);
    });
  });

  it('a plain-http link a server sent (not the base URL) is the server’s fault: exit 5, not a usage error', async () => {
    const c = new HttpClient({ baseUrl: parseBaseUrl('https://echo360.example.com') });
    await assert.rejects(
      c.stream('http://storage.example.com/report.csv.gz?Signature=abc', async () => undefined, { auth: false }),
      (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.equal(e.exitCode, 5);
        assert.match(e.message, /Refusing to fetch http:\/\/storage\.example\.com over plain http:\/\/: the server sent an insecure link/);
        return true;
      },
    );
  });

  describe('listings stop on a repeated page and at a page and byte budget', () => {
    const page = (next: string | null, results: unknown[] = [{ id: 1, name: 'a' }]) => JSON.stringify({ count: 9, next, results });

    it('PostHog insights: a next link back to the same page stops with "the server sent page … twice"', async () => {
      const s = await start((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(page(`http://${req.headers.host}${req.url}`)));
      const c = new PostHogClient({ baseUrl: s.url, projectId: '1', apiKey: 'phx_hostiletestkey1234567' });
      await assert.rejects(c.listAll(), (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.equal(e.exitCode, 5);
        assert.match(e.message, /Stopped the PostHog insights listing: the server sent page http:\/\/127\.0\.0\.1:\d+\/api\/projects\/1\/insights\/\?order=-last_modified_at&limit=100&saved=true twice/);
        return true;
      });
      assert.equal(s.received.length, 1, 'the repeated page is not fetched again');
    });

    it('PostHog activity: a loop through two pages stops at the first repeat', async () => {
      const s = await start((req, res) => {
        const other = req.url!.includes('page=2') ? '?page=1&limit=100' : '?page=2&limit=100';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [{ activity: 'updated', created_at: '2026-01-01T00:00:00Z' }], next: `http://${req.headers.host}/api/projects/1/insights/activity/${other}` }));
      });
      const c = new PostHogClient({ baseUrl: s.url, projectId: '1', apiKey: 'phx_hostiletestkey1234567' });
      await assert.rejects(c.activity({ pageSize: 100 }), /Stopped the PostHog activity listing: the server sent page .*page=1&limit=100 twice/);
      assert.equal(s.received.length, 2);
    });

    it('PostHog: pages that never repeat stop at the page cap', async () => {
      let n = 0;
      const s = await start((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(page(`http://${req.headers.host}/api/projects/1/insights/?offset=${++n}`)));
      const c = new PostHogClient({ baseUrl: s.url, projectId: '1', apiKey: 'phx_hostiletestkey1234567', limits: { maxPages: 25 } });
      await assert.rejects(c.listAll(), /Stopped the PostHog insights listing after 25 pages/);
      assert.equal(s.received.length, 25);
    });

    it('PostHog: pages that never repeat stop at the byte budget of the listing, counted while reading', async () => {
      let n = 0;
      const big = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: 'n'.repeat(200) }));
      const s = await start((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(page(`http://${req.headers.host}/api/projects/1/insights/?offset=${++n}`, big)));
      const c = new PostHogClient({ baseUrl: s.url, projectId: '1', apiKey: 'phx_hostiletestkey1234567', limits: { maxBodyBytes: 2 * MB } });
      await assert.rejects(c.listAll(), /Stopped the PostHog insights listing at 2 MB over \d+ pages \(the cap for one listing\)/);
      assert.ok(s.received.length <= 6, `about 2 MB of ~0.4 MB pages (${s.received.length})`);
    });

    it('Canvas: a Link rel="next" back to the same page stops with "the server sent page … twice"', async () => {
      const s = await start((req, res) =>
        void res.writeHead(200, { 'content-type': 'application/json', link: `<http://${req.headers.host}${req.url}>; rel="next"` }).end('[{"id":1}]'),
      );
      const c = new CanvasClient({ baseUrl: s.url, token: 'canvas-token-0123456789' });
      await assert.rejects(c.getAll('/api/v1/courses'), /the server sent page http:\/\/127\.0\.0\.1:\d+\/api\/v1\/courses\?per_page=100 twice/);
      assert.equal(s.received.length, 1);
    });
  });

  describe('terminal control characters from servers are shown escaped', () => {
    const HOSTILE = 'nope\x1b]0;pwned\x07 \x1b[2J \u202egnp.exe \x9b31m \x7f';

    it('safeText escapes C0, C1, DEL and bidi controls; keeps tab only when asked; is idempotent', () => {
      assert.equal(safeText(HOSTILE), 'nope\\x1b]0;pwned\\x07 \\x1b[2J \\u202egnp.exe \\x9b31m \\x7f');
      assert.equal(safeText('a\tb\nc'), 'a\\x09b\\x0ac');
      assert.equal(safeText('a\tb', { keepTab: true }), 'a\tb');
      assert.equal(safeText('\u2066x\u2069\u200e\u200f'), '\\u2066x\\u2069\\u200e\\u200f');
      assert.equal(safeText(safeText(HOSTILE)), safeText(HOSTILE));
      assert.equal(safeText('Zürich — 東京 ✓'), 'Zürich — 東京 ✓');
    });

    it('an error built from a server detail carries the escapes, not the control characters', async () => {
      const s = await start((_q, res) => void res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: HOSTILE })));
      const c = new PostHogClient({ baseUrl: s.url, projectId: '1', apiKey: 'phx_hostiletestkey1234567' });
      await assert.rejects(c.listAll(), (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.ok(e.message.includes('nope\\x1b]0;pwned\\x07 \\x1b[2J \\u202egnp.exe'), e.message);
        assert.ok(!/[\x1b\x07\u202e\x9b\x7f]/.test(e.message));
        return true;
      });
    });

    it('log lines pass through the same escaping', async () => {
      const { redactingLogger } = await import('../../../src/core/log');
      const lines: string[] = [];
      const push = (m: string) => void lines.push(m);
      const log = redactingLogger({ trace: push, debug: push, info: push, warn: push, error: push }, new Redactor());
      log.warn(`GET /x → ${HOSTILE}`);
      assert.equal(lines[0], `GET /x → ${safeText(HOSTILE)}`);
    });
  });
});
