// Canvas LMS Analytics end to end in the real VS Code: add a source through the Add Source prompts
// (typed into the workbench), add accounts, terms and courses, expand accounts, courses and
// students, open every kind of endpoint into CSV documents and previews, and see throttling,
// permission, not-found and token errors where a person would.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { TreeNode } from '../../src/vscode/tree/nodes';
import type { OpenedCanvasResult } from '../../src/vscode/canvas/canvasOpen';
import { CanvasFake, startCanvasFake } from '../fakes/canvas';
import { departmentData, studentActivity, studentCommunication } from '../fakes/canvasData';
import { canvasOptionsPatch, readCanvasOptions } from '../../src/core/sources/canvas/options';
import { requireUi, ui } from './ui';
import {
  labelOf,
  labelsOf,
  childByLabel,
  nodeAt,
  waitForReport,
  csvLines,
  clearNotifications,
  screenshot,
  waitForNotification,
  failureOf,
  ensureSource,
} from './treeKit';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const LABEL = 'Test Canvas';

/**
 * The student id of a tree node. Tree nodes come from the extension's bundle, whose classes are
 * not the ones this test file compiles against, so `instanceof` cannot be used on them.
 */
const studentIdOf = (node: TreeNode): number | undefined => (node as { item?: { data?: { student?: number } } }).item?.data?.student;

describe('Canvas end to end', function () {
  this.timeout(120_000);
  let fake: CanvasFake;
  let api: InsightExplorerApi;
  let sourceId: string;
  const open = (node: TreeNode) => vscode.commands.executeCommand<OpenedCanvasResult>('insightExplorer.canvas.open', node);

  before(async () => {
    // Two polls: course 101's assignments first answer with a Progress that runs, then completes.
    fake = await startCanvasFake({ progressPolls: 2 });
    const ext = vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!;
    api = await ext.activate();
    for (const s of api.services.store.list()) if (s.kind === 'canvas') await api.services.store.remove(s.id);
    await vscode.commands.executeCommand('workbench.view.extension.insightExplorer');
  });

  after(async () => {
    await fake?.close();
  });

  // Every test after Add Source needs the source, and those after the two "adds …" tests need the
  // courses and the account/term those add. When a test before did not leave them (it failed, or
  // there is no UI bridge), these hooks put the same state into the store, so each test passes or
  // fails on its own instead of being skipped.
  const ADD_SOURCE = 'adds a Canvas source through the Add Source prompts, token in a password box';
  const BUILDS_STATE = [
    'adds courses by picking from the list and by id; an unknown id brings the box back with the reason',
    'adds an account and a term picked from the account’s terms',
  ];
  let stateEnsured = false;
  beforeEach(async function () {
    const title = this.currentTest?.title ?? '';
    if (title === ADD_SOURCE) return;
    sourceId ??= await ensureSource(api, { kind: 'canvas', label: LABEL, baseUrl: fake.url, options: {} }, fake.token);
    if (BUILDS_STATE.includes(title) || stateEnsured) return;
    stateEnsured = true;
    const source = api.services.store.get(sourceId)!;
    const opts = readCanvasOptions(source);
    const courseName = (id: string) => fake.data.courses.find((c) => String(c.id) === id)?.name;
    for (const id of ['101', '103', '102']) if (!opts.courses.some((c) => c.id === id)) opts.courses.push({ id, name: courseName(id) });
    let account = opts.accounts.find((a) => a.id === '2');
    if (!account) opts.accounts.push((account = { id: '2', name: 'College of Arts & Sciences', terms: [] }));
    if (!account.terms.some((t) => t.id === '7')) account.terms.push({ id: '7', name: 'Fall 2024' });
    await api.services.store.update(sourceId, { options: canvasOptionsPatch(opts) });
    api.tree.refresh();
  });

  it('adds a Canvas source through the Add Source prompts, token in a password box', async function () {
    requireUi(this);
    const done = vscode.commands.executeCommand<string>('insightExplorer.addSource');
    const kind = await ui.answer({ pick: 'Canvas LMS Analytics' });
    assert.ok(kind.items?.includes('Canvas Studio'), `kinds offered: ${kind.items}`);
    const bad = await ui.answer({ text: 'http://canvas.example.edu' });
    assert.strictEqual(bad.title, 'Add Source (2/4)');
    assert.match(bad.after.validationMessage ?? '', /https/);
    // A pasted course page URL is cut back to the instance.
    await ui.answer({ text: `${fake.url}/courses/101/analytics` });
    await ui.answer({ text: LABEL });
    const key = await ui.answer({ text: fake.token, password: true });
    assert.strictEqual(key.password, true);
    assert.strictEqual(key.title, 'Add Source (4/4)');
    sourceId = (await done)!;
    assert.ok(sourceId);

    const source = api.services.store.get(sourceId)!;
    assert.strictEqual(source.kind, 'canvas');
    assert.strictEqual(source.baseUrl, fake.url);
    assert.strictEqual(await api.services.store.getSecret(sourceId), fake.token);
    assert.ok(!JSON.stringify(api.services.store.list()).includes(fake.token), 'the token is only in SecretStorage');
    assert.deepStrictEqual(
      api.canvas.adapter.options(source).accounts.map((a) => a.id),
      ['self'],
    );
    assert.ok(
      fake.requests.some((r) => r.hasAuthorization && r.path === '/api/v1/courses'),
      'the connection test listed courses',
    );
  });

  it('adds courses by picking from the list and by id; an unknown id brings the box back with the reason', async function () {
    requireUi(this);
    let adding = vscode.commands.executeCommand<string>('insightExplorer.canvas.addCourse', { sourceId });
    const pick = await ui.answer({ pick: 'BIO 101: Introduction to Biology' });
    assert.ok(pick.items?.includes('Enter a course id…'));
    // Concluded courses are offered too (state[]=completed), marked as concluded.
    const psyc = pick.rows?.find((r) => r.label.startsWith('PSYC 100'));
    assert.match(psyc?.description ?? '', /course 105 · PSYC 100 · Default Term · concluded/, JSON.stringify(pick.rows));
    assert.strictEqual(await adding, '101');

    adding = vscode.commands.executeCommand<string>('insightExplorer.canvas.addCourse', { sourceId });
    await ui.answer({ pick: 'Enter a course id…' });
    const notId = await ui.answer({ text: 'courses/abc' });
    assert.match(notId.after.validationMessage ?? '', /number/);
    await ui.answer({ text: '999' });
    // Canvas does not know 999: the box comes back with the reason.
    const again = await ui.answer({ text: '103' });
    assert.match(again.prompt ?? '', /Canvas has no course 999 \(404\): check the course id/);
    assert.strictEqual(await adding, '103');

    for (const id of ['102']) {
      adding = vscode.commands.executeCommand<string>('insightExplorer.canvas.addCourse', { sourceId });
      await ui.answer({ pick: 'Enter a course id…' });
      await ui.answer({ text: id });
      assert.strictEqual(await adding, id);
    }
    const courses = api.canvas.adapter.options(api.services.store.get(sourceId)!).courses;
    assert.deepStrictEqual(
      courses.map((c) => c.id),
      ['101', '103', '102'],
    );
    assert.strictEqual(courses[1].name, 'ENGR 330: Thermodynamics', 'the name was looked up for a course entered by id');
  });

  it('adds an account and a term picked from the account’s terms', async function () {
    requireUi(this);
    const adding = vscode.commands.executeCommand<string>('insightExplorer.canvas.addAccount', { sourceId });
    await ui.answer({ text: '2' });
    assert.strictEqual(await adding, '2');
    const account = await nodeAt(api, LABEL, 'College of Arts & Sciences');
    assert.strictEqual((account as { item?: { data?: { account?: string } } }).item?.data?.account, '2');
    const addingTerm = vscode.commands.executeCommand<string>('insightExplorer.canvas.addTerm', account);
    const terms = await ui.answer({ pick: 'Fall 2024' });
    assert.ok(terms.items?.includes('Spring 2025') && terms.items.includes('Enter a term id…'), `terms: ${terms.items}`);
    assert.strictEqual(await addingTerm, '7');
  });

  it('expands accounts into scopes and endpoints, courses into students', async function () {
    const source = await nodeAt(api, LABEL);
    assert.deepStrictEqual(await labelsOf(api, await api.tree.getChildren(source)), [
      'Account (self)',
      'College of Arts & Sciences',
      'Courses',
    ]);
    const account = await childByLabel(api, source, 'College of Arts & Sciences');
    assert.deepStrictEqual(await labelsOf(api, await api.tree.getChildren(account)), [
      'Current term',
      'Completed',
      'Term 7 · Fall 2024',
      'Term…',
    ]);
    const current = await nodeAt(api, LABEL, 'Account (self)', 'Current term');
    assert.deepStrictEqual(await labelsOf(api, await api.tree.getChildren(current)), [
      'Activity',
      'Grades',
      'Statistics',
      'Statistics by sub-account',
    ]);

    const bio = await nodeAt(api, LABEL, 'Courses', 'BIO 101: Introduction to Biology');
    assert.deepStrictEqual(await labelsOf(api, await api.tree.getChildren(bio)), [
      'Activity',
      'Assignments',
      'Student summaries',
      'Students',
    ]);
    const summaries = await childByLabel(api, bio, 'Student summaries');
    assert.strictEqual((await api.tree.getTreeItem(summaries)).description, 'sorted by name');
    const studentsNode = await childByLabel(api, bio, 'Students');
    const students = await api.tree.getChildren(studentsNode);
    const course = fake.data.courses.find((c) => c.id === 101)!;
    assert.strictEqual(students.length, course.students.length);
    assert.strictEqual(new Set(students.map((s) => s.id)).size, students.length, 'ids unique');
    const first = [...course.students].sort((a, b) => a.sortable_name.toLowerCase().localeCompare(b.sortable_name.toLowerCase()))[0];
    assert.strictEqual(await labelOf(api, students[0]), first.name, 'names from the roster, in Canvas order');
    const student = students.find((s) => studentIdOf(s) === 1001)!;
    assert.deepStrictEqual(await labelsOf(api, await api.tree.getChildren(student)), ['Activity', 'Assignments', 'Communication']);

    // No roster permission in 102: students are shown by id.
    const hist = await nodeAt(api, LABEL, 'Courses', /^HIST 210/, 'Students');
    assert.match(await labelOf(api, (await api.tree.getChildren(hist))[0]), /^Student 20\d\d$/);

    if (ui.available) {
      await api.view.reveal(current, { expand: true, focus: false, select: false });
      await api.view.reveal(student, { expand: true, focus: false, select: true });
      await ui.waitForTree('Sources', (t) => t.items.some((i) => i.includes('Communication')) && t.items.some((i) => i.includes('Grades')));
      await screenshot('canvas-01-tree');
    }
  });

  it('opens department activity as two CSV documents and two previews: a line and a bar chart', async function () {
    const node = await nodeAt(api, LABEL, 'Account (self)', 'Current term', 'Activity');
    const opened = (await open(node))!;
    assert.deepStrictEqual(
      opened.tables.map((t) => t.key),
      ['by_date', 'by_category'],
    );
    const expected = departmentData(fake.data.accounts[0], 'current', fake.data.accounts).activity;
    const byDate = await csvLines(opened.tables[0].csvUri);
    assert.strictEqual(byDate[0], 'date,views');
    assert.strictEqual(byDate.length - 1, Object.keys(expected.by_date).length);
    const firstDate = Object.keys(expected.by_date).sort()[0];
    assert.strictEqual(byDate[1], `${firstDate},${expected.by_date[firstDate]}`, 'sorted by date');
    const byCat = await csvLines(opened.tables[1].csvUri);
    assert.strictEqual(byCat[0], 'category,views');
    assert.strictEqual(byCat.length - 1, Object.keys(expected.by_category).length);
    assert.deepStrictEqual(
      JSON.parse((await vscode.workspace.openTextDocument(opened.jsonUri)).getText()),
      expected,
      'raw JSON stored as sent',
    );
    const visible = vscode.window.visibleTextEditors.map((e) => e.document.uri.toString());
    assert.ok(visible.includes(opened.tables[0].csvUri.toString()), 'the by-date CSV is in front');

    const line = await waitForReport(api, opened.tables[0].previewKey, (r) => r.renderedRows > 0 && r.chart !== null);
    assert.strictEqual(line.chart?.kind, 'line');
    assert.strictEqual(line.totalRows, byDate.length - 1);
    if (ui.available) {
      await ui.waitForWebview((s) => s.text.includes('Page views by day') && s.rowCount > 2);
      await screenshot('canvas-02-activity-chart');
      // The by-category preview is the tab beside it.
      await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
      await vscode.commands.executeCommand('workbench.action.previousEditorInGroup');
      const bar = await waitForReport(api, opened.tables[1].previewKey, (r) => r.renderedRows > 0 && r.chart !== null);
      assert.strictEqual(bar.chart?.kind, 'bar');
      assert.strictEqual(bar.chart?.points, byCat.length - 1);
    }
  });

  it('opens grades as a 0–100 histogram drawn as bars', async function () {
    const opened = (await open(await nodeAt(api, LABEL, 'Account (self)', 'Current term', 'Grades')))!;
    assert.deepStrictEqual(opened.tables[0].specs, ['histogram']);
    const lines = await csvLines(opened.tables[0].csvUri);
    assert.strictEqual(lines[0], 'score,count');
    assert.strictEqual(lines.length - 1, 101);
    const grades = departmentData(fake.data.accounts[0], 'current', fake.data.accounts).grades;
    for (const [i, line] of lines.slice(1).entries()) assert.strictEqual(line, `${i},${grades[String(i)] ?? 0}`, 'a score nobody has is 0');
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(r.chart?.kind, 'histogram');
    assert.strictEqual(r.chart?.points, 101);
    if (ui.available) {
      await ui.waitForWebview((s) => s.text.includes('Distribution of current grades') || s.text.includes('Grade distribution'));
      await screenshot('canvas-03-grades-histogram');
    }
  });

  it('opens statistics for a picked term, by sub-account', async function () {
    const opened = (await open(await nodeAt(api, LABEL, 'College of Arts & Sciences', 'Term 7 · Fall 2024', 'Statistics by sub-account')))!;
    assert.ok(fake.requests.some((r) => r.path === '/api/v1/accounts/2/analytics/terms/7/statistics_by_subaccount'));
    const lines = await csvLines(opened.tables[0].csvUri);
    assert.match(lines[0], /^id,name,courses,teachers,students/);
    assert.strictEqual(
      lines.length - 1,
      departmentData(fake.data.accounts[1], 'term:7', fake.data.accounts).statisticsBySubaccount.accounts.length,
    );
  });

  it('retries a throttled 403 (Rate Limit Exceeded) and succeeds', async function () {
    fake.requests.length = 0;
    fake.addFault({ rateLimit: true, pathIncludes: '/analytics/current/statistics', times: 2 });
    const opening = open(await nodeAt(api, LABEL, 'Account (self)', 'Current term', 'Statistics'));
    if (ui.available) {
      // Canvas sends no Retry-After: the progress notification says what the wait is for.
      let seen: string | undefined;
      for (let i = 0; i < 60 && !seen; i++) {
        seen = (await ui.notifications()).map((n) => n.message).find((m) => /throttled by Canvas, retrying in \d+ s/.test(m));
        if (!seen) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(seen, 'the progress said "throttled by Canvas, retrying in N s"');
    }
    const opened = (await opening)!;
    const hits = fake.requests.filter((r) => r.path === '/api/v1/accounts/self/analytics/current/statistics');
    assert.strictEqual(hits.length, 3, 'two throttled answers, then the data');
    const lines = await csvLines(opened.tables[0].csvUri);
    assert.match(lines[0], /^courses,subaccounts,teachers,students/);
    assert.strictEqual(lines.length, 2);
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.renderedRows > 0);
    assert.strictEqual(r.chart?.kind, 'bar');
  });

  it('opens course activity, and assignments through Canvas’s async Progress', async function () {
    const course = fake.data.courses.find((c) => c.id === 101)!;
    const activity = (await open(await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Activity')))!;
    const lines = await csvLines(activity.tables[0].csvUri);
    assert.strictEqual(lines[0], 'date,views,participations');
    assert.strictEqual(lines.length - 1, course.activity.length);
    const r = await waitForReport(api, activity.tables[0].previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(r.chart?.kind, 'line');
    assert.strictEqual(r.chart?.series, 2);

    fake.requests.length = 0;
    const assignments = (await open(await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Assignments')))!;
    assert.ok(
      fake.requests.some((x) => x.path.startsWith('/api/v1/progress/')),
      'polled the Progress',
    );
    assert.deepStrictEqual(assignments.tables[0].specs, ['box', 'stackedBar']);
    const a = await csvLines(assignments.tables[0].csvUri);
    assert.match(a[0], /^assignment_id,title,due_at/);
    assert.strictEqual(a.length - 1, course.assignments.length);
    const key = assignments.tables[0].previewKey;
    const ar = await waitForReport(api, key, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(ar.chart?.kind, 'box', 'scores per assignment first');
    assert.strictEqual(ar.chart?.points, course.assignments.length);
    if (ui.available) {
      await ui.waitForWebview((s) => s.text.includes('Scores per assignment'));
      await screenshot('canvas-04-assignments-boxplot');
      // The picker offers the other chart of the same table: on-time / late / missing, stacked.
      await ui.select('select[data-field="pick"]', 'On time, late and missing submissions');
      const st = await waitForReport(api, key, (x) => x.chart?.kind === 'stackedBar');
      assert.strictEqual(st.chart?.series, 3);
      await ui.click({ selector: 'vscode-toolbar-button[label="Show the chart data as a table"]', frame: 'webview' });
      const data = await waitForReport(api, key, (x) => x.chartDataRows !== undefined);
      assert.strictEqual(data.chartDataRows, course.assignments.length);
      const head = await ui.webview({ selector: '.ip-chart-table thead th' });
      assert.deepStrictEqual(head.texts?.slice(1), ['On time', 'Late', 'Missing']);
      await ui.click({ selector: 'vscode-toolbar-button[label="Show the chart data as a table"]', frame: 'webview' });
      await waitForReport(api, key, (x) => x.chartDataRows === undefined && x.chart?.kind === 'stackedBar');
    }
  });

  it('sorts student summaries by the chosen column', async function () {
    let node = await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Student summaries');
    // Picked in the real quick pick when the UI bridge is there; passed as an argument otherwise.
    const setting = vscode.commands.executeCommand<string>(
      'insightExplorer.canvas.setSortColumn',
      node,
      ui.available ? undefined : 'page_views_descending',
    );
    if (ui.available) await ui.answer({ pick: 'page views, descending' });
    assert.strictEqual(await setting, 'page_views_descending');
    node = await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Student summaries');
    assert.strictEqual((await api.tree.getTreeItem(node)).description, 'sorted by page views, descending');
    fake.requests.length = 0;
    const opened = (await open(node))!;
    assert.ok(fake.requests.some((x) => x.path.endsWith('/student_summaries') && x.query.sort_column === 'page_views_descending'));
    const lines = await csvLines(opened.tables[0].csvUri);
    assert.match(lines[0], /^id,name,page_views,max_page_views/);
    const course = fake.data.courses.find((c) => c.id === 101)!;
    // Canvas lists only students with page-view data under this sort, and the title says so.
    const withData = course.summaries.filter((s) => s.page_views !== null).length;
    assert.ok(withData < course.students.length);
    assert.strictEqual(lines.length - 1, withData, 'every page followed');
    assert.match(opened.tables[0].shownTitle, /Student summaries \(only students with page-view data\)$/);
    const views = lines.slice(1).map((l) => Number(l.split(',')[2]));
    assert.deepStrictEqual(
      views,
      [...views].sort((x, y) => y - x),
    );
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(r.chart?.kind, 'scatter');
    assert.strictEqual(r.chart?.points, withData, 'one point per student listed');
    // Both the preview's tab and the CSV document's tab say who is left out.
    let tabs: string[] = [];
    for (let i = 0; i < 40 && !tabs.includes(opened.tables[0].shownTitle); i++) {
      if (i) await new Promise((r) => setTimeout(r, 250));
      tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
    }
    assert.ok(tabs.includes(opened.tables[0].shownTitle), `tabs: ${tabs.join(' | ')}`);
    assert.ok(
      tabs.some((t) => t.endsWith('.csv') && t.includes('Student summaries (only students with page-view data)')),
      `tabs: ${tabs.join(' | ')}`,
    );
    if (ui.available) {
      await ui.waitForWebview((s) => s.text.includes('Page views vs participations'));
      await screenshot('canvas-05-summaries-scatter');
    }
  });

  it('a student row counts in words with the right form: "12 views · 1 participation"', async function () {
    const students = await api.tree.getChildren(await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Students'));
    const course = fake.data.courses.find((c) => c.id === 101)!;
    // The fake's one student with a single participation (and several views), found from its data.
    const summary = course.summaries.find((x) => x.participations === 1 && typeof x.page_views === 'number' && (x.page_views as number) > 1)!;
    assert.ok(summary, 'the fake has a student with exactly one participation');
    const node = students.find((x) => studentIdOf(x) === summary.id)!;
    const description = String((await api.tree.getTreeItem(node)).description);
    assert.ok(description.endsWith(`${summary.page_views} views · 1 participation`), description);
  });

  it('opens a student’s activity (page views and participations), assignments and messages', async function () {
    const students = await api.tree.getChildren(await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Students'));
    const student = students.find((s) => studentIdOf(s) === 1001)!;
    const [activityNode, assignmentsNode, communicationNode] = await api.tree.getChildren(student);
    const course = fake.data.courses.find((c) => c.id === 101)!;
    const expected = studentActivity(course, 1001, fake.url);

    const activity = (await open(activityNode))!;
    assert.deepStrictEqual(
      activity.tables.map((t) => [t.key, t.columns.join(',')]),
      [
        ['page_views', 'timestamp,page_views'],
        ['participations', 'created_at,url'],
      ],
    );
    assert.strictEqual(activity.tables[0].rows, Object.keys(expected.page_views).length);
    assert.strictEqual(activity.tables[1].rows, expected.participations.length);
    const r = await waitForReport(api, activity.tables[0].previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(r.chart?.kind, 'line');

    const assignments = (await open(assignmentsNode))!;
    assert.strictEqual(assignments.tables[0].rows, course.assignments.length);
    const ar = await waitForReport(api, assignments.tables[0].previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(ar.chart?.kind, 'box', "the class's boxes with the student's scores over them");
    assert.strictEqual(ar.chart?.series, 1);

    const comm = (await open(communicationNode))!;
    const lines = await csvLines(comm.tables[0].csvUri);
    assert.strictEqual(lines[0], 'date,instructorMessages,studentMessages');
    assert.strictEqual(lines.length - 1, Object.keys(studentCommunication(course, 1001)).length);
    const cr = await waitForReport(api, comm.tables[0].previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(cr.chart?.kind, 'stackedBar');
    assert.strictEqual(cr.chart?.series, 2);
  });

  it('names the missing permission for a 403, in the tree and in the notification', async function () {
    await clearNotifications();
    const studentsNode = await nodeAt(api, LABEL, 'Courses', /^ENGR 330/, 'Students');
    const [err] = await api.tree.getChildren(studentsNode);
    const item = await api.tree.getTreeItem(err);
    // A refused permission is not fixed by another token of the same user: the fix offered is the permission docs.
    assert.strictEqual(item.label, 'Forbidden — Permission Docs');
    assert.strictEqual(item.command?.command, 'insightExplorer.openPermissionDocs');
    assert.match(String(item.description), /view_analytics/);
    assert.match(String(item.description), /course 103/);

    const activity = await nodeAt(api, LABEL, 'Courses', /^ENGR 330/, 'Activity');
    assert.match(
      await failureOf(api, open(activity)),
      /needs the view_analytics permission and teacher-level \(read_as_admin\) access in course 103/,
    );
    if (ui.available) {
      const n = await waitForNotification(/view_analytics/);
      assert.deepStrictEqual(n.buttons, ['Permission Docs', 'Show Log'], 'the 403 offers the permission docs, never Set Credentials');
      // One failure, one notification: opening the item from the real tree (VS Code runs its
      // command and would report a rejected command a second time).
      await clearNotifications();
      await api.view.reveal(activity, { focus: true, select: true });
      await ui.press('Enter');
      await waitForNotification(/view_analytics/);
      await new Promise((r) => setTimeout(r, 1500)); // a second toast would have arrived by now
      const shown = (await ui.notifications()).filter((x) => x.severity === 'error');
      assert.strictEqual(shown.length, 1, `notifications: ${JSON.stringify(shown)}`);
      await api.view.reveal(err, { focus: false, select: true });
      await ui.waitForTree('Sources', (t) => t.items.some((i) => i.includes('Forbidden')));
      await new Promise((r) => setTimeout(r, 600)); // let the toast finish sliding in
      await ui.screenshot('canvas-04-forbidden');
    }
  });

  it('says to check the course id on a 404', async function () {
    assert.match(
      await failureOf(
        api,
        vscode.commands.executeCommand('insightExplorer.canvas.open', { sourceId, ref: { id: 'course.activity', courseId: '104' } }),
      ),
      /check the course id 104/,
    );
  });

  it('shows "Unauthorized — Set Credentials…" for a revoked token, and recovers', async function () {
    requireUi(this);
    const setting = vscode.commands.executeCommand('insightExplorer.setCredentials', { sourceId });
    const box = await ui.answer({ text: '1~revokedTokenRevokedToken0000', password: true });
    assert.strictEqual(box.password, true);
    await setting;
    const [err] = await api.tree.getChildren(await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Students'));
    const item = await api.tree.getTreeItem(err);
    assert.strictEqual(item.label, 'Unauthorized — Set Credentials…');
    assert.strictEqual(item.command?.command, 'insightExplorer.setCredentials');
    assert.ok(!String(item.description).includes('revokedToken'));
    const fixing = vscode.commands.executeCommand('insightExplorer.setCredentials', { sourceId });
    await ui.answer({ text: fake.token, password: true });
    await fixing;
    const students = await api.tree.getChildren(await nodeAt(api, LABEL, 'Courses', /^BIO 101/, 'Students'));
    assert.ok(students.length > 100);
  });

  it('tests the connection, edits the course list, and removes the source', async function () {
    requireUi(this);
    const message = await vscode.commands.executeCommand<string>('insightExplorer.testConnection', { sourceId });
    assert.match(message ?? '', /Connected to Canvas at 127\.0\.0\.1:\d+/);

    const editing = vscode.commands.executeCommand('insightExplorer.editSource', { sourceId });
    await ui.answer({ pick: 'Course ids' });
    await ui.answer({ text: '101, 102' });
    await editing;
    const courses = api.canvas.adapter.options(api.services.store.get(sourceId)!).courses;
    assert.deepStrictEqual(
      courses.map((c) => [c.id, c.name]),
      [
        ['101', 'BIO 101: Introduction to Biology'],
        ['102', 'HIST 210: Modern Europe, 1815–1945'],
      ],
    );
    const file = api.results.fileFor(sourceId, 'canvas-course-101-course.activity-activity', 'csv');
    assert.ok(fs.existsSync(file));

    const removing = vscode.commands.executeCommand('insightExplorer.removeSource', { sourceId });
    await ui.answer({ pick: 'Remove' });
    await removing;
    assert.strictEqual(api.services.store.get(sourceId), undefined);
    assert.strictEqual(await api.services.store.getSecret(sourceId), undefined);
    assert.ok(!fs.existsSync(file), 'stored results removed with the source');
  });
});
