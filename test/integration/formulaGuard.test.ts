// The formula guard in the real VS Code, with the settings a user starts with: a preview's
// export writes a `=cmd` cell as `'=cmd` (and a number as it is), and turning the setting off
// writes it as it is. Needs no UI bridge: it runs under code-server and @vscode/test-electron.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { waitForReport } from './treeKit';

const EXTENSION_ID = 'insight-explorer.insight-explorer';

describe('Formula guard in exports (default settings)', function () {
  this.timeout(120_000);
  let api: InsightExplorerApi;
  let dir: string;
  let key: string;

  before(async () => {
    api = await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
    dir = fs.mkdtempSync(path.join(folder, 'formula-guard-'));
    const file = path.join(dir, 'cells.csv');
    fs.writeFileSync(file, 'name,score\n=cmd,-5\n"@SUM(A1)",3\nplain,7\n');
    const uri = vscode.Uri.file(file);
    key = `file:${uri.toString()}`;
    await vscode.commands.executeCommand('insightExplorer.openFilePreview', uri);
    await waitForReport(api, key, (r) => r.totalRows === 3 && r.renderedRows > 0);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('insightExplorer.export').update('formulaGuard', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("exports a =cmd cell as '=cmd with the default settings; numbers stay numbers", async () => {
    const setting = vscode.workspace.getConfiguration('insightExplorer.export').inspect<boolean>('formulaGuard');
    assert.strictEqual(setting?.defaultValue, true, 'the guard is on by default');
    assert.strictEqual(setting?.globalValue, undefined, 'and this run has not changed it');
    const out = vscode.Uri.file(path.join(dir, 'export.csv'));
    await api.previews.exportTo(key, out);
    assert.strictEqual(fs.readFileSync(out.fsPath, 'utf8'), "name,score\r\n'=cmd,-5\r\n'@SUM(A1),3\r\nplain,7\r\n");
  });

  it('exports the cells as they are once the setting is turned off', async () => {
    await vscode.workspace.getConfiguration('insightExplorer.export').update('formulaGuard', false, vscode.ConfigurationTarget.Global);
    const out = vscode.Uri.file(path.join(dir, 'export-unguarded.csv'));
    await api.previews.exportTo(key, out);
    assert.strictEqual(fs.readFileSync(out.fsPath, 'utf8'), 'name,score\r\n=cmd,-5\r\n@SUM(A1),3\r\nplain,7\r\n');
  });
});
