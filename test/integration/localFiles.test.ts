// Local files in the real VS Code, at scale: a generated 1,000,000-row .csv.gz in the workspace
// opens from the explorer's context menu ("Open in Insight Preview"), streams into the preview
// (the report's totalRows reaches the generated count), keeps a hostile cell as text, sorts by a
// header click, filters through the filter row, charts the filtered view (checked against sums
// computed here), scrolls to the end, exports the filtered view and compares the file, switches
// chart types with the chart controls, saves the chart as SVG and PNG through the save dialog, and
// is screenshotted in the dark and light themes. It leaves the panel open with its view for
// localFiles.afterReload.test.ts, which checks it is restored after the window reloads.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { HOSTILE, HOSTILE_ROW, ROWS, rowAt, writeHandover } from './localFilesKit';
import { screenshot, waitForReport } from './treeKit';
import { requireUi, ui } from './ui';
import { startTheme, tourShot } from './tourKit';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const LOAD_TIMEOUT_MS = 120_000;

async function setTheme(name: string): Promise<void> {
  await vscode.workspace.getConfiguration().update('workbench.colorTheme', name, vscode.ConfigurationTarget.Global);
  await new Promise((r) => setTimeout(r, 1500));
}

/** The chart data table's rows as [x, ...values], read cell by cell. */
async function chartTable(): Promise<string[][]> {
  const width = ((await ui.webview({ selector: '.ip-chart-table thead th' })).texts ?? []).length;
  const cells = (await ui.webview({ selector: '.ip-chart-table tbody th, .ip-chart-table tbody td' })).texts ?? [];
  const rows: string[][] = [];
  for (let i = 0; i + width <= cells.length; i += width) rows.push(cells.slice(i, i + width));
  return rows;
}

const num = (t: string) => Number(t.replace(/,/g, ''));

describe('Local files in the preview', function () {
  this.timeout(240_000);
  let api: InsightExplorerApi;
  let dir: string;
  let file: vscode.Uri;
  let key: string;
  let themeBefore: string | undefined;
  const bio = () => Array.from({ length: ROWS }, (_, i) => rowAt(i)).filter((x) => x.course === 'BIO101');

  before(async () => {
    const ext = vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!;
    api = await ext.activate();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
    dir = fs.mkdtempSync(path.join(folder, 'local-preview-'));
    const lines = ['id,user,course,minutes,day'];
    for (let i = 0; i < ROWS; i++) {
      const r = rowAt(i);
      lines.push(`${r.id},${r.user},${r.course},${r.minutes},${r.day}`);
    }
    const target = path.join(dir, 'views.csv.gz');
    fs.writeFileSync(target, zlib.gzipSync(lines.join('\n') + '\n', { level: 1 }));
    file = vscode.Uri.file(target);
    key = `file:${file.toString()}`;
    themeBefore = startTheme();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setTheme('Default Dark Modern');
  });

  after(async () => {
    await vscode.workspace.getConfiguration().update('workbench.colorTheme', themeBefore, vscode.ConfigurationTarget.Global);
    // The panel and the file stay for phase 2 (restored after the reload), which deletes them.
  });

  it('contributes the command, the explorer menu entry and the Open With… editor', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string }[]>; customEditors: { viewType: string; priority: string }[] };
    };
    const entry = pkg.contributes.menus['explorer/context'].find((m) => m.command === 'insightExplorer.openFilePreview');
    assert.ok(entry?.when?.includes('resourceFilename'), 'explorer/context entry with a file-name test');
    const editor = pkg.contributes.customEditors.find((e) => e.viewType === 'insightExplorer.filePreview');
    assert.equal(editor?.priority, 'option');
  });

  it('opens a 1,000,000-row gzipped CSV from the explorer and counts every row; a hostile cell stays text', async () => {
    if (ui.available) {
      await vscode.commands.executeCommand('revealInExplorer', file);
      await ui.click({ selector: '.explorer-folders-view .monaco-list-row[aria-label^="views.csv.gz"]', button: 'right' });
      // The menu ignores a mouse-up right after it opens (so the right-click's own release picks nothing).
      await new Promise((r) => setTimeout(r, 600));
      await ui.click({ text: 'Open in Insight Preview' });
    } else {
      await vscode.commands.executeCommand('insightExplorer.openFilePreview', file);
    }
    let r = await waitForReport(api, key, (x) => x.totalRows === ROWS && x.rowsInView === ROWS && x.renderedRows > 0, LOAD_TIMEOUT_MS);
    assert.deepEqual(r.columns, ['id', 'user', 'course', 'minutes', 'day']);
    const first = rowAt(0);
    assert.deepEqual(r.firstRowTexts[0], [String(first.id), first.user, first.course, String(first.minutes), first.day]);
    assert.strictEqual(r.firstRowTexts[HOSTILE_ROW][1], HOSTILE, 'the hostile cell shows its text');
    // Once every row is read, the host charts it: minutes summed per day (120 days).
    r = await waitForReport(api, key, (x) => x.chart !== null, LOAD_TIMEOUT_MS);
    assert.strictEqual(r.chart?.kind, 'line');
    assert.strictEqual(r.chart?.points, 120);
    if (ui.available) {
      const s = await ui.webview({ selector: 'img' });
      assert.deepEqual(s.texts, [], 'no element was made from the cell');
      const cells = await ui.webview({ selector: `.ip-row .ip-cell[aria-colindex="2"]` });
      assert.ok(cells.texts?.includes(HOSTILE), 'the cell text is the markup, as text');
      const footer = await ui.webview({ selector: '.ip-counts' });
      assert.deepEqual(footer.texts, ['1,000,000 rows · 5 columns'], 'honest footer');
    }
  });

  it('sorts, filters, charts the filtered view, scrolls to the end and exports the filtered view', async function () {
    requireUi(this);
    await ui.click({ selector: '.ip-colhead[aria-colindex="4"] .ip-colname', frame: 'webview' });
    let r = await waitForReport(api, key, (x) => x.sort.length === 1 && x.sort[0].column === 3 && !x.sort[0].desc, 30_000);
    assert.strictEqual(r.firstRowTexts[0][3], '0');

    await ui.click({ selector: '.ip-filter[aria-label="Filter course"]', frame: 'webview' });
    await ui.type('=BIO101');
    await ui.press('Enter');
    const expected = bio().sort((a, b) => a.minutes - b.minutes || a.id - b.id);
    r = await waitForReport(api, key, (x) => (x.filters?.length ?? 0) === 1 && x.rowsInView === expected.length, 30_000);
    assert.strictEqual(r.firstRowTexts[0][0], String(expected[0].id));
    await ui.waitForWebview((s) => s.text.includes(`1,000,000 rows · 5 columns · filtered to ${expected.length.toLocaleString('en-US')}`));

    // The chart follows the filter: BIO101 has rows on 24 of the 120 days. Its data table holds
    // the sums per day, checked against the generated rows.
    r = await waitForReport(api, key, (x) => x.chart?.kind === 'line' && x.chart.points === 24, 30_000);
    assert.match(r.chart?.title ?? '', /filtered/);
    await screenshot('preview-grid-dark-filtered');
    // The tour shows this view (grid, filter, chart controls, chart) in the theme the run started with.
    if (themeBefore && themeBefore !== 'Default Dark Modern') {
      await setTheme(themeBefore);
      await waitForReport(api, key, (x) => x.theme !== 'dark' && x.chart?.points === 24);
      await tourShot('05-local-file-chart');
      await setTheme('Default Dark Modern');
      await waitForReport(api, key, (x) => x.theme === 'dark' && x.chart?.points === 24);
    } else await tourShot('05-local-file-chart');
    await ui.click({ selector: 'vscode-toolbar-button[label="Show the chart data as a table"]', frame: 'webview' });
    await waitForReport(api, key, (x) => x.chartDataRows === 24);
    const sums = new Map<string, number>();
    for (const x of expected) sums.set(x.day, (sums.get(x.day) ?? 0) + x.minutes);
    const table = await chartTable();
    assert.strictEqual(table.length, 24);
    for (const [day, value] of table) {
      assert.ok(Math.abs(num(value) - (sums.get(day.slice(0, 10)) ?? NaN)) < 0.01, `sum on ${day}: ${value} vs ${sums.get(day.slice(0, 10))}`);
    }
    await ui.click({ selector: 'vscode-toolbar-button[label="Show the chart data as a table"]', frame: 'webview' });
    await waitForReport(api, key, (x) => x.chartDataRows === undefined && x.chart !== null);

    // Ctrl+End from a cell: the last row of the view comes into sight.
    await ui.click({ selector: '.ip-row .ip-cell', frame: 'webview' });
    await ui.press('Control+End');
    const last = expected[expected.length - 1];
    r = await waitForReport(api, key, (x) => x.firstRowIndex > expected.length - 60 && x.renderedRows > 0);
    await ui.waitForWebview((s) => s.text.includes(`Row ${expected.length.toLocaleString('en-US')} of ${expected.length.toLocaleString('en-US')}`));
    const texts = (await ui.webview({ selector: '.ip-row:not([hidden]) .ip-cell[aria-colindex="1"]' })).texts ?? [];
    assert.ok(texts.includes(String(last.id)), `last row ${last.id} on screen; saw ${texts.slice(-5).join(', ')}`);
    await screenshot('preview-grid-dark-end');

    const out = vscode.Uri.file(path.join(dir, 'bio101.csv'));
    await api.previews.exportTo(key, out);
    const lines = fs.readFileSync(out.fsPath, 'utf8').trimEnd().split('\r\n');
    assert.strictEqual(lines[0], 'id,user,course,minutes,day');
    assert.strictEqual(lines.length, expected.length + 1);
    assert.deepEqual(
      lines.slice(1).map((l) => Number(l.split(',')[0])),
      expected.map((x) => x.id),
    );
  });

  it('switches chart types with the chart controls, over the filtered view', async function () {
    requireUi(this);
    await ui.click({ selector: 'vscode-toolbar-button[label="Show chart"]', frame: 'webview' });
    await waitForReport(api, key, (x) => x.mode === 'chart');

    await ui.select('select[data-field="kind"]', 'Bar');
    let r = await waitForReport(api, key, (x) => x.chartQuery?.kind === 'bar' && x.chart?.kind === 'bar', 30_000);
    await ui.select('select[data-field="x"]', 'user');
    r = await waitForReport(api, key, (x) => x.chart?.kind === 'bar' && x.chartQuery?.x === 1, 30_000);
    assert.strictEqual(r.chart?.points, 30, 'the 30 users with the most minutes');
    await screenshot('preview-chart-bar-dark');

    // A histogram of the text column would be a note: the controls move x to a number column.
    await ui.select('select[data-field="kind"]', 'Histogram');
    r = await waitForReport(api, key, (x) => x.chart?.kind === 'histogram', 30_000);
    assert.strictEqual(r.chartQuery?.x, 3, 'minutes');
    assert.ok((r.chart?.points ?? 0) >= 10, `bins: ${r.chart?.points}`);

    await ui.select('select[data-field="kind"]', 'Scatter');
    await ui.select('select[data-field="x"]', 'id');
    await ui.select('select[data-field="y"]', 'minutes');
    r = await waitForReport(api, key, (x) => x.chart?.kind === 'scatter' && x.chartQuery?.x === 0 && x.chartQuery?.y === 3, 30_000);
    assert.ok((r.chart?.points ?? 0) > 1000 && (r.chart?.points ?? 0) < bio().length, `a sample of the points: ${r.chart?.points}`);
    await ui.waitForWebview((s) => /sampled/.test(s.text));
    await screenshot('preview-chart-scatter-dark');

    await ui.select('select[data-field="kind"]', 'Box plot');
    await ui.select('select[data-field="x"]', 'course');
    r = await waitForReport(api, key, (x) => x.chart?.kind === 'box' && x.chartQuery?.x === 2, 30_000);
    assert.strictEqual(r.chart?.points, 1, 'one box: the view holds one course');

    await ui.select('select[data-field="kind"]', 'Area');
    await ui.select('select[data-field="x"]', 'day');
    await ui.select('select[data-field="bucket"]', 'Week');
    r = await waitForReport(api, key, (x) => x.chart?.kind === 'area' && x.chartQuery?.bucket === 'week', 30_000);
    assert.ok((r.chart?.points ?? 0) >= 17 && (r.chart?.points ?? 0) <= 19, `weeks in 120 days: ${r.chart?.points}`);

    // Light theme: the chart redraws in its colours.
    await setTheme('Default Light Modern');
    await waitForReport(api, key, (x) => x.theme === 'light' && x.chart?.kind === 'area');
    await screenshot('preview-chart-area-light');
    await ui.click({ selector: 'vscode-toolbar-button[label="Show both"]', frame: 'webview' });
    await waitForReport(api, key, (x) => x.mode === 'both' && x.chart !== null);
    await screenshot('preview-grid-light-filtered');
    await setTheme('Default Dark Modern');
    await waitForReport(api, key, (x) => x.theme === 'dark');
  });

  it('keeps the chart readable with the bottom panel open: the plot keeps its height, the grid scrolls', async function () {
    requireUi(this);
    await vscode.commands.executeCommand('workbench.action.focusPanel');
    try {
      const r = await waitForReport(api, key, (x) => x.chart !== null && (x.plotHeight ?? 0) > 0, 30_000);
      assert.ok((r.plotHeight ?? 0) >= 120, `the chart is ${r.plotHeight} px tall with the panel open`);
      assert.ok((r.chartAxes?.yTicks.length ?? 0) >= 2, `y ticks drawn: ${r.chartAxes?.yTicks.join(' ')}`);
      await screenshot('preview-chart-bottom-panel');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closePanel');
    }
  });

  it('keeps the chart readable in a 600 px wide and in a 400 px tall panel', async function () {
    requireUi(this);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    // The preview is the only editor: it is as wide as the page less the activity bar (48 px).
    const before = await ui.viewport(648, 900);
    try {
      let r = await waitForReport(api, key, (x) => x.chart !== null && (x.plotWidth ?? 0) > 0 && (x.plotWidth ?? 0) < 600, 30_000);
      assert.ok((r.plotHeight ?? 0) >= 120, `the chart is ${r.plotHeight} px tall in a narrow panel`);
      assert.ok((r.plotWidth ?? 0) >= 400, `the plot keeps ${r.plotWidth} of the panel's 600 px beside its axis labels`);
      assert.ok((r.chartAxes?.xTicks.length ?? 0) >= 2 && (r.chartAxes?.yTicks.length ?? 0) >= 2, `ticks: ${JSON.stringify(r.chartAxes)}`);
      await screenshot('preview-narrow-600px');
      // About 400 px of editor under the title bar, the tabs and the status bar.
      await ui.viewport(1400, 500);
      r = await waitForReport(api, key, (x) => x.chart !== null && (x.plotWidth ?? 0) > 600, 30_000);
      assert.ok((r.plotHeight ?? 0) >= 120, `the chart is ${r.plotHeight} px tall in a short panel`);
      assert.ok((r.chartAxes?.yTicks.length ?? 0) >= 2, `y ticks: ${r.chartAxes?.yTicks.join(' ')}`);
      await screenshot('preview-short-400px');
    } finally {
      await ui.viewport(before.width, before.height);
      await vscode.commands.executeCommand('workbench.action.toggleSidebarVisibility');
    }
  });

  it('saves the chart as SVG and PNG through the save dialog', async function () {
    requireUi(this);
    const svg = path.join(dir, 'minutes.svg');
    await ui.click({ selector: 'vscode-toolbar-button[label="Save the chart as SVG"]', frame: 'webview' });
    await ui.answer({ text: svg });
    await waitUntilFile(svg);
    const text = fs.readFileSync(svg, 'utf8');
    assert.match(text, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(text.includes('minutes'), 'the chart’s labels are in the file');
    const png = path.join(dir, 'minutes.png');
    await ui.click({ selector: 'vscode-toolbar-button[label="Save the chart as PNG"]', frame: 'webview' });
    await ui.answer({ text: png });
    await waitUntilFile(png);
    const bytes = fs.readFileSync(png);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
    assert.ok(bytes.length > 5000, `PNG of ${bytes.length} bytes`);
  });

  it('leaves a sorted, filtered, charted view scrolled to its end for the reload', async function () {
    requireUi(this);
    await ui.select('select[data-field="kind"]', 'Bar');
    await ui.select('select[data-field="x"]', 'day');
    await ui.select('select[data-field="agg"]', 'Mean');
    const r = await waitForReport(api, key, (x) => x.chart?.kind === 'bar' && x.chartQuery?.agg === 'mean' && x.chartQuery.x === 4, 30_000);
    await screenshot('preview-chart-both-dark');
    assert.ok(r.filters?.length === 1 && r.sort.length === 1);
    writeHandover({
      key,
      file: file.fsPath,
      dir,
      sort: r.sort,
      filters: r.filters!,
      chartQuery: r.chartQuery!,
      chartKind: r.chart!.kind,
      rowsInView: r.rowsInView,
      firstRowIndex: r.firstRowIndex,
      mode: r.mode,
    });
    // code-server writes the workbench state (open editors, webview states) about every 5 s while
    // idle; once the tests end, the extension host stops and its panels close. Give the workbench
    // time to write this state while the panel is still open, as it would for a user.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
  });
});

async function waitUntilFile(file: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${path.basename(file)} was not written within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
