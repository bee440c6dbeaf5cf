// PostHog beyond reading, in the real VS Code: Trending and Thresholds in the tree; rename, tag,
// favourite, trash and Undo from the tree; activity documents; sharing with a copied link; the
// query as an editable document saved back to PostHog, with refused saves kept dirty and shown
// as diagnostics; new and duplicated insights; cancelling a running query from the tree.
// Self-contained: its own fake, its own source (the Add Source UI is covered in posthog.test.ts).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { TreeNode } from '../../src/vscode/tree/nodes';
import { PostHogFake, startPostHogFake } from '../fakes/posthog';
import { requireUi, ui } from './ui';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const SOURCE_LABEL = 'Managed PostHog';
const SANDBOX_KEY = 'phx_sandbox_key_0123456789abcdef';
/** A key whose scopes lack user:read: PostHog will not say who owns it. */
const NO_USER_READ = 'phx_no_user_read_scope_0123456789';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('PostHog management in the real VS Code', function () {
  this.timeout(120_000);
  let fake: PostHogFake;
  let api: InsightExplorerApi;
  let sourceId: string;

  const item = (node: TreeNode) => api.tree.getTreeItem(node);
  const labelOf = async (node: TreeNode) => {
    const l = (await item(node)).label;
    return typeof l === 'string' ? l : (l?.label ?? '');
  };
  const child = async (parent: TreeNode | undefined, label: string | RegExp): Promise<TreeNode> => {
    const kids = await api.tree.getChildren(parent);
    for (const k of kids) {
      const l = await labelOf(k);
      if (typeof label === 'string' ? l === label : label.test(l)) return k;
    }
    throw new Error(`no child ${label} under ${parent?.id ?? 'root'}; saw ${(await Promise.all(kids.map(labelOf))).join(' | ')}`);
  };
  const sourceNode = () => child(undefined, SOURCE_LABEL);
  const group = async (label: string) => child(await sourceNode(), label);
  const insightNode = async (name: string) => child(await group('Insights'), name);
  const named = (n: string) => fake.insights.find((i) => i.name === n)!;

  before(async () => {
    // The slow insight never completes on its own here: the cancel test stops it.
    fake = await startPostHogFake({ slowInsightPolls: 1_000_000, apiKeys: [SANDBOX_KEY, NO_USER_READ], keysWithoutUserRead: [NO_USER_READ] });
    const ext = vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!;
    api = await ext.activate();
    for (const s of api.services.store.list()) await api.services.store.remove(s.id);
    const source = await api.services.store.add(
      { kind: 'posthog', label: SOURCE_LABEL, baseUrl: fake.url, options: { projectId: String(fake.projectId) } },
      fake.apiKey,
    );
    sourceId = source.id;
    // A clean workbench (one editor group) whatever ran before, for readable screenshots.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.editorLayoutSingle');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.extension.insightExplorer');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (sourceId) await api.services.store.remove(sourceId);
    await fake?.close();
  });

  it('says "last 1 day" for a one-day Trending window, and "last 7 days" by default', async () => {
    const cfg = vscode.workspace.getConfiguration('insightExplorer.posthog');
    await cfg.update('trendingDays', 1, vscode.ConfigurationTarget.Global);
    try {
      const one = await item(await group('Trending'));
      assert.strictEqual(one.description, 'last 1 day');
      assert.match(String(one.tooltip), /^Most viewed insights of the last 1 day \(/);
    } finally {
      await cfg.update('trendingDays', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.strictEqual((await item(await group('Trending'))).description, 'last 7 days');
  });

  it('shows Trending with view counts and viewers, and Thresholds with alerts in plain words', async () => {
    const src = await sourceNode();
    assert.deepStrictEqual(await Promise.all((await api.tree.getChildren(src)).map(labelOf)), ['Insights', 'Trending', 'Recently viewed', 'Schema', 'Query History']);
    const trending = await group('Trending');
    assert.strictEqual((await item(trending)).description, 'last 7 days');
    const top = await api.tree.getChildren(trending);
    assert.ok(top.length > 1);
    assert.strictEqual(await labelOf(top[0]), 'Weekly active learners');
    assert.match(String((await item(top[0])).description), /^★ 3 viewers · \w+, \w+, \w+$/);
    assert.ok(fake.requests.some((r) => r.path.endsWith('/insights/trending/') && r.query.days === '7'));

    const wal = top[0];
    assert.strictEqual(
      (await item(wal)).collapsibleState,
      vscode.TreeItemCollapsibleState.Collapsed,
      'insights expand to their Thresholds',
    );
    assert.strictEqual((await item(wal)).command?.command, 'insightExplorer.posthog.openInsight', 'a click still opens it');
    const thresholds = await child(wal, 'Thresholds');
    const range = await child(thresholds, 'Healthy range');
    assert.strictEqual((await item(range)).description, '< 2,000 or > 8,000 · 1 alert');
    const alert = await child(range, 'Weekly learners out of range');
    assert.strictEqual((await item(alert)).description, 'alerts when weekly value < 2,000 or > 8,000 · firing');
    const none = await child(await child(await insightNode('Gradebook views'), 'Thresholds'), 'No thresholds or alerts');
    assert.ok(none);

    // The window is a setting; changing it re-asks PostHog.
    const settings = vscode.workspace.getConfiguration('insightExplorer.posthog');
    await settings.update('trendingDays', 30, vscode.ConfigurationTarget.Global);
    try {
      assert.strictEqual((await item(trending)).description, 'last 30 days');
      const month = await api.tree.getChildren(trending);
      assert.ok(month.length >= top.length);
      assert.ok(fake.requests.some((r) => r.path.endsWith('/insights/trending/') && r.query.days === '30'));
    } finally {
      await settings.update('trendingDays', undefined, vscode.ConfigurationTarget.Global);
    }

    if (ui.available) {
      // A wider sidebar, so descriptions ("alerts when …") are readable in the screenshots.
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      for (let i = 0; i < 6; i++) await vscode.commands.executeCommand('workbench.action.decreaseViewWidth');
      await vscode.commands.executeCommand('workbench.actions.treeView.insightExplorer.sources.collapseAll');
      await api.view.reveal(trending, { expand: true, focus: false, select: false });
      await api.view.reveal(thresholds, { expand: true, focus: false, select: false });
      await api.view.reveal(range, { expand: true, focus: false, select: true });
      await ui.waitForTree('Sources', (t) => JSON.stringify(t.rows).includes('alerts when weekly value'));
      await ui.screenshot('posthog-manage-01-trending-thresholds');
    }
  });

  it('renames, tags and favourites an insight from the tree, through the prompts', async function () {
    requireUi(this);
    const target = named('Logins per day');
    const renaming = vscode.commands.executeCommand('insightExplorer.posthog.rename', await insightNode('Logins per day'));
    const box = await ui.answer({ text: 'Daily logins' });
    assert.strictEqual(box.title, 'Rename “Logins per day”');
    assert.strictEqual(box.value, 'Logins per day', 'the box starts with the current name');
    await renaming;
    assert.strictEqual(target.name, 'Daily logins');
    const renamed = await insightNode('Daily logins');
    assert.strictEqual(await labelOf(renamed), 'Daily logins');

    const tagging = vscode.commands.executeCommand('insightExplorer.posthog.editTags', renamed);
    const tags = await ui.answer({ text: 'engagement, kpi, engagement' });
    assert.strictEqual(tags.value, 'engagement');
    await tagging;
    assert.deepStrictEqual(target.tags, ['engagement', 'kpi']);

    await vscode.commands.executeCommand('insightExplorer.posthog.favorite', await insightNode('Daily logins'));
    assert.strictEqual(target.favorited, true);
    const fav = await item(await insightNode('Daily logins'));
    assert.match(String(fav.contextValue), /^insight:posthog:trends:favorited$/);
    assert.match(String(fav.description), /^★ /);
    await vscode.commands.executeCommand('insightExplorer.posthog.unfavorite', await insightNode('Daily logins'));
    assert.strictEqual(target.favorited, false);
    assert.strictEqual((await item(await insightNode('Daily logins'))).contextValue, 'insight:posthog:trends');
    const patches = fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/insights/${target.id}/`));
    assert.deepStrictEqual(
      patches.map((r) => r.body),
      [{ name: 'Daily logins' }, { tags: ['engagement', 'kpi'] }, { favorited: true }, { favorited: false }],
    );
  });

  it('moves an insight to the trash (PATCH, never DELETE) and restores it with Undo', async function () {
    requireUi(this);
    const target = named('Gradebook views');
    const before = (await api.tree.getChildren(await group('Insights'))).length;
    await vscode.commands.executeCommand('insightExplorer.posthog.trash', await insightNode('Gradebook views'));
    assert.strictEqual(target.deleted, true);
    const kids = await api.tree.getChildren(await group('Insights'));
    assert.strictEqual(kids.length, before - 1);
    assert.ok(!(await Promise.all(kids.map(labelOf))).includes('Gradebook views'));
    const clicked = await ui.notification('Undo', { message: 'to the trash', timeoutMs: 10_000 });
    assert.match(clicked.message, /Moved “Gradebook views” to the trash/);
    await until('the restore', () => target.deleted === false);
    await until('the insight back in the tree', async () =>
      (await Promise.all((await api.tree.getChildren(await group('Insights'))).map(labelOf))).includes('Gradebook views'),
    );
    assert.deepStrictEqual(
      fake.requests.filter((r) => r.path.endsWith(`/insights/${target.id}/`) && r.method !== 'GET').map((r) => [r.method, r.body]),
      [
        ['PATCH', { deleted: true }],
        ['PATCH', { deleted: false }],
      ],
    );
  });

  it('asks before trashing an insight with alerts, saying Undo will not bring them back', async function () {
    requireUi(this);
    // “Logins per day” (two alerts), renamed earlier in this suite.
    const target = fake.insights.find((i) => i.name === 'Daily logins' || i.name === 'Logins per day')!;
    const name = target.name!;
    assert.strictEqual(fake.manage.alertsOf(target.id).length, 2);
    const trashing = vscode.commands.executeCommand('insightExplorer.posthog.trash', await insightNode(name));
    const asked = await ui.notification('Move to Trash', { message: 'alerts will be deleted', timeoutMs: 10_000 });
    assert.strictEqual(asked.message, `Move “${name}” to the trash? Its 2 alerts will be deleted and not restored by Undo.`);
    await trashing;
    assert.strictEqual(target.deleted, true);
    await ui.notification('Undo', { message: `Moved “${name}” to the trash`, timeoutMs: 10_000 });
    await until('the restore', () => target.deleted === false);
    assert.strictEqual(fake.manage.alertsOf(target.id).length, 0, 'PostHog deleted the alerts; Undo restored only the insight');
    // Without alerts now: no question the second time.
    await until('the insight back in the tree', async () => (await Promise.all((await api.tree.getChildren(await group('Insights'))).map(labelOf))).includes(name));
    await vscode.commands.executeCommand('insightExplorer.posthog.trash', await insightNode(name));
    assert.strictEqual(target.deleted, true);
    await ui.notification('Undo', { message: `Moved “${name}” to the trash`, timeoutMs: 10_000 });
    await until('the second restore', () => target.deleted === false);
  });

  it('opens the history of an insight and of the project as read-only documents', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('insightExplorer.posthog.showActivity', {
      sourceId,
      insightId: named('Weekly active learners').id,
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    const text = doc.getText();
    assert.match(text, /^# Activity: Weekly active learners\n/);
    assert.match(text, /— \w+ \w+ updated\n\n- name: “Weekly learners” → “Weekly active learners”\n/);
    assert.match(text, /— \w+ \w+ created\n/);
    assert.strictEqual(doc.languageId, 'markdown');
    const project = await vscode.commands.executeCommand<vscode.Uri>('insightExplorer.posthog.showProjectActivity', { sourceId });
    const all = (await vscode.workspace.openTextDocument(project)).getText();
    assert.match(all, /^# Insight activity: Managed PostHog\n/);
    assert.match(all, /Showing the latest 200 of \d+ changes\./);
    if (ui.available) {
      // The insight's own history, after the rename made earlier in this suite.
      const renamed = await vscode.commands.executeCommand<vscode.Uri>(
        'insightExplorer.posthog.showActivity',
        await insightNode('Daily logins'),
      );
      const doc2 = await vscode.workspace.openTextDocument(renamed);
      assert.match(doc2.getText(), /Dana Okafor updated\n\n- name: “Logins per day” → “Daily logins”/);
      await vscode.window.showTextDocument(doc2, { preview: false });
      await sleep(500);
      await ui.screenshot('posthog-manage-02-activity');
    }
  });

  it('enables the public link from the sharing panel and copies it', async function () {
    requireUi(this);
    const target = named('Course enrollment funnel');
    const sharing = vscode.commands.executeCommand('insightExplorer.posthog.showSharing', await insightNode('Course enrollment funnel'));
    const panel = await ui.answer({ pick: 'Enable public link' });
    assert.strictEqual(panel.title, 'Sharing: Course enrollment funnel');
    assert.ok(panel.items?.includes('Require a password'), `rows: ${panel.items}`);
    const again = await ui.answer({ pick: 'Copy link' });
    assert.ok(again.items?.includes('Disable public link'), `rows after enabling: ${again.items}`);
    await sharing;
    const state = fake.manage.sharing.get(target.id)!;
    assert.strictEqual(state.enabled, true);
    const link = await vscode.env.clipboard.readText();
    assert.strictEqual(link, `${fake.url}/shared/${state.access_token}`);
    assert.strictEqual((await fetch(link)).status, 200, 'the copied link opens the shared insight');
  });

  let queryUri: vscode.Uri;

  it('edits the query as a JSON document and saves it back to PostHog', async () => {
    const target = named('Daily active learners');
    queryUri = await vscode.commands.executeCommand<vscode.Uri>(
      'insightExplorer.posthog.editQuery',
      await insightNode('Daily active learners'),
    );
    assert.strictEqual(queryUri.scheme, 'posthog-query');
    assert.strictEqual(queryUri.path, `/${sourceId}/${target.id}/Daily active learners.query.json`);
    const doc = await vscode.workspace.openTextDocument(queryUri);
    assert.strictEqual(doc.languageId, 'json');
    assert.deepStrictEqual(JSON.parse(doc.getText()), target.query);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), doc.getText().replace('"-30d"', '"-90d"')));
    assert.ok(doc.isDirty);
    assert.strictEqual(await doc.save(), true);
    assert.strictEqual(doc.isDirty, false);
    assert.strictEqual((target.query as { source: { dateRange: { date_from: string } } }).source.dateRange.date_from, '-90d');
    const patch = [...fake.requests].reverse().find((r) => r.method === 'PATCH')!;
    assert.strictEqual(patch.path, `/api/projects/1/insights/${target.id}/`);
    assert.deepStrictEqual(Object.keys(patch.body as object), ['query']);
    assert.deepStrictEqual(vscode.languages.getDiagnostics(queryUri), []);
  });

  it('keeps a refused save dirty and shows PostHog’s validation error where it points', async () => {
    const target = named('Daily active learners');
    const doc = await vscode.workspace.openTextDocument(queryUri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const patchesBefore = fake.requests.filter((r) => r.method === 'PATCH').length;

    // PostHog refuses an unknown kind: not saved, still dirty, a diagnostic on that value.
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), doc.getText().replace('"TrendsQuery"', '"TrendQuery"')));
    assert.strictEqual(await doc.save(), false);
    assert.strictEqual(doc.isDirty, true, 'the user’s text is kept');
    assert.match(doc.getText(), /"TrendQuery"/);
    // Ours only: the JSON language service adds its own for syntax errors.
    const ours = () => vscode.languages.getDiagnostics(queryUri).filter((d) => d.source === 'PostHog');
    let diags = ours();
    assert.strictEqual(diags.length, 1);
    assert.match(diags[0].message, /^PostHog: source\.kind: Unknown query kind “TrendQuery”/);
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('"TrendQuery"'));
    assert.strictEqual(diags[0].range.start.line, line);
    assert.strictEqual(doc.getText(diags[0].range), '"TrendQuery"');
    assert.strictEqual((target.query as { source: { kind: string } }).source.kind, 'TrendsQuery', 'the server kept its query');
    if (ui.available) {
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await sleep(800);
      await ui.screenshot('posthog-manage-03-diagnostic');
    }

    // Invalid JSON never reaches PostHog.
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), '  "broken": ,\n'));
    assert.strictEqual(await doc.save(), false);
    assert.strictEqual(doc.isDirty, true);
    diags = ours();
    assert.strictEqual(diags.length, 1);
    assert.match(diags[0].message, /^Not valid JSON: Unexpected “,”: expected a value\./);
    assert.strictEqual(diags[0].range.start.line, 1);
    assert.strictEqual(fake.requests.filter((r) => r.method === 'PATCH').length, patchesBefore + 1, 'only the first attempt was sent');

    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.strictEqual(doc.isDirty, false);
    assert.match(doc.getText(), /"-90d"/, 'reverted to what PostHog has');
    assert.deepStrictEqual(ours(), [], 'a revert clears the refused save’s diagnostic');
  });

  it('creates a new insight from the current JSON document, and duplicates one', async function () {
    requireUi(this);
    const doc = await vscode.workspace.openTextDocument(queryUri);
    await vscode.window.showTextDocument(doc, { preview: false });
    const count = fake.insights.length;
    const creating = vscode.commands.executeCommand<{ id: number }>('insightExplorer.posthog.newInsightFromDocument');
    const name = await ui.answer({ text: 'Daily learners, 90 days' });
    assert.strictEqual(name.title, 'New Insight (1/2)');
    await ui.answer({ text: 'kpi, daily' });
    const created = (await creating)!;
    assert.strictEqual(fake.insights.length, count + 1);
    const server = fake.insights.find((i) => i.id === created.id)!;
    assert.strictEqual(server.name, 'Daily learners, 90 days');
    assert.deepStrictEqual(server.tags, ['kpi', 'daily']);
    assert.deepStrictEqual(server.query, named('Daily active learners').query);
    assert.strictEqual(await labelOf((await api.tree.getChildren(await group('Insights')))[0]), 'Daily learners, 90 days', 'listed first');

    const duplicating = vscode.commands.executeCommand<{ id: number }>(
      'insightExplorer.posthog.duplicateInsight',
      await insightNode('Video plays by course'),
    );
    const copyName = await ui.answer({ text: 'Video plays by course (copy)' });
    assert.strictEqual(copyName.value, 'Video plays by course (copy)');
    const copy = (await duplicating)!;
    const original = named('Video plays by course');
    const dup = fake.insights.find((i) => i.id === copy.id)!;
    assert.deepStrictEqual([dup.query, dup.tags, dup.description], [original.query, original.tags, original.description]);
  });

  it('cancels a running calculation from the tree with the client query id it was sent with', async () => {
    const opening = vscode.commands.executeCommand('insightExplorer.posthog.openInsight', { sourceId, insightId: 'SLOWQURY' });
    const running = await until('the running fetch', () => api.posthog.adapter.running.list()[0]);
    await until('PostHog calculating', () => fake.requests.some((r) => /\/query\//.test(r.path)));
    const node = await insightNode('Slow: all learner events (async)');
    const ti = await item(node);
    assert.strictEqual(ti.contextValue, 'insight:posthog:trends:running');
    assert.match(String(ti.description), /^calculating… /);
    if (ui.available) {
      await api.view.reveal(node, { focus: false, select: true });
      await ui.waitForTree('Sources', (t) => JSON.stringify(t.rows).includes('calculating'));
      await ui.screenshot('posthog-manage-04-running');
    }
    assert.strictEqual(await vscode.commands.executeCommand('insightExplorer.posthog.cancelQuery', node), true);
    assert.strictEqual(await opening, undefined, 'a cancelled open yields nothing');
    const cancel = await until('the cancel request', () =>
      fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/insights/cancel/')),
    );
    assert.deepStrictEqual(cancel.body, { client_query_id: running.clientQueryId });
    const fetch = fake.requests.find((r) => r.path.includes('/insights/SLOWQURY'))!;
    assert.strictEqual(fetch.query.client_query_id, running.clientQueryId);
    assert.strictEqual(api.posthog.adapter.running.list().length, 0);
    assert.strictEqual((await item(await insightNode('Slow: all learner events (async)'))).contextValue, 'insight:posthog:trends');
  });

  it('refreshes an insight with the chosen mode', async function () {
    requireUi(this);
    const target = named('Weekly active learners');
    const refreshing = vscode.commands.executeCommand<{ insight: { id: number } }>(
      'insightExplorer.posthog.refreshInsight',
      await insightNode('Weekly active learners'),
    );
    const pick = await ui.answer({ pick: 'Use the cached result' });
    assert.deepStrictEqual(pick.items, ['Use the cached result', 'Recalculate now', 'Recalculate in the background']);
    const opened = (await refreshing)!;
    assert.strictEqual(opened.insight.id, target.id);
    const get = [...fake.requests].reverse().find((r) => r.method === 'GET' && r.path.endsWith(`/insights/${target.id}/`))!;
    assert.strictEqual(get.query.refresh, 'force_cache');
  });

  it('filters the Insights group by favourites and by tag on the server', async function () {
    requireUi(this);
    const filtering = vscode.commands.executeCommand('insightExplorer.posthog.filterBy', await group('Insights'));
    const menu = await ui.answer({ pick: 'Favourites only' });
    assert.strictEqual(menu.title, `Filter insights of ${SOURCE_LABEL}`);
    await filtering;
    const insights = await group('Insights');
    const favs = await api.tree.getChildren(insights);
    assert.ok(favs.length > 0);
    assert.match(String((await item(insights)).description), /^★ favourites · \d+$/);
    assert.strictEqual((await item(insights)).contextValue, 'group:posthog:insights:filtered');
    for (const n of favs) assert.match(String((await item(n)).contextValue), /:favorited/);
    assert.ok(fake.requests.some((r) => r.query.favorited === 'true'));

    const byTag = vscode.commands.executeCommand('insightExplorer.posthog.filterBy', insights);
    await ui.answer({ pick: 'Tag…' });
    await ui.answer({ pick: 'kpi' });
    await byTag;
    const both = await group('Insights');
    const kids = await api.tree.getChildren(both);
    assert.match(String((await item(both)).description), /^#kpi · ★ favourites · \d+$/);
    assert.ok(fake.requests.some((r) => r.query.tags === '["kpi"]' && r.query.favorited === 'true'));
    for (const n of kids) {
      const id = Number(n.id.split('/').pop());
      const ins = fake.insights.find((i) => i.id === id)!;
      assert.ok(ins.favorited && ins.tags.includes('kpi'), ins.name ?? '');
    }
    await vscode.commands.executeCommand('insightExplorer.posthog.clearFilter', await group('Insights'));
    assert.strictEqual((await item(await group('Insights'))).contextValue, 'group:posthog:insights');
  });

  it('filters by “Created by me” with PostHog’s JSON list of ids', async function () {
    requireUi(this);
    const filtering = vscode.commands.executeCommand('insightExplorer.posthog.filterBy', await group('Insights'));
    await ui.answer({ pick: 'Created by me' });
    await filtering;
    const insights = await group('Insights');
    const kids = await api.tree.getChildren(insights);
    assert.ok(kids.length > 0);
    assert.match(String((await item(insights)).description), /^created by me · \d+$/);
    const sent = fake.requests.filter((r) => r.path.endsWith('/insights/') && r.query.created_by !== undefined);
    assert.ok(sent.length > 0 && sent.every((r) => r.query.created_by === '[1]'), JSON.stringify(sent.map((r) => r.query.created_by)));
    for (const n of kids) assert.strictEqual(fake.insights.find((i) => i.id === Number(n.id.split('/').pop()))?.created_by.id, 1);
    await vscode.commands.executeCommand('insightExplorer.posthog.clearFilter', insights);
  });

  it('says so when the key may not read its owner, and offers the other filters', async function () {
    requireUi(this);
    await api.services.store.setSecret(sourceId, NO_USER_READ);
    api.services.kinds.get('posthog')!.forget(sourceId);
    try {
      const filtering = vscode.commands.executeCommand('insightExplorer.posthog.filterBy', await group('Insights'));
      const first = await ui.answer({ pick: 'Created by me' });
      assert.ok(first.items?.includes('Created by me'));
      const warned = await until('the warning', async () => (await ui.notifications()).find((n) => /user:read/.test(n.message)));
      assert.match(warned.message, /lacks the user:read scope/);
      // The picker comes back without “Created by me”; the other filters still work.
      const again = await ui.answer({ pick: 'Favourites only' });
      assert.ok(!again.items?.includes('Created by me'), `offered: ${again.items}`);
      assert.ok(again.items?.includes('Favourites only'));
      await filtering;
      const insights = await group('Insights');
      const favs = await api.tree.getChildren(insights);
      assert.ok(favs.length > 0);
      for (const n of favs) assert.match(String((await item(n)).contextValue), /:favorited/);
      assert.match(String((await item(insights)).description), /^★ favourites · \d+$/);
    } finally {
      await api.services.store.setSecret(sourceId, SANDBOX_KEY);
      api.services.kinds.get('posthog')!.forget(sourceId);
    }
  });
});
