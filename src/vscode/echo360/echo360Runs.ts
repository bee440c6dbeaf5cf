import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCancelled, oneLine } from '../../core/errors';
import {
  Echo360Client,
  EchoQueueEvent,
  EchoReportQueue,
  QueueState,
  QueueStore,
  RunState,
  describeRange,
  downloadRun,
  incompleteDaysWarning,
  isFinalFailure,
} from '../../core/sources/echo360';
import { ResultStore } from '../documents/resultStore';
import { ingestLimits } from '../limitsSetting';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { safeText } from '../../core/text';

const STATE_KEY = (sourceId: string) => `insightExplorer.echo360.queue.${sourceId}`;
const POLL_SETTING = 'insightExplorer.echo360.pollIntervalSeconds';

/** What the run service tells the UI when a result is ready (the tests observe it too). */
export interface Echo360RunReady {
  sourceId: string;
  runId: string;
  file: string;
  rows: number;
  bytes: number;
}

/** The queue's state kept in globalState, one key per source, so a window reload loses nothing. */
class GlobalStateQueueStore implements QueueStore {
  constructor(
    private readonly memento: vscode.Memento,
    private readonly key: string,
  ) {}
  async load(): Promise<QueueState | undefined> {
    return this.memento.get<QueueState>(this.key);
  }
  async save(state: QueueState): Promise<void> {
    await this.memento.update(this.key, state);
  }
}

type TitledRun = Pick<RunState, 'reportName' | 'range'> & Partial<Pick<RunState, 'createdAt'>>;

/** The incomplete-days warning of a run, as of when it was requested. */
function runWarning(run: TitledRun): string | undefined {
  const at = run.createdAt ? Date.parse(run.createdAt) : Date.now();
  return incompleteDaysWarning(run.range, Number.isNaN(at) ? Date.now() : at);
}

/**
 * `Echo360 videoview 2024-06-01..2024-06-08`; `… (the last 2 days may still be incomplete)` when
 * the range ended less than 48 hours before the run was requested (Echo360 completes a day's data
 * 48 hours after it ends, UTC). Always English: it names the run in the log and its result
 * document. What the user reads (notifications, errors, progress, the preview's title) is runLabel.
 */
export function runTitle(run: TitledRun): string {
  const warning = runWarning(run);
  return `Echo360 ${run.reportName} ${describeRange(run.range)}${warning ? ` (${warning})` : ''}`;
}

/**
 * runTitle for the UI, through vscode.l10n: the same text in English. The report name and the
 * dates are Echo360's; the warning is core's sentence (English until core's messages are localized).
 */
export function runLabel(run: TitledRun): string {
  const warning = runWarning(run);
  const range = run.range?.start && run.range.end ? describeRange(run.range) : vscode.l10n.t('all time');
  return warning
    ? vscode.l10n.t('Echo360 {0} {1} ({2})', run.reportName, range, warning)
    : vscode.l10n.t('Echo360 {0} {1}', run.reportName, range);
}

/**
 * One EchoReportQueue per Echo360 source, created on activation and resumed from globalState;
 * a run whose chunks are all Available is downloaded and merged into the result store, then
 * announced. Also owns the status bar item ("Echo360: 2 running, 3 queued").
 */
export class Echo360Runs implements vscode.Disposable {
  private readonly queues = new Map<string, EchoReportQueue>();
  private readonly creating = new Map<string, Promise<EchoReportQueue>>();
  private readonly downloads = new Map<string, AbortController>();
  /** The last download failure per `sourceId/runId` (diagnostics and tests). */
  readonly downloadErrors = new Map<string, string>();
  private readonly status: vscode.StatusBarItem;
  private readonly readyEmitter = new vscode.EventEmitter<Echo360RunReady>();
  readonly onDidFinishRun = this.readyEmitter.event;
  /** The last result of each run downloaded in this window (`sourceId/runId`), also for listeners that subscribed late. */
  readonly finished = new Map<string, Echo360RunReady>();
  private readonly changeEmitter = new vscode.EventEmitter<string>();
  /** Fires with the source id whenever a run or request of that source changed. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly services: Services,
    /** The source's client (the adapter's cache: one token and one rate limiter per institution). */
    private readonly clientFor: (source: SourceConfig) => Promise<Echo360Client>,
    readonly results: ResultStore,
  ) {
    this.status = vscode.window.createStatusBarItem('insightExplorer.echo360', vscode.StatusBarAlignment.Left, 10);
    this.status.name = vscode.l10n.t('Echo360 report requests');
    this.status.command = 'insightExplorer.sources.focus';
    this.disposables.push(
      this.status,
      this.readyEmitter,
      this.changeEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        // The poll interval is fixed per queue: recreate them (their state is saved; they resume).
        if (e.affectsConfiguration(POLL_SETTING)) this.restartAll();
      }),
      services.store.onDidChange(() => this.syncSources()),
    );
  }

  /** Resumes every Echo360 source's queue (polling continues where the last window left off). */
  start(): void {
    this.syncSources();
  }

  private pollMs(): number {
    const s = vscode.workspace.getConfiguration().get<number>(POLL_SETTING, 30);
    return Math.max(1, Number.isFinite(s) ? s : 30) * 1000;
  }

  /** Creates queues for new sources, drops those of removed ones. */
  private syncSources(): void {
    const ids = new Set<string>();
    for (const s of this.services.store.list()) {
      if (s.kind !== 'echo360') continue;
      ids.add(s.id);
      if (!this.creating.has(s.id)) void this.queue(s).catch((e) => this.services.log.warn(`Echo360 queue of ${s.label}: ${oneLine(e)}`));
    }
    for (const id of [...this.creating.keys()]) {
      if (ids.has(id)) continue;
      // The source was removed: its requests are of no use to anyone any more.
      this.drop(id);
      void this.services.context.globalState.update(STATE_KEY(id), undefined);
    }
  }

  private restartAll(): void {
    for (const id of [...this.queues.keys()]) this.drop(id);
    this.syncSources();
  }

  private drop(sourceId: string): void {
    for (const [runId, ac] of this.downloads) if (runId.startsWith(`${sourceId}/`)) ac.abort();
    this.queues.get(sourceId)?.dispose();
    this.queues.delete(sourceId);
    this.creating.delete(sourceId);
    this.updateStatus();
  }

  /**
   * After Set Credentials or Edit Source: the queue's client holds the old host/secret, so the
   * queue is made again from the saved state (a run that failed on refused credentials can then
   * be resubmitted).
   */
  restart(sourceId: string): void {
    if (!this.creating.has(sourceId)) return;
    this.drop(sourceId);
    this.syncSources();
  }

  /**
   * The source's queue, created and resumed on first use (needs the credentials). Concurrent
   * callers (activation, the tree, a command) share one creation: two queues on the same stored
   * state would poll twice and race each other's saves.
   */
  queue(source: SourceConfig): Promise<EchoReportQueue> {
    let p = this.creating.get(source.id);
    if (!p) {
      p = this.createQueue(source);
      this.creating.set(source.id, p);
      // A failed creation (no credentials yet) is retried by the next caller.
      p.catch(() => this.creating.get(source.id) === p && this.creating.delete(source.id));
    }
    return p;
  }

  private async createQueue(source: SourceConfig): Promise<EchoReportQueue> {
    const client = await this.clientFor(source);
    const q = new EchoReportQueue({
      client,
      store: new GlobalStateQueueStore(this.services.context.globalState, STATE_KEY(source.id)),
      pollIntervalMs: this.pollMs(),
      logger: this.services.log,
    });
    this.queues.set(source.id, q);
    q.onDidChange((e) => this.onQueueEvent(source.id, q, e));
    await q.resume();
    // Runs that were running, ready or downloading when the last window closed go on downloading.
    for (const run of q.runs()) if (run.status === 'ready' || run.status === 'running') void this.download(source.id, run.id);
    this.updateStatus();
    this.changeEmitter.fire(source.id);
    return q;
  }

  private onQueueEvent(sourceId: string, q: EchoReportQueue, e: EchoQueueEvent): void {
    if (this.queues.get(sourceId) !== q) return;
    // Every event may move a request between queued and running: the status bar follows each one.
    this.updateStatus();
    if (e.kind === 'run' && e.status === 'failed') void this.announceFailure(sourceId, q, e.runId, e.error);
    // A run back to ready after a resubmit or an Expired chunk: its earlier download may have ended.
    if (e.kind === 'run' && e.status === 'ready') void this.download(sourceId, e.runId);
    this.changeEmitter.fire(sourceId);
  }

  private updateStatus(): void {
    let running = 0;
    let queued = 0;
    for (const q of this.queues.values()) {
      const c = q.counts();
      running += c.running;
      queued += c.queued;
    }
    if (running + queued === 0) {
      this.status.hide();
      return;
    }
    this.status.text = vscode.l10n.t('$(sync~spin) Echo360: {0} running, {1} queued', running, queued);
    this.status.tooltip = vscode.l10n.t('Echo360 report requests in flight (at most 3 per institution) and waiting to be sent');
    this.status.show();
  }

  resultFile(sourceId: string, runId: string): string {
    return this.results.fileFor(sourceId, `echo360-${runId}`, 'csv');
  }

  /**
   * Downloads a run as soon as its chunks are ready (downloadRun waits for each in order), once at
   * a time per run. `force` starts over even when a result exists (Download Again).
   */
  download(sourceId: string, runId: string, force = false): Promise<Echo360RunReady | undefined> | undefined {
    const key = `${sourceId}/${runId}`;
    if (this.downloads.has(key)) return undefined;
    const q = this.queues.get(sourceId);
    const run = q?.getRun(runId);
    if (!q || !run) return undefined;
    if (run.status === 'completed' && !force) return undefined;
    const ac = new AbortController();
    this.downloads.set(key, ac);
    this.downloadErrors.delete(key);
    return (async () => {
      try {
        const source = this.services.store.get(sourceId);
        if (!source) return undefined;
        const client = await this.clientFor(source);
        const file = this.resultFile(sourceId, runId);
        // The result store makes its folders on save(); downloadRun writes the file itself.
        await fs.promises.mkdir(path.dirname(file), { recursive: true });
        const result = await downloadRun(client, q, runId, {
          outFile: file,
          delimiter: run.output.delimiter,
          signal: ac.signal,
          logger: this.services.log,
          limits: ingestLimits(),
        });
        const ready: Echo360RunReady = { sourceId, runId, file: result.file, rows: result.rows, bytes: result.bytes };
        this.finished.set(key, ready);
        this.changeEmitter.fire(sourceId);
        this.readyEmitter.fire(ready);
        void this.announceReady(ready, run);
        return ready;
      } catch (e) {
        // Failures of the run itself are announced from its 'failed' event; a closed queue is no failure.
        if (!isCancelled(e) && !ac.signal.aborted && q.getRun(runId)?.status !== 'failed') {
          const message = this.services.redactor.redact(oneLine(e));
          this.downloadErrors.set(key, message);
          this.services.log.warn(`Echo360 download of ${runTitle(run)}: ${message}`);
          void vscode.window
            .showErrorMessage(
              safeText(vscode.l10n.t('{0}: the download failed: {1}', runLabel(run), message)),
              vscode.l10n.t('Download Again'),
            )
            .then(async (choice) => {
              if (choice) await vscode.commands.executeCommand('insightExplorer.echo360.downloadAgain', { sourceId, runId });
            });
        }
        return undefined;
      } finally {
        this.downloads.delete(key);
      }
    })();
  }

  private async announceReady(ready: Echo360RunReady, run: RunState): Promise<void> {
    const openPreview = vscode.l10n.t('Open Preview');
    const openDocument = vscode.l10n.t('Open as Document');
    const revealFile = vscode.l10n.t('Reveal File');
    const choice = await vscode.window.showInformationMessage(
      safeText(vscode.l10n.t('{0} ready: {1} rows', runLabel(run), ready.rows.toLocaleString('en-US'))),
      openPreview,
      openDocument,
      revealFile,
    );
    const arg = { sourceId: ready.sourceId, runId: ready.runId };
    if (choice === openPreview) await vscode.commands.executeCommand('insightExplorer.echo360.openResult', arg);
    else if (choice === openDocument) await vscode.commands.executeCommand('insightExplorer.echo360.openDocument', arg);
    else if (choice === revealFile) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(ready.file));
  }

  /** Failed/Missing → the request id and Resubmit; refused credentials → Set Credentials. */
  private async announceFailure(sourceId: string, q: EchoReportQueue, runId: string, error: string | undefined): Promise<void> {
    const run = q.getRun(runId);
    if (!run) return;
    const bad = run.chunks.find((c) => isFinalFailure(c.status));
    const text = this.services.redactor.redact(error ?? run.error ?? vscode.l10n.t('the run failed'));
    if (/refused the client id\/secret/i.test(text)) {
      const choice = await vscode.window.showErrorMessage(
        safeText(vscode.l10n.t('{0}: Echo360 refused the client id/secret — check the client id/secret of this source.', runLabel(run))),
        vscode.l10n.t('Set Credentials…'),
      );
      if (choice) await vscode.commands.executeCommand('insightExplorer.setCredentials', { sourceId });
      return;
    }
    if (bad?.requestId) {
      const resubmit = vscode.l10n.t('Resubmit');
      const copyRequestId = vscode.l10n.t('Copy Request ID');
      const choice = await vscode.window.showErrorMessage(
        safeText(vscode.l10n.t('{0}: request {1} is {2}. Resubmit it to try again.', runLabel(run), bad.requestId, bad.status)),
        resubmit,
        copyRequestId,
      );
      if (choice === resubmit)
        await vscode.commands.executeCommand('insightExplorer.echo360.resubmit', { sourceId, requestId: bad.requestId });
      else if (choice === copyRequestId) await vscode.env.clipboard.writeText(bad.requestId);
      return;
    }
    void vscode.window.showErrorMessage(safeText(vscode.l10n.t('{0}: {1}', runLabel(run), text)));
  }

  /** Bytes of a finished run's file, or undefined when it is gone. */
  async fileSize(file: string): Promise<number | undefined> {
    try {
      return (await fs.promises.stat(file)).size;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    for (const ac of this.downloads.values()) ac.abort();
    for (const q of this.queues.values()) q.dispose();
    this.queues.clear();
    for (const d of this.disposables) d.dispose();
  }
}
