import * as assert from 'node:assert/strict';
import Papa from 'papaparse';
import {
  Aggregation,
  DisplayValue,
  Filter,
  GroupKey,
  SortKey,
  TableBuilder,
  TimeBucket,
  columnStats,
  createView,
  downsample,
  exportView,
  getWindow,
  groupBy,
  histogram,
} from '../../../../src/core/table';
import { mulberry32 } from '../../../fakes/random';
import {
  EDGE_WORDS,
  refCompareText,
  refLttb,
  type Kind,
  type RefColumn,
  type RefTable,
  pushCell,
  pushEmpty,
  randomDayMs,
  randomInstantMs,
  randomInteger,
  randomNumber,
  refBucket,
} from '../../kit/randomTable';

// ---------------------------------------------------------------------------------------------
// Random tables with a plain reference model: per column, the values a user would see.

interface Ref extends RefTable {
  csv: string;
}

// The first five are always in a table's pool: plain words and the carriage-return cases.
const WORDS = [
  'apple',
  'Banana',
  EDGE_WORDS[0],
  EDGE_WORDS[1],
  EDGE_WORDS[3],
  'banana',
  'Émile',
  'zoë',
  'Zürich',
  ...EDGE_WORDS.filter((_, i) => i !== 0 && i !== 1 && i !== 3),
  '=SUM(A1)',
  'ÅSA',
  'b',
];

function randomTable(seed: number, n: number): Ref {
  const rand = mulberry32(seed);
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
  const kinds: Kind[] = ['string', 'string', 'integer', 'number', 'boolean', 'date', 'datetime'];
  const cols: RefColumn[] = kinds.map((kind, i) => ({ name: `${kind}${i}`, kind, shown: [], num: [] }));
  const raw: string[][] = [];
  const strPool = Array.from({ length: 5 + Math.floor(rand() * 20) }, (_, i) => (i < WORDS.length ? WORDS[i] : `w${i}`));
  for (let r = 0; r < n; r++) {
    const line: string[] = [];
    for (const c of cols) {
      if (rand() < 0.12) {
        pushEmpty(line, c);
        continue;
      }
      switch (c.kind) {
        case 'string': {
          const s = c.name === 'string0' ? pick(strPool) : `id-${Math.floor(rand() * 40)}`;
          pushCell(line, c, s, s, null);
          break;
        }
        case 'integer': {
          const v = randomInteger(rand);
          pushCell(line, c, String(v), v, v);
          break;
        }
        case 'number': {
          const v = randomNumber(rand);
          pushCell(line, c, String(v), v, v);
          break;
        }
        case 'boolean': {
          const v = rand() < 0.5;
          pushCell(line, c, v ? (rand() < 0.5 ? 'true' : 'TRUE') : 'false', v, v ? 1 : 0);
          break;
        }
        case 'date': {
          const ms = randomDayMs(rand);
          const iso = new Date(ms).toISOString().slice(0, 10);
          pushCell(line, c, iso, iso, ms);
          break;
        }
        case 'datetime': {
          const ms = randomInstantMs(rand);
          const d = new Date(ms);
          const style = Math.floor(rand() * 3);
          // Written three ways; all mean the same instant.
          const text =
            style === 0
              ? d.toISOString().replace('.000Z', 'Z')
              : style === 1
                ? d.toISOString().slice(0, 19).replace('T', ' ')
                : new Date(ms + 2 * 3600000).toISOString().slice(0, 19) + '+02:00';
          pushCell(line, c, text, d.toISOString(), ms);
          break;
        }
      }
    }
    raw.push(line);
  }
  const csv = Papa.unparse({ fields: cols.map((c) => c.name), data: raw }) + '\n';
  const b = new TableBuilder();
  // Feed in uneven chunks so every test also exercises chunk boundaries.
  const bytes = Buffer.from(csv, 'utf8');
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(rand() * 97);
    b.push(bytes.subarray(at, at + size));
    at += size;
  }
  const table = b.finish();
  return { table, csv, cols, n };
}

const SEEDS = [1, 2, 3, 42, 2024];

/** Reference order of two values of a column: nulls last in both directions. */
function refCompare(c: RefColumn, a: number, b: number, desc: boolean): number {
  const va = c.kind === 'string' ? c.shown[a] : c.num[a];
  const vb = c.kind === 'string' ? c.shown[b] : c.num[b];
  if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
  const d = c.kind === 'string' ? refCompareText(va as string, vb as string) : (va as number) - (vb as number);
  return desc ? -d : d;
}

function refRows(ref: Ref, keep: (r: number) => boolean): number[] {
  return Array.from({ length: ref.n }, (_, r) => r).filter(keep);
}

function refSearch(ref: Ref, term: string): (r: number) => boolean {
  const t = term.toLowerCase();
  return (r) => ref.cols.some((c) => c.shown[r] !== null && String(c.shown[r]).toLowerCase().includes(t));
}

function refFilter(ref: Ref, f: Filter): (r: number) => boolean {
  const c = ref.cols.find((x) => x.name === f.column)!;
  switch (f.op) {
    case 'empty':
      return (r) => c.shown[r] === null;
    case 'notEmpty':
      return (r) => c.shown[r] !== null;
    case 'contains':
      return (r) => c.shown[r] !== null && String(c.shown[r]).toLowerCase().includes(f.value.toLowerCase());
    case 'equals':
      return (r) => c.shown[r] !== null && String(c.shown[r]).toLowerCase() === f.value.toLowerCase();
    case 'range': {
      const lo = typeof f.min === 'string' ? Date.parse(f.min + (f.min.length === 10 ? 'T00:00:00Z' : '')) : (f.min ?? -Infinity);
      let hi = typeof f.max === 'string' ? Date.parse(f.max + (f.max.length === 10 ? 'T00:00:00Z' : '')) : (f.max ?? Infinity);
      if (typeof f.max === 'string' && f.max.length === 10 && c.kind === 'datetime') hi += 86400000 - 1;
      return (r) => c.num[r] !== null && c.num[r]! >= lo && c.num[r]! <= hi;
    }
  }
}

// ---------------------------------------------------------------------------------------------

describe('table: operations against a reference implementation', () => {
  for (const seed of SEEDS) {
    describe(`random table, seed ${seed}`, () => {
      const ref = randomTable(seed, 300 + seed * 7);
      const { table } = ref;

      it('ingests to the expected types and values, in small chunks or one', () => {
        const whole = new TableBuilder();
        whole.push(ref.csv);
        const one = whole.finish();
        for (let r = 0; r < ref.n; r++) assert.deepEqual(one.row(r), table.row(r), `row ${r}`);
        assert.deepEqual(
          table.columns.map((c) => c.type),
          ref.cols.map((c) => c.kind),
        );
        for (let r = 0; r < ref.n; r++)
          assert.deepEqual(
            table.row(r),
            ref.cols.map((c) => c.shown[r]),
            `row ${r}`,
          );
      });

      it('sorts stably by one and several columns, asc and desc, nulls last', () => {
        const rand = mulberry32(seed * 31);
        const specs: SortKey[][] = ref.cols.flatMap((c) => [[{ column: c.name }], [{ column: c.name, desc: true }]]);
        for (let i = 0; i < 12; i++) {
          const k = 2 + Math.floor(rand() * 2);
          specs.push(
            Array.from({ length: k }, () => ({ column: ref.cols[Math.floor(rand() * ref.cols.length)].name, desc: rand() < 0.5 })),
          );
        }
        for (const sort of specs) {
          const want = refRows(ref, () => true).sort((a, b) => {
            for (const key of sort) {
              const d = refCompare(
                ref.cols.find((c) => c.name === key.column)!,
                a,
                b,
                !!key.desc,
              );
              if (d !== 0) return d;
            }
            return a - b;
          });
          assert.deepEqual(Array.from(createView(table, { sort }).rows), want, JSON.stringify(sort));
        }
      });

      it('filters (contains, equals, ranges, empty) AND search, then sorts', () => {
        const filters: Filter[] = [
          { column: 'string0', op: 'contains', value: 'AN' },
          { column: 'string0', op: 'equals', value: 'banana' },
          { column: 'string1', op: 'equals', value: 'ID-7' },
          { column: 'integer2', op: 'range', min: -5, max: 5 },
          { column: 'integer2', op: 'contains', value: '1' },
          { column: 'number3', op: 'range', min: 0 },
          { column: 'number3', op: 'range', max: -50.5 },
          { column: 'boolean4', op: 'equals', value: 'TRUE' },
          { column: 'date5', op: 'range', min: '2024-02-10', max: '2024-03-01' },
          { column: 'datetime6', op: 'range', min: '2024-02-01T12:00:00Z', max: '2024-02-20' },
          { column: 'datetime6', op: 'contains', value: '2024-02-0' },
          { column: 'date5', op: 'empty' },
          { column: 'string0', op: 'notEmpty' },
        ];
        for (const f of filters)
          assert.deepEqual(Array.from(createView(table, { filters: [f] }).rows), refRows(ref, refFilter(ref, f)), JSON.stringify(f));
        for (const term of ['an', 'É', '-1', '2024-02-1', 't10:', 'true', 'zzz', '"', '12'])
          assert.deepEqual(Array.from(createView(table, { search: term }).rows), refRows(ref, refSearch(ref, term)), `search ${term}`);
        const combo: Filter[] = [filters[3], filters[12]];
        const want = refRows(ref, (r) => refFilter(ref, combo[0])(r) && refFilter(ref, combo[1])(r) && refSearch(ref, 'a')(r)).sort(
          (a, b) => refCompare(ref.cols[3], a, b, true) || a - b,
        );
        assert.deepEqual(
          Array.from(createView(table, { filters: combo, search: 'a', sort: [{ column: 'number3', desc: true }] }).rows),
          want,
        );
      });

      it('returns windows of display values', () => {
        const view = createView(table, { sort: [{ column: 'datetime6' }] });
        const w = getWindow(view, 5, 20);
        assert.equal(w.length, 20);
        for (let i = 0; i < 20; i++)
          assert.deepEqual(
            w[i],
            ref.cols.map((c) => c.shown[view.rows[5 + i]]),
          );
        assert.equal(getWindow(view, ref.n - 3, 10).length, 3);
        assert.deepEqual(getWindow(view, ref.n + 5, 10), []);
      });

      it('groups by keys (and time buckets) with count, sum, mean, min, max, distinct', () => {
        const aggs: Aggregation[] = [
          { op: 'count' },
          { op: 'count', column: 'number3' },
          { op: 'sum', column: 'integer2' },
          { op: 'mean', column: 'number3' },
          { op: 'min', column: 'datetime6' },
          { op: 'max', column: 'string0' },
          { op: 'distinct', column: 'string1' },
          { op: 'distinct', column: 'number3' },
        ];
        const keySets: (string | GroupKey)[][] = [
          ['string0'],
          ['boolean4', 'integer2'],
          [{ column: 'datetime6', bucket: 'day' }],
          [{ column: 'datetime6', bucket: 'week' }, 'string1'],
          [{ column: 'date5', bucket: 'month' }],
          [{ column: 'datetime6', bucket: 'hour' }],
          [],
        ];
        const view = createView(table, { filters: [{ column: 'string1', op: 'notEmpty' }] });
        for (const keys of keySets) {
          const got = groupBy(table, view, keys, aggs);
          assert.deepEqual(got, refGroupBy(ref, Array.from(view.rows), keys, aggs), JSON.stringify(keys));
        }
      });

      it('computes histograms (auto and fixed bins) and column stats', () => {
        for (const c of ref.cols.filter((x) => x.kind !== 'string')) {
          for (const bins of [undefined, 1, 7]) {
            const h = histogram(table, null, c.name, { bins });
            assert.deepEqual(h, refHistogram(c, bins), `${c.name} bins=${bins}`);
            assert.equal(h.counts.reduce((a, b) => a + b, 0) + h.nulls, ref.n);
          }
        }
        const view = createView(table, { filters: [{ column: 'boolean4', op: 'equals', value: 'true' }] });
        for (const c of ref.cols) {
          assert.deepEqual(columnStats(table, c.name, view), refStats(c, Array.from(view.rows)), c.name);
          // No top values asked for (inspect): the same figures, found without ranking the dictionary.
          assert.deepEqual(columnStats(table, c.name, view, 0), { ...refStats(c, Array.from(view.rows)), top: [] }, `${c.name}, no top`);
          assert.deepEqual(columnStats(table, c.name, null, 0), { ...refStats(c, refRows(ref, () => true)), top: [] }, `${c.name}, all rows, no top`);
          assert.deepEqual(
            columnStats(table, c.name),
            refStats(
              c,
              refRows(ref, () => true),
            ),
            c.name,
          );
        }
      });

      it('exports CSV, TSV and JSON that read back to the view, with the formula guard', async () => {
        const view = createView(table, {
          sort: [{ column: 'string0' }, { column: 'number3', desc: true }],
          filters: [{ column: 'integer2', op: 'range', min: -10 }],
        });
        const collect = async (format: 'csv' | 'tsv' | 'json', guard: boolean) => {
          let out = '';
          let chunks = 0;
          for await (const chunk of exportView(table, view, format, { formulaGuard: guard, chunkChars: 512 })) {
            out += chunk;
            chunks++;
          }
          assert.ok(chunks > 1 || view.rows.length < 10);
          return out;
        };
        const expected = Array.from(view.rows).map((r) => ref.cols.map((c) => c.shown[r]));
        for (const format of ['csv', 'tsv'] as const) {
          const plain = Papa.parse<string[]>(await collect(format, false), {
            delimiter: format === 'csv' ? ',' : '\t',
            skipEmptyLines: true,
          }).data;
          assert.deepEqual(
            plain[0],
            ref.cols.map((c) => c.name),
          );
          assert.deepEqual(
            plain.slice(1),
            expected.map((row) => row.map((v) => (v === null ? '' : String(v)))),
          );
          const guarded = Papa.parse<string[]>(await collect(format, true), {
            delimiter: format === 'csv' ? ',' : '\t',
            skipEmptyLines: true,
          }).data;
          const want = expected.map((row) =>
            row.map((v, i) => {
              if (v === null) return '';
              const s = String(v);
              // Only text cells are guarded; negative numbers in numeric columns stay as they are.
              return ref.cols[i].kind === 'string' && /^[=+\-@\t\r]/.test(s) ? "'" + s : s;
            }),
          );
          assert.deepEqual(guarded.slice(1), want);
          assert.ok(
            guarded.slice(1).some((row) => row[3].startsWith('-') && !row[3].startsWith("'")),
            'a negative number left alone',
          );
        }
        const json = JSON.parse(await collect('json', true)) as Record<string, DisplayValue>[];
        assert.deepEqual(
          json,
          expected.map((row) => Object.fromEntries(ref.cols.map((c, i) => [c.name, row[i]]))),
        );
      });
    });
  }

  it('sorts, filters and describes 70,000 rows with high-cardinality typed columns', () => {
    // Enough rows for the wide radix digits, and enough distinct values for the direct (not
    // dictionary) storage of numbers and timestamps.
    const rand = mulberry32(77);
    const n = 70000;
    const nums: (number | null)[] = [];
    const times: (number | null)[] = [];
    const ints: (number | null)[] = [];
    const lines = ['f,t,i'];
    for (let r = 0; r < n; r++) {
      const f = rand() < 0.05 ? null : Math.round((rand() - 0.5) * 1e9) / 1000 + 0;
      const t = rand() < 0.05 ? null : Date.UTC(2024, 0, 1) + Math.floor(rand() * 1e10);
      const i = rand() < 0.05 ? null : Math.floor((rand() - 0.5) * 2 ** 33);
      nums.push(f);
      times.push(t);
      ints.push(i);
      lines.push([f ?? '', t === null ? '' : new Date(t).toISOString(), i ?? ''].join(','));
    }
    const b = new TableBuilder();
    b.push(lines.join('\n') + '\n');
    const table = b.finish();
    assert.deepEqual(
      table.columns.map((c) => c.type),
      ['number', 'datetime', 'integer'],
    );
    const order = (vals: (number | null)[], desc: boolean) =>
      Array.from({ length: n }, (_, r) => r).sort((a, b) => {
        const x = vals[a];
        const y = vals[b];
        if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
        return (desc ? y - x : x - y) || a - b;
      });
    for (const [name, vals] of [
      ['f', nums],
      ['t', times],
      ['i', ints],
    ] as const)
      for (const desc of [false, true])
        assert.deepEqual(Array.from(createView(table, { sort: [{ column: name, desc }] }).rows), order(vals, desc), `${name} desc=${desc}`);
    const inRange = Array.from({ length: n }, (_, r) => r).filter((r) => nums[r] !== null && nums[r]! >= -1000 && nums[r]! <= 250000.5);
    assert.deepEqual(Array.from(createView(table, { filters: [{ column: 'f', op: 'range', min: -1000, max: 250000.5 }] }).rows), inRange);
    const s = columnStats(table, 't');
    const present = times.filter((t): t is number => t !== null);
    assert.equal(s.nulls, n - present.length);
    assert.equal(s.distinct, new Set(present).size);
    assert.equal(s.min, new Date(Math.min(...present)).toISOString());
  });

  it('gives text columns the smallest and largest value in the grid sort order, with or without top values', () => {
    // Ordinal order would say "Banana" < "apple" and "Émile" > "zoe"; the grid sorts case- and
    // accent-blind first, then ordinally ("Zoe" < "zoe").
    const b = new TableBuilder();
    b.push('name,n\nzoe,1\nBanana,2\n,3\nÉmile,4\napple,5\nbanana,6\nZoe,7\nzoe,8\n');
    const table = b.finish();
    for (const topN of [0, 3]) {
      const s = columnStats(table, 'name', null, topN);
      assert.deepEqual([s.min, s.max, s.distinct, s.nulls, s.count], ['apple', 'zoe', 6, 1, 7], `top ${topN}`);
    }
  });

  it('exports RFC 4180 CSV and guards formulas only in text cells', async () => {
    const b = new TableBuilder();
    b.push('t,n,d\n"=1+2",-12.5,2024-01-01\n"a,""b""\nc",+3,\n@x,,\n"\ttab",4,2024-01-02\n');
    const table = b.finish();
    let out = '';
    for await (const c of exportView(table, null, 'csv', { formulaGuard: true })) out += c;
    assert.equal(out, 't,n,d\r\n\'=1+2,-12.5,2024-01-01\r\n"a,""b""\nc",3,\r\n\'@x,,\r\n\'\ttab,4,2024-01-02\r\n');
    let tsv = '';
    for await (const c of exportView(table, null, 'tsv', { formulaGuard: false, columns: ['t'] })) tsv += c;
    assert.equal(tsv, 't\n=1+2\n"a,""b""\nc"\n@x\n"\ttab"\n');
  });

  it('groups by a key that is empty in every row of the view (one null group, no crash)', () => {
    const b = new TableBuilder();
    b.push('d,n,k\n2024-01-01,1,a\n,2,b\n,3,b\n');
    const table = b.finish();
    const emptyRows = Uint32Array.from([1, 2]);
    assert.deepEqual(groupBy(table, emptyRows, [{ column: 'd', bucket: 'day' }], [{ op: 'count' }]).rows, [[null, 2]]);
    assert.deepEqual(groupBy(table, emptyRows, ['k'], [{ op: 'distinct', column: 'd' }]).rows, [['b', 0]]);
  });

  it('sorts a string column by dictionary rank (case- and accent-folded)', () => {
    const b = new TableBuilder();
    b.push('w\nzoë\nÉmile\napple\nBanana\nbanana\nemile\n\nZürich\n');
    const table = b.finish();
    const v = createView(table, { sort: [{ column: 'w' }] });
    assert.deepEqual(
      getWindow(v, 0, 10).map((r) => r[0]),
      ['apple', 'Banana', 'banana', 'emile', 'Émile', 'zoë', 'Zürich'],
    );
  });

  it('buckets times by hour, day, ISO week (Monday) and month in UTC', () => {
    const b = new TableBuilder();
    b.push('t\n2024-03-03T23:59:59Z\n2024-03-04T00:00:00Z\n2024-03-10T12:00:00Z\n2024-03-11T00:30:00+01:00\n2024-02-29T10:00:00Z\n');
    const table = b.finish();
    const by = (bucket: TimeBucket) => groupBy(table, null, [{ column: 't', bucket }], [{ op: 'count' }]).rows;
    assert.deepEqual(by('week'), [
      ['2024-02-26', 2],
      ['2024-03-04', 3],
    ]);
    assert.deepEqual(by('month'), [
      ['2024-02-01', 1],
      ['2024-03-01', 4],
    ]);
    assert.deepEqual(
      by('day').map((r) => r[0]),
      ['2024-02-29', '2024-03-03', '2024-03-04', '2024-03-10'],
    );
    assert.deepEqual(by('hour')[3], ['2024-03-10T12:00:00.000Z', 1]);
  });

  it('downsamples long series (LTTB and min/max) keeping ends and extremes', () => {
    const rand = mulberry32(9);
    const n = 10000;
    const x = Array.from({ length: n }, (_, i) => i * 10);
    const y = Array.from({ length: n }, (_, i) => Math.sin(i / 300) * 100 + rand() * 5);
    y[4321] = 1000; // a spike
    const l = downsample(x, y, 200, 'lttb');
    const want = refLttb(
      x.map((xi, i) => [xi, y[i]]),
      200,
    );
    assert.deepEqual(l, { x: want.map((p) => p[0]), y: want.map((p) => p[1]) }, 'the same points as the reference LTTB');
    assert.equal(l.x.length, 200);
    assert.equal(l.x[0], 0);
    assert.equal(l.x[199], x[n - 1]);
    for (let i = 1; i < l.x.length; i++) assert.ok(l.x[i] > l.x[i - 1]);
    assert.ok(l.y.includes(1000), 'LTTB keeps the spike');
    const m = downsample(x, y, 200, 'minmax');
    assert.ok(m.x.length <= 200);
    assert.ok(m.y.includes(1000));
    assert.ok(m.y.includes(Math.min(...y)));
    for (let i = 1; i < m.x.length; i++) assert.ok(m.x[i] > m.x[i - 1]);
    assert.deepEqual(downsample([1, 2], [3, 4], 10), { x: [1, 2], y: [3, 4] });
  });
});

// ---------------------------------------------------------------------------------------------
// References

function refGroupBy(ref: Ref, rows: number[], keys: (string | GroupKey)[], aggs: Aggregation[]) {
  const ks = keys
    .map((k) => (typeof k === 'string' ? { column: k } : k))
    .map((k) => ({ ...k, col: ref.cols.find((c) => c.name === k.column)! }));
  const keyOf = (k: (typeof ks)[number], r: number): { shown: DisplayValue; order: number | string | null } => {
    const c = k.col;
    if (c.shown[r] === null) return { shown: null, order: null };
    if (k.bucket) {
      const b = refBucket(c.num[r]!, k.bucket);
      const iso = new Date(b).toISOString();
      return { shown: k.bucket === 'hour' ? iso : iso.slice(0, 10), order: b };
    }
    return { shown: c.shown[r], order: c.kind === 'string' ? (c.shown[r] as string) : c.num[r] };
  };
  const groups = new Map<string, { keys: { shown: DisplayValue; order: number | string | null }[]; rows: number[] }>();
  for (const r of rows) {
    const kv = ks.map((k) => keyOf(k, r));
    const id = JSON.stringify(kv.map((v) => v.shown));
    if (!groups.has(id)) groups.set(id, { keys: kv, rows: [] });
    groups.get(id)!.rows.push(r);
  }
  const list = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < ks.length; i++) {
      const x = a.keys[i].order;
      const y = b.keys[i].order;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return typeof x === 'string' ? refCompareText(x, y as string) : x - (y as number);
    }
    return 0;
  });
  const columns = ks.map((k) => (k.bucket ? `${k.col.name} (${k.bucket})` : k.col.name));
  const types = ks.map((k) => (k.bucket ? (k.bucket === 'hour' ? 'datetime' : 'date') : k.col.kind));
  for (const a of aggs) {
    const c = ref.cols.find((x) => x.name === a.column);
    columns.push(c ? `${a.op}(${c.name})` : 'count');
    types.push(
      a.op === 'count' || a.op === 'distinct'
        ? 'integer'
        : a.op === 'mean'
          ? 'number'
          : a.op === 'sum'
            ? c!.kind === 'integer'
              ? 'integer'
              : 'number'
            : c!.kind,
    );
  }
  const out = list.map((g) => {
    const row: DisplayValue[] = g.keys.map((k) => k.shown);
    for (const a of aggs) {
      const c = ref.cols.find((x) => x.name === a.column);
      if (!c) {
        row.push(g.rows.length);
        continue;
      }
      const present = g.rows.filter((r) => c.shown[r] !== null);
      if (a.op === 'count') row.push(present.length);
      else if (a.op === 'distinct') row.push(new Set(present.map((r) => JSON.stringify(c.shown[r]))).size);
      else if (present.length === 0) row.push(null);
      else if (a.op === 'sum') row.push(present.reduce((s, r) => s + c.num[r]!, 0));
      else if (a.op === 'mean') row.push(present.reduce((s, r) => s + c.num[r]!, 0) / present.length);
      else {
        const sorted = [...present].sort((x, y) => refCompare(c, x, y, false));
        row.push(c.shown[a.op === 'min' ? sorted[0] : sorted[sorted.length - 1]]);
      }
    }
    return row;
  });
  return { columns, types, rows: out };
}

function refHistogram(c: RefColumn, bins?: number) {
  const vals = c.num.filter((v): v is number => v !== null);
  const nulls = c.num.length - vals.length;
  const result = { column: c.name, type: c.kind, edges: [] as number[], counts: [] as number[], nulls };
  if (vals.length === 0) return result;
  const min = Math.min(...vals);
  const max = Math.max(...vals);
  let nb: number;
  let width: number;
  const unit = bins === undefined && (c.kind === 'integer' || c.kind === 'boolean') && max - min + 1 <= 100;
  if (unit) {
    nb = max - min + 1;
    width = 1;
  } else {
    nb = max === min ? 1 : (bins ?? Math.min(100, Math.ceil(Math.log2(vals.length) + 1)));
    width = (max - min) / nb;
  }
  const counts = new Array(nb).fill(0);
  for (const v of vals) counts[width === 0 ? 0 : Math.min(nb - 1, Math.floor((v - min) / width))]++;
  for (let b = 0; b <= nb; b++) result.edges.push(b === nb && !unit ? max : min + b * width);
  result.counts = counts;
  return result;
}

function refStats(c: RefColumn, rows: number[]) {
  const present = rows.filter((r) => c.shown[r] !== null);
  const counts = new Map<string, { value: DisplayValue; count: number; first: number }>();
  for (const r of present) {
    const k = JSON.stringify(c.shown[r]);
    const e = counts.get(k);
    if (e) e.count++;
    else counts.set(k, { value: c.shown[r], count: 1, first: r });
  }
  const byValue = [...counts.values()].sort((a, b) => refCompare(c, a.first, b.first, false));
  const top = [...byValue].sort((a, b) => b.count - a.count).slice(0, 10);
  return {
    name: c.name,
    type: c.kind,
    count: present.length,
    nulls: rows.length - present.length,
    distinct: counts.size,
    min: byValue.length ? byValue[0].value : null,
    max: byValue.length ? byValue[byValue.length - 1].value : null,
    top: top.map((t) => ({ value: t.value, count: t.count })),
  };
}
