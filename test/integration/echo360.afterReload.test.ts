// Echo360 Reporting in the real VS Code, phase 2: the runner reloaded the window (same user data,
// same globalState). The requests phase 1 submitted must still be in the tree, polling must
// resume on activation, and the merged result of the 3 requests must open in the preview.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { Echo360RunReady } from '../../src/vscode/echo360/echo360Runs';
import { EchoHandover, activate, cleanScreenshot, readHandover, revealRequests, stopFake, waitForReport, waitUntil } from './echo360Kit';
import { skipBecause } from '../skip';
import { requireUi, ui } from './ui';

describe('Echo360 reporting (phase 2: after reload)', function () {
  this.timeout(150_000);
  let api: InsightExplorerApi;
  let h: EchoHandover | undefined;

  before(async function () {
    h = readHandover();
    if (!h?.runId || !h.sourceId) skipBecause(this, 'phase 1 left no Echo360 run to check (its failure is reported above)');
    api = await activate();
  });

  after(async () => {
    stopFake(h);
    await vscode.workspace
      .getConfiguration()
      .update('insightExplorer.echo360.pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
  });

  it('still lists the run and resumes polling until its result is merged, then opens it', async function () {
    requireUi(this);
    const source = api.services.store.get(h!.sourceId!)!;
    assert.ok(source, 'the source survived the reload');
    const queue = await api.echo360.runs.queue(source);
    const run = queue.getRun(h!.runId!);
    assert.ok(run, 'the run survived the reload');
    const finishedBeforeTest = run!.status === 'completed';
    assert.strictEqual(run!.chunks.length, 3);
    assert.ok(
      run!.chunks.every((c) => c.requestId),
      'every chunk kept its request id',
    );

    await revealRequests(api);
    await ui.waitForTree('Sources', (t) => t.rows.filter((r) => r.label.startsWith('videoview')).length >= 3, { timeoutMs: 20_000 });

    // Completes in this window: polled from the saved state, downloaded and merged.
    let ready: Echo360RunReady | undefined;
    const sub = api.echo360.runs.onDidFinishRun((r) => (ready = r.runId === h!.runId ? r : ready));
    try {
      await waitUntil('the run to complete', () => (queue.getRun(h!.runId!)?.status === 'completed' ? true : undefined), 90_000);
    } catch (e) {
      let alive = true;
      try {
        process.kill(h!.pid, 0);
      } catch {
        alive = false;
      }
      throw new Error(
        `${(e as Error).message}; fake alive: ${alive}; download: ${api.echo360.runs.downloadErrors.get(`${source.id}/${h!.runId}`)}; run: ${JSON.stringify(queue.getRun(h!.runId!))}`,
      );
    }
    const done = queue.getRun(h!.runId!)!;
    // 20 days × 25 rows per day; each chunk's header kept once.
    assert.strictEqual(done.result?.rows, 500);
    // The finished-run event comes once the merged file is written (just after the status flips):
    // keep listening until it has come.
    // When the run was still going at the reload, this window downloads it and announces it (the
    // host also keeps the result, for a listener that subscribed late). When the first window
    // already finished it (the whole suite ran in between), there is nothing left to announce:
    // the merged file is checked by opening it below.
    try {
      if (!finishedBeforeTest) {
        const finished = await waitUntil('the finished-run event', () => ready ?? api.echo360.runs.finished.get(`${source.id}/${h!.runId}`), 30_000);
        assert.strictEqual(finished.rows, 500);
      }
    } finally {
      sub.dispose();
    }
    await ui.waitForTree(
      'Sources',
      (t) => t.rows.filter((r) => r.label.startsWith('videoview') && /Available/.test(r.description)).length === 3,
      {
        timeoutMs: 20_000,
      },
    );

    const opened = await vscode.commands.executeCommand<{ key: string; rows: number; columns: string[] }>(
      'insightExplorer.echo360.openResult',
      {
        sourceId: source.id,
        runId: h!.runId,
      },
    );
    assert.strictEqual(opened.rows, 500);
    const report = await waitForReport(api, opened.key, (r) => r.renderedRows > 0);
    assert.strictEqual(report.totalRows, 500);
    await cleanScreenshot('echo360-result');

    const uri = await vscode.commands.executeCommand<vscode.Uri>('insightExplorer.echo360.openDocument', {
      sourceId: source.id,
      runId: h!.runId,
    });
    const lines = (await vscode.workspace.openTextDocument(uri)).getText().trim().split('\n');
    assert.strictEqual(lines.length, 501);
  });
});
