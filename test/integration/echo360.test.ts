// Echo360 Reporting in the real VS Code, phase 1: a source on a fake Echo360 (in its own process,
// so it outlives the window), a 20-day report run from the command palette with its inputs typed
// into the quick input (date range validated in the box), split into 3 requests that appear in
// the tree as Pending. echo360.afterReload.test.ts continues after the runner reloads the window.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import {
  ECHO_LABEL,
  EchoHandover,
  activate,
  cleanScreenshot,
  isoDay,
  revealRequests,
  startDetachedFake,
  stopFake,
  waitUntil,
  writeHandover,
} from './echo360Kit';
import { requireUi, ui } from './ui';

const DAY = 86_400_000;

describe('Echo360 reporting (phase 1: submit)', function () {
  this.timeout(120_000);
  let api: InsightExplorerApi;
  let fake: EchoHandover;
  let handedOver = false;

  before(async () => {
    // Long enough that the requests are still Pending when the window reloads.
    fake = await startDetachedFake({ pendingMs: 20_000, rowsPerDay: 25 });
    api = await activate();
    for (const s of api.services.store.list()) if (s.kind === 'echo360') await api.services.store.remove(s.id);
    await vscode.workspace.getConfiguration().update('insightExplorer.echo360.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
  });

  after(() => {
    // Phase 2 stops the fake; only a failed hand-over leaves it to this phase.
    if (!handedOver) stopFake(fake);
  });

  it('adds an Echo360 source: custom host, client id, secret in a password box', async function () {
    requireUi(this);
    const done = vscode.commands.executeCommand<string>('insightExplorer.addSource');
    await ui.answer({ pick: 'Echo360 Reporting' });
    const region = await ui.answer({ pick: 'Custom host…' });
    assert.ok(region.items?.includes('US'), `regions offered: ${region.items}`);
    await ui.answer({ text: fake.url });
    await ui.answer({ text: ECHO_LABEL });
    await ui.answer({ text: fake.clientId });
    const secret = await ui.answer({ text: fake.clientSecret, password: true });
    assert.strictEqual(secret.password, true);
    const id = await done;
    assert.ok(id);
    const source = api.services.store.get(id!)!;
    assert.strictEqual(source.kind, 'echo360');
    assert.deepStrictEqual(JSON.parse((await api.services.store.getSecret(id!))!), {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
    });
    // The secret is nowhere but in SecretStorage.
    assert.ok(!JSON.stringify(source).includes(fake.clientSecret));
  });

  it('runs a 20-day report from the command palette as 3 requests, Pending in the tree', async function () {
    requireUi(this);
    const source = api.services.store.list().find((s) => s.label === ECHO_LABEL)!;
    assert.ok(source, 'the source of the first test');
    const end = Date.parse(`${isoDay(Date.now())}T00:00:00Z`) - 2 * DAY;
    const range = `${isoDay(end - 20 * DAY)}..${isoDay(end)}`;

    const done = vscode.commands.executeCommand<string>('insightExplorer.echo360.runReport');
    const report = await ui.answer({ pick: 'videoview' });
    assert.ok((report.items ?? []).length > 1, `reports offered: ${report.items}`);
    const bad = await ui.answer({ text: 'last 0 days' });
    assert.strictEqual(bad.changed, false);
    assert.match(bad.after.validationMessage ?? '', /is empty: ask for at least 1 day/);
    await ui.answer({ text: range });
    const output = await ui.answer({ pick: 'Comma-separated, compressed' });
    assert.ok(output.items?.includes('Tab-separated, compressed'), `outputs: ${output.items}`);
    const runId = await done;
    assert.ok(runId);

    const queue = await api.echo360.runs.queue(source);
    const run = queue.getRun(runId!)!;
    assert.strictEqual(run.chunks.length, 3);
    writeHandover({ ...fake, sourceId: source.id, runId });
    handedOver = true;

    await revealRequests(api);
    const tree = await ui.waitForTree(
      'Sources',
      (t) => t.rows.filter((r) => r.label.startsWith('videoview') && /Pending/.test(r.description)).length === 3,
      { timeoutMs: 20_000 },
    );
    // The short status leads the description, so the sidebar never cuts it off.
    const requestRows = tree.rows.filter((r) => r.label.startsWith('videoview'));
    assert.deepStrictEqual(
      requestRows.map((r) => r.description.split(' · ')[0]).sort(),
      ['1/3 Pending', '2/3 Pending', '3/3 Pending'],
      JSON.stringify(tree.rows),
    );
    // What a person sees in the status bar: three requests running, none waiting (the queue's own
    // counts are not consulted).
    const bar = await waitUntil(
      'the Echo360 status bar entry',
      async () => (await ui.statusBar()).find((i) => i.text.includes('Echo360: 3 running')),
      10_000,
    );
    assert.strictEqual(bar.text, 'Echo360: 3 running, 0 queued');
    await cleanScreenshot('echo360-pending');
    assert.strictEqual(run.status, 'running', 'still running when the window reloads');
  });
});
