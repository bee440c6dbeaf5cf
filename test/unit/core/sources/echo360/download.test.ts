import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Papa from 'papaparse';
import { InsightError } from '../../../../../src/core/errors';
import { Echo360Client } from '../../../../../src/core/sources/echo360/client';
import { DownloadProgress, downloadRun } from '../../../../../src/core/sources/echo360/download';
import { EchoReportQueue, EchoRequestFailedError } from '../../../../../src/core/sources/echo360/queue';
import { EchoDelimiter } from '../../../../../src/core/sources/echo360/types';
import { Echo360Fake, startEcho360Fake } from '../../../../fakes/echo360';
import { daysAgo, fastClient, fastQueue, fetchAssetText, filesIn, tempDir } from '../../../../fakes/echo360TestKit';

const THREE_CHUNKS = { start: daysAgo(21), end: daysAgo(1) };
const ONE_CHUNK = { start: daysAgo(4), end: daysAgo(1) };

/** Records of a delimited text, read by Papa Parse (an independent reader, not the product's tokenizer). */
function parse(text: string, d: EchoDelimiter): string[][] {
  const r = Papa.parse<string[]>(text, { delimiter: d, skipEmptyLines: true });
  assert.deepEqual(r.errors, [], 'Papa Parse reads it without errors');
  return r.data;
}

/** What the merged file must be: the first chunk's header, then every chunk's rows, in order. */
async function reference(client: Echo360Client, queue: EchoReportQueue, runId: string): Promise<string[]> {
  const texts: string[] = [];
  for (const c of queue.getRun(runId)!.chunks) {
    const req = await client.getRequest(c.requestId!);
    for (const link of req.signedAssets) texts.push(await fetchAssetText(link));
  }
  return texts;
}

function concatenated(texts: string[]): string {
  return texts.map((t, i) => (i === 0 ? t : t.slice(t.indexOf('\n') + 1))).join('');
}

describe('echo360 download and merge', function () {
  this.timeout(30_000);
  let fake: Echo360Fake;
  let dir: string;
  const queues: EchoReportQueue[] = [];
  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 150, rowsPerDay: 300 });
  });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(function () {
    for (const q of queues.splice(0)) q.dispose();
    // Whatever happened in the test: the signed links went out untouched and without credentials.
    const assets = fake.requests.filter((r) => r.server === 'asset');
    assert.ok(
      assets.every((r) => !r.hasAuthorization || r.authorization === 'Bearer probe'),
      'no Authorization header of ours ever reached the storage server',
    );
    fake.reset();
  });
  after(() => fake.close());

  async function start(report: string, range = THREE_CHUNKS, output?: { compression?: boolean; delimiter?: EchoDelimiter }) {
    const client = fastClient(fake);
    const queue = fastQueue(client);
    queues.push(queue);
    const run = await queue.enqueue({ reportName: report, range, output });
    return { client, queue, run, out: path.join(dir, `${report}.csv`) };
  }

  it('uses each signed link byte-for-byte (%2F, + and = intact), without credentials', async () => {
    const { client, queue, run, out } = await start('videoview');
    const result = await downloadRun(client, queue, run.id, { outFile: out });
    assert.equal(result.chunks, 3);
    const assets = fake.requests.filter((r) => r.server === 'asset');
    assert.equal(assets.length, 3);
    for (const a of assets) {
      assert.equal(a.status, 200, 'the fake found the exact link it issued');
      assert.match(a.rawUrl, /Signature=[^&]*%2F/);
      assert.match(a.rawUrl, /Signature=[^&]*\+/);
      assert.match(a.rawUrl, /Signature=[^&]*=$/);
      assert.match(a.rawUrl, /x-amz-security-token=[^&]*%2F%2F[^&]*\+/);
      assert.equal(a.hasAuthorization, false);
    }
    // The fake really checks: a re-encoded signature or an Authorization header is refused.
    const link = (await client.getRequest(queue.getRun(run.id)!.chunks[0].requestId!)).signedAssets[0];
    const reencoded = await fetch(link.replace('+', '%2B'));
    assert.equal(reencoded.status, 403);
    assert.match(await reencoded.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const withAuth = await fetch(link, { headers: { authorization: 'Bearer probe' } });
    assert.equal(withAuth.status, 403);
    assert.match(await withAuth.text(), /Only one auth mechanism allowed/);
  });

  for (const compression of [true, false]) {
    for (const delimiter of [',', '\t', '|'] as const) {
      it(`merges ${compression ? 'gzipped' : 'plain'} "${delimiter === '\t' ? '\\t' : delimiter}" chunks into exactly their concatenation`, async () => {
        const { client, queue, run, out } = await start('qanda', THREE_CHUNKS, { compression, delimiter });
        const progress: DownloadProgress[] = [];
        const result = await downloadRun(client, queue, run.id, { outFile: out, delimiter, onProgress: (p) => progress.push(p) });
        const texts = await reference(client, queue, run.id);
        const merged = fs.readFileSync(out, 'utf8');
        assert.equal(merged, concatenated(texts));
        assert.equal(result.rows, 20 * 300);
        assert.equal(result.header[0], 'institution_id');
        assert.equal(result.bytes, Buffer.byteLength(merged));
        assert.equal(parse(merged, delimiter).length, 20 * 300 + 1, 'rows with quoted newlines are still one row each');
        assert.ok(result.firstRowsMs !== undefined && result.firstRowsMs <= result.totalMs);
        assert.deepEqual([...new Set(progress.filter((p) => p.phase === 'downloading').map((p) => p.chunk))], [0, 1, 2]);
        assert.equal(queue.getRun(run.id)!.status, 'completed');
        assert.equal(queue.getRun(run.id)!.result!.rows, result.rows);
        assert.deepEqual(filesIn(dir), ['qanda.csv'], 'no temp file left');
      });
    }
  }

  it('converts the delimiter when the output asks for another one', async () => {
    const { client, queue, run, out } = await start('videoview', THREE_CHUNKS, { delimiter: '|' });
    await downloadRun(client, queue, run.id, { outFile: out, delimiter: ',' });
    const texts = await reference(client, queue, run.id);
    assert.deepEqual(parse(fs.readFileSync(out, 'utf8'), ','), parse(concatenated(texts), '|'));
  });

  it('fetches a fresh link when storage says the signed link expired (403)', async () => {
    fake.addFault({ linkExpired: true, pathIncludes: '.csv' });
    const { client, queue, run, out } = await start('assetbydate');
    const result = await downloadRun(client, queue, run.id, { outFile: out });
    assert.equal(result.rows, 20 * 300);
    const assets = fake.requests.filter((r) => r.server === 'asset');
    assert.deepEqual(
      assets.map((a) => a.status),
      [403, 200, 200, 200],
    );
    assert.equal(fs.readFileSync(out, 'utf8'), concatenated(await reference(client, queue, run.id)));
  });

  it('fetches a link again after the fake clock passes its 7 days', async () => {
    const { client, queue, run, out } = await start('assetbydate', ONE_CHUNK);
    await queue.waitForRun(run.id);
    const old = (await client.getRequest(queue.getRun(run.id)!.chunks[0].requestId!)).signedAssets[0];
    fake.advanceClock(8 * 86_400_000);
    assert.equal((await fetch(old)).status, 403, 'an 8-day-old link is refused');
    const result = await downloadRun(client, queue, run.id, { outFile: out });
    assert.equal(result.rows, 3 * 300);
  });

  it('downloads again from scratch when the connection is reset mid-stream', async () => {
    const big = await startEcho360Fake({ pendingMs: 100, rowsPerDay: 4000 });
    try {
      big.addFault({ resetMidBody: true, pathIncludes: '.csv' });
      const client = fastClient(big);
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'videoview', range: THREE_CHUNKS });
      const out = path.join(dir, 'vv.csv');
      const result = await downloadRun(client, queue, run.id, { outFile: out, sleep: async () => undefined });
      assert.equal(result.rows, 20 * 4000);
      assert.equal(big.requests.filter((r) => r.server === 'asset').length, 4, 'one cut download, then three whole ones');
      assert.equal(fs.readFileSync(out, 'utf8'), concatenated(await reference(client, queue, run.id)));
      assert.ok(big.requests.filter((r) => r.server === 'asset').every((r) => !r.hasAuthorization));
    } finally {
      await big.close();
    }
  });

  it('downloads again when the gzip is truncated, and gives up after 3 attempts leaving no file', async () => {
    fake.addFault({ truncatedGzip: true, pathIncludes: '.csv' });
    const first = await start('notes');
    const result = await downloadRun(first.client, first.queue, first.run.id, { outFile: first.out, sleep: async () => undefined });
    assert.equal(result.rows, 20 * 300);
    assert.equal(fs.readFileSync(first.out, 'utf8'), concatenated(await reference(first.client, first.queue, first.run.id)));

    fake.addFault({ truncatedGzip: true, pathIncludes: '.csv', times: 3 });
    const second = await start('confused');
    const out = path.join(dir, 'confused.csv');
    await assert.rejects(
      downloadRun(second.client, second.queue, second.run.id, { outFile: out, sleep: async () => undefined }),
      (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.equal(e.kind, 'network');
        assert.match(
          e.message,
          /The download of Echo360 request \S+ \(confused \S+\) kept breaking off \(truncated gzip\) after 3 attempts/,
        );
        return true;
      },
    );
    assert.deepEqual(filesIn(dir), ['notes.csv'], 'neither a short confused.csv nor a temp file');
  });

  it('resubmits a report that expired (14 days) before it was downloaded', async () => {
    const { client, queue, run, out } = await start('assetbydate');
    await queue.waitForRun(run.id);
    const before = queue.getRun(run.id)!.chunks.map((c) => c.requestId);
    fake.advanceClock(15 * 86_400_000);
    const result = await downloadRun(client, queue, run.id, { outFile: out });
    assert.equal(result.rows, 20 * 300);
    const chunks = queue.getRun(run.id)!.chunks;
    assert.deepEqual(
      chunks.map((c) => c.previousRequestIds),
      before.map((id) => [id]),
    );
    assert.equal(fake.stats.submits, 6);
  });

  it('a Failed request fails the download with its id and the resubmit offer; no file is left', async () => {
    fake.addFault({ endStatus: 'Failed', pathIncludes: '/requests/polling' });
    const { client, queue, run, out } = await start('polling');
    await assert.rejects(downloadRun(client, queue, run.id, { outFile: out }), (e: unknown) => {
      assert.ok(e instanceof EchoRequestFailedError);
      assert.equal(e.requestId, queue.getRun(run.id)!.chunks[0].requestId);
      assert.match(e.message, /ended Failed\. Resubmit it to try again\./);
      return true;
    });
    assert.deepEqual(filesIn(dir), []);
    // The offer works: resubmit, download again.
    await queue.resubmit(queue.getRun(run.id)!.chunks[0].requestId!);
    const result = await downloadRun(client, queue, run.id, { outFile: out });
    assert.equal(result.rows, 20 * 300);
  });

  it('cancellation stops the wait at once and leaves no file', async () => {
    const slow = await startEcho360Fake({ pendingMs: 60_000 });
    try {
      const client = fastClient(slow);
      const queue = fastQueue(client);
      queues.push(queue);
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(
        downloadRun(client, queue, run.id, { outFile: path.join(dir, 'n.csv'), signal: ac.signal }),
        (e: unknown) => e instanceof InsightError && e.kind === 'cancelled',
      );
      assert.deepEqual(filesIn(dir), []);
    } finally {
      await slow.close();
    }
  });
});
