import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import { Redactor } from '../../../../../src/core/log';
import { PostHogClient } from '../../../../../src/core/sources/posthog/client';
import { funnelsTable, resultChart, resultTable, trendsTable } from '../../../../../src/core/sources/posthog/tables';
import { insightKind, insightName } from '../../../../../src/core/sources/posthog/types';
import { PostHogFake, startPostHogFake } from '../../../../fakes/posthog';

describe('PostHog client against the fake over HTTP', () => {
  let fake: PostHogFake;
  before(async () => {
    fake = await startPostHogFake({ slowInsightPolls: 2 });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  const make = (over: Partial<ConstructorParameters<typeof PostHogClient>[0]> = {}) =>
    new PostHogClient({
      baseUrl: fake.url,
      projectId: String(fake.projectId),
      apiKey: fake.apiKey,
      pollIntervalMs: 5,
      retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 },
      ...over,
    });

  it('lists every saved insight across pages, following absolute next links, in server order', async () => {
    const c = make();
    const first = await c.listPage();
    assert.equal(first.results.length, 100);
    assert.ok(first.next && first.next.startsWith(fake.url), 'next is absolute on the same origin');
    const all = await c.listAll();
    assert.equal(all.length, first.count);
    assert.ok(all.length > 100);
    assert.deepEqual(
      all.slice(0, 100).map((i) => i.id),
      first.results.map((i) => i.id),
    );
    assert.equal(new Set(all.map((i) => i.id)).size, all.length, 'no duplicates across pages');
    const listCalls = fake.requests.filter((r) => r.path.endsWith('/insights/') || r.path.endsWith('/insights'));
    assert.ok(listCalls.every((r) => r.hasAuthorization));
  });

  it('searches by name', async () => {
    const all = await make().listAll({ search: 'funnel' });
    assert.ok(all.length > 0);
    for (const i of all) assert.match(insightName(i).toLowerCase(), /funnel/);
  });

  it('uses /api/environments/ when the id is an environment id', async () => {
    await make({ environment: true }).listPage({ limit: 1 });
    assert.match(fake.requests[0].path, /^\/api\/environments\/1\/insights/);
  });

  it('fetches a trends insight and maps it to series,date,value rows', async () => {
    const c = make();
    const all = await c.listAll();
    const trend = all.find((i) => insightKind(i) === 'trends' && Array.isArray(i.result) && !(i.result as { breakdown_value?: unknown }[]).some((e) => e.breakdown_value != null))!;
    const insight = await c.getInsight(trend.id);
    const entries = insight.result as { label: string; data: number[]; days: string[] }[];
    const t = resultTable(insight);
    assert.deepEqual(t.columns, ['series', 'date', 'value']);
    assert.equal(t.rows.length, entries.reduce((n, e) => n + e.days.length, 0));
    assert.deepEqual(t.rows[0], [entries[0].label, entries[0].days[0], entries[0].data[0]]);
    const chart = resultChart(insight)!;
    assert.equal(chart.kind, 'line');
    assert.equal(chart.series.length, entries.length);
    assert.deepEqual(chart.x.values, entries[0].days);
    const q = fake.requests.find((r) => r.path.endsWith(`/insights/${trend.id}/`) || r.path.endsWith(`/insights/${trend.id}`))!;
    assert.equal(q.query.refresh, 'blocking');
  });

  it('adds breakdown_value for broken-down trends and maps funnels with conversion rates', async () => {
    const c = make();
    const all = await c.listAll();
    const broken = all.find((i) => insightKind(i) === 'trends' && Array.isArray(i.result) && (i.result as { breakdown_value?: unknown }[]).some((e) => e.breakdown_value != null))!;
    const bt = trendsTable(broken.result);
    assert.deepEqual(bt.columns, ['series', 'date', 'value', 'breakdown_value']);
    const funnel = all.find((i) => insightKind(i) === 'funnels' && Array.isArray(i.result) && !Array.isArray((i.result as unknown[])[0]))!;
    const ft = funnelsTable(funnel.result);
    assert.deepEqual(ft.columns, ['step', 'name', 'count', 'conversion_rate']);
    assert.equal(ft.rows[0][0], 1);
    assert.equal(ft.rows[0][3], 1);
    const steps = funnel.result as { count: number }[];
    const last = ft.rows[ft.rows.length - 1];
    assert.equal(last[2], steps[steps.length - 1].count);
    assert.ok(Math.abs((last[3] as number) - steps[steps.length - 1].count / steps[0].count) < 1e-6);
    const chart = resultChart(funnel)!;
    assert.equal(chart.kind, 'bar');
    assert.equal(chart.annotations?.[0], '100.0%');
  });

  it('polls a running query_status until complete, reporting progress, then returns the result', async () => {
    const c = make();
    const progress: number[] = [];
    const insight = await c.getInsight('SLOWQURY', { onProgress: (_s, n) => progress.push(n) });
    assert.ok(insight.result != null, 'result present after polling');
    assert.ok(progress.length >= 2, `polled ${progress.length} times`);
    assert.ok(fake.requests.some((r) => /\/query\/[^/]+\/?$/.test(r.path)));
  });

  it('cancels polling with an AbortSignal', async () => {
    const c = make({ pollIntervalMs: 200 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(c.getInsight('SLOWQURY', { signal: ac.signal }), (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
  });

  it('marks insights viewed and lists them first in recently viewed', async () => {
    const c = make();
    const all = await c.listPage({ limit: 5 });
    const target = all.results[3];
    await c.markViewed([target.id]);
    const recent = await c.recentlyViewed();
    assert.equal(recent[0].id, target.id);
    const post = fake.requests.find((r) => r.method === 'POST' && r.path.includes('/insights/viewed'))!;
    assert.deepEqual(post.body, { insight_ids: [target.id] });
  });

  it('says what to do on a wrong key, an unknown project and an unknown insight', async () => {
    await assert.rejects(make({ apiKey: 'phx_wrong_key_000000000000' }).listPage(), (e: unknown) => {
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'auth');
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /refused the API key \(401 Unauthorized\)\. Set Credentials/);
      assert.doesNotMatch(e.message, /phx_wrong/);
      return true;
    });
    await assert.rejects(make({ projectId: '999' }).listPage(), /denied access to project 999 \(403\)/);
    await assert.rejects(make().getInsight(987654321), (e: unknown) => e instanceof InsightError && e.kind === 'notFound' && e.exitCode === 4);
    assert.throws(() => make({ projectId: 'abc' }), /project id must be a number/);
  });

  it('rides out a 429 storm with Retry-After and a 500 HTML page becomes a clear error', async () => {
    fake.addFault({ status: 429, retryAfter: '0', times: 2 });
    const page = await make().listPage({ limit: 2 });
    assert.equal(page.results.length, 2);
    fake.addFault({ html: true, status: 200 });
    await assert.rejects(make().listPage(), /HTML page/);
    fake.addFault({ malformedJson: true });
    await assert.rejects(make().listPage(), /Malformed JSON/);
  });

  it('retries a body cut mid-stream', async () => {
    fake.addFault({ resetMidBody: true });
    const page = await make().listPage({ limit: 3 });
    assert.equal(page.results.length, 3);
  });

  it('never puts the key in logs', async () => {
    const lines: string[] = [];
    const push = (m: string) => void lines.push(m);
    const redactor = new Redactor();
    await make({ logger: { trace: push, debug: push, info: push, warn: push, error: push }, redactor }).listPage({ limit: 1 });
    assert.ok(lines.length > 0);
    for (const l of lines) assert.ok(!l.includes(fake.apiKey));
  });
});
