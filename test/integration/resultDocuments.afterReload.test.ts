// Result documents, phase 2: after Developer: Reload Window the result's tab comes back with its
// text, read from the stored result (VS Code restores the tab before anything else has activated
// the extension, so the extension must activate for its document scheme).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { documentsHandover, type DocumentsHandover } from './resultDocumentsKit';
import { skipBecause } from '../skip';

describe('Result documents (phase 2: after reload)', function () {
  this.timeout(60_000);
  let h: DocumentsHandover | undefined;

  before(function () {
    h = documentsHandover.read();
    if (!h) skipBecause(this, 'phase 1 of the result-documents test left nothing to check (it failed or did not run)');
  });

  after(async () => {
    if (!h) return;
    const api = await vscode.extensions.getExtension<InsightExplorerApi>('insight-explorer.insight-explorer')!.activate();
    await api?.services.store.remove(h.sourceId);
    documentsHandover.remove();
  });

  it('the result document tab is restored with the stored text', async () => {
    const tabOf = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === h!.uri);
    const deadline = Date.now() + 20_000;
    while (!tabOf() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
    assert.ok(tabOf(), `the tab is back after the reload (tabs: ${tabs.join(', ')})`);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === h!.uri) ?? (await vscode.workspace.openTextDocument(vscode.Uri.parse(h!.uri)));
    assert.strictEqual(doc.getText(), h!.text);
  });
});
