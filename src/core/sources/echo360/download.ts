/**
 * Downloads a run's reports and merges them into one CSV file.
 *
 * What Echo360 and S3 impose (API-NOTES.md):
 * - A signed S3 link must be used exactly as given: any re-encoding of its query breaks the
 *   signature. undici sends `pathname + search` of a WHATWG URL, so a link is sent byte-for-byte
 *   exactly when `new URL(link).href === link` (true for `%2F`, `+`, `=`; not for e.g. a raw `'`,
 *   which WHATWG turns into `%27`). A link that would change is refused rather than altered.
 * - S3 rejects a request carrying a second auth mechanism: no Authorization header there. The
 *   HttpClient sends credentials only to the Echo360 origin; downloads also pass `auth: false`.
 * - Signed links last 7 days: a 403 from S3 means "fetch the request again for a fresh link".
 * - Reports last 14 days: an Expired request is resubmitted through the queue.
 *
 * A download cut mid-stream or a truncated gzip is retried from the start of that asset (its
 * partial bytes rolled back), a bounded number of times; never a silently short result.
 */
import { Readable, pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import { InsightError, isCancelled, oneLine } from '../../errors';
import { abortableSleep } from '../../http';
import { DEFAULT_LIMITS, IngestLimits, capDecompressed } from '../../ingestLimits';
import { refuseMarkup } from '../../markup';
import { Logger, Redactor, silentLogger } from '../../log';
import { Echo360Client } from './client';
import { CsvMerger, CsvPart } from './csvMerge';
import { EchoReportQueue } from './queue';
import { ChunkState, RunState, chunkLabel } from './queueState';
import { ResultFileWriter } from './resultFile';
import { EchoDelimiter, EchoRequest } from './types';

export interface DownloadProgress {
  phase: 'waiting' | 'downloading' | 'done';
  /** 0-based chunk being waited for or downloaded. */
  chunk: number;
  chunks: number;
  requestId?: string;
  /** Data rows written so far (header excluded). */
  rows: number;
  bytes: number;
}

export interface DownloadRunOptions {
  outFile: string;
  /** Output delimiter; default `,`. The run should ask Echo360 for the same one (fast path). */
  delimiter?: EchoDelimiter;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Attempts per asset when the download breaks off or the gzip is truncated. Default 3. */
  maxAttempts?: number;
  /** Fresh links fetched per asset after S3 refuses one (403). Default 2. */
  maxLinkRefreshes?: number;
  /** Times an Expired chunk is resubmitted and waited for again. Default 2. */
  maxResubmits?: number;
  logger?: Logger;
  /** Field/record/column caps of the merge and the decompressed-size cap per asset (core/limits.ts). */
  limits?: IngestLimits;
  /** Test hook for the pause between attempts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface EchoRunResult {
  file: string;
  rows: number;
  bytes: number;
  header: string[];
  chunks: number;
  /** Milliseconds from the start until the first data rows were written (undefined: no rows). */
  firstRowsMs?: number;
  totalMs: number;
}

/** S3's refusal of a signed link, with its XML `<Code>` (an InsightError so HttpClient passes it through). */
class StorageRefusal extends InsightError {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    readonly s3Message: string,
  ) {
    super('auth', `storage answered HTTP ${httpStatus} ${code}`, { status: httpStatus });
  }
}

/** A download that broke off (socket cut, truncated or corrupt gzip): worth another attempt. */
class BrokenDownload extends InsightError {
  constructor(cause: unknown) {
    super('network', `the download broke off (${describeCause(cause)})`, { cause });
  }
}

const BROKEN_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'Z_BUF_ERROR',
  'Z_DATA_ERROR',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function describeCause(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'Z_BUF_ERROR') return 'truncated gzip';
  if (code === 'Z_DATA_ERROR') return 'corrupt gzip';
  return code ?? oneLine(e);
}

/**
 * Waits for each chunk of the run in order, downloads its assets and appends them to one CSV at
 * `outFile` (renamed into place only when every chunk is in). Marks the run completed.
 */
export async function downloadRun(
  client: Echo360Client,
  queue: EchoReportQueue,
  runId: string,
  opts: DownloadRunOptions,
): Promise<EchoRunResult> {
  const started = Date.now();
  await queue.resume();
  const run = queue.getRun(runId);
  if (!run) throw new InsightError('notFound', `No Echo360 run ${runId} in the queue.`);
  const log = opts.logger ?? silentLogger;
  const out = await ResultFileWriter.create(opts.outFile);
  const merger = new CsvMerger(out, opts.delimiter ?? run.output.delimiter, opts.limits);
  let firstRowsMs: number | undefined;
  merger.onFirstRows = () => (firstRowsMs = Date.now() - started);
  const total = run.chunks.length;
  const progress = (phase: DownloadProgress['phase'], chunk: number, requestId?: string) =>
    opts.onProgress?.({ phase, chunk, chunks: total, requestId, rows: merger.rows, bytes: out.size });
  try {
    for (let i = 0; i < total; i++) {
      for (let resubmits = 0; ;) {
        progress('waiting', i, run.chunks[i].requestId);
        const chunk = await queue.waitForChunk(runId, i, opts.signal);
        progress('downloading', i, chunk.requestId);
        const outcome = await downloadChunk(client, run, chunk, merger, {
          ...opts,
          logger: log,
          onData: () => progress('downloading', i, chunk.requestId),
        });
        if (outcome === 'done') break;
        // No longer Available. The queue resubmits an Expired request (reports last 14 days) and
        // the loop waits for the new one; Failed/Missing fail the run, so the wait rejects with
        // the request id and the resubmit offer.
        const requestId = chunk.requestId!;
        if (outcome === 'Expired') {
          if (resubmits++ >= (opts.maxResubmits ?? 2)) {
            throw new InsightError(
              'server',
              `Echo360 request ${requestId} (${chunkLabel(run, chunk)}) kept expiring before it could be downloaded.`,
              { next: 'Try again.' },
            );
          }
          log.info(`Echo360 request ${requestId} (${chunkLabel(run, chunk)}) has expired; resubmitting it`);
        }
        await queue.noteStatus(requestId, outcome);
      }
    }
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
  const result: EchoRunResult = {
    file: out.file,
    rows: merger.rows,
    bytes: out.size,
    header: merger.header ?? [],
    chunks: total,
    firstRowsMs,
    totalMs: Date.now() - started,
  };
  await queue.completeRun(runId, { file: result.file, rows: result.rows, bytes: result.bytes });
  progress('done', total - 1);
  return result;
}

interface ChunkOptions extends DownloadRunOptions {
  logger: Logger;
  onData: () => void;
}

/** Downloads every asset of one Available chunk into the merger; or says why it could not. */
async function downloadChunk(
  client: Echo360Client,
  run: RunState,
  chunk: ChunkState,
  merger: CsvMerger,
  opts: ChunkOptions,
): Promise<'done' | 'Expired' | 'Failed' | 'Missing' | 'Pending'> {
  const requestId = chunk.requestId!;
  const what = `Echo360 request ${requestId} (${chunkLabel(run, chunk)})`;
  let req = await client.getRequest(requestId, opts.signal);
  if (req.status !== 'Available') return req.status;
  if (req.signedAssets.length === 0) {
    throw new InsightError('data', `${what} is Available but has no download link.`, {
      next: 'Try again in a minute; if it persists, resubmit the request.',
    });
  }
  const sleep = opts.sleep ?? abortableSleep;
  for (let a = 0; a < req.signedAssets.length; a++) {
    const label =
      req.signedAssets.length > 1 ? `${chunkLabel(run, chunk)} (file ${a + 1} of ${req.signedAssets.length})` : chunkLabel(run, chunk);
    let attempts = 0;
    let refreshes = 0;
    for (;;) {
      const mark = merger.mark();
      try {
        await fetchAsset(client, req.signedAssets[a], merger.beginPart(label, run.output.delimiter), opts);
        break;
      } catch (e) {
        await merger.rollback(mark);
        if (isCancelled(e) || opts.signal?.aborted) throw e;
        if (e instanceof StorageRefusal) {
          // 403: the 7-day link expired (or was refused); 404: the file is gone. Ask Echo360.
          const fresh = await client.getRequest(requestId, opts.signal);
          if (fresh.status !== 'Available') return fresh.status;
          if (e.httpStatus === 404) return 'Missing';
          if (++refreshes > (opts.maxLinkRefreshes ?? 2)) {
            throw new InsightError(
              'auth',
              `The storage server refused the download link of ${what} (HTTP ${e.httpStatus} ${e.code}${e.s3Message ? `: ${e.s3Message}` : ''}), even with a fresh link.`,
              {
                status: e.httpStatus,
                next: 'Try again later; if it persists, resubmit the request.',
              },
            );
          }
          opts.logger.info(`${what}: storage answered ${e.httpStatus} ${e.code}; fetching a fresh link`);
          req = freshAssets(fresh, req);
          continue;
        }
        if (e instanceof BrokenDownload) {
          if (++attempts >= (opts.maxAttempts ?? 3)) {
            throw new InsightError(
              'network',
              `The download of ${what} kept breaking off (${describeCause(e.options.cause)}) after ${attempts} attempts.`,
              {
                next: 'Try again later; the report stays on Echo360 for 14 days.',
                cause: e.options.cause,
              },
            );
          }
          opts.logger.warn(`${what}: ${e.message}; downloading it again (attempt ${attempts + 1})`);
          await sleep(Math.min(8000, 500 * 2 ** (attempts - 1)), opts.signal);
          continue;
        }
        throw e;
      }
    }
  }
  return 'done';
}

function freshAssets(fresh: EchoRequest, old: EchoRequest): EchoRequest {
  return fresh.signedAssets.length === old.signedAssets.length
    ? fresh
    : { ...old, signedAssets: fresh.signedAssets.length ? fresh.signedAssets : old.signedAssets };
}

/**
 * Checks the link would go on the wire unchanged (see the file comment) and returns it as a URL
 * for the HttpClient.
 */
export function exactUrl(link: string): URL {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new InsightError('data', 'Echo360 returned a download link that is not a URL.');
  }
  if (url.href !== link) {
    throw new InsightError(
      'data',
      `Echo360 returned a download link for ${url.origin}${url.pathname} that cannot be sent byte-for-byte (it would be re-encoded, which breaks its signature).`,
      {
        next: 'Report this to the Insight Explorer maintainers.',
      },
    );
  }
  return url;
}

/**
 * A signed link is a bearer credential for 7 days: its signature and session token are masked in
 * every log line (the HttpClient logs URLs with their query).
 */
function maskLinkSecrets(link: string, redactor: Redactor): void {
  const q = link.indexOf('?');
  if (q < 0) return;
  for (const part of link.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && /signature|security-token|credential|key-pair-id|^policy$/i.test(part.slice(0, eq))) redactor.add(part.slice(eq + 1));
  }
}

async function fetchAsset(client: Echo360Client, link: string, part: CsvPart, opts: ChunkOptions): Promise<void> {
  const url = exactUrl(link);
  maskLinkSecrets(link, client.http.redactor);
  await client.http.stream(
    url,
    async (body, meta) => {
      try {
        if (meta.status >= 400) {
          const text = await readSome(body, 8192);
          const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'Error';
          throw new StorageRefusal(meta.status, code, /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '');
        }
        let last = 0;
        const source = decompressed(body, { contentType: meta.headers['content-type'], from: `The storage server (${url.origin})`, label: `the report file of ${part.label}`, limits: opts.limits });
        for await (const buf of source) {
          await part.push(buf);
          const now = Date.now();
          if (now - last > 250) {
            last = now;
            opts.onData();
          }
        }
        await part.end();
      } catch (e) {
        (body as unknown as { destroy?: () => void }).destroy?.();
        // Classified here, as InsightErrors (which HttpClient passes through untouched): a broken
        // body is retried by downloadChunk, after rolling back what this attempt wrote.
        if (e instanceof InsightError) throw e;
        if (opts.signal?.aborted) throw new InsightError('cancelled', 'Cancelled.');
        const code = (e as { code?: string }).code ?? '';
        if (BROKEN_CODES.has(code) || /terminated|other side closed|premature|unexpected end/i.test(oneLine(e)))
          throw new BrokenDownload(e);
        throw new InsightError('data', `Could not read the report file from ${url.origin}: ${oneLine(e)}.`, { cause: e });
      }
    },
    // S3 refusals come back to the consumer (to read the XML code); 5xx/429 are retried by HttpClient.
    { auth: false, signal: opts.signal, acceptStatus: (s) => s === 400 || s === 403 || s === 404 },
  );
}

async function readSome(body: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    parts.push(Buffer.from(c));
    n += c.length;
    if (n >= max) break;
  }
  return Buffer.concat(parts).toString('utf8');
}

export interface DecompressOptions {
  /** The answer's Content-Type: an HTML/XML page is refused, never taken for the CSV. */
  contentType?: string;
  /** Who answered, for the refusal ("The storage server (https://…)"). */
  from?: string;
  /** What is being read, for limit errors. */
  label?: string;
  limits?: IngestLimits;
}

/**
 * The body as CSV bytes: gunzipped when it starts with the gzip magic bytes, whatever the request
 * asked for (a proxy or S3 metadata may say otherwise), as is otherwise. An HTML or XML page
 * (a login wall, an S3 error document answered with 200) is refused; a gzip stops at the
 * decompressed-size and ratio caps (core/limits.ts), so a gzip bomb never fills the disk.
 */
export async function* decompressed(body: AsyncIterable<Uint8Array>, opts: DecompressOptions = {}): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]();
  let compressedBytes = 0;
  let head: Buffer = Buffer.alloc(0);
  let done = false;
  // Enough of the start to tell a gzip from a page (a first chunk is almost always longer).
  while (head.length < 64) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head = head.length ? Buffer.concat([head, Buffer.from(r.value)]) : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
  }
  compressedBytes = head.length;
  const from = opts.from ?? 'The server';
  const expected = 'a gzip or CSV report file';
  const next = 'Try again later; if it persists, a proxy or login page may sit in front of the storage server.';
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      compressedBytes += r.value.byteLength;
      yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    // Large output chunks and a deep buffer: inflating runs on the thread pool ahead of the
    // parsing and writing here instead of waiting for them (a 16 KiB default is ~5× slower).
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20, highWaterMark: 4 << 20 } as zlib.ZlibOptions);
    pipeline(Readable.from(rest(), { objectMode: false, highWaterMark: 1 << 20 }), gunzip, () => undefined);
    let first = true;
    try {
      for await (const buf of capDecompressed(gunzip as AsyncIterable<Buffer>, () => compressedBytes, opts.limits ?? DEFAULT_LIMITS, opts.label ?? 'the download')) {
        if (first) {
          first = false;
          // A gzipped page is still a page (sniffed by its bytes only).
          refuseMarkup(undefined, buf, expected, from, next);
        }
        yield buf;
      }
    } finally {
      gunzip.destroy();
    }
    return;
  }
  if (head.length > 0) refuseMarkup(opts.contentType, head, expected, from, next);
  yield* rest();
}
