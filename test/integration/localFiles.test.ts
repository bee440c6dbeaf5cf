// Local files in the real VS Code: a generated .csv.gz (200,000 rows) in the workspace opens with
// "Open in Insight Preview", streams into the preview (the report's totalRows reaches the
// generated count), sorts by a header click in the webview, filters through the filter row,
// scrolls to the end, exports the filtered view and compares the file, and is screenshotted in
// the dark and light themes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as vscode from 'vscode';
import type { PreviewReport } from '../../src/protocol';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { ui } from './ui';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const ROWS = 200_000;
const COURSES = ['BIO101', 'CHEM200', 'HIST110', 'MATH221', 'PHYS150'];

interface Row {
  id: number;
  user: string;
  course: string;
  minutes: number;
  day: string;
}

function rowAt(i: number): Row {
  const d = new Date(Date.UTC(2025, 0, 1) + (i % 120) * 86_400_000).toISOString().slice(0, 10);
  return { id: i, user: `user-${(i * 7919) % 5000}`, course: COURSES[(i * 31) % COURSES.length], minutes: ((i * 37) % 997) / 2, day: d };
}

function waitForReport(api: InsightExplorerApi, key: string, pred: (r: PreviewReport) => boolean, timeoutMs = 60_000): Promise<PreviewReport> {
  return new Promise((resolve, reject) => {
    const last = api.previews.lastReport(key);
    if (last && pred(last)) return resolve(last);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`preview ${key} did not report the expected state; last: ${JSON.stringify(api.previews.lastReport(key))}`));
    }, timeoutMs);
    const sub = api.previews.onDidReport((r) => {
      if (r.key === key && pred(r)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(r);
      }
    });
  });
}

async function setTheme(name: string): Promise<void> {
  await vscode.workspace.getConfiguration().update('workbench.colorTheme', name, vscode.ConfigurationTarget.Global);
  await new Promise((r) => setTimeout(r, 1500));
}

async function screenshot(name: string): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await new Promise((r) => setTimeout(r, 800));
  await ui.screenshot(name);
}

describe('Local files in the preview', function () {
  this.timeout(180_000);
  let api: InsightExplorerApi;
  let dir: string;
  let file: vscode.Uri;
  let key: string;
  let themeBefore: unknown;

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
    fs.writeFileSync(target, zlib.gzipSync(lines.join('\n') + '\n'));
    file = vscode.Uri.file(target);
    key = `file:${file.toString()}`;
    themeBefore = vscode.workspace.getConfiguration().inspect('workbench.colorTheme')?.globalValue;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setTheme('Default Dark Modern');
  });

  after(async () => {
    await vscode.workspace.getConfiguration().update('workbench.colorTheme', themeBefore, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
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

  it('streams a gzipped CSV into the preview and counts every row', async () => {
    await vscode.commands.executeCommand('insightExplorer.openFilePreview', file);
    let r = await waitForReport(api, key, (x) => x.totalRows === ROWS && x.rowsInView === ROWS && x.renderedRows > 0);
    assert.deepEqual(r.columns, ['id', 'user', 'course', 'minutes', 'day']);
    assert.deepEqual(r.firstRowTexts[0], ['0', 'user-0', 'BIO101', '0', '2025-01-01']);
    // Once every row is read, the host works out a chart: minutes summed per day (120 days).
    r = await waitForReport(api, key, (x) => x.chart !== null);
    assert.deepEqual(r.chart, { kind: 'line', series: 1, points: 120 });
  });

  it('sorts by a header click, filters, scrolls to the end and exports the filtered view', async function () {
    if (!ui.available) this.skip();
    await ui.waitForWebview((s) => s.text.includes('200,000 rows'));
    await ui.click({ selector: '.ip-colhead[aria-colindex="4"] .ip-colname', frame: 'webview' });
    let r = await waitForReport(api, key, (x) => x.sort.length === 1 && x.sort[0].column === 3 && !x.sort[0].desc);
    assert.equal(r.firstRowTexts[0][3], '0');

    await ui.click({ selector: '.ip-filter[aria-label="Filter course"]', frame: 'webview' });
    await ui.type('=BIO101');
    await ui.press('Enter');
    const expected = Array.from({ length: ROWS }, (_, i) => rowAt(i))
      .filter((x) => x.course === 'BIO101')
      .sort((a, b) => a.minutes - b.minutes || a.id - b.id);
    r = await waitForReport(api, key, (x) => (x.filters?.length ?? 0) === 1 && x.rowsInView === expected.length);
    assert.equal(r.firstRowTexts[0][0], String(expected[0].id));
    await ui.waitForWebview((s) => s.text.includes(`filtered to ${expected.length.toLocaleString('en-US')}`));
    await screenshot('preview-grid-dark-filtered');

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
    assert.equal(lines[0], 'id,user,course,minutes,day');
    assert.equal(lines.length, expected.length + 1);
    assert.deepEqual(
      lines.slice(1).map((l) => Number(l.split(',')[0])),
      expected.map((x) => x.id),
    );
  });

  it('shows column statistics and looks right in the light theme', async function () {
    if (!ui.available) this.skip();
    await ui.click({ selector: '.ip-colhead[aria-colindex="4"] .ip-statsbtn', frame: 'webview' });
    await ui.waitForWebview((s) => s.text.includes('Distinct'), { selector: '.ip-stats' });
    await screenshot('preview-grid-dark-stats');
    await ui.press('Escape');
    await setTheme('Default Light Modern');
    await waitForReport(api, key, (x) => x.theme === 'light');
    await screenshot('preview-grid-light-filtered');
    await ui.click({ selector: 'vscode-toolbar-button[label="Show chart"]', frame: 'webview' });
    await waitForReport(api, key, (x) => x.mode === 'chart' && x.chart?.kind === 'line');
    await screenshot('preview-chart-light');
    await setTheme('Default Dark Modern');
    await waitForReport(api, key, (x) => x.theme === 'dark' && x.mode === 'chart');
    await screenshot('preview-chart-dark');
    await ui.click({ selector: 'vscode-toolbar-button[label="Show both"]', frame: 'webview' });
    await waitForReport(api, key, (x) => x.mode === 'both');
    await screenshot('preview-chart-both-dark');
  });
});
