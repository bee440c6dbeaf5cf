/**
 * Gunzip on a worker thread for ingest (src/core/table/gunzipWorker.ts): real gzip files on disk,
 * a real worker thread, the table compared with the in-thread path and with Papa Parse reading
 * the decompressed text; the ingest limits, bad gzip, abort and early stop.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { once } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Worker } from 'node:worker_threads';
import Papa from 'papaparse';
import { InsightError } from '../../../../src/core/errors';
import { DEFAULT_LIMITS, LimitError } from '../../../../src/core/ingestLimits';
import { Table, TableBuilder, inspectFile } from '../../../../src/core/table';
import { WINDOW, WorkerGunzipOptions, gunzipForIngest, type GzInput } from '../../../../src/core/table/gunzipWorker';
import { findReport, reportCsv } from '../../../fakes/echo360Data';

const DAY = 86_400_000;

describe('gunzip on a worker thread for ingest', function () {
  this.timeout(120_000);
  let dir: string;
  let csv: Buffer;
  let gzFile: string;
  let bigFile: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gunzip-worker-'));
    // The Echo360 fake's videoview rows: UUIDs, e-mails, names with diacritics and apostrophes,
    // titles with commas and doubled quotes; ~6 MB, so the worker sends several 1 MB chunks.
    csv = reportCsv(findReport('videoview')!, Date.UTC(2025, 2, 3), Date.UTC(2025, 2, 3) + 4 * DAY, 5000, ',');
    gzFile = path.join(dir, 'videoview.csv.gz');
    fs.writeFileSync(gzFile, zlib.gzipSync(csv));
    // ~40 MB of CSV: far more 1 MB chunks than the worker may have in flight.
    bigFile = path.join(dir, 'big.csv.gz');
    fs.writeFileSync(bigFile, zlib.gzipSync(Buffer.concat(Array.from({ length: 7 }, () => csv)), { level: 1 }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const load = (input: GzInput, opts: Partial<WorkerGunzipOptions> = {}): Promise<Table> =>
    new TableBuilder({ label: 'videoview.csv.gz' }).ingest(gunzipForIngest(input, { limits: DEFAULT_LIMITS, label: 'videoview.csv.gz', ...opts }), {
      signal: opts.signal,
    });

  const allRows = (t: Table) => Array.from({ length: t.rowCount }, (_, r) => t.row(r));

  it('a real .gz file inflated on the worker gives the table of the in-thread path, and Papa Parse reads the same cells', async () => {
    const workers: Worker[] = [];
    const onWorker = (w: Worker) => workers.push(w);
    const fromFile = await load({ path: gzFile }, { onWorker });
    const fromBytes = await load({ bytes: fs.readFileSync(gzFile) }, { onWorker });
    const inThread = await load({ path: gzFile }, { worker: false });
    assert.equal(workers.length, 2, 'both loads ran on a worker thread');

    const papa = Papa.parse<string[]>(csv.toString('utf8'), { skipEmptyLines: true });
    assert.deepEqual(papa.errors, []);
    const [header, ...data] = papa.data;
    assert.equal(fromFile.rowCount, data.length);
    assert.deepEqual(fromFile.columnNames, header);
    const types = fromFile.columns.map((c) => c.type);
    for (let r = 0; r < data.length; r++) {
      const row = fromFile.row(r);
      for (let c = 0; c < header.length; c++) {
        if (types[c] === 'string') assert.equal(row[c], data[r][c], `row ${r + 1}, ${header[c]}`);
        else if (types[c] === 'integer') assert.equal(row[c], Number(data[r][c]), `row ${r + 1}, ${header[c]}`);
      }
    }
    assert.ok(types.includes('string') && types.includes('integer'));
    assert.ok(
      data.some((row) => row.some((v) => v.includes('"'))),
      'the file has doubled quotes in quoted fields',
    );
    assert.deepEqual(allRows(fromFile), allRows(inThread));
    assert.deepEqual(allRows(fromBytes), allRows(inThread));
    assert.deepEqual(types, inThread.columns.map((c) => c.type));
  });

  it('the decompressed-size cap stops the worker path with the in-thread message, naming the file', async () => {
    const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 2 << 20 };
    const expected = 'videoview.csv.gz expands past 2 MB when decompressed (the decompressed-size limit); stopped there.';
    for (const worker of [true, false]) {
      await assert.rejects(load({ path: gzFile }, { limits, worker }), (e: unknown) => e instanceof LimitError && e.message.startsWith(expected + ' If the file is what you expect, raise the limit (--max-decompressed-mb'));
    }
  });

  it('the ratio cap stops a gzip bomb on the worker path with the in-thread message', async () => {
    const bomb = path.join(dir, 'bomb.csv.gz');
    const row = 'a,b,c\n';
    fs.writeFileSync(bomb, zlib.gzipSync(Buffer.from(row.repeat(Math.ceil((80 << 20) / row.length))), { level: 9 }));
    const messages: string[] = [];
    for (const worker of [true, false]) {
      await assert.rejects(load({ path: bomb }, { worker }), (e: unknown) => {
        messages.push((e as Error).message);
        return e instanceof LimitError && e.limit === 'maxCompressionRatio';
      });
    }
    assert.match(messages[0], /^videoview\.csv\.gz expands more than 100:1 \(.* of gzip gave .* so far\): that is a gzip bomb, not a CSV report; stopped\. If the file is what you expect, raise the limit \(--max-ratio/);
    assert.equal(messages[0].replace(/\(.*\)/, ''), messages[1].replace(/\(.*\)/, ''));
  });

  it('a truncated .gz is refused by insights inspect as an incomplete gzip file, as before', async () => {
    const cut = path.join(dir, 'cut.csv.gz');
    const whole = fs.readFileSync(gzFile);
    fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    await assert.rejects(
      inspectFile(cut),
      (e: unknown) =>
        e instanceof InsightError && e.message === `Cannot decompress ${cut}: unexpected end of file (not a valid or complete gzip file).`,
    );
    const notGzip = path.join(dir, 'plain.csv.gz');
    fs.writeFileSync(notGzip, 'a,b\n1,2\n');
    await assert.rejects(inspectFile(notGzip), (e: unknown) => e instanceof InsightError && /^Cannot decompress .*plain\.csv\.gz: incorrect header check/.test(e.message));
  });

  it('aborting the load terminates the worker and rejects as cancelled', async () => {
    const controller = new AbortController();
    let worker: Worker | undefined;
    const builder = new TableBuilder();
    // A file of more chunks than the window: a worker left running would wait for credit forever.
    const source = gunzipForIngest({ path: bigFile }, { limits: DEFAULT_LIMITS, label: 'f', signal: controller.signal, onWorker: (w) => (worker = w) });
    const loading = builder.ingest(source, { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(loading, (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
    assert.ok(worker);
    assert.ok(builder.rowCount < 20_000, `stopped early (${builder.rowCount} of 140,000 rows)`);
    // A terminated worker has no thread id any more; wait for its exit if it has not happened yet.
    if (worker.threadId !== -1) await once(worker, 'exit');
    assert.equal(worker.threadId, -1);
  });

  it('the worker waits for the parser: at most WINDOW chunks ahead, and stopping early ends it', async () => {
    let worker: Worker | undefined;
    let posted = 0;
    const it = gunzipForIngest(
      { path: bigFile },
      {
        limits: DEFAULT_LIMITS,
        label: 'big',
        onWorker: (w) => {
          worker = w;
          w.on('message', (m: { type: string }) => void (m.type === 'data' && posted++));
        },
      },
    );
    const first = await it.next();
    assert.equal(first.done, false);
    // Taking one chunk gave one credit back: the worker may post WINDOW + 1 chunks in all, then waits.
    while (posted < WINDOW + 1) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(posted, WINDOW + 1);
    await it.return(undefined);
    if (worker!.threadId !== -1) await once(worker!, 'exit');
    assert.equal(worker!.threadId, -1);
  });

  it('when no worker can start, the file is inflated in this thread and gives the same table', async () => {
    const t = await load(
      { path: gzFile },
      {
        startWorker: () => {
          throw new Error('no worker threads here');
        },
      },
    );
    assert.deepEqual(allRows(t), allRows(await load({ path: gzFile }, { worker: false })));
    assert.ok(t.rowCount > 10_000);
  });
});
