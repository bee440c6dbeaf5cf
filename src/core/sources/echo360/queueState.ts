/**
 * What the Echo360 queue persists, and the store seam. The state is plain JSON so the VS Code
 * layer can keep it in `globalState` and the CLI in memory; a restart reloads it and continues:
 * report requests take hours on Echo360 and must never be lost or submitted twice.
 */
import { InsightError } from '../../errors';
import { DateRange, describeRange } from './dateRange';
import { EchoOutputOptions, EchoRequestStatus } from './types';

/** A chunk is Queued (not yet sent), Submitting (sent, answer not yet recorded) or a server status. */
export type ChunkStatus = 'Queued' | 'Submitting' | EchoRequestStatus;

/**
 * running: chunks being submitted/polled; ready: every chunk Available, waiting for the download;
 * completed: merged into a result file; failed: a request ended Failed/Missing (resubmit to go
 * on) or the credentials were refused; cancelled: stopped by the user.
 */
export type RunStatus = 'running' | 'ready' | 'completed' | 'failed' | 'cancelled';

export interface ChunkState {
  index: number;
  /** Absent for a report that takes no date range (one chunk, sent with no parameters). */
  start?: string;
  end?: string;
  status: ChunkStatus;
  requestId?: string;
  /** Server's submission time, and created + 14 days (when Echo360 deletes the report). */
  created?: string;
  expires?: string;
  /** Set while Submitting: lets resume() find a request the crash left unrecorded. */
  submittedAt?: string;
  /** Earlier request ids of this chunk, newest last (it was resubmitted). */
  previousRequestIds?: string[];
  error?: string;
}

export interface RunResult {
  file: string;
  rows: number;
  bytes: number;
  completedAt: string;
}

export interface RunState {
  id: string;
  reportName: string;
  /** Report parameters besides start/end. */
  parameters: Record<string, string>;
  output: EchoOutputOptions;
  /** Absent for a report that takes no date range (`asset`: all time). */
  range?: DateRange;
  createdAt: string;
  status: RunStatus;
  chunks: ChunkState[];
  error?: string;
  result?: RunResult;
}

export interface QueueState {
  version: 1;
  runs: RunState[];
}

export interface QueueStore {
  load(): Promise<QueueState | undefined>;
  save(state: QueueState): Promise<void>;
}

/**
 * Keeps the state as a JSON string, exactly what a durable store would hold, so a "restart"
 * (a new queue on the same store) sees no object shared with the old queue.
 */
export class MemoryQueueStore implements QueueStore {
  private json: string | undefined;
  saves = 0;

  constructor(initial?: QueueState) {
    if (initial) this.json = JSON.stringify(initial);
  }

  async load(): Promise<QueueState | undefined> {
    return this.json === undefined ? undefined : (JSON.parse(this.json) as QueueState);
  }

  async save(state: QueueState): Promise<void> {
    this.json = JSON.stringify(state);
    this.saves++;
  }

  /** The state as last saved (tests, diagnostics). */
  peek(): QueueState | undefined {
    return this.json === undefined ? undefined : (JSON.parse(this.json) as QueueState);
  }
}

/** Reads a stored state defensively: a state written by another version is dropped, not trusted. */
export function readQueueState(raw: unknown): QueueState {
  const r = raw as Partial<QueueState> | undefined;
  if (!r || r.version !== 1 || !Array.isArray(r.runs)) return { version: 1, runs: [] };
  const runs = r.runs.filter(
    (run): run is RunState => !!run && typeof run.id === 'string' && Array.isArray(run.chunks) && typeof run.reportName === 'string',
  );
  return { version: 1, runs };
}

export function chunkLabel(run: Pick<RunState, 'reportName'>, chunk: Partial<Pick<ChunkState, 'start' | 'end'>> | undefined): string {
  return `${run.reportName} ${describeRange(chunk)}`;
}

/** A report request that ended Failed or Missing. The UI offers `queue.resubmit(requestId)`. */
export class EchoRequestFailedError extends InsightError {
  /** The message without the advice, for callers that give their own. */
  readonly headline: string;

  constructor(
    readonly requestId: string,
    readonly requestStatus: 'Failed' | 'Missing',
    readonly runId: string,
    readonly chunkIndex: number,
    what: string,
  ) {
    const headline =
      requestStatus === 'Missing'
        ? `Echo360 request ${requestId} (${what}) is Missing: its report file is gone.`
        : `Echo360 request ${requestId} (${what}) ended Failed.`;
    super('server', headline, { next: 'Resubmit it to try again.' });
    this.headline = headline;
  }
}
