/**
 * Hostile servers for the hostile suite: real HTTP on 127.0.0.1, scripted per test, recording
 * everything they receive (method, path, headers, body) so a test can prove what never reached
 * them. And a runner for the built CLI that also measures the child's peak memory.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HostileServer {
  url: string;
  host: string;
  received: Received[];
  close(): Promise<void>;
}

export type HostileHandler = (req: http.IncomingMessage, res: http.ServerResponse, received: Received) => void;

/** A server on 127.0.0.1 that records each request (body included) before the handler answers. */
export async function hostileServer(handler: HostileHandler = (_q, res) => void res.writeHead(200).end()): Promise<HostileServer> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      handler(req, res, r);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Writes `chunk` forever (until the client goes away): an answer that never ends. */
export function endless(res: http.ServerResponse, contentType = 'application/json', chunk = Buffer.alloc(64 * 1024, 0x20)): void {
  res.writeHead(200, { 'content-type': contentType });
  res.write('[');
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

/** Sends one byte every `everyMs` forever: each chunk arrives long before any idle timeout. */
export function drip(res: http.ServerResponse, everyMs: number, contentType = 'application/json'): void {
  res.writeHead(200, { 'content-type': contentType });
  const t = setInterval(() => {
    if (res.destroyed) return clearInterval(t);
    res.write(' ');
  }, everyMs);
  res.on('close', () => clearInterval(t));
}

export const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
const PROBE = path.resolve(__dirname, 'rssProbe.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the CLI process, bytes. */
  peakRss: number;
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Called once the child runs; may send it signals. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** Runs the built CLI as a user would: its own process, secrets only in the environment. */
export function runCli(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ie-rss-')), 'rss');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', PROBE, CLI, ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH, ...opts.env, INSIGHTS_RSS_FILE: rssFile },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let peakRss = NaN;
      try {
        peakRss = Number(fs.readFileSync(rssFile, 'utf8'));
      } catch {
        /* the child died before its exit handler ran */
      }
      fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, peakRss });
    });
    opts.onSpawn?.(child);
  });
}

export const MB = 1024 * 1024;
/** The memory bound of issue "Trust I": every hostile CLI case stays under it. */
export const RSS_LIMIT = 600 * MB;

/** No raw terminal control or bidi character in the text (escaped forms like `\x1b` are fine). */
export function hasRawControls(text: string): boolean {
  return /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text);
}
