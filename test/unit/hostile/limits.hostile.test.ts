/**
 * Hostile inputs for the parser, the merge and the decompressor: a file with 200,000 columns, a
 * single 300 MB line, a 300 MB unclosed quote, a gzip bomb (1 MB of gzip expanding to 1 GiB), and
 * storage answering a page where the report file was expected. Each `it` states its guarantee;
 * the CLI cases measure the child's peak RSS and hold it under 600 MB.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { cliBundle } from '../../fakes/canvasCli';
import { Echo360Fake, startEcho360Fake } from '../../fakes/echo360';
import { daysAgo } from '../../fakes/echo360TestKit';
import { InsightError } from '../../../src/core/errors';
import { LimitError, limitsFrom } from '../../../src/core/ingestLimits';
import { markupKind } from '../../../src/core/markup';
import { CsvMerger } from '../../../src/core/sources/echo360/csvMerge';
import { decompressed } from '../../../src/core/sources/echo360/download';
import { ResultFileWriter } from '../../../src/core/sources/echo360/resultFile';
import { extraFiles, runMeasured, writeBig } from './filesKit';

const MAX_RSS_MB = 600;
const ROW = '2026-11-02T10:00:00Z,5f0c2f7e-aaaa-4bbb-8ccc-000000000001,BIO 101,Lecture 1,30\n';
const HEADER = 'timestamp,user_id,course,media,seconds\n';

/** 1 GiB of rows as 64 gzip members of 16 MiB each (~3.5 MB in all, ~300:1): a gzip bomb that is valid CSV. */
function gzipBomb(file: string): void {
  const member = zlib.gzipSync(Buffer.from(HEADER + ROW.repeat(Math.floor((16 << 20) / ROW.length))), { level: 9 });
  const rest = zlib.gzipSync(Buffer.from(ROW.repeat(Math.floor((16 << 20) / ROW.length))), { level: 9 });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, member);
  for (let i = 1; i < 64; i++) fs.writeSync(fd, rest);
  fs.closeSync(fd);
}

async function* from(...parts: (string | Buffer)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
}

describe('hostile: parser and decompression limits', function () {
  this.timeout(240_000);
  let dir: string;

  before(async () => {
    await cliBundle();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-limits-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const inspect = (file: string, ...flags: string[]) => runMeasured(['inspect', file, ...flags]);

  it('200,000 columns: refused at line 1 naming the file and the column limit, in bounded memory', async () => {
    const file = path.join(dir, 'wide.csv');
    const header = Array.from({ length: 200_000 }, (_, i) => `c${i}`).join(',');
    fs.writeFileSync(file, `${header}\n${Array.from({ length: 200_000 }, () => '1').join(',')}\n`);
    const r = await inspect(file);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stderr, `insights: ${file}, line 1: more than 10,000 columns (the column limit); stopped reading there. If the file is what you expect, raise the limit (--max-columns / insightExplorer.limits.maxColumns).\n`);
    assert.ok(r.peakMB < MAX_RSS_MB, `peak RSS ${r.peakMB.toFixed(0)} MB`);
    // Within the limit, a wide file still loads.
    const fine = path.join(dir, 'wide-ok.csv');
    fs.writeFileSync(fine, `${Array.from({ length: 5_000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 5_000 }, () => '1').join(',')}\n`);
    const ok = await inspect(fine);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout.toString()) as { columns: unknown[] }).columns.length, 5_000);
  });

  it('a single 300 MB line: stops at the record limit (64 MB) naming file and line, without "Invalid string length"', async () => {
    const file = path.join(dir, 'line.csv');
    await writeBig(file, 'a,b\n1,2\n', 'x', 300 << 20);
    const r = await inspect(file);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`^insights: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, line 3: a line runs past 64 MB \\(the record-size limit\\); stopped reading there\\. .*--max-record-mb`));
    assert.ok(r.peakMB < MAX_RSS_MB, `peak RSS ${r.peakMB.toFixed(0)} MB`);
  });

  it('a 300 MB unclosed quote: stops at the record limit and says the quote is never closed', async () => {
    const file = path.join(dir, 'quote.csv');
    await writeBig(file, 'a,b\n1,"', 'y,\n', 300 << 20);
    const r = await inspect(file);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /, line 2: a quoted field is never closed: it runs past 64 MB \(the record-size limit\)/);
    assert.ok(r.peakMB < MAX_RSS_MB, `peak RSS ${r.peakMB.toFixed(0)} MB`);
  });

  it('a field over --max-field-mb is refused naming its line; the engine never builds the string', async () => {
    const file = path.join(dir, 'field.csv');
    await writeBig(file, 'a,b\n1,2\n3,"', 'z', 2 << 20, '"\n4,5\n');
    const r = await inspect(file, '--max-field-mb', '1');
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /, line 3: a field is longer than 1 MB \(the field-size limit\)/);
    const bad = await inspect(file, '--max-field-mb', 'lots');
    assert.equal(bad.code, 2);
  });

  it('insights inspect prints the ingest warnings (an unclosed final quote) to stderr', async () => {
    const file = path.join(dir, 'open.csv');
    fs.writeFileSync(file, 'name,note\nann,"never closed\n');
    const r = await inspect(file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^insights: warning: \S+open\.csv: The input ended inside a quoted field; its value runs to the end of the input\.\n$/);
    assert.equal((JSON.parse(r.stdout.toString()) as { rows: number }).rows, 1);
  });

  it('a gzip bomb (3.5 MB → 1 GiB) stops at the ratio guard, and at --max-decompressed-mb with the ratio off', async () => {
    const bomb = path.join(dir, 'bomb.csv.gz');
    gzipBomb(bomb);
    assert.ok(fs.statSync(bomb).size < 4 << 20);
    const r = await inspect(bomb);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /bomb\.csv\.gz expands more than 100:1 \(.* of gzip gave .* so far\): that is a gzip bomb/);
    assert.ok(r.peakMB < MAX_RSS_MB, `peak RSS ${r.peakMB.toFixed(0)} MB`);
    const capped = await inspect(bomb, '--max-decompressed-mb', '32', '--max-ratio', '0');
    assert.equal(capped.code, 5, capped.stderr);
    assert.match(capped.stderr, /bomb\.csv\.gz expands past 32 MB when decompressed \(the decompressed-size limit\); stopped there\. .*--max-decompressed-mb/);
    assert.ok(capped.peakMB < MAX_RSS_MB, `peak RSS ${capped.peakMB.toFixed(0)} MB`);
  });

  describe('echo360 run', () => {
    let fake: Echo360Fake;
    let bomb: string;
    before(async () => {
      bomb = path.join(dir, 'asset-bomb.csv.gz');
      gzipBomb(bomb);
      fake = await startEcho360Fake({ pendingMs: 100, fixedAssets: { videoview: bomb } });
    });
    after(async () => fake.close());
    afterEach(() => fake.reset());

    const run = (out: string, report: string, ...flags: string[]) =>
      runMeasured(
        ['echo360', 'run', '--base-url', fake.url, '--report', report, '--start', daysAgo(2), '--end', daysAgo(1), '--poll-interval', '0.1', '--out', out, ...flags],
        { ECHO360_CLIENT_ID: fake.clientId, ECHO360_CLIENT_SECRET: fake.clientSecret },
      );

    it('a gzip bomb as the report file: exit 5 at the decompressed cap, no result and no temp file written', async () => {
      const outDir = fs.mkdtempSync(path.join(dir, 'out-'));
      const r = await run(path.join(outDir, 'views.csv'), 'videoview', '--max-decompressed-mb', '48', '--max-ratio', '0');
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /insights: the report file of videoview .+ expands past 48 MB when decompressed \(the decompressed-size limit\)/);
      assert.deepEqual(fs.readdirSync(outDir), []);
      assert.ok(r.peakMB < MAX_RSS_MB, `peak RSS ${r.peakMB.toFixed(0)} MB`);
      const ratio = await run(path.join(outDir, 'views.csv'), 'videoview');
      assert.equal(ratio.code, 5, ratio.stderr);
      assert.match(ratio.stderr, /expands more than 100:1/);
      assert.deepEqual(fs.readdirSync(outDir), []);
    });

    it('storage answering 200 with an HTML page: one-line refusal, exit 5, nothing saved as the result', async () => {
      const outDir = fs.mkdtempSync(path.join(dir, 'out-'));
      fake.addFault({ html: true, pathIncludes: '/reports/', times: Infinity });
      const r = await run(path.join(outDir, 'notes.csv'), 'notes');
      assert.equal(r.code, 5, r.stderr);
      const last = r.stderr.trimEnd().split('\n').pop()!;
      assert.match(last, /^insights: The storage server \(http:\/\/127\.0\.0\.1:\d+\) answered with an HTML page where a gzip or CSV report file was expected; nothing was saved\./);
      assert.doesNotMatch(r.stderr, /wrote \d+ rows/);
      assert.deepEqual(extraFiles(outDir, []), []);
    });
  });

  it('an S3 XML error document or an HTML page answered with 200 is refused, whatever its Content-Type says; gzip and CSV pass', async () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
    await assert.rejects(
      (async () => {
        for await (const _ of decompressed(from(xml), { contentType: 'application/octet-stream', from: 'The storage server' })) void _;
      })(),
      (e: unknown) => e instanceof InsightError && /answered with an XML page \(AccessDenied\) where a gzip or CSV report file was expected/.test(e.message),
    );
    await assert.rejects(
      (async () => {
        for await (const _ of decompressed(from(zlib.gzipSync('<!DOCTYPE html><html><body>Sign in</body></html>')), {})) void _;
      })(),
      /answered with an HTML page/,
    );
    assert.equal(markupKind('text/csv', Buffer.from('\uFEFF  <html><body>Sign in')), 'HTML');
    assert.equal(markupKind('text/html; charset=utf-8', Buffer.from('a,b\n1,2\n')), 'HTML');
    assert.equal(markupKind('application/xml', Buffer.from('a,b\n')), 'XML');
    assert.equal(markupKind('text/html', zlib.gzipSync('a,b\n1,2\n')), undefined, 'gzip bytes are data');
    assert.equal(markupKind('text/csv', Buffer.from('a,<b>\n1,2\n')), undefined);
    const csv: Buffer[] = [];
    for await (const b of decompressed(from(zlib.gzipSync('a,b\n1,2\n')), { contentType: 'application/x-gzip' })) csv.push(b);
    assert.equal(Buffer.concat(csv).toString(), 'a,b\n1,2\n');
  });

  it('the Echo360 merge refuses too many columns and a record that never ends, naming the file', async () => {
    const limits = limitsFrom({ maxColumns: 100, maxRecordMB: 1, maxFieldMB: 1 });
    const w = await ResultFileWriter.create(path.join(dir, 'm.csv'));
    try {
      const merger = new CsvMerger(w, ',', limits);
      const wide = merger.beginPart('2026-11-01..2026-11-08', ',');
      await assert.rejects(wide.push(Buffer.from(Array.from({ length: 101 }, (_, i) => `c${i}`).join(',') + '\n')), (e: unknown) => e instanceof LimitError && /^2026-11-01\.\.2026-11-08, line 1: more than 100 columns/.test(e.message));
      const merger2 = new CsvMerger(w, ',', limits);
      const long = merger2.beginPart('chunk 2', ',');
      await long.push(Buffer.from('a,b\n1,2\n'));
      await assert.rejects(
        (async () => {
          for (let i = 0; i < 3; i++) await long.push(Buffer.alloc(512 * 1024, 0x78));
        })(),
        /^LimitError: chunk 2, data row 2: a line runs past 1 MB \(the record-size limit\)/,
      );
      // Re-delimiting (the slow path) holds text, so it has the same caps.
      const merger3 = new CsvMerger(w, '|', limitsFrom({ maxFieldMB: 1, maxRecordMB: 4 }));
      const slow = merger3.beginPart('chunk 3', ',');
      await slow.push(Buffer.from('a,b\n1,"'));
      await assert.rejects(
        (async () => {
          for (let i = 0; i < 3; i++) await slow.push(Buffer.alloc(512 * 1024, 0x78));
          await slow.push(Buffer.from('\n2,3\n'));
        })(),
        /a field is longer than 1 MB/,
      );
    } finally {
      await w.abort();
    }
  });
});
