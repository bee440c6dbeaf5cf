// Preview panels kept alive while hidden (insightExplorer.preview.keepAlive): the first N panels
// keep their page, so switching back to their tab shows the painted grid without reloading it;
// later panels reload their page when shown again. Counted from the webview's own `ready`
// messages, one per page load, in the real VS Code.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { waitForReport } from './treeKit';

const EXTENSION_ID = 'insight-explorer.insight-explorer';

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Preview panels kept alive while hidden', function () {
  this.timeout(120_000);
  let api: InsightExplorerApi;
  let dir: string;
  const files: vscode.Uri[] = [];
  const keyOf = (u: vscode.Uri) => `file:${u.toString()}`;
  const show = async (u: vscode.Uri) => {
    await vscode.commands.executeCommand('insightExplorer.openFilePreview', u);
    await waitForReport(api, keyOf(u), (r) => r.renderedRows > 0);
  };

  before(async () => {
    api = (await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate())!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-keepalive-'));
    for (const name of ['kept.csv', 'reloaded.csv']) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, 'day,views\n2024-01-01,3\n2024-01-02,5\n');
      files.push(vscode.Uri.file(f));
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('insightExplorer').update('preview.keepAlive', 1, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('insightExplorer').update('preview.keepAlive', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('with keepAlive 1, the first panel shows again without reloading its page; the second reloads', async () => {
    const [kept, reloaded] = files;
    await show(kept);
    await show(reloaded);
    // One editor group: showing one panel hides the other.
    await vscode.commands.executeCommand('workbench.action.joinAllGroups');
    assert.deepStrictEqual(api.previews.lifeOf(keyOf(kept)), { keptAlive: true, pageLoads: 1, scriptReloads: 0 });
    assert.strictEqual(api.previews.lifeOf(keyOf(reloaded))?.keptAlive, false);
    for (let round = 0; round < 2; round++) {
      await show(kept);
      await show(reloaded);
    }
    // The hidden, not-kept panel loaded its page again each time it came back; the kept one never did.
    const loads = await until('the second panel to reload', () => {
      const n = api.previews.lifeOf(keyOf(reloaded))?.pageLoads ?? 0;
      return n >= 2 ? n : undefined;
    });
    assert.ok(loads >= 2, `the second panel loaded its page ${loads} times`);
    assert.strictEqual(api.previews.lifeOf(keyOf(kept))?.pageLoads, 1, 'the kept panel never reloaded');
  });
});
