/**
 * The byte-level CSV tokenizer (src/core/table/csvParser.ts) on its own: the records it hands
 * over, checked against the data Papa Parse wrote (and against Papa Parse reading the same text),
 * however the bytes are split into chunks; the size, record and column limits with the line they
 * name; the non-ASCII flag each field carries; and the delimiter sniffer.
 */
import * as assert from 'node:assert/strict';
import Papa from 'papaparse';
import { DEFAULT_LIMITS, IngestLimits, LimitError } from '../../../../src/core/ingestLimits';
import { CsvTokenizer, FieldSink, sniffDelimiter } from '../../../../src/core/table/csvParser';
import { mulberry32 } from '../../../fakes/random';
import { EDGE_WORDS } from '../../kit/randomTable';

/** Collects the records as text, checking the sink contract as it goes. */
class Records implements FieldSink {
  readonly records: string[][] = [];
  private current: string[] = [];
  private previous: string[] = [];
  repeats = 0;

  constructor(private readonly allowRepeat = true) {}

  field(index: number, buf: Buffer, start: number, end: number, nonAscii: boolean): void {
    assert.equal(index, this.current.length, 'fields arrive in order');
    const bytes = buf.subarray(start, end);
    // Independent of the tokenizer's own scan: any byte above 0x7f is non-ASCII.
    assert.equal(nonAscii, bytes.some((b) => b > 0x7f), `non-ASCII flag of ${JSON.stringify(bytes.toString('latin1'))}`);
    this.current.push(bytes.toString('utf8'));
  }

  repeat(count: number): boolean {
    if (!this.allowRepeat) return false;
    assert.equal(this.current.length, 0, 'a repeated prefix starts a record');
    assert.ok(count > 0 && count <= this.previous.length, `repeat(${count}) of a ${this.previous.length}-field record`);
    this.current.push(...this.previous.slice(0, count));
    this.repeats++;
    return true;
  }

  endRow(fieldCount: number): void {
    assert.equal(fieldCount, this.current.length, 'endRow counts the fields handed over');
    this.records.push(this.current);
    this.previous = this.current;
    this.current = [];
  }

  rollbackRow(): void {
    this.current = [];
  }
}

interface Tokenized {
  records: string[][];
  unclosedQuote: boolean;
  repeats: number;
  /** The tokenizer's line after the end of input. */
  line: number;
}

function tokenize(
  input: string | Buffer,
  opts: { delimiter?: string; chunks?: number[]; allowRepeat?: boolean; limits?: Partial<IngestLimits>; label?: string } = {},
): Tokenized {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const sink = new Records(opts.allowRepeat ?? true);
  const t = new CsvTokenizer((opts.delimiter ?? ',').charCodeAt(0), sink, {
    limits: opts.limits ? { ...DEFAULT_LIMITS, ...opts.limits } : undefined,
    label: opts.label,
  });
  let at = 0;
  for (const n of opts.chunks ?? []) {
    // A copy per chunk: the tokenizer must not rely on bytes it was handed earlier.
    t.push(Buffer.from(bytes.subarray(at, at + n)));
    at += n;
  }
  if (at < bytes.length) t.push(Buffer.from(bytes.subarray(at)));
  t.end();
  t.end(); // a second end() adds nothing
  return { records: sink.records, unclosedQuote: t.unclosedQuote, repeats: sink.repeats, line: t.line };
}

/** Papa Parse as the reference reader (its trailing empty record dropped). */
function papa(text: string, delimiter: string, newline?: '\n' | '\r\n'): string[][] {
  const r = Papa.parse<string[]>(text, { delimiter, newline, skipEmptyLines: false });
  assert.deepEqual(r.errors, [], 'Papa Parse reads it without errors');
  const rows = r.data;
  if (rows.length && rows[rows.length - 1].length === 1 && rows[rows.length - 1][0] === '') rows.pop();
  return rows;
}

const WORDS = [...EDGE_WORDS, 'Zoë', '日本', '😀', 'del\x7fbyte', 'x|y;z', '', '', 'plain', 'plain', '42', 'a""b', '"quoted"'];

/**
 * Records as sorted exports look (runs of rows that share their leading fields), so the
 * tokenizer's repeated-prefix path meets quoted fields, delimiters and line breaks too.
 */
function randomRecords(seed: number, n: number, width: number): string[][] {
  const rand = mulberry32(seed);
  const word = () => WORDS[Math.floor(rand() * WORDS.length)];
  const out: string[][] = [];
  for (let r = 0; r < n; r++) {
    const keep = r > 0 && rand() < 0.7 ? Math.floor(rand() * (width + 1)) : 0;
    const rec: string[] = Array.from({ length: width }, (_, i) => (i < keep ? out[r - 1][i] : word()));
    // A record that is one empty field would be a blank line: not a record.
    if (!rec.some((f) => f !== '')) rec[0] = 'x';
    out.push(rec);
  }
  return out;
}

const RAISE: Record<string, string> = {
  maxFieldBytes: '--max-field-mb / insightExplorer.limits.maxFieldMB',
  maxRecordBytes: '--max-record-mb / insightExplorer.limits.maxRecordMB',
  maxColumns: '--max-columns / insightExplorer.limits.maxColumns',
};

/** The one-line error a user sees: what stopped, where, and how to raise the limit. */
function expectError(fn: () => unknown, limit: keyof IngestLimits, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LimitError, `a LimitError, got ${String(e)}`);
    assert.equal(e.limit, limit);
    assert.equal(e.kind, 'data');
    assert.equal(e.message, `${message} If the file is what you expect, raise the limit (${RAISE[limit]}).`);
    return true;
  });
}

describe('CSV tokenizer', () => {
  for (const [name, d] of [
    ['comma', ','],
    ['tab', '\t'],
    ['pipe', '|'],
    ['semicolon', ';'],
  ] as const) {
    it(`reads back what Papa Parse wrote (${name}, CRLF and LF), in one chunk and in random chunks, with and without prefix reuse`, () => {
      for (const seed of [1, 2, 3]) {
        const data = randomRecords(seed, 120, 1 + (seed % 4));
        for (const newline of ['\r\n', '\n'] as const) {
          const text = Papa.unparse(data, { delimiter: d, newline }) + (seed === 2 ? '' : newline);
          assert.deepEqual(papa(text, d, newline), data, 'Papa Parse reads its own text back');
          const whole = tokenize(text, { delimiter: d });
          assert.deepEqual(whole.records, data, `seed ${seed}, one chunk`);
          assert.equal(whole.unclosedQuote, false);
          assert.deepEqual(tokenize(text, { delimiter: d, allowRepeat: false }).records, data, `seed ${seed}, no reuse`);
          const rand = mulberry32(seed * 97);
          const bytes = Buffer.from(text, 'utf8');
          const chunks: number[] = [];
          for (let at = 0; at < bytes.length; ) {
            const size = 1 + Math.floor(rand() * 40);
            chunks.push(size);
            at += size;
          }
          assert.deepEqual(tokenize(bytes, { delimiter: d, chunks }).records, data, `seed ${seed}, chunks ${chunks.join(' ')}`);
        }
      }
    });
  }

  it('reuses the leading fields of the previous record only where the bytes match through the delimiter', () => {
    const text = 'id,name,note\nab,cd,1\nab,cd,2\nab,ce,3\nabc,cd,4\n"a,b",x,5\n"a,b",x,6\n"a,b",y,7\nq\nq,r\n';
    const want = [
      ['id', 'name', 'note'],
      ['ab', 'cd', '1'],
      ['ab', 'cd', '2'],
      ['ab', 'ce', '3'],
      ['abc', 'cd', '4'],
      ['a,b', 'x', '5'],
      ['a,b', 'x', '6'],
      ['a,b', 'y', '7'],
      ['q'],
      ['q', 'r'],
    ];
    assert.deepEqual(papa(text, ','), want);
    const r = tokenize(text);
    assert.deepEqual(r.records, want);
    assert.ok(r.repeats >= 4, `the shared prefixes were reused (${r.repeats} times)`);
    assert.deepEqual(tokenize(text, { allowRepeat: false }).records, want);
  });

  it('reads long records that share a long prefix (more fields than its first delimiter table holds)', () => {
    const head = Array.from({ length: 150 }, (_, i) => `c${i}`);
    const lines = [head, ...Array.from({ length: 4 }, (_, r) => head.map((_h, i) => (i < 140 ? `same${i}` : `r${r}f${i}`)))];
    const text = lines.map((l) => l.join(',')).join('\n') + '\n';
    const r = tokenize(text);
    assert.deepEqual(r.records, lines);
    assert.ok(r.repeats >= 3, 'the 140 shared fields were reused');
  });

  it('ends records at LF, CR and CRLF alike, skips blank lines, and counts the lines', () => {
    const text = 'a,b\r1,2\n\n3,4\r\n\r\n\r5,6\r\n"x\ny",7\n';
    const r = tokenize(text);
    assert.deepEqual(r.records, [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
      ['x\ny', '7'],
    ]);
    // 9 line ends (CR, LF and CRLF each one), one of them inside the quoted field: the next
    // record would start on line 10, however the bytes arrive.
    assert.equal(r.line, 10);
    for (let i = 0; i <= text.length; i++) {
      const split = tokenize(text, { chunks: [i] });
      assert.deepEqual(split.records, r.records, `split at ${i}`);
      assert.equal(split.line, 10, `line count, split at ${i}`);
    }
    const bytes = Array.from({ length: text.length }, () => 1);
    assert.equal(tokenize(text, { chunks: bytes }).line, 10, 'one byte at a time');
  });

  it('counts every blank line of a run of them, and reuses no prefix across a blank line', () => {
    const blank = tokenize('a,b\n\n\n\n1,2\n\r\r\n3,4\n');
    assert.deepEqual(blank.records, [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    assert.equal(blank.line, 9, '8 line ends');
    const text = 'h1,h2\nab,c\n\nb,c\nb,d\n';
    const want = [
      ['h1', 'h2'],
      ['ab', 'c'],
      ['b', 'c'],
      ['b', 'd'],
    ];
    assert.deepEqual(papa(text, ',').filter((r) => r.join('') !== ''), want);
    assert.deepEqual(tokenize(text).records, want);
  });

  it('a CR at the end of one chunk and its LF at the start of the next are one line end', () => {
    const r = tokenize('a,b\r\n1,2\r\n3,4\r\n', { chunks: [4, 5, 1] });
    assert.deepEqual(r.records, [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    assert.equal(r.line, 4);
  });

  it('reads the last record without a line end, quoted or not, and empty fields at the ends', () => {
    for (const [text, want] of [
      ['a,b\n1,2', [['a', 'b'], ['1', '2']]],
      ['a,b\n1,"2"', [['a', 'b'], ['1', '2']]],
      ['a,b\n1,"2"""', [['a', 'b'], ['1', '2"']]],
      ['a,b\n,\n', [['a', 'b'], ['', '']]],
      ['a,b\n,', [['a', 'b'], ['', '']]],
      ['a,b\n"",""\n', [['a', 'b'], ['', '']]],
    ] as const) {
      assert.deepEqual(papa(text, ','), want, `Papa Parse on ${JSON.stringify(text)}`);
      for (let i = 0; i <= text.length; i++) {
        const r = tokenize(text, { chunks: [i] });
        assert.deepEqual(r.records, want, `${JSON.stringify(text)} split at ${i}`);
        assert.equal(r.unclosedQuote, false);
      }
    }
  });

  it('keeps text after a closing quote up to the delimiter, and quotes inside an unquoted field', () => {
    const text = 'a,b\n"q"rest,z\nsay "x",y\n"p""q"r,"s"\n"last"tail';
    const want = [
      ['a', 'b'],
      ['qrest', 'z'],
      ['say "x"', 'y'],
      ['p"qr', 's'],
      ['lasttail'],
    ];
    for (let i = 0; i <= text.length; i++) assert.deepEqual(tokenize(text, { chunks: [i] }).records, want, `split at ${i}`);
  });

  it('an unclosed quote runs to the end of the input and is reported', () => {
    const text = 'a,b\n1,"open\n2,3\n';
    for (let i = 0; i <= text.length; i++) {
      const r = tokenize(text, { chunks: [i] });
      assert.deepEqual(r.records, [
        ['a', 'b'],
        ['1', 'open\n2,3\n'],
      ], `split at ${i}`);
      assert.equal(r.unclosedQuote, true);
    }
    const closedAtEnd = tokenize('a\n"x""');
    assert.deepEqual(closedAtEnd.records, [['a'], ['x"']]);
    assert.equal(closedAtEnd.unclosedQuote, true, 'a doubled quote at the very end does not close the field');
  });

  it('a record spanning many chunks is read once it ends, each of its fields whole', () => {
    const big = 'é,"x"\n'.repeat(3000);
    const text = `a,b\n1,"${big.replace(/"/g, '""')}"\n2,"${'y'.repeat(5000)}"\n`;
    const bytes = Buffer.from(text, 'utf8');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 333) }, () => 333);
    const r = tokenize(bytes, { chunks });
    assert.deepEqual(r.records, [
      ['a', 'b'],
      ['1', big],
      ['2', 'y'.repeat(5000)],
    ]);
    assert.equal(r.line, 3 + 3000 + 1);
  });

  it('an empty chunk and an empty input change nothing', () => {
    assert.deepEqual(tokenize('', { chunks: [0, 0] }).records, []);
    assert.deepEqual(tokenize('\n\r\n\r', {}).records, []);
    assert.deepEqual(tokenize('a,b\n1,2\n', { chunks: [3, 0, 0, 2] }).records, [
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  describe('limits: refused with the input and the line, before the oversized value is built', () => {
    const label = 'exports/views.csv';

    it('a field one byte over the field limit, unquoted or quoted; one at the limit passes', () => {
      const limits = { maxFieldBytes: 4096 };
      const at = 'x'.repeat(4096);
      const over = 'x'.repeat(4097);
      // Line 6: a quoted line break, a blank line and a CRLF blank line come before it.
      const before = 'a,b\n"p\nq",1\n\n\r\n';
      for (const field of [at, `"${at}"`, `"${at.slice(2)}"""`]) {
        assert.deepEqual(tokenize(`${before}c,${field}\n`, { limits, label }).records.at(-1)?.[1].length, 4096 - (field.endsWith('"""') ? 1 : 0));
      }
      const message = `${label}, line 6: a field is longer than 0.0 MB (the field-size limit); stopped reading there.`;
      expectError(() => tokenize(`${before}c,${over}\n`, { limits, label }), 'maxFieldBytes', message);
      expectError(() => tokenize(`${before}c,${over}`, { limits, label }), 'maxFieldBytes', message);
      expectError(() => tokenize(`${before}c,"${over}"\n`, { limits, label }), 'maxFieldBytes', message);
      // Unescaped through the scratch buffer (a doubled quote inside).
      expectError(() => tokenize(`${before}c,"${over.slice(1)}"""\n`, { limits, label }), 'maxFieldBytes', message);
      expectError(() => tokenize(`${before}c,"${over}"tail\n`, { limits, label }), 'maxFieldBytes', message);
    });

    it('a line past the record limit, whole or arriving in chunks; a quoted field that never closes says so', () => {
      const limits = { maxRecordBytes: 40, maxFieldBytes: 40 };
      const long = 'y'.repeat(45);
      const line = `${label}, line 3: a line runs past 0.0 MB (the record-size limit); stopped reading there.`;
      const quote = `${label}, line 3: a quoted field is never closed: it runs past 0.0 MB (the record-size limit); stopped reading there.`;
      const head = 'a,b\n1,2\n';
      // In one chunk: the incomplete tail is longer than the limit.
      expectError(() => tokenize(head + long, { limits, label }), 'maxRecordBytes', line);
      // Arriving in chunks, never ending.
      expectError(() => tokenize(head + long, { limits, label, chunks: [head.length, 10, 10, 10, 10] }), 'maxRecordBytes', line);
      expectError(() => tokenize(`${head}"${long}`, { limits, label, chunks: [head.length, 10, 10, 10, 10] }), 'maxRecordBytes', quote);
      // Arriving in chunks and ending in the chunk that takes it past the limit.
      expectError(() => tokenize(`${head}${long}\n`, { limits, label, chunks: [head.length, 30] }), 'maxRecordBytes', line);
      // At the limit it passes: 40 bytes pending, then the line end.
      const at = 'z'.repeat(40);
      assert.deepEqual(tokenize(`${head}${at}\n`, { limits, label, chunks: [head.length, 20, 20] }).records.at(-1), [at]);
      assert.deepEqual(tokenize(`${head}${at}`, { limits, label, chunks: [head.length, 40] }).records.at(-1), [at]);
    });

    it('more fields than the column limit; exactly the limit passes', () => {
      const limits = { maxColumns: 3 };
      assert.deepEqual(tokenize('a,b,c\n1,2,3\n', { limits, label }).records, [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ]);
      expectError(
        () => tokenize('a,b,c\n\n1,2,3,4\n', { limits, label }),
        'maxColumns',
        `${label}, line 3: more than 3 columns (the column limit); stopped reading there.`,
      );
      expectError(
        () => tokenize('a,b,c,\n', { limits: { maxColumns: 3 } }),
        'maxColumns',
        'the input, line 1: more than 3 columns (the column limit); stopped reading there.',
      );
    });

    it('the default limits name the input as "the input" and state the sizes in MB', () => {
      const limits = { maxFieldBytes: 3 * 1024 * 1024 };
      const big = 'v'.repeat(3 * 1024 * 1024 + 1);
      expectError(() => tokenize(`a\n${big}\n`, { limits }), 'maxFieldBytes', 'the input, line 2: a field is longer than 3 MB (the field-size limit); stopped reading there.');
    });
  });
});

describe('delimiter sniffing', () => {
  const sniff = (text: string, final = true) => String.fromCharCode(sniffDelimiter(Buffer.from(text, 'utf8'), final));

  it('picks the candidate that appears in the header with a steady count per record', () => {
    assert.equal(sniff('a;b;c\n1;2;3\n4;5;6\n'), ';');
    assert.equal(sniff('a\tb\n1\t2\n'), '\t');
    assert.equal(sniff('a|b\n1|2\n'), '|');
    assert.equal(sniff('a,b\n1,2\n'), ',');
    // Commas in every line but not steadily (3, 1, 0); semicolons steady: semicolon.
    assert.equal(sniff('x,y;z,w;k,l\n1;2,3;4\n5;6;7\n'), ';');
    // A candidate absent from the header does not count, however steady later.
    assert.equal(sniff('name\n1;2\n3;4\n'), ',');
  });

  it('does not count delimiters inside quotes, or in the quotes of a field spanning lines', () => {
    assert.equal(sniff('a;b\n"1,2,3";4\n"5,\n6";7\n'), ';');
    assert.equal(sniff('"a,b";c\n"x,y";z\n'), ';');
  });

  it('earlier candidates win ties (comma, tab, pipe, semicolon)', () => {
    assert.equal(sniff('a,b;c\n1,2;3\n'), ',');
    assert.equal(sniff('a|b;c\n1|2;3\n'), '|');
    assert.equal(sniff('a\tb|c\n1\t2|3\n'), '\t');
  });

  it('skips a BOM and blank lines (LF, CR or CRLF) before the header', () => {
    assert.equal(sniff('\ufeff\na;b\n1;2\n'), ';');
    assert.equal(sniff('\r\n\r\na|b\r\n1|2\r\n'), '|');
    assert.equal(sniff('\ufeffa;b\r1;2\r'), ';');
    // Only a whole BOM is skipped: a header that starts with other bytes keeps its delimiter.
    assert.equal(sniff(';\u00bf\n1\n'), ';');
    assert.equal(sniff('\u00fb;\n1\n'), ';');
    assert.equal(sniff('\uff1d;\n1\n'), ';');
    assert.equal(sniff('\uff3f;\n1\n'), ';', 'EF BC BF');
    assert.equal(sniff('\ufec0;\n1\n'), ';', 'EF BB 80');
  });

  it('counts the last line without a line end only when the sample is the whole input', () => {
    // Complete lines have one comma and one semicolon each (a tie: comma); the unfinished last line
    // has no comma, which only counts when it is the end of the input.
    const text = 'a,b;c\n1,2;3\n4;5';
    assert.equal(sniff(text, false), ',');
    assert.equal(sniff(text, true), ';');
    assert.equal(sniff(text + '\n', false), ';');
  });

  it('looks at the first 50 records only', () => {
    // 50 records with one '|' and one ';' each: a tie, which '|' wins; records past the 50th,
    // with two '|', would make '|' unsteady if they were counted.
    const head = Array.from({ length: 50 }, (_, i) => `${i};x|y`).join('\n') + '\n';
    const tail = Array.from({ length: 50 }, (_, i) => `${i};x|y|z`).join('\n') + '\n';
    assert.equal(sniff(head + tail), '|');
    assert.equal(sniff(head + '1;x|y|z', true), '|', 'an unfinished 51st record is not counted either');
    assert.equal(sniff(head.split('\n').slice(1).join('\n') + '1;x|y|z', true), ';', 'an unfinished 50th record is');
    assert.equal(sniff('a,b\n' + 'x;y\n'.repeat(60)), ',', 'the header alone has a comma');
  });
});
