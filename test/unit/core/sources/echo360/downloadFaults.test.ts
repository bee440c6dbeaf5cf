/**
 * How an Echo360 run's download fails or recovers, as the user reads it, against the Echo360 fake
 * over HTTP with real gzip: storage refusing a link again and again, a report file gone, a report
 * that keeps expiring, downloads that keep breaking off (and the pauses between attempts), the
 * progress it reports, signed-link secrets kept out of the logs, and pages refused as data.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
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

  it('a report that expires each time it is about to be downloaded: resubmitted twice (the default), then "kept expiring"', async () => {
    const { client, queue, run, out } = await start('assetbydate');
    await queue.waitForRun(run.id);
    // Each time the download is about to ask Echo360 for the chunk's links, 15 days pass: the
    // report it waited for has just expired.
    const e = await failure(
      downloadRun(client, queue, run.id, {
        outFile: out,
        onProgress: (p) => {
          if (p.phase === 'downloading' && p.rows === 0 && p.bytes === 0) fake.advanceClock(15 * 86_400_000);
        },
      }),
    );
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'server');
    assert.match(e.message, new RegExp(`^Echo360 request \\S+ \\(assetbydate ${ONE_CHUNK.start}\\.\\.${ONE_CHUNK.end}\\) kept expiring before it could be downloaded\\. Try again\\.$`));
    assert.equal(fake.stats.submits, 3, 'the first request and two resubmits');
    assert.deepEqual(filesIn(dir), []);
  });

  it('storage refusing a link without its XML error: named by the status, "Error" for the code, no message', async () => {
    fake.addFault({ status: 403, pathIncludes: '.csv', times: Infinity });
    const { client, queue, run, out } = await start('notes');
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out }));
    const id = queue.getRun(run.id)!.chunks[0].requestId!;
    assert.ok(e instanceof InsightError);
    assert.equal(
      e.message,
      `The storage server refused the download link of Echo360 request ${id} (notes ${ONE_CHUNK.start}..${ONE_CHUNK.end}) (HTTP 403 Error), even with a fresh link. Try again later; if it persists, resubmit the request.`,
    );
    assert.equal(assets().length, 3);
  });

  it('a refusal whose error body never ends is read only so far: the refusal is still told', async () => {
    // Storage standing in for a broken proxy: 403 with S3's XML start, then bytes without end.
    const sockets = new Set<import('node:net').Socket>();
    const endless = http.createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/xml' });
      // The XML arrives in two pieces: the code and message are read past the first.
      res.write('<?xml version="1.0" encoding="UTF-8"?>\n<Error>');
      const filler = Buffer.alloc(4096, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(filler));
        if (!res.destroyed) res.once('drain', pump);
      };
      setTimeout(() => {
        if (res.destroyed) return;
        res.write('<Code>AccessDenied</Code><Message>Request has expired</Message>');
        pump();
      }, 30);
    });
    endless.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const other = await startEcho360Fake({ pendingMs: 60, rowsPerDay: 50, assetOrigin: `http://127.0.0.1:${(endless.address() as AddressInfo).port}` });
    try {
      const client = fastClient(other);
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const e = await failure(downloadRun(client, queue, run.id, { outFile: path.join(dir, 'n.csv') }));
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'auth');
      assert.match(e.message, /refused the download link of Echo360 request \S+ \(notes \S+\) \(HTTP 403 AccessDenied: Request has expired\), even with a fresh link\./);
      assert.deepEqual(filesIn(dir), []);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => endless.close(resolve));
      await other.close();
    }
  });

  /**
   * Storage behind a local stand-in that misbehaves on its first answers (`rst`: half the body,
   * then a TCP reset; `stall`: half the body, then silence; `503`: an overloaded proxy), then
   * passes requests through to `target` (a fake's storage) unchanged.
   */
  async function misbehavingStorage(script: ('rst' | 'stall' | '503' | '403' | 'htmlType' | 'badChunk')[], onRequest?: (n: number) => void) {
    const seen: string[] = [];
    const state = { target: '' };
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer((req, res) => {
      seen.push(req.url!);
      onRequest?.(seen.length);
      const act = script[seen.length - 1];
      if (act === '503') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      if (act === '403') {
        res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
        return;
      }
      if (act === 'badChunk') {
        // Chunked framing that is not hex: the HTTP parser gives up mid-body.
        res.socket!.end('HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ntransfer-encoding: chunked\r\n\r\n5\r\nid,n\n\r\nZZ\r\nabc\r\n');
        return;
      }
      http.get(new URL(req.url!, state.target), (up) => {
        if (act === 'htmlType') {
          res.writeHead(up.statusCode!, { ...up.headers, 'content-type': 'text/html; charset=utf-8' });
          up.pipe(res);
          return;
        }
        if (!act) {
          res.writeHead(up.statusCode!, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const whole = Buffer.concat(chunks);
          res.writeHead(up.statusCode!, { ...up.headers, 'content-length': String(whole.length) });
          res.write(whole.subarray(0, whole.length >> 1));
          if (act === 'rst') setTimeout(() => res.socket?.resetAndDestroy(), 20);
        });
      });
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      state,
      seen,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  async function viaStorage(storage: { origin: string; state: { target: string } }, clientExtra: Parameters<typeof fastClient>[1] = {}, compression = true) {
    const other = await startEcho360Fake({ pendingMs: 60, rowsPerDay: 50, assetOrigin: storage.origin });
    storage.state.target = other.assetUrl;
    const client = fastClient(other, clientExtra);
    const queue = fastQueue(client);
    queues.push(queue);
    const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK, output: { compression } });
    return { other, client, queue, run, out: path.join(dir, 'notes.csv') };
  }

  it('a connection reset (TCP RST, "read ECONNRESET") mid-download: downloaded again from the start, whole', async () => {
    const storage = await misbehavingStorage(['rst']);
    const { other, client, queue, run, out } = await viaStorage(storage);
    try {
      const log = recorder();
      const result = await downloadRun(client, queue, run.id, { outFile: out, logger: log, sleep: async () => undefined });
      assert.equal(storage.seen.length, 2);
      assert.match(log.lines.join('\n'), /the download broke off \(ECONNRESET\); downloading it again \(attempt 2\)/);
      const link = (await client.getRequest(queue.getRun(run.id)!.chunks[0].requestId!)).signedAssets[0];
      assert.equal(fs.readFileSync(out, 'utf8'), await fetchAssetText(link));
      assert.equal(result.rows, 3 * 50);
    } finally {
      await other.close();
      await storage.close();
    }
  });

  it('storage going silent mid-download past the client timeout: downloaded again, whole', async () => {
    const storage = await misbehavingStorage(['stall']);
    const { other, client, queue, run, out } = await viaStorage(storage, { timeoutMs: 1500 });
    try {
      const log = recorder();
      const result = await downloadRun(client, queue, run.id, { outFile: out, logger: log, sleep: async () => undefined });
      assert.equal(storage.seen.length, 2);
      assert.match(log.lines.join('\n'), /the download broke off \(UND_ERR_BODY_TIMEOUT\); downloading it again \(attempt 2\)/);
      assert.equal(result.rows, 3 * 50);
    } finally {
      await other.close();
      await storage.close();
    }
  });

  it('storage answering 503 is asked again with the same link; Echo360 is not asked for a fresh one', async () => {
    const storage = await misbehavingStorage(['503']);
    const { other, client, queue, run, out } = await viaStorage(storage);
    try {
      const result = await downloadRun(client, queue, run.id, { outFile: out });
      assert.equal(storage.seen.length, 2);
      assert.equal(storage.seen[1], storage.seen[0], 'the same signed link both times');
      assert.equal(result.rows, 3 * 50);
    } finally {
      await other.close();
      await storage.close();
    }
  });

  it('storage labelling a plain CSV as an HTML page (text/html): refused by its type; nothing saved', async () => {
    const storage = await misbehavingStorage(['htmlType']);
    const { other, client, queue, run, out } = await viaStorage(storage, {}, false);
    try {
      const e = await failure(downloadRun(client, queue, run.id, { outFile: out }));
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'data');
      assert.match(e.message, /^The storage server \(http:\/\/127\.0\.0\.1:\d+\) answered with an HTML page where a gzip or CSV report file was expected; nothing was saved\./);
      assert.deepEqual(filesIn(dir), []);
    } finally {
      await other.close();
      await storage.close();
    }
  });

  it('a body the HTTP parser cannot read (bad chunk framing) is a data error naming the storage server, not retried', async () => {
    const storage = await misbehavingStorage(['badChunk', 'badChunk', 'badChunk']);
    const { other, client, queue, run, out } = await viaStorage(storage, {}, false);
    try {
      const e = await failure(downloadRun(client, queue, run.id, { outFile: out, sleep: async () => undefined }));
      assert.ok(e instanceof InsightError);
      assert.equal(e.kind, 'data');
      assert.match(e.message, new RegExp(`^Could not read the report file from ${storage.origin.replace(/\./g, '\\.')}: .+\\.$`));
      assert.equal(storage.seen.length, 1, 'not downloaded again');
      assert.deepEqual(filesIn(dir), []);
    } finally {
      await other.close();
      await storage.close();
    }
  });

  it('a refused link whose fresh answer lists no link: the link it has is tried again', async () => {
    const hold: { other?: Echo360Fake; requestId?: string } = {};
    // The first download is refused (403), and just then Echo360 answers without links.
    const storage = await misbehavingStorage(['403'], (n) => {
      if (n === 1) hold.other!.addFault({ noLinks: true, pathIncludes: hold.requestId });
    });
    const made = await viaStorage(storage);
    hold.other = made.other;
    try {
      await made.queue.waitForRun(made.run.id);
      hold.requestId = made.queue.getRun(made.run.id)!.chunks[0].requestId!;
      const result = await downloadRun(made.client, made.queue, made.run.id, { outFile: made.out });
      assert.equal(storage.seen.length, 2);
      assert.equal(storage.seen[1], storage.seen[0], 'the same link again');
      assert.equal(result.rows, 3 * 50);
    } finally {
      await made.other.close();
      await storage.close();
    }
  });

  it('progress while data arrives is told at most once per 250 ms', async () => {
    const big = await startEcho360Fake({ pendingMs: 60, rowsPerDay: 20_000 });
    try {
      const client = fastClient(big);
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK, output: { compression: false } });
      await queue.waitForRun(run.id);
      const progress: DownloadProgress[] = [];
      const t0 = Date.now();
      const result = await downloadRun(client, queue, run.id, { outFile: path.join(dir, 'big.csv'), onProgress: (p) => progress.push({ ...p }) });
      const took = Date.now() - t0;
      assert.ok(result.bytes > 4_000_000, `a report large enough to arrive in many pieces (${result.bytes} bytes)`);
      const whileData = progress.filter((p) => p.phase === 'downloading' && p.bytes > 0);
      assert.ok(whileData.length >= 1, 'told while data arrived');
      assert.ok(whileData.length <= 1 + Math.floor(took / 250), `${whileData.length} progress events in ${took} ms`);
    } finally {
      await big.close();
    }
  });

  it('an empty report file: the run completes with no header and no rows', async () => {
    const empty = path.join(tempDir(), 'empty.csv');
    fs.writeFileSync(empty, '');
    const blank = await startEcho360Fake({ pendingMs: 60, fixedAssets: { notes: empty } });
    try {
      const client = fastClient(blank);
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const result = await downloadRun(client, queue, run.id, { outFile: path.join(dir, 'e.csv') });
      assert.deepEqual(result.header, []);
      assert.equal(result.rows, 0);
    } finally {
      await blank.close();
    }
  });

  it('a report Echo360 hands out as several files: merged into one CSV with one header; errors name the file', async () => {
    const split = await startEcho360Fake({ pendingMs: 60, rowsPerDay: 50, filesPerReport: 2 });
    try {
      const client = fastClient(split);
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const out = path.join(dir, 'split.csv');
      const result = await downloadRun(client, queue, run.id, { outFile: out });
      const links = (await client.getRequest(queue.getRun(run.id)!.chunks[0].requestId!)).signedAssets;
      assert.equal(links.length, 2);
      const [first, second] = await Promise.all(links.map((l) => fetchAssetText(l)));
      assert.equal(fs.readFileSync(out, 'utf8'), first + second.slice(second.indexOf('\n') + 1));
      assert.equal(result.rows, 3 * 50);

      const again = await queue.enqueue({ reportName: 'polling', range: ONE_CHUNK });
      const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 512 };
      const e = await failure(downloadRun(client, queue, again.id, { outFile: path.join(dir, 'p.csv'), limits }));
      assert.match(e.message, new RegExp(`^the report file of polling ${ONE_CHUNK.start}\\.\\.${ONE_CHUNK.end} \\(file 1 of 2\\) expands past`));
    } finally {
      await split.close();
    }
  });

  it('the run result says how long it took: from the start to the end of the download, first rows within it', async () => {
    const { client, queue, run, out } = await start('notes');
    const before = Date.now();
    const result = await downloadRun(client, queue, run.id, { outFile: out });
    const took = Date.now() - before;
    assert.ok(result.totalMs >= 0 && result.totalMs <= took, `totalMs ${result.totalMs} within the ${took} ms the call took`);
    assert.ok(result.firstRowsMs !== undefined && result.firstRowsMs <= result.totalMs);
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

  it('an Available request that lists no download link: refused in words with the next step; no file', async () => {
    const { client, queue, run, out } = await start('notes');
    await queue.waitForRun(run.id);
    const id = queue.getRun(run.id)!.chunks[0].requestId!;
    fake.addFault({ noLinks: true, pathIncludes: id, times: Infinity });
    const e = await failure(downloadRun(client, queue, run.id, { outFile: out }));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'data');
    assert.equal(
      e.message,
      `Echo360 request ${id} (notes ${ONE_CHUNK.start}..${ONE_CHUNK.end}) is Available but has no download link. Try again in a minute; if it persists, resubmit the request.`,
    );
    assert.equal(assets().length, 0);
    assert.deepEqual(filesIn(dir), []);
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
    // Only the secrets: the key id, expiry and date stay readable.
    for (const l of assetLines)
      assert.match(l, /\?AWSAccessKeyId=ASIAFAKEECHO360&Expires=\d{10}&x-amz-security-token=«redacted»&X-Amz-Date=\d{8}T\d{6}Z&Signature=«redacted» → 200 in \d+ ms$/);
    const logged = log.lines.join('\n');
    for (const v of secrets) assert.ok(!logged.includes(v), `a secret of the link appears in the log: ${v}`);
    assert.match(logged, /storage answered 403 AccessDenied; fetching a fresh link/);
  });

  it("a CloudFront-style signed link: its policy, signature and key pair id never reach a log line; the rest of the link does", async () => {
    const cf = await startEcho360Fake({ pendingMs: 60, rowsPerDay: 50, linkStyle: 'cloudfront' });
    try {
      const log = recorder();
      const client = fastClient(cf, { logger: log });
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await downloadRun(client, queue, run.id, { outFile: path.join(dir, 'n.csv'), logger: log });
      const link = (await client.getRequest(queue.getRun(run.id)!.chunks[0].requestId!)).signedAssets[0];
      const url = new URL(link);
      assert.deepEqual([...url.searchParams.keys()], ['Policy', 'Signature', 'Key-Pair-Id']);
      const masked = `${url.origin}${url.pathname}?Policy=«redacted»&Signature=«redacted»&Key-Pair-Id=«redacted»`;
      const assetLines = log.lines.filter((l) => l.includes(url.pathname));
      assert.equal(assetLines.length, 1, assetLines.join('\n'));
      assert.equal(assetLines[0].replace(/ in \d+ ms$/, ''), `info GET ${masked} → 200`, 'the link with only its secrets masked');
      const logged = log.lines.join('\n');
      for (const key of ['Policy', 'Signature', 'Key-Pair-Id']) {
        const v = link.split(`${key}=`)[1].split('&')[0];
        assert.ok(!logged.includes(v), `the ${key} of the link appears in the log`);
      }
    } finally {
      await cf.close();
    }
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

  it('a body of only the two gzip magic bytes is a truncated gzip, not CSV', async () => {
    const e = await failure(collect([Buffer.from([0x1f, 0x8b])], { from }));
    assert.equal((e as { code?: string }).code, 'Z_BUF_ERROR');
  });

  it('HTML-looking text inside a gzipped report (here at its second megabyte) is data, not a page', async () => {
    const mb = 1 << 20;
    const head = 'id,notes\n';
    const filler = 'x'.repeat(mb - head.length - 2);
    const csv = `${head}1,${filler}<!DOCTYPE html><html><body>a note written in HTML</body></html>\n2,plain\n`;
    assert.equal(csv.indexOf('<!DOCTYPE'), mb, 'the page-like text starts where the second MiB of output begins');
    assert.equal(await collect([zlib.gzipSync(csv)], { from }), csv);
  });

  it('a gzip bomb sent in small pieces is stopped by the compression ratio (every piece counted)', async () => {
    const gz = zlib.gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x61));
    const pieces = Array.from({ length: Math.ceil(gz.length / 1024) }, (_, i) => gz.subarray(i * 1024, i * 1024 + 1024));
    const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 1024 * 1024 * 1024, maxCompressionRatio: 200 };
    const e = await failure(collect(pieces, { from, label: 'the report file of notes', limits }));
    assert.ok(e instanceof InsightError);
    assert.match(e.message, /^the report file of notes expands more than 200:1 \(/);
  });

  it('without a label a decompressed-size stop names "the download"', async () => {
    const gz = zlib.gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x61));
    const e = await failure(collect([gz], { from, limits: { ...DEFAULT_LIMITS, maxDecompressedBytes: 1024 * 1024 } }));
    assert.ok(e instanceof InsightError);
    assert.match(e.message, /^the download expands past 1 MB when decompressed/);
  });

  it('a gzip that expands past the decompressed-size limit stops with the label and the limit', async () => {
    const gz = zlib.gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x61));
    const limits = { maxFieldBytes: 1 << 20, maxRecordBytes: 1 << 20, maxColumns: 10, maxDecompressedBytes: 2 * 1024 * 1024, maxCompressionRatio: 0 };
    const e = await failure(collect([gz], { from, label: 'the report file of notes 2024-01-01..2024-01-05', limits }));
    assert.ok(e instanceof InsightError);
    assert.match(e.message, /^the report file of notes 2024-01-01\.\.2024-01-05 expands past 2 MB when decompressed \(the decompressed-size limit\); stopped there\./);
  });
});
