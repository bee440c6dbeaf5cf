/**
 * Gunzip for ingest on its own thread: a worker thread reads the .gz file (or takes its bytes),
 * inflates it and posts the decompressed chunks to the thread that parses them, so reading,
 * inflating and stream bookkeeping stay off the parser's thread and the two run side by side.
 *
 * - Memory stays bounded: the worker may be at most WINDOW chunks (of ≤ 1 MB) ahead of the
 *   parser; it waits for a credit message per chunk taken. Chunks move as transferred
 *   ArrayBuffers, never copied between threads.
 * - Every limit of ingestLimits.ts still applies, checked on the parser's side for each chunk
 *   with the compressed bytes read when the chunk was made (the same messages, naming the file).
 * - Cancellation: aborting the signal, a limit error, a parse error or the consumer stopping
 *   early (break / return) terminate the worker.
 * - Errors keep their shape: zlib's `code` (Z_DATA_ERROR, …) and file errors (ENOENT, …) come
 *   back as an Error with the same message and code, so callers word them as before.
 * - When no worker can start (a host without worker threads, resource limits), the same bytes
 *   are inflated in this thread as before (gunzipStream, on libuv's pool).
 *
 * The worker's code is a plain CommonJS string run with `eval: true`: the extension and the CLI
 * are single-file bundles, and this needs no second entry file beside them.
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { IngestLimits, capDecompressed, checkDecompressed } from '../ingestLimits';
import { WorkerInbox } from './workerInbox';
import * as zlib from 'node:zlib';

/**
 * Gunzip tuned for ingest (the in-thread path; gunzipWorker.ts inflates on a worker thread when
 * it can): zlib inflates on libuv's thread pool, so let it run ahead of the parser
 * (a few MB of output buffered) in big chunks, instead of waking it for every 16 KB the stream's
 * default high-water mark allows. (`readableHighWaterMark` is a stream option zlib passes through;
 * its typings omit it.)
 */
export function gunzipStream(): zlib.Gunzip {
  return zlib.createGunzip({ chunkSize: 1 << 20, readableHighWaterMark: 1 << 23 } as zlib.ZlibOptions);
}

/** Decompressed chunks the worker may have posted and the parser not yet taken. */
export const WINDOW = 8;
const CHUNK = 1 << 20;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { path, bytes, window, chunk } = workerData;
let credit = window;
let resume = null;
parentPort.on('message', (n) => {
  credit += n;
  if (resume !== null && credit > 0) { const r = resume; resume = null; r(); }
});
const gunzip = zlib.createGunzip({ chunkSize: chunk });
let file = null;
if (typeof path === 'string') {
  file = fs.createReadStream(path, { highWaterMark: chunk });
  file.on('error', (e) => gunzip.destroy(e));
  file.pipe(gunzip);
} else {
  gunzip.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
const compressed = () => (file !== null ? file.bytesRead : bytes.byteLength);
(async () => {
  try {
    for await (const out of gunzip) {
      if (credit <= 0) await new Promise((r) => { resume = r; });
      credit--;
      const copy = new Uint8Array(out);
      parentPort.postMessage({ type: 'data', chunk: copy, compressed: compressed() }, [copy.buffer]);
    }
    parentPort.postMessage({ type: 'end' });
  } catch (e) {
    parentPort.postMessage({ type: 'error', message: String((e && e.message) || e), code: e && e.code });
  }
  parentPort.close();
})();
`;

export type GzInput = { path: string } | { bytes: Uint8Array };

export interface WorkerGunzipOptions {
  limits: IngestLimits;
  /** The file named in limit errors. */
  label: string;
  signal?: AbortSignal;
  /** false: inflate in this thread (the fallback path, also used to compare the two). */
  worker?: boolean;
  /** Starts the worker; the default runs WORKER_SOURCE. A factory that throws means "no worker here". */
  startWorker?: (workerData: unknown) => Worker;
  /** Told about the worker once it started (to watch it exit). */
  onWorker?: (worker: Worker) => void;
}

type Message = { type: 'data'; chunk: Uint8Array; compressed: number } | { type: 'end' } | { type: 'error'; message: string; code?: string };

/** The decompressed bytes of a .gz file or buffer, inflated on a worker thread when one can start. */
export async function* gunzipForIngest(input: GzInput, opts: WorkerGunzipOptions): AsyncGenerator<Buffer> {
  if (opts.signal?.aborted) return;
  let worker: Worker | undefined;
  if (opts.worker !== false) {
    const data = { ...('path' in input ? { path: input.path } : { bytes: input.bytes }), window: WINDOW, chunk: CHUNK };
    try {
      worker = (opts.startWorker ?? ((d) => new Worker(WORKER_SOURCE, { eval: true, workerData: d })))(data);
    } catch {
      worker = undefined;
    }
  }
  if (worker) {
    opts.onWorker?.(worker);
    const started = yield* fromWorker(worker, opts);
    if (started) return;
  }
  yield* inThread(input, opts);
}

/** Streams the worker's chunks. False (nothing yielded) when the worker failed to start. */
async function* fromWorker(worker: Worker, opts: WorkerGunzipOptions): AsyncGenerator<Buffer, boolean> {
  const inbox = new WorkerInbox<Message>(worker, 'the decompression thread', (m) => m.type !== 'data');
  const onAbort = () => {
    void worker.terminate();
    inbox.poke();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let total = 0;
  try {
    for (;;) {
      if (opts.signal?.aborted) return true;
      const m = inbox.queue.shift();
      if (m?.type === 'data') {
        worker.postMessage(1);
        const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
        total += chunk.length;
        checkDecompressed(total, m.compressed, opts.limits, opts.label);
        yield chunk;
        continue;
      }
      if (m?.type === 'end') return true;
      if (m?.type === 'error') throw Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
      if (inbox.failure) {
        // A worker that never got going (no thread, no memory for one): inflate here instead.
        if (inbox.neverStarted) return false;
        throw inbox.failure;
      }
      await inbox.next();
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    void worker.terminate();
  }
}

async function* inThread(input: GzInput, opts: WorkerGunzipOptions): AsyncGenerator<Buffer> {
  const gunzip = gunzipStream();
  let compressed: () => number;
  let file: fs.ReadStream | undefined;
  if ('path' in input) {
    const f = (file = fs.createReadStream(input.path, { highWaterMark: CHUNK }));
    // pipe() does not forward errors: a failing read must still end the gunzip stream.
    f.on('error', (e) => gunzip.destroy(e));
    f.pipe(gunzip);
    compressed = () => f.bytesRead;
  } else {
    gunzip.end(input.bytes);
    compressed = () => input.bytes.byteLength;
  }
  try {
    for await (const chunk of capDecompressed(gunzip, compressed, opts.limits, opts.label)) {
      if (opts.signal?.aborted) return;
      yield chunk;
    }
  } finally {
    gunzip.destroy();
    file?.destroy();
  }
}
