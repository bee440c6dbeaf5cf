// Sanity checks of the test harness itself: if these fail, the feature tests' failures are not
// about the feature.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireUi, ui } from './ui';

const EXTENSION_ID = 'insight-explorer.insight-explorer';

describe('harness', () => {
  it('loads and activates the extension under test', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(
      ext,
      `${EXTENSION_ID} is not loaded; loaded: ${vscode.extensions.all
        .map((e) => e.id)
        .filter((id) => !id.startsWith('vscode.'))
        .join(', ')}`,
    );
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('opens the test workspace with sample.csv', () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    assert.ok(fs.existsSync(path.join(folder.uri.fsPath, 'sample.csv')), `sample.csv missing in ${folder.uri.fsPath}`);
  });

  it('passes the runner environment to the extension host', function () {
    // The runner sets these on code-server; the extension host must inherit them, or results
    // and the UI bridge would silently go missing.
    requireUi(this);
    assert.ok(process.env.INSIGHT_TEST_RESULTS, 'INSIGHT_TEST_RESULTS is not set in the extension host');
  });

  it('takes a workbench screenshot through the UI bridge', async function () {
    requireUi(this);
    const file = await ui.screenshot('workbench-start');
    assert.ok(fs.existsSync(file), `screenshot not written: ${file}`);
    assert.ok(fs.statSync(file).size > 1000, 'screenshot is suspiciously small');
  });
});
