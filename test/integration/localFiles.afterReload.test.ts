// Local files, phase 2: the runner reloaded the window (same user data). VS Code restores the
// preview panel phase 1 left open through the extension's WebviewPanelSerializer; the file is read
// again, and the webview's saved state brings back the sort, the filter, the chart choice and the
// scroll position.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { ROWS, readHandover, removeHandover, type LocalHandover } from './localFilesKit';
import { screenshot, waitForReport } from './treeKit';
import { skipBecause } from '../skip';
import { requireUi, ui } from './ui';

describe('Local files in the preview (phase 2: after reload)', function () {
  this.timeout(180_000);
  let api: InsightExplorerApi;
  let h: LocalHandover | undefined;

  before(async function () {
    h = readHandover();
    if (!h) skipBecause(this, 'phase 1 left no local-file handover to check (its failure is reported above)');
    api = await vscode.extensions.getExtension<InsightExplorerApi>('insight-explorer.insight-explorer')!.activate();
  });

  after(async () => {
    if (!h) return;
    // Only this suite's tabs: other phase-2 suites check tabs of their own after this one.
    const mine = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('views.csv.gz'));
    await vscode.window.tabGroups.close(mine);
    fs.rmSync(h.dir, { recursive: true, force: true });
    removeHandover();
  });

  it('restores the panel with its sort, filter, chart and scroll position', async function () {
    requireUi(this);
    // Earlier phase-2 suites may have opened editors over it: click its tab, as a user would (a
    // webview that is not shown is not loaded).
    await ui.click({ selector: '.tabs-container .tab[aria-label^="views.csv.gz"]' });
    const r = await waitForReport(
      api,
      h!.key,
      (x) => x.totalRows === ROWS && x.rowsInView === h!.rowsInView && (x.mode === 'chart' || x.renderedRows > 0) && x.chart !== null && !!x.chartQuery,
      150_000,
    );
    assert.deepStrictEqual(r.sort, h!.sort);
    assert.deepStrictEqual(r.filters, h!.filters);
    assert.deepStrictEqual(r.chartQuery, h!.chartQuery);
    assert.strictEqual(r.chart?.kind, h!.chartKind);
    assert.strictEqual(r.mode, h!.mode);
    assert.ok(Math.abs(r.firstRowIndex - h!.firstRowIndex) <= 2, `scrolled back to row ${h!.firstRowIndex}: at ${r.firstRowIndex}`);
    const n = h!.rowsInView.toLocaleString('en-US');
    // The footer says where the grid is: near the end of the view, as left before the reload (the
    // last row shows when the restored panel is as tall as before; a shorter one ends a few rows up).
    await ui.waitForWebview((s) => s.text.includes(`filtered to ${n}`) && new RegExp(`Rows [\\d,]+–[\\d,]+ of ${n}`).test(s.text), {
      title: 'views.csv.gz',
    });
    await screenshot('preview-restored-after-reload');
  });
});
