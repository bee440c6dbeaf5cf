// Canvas Studio end to end in the real VS Code: add a source with token renewal through the Add
// Source prompts, add perspectives (a bad UUID is refused in the box before any request), open
// Overview and Viewers into the CSV exactly as sent plus a charted preview, filter by role, renew
// an expired token and store the new one, and show 401/403/404 where a person would.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { TreeNode } from '../../src/vscode/tree/nodes';
import type { OpenedStudioInsight } from '../../src/vscode/studio/studioOpen';
import type { OpenedResult } from '../../src/vscode/documents/resultOpener';
import { parseStudioSecret, perspectivesPatch, readPerspectives, serializeStudioSecret } from '../../src/core/sources/studio/options';
import { FORBIDDEN_PERSPECTIVE, StudioFake, startStudioFake } from '../fakes/studio';
import { requireUi, ui } from './ui';
import { clearNotifications, ensureSource, failureOf, labelOf, nodeAt, screenshot, waitForNotification, waitForReport } from './treeKit';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const LABEL = 'Test Studio';

describe('Studio end to end', function () {
  this.timeout(120_000);
  let fake: StudioFake;
  let api: InsightExplorerApi;
  let sourceId: string;
  const open = (node: TreeNode) => vscode.commands.executeCommand<OpenedStudioInsight>('insightExplorer.studio.open', node);
  const [bio, hist] = [0, 1];

  before(async () => {
    fake = await startStudioFake();
    const ext = vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!;
    api = await ext.activate();
    for (const s of api.services.store.list()) if (s.kind === 'studio') await api.services.store.remove(s.id);
    await vscode.commands.executeCommand('workbench.view.extension.insightExplorer');
  });

  after(async () => {
    await fake?.close();
  });

  // Every test after Add Source needs the source, and those after the perspective prompts need the
  // three perspectives that test adds. When a test before did not leave them (it failed, or there
  // is no UI bridge), these hooks put the same state into the store, so each test passes or fails
  // on its own instead of being skipped.
  const ADD_SOURCE = 'adds a Studio source with token renewal through the Add Source prompts';
  const ADDS_PERSPECTIVES = 'refuses a malformed perspective UUID in the input box, before any request';
  let perspectivesEnsured = false;
  beforeEach(async function () {
    const title = this.currentTest?.title ?? '';
    if (title === ADD_SOURCE) return;
    sourceId ??= await ensureSource(
      api,
      { kind: 'studio', label: LABEL, baseUrl: fake.url, options: { perspectives: '[]' } },
      serializeStudioSecret({ accessToken: fake.token, refreshToken: fake.refreshToken, clientId: fake.clientId, clientSecret: fake.clientSecret }),
    );
    if (title === ADDS_PERSPECTIVES || perspectivesEnsured) return;
    perspectivesEnsured = true;
    const list = readPerspectives(api.services.store.get(sourceId)!);
    const wanted = [fake.perspectives[bio], fake.perspectives[hist], { uuid: FORBIDDEN_PERSPECTIVE.toLowerCase(), label: 'Medicine · restricted' }];
    for (const p of wanted) if (!list.some((x) => x.uuid === p.uuid.toLowerCase())) list.push({ uuid: p.uuid.toLowerCase(), label: p.label });
    await api.services.store.update(sourceId, { options: perspectivesPatch(list) });
    api.tree.refresh();
  });

  it('adds a Studio source with token renewal through the Add Source prompts', async function () {
    requireUi(this);
    const done = vscode.commands.executeCommand<string>('insightExplorer.addSource');
    await ui.answer({ pick: 'Canvas Studio' });
    // The API root is accepted and stored as the site.
    const url = await ui.answer({ text: `${fake.url}/api/public/v1` });
    assert.strictEqual(url.title, 'Add Source (2/5)');
    await ui.answer({ text: LABEL });
    const token = await ui.answer({ text: fake.token, password: true });
    assert.strictEqual(token.password, true);
    assert.strictEqual(token.title, 'Add Source (4/5)');
    await ui.answer({ pick: 'Renew automatically…' });
    const refresh = await ui.answer({ text: fake.refreshToken, password: true });
    assert.strictEqual(refresh.password, true);
    const clientId = await ui.answer({ text: fake.clientId });
    assert.strictEqual(clientId.password, false);
    const clientSecret = await ui.answer({ text: fake.clientSecret, password: true });
    assert.strictEqual(clientSecret.password, true);
    sourceId = (await done)!;
    assert.ok(sourceId);

    const source = api.services.store.get(sourceId)!;
    assert.strictEqual(source.kind, 'studio');
    assert.strictEqual(source.baseUrl, fake.url);
    const secret = parseStudioSecret((await api.services.store.getSecret(sourceId))!);
    assert.deepStrictEqual(secret, {
      accessToken: fake.token,
      refreshToken: fake.refreshToken,
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      tokenUrl: undefined,
    });
    const listed = JSON.stringify(api.services.store.list());
    for (const s of [fake.token, fake.refreshToken, fake.clientSecret]) assert.ok(!listed.includes(s), 'secrets only in SecretStorage');
    assert.ok(
      fake.requests.some((r) => r.hasAuthorization && r.path.includes('/insights/overview')),
      'the connection test asked Studio with the token',
    );
  });

  it('refuses a malformed perspective UUID in the input box, before any request', async function () {
    requireUi(this);
    const before = fake.requests.length;
    const adding = vscode.commands.executeCommand<string>('insightExplorer.studio.addPerspective', { sourceId });
    const bad = await ui.answer({ text: '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e5' });
    assert.match(bad.after.validationMessage ?? '', /not a UUID/);
    assert.strictEqual(bad.after.visible, true, 'the box stays open');
    // A pasted Studio page URL holding the UUID is accepted.
    await ui.answer({ text: `https://school.instructuremedia.com/insights/perspectives/${fake.perspectives[bio].uuid}?tab=overview` });
    await ui.answer({ text: fake.perspectives[bio].label });
    assert.strictEqual(await adding, fake.perspectives[bio].uuid);
    assert.strictEqual(fake.requests.length, before, 'no request was made while adding');

    for (const p of [fake.perspectives[hist], { uuid: FORBIDDEN_PERSPECTIVE.toUpperCase(), label: 'Medicine · restricted' }]) {
      const more = vscode.commands.executeCommand<string>('insightExplorer.studio.addPerspective', { sourceId });
      await ui.answer({ text: p.uuid });
      await ui.answer({ text: p.label });
      assert.strictEqual(await more, p.uuid.toLowerCase());
    }
  });

  it('expands perspectives into Overview and Viewers with their role filters', async function () {
    const source = await nodeAt(api, LABEL);
    const perspectives = await api.tree.getChildren(source);
    assert.deepStrictEqual(await Promise.all(perspectives.map((p) => labelOf(api, p))), [
      fake.perspectives[bio].label,
      fake.perspectives[hist].label,
      'Medicine · restricted',
    ]);
    const kids = await api.tree.getChildren(perspectives[0]);
    assert.deepStrictEqual(await Promise.all(kids.map((k) => labelOf(api, k))), ['Overview', 'Viewers']);
    assert.strictEqual((await api.tree.getTreeItem(kids[0])).description, 'all roles');
    if (ui.available) {
      await api.view.reveal(kids[1], { expand: true, focus: false, select: true });
      await ui.waitForTree('Sources', (t) => t.items.some((i) => i.includes('Viewers')));
      await screenshot('studio-01-tree');
    }
  });

  it('draws Studio items with the generic node: capability tokens in the menus key, a click that runs the one Open, Copy Id', async function () {
    const uuid = fake.perspectives[bio].uuid;
    const overview = await nodeAt(api, LABEL, fake.perspectives[bio].label, 'Overview');
    const item = await api.tree.getTreeItem(overview);
    assert.strictEqual(item.contextValue, 'studio:insight:overview;open;openRaw;');
    assert.strictEqual(item.command?.command, 'insightExplorer.open');
    const opened = (await vscode.commands.executeCommand<OpenedResult>('insightExplorer.open', overview))!;
    assert.ok(fs.readFileSync(opened.file).equals(fake.csv('overview', uuid)), 'stored exactly as sent');
    assert.strictEqual(opened.tables.length, 1);
    assert.strictEqual(opened.tables[0].rows, 28);
    assert.deepStrictEqual(opened.tables[0].charts, ['line']);
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.renderedRows > 0);
    assert.strictEqual(r.totalRows, 28);
    const perspective = await nodeAt(api, LABEL, fake.perspectives[bio].label);
    assert.strictEqual((await api.tree.getTreeItem(perspective)).contextValue, 'studio:perspective;copyId;');
    assert.strictEqual(await vscode.commands.executeCommand<string>('insightExplorer.copyId', perspective), uuid);
    assert.strictEqual(await vscode.env.clipboard.readText(), uuid);
  });

  it('opens the overview: the CSV byte for byte, and viewership over time as a line chart', async function () {
    const opened = (await open(await nodeAt(api, LABEL, fake.perspectives[bio].label, 'Overview')))!;
    const sent = fake.csv('overview', fake.perspectives[bio].uuid);
    assert.ok(fs.readFileSync(opened.file).equals(sent), 'stored exactly as sent (BOM, CRLF)');
    const doc = await vscode.workspace.openTextDocument(opened.csvUri);
    // VS Code keeps a document's BOM outside its text; everything else is the CSV as sent.
    assert.strictEqual(doc.getText(), sent.toString('utf8').replace(/^\uFEFF/, ''));
    assert.strictEqual(doc.eol, vscode.EndOfLine.CRLF);
    assert.strictEqual(doc.lineAt(0).text, 'Date,Views,Unique Viewers,Minutes Viewed');
    assert.strictEqual(opened.rows, 28);
    const r = await waitForReport(api, opened.previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(r.chart?.kind, 'line');
    assert.strictEqual(r.chart?.series, 2, 'views and unique viewers');
    assert.strictEqual(r.chart?.points, 28);
    assert.deepStrictEqual(r.columns, ['Date', 'Views', 'Unique Viewers', 'Minutes Viewed']);
    if (ui.available) {
      await ui.waitForWebview((s) => s.text.includes('Viewership over time') && s.rowCount > 2);
      await screenshot('studio-02-overview-chart');
    }
  });

  it('an overview of positions in the video charts them on a position axis in seconds, never as dates', async function () {
    const opened = (await open(await nodeAt(api, LABEL, fake.perspectives[hist].label, 'Overview')))!;
    assert.ok(fs.readFileSync(opened.file).equals(fake.csv('overview', fake.perspectives[hist].uuid)), 'stored exactly as sent');
    assert.deepStrictEqual(opened.specs, ['line']);
    const r = await waitForReport(api, opened.previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(r.chart?.kind, 'line');
    assert.strictEqual(r.chart?.points, 41, 'one point per 30 s of the video');
    assert.strictEqual(r.chart?.title, 'Viewership through the video');
    if (ui.available) {
      const w = await ui.waitForWebview((st) => st.text.includes('Viewership through the video'));
      assert.ok(w.text.includes('Position (s) (seconds into the video)'), 'the axis names its unit');
      assert.ok(!w.text.includes('Viewership over time'));
      await screenshot('studio-02b-position-chart');
    }
  });

  it('opens Viewers: names with commas and quotes intact, completion rates as a histogram', async function () {
    const opened = (await open(await nodeAt(api, LABEL, fake.perspectives[hist].label, 'Viewers')))!;
    const sent = fake.csv('users', fake.perspectives[hist].uuid);
    assert.ok(fs.readFileSync(opened.file).equals(sent));
    assert.strictEqual((await vscode.workspace.openTextDocument(opened.csvUri)).getText(), sent.toString('utf8'));
    assert.strictEqual(opened.rows, sent.toString('utf8').trim().split('\n').length - 1);
    assert.deepStrictEqual(opened.specs, ['histogram']);
    const r = await waitForReport(api, opened.previewKey, (x) => x.renderedRows > 0 && x.chart !== null);
    assert.strictEqual(r.chart?.kind, 'histogram');
    assert.strictEqual(r.chart?.points, 10, 'ten 10% bins');
    if (ui.available) {
      await ui.waitForWebview((s) => s.text.includes('Completion rates'));
      await screenshot('studio-03-completion-histogram');
    }
  });

  it('filters Viewers by role through Set Role Filter…', async function () {
    requireUi(this);
    let viewers = await nodeAt(api, LABEL, fake.perspectives[bio].label, 'Viewers');
    const setting = vscode.commands.executeCommand<string>('insightExplorer.studio.setRole', viewers);
    const pick = await ui.answer({ pick: 'student' });
    assert.ok(pick.items?.includes('All roles') && pick.items.includes('Other role…'));
    assert.strictEqual(await setting, 'student');
    viewers = await nodeAt(api, LABEL, fake.perspectives[bio].label, 'Viewers');
    assert.strictEqual((await api.tree.getTreeItem(viewers)).description, 'role: student');
    fake.requests.length = 0;
    const opened = (await open(viewers))!;
    assert.ok(fake.requests.some((x) => x.path.endsWith('/insights/users') && x.query.role === 'student'));
    const sent = fake.csv('users', fake.perspectives[bio].uuid, 'student');
    assert.ok(fs.readFileSync(opened.file).equals(sent));
    const r = await waitForReport(api, opened.previewKey, (x) => x.renderedRows > 0);
    assert.strictEqual(r.totalRows, opened.rows);
    assert.ok(r.firstRowTexts.every((row) => row.includes('Student')));
    // Back to all roles.
    const clearing = vscode.commands.executeCommand<string>('insightExplorer.studio.setRole', viewers);
    await ui.answer({ pick: 'All roles' });
    assert.strictEqual(await clearing, '');
  });

  it('renews an expired token with the refresh token and stores the new tokens', async function () {
    fake.expireAccessToken();
    const opened = (await open(await nodeAt(api, LABEL, fake.perspectives[bio].label, 'Overview')))!;
    assert.ok(opened.rows > 0);
    assert.strictEqual(fake.refreshes(), 1);
    const stored = parseStudioSecret((await api.services.store.getSecret(sourceId))!);
    assert.strictEqual(stored.accessToken, fake.token);
    assert.strictEqual(stored.refreshToken, fake.refreshToken, 'the rotated refresh token is kept');
    assert.strictEqual(stored.clientSecret, fake.clientSecret);
    if (ui.available) await ui.waitForWebview((st) => st.text.includes('Viewership over time') && st.rowCount > 2);
  });

  it('explains a 403 perspective and a 404 one', async function () {
    await clearNotifications();
    assert.match(
      await failureOf(api, open(await nodeAt(api, LABEL, 'Medicine · restricted', 'Overview'))),
      /denied access to the insights of perspective c0ffee00.*may not view them/,
    );
    if (ui.available) {
      const n = await waitForNotification(/may not view them/);
      // The token works; its user lacks the right: Set Credentials cannot help, the docs can.
      assert.deepStrictEqual(n.buttons, ['Permission Docs', 'Show Log']);
      await new Promise((r) => setTimeout(r, 600)); // let the toast finish sliding in
      await ui.screenshot('studio-04-forbidden');
    }
    assert.match(
      await failureOf(
        api,
        vscode.commands.executeCommand('insightExplorer.studio.open', {
          sourceId,
          perspective: '11111111-2222-4333-8444-555555555555',
          insight: 'users',
        }),
      ),
      /no perspective 11111111-2222-4333-8444-555555555555 \(404\): check the perspective UUID/,
    );
  });

  it('offers Set Credentials… when Studio refuses the token', async function () {
    requireUi(this);
    const setting = vscode.commands.executeCommand('insightExplorer.setCredentials', { sourceId });
    await ui.answer({ text: 'studio-revoked-token-000', password: true });
    await ui.answer({ pick: 'No renewal' });
    await setting;
    await clearNotifications();
    assert.match(
      await failureOf(api, open(await nodeAt(api, LABEL, fake.perspectives[bio].label, 'Overview'))),
      /refused the access token \(401\)/,
    );
    const n = await waitForNotification(/^Studio refused the access token/);
    assert.ok(n.buttons.includes('Set Credentials…'));
    assert.ok(!n.message.includes('studio-revoked'));
    const fixing = vscode.commands.executeCommand('insightExplorer.setCredentials', { sourceId });
    await ui.answer({ text: fake.token, password: true });
    await ui.answer({ pick: 'No renewal' });
    await fixing;
    assert.ok((await open(await nodeAt(api, LABEL, fake.perspectives[bio].label, 'Overview')))!.rows > 0);
  });

  it('tests the connection, renames, and removes a perspective and the source', async function () {
    requireUi(this);
    const message = await vscode.commands.executeCommand<string>('insightExplorer.testConnection', { sourceId });
    assert.match(message ?? '', /Connected to Studio at 127\.0\.0\.1:\d+: “BIO 101 · Lecture recordings” overview is \d+ bytes/);

    await vscode.commands.executeCommand('insightExplorer.studio.removePerspective', await nodeAt(api, LABEL, 'Medicine · restricted'));
    assert.strictEqual((await api.tree.getChildren(await nodeAt(api, LABEL))).length, 2);

    const editing = vscode.commands.executeCommand('insightExplorer.editSource', { sourceId });
    await ui.answer({ pick: 'Name' });
    await ui.answer({ text: 'Studio (renamed)' });
    await editing;
    assert.strictEqual(api.services.store.get(sourceId)!.label, 'Studio (renamed)');

    const removing = vscode.commands.executeCommand('insightExplorer.removeSource', { sourceId });
    await ui.answer({ pick: 'Remove' });
    await removing;
    assert.strictEqual(api.services.store.get(sourceId), undefined);
    assert.strictEqual(await api.services.store.getSecret(sourceId), undefined);
  });
});
