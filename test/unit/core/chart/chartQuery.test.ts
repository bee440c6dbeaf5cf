/**
 * The host's chart computation (src/core/chart/chartQuery.ts) against plain reference
 * implementations over random tables with nulls: every kind and aggregate, splits with "Other",
 * top-N categories, time buckets, view rows (filtered and sorted), scatter sampling, box
 * quartiles (numpy's linear percentile), downsampling, the auto choices and the notes for
 * queries that cannot be drawn.
 */
import * as assert from 'node:assert/strict';
import { DisplayValue, Table, createView, ingestCsv, type TimeBucket } from '../../../../src/core/table';
import type { ChartAgg, ChartKind, ChartQuery, ChartSpec } from '../../../../src/protocol';
import { NO_COLUMN_NOTE, NO_ROWS_NOTE, computeChart, fiveNumbers, resolveChartQuery } from '../../../../src/core/chart/chartQuery';
import { mulberry32 } from '../../../fakes/random';
import {
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
  refCompareText,
  refLttb,
} from '../../kit/randomTable';

// ---------------------------------------------------------------------------------------------
// Random tables and their reference model

type Ref = RefTable;

async function tableOf(csv: string): Promise<Table> {
  return ingestCsv(
    (async function* () {
      yield csv;
    })(),
  );
}

const WORDS = ['apple', 'Banana', 'banana', 'Émile', 'emile', 'zoë', 'Zürich', 'b', 'cherry', 'date'];
const GROUPS = ['north', 'south', 'east', 'west', 'centre', 'isles', 'online', 'abroad', 'x', 'y'];

/**
 * Columns: day (date), at (datetime), cat (text, ~40 values), grp (text, 10 skewed values), n
 * (number), k (integer), flag (boolean), user_id (integer, id-like), small (integer 0–4).
 */
async function randomTable(seed: number, n: number): Promise<Ref> {
  const rand = mulberry32(seed);
  const spec: [string, Kind][] = [
    ['day', 'date'],
    ['at', 'datetime'],
    ['cat', 'string'],
    ['grp', 'string'],
    ['n', 'number'],
    ['k', 'integer'],
    ['flag', 'boolean'],
    ['user_id', 'integer'],
    ['small', 'integer'],
  ];
  const cols: RefColumn[] = spec.map(([name, kind]) => ({ name, kind, shown: [], num: [] }));
  const lines: string[] = [cols.map((c) => c.name).join(',')];
  const catPool = [...WORDS, ...Array.from({ length: 30 }, (_, i) => `w${i}`)];
  for (let r = 0; r < n; r++) {
    const line: string[] = [];
    for (const c of cols) {
      if (c.name !== 'user_id' && rand() < 0.1) {
        pushEmpty(line, c);
        continue;
      }
      let text: string;
      let shown: DisplayValue;
      let num: number | null;
      switch (c.name) {
        case 'day': {
          const ms = randomDayMs(rand);
          text = shown = new Date(ms).toISOString().slice(0, 10);
          num = ms;
          break;
        }
        case 'at': {
          const ms = randomInstantMs(rand);
          text = new Date(ms).toISOString().replace('.000Z', 'Z');
          shown = new Date(ms).toISOString();
          num = ms;
          break;
        }
        case 'cat':
          text = shown = catPool[Math.floor(rand() * rand() * catPool.length)];
          num = null;
          break;
        case 'grp':
          text = shown = GROUPS[Math.floor(rand() * rand() * GROUPS.length)];
          num = null;
          break;
        case 'n': {
          const v = randomNumber(rand);
          text = String(v);
          shown = num = v;
          break;
        }
        case 'k': {
          const v = randomInteger(rand);
          text = String(v);
          shown = num = v;
          break;
        }
        case 'flag': {
          const v = rand() < 0.4;
          text = String(v);
          shown = v;
          num = v ? 1 : 0;
          break;
        }
        case 'user_id':
          text = String(r + 1);
          shown = num = r + 1;
          break;
        default: {
          const v = Math.floor(rand() * 5);
          text = String(v);
          shown = num = v;
        }
      }
      pushCell(line, c, text, shown, num);
    }
    lines.push(line.join(','));
  }
  const table = await tableOf(lines.join('\n') + '\n');
  assert.deepEqual(
    table.columns.map((c) => c.type),
    cols.map((c) => c.kind),
  );
  return { table, cols, n };
}

const col = (ref: Ref, name: string) => ref.cols.findIndex((c) => c.name === name);
const Q = (
  kind: ChartQuery['kind'],
  x: number | null,
  y: number | null,
  agg: ChartAgg,
  split: number | null = null,
  bucket: ChartQuery['bucket'] = 'auto',
): ChartQuery => ({
  kind,
  x,
  y,
  agg,
  split,
  bucket,
});

// ---------------------------------------------------------------------------------------------
// Reference implementations, written plainly

const isTime = (c: RefColumn) => c.kind === 'date' || c.kind === 'datetime';

/** A category key of row r: its label and its place in key order (null last). */
function refKey(c: RefColumn, r: number, bucket?: TimeBucket): { label: string; order: number | string | null } {
  if (c.shown[r] === null) return { label: '(empty)', order: null };
  if (bucket && isTime(c)) {
    const b = refBucket(c.num[r]!, bucket);
    const iso = new Date(b).toISOString();
    return { label: bucket === 'hour' ? iso : iso.slice(0, 10), order: b };
  }
  return { label: String(c.shown[r]), order: c.kind === 'string' ? (c.shown[r] as string) : c.num[r] };
}

function refOrder(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'string' ? refCompareText(a, b as string) : a - (b as number);
}

/** Rows grouped by key, in first-seen order. */
function refGroups(rows: number[], key: (r: number) => { label: string; order: number | string | null }) {
  const groups = new Map<string, { label: string; order: number | string | null; rows: number[] }>();
  for (const r of rows) {
    const k = key(r);
    let g = groups.get(k.label);
    if (!g) groups.set(k.label, (g = { ...k, rows: [] }));
    g.rows.push(r);
  }
  return [...groups.values()];
}

function refAgg(ref: Ref, q: ChartQuery, rows: number[]): number | null {
  if (q.agg === 'count') return rows.length;
  const y = ref.cols[q.y!];
  const present = rows.filter((r) => y.shown[r] !== null);
  if (q.agg === 'distinct') return new Set(present.map((r) => JSON.stringify(y.shown[r]))).size;
  if (present.length === 0) return null;
  const vals = present.map((r) => y.num[r]!);
  switch (q.agg) {
    case 'sum':
    case 'none':
      return vals.reduce((s, v) => s + v, 0);
    case 'mean':
      return vals.reduce((s, v) => s + v, 0) / vals.length;
    case 'min':
      return Math.min(...vals);
    default:
      return Math.max(...vals);
  }
}

/** Best first by `score` (null last), ties in key order. */
function refRank<T extends { order: number | string | null }>(items: T[], score: (t: T) => number | null): T[] {
  return [...items].sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    if (sa !== sb) {
      if (sa === null) return 1;
      if (sb === null) return -1;
      return sb - sa;
    }
    return refOrder(a.order, b.order);
  });
}

interface RefSplit {
  names: string[];
  /** Series index of a row; names.length for the rest. */
  of: (r: number) => number;
  leftOut: number;
}

function refSplit(ref: Ref, rows: number[], split: number | null, maxSeries: number): RefSplit | null {
  if (split === null) return null;
  const c = ref.cols[split];
  const top = refRank(
    refGroups(rows, (r) => refKey(c, r)),
    (g) => g.rows.length,
  );
  const names = top.slice(0, maxSeries).map((g) => g.label);
  return {
    names,
    of: (r) => (names.includes(refKey(c, r).label) ? names.indexOf(refKey(c, r).label) : names.length),
    leftOut: top.length - names.length,
  };
}

const AGG_WORD: Record<ChartAgg, string> = {
  count: 'count',
  sum: 'sum',
  mean: 'average',
  min: 'min',
  max: 'max',
  distinct: 'distinct',
  none: '',
};

/** line / area / bar / stackedBar of an aggregate. */
function refGroupChart(ref: Ref, rows: number[], q: ChartQuery, maxCategories = 30, maxSeries = 8) {
  const xc = ref.cols[q.x!];
  const time = isTime(xc);
  const bucket = q.bucket as TimeBucket;
  const notes: string[] = [];
  let groups = refGroups(
    rows.filter((r) => !time || xc.shown[r] !== null),
    (r) => refKey(xc, r, time ? bucket : undefined),
  );
  if (time) groups.sort((a, b) => refOrder(a.order, b.order));
  else {
    const ranked = refRank(groups, (g) => refAgg(ref, q, g.rows));
    if (ranked.length > maxCategories)
      notes.push(`Top ${maxCategories} of ${ranked.length} ${xc.name} values shown; ${ranked.length - maxCategories} left out.`);
    groups = ranked.slice(0, maxCategories);
    if (q.kind === 'line' || q.kind === 'area') groups.sort((a, b) => refOrder(a.order, b.order));
  }
  const what = q.agg === 'count' ? 'rows' : `${ref.cols[q.y!].name} (${AGG_WORD[q.agg]})`;
  const missing = q.kind === 'line' ? null : 0;
  const sp = refSplit(ref, rows, q.split, maxSeries);
  let series: { name: string; values: (number | null)[] }[];
  if (!sp) series = [{ name: what, values: groups.map((g) => refAgg(ref, q, g.rows)) }];
  else {
    const additive = q.agg === 'count' || q.agg === 'sum';
    const names = sp.leftOut > 0 && additive ? [...sp.names, 'Other'] : sp.names;
    series = names.map((name, s) => ({
      name,
      values: groups.map((g) => {
        const mine = g.rows.filter((r) => sp.of(r) === s);
        return mine.length === 0 ? missing : refAgg(ref, q, mine);
      }),
    }));
    if (sp.leftOut > 0 && !additive)
      notes.push(
        `${sp.names.length} most frequent ${ref.cols[q.split!].name} values shown; ${sp.leftOut} more left out (${AGG_WORD[q.agg]} cannot be combined into "Other").`,
      );
  }
  return { labels: groups.map((g) => g.label), series, note: notes.length ? notes.join(' ') : undefined };
}

/** numpy.percentile(a, p * 100) with the default 'linear' method. */
function refQuantile(sorted: number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function near(a: number | null, b: number | null, what: string): void {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
}

function chartOf(table: Table, rows: Uint32Array | null, q: ChartQuery | null, opts?: Parameters<typeof computeChart>[3]): ChartSpec {
  const p = computeChart(table, rows, q, opts);
  assert.ok(p.chart, `expected a chart, got the note ${JSON.stringify(p.note)}`);
  assert.equal(p.note, null);
  return p.chart;
}

function views(ref: Ref): { name: string; rows: Uint32Array | null; list: number[] }[] {
  const all = Array.from({ length: ref.n }, (_, r) => r);
  const filtered = createView(ref.table, { filters: [{ column: 'k', op: 'range', min: -12 }], sort: [{ column: 'n', desc: true }] }).rows;
  const searched = createView(ref.table, { search: 'a', sort: [{ column: 'at' }] }).rows;
  return [
    { name: 'all rows', rows: null, list: all },
    { name: 'filtered, sorted by n desc', rows: filtered, list: Array.from(filtered) },
    { name: 'searched, sorted by at', rows: searched, list: Array.from(searched) },
  ];
}

// ---------------------------------------------------------------------------------------------

describe('chart queries: aggregates against a reference', () => {
  for (const seed of [1, 7, 2024]) {
    describe(`random table, seed ${seed}`, () => {
      let ref: Ref;
      before(async () => (ref = await randomTable(seed, 350 + (seed % 50))));

      it('line, area, bar and stackedBar of every aggregate over category and time x, with and without split', () => {
        const kinds: ChartKind[] = ['line', 'area', 'bar', 'stackedBar'];
        const xs: [string, ChartQuery['bucket']][] = [
          ['cat', 'auto'],
          ['k', 'auto'],
          ['flag', 'auto'],
          ['small', 'auto'],
          ['day', 'week'],
          ['at', 'day'],
        ];
        const aggs: [ChartAgg, string | null][] = [
          ['count', null],
          ['count', 'n'],
          ['sum', 'n'],
          ['sum', 'k'],
          ['mean', 'n'],
          ['min', 'k'],
          ['max', 'n'],
          ['distinct', 'grp'],
          ['distinct', 'k'],
        ];
        let checked = 0;
        // What the random charts went through (so the comparisons cannot pass vacuously).
        const seen = { topN: 0, leftOutSplit: 0, other: 0, nullGap: 0, zeroFill: 0 };
        for (const v of views(ref))
          for (const kind of kinds)
            for (const [x, bucket] of xs)
              for (const [agg, y] of aggs)
                for (const split of [null, 'grp', 'small']) {
                  const small = (checked & 1) === 1; // every other chart with tight limits
                  const opts = small ? { maxCategories: 7, maxSeries: 3 } : {};
                  const q = Q(kind, col(ref, x), y === null ? null : col(ref, y), agg, split === null ? null : col(ref, split), bucket);
                  const got = chartOf(ref.table, v.rows, q, opts);
                  const want = refGroupChart(ref, v.list, q, small ? 7 : 30, small ? 3 : 8);
                  const what = `${v.name}: ${JSON.stringify(q)} ${JSON.stringify(opts)}`;
                  assert.equal(got.kind, kind, what);
                  assert.equal(got.x.type, x === 'day' || x === 'at' ? 'time' : 'category', what);
                  assert.deepEqual(got.x.values, want.labels, what);
                  assert.deepEqual(
                    got.series.map((s) => s.name),
                    want.series.map((s) => s.name),
                    what,
                  );
                  got.series.forEach((s, i) =>
                    s.values.forEach((val, p) => near(val, want.series[i].values[p], `${what} series ${i} at ${p}`)),
                  );
                  assert.equal(got.note, want.note, what);
                  checked++;
                  if (got.note?.startsWith('Top ')) seen.topN++;
                  if (got.note?.includes('cannot be combined')) seen.leftOutSplit++;
                  if (got.series.some((s) => s.name === 'Other')) seen.other++;
                  if (split && kind === 'line' && got.series.some((s) => s.values.includes(null))) seen.nullGap++;
                  if (split && q.agg === 'max' && kind !== 'line' && got.series.some((s) => s.values.includes(0))) seen.zeroFill++;
                }
        assert.equal(checked, 3 * 4 * 6 * 9 * 3);
        for (const [k, n] of Object.entries(seen)) assert.ok(n > 0, `no chart had ${k}`);
      });

      it('groups a datetime x by hour, day, week and month, and a date x by day, week and month', () => {
        for (const [x, buckets] of [
          ['at', ['hour', 'day', 'week', 'month']],
          ['day', ['day', 'week', 'month']],
        ] as const)
          for (const bucket of buckets)
            for (const split of [null, col(ref, 'grp')]) {
              const q = Q('line', col(ref, x), col(ref, 'n'), 'sum', split, bucket);
              const rows = Array.from({ length: ref.n }, (_, r) => r);
              const got = chartOf(ref.table, null, q, { maxSeries: 4 });
              const want = refGroupChart(ref, rows, q, 30, 4);
              assert.deepEqual(got.x, { type: 'time', values: want.labels }, `${x} by ${bucket}`);
              assert.deepEqual(got.series, want.series, `${x} by ${bucket}`);
              assert.equal(got.title, `Sum of n by ${bucket}${split === null ? '' : ' and grp'}`);
              assert.equal(got.xLabel, x === bucket ? x : `${x} (${bucket})`);
              assert.equal(got.yLabel, 'n (sum)');
              // Buckets are in time order and each starts its period.
              const ms = got.x.values.map((v) => Date.parse(String(v)));
              for (let i = 1; i < ms.length; i++) assert.ok(ms[i] > ms[i - 1]);
              for (const m of ms) assert.equal(refBucket(m, bucket), m);
            }
      });

      it('histograms of number and date columns: 20 bins of the view', () => {
        for (const v of views(ref))
          for (const x of ['n', 'k', 'day', 'at']) {
            const c = ref.cols[col(ref, x)];
            const got = chartOf(ref.table, v.rows, Q('histogram', col(ref, x), null, 'count'));
            const vals = v.list.map((r) => c.num[r]).filter((n): n is number => n !== null);
            const min = Math.min(...vals);
            const max = Math.max(...vals);
            const width = (max - min) / 20;
            const counts = new Array(20).fill(0);
            for (const n of vals) counts[Math.min(19, Math.floor((n - min) / width))]++;
            assert.deepEqual(got.series, [{ name: 'rows', values: counts }], `${v.name}: ${x}`);
            assert.equal(got.x.values.length, 20);
            if (!isTime(c)) {
              const f = (n: number) => (Number.isInteger(n) ? String(n) : String(Number.parseFloat(n.toPrecision(4))));
              assert.equal(got.x.values[0], `${f(min)}–${f(min + width)}`);
              assert.equal(got.x.values[19], `${f(min + 19 * width)}–${f(max)}`);
            } else assert.ok(String(got.x.values[0]).startsWith(new Date(min).toISOString().slice(0, 10)), String(got.x.values[0]));
            assert.equal(got.title, `Distribution of ${x}`);
          }
      });

      it('scatter: every point with both values, ascending x, one series per split value', () => {
        for (const v of views(ref))
          for (const split of [null, 'grp']) {
            const q = Q('scatter', col(ref, 'n'), col(ref, 'k'), 'none', split === null ? null : col(ref, split));
            const got = chartOf(ref.table, v.rows, q, { maxSeries: 4 });
            const xc = ref.cols[col(ref, 'n')];
            const yc = ref.cols[col(ref, 'k')];
            const sp = refSplit(ref, v.list, q.split, 4);
            const pts = v.list
              .filter((r) => xc.num[r] !== null && yc.num[r] !== null && (!sp || sp.of(r) < sp.names.length))
              .sort((a, b) => xc.num[a]! - xc.num[b]!);
            assert.deepEqual(got.x, { type: 'number', values: pts.map((r) => xc.num[r]) }, v.name);
            const names = sp ? sp.names : ['k'];
            assert.deepEqual(
              got.series,
              names.map((name, s) => ({ name, values: pts.map((r) => (!sp || sp.of(r) === s ? yc.num[r] : null)) })),
              v.name,
            );
            assert.equal(
              got.note,
              sp && sp.leftOut > 0
                ? `4 most frequent grp values shown; ${sp.leftOut} more left out (points of the rest are not drawn).`
                : undefined,
            );
          }
      });

      it('box: min, quartiles (numpy linear) and max per category, the largest groups, or one box', () => {
        for (const v of views(ref))
          for (const [x, bucket, max] of [
            [null, 'auto', 30],
            ['grp', 'auto', 30],
            ['cat', 'auto', 6],
            ['flag', 'auto', 30],
            ['day', 'week', 30],
            ['at', 'month', 30],
          ] as const) {
            const q = Q('box', x === null ? null : col(ref, x), col(ref, 'n'), 'none', null, bucket);
            const got = chartOf(ref.table, v.rows, q, { maxCategories: max });
            const yc = ref.cols[col(ref, 'n')];
            const xc = x === null ? null : ref.cols[col(ref, x)];
            let groups = xc
              ? refGroups(v.list, (r) => refKey(xc, r, isTime(xc) ? (bucket as TimeBucket) : undefined))
              : [{ label: 'n', order: null, rows: v.list }];
            const distinct = groups.length;
            groups = refRank(groups, (g) => g.rows.length)
              .slice(0, max)
              .sort((a, b) => refOrder(a.order, b.order));
            const what = `${v.name}: box by ${x}`;
            assert.deepEqual(got.x, { type: 'category', values: groups.map((g) => g.label) }, what);
            assert.deepEqual(got.series, []);
            groups.forEach((g, i) => {
              const vals = g.rows
                .map((r) => yc.num[r])
                .filter((n): n is number => n !== null)
                .sort((a, b) => a - b);
              const box = got.box!;
              if (vals.length === 0) {
                for (const k of ['min', 'q1', 'median', 'q3', 'max'] as const) assert.equal(box[k][i], null);
                return;
              }
              near(box.min[i], vals[0], `${what} ${g.label} min`);
              near(box.q1[i], refQuantile(vals, 0.25), `${what} ${g.label} q1`);
              near(box.median[i], refQuantile(vals, 0.5), `${what} ${g.label} median`);
              near(box.q3[i], refQuantile(vals, 0.75), `${what} ${g.label} q3`);
              near(box.max[i], vals[vals.length - 1], `${what} ${g.label} max`);
            });
            assert.equal(
              got.note,
              distinct > max ? `The ${max} largest of ${distinct} ${x} groups shown; ${distinct - max} left out.` : undefined,
              what,
            );
          }
      });

      it('lines of the rows themselves (agg none): sorted by x, split into series', () => {
        for (const v of views(ref))
          for (const [x, split] of [
            ['n', null],
            ['at', null],
            ['k', 'grp'],
            ['day', 'flag'],
          ] as const) {
            const q = Q('line', col(ref, x), col(ref, 'n'), 'none', split === null ? null : col(ref, split));
            const got = chartOf(ref.table, v.rows, q, { maxSeries: 3 });
            const xc = ref.cols[col(ref, x)];
            const yc = ref.cols[col(ref, 'n')];
            const sp = refSplit(ref, v.list, q.split, 3);
            const names = sp ? sp.names : ['n'];
            // Each series sorted by x (stable: view order among equal x), then merged by x.
            const pts = names.flatMap((_, s) =>
              v.list
                .filter((r) => xc.num[r] !== null && yc.num[r] !== null && (!sp || sp.of(r) === s))
                .sort((a, b) => xc.num[a]! - xc.num[b]!)
                .map((r) => ({ r, s })),
            );
            pts.sort((a, b) => xc.num[a.r]! - xc.num[b.r]! || a.s - b.s);
            const xs = pts.map((p) => (isTime(xc) ? String(xc.shown[p.r]) : xc.num[p.r]));
            assert.deepEqual(got.x, { type: isTime(xc) ? 'time' : 'number', values: xs }, `${v.name}: ${x}`);
            assert.deepEqual(
              got.series,
              names.map((name, s) => ({ name, values: pts.map((p) => (p.s === s ? yc.num[p.r] : null)) })),
            );
            assert.equal(
              got.note,
              sp && sp.leftOut > 0
                ? `3 most frequent ${split} values shown; ${sp.leftOut} more left out (rows cannot be combined into "Other").`
                : undefined,
            );
          }
      });
    });
  }
});

describe('chart queries: limits and notes', () => {
  it('keeps the top categories by value, says how many were left out, bars largest first', async () => {
    // 45 categories c0..c44 with sums 1..45 (c44 the largest); ties broken by key order.
    const lines = ['name,v'];
    for (let i = 0; i < 45; i++) lines.push(`c${i},${i + 1}`);
    lines.push('c3,0', 'tie_a,45', 'tie_b,45');
    const table = await tableOf(lines.join('\n') + '\n');
    const bars = chartOf(table, null, Q('bar', 0, 1, 'sum'));
    assert.deepEqual(bars.x.values.slice(0, 4), ['c44', 'tie_a', 'tie_b', 'c43']);
    assert.equal(bars.x.values.length, 30);
    assert.deepEqual(bars.series[0].values.slice(0, 4), [45, 45, 45, 44]);
    assert.equal(bars.note, 'Top 30 of 47 name values shown; 17 left out.');
    assert.equal(bars.title, 'Sum of v by name');
    assert.equal(bars.yLabel, 'v (sum)');
    // A line over the same categories keeps the same ones, in key order.
    const line = chartOf(table, null, Q('line', 0, 1, 'sum'));
    assert.deepEqual([...line.x.values].sort(), [...bars.x.values].sort());
    assert.deepEqual(line.x.values.slice(0, 3), ['c17', 'c18', 'c19']);
    const few = chartOf(table, null, Q('bar', 0, 1, 'sum'), { maxCategories: 2 });
    assert.deepEqual(few.x.values, ['c44', 'tie_a']);
    assert.equal(few.note, 'Top 2 of 47 name values shown; 45 left out.');
  });

  it('sums the split values beyond maxSeries into "Other" for count and sum; leaves them out for the rest', async () => {
    const lines = ['day,region,v'];
    const regions = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd', 'e'];
    regions.forEach((g, i) => lines.push(`2024-01-0${1 + (i % 2)},${g},${i + 1}`));
    const table = await tableOf(lines.join('\n') + '\n');
    // Day 1: rows 1,3,5,7,9,11 (a,a,b,b,c,e); day 2: rows 2,4,6,8,10 (a,a,b,c,d).
    const sum = chartOf(table, null, Q('stackedBar', 0, 2, 'sum', 1, 'day'), { maxSeries: 2 });
    assert.deepEqual(sum.x, { type: 'time', values: ['2024-01-01', '2024-01-02'] });
    assert.deepEqual(sum.series, [
      { name: 'a', values: [1 + 3, 2 + 4] },
      { name: 'b', values: [5 + 7, 6] },
      { name: 'Other', values: [9 + 11, 8 + 10] },
    ]);
    assert.equal(sum.note, undefined);
    const counts = chartOf(table, null, Q('line', 0, null, 'count', 1, 'day'), { maxSeries: 3 });
    assert.deepEqual(counts.series, [
      { name: 'a', values: [2, 2] },
      { name: 'b', values: [2, 1] },
      { name: 'c', values: [1, 1] },
      { name: 'Other', values: [1, 1] },
    ]);
    // Missing combinations: null on a line, 0 on bars and areas.
    const onlyD = chartOf(table, null, Q('line', 0, 2, 'sum', 1, 'day'));
    assert.deepEqual(
      onlyD.series.find((s) => s.name === 'd'),
      { name: 'd', values: [null, 10] },
    );
    const area = chartOf(table, null, Q('area', 0, 2, 'sum', 1, 'day'));
    assert.deepEqual(
      area.series.find((s) => s.name === 'e'),
      { name: 'e', values: [11, 0] },
    );
    const mean = chartOf(table, null, Q('line', 0, 2, 'mean', 1, 'day'), { maxSeries: 2 });
    assert.deepEqual(mean.series, [
      { name: 'a', values: [2, 3] },
      { name: 'b', values: [6, 6] },
    ]);
    assert.equal(mean.note, '2 most frequent region values shown; 3 more left out (average cannot be combined into "Other").');
    assert.equal(mean.title, 'Average v by day and region');
  });

  it('samples a scatter plot evenly beyond maxPoints, sorted by x', async () => {
    const lines = ['x,y'];
    for (let i = 0; i < 10_000; i++) lines.push(i % 97 === 0 ? `,${i}` : `${(i * 7919) % 10_007},${i}`);
    const table = await tableOf(lines.join('\n') + '\n');
    const got = chartOf(table, null, Q('scatter', 0, 1, 'none'), { maxPoints: 1000 });
    const valid = Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i % 97 !== 0);
    assert.equal(got.x.values.length, 1000);
    assert.equal(got.note, `1,000 of ${valid.length.toLocaleString('en-US')} points shown (sampled).`);
    const xs = got.x.values as number[];
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i] >= xs[i - 1]);
    // Exactly the evenly spaced sample of the valid rows, in view order.
    const sample = Array.from({ length: 1000 }, (_, j) => valid[Math.floor((j * valid.length) / 1000)]);
    assert.deepEqual(
      got.series[0].values,
      [...sample].sort((a, b) => ((a * 7919) % 10_007) - ((b * 7919) % 10_007)),
    );
    // Deterministic, and the view's order decides which rows are taken.
    assert.deepEqual(chartOf(table, null, Q('scatter', 0, 1, 'none'), { maxPoints: 1000 }), got);
    const sorted = createView(table, { sort: [{ column: 'y', desc: true }] }).rows;
    const other = chartOf(table, sorted, Q('scatter', 0, 1, 'none'), { maxPoints: 1000 });
    assert.equal(other.x.values.length, 1000);
    const rev = [...valid].reverse();
    assert.deepEqual(
      [...(other.series[0].values as number[])].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, j) => rev[Math.floor((j * rev.length) / 1000)]).sort((a, b) => a - b),
    );
  });

  it('downsamples a line of rows to maxPoints with LTTB and says so', async () => {
    const rand = mulberry32(5);
    const lines = ['t,v'];
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = Date.UTC(2024, 0, 1) + Math.floor(rand() * 1e9);
      const v = Math.round(rand() * 1000) / 10;
      lines.push(`${new Date(t).toISOString()},${v}`);
      ts.push(t);
      vs.push(v);
    }
    const table = await tableOf(lines.join('\n') + '\n');
    const got = chartOf(table, null, Q('area', 0, 1, 'none'), { maxPoints: 500 });
    assert.ok(got.x.values.length <= 500);
    assert.equal(got.x.values.length, 500);
    assert.equal(got.note, '500 of 5,000 points shown (downsampled).');
    const order = ts.map((_, i) => i).sort((a, b) => ts[a] - ts[b]);
    const want = refLttb(
      order.map((i) => [ts[i], vs[i]]),
      500,
    );
    assert.deepEqual(got.x, { type: 'time', values: want.map((p) => new Date(p[0]).toISOString()) });
    assert.deepEqual(got.series, [{ name: 'v', values: want.map((p) => p[1]) }]);
    assert.equal(got.x.values[0], new Date(Math.min(...ts)).toISOString());
    assert.equal(got.x.values[499], new Date(Math.max(...ts)).toISOString());
    // Under the limit: every row, no note.
    const all = chartOf(table, null, Q('line', 0, 1, 'none'), { maxPoints: 5000 });
    assert.equal(all.x.values.length, 5000);
    assert.equal(all.note, undefined);
  });

  it('honours the view: only its rows count, in any order', async () => {
    const table = await tableOf('g,v\na,1\nb,2\na,3\nc,4\nb,5\na,6\n');
    const full = chartOf(table, null, Q('bar', 0, 1, 'sum'));
    assert.deepEqual(full.x.values, ['a', 'b', 'c']);
    assert.deepEqual(full.series[0].values, [10, 7, 4]);
    const some = createView(table, { filters: [{ column: 'v', op: 'range', min: 3 }], sort: [{ column: 'v', desc: true }] }).rows;
    const part = chartOf(table, some, Q('bar', 0, 1, 'sum'));
    assert.deepEqual(part.x.values, ['a', 'b', 'c']);
    assert.deepEqual(part.series[0].values, [9, 5, 4]);
    assert.deepEqual(chartOf(table, Uint32Array.of(3, 1), Q('bar', 0, null, 'count')).series[0].values, [1, 1]);
    const none = computeChart(table, new Uint32Array(0), Q('bar', 0, 1, 'sum'));
    assert.deepEqual(none, { chart: null, note: NO_ROWS_NOTE, query: Q('bar', 0, 1, 'sum') });
  });

  it('time buckets: hours, Monday weeks and months in UTC, across years and before 1970', async () => {
    const table = await tableOf(
      't,v\n2024-03-03T23:59:59Z,1\n2024-03-04T00:00:00Z,2\n2024-03-10T12:00:00Z,3\n2024-03-11T00:30:00+01:00,4\n2024-02-29T10:00:00Z,5\n1969-12-31T23:00:00Z,6\n1900-02-28T00:00:00Z,7\n2100-03-01T00:00:00Z,8\n2022-06-01T00:00:00Z,9\n',
    );
    const by = (bucket: TimeBucket, from = 0) => {
      const c = chartOf(
        table,
        Uint32Array.from({ length: 5 - from }, (_, i) => i + from),
        Q('bar', 0, 1, 'sum', null, bucket),
      );
      return c.x.values.map((x, i) => [x, c.series[0].values[i]]);
    };
    assert.deepEqual(by('week'), [
      ['2024-02-26', 6],
      ['2024-03-04', 9],
    ]);
    assert.deepEqual(by('month'), [
      ['2024-02-01', 5],
      ['2024-03-01', 10],
    ]);
    assert.deepEqual(by('hour', 2), [
      ['2024-02-29T10:00:00.000Z', 5],
      ['2024-03-10T12:00:00.000Z', 3],
      ['2024-03-10T23:00:00.000Z', 4],
    ]);
    const months = chartOf(table, null, Q('box', 0, 1, 'none', null, 'month'));
    assert.deepEqual(months.x.values, ['1900-02-01', '1969-12-01', '2022-06-01', '2024-02-01', '2024-03-01', '2100-03-01']);
    assert.deepEqual(months.box!.median, [7, 6, 9, 5, 2.5, 8]);
    // 'auto' picks the bucket from the view's span.
    const auto = (rows: number[]) => resolveChartQuery(table, Q('line', 0, 1, 'sum'), Uint32Array.from(rows))?.bucket;
    assert.equal(auto([0, 1]), 'hour');
    assert.equal(auto([0, 2, 4]), 'day');
    assert.equal(auto([4, 8]), 'week');
    assert.equal(auto([4, 5]), 'month');
  });

  it('five numbers by quickselect equal a sort-based numpy reference', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * (trial < 200 ? 40 : 5000));
      const dupes = rand() < 0.3;
      const vals = Array.from({ length: n }, () => (dupes ? Math.floor(rand() * 5) : Math.round(rand() * 1e6) / 100 - 5000));
      if (trial % 10 === 0) vals.sort((a, b) => a - b);
      if (trial % 10 === 1) vals.sort((a, b) => b - a);
      const sorted = [...vals].sort((a, b) => a - b);
      const got = fiveNumbers(Float64Array.from(vals))!;
      const want = [sorted[0], refQuantile(sorted, 0.25), refQuantile(sorted, 0.5), refQuantile(sorted, 0.75), sorted[n - 1]];
      got.forEach((g, i) => near(g, want[i], `trial ${trial} n=${n} #${i}`));
    }
    assert.equal(fiveNumbers(new Float64Array(0)), null);
    assert.deepEqual(fiveNumbers(Float64Array.of(1, 2, 3, 4)), [1, 1.75, 2.5, 3.25, 4]);
  });

  it('distinct counts per category when categories × values are too many for a bitset', async () => {
    // 12,000 rows: 11,000 categories × 12,000 values (the top is chosen from sorted pairs).
    const lines = ['x,y'];
    for (let i = 0; i < 12_000; i++) lines.push(`k${i % 11_000},${i}`);
    lines.push('k5,0', 'k5,1', 'k5,5'); // k5: 4 distinct values (5, 11005, 0, 1) over 5 rows
    const table = await tableOf(lines.join('\n') + '\n');
    const got = chartOf(table, null, Q('bar', 0, 1, 'distinct'), { maxCategories: 6 });
    const twos = Array.from({ length: 1000 }, (_, i) => `k${i}`)
      .filter((k) => k !== 'k5')
      .sort(refCompareText);
    assert.deepEqual(got.x.values, ['k5', ...twos.slice(0, 5)]);
    assert.deepEqual(got.series[0].values, [4, 2, 2, 2, 2, 2]);
    assert.equal(got.yLabel, 'y (distinct)');
    assert.equal(got.title, 'Distinct y values by x');
  });

  it('a text category with many distinct values: the top by count, ties in text order', async () => {
    // 3,000 distinct users (odd ones upper case); U7 and u8 twice, the rest once.
    const lines = ['user,v'];
    for (let i = 0; i < 3000; i++) lines.push(`${i % 2 ? 'U' : 'u'}${i},${i}`);
    lines.push('U7,1', 'u8,2', 'zz,1');
    const table = await tableOf(lines.join('\n') + '\n');
    const got = chartOf(table, null, Q('bar', 0, null, 'count'), { maxCategories: 5 });
    // Text order (case-folded first): after the two doubles come u0, U1, u10.
    const singles = Array.from({ length: 3000 }, (_, i) => `${i % 2 ? 'U' : 'u'}${i}`)
      .filter((s) => s !== 'U7' && s !== 'u8')
      .concat('zz')
      .sort(refCompareText);
    assert.deepEqual(singles.slice(0, 3), ['u0', 'U1', 'u10']);
    assert.deepEqual(got.x.values, ['U7', 'u8', ...singles.slice(0, 3)]);
    assert.deepEqual(got.series[0].values, [2, 2, 1, 1, 1]);
    assert.equal(got.note, 'Top 5 of 3,001 user values shown; 2,996 left out.');
    // A number column as categories (labels are the numbers as text).
    const nums = chartOf(table, null, Q('bar', 1, null, 'count'), { maxCategories: 3 });
    assert.deepEqual(nums.x.values, ['1', '2', '0']);
    assert.deepEqual(nums.series[0].values, [3, 2, 1]);
  });
});

describe('chart queries: auto choices and invalid queries', () => {
  it('auto: a date and a number → line of the sum per bucket; the query comes back concrete', async () => {
    const table = await tableOf('id,day,minutes,user_id\n1,2024-01-02,5,9\n2,2024-01-01,2,9\n3,2024-01-02,1,9\n4,,7,9\n');
    for (const q of [null, Q('auto', 3, 3, 'max', 2)]) {
      const p = computeChart(table, null, q);
      assert.deepEqual(p.query, { kind: 'line', x: 1, y: 2, agg: 'sum', split: null, bucket: 'hour' });
      assert.equal(p.note, null);
      assert.deepEqual(p.chart, {
        kind: 'line',
        title: 'Sum of minutes by hour',
        xLabel: 'day (hour)',
        yLabel: 'minutes (sum)',
        x: { type: 'time', values: ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'] },
        series: [{ name: 'minutes (sum)', values: [2, 6] }],
      });
    }
    const long = await tableOf('day,n\n2024-01-01,1\n2024-03-01,2\n2024-03-02,3\n');
    assert.deepEqual(resolveChartQuery(long, null), { kind: 'line', x: 0, y: 1, agg: 'sum', split: null, bucket: 'day' });
    assert.deepEqual(chartOf(long, null, null).series[0].values, [1, 2, 3]);
    const dateOnly = await tableOf('when,what\n2024-01-01,a b c d e f g h i j k l\n2021-01-05,x\n2024-01-01,y\n');
    const d = computeChart(dateOnly, null, null);
    assert.deepEqual(d.query, { kind: 'line', x: 0, y: null, agg: 'count', split: null, bucket: 'week' });
    assert.deepEqual(d.chart?.series, [{ name: 'rows', values: [1, 2] }]);
    assert.deepEqual(d.chart?.x.values, ['2021-01-04', '2024-01-01']);
  });

  it('auto: a category and a number → bars of the sum, largest first; a category alone → counts', async () => {
    const table = await tableOf('course,n,id\nA,1,1\nB,5,2\nA,2,3\n,4,4\n');
    const p = computeChart(table, null, null);
    assert.deepEqual(p.query, { kind: 'bar', x: 0, y: 1, agg: 'sum', split: null, bucket: 'auto' });
    assert.deepEqual(p.chart?.x.values, ['B', '(empty)', 'A']);
    assert.deepEqual(p.chart?.series, [{ name: 'n (sum)', values: [5, 4, 3] }]);
    assert.equal(p.chart?.title, 'Sum of n by course');
    const alone = await tableOf('user_id,course\nu1,A\nu2,B\nu3,A\n');
    const a = computeChart(alone, null, null);
    assert.deepEqual(a.query, { kind: 'bar', x: 1, y: null, agg: 'count', split: null, bucket: 'auto' });
    assert.deepEqual(a.chart?.series, [{ name: 'rows', values: [2, 1] }]);
    // More than 200 distinct values is no category.
    const wide = await tableOf('word,n\n' + Array.from({ length: 201 }, (_, i) => `w${i},${i}`).join('\n') + '\n');
    assert.equal(resolveChartQuery(wide, null)?.kind, 'histogram');
  });

  it('auto: one number → histogram of 20 bins; nothing to chart → a note', async () => {
    const table = await tableOf('score\n' + Array.from({ length: 100 }, (_, i) => i).join('\n') + '\n');
    const p = computeChart(table, null, null);
    assert.deepEqual(p.query, { kind: 'histogram', x: 0, y: null, agg: 'count', split: null, bucket: 'auto' });
    assert.equal(p.chart?.x.values.length, 20);
    assert.equal(p.chart?.x.values[0], '0–4.95');
    assert.deepEqual(p.chart?.series, [{ name: 'rows', values: new Array(20).fill(5) }]);
    const ids = await tableOf('id,user_id\n1,2\n3,4\n');
    assert.deepEqual(computeChart(ids, null, null), { chart: null, note: NO_COLUMN_NOTE, query: null });
    assert.equal(resolveChartQuery(ids, null), null);
    const empty = await tableOf('a,b\n');
    assert.deepEqual(computeChart(empty, null, null).note, NO_ROWS_NOTE);
  });

  it('invalid queries get a note saying what to pick, and the query clamped', async () => {
    const table = await tableOf('day,name,n,flag\n2024-01-01,a,1,true\n2024-01-02,b,2,false\n');
    const cases: [ChartQuery, string, Partial<ChartQuery>][] = [
      [Q('bar', 9, 2, 'sum'), 'Pick a column for x.', { x: null }],
      [Q('line', null, 2, 'sum'), 'Pick a column for x.', {}],
      [Q('bar', 1, null, 'sum'), 'Pick a number column for y: sum needs numbers.', {}],
      [Q('bar', 1, 1, 'sum'), 'Pick a number column for y: sum needs numbers.', {}],
      [Q('line', 0, 3, 'mean'), 'Pick a number column for y: mean needs numbers.', { bucket: 'hour' }],
      [Q('bar', 1, -1, 'max'), 'Pick a number column for y: max needs numbers.', { y: null }],
      [Q('bar', 1, null, 'distinct'), 'Pick a column for y: distinct counts its values.', {}],
      [Q('scatter', 1, 2, 'none'), 'Pick a number column for x: a scatter plot needs numbers.', {}],
      [Q('scatter', 2, 0, 'sum'), 'Pick a number column for y: a scatter plot needs numbers.', { agg: 'none' }],
      [Q('box', 1, 1, 'none'), 'Pick a number column for y: a box plot needs numbers.', {}],
      [Q('histogram', 1, null, 'count', 2), 'Pick a number or date column for x: a histogram needs one.', { split: null }],
      [Q('line', 1, 2, 'none'), 'Pick a date or number column for x: plotting rows as they are needs one.', {}],
      [Q('area', 0, 1, 'none'), 'Pick a number column for y: plotting rows as they are needs numbers.', { bucket: 'hour' }],
    ];
    for (const [q, note, changed] of cases) {
      const p = computeChart(table, null, q);
      assert.equal(p.chart, null, JSON.stringify(q));
      assert.equal(p.note, note, JSON.stringify(q));
      assert.deepEqual(p.query, { ...q, ...changed }, JSON.stringify(q));
    }
    // Bars of 'none' mean bars of the sum; an out-of-range split is dropped.
    const p = computeChart(table, null, Q('bar', 1, 2, 'none', 42));
    assert.deepEqual(p.query, Q('bar', 1, 2, 'sum'));
    assert.deepEqual(p.chart?.series, [{ name: 'n (sum)', values: [2, 1] }]);
    // A date x with no dates in the view.
    const nodates = await tableOf('day,n\n,1\n2024-01-01,2\n');
    assert.deepEqual(computeChart(nodates, Uint32Array.of(0), Q('line', 0, 1, 'sum', null, 'day')), {
      chart: null,
      note: 'No day values in this view to chart.',
      query: Q('line', 0, 1, 'sum', null, 'day'),
    });
  });
});

describe('chart queries: the automatic measure is a quantity, never a code', () => {
  it('a videoview-like export charts seconds watched per day, not the sum of section numbers or years', async () => {
    const csv =
      'institution_id,sectionNumber,year,session_start,duration_Minute,user_email\n' +
      '7,101,2026,2026-11-02T10:00:00Z,12,a@x.edu\n' +
      '7,102,2026,2026-11-03T10:00:00Z,30,b@x.edu\n' +
      '7,101,2026,2026-11-03T11:00:00Z,5,c@x.edu\n' +
      '7,103,2026,2026-11-09T09:00:00Z,1,d@x.edu\n';
    const p = computeChart(await tableOf(csv), null, null);
    assert.equal(p.query?.kind, 'line');
    assert.equal(p.query?.x, 3);
    assert.equal(p.query?.y, 4, 'duration_Minute is the measure');
    assert.equal(p.chart?.title, 'Sum of duration_Minute by day');
  });

  it('with only codes and a date, the chart counts rows per day', async () => {
    const csv =
      'course_code,sectionNumber,term,enrol_year,when\nBIO,1,202610,2026,2026-11-02\nBIO,2,202610,2025,2026-11-03\nCHEM,1,202610,2026,2026-11-03\n';
    const p = computeChart(await tableOf(csv), null, null);
    assert.deepEqual(
      { kind: p.query?.kind, x: p.query?.x, y: p.query?.y, agg: p.query?.agg },
      { kind: 'line', x: 4, y: null, agg: 'count' },
    );
    assert.deepEqual(p.chart?.series, [{ name: 'rows', values: [1, 2] }]);
  });

  it('a named quantity wins over a plain number that comes first; a neutral number is still used when it is all there is', async () => {
    const first = await tableOf('day,rating,seconds_watched\n2026-01-01,3,100\n2026-01-02,4,50\n');
    assert.equal(resolveChartQuery(first, null)?.y, 2);
    const plain = await tableOf('day,n\n2026-01-01,3\n2026-01-02,4\n');
    assert.equal(resolveChartQuery(plain, null)?.y, 1);
  });
});
