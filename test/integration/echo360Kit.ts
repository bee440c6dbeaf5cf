// Shared by echo360.test.ts (phase 1) and echo360.afterReload.test.ts (after the window reload): the
// Echo360 fake runs in its own process, because the extension host that starts it dies on reload
// and phase 2 must poll the very same server, with the requests phase 1 submitted.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { TreeNode } from '../../src/vscode/tree/nodes';
import { childByLabel } from './treeKit';

export { childByLabel, labelOf, waitForReport, screenshot as cleanScreenshot } from './treeKit';

export const EXTENSION_ID = 'insight-explorer.insight-explorer';
export const ECHO_LABEL = 'Test Echo360';

/** What phase 1 hands to phase 2. */
export interface EchoHandover {
  url: string;
  pid: number;
  clientId: string;
  clientSecret: string;
  sourceId?: string;
  runId?: string;
}

/** Next to the runner's phase file when there is one (one per run), else in the temp folder. */
export function handoverFile(): string {
  const phaseFile = process.env.INSIGHT_TEST_PHASE_FILE;
  return phaseFile
    ? path.join(path.dirname(phaseFile), 'echo360-fake.json')
    : path.join(os.tmpdir(), `insight-echo360-fake-${process.pid}.json`);
}

export function readHandover(): EchoHandover | undefined {
  try {
    return JSON.parse(fs.readFileSync(handoverFile(), 'utf8')) as EchoHandover;
  } catch {
    return undefined;
  }
}

export function writeHandover(h: EchoHandover): void {
  fs.writeFileSync(handoverFile(), JSON.stringify(h), { mode: 0o600 });
}

/**
 * Starts the fake in a detached node process. It stops itself after `lifeMs` so a run that never
 * reaches phase 2 (a grep, the Electron runner) leaves nothing listening.
 */
export async function startDetachedFake(opts: { pendingMs: number; rowsPerDay: number; lifeMs?: number }): Promise<EchoHandover> {
  const fakeModule = path.join(__dirname, '..', 'fakes', 'echo360.js');
  const script = `
    setTimeout(() => process.exit(0), ${opts.lifeMs ?? 10 * 60_000});
    require(${JSON.stringify(fakeModule)}).startEcho360Fake({ pendingMs: ${opts.pendingMs}, rowsPerDay: ${opts.rowsPerDay} })
      .then((f) => process.stdout.write(JSON.stringify({ url: f.url, clientId: f.clientId, clientSecret: f.clientSecret }) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  child.unref();
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('the Echo360 fake did not start within 15 s')), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`the Echo360 fake exited (${code})`)));
  });
  child.stdout!.destroy();
  const info = JSON.parse(line) as Omit<EchoHandover, 'pid'>;
  return { ...info, pid: child.pid! };
}

export function stopFake(h: EchoHandover | undefined): void {
  if (!h) return;
  try {
    process.kill(h.pid);
  } catch {
    /* already gone */
  }
}

export async function activate(): Promise<InsightExplorerApi> {
  const ext = vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!;
  const api = await ext.activate();
  await vscode.commands.executeCommand('workbench.view.extension.insightExplorer');
  return api;
}

/** Expands Test Echo360 → Requests in the real tree. */
export async function revealRequests(api: InsightExplorerApi): Promise<TreeNode> {
  const source = await childByLabel(api, undefined, ECHO_LABEL);
  const requests = await childByLabel(api, source, 'Requests');
  await api.view.reveal(source, { expand: true });
  await api.view.reveal(requests, { expand: true, focus: false, select: false });
  return requests;
}

export async function waitUntil<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
