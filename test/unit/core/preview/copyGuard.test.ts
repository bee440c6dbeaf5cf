/**
 * Copy as TSV in the real webview (Chromium), through the host session: formula-like text cells
 * get the formula guard unless the setting is off, numbers never do, and a lone CR, CRLF or tab
 * inside a cell stays inside its quoted cell.
 */
import * as assert from 'node:assert/strict';
import Papa from 'papaparse';
import type { CellValue, ColumnInfo } from '../../../../src/protocol';
import { ArrayDataSource } from '../../kit/arrayDataSource';
import type { PreviewContent } from '../../../../src/core/preview/session';
import { until, useWebviewHarness, type Harness } from '../../kit/webviewHarness';

const COLUMNS: ColumnInfo[] = [
  { name: 'label', type: 'string' },
  { name: 'n', type: 'number' },
];
const ROWS: CellValue[][] = [
  ['=cmd', -5],
  ['@SUM(A1)', 3],
  ['a\rb', 1.5],
  ['+1', null],
  ['\t=1', 0],
];

function content(): PreviewContent {
  return { title: 'cells', data: new ArrayDataSource(COLUMNS, ROWS.map((r) => [...r])) };
}

async function copyAllRows(h: Harness): Promise<string> {
  await h.report((r) => r.renderedRows === ROWS.length, 'first paint');
  await h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').first().click();
  for (let i = 1; i < ROWS.length; i++) await h.page.keyboard.press('Shift+ArrowDown');
  await h.page.keyboard.press('Control+C');
  await until(() => (h.copies.length === 1 ? true : undefined), 'rows copy');
  return h.copies[0];
}

describe('Copy as TSV in the webview: formula guard and line breaks', function () {
  this.timeout(60_000);
  const rig = useWebviewHarness();

  it("prefixes ' to formula-like text cells, leaves numbers alone, and keeps a CR inside its cell", async () => {
    const h = await rig.open(content());
    try {
      const tsv = await copyAllRows(h);
      assert.equal(tsv, `label\tn\n'=cmd\t-5\n'@SUM(A1)\t3\n"a\rb"\t1.5\n'+1\t\n"'\t=1"\t0`);
      const back = Papa.parse<string[]>(tsv, { delimiter: '\t', newline: '\n' });
      assert.deepEqual(back.errors, []);
      assert.deepEqual(back.data, [['label', 'n'], ["'=cmd", '-5'], ["'@SUM(A1)", '3'], ['a\rb', '1.5'], ["'+1", ''], ["'\t=1", '0']]);
    } finally {
      await h.close();
    }
  });

  it('copies the cells as they are when the setting is off', async () => {
    const h = await rig.open(content(), { formulaGuard: false });
    try {
      assert.equal(await copyAllRows(h), `label\tn\n=cmd\t-5\n@SUM(A1)\t3\n"a\rb"\t1.5\n+1\t\n"\t=1"\t0`);
    } finally {
      await h.close();
    }
  });
});
