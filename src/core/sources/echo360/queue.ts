/**
 * EchoReportQueue: turns "videoview for the whole term" into Echo360 report requests and sees
 * them through, within the API's limits (API-NOTES.md):
 * - at most 3 requests in flight per institution, counting Pending requests other people or
 *   other tools already have on the server (read from `GET requests` each round);
 * - at most 7 days per request (the run's range is split by `splitRange`);
 * - 120 calls a minute (the client's shared token bucket);
 * - reports kept 14 days (an Available chunk past its expiry is resubmitted).
 *
 * Every transition is saved through the injected QueueStore before the next network call that
 * depends on it (a chunk is saved as Submitting before the POST, and with its request id right
 * after), so a restart (new queue, same store) continues polling and submitting without losing
 * or duplicating a request.
 */
import { randomUUID } from 'node:crypto';
import { InsightError, isCancelled, oneLine } from '../../errors';
import { Logger, silentLogger } from '../../log';
import { Echo360Client, CredentialsRefusedError } from './client';
import { DateRange, checkLookback, describeRange, splitRange, validateRange } from './dateRange';
import {
  ChunkState,
  ChunkStatus,
  EchoRequestFailedError,
  QueueState,
  QueueStore,
  RunResult,
  RunState,
  RunStatus,
  chunkLabel,
  readQueueState,
} from './queueState';
import { EchoDelimiter, EchoRequest, EchoRequestStatus, MAX_IN_FLIGHT, expiresFrom, isFinalFailure } from './types';

export * from './queueState';

/** The calls the queue makes; an Echo360Client, or a double in tests. */
export type EchoReportingApi = Pick<Echo360Client, 'listRequests' | 'getRequest' | 'submit'>;

export type EchoQueueEvent =
  | { kind: 'counts'; running: number; queued: number; foreignPending: number }
  | { kind: 'request'; runId: string; chunk: number; requestId?: string; status: ChunkStatus; previous: ChunkStatus }
  | { kind: 'run'; runId: string; status: RunStatus; error?: string };

export interface Disposable {
  dispose(): void;
}

export interface EchoReportQueueOptions {
  client: EchoReportingApi;
  store: QueueStore;
  /** First poll interval; grows ×1.5 while nothing changes, back to this on any change. Default 30 s. */
  pollIntervalMs?: number;
  /** Ceiling of the poll backoff. Default 8 × pollIntervalMs, at most 5 minutes. */
  maxPollIntervalMs?: number;
  maxInFlight?: number;
  /** Consecutive failed rounds (network down, 5xx after retries) before runs are failed. Default 5. */
  maxConsecutiveErrors?: number;
  /** Finished runs kept in the state for the UI's history. Default 20. */
  keepFinishedRuns?: number;
  logger?: Logger;
  now?: () => number;
  /**
   * Schedules the poller's next round after `ms` and returns its cancel; default `setTimeout`.
   * Tests pass one that records the delays, so the poll schedule is checked exactly.
   */
  timer?: (ms: number, fire: () => void) => () => void;
}

export interface EnqueueSpec {
  reportName: string;
  /**
   * Absent for a report that takes no date range (its listing has no start/end, e.g. `asset`):
   * the run is ONE request with no parameters.
   */
  range?: DateRange;
  /** Report parameters besides start/end. */
  parameters?: Record<string, string>;
  output?: { compression?: boolean; delimiter?: EchoDelimiter };
}

function setTimer(ms: number, fire: () => void): () => void {
  const t = setTimeout(fire, ms);
  return () => clearTimeout(t);
}

const ACTIVE: ReadonlySet<ChunkStatus> = new Set<ChunkStatus>(['Queued', 'Submitting', 'Pending']);
/** A Submitting chunk adopts a server request created this long before it was sent (clock skew). */
const ADOPT_SKEW_MS = 10 * 60_000;

export class EchoReportQueue {
  readonly client: EchoReportingApi;
  private state: QueueState = { version: 1, runs: [] };
  private readonly listeners = new Set<(e: EchoQueueEvent) => void>();
  private readonly runErrors = new Map<string, InsightError>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timer: (ms: number, fire: () => void) => () => void;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly maxInFlight: number;
  private loaded: Promise<void> | undefined;
  private looping = false;
  private disposed = false;
  private wake: (() => void) | undefined;
  private saving: Promise<void> = Promise.resolve();
  private lastCounts = '';
  private foreignPending = 0;
  /** Aborts the poller's calls on dispose(). */
  private readonly stop = new AbortController();
  private readonly waiters = new Set<(e: unknown) => void>();

  constructor(private readonly opts: EchoReportQueueOptions) {
    this.client = opts.client;
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.timer = opts.timer ?? setTimer;
    this.pollMs = Math.max(10, opts.pollIntervalMs ?? 30_000);
    this.maxPollMs = Math.max(this.pollMs, opts.maxPollIntervalMs ?? Math.min(this.pollMs * 8, 300_000));
    this.maxInFlight = opts.maxInFlight ?? MAX_IN_FLIGHT;
  }

  /** Loads the saved state and continues every unfinished run. Safe to call more than once. */
  resume(): Promise<void> {
    this.loaded ??= (async () => {
      // Nothing is in the state before this: enqueue() waits for resume() before adding a run.
      this.state = readQueueState(await this.opts.store.load());
      this.ensureLoop();
    })();
    return this.loaded;
  }

  onDidChange(listener: (e: EchoQueueEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  runs(): readonly RunState[] {
    return this.state.runs;
  }

  getRun(runId: string): RunState | undefined {
    return this.state.runs.find((r) => r.id === runId);
  }

  counts(): { running: number; queued: number; foreignPending: number } {
    let running = 0;
    let queued = 0;
    for (const run of this.state.runs) {
      // A ready run's chunks are all Available: only running runs have requests to count.
      if (run.status !== 'running') continue;
      for (const c of run.chunks) {
        if (c.status === 'Pending' || c.status === 'Submitting') running++;
        else if (c.status === 'Queued') queued++;
      }
    }
    return { running, queued, foreignPending: this.foreignPending };
  }

  /**
   * Adds a run (its range validated and split into ≤ 7-day chunks; no range: one chunk without
   * dates), saved before this resolves.
   */
  async enqueue(spec: EnqueueSpec): Promise<RunState> {
    await this.resume();
    const range = spec.range ? validateRange(spec.range, this.now()) : undefined;
    if (range) checkLookback(spec.reportName, range, this.now());
    const run: RunState = {
      id: randomUUID(),
      reportName: spec.reportName,
      parameters: { ...spec.parameters },
      output: { compression: spec.output?.compression ?? true, delimiter: spec.output?.delimiter ?? ',' },
      range,
      createdAt: new Date(this.now()).toISOString(),
      status: 'running',
      chunks: range
        ? splitRange(range).map((c, index): ChunkState => ({ index, start: c.start, end: c.end, status: 'Queued' }))
        : [{ index: 0, status: 'Queued' }],
    };
    this.state.runs.push(run);
    await this.persist();
    this.emit({ kind: 'run', runId: run.id, status: 'running' });
    this.emitCounts();
    this.ensureLoop();
    // A poller sleeping between rounds of another run submits this one now, not after its wait.
    this.poke();
    return run;
  }

  /**
   * Sends a chunk again as a new request: after Failed, Missing or Expired (or an Available one
   * whose file turned out to be unusable). Its run goes back to running.
   */
  async resubmit(requestId: string): Promise<void> {
    await this.resume();
    for (const run of this.state.runs) {
      const chunk = run.chunks.find((c) => c.requestId === requestId);
      if (!chunk) continue;
      // (A Submitting chunk has no request id yet, so only a Pending one is found here.)
      if (chunk.status === 'Pending') {
        throw new InsightError('usage', `Echo360 request ${requestId} is still Pending; wait for it to finish before resubmitting.`);
      }
      this.requeue(run, chunk);
      this.setRunStatus(run, 'running');
      await this.persist();
      this.emitCounts();
      this.ensureLoop();
      this.poke();
      return;
    }
    throw new InsightError('notFound', `No queued Echo360 run holds request ${requestId}.`, { next: 'Refresh the request list.' });
  }

  /**
   * Records a status seen outside the poller: the download found the request Expired (it is
   * resubmitted), Failed or Missing (the run fails with the resubmit offer).
   */
  async noteStatus(requestId: string, status: EchoRequestStatus): Promise<void> {
    await this.resume();
    for (const run of this.state.runs) {
      const c = run.chunks.find((x) => x.requestId === requestId);
      if (!c) continue;
      if (run.status === 'ready' || run.status === 'completed') this.setRunStatus(run, 'running');
      this.applyServerStatus(run, c, { status });
      await this.persist();
      this.emitCounts();
      this.ensureLoop();
      this.poke();
      return;
    }
  }

  /** Goes on with a failed run: resubmits its Failed and Missing chunks and polls again. */
  async retryRun(runId: string): Promise<void> {
    const run = this.requireRun(runId);
    // (Expired is never kept: a chunk found Expired is queued again on the spot.)
    for (const c of run.chunks) if (isFinalFailure(c.status)) this.requeue(run, c);
    this.setRunStatus(run, 'running');
    await this.persist();
    this.emitCounts();
    this.ensureLoop();
    this.poke();
  }

  /** Records the merged result; the download layer calls this. */
  async completeRun(runId: string, result: Omit<RunResult, 'completedAt'>): Promise<void> {
    const run = this.requireRun(runId);
    run.result = { ...result, completedAt: new Date(this.now()).toISOString() };
    this.setRunStatus(run, 'completed');
    this.prune();
    await this.persist();
    this.emitCounts();
  }

  /**
   * Stops submitting the run's chunks. Echo360 documents no way to cancel a request, so those
   * already Pending finish on the server (and count against its in-flight limit until then).
   */
  async cancelRun(runId: string): Promise<void> {
    const run = this.requireRun(runId);
    if (run.status === 'completed') return;
    this.setRunStatus(run, 'cancelled');
    await this.persist();
    this.emitCounts();
  }

  async removeRun(runId: string): Promise<void> {
    this.state.runs = this.state.runs.filter((r) => r.id !== runId);
    this.runErrors.delete(runId);
    await this.persist();
    this.emitCounts();
  }

  /**
   * Resolves with the chunk once it is Available; rejects when its run fails (the request ended
   * Failed/Missing, credentials refused, repeated errors) or is cancelled, or when `signal` aborts.
   */
  waitForChunk(runId: string, index: number, signal?: AbortSignal): Promise<ChunkState> {
    return this.waitFor(signal, () => {
      const run = this.requireRun(runId);
      const chunk = run.chunks[index];
      if (!chunk) throw new RangeError(`run ${runId} has no chunk ${index}`);
      if (run.status === 'failed') throw this.runError(run);
      if (run.status === 'cancelled') throw new InsightError('cancelled', `The Echo360 run ${chunkLabel(run, run.range)} was cancelled.`);
      return chunk.status === 'Available' ? chunk : undefined;
    });
  }

  /** Resolves when every chunk of the run is Available (status ready or completed). */
  waitForRun(runId: string, signal?: AbortSignal): Promise<RunState> {
    return this.waitFor(signal, () => {
      const run = this.requireRun(runId);
      if (run.status === 'failed') throw this.runError(run);
      if (run.status === 'cancelled') throw new InsightError('cancelled', 'The Echo360 run was cancelled.');
      return run.status === 'ready' || run.status === 'completed' ? run : undefined;
    });
  }

  /** Stops the poller. The state stays in the store; a new queue's resume() continues it. */
  dispose(): void {
    // Safe to call again: the abort, the wake-up and the emptied sets do nothing the second time.
    this.disposed = true;
    this.stop.abort();
    this.poke();
    const cancelled = new InsightError('cancelled', 'The Echo360 queue was closed.');
    for (const w of [...this.waiters]) w(cancelled);
    this.listeners.clear();
  }

  /** Wakes the poller now instead of at the end of its current interval. */
  poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  // ---- the poller ----

  private ensureLoop(): void {
    if (this.looping || this.disposed || !this.hasWork()) return;
    this.looping = true;
    void this.loop();
  }

  private hasWork(): boolean {
    return this.state.runs.some((r) => r.status === 'running' || (r.status === 'ready' && r.chunks.some((c) => this.isExpired(c))));
  }

  private async loop(): Promise<void> {
    let delay = this.pollMs;
    let errors = 0;
    try {
      while (!this.disposed && this.hasWork()) {
        let wait: number;
        try {
          const { changed, busyMs } = await this.round();
          errors = 0;
          delay = changed ? this.pollMs : Math.min(this.maxPollMs, delay * 1.5);
          wait = Math.max(delay, busyMs ?? 0);
        } catch (e) {
          if (this.disposed || isCancelled(e)) break;
          errors++;
          const err = e instanceof InsightError ? e : new InsightError('network', oneLine(e));
          this.log.warn(`Echo360 queue: ${oneLine(err)} (round ${errors} failed)`);
          // Refused credentials cannot heal by waiting; a long outage is reported, not hidden.
          if (err.kind === 'auth' || err instanceof CredentialsRefusedError || errors >= (this.opts.maxConsecutiveErrors ?? 5)) {
            await this.failActiveRuns(err);
            break;
          }
          delay = Math.min(this.maxPollMs, delay * 1.5);
          wait = delay;
        }
        if (this.disposed || !this.hasWork()) break;
        await this.sleep(wait);
      }
    } finally {
      this.looping = false;
    }
    // Work may have arrived between the last check and the flag reset (ensureLoop checks for it).
    this.ensureLoop();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.timer(ms, () => {
        this.wake = undefined;
        resolve();
      });
      this.wake = () => {
        cancel();
        resolve();
      };
    });
  }

  /** One polling round: refresh statuses, adopt or requeue unrecorded submits, submit into free slots. */
  private async round(): Promise<{ changed: boolean; busyMs?: number }> {
    let changed = false;
    const running = this.state.runs.filter((r) => r.status === 'running' || r.status === 'ready');
    for (const run of running) {
      for (const c of run.chunks) {
        if (this.isExpired(c)) {
          // Echo360 deleted the report (14 days): ask for it again.
          this.setChunk(run, c, 'Expired');
          this.requeue(run, c);
          this.setRunStatus(run, 'running');
          changed = true;
        }
      }
    }
    const active = running.filter((r) => r.status === 'running');
    if (!active.some((r) => r.chunks.some((c) => ACTIVE.has(c.status)))) {
      if (this.markReady(active)) changed = true;
      if (changed) await this.persist();
      return { changed };
    }

    const signal = this.stop.signal;
    const listing = await this.client.listRequests(signal);
    const byId = new Map(listing.map((r) => [r.requestId, r]));
    const tracked = new Set<string>();
    for (const run of this.state.runs) {
      for (const c of run.chunks) for (const id of [c.requestId, ...(c.previousRequestIds ?? [])]) if (id) tracked.add(id);
    }

    for (const run of active) {
      for (const c of run.chunks) {
        if (c.status === 'Submitting') changed = this.adoptOrRequeue(run, c, listing, tracked) || changed;
      }
    }
    for (const run of active) {
      for (const c of run.chunks) {
        if (c.status !== 'Pending' || !c.requestId) continue;
        const seen = byId.get(c.requestId) ?? (await this.fetchMissing(c.requestId, signal));
        changed = this.applyServerStatus(run, c, seen) || changed;
        if (run.status !== 'running') break;
      }
    }
    if (changed) await this.persist();

    // In flight = every Pending request on the server (ours and anyone's) plus ours the listing
    // does not show yet. The API allows 3 per institution, so others' requests take our slots.
    const pendingIds = new Set(listing.filter((r) => r.status === 'Pending').map((r) => r.requestId));
    let ours = 0;
    for (const run of this.state.runs)
      for (const c of run.chunks)
        if (c.status === 'Pending' && c.requestId) {
          pendingIds.add(c.requestId);
          ours++;
        }
    this.foreignPending = Math.max(0, pendingIds.size - ours);
    let inFlight = pendingIds.size;
    let busyMs: number | undefined;

    for (const run of this.state.runs) {
      for (const c of run.chunks) {
        if (inFlight >= this.maxInFlight || busyMs !== undefined || this.disposed) break;
        if (c.status !== 'Queued' || run.status !== 'running') continue;
        const outcome = await this.submitChunk(run, c, signal);
        if (typeof outcome === 'object') busyMs = outcome.busyMs;
        else changed = true;
        if ((c.status as ChunkStatus) === 'Pending') inFlight++;
      }
    }
    // Saved like every other status: a restart must find the run ready, not running.
    if (this.markReady(active)) {
      changed = true;
      await this.persist();
    }
    this.emitCounts();
    return { changed, busyMs };
  }

  /** Runs whose every chunk is Available become ready; true when one did. */
  private markReady(runs: RunState[]): boolean {
    let any = false;
    for (const run of runs) {
      if (run.status === 'running' && run.chunks.every((c) => c.status === 'Available')) {
        this.setRunStatus(run, 'ready');
        any = true;
      }
    }
    return any;
  }

  private async submitChunk(run: RunState, c: ChunkState, signal: AbortSignal): Promise<'submitted' | 'rejected' | { busyMs: number }> {
    this.setChunk(run, c, 'Submitting');
    c.submittedAt = new Date(this.now()).toISOString();
    // Saved before the POST: if we die before recording the answer, resume() looks for it.
    await this.persist();
    let result;
    try {
      result = await this.client.submit(
        run.reportName,
        {
          // A report without a date range gets no start/end: Echo360 refuses them on `asset`.
          parameters:
            c.start !== undefined && c.end !== undefined ? { ...run.parameters, start: c.start, end: c.end } : { ...run.parameters },
          output: { ...run.output },
        },
        signal,
      );
    } catch (e) {
      // A network error may hide a request that did reach Echo360: the chunk stays Submitting
      // and the next round adopts it from the listing, or queues it again if it is not there.
      if (!(e instanceof InsightError && (e.kind === 'usage' || e.kind === 'notFound'))) throw e;
      // Echo360 rejected the parameters or the report name: sending the same again cannot help.
      this.setChunk(run, c, 'Queued');
      delete c.submittedAt;
      c.error = oneLine(e);
      run.error = c.error;
      this.runErrors.set(run.id, e);
      this.setRunStatus(run, 'failed');
      await this.persist();
      return 'rejected';
    }
    if (!result.accepted) {
      this.log.info(`Echo360 is at its limit (${result.reason}); ${chunkLabel(run, c)} waits in the queue`);
      this.setChunk(run, c, 'Queued');
      delete c.submittedAt;
      await this.persist();
      return { busyMs: result.retryAfterMs ?? this.pollMs };
    }
    this.record(run, c, result.request);
    await this.persist();
    this.log.info(`Echo360 ${chunkLabel(run, c)} submitted as ${c.requestId} (${c.status})`);
    return 'submitted';
  }

  private record(run: RunState, c: ChunkState, req: EchoRequest): void {
    c.requestId = req.requestId;
    c.created = req.created ?? c.created ?? new Date(this.now()).toISOString();
    c.expires = req.expires ?? expiresFrom(c.created);
    delete c.submittedAt;
    this.applyServerStatus(run, c, req);
  }

  private adoptOrRequeue(run: RunState, c: ChunkState, listing: EchoRequest[], tracked: Set<string>): boolean {
    const sentAt = c.submittedAt ? Date.parse(c.submittedAt) : NaN;
    const match = listing.find((r) => {
      if (tracked.has(r.requestId) || r.reportName !== run.reportName) return false;
      if (r.parameters.start !== c.start || r.parameters.end !== c.end) return false;
      const created = r.created ? Date.parse(r.created) : NaN;
      return Number.isNaN(sentAt) || Number.isNaN(created) || created >= sentAt - ADOPT_SKEW_MS;
    });
    if (match) {
      this.log.info(`Echo360 ${chunkLabel(run, c)}: found request ${match.requestId} submitted before the restart`);
      tracked.add(match.requestId);
      this.record(run, c, match);
    } else {
      this.setChunk(run, c, 'Queued');
      delete c.submittedAt;
    }
    return true;
  }

  /** A Pending request absent from the listing: ask for it directly; a 404 means Missing. */
  private async fetchMissing(requestId: string, signal: AbortSignal): Promise<EchoRequest | undefined> {
    try {
      return await this.client.getRequest(requestId, signal);
    } catch (e) {
      if (e instanceof InsightError && e.kind === 'notFound') return undefined;
      throw e;
    }
  }

  /** Applies a status the server reported (`undefined`: the server does not know the request). */
  private applyServerStatus(run: RunState, c: ChunkState, seen: Pick<EchoRequest, 'status' | 'created' | 'expires'> | undefined): boolean {
    const status = seen ? seen.status : 'Missing';
    if (seen?.created) {
      c.created = seen.created;
      c.expires = seen.expires;
    }
    if (status === c.status) return false;
    this.setChunk(run, c, status);
    if (status === 'Expired') {
      this.requeue(run, c);
    } else if (isFinalFailure(status)) {
      const err = new EchoRequestFailedError(c.requestId ?? '?', status as 'Failed' | 'Missing', run.id, c.index, chunkLabel(run, c));
      c.error = err.headline;
      run.error = err.headline;
      this.runErrors.set(run.id, err);
      this.setRunStatus(run, 'failed');
    }
    return true;
  }

  private requeue(run: RunState, c: ChunkState): void {
    if (c.requestId) (c.previousRequestIds ??= []).push(c.requestId);
    delete c.requestId;
    delete c.created;
    delete c.expires;
    delete c.error;
    delete c.submittedAt;
    this.setChunk(run, c, 'Queued');
    // The run's error stays while it is failed (another chunk may still be Failed); it goes when
    // the run runs again (setRunStatus).
  }

  private async failActiveRuns(err: InsightError): Promise<void> {
    for (const run of this.state.runs) {
      if (run.status !== 'running') continue;
      run.error = oneLine(err);
      this.runErrors.set(run.id, err);
      this.setRunStatus(run, 'failed');
    }
    await this.persist().catch(() => undefined);
  }

  private isExpired(c: ChunkState): boolean {
    return c.status === 'Available' && !!c.expires && Date.parse(c.expires) <= this.now();
  }

  // ---- state helpers ----

  private setChunk(run: RunState, c: ChunkState, status: ChunkStatus): void {
    if (c.status === status) return;
    const previous = c.status;
    c.status = status;
    this.emit({ kind: 'request', runId: run.id, chunk: c.index, requestId: c.requestId, status, previous });
  }

  private setRunStatus(run: RunState, status: RunStatus): void {
    if (run.status === status) return;
    run.status = status;
    if (status !== 'failed') {
      delete run.error;
      this.runErrors.delete(run.id);
    }
    this.emit({ kind: 'run', runId: run.id, status, error: run.error });
  }

  private requireRun(runId: string): RunState {
    const run = this.getRun(runId);
    if (!run) throw new InsightError('notFound', `No Echo360 run ${runId} in the queue.`);
    return run;
  }

  private runError(run: RunState): InsightError {
    return (
      this.runErrors.get(run.id) ??
      new InsightError('server', run.error ?? `The Echo360 run ${run.reportName} ${describeRange(run.range)} failed.`)
    );
  }

  private prune(): void {
    const keep = this.opts.keepFinishedRuns ?? 20;
    const finished = this.state.runs.filter((r) => r.status === 'completed' || r.status === 'cancelled');
    const drop = new Set(finished.slice(0, Math.max(0, finished.length - keep)).map((r) => r.id));
    this.state.runs = this.state.runs.filter((r) => !drop.has(r.id));
  }

  /** Saves a snapshot; saves are serialised so an older snapshot never lands after a newer one. */
  private persist(): Promise<void> {
    // After dispose() this queue is "dead": a new queue on the same store owns the state now.
    if (this.disposed) return Promise.resolve();
    const snapshot = JSON.parse(JSON.stringify(this.state)) as QueueState;
    const p = this.saving.then(() => this.opts.store.save(snapshot));
    this.saving = p.catch(() => undefined);
    return p;
  }

  private emit(e: EchoQueueEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.warn(`Echo360 queue listener failed: ${oneLine(err)}`);
      }
    }
  }

  private emitCounts(): void {
    const c = this.counts();
    const key = `${c.running}/${c.queued}/${c.foreignPending}`;
    if (key === this.lastCounts) return;
    this.lastCounts = key;
    this.emit({ kind: 'counts', ...c });
  }

  private waitFor<T>(signal: AbortSignal | undefined, check: () => T | undefined): Promise<T> {
    const cancelled = () =>
      signal?.aborted ? new InsightError('cancelled', 'Cancelled.') : new InsightError('cancelled', 'The Echo360 queue was closed.');
    if (signal?.aborted || this.disposed) return Promise.reject(cancelled());
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        sub.dispose();
        this.waiters.delete(onClose);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onClose = (e: unknown) => finish(() => reject(e));
      const onAbort = () => finish(() => reject(cancelled()));
      const test = () => {
        try {
          const v = check();
          if (v !== undefined) finish(() => resolve(v));
        } catch (e) {
          finish(() => reject(e));
        }
      };
      const sub = this.onDidChange(test);
      this.waiters.add(onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.resume().then(
        () => {
          this.ensureLoop();
          test();
        },
        (e: unknown) => finish(() => reject(e)),
      );
    });
  }
}
