/**
 * Ingest of a file on two threads: a worker thread reads the file, inflates it when it is a .gz,
 * and tokenizes it (a TableBuilder that only tokenizes, see RowsOut in table.ts); this thread
 * builds the columns from what it sends. With the tokenizer off this thread, the column builders
 * are all this thread does, while the worker's inflate and tokenize run beside them.
 *
 * - What arrives is replayed in the order the worker found it: the header, each warning (ragged
 *   rows, a bad header byte, an unclosed quote), each batch of rows. A table read this way is the
 *   table TableBuilder.push would have built from the same bytes, warnings included.
 * - Each batch comes with the chunk its fields point into, moved (not copied) between threads;
 *   fields unescaped from quotes come as copies beside it.
 * - Memory stays bounded: the worker is at most WINDOW messages ahead; it waits for a credit per
 *   message taken. Each chunk's memory comes back with its credit and is read into again, so a
 *   file of any size goes through the same few megabytes.
 * - Every limit still applies: the tokenizer's (field, record, column caps) in the worker, sent
 *   back as the same LimitError; the decompressed-size limits here, per batch.
 * - Cancellation terminates the worker. A worker that cannot start (no worker threads, the
 *   worker file missing) makes ingestFileInWorker return undefined: the caller ingests in this
 *   thread instead.
 *
 * The worker runs parseWorker.js, built beside the bundle (esbuild.js) or compiled beside this
 * file (tests).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { MessagePort, Worker } from 'node:worker_threads';
import { InsightError } from '../errors';
import { IngestLimits, LimitError, checkDecompressed } from '../ingestLimits';
import { RowsOut, Table, TableBuilder, WarningKind } from './table';
import { WorkerInbox } from './workerInbox';

/** Messages the worker may have posted and this thread not yet taken. */
export const WINDOW = 4;
const CHUNK = 1 << 20;

export interface RemoteJob {
  path: string;
  gz: boolean;
  delimiter?: string;
  limits?: IngestLimits;
  label?: string;
  /** Read and inflate in chunks of this many bytes (tests use small ones). */
  chunk?: number;
}

type Warning = [WarningKind, number, number | undefined, string | undefined];

/** This side took a message; `buffer`: a chunk's memory, handed back for the next chunks. */
type Credit = { buffer?: ArrayBuffer };

type Message =
  | { type: 'header'; fields: string[]; delimiter: number; warnings: Warning[] }
  | {
      type: 'rows';
      bytes: Uint8Array;
      offset: number;
      length: number;
      side: Uint8Array;
      pos: Int32Array;
      flags: Uint8Array;
      rows: number;
      warnings: Warning[];
      total: number;
      compressed: number;
    }
  | { type: 'end'; warnings: Warning[] }
  | { type: 'error'; message: string; code?: string; limit?: keyof IngestLimits };

// ---------------------------------------------------------------------------------------------
// The worker's side

/** Runs in the worker thread (parseWorker.ts): tokenizes `job`'s file and posts what it finds. */
export function serveParse(port: MessagePort, job: RemoteJob): void {
  let credit = WINDOW;
  let resume: (() => void) | undefined;
  const chunkSize = job.chunk ?? CHUNK;
  // Chunk memory the other side is done with, to read the next chunks into (no garbage per chunk);
  // copies of small pieces are not worth keeping.
  const spare: ArrayBuffer[] = [];
  port.on('message', (m: Credit) => {
    credit++;
    if (m.buffer && m.buffer.byteLength >= chunkSize && spare.length <= WINDOW) spare.push(m.buffer);
    if (resume && credit > 0) {
      const r = resume;
      resume = undefined;
      r();
    }
  });
  const file = fs.createReadStream(job.path, { highWaterMark: chunkSize });
  let source: NodeJS.ReadableStream = file;
  if (job.gz) {
    const gunzip = zlib.createGunzip({ chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, chunkSize) });
    file.on('error', (e) => gunzip.destroy(e));
    source = file.pipe(gunzip);
  }
  // Messages of the chunk being tokenized; the chunk's bytes move with the last one that needs them.
  let queue: { message: Message; transfer: ArrayBuffer[] }[] = [];
  let warnings: Warning[] = [];
  let current: Buffer | undefined;
  let total = 0;
  // The last queued message whose fields point into `current`: the chunk's memory moves with it
  // (an earlier one, in a chunk of more fields than a batch holds, is posted, and so copied, before).
  let viaChunk = -1;
  const out: RowsOut = {
    warning: (kind, row, detail, message) => void warnings.push([kind, row, detail, message]),
    header: (fields, delimiter) => {
      queue.push({ message: { type: 'header', fields, delimiter, warnings }, transfer: [] });
      warnings = [];
    },
    rows: (base, side, pos, flags, rows, width) => {
      const inChunk = current !== undefined && base.buffer === current.buffer && base.byteOffset >= current.byteOffset;
      const message: Message = {
        type: 'rows',
        bytes: inChunk ? current! : Uint8Array.prototype.slice.call(base),
        offset: inChunk ? base.byteOffset - current!.byteOffset : 0,
        length: base.length,
        side: Uint8Array.prototype.slice.call(side),
        pos: pos.slice(0, rows * width * 2),
        flags: flags.slice(0, rows * width),
        rows,
        warnings,
        total,
        compressed: file.bytesRead,
      };
      warnings = [];
      if (inChunk) viaChunk = queue.length;
      queue.push({ message, transfer: [message.pos.buffer as ArrayBuffer, message.flags.buffer as ArrayBuffer] });
    },
  };
  const post = async () => {
    if (viaChunk >= 0) queue[viaChunk].transfer.push(current!.buffer as ArrayBuffer);
    for (const m of queue) {
      if (credit <= 0) await new Promise<void>((r) => (resume = r));
      credit--;
      port.postMessage(m.message, m.transfer);
    }
    queue = [];
    viaChunk = -1;
  };
  void (async () => {
    try {
      const builder = new TableBuilder({ delimiter: job.delimiter, limits: job.limits, label: job.label, out });
      for await (const piece of source as AsyncIterable<Buffer>) {
        // A copy of our own: its memory moves to the other thread with the rows that point into it.
        const mem = spare.pop();
        current =
          mem !== undefined && mem.byteLength >= piece.length ? Buffer.from(mem, 0, piece.length) : Buffer.allocUnsafeSlow(Math.max(piece.length, chunkSize)).subarray(0, piece.length);
        piece.copy(current);
        total += current.length;
        builder.push(current);
        await post();
      }
      current = undefined;
      builder.endInput();
      await post();
      port.postMessage({ type: 'end', warnings } satisfies Message);
    } catch (e) {
      const err = e as Error & { code?: string };
      let message = String(err?.message ?? err);
      // A LimitError is rebuilt on the other side, which adds its hint again.
      const next = e instanceof LimitError ? e.options.next : undefined;
      if (next && message.endsWith(` ${next}`)) message = message.slice(0, -next.length - 1);
      port.postMessage({
        type: 'error',
        message,
        code: err?.code,
        limit: e instanceof LimitError ? e.limit : undefined,
      } satisfies Message);
    }
    port.close();
  })();
}

// ---------------------------------------------------------------------------------------------
// This thread's side

export interface RemoteIngestOptions {
  signal?: AbortSignal;
  /** The worker file; by default parseWorker.js beside this module (or bundle). */
  workerFile?: string;
}

/**
 * The table of `job`'s file, tokenized on a worker thread; undefined when no worker could start
 * (the caller then ingests in this thread).
 */
export async function ingestFileInWorker(job: RemoteJob, opts: RemoteIngestOptions = {}): Promise<Table | undefined> {
  const file = opts.workerFile ?? path.join(__dirname, 'parseWorker.js');
  if (!fs.existsSync(file)) return undefined;
  // First: a bad delimiter is a usage error before any thread starts.
  const builder = new TableBuilder({ delimiter: job.delimiter, limits: job.limits, label: job.label });
  let worker: Worker;
  try {
    worker = new Worker(file, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  } catch {
    return undefined;
  }
  const inbox = new WorkerInbox<Message>(worker, 'the parsing thread', (m) => m.type === 'end' || m.type === 'error');
  const onAbort = () => inbox.poke();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const replay = (warnings: Warning[]) => {
    for (const [kind, row, detail, message] of warnings) builder.acceptWarning(kind, row, detail, message);
  };
  const limits = job.limits;
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new InsightError('cancelled', 'Loading the table was cancelled.');
      const m = inbox.queue.shift();
      if (m === undefined) {
        if (inbox.failure) {
          if (inbox.neverStarted) return undefined;
          throw inbox.failure;
        }
        await inbox.next();
        continue;
      }
      if (m.type === 'error') {
        throw m.limit ? new LimitError(m.limit, m.message) : Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
      }
      replay(m.warnings);
      if (m.type === 'header') {
        worker.postMessage({} satisfies Credit);
        builder.acceptHeader(m.fields, m.delimiter);
      } else if (m.type === 'rows') {
        if (limits && job.gz) checkDecompressed(m.total, m.compressed, limits, job.label ?? job.path);
        const base = Buffer.from(m.bytes.buffer, m.bytes.byteOffset + m.offset, m.length);
        builder.acceptRows(base, Buffer.from(m.side.buffer, m.side.byteOffset, m.side.byteLength), m.pos, m.flags, m.rows);
        // The columns keep copies of what they need: the chunk's memory goes back to be read into again.
        const chunk = m.bytes.buffer as ArrayBuffer;
        worker.postMessage({ buffer: chunk } satisfies Credit, [chunk]);
      } else return builder.finish();
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    void worker.terminate();
  }
}
