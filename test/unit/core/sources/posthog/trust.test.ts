// PostHog as PostHog's own source shows it (issue "Trust II"): parsers against real-shape fixtures
// (test/fixtures/posthog), and the client against the fake over HTTP where the fake now refuses
// what the real server refuses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InsightError } from '../../../../../src/core/errors';
import { trashAlertsWarning } from '../../../../../src/core/sources/posthog/alerts';
import { PostHogClient, withQueryResponse } from '../../../../../src/core/sources/posthog/client';
import { isAggregatedTrends, resultChart, resultTable, trendsDisplay, chartNote } from '../../../../../src/core/sources/posthog/tables';
import { Page, PostHogInsight, QueryStatus, insightKind, insightName, trendingViewers, viewersLabel } from '../../../../../src/core/sources/posthog/types';
import { PostHogFake, startPostHogFake } from '../../../../fakes/posthog';

const FIXTURES = path.resolve(__dirname, '../../../../../../test/fixtures/posthog');
const fixture = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as T;

describe('PostHog real-shape fixtures', () => {
  it('a pie trends result becomes series,value,breakdown_value rows, not zero rows', () => {
    const pie = fixture<PostHogInsight>('insight-trends-pie.json');
    assert.equal(trendsDisplay(pie), 'ActionsPie');
    assert.ok(isAggregatedTrends(pie));
    const t = resultTable(pie);
    assert.deepEqual(t.columns, ['series', 'value', 'breakdown_value']);
    assert.deepEqual(t.rows, [
      ['Chrome', 31204, 'Chrome'],
      ['Microsoft Edge', 9877, 'Microsoft Edge'],
      ['Safari', 14650, 'Safari'],
      ['Firefox', 2318, 'Firefox'],
    ]);
  });

  it('a pie draws as horizontal bars, largest first', () => {
    const chart = resultChart(fixture<PostHogInsight>('insight-trends-pie.json'))!;
    assert.equal(chart.kind, 'hbar');
    assert.deepEqual(chart.x.values, ['Chrome', 'Safari', 'Microsoft Edge', 'Firefox']);
    assert.deepEqual(chart.series[0].values, [31204, 14650, 9877, 2318]);
  });

  it('a BoldNumber result is one series,value row and one big number with its series name', () => {
    const bold = fixture<PostHogInsight>('insight-trends-bold-number.json');
    const t = resultTable(bold);
    assert.deepEqual(t.columns, ['series', 'value']);
    assert.deepEqual(t.rows, [['help_article_viewed', 612]]);
    const chart = resultChart(bold)!;
    assert.equal(chart.kind, 'number');
    assert.deepEqual(chart.x.values, ['help_article_viewed']);
    assert.deepEqual(chart.series[0].values, [612]);
  });

  it('reads the display from legacy filters too; ActionsTable is the table, WorldMap bars by country', () => {
    const legacy = { ...fixture<PostHogInsight>('insight-trends-bold-number.json'), query: null, filters: { insight: 'TRENDS', display: 'ActionsTable' } };
    assert.equal(trendsDisplay(legacy), 'ActionsTable');
    assert.deepEqual(resultTable(legacy).columns, ['series', 'value']);
    assert.equal(resultChart(legacy), undefined);
    assert.match(chartNote(legacy) ?? '', /shows this insight as a table/);

    const pie = fixture<PostHogInsight>('insight-trends-pie.json');
    const world: PostHogInsight = {
      ...pie,
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', trendsFilter: { display: 'WorldMap' } } },
      result: [
        { data: [], days: [], count: 0, aggregated_value: 12, label: 'FR', action: { name: '$pageview' }, breakdown_value: 'FR' },
        { data: [], days: [], count: 0, aggregated_value: 40, label: 'US', action: { name: '$pageview' }, breakdown_value: 'US' },
      ],
    };
    const chart = resultChart(world)!;
    assert.equal(chart.kind, 'hbar');
    assert.deepEqual(chart.x.values, ['US', 'FR']);
    assert.deepEqual(resultTable(world).rows, [
      ['FR', 12, 'FR'],
      ['US', 40, 'US'],
    ]);
  });

  it('a completed async status carries the whole query response: its results are the rows', () => {
    const body = fixture<{ query_status: QueryStatus }>('query-status-complete.json');
    const insight = withQueryResponse({ id: 1041, short_id: 'SLOWQURY', name: 'Slow', result: null, query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery' } } }, body.query_status);
    assert.ok(Array.isArray(insight.result), 'the rows, not the response object');
    assert.equal((insight.result as unknown[]).length, 2);
    assert.equal(insight.hasMore, false);
    const t = resultTable(insight);
    assert.deepEqual(t.columns, ['series', 'date', 'value']);
    assert.deepEqual(t.rows[0], ['$pageview', '2024-06-28', 4210]);
    assert.equal(t.rows.length, 6);
  });

  it('an insights list page parses as PostHog sends it', () => {
    const page = fixture<Page<PostHogInsight>>('insights-list-page.json');
    assert.equal(page.results.length, 2);
    assert.deepEqual(page.results.map(insightName), ['Page views by browser', 'Catalog viewed → Enrolled user conversion rate']);
    assert.deepEqual(page.results.map(insightKind), ['trends', 'funnels']);
    assert.equal(new URL(page.next!).searchParams.get('order'), '-last_modified_at');
  });

  it('trending counts viewers; the trash warning counts alerts', () => {
    assert.equal(viewersLabel(1), '1 viewer');
    assert.equal(viewersLabel(3), '3 viewers');
    assert.equal(viewersLabel(undefined), '0 viewers');
    assert.deepEqual(trendingViewers({ id: 1, short_id: 'a', name: 'x', view_count: 2, viewers: [{ first_name: 'Dana' }] }), [{ first_name: 'Dana' }]);
    assert.equal(trashAlertsWarning('KPI', 0), undefined);
    assert.match(trashAlertsWarning('KPI', 1)!, /its alert will be deleted and not restored by Undo/i);
    assert.match(trashAlertsWarning('KPI', 2)!, /its 2 alerts will be deleted and not restored by Undo/i);
  });
});

describe('PostHog client against the stricter fake', () => {
  let fake: PostHogFake;
  const NO_USER_READ = 'phx_no_user_read_scope_0123456789';
  before(async () => {
    fake = await startPostHogFake({ slowInsightPolls: 2, apiKeys: ['phx_sandbox_key_0123456789abcdef', NO_USER_READ], keysWithoutUserRead: [NO_USER_READ] });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  const make = (over: Partial<ConstructorParameters<typeof PostHogClient>[0]> = {}) =>
    new PostHogClient({
      baseUrl: fake.url,
      projectId: String(fake.projectId),
      apiKey: fake.apiKey,
      pollIntervalMs: 5,
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 },
      ...over,
    });
  const raw = async (pathAndQuery: string) => {
    const res = await fetch(`${fake.url}${pathAndQuery}`, { headers: { authorization: `Bearer ${fake.apiKey}` } });
    return { status: res.status, body: (await res.json()) as { results?: { id: number }[]; next?: string | null } };
  };

  it('created by a user: sends the JSON list PostHog parses, and the fake refuses a bare id with a 500', async () => {
    const c = make();
    const me = await c.currentUser();
    const mine = await c.listAll({ createdBy: me.id });
    assert.ok(mine.length > 0 && mine.every((i) => i.created_by?.id === me.id));
    const sent = fake.requests.filter((r) => r.path.endsWith('/insights/') && r.query.created_by !== undefined);
    assert.ok(sent.length > 0 && sent.every((r) => r.query.created_by === `[${me.id}]`), JSON.stringify(sent.map((r) => r.query.created_by)));
    assert.equal((await raw(`/api/projects/${fake.projectId}/insights/?created_by=${me.id}`)).status, 500);
    assert.equal((await raw(`/api/projects/${fake.projectId}/insights/?created_by=me`)).status, 500);
  });

  it('a key without user:read: “who am I” fails with a message naming the scope', async () => {
    await assert.rejects(make({ apiKey: NO_USER_READ }).currentUser(), (e: unknown) => {
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'auth');
      assert.match(e.message, /lacks the user:read scope/);
      assert.match(e.message, /without “Created by me”/);
      return true;
    });
  });

  it('lists with order=-last_modified_at, each insight once, even when an insight is saved between pages', async () => {
    class Interleaved extends PostHogClient {
      pages = 0;
      override async listPage(opts: Parameters<PostHogClient['listPage']>[0] = {}): Promise<Page<PostHogInsight>> {
        const page = await super.listPage(opts);
        // Someone saves an insight while we page: the newest-first pages all shift by one.
        if (++this.pages === 1) await this.createInsight({ name: 'Saved meanwhile', query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [] } } });
        return page;
      }
    }
    const c = new Interleaved({ baseUrl: fake.url, projectId: String(fake.projectId), apiKey: fake.apiKey });
    const all = await c.listAll({ limit: 50 });
    assert.equal(new Set(all.map((i) => i.id)).size, all.length, 'no insight twice');
    const generated = fake.insights.filter((i) => i.name !== 'Saved meanwhile');
    assert.equal(all.length, generated.length, 'every insight that existed is there');
    const lists = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/insights/'));
    assert.ok(lists.length >= 3 && lists.every((r) => r.query.order === '-last_modified_at'));
  });

  it('the fake without order answers pages in an unstable order (as PostHog sorting by a NULL column does)', async () => {
    const ids: number[] = [];
    let next: string | null | undefined = `/api/projects/${fake.projectId}/insights/?limit=50`;
    while (next) {
      const page = await raw(next.replace(fake.url, ''));
      ids.push(...page.body.results!.map((i) => i.id));
      next = page.body.next;
    }
    assert.equal(ids.length, fake.insights.length);
    assert.ok(new Set(ids).size < ids.length, 'some insight came twice (and so another never came)');
  });

  it('async: when the cached read misses after completion, the rows come from the status’s nested response', async () => {
    fake.slowQuery.cacheMissAfterAsync = true;
    const insight = await make().getInsight('SLOWQURY', { refresh: 'async' });
    assert.ok(Array.isArray(insight.result), `result is rows, got ${JSON.stringify(insight.result).slice(0, 80)}`);
    const t = resultTable(insight);
    assert.deepEqual(t.columns, ['series', 'date', 'value']);
    assert.ok(t.rows.length >= 5 * 30 && t.rows.every((r) => typeof r[2] === 'number'));
  });

  it('polls the query through the route the insight came from (query status is stored per team)', async () => {
    const other = await startPostHogFake({ slowInsightPolls: 1, projectTeams: { 1: 7 } });
    try {
      const c = new PostHogClient({ baseUrl: other.url, projectId: '1', apiKey: other.apiKey, pollIntervalMs: 5 });
      const insight = await c.getInsight('SLOWQURY', { refresh: 'async' });
      assert.ok(Array.isArray(insight.result));
      const polls = other.requests.filter((r) => /\/query\//.test(r.path));
      assert.ok(polls.length > 0 && polls.every((r) => r.path.startsWith('/api/projects/1/query/')), polls.map((r) => r.path).join());
      const env = new PostHogClient({ baseUrl: other.url, projectId: '1', environment: true, apiKey: other.apiKey, pollIntervalMs: 5 });
      other.reset();
      await env.getInsight('SLOWQURY', { refresh: 'async' });
      assert.ok(other.requests.filter((r) => /\/query\//.test(r.path)).every((r) => r.path.startsWith('/api/environments/1/query/')));
    } finally {
      await other.close();
    }
  });

  it('a 404 on a poll fetches the insight once more, which starts the query again', async () => {
    fake.slowQuery.loseStatusAtPolls = [1];
    const insight = await make().getInsight('SLOWQURY', { refresh: 'async' });
    assert.ok(Array.isArray(insight.result));
    const gets = fake.requests.filter((r) => r.path.endsWith('/insights/SLOWQURY/') && r.query.refresh === 'async');
    assert.equal(gets.length, 2, 'the insight was asked for again after the 404');
  });

  it('a second lost status is an error that says what happened', async () => {
    // The first query's status and, after the refetch, the new one's.
    fake.slowQuery.loseStatusAtPolls = [1, 2];
    await assert.rejects(make().getInsight('SLOWQURY', { refresh: 'async' }), (e: unknown) => {
      assert.ok(e instanceof InsightError && e.kind === 'notFound', String(e));
      assert.match(e.message, /no longer knows query .* of insight SLOWQURY \(404\), even after fetching the insight again/);
      return true;
    });
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/insights/SLOWQURY/') && r.query.refresh === 'async').length, 2);
  });

  it('soft delete deletes the insight’s alerts, and restoring does not bring them back', async () => {
    const c = make();
    const target = fake.insights.find((i) => i.name === 'Logins per day')!;
    assert.equal((await c.insightAlerts(target.id)).length, 2);
    await c.trashInsight(target.id);
    await c.restoreInsight(target.id);
    assert.equal((await c.insightAlerts(target.id)).length, 0);
    const thresholds = await c.thresholds(target.id);
    assert.equal(thresholds.length, 2, 'thresholds stay');
    assert.ok(thresholds.every((t) => (t.alerts ?? []).length === 0));
  });

  it('trending lists viewers (distinct people) under `viewers`', async () => {
    const top = (await make().trending({ days: 7 }))[0];
    assert.ok((top.view_count ?? 0) >= 1);
    assert.equal(trendingViewers(top).length, Math.min(3, top.view_count ?? 0));
    assert.ok(Array.isArray(top.viewers));
  });
});
