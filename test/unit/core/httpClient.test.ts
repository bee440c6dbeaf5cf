/**
 * The HTTP client (src/core/http.ts) as a caller and a user see it, over real sockets on
 * 127.0.0.1: the one-line error for each status and network failure (with the server's own
 * detail), what goes on the wire (query, body, headers, credentials), redirects, the retry
 * schedule and what is told about it (onRetry, log lines), and JSON/HTML handling.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import { InsightError } from '../../../src/core/errors';
import { HttpClient, HttpClientOptions, RetryInfo, abortableSleep, retryAfterMs } from '../../../src/core/http';
import { parseBaseUrl } from '../../../src/core/url';
import { failure, recorder } from '../kit/recordKit';

/** The InsightError `p` rejects with. */
const failureOf = (p: Promise<unknown>) => failure(p, InsightError);

interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number, body: string) => void;

interface TestServer {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

async function serve(handler: Handler): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, hits.length, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const TOKEN = 'tok_9f8e7d6c5b4a39281706';

function make(url: string, extra: Partial<HttpClientOptions> = {}) {
  const log = recorder();
  const sleeps: number[] = [];
  const retries: RetryInfo[] = [];
  const c = new HttpClient({
    baseUrl: parseBaseUrl(url),
    auth: () => ({ authorization: `Bearer ${TOKEN}` }),
    logger: log,
    retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 },
    sleep: async (ms) => void sleeps.push(ms),
    onRetry: (i) => retries.push(i),
    ...extra,
  });
  return { c, log, sleeps, retries };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) =>
  void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));

describe('HTTP client: what callers and users see', function () {
  this.timeout(20_000);
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  const start = async (h: Handler) => {
    const s = await serve(h);
    servers.push(s);
    return s;
  };

  describe('error statuses become one line with the next step', () => {
    const cases: [number, string, string, string][] = [
      [401, 'auth', 'refused the credentials (401): nope.', 'Set Credentials and try again.'],
      [403, 'auth', 'denied access (403): nope.', 'Check the permissions of the credentials.'],
      [404, 'notFound', 'was not found (404).', 'Check the ids and the base URL.'],
      [500, 'server', 'failed with HTTP 500: nope.', 'Try again later.'],
      [501, 'server', 'failed with HTTP 501: nope.', 'Try again later.'],
      [400, 'usage', 'answered HTTP 400: nope.', ''],
      [422, 'usage', 'answered HTTP 422: nope.', ''],
      [418, 'server', 'answered HTTP 418: nope.', ''],
      [409, 'server', 'answered HTTP 409: nope.', ''],
    ];
    for (const [status, kind, text, next] of cases) {
      it(`HTTP ${status}: ${kind}, "${text}"`, async () => {
        const s = await start((_req, res) => json(res, status, { detail: 'nope' }));
        const { c, sleeps } = make(s.url);
        const e = await failureOf(c.json('api/things'));
        assert.equal(e.kind, kind);
        assert.equal(e.status, status);
        assert.equal(e.message, `${s.url}/api/things ${text}${next ? ` ${next}` : ''}`);
        assert.equal(s.hits.length, 1, 'not retried');
        assert.deepEqual(sleeps, []);
      });
    }

    it("the server's own words: detail, message, error_message, error or errors[0].message, in that order", async () => {
      const bodies: [unknown, string][] = [
        [{ detail: 'from detail', message: 'm', error: 'e' }, ': from detail'],
        [{ message: 'from message', error_message: 'em', error: 'e' }, ': from message'],
        [{ error_message: 'from error_message', error: 'e' }, ': from error_message'],
        [{ error: 'from error', errors: [{ message: 'x' }] }, ': from error'],
        [{ errors: [{ message: 'first' }, { message: 'second' }] }, ': first'],
        [{ detail: 5, message: 'words win over numbers' }, ': words win over numbers'],
        [{ errors: [] }, ''],
        [{ errors: { message: 'not a list' } }, ''],
        [{ errors: [{ code: 1 }] }, ''],
        ['<html>not json</html>', ''],
        ['', ''],
      ];
      let i = 0;
      const s = await start((_req, res) => {
        const b = bodies[i++][0];
        json(res, 400, typeof b === 'string' ? b : JSON.stringify(b));
      });
      const { c } = make(s.url);
      for (const [body, detail] of bodies) {
        const e = await failureOf(c.json('api/x'));
        assert.equal(e.message, `${s.url}/api/x answered HTTP 400${detail}.`, JSON.stringify(body));
      }
    });

    it('a detail is read from the first 4000 characters of the error body only', async () => {
      const pad = (n: number) => JSON.stringify({ pad: 'p'.repeat(n), detail: 'late words' });
      const s = await start((req, res) => json(res, 400, pad(req.url === '/short' ? 3900 : 4000)));
      const { c } = make(s.url);
      assert.equal((await failureOf(c.json('short'))).message, `${s.url}/short answered HTTP 400: late words.`);
      assert.equal((await failureOf(c.json('long'))).message, `${s.url}/long answered HTTP 400.`);
    });

    it('a platform describeError replaces the generic message; the status error carries url, headers and body', async () => {
      const s = await start((_req, res) => json(res, 403, { message: 'user not authorized' }, { 'x-extra': 'yes' }));
      const { c } = make(s.url, {
        describeError: (err) =>
          new InsightError('auth', `custom ${err.status} ${err.url.pathname} ${err.headers['x-extra']} ${err.detail} ${err.bodyText.length}`),
      });
      const e = await failureOf(c.json('api/y'));
      assert.equal(e.message, 'custom 403 /api/y yes user not authorized 33');
    });

    it('a status the caller accepts is returned, not thrown', async () => {
      const s = await start((_req, res) => json(res, 404, { gone: true }));
      const { c } = make(s.url);
      const res = await c.json<{ gone: boolean }>('api/z', { acceptStatus: (st) => st === 404 });
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { gone: true });
      const streamed = await c.stream('api/z', async (body, meta) => {
        let n = 0;
        for await (const chunk of body) n += chunk.length;
        return `${meta.status} ${meta.headers['content-type']} ${n}`;
      }, { acceptStatus: (st) => st === 404 });
      assert.equal(streamed.body, '404 application/json 13');
    });
  });

  describe('retries', () => {
    it('a status that keeps coming back: "kept answering HTTP 503 after 5 attempts", kind server', async () => {
      const s = await start((_req, res) => void res.writeHead(503).end('down'));
      const { c, log, retries } = make(s.url);
      const e = await failureOf(c.json('api/x'));
      assert.equal(e.kind, 'server');
      assert.equal(e.status, 503);
      assert.equal(e.message, `${s.url}/api/x kept answering HTTP 503 after 5 attempts. Try again in a few minutes.`);
      assert.equal(s.hits.length, 5);
      assert.deepEqual(
        retries.map((r) => [r.attempt, r.retries, r.status, r.throttled, r.url.pathname]),
        [1, 2, 3, 4].map((a) => [a, 4, 503, false, '/api/x']),
      );
      const warns = log.lines.filter((l) => l.startsWith('warn '));
      assert.equal(warns.length, 5);
      for (let a = 1; a <= 4; a++) assert.match(warns[a - 1], new RegExp(`^warn GET ${s.url}/api/x → HTTP 503; retry ${a}/4 in \\d+ ms$`));
      assert.match(warns[4], new RegExp(`^warn GET ${s.url}/api/x → 503 in \\d+ ms$`));
    });

    it('waits with full jitter: each wait between half and all of min(max, base × 2^attempt)', async () => {
      for (let round = 0; round < 5; round++) {
        const s = await start((_req, res, n) => (n <= 4 ? void res.writeHead(502).end() : json(res, 200, [])));
        const { c, sleeps, retries } = make(s.url);
        await c.json('api/x');
        const caps = [5, 10, 20, 20];
        assert.equal(sleeps.length, 4);
        sleeps.forEach((ms, i) => assert.ok(ms >= caps[i] / 2 && ms <= caps[i], `wait ${i + 1}: ${ms} ms within [${caps[i] / 2}, ${caps[i]}]`));
        assert.deepEqual(
          retries.map((r) => r.delayMs),
          sleeps,
          'onRetry announces the wait that follows',
        );
      }
    });

    it('Retry-After: waited out up to the limit (5 s here), refused above it', async () => {
      const s = await start((req, res, n) => {
        if (req.url === '/at' && n % 2 === 1) return void res.writeHead(429, { 'retry-after': '5' }).end();
        if (req.url === '/over') return void res.writeHead(429, { 'retry-after': '5.001' }).end();
        json(res, 200, { ok: 1 });
      });
      const { c, sleeps, retries } = make(s.url);
      await c.json('at');
      assert.deepEqual(sleeps, [5000]);
      assert.deepEqual(
        retries.map((r) => [r.attempt, r.delayMs, r.status, r.throttled]),
        [[1, 5000, 429, true]],
      );
      const e = await failureOf(c.json('over'));
      assert.equal(e.kind, 'throttled');
      assert.equal(e.status, 429);
      assert.equal(e.message, `${s.url}/over is rate-limited for 6 s. Try again later.`);
      assert.deepEqual(sleeps, [5000], 'no wait for the refused one');
    });

    it('a platform throttle (isThrottled) is retried and reported as throttled', async () => {
      const s = await start((_req, res) => json(res, 403, { message: 'Rate Limit Exceeded' }, { 'x-rate-limit-remaining': '0.0' }));
      const seen: string[] = [];
      const { c, retries } = make(s.url, {
        isThrottled: (status, headers, body) => {
          seen.push(`${status} ${headers['x-rate-limit-remaining']} ${body}`);
          return /Rate Limit Exceeded/.test(body);
        },
      });
      const e = await failureOf(c.json('api/t'));
      assert.equal(e.kind, 'throttled');
      assert.equal(e.message, `${s.url}/api/t kept answering HTTP 403 after 5 attempts. Try again in a few minutes.`);
      assert.equal(seen[0], '403 0.0 {"message":"Rate Limit Exceeded"}');
      assert.ok(retries.every((r) => r.throttled && r.status === 403));
    });

    it('"Expected available in N seconds" counts only within the first 64 KB of an error body', async () => {
      const words = 'Expected available in 3 seconds.';
      const s = await start((req, res, n) => {
        if (n % 2 === 0) return json(res, 200, []);
        const pad = req.url === '/near' ? 60 * 1024 : 64 * 1024;
        res.writeHead(503, { 'content-type': 'text/plain' }).end(' '.repeat(pad) + words);
      });
      const near = make(s.url);
      await near.c.json('near');
      assert.deepEqual(near.sleeps, [3000]);
      const far = make(s.url);
      await far.c.json('far');
      assert.equal(far.sleeps.length, 1);
      assert.ok(far.sleeps[0] <= 5, `the normal backoff, not 3 s (${far.sleeps[0]} ms)`);
    });

    it('retryAfterMs: seconds (with fractions), an HTTP date, PostHog words; nothing usable gives undefined', () => {
      assert.equal(retryAfterMs({ 'retry-after': ' 1.5 ' }), 1500);
      assert.equal(retryAfterMs({ 'retry-after': '+2' }), 2000);
      assert.equal(retryAfterMs({ 'retry-after': '0' }), undefined);
      assert.equal(retryAfterMs({ 'retry-after': '2026-01-01' }, '', 0), undefined, 'a date without a day name is not an HTTP date');
      assert.equal(retryAfterMs({ 'retry-after': 'soon' }, 'Expected available in 4 seconds.'), 4000, 'an unreadable header falls back to the body');
      assert.equal(retryAfterMs({}, 'expected AVAILABLE in 1 second'), 1000);
      assert.equal(retryAfterMs({}, 'Expected available in 2.5 seconds.'), 2500);
      assert.equal(retryAfterMs({}, 'Expected available in 0 seconds.'), undefined);
      const now = Date.parse('2026-01-01T00:00:00Z');
      assert.equal(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:00 GMT' }, '', now), undefined, 'now is not a future time');
      assert.equal(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:01 GMT' }, '', now), 1000);
    });

    it('retryAfterMs: a header with words around its number is not seconds (the body is read instead); fractions of any length', () => {
      const words = 'Expected available in 4 seconds.';
      assert.equal(retryAfterMs({ 'retry-after': 'wait5' }, words), 4000);
      assert.equal(retryAfterMs({ 'retry-after': '5 s' }, words), 4000);
      assert.equal(retryAfterMs({ 'retry-after': '1.25' }), 1250);
      assert.equal(retryAfterMs({}, 'Expected available in 2.25 seconds.'), 2250);
    });

    it('the waits spread over their window: full jitter, not its bottom', async () => {
      // 20 waits; all within 1 ms of the bottom of their windows would take odds below 1e-12.
      const above: number[] = [];
      for (let round = 0; round < 5; round++) {
        const s = await start((_req, res, n) => (n <= 4 ? void res.writeHead(502).end() : json(res, 200, [])));
        const { c, sleeps } = make(s.url);
        await c.json('api/x');
        const caps = [5, 10, 20, 20];
        sleeps.forEach((ms, i) => above.push(ms - caps[i] / 2));
      }
      assert.ok(above.some((d) => d > 1), `every wait at the bottom of its window: ${above.join(', ')}`);
    });

    it('a retry wait that would end past the deadline: the log says no time was left, naming the deadline', async () => {
      const s = await start((_req, res) => void res.writeHead(503, { 'retry-after': '4' }).end());
      const { c, log, sleeps } = make(s.url, { deadlineMs: 3_000 });
      const e = await failureOf(c.json('api/x'));
      assert.equal(e.kind, 'timeout');
      assert.deepEqual(sleeps, []);
      assert.deepEqual(log.lines, [`warn GET ${s.url}/api/x → HTTP 503; no time left for retry 1 within 3 s`]);
    });

    it('the time in each log line is the attempt\'s own: never more than the whole call took', async () => {
      const s = await start((_req, res, n) => (n === 1 ? void res.writeHead(500).end() : json(res, 200, {})));
      const { c, log } = make(s.url);
      const t0 = Date.now();
      await failureOf(c.json('api/fail'));
      await c.json('api/ok');
      const took = Date.now() - t0;
      const times = log.lines.map((l) => Number(/ in (\d+) ms$/.exec(l)?.[1]));
      assert.equal(times.length, 2, log.lines.join('\n'));
      for (const ms of times) assert.ok(ms >= 0 && ms <= took, `${ms} ms logged, the calls took ${took} ms`);
    });

    it('a connection dropped before any answer: a GET is retried, then "kept dropping"', async () => {
      const s = await start((req) => req.socket.destroy());
      const { c, retries, log } = make(s.url);
      const e = await failureOf(c.json('api/x'));
      assert.equal(e.kind, 'network');
      assert.match(e.message, new RegExp(`^The connection to ${s.url} kept dropping \\((ECONNRESET|UND_ERR_SOCKET|UND_ERR_CLOSED|EPIPE)\\)\\. Try again later\\.$`));
      assert.equal(s.hits.length, 5);
      assert.equal(retries.length, 4);
      assert.ok(retries.every((r) => r.status === undefined && !r.throttled));
      const code = /\((\w+)\)/.exec(e.message)![1];
      assert.ok(log.lines.includes(`warn GET ${s.url}/api/x → ${code}; retry 1/4 in ${Math.round(retries[0].delayMs)} ms`));
    });

    it('a stream whose connection drops before any answer is retried: nothing had reached the consumer', async () => {
      const s = await start((req, res, n) => (n === 1 ? req.socket.destroy() : void res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n1,2\n')));
      const { c, retries } = make(s.url);
      const r = await c.stream('export.csv', async (body) => {
        let text = '';
        for await (const chunk of body) text += Buffer.from(chunk).toString('utf8');
        return text;
      });
      assert.equal(r.body, 'a,b\n1,2\n');
      assert.equal(s.hits.length, 2);
      assert.equal(retries.length, 1);
    });

    it('a PUT and a DELETE are retried after a dropped connection too; a PATCH is not', async () => {
      // The first attempt of each method is dropped; a PATCH always is.
      const s = await start((req, res) =>
        s.hits.filter((h) => h.method === req.method).length === 1 || req.method === 'PATCH' ? req.socket.destroy() : json(res, 200, {}),
      );
      const { c } = make(s.url);
      assert.equal((await c.json('put', { method: 'PUT', json: { a: 1 } })).status, 200);
      assert.equal(s.hits.length, 2);
      assert.equal((await c.json('del', { method: 'DELETE' })).status, 200);
      assert.equal(s.hits.length, 4);
      const e = await failureOf(c.json('patch', { method: 'PATCH', json: { a: 1 } }));
      assert.equal(e.kind, 'network');
      assert.equal(s.hits.length, 5, 'the PATCH went out once');
    });

    it('a server that never answers: "did not answer in time", kind timeout, after the retries', async () => {
      const s = await start(() => undefined);
      const { c } = make(s.url, { timeoutMs: 150, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
      const e = await failureOf(c.json('api/slow'));
      assert.equal(e.kind, 'timeout');
      assert.equal(e.message, `${s.url}/api/slow did not answer in time. Try again; the server may be overloaded.`);
      assert.equal(s.hits.length, 2);
    });

    it('a host that does not resolve: "Cannot resolve host", not retried', async () => {
      const { c } = make('https://nonexistent.invalid');
      const e = await failureOf(c.json('api/x'));
      assert.equal(e.kind, 'network');
      assert.equal(e.message, 'Cannot resolve host nonexistent.invalid. Check the base URL and your network.');
    });

    it('an already-cancelled signal sends nothing', async () => {
      const s = await start((_req, res) => json(res, 200, {}));
      const { c } = make(s.url);
      const e = await failureOf(c.json('api/x', { signal: AbortSignal.abort() }));
      assert.equal(e.kind, 'cancelled');
      assert.equal(e.message, 'Cancelled.');
      assert.equal(s.hits.length, 0);
    });

    it('abortableSleep resolves after its time, and rejects as cancelled when aborted before or during', async () => {
      await abortableSleep(1);
      const before = await failureOf(abortableSleep(60_000, AbortSignal.abort()));
      assert.equal(before.kind, 'cancelled');
      const ac = new AbortController();
      const during = abortableSleep(60_000, ac.signal);
      setTimeout(() => ac.abort(), 5);
      assert.equal((await failureOf(during)).kind, 'cancelled');
      // A finished sleep leaves no listener that would act on a later abort.
      const later = new AbortController();
      await abortableSleep(1, later.signal);
      later.abort();
    });
  });

  describe('what goes on the wire', () => {
    it('query values: numbers, booleans and lists as text, undefined left out, an existing key replaced', async () => {
      const s = await start((_req, res) => json(res, 200, {}));
      const { c } = make(s.url);
      await c.json('api/x?keep=1&old=1', { query: { old: 2, n: 3, b: false, skip: undefined, list: ['a b', 7], e: 'é&=' } });
      assert.equal(s.hits[0].url, '/api/x?keep=1&old=2&n=3&b=false&list=a+b&list=7&e=%C3%A9%26%3D');
      await c.json('api/y', {});
      assert.equal(s.hits[1].url, '/api/y');
    });

    it('paths join a base with a path prefix; absolute URLs (any case of scheme) are used as they are', async () => {
      const s = await start((_req, res) => json(res, 200, {}));
      const { c } = make(`${s.url}/prefix//`);
      await c.json('//api/x');
      await c.json('api/y');
      await c.json(`${s.url.replace('http://', 'HTTP://')}/abs`);
      await c.json(new URL(`${s.url}/as-url`));
      assert.deepEqual(
        s.hits.map((h) => h.url),
        ['/prefix/api/x', '/prefix/api/y', '/abs', '/as-url'],
      );
      assert.equal(c.resolve('HTTPS://example.com/z').toString(), 'https://example.com/z');
    });

    it('a relative path whose query carries a URL stays relative to the base', async () => {
      const s = await start((_req, res) => json(res, 200, {}));
      const { c } = make(`${s.url}/prefix`);
      await c.json('api/go?next=https://elsewhere.example/x');
      assert.deepEqual(
        s.hits.map((h) => h.url),
        ['/prefix/api/go?next=https://elsewhere.example/x'],
      );
    });

    it('JSON and form bodies with their content types; accept and user-agent headers', async () => {
      const s = await start((_req, res) => json(res, 200, {}));
      const { c } = make(s.url);
      await c.json('j', { method: 'POST', json: { a: [1, 'x'] } });
      await c.json('f', { method: 'POST', form: { grant_type: 'client_credentials', scope: 'a b&c' } });
      await c.json('g', { headers: { 'x-caller': 'yes' } });
      const [j, f, g] = s.hits;
      assert.equal(j.method, 'POST');
      assert.equal(j.headers['content-type'], 'application/json');
      assert.equal(j.body, '{"a":[1,"x"]}');
      assert.equal(f.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(f.body, 'grant_type=client_credentials&scope=a+b%26c');
      assert.equal(g.method, 'GET');
      assert.equal(g.body, '');
      assert.equal(g.headers['content-type'], undefined);
      assert.equal(g.headers['x-caller'], 'yes');
      for (const h of s.hits) {
        assert.equal(h.headers.accept, 'application/json, text/csv;q=0.9, */*;q=0.8');
        assert.equal(h.headers['user-agent'], 'insight-explorer');
        assert.equal(h.headers.authorization, `Bearer ${TOKEN}`);
      }
      const custom = make(s.url, { userAgent: 'insights-cli/1.2' });
      await custom.c.json('u');
      assert.equal(s.hits[3].headers['user-agent'], 'insights-cli/1.2');
    });

    it('auth: false sends no credentials, even to the base origin', async () => {
      const s = await start((_req, res) => json(res, 200, {}));
      const { c } = make(s.url);
      await c.json('a', { auth: false });
      await c.json('b');
      assert.equal(s.hits[0].headers.authorization, undefined);
      assert.equal(s.hits[1].headers.authorization, `Bearer ${TOKEN}`);
    });

    it('a Basic or Bearer credential is masked by its bare value in messages and logs', async () => {
      const basic = Buffer.from('user:s3cr3t-passw0rd').toString('base64');
      const s = await start((req, res) => json(res, 400, { detail: `bad ${req.headers.authorization?.split(' ')[1]}` }));
      for (const scheme of ['Basic', 'bearer']) {
        const { c, log } = make(s.url, { auth: () => ({ authorization: `${scheme} ${basic}` }) });
        const e = await failureOf(c.json('api/x'));
        assert.equal(e.message, `${s.url}/api/x answered HTTP 400: bad «redacted».`);
        assert.ok(log.lines.length > 0);
        for (const l of log.lines) assert.ok(!l.includes(basic), l);
      }
    });

    it('logs each answer at info with method, URL and status', async () => {
      const s = await start((_req, res) => json(res, 200, {}));
      const { c, log } = make(s.url);
      await c.json('api/ok?x=1');
      assert.equal(log.lines.length, 1);
      assert.match(log.lines[0], new RegExp(`^info GET ${s.url.replace(/\./g, '\\.')}/api/ok\\?x=1 → 200 in \\d+ ms$`));
    });
  });

  describe('what comes back', () => {
    it('a header sent twice (two Link fields, RFC 9110 §5.3) reads as one value joined by ", "', async () => {
      const s = await start((_req, res) => {
        res.setHeader('link', ['<https://x.example/p2>; rel="next"', '<https://x.example/p9>; rel="last"']);
        json(res, 200, []);
      });
      const { c } = make(s.url);
      const r = await c.json('api/pages');
      assert.equal(r.headers.link, '<https://x.example/p2>; rel="next", <https://x.example/p9>; rel="last"');
    });

    it('a base URL on a port that does not speak HTTP: "Request to … failed" with the parser\'s words, one line', async () => {
      const sockets = new Set<net.Socket>();
      const ssh = net.createServer((sock) => {
        sockets.add(sock);
        sock.end('SSH-2.0-OpenSSH_9.6\r\n');
      });
      await new Promise<void>((r) => ssh.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(ssh.address() as AddressInfo).port}`;
        const { c } = make(url);
        const e = await failureOf(c.json('api/x'));
        assert.equal(e.kind, 'network');
        assert.match(e.message, new RegExp(`^Request to ${url.replace(/\./g, '\\.')}/api/x failed: [^\\n]+\\. Check the base URL and your network\\.$`));
      } finally {
        for (const sock of sockets) sock.destroy();
        await new Promise((r) => ssh.close(r));
      }
    });

    it('a listing page is held to the smaller of the body cap and what is left of the listing budget, and named by it', async () => {
      const MB = 1024 * 1024;
      const s = await start((req, res) => {
        // Two pages of 0.6 MB, then a page without end.
        if (req.url !== '/p3') return json(res, 200, JSON.stringify({ pad: 'x'.repeat(0.6 * MB) }));
        res.writeHead(200, { 'content-type': 'application/json' });
        const pump = () => {
          while (!res.destroyed && res.write('x'.repeat(64 * 1024)));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      });
      // The budget left after two pages (0.8 MB) is below the body cap (2 MB): the listing's words.
      const tight = make(s.url, { maxBodyBytes: 2 * MB, maxListingBytes: 2 * MB });
      const listing = tight.c.listing('the things listing');
      await tight.c.json('p1', { listing });
      await tight.c.json('p2', { listing });
      const e = await failureOf(tight.c.json('p3', { listing }));
      assert.match(e.message, /^Stopped the things listing at 2 MB over 3 pages \(the cap for one listing\)\./);
      // A budget above the body cap: one endless page stops at the body cap, in its words.
      const roomy = make(s.url, { maxBodyBytes: MB, maxListingBytes: 10 * MB });
      const e2 = await failureOf(roomy.c.json('p3', { listing: roomy.c.listing('the things listing') }));
      assert.match(e2.message, new RegExp(`^${s.url.replace(/\./g, '\\.')}/p3 sent more than 1 MB \\(the cap for one answer\\); stopped reading\\.`));
    });

    it('the refusals and the deadline say the next step in full', async () => {
      const s = await start((req, res) => {
        if (req.url === '/token') return void res.writeHead(307, { location: 'https://elsewhere.example/token' }).end();
        if (req.url === '/page') return json(res, 200, { next: 'http://files.example.com/p2' });
        // /slow never answers
      });
      const { c } = make(s.url, { deadlineMs: 300, timeoutMs: 5_000 });
      const post = await failureOf(c.json('token', { method: 'POST', form: { grant_type: 'client_credentials' } }));
      assert.equal(
        post.message,
        `Refusing to follow a redirect of POST ${s.url}/token to another host (elsewhere.example): a request with a body is never sent to another origin. Check the base URL (or token URL) is the platform itself, not a proxy or an old address.`,
      );
      const link = await failureOf(c.json('http://files.example.com/p2'));
      assert.equal(link.kind, 'data');
      assert.equal(
        link.message,
        "Refusing to fetch http://files.example.com over plain http://: the server sent an insecure link. Ask the platform's administrators to serve it over https://.",
      );
      const slow = await failureOf(c.json('slow'));
      assert.equal(slow.kind, 'timeout');
      assert.equal(
        slow.message,
        `${s.url}/slow timed out after 0.3 s. Try again; for a slow server raise the limit (setting insightExplorer.http.timeoutSeconds, or insights --timeout SEC).`,
      );
    });

    it('a plain-http base URL that is not this machine is refused before anything is sent: a usage error', async () => {
      const c = new HttpClient({ baseUrl: new URL('http://analytics.example.com') });
      const e = await failureOf(c.json('api/x'));
      assert.equal(e.kind, 'usage');
      assert.equal(e.message, 'Refusing to fetch http://analytics.example.com over plain http://. Use an https:// URL.');
    });
  });

  describe('JSON answers', () => {
    it('204, an empty or blank body: no value; text reports the bytes it read', async () => {
      const s = await start((req, res) => {
        if (req.url === '/204') return void res.writeHead(204).end();
        if (req.url === '/blank') return json(res, 200, ' \n\t ');
        if (req.url === '/empty') return json(res, 200, '');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('héllo');
      });
      const { c } = make(s.url);
      for (const p of ['204', 'blank', 'empty']) {
        const r = await c.json(p);
        assert.equal(r.body, undefined, p);
      }
      assert.equal((await c.json('204')).status, 204);
      const t = await c.text('text');
      assert.equal(t.body, 'héllo');
      assert.equal(t.bytes, 6);
      assert.equal(t.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(t.url.pathname, '/text');
    });

    it('an HTML page, by content type or by its first tag, is named as such; other junk is malformed JSON', async () => {
      const s = await start((req, res) => {
        if (req.url === '/ct') return void res.writeHead(200, { 'content-type': 'Text/HTML; charset=utf-8' }).end('{"looks":"like json"}');
        if (req.url === '/doctype') return json(res, 200, '  \n<!DOCTYPE html><p>login</p>');
        if (req.url === '/html') return json(res, 200, '<HTML><body>proxy</body></HTML>');
        if (req.url === '/tag') return json(res, 200, '<note>not html</note>');
        json(res, 200, 'x<html>');
      });
      const { c } = make(s.url);
      for (const p of ['ct', 'doctype', 'html']) {
        const e = await failureOf(c.json(p));
        assert.equal(e.kind, 'data');
        assert.equal(
          e.message,
          `Expected JSON from ${s.url}/${p} but got an HTML page (HTTP 200). Check the base URL points at the platform itself, not a login page or proxy.`,
        );
      }
      for (const p of ['tag', 'other']) {
        const e = await failureOf(c.json(p));
        assert.equal(e.kind, 'data');
        assert.equal(e.message, `Malformed JSON from ${s.url}/${p} (HTTP 200). Try again; if it persists the server or a proxy is corrupting replies.`);
      }
    });
  });

  describe('redirects', () => {
    it('follows up to 5 redirects; a 6th is refused naming the URL', async () => {
      // /r5/N redirects to /r5/N+1 until N is 5; /r/N redirects for ever.
      const s = await start((req, res) => {
        const m = /^\/(r5?)\/(\d+)$/.exec(req.url ?? '')!;
        const n = Number(m[2]);
        if (m[1] === 'r' || n < 5) return void res.writeHead(302, { location: `/${m[1]}/${n + 1}` }).end();
        json(res, 200, { at: n });
      });
      const { c, log } = make(s.url);
      const ok = await c.json<{ at: number }>('r5/0');
      assert.deepEqual(ok.body, { at: 5 });
      assert.equal(ok.url.pathname, '/r5/5', 'the response says where it came from');
      assert.equal(s.hits.length, 6);
      assert.ok(log.lines.includes(`debug GET ${s.url}/r5/0 → 302 redirect to ${s.url}/r5/1`));
      const e = await failureOf(c.json('r/0'));
      assert.equal(e.kind, 'network');
      assert.equal(e.message, `${s.url}/r/5 redirected more than 5 times. Check the base URL.`);
      assert.equal(s.hits.length, 6 + 6);
    });

    it('an unreadable location and a plain-http location elsewhere are refused', async () => {
      const s = await start((req, res) => {
        if (req.url === '/bad') return void res.writeHead(301, { location: 'http://[::1' }).end();
        if (req.url === '/insecure') return void res.writeHead(302, { location: 'http://example.com/x' }).end();
        if (req.url === '/empty') return void res.writeHead(302, { location: '' }).end('{"v":"no location"}');
        json(res, 200, {});
      });
      const { c } = make(s.url);
      const bad = await failureOf(c.json('bad'));
      assert.equal(bad.kind, 'network');
      assert.equal(bad.message, `${s.url}/bad redirected to an unreadable location.`);
      const insecure = await failureOf(c.json('insecure'));
      assert.equal(insecure.message, `Refusing redirect from ${s.url} to insecure http://example.com.`);
      assert.equal(s.hits.length, 2, 'example.com was never asked');
      // A 3xx without a location is an answer like any other (below 400: returned).
      const r = await c.json<{ v: string }>('empty');
      assert.equal(r.status, 302);
      assert.deepEqual(r.body, { v: 'no location' });
    });

    it('a Location header on an answer that is not a 3xx (201 Created, 400) is not followed', async () => {
      const s = await start((req, res) => {
        if (req.url === '/create') return json(res, 201, { id: 7 }, { location: '/things/7' });
        if (req.url === '/bad') return json(res, 400, { detail: 'no' }, { location: '/elsewhere' });
        json(res, 200, { wrong: 'followed' });
      });
      const { c } = make(s.url);
      const created = await c.json<{ id: number }>('create', { method: 'POST', json: { name: 'x' } });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body, { id: 7 });
      assert.equal(created.headers.location, '/things/7');
      const e = await failureOf(c.json('bad'));
      assert.equal(e.message, `${s.url}/bad answered HTTP 400: no.`);
      assert.equal(s.hits.length, 2, 'nothing followed');
    });

    it('a redirect to another scheme on this machine (ftp://, file:) is refused as insecure', async () => {
      const s = await start((req, res) => {
        if (req.url === '/ftp') return void res.writeHead(302, { location: 'ftp://127.0.0.1/x.csv' }).end();
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      });
      const { c } = make(s.url);
      assert.equal((await failureOf(c.json('ftp'))).message, `Refusing redirect from ${s.url} to insecure ftp://127.0.0.1.`);
      assert.equal((await failureOf(c.json('file'))).message, `Refusing redirect from ${s.url} to insecure null.`);
    });

    it('301 and 302/303 turn a POST or PUT into a body-less GET on the same origin; 307 and 308 keep it', async () => {
      const s = await start((req, res) => {
        const m = /^\/(\d{3})$/.exec(req.url ?? '');
        if (m) return void res.writeHead(Number(m[1]), { location: '/landed' }).end();
        json(res, 200, { method: req.method });
      });
      const { c } = make(s.url);
      const seen: string[] = [];
      for (const status of [301, 302, 303, 307, 308]) {
        for (const method of ['POST', 'PUT'] as const) {
          const from = s.hits.length;
          const r = await c.json<{ method: string }>(String(status), { method, json: { secret: 'body' } });
          const landed = s.hits[from + 1];
          seen.push(`${status} ${method}→${r.body.method} body:${landed.body === '' ? 'none' : landed.body}`);
        }
      }
      assert.deepEqual(seen, [
        '301 POST→GET body:none',
        '301 PUT→GET body:none',
        '302 POST→GET body:none',
        '302 PUT→GET body:none',
        '303 POST→GET body:none',
        '303 PUT→GET body:none',
        '307 POST→POST body:{"secret":"body"}',
        '307 PUT→PUT body:{"secret":"body"}',
        '308 POST→POST body:{"secret":"body"}',
        '308 PUT→PUT body:{"secret":"body"}',
      ]);
    });
  });
});
