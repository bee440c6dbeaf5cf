import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import {
  ActivityEntry,
  activityChange,
  activityMarkdown,
  activityRows,
  activityTime,
  activityValue,
} from '../../../../../src/core/sources/posthog/activity';
import { PostHogClient } from '../../../../../src/core/sources/posthog/client';
import { PostHogFake, startPostHogFake } from '../../../../fakes/posthog';

describe('PostHog activity', () => {
  let fake: PostHogFake;
  before(async () => {
    fake = await startPostHogFake();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  const make = () =>
    new PostHogClient({
      baseUrl: fake.url,
      projectId: String(fake.projectId),
      apiKey: fake.apiKey,
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 },
    });
  const named = (n: string) => fake.insights.find((i) => i.name === n)!;

  describe('over HTTP', () => {
    it('pages the project activity by page number, newest first, with total_count', async () => {
      const c = make();
      const p1 = await c.activityPage({ limit: 20 });
      assert.equal(p1.results.length, 20);
      assert.ok(p1.total_count! > 100);
      assert.equal(p1.previous, null);
      assert.ok(p1.next?.startsWith(`${fake.url}/api/projects/1/insights/activity/?`));
      assert.equal(new URL(p1.next!).searchParams.get('page'), '2');
      const p2 = await c.activityPage({ next: p1.next! });
      assert.equal(p2.results.length, 20);
      const times = [...p1.results, ...p2.results].map((e) => e.created_at);
      assert.deepEqual(times, [...times].sort().reverse());
      const all = await c.activity({ pageSize: 100 });
      assert.equal(all.entries.length, all.totalCount);
      const capped = await c.activity({ max: 30, pageSize: 20 });
      assert.equal(capped.entries.length, 30);
      assert.equal(fake.requests.filter((r) => r.path.endsWith('/insights/activity/')).at(-1)?.query.page, '2', 'stops paging at max');
    });

    it('shows one insight’s history: created, renamed, tagged, described; then our own changes first', async () => {
      const target = named('Weekly active learners');
      const c = make();
      const { entries } = await c.activity({ insightId: target.id });
      assert.deepEqual(
        entries.map((e) => e.activity),
        ['updated', 'updated', 'updated', 'created'],
      );
      assert.ok(entries.every((e) => e.item_id === String(target.id) && e.scope === 'Insight'));
      const rename = entries[2].detail!.changes![0];
      assert.deepEqual([rename.field, rename.before, rename.after], ['name', 'Weekly learners', 'Weekly active learners']);
      await c.updateInsight(target.id, { name: 'WAL', tags: ['kpi'] });
      await c.trashInsight(target.id);
      await c.restoreInsight(target.id);
      const after = await c.activity({ insightId: target.id });
      const latest = after.entries.slice(0, 3).map((e) => e.detail!.changes!.map(activityChange));
      assert.deepEqual(latest, [
        ['restored from the trash'],
        ['moved to the trash'],
        ['name: “Weekly active learners” → “WAL”', 'tags: learning, weekly, kpi → kpi'],
      ]);
      assert.equal(after.entries[0].user?.email, 'dana.okafor@example.edu');
    });

    it('404 for an unknown, a trashed or a short id (the route takes numeric ids)', async () => {
      const c = make();
      const target = named('Gradebook views');
      await assert.rejects(c.activityPage({ insightId: 99999 }), (e: unknown) => e instanceof InsightError && e.kind === 'notFound');
      await c.trashInsight(target.id);
      await assert.rejects(c.activityPage({ insightId: target.id }), (e: unknown) => e instanceof InsightError && e.kind === 'notFound');
      await assert.rejects(c.http.json(`api/projects/1/insights/${target.short_id}/activity/`), /not found/);
    });

    it('refuses a next link on another origin', async () => {
      await assert.rejects(
        make().activityPage({ next: 'https://elsewhere.example/api/projects/1/insights/activity/?page=2' }),
        /another origin/,
      );
    });
  });

  describe('rendering', () => {
    const entries: ActivityEntry[] = [
      {
        user: { first_name: 'Dana', email: 'dana@example.edu' },
        activity: 'updated',
        scope: 'Insight',
        item_id: '7',
        detail: {
          name: 'Weekly *active* learners',
          changes: [
            { type: 'Insight', action: 'changed', field: 'name', before: 'Weekly learners', after: 'Weekly *active* learners' },
            { type: 'Insight', action: 'changed', field: 'tags', before: [], after: ['kpi', 'weekly'] },
            { type: 'Insight', action: 'changed', field: 'query', before: { kind: 'A' }, after: { kind: 'B' } },
          ],
        },
        created_at: '2024-07-01T09:12:33.123456Z',
      },
      {
        user: null,
        is_system: true,
        activity: 'updated',
        item_id: 8,
        detail: { name: null, short_id: 'abcDEF12', changes: [{ field: 'favorited', before: false, after: true }] },
        created_at: '2024-06-30T08:00:00Z',
      },
      {
        user: { email: 'tom@example.edu' },
        activity: 'created',
        item_id: '9',
        detail: { name: 'New one', changes: null },
        created_at: 'not a date',
      },
    ];

    it('says who, when and what changed, before → after', () => {
      assert.equal(activityTime('2024-07-01T09:12:33.123456Z'), '2024-07-01 09:12 UTC');
      assert.equal(activityValue(null), '(none)');
      assert.equal(activityValue([]), '(none)');
      assert.equal(activityValue(true), 'yes');
      assert.equal(activityValue('x'.repeat(300)).length, 242);
      const doc = activityMarkdown(entries, {
        title: 'Insight activity: Sandbox',
        subtitle: 'PostHog · project 1',
        perInsight: true,
        totalCount: 10,
      });
      assert.match(doc, /^# Insight activity: Sandbox\n\nPostHog · project 1\n\nShowing the latest 3 of 10 changes\.\n/);
      assert.match(
        doc,
        /## 2024-07-01 09:12 UTC — Dana updated “Weekly \\\*active\\\* learners”\n\n- name: “Weekly learners” → “Weekly \\\*active\\\* learners”\n- tags: \(none\) → kpi, weekly\n- query: \{"kind":"A"\} → \{"kind":"B"\}\n/,
      );
      assert.match(doc, /## 2024-06-30 08:00 UTC — PostHog updated “insight abcDEF12”\n\n- added to favourites\n/);
      assert.match(doc, /## not a date — tom@example\.edu created “New one”\n/);
      const single = activityMarkdown(entries.slice(0, 1), { title: 'Activity: X', subtitle: 's', perInsight: false });
      assert.match(single, /1 change\.\n\n## 2024-07-01 09:12 UTC — Dana updated\n/);
      assert.match(activityMarkdown([], { title: 't', subtitle: 's', perInsight: false }), /No recorded changes\./);
    });

    it('rows for the CLI: created_at, user, activity, item, name, changes', () => {
      const rows = activityRows(entries);
      assert.deepEqual(rows[0].slice(0, 5), [
        '2024-07-01T09:12:33.123456Z',
        'dana@example.edu',
        'updated',
        '7',
        'Weekly *active* learners',
      ]);
      assert.equal(
        rows[0][5],
        'name: “Weekly learners” → “Weekly *active* learners”; tags: (none) → kpi, weekly; query: {"kind":"A"} → {"kind":"B"}',
      );
      assert.deepEqual(rows[1].slice(1, 4), ['PostHog', 'updated', '8']);
      assert.equal(rows[2][5], '');
    });
  });
});
