// The prompt flows through the UserInput seam in the real VS Code, scripted instead of typed: Add
// Source, Edit Source and Remove Source of a Canvas source against the Canvas fake. No workbench
// DOM is needed, so these run under every runner (`npm run test:electron` too); the typed
// versions of the same flows are in the platform files (canvas.test.ts, studio.test.ts …).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { CanvasFake, startCanvasFake } from '../fakes/canvas';
import { BACK, TestUserInput } from '../unit/kit/testUserInput';
import { labelOf } from './treeKit';

const EXTENSION_ID = 'insight-explorer.insight-explorer';
const LABEL = 'Scripted Canvas';

describe('Prompt flows through a scripted input', function () {
  this.timeout(60_000);
  let fake: CanvasFake;
  let api: InsightExplorerApi;

  before(async () => {
    fake = await startCanvasFake();
    api = (await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate())!;
    for (const s of api.services.store.list()) if (s.label === LABEL || s.label === 'Renamed Canvas') await api.services.store.remove(s.id);
  });
  after(async () => {
    api.setUserInput(undefined);
    await fake.close();
  });

  it('adds, renames and removes a Canvas source, with Back and the step numbers a person sees', async () => {
    const input = new TestUserInput([
      { pick: 'Canvas LMS Analytics' },
      `${fake.url}/courses/101`,
      BACK,
      fake.url,
      LABEL,
      { type: 'short', refused: /Paste a Canvas access token/ },
      fake.token,
    ]);
    api.setUserInput(input);
    const id = await vscode.commands.executeCommand<string>('insightExplorer.addSource');
    input.assertDone();
    assert.deepStrictEqual(
      input.shown.map((p) => `${p.step ?? '-'}/${p.totalSteps ?? '-'} ${p.prompt}`),
      [
        '1/- Which platform?',
        '2/4 Address of your Canvas instance (the page URL you use in the browser is fine)',
        '3/4 A name for this source',
        '2/4 Address of your Canvas instance (the page URL you use in the browser is fine)',
        '3/4 A name for this source',
        '4/4 Canvas access token (stored in VS Code SecretStorage, never in settings)',
      ],
    );
    assert.strictEqual(input.shown[3].value, fake.url, 'Back keeps the address, cut back to the site');
    const source = api.services.store.get(id)!;
    assert.deepStrictEqual([source.kind, source.label, source.baseUrl], ['canvas', LABEL, fake.url]);
    assert.strictEqual(await api.services.store.getSecret(id), fake.token);
    const node = (await api.tree.getChildren()).find((n) => n.id === `/source/${id}`)!;
    assert.strictEqual(await labelOf(api, node), LABEL);
    assert.match(String((await api.tree.getTreeItem(node)).description), /^127\.0\.0\.1:\d+ · 1 account · 0 courses$/);

    const rename = new TestUserInput([{ pick: 'Name' }, 'Renamed Canvas']);
    api.setUserInput(rename);
    await vscode.commands.executeCommand('insightExplorer.editSource', { sourceId: id });
    rename.assertDone();
    assert.strictEqual(api.services.store.get(id)?.label, 'Renamed Canvas');
    assert.strictEqual(await api.services.store.getSecret(id), fake.token, 'editing keeps the secret');

    const remove = new TestUserInput([{ pick: 'Remove' }]);
    api.setUserInput(remove);
    await vscode.commands.executeCommand('insightExplorer.removeSource', { sourceId: id });
    remove.assertDone();
    assert.strictEqual(api.services.store.get(id), undefined);
    assert.strictEqual(await api.services.store.getSecret(id), undefined, 'its secret is gone too');
  });
});
