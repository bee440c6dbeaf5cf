/**
 * Echo360 download + merge benchmark: a generated ~1M-row videoview report (~275 MB of CSV, one
 * row per 30 s watched) served gzipped by the fake's "S3" server, downloaded and merged by the
 * same code as `insights echo360 run`, against `curl -s URL | gunzip | wc -l` on the same link.
 *
 * Prints figures, never asserts them (targets: ≤ 1.5× curl, peak RSS ≤ 300 MB). The fake runs in
 * a child process so its disk reads and socket writes neither share our event loop nor count in
 * our RSS. The report file is generated once into `.bench/` (git-ignored).
 *
 * Alone: `node out/bench/echo360.js [--rows N]` after `npm run compile-tests`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Echo360Client } from '../src/core/sources/echo360/client';
import { downloadRun } from '../src/core/sources/echo360/download';
import { EchoReportQueue, MemoryQueueStore } from '../src/core/sources/echo360/queue';
import { EchoDelimiter } from '../src/core/sources/echo360/types';
import { startEcho360Fake } from '../test/fakes/echo360';
import { writeReportFile } from '../test/fakes/echo360Data';
import { measured, startFakeProcess } from './fakeProcess';

const DAY = 86_400_000;

interface FakeInfo {
  url: string;
  clientId: string;
  clientSecret: string;
}

function benchDir(): string {
  const dir = path.resolve(process.cwd(), '.bench');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Child-process side: make the report file if needed, serve it, report the fake's URL. */
async function serveFake(file: string, rows: number): Promise<void> {
  if (!fs.existsSync(file)) {
    const started = Date.now();
    process.stderr.write(
      `echo360 bench: generating ${rows.toLocaleString('en')} videoview rows into ${path.relative(process.cwd(), file)} (once)…\n`,
    );
    const tmp = `${file}.${process.pid}.tmp`;
    // `spread`: every row its own viewer and video, so the file compresses like a campus-wide
    // export (~3.5×) rather than like one long session (~30×).
    await writeReportFile(tmp, {
      report: 'videoview',
      rows,
      startDay: Math.floor(Date.now() / DAY) * DAY - 8 * DAY,
      days: 7,
      spread: true,
    });
    fs.renameSync(tmp, file);
    process.stderr.write(`echo360 bench: generated in ${secs(Date.now() - started)}\n`);
  }
  const fake = await startEcho360Fake({ pendingMs: 0, rateLimit: false, fixedAssets: { videoview: file } });
  process.send?.({ url: fake.url, clientId: fake.clientId, clientSecret: fake.clientSecret } satisfies FakeInfo);
}

function curlBaseline(link: string): Promise<{ ms: number; lines: number; cpuMs?: number } | undefined> {
  return new Promise((resolve) => {
    const started = Date.now();
    // The link is passed as an argument, never through a shell string: it stays byte-for-byte.
    // `times` then prints the pipeline's CPU time (its second line: the children's user and sys).
    const sh = spawn('bash', ['-c', 'curl -s "$1" | gunzip | wc -l; times', 'bench', link], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sh.on('error', () => resolve(undefined));
    sh.on('close', (code) => {
      const ms = Date.now() - started;
      const [count, , children] = out.trim().split('\n');
      const t = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(children ?? '');
      const cpuMs = t ? (Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4])) * 1000 : undefined;
      resolve(code === 0 && count?.trim() ? { ms, lines: Number(count.trim()), cpuMs } : undefined);
    });
  });
}

export async function benchEcho360(opts: { rows: number }): Promise<void> {
  const rows = Math.max(1000, Math.floor(opts.rows));
  const dir = benchDir();
  const file = path.join(dir, `echo360-videoview-spread-${rows}.csv.gz`);
  const { child, info } = await startFakeProcess<FakeInfo>(__filename, [file, String(rows)]);
  const client = new Echo360Client({ baseUrl: info.url, credentials: { clientId: info.clientId, clientSecret: info.clientSecret } });
  const queue = new EchoReportQueue({ client, store: new MemoryQueueStore(), pollIntervalMs: 50 });
  const day = new Date(Math.floor(Date.now() / DAY) * DAY - 2 * DAY).toISOString().slice(0, 10);
  const end = new Date(Date.parse(day) + DAY).toISOString().slice(0, 10);
  try {
    const download = async (delimiter: EchoDelimiter, name: string) => {
      const run = await queue.enqueue({ reportName: 'videoview', range: { start: day, end }, output: { delimiter: ',' } });
      await queue.waitForRun(run.id);
      const out = path.join(dir, name);
      const m = await measured(() => downloadRun(client, queue, run.id, { outFile: out, delimiter }));
      return { ...m, requestId: queue.getRun(run.id)!.chunks[0].requestId! };
    };

    const fast = await download(',', 'echo360-merged.csv');
    const r = fast.value;
    const link = (await client.getRequest(fast.requestId)).signedAssets[0];
    const curl = await curlBaseline(link);
    const convert = await download('|', 'echo360-merged.psv');
    const gz = fs.statSync(file).size;

    const ratio = curl
      ? `${(r.totalMs / curl.ms).toFixed(2)}× wall${curl.cpuMs ? `, ${(fast.cpuMs / curl.cpuMs).toFixed(2)}× CPU` : ''}`
      : '';
    const lines = [
      `echo360 bench: videoview ${r.rows.toLocaleString('en')} rows, ${mb(r.bytes)} CSV, ${mb(gz)} gzipped`,
      `  download + merge (fast path , → ,): ${secs(r.totalMs)} total, first rows after ${r.firstRowsMs ?? '-'} ms, ` +
        `${(r.bytes / 1e6 / (r.totalMs / 1000)).toFixed(0)} MB/s of CSV, CPU ${secs(fast.cpuMs)}, peak RSS ${mb(fast.peak)}`,
      `  download + merge (convert , → |):   ${secs(convert.value.totalMs)} total, first rows after ${convert.value.firstRowsMs ?? '-'} ms, ` +
        `CPU ${secs(convert.cpuMs)}, peak RSS ${mb(convert.peak)}`,
      curl
        ? `  curl -s URL | gunzip | wc -l:        ${secs(curl.ms)} (${curl.lines.toLocaleString('en')} lines)${curl.cpuMs !== undefined ? `, CPU ${secs(curl.cpuMs)}` : ''}`
        : '  curl -s URL | gunzip | wc -l:        not available here (needs bash, curl, gunzip)',
      curl ? `  ratio fast path / curl: ${ratio} (target ≤ 1.5×); peak RSS target ≤ 300 MB` : '  ratio: skipped',
      `  process max RSS (whole run): ${mb(process.resourceUsage().maxRSS * 1024)}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs ` +
        '(wall times on a busy machine are noisy; CPU times less so)',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    // The generated input stays for the next run; the 260 MB outputs do not.
    for (const f of ['echo360-merged.csv', 'echo360-merged.psv']) fs.rmSync(path.join(dir, f), { force: true });
  } finally {
    queue.dispose();
    child.kill();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--serve-fake') {
    serveFake(argv[1], Number(argv[2])).catch((e: unknown) => {
      process.stderr.write(`echo360 bench fake: ${(e as Error).message}\n`);
      process.exit(1);
    });
  } else {
    const i = argv.indexOf('--rows');
    benchEcho360({ rows: i >= 0 ? Number(argv[i + 1]) : 1_000_000 }).catch((e: unknown) => {
      process.stderr.write(`echo360 bench: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
  }
}
