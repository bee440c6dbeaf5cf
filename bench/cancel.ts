/**
 * How fast a cancel takes effect (the figures the tests used to assert with the wall clock):
 * from `abort()` to the rejected promise, for a call waiting on the Echo360 rate limiter and for
 * a request waiting out a retry backoff. Real HTTP on 127.0.0.1 against the fakes.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient } from '../src/core/http';
import { Redactor } from '../src/core/log';
import { TokenBucket } from '../src/core/sources/echo360/rateLimit';
import { parseBaseUrl } from '../src/core/url';
import { startEcho360Fake } from '../test/fakes/echo360';
import { fastClient } from '../test/fakes/echo360TestKit';

/** Milliseconds from abort() until `p` settles (best of `runs`). */
async function abortLatency(runs: number, start: (signal: AbortSignal) => Promise<unknown>, abortAfterMs = 50): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const ac = new AbortController();
    const p = start(ac.signal).then(
      () => undefined,
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, abortAfterMs));
    const t0 = performance.now();
    ac.abort();
    await p;
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export async function benchCancel(print: (line: string) => void, fmtMs: (ms: number) => string, verdict: (ok: boolean) => string): Promise<void> {
  const fake = await startEcho360Fake();
  try {
    const limited = await abortLatency(5, async (signal) => {
      // An empty bucket: the call waits ~30 s for a token unless cancelled.
      const bucket = new TokenBucket({ limit: 4, windowMs: 60_000, burst: 2 });
      const client = fastClient(fake, { rateLimiter: bucket });
      await client.listReports();
      return client.listRequests(signal);
    });
    print(`cancel a call waiting on the Echo360 rate limiter: ${fmtMs(limited)} (target ≤ 1 s) ${verdict(limited <= 1000)}`);
  } finally {
    await fake.close();
  }
  const server = http.createServer((_req, res) => void res.writeHead(503).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const backoff = await abortLatency(5, (signal) =>
      new HttpClient({ baseUrl: parseBaseUrl(url), redactor: new Redactor(), retry: { retries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 } }).json('api/x', {
        signal,
      }),
    );
    print(`cancel a request during a 60 s retry backoff: ${fmtMs(backoff)} (target ≤ 1 s) ${verdict(backoff <= 1000)}`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}
