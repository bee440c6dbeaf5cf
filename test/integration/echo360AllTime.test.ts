// Echo360 in the real VS Code: a report listed without start/end (asset, "parameters": [])
// runs with no range prompt as one request without dates; a range ending within the last 48 hours
// is warned about in the prompt and in the result's title; the one-year lookback is refused in the
// prompt for assetbydate only.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import { Echo360Fake, startEcho360Fake } from '../fakes/echo360';
import { activate, isoDay, waitUntil } from './echo360Kit';
import { requireUi, ui } from './ui';

const LABEL = 'Test Echo360 all-time';
const DAY = 86_400_000;

describe('Echo360 reports without a date range, and incomplete days', function () {
  this.timeout(90_000);
  let api: InsightExplorerApi;
  let fake: Echo360Fake;
  let sourceId: string;

  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 300, rowsPerDay: 5 });
    api = await activate();
    const secret = JSON.stringify({ clientId: fake.clientId, clientSecret: fake.clientSecret });
    sourceId = (await api.services.store.add({ kind: 'echo360', label: LABEL, baseUrl: fake.url, options: { region: 'custom' } }, secret))
      .id;
    await vscode.workspace.getConfiguration().update('insightExplorer.echo360.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    if (sourceId) await api.services.store.remove(sourceId);
    await fake?.close();
  });

  async function readyNotification(pattern: RegExp): Promise<{ message: string }> {
    return waitUntil(
      `a notification matching ${pattern}`,
      async () => (await ui.notifications()).find((n) => pattern.test(n.message)),
      30_000,
    );
  }

  it('asset: no range prompt, one request without start/end, "all time" in the result', async function () {
    requireUi(this);
    await vscode.commands.executeCommand('notifications.clearAll');
    const done = vscode.commands.executeCommand<string>('insightExplorer.echo360.runReport', { sourceId });
    const report = await ui.answer({ pick: 'asset' });
    assert.ok(
      report.rows?.some((r) => r.label === 'asset' && /all time/.test(r.description)),
      JSON.stringify(report.rows),
    );
    // The next step is the output, not a date range: two steps in all.
    const output = await ui.answer({ pick: 'Comma-separated, compressed' });
    assert.ok(!output.hasInput || output.items?.includes('Tab-separated, compressed'), JSON.stringify(output));
    assert.match(output.title ?? '', /asset/);
    const runId = await done;
    assert.ok(runId);
    const queue = await api.echo360.runs.queue(api.services.store.get(sourceId)!);
    const run = queue.getRun(runId!)!;
    assert.strictEqual(run.chunks.length, 1);
    assert.strictEqual(run.range, undefined);
    const ready = await readyNotification(/Echo360 asset all time ready: [\d,]+ rows/);
    assert.doesNotMatch(ready.message, /incomplete/);
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/requests/asset'));
    assert.strictEqual(posts.length, 1);
    assert.deepStrictEqual((posts[0].body as { parameters: unknown }).parameters, {});
  });

  it('videoview: "last 7 complete days" is offered; a range ending within 48 hours is warned about, also in the title', async function () {
    requireUi(this);
    await vscode.commands.executeCommand('notifications.clearAll');
    const done = vscode.commands.executeCommand<string>('insightExplorer.echo360.runReport', { sourceId });
    await ui.answer({ pick: 'videoview' });
    let range = await ui.state();
    for (const deadline = Date.now() + 10_000; range.value !== 'last 7 complete days' && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 150));
      range = await ui.state();
    }
    assert.strictEqual(range.value, 'last 7 complete days', 'the default');
    assert.match(range.prompt ?? '', /last 7 complete days/);
    // Typed as a user would; the warning arrives from the extension host a moment later.
    await ui.press('Control+A');
    await ui.type('last 3 days');
    let typed = await ui.state();
    for (const deadline = Date.now() + 15_000; !/the last 2 days may still be incomplete/i.test(typed.prompt ?? '') && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 150));
      typed = await ui.state();
    }
    assert.strictEqual(typed.value, 'last 3 days');
    assert.match(typed.prompt ?? '', /the last 2 days may still be incomplete/i);
    await ui.press('Enter');
    await ui.answer({ pick: 'Comma-separated, compressed' });
    const runId = await done;
    assert.ok(runId);
    const ready = await readyNotification(/Echo360 videoview \S+ \(the last 2 days may still be incomplete\) ready/);
    assert.ok(ready);
  });

  it('the one-year lookback is refused in the prompt for assetbydate only', async function () {
    requireUi(this);
    const today = Date.parse(`${isoDay(Date.now())}T00:00:00Z`);
    const old = `${isoDay(today - 400 * DAY)}..${isoDay(today - 398 * DAY)}`;

    const first = vscode.commands.executeCommand<string>('insightExplorer.echo360.runReport', { sourceId });
    await ui.answer({ pick: 'assetbydate' });
    const refused = await ui.answer({ text: old });
    assert.strictEqual(refused.changed, false);
    assert.match(refused.after.validationMessage ?? '', /assetbydate report reaches back one year only/);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.strictEqual(await first, undefined);

    const second = vscode.commands.executeCommand<string>('insightExplorer.echo360.runReport', { sourceId });
    await ui.answer({ pick: 'videoview' });
    const accepted = await ui.answer({ text: old });
    assert.strictEqual(accepted.changed, true, accepted.after.validationMessage);
    await ui.answer({ pick: 'Comma-separated, compressed' });
    assert.ok(await second);
  });
});
