// Echo360 failure paths in the real VS Code, each surfaced with its next step: a request that
// ends Failed names its request id and offers Resubmit (which then completes the run), and
// refused credentials say to check the client id/secret with Set Credentials.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { Echo360Fake, startEcho360Fake } from '../fakes/echo360';
import { activate, waitUntil } from './echo360Kit';
import { requireUi, ui } from './ui';

const LABEL = 'Test Echo360 failures';

async function waitForNotification(pattern: RegExp, timeoutMs = 20_000): Promise<{ message: string; buttons: string[] }> {
  return waitUntil(
    `a notification matching ${pattern}`,
    async () => (await ui.notifications()).find((n) => pattern.test(n.message)),
    timeoutMs,
  );
}

describe('Echo360 reporting failures', function () {
  this.timeout(90_000);
  let api: InsightExplorerApi;
  let fake: Echo360Fake;
  let sourceId: string;

  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 300 });
    api = await activate();
    const secret = JSON.stringify({ clientId: fake.clientId, clientSecret: fake.clientSecret });
    sourceId = (await api.services.store.add({ kind: 'echo360', label: LABEL, baseUrl: fake.url, options: { region: 'custom' } }, secret))
      .id;
    await vscode.workspace.getConfiguration().update('insightExplorer.echo360.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    // Removed before the window reloads: its queue must not poll a fake that is gone.
    if (sourceId) await api.services.store.remove(sourceId);
    await fake?.close();
  });

  it('a Failed request shows its id with Resubmit, and resubmitting completes the run', async function () {
    requireUi(this);
    await vscode.commands.executeCommand('notifications.clearAll');
    fake.addFault({ endStatus: 'Failed', pathIncludes: '/requests/presentation' });
    const runId = await vscode.commands.executeCommand<string>('insightExplorer.echo360.runReport', {
      sourceId,
      reportName: 'presentation',
      range: 'last 7 days',
      delimiter: ',',
      compression: true,
    });
    const failed = await waitForNotification(/request \S+ is Failed/);
    assert.ok(failed.buttons.includes('Resubmit'), JSON.stringify(failed));
    const requestId = /request (\S+) is Failed/.exec(failed.message)![1];
    const queue = await api.echo360.runs.queue(api.services.store.get(sourceId)!);
    assert.strictEqual(queue.getRun(runId)!.chunks[0].requestId, requestId);
    await ui.notification('Resubmit', { message: 'is Failed' });
    await waitUntil('the resubmitted run to complete', () => (queue.getRun(runId)?.status === 'completed' ? true : undefined), 30_000);
    const ready = await waitForNotification(/presentation .* ready: [\d,]+ rows/);
    assert.deepStrictEqual(ready.buttons, ['Open Preview', 'Open as Document', 'Reveal File']);
  });

  it('refused credentials say to check the client id/secret, with Set Credentials', async function () {
    requireUi(this);
    await vscode.commands.executeCommand('notifications.clearAll');
    fake.revokeTokens();
    fake.addFault({ tokenRefused: true, times: Infinity });
    // A new client (no cached token), as after Set Credentials.
    api.echo360.adapter.forget(sourceId);
    await vscode.commands.executeCommand('insightExplorer.echo360.runReport', {
      sourceId,
      reportName: 'presentation',
      range: 'last 7 days',
      delimiter: ',',
      compression: true,
    });
    const n = await waitForNotification(/check the client id\/secret/);
    assert.ok(n.buttons.includes('Set Credentials…'), JSON.stringify(n));
    assert.ok(!n.message.includes(fake.clientSecret));
    fake.clearFaults();
  });
});
