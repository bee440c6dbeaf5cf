// Result documents (the `insight-explorer:` scheme), phase 1: a stored result is open in an
// editor tab when the runner reloads the window; resultDocuments.afterReload.test.ts checks it is back.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { documentsHandover } from './resultDocumentsKit';

describe('Result documents', function () {
  this.timeout(60_000);

  it('opens a stored result as a read-only document and leaves it open for the reload', async () => {
    const api = (await vscode.extensions.getExtension<InsightExplorerApi>('insight-explorer.insight-explorer')!.activate())!;
    const source = await api.services.store.add({ kind: 'posthog', label: 'Documents after reload', baseUrl: 'http://127.0.0.1:9', options: { projectId: '1' } }, 'phx_documents_reload_0000');
    const text = 'series,date,value\nPageviews,2026-11-01,2850\nPageviews,2026-11-02,2900\n';
    await api.results.save(source.id, 'insight-42', 'csv', text);
    const uri = api.results.uriFor(source.id, 'insight-42', 'Weekly pageviews', 'csv');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
    assert.strictEqual(doc.getText(), text);
    documentsHandover.write({ sourceId: source.id, uri: uri.toString(), text });
    // code-server writes the workbench state (open editors) about every 5 s while idle; when the
    // tests end the extension host stops. Give it time to record the open tab, as for a user.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
  });
});
