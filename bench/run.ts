/**
 * Benchmarks: print figures with their targets, as ratios against baselines measured in the same
 * run on the same machine. Never used by tests.
 *
 *   npm run bench                         full run (1,000,000 rows)
 *   node out/bench/run.js --rows 100000   quick run
 *   node out/bench/run.js --only ingest   one section (repeat --only for more)
 *
 * Other benches plug in by adding a BenchSection to `sections` (or calling runBench with their
 * own list); each gets the shared context: the generated file and lazily measured baselines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Table, TableBuilder, columnStats, createView, exportView, getWindow, groupBy, gunzipStream, histogram } from '../src/core/table';
import { mulberry32 } from '../test/fakes/random';

export interface BenchContext {
  rows: number;
  /** Where generated inputs live (git-ignored). */
  dir: string;
  /** The gzipped Echo360 videoview-like CSV with `rows` rows (generated on first use). */
  videoviewGz(): Promise<string>;
  /** `gunzip -c FILE | wc -l` wall time (ms), measured once per run. */
  gunzipMs(): Promise<number>;
  /** pandas read_csv time (ms), or undefined when pandas is not installed. */
  pandasMs(): Promise<number | undefined>;
  /** The table of the videoview file, ingested once per run and shared by sections. */
  table(): Promise<Table>;
  print(line: string): void;
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
 * Echo360 `videoview`-like rows: one per 30 s watched, in viewing sessions; ~20k users, ~2k
 * courses (4k sections), ~30k media, timestamps over one week (to the second), seconds 0–30.
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

async function ingestFile(file: string, onFirstRows?: (ms: number) => void): Promise<Table> {
  const t0 = performance.now();
  const builder = new TableBuilder();
  const src = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(gunzipStream());
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

/** Child mode: ingest one file and report time and this process's peak RSS. */
async function childIngest(file: string): Promise<void> {
  let firstRowsMs = NaN;
  const t0 = performance.now();
  const table = await ingestFile(file, (ms) => (firstRowsMs = ms));
  const ms = performance.now() - t0;
  const out = {
    ms,
    firstRowsMs,
    rows: table.rowCount,
    columns: table.columns.map((c) => c.type),
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function sh(cmd: string): { ms: number; stdout: string; ok: boolean } {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ms: performance.now() - t0, stdout: r.stdout ?? '', ok: r.status === 0 };
}

// ---------------------------------------------------------------------------------------------
// Sections

export const sections: BenchSection[] = [
  {
    name: 'baselines',
    async run(ctx) {
      const file = await ctx.videoviewGz();
      ctx.print(
        `input: ${path.basename(file)}, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB gzipped, ${ctx.rows.toLocaleString('en-US')} rows`,
      );
      ctx.print(`baseline gunzip -c | wc -l: ${fmtMs(await ctx.gunzipMs())}`);
      const pd = await ctx.pandasMs();
      ctx.print(
        pd === undefined
          ? 'baseline pandas read_csv: skipped (python3 -c "import pandas" failed; install pandas or set BENCH_PYTHON to compare)'
          : `baseline pandas read_csv: ${fmtMs(pd)}`,
      );
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
      const pd = await ctx.pandasMs();
      // Best of three fresh processes (the baselines are best-of too); peak RSS is the worst.
      type Child = { ms: number; firstRowsMs: number; rows: number; columns: string[]; maxRssKb: number };
      const runs: Child[] = [];
      for (let i = 0; i < 3; i++) {
        const r = spawnSync(process.execPath, [__filename, '--child-ingest', file], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (r.status !== 0) throw new Error(`ingest child failed: ${r.stderr}`);
        runs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Child);
      }
      const res = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
      res.maxRssKb = Math.max(...runs.map((r) => r.maxRssKb));
      const ratio = res.ms / floor;
      ctx.print(
        `ingest .gz: ${fmtMs(res.ms)} = ${ratio.toFixed(2)}× gunzip|wc -l (target ≤ 1.5×) ${verdict(ratio <= 1.5)}; ${Math.round(res.rows / (res.ms / 1000)).toLocaleString('en-US')} rows/s`,
      );
      if (pd !== undefined)
        ctx.print(`ingest .gz vs pandas: ${(res.ms / pd).toFixed(2)}× pandas read_csv (target ≤ 0.5×) ${verdict(res.ms / pd <= 0.5)}`);
      else ctx.print('ingest .gz vs pandas: skipped (no pandas)');
      const mb = res.maxRssKb / 1024;
      ctx.print(`ingest peak RSS: ${mb.toFixed(0)} MB (target ≤ 300 MB) ${verdict(mb <= 300)}`);
      ctx.print(`first 100 rows readable after: ${fmtMs(res.firstRowsMs)}; column types: ${res.columns.join(', ')}`);
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
      line(`sort ${n} by datetime view_start`, time(() => createView(table, { sort: [{ column: 'view_start', desc: true }] }), 3).ms, 300);
      line(
        `sort ${n} by course_name, view_start`,
        time(() => createView(table, { sort: [{ column: 'course_name' }, { column: 'view_start' }] }), 3).ms,
        1000,
      );
      const f = time(
        () =>
          createView(table, {
            filters: [
              { column: 'course_name', op: 'contains', value: 'biol' },
              { column: 'seconds_watched', op: 'range', min: 15 },
            ],
          }),
        3,
      );
      line(`filter course_name contains "biol" AND seconds_watched ≥ 15 (${f.result.rows.length.toLocaleString('en-US')} rows)`, f.ms, 200);
      const s = time(() => createView(table, { search: 'garcía' }), 3);
      line(`search "garcía" across all columns (${s.result.rows.length.toLocaleString('en-US')} rows)`, s.ms, 200);
      const g = time(
        () =>
          groupBy(
            table,
            null,
            ['course_name'],
            [{ op: 'count' }, { op: 'sum', column: 'seconds_watched' }, { op: 'mean', column: 'seconds_watched' }],
          ),
        3,
      );
      line(`group-by course_name: count, sum, mean (${g.result.rows.length} groups)`, g.ms, 300);
      const gd = time(
        () => groupBy(table, null, [{ column: 'view_start', bucket: 'hour' }], [{ op: 'count' }, { op: 'distinct', column: 'user_id' }]),
        1,
      );
      line(`group-by hour(view_start): count, distinct user_id (${gd.result.rows.length} groups)`, gd.ms, 300);
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

export function makeContext(opts: { rows: number; dir: string; print?: (line: string) => void }): BenchContext {
  const memo = <T>(f: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= f());
  };
  const ctx: BenchContext = {
    rows: opts.rows,
    dir: opts.dir,
    print: opts.print ?? ((l) => console.log(l)),
    videoviewGz: memo(async () => {
      fs.mkdirSync(opts.dir, { recursive: true });
      const file = path.join(opts.dir, `videoview-${opts.rows}.csv.gz`);
      if (!fs.existsSync(file)) {
        ctx.print(`generating ${file} …`);
        await generateVideoview(file, opts.rows);
      }
      return file;
    }),
    gunzipMs: memo(async () => {
      const file = await ctx.videoviewGz();
      sh(`gunzip -c '${file}' > /dev/null`); // warm the page cache so both sides read from memory
      const runs = [0, 1, 2].map(() => sh(`gunzip -c '${file}' | wc -l`).ms);
      return Math.min(...runs);
    }),
    pandasMs: memo(async () => {
      // BENCH_PYTHON picks the interpreter; else the first of python3 on PATH and the system one
      // (where Debian's python3-pandas installs) that has pandas.
      const candidates = process.env.BENCH_PYTHON ? [process.env.BENCH_PYTHON] : ['python3', '/usr/bin/python3'];
      const py = candidates.find((p) => sh(`${p} -c "import pandas"`).ok);
      if (!py) return undefined;
      const file = await ctx.videoviewGz();
      const r = sh(`${py} -c "import time,pandas; t=time.perf_counter(); pandas.read_csv('${file}'); print((time.perf_counter()-t)*1000)"`);
      return r.ok ? Number(r.stdout.trim()) : undefined;
    }),
    table: memo(async () => ingestFile(await ctx.videoviewGz())),
  };
  return ctx;
}

export async function runBench(opts: { rows?: number; only?: string[]; dir?: string; list?: BenchSection[] } = {}): Promise<void> {
  const ctx = makeContext({ rows: opts.rows ?? 1_000_000, dir: opts.dir ?? path.resolve('.bench') });
  const list = opts.list ?? sections;
  const chosen = opts.only && opts.only.length ? list.filter((s) => opts.only!.includes(s.name)) : list;
  if (chosen.length === 0) throw new Error(`no bench section named ${opts.only!.join(', ')}; have: ${list.map((s) => s.name).join(', ')}`);
  ctx.print(`node ${process.version}, ${process.platform}/${process.arch}`);
  for (const s of chosen) {
    ctx.print(`\n== ${s.name}`);
    await s.run(ctx);
  }
}

function parseCli(argv: string[]): { rows?: number; only: string[]; dir?: string } {
  const out: { rows?: number; only: string[]; dir?: string } = { only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') out.rows = Number(argv[++i]);
    else if (a === '--only') out.only.push(...argv[++i].split(','));
    else if (a === '--dir') out.dir = argv[++i];
    else throw new Error(`unknown option ${a} (use --rows N, --only NAME, --dir DIR)`);
  }
  if (out.rows !== undefined && !(Number.isInteger(out.rows) && out.rows > 0)) throw new Error('--rows needs a positive integer');
  return out;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  Promise.resolve()
    .then(() => (argv[0] === '--child-ingest' ? childIngest(argv[1]) : runBench(parseCli(argv))))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
