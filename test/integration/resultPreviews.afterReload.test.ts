// Result previews, phase 2: after Developer: Reload Window, the PostHog, Canvas and Studio
// previews phase 1 left open come back through the panel serializer, their rows streamed again
// from the stored result into the column engine, with their own charts, the chart picker and —
// where the user had chosen "Chart the rows" — the chart controls' query.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { skipBecause } from '../skip';
import { resultPreviewsHandover, type ResultPreviewHandover, type ResultPreviewsHandover } from './resultPreviewsKit';
import { tourShot } from './tourKit';
import { screenshot, waitForReport } from './treeKit';
import { requireUi, ui } from './ui';

describe('Result previews (phase 2: after reload)', function () {
  this.timeout(180_000);
  let api: InsightExplorerApi;
  let h: ResultPreviewsHandover | undefined;

  before(async function () {
    h = resultPreviewsHandover.read();
    if (!h) skipBecause(this, 'phase 1 of the result-previews test left nothing to check (it failed or did not run)');
    api = (await vscode.extensions.getExtension<InsightExplorerApi>('insight-explorer.insight-explorer')!.activate())!;
  });

  after(async () => {
    if (!h) return;
    // Only this suite's tabs: other phase-2 suites check tabs of their own.
    const titles = new Set(h.panels.map((p) => p.title));
    const mine = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => titles.has(t.label));
    await vscode.window.tabGroups.close(mine);
    for (const id of h.sourceIds) await api.services.store.remove(id);
    fs.rmSync(h.dir, { recursive: true, force: true });
    resultPreviewsHandover.remove();
  });

  it('each preview is restored from the stored result, with its charts and statistics', async function () {
    requireUi(this);
    const webviewTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview)
        .map((t) => t.label);
    const deadline = Date.now() + 20_000;
    while (webviewTabs().length < h!.panels.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (const p of h!.panels) assert.ok(webviewTabs().includes(p.title), `${p.title}: its preview tab is back (preview tabs: ${webviewTabs().join(', ')})`);
    const show = async (p: ResultPreviewHandover) => {
      // A webview that is not shown is not loaded: bring its tab to the front, as a user would.
      const group = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.label === p.title))!;
      const index = group.tabs.findIndex((t) => t.input instanceof vscode.TabInputWebview && t.label === p.title);
      await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
      for (let i = 1; i < group.viewColumn; i++) await vscode.commands.executeCommand('workbench.action.focusNextGroup');
      await vscode.commands.executeCommand('workbench.action.openEditorAtIndex', index);
    };
    for (const p of h!.panels) {
      await show(p);
      const r = await waitForReport(api, p.key, (x) => x.totalRows === p.totalRows && x.renderedRows > 0 && x.chart !== null, 60_000);
      assert.deepStrictEqual(r.columns, p.columns, p.title);
      assert.strictEqual(r.chart?.kind ?? null, p.chartKind, p.title);
      assert.deepStrictEqual(r.chartChoices, p.chartChoices, p.title);
      assert.deepStrictEqual(r.chartQuery ?? null, p.chartQuery, `${p.title}: the chart choice is back`);
      assert.deepStrictEqual(r.offers, { export: true, stats: true, chartControls: true }, p.title);
    }
    // The tour's "after reload" shot: the first result (a PostHog insight charted by the rows) back as it was.
    await show(h!.panels[0]);
    // Shown again, the webview is loaded anew: wait until it has painted its rows and chart.
    await ui.waitForWebview((s) => s.rowCount > 2 && s.text.includes('Chart the rows'), { title: h!.panels[0].title });
    await new Promise((r) => setTimeout(r, 500));
    await tourShot('07-after-reload');
    await screenshot('result-previews-restored-after-reload');
  });
});
