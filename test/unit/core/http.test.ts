import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { InsightError } from '../../../src/core/errors';
import { HttpClient, retryAfterMs } from '../../../src/core/http';
import { Logger, Redactor, redactingLogger } from '../../../src/core/log';
import { parseBaseUrl } from '../../../src/core/url';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

interface TestServer {
  url: string;
  hits: { path: string; auth?: string }[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 whose behaviour each test scripts per request number. */
async function serve(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const hits: { path: string; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ path: req.url ?? '', auth: req.headers.authorization });
    handler(req, res, hits.length);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '127.0.0.1' ? '127.0.0.1' : 'localhost'}:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function collector(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => void lines.push(m);
  return { lines, trace: push, debug: push, info: push, warn: push, error: push };
}

const SECRET = 'phx_supersecretvalue1234567890';
const fastRetry = { retries: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 };

function client(url: string, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  const redactor = new Redactor();
  redactor.add(SECRET);
  const log = collector();
  const sleeps: number[] = [];
  const c = new HttpClient({
    baseUrl: parseBaseUrl(url),
    auth: () => ({ authorization: `Bearer ${SECRET}` }),
    redactor,
    logger: redactingLogger(log, redactor),
    retry: fastRetry,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { c, log, sleeps };
}

describe('HTTP core over real sockets', () => {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  const start = async (h: Handler, host?: string) => {
    const s = await serve(h, host);
    servers.push(s);
    return s;
  };

  it('retries 429/502/503/504 and returns the eventual success', async () => {
    const codes = [429, 502, 503, 504];
    const s = await start((_req, res, n) => {
      if (n <= codes.length) {
        res.writeHead(codes[n - 1]).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const { c, sleeps } = client(s.url);
    const res = await c.json<{ ok: boolean }>('api/thing');
    assert.deepEqual(res.body, { ok: true });
    assert.equal(s.hits.length, 5);
    assert.equal(sleeps.length, 4);
  });

  it('gives up after the bounded number of retries with a throttled error', async () => {
    const s = await start((_req, res) => void res.writeHead(429, { 'content-type': 'application/json' }).end('{"detail":"Request was throttled."}'));
    const { c } = client(s.url);
    await assert.rejects(c.json('api/x'), (e: unknown) => {
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'throttled');
      assert.equal(e.exitCode, 5);
      assert.match(e.message, /after 5 attempts/);
      return true;
    });
    assert.equal(s.hits.length, 5);
  });

  it('honours Retry-After in seconds, as an HTTP date, and from PostHog detail text', async () => {
    assert.equal(retryAfterMs({ 'retry-after': '7' }), 7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, '', now), 30_000);
    assert.equal(retryAfterMs({}, '{"detail":"Request was throttled. Expected available in 59 seconds."}'), 59_000);
    assert.equal(retryAfterMs({}, ''), undefined);

    const s = await start((_req, res, n) => {
      if (n === 1) return void res.writeHead(429, { 'retry-after': '2' }).end();
      if (n === 2) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"Expected available in 3 seconds."}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    const { c, sleeps } = client(s.url);
    await c.json('api/x');
    assert.deepEqual(sleeps, [2000, 3000]);
  });

  it('does not wait out a Retry-After longer than the limit', async () => {
    const s = await start((_req, res) => void res.writeHead(429, { 'retry-after': '3600' }).end());
    const { c, sleeps } = client(s.url);
    await assert.rejects(c.json('api/x'), /rate-limited for 3600 s/);
    assert.equal(sleeps.length, 0);
    assert.equal(s.hits.length, 1);
  });

  it('retries a connection reset mid-body and returns the complete body', async () => {
    const s = await start((_req, res, n) => {
      const body = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => i) });
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        res.write(body.slice(0, 100));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    const { c } = client(s.url);
    const res = await c.json<{ items: number[] }>('api/x');
    assert.equal(res.body.items.length, 2000);
    assert.equal(s.hits.length, 2);
  });

  it('does not replay a cut stream into a consumer that already received bytes, unless restartable', async () => {
    const body = 'x'.repeat(200_000);
    const s = await start((_req, res, n) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(body.length) });
      if (n <= 2) {
        res.write(body.slice(0, 50_000));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end(body);
    });
    const { c } = client(s.url);
    let received = 0;
    const consume = async (stream: AsyncIterable<Uint8Array>) => {
      for await (const chunk of stream) received += chunk.length;
      return received;
    };
    await assert.rejects(c.stream('data.csv', consume), (e: unknown) => e instanceof InsightError && e.kind === 'network');
    assert.equal(s.hits.length, 1, 'not retried');
    received = 0;
    let calls = 0;
    const res = await c.stream('data.csv', (st) => {
      calls++;
      received = 0;
      return consume(st);
    }, { restartable: true });
    assert.equal(res.body, body.length);
    assert.equal(calls, 2);
  });

  it('cancels an in-flight request with an AbortSignal', async () => {
    const s = await start(() => {
      /* never answers */
    });
    const { c } = client(s.url);
    const ac = new AbortController();
    const p = c.json('api/slow', { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
  });

  it('cancellation also interrupts a backoff sleep', async () => {
    const s = await start((_req, res) => void res.writeHead(503).end());
    const redactor = new Redactor();
    const c = new HttpClient({ baseUrl: parseBaseUrl(s.url), redactor, retry: { retries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const ac = new AbortController();
    const p = c.json('api/x', { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    // The backoff is 60 s, far beyond the test's time limit: only an interrupted sleep settles in time.
    await assert.rejects(p, (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
    assert.equal(s.hits.length, 1, 'aborted during the sleep: no retry was sent');
  });

  it('sends credentials only to the base origin', async () => {
    const other = await start((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"where":"other"}'), '127.0.0.1');
    const home = await start((req, res) => {
      if (req.url?.startsWith('/redirect')) return void res.writeHead(302, { location: `${other.url}/landed` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"where":"home"}');
    });
    const { c } = client(home.url);
    await c.json('api/a');
    await c.json(`${other.url}/signed?X-Amz-Signature=abc`);
    await c.json('redirect');
    assert.equal(home.hits[0].auth, `Bearer ${SECRET}`);
    assert.equal(other.hits.length, 2);
    for (const h of other.hits) assert.equal(h.auth, undefined, `no credentials to ${h.path}`);
  });

  it('refuses plain http to a non-loopback host', async () => {
    assert.throws(() => parseBaseUrl('http://posthog.example.com'), /must use https/);
    assert.throws(() => parseBaseUrl('not a url'), /Invalid base URL/);
    assert.equal(parseBaseUrl('http://127.0.0.1:8000/').toString(), 'http://127.0.0.1:8000/');
    const c = new HttpClient({ baseUrl: parseBaseUrl('https://example.com') });
    await assert.rejects(c.json('http://example.org/x'), /over plain http/);
  });

  it('redacts secrets from logs and error messages', async () => {
    const s = await start((req, res) => {
      // A server that echoes the credentials back in its error (it happens).
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `bad header ${req.headers.authorization}` }));
    });
    const { c, log } = client(s.url);
    const err = await c.json(`api/x?token=${SECRET}`).catch((e: Error) => e);
    assert.ok(err instanceof InsightError);
    assert.doesNotMatch(err.message, new RegExp(SECRET));
    assert.match(err.message, /redacted/);
    assert.ok(log.lines.length > 0);
    for (const line of log.lines) assert.doesNotMatch(line, new RegExp(SECRET));
    assert.ok(log.lines.some((l) => l.includes('token=«redacted»')));
  });

  it('turns an HTML page and malformed JSON into clear data errors', async () => {
    const s = await start((req, res) => {
      if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Login</body></html>');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"results": [1, 2');
    });
    const { c } = client(s.url);
    await assert.rejects(c.json('html'), (e: unknown) => e instanceof InsightError && e.kind === 'data' && /HTML page/.test(e.message));
    await assert.rejects(c.json('bad'), (e: unknown) => e instanceof InsightError && e.kind === 'data' && /Malformed JSON/.test(e.message));
  });

  it('reports a dead server as a one-line connection error', async () => {
    const s = await start(() => undefined);
    const url = s.url;
    await s.close();
    servers = [];
    const { c } = client(url);
    await assert.rejects(c.json('api/x'), (e: unknown) => {
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'network');
      assert.match(e.message, /connection refused\. Check the base URL/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });
});
