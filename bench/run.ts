/**
 * Benchmarks: print figures with their targets, as ratios against baselines measured in the same
 * run on the same machine. Never used by tests.
 *
 *   npm run bench                         full run (1,000,000 real-shaped rows, bench/realData.ts)
 *   npm run bench -- --rows 10000000      10M rows (generated once into .bench/)
 *   node out/bench/run.js --rows 100000   quick run
 *   node out/bench/run.js --only ingest   one section (repeat --only for more)
 *   node out/bench/run.js --best-case     also ingest the best-case file (repeating values, ~30:1)
 *
 * Other benches plug in by adding a BenchSection to `sections` (or calling runBench with their
 * own list); each gets the shared context: the generated file and lazily measured baselines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DEFAULT_LIMITS } from '../src/core/ingestLimits';
import { Table, TableBuilder, columnStats, createView, exportView, getWindow, groupBy, gunzipForIngest, histogram } from '../src/core/table';
import { ingestFileInWorker } from '../src/core/table/parseRemote';
import { mulberry32 } from '../test/fakes/random';
import { SHAPE, realVideoviewGz } from './realData';

export interface BenchContext {
  rows: number;
  /** Where generated inputs live (git-ignored). */
  dir: string;
  /** The real-shaped gzipped Echo360 videoview CSV with `rows` rows (generated on first use). */
  videoviewGz(): Promise<string>;
  /** Its decompressed size (bytes). */
  csvBytes(): Promise<number>;
  /** The best-case file: the same columns from a few repeating values (~30:1), for comparison only. */
  bestCaseGz(): Promise<string>;
  /** `gunzip -c FILE | wc -l` wall time (ms), measured once per run. */
  gunzipMs(): Promise<number>;
  /** The CPU time (ms, all processes) of that pipeline's fastest run. */
  gunzipCpuMs(): Promise<number>;
  /** pandas `read_csv` of the file (time in ms, the process's peak RSS), or undefined when pandas is not installed. */
  pandas(): Promise<Baseline | undefined>;
  /**
   * DuckDB `CREATE TABLE AS SELECT * FROM read_csv(file)` (all cores), or undefined when the
   * optional dev dependency `@duckdb/node-api` is not installed.
   */
  duckdb(): Promise<Baseline | undefined>;
  /** The table of the videoview file, ingested once per run and shared by sections. */
  table(): Promise<Table>;
  print(line: string): void;
  /** Also ingest the best-case file. */
  bestCase: boolean;
}

/** A reference tool's load of the same file, in a process of its own. */
export interface Baseline {
  ms: number;
  maxRssKb: number;
  /** What ran, for the printout ("pandas 1.5.3", "DuckDB v1.2.0"). */
  what: string;
}

export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Data

function uuid(rand: () => number): string {
  const h = () =>
    Math.floor(rand() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-a${h().slice(1)}-${h()}${h()}${h()}`;
}

const FIRST = [
  'Ava',
  'Liam',
  'Noah',
  'Emma',
  'Mia',
  'Zoë',
  'Lucas',
  'Chloé',
  'Mateo',
  'Aisha',
  'Wei',
  'Priya',
  'José',
  'Olivia',
  'Ethan',
  'Sofia',
  'Hiroshi',
  'Fatima',
  'Jack',
  'Amélie',
];
const LAST = [
  'Smith',
  'Nguyen',
  'García',
  "O'Brien",
  'Müller',
  'Kim',
  'Patel',
  'Jones',
  'Rossi',
  'Dubois',
  'Chen',
  'Silva',
  'Kowalski',
  'Brown',
  'Ahmed',
  'Taylor',
  'Ivanova',
  'Lee',
  'Martin',
  'Wilson',
];
const SUBJECTS = ['BIOL', 'CHEM', 'PHYS', 'MATH', 'HIST', 'ECON', 'PSYC', 'ENGL', 'COMP', 'STAT', 'PHIL', 'MUSC'];
const TOPICS = ['Introduction', 'Foundations', 'Methods', 'Advanced Topics', 'Seminar', 'Laboratory', 'Theory', 'Applications'];

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export const VIDEOVIEW_HEADER = [
  'institution_id',
  'user_id',
  'user_email',
  'user_name',
  'course_id',
  'course_name',
  'section_id',
  'section_name',
  'media_id',
  'media_name',
  'view_start',
  'view_date',
  'seconds_watched',
  'live',
];

/**
 * The best-case file (repeating values): Echo360 `videoview`-like rows, one per 30 s watched, in
 * long viewing sessions written one after the other, so gzip finds most of each row in the row
 * before it (~30:1). Kept to compare with; the figures that count come from bench/realData.ts.
 */
export async function generateVideoview(file: string, rows: number, seed = 42): Promise<void> {
  const rand = mulberry32(seed);
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
  const institution = uuid(rand);
  const users = Array.from({ length: 20000 }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    return {
      id: uuid(rand),
      email: `${first}.${last}${i}@uni.example.edu`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
      name: rand() < 0.1 ? `${last}, ${first}` : `${first} ${last}`,
    };
  });
  const courses = Array.from({ length: 2000 }, (_, i) => ({
    id: uuid(rand),
    name: `${pick(SUBJECTS)} ${100 + (i % 400)} - ${pick(TOPICS)}`,
  }));
  const sections = Array.from({ length: 4000 }, (_, i) => ({
    id: uuid(rand),
    course: courses[i % 2000],
    name: `Section ${String(1 + Math.floor(i / 2000)).padStart(2, '0')}`,
  }));
  const media = Array.from({ length: 30000 }, (_, i) => ({
    id: uuid(rand),
    section: sections[i % 4000],
    name: `Lecture ${1 + Math.floor(i / 4000)}: ${pick(TOPICS)} part ${1 + (i % 7)}`,
  }));
  const weekStart = Date.UTC(2024, 2, 4); // a Monday
  const tmp = file + '.tmp';
  let written = 0;
  async function* lines() {
    yield VIDEOVIEW_HEADER.join(',') + '\n';
    let batch: string[] = [];
    while (written < rows) {
      const u = pick(users);
      const m = pick(media);
      const s = m.section;
      const live = rand() < 0.05 ? 'true' : 'false';
      let t = weekStart + Math.floor(rand() * 7 * 86400) * 1000;
      const len = 5 + Math.floor(rand() * 55);
      for (let k = 0; k < len && written < rows; k++, written++) {
        const iso = new Date(t).toISOString();
        const secs = k === len - 1 ? Math.floor(rand() * 31) : 30;
        batch.push(
          [
            institution,
            u.id,
            u.email,
            csvCell(u.name),
            s.course.id,
            s.course.name,
            s.id,
            s.name,
            m.id,
            m.name,
            iso.slice(0, 19) + 'Z',
            iso.slice(0, 10),
            secs,
            live,
          ].join(',') + '\n',
        );
        t += 30000;
      }
      if (batch.length >= 5000) {
        yield batch.join('');
        batch = [];
      }
    }
    if (batch.length) yield batch.join('');
  }
  await pipeline(Readable.from(lines()), zlib.createGzip({ level: 6 }), fs.createWriteStream(tmp));
  fs.renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------
// Measuring

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

function verdict(ok: boolean): string {
  return ok ? 'ok' : 'MISSED';
}

/** Best of `runs` timings of fn (first result kept), in ms. */
export function time<T>(fn: () => T, runs = 1): { ms: number; result: T } {
  let best = Infinity;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = fn();
    const ms = performance.now() - t0;
    if (i === 0) result = r;
    best = Math.min(best, ms);
  }
  return { ms: best, result };
}

async function ingestFile(file: string, onFirstRows?: (ms: number) => void, worker = true): Promise<Table> {
  const t0 = performance.now();
  const builder = new TableBuilder();
  const src = gunzipForIngest({ path: file }, { limits: DEFAULT_LIMITS, label: file, worker });
  let first = false;
  return builder.ingest(src, {
    onProgress: (rows) => {
      if (!first && rows >= 100) {
        first = true;
        onFirstRows?.(performance.now() - t0);
      }
    },
  });
}

interface ChildResult {
  ms: number;
  cpuMs: number;
  firstRowsMs: number;
  rows: number;
  columns: string[];
  maxRssKb: number;
}

/**
 * Child mode: ingest one file and report time, CPU time (all threads) and this process's peak
 * RSS. `how`: `worker` / `thread` (the library, gunzip on a worker thread or in this one), `split`
 * (the library, read, inflated and tokenized on a worker thread: parseRemote.ts) or
 * `cli` (`insights inspect FILE` from the production bundle dist/cli.js, as a user runs it).
 */
async function childIngest(file: string, how: string): Promise<void> {
  let firstRowsMs = NaN;
  const cli = how === 'cli' ? (require(path.resolve('dist/cli.js')) as { main(argv: string[]): Promise<number> }) : undefined;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let rows: number;
  let columns: string[];
  if (cli) {
    let json = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => ((json += chunk), true)) as typeof process.stdout.write;
    const code = await cli.main(['inspect', file]);
    process.stdout.write = write;
    if (code !== 0) throw new Error(`insights inspect exited with ${code}`);
    const r = JSON.parse(json) as { rows: number; columns: { type: string }[] };
    rows = r.rows;
    columns = r.columns.map((c) => c.type);
  } else if (how === 'split') {
    const table = await ingestFileInWorker({ path: file, gz: file.endsWith('.gz'), limits: DEFAULT_LIMITS, label: file });
    if (!table) throw new Error('the parsing worker did not start (npx tsc -p tsconfig.test.json builds it)');
    rows = table.rowCount;
    columns = table.columns.map((c) => c.type);
  } else {
    const table = await ingestFile(file, (ms) => (firstRowsMs = ms), how !== 'thread');
    rows = table.rowCount;
    columns = table.columns.map((c) => c.type);
  }
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const out: ChildResult = { ms, cpuMs: (used.user + used.system) / 1000, firstRowsMs, rows, columns, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** Best wall time of `runs` fresh child processes (the baselines are best-of too); peak RSS is the worst. */
function ingestChildren(file: string, how: string, runs: number): ChildResult {
  const all: ChildResult[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [__filename, '--child-ingest', file, how], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`ingest child (${how}) failed: ${r.stderr}`);
    all.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult);
  }
  const best = all.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { ...best, maxRssKb: Math.max(...all.map((r) => r.maxRssKb)) };
}

function sh(cmd: string): { ms: number; stdout: string; ok: boolean } {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ms: performance.now() - t0, stdout: r.stdout ?? '', ok: r.status === 0 };
}

/** `cmd`'s wall time and its children's CPU time (user + sys, from the shell's `times`). */
function shTimed(cmd: string): { ms: number; cpuMs: number } {
  const r = sh(`${cmd} >/dev/null; times`);
  const t = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(r.stdout.trim());
  return { ms: r.ms, cpuMs: t ? (Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4])) * 1000 : NaN };
}

const mbOf = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------------
// Sections

export const sections: BenchSection[] = [
  {
    name: 'baselines',
    async run(ctx) {
      const file = await ctx.videoviewGz();
      const gz = fs.statSync(file).size;
      const csv = await ctx.csvBytes();
      ctx.print(
        `input (real-shaped, bench/realData.ts): ${path.basename(file)}, ${ctx.rows.toLocaleString('en-US')} rows, ${mbOf(csv)} of CSV (${(csv / ctx.rows).toFixed(0)} B/row), ${mbOf(gz)} gzipped, ${(csv / gz).toFixed(2)}:1`,
      );
      ctx.print(`baseline gunzip -c | wc -l: ${fmtMs(await ctx.gunzipMs())} wall, ${fmtMs(await ctx.gunzipCpuMs())} CPU`);
      const pd = await ctx.pandas();
      ctx.print(
        pd === undefined
          ? 'baseline pandas read_csv: skipped (python3 -c "import pandas" failed; install pandas or set BENCH_PYTHON to compare)'
          : `baseline ${pd.what} read_csv: ${fmtMs(pd.ms)}, peak RSS ${(pd.maxRssKb / 1024).toFixed(0)} MB`,
      );
      const db = await ctx.duckdb();
      ctx.print(
        db === undefined
          ? 'baseline DuckDB CREATE TABLE AS read_csv: skipped (@duckdb/node-api, a dev dependency, is not installed: npm ci)'
          : `baseline ${db.what} CREATE TABLE AS SELECT * FROM read_csv (${os.cpus().length} threads): ${fmtMs(db.ms)}, peak RSS ${(db.maxRssKb / 1024).toFixed(0)} MB`,
      );
      ctx.print(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${os.loadavg()[0].toFixed(1)} now (wall times on a busy machine are noisy; CPU times less so)`);
    },
  },
  {
    name: 'papaparse',
    async run(ctx) {
      // Why the engine has its own tokenizer: papaparse alone, with the bytes decoded for it first.
      const file = await ctx.videoviewGz();
      const Papa = (await import('papaparse')).default;
      const t0 = performance.now();
      let rows = 0;
      await new Promise<void>((resolve, reject) => {
        const src = fs
          .createReadStream(file)
          .pipe(zlib.createGunzip({ chunkSize: 1 << 18 }))
          .setEncoding('utf8');
        Papa.parse<unknown, NodeJS.ReadableStream>(src, {
          step: () => void rows++,
          complete: () => resolve(),
          error: (e: Error) => reject(e),
        });
      });
      const ms = performance.now() - t0;
      ctx.print(
        `papaparse (decode + parse only, no columns): ${fmtMs(ms)} = ${(ms / (await ctx.gunzipMs())).toFixed(2)}× gunzip|wc -l (for comparison; ${rows} rows)`,
      );
    },
  },
  {
    name: 'ingest',
    async run(ctx) {
      const file = await ctx.videoviewGz();
      const floor = await ctx.gunzipMs();
      const floorCpu = await ctx.gunzipCpuMs();
      const pd = await ctx.pandas();
      const db = await ctx.duckdb();
      const big = ctx.rows >= 5_000_000;
      // Best of three fresh processes (one at 10M rows: each takes minutes on a busy machine).
      const runs = big ? 1 : 3;
      const res = ingestChildren(file, 'cli', runs);
      const ratio = res.ms / floor;
      const target = { rss: big ? 2500 : 250 };
      ctx.print(
        `insights inspect (read, inflated and tokenized on a worker thread, columns built on the main one): ${fmtMs(res.ms)} = ${ratio.toFixed(2)}× gunzip|wc -l (target ≤ 1.2×) ${verdict(ratio <= 1.2)}; ` +
          `CPU ${fmtMs(res.cpuMs)} = ${(res.cpuMs / floorCpu).toFixed(2)}× the pipeline's CPU; best of ${runs}`,
      );
      const mb = res.maxRssKb / 1024;
      ctx.print(
        `  per row: ${(res.ms / res.rows).toFixed(5)} ms/row wall, ${(res.cpuMs / res.rows).toFixed(5)} ms/row CPU, ${Math.round(res.rows / (res.ms / 1000)).toLocaleString('en-US')} rows/s; ` +
          `peak RSS ${mb.toFixed(0)} MB = ${((res.maxRssKb * 1024) / res.rows).toFixed(0)} bytes/row (target ≤ ${target.rss} MB) ${verdict(mb <= target.rss)}`,
      );
      if (pd !== undefined)
        ctx.print(
          `  vs pandas: ${(res.ms / pd.ms).toFixed(2)}× ${pd.what} read_csv (target ≤ 0.35×) ${verdict(res.ms / pd.ms <= 0.35)}; ` +
            `memory ${(res.maxRssKb / pd.maxRssKb).toFixed(2)}× its peak RSS`,
        );
      else ctx.print('  vs pandas: skipped (no pandas)');
      if (db !== undefined)
        ctx.print(
          `  vs DuckDB: ${(res.ms / db.ms).toFixed(2)}× ${db.what} CREATE TABLE AS read_csv (target ≤ 0.8×) ${verdict(res.ms / db.ms <= 0.8)}; ` +
            `memory ${(res.maxRssKb / db.maxRssKb).toFixed(2)}× its peak RSS`,
        );
      else ctx.print('  vs DuckDB: skipped (no @duckdb/node-api)');
      // The library alone (what the preview runs; the CLI also words its column summary), with the
      // .gz inflated on a worker thread and in the parser's thread (zlib then inflates on libuv's
      // pool, itself another thread): the worker's gain, same work on both sides.
      const lib = ingestChildren(file, 'worker', runs);
      const thread = ingestChildren(file, 'thread', runs);
      const split = ingestChildren(file, 'split', runs);
      ctx.print(
        `  the library, read + inflated + tokenized on a worker thread, columns built on this one (what inspect runs): ${fmtMs(split.ms)} = ${(split.ms / floor).toFixed(2)}×, ` +
          `CPU ${fmtMs(split.cpuMs)}, peak RSS ${(split.maxRssKb / 1024).toFixed(0)} MB; ÷ inflated on a worker thread, parsed on this one: ${(split.ms / lib.ms).toFixed(2)}× the time, ${(split.maxRssKb / lib.maxRssKb).toFixed(2)}× the memory`,
      );
      ctx.print(
        `  the library alone: worker thread ${fmtMs(lib.ms)} = ${(lib.ms / floor).toFixed(2)}×, CPU ${fmtMs(lib.cpuMs)}, peak RSS ${(lib.maxRssKb / 1024).toFixed(0)} MB; ` +
          `gunzip in the parser's thread ${fmtMs(thread.ms)} = ${(thread.ms / floor).toFixed(2)}×, CPU ${fmtMs(thread.cpuMs)}, peak RSS ${(thread.maxRssKb / 1024).toFixed(0)} MB; ` +
          `worker ÷ in-thread: ${(lib.ms / thread.ms).toFixed(2)}× the time, ${(lib.maxRssKb / thread.maxRssKb).toFixed(2)}× the memory (best of ${runs} each)`,
      );
      if (!big) ctx.print(`  first 100 rows readable after: ${fmtMs(lib.firstRowsMs)} (worker), ${fmtMs(thread.firstRowsMs)} (in-thread); column types: ${res.columns.join(', ')}`);
      // Kept per row count so the 10M run can show how the cost grows from the 1M run (an earlier run).
      const log = path.join(ctx.dir, `ingest-results-${SHAPE}.json`); // results of one file shape only
      const all = (fs.existsSync(log) ? JSON.parse(fs.readFileSync(log, 'utf8')) : {}) as Record<string, ChildResult & { floor: number; at: string }>;
      all[ctx.rows] = { ...res, floor, at: new Date().toISOString() };
      fs.writeFileSync(log, JSON.stringify(all, null, 1));
      for (const [n, r] of Object.entries(all)) {
        if (Number(n) >= ctx.rows) continue;
        const k = ctx.rows / Number(n);
        ctx.print(
          `  growth from ${Number(n).toLocaleString('en-US')} rows (run at ${r.at}): ×${k} rows took ×${(res.ms / r.ms).toFixed(2)} the time (target ≤ ×${(k * 1.1).toFixed(0)}), ` +
            `×${(res.cpuMs / r.cpuMs).toFixed(2)} the CPU; the floor grew ×${(floor / r.floor).toFixed(2)}`,
        );
      }
      if (ctx.bestCase) {
        const easy = await ctx.bestCaseGz();
        sh(`gunzip -c '${easy}' > /dev/null`);
        const easyFloor = Math.min(...[0, 1, 2].map(() => sh(`gunzip -c '${easy}' | wc -l`).ms));
        const e = ingestChildren(easy, 'cli', runs);
        ctx.print(
          `best case (repeating values, ${mbOf(fs.statSync(easy).size)} gzipped): insights inspect ${fmtMs(e.ms)} = ${(e.ms / easyFloor).toFixed(2)}× its gunzip|wc -l (${fmtMs(easyFloor)}), ` +
            `peak RSS ${(e.maxRssKb / 1024).toFixed(0)} MB; not the figure that counts`,
        );
      }
    },
  },
  {
    name: 'ops',
    async run(ctx) {
      const table = await ctx.table();
      const n = table.rowCount.toLocaleString('en-US');
      const line = (what: string, ms: number, target: number) =>
        ctx.print(`${what}: ${fmtMs(ms)} (target ≤ ${fmtMs(target)}) ${verdict(ms <= target)}`);
      const cold = time(() => createView(table, { sort: [{ column: 'user_email' }] }));
      line(`sort ${n} by string user_email (first sort, ranks the dictionary)`, cold.ms, 1000);
      line(
        `sort ${n} by string user_email (ranks cached)`,
        time(() => createView(table, { sort: [{ column: 'user_email', desc: true }] }), 3).ms,
        1000,
      );
      line(`sort ${n} by number seconds_watched`, time(() => createView(table, { sort: [{ column: 'seconds_watched' }] }), 3).ms, 300);
      line(`sort ${n} by datetime view_time`, time(() => createView(table, { sort: [{ column: 'view_time', desc: true }] }), 3).ms, 300);
      line(
        `sort ${n} by course_code, view_time`,
        time(() => createView(table, { sort: [{ column: 'course_code' }, { column: 'view_time' }] }), 3).ms,
        1000,
      );
      const f = time(
        () =>
          createView(table, {
            filters: [
              { column: 'course_code', op: 'contains', value: 'biol' },
              { column: 'seconds_watched', op: 'range', min: 15 },
            ],
          }),
        3,
      );
      line(`filter course_code contains "biol" AND seconds_watched ≥ 15 (${f.result.rows.length.toLocaleString('en-US')} rows)`, f.ms, 200);
      const s = time(() => createView(table, { search: 'garcía' }), 3);
      line(`search "garcía" across all columns (${s.result.rows.length.toLocaleString('en-US')} rows)`, s.ms, 200);
      const g = time(
        () =>
          groupBy(
            table,
            null,
            ['course_code'],
            [{ op: 'count' }, { op: 'sum', column: 'seconds_watched' }, { op: 'mean', column: 'seconds_watched' }],
          ),
        3,
      );
      line(`group-by course_code: count, sum, mean (${g.result.rows.length} groups)`, g.ms, 300);
      const gd = time(
        () => groupBy(table, null, [{ column: 'view_time', bucket: 'hour' }], [{ op: 'count' }, { op: 'distinct', column: 'user_id' }]),
        1,
      );
      line(`group-by hour(view_time): count, distinct user_id (${gd.result.rows.length} groups)`, gd.ms, 300);
      line('histogram seconds_watched', time(() => histogram(table, null, 'seconds_watched'), 3).ms, 300);
      line('column stats user_email', time(() => columnStats(table, 'user_email'), 3).ms, 300);
      const sorted = cold.result;
      const w = time(() => getWindow(sorted, Math.floor(sorted.rows.length / 2), 200), 5);
      line('window of 200 rows from the middle of a sorted view', w.ms, 5);
      const t0 = performance.now();
      let chars = 0;
      for await (const chunk of exportView(table, sorted, 'csv', { formulaGuard: true })) chars += chunk.length;
      ctx.print(
        `export sorted view as CSV with formula guard: ${fmtMs(performance.now() - t0)} (${(chars / 1e6).toFixed(0)} M chars; no target)`,
      );
    },
  },
  {
    name: 'cancel',
    async run(ctx) {
      const { benchCancel } = await import('./cancel');
      await benchCancel((l) => ctx.print(l), fmtMs, verdict);
    },
  },
  {
    name: 'hogql',
    async run(ctx) {
      // Fetch all of 1,000,000 events from the PostHog fake, against a curl loop over the same pages.
      const { benchHogQL } = await import('./hogql');
      await benchHogQL({ rows: Math.min(ctx.rows, 1_000_000) });
    },
  },
  {
    name: 'echo360',
    async run(ctx) {
      // Download + merge of a report from the fake Echo360 (signed URL, gzip), against curl | gunzip | wc.
      const { benchEcho360 } = await import('./echo360');
      await benchEcho360({ rows: ctx.rows });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Runner

export function makeContext(opts: { rows: number; dir: string; bestCase?: boolean; print?: (line: string) => void }): BenchContext {
  const memo = <T>(f: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= f());
  };
  const real = memo(() => realVideoviewGz(opts.dir, opts.rows, (l) => ctx.print(l)));
  const floor = memo(async () => {
    const file = await ctx.videoviewGz();
    sh(`gunzip -c '${file}' > /dev/null`); // warm the page cache so both sides read from memory
    const runs = [0, 1, 2].map(() => shTimed(`gunzip -c '${file}' | wc -l`));
    return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  });
  const ctx: BenchContext = {
    rows: opts.rows,
    bestCase: opts.bestCase ?? false,
    dir: opts.dir,
    print: opts.print ?? ((l) => console.log(l)),
    videoviewGz: memo(async () => (await real()).file),
    csvBytes: memo(async () => (await real()).csvBytes),
    bestCaseGz: memo(async () => {
      fs.mkdirSync(opts.dir, { recursive: true });
      const file = path.join(opts.dir, `videoview-${opts.rows}.csv.gz`);
      if (!fs.existsSync(file)) {
        ctx.print(`generating ${file} (best case: repeating values) …`);
        await generateVideoview(file, opts.rows);
      }
      return file;
    }),
    gunzipMs: memo(async () => (await floor()).ms),
    gunzipCpuMs: memo(async () => (await floor()).cpuMs),
    pandas: memo(async () => {
      // BENCH_PYTHON picks the interpreter; else the first of python3 on PATH and the system one
      // (where Debian's python3-pandas installs) that has pandas.
      const candidates = process.env.BENCH_PYTHON ? [process.env.BENCH_PYTHON] : ['python3', '/usr/bin/python3'];
      const py = candidates.find((p) => sh(`${p} -c "import pandas"`).ok);
      if (!py) return undefined;
      const file = await ctx.videoviewGz();
      // ru_maxrss is in KiB on Linux.
      const code = `import time,resource,json,pandas; t=time.perf_counter(); df=pandas.read_csv('${file}'); ms=(time.perf_counter()-t)*1000; print(json.dumps({'ms':ms,'rows':len(df),'maxRssKb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,'version':pandas.__version__}))`;
      const r = sh(`${py} -c "${code}"`);
      if (!r.ok) return undefined;
      const j = JSON.parse(r.stdout.trim()) as { ms: number; rows: number; maxRssKb: number; version: string };
      if (j.rows !== ctx.rows) throw new Error(`pandas read ${j.rows} rows, not ${ctx.rows}`);
      return { ms: j.ms, maxRssKb: j.maxRssKb, what: `pandas ${j.version}` };
    }),
    duckdb: memo(async () => {
      const file = await ctx.videoviewGz();
      // A child of its own, so its peak RSS is DuckDB's alone. The module is resolved from this
      // project (an optional dev dependency: the bench skips DuckDB without it).
      const script = [
        `const { DuckDBInstance, version } = await import(${JSON.stringify('@duckdb/node-api')});`,
        `const db = await DuckDBInstance.create(':memory:');`,
        `const con = await db.connect();`,
        `const t = performance.now();`,
        // The path as an SQL string literal (a quote doubled), from the child's argv.
        `const file = "'" + process.argv[1].replaceAll("'", "''") + "'";`,
        'await con.run(`CREATE TABLE t AS SELECT * FROM read_csv(${file})`);',
        `const ms = performance.now() - t;`,
        `const rows = Number((await con.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);`,
        `console.log(JSON.stringify({ ms, rows, maxRssKb: process.resourceUsage().maxRSS, version: version() }));`,
      ].join('\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { encoding: 'utf8', cwd: path.resolve(__dirname, '..', '..') });
      if (r.status !== 0) {
        if (/Cannot find (package|module) '@duckdb\/node-api'/.test(r.stderr)) return undefined;
        throw new Error(`DuckDB baseline failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
      }
      const j = JSON.parse(r.stdout.trim()) as { ms: number; rows: number; maxRssKb: number; version: string };
      if (j.rows !== ctx.rows) throw new Error(`DuckDB read ${j.rows} rows, not ${ctx.rows}`);
      return { ms: j.ms, maxRssKb: j.maxRssKb, what: `DuckDB ${j.version}` };
    }),
    table: memo(async () => ingestFile(await ctx.videoviewGz())),
  };
  return ctx;
}

export async function runBench(opts: { rows?: number; only?: string[]; dir?: string; bestCase?: boolean; list?: BenchSection[] } = {}): Promise<void> {
  const ctx = makeContext({ rows: opts.rows ?? 1_000_000, dir: opts.dir ?? path.resolve('.bench'), bestCase: opts.bestCase });
  const list = opts.list ?? sections;
  const chosen = opts.only && opts.only.length ? list.filter((s) => opts.only!.includes(s.name)) : list;
  if (chosen.length === 0) throw new Error(`no bench section named ${opts.only!.join(', ')}; have: ${list.map((s) => s.name).join(', ')}`);
  ctx.print(`node ${process.version}, ${process.platform}/${process.arch}`);
  for (const s of chosen) {
    ctx.print(`\n== ${s.name}`);
    await s.run(ctx);
  }
}

function parseCli(argv: string[]): { rows?: number; only: string[]; dir?: string; bestCase?: boolean } {
  const out: { rows?: number; only: string[]; dir?: string; bestCase?: boolean } = { only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') out.rows = Number(argv[++i]);
    else if (a === '--only') out.only.push(...argv[++i].split(','));
    else if (a === '--dir') out.dir = argv[++i];
    else if (a === '--best-case') out.bestCase = true;
    else throw new Error(`unknown option ${a} (use --rows N, --only NAME, --dir DIR, --best-case)`);
  }
  if (out.rows !== undefined && !(Number.isInteger(out.rows) && out.rows > 0)) throw new Error('--rows needs a positive integer');
  return out;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  Promise.resolve()
    .then(() => (argv[0] === '--child-ingest' ? childIngest(argv[1], argv[2] ?? 'worker') : runBench(parseCli(argv))))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
