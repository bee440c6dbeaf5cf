import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { InsightError } from '../../../../../src/core/errors';
import { CsvMerger, CsvTokenizer, countRecordEnds, formatRecord } from '../../../../../src/core/sources/echo360/csvMerge';
import { decompressed, exactUrl } from '../../../../../src/core/sources/echo360/download';
import { ResultFileWriter } from '../../../../../src/core/sources/echo360/resultFile';
import { EchoDelimiter } from '../../../../../src/core/sources/echo360/types';
import { filesIn, tempDir } from '../../../../fakes/echo360TestKit';

/** Feeds `text` to the part in pieces of `size` bytes (boundaries anywhere, even inside quotes). */
async function feed(merger: CsvMerger, label: string, delim: EchoDelimiter, text: string | Buffer, size: number): Promise<void> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const part = merger.beginPart(label, delim);
  for (let i = 0; i < buf.length; i += size) await part.push(buf.subarray(i, i + size));
  await part.end();
}

async function merge(
  parts: { text: string | Buffer; delim: EchoDelimiter }[],
  out: EchoDelimiter,
  size = 7,
): Promise<{ text: string; rows: number }> {
  const dir = tempDir();
  const file = path.join(dir, 'out.csv');
  const w = await ResultFileWriter.create(file);
  const m = new CsvMerger(w, out);
  for (const [i, p] of parts.entries()) await feed(m, `chunk ${i + 1}`, p.delim, p.text, size);
  await w.commit();
  return { text: fs.readFileSync(file, 'utf8'), rows: m.rows };
}

const A = 'id,name,note\n1,Ann,"hello, world"\n2,"O\'Brien ""Bob""","two\nlines"\n';
const B = 'id,name,note\n3,Cy,plain\n';

describe('echo360 CSV merge', () => {
  it('writes the header once and the rows of each chunk in order, byte-for-byte when delimiters match', async () => {
    for (const size of [1, 2, 3, 5, 64, 1 << 16]) {
      const { text, rows } = await merge(
        [
          { text: A, delim: ',' },
          { text: B, delim: ',' },
        ],
        ',',
        size,
      );
      assert.equal(text, A + B.slice(B.indexOf('\n') + 1), `piece size ${size}`);
      assert.equal(rows, 3, 'a newline inside quotes is not a row');
    }
  });

  it('converts delimiters with proper quoting', async () => {
    const { text } = await merge(
      [
        { text: A, delim: ',' },
        { text: B, delim: ',' },
      ],
      '|',
      3,
    );
    assert.equal(text, 'id|name|note\n1|Ann|hello, world\n2|"O\'Brien ""Bob"""|"two\nlines"\n3|Cy|plain\n');
    const tsv = 'id\tname\n1\t"a|b"\n2\tx\ty\n';
    const { text: piped } = await merge([{ text: tsv, delim: '\t' }], '|', 2);
    assert.equal(piped, 'id|name\n1|"a|b"\n2|x|y\n');
    const crlf = 'a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n3,"q""r"';
    for (const size of [1, 2, 4, 100]) {
      const { text: converted, rows } = await merge([{ text: crlf, delim: ',' }], '\t', size);
      assert.equal(converted, 'a\tb\n1\t"x\r\ny"\n2\tz\n3\t"q""r"\n', `piece size ${size}`);
      assert.equal(rows, 3);
    }
  });

  it('strips a BOM, handles CRLF, a missing final newline and header-only or empty chunks', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,name\r\n1,a\r\n2,b')]);
    const { text, rows } = await merge(
      [
        { text: bom, delim: ',' },
        { text: 'id,name\r\n', delim: ',' },
        { text: '', delim: ',' },
        { text: 'id,name\r\n3,c\r\n', delim: ',' },
      ],
      ',',
      2,
    );
    assert.equal(text, 'id,name\r\n1,a\r\n2,b\n3,c\r\n');
    assert.equal(rows, 3);
  });

  it('refuses a chunk whose header differs, naming the chunk', async () => {
    await assert.rejects(
      merge(
        [
          { text: A, delim: ',' },
          { text: 'id,name,comment\n4,D,x\n', delim: ',' },
        ],
        ',',
      ),
      (e: unknown) =>
        e instanceof InsightError &&
        e.kind === 'data' &&
        /header of chunk 2 does not match chunk 1/.test(e.message) &&
        /"id,name,comment"/.test(e.message),
    );
  });

  it('counts records across buffer boundaries like a full parse does', () => {
    const rows: string[] = [];
    for (let i = 0; i < 300; i++)
      rows.push(formatRecord([String(i), i % 7 === 0 ? 'multi\nline "q"' : 'x', i % 5 === 0 ? 'a,b' : ''], ','));
    const text = Buffer.from(rows.join('\n') + '\n');
    for (const size of [1, 3, 17, 4096]) {
      const state = { inQuotes: false };
      let n = 0;
      for (let i = 0; i < text.length; i += size) n += countRecordEnds(text.subarray(i, i + size), state);
      assert.equal(n, 300, `piece size ${size}`);
    }
    const t = new CsvTokenizer(',');
    const got: string[][] = [];
    for (let i = 0; i < text.length; i += 5) t.push(text.subarray(i, i + 5).toString('latin1'), (f) => got.push(f));
    t.end((f) => got.push(f));
    assert.equal(got.length, 300);
    assert.deepEqual(got[7], ['7', 'multi\nline "q"', '']);
    assert.deepEqual(got[5], ['5', 'x', 'a,b']);
  });

  it('rolls back a broken part: the bytes of the failed attempt are gone', async () => {
    const dir = tempDir();
    const w = await ResultFileWriter.create(path.join(dir, 'r.csv'));
    const m = new CsvMerger(w, ',');
    await feed(m, 'chunk 1', ',', A, 4);
    const mark = m.mark();
    const part = m.beginPart('chunk 2', ',');
    await part.push(Buffer.from('id,name,note\n3,C'));
    await m.rollback(mark);
    await feed(m, 'chunk 2', ',', B, 4);
    await w.commit();
    assert.equal(fs.readFileSync(path.join(dir, 'r.csv'), 'utf8'), A + '3,Cy,plain\n');
    assert.equal(m.rows, 3);
  });

  it('an aborted result leaves neither the file nor a temp file', async () => {
    const dir = tempDir();
    const w = await ResultFileWriter.create(path.join(dir, 'r.csv'));
    await w.write(Buffer.from('partial'));
    await w.abort();
    assert.deepEqual(filesIn(dir), []);
  });

  it('gunzips by magic bytes and passes plain text through', async () => {
    const collect = async (chunks: Buffer[]) => {
      const out: Buffer[] = [];
      async function* src() {
        yield* chunks;
      }
      for await (const c of decompressed(src())) out.push(c);
      return Buffer.concat(out).toString();
    };
    const gz = zlib.gzipSync(Buffer.from(A));
    assert.equal(await collect([gz.subarray(0, 1), gz.subarray(1, 10), gz.subarray(10)]), A);
    assert.equal(await collect([Buffer.from(A)]), A);
    assert.equal(await collect([]), '');
    await assert.rejects(collect([gz.subarray(0, gz.length - 12)]), (e: unknown) => (e as { code?: string }).code === 'Z_BUF_ERROR');
  });

  it('sends a signed link only when it survives WHATWG parsing unchanged', () => {
    const link = 'http://127.0.0.1:9/b/k.csv.gz?X-Amz-Credential=AKIA%2F20240601%2Fus-east-1&Signature=k3V+q%2Fz9Xw==';
    assert.equal(exactUrl(link).href, link);
    assert.equal(exactUrl(link).search, '?X-Amz-Credential=AKIA%2F20240601%2Fus-east-1&Signature=k3V+q%2Fz9Xw==');
    // WHATWG percent-encodes a raw apostrophe in the query: sending that would change the link.
    assert.throws(() => exactUrl("http://127.0.0.1:9/b/k.csv?Signature=a'b"), /cannot be sent byte-for-byte/);
  });
});
