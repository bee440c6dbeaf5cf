/**
 * Every CSV/TSV writer the program has, against the text that trips writers (EDGE_WORDS: a lone
 * CR, CRLF, LF, delimiters, quotes, leading/trailing spaces, formula-like text), with Papa Parse
 * as the independent reader, plus the exact bytes of small cases. And the formula guard, which
 * all of them share (src/core/formulaGuard.ts).
 */
import * as assert from 'node:assert/strict';
import Papa from 'papaparse';
import { toCsv, tsvLine } from '../../../src/core/csv';
import { guardFormula, looksLikeFormula } from '../../../src/core/formulaGuard';
import { TableBuilder, exportView } from '../../../src/core/table';
import { flattenJson, tableToCsv } from '../../../src/core/sources/canvas/tables';
import { toTsv } from '../../../webview/format';
import { EDGE_WORDS } from '../kit/randomTable';

/** Reads delimited text the way a spreadsheet would: records split only outside quotes. */
function read(text: string, delimiter: string, newline: '\n' | '\r\n'): string[][] {
  const r = Papa.parse<string[]>(text, { delimiter, newline, skipEmptyLines: false });
  assert.deepEqual(r.errors, [], 'Papa Parse reads it without errors');
  const rows = r.data;
  // A trailing line end leaves one empty record behind.
  if (rows.length > 0 && rows[rows.length - 1].length === 1 && rows[rows.length - 1][0] === '') rows.pop();
  return rows;
}

/**
 * A lone CR must be quoted too: Excel, LibreOffice and this program's own reader end a record at
 * a bare CR. The strictest check is that no CR or LF appears outside quotes.
 */
function assertNoBareLineBreak(text: string, newline: string): void {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\r' || ch === '\n')) {
      assert.equal(
        text.slice(i, i + newline.length),
        newline,
        `bare line break inside a record at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 10), i + 10))}`,
      );
      i += newline.length - 1;
    }
  }
}

async function exported(csv: string, format: 'csv' | 'tsv', formulaGuard: boolean): Promise<string> {
  const b = new TableBuilder();
  b.push(csv);
  const table = b.finish();
  let out = '';
  for await (const c of exportView(table, null, format, { formulaGuard })) out += c;
  return out;
}

describe('CSV/TSV writers: carriage returns, line breaks, delimiters, quotes, spaces', () => {
  const cells = [...EDGE_WORDS];

  it('preview export (CSV, CRLF): every edge word reads back exactly, and no line break is bare', async () => {
    const source = Papa.unparse({ fields: ['t'], data: cells.map((c) => [c]) }, { newline: '\n' }) + '\n';
    const out = await exported(source, 'csv', false);
    assertNoBareLineBreak(out, '\r\n');
    assert.deepEqual(read(out, ',', '\r\n'), [['t'], ...cells.map((c) => [c])]);
  });

  it('preview export (TSV, LF): every edge word reads back exactly, and no line break is bare', async () => {
    const source = Papa.unparse({ fields: ['t'], data: cells.map((c) => [c]) }, { newline: '\n' }) + '\n';
    const out = await exported(source, 'tsv', false);
    assertNoBareLineBreak(out, '\n');
    assert.deepEqual(read(out, '\t', '\n'), [['t'], ...cells.map((c) => [c])]);
  });

  it('preview export quotes a lone CR, CRLF and LF (exact bytes)', async () => {
    const out = await exported('t\n"a\rb"\n"c\r\nd"\n"e\nf"\n"\r"\n', 'csv', false);
    assert.equal(out, 't\r\n"a\rb"\r\n"c\r\nd"\r\n"e\nf"\r\n"\r"\r\n');
    const tsv = await exported('t\n"a\rb"\n"x\ty"\n', 'tsv', false);
    assert.equal(tsv, 't\n"a\rb"\n"x\ty"\n');
  });

  it("toCsv (the CLI's and the documents' CSV): every edge word reads back exactly", () => {
    const out = toCsv(
      ['t', 'n'],
      cells.map((c, i) => [c, i]),
      { formulaGuard: false },
    );
    assertNoBareLineBreak(out, '\n');
    assert.deepEqual(read(out, ',', '\n'), [['t', 'n'], ...cells.map((c, i) => [c, String(i)])]);
  });

  it('toCsv quotes a lone CR, CRLF, LF, the delimiter, a quote and edge spaces (exact bytes)', () => {
    const out = toCsv(['v'], [['a\rb'], ['c\r\nd'], ['e\nf'], ['x,y'], ['say "hi"'], [' lead'], ['trail '], ['plain']], {
      formulaGuard: false,
    });
    assert.equal(out, 'v\n"a\rb"\n"c\r\nd"\n"e\nf"\n"x,y"\n"say ""hi"""\n" lead"\n"trail "\nplain\n');
    assert.equal(toCsv(['v'], [['a\rb'], ['x\ty']], { delimiter: '\t', formulaGuard: false }), 'v\n"a\rb"\n"x\ty"\n');
  });

  it('Copy as TSV (the webview): every edge word pastes back exactly', () => {
    const out = toTsv(
      ['t', 'n'],
      cells.map((c, i) => [c, i]),
      false,
    );
    assertNoBareLineBreak(out, '\n');
    assert.deepEqual(read(out, '\t', '\n'), [['t', 'n'], ...cells.map((c, i) => [c, String(i)])]);
    assert.equal(toTsv(null, [['a\rb', 'c\r\nd', 'e\tf', 'q"q', 1.5, null, true]], false), '"a\rb"\t"c\r\nd"\t"e\tf"\t"q""q"\t1.5\t\ttrue');
  });

  it('tsvLine (CLI listings): a CR, CRLF, LF or tab inside a value never splits the line', () => {
    assert.equal(tsvLine(['a\rb', 'c\r\nd', 'e\nf', 'g\th', 7]), 'a b\tc d\te f\tg h\t7\n');
    for (const w of cells) {
      const line = tsvLine([w, 'end']);
      assert.equal(line.split('\n').length, 2, JSON.stringify(w));
      assert.ok(!line.slice(0, -1).includes('\r'), JSON.stringify(w));
      assert.equal(line.split('\t').length, 2, JSON.stringify(w));
    }
  });
});

describe('formula guard (every CSV/TSV the program builds)', () => {
  const formulaLike = ['=HYPERLINK("http://example.invalid/","click")', '@SUM(A1)', '+1', '-1', '\t=1+2', '\r=cmd', '=cmd'];
  const harmless = ['plain', ' =spaced', "'=already", 'a=b', '', '1+1'];

  it('prefixes a quote to text starting with = + - @ tab or CR, and to nothing else', () => {
    for (const s of formulaLike) {
      assert.equal(looksLikeFormula(s), true, JSON.stringify(s));
      assert.equal(guardFormula(s), "'" + s, JSON.stringify(s));
    }
    for (const s of harmless) {
      assert.equal(looksLikeFormula(s), false, JSON.stringify(s));
      assert.equal(guardFormula(s), s, JSON.stringify(s));
    }
  });

  it('toCsv guards text cells and header names by default; numbers stay numbers', () => {
    const out = toCsv(
      ['=title', 'n'],
      [
        ['=HYPERLINK("http://example.invalid/","click")', -5],
        ['@SUM(A1)', -0.25],
        ['+1', 3],
        ['\t=1+2', null],
        ['-dash', true],
        [undefined, false],
      ],
    );
    assert.deepEqual(read(out, ',', '\n'), [
      ["'=title", 'n'],
      ['\'=HYPERLINK("http://example.invalid/","click")', '-5'],
      ["'@SUM(A1)", '-0.25'],
      ["'+1", '3'],
      ["'\t=1+2", ''],
      ["'-dash", 'true'],
      ['', 'false'],
    ]);
    assert.equal(out.split('\n')[2], "'@SUM(A1),-0.25", 'a negative number is written as a number');
  });

  it('toCsv leaves everything as it is with formulaGuard: false', () => {
    const rows = formulaLike.map((s) => [s]);
    assert.deepEqual(read(toCsv(['v'], rows, { formulaGuard: false }), ',', '\n'), [['v'], ...rows]);
  });

  it('the Canvas CSV (documents and `insights canvas get`) is guarded unless turned off', () => {
    const t = flattenJson([{ name: '=HYPERLINK("http://example.invalid/")', score: -3, user: { login: '@SUM(A1)' } }]);
    assert.deepEqual(read(tableToCsv(t), ',', '\n'), [
      ['name', 'score', 'user.login'],
      ['\'=HYPERLINK("http://example.invalid/")', '-3', "'@SUM(A1)"],
    ]);
    assert.deepEqual(read(tableToCsv(t, { formulaGuard: false }), ',', '\n')[1], [
      '=HYPERLINK("http://example.invalid/")',
      '-3',
      '@SUM(A1)',
    ]);
  });

  it('Copy as TSV guards text cells (not numbers) unless turned off', () => {
    const rows = [['=cmd', -5, '+1', '\t=1', 'ok']];
    assert.equal(toTsv(['@h'], rows), "'@h\n'=cmd\t-5\t'+1\t\"'\t=1\"\tok");
    assert.equal(toTsv(['@h'], rows, false), '@h\n=cmd\t-5\t+1\t"\t=1"\tok');
  });

  it('the preview export guards text cells and leaves typed negative numbers alone', async () => {
    const out = await exported('t,n\n=cmd,-5\n@SUM(A1),2\n+1,-0.5\n', 'csv', true);
    assert.equal(out, "t,n\r\n'=cmd,-5\r\n'@SUM(A1),2\r\n'+1,-0.5\r\n");
  });
});

describe('preview export: chunks, empty cells and event-loop turns', () => {
  async function chunksOf(csv: string, format: 'csv' | 'tsv', opts: { chunkChars?: number; columns?: string[] } = {}): Promise<string[]> {
    const b = new TableBuilder();
    b.push(csv);
    const out: string[] = [];
    for await (const c of exportView(b.finish(), null, format, opts)) out.push(c);
    return out;
  }

  it('cuts chunks once they reach chunkChars, never leaving an empty chunk at the end', async () => {
    // Header "t\r\n" is 3 characters, each row "aaaa\r\n" 6: a chunk closes at 9, 15, …
    assert.deepEqual(await chunksOf('t\naaaa\nbbbb\ncccc\n', 'csv', { chunkChars: 9 }), ['t\r\naaaa\r\n', 'bbbb\r\ncccc\r\n']);
    assert.deepEqual(await chunksOf('t\naaaa\nbbbb\n', 'csv', { chunkChars: 10 }), ['t\r\naaaa\r\nbbbb\r\n']);
    assert.deepEqual(await chunksOf('t\naaaa\n', 'csv', { chunkChars: 1000 }), ['t\r\naaaa\r\n']);
  });

  it('writes an empty value of a one-column export as "" (a blank line would be skipped by readers)', async () => {
    const out = (await chunksOf('t,n\na,1\n,2\nb,3\n', 'csv', { columns: ['t'] })).join('');
    assert.equal(out, 't\r\na\r\n""\r\nb\r\n');
    assert.deepEqual(read(out, ',', '\r\n'), [['t'], ['a'], [''], ['b']]);
    assert.equal((await chunksOf('t,n\na,1\n,2\n', 'tsv', { columns: ['n', 't'] })).join(''), 'n\tt\n1\ta\n2\t\n');
  });

  it('exports no columns as empty lines, one per row, without failing', async () => {
    assert.deepEqual(await chunksOf('t,n\na,1\nb,2\n', 'csv', { columns: [] }), ['\r\n\r\n\r\n']);
  });

  for (const format of ['csv', 'json'] as const)
    it(`gives the event loop a turn during a long ${format.toUpperCase()} export (a timer runs before it ends)`, async () => {
      const rows = Array.from({ length: 4000 }, (_, i) => `row${i},${i}`).join('\n');
      const b = new TableBuilder();
      b.push(`t,n\n${rows}\n`);
      const table = b.finish();
      let turned = false;
      setImmediate(() => {
        turned = true;
      });
      let chunks = 0;
      let turnedAtChunk = -1;
      let chars = 0;
      // The consumer only awaits, like a file writer whose writes complete at once.
      for await (const chunk of exportView(table, null, format, { chunkChars: 64 })) {
        chars += chunk.length;
        chunks++;
        if (turned && turnedAtChunk < 0) turnedAtChunk = chunks;
      }
      assert.ok(chunks > 32 && chars > 32 * 64, `${chunks} chunks, ${chars} characters`);
      assert.ok(turnedAtChunk > 0 && turnedAtChunk <= 17, `the timer ran at chunk ${turnedAtChunk} of ${chunks}`);
    });
});
