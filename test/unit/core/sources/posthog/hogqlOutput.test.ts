/**
 * A HogQL result written page by page (Fetch All's files, the CLI's --max-rows output) must be
 * the result a user would get written at once: JSON as `JSON.stringify`, CSV read back by Papa
 * Parse to the same cells, whatever the page boundaries.
 */
import * as assert from 'node:assert/strict';
import Papa from 'papaparse';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HogQLResultWriter, openHogQLResultFiles } from '../../../../../src/core/sources/posthog/hogqlOutput';
import { EDGE_WORDS } from '../../../kit/randomTable';

class TextOut {
  text = '';
  writes = 0;
  async write(chunk: string): Promise<void> {
    this.text += chunk;
    this.writes++;
  }
}

const columns = ['uuid', 'event', 'props', 'n', '=formula'];
const types = [
  ['uuid', 'UUID'],
  ['event', 'String'],
  ['props', 'Array(String)'],
  ['n', 'Nullable(Int64)'],
  ['=formula', 'String'],
];
/** Rows with every edge word, nested values, nulls and numbers. */
const rows: unknown[][] = EDGE_WORDS.map((w, i) => [
  `0190${String(i).padStart(4, '0')}-aaaa-7bbb-8ccc-${String(i).padStart(12, '0')}`,
  w,
  i % 3 === 0 ? [w, 'x'] : { k: w },
  i % 4 === 0 ? null : i * 1000,
  i % 2 ? '=HYPERLINK("http://evil")' : '@SUM(A1)',
]);

function read(text: string): string[][] {
  const r = Papa.parse<string[]>(text, { delimiter: ',', newline: '\n', skipEmptyLines: false });
  assert.deepEqual(r.errors, []);
  const out = r.data;
  if (out.length && out[out.length - 1].length === 1 && out[out.length - 1][0] === '') out.pop();
  return out;
}

/** The cell a spreadsheet should show: nested values as JSON, null as empty. */
const shown = (v: unknown): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

describe('HogQL result written page by page', () => {
  for (const pageSizes of [[rows.length], [1, 2, 3, 100], [0, 5, 0, 100]]) {
    it(`pages of ${JSON.stringify(pageSizes)}: the JSON is JSON.stringify of the whole result; each CSV reads back to the cells`, async () => {
      const json = new TextOut();
      const guarded = new TextOut();
      const plain = new TextOut();
      const w = new HogQLResultWriter({
        json,
        csv: [
          { sink: guarded, formulaGuard: true },
          { sink: plain, formulaGuard: false },
        ],
      });
      let at = 0;
      for (const n of pageSizes) {
        await w.append(rows.slice(at, at + n), { columns, types });
        at += n;
      }
      await w.end({ columns, types });
      assert.equal(w.rows, rows.length);
      assert.equal(json.text, JSON.stringify({ columns, types, results: rows }) + '\n');
      assert.deepEqual(read(plain.text), [columns, ...rows.map((r) => r.map(shown))]);
      // Guarded: text that a spreadsheet would run gets a leading quote; nothing else changes.
      const expectGuarded = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      assert.deepEqual(read(guarded.text), [
        columns.map(expectGuarded),
        ...rows.map((r) => r.map((v) => (typeof v === 'string' ? expectGuarded(v) : shown(v)))),
      ]);
    });
  }

  it('a result without rows still has its head: the JSON and the header line', async () => {
    const json = new TextOut();
    const csv = new TextOut();
    const w = new HogQLResultWriter({ json, csv: [{ sink: csv, formulaGuard: true }] });
    await w.end({ columns: ['a', 'b'], types: [['a', 'String'], ['b', 'UInt64']] });
    assert.equal(json.text, '{"columns":["a","b"],"types":[["a","String"],["b","UInt64"]],"results":[]}\n');
    assert.equal(csv.text, 'a,b\n');
    assert.equal(w.rows, 0);
  });

  it('the three files appear only on commit (guarded CSV, plain rows); an abort leaves none of them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hogql-files-'));
    try {
      const paths = { raw: path.join(dir, 'r.json'), csv: path.join(dir, 'r.csv'), rows: path.join(dir, 'r.rows') };
      const head = { columns: ['v'], types: [['v', 'String']] };
      const kept = await openHogQLResultFiles(paths, true);
      await kept.writer.append([['=1+2'], ['plain']], head);
      await kept.writer.end(head);
      const before = fs.readdirSync(dir);
      assert.equal(before.length, 3);
      assert.ok(before.every((f) => f.startsWith('.') && f.endsWith('.tmp')), `only temp files before the commit: ${before.join(' ')}`);
      await kept.commit();
      assert.equal(fs.readFileSync(paths.raw, 'utf8'), '{"columns":["v"],"types":[["v","String"]],"results":[["=1+2"],["plain"]]}\n');
      assert.deepEqual(read(fs.readFileSync(paths.csv, 'utf8')), [['v'], ["'=1+2"], ['plain']]);
      assert.deepEqual(read(fs.readFileSync(paths.rows, 'utf8')), [['v'], ['=1+2'], ['plain']]);
      assert.equal(kept.bytes(), ['raw', 'csv', 'rows'].reduce((n, k) => n + fs.statSync(paths[k as keyof typeof paths]).size, 0));

      const other = { raw: path.join(dir, 'o.json'), csv: path.join(dir, 'o.csv'), rows: path.join(dir, 'o.rows') };
      const dropped = await openHogQLResultFiles(other, true);
      await dropped.writer.append([['x']], head);
      await dropped.abort();
      assert.deepEqual(fs.readdirSync(dir).sort(), ['r.csv', 'r.json', 'r.rows'], 'the aborted files and their temp files are gone');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
