/**
 * The preview's data source over the column engine, checked against a plain-JavaScript reference
 * on a generated table: windows of sorted, filtered and searched views, rows while loading, column
 * stats, and the export file (formula guard, temp file then rename).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ingestCsv, TableBuilder } from '../../../../src/core/table';
import type { CellValue, ColumnFilter, HostMessage, SortKey } from '../../../../src/protocol';
import { EngineDataSource } from '../../../../src/core/preview/engineDataSource';
import { formatForPath, writeExport } from '../../../../src/core/preview/exportFile';
import { PreviewSession } from '../../../../src/core/preview/session';

const N = 5_000;
const NAMES = ['ada', 'Bob', 'chen', 'dana', '=SUM(A1)', '<img src=x onerror=alert(1)>'];

interface Ref {
  id: number;
  name: string;
  score: number | null;
  day: string;
}

function generate(): { csv: string; rows: Ref[] } {
  const rows: Ref[] = [];
  const lines = ['id,name,score,day'];
  for (let i = 0; i < N; i++) {
    const name = NAMES[(i * 7) % NAMES.length];
    const score = i % 13 === 0 ? null : ((i * 37) % 1000) / 10;
    const day = `2024-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`;
    rows.push({ id: i, name, score, day });
    lines.push(`${i},${name.includes(',') ? `"${name}"` : name},${score ?? ''},${day}`);
  }
  return { csv: lines.join('\n') + '\n', rows };
}

const { csv, rows: REF } = generate();
const asRow = (r: Ref): CellValue[] => [r.id, r.name, r.score, r.day];

async function engine(): Promise<EngineDataSource> {
  return new EngineDataSource(
    await ingestCsv(
      (async function* () {
        yield csv;
      })(),
    ),
  );
}

describe('Preview · EngineDataSource', () => {
  it('serves the file order without a view, with typed columns', async () => {
    const data = await engine();
    assert.deepEqual(
      data.columns.map((c) => c.type),
      ['integer', 'string', 'number', 'date'],
    );
    assert.equal(await data.setView({ sort: [] }), N);
    assert.deepEqual(await data.window(N - 3, 10), REF.slice(N - 3).map(asRow));
    assert.equal(data.loading, false);
  });

  it('sorts by number desc (nulls last) then id, matching the reference', async () => {
    const data = await engine();
    const sort: SortKey[] = [
      { column: 2, desc: true },
      { column: 0, desc: false },
    ];
    assert.equal(await data.setView({ sort }), N);
    const ref = [...REF].sort((a, b) => {
      if (a.score === b.score) return a.id - b.id;
      if (a.score === null) return 1;
      if (b.score === null) return -1;
      return b.score - a.score;
    });
    for (const start of [0, 1234, N - 40]) {
      assert.deepEqual(await data.window(start, 40), ref.slice(start, start + 40).map(asRow), `window at ${start}`);
    }
  });

  it('applies column filters, search and sort together', async () => {
    const data = await engine();
    const filters: ColumnFilter[] = [
      { column: 2, op: 'range', min: 10, max: 50.5 },
      { column: 3, op: 'range', min: '2024-03-01', max: '2024-06-30' },
      { column: 1, op: 'notEmpty' },
    ];
    const count = await data.setView({ sort: [{ column: 0, desc: true }], search: 'A', filters });
    const ref = REF.filter(
      (r) =>
        r.score !== null &&
        r.score >= 10 &&
        r.score <= 50.5 &&
        r.day >= '2024-03-01' &&
        r.day <= '2024-06-30' &&
        [String(r.id), r.name, r.score === null ? '' : String(r.score), r.day].some((t) => t.toLowerCase().includes('a')),
    ).sort((a, b) => b.id - a.id);
    assert.ok(ref.length > 10 && ref.length < N / 2, `reference has ${ref.length} rows`);
    assert.equal(count, ref.length);
    assert.deepEqual(await data.window(0, count), ref.map(asRow));
  });

  it('text filters: contains, equals, empty', async () => {
    const data = await engine();
    assert.equal(await data.setView({ sort: [], filters: [{ column: 1, op: 'equals', value: 'BOB' }] }), REF.filter((r) => r.name === 'Bob').length);
    assert.equal(await data.setView({ sort: [], filters: [{ column: 1, op: 'contains', value: 'onerror' }] }), REF.filter((r) => r.name.includes('onerror')).length);
    assert.equal(await data.setView({ sort: [], filters: [{ column: 2, op: 'empty' }] }), REF.filter((r) => r.score === null).length);
  });

  it('shows rows while loading, then switches to the finished table', async () => {
    const builder = new TableBuilder();
    const data = new EngineDataSource(builder);
    let changes = 0;
    data.onDidChange(() => changes++);
    const half = csv.indexOf('\n', csv.length / 2) + 1;
    builder.push(csv.slice(0, half));
    assert.equal(data.loading, true);
    const loaded = data.totalRows;
    assert.ok(loaded > 100 && loaded < N, `rows while loading: ${loaded}`);
    assert.equal(await data.setView({ sort: [] }), loaded);
    assert.deepEqual(await data.window(0, 3), REF.slice(0, 3).map(asRow));
    // A sorted view while loading reads a snapshot of what has arrived.
    assert.equal(await data.setView({ sort: [{ column: 0, desc: true }] }), loaded);
    assert.deepEqual((await data.window(0, 1))[0][0], loaded - 1);
    builder.push(csv.slice(half));
    data.finished(builder.finish());
    assert.equal(changes, 1);
    assert.equal(data.loading, false);
    assert.equal(await data.setView({ sort: [{ column: 0, desc: true }] }), N);
    assert.deepEqual((await data.window(0, 1))[0][0], N - 1);
  });

  it('streams a byte source and reports progress', async () => {
    async function* chunks() {
      for (let i = 0; i < csv.length; i += 4096) {
        yield csv.slice(i, i + 4096);
        await new Promise((r) => setImmediate(r));
      }
    }
    const { data, done } = EngineDataSource.stream(chunks());
    let sawLoading = false;
    data.onDidChange(() => (sawLoading ||= data.loading && data.totalRows > 0));
    const table = await done;
    assert.equal(table.rowCount, N);
    assert.ok(sawLoading);
    assert.equal(data.totalRows, N);
  });

  it('computes column stats and a histogram over the current view', async () => {
    const data = await engine();
    await data.setView({ sort: [], filters: [{ column: 1, op: 'equals', value: 'ada' }] });
    const s = await data.stats(2);
    const ref = REF.filter((r) => r.name === 'ada');
    assert.equal(s.count + s.nulls, ref.length);
    assert.equal(s.nulls, ref.filter((r) => r.score === null).length);
    assert.ok(s.histogram);
    assert.equal(s.histogram.counts.reduce((a, b) => a + b, 0), s.count);
    const names = await data.stats(1);
    assert.equal(names.histogram, null);
    assert.deepEqual(names.top, [{ value: 'ada', count: ref.length }]);
  });

  it('the session answers requestStats and advertises stats', async () => {
    const data = await engine();
    const sent: HostMessage[] = [];
    const log = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const session = new PreviewSession({ title: 't', data }, (type, payload) => sent.push({ type, payload } as HostMessage), { log });
    await session.receive({ type: 'ready', payload: {} });
    const init = sent.find((m) => m.type === 'init');
    assert.deepEqual(init?.type === 'init' && init.payload.features, { stats: true, export: false });
    await session.receive({ type: 'setView', payload: { sort: [], search: '', filters: [{ column: 0, op: 'range', min: 0, max: 9 }] } });
    const changed = sent.filter((m) => m.type === 'viewChanged').pop();
    assert.equal(changed?.type === 'viewChanged' && changed.payload.rowsInView, 10);
    await session.receive({ type: 'requestStats', payload: { column: 0 } });
    const stats = sent.find((m) => m.type === 'stats');
    assert.equal(stats?.type === 'stats' && stats.payload.count, 10);
    // Filters naming a column that does not exist are refused, not half-applied.
    const before = sent.length;
    await session.receive({ type: 'setView', payload: { sort: [], search: '', filters: [{ column: 9, op: 'empty' }] } });
    assert.equal(sent.length, before);
    session.dispose();
  });
});

describe('Preview · charts of the view (host-charted data sources)', () => {
  const log = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const charts = async () =>
    new EngineDataSource(
      await ingestCsv(
        (async function* () {
          yield csv;
        })(),
      ),
      { charts: true },
    );

  it('charts nothing while loading, then the view once every row is read', async () => {
    const builder = new TableBuilder();
    const data = new EngineDataSource(builder, { charts: true });
    builder.push('day,n\n2024-01-01,1\n');
    const loading = await data.chartFor!(null);
    assert.equal(loading.chart, null);
    assert.match(loading.note ?? '', /when all rows are read/);
    data.finished(builder.finish());
    const done = await data.chartFor!(null);
    assert.equal(done.chart?.kind, 'line');
    assert.equal(done.query?.kind, 'line');
  });

  it('without `charts` the data source offers no chart controls', async () => {
    assert.equal((await engine()).chartFor, undefined);
  });

  it('charts the filtered view, says so in the title, and follows view changes through the session', async () => {
    const data = await charts();
    const sent: HostMessage[] = [];
    const session = new PreviewSession({ title: 't', data }, (type, payload) => sent.push({ type, payload } as HostMessage), { log });
    await session.receive({ type: 'ready', payload: {} });
    const init = sent.find((m) => m.type === 'init');
    assert.ok(init?.type === 'init');
    assert.equal(init.payload.features?.chartQuery, true);
    // Auto: a date and a number → the score summed per bucket of `day`.
    assert.equal(init.payload.chart?.kind, 'line');
    assert.equal(init.payload.chartQuery?.y, 2);
    assert.match(init.payload.chart?.title ?? '', /all 5,000 rows$/);

    // Bars of the row count per name, over the rows whose score is at most 10.
    const q = { kind: 'bar' as const, x: 1, y: null, agg: 'count' as const, split: null, bucket: 'auto' as const };
    await session.receive({ type: 'setChart', payload: { query: q, seq: 1 } });
    await session.receive({ type: 'setView', payload: { sort: [], search: '', filters: [{ column: 2, op: 'range', min: 0, max: 10 }] } });
    const last = sent.filter((m) => m.type === 'chart').pop();
    assert.ok(last?.type === 'chart' && last.payload.chart);
    const chart = last.payload.chart;
    const kept = REF.filter((r) => r.score !== null && r.score <= 10);
    assert.match(chart.title ?? '', new RegExp(`filtered view, ${kept.length.toLocaleString('en-US')} of 5,000 rows$`));
    const counts = new Map<string, number>();
    for (const r of kept) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    const got = new Map(chart.x.values.map((x, i) => [String(x), chart.series[0].values[i]]));
    assert.deepEqual(got, counts);
    assert.deepEqual(last.payload.query, q);
    assert.equal(last.payload.seq, 1, 'the chart names the query it answers');

    // A query naming a column that does not exist is refused before it reaches the engine.
    const before = sent.length;
    await session.receive({ type: 'setChart', payload: { query: { ...q, x: 7 }, seq: 2 } });
    assert.equal(sent.length, before);
    session.dispose();
  });
});

describe('Preview · export file', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ip-export-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the filtered, sorted view with the formula guard', async () => {
    const data = await engine();
    await data.setView({ sort: [{ column: 0, desc: true }], filters: [{ column: 1, op: 'contains', value: 'sum' }] });
    const target = path.join(dir, 'out.csv');
    await writeExport(data.exportView('csv', { formulaGuard: true }), target);
    const lines = fs.readFileSync(target, 'utf8').trimEnd().split('\r\n');
    const ref = REF.filter((r) => r.name === '=SUM(A1)').sort((a, b) => b.id - a.id);
    assert.equal(lines[0], 'id,name,score,day');
    assert.equal(lines.length, ref.length + 1);
    assert.equal(lines[1], `${ref[0].id},'=SUM(A1),${ref[0].score ?? ''},${ref[0].day}`);
    assert.deepEqual(fs.readdirSync(dir), ['out.csv'], 'no temp file left');
  });

  it('writes JSON unguarded and leaves no file when cancelled', async () => {
    const data = await engine();
    await data.setView({ sort: [], filters: [{ column: 0, op: 'range', min: 0, max: 1 }] });
    const target = path.join(dir, 'out.json');
    await writeExport(data.exportView('json', { formulaGuard: true }), target);
    assert.deepEqual(JSON.parse(fs.readFileSync(target, 'utf8')), [
      { id: 0, name: 'ada', score: null, day: '2024-01-01' },
      { id: 1, name: 'Bob', score: 3.7, day: '2024-02-02' },
    ]);
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(writeExport(data.exportView('csv', { formulaGuard: true }), path.join(dir, 'never.csv'), { signal: ctl.signal }));
    // Cancelled after the first chunk is on its way to disk: the temp file goes too.
    await data.setView({ sort: [] });
    const mid = new AbortController();
    await assert.rejects(
      writeExport(data.exportView('csv', { formulaGuard: true }), path.join(dir, 'half.csv'), { signal: mid.signal, onProgress: () => mid.abort() }),
    );
    assert.deepEqual(fs.readdirSync(dir).sort(), ['out.csv', 'out.json']);
  });

  it('picks the format from the file name', () => {
    assert.equal(formatForPath('a/b.TSV'), 'tsv');
    assert.equal(formatForPath('x.json'), 'json');
    assert.equal(formatForPath('x.csv'), 'csv');
    assert.equal(formatForPath('x'), 'csv');
  });
});
