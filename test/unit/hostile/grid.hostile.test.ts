/**
 * A very wide table in the real webview (Chromium, the panel's own HTML and CSP): the grid keeps
 * only the columns on screen in each row, so 10,000 columns (the default column limit) cost tens
 * of cells per row, and scrolling sideways draws the columns that come into view.
 */
import * as assert from 'node:assert/strict';
import type { CellValue, ColumnInfo } from '../../../src/protocol';
import { ArrayDataSource } from '../kit/arrayDataSource';
import { until, useWebviewHarness } from '../kit/webviewHarness';

const WIDTH = 10_000;
const ROWS = 100;

describe('hostile: a 10,000-column table in the preview grid', function () {
  this.timeout(120_000);
  const rig = useWebviewHarness();
  const columns: ColumnInfo[] = Array.from({ length: WIDTH }, (_, c) => ({ name: `col${c}`, type: 'string' }));
  const rows: CellValue[][] = Array.from({ length: ROWS }, (_, r) => Array.from({ length: WIDTH }, (_, c) => `r${r}c${c}`));

  it('each row holds only the columns on screen (not 10,000 cells), and scrolling right draws the columns that come into view', async () => {
    const h = await rig.open({ title: 'Wide', subtitle: 'hostile', data: new ArrayDataSource(columns, rows) });
    try {
      // The rows cross to the page through the browser driver's protocol, which is slow for
      // 10,000 values a row (its validator, not the webview): allow for that.
      await until(() => h.reports.find((r) => r.renderedRows > 0), 'first paint', 90_000);
      const cellsInRow = () => h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').count();
      const n = await cellsInRow();
      assert.ok(n > 0 && n < 60, `cells in the first row: ${n}`);
      const total = await h.page.locator('[role=gridcell]').count();
      assert.ok(total < 60 * 80, `cells in the DOM: ${total}`);
      assert.equal(await h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').first().textContent(), 'r0c0');

      // Scroll to the middle of the table: column ~5,000 appears, in its own place.
      const grid = h.page.locator('[role=grid]');
      await grid.evaluate((g) => (g.scrollLeft = g.scrollWidth / 2));
      const mid = await until(async () => {
        const texts = await h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').allTextContents();
        const cols = texts.map((t) => Number(/^r0c(\d+)$/.exec(t)?.[1] ?? -1));
        return cols.some((c) => c > 4_500 && c < 5_500) ? cols : undefined;
      }, 'middle columns drawn', 90_000);
      assert.ok(await cellsInRow() < 60, 'still only the columns on screen');
      // The drawn cells are in column order and consecutive.
      for (let i = 1; i < mid.length; i++) assert.equal(mid[i], mid[i - 1] + 1);
      // A cell sits under its own header.
      const c = mid[Math.floor(mid.length / 2)];
      const head = await h.page.locator(`[role=columnheader][aria-colindex="${c + 1}"]`).boundingBox();
      const cell = await h.page.locator(`[role=row][aria-rowindex="2"] [role=gridcell][aria-colindex="${c + 1}"]`).boundingBox();
      assert.ok(head && cell && Math.abs(head.x - cell.x) < 1, `column ${c} lines up with its header`);
      assert.equal(await h.page.locator(`[role=row][aria-rowindex="2"] [role=gridcell][aria-colindex="${c + 1}"]`).textContent(), `r0c${c}`);
    } finally {
      await h.close();
    }
  });
});
