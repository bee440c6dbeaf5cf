// Guarantees about what the extension hands to others, checked in the real VS Code.
// (That another extension sees no exports at all in a normal run is checked by the .vsix test,
// scripts/test-vsix.mjs: there the installed copy runs in Production mode beside a probe extension.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';

const EXTENSION_ID = 'insight-explorer.insight-explorer';

function disposed(panel: vscode.WebviewPanel, ms = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    panel.onDidDispose(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function newPanel(): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel('insightExplorer.preview', 'restored', vscode.ViewColumn.One, { enableScripts: true });
}

describe('Security: what leaves the extension', () => {
  let api: InsightExplorerApi;
  let dir: string;
  let privateFile: string;

  before(async () => {
    const ext = vscode.extensions.getExtension<InsightExplorerApi | undefined>(EXTENSION_ID)!;
    const exported = await ext.activate();
    // The test API exists only because VS Code runs this host in Test mode.
    assert.ok(exported, 'activate() returns the test API in Test mode');
    api = exported;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insight-security-'));
    privateFile = path.join(dir, 'private.csv');
    fs.writeFileSync(privateFile, 'email,grade\nada@example.edu,91\n');
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a restored panel whose saved state names a file path itself opens nothing (the host keeps the panel → file record)', async () => {
    const panel = newPanel();
    const gone = disposed(panel);
    const restored = await api.restorePreview(panel, { source: { file: privateFile } });
    assert.strictEqual(restored, undefined);
    assert.strictEqual(await gone, true, 'the panel is closed instead of showing the file');
    assert.strictEqual(api.previews.has(`file:${vscode.Uri.file(privateFile).toString()}`), false);
  });

  it('a restored panel with a panel id the host never issued opens nothing', async () => {
    const panel = newPanel();
    const gone = disposed(panel);
    const restored = await api.restorePreview(panel, { source: { panel: randomUUID() } });
    assert.strictEqual(restored, undefined);
    assert.strictEqual(await gone, true);
  });

  it('a restored panel with an id the host issued reopens exactly the file the host recorded', async () => {
    const uri = vscode.Uri.file(privateFile);
    const id = api.previews.records.issue({ kind: 'file', uri: uri.toString() });
    const panel = newPanel();
    const restored = await api.restorePreview(panel, { source: { panel: id } });
    assert.strictEqual(restored?.toString(), uri.toString());
    assert.strictEqual(api.previews.has(`file:${uri.toString()}`), true);
    panel.dispose();
  });
});
