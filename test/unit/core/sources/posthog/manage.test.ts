import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import { Redactor } from '../../../../../src/core/log';
import { alertInWords, alertStateInWords, boundsInWords } from '../../../../../src/core/sources/posthog/alerts';
import { PostHogClient, PostHogValidationError } from '../../../../../src/core/sources/posthog/client';
import { shareUrl, validateSharePassword } from '../../../../../src/core/sources/posthog/sharing';
import { insightKind, trendingViewers, userLabel } from '../../../../../src/core/sources/posthog/types';
import { PostHogFake, startPostHogFake } from '../../../../fakes/posthog';

describe('PostHog management against the fake over HTTP', () => {
  let fake: PostHogFake;
  before(async () => {
    fake = await startPostHogFake({ slowInsightPolls: 1000 });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  const lines: string[] = [];
  const make = (over: Partial<ConstructorParameters<typeof PostHogClient>[0]> = {}) => {
    const push = (m: string) => void lines.push(m);
    return new PostHogClient({
      baseUrl: fake.url,
      projectId: String(fake.projectId),
      apiKey: fake.apiKey,
      pollIntervalMs: 5,
      retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
      logger: { trace: push, debug: push, info: push, warn: push, error: push },
      ...over,
    });
  };
  const named = (n: string) => fake.insights.find((i) => i.name === n)!;
  const lastRequest = (method: string) => [...fake.requests].reverse().find((r) => r.method === method)!;

  describe('update', () => {
    it('renames, describes, tags and favourites with PATCH, and the server keeps it', async () => {
      const target = named('Logins per day');
      const c = make();
      let u = await c.updateInsight(target.id, { name: 'Daily logins' });
      assert.equal(u.name, 'Daily logins');
      assert.equal(lastRequest('PATCH').path, `/api/projects/1/insights/${target.id}/`);
      assert.deepEqual(lastRequest('PATCH').body, { name: 'Daily logins' });
      u = await c.updateInsight(target.short_id, {
        description: 'Everyone who signs in.',
        tags: ['engagement', 'kpi', 'kpi'],
        favorited: true,
      });
      assert.equal(u.description, 'Everyone who signs in.');
      assert.deepEqual(u.tags, ['engagement', 'kpi'], 'tags are a set');
      assert.equal(u.favorited, true);
      assert.equal(target.name, 'Daily logins');
      assert.equal(target.favorited, true);
      const again = await c.getInsightBasic(target.id);
      assert.equal(again.name, 'Daily logins');
      assert.equal('result' in again, false, 'basic answers carry no result');
    });

    it('a query change is stored; an invalid query is a validation error with attr and detail', async () => {
      const target = named('Daily active learners');
      const c = make();
      const q = structuredClone(target.query) as { source: { dateRange: { date_from: string } } };
      q.source.dateRange.date_from = '-90d';
      await c.updateInsight(target.id, { query: q as unknown as Record<string, unknown> });
      assert.equal((target.query as typeof q).source.dateRange.date_from, '-90d');

      for (const [query, pattern] of [
        [{ source: {} }, /^kind: Field required/],
        [{ kind: 'Nonsense' }, /^kind: Unknown query kind “Nonsense”/],
        [{ kind: 'InsightVizNode', source: { kind: 'TrendQuery' } }, /^source\.kind: Unknown query kind “TrendQuery”/],
        [{ kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: {} } }, /^source\.series: Input should be a valid list/],
      ] as const) {
        await assert.rejects(c.updateInsight(target.id, { query: query as Record<string, unknown> }), (e: unknown) => {
          assert.ok(e instanceof PostHogValidationError, String(e));
          assert.equal(e.status, 400);
          assert.equal(e.attr, 'query');
          assert.equal(e.code, 'invalid_input');
          assert.match(e.detail, pattern);
          assert.match(e.message, /^PostHog rejected the request \(400\): /);
          return true;
        });
      }
      assert.equal((target.query as typeof q).source.dateRange.date_from, '-90d', 'a refused query changes nothing');
      await assert.rejects(
        c.updateInsight(target.id, { name: 'x'.repeat(401) }),
        (e: unknown) => e instanceof PostHogValidationError && e.attr === 'name',
      );
      await assert.rejects(
        c.updateInsight(target.id, { tags: 'kpi' as unknown as string[] }),
        (e: unknown) => e instanceof PostHogValidationError && e.attr === 'tags',
      );
    });

    it('moves to the trash with PATCH deleted (never DELETE, which answers 405), 404 until restored', async () => {
      const target = named('Gradebook views');
      const c = make();
      const before = (await c.listAll({ basic: true })).length;
      await c.trashInsight(target.id);
      assert.deepEqual(lastRequest('PATCH').body, { deleted: true });
      assert.equal(fake.requests.filter((r) => r.method === 'DELETE').length, 0);
      await assert.rejects(c.getInsight(target.id), (e: unknown) => e instanceof InsightError && e.kind === 'notFound');
      await assert.rejects(c.updateInsight(target.id, { name: 'x' }), (e: unknown) => e instanceof InsightError && e.kind === 'notFound');
      assert.equal((await c.listAll({ basic: true })).length, before - 1);
      assert.ok(!(await c.listAll({ basic: true })).some((i) => i.id === target.id));
      const restored = await c.restoreInsight(target.id);
      assert.equal(restored.id, target.id);
      assert.equal((await c.getInsight(target.id)).name, 'Gradebook views');
      assert.equal((await c.listAll({ basic: true })).length, before);
      // What a DELETE would get: 405 with an empty body, as PostHog answers.
      await assert.rejects(c.http.text(`api/projects/1/insights/${target.id}/`, { method: 'DELETE' }), /405/);
    });

    it('creates an insight (201), listed first; a query is required and validated', async () => {
      const c = make();
      const query = { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'quiz_started' }] } };
      const created = await c.createInsight({ name: 'Quiz starts', query, tags: ['assessment'] });
      assert.equal(typeof created.id, 'number');
      assert.equal(created.name, 'Quiz starts');
      assert.equal(insightKind(created), 'trends');
      assert.deepEqual(lastRequest('POST').body, { saved: true, name: 'Quiz starts', query, tags: ['assessment'] });
      const first = await c.listPage({ limit: 1 });
      assert.equal(first.results[0].id, created.id, 'most recently modified first');
      await assert.rejects(
        c.createInsight({ name: 'Broken', query: { kind: 'InsightVizNode' } }),
        (e: unknown) => e instanceof PostHogValidationError && /^source: Field required/.test(e.detail),
      );
      await assert.rejects(
        c.createInsight({ name: 'None' } as never),
        (e: unknown) => e instanceof PostHogValidationError && e.attr === 'query' && e.code === 'required',
      );
      fake.reset();
      assert.ok(!fake.insights.some((i) => i.id === created.id), 'reset removes created insights');
    });
  });

  describe('listing filters', () => {
    it('filters by tag (JSON list), favourites, kind and the key owner', async () => {
      const c = make();
      const kpi = await c.listAll({ tags: ['kpi'] });
      assert.ok(kpi.length > 0 && kpi.every((i) => i.tags?.includes('kpi')));
      const sent = fake.requests.find((r) => r.query.tags !== undefined)!;
      assert.equal(sent.query.tags, '["kpi"]');
      const fav = await c.listAll({ favorited: true });
      assert.ok(fav.length > 0 && fav.every((i) => i.favorited));
      const funnels = await c.listAll({ kind: 'FUNNELS' });
      assert.ok(funnels.length > 0 && funnels.every((i) => insightKind(i) === 'funnels'));
      const me = await c.currentUser();
      assert.equal(me.email, 'dana.okafor@example.edu');
      assert.equal(typeof me.id, 'number');
      const mine = await c.listAll({ createdBy: me.id });
      assert.ok(mine.length > 0 && mine.every((i) => i.created_by?.email === me.email));
      assert.deepEqual(
        (await c.listAll({ createdBy: 'me' })).map((i) => i.id),
        mine.map((i) => i.id),
      );
      assert.ok(fake.requests.some((r) => r.query.user === 'true'));
    });
  });

  describe('trending', () => {
    it('lists view counts and up to three recent viewers, over the asked days', async () => {
      const c = make();
      const week = await c.trending({ days: 7 });
      assert.ok(week.length > 0);
      assert.equal(lastRequest('GET').query.days, '7');
      const counts = week.map((i) => i.view_count ?? 0);
      assert.deepEqual(
        counts,
        [...counts].sort((a, b) => b - a),
        'most viewed first',
      );
      for (const i of week) {
        assert.ok((i.view_count ?? 0) >= 1);
        const viewers = trendingViewers(i);
        assert.ok(viewers.length >= 1 && viewers.length <= 3);
        assert.match(userLabel(viewers[0]), /^[A-Z][a-z]+ [A-Z][a-z]+$/);
      }
      const month = await c.trending({ days: 30 });
      const total = (xs: typeof week) => xs.reduce((n, i) => n + (i.view_count ?? 0), 0);
      assert.ok(total(month) > total(week), 'a longer window counts more views');
      // A view now puts an insight on the list.
      const quiet = named('Help center article views');
      assert.ok(!week.some((i) => i.id === quiet.id));
      await c.markViewed([quiet.id]);
      assert.ok((await c.trending({ days: 1, limit: 50 })).some((i) => i.id === quiet.id && i.view_count === 1));
    });
  });

  describe('thresholds', () => {
    it('lists thresholds with their alerts, in plain words', async () => {
      const c = make();
      const dau = await c.thresholds(named('Daily active learners').id);
      assert.equal(dau.length, 1);
      assert.equal(alertInWords(dau[0].alerts![0], dau[0].configuration), 'alerts when daily value < 100');
      const wal = await c.thresholds(named('Weekly active learners').short_id);
      assert.equal(boundsInWords(wal[0].configuration), '< 2,000 or > 8,000');
      assert.equal(alertInWords(wal[0].alerts![0]), 'alerts when weekly value < 2,000 or > 8,000');
      assert.equal(alertStateInWords(wal[0].alerts![0]), 'firing');
      const logins = await c.thresholds(named('Logins per day').id);
      assert.deepEqual(
        logins.map((t) => alertInWords(t.alerts![0], t.configuration)),
        ['alerts when the daily increase > 25%', 'alerts when the daily decrease > 50%'],
      );
      assert.equal(alertStateInWords(logins[1].alerts![0]), 'disabled');
      const video = await c.thresholds(named('Video starts vs completions').id);
      assert.equal(alertInWords(video[0].alerts![0]), 'alerts when hourly value of series 2 > 5,000');
      assert.deepEqual(video[1].alerts, []);
      assert.deepEqual(await c.thresholds(named('Gradebook views').id), []);
      await assert.rejects(c.thresholds(987654), (e: unknown) => e instanceof InsightError && e.kind === 'notFound');
    });
  });

  describe('sharing', () => {
    it('enables the public link, which then works; refreshing the token kills the old link', async () => {
      const target = named('Course enrollment funnel');
      const c = make();
      const initial = await c.sharing(target.id);
      assert.equal(initial.enabled, false);
      assert.equal(typeof initial.access_token, 'string');
      const on = await c.updateSharing(target.id, { enabled: true });
      assert.equal(on.enabled, true);
      const link = shareUrl(fake.url + '/', on.access_token!);
      assert.equal(link, `${fake.url}/shared/${on.access_token}`);
      const page = await fetch(link);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Course enrollment funnel/);
      const refreshed = await c.refreshSharing(target.id);
      assert.notEqual(refreshed.access_token, on.access_token);
      assert.equal((await fetch(link)).status, 404, 'the old link stops working');
      assert.equal((await fetch(shareUrl(fake.url, refreshed.access_token!))).status, 200);
      const off = await c.updateSharing(target.id, { enabled: false });
      assert.equal(off.enabled, false);
      assert.equal((await fetch(shareUrl(fake.url, refreshed.access_token!))).status, 404);
      assert.deepEqual(
        fake.manage.activity.slice(0, 3).map((e) => e.activity),
        ['sharing disabled', 'access token refreshed', 'sharing enabled'],
      );
    });

    it('adds share passwords (shown once, never logged), refuses short ones, removes them', async () => {
      const target = named('Learner lifecycle');
      lines.length = 0;
      const redactor = new Redactor();
      const c = make({ redactor });
      await assert.rejects(c.addSharePassword(target.id, { rawPassword: 'long enough pass' }), /Password protection must be enabled/);
      await c.updateSharing(target.id, { password_required: true });
      await assert.rejects(
        c.addSharePassword(target.id, { rawPassword: 'short' }),
        (e: unknown) => e instanceof PostHogValidationError && e.attr === 'raw_password',
      );
      const mine = await c.addSharePassword(target.id, { rawPassword: 'correct horse battery', note: 'for the dean' });
      assert.equal(mine.password, 'correct horse battery');
      const generated = await c.addSharePassword(target.id, {});
      assert.ok(generated.password.length >= 8);
      assert.ok(fake.manage.passwordWorks(target.id, 'correct horse battery'));
      assert.ok(fake.manage.passwordWorks(target.id, generated.password));
      const state = await c.sharing(target.id);
      assert.deepEqual(
        state.share_passwords?.map((p) => p.note),
        ['for the dean', ''],
      );
      assert.ok(!JSON.stringify(state).includes('correct horse'), 'the state never carries a password');
      await c.removeSharePassword(target.id, mine.id);
      assert.equal(lastRequest('DELETE').path, `/api/projects/1/insights/${target.id}/sharing/passwords/${mine.id}/`);
      assert.ok(!fake.manage.passwordWorks(target.id, 'correct horse battery'));
      assert.deepEqual(
        (await c.sharing(target.id)).share_passwords?.map((p) => p.id),
        [generated.id],
      );
      await assert.rejects(c.removeSharePassword(target.id, mine.id), (e: unknown) => e instanceof InsightError && e.kind === 'notFound');
      for (const l of lines) assert.ok(!l.includes('correct horse') && !l.includes(generated.password), l);
      assert.equal(redactor.redact(`x ${generated.password} y`), 'x «redacted» y', 'registered with the redactor');
      assert.equal(validateSharePassword(''), undefined);
      assert.match(validateSharePassword('short')!, /8 characters/);
    });
  });

  describe('cancelling a calculation', () => {
    it('POSTs the client query id the fetch was sent with', async () => {
      const c = make({ pollIntervalMs: 20 });
      const ac = new AbortController();
      const fetching = c.getInsight('SLOWQURY', { refresh: 'force_async', clientQueryId: 'cq-1234', signal: ac.signal });
      const outcome = fetching.then(
        () => undefined,
        (e: unknown) => e,
      );
      for (let i = 0; i < 100 && !fake.requests.some((r) => /\/query\//.test(r.path)); i++) await new Promise((r) => setTimeout(r, 10));
      const sent = fake.requests.find((r) => /insights\/SLOWQURY/.test(r.path))!;
      assert.equal(sent.query.client_query_id, 'cq-1234');
      assert.equal(sent.query.refresh, 'force_async');
      ac.abort();
      await c.cancelQuery('cq-1234');
      const e = await outcome;
      assert.ok(e instanceof InsightError && e.kind === 'cancelled', String(e));
      assert.deepEqual(lastRequest('POST').body, { client_query_id: 'cq-1234' });
      assert.equal(lastRequest('POST').path, '/api/projects/1/insights/cancel/');
    });
  });
});
