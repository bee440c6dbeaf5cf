/**
 * A worker thread's messages, queued for an async consumer, and how the worker ended: the one
 * piece the decompression thread (gunzipWorker.ts) and the parsing thread (parseRemote.ts) share.
 */
import { Worker } from 'node:worker_threads';

export class WorkerInbox<M> {
  readonly queue: M[] = [];
  /** Some message arrived (the worker got going). */
  heard = false;
  /** The worker sent its last message (`isLast`), so its exit is no crash. */
  said = false;
  /** An 'error' event or an exit before the last message. */
  failure: Error | undefined;
  private crashed = false;
  private wake: (() => void) | undefined;

  /** `what`: the thread, as named in the error when it stops early ("the decompression thread"). */
  constructor(worker: Worker, what: string, isLast: (m: M) => boolean) {
    worker.on('message', (m: M) => {
      this.heard = true;
      if (isLast(m)) this.said = true;
      this.queue.push(m);
      this.poke();
    });
    worker.on('error', (e) => {
      this.crashed = true;
      this.failure ??= e;
      this.poke();
    });
    worker.on('exit', (code) => {
      if (!this.said && !this.failure) {
        this.crashed = true;
        this.failure = new Error(`${what} stopped (exit code ${code})`);
      }
      this.poke();
    });
  }

  /** The worker failed before it sent anything: it never got going (no thread, no memory for one). */
  get neverStarted(): boolean {
    return this.crashed && !this.heard;
  }

  /** Wakes the consumer waiting in next() (a message, an error, an exit, or an abort). */
  poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves at the next poke. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }
}
