// The HogQL workbench in the real VS Code against the PostHog fake's query API: a .hogql document
// from a PostHog source, PostHog's diagnostics at the misspelt field, a run whose rows reach the
// preview, a result PostHog may have cut that says so, a document that names no source (asked,
// then written as its first line), and Cancel, which also cancels the query on PostHog.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { HogQLRun } from '../../src/vscode/posthog/hogqlWorkbench';
import { PostHogFake, startPostHogFake } from '../fakes/posthog';
import { TestUserInput } from '../unit/kit/testUserInput';
import { ensureSource, labelOf, screenshot, waitForNotification, waitForReport } from './treeKit';
import { requireUi, ui } from './ui';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const LABEL = 'HogQL PostHog';

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('HogQL workbench', function () {
  this.timeout(120_000);
  let fake: PostHogFake;
  let api: InsightExplorerApi;
  let sourceId: string;
  let doc: vscode.TextDocument;

  const setText = async (text: string) => {
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text));
  };
  const run = () => vscode.commands.executeCommand<HogQLRun>('insightExplorer.posthog.runHogQL', { uri: doc.uri });

  before(async () => {
    fake = await startPostHogFake();
    api = (await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate())!;
    sourceId = await ensureSource(api, { kind: 'posthog', label: LABEL, baseUrl: fake.url, options: { projectId: String(fake.projectId) } }, fake.apiKey);
    // A second PostHog source, so a document that names none has to ask which.
    await ensureSource(api, { kind: 'posthog', label: `${LABEL} (other)`, baseUrl: fake.url, options: { projectId: String(fake.projectId) } }, fake.apiKey);
  });
  after(async () => {
    api.setUserInput(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Other files' tests count and pick sources: leave none of these behind.
    for (const s of api.services.store.list()) if (s.label === LABEL || s.label === `${LABEL} (other)`) await api.services.store.remove(s.id);
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('opens a .hogql document for a PostHog source, named in its first line', async () => {
    doc = (await vscode.commands.executeCommand<vscode.TextDocument>('insightExplorer.posthog.newHogQLQuery', { sourceId }))!;
    assert.strictEqual(doc.languageId, 'hogql');
    assert.strictEqual(doc.lineAt(0).text, `-- source: ${LABEL}`);
    assert.match(doc.getText(), /SELECT event, count\(\) AS events/);
  });

  it("underlines a misspelt field with PostHog's message", async () => {
    await setText(`-- source: ${LABEL}\nSELECT evnt, timestamp FROM events LIMIT 5`);
    const diags = await until('a diagnostic', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length > 0 ? d : undefined;
    });
    assert.strictEqual(diags.length, 1, JSON.stringify(diags.map((d) => d.message)));
    assert.strictEqual(diags[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(diags[0].message, /evnt/);
    assert.strictEqual(doc.getText(diags[0].range), 'evnt');
    if (ui.available) await screenshot('hogql-01-diagnostic');
    // Fixed: the diagnostic goes.
    await setText(`-- source: ${LABEL}\nSELECT event, timestamp FROM events LIMIT 5`);
    await until('no diagnostics', () => (vscode.languages.getDiagnostics(doc.uri).length === 0 ? true : undefined));
  });

  it('completes field names from the project schema and shows a field type on hover', async () => {
    await setText(`-- source: ${LABEL}\nSELECT times FROM events LIMIT 5`);
    const at = doc.positionAt(doc.getText().indexOf('times') + 5);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('timestamp'), `completions: ${labels.slice(0, 30).join(', ')}`);
    assert.ok(labels.includes('events'), 'tables are offered too');
    const ts = list.items.find((i) => i.label === 'timestamp')!;
    assert.match(String(ts.detail), /datetime.*events/i);
    if (ui.available) {
      // As a user sees it: the suggest widget at the cursor, with the field's type.
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      editor.selection = new vscode.Selection(at, at);
      await vscode.commands.executeCommand('editor.action.triggerSuggest');
      await new Promise((r) => setTimeout(r, 1500));
      await screenshot('hogql-03-completion');
      await vscode.commands.executeCommand('hideSuggestWidget');
    }
    await setText(`-- source: ${LABEL}\nSELECT timestamp FROM events LIMIT 5`);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(doc.getText().indexOf('timestamp') + 2));
    // As rendered: the hover's Markdown with its escapes undone.
    const text = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
      .join('\n')
      .replace(/&nbsp;/g, ' ')
      .replace(/\\(.)/g, '$1');
    assert.match(text, /timestamp: datetime \(events\)/i);
  });

  it('runs the statement under the cursor and shows every row in the preview', async () => {
    await setText(`-- source: ${LABEL}\nSELECT event, count() AS events FROM events GROUP BY event ORDER BY events DESC LIMIT 100;\nSELECT 1 FROM events LIMIT 1`);
    const opened = (await run())!;
    // Independent expectation from the fake's table: one row per event name, the largest first.
    const byEvent = new Map<string, number>();
    for (const e of fake.hogql.events) byEvent.set(e.event, (byEvent.get(e.event) ?? 0) + 1);
    const biggest = [...byEvent.entries()].sort((a, b) => b[1] - a[1])[0];
    assert.strictEqual(opened.rows, byEvent.size);
    assert.strictEqual(opened.capped, false);
    assert.deepStrictEqual(opened.tables[0].columns, ['event', 'events']);
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.totalRows === byEvent.size && x.renderedRows > 0);
    assert.strictEqual(r.firstRowTexts[0][0], biggest[0]);
    assert.strictEqual(Number(r.firstRowTexts[0][1].replace(/[^\d]/g, '')), biggest[1]);
    assert.strictEqual(r.offers?.chartControls, true, 'the preview has chart controls');
    if (ui.available) {
      await waitForReport(api, opened.tables[0].previewKey, (x) => x.chart !== null);
      await screenshot('hogql-02-results');
    }
    assert.ok(fake.hogql.queries.some((q) => /GROUP BY event/.test(q) && !/SELECT 1/.test(q)), 'only the first statement was sent');
  });

  it('says when PostHog may have cut the result: no LIMIT returns 100 rows with hasMore', async () => {
    await setText(`-- source: ${LABEL}\nSELECT uuid, event, timestamp FROM events`);
    const opened = (await run())!;
    assert.strictEqual(opened.rows, 100);
    assert.strictEqual(opened.hasMore, true);
    assert.strictEqual(opened.capped, true);
  });

  it('past the 50,000-row cap the warning offers Fetch All, which pages by time to every row, never with OFFSET', async function () {
    requireUi(this);
    await setText(`-- source: ${LABEL}\nSELECT uuid, event, timestamp FROM events ORDER BY timestamp LIMIT 60000`);
    const opened = (await run())!;
    assert.strictEqual(opened.rows, 50_000, 'PostHog cut the LIMIT to 50,000');
    assert.strictEqual(opened.capped, true);
    const toast = await ui.notification('Fetch All', { message: '50,000 rows shown', timeoutMs: 20_000 });
    assert.match(toast.message, /PostHog caps a query there/);
    const all = fake.hogql.events.length;
    assert.ok(all > 50_000, `the fake holds ${all} events`);
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.totalRows === all, 120_000);
    assert.strictEqual(r.totalRows, all);
    assert.ok(fake.hogql.queries.length >= 3, `queries: ${fake.hogql.queries.length}`);
    assert.ok(fake.hogql.queries.every((q) => !/\bOFFSET\b/i.test(q)), 'never OFFSET');
  });

  it('asks which source when the document names none, and writes it as the first line', async () => {
    const other = await vscode.workspace.openTextDocument({ language: 'hogql', content: 'SELECT event FROM events LIMIT 3' });
    await vscode.window.showTextDocument(other);
    const input = new TestUserInput([{ pick: LABEL }]);
    api.setUserInput(input);
    try {
      const opened = await vscode.commands.executeCommand<HogQLRun>('insightExplorer.posthog.runHogQL', { uri: other.uri });
      input.assertDone();
      assert.strictEqual(input.shown[0].prompt, 'Pick a source');
      assert.strictEqual(opened?.rows, 3);
      assert.strictEqual(other.lineAt(0).text, `-- source: ${LABEL}`);
    } finally {
      api.setUserInput(undefined);
    }
  });

  it('lists the tables and fields HogQL can use under Schema, and opens a starter query of a table', async () => {
    const source = (await api.tree.getChildren()).find((n) => n.id === `/source/${sourceId}`)!;
    const groups = await api.tree.getChildren(source);
    const schema = groups.find((g) => g.id.endsWith('/schema'))!;
    assert.strictEqual(await labelOf(api, schema), 'Schema');
    const tables = await api.tree.getChildren(schema);
    const names = await Promise.all(tables.map((t) => labelOf(api, t)));
    assert.ok(['events', 'persons', 'sessions'].every((t) => names.includes(t)), `tables: ${names.join(', ')}`);
    const events = tables[names.indexOf('events')];
    const fields = await Promise.all((await api.tree.getChildren(events)).map((f) => labelOf(api, f)));
    assert.ok(fields.includes('timestamp: datetime'), `fields: ${fields.join(', ')}`);
    const starter = await vscode.commands.executeCommand<vscode.TextDocument>('insightExplorer.posthog.queryTable', events);
    assert.strictEqual(starter.languageId, 'hogql');
    const lines = starter.getText().split('\n');
    assert.strictEqual(lines[0], `-- source: ${LABEL}`);
    assert.match(lines[1], /^SELECT uuid, event, properties, timestamp\b/);
    assert.deepStrictEqual(lines.slice(2), ['FROM events', 'LIMIT 100', '']);
    // The starter runs as it is.
    const ran = (await vscode.commands.executeCommand<HogQLRun>('insightExplorer.posthog.runHogQL', { uri: starter.uri }))!;
    assert.strictEqual(ran.rows, 100);
  });

  it('keeps every run in Query History: the text opens again, and the rows without a request', async () => {
    await setText(`-- source: ${LABEL}\nSELECT event, timestamp FROM events ORDER BY timestamp LIMIT 7`);
    const opened = (await run())!;
    const source = (await api.tree.getChildren()).find((n) => n.id === `/source/${sourceId}`)!;
    const history = (await api.tree.getChildren(source)).find((g) => g.id.endsWith('/history'))!;
    assert.strictEqual(await labelOf(api, history), 'Query History');
    const [latest] = await api.tree.getChildren(history);
    const item = await api.tree.getTreeItem(latest);
    assert.strictEqual(item.label, 'SELECT event, timestamp FROM events ORDER BY timestamp LIMIT 7');
    assert.match(String(item.description), /^7 rows · \d+\.\d s · just now$/);
    const again = await vscode.commands.executeCommand<vscode.TextDocument>('insightExplorer.posthog.reopenHogQL', latest);
    assert.strictEqual(again.getText(), `-- source: ${LABEL}\nSELECT event, timestamp FROM events ORDER BY timestamp LIMIT 7\n`);
    const before = fake.hogql.queries.length;
    assert.strictEqual(await vscode.commands.executeCommand<boolean>('insightExplorer.posthog.openHogQLResult', latest), true);
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.totalRows === 7);
    assert.strictEqual(r.totalRows, 7);
    assert.strictEqual(fake.hogql.queries.length, before, 'no request');
  });

  it('saves the query as a PostHog insight (a SQL insight around the HogQL query), listed first under Insights', async () => {
    await setText(`-- source: ${LABEL}\nSELECT event, count() AS events FROM events GROUP BY event LIMIT 10`);
    const saved = (await vscode.commands.executeCommand<{ id: number; name: string }>('insightExplorer.posthog.saveHogQLAsInsight', {
      uri: doc.uri,
      name: 'Events by name (HogQL)',
    }))!;
    const stored = fake.insights.find((i) => i.id === saved.id)!;
    assert.strictEqual(stored.name, 'Events by name (HogQL)');
    assert.deepStrictEqual(stored.query, { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'SELECT event, count() AS events FROM events GROUP BY event LIMIT 10' } });
    const source = (await api.tree.getChildren()).find((n) => n.id === `/source/${sourceId}`)!;
    const insights = (await api.tree.getChildren(source)).find((g) => g.id.endsWith('/insights'))!;
    const [first] = await api.tree.getChildren(insights);
    assert.strictEqual(await labelOf(api, first), 'Events by name (HogQL)');
  });

  it('Cancel stops a running query and cancels it on PostHog (DELETE)', async () => {
    fake.hogql.asyncPolls = 10_000;
    await setText(`-- source: ${LABEL}\nSELECT uuid FROM events LIMIT 10`);
    const running = run();
    await until('the query to start on PostHog', () => (fake.hogql.runningCount > 0 ? true : undefined));
    const cancelled = await vscode.commands.executeCommand<number>('insightExplorer.posthog.cancelHogQL', { uri: doc.uri });
    assert.strictEqual(cancelled, 1);
    assert.strictEqual(await running, undefined);
    await until('the DELETE', () => (fake.hogql.cancelled.length === 1 ? true : undefined));
  });
});

describe('HogQL Fetch All at 1,000,000 rows', function () {
  this.timeout(300_000);
  const label = 'HogQL PostHog (1M events)';
  let fake: PostHogFake;
  let api: InsightExplorerApi;
  let doc: vscode.TextDocument;

  before(async function () {
    requireUi(this);
    fake = await startPostHogFake({ hogql: { eventCount: 1_000_000 } });
    api = (await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate())!;
    await ensureSource(api, { kind: 'posthog', label, baseUrl: fake.url, options: { projectId: String(fake.projectId) } }, fake.apiKey);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const s of api?.services.store.list() ?? []) if (s.label === label) await api.services.store.remove(s.id);
    await fake?.close();
  });

  it('fetches every one of 1,000,000 events into the preview across time slices of at most 50,000, at most 40 queries, never OFFSET', async () => {
    doc = await vscode.workspace.openTextDocument({
      language: 'hogql',
      content: `-- source: ${label}\nSELECT uuid, event, distinct_id, timestamp FROM events ORDER BY timestamp LIMIT 1000000`,
    });
    await vscode.window.showTextDocument(doc);
    const opened = (await vscode.commands.executeCommand<HogQLRun>('insightExplorer.posthog.runHogQL', { uri: doc.uri }))!;
    assert.strictEqual(opened.rows, 50_000, 'PostHog cut the LIMIT to 50,000');
    const before = fake.hogql.queries.length;
    await ui.notification('Fetch All', { message: '50,000 rows shown', timeoutMs: 20_000 });
    const r = await waitForReport(api, opened.tables[0].previewKey, (x) => x.totalRows === 1_000_000 && x.renderedRows > 0, 240_000);
    assert.strictEqual(r.totalRows, 1_000_000);
    assert.deepStrictEqual(r.columns, ['uuid', 'event', 'distinct_id', 'timestamp']);
    // Its CSV is past VS Code's 50 MB editor limit: no tab, a note instead of VS Code's error.
    const note = await waitForNotification(/too large for an editor tab/, 20_000);
    assert.match(note.message, /the \d+ MB CSV is too large for an editor tab .*The preview shows every row/);
    const pages = fake.hogql.queries.slice(before);
    assert.ok(pages.length >= 20 && pages.length <= 40, `${pages.length} queries for 1,000,000 rows`);
    assert.ok(pages.every((q) => !/\bOFFSET\b/i.test(q)), 'never OFFSET');
    // The first page, the count per day, then slices bounded on both sides (the last one open).
    assert.match(pages[1], /SELECT toDate\(timestamp\) AS day, count\(\) AS n/);
    const bounded = pages.filter((q) => /timestamp >= toDateTime64\([^)]*\) AND timestamp < toDateTime64/.test(q));
    assert.ok(bounded.length >= 15, `${bounded.length} bounded time slices`);
    const limits = pages.map((q) => Number(/LIMIT (\d+)\s*$/.exec(q)?.[1]));
    assert.ok(limits.slice(0, -1).every((n) => n === 50_000) && limits[limits.length - 1] <= 50_000, `page sizes ${JSON.stringify(limits)}`);
    // The first rows are the table's first events, in time order.
    assert.strictEqual(r.firstRowTexts[0][0], fake.hogql.events[0].uuid);
  });
});
