// First run in the real VS Code: the manifest's strings come from package.nls.json, the welcome
// view's README link opens the README bundled with the extension in VS Code's Markdown preview
// (no web link), and "Insight Explorer: Get Started" opens the walkthrough, whose last step's
// button opens the bundled sample table in the preview.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { screenshot, waitForReport } from './treeKit';
import { ui } from './ui';

const EXTENSION_ID = 'insight-explorer.insight-explorer';

async function waitForTab(what: string, pred: (tab: vscode.Tab) => boolean, timeoutMs = 20_000): Promise<vscode.Tab> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find(pred);
    if (tab) return tab;
    if (Date.now() > deadline) {
      const open = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
      throw new Error(`no ${what} tab within ${timeoutMs} ms; open tabs: ${JSON.stringify(open)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Getting started', function () {
  this.timeout(240_000);
  let api: InsightExplorerApi;
  let ext: vscode.Extension<InsightExplorerApi>;
  const opened: vscode.Tab[] = [];

  before(async () => {
    ext = vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!;
    api = await ext.activate();
  });

  after(async () => {
    // Only what these tests opened: other files leave panels open for their phase-2 checks.
    const still = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => opened.some((o) => o.label === t.label));
    if (still.length) await vscode.window.tabGroups.close(still);
  });

  it('shows the manifest strings from package.nls.json, and the welcome view links only to contributed commands', () => {
    const pkg = ext.packageJSON as {
      contributes: { commands: { command: string; title: string }[]; viewsWelcome: { contents: string }[] };
    };
    const title = (id: string) => pkg.contributes.commands.find((c) => c.command === id)?.title;
    assert.strictEqual(title('insightExplorer.getStarted'), 'Get Started');
    assert.strictEqual(title('insightExplorer.openFilePreview'), 'Open in Insight Preview');
    const welcome = pkg.contributes.viewsWelcome[0].contents;
    assert.match(welcome, /\[README\]\(command:insightExplorer\.openReadme\)/);
    assert.doesNotMatch(welcome, /https?:/, 'no web link in the welcome view');
  });

  it('opens the walkthrough, whose sample step opens the bundled sample table in the preview', async () => {
    const sample = vscode.Uri.joinPath(ext.extensionUri, 'media', 'walkthrough', 'sample-lecture-views.csv');
    const key = `file:${sample.toString()}`;
    await vscode.commands.executeCommand('insightExplorer.getStarted');
    opened.push(await waitForTab('walkthrough', (t) => !(t.input instanceof vscode.TabInputText) && /Welcome|Walkthrough/i.test(t.label)));
    if (ui.available) {
      // As a user would: open the step, then click its button.
      await ui.click({ text: 'Try it without an account', timeoutMs: 20_000 });
      // The step's page (media/walkthrough/try-sample.md) renders beside the steps: read it first.
      await ui.waitForFrameText('Things to try:', 30_000);
      await screenshot('walkthrough-sample-step');
      await ui.click({ text: 'Open Sample Data', timeoutMs: 20_000 });
    } else {
      await vscode.commands.executeCommand('insightExplorer.openSampleData');
    }
    // The panel first (the command ran), then its rows (a new webview paints slowly on a busy machine).
    const failures = () => JSON.stringify(api.commandFailures().map((f) => `${f.command}: ${String(f.error)}`));
    opened.push(
      await waitForTab(
        'sample preview',
        (t) => t.input instanceof vscode.TabInputWebview && /sample-lecture-views/.test(t.label),
        30_000,
      ).catch((e) => {
        throw new Error(`${(e as Error).message}; command failures: ${failures()}`);
      }),
    );
    // On a busy machine VS Code for the Web can fail the page's script after 30 s; the panel then
    // loads its page again (src/core/preview/html.ts), hence the long wait.
    const r = await waitForReport(api, key, (x) => x.totalRows === 36 && x.renderedRows > 0, 120_000).catch(async (e) => {
      const tabs = vscode.window.tabGroups.all.map((g) => g.tabs.map((t) => `${t.label}${t.isActive ? ' (active)' : ''}`));
      if (ui.available) await ui.screenshot('walkthrough-sample-failed').catch(() => undefined);
      throw new Error(`${(e as Error).message}; tabs by group: ${JSON.stringify(tabs)}`);
    });
    const reloads = api.previews.lifeOf(key)?.scriptReloads ?? 0;
    if (reloads) console.log(`      (the page's script did not load ${reloads}× in VS Code's webview loader; the panel loaded its page again)`);
    assert.deepStrictEqual(r.columns, ['week', 'course', 'views', 'unique_viewers', 'minutes_watched']);
    assert.deepStrictEqual(r.firstRowTexts[0].slice(0, 3), ['2025-01-06', 'BIO101', '127']);
    // Closed before the next webview opens (tab objects go stale: find them again by label).
    const labels = opened.splice(0).map((t) => t.label);
    await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => labels.includes(t.label)));
  });

  it('opens the bundled README in the Markdown preview', async () => {
    await vscode.commands.executeCommand('insightExplorer.openReadme');
    const tab = await waitForTab(
      'README preview',
      (t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType) && /README/i.test(t.label),
    );
    opened.push(tab);
    if (ui.available) await ui.waitForFrameText('Insight Explorer', 30_000);
  });
});
