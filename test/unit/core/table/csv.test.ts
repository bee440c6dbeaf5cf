import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { InsightError } from '../../../../src/core/errors';
import { DisplayValue, Table, TableBuilder, ingestCsv, inspectFile } from '../../../../src/core/table';

/** Ingest text (or bytes) fed in the given chunk sizes (default: one chunk). */
function load(input: string | Buffer, opts: { delimiter?: string; chunks?: number[] } = {}): Table {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const b = new TableBuilder({ delimiter: opts.delimiter });
  if (!opts.chunks) b.push(bytes);
  else {
    let at = 0;
    for (const n of opts.chunks) {
      b.push(bytes.subarray(at, at + n));
      at += n;
    }
    if (at < bytes.length) b.push(bytes.subarray(at));
  }
  return b.finish();
}

function rows(t: Table): DisplayValue[][] {
  return Array.from({ length: t.rowCount }, (_, r) => t.row(r));
}

function shape(t: Table): { name: string; type: string }[] {
  return t.columns.map((c) => ({ name: c.name, type: c.type }));
}

describe('table: CSV ingest', () => {
  it('reads a plain file with typed columns and shows values as a user expects', () => {
    const t = load(
      'id,name,score,passed,day,at\n1,Ann,9.5,true,2024-03-04,2024-03-04T10:15:30Z\n2,Bob,-2,FALSE,2024-03-05,2024-03-05 08:00\n',
    );
    assert.deepEqual(shape(t), [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'string' },
      { name: 'score', type: 'number' },
      { name: 'passed', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'datetime' },
    ]);
    assert.deepEqual(rows(t), [
      [1, 'Ann', 9.5, true, '2024-03-04', '2024-03-04T10:15:30.000Z'],
      [2, 'Bob', -2, false, '2024-03-05', '2024-03-05T08:00:00.000Z'],
    ]);
  });

  it('stores dates and datetimes as epoch ms, honouring zones and fractions', () => {
    const t = load('at\n2024-03-04T10:15:30.123456Z\n2024-03-04T12:15:30+02:00\n2024-03-04 05:15-0500\n2024-03-04T10:15:30.5\n\n');
    const col = t.columns[0];
    assert.equal(col.type, 'datetime');
    assert.deepEqual(
      rows(t).map((r) => r[0]),
      ['2024-03-04T10:15:30.123Z', '2024-03-04T10:15:30.000Z', '2024-03-04T10:15:00.000Z', '2024-03-04T10:15:30.500Z'],
    );
    assert.equal((col as unknown as { values: Float64Array }).values[1], Date.UTC(2024, 2, 4, 10, 15, 30));
  });

  it('mixes dates and datetimes into datetime; invalid calendar dates stay text', () => {
    assert.equal(load('d\n2024-01-01\n2024-01-02T03:04\n').columns[0].type, 'datetime');
    assert.equal(load('d\n2024-02-29\n2023-02-29\n').columns[0].type, 'string');
    assert.equal(load('d\n2024-13-01\n').columns[0].type, 'string');
  });

  it('keeps leading-zero codes and long ids as text, exactly as written', () => {
    const t = load('zip,id,n\n02134,12345678901234567890,007\n10001,1,7\n');
    assert.deepEqual(
      shape(t).map((c) => c.type),
      ['string', 'string', 'string'],
    );
    assert.deepEqual(rows(t)[0], ['02134', '12345678901234567890', '007']);
  });

  it('falls back to text when a numeric-looking column meets a non-number, losing nothing', () => {
    const lines = ['v'];
    for (let i = 0; i < 1000; i++) lines.push(String(i % 50));
    lines.push('n/a', '1.50');
    const t = load(lines.join('\n') + '\n');
    assert.equal(t.columns[0].type, 'string');
    assert.equal(t.rowCount, 1002);
    assert.equal(t.row(49)[0], '49');
    assert.equal(t.row(1000)[0], 'n/a');
    assert.equal(t.row(1001)[0], '1.50');
  });

  it('falls back to text after a high-cardinality numeric column left the dictionary', () => {
    // > 32768 distinct values switch the column to parsed values; raw bytes keep it reversible.
    const lines = ['v,t'];
    for (let i = 0; i < 40000; i++)
      lines.push(`${i % 3 === 0 ? '' : (i * 1.5).toString()},2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.${i}`);
    const typed = load(lines.join('\n') + '\n');
    assert.equal(typed.columns[0].type, 'number');
    assert.equal(typed.columns[1].type, 'datetime');
    assert.equal(typed.row(3)[0], null);
    assert.equal(typed.row(4)[0], 6);
    lines.push('oops,not a time');
    lines.push('7e1,2024-01-01');
    const t = load(lines.join('\n') + '\n', { chunks: [100000, 3, 50000] });
    assert.deepEqual(
      shape(t).map((c) => c.type),
      ['string', 'string'],
    );
    assert.equal(t.rowCount, 40002);
    assert.deepEqual(t.row(0), [null, '2024-01-01T00:00:00.0']);
    assert.deepEqual(t.row(4), ['6', '2024-01-01T00:00:04.4']);
    assert.deepEqual(t.row(39998), ['59997', '2024-01-01T00:00:38.39998']);
    assert.deepEqual(t.row(39999), [null, '2024-01-01T00:00:39.39999']);
    assert.deepEqual(t.row(40000), ['oops', 'not a time']);
    assert.deepEqual(t.row(40001), ['7e1', '2024-01-01']);
  });

  describe('a high-cardinality column written canonically keeps no raw bytes, and still turns back into its exact text', () => {
    // 40,000 distinct values: past the dictionary. `at` is toISOString's layout and `n` plain
    // integers, so the builder keeps only the parsed values; every way back must give the bytes read.
    const T0 = Date.UTC(2025, 2, 3, 10, 15, 22, 123);
    const base = (n: number) => {
      const lines = ['at,n'];
      for (let i = 0; i < n; i++) {
        const at = i % 7 === 3 ? '' : new Date(T0 + i * 1001).toISOString();
        lines.push(`${at},${i % 11 === 5 ? '' : String(i * 37 - 700_000)}`);
      }
      return lines;
    };

    it('stays typed, with every value, null and repeated row as read', () => {
      const lines = base(40000);
      lines.push(lines[lines.length - 1], lines[lines.length - 1]); // repeated rows (the tokenizer's prefix repeat)
      lines.push('0001-01-01T00:00:00.000Z,0', '9999-12-31T23:59:59.999Z,-999999999999999');
      const t = load(lines.join('\n') + '\n', { chunks: [70000, 5, 300000] });
      assert.deepEqual(shape(t), [
        { name: 'at', type: 'datetime' },
        { name: 'n', type: 'integer' },
      ]);
      assert.equal(t.rowCount, lines.length - 1);
      const at = t.columns[0] as unknown as { values: Float64Array; isNull(r: number): boolean };
      for (let r = 0; r < lines.length - 1; r++) {
        const [a, n] = lines[r + 1].split(',');
        assert.equal(at.isNull(r), a === '', `row ${r}`);
        if (a !== '') assert.equal(at.values[r], Date.parse(a), `row ${r}`);
        assert.equal(t.columns[1].text(r), n === '' ? null : n, `row ${r}`);
      }
    });

    it('meets text straight away: every row reads back as written', () => {
      const lines = base(40000);
      lines.push('soon,n/a');
      const t = load(lines.join('\n') + '\n');
      assert.deepEqual(shape(t), [
        { name: 'at', type: 'string' },
        { name: 'n', type: 'string' },
      ]);
      for (let r = 0; r < lines.length - 1; r++) {
        const [at, n] = lines[r + 1].split(',');
        assert.deepEqual(t.row(r), [at === '' ? null : at, n === '' ? null : n], `row ${r}`);
      }
    });

    it('meets a value written another way, then text: the rows before, the odd one and the rest all read back as written', () => {
      const lines = base(40000);
      // Valid values, not in canonical form: kept as their own bytes from here on.
      lines.push('2025-03-04 10:00:00, 5', '2025-03-04T10:00:00Z,-0', '2025-03-04T10:00:00.5Z,+5');
      lines.push(...base(100).slice(1));
      const typed = load(lines.join('\n') + '\n');
      assert.equal(typed.columns[0].type, 'datetime');
      assert.equal(typed.columns[1].type, 'integer');
      assert.equal((typed.columns[0] as unknown as { values: Float64Array }).values[40000], Date.UTC(2025, 2, 4, 10));
      lines.push('later,n/a');
      const t = load(lines.join('\n') + '\n', { chunks: [1 << 20, 7] });
      assert.deepEqual(shape(t), [
        { name: 'at', type: 'string' },
        { name: 'n', type: 'string' },
      ]);
      assert.equal(t.rowCount, lines.length - 1);
      for (let r = 0; r < lines.length - 1; r++) {
        const [at, n] = lines[r + 1].split(',');
        assert.deepEqual(t.row(r), [at === '' ? null : at, n === '' ? null : n], `row ${r}`);
      }
    });
  });

  it('handles a UTF-8 BOM and CRLF line ends', () => {
    const t = load('\ufeffa,b\r\n1,x\r\n2,y\r\n');
    assert.deepEqual(t.columnNames, ['a', 'b']);
    assert.deepEqual(rows(t), [
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and newlines', () => {
    const t = load('name,note\n"Smith, Jane","She said ""hi""\nthen left"\n"",plain\n"a""b",""""\n');
    assert.deepEqual(rows(t), [
      ['Smith, Jane', 'She said "hi"\nthen left'],
      [null, 'plain'],
      ['a"b', '"'],
    ]);
    assert.deepEqual(t.warnings, []);
  });

  it('is lenient with quotes inside unquoted fields and text after a closing quote', () => {
    const t = load('a,b\nsay "x",y\n"q"rest,z\n');
    assert.deepEqual(rows(t), [
      ['say "x"', 'y'],
      ['qrest', 'z'],
    ]);
  });

  it('reports an unclosed quote and keeps the rest as the value', () => {
    const t = load('a,b\n1,"open\n2,3\n');
    assert.equal(t.rowCount, 1);
    assert.deepEqual(t.row(0), [1, 'open\n2,3\n']);
    assert.deepEqual(
      t.warnings.map((w) => w.kind),
      ['unclosed-quote'],
    );
  });

  it('pads short rows and truncates long rows, reporting row numbers and counts', () => {
    const t = load('a,b,c\n1,2,3\n4,5\n6\n7,8,9,10,11\n12,13,14\n');
    assert.deepEqual(rows(t), [
      [1, 2, 3],
      [4, 5, null],
      [6, null, null],
      [7, 8, 9],
      [12, 13, 14],
    ]);
    const short = t.warnings.find((w) => w.kind === 'ragged-short')!;
    const long = t.warnings.find((w) => w.kind === 'ragged-long')!;
    assert.equal(short.count, 2);
    assert.deepEqual(short.rows, [2, 3]);
    assert.match(short.message, /2 rows had fewer fields \(1\/2\) than the header \(3\).*rows 2, 3/);
    assert.equal(long.count, 1);
    assert.deepEqual(long.rows, [4]);
    assert.match(long.message, /more fields \(5\)/);
  });

  for (const [name, d] of [
    ['comma', ','],
    ['tab', '\t'],
    ['pipe', '|'],
    ['semicolon', ';'],
  ] as const) {
    it(`sniffs the ${name} delimiter`, () => {
      const text =
        ['city', 'note', 'n'].join(d) + '\n' + ['Paris', '"a, b; c| d\te"', '1'].join(d) + '\n' + ['Oslo', 'x', '2'].join(d) + '\n';
      const t = load(text);
      assert.equal(t.delimiter, d);
      assert.deepEqual(rows(t), [
        ['Paris', 'a, b; c| d\te', 1],
        ['Oslo', 'x', 2],
      ]);
    });
  }

  it('uses a given delimiter instead of sniffing, and refuses multi-character ones', () => {
    const t = load('a;b,c\n1;2,3\n', { delimiter: ';' });
    assert.deepEqual(t.columnNames, ['a', 'b,c']);
    assert.throws(
      () => new TableBuilder({ delimiter: '::' }),
      (e: unknown) => e instanceof InsightError && e.kind === 'usage',
    );
  });

  it('decodes UTF-8 characters split across chunk boundaries', () => {
    const text = 'name,city\nZoë,Zürich\n"Chloé\n日本",😀 ok\n';
    const bytes = Buffer.from(text, 'utf8');
    const expected = [
      ['Zoë', 'Zürich'],
      ['Chloé\n日本', '😀 ok'],
    ];
    for (let size = 1; size <= 7; size++) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, () => size);
      assert.deepEqual(rows(load(bytes, { chunks })), expected, `chunks of ${size}`);
    }
  });

  it('builds the same table however the bytes are split (every split point, then every pair)', () => {
    const text =
      '\ufeffid,name,note,when\r\n1,Zoë,"a,b",2024-01-01\r\n2,"日本\r\nline","say ""hi""",2024-01-02T03:04:05Z\r\n3,,😀,\r\n4,x,"",2024-01-03\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const whole = load(bytes);
    const want = { shape: shape(whole), rows: rows(whole), warnings: whole.warnings };
    assert.equal(whole.rowCount, 4);
    assert.deepEqual(whole.row(1), [2, '日本\r\nline', 'say "hi"', '2024-01-02T03:04:05.000Z']);
    for (let i = 0; i <= bytes.length; i++) {
      const t = load(bytes, { chunks: [i] });
      assert.deepEqual({ shape: shape(t), rows: rows(t), warnings: t.warnings }, want, `split at ${i}`);
    }
    for (let i = 0; i <= bytes.length; i += 3)
      for (let j = i; j <= bytes.length; j += 5) {
        const t = load(bytes, { chunks: [i, j - i] });
        assert.deepEqual(rows(t), want.rows, `split at ${i} and ${j}`);
      }
  });

  it('dictionary-encodes many similar strings without mixing any up', () => {
    const value = (i: number) => `user.${(i * 7919) % 20011}@example.edu`;
    const lines = ['email,n'];
    for (let i = 0; i < 60000; i++) lines.push(`${value(i)},${i % 3}`);
    const t = load(lines.join('\n') + '\n', { chunks: [65536, 1, 2, 3, 100000] });
    assert.equal(t.rowCount, 60000);
    for (let i = 0; i < 60000; i++) assert.equal(t.row(i)[0], value(i));
    const col = t.columns[0] as unknown as { dict: string[] };
    assert.equal(col.dict.length - 1, 20011);
  });

  it('keeps every row as codes widen from one byte to two and four, snapshots taken before included', () => {
    // Columns with 255, 256, 65,535 and 65,536 distinct values (the edges of each code width),
    // nulls every 7th row and runs of repeated rows.
    const sizes = [255, 256, 65535, 65536];
    const n = 140000;
    const cell = (r: number, d: number) => (r % 7 === 0 ? '' : `v${Math.floor(r / 2) % d}`);
    const lines = [sizes.map((d) => `d${d}`).join(',')];
    for (let r = 0; r < n; r++) lines.push(sizes.map((d) => cell(r, d)).join(','));
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const b = new TableBuilder();
    const half = bytes.indexOf('\n', bytes.length >> 3) + 1;
    b.push(bytes.subarray(0, half));
    const early = b.snapshot();
    b.push(bytes.subarray(half));
    const t = b.finish();
    assert.equal(t.rowCount, n);
    const want = (r: number, d: number) => (r % 7 === 0 ? null : `v${Math.floor(r / 2) % d}`);
    for (let r = 0; r < n; r++) assert.deepEqual(t.row(r), sizes.map((d) => want(r, d)), `row ${r}`);
    for (let r = 0; r < early.rowCount; r++) assert.deepEqual(early.row(r), sizes.map((d) => want(r, d)), `snapshot row ${r}`);
    const widths = t.columns.map((c) => (c as unknown as { codes: ArrayLike<number> }).codes.constructor.name);
    assert.deepEqual(widths, ['Uint8Array', 'Uint16Array', 'Uint16Array', 'Uint32Array']);
    assert.deepEqual(
      t.columns.map((c) => (c as unknown as { dict: string[] }).dict.length - 1),
      sizes,
    );
  });

  it('reads a multi-megabyte quoted field spanning hundreds of chunks', () => {
    const big = 'line "quoted", with delimiters\n'.repeat(70000); // ~2.2 MB
    const text = `a,b\n1,"${big.replace(/"/g, '""')}"\n2,x\n`;
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 4096) }, () => 4096);
    const t = load(bytes, { chunks });
    assert.equal(t.rowCount, 2);
    assert.equal(t.row(0)[1], big);
    assert.deepEqual(t.row(1), [2, 'x']);
  });

  it('reports invalid UTF-8 with the first row it occurs in, and keeps going with U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('name,n\nok,1\nfine,2\n'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      Buffer.from(',3\n'),
      Buffer.from([0xff]),
      Buffer.from(',4\n'),
    ]);
    const t = load(bytes);
    assert.equal(t.rowCount, 4);
    assert.equal(t.row(2)[0], 'caf\ufffd');
    assert.equal(t.row(3)[0], '\ufffd');
    const w = t.warnings.find((x) => x.kind === 'invalid-utf8')!;
    assert.equal(w.rows[0], 3);
    assert.equal(w.count, 2);
    assert.match(w.message, /first at row 3/);
  });

  it('lists the first rows with invalid UTF-8 in row order when several columns have them', () => {
    // Bad bytes in the first column late and in the second column early, then in 30 more rows:
    // the warning names rows 2 and 5 first, and at most 20 rows, the first ones.
    const lines: Buffer[] = [Buffer.from('a,b\n')];
    for (let r = 1; r <= 60; r++) {
      const a = r === 5 || r > 30 ? Buffer.from([0x61, 0xff, 0x40 + r]) : Buffer.from(`a${r}`);
      const b = r === 2 ? Buffer.from([0x62, 0xfe]) : Buffer.from(`b${r}`);
      lines.push(a, Buffer.from(','), b, Buffer.from('\n'));
    }
    const t = load(Buffer.concat(lines));
    const w = t.warnings.find((x) => x.kind === 'invalid-utf8')!;
    assert.equal(w.count, 32);
    assert.deepEqual(w.rows, [2, 5, ...Array.from({ length: 18 }, (_, i) => 31 + i)]);
    assert.match(w.message, /first at row 2/);
  });

  it('handles an empty file, a header only and a single column', () => {
    const empty = load('');
    assert.equal(empty.rowCount, 0);
    assert.deepEqual(empty.columns, []);
    const header = load('a,b,c\n');
    assert.equal(header.rowCount, 0);
    assert.deepEqual(
      shape(header),
      ['a', 'b', 'c'].map((name) => ({ name, type: 'string' })),
    );
    const noNewline = load('a,b');
    assert.deepEqual(noNewline.columnNames, ['a', 'b']);
    const one = load('n\n1\n2\n3');
    assert.deepEqual(rows(one), [[1], [2], [3]]);
  });

  it('handles 10,000 columns', () => {
    const names = Array.from({ length: 10000 }, (_, i) => `c${i}`);
    const row = Array.from({ length: 10000 }, (_, i) => String(i));
    const t = load(names.join(',') + '\n' + row.join(',') + '\n' + row.join(',') + '\n');
    assert.equal(t.columns.length, 10000);
    assert.equal(t.rowCount, 2);
    assert.equal(t.row(1)[9999], 9999);
    assert.equal(t.columns[5000].name, 'c5000');
  });

  it('makes duplicate and empty header names unique and reports it', () => {
    const t = load('name,name,,name_2,name\n1,2,3,4,5\n');
    assert.deepEqual(t.columnNames, ['name', 'name_3', 'column_3', 'name_2', 'name_4']);
    const kinds = t.warnings.map((w) => w.kind).sort();
    assert.deepEqual(kinds, ['duplicate-header', 'empty-header']);
    assert.match(t.warnings.find((w) => w.kind === 'duplicate-header')!.message, /"name" → "name_3"/);
  });

  it('skips blank lines', () => {
    assert.deepEqual(rows(load('a,b\n\n1,2\n\r\n3,4\n\n')), [
      [1, 2],
      [3, 4],
    ]);
  });

  it('reuses fields of a repeated row prefix only when the bytes match through the delimiter', () => {
    assert.deepEqual(rows(load('a,b\na,c\na,c\n')), [
      ['a', 'c'],
      ['a', 'c'],
    ]);
    const t = load('a,b,c\nab,c,1\nab,cd,2\na,bcd,3\nab,c,4\nab,c,"5"\nab,c,5\n"ab",c,6\nab,c,7\n');
    assert.deepEqual(rows(t), [
      ['ab', 'c', 1],
      ['ab', 'cd', 2],
      ['a', 'bcd', 3],
      ['ab', 'c', 4],
      ['ab', 'c', 5],
      ['ab', 'c', 5],
      ['ab', 'c', 6],
      ['ab', 'c', 7],
    ]);
  });

  it('reuses repeated quoted fields (with delimiters and newlines) correctly', () => {
    const t = load('a,b,c\n"x,y","p\nq",1\n"x,y","p\nq",2\n"x,y","p\nqr",3\n"x,y""",z,4\n"x,y""",z,4\n');
    assert.deepEqual(rows(t), [
      ['x,y', 'p\nq', 1],
      ['x,y', 'p\nq', 2],
      ['x,y', 'p\nqr', 3],
      ['x,y"', 'z', 4],
      ['x,y"', 'z', 4],
    ]);
  });

  it('can be read while it ingests: row count, first rows, snapshot', () => {
    const b = new TableBuilder({ delimiter: ',' });
    b.push('id,name\n1,a\n2,');
    assert.equal(b.rowCount, 1);
    assert.deepEqual(b.columns, [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'string' },
    ]);
    assert.deepEqual(b.rows(0, 10), [[1, 'a']]);
    b.push('b\n3,c\n');
    assert.equal(b.rowCount, 3);
    const snap = b.snapshot();
    assert.equal(snap.rowCount, 3);
    b.push('x,d\n');
    assert.deepEqual(snap.row(2), [3, 'c']);
    const t = b.finish();
    assert.equal(t.columns[0].type, 'string');
    assert.deepEqual(rows(t), [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
      ['x', 'd'],
    ]);
  });

  it('ingests a Node stream with progress, and stops when aborted', async () => {
    const text = 'a,b\n' + Array.from({ length: 5000 }, (_, i) => `${i},v${i % 7}`).join('\n') + '\n';
    const seen: number[] = [];
    const t = await ingestCsv(Readable.from(chunksOf(Buffer.from(text), 1000)), { onProgress: (r) => seen.push(r) });
    assert.equal(t.rowCount, 5000);
    assert.equal(seen[seen.length - 1], 5000);
    assert.ok(seen.length > 5);
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      ingestCsv(Readable.from(chunksOf(Buffer.from(text), 100)), {
        signal: ac.signal,
        onProgress: () => {
          if (++n === 3) ac.abort();
        },
      }),
      (e: unknown) => e instanceof InsightError && e.kind === 'cancelled',
    );
  });
});

function* chunksOf(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('table: inspect', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'table-inspect-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const text =
    'user,secs,day,when,ok\nann,30,2024-03-04,2024-03-04T10:00:00Z,true\nbob,,2024-03-05,2024-03-05T11:30:00Z,false\nann,12,2024-03-06,,true\n';

  it('describes a .csv with the CLI shape', async () => {
    const file = path.join(dir, 'a.csv');
    fs.writeFileSync(file, text);
    const r = await inspectFile(file);
    assert.equal(r.rows, 3);
    assert.equal(typeof r.ms, 'number');
    assert.deepEqual(r.columns, [
      { name: 'user', type: 'string', nulls: 0, distinct: 2, min: 'ann', max: 'bob' },
      { name: 'secs', type: 'integer', nulls: 1, distinct: 2, min: 12, max: 30 },
      { name: 'day', type: 'date', nulls: 0, distinct: 3, min: '2024-03-04', max: '2024-03-06' },
      { name: 'when', type: 'datetime', nulls: 1, distinct: 2, min: '2024-03-04T10:00:00.000Z', max: '2024-03-05T11:30:00.000Z' },
      { name: 'ok', type: 'boolean', nulls: 0, distinct: 2, min: false, max: true },
    ]);
    assert.deepEqual(Object.keys(r), ['rows', 'columns', 'ms']);
  });

  it('reads .tsv.gz and .psv.gz through real gzip, delimiter from the extension', async () => {
    const tsv = path.join(dir, 'b.tsv.gz');
    fs.writeFileSync(tsv, zlib.gzipSync(Buffer.from(text.replace(/,/g, '\t'))));
    const psv = path.join(dir, 'c.psv.gz');
    fs.writeFileSync(psv, zlib.gzipSync(Buffer.from(text.replace(/,/g, '|'))));
    for (const f of [tsv, psv]) {
      const r = await inspectFile(f);
      assert.equal(r.rows, 3);
      assert.deepEqual(
        r.columns.map((c) => c.type),
        ['string', 'integer', 'date', 'datetime', 'boolean'],
      );
    }
    // An explicit delimiter wins over the extension.
    const r = await inspectFile(tsv, { delimiter: '|' });
    assert.equal(r.columns.length, 1);
  });

  it('streams a large gzip in many chunks', async () => {
    const file = path.join(dir, 'big.csv.gz');
    const lines = ['id,name,at'];
    for (let i = 0; i < 50000; i++)
      lines.push(
        `${i},"user ${i % 1000}, é",2024-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
      );
    fs.writeFileSync(file, zlib.gzipSync(Buffer.from(lines.join('\n') + '\n')));
    const r = await inspectFile(file);
    assert.equal(r.rows, 50000);
    assert.deepEqual(r.columns[1], { name: 'name', type: 'string', nulls: 0, distinct: 1000, min: 'user 0, é', max: 'user 999, é' });
    assert.equal(r.columns[0].max, 49999);
  });

  it('refuses a missing file as a usage error and a corrupt or truncated gzip as a data error', async () => {
    await assert.rejects(
      inspectFile(path.join(dir, 'nope.csv')),
      (e: unknown) => e instanceof InsightError && e.kind === 'usage' && e.exitCode === 2 && !e.message.includes('\n'),
    );
    const bad = path.join(dir, 'bad.csv.gz');
    fs.writeFileSync(bad, 'this is not gzip at all');
    await assert.rejects(
      inspectFile(bad),
      (e: unknown) => e instanceof InsightError && e.kind === 'data' && e.exitCode === 5 && /decompress/.test(e.message),
    );
    const cut = path.join(dir, 'cut.csv.gz');
    const gz = zlib.gzipSync(Buffer.from(text.repeat(200)));
    fs.writeFileSync(cut, gz.subarray(0, gz.length - 20));
    await assert.rejects(inspectFile(cut), (e: unknown) => e instanceof InsightError && e.kind === 'data' && !e.message.includes('\n'));
  });
});
