/**
 * Canvas on the platform contract in plain Node: the tree as plain items (accounts, scopes, terms,
 * courses, students named from the roster) and an endpoint fetched into one result (the JSON as
 * sent, its tables and charts), against the Canvas fake over real HTTP.
 */
import * as assert from 'node:assert/strict';
import { Redactor } from '../../../../../src/core/log';
import type { PlatformItem, SourceConfig } from '../../../../../src/core/platform';
import { englishCounts } from '../../../../../src/core/plural';
import type { CanvasClient } from '../../../../../src/core/sources/canvas';
import { canvasOptionsPatch } from '../../../../../src/core/sources/canvas/options';
import { canvasPlatform } from '../../../../../src/core/sources/canvas/platform';
import { CanvasFake, startCanvasFake } from '../../../../fakes/canvas';
import { departmentData } from '../../../../fakes/canvasData';
import { recorder } from '../../../kit/recordKit';

describe('Canvas items and results (platform contract)', function () {
  this.timeout(20_000);
  let fake: CanvasFake;
  let source: SourceConfig;
  let client: CanvasClient;
  const children = (parent?: PlatformItem) => canvasPlatform.children!(source, parent, async () => client, englishCounts);
  const byLabel = async (parent: PlatformItem | undefined, label: string) => {
    const items = await children(parent);
    const found = items.find((i) => i.label === label);
    assert.ok(found, `“${label}” among ${JSON.stringify(items.map((i) => i.label))}`);
    return found;
  };

  before(async () => {
    fake = await startCanvasFake();
    const options = canvasOptionsPatch({ accounts: [{ id: 'self', terms: [{ id: '7', name: 'Fall 2024' }] }], courses: [{ id: '101', name: 'BIO 101' }] });
    source = { id: 'c1', kind: 'canvas', label: 'Fake Canvas', baseUrl: fake.url, options, createdAt: '2026-12-01T00:00:00Z' };
    client = canvasPlatform.client(source, fake.token, { logger: recorder(), redactor: new Redactor(), limits: {}, shared: (_k, make) => make() });
  });
  after(async () => fake.close());

  it('lists accounts and the Courses group, open when it has courses; no request is needed to expand them', async () => {
    const before = fake.requests.length;
    const root = await children();
    assert.deepEqual(
      root.map((i) => [i.type, i.label, i.description, i.expandable]),
      [
        ['account', 'Account (self)', 'department analytics', true],
        ['courses', 'Courses', '1', 'expanded'],
      ],
    );
    const account = root[0];
    assert.deepEqual(
      (await children(account)).map((i) => [i.type, i.label]),
      [
        ['scope', 'Current term'],
        ['scope', 'Completed'],
        ['scope:term', 'Term 7 · Fall 2024'],
        ['action', 'Term…'],
      ],
    );
    const termAction = await byLabel(account, 'Term…');
    assert.equal(termAction.command?.command, 'insightExplorer.canvas.addTerm');
    assert.deepEqual(termAction.data, { account: 'self' });
    const current = await byLabel(account, 'Current term');
    const endpoints = await children(current);
    assert.deepEqual(endpoints.map((e) => e.label), ['Activity', 'Grades', 'Statistics', 'Statistics by sub-account']);
    assert.ok(endpoints.every((e) => e.capabilities?.includes('open') && e.capabilities.includes('openRaw')));
    assert.deepEqual(endpoints[0].data, { ref: { id: 'department.activity', accountId: 'self', scope: 'current' }, where: 'Account (self) · Current term' });
    const course = await byLabel(root[1], 'BIO 101');
    const inCourse = await children(course);
    assert.deepEqual(inCourse.map((i) => [i.label, i.description ?? '']), [
      ['Activity', 'Course activity'],
      ['Assignments', 'Assignment statistics'],
      ['Student summaries', 'sorted by name'],
      ['Students', ''],
    ]);
    assert.equal(fake.requests.length, before, 'no request');
    const students = inCourse[3];
    assert.equal(students.cacheChildren, true);
    assert.equal(students.empty, 'No students with analytics in this course');
  });

  it('lists the students of a course from the summaries, named from the roster, with their counts in words', async () => {
    const course = await byLabel(await byLabel(undefined, 'Courses'), 'BIO 101');
    const students = await children(await byLabel(course, 'Students'));
    const seeded = fake.data.courses.find((c) => c.id === 101)!.students;
    // Eight of the course's students never opened it: the summaries still list every student with analytics.
    assert.ok(students.length > 0 && students.length <= seeded.length, `${students.length} of ${seeded.length}`);
    const first = students[0];
    const known = seeded.find((s) => String(s.id) === first.id)!;
    assert.equal(first.label, known.name, 'named from the roster');
    assert.match(first.description ?? '', new RegExp(`^id ${known.id}( · \\d+ views?)?( · \\d+ participations?)?$`));
    assert.deepEqual(
      (await children(first)).map((e) => [e.label, (e.data as { where: string }).where]),
      ['Activity', 'Assignments', 'Communication'].map((l) => [l, `${known.name} · BIO 101`]),
    );
  });

  it('fetches department activity into one result: the JSON as sent, two tables with their charts', async () => {
    const current = await byLabel(await byLabel(undefined, 'Account (self)'), 'Current term');
    const activity = await byLabel(current, 'Activity');
    const result = await canvasPlatform.fetch!(client, source, activity, { signal: new AbortController().signal, progress: () => undefined });
    const expected = departmentData(fake.data.accounts[0], 'current', fake.data.accounts).activity;
    assert.equal(result.raw.ext, 'json');
    assert.deepEqual(JSON.parse(result.raw.bytes.toString('utf8')), expected);
    assert.equal(result.key, 'canvas-account-self-current-department.activity');
    assert.deepEqual(result.tables.map((t) => [t.key, t.name, t.title, t.columns.join(',')]), [
      ['by_date', 'Page views by day', 'Account (self) · Current term · Page views by day', 'date,views'],
      ['by_category', 'Page views by category', 'Account (self) · Current term · Page views by category', 'category,views'],
    ]);
    assert.equal(result.tables[0].rows.length, Object.keys(expected.by_date).length);
    assert.deepEqual(result.tables.map((t) => t.charts?.map((c) => c.kind)), [['line'], ['bar']]);
  });
});
