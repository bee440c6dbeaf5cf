import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import { CredentialsRefusedError, ECHO360_REGIONS, echo360BaseUrl } from '../../../../../src/core/sources/echo360/client';
import { TokenBucket } from '../../../../../src/core/sources/echo360/rateLimit';
import { Echo360Fake, startEcho360Fake } from '../../../../fakes/echo360';
import { daysAgo, fastClient } from '../../../../fakes/echo360TestKit';

const body = (start: string, end: string) => ({ parameters: { start, end }, output: { compression: true, delimiter: ',' as const } });

describe('echo360 client', function () {
  let fake: Echo360Fake;
  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 200 });
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  it('knows the region presets and validates custom hosts', () => {
    assert.equal(echo360BaseUrl('uk').origin, ECHO360_REGIONS.uk);
    assert.equal(echo360BaseUrl('AU').origin, 'https://echo360.org.au');
    assert.equal(echo360BaseUrl('https://echo360.ca/').origin, 'https://echo360.ca');
    assert.throws(
      () => echo360BaseUrl('http://echo360.example.edu'),
      (e: unknown) => e instanceof InsightError && e.kind === 'usage',
    );
  });

  it('gets one token with form parameters and reuses it until it expires', async () => {
    const client = fastClient(fake);
    await client.listReports();
    await client.listRequests();
    await client.listReports();
    assert.equal(fake.stats.tokensIssued, 1);
    const tokenCall = fake.requests.find((r) => r.path === '/oauth2/access_token')!;
    assert.deepEqual(tokenCall.query, {}, 'the secret is not in the URL');
    assert.match(String(tokenCall.body), /grant_type=client_credentials/);
    const apiCalls = fake.requests.filter((r) => r.path.startsWith('/public/'));
    assert.ok(apiCalls.every((r) => /^Bearer eat_/.test(r.authorization ?? '')));
  });

  it('renews the token once on a 401 and carries on', async () => {
    const client = fastClient(fake);
    await client.listReports();
    fake.addFault({ revokeToken: true, pathIncludes: '/reporting/requests' });
    const list = await client.listRequests();
    assert.deepEqual(list, []);
    assert.equal(fake.stats.tokensIssued, 2);
  });

  it('renews a token close to its expiry before using it', async () => {
    const short = await startEcho360Fake({ tokenTtlSec: 1 });
    try {
      const client = fastClient(short, { tokenMarginMs: 0 });
      await client.listReports();
      await new Promise((r) => setTimeout(r, 1100));
      await client.listReports();
      assert.equal(short.stats.tokensIssued, 2);
      assert.ok(
        short.requests.every((r) => r.status !== 401),
        'no call went out with a stale token',
      );
    } finally {
      await short.close();
    }
  });

  it('fails with "Set Credentials" when the id/secret is refused, or a renewed token is refused again', async () => {
    const wrong = fastClient(fake, { credentials: { clientId: fake.clientId, clientSecret: 'not-the-secret' } });
    await assert.rejects(wrong.listReports(), (e: unknown) => {
      assert.ok(e instanceof CredentialsRefusedError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /^Echo360 refused the client id\/secret \(HTTP 401: Client authentication failed\)\. Set Credentials/);
      assert.ok(!e.message.includes('not-the-secret'));
      return true;
    });
    assert.equal(fake.requests.filter((r) => r.path === '/oauth2/access_token').length, 1, 'a refused secret is not retried');

    const client = fastClient(fake);
    fake.addFault({ revokeToken: true, pathIncludes: '/reporting/reports', times: 2 });
    await assert.rejects(
      client.listReports(),
      (e: unknown) => e instanceof CredentialsRefusedError && /401 even with a fresh access token/.test(e.message),
    );
    assert.equal(fake.stats.tokensIssued, 2);
  });

  it('accepts every shape of the reports listing', async () => {
    for (const shape of ['array', 'reports', 'data'] as const) {
      const f = await startEcho360Fake({ reportsShape: shape });
      try {
        const reports = await fastClient(f).listReports();
        assert.deepEqual(
          reports.map((r) => r.name),
          ['videoview', 'asset', 'assetbydate', 'presentation', 'confused', 'polling', 'qanda', 'notes'],
        );
        assert.deepEqual(reports[0].parameters[0], { name: 'start', datatype: 'date', required: true });
      } finally {
        await f.close();
      }
    }
  });

  it('submits, lists and fetches requests with created and expires = created + 14 days', async () => {
    const client = fastClient(fake);
    const res = await client.submit('videoview', body(daysAgo(8), daysAgo(1)));
    assert.ok(res.accepted);
    const id = res.request.requestId;
    assert.equal(res.request.status, 'Pending');
    assert.equal(Date.parse(res.request.expires!) - Date.parse(res.request.created!), 14 * 86_400_000);
    const listed = await client.listRequests();
    assert.deepEqual(
      listed.map((r) => [r.requestId, r.status, r.reportName]),
      [[id, 'Pending', 'videoview']],
    );
    await new Promise((r) => setTimeout(r, 250));
    const one = await client.getRequest(id);
    assert.equal(one.status, 'Available');
    assert.equal(one.signedAssets.length, 1);
    assert.ok(one.signedAssets[0].startsWith(fake.assetUrl));
    await assert.rejects(client.getRequest('no-such-id'), (e: unknown) => e instanceof InsightError && e.kind === 'notFound');
  });

  it('reads the in-flight limit as "wait in the queue", whatever status carries it', async () => {
    for (const status of [429, 400, 409] as const) {
      const f = await startEcho360Fake({ pendingMs: 60_000, inFlightStatus: status });
      try {
        const client = fastClient(f);
        for (let i = 0; i < 3; i++) assert.ok((await client.submit('assetbydate', body(daysAgo(3 + i), daysAgo(2 + i)))).accepted);
        const fourth = await client.submit('assetbydate', body(daysAgo(10), daysAgo(9)));
        assert.equal(fourth.accepted, false, `HTTP ${status}`);
        assert.match(fourth.accepted ? '' : fourth.reason, /Too many requests in progress/);
        assert.equal(f.stats.inFlightRejections, 1);
      } finally {
        await f.close();
      }
    }
  });

  it('turns a genuine 400 into a one-line usage error with the server detail', async () => {
    const client = fastClient(fake);
    await assert.rejects(client.submit('videoview', body(daysAgo(20), daysAgo(1))), (e: unknown) => {
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'usage');
      assert.match(e.message, /exceeds the maximum of 7 days/);
      return true;
    });
    await assert.rejects(
      client.submit('nosuchreport', body(daysAgo(3), daysAgo(2))),
      (e: unknown) => e instanceof InsightError && e.kind === 'notFound',
    );
    await assert.rejects(client.submit('assetbydate', body(daysAgo(400), daysAgo(395))), /more than one year in the past/);
  });

  it('the fake: token by query parameters, and its HTTP control routes', async () => {
    const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: fake.clientId, client_secret: fake.clientSecret });
    const tok = await fetch(`${fake.url}/oauth2/access_token?${q}`, { method: 'POST' });
    assert.equal(tok.status, 200);
    const t = (await tok.json()) as { access_token: string; token_type: string; expires_in: number; refresh_token: string };
    assert.equal(t.token_type, 'Bearer');
    assert.equal(t.expires_in, 3600);
    const add = await fetch(`${fake.url}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify({ status: 503, pathIncludes: '/reporting/reports', times: 'Infinity' }),
    });
    assert.equal(add.status, 201);
    assert.equal(
      (await fetch(`${fake.url}/__control/faults`, { method: 'POST', body: JSON.stringify({ bogus: true }) })).status,
      400,
      'a typo in a fault is refused',
    );
    const reports = await fetch(`${fake.url}/public/api/v1/reporting/reports`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(reports.status, 503);
    assert.equal((await fetch(`${fake.url}/__control/faults`, { method: 'DELETE' })).status, 204);
    const again = await fetch(`${fake.url}/public/api/v1/reporting/reports`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(again.status, 200);
    const recorded = (await (await fetch(`${fake.url}/__control/requests`)).json()) as { path: string; status: number }[];
    assert.deepEqual(
      recorded.map((r) => r.status),
      [200, 503, 200],
    );
    assert.equal(
      (await fetch(`${fake.url}/__control/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 2 * 3600_000 }) })).status,
      200,
    );
    const expired = await fetch(`${fake.url}/public/api/v1/reporting/reports`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(expired.status, 401, 'the token expired on the fake clock');
    assert.equal((await fetch(`${fake.url}/__control/reset`, { method: 'POST' })).status, 204);
    assert.equal(fake.requests.length, 0);
  });

  it('rides out a 429 storm honouring Retry-After', async () => {
    // The waits the client asks for, instead of the wall clock.
    const waits: number[] = [];
    const client = fastClient(fake, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await client.listReports();
    fake.addFault({ status: 429, retryAfter: '1', times: 2, pathIncludes: '/reporting/requests' });
    await client.listRequests();
    assert.deepEqual(waits, [1000, 1000], 'waited the Retry-After second before each retry');
    assert.deepEqual(
      fake.requests.filter((r) => r.path.endsWith('/reporting/requests')).map((r) => r.status),
      [429, 429, 200],
      'two throttled answers, then the retry that succeeded',
    );
  });

  it('keeps every call of the source within the rate limit: the server never answers 429', async function () {
    this.timeout(20_000);
    // A scaled-down 120/minute: 30 calls per 3 seconds on the fake, the client's bucket set to
    // match (a window of seconds, not one: a busy machine delays sends by tens of milliseconds).
    const limited = await startEcho360Fake({ rateLimit: { limit: 30, windowMs: 3000 } });
    try {
      const bucket = new TokenBucket({ limit: 30, windowMs: 3000, burst: 5 });
      const a = fastClient(limited, { rateLimiter: bucket });
      const b = fastClient(limited, { rateLimiter: bucket });
      await Promise.all(Array.from({ length: 45 }, (_, i) => (i % 2 ? a : b).listRequests()));
      assert.equal(limited.stats.rateLimited, 0);
      const times = limited.requests.map((r) => r.time).sort((x, y) => x - y);
      for (let i = 0; i < times.length; i++) {
        const inWindow = times.filter((t) => t >= times[i] && t < times[i] + 3000).length;
        assert.ok(inWindow <= 30, `${inWindow} calls in one window`);
      }
      assert.equal(bucket.granted, 47, '45 calls + 2 tokens, all through the shared bucket');

      // Without the bucket the same burst trips the server's limit.
      limited.reset();
      const greedy = fastClient(limited, { retry: { retries: 0 } });
      const results = await Promise.allSettled(Array.from({ length: 45 }, () => greedy.listRequests()));
      assert.ok(limited.stats.rateLimited > 0);
      assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof InsightError && r.reason.kind === 'throttled'));
    } finally {
      await limited.close();
    }
  });

  it('a waiting rate-limited call is cancelled at once', async () => {
    const bucket = new TokenBucket({ limit: 4, windowMs: 60_000, burst: 2 });
    const client = fastClient(fake, { rateLimiter: bucket });
    await client.listReports(); // token + call: the bucket is empty for ~60 s now
    const ac = new AbortController();
    const before = fake.requests.length;
    const p = client.listRequests(ac.signal);
    setTimeout(() => ac.abort(), 50);
    // The bucket refills only after ~30 s, beyond the test's time limit: the rejection can only
    // come from the abort. How fast is the bench's business, not this test's.
    await assert.rejects(p, (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
    assert.equal(fake.requests.length, before, 'the cancelled call never reached the server');
    assert.equal(bucket.granted, 2, 'and took no token');
  });
});
