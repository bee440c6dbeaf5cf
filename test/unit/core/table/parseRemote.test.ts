/**
 * A file tokenized on the worker thread (parseRemote.ts) gives the table, warnings included, that
 * TableBuilder gives in this thread from the same bytes: the real worker (compiled
 * parseWorker.js), real files, real gzip, hostile content, chunks small enough that records,
 * quoted fields and UTF-8 characters are cut at every kind of place.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { InsightError } from '../../../../src/core/errors';
import { DEFAULT_LIMITS, LimitError } from '../../../../src/core/ingestLimits';
import { Table, TableBuilder } from '../../../../src/core/table';
import { RemoteJob, ingestFileInWorker } from '../../../../src/core/table/parseRemote';
import { mulberry32 } from '../../../fakes/random';

function inThread(bytes: Buffer, delimiter?: string, limits = DEFAULT_LIMITS): Table {
  const b = new TableBuilder({ delimiter, limits, label: 'the file' });
  b.push(bytes);
  return b.finish();
}

function assertSameTable(got: Table, want: Table, what: string): void {
  assert.equal(got.rowCount, want.rowCount, `${what}: rows`);
  assert.equal(got.delimiter, want.delimiter, `${what}: delimiter`);
  assert.deepEqual(
    got.columns.map((c) => [c.name, c.type]),
    want.columns.map((c) => [c.name, c.type]),
    `${what}: columns`,
  );
  for (let r = 0; r < want.rowCount; r++) assert.deepEqual(got.row(r), want.row(r), `${what}: row ${r}`);
  assert.deepEqual(got.warnings, want.warnings, `${what}: warnings`);
}

describe('table: files tokenized on a worker thread', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-remote-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes `bytes` as name (gzipped when it ends in .gz) and reads it through the worker. */
  async function viaWorker(name: string, bytes: Buffer, job: Partial<RemoteJob> = {}): Promise<Table> {
    const file = path.join(dir, name);
    const gz = name.endsWith('.gz');
    fs.writeFileSync(file, gz ? zlib.gzipSync(bytes) : bytes);
    const t = await ingestFileInWorker({ path: file, gz, limits: DEFAULT_LIMITS, label: 'the file', ...job });
    assert.ok(t, 'the worker started');
    return t;
  }

  const hostile: [string, Buffer, string?][] = [
    [
      'quotes, CRLF, BOM, UTF-8',
      Buffer.from(
        '\ufeffid,name,note,at\r\n1,"Zhang, Søren","say ""hi""\r\nand go",2025-03-03T10:15:22.123Z\r\n' +
          '2,Émile,"",2025-03-03T10:15:23.000Z\r\n3,"日本語","a,b,c",\r\n4,x,"""",2025-03-04T00:00:00.000Z\r\n',
      ),
    ],
    [
      'ragged rows and odd headers',
      Buffer.concat([
        Buffer.from('a,a,,b\n1,2,3,4\n5,6\n7,8,9,10,11,12\n\n\n13,14,15,16\n,\n'),
        Buffer.from([0x63, 0xff, 0x2c, 0x31, 0x2c, 0x32, 0x2c, 0x33, 0x0a]),
        Buffer.from('x,'),
        Buffer.from([0xfe]),
        Buffer.from(',y,z\n'),
      ]),
    ],
    ['a bad byte in the header', Buffer.concat([Buffer.from('ok,'), Buffer.from([0xe9]), Buffer.from('\n1,2\n3,4\n')])],
    ['an unclosed quote at the end', Buffer.from('a,b\n1,"two\n3,4\n')],
    ['tabs, sniffed', Buffer.from('a\tb\tc\n1\t"x\ty"\t3\n4\t5\t6\n')],
    ['semicolons, given', Buffer.from('a;b\n1,5;2\n3;4\n'), ';'],
    ['an empty file', Buffer.alloc(0)],
    ['a header only', Buffer.from('a,b,c\n')],
    ['no line end at the end', Buffer.from('n\n1\n2\n3')],
  ];

  for (const [what, bytes, delimiter] of hostile)
    it(`reads ${what} as this thread does, in chunks of 1, 7 and 65,536 bytes, plain and gzipped`, async () => {
      const want = inThread(bytes, delimiter);
      for (const chunk of [1, 7, 65536])
        for (const name of ['f.csv', 'f.csv.gz']) {
          const got = await viaWorker(name, bytes, { chunk, delimiter });
          assertSameTable(got, want, `${what}, ${name}, chunks of ${chunk}`);
        }
    });

  it('reads a real-shaped export with repeated rows, many distinct ids and timestamps, in small chunks', async () => {
    const r = mulberry32(20261208);
    const users = Array.from({ length: 3000 }, (_, i) => `${(i * 2654435761) >>> 0}-user`);
    const lines = ['user,email,name,at,seconds,title'];
    let t = Date.UTC(2025, 2, 3);
    for (let i = 0; i < 40000; i++) {
      const u = users[Math.floor(r() * users.length)];
      t += Math.floor(r() * 1000);
      const title = r() < 0.1 ? '"Case ""Smith v. Jones"", part 2"' : r() < 0.2 ? '"Lecture 1, intro"' : 'Lecture 2';
      const row = `${u},${u}@uni.example.edu,"Ñandú, ${u.slice(0, 3)}",${new Date(t).toISOString()},${Math.floor(r() * 30)},${title}`;
      lines.push(row);
      if (r() < 0.3) lines.push(row);
    }
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const want = inThread(bytes);
    assert.deepEqual(
      want.columns.map((c) => c.type),
      ['string', 'string', 'string', 'datetime', 'integer', 'string'],
    );
    for (const chunk of [4096, 1 << 20]) assertSameTable(await viaWorker('big.csv.gz', bytes, { chunk }), want, `chunks of ${chunk}`);
  });

  it('reads a chunk of more fields than one batch holds (two batches point into it)', async () => {
    // 4 MB chunks of 2-byte fields: ~2 million fields a chunk, past the 1,048,576 of a batch.
    const row = 'a,b,c,d,e,f,g,h\n';
    const bytes = Buffer.from('h1,h2,h3,h4,h5,h6,h7,h8\n' + row.replace('a', '1').repeat(300000) + row.repeat(300000));
    const want = inThread(bytes);
    assertSameTable(await viaWorker('wide.csv', bytes, { chunk: 4 << 20 }), want, 'two batches a chunk');
  });

  it("stops at the tokenizer's limits with the same error as this thread", async () => {
    const limits = { ...DEFAULT_LIMITS, maxFieldBytes: 64 };
    const bytes = Buffer.from(`a,b\n1,2\n3,${'x'.repeat(100)}\n`);
    let want: unknown;
    try {
      inThread(bytes, undefined, limits);
    } catch (e) {
      want = e;
    }
    assert.ok(want instanceof LimitError);
    await assert.rejects(viaWorker('long.csv.gz', bytes, { limits, chunk: 7 }), (e: unknown) => {
      assert.ok(e instanceof LimitError);
      assert.equal(e.message, (want as LimitError).message);
      assert.equal(e.limit, 'maxFieldBytes');
      return true;
    });
  });

  it('stops a gzip bomb at the decompressed-size limit, and reports a corrupt .gz with zlib’s code', async () => {
    const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 100_000 };
    await assert.rejects(viaWorker('bomb.csv.gz', Buffer.from('a\n' + '1\n'.repeat(200_000)), { limits, chunk: 4096 }), (e: unknown) => {
      assert.ok(e instanceof LimitError);
      assert.equal(e.limit, 'maxDecompressedBytes');
      return true;
    });
    const file = path.join(dir, 'bad.csv.gz');
    const gz = zlib.gzipSync(Buffer.from('a,b\n'.repeat(10000)));
    gz[gz.length >> 1] ^= 0xff;
    fs.writeFileSync(file, gz);
    await assert.rejects(ingestFileInWorker({ path: file, gz: true, limits: DEFAULT_LIMITS, label: 'the file' }), (e: unknown) => {
      assert.match(String((e as { code?: string }).code), /^Z_/);
      return true;
    });
  });

  it('stops when cancelled, and leaves the work to this thread when the worker file is missing', async () => {
    const file = path.join(dir, 'c.csv');
    fs.writeFileSync(file, 'a\n' + '1\n'.repeat(100000));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(ingestFileInWorker({ path: file, gz: false }, { signal: ac.signal }), (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
    assert.equal(await ingestFileInWorker({ path: file, gz: false }, { workerFile: path.join(dir, 'no-such-worker.js') }), undefined);
  });

  it('says so when the parsing thread dies mid-file, and leaves the work to this thread when it dies at once', async () => {
    const file = path.join(dir, 'e.csv');
    fs.writeFileSync(file, 'a\n1\n');
    const dies = path.join(dir, 'dies.js');
    fs.writeFileSync(
      dies,
      "const { parentPort } = require('node:worker_threads');\n" +
        "parentPort.postMessage({ type: 'header', fields: ['a'], delimiter: 44, warnings: [] });\n" +
        'setTimeout(() => process.exit(3), 50);\n',
    );
    await assert.rejects(ingestFileInWorker({ path: file, gz: false }, { workerFile: dies }), /the parsing thread stopped \(exit code 3\)/);
    const crashes = path.join(dir, 'crashes.js');
    fs.writeFileSync(crashes, "throw new Error('no thread for you');\n");
    assert.equal(await ingestFileInWorker({ path: file, gz: false }, { workerFile: crashes }), undefined);
  });

  it('refuses a bad delimiter as a usage error', async () => {
    const file = path.join(dir, 'd.csv');
    fs.writeFileSync(file, 'a\n1\n');
    await assert.rejects(ingestFileInWorker({ path: file, gz: false, delimiter: '"' }), (e: unknown) => e instanceof InsightError && e.kind === 'usage');
  });
});
