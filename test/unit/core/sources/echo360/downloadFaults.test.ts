/**
 * How an Echo360 run's download fails or recovers, as the user reads it, against the Echo360 fake
 * over HTTP with real gzip: storage refusing a link again and again, a report file gone, a report
 * that keeps expiring, downloads that keep breaking off (and the pauses between attempts), the
 * progress it reports, signed-link secrets kept out of the logs, and pages refused as data.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { InsightError } from '../../../../../src/core/errors';
import { Logger } from '../../../../../src/core/log';
import { DownloadProgress, decompressed, downloadRun, exactUrl } from '../../../../../src/core/sources/echo360/download';
import { EchoReportQueue, EchoRequestFailedError } from '../../../../../src/core/sources/echo360/queue';
import { Echo360Fake, startEcho360Fake } from '../../../../fakes/echo360';
import { DEFAULT_LIMITS } from '../../../../../src/core/ingestLimits';
import { daysAgo, fastClient, fastQueue, fetchAssetText, filesIn, tempDir } from '../../../../fakes/echo360TestKit';
import { failure, recorder } from '../../../kit/recordKit';

const ONE_CHUNK = { start: daysAgo(4), end: daysAgo(1) };
const TWO_CHUNKS = { start: daysAgo(10), end: daysAgo(1) };

async function collect(chunks: Buffer[], opts: Parameters<typeof decompressed>[1] = {}): Promise<string> {
  async function* src() {
    yield* chunks;
  }
  const out: Buffer[] = [];
  for await (const c of decompressed(src(), opts)) out.push(c);
  return Buffer.concat(out).toString('utf8');
}

describe('echo360 download: failures and what is told', function () {
  this.timeout(30_000);
  let fake: Echo360Fake;
  let dir: string;
  const queues: EchoReportQueue[] = [];
  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 60, rowsPerDay: 50 });
  });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    for (const q of queues.splice(0)) q.dispose();
    fake.reset();
  });
  after(() => fake.close());

  async function start(report: string, range = ONE_CHUNK, log?: Logger) {
    const client = fastClient(fake, log ? { logger: log } : {});
    const queue = fastQueue(client);
    queues.push(queue);
    const run = await queue.enqueue({ reportName: report, range });
    return { client, queue, run, out: path.join(dir, `${report}.csv`) };
  }
  const assets = () => fake.requests.filter((r) => r.server === 'asset');

  it('a link storage keeps refusing: a fresh link twice (maxLinkRefreshes), then the refusal in words; no file', async () => {
    fake.addFault({ linkExpired: true, pathIncludes: '.csv', times: Infinity });
    const { client, queue, run, out } = await start('notes');
    await queue.waitForRun(run.id);
    const id = queue.getRun(run.id)!.chunks[0].requestId!;
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out }));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'auth');
    assert.equal(e.status, 403);
    assert.equal(
      e.message,
      `The storage server refused the download link of Echo360 request ${id} (notes ${ONE_CHUNK.start}..${ONE_CHUNK.end}) (HTTP 403 AccessDenied: Request has expired), even with a fresh link. Try again later; if it persists, resubmit the request.`,
    );
    assert.equal(assets().length, 3, 'the link, then two fresh ones');
    assert.deepEqual(filesIn(dir), []);

    const again = await start('polling');
    await failure(downloadRun(again.client, again.queue, again.run.id, { outFile: again.out, maxLinkRefreshes: 0 }));
    assert.equal(assets().length, 3 + 1, 'no fresh link with maxLinkRefreshes 0');
  });

  it('storage says the file is gone (404) while Echo360 says Available: the run fails as Missing with the resubmit offer', async () => {
    fake.addFault({ status: 404, pathIncludes: '.csv' });
    const { client, queue, run, out } = await start('notes');
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out }));
    assert.ok(e instanceof EchoRequestFailedError);
    const chunk = queue.getRun(run.id)!.chunks[0];
    assert.equal(e.requestStatus, 'Missing');
    assert.equal(e.requestId, chunk.requestId);
    assert.equal(e.message, `Echo360 request ${chunk.requestId} (notes ${ONE_CHUNK.start}..${ONE_CHUNK.end}) is Missing: its report file is gone. Resubmit it to try again.`);
    assert.equal(queue.getRun(run.id)!.status, 'failed');
    assert.equal(assets().length, 1);
    assert.deepEqual(filesIn(dir), []);
  });

  it('a report that expires again and again: resubmitted maxResubmits times, then "kept expiring"', async () => {
    const { client, queue, run, out } = await start('assetbydate');
    await queue.waitForRun(run.id);
    const id = queue.getRun(run.id)!.chunks[0].requestId!;
    fake.advanceClock(15 * 86_400_000);
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out, maxResubmits: 0 }));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'server');
    assert.equal(e.message, `Echo360 request ${id} (assetbydate ${ONE_CHUNK.start}..${ONE_CHUNK.end}) kept expiring before it could be downloaded. Try again.`);
    assert.equal(fake.stats.submits, 1, 'not resubmitted');
    assert.deepEqual(filesIn(dir), []);
  });

  it('downloads that keep breaking off: a pause of 0.5 s, then 1 s, between the 3 attempts; "kept breaking off" with the cause', async () => {
    fake.addFault({ truncatedGzip: true, pathIncludes: '.csv', times: Infinity });
    const log = recorder();
    const { client, queue, run, out } = await start('notes');
    await queue.waitForRun(run.id);
    const id = queue.getRun(run.id)!.chunks[0].requestId!;
    const sleeps: number[] = [];
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out, logger: log, sleep: async (ms) => void sleeps.push(ms) }));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'network');
    assert.equal(
      e.message,
      `The download of Echo360 request ${id} (notes ${ONE_CHUNK.start}..${ONE_CHUNK.end}) kept breaking off (truncated gzip) after 3 attempts. Try again later; the report stays on Echo360 for 14 days.`,
    );
    assert.deepEqual(sleeps, [500, 1000]);
    assert.equal(assets().length, 3);
    const what = `Echo360 request ${id} (notes ${ONE_CHUNK.start}..${ONE_CHUNK.end})`;
    assert.deepEqual(
      log.lines.filter((l) => l.startsWith('warn Echo360')),
      [2, 3].map((n) => `warn ${what}: the download broke off (truncated gzip); downloading it again (attempt ${n})`),
    );

    const once = await start('polling');
    await failure(downloadRun(once.client, once.queue, once.run.id, { outFile: once.out, maxAttempts: 1, sleep: async (ms) => void sleeps.push(ms) }));
    assert.equal(assets().length, 3 + 1, 'one attempt only');
    assert.deepEqual(sleeps, [500, 1000]);
    assert.deepEqual(filesIn(dir), []);
  });

  it('a damaged gzip is downloaded again; one that stays damaged ends "kept breaking off (corrupt gzip)"', async () => {
    fake.addFault({ corruptGzip: true, pathIncludes: '.csv' });
    const ok = await start('notes');
    const result = await downloadRun(ok.client, ok.queue, ok.run.id, { outFile: ok.out, sleep: async () => undefined });
    assert.equal(assets().length, 2, 'the damaged download, then a whole one');
    const link = (await ok.client.getRequest(ok.queue.getRun(ok.run.id)!.chunks[0].requestId!)).signedAssets[0];
    assert.equal(fs.readFileSync(ok.out, 'utf8'), await fetchAssetText(link));
    assert.equal(result.rows, 3 * 50);

    fake.addFault({ corruptGzip: true, pathIncludes: '.csv', times: Infinity });
    const bad = await start('polling');
    const e = await failure(downloadRun(bad.client, bad.queue, bad.run.id, { outFile: bad.out, maxAttempts: 2, sleep: async () => undefined }));
    assert.ok(e instanceof InsightError);
    assert.match(e.message, /^The download of Echo360 request \S+ \(polling \S+\) kept breaking off \(corrupt gzip\) after 2 attempts\./);
    assert.equal(assets().length, 3 + 2);
  });

  it('a connection cut mid-download is named by its cause, not as a gzip problem', async () => {
    const big = await startEcho360Fake({ pendingMs: 60, rowsPerDay: 4000 });
    try {
      big.addFault({ resetMidBody: true, pathIncludes: '.csv', times: Infinity });
      const client = fastClient(big);
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const e = await failure(downloadRun(client, queue, run.id, { outFile: path.join(dir, 'n.csv'), maxAttempts: 2, sleep: async () => undefined }));
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'network');
      assert.match(e.message, /kept breaking off \((UND_ERR_SOCKET|ECONNRESET|UND_ERR_CLOSED|ERR_STREAM_PREMATURE_CLOSE|terminated|other side closed)\) after 2 attempts\./);
      assert.deepEqual(filesIn(dir), []);
    } finally {
      await big.close();
    }
  });

  it('storage answering 400 to a link: a fresh link is fetched and the download completes', async () => {
    fake.addFault({ status: 400, pathIncludes: '.csv' });
    const { client, queue, run, out } = await start('notes');
    const result = await downloadRun(client, queue, run.id, { outFile: out });
    assert.deepEqual(
      assets().map((a) => a.status),
      [400, 200],
    );
    const link = (await client.getRequest(queue.getRun(run.id)!.chunks[0].requestId!)).signedAssets[0];
    assert.equal(fs.readFileSync(out, 'utf8'), await fetchAssetText(link));
    assert.equal(result.rows, 3 * 50);
  });

  it('storage answering 200 with an HTML page: refused naming the storage server; nothing saved', async () => {
    fake.addFault({ html: true, pathIncludes: '.csv' });
    const { client, queue, run, out } = await start('notes');
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out }));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'data');
    assert.equal(
      e.message,
      `The storage server (${new URL(fake.assetUrl).origin}) answered with an HTML page where a gzip or CSV report file was expected; nothing was saved. Try again later; if it persists, a proxy or login page may sit in front of the storage server.`,
    );
    assert.deepEqual(filesIn(dir), []);
  });

  it("the run's limits apply to each report file, named by its chunk", async () => {
    const { client, queue, run, out } = await start('notes');
    const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 1024 };
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out, limits }));
    assert.ok(e instanceof InsightError);
    assert.match(e.message, new RegExp(`^the report file of notes ${ONE_CHUNK.start}\\.\\.${ONE_CHUNK.end} expands past 0\\.0 MB when decompressed`));
    assert.deepEqual(filesIn(dir), []);
  });

  it('an expired report is resubmitted and downloaded, and the log says so', async () => {
    const log = recorder();
    const { client, queue, run, out } = await start('assetbydate');
    await queue.waitForRun(run.id);
    const id = queue.getRun(run.id)!.chunks[0].requestId!;
    fake.advanceClock(15 * 86_400_000);
    const result = await downloadRun(client, queue, run.id, { outFile: out, logger: log });
    assert.equal(result.rows, 3 * 50);
    assert.ok(log.lines.includes(`info Echo360 request ${id} (assetbydate ${ONE_CHUNK.start}..${ONE_CHUNK.end}) has expired; resubmitting it`), log.lines.join('\n'));
    assert.equal(fake.stats.submits, 2);
  });

  it('progress: waiting then downloading for each chunk in order, done last with the totals', async () => {
    const { client, queue, run, out } = await start('notes', TWO_CHUNKS);
    const progress: DownloadProgress[] = [];
    const result = await downloadRun(client, queue, run.id, { outFile: out, onProgress: (p) => progress.push({ ...p }) });
    const ids = queue.getRun(run.id)!.chunks.map((c) => c.requestId);
    const phases = progress.map((p) => `${p.phase} ${p.chunk}/${p.chunks}`);
    // Repeated "downloading" events (as data arrives) collapse into one.
    const collapsed = phases.filter((p, i) => p !== phases[i - 1]);
    assert.deepEqual(collapsed, ['waiting 0/2', 'downloading 0/2', 'waiting 1/2', 'downloading 1/2', 'done 1/2']);
    assert.equal(progress.find((p) => p.phase === 'downloading' && p.chunk === 1)!.requestId, ids[1]);
    const last = progress.at(-1)!;
    assert.deepEqual(last, { phase: 'done', chunk: 1, chunks: 2, requestId: undefined, rows: result.rows, bytes: result.bytes });
    assert.equal(result.bytes, fs.statSync(out).size);
    assert.equal(result.chunks, 2);
    assert.deepEqual(queue.getRun(run.id)!.result!.rows, result.rows);
    assert.equal(queue.getRun(run.id)!.result!.file, out);
    assert.equal(queue.getRun(run.id)!.result!.bytes, result.bytes);
    // Rows are only counted as they are written: never backwards, and told while data arrives.
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].rows >= progress[i - 1].rows);
    assert.ok(progress.some((p) => p.phase === 'downloading' && p.chunk === 0 && p.rows > 0 && p.bytes > 0), 'progress while chunk 0 arrived');
  });

  it('a run that is not in the queue is refused by id', async () => {
    const { client, queue } = await start('notes');
    const e = await failure(downloadRun(client, queue, 'no-such-run', { outFile: path.join(dir, 'x.csv') }));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'notFound');
    assert.equal(e.message, 'No Echo360 run no-such-run in the queue.');
    assert.deepEqual(filesIn(dir), []);
  });

  it("a signed link's signature, token and credential never reach a log line", async () => {
    const log = recorder();
    fake.addFault({ linkExpired: true, pathIncludes: '.csv' });
    const { client, queue, run, out } = await start('notes', ONE_CHUNK, log);
    await downloadRun(client, queue, run.id, { outFile: out, logger: log });
    const link = (await client.getRequest(queue.getRun(run.id)!.chunks[0].requestId!)).signedAssets[0];
    // The fake's links carry S3's legacy Signature and an STS session token, as written on the wire.
    const value = (key: string) => new RegExp(`[?&]${key}=([^&]+)`).exec(link)![1];
    const secrets = [value('Signature'), value('x-amz-security-token')];
    const assetLines = log.lines.filter((l) => l.includes(new URL(link).pathname));
    assert.equal(assetLines.length, 1, 'the download was logged with its link');
    for (const l of assetLines) assert.match(l, /Signature=«redacted»/);
    const logged = log.lines.join('\n');
    for (const v of secrets) assert.ok(!logged.includes(v), `a secret of the link appears in the log: ${v}`);
    assert.match(logged, /storage answered 403 AccessDenied; fetching a fresh link/);
  });

  it('a link that is not a URL, or would be re-encoded, is refused in words', () => {
    assert.throws(
      () => exactUrl('not a url'),
      (e: unknown) => e instanceof InsightError && e.kind === 'data' && e.message === 'Echo360 returned a download link that is not a URL.',
    );
    assert.throws(
      () => exactUrl("https://s3.example.com/b/k.csv?Signature=a'b"),
      (e: unknown) =>
        e instanceof InsightError &&
        e.message ===
          'Echo360 returned a download link for https://s3.example.com/b/k.csv that cannot be sent byte-for-byte (it would be re-encoded, which breaks its signature). Report this to the Insight Explorer maintainers.',
    );
  });
});

describe('echo360 download: pages are not reports', () => {
  const from = 'The storage server (https://s3.example.com)';
  const refused = (kind: string, code = '') =>
    `${from} answered with an ${kind} page${code} where a gzip or CSV report file was expected; nothing was saved. Try again later; if it persists, a proxy or login page may sit in front of the storage server.`;

  it('an HTML or XML answer is refused by its bytes or its type, gzipped or not, however it is split', async () => {
    const html = Buffer.from('<!DOCTYPE html><html><body>Sign in to continue</body></html>\n');
    const xml = Buffer.from('<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>');
    const check = async (chunks: Buffer[], want: string, contentType?: string) => {
      const e = await failure(collect(chunks, { from, contentType }));
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'data');
      assert.equal(e.message, want);
    };
    await check([html], refused('HTML'));
    await check([html.subarray(0, 5), html.subarray(5, 20), html.subarray(20)], refused('HTML'), 'application/octet-stream');
    await check([xml], refused('XML', ' (AccessDenied)'));
    await check([Buffer.from('plain words that are not a page at all\n')], refused('HTML'), 'text/html; charset=utf-8');
    const gz = zlib.gzipSync(html);
    await check([gz.subarray(0, 1), gz.subarray(1)], refused('HTML'));
  });

  it('only the gzip magic bytes (1f 8b) make a body a gzip; an empty answer is never refused as a page', async () => {
    for (const bytes of [[0x1f, 0x41, 0x0a], [0x41, 0x8b, 0x0a], [0x1f]]) {
      const out: Buffer[] = [];
      for await (const c of decompressed((async function* () {
        yield Buffer.from(bytes);
      })(), { from })) out.push(c);
      assert.deepEqual([...Buffer.concat(out)], bytes, 'passed through as they are');
    }
    assert.equal(await collect([], { from, contentType: 'text/html' }), '');
    const e = await failure(collect([Buffer.from('<html><body>x</body></html>')]));
    assert.equal(e.message, refused('HTML').replace(from, 'The server'), 'without a name: "The server"');
  });

  it('CSV passes whole: short, split into small chunks, gzipped in pieces; an empty body is empty', async () => {
    const csv = 'a,b\n1,2\n';
    assert.equal(await collect([Buffer.from(csv)], { from, contentType: 'text/csv' }), csv);
    const long = 'id,name\n' + Array.from({ length: 40 }, (_, i) => `${i},name ${i}`).join('\n') + '\n';
    const bytes = Buffer.from(long);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    assert.equal(await collect(pieces, { from }), long);
    const gz = zlib.gzipSync(bytes);
    assert.equal(await collect(Array.from({ length: Math.ceil(gz.length / 5) }, (_, i) => gz.subarray(i * 5, i * 5 + 5)), { from }), long);
    assert.equal(await collect([], { from }), '');
    assert.equal(await collect([Buffer.alloc(0), Buffer.from('x')], { from }), 'x');
  });

  it('a gzip that expands past the decompressed-size limit stops with the label and the limit', async () => {
    const gz = zlib.gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x61));
    const limits = { maxFieldBytes: 1 << 20, maxRecordBytes: 1 << 20, maxColumns: 10, maxDecompressedBytes: 2 * 1024 * 1024, maxCompressionRatio: 0 };
    const e = await failure(collect([gz], { from, label: 'the report file of notes 2024-01-01..2024-01-05', limits }));
    assert.ok(e instanceof InsightError);
    assert.match(e.message, /^the report file of notes 2024-01-01\.\.2024-01-05 expands past 2 MB when decompressed \(the decompressed-size limit\); stopped there\./);
  });
});
