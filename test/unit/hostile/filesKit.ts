/**
 * Shared by the hostile suite: runs the bundled `insights` CLI as a child process and measures
 * its peak resident memory (`process.resourceUsage().maxRSS`, read in the child at exit through a
 * preloaded script, so it works wherever Node runs), and writes big generated inputs to disk in
 * bounded memory.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { cliBundle } from '../../fakes/canvasCli';

export const SECRET_VARS = ['POSTHOG_API_KEY', 'ECHO360_CLIENT_ID', 'ECHO360_CLIENT_SECRET', 'CANVAS_TOKEN', 'STUDIO_TOKEN'];

export interface MeasuredRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** Peak resident set size of the child, MB. */
  peakMB: number;
}

let preload: string | undefined;

function preloadScript(): string {
  if (preload) return preload;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-rss-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  preload = path.join(dir, 'rss.js');
  fs.writeFileSync(
    preload,
    "process.on('exit', () => { if (process.env.INSIGHTS_RSS_FILE) require('fs').writeFileSync(process.env.INSIGHTS_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n",
  );
  return preload;
}

/** `node cli.js ...args` with only the given secrets in the environment; `peakMB` from the child itself. */
export async function runMeasured(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<MeasuredRun> {
  const { cli } = await cliBundle();
  const rssFile = path.join(os.tmpdir(), `insights-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SECRET_VARS.includes(k)) base[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) base[k] = v;
  base.INSIGHTS_RSS_FILE = rssFile;
  const child = spawn(process.execPath, ['--require', preloadScript(), cli, ...args], { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  let peakMB = NaN;
  try {
    peakMB = Number(fs.readFileSync(rssFile, 'utf8')) / 1024;
    fs.rmSync(rssFile, { force: true });
  } catch {
    /* killed before exit: no figure */
  }
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), peakMB };
}

/** Writes `total` bytes made of `head`, then `fill` repeated, then `tail`, in 1 MB pieces. */
export async function writeBig(file: string, head: string, fill: string, totalFillBytes: number, tail = ''): Promise<void> {
  const ws = fs.createWriteStream(file);
  const piece = Buffer.from(fill.repeat(Math.ceil((1 << 20) / fill.length)).slice(0, 1 << 20));
  ws.write(head);
  let left = totalFillBytes;
  while (left > 0) {
    const b = left >= piece.length ? piece : piece.subarray(0, left);
    left -= b.length;
    if (!ws.write(b)) await once(ws, 'drain');
  }
  ws.end(tail);
  await once(ws, 'finish');
}

/** Files in `dir` other than the ones named. */
export function extraFiles(dir: string, keep: string[]): string[] {
  return fs.readdirSync(dir).filter((f) => !keep.includes(f));
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
