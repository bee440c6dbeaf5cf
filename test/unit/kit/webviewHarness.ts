/**
 * The preview webview in real Chromium without VS Code, shared by the webview test files: the
 * bundle is built from webview/main.ts, served over 127.0.0.1 with the panel's own HTML and CSP,
 * and driven through playwright-core. The host side is the real `PreviewSession` in this process;
 * messages cross as JSON like they do between VS Code and a webview. `useWebviewHarness()` inside
 * a `describe` registers the browser's setup and teardown and checks after every test that the
 * page raised no error and violated no CSP directive.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ChartImageFormat, RenderReport } from '../../../src/protocol';
import { makeNonce, previewHtml } from '../../../src/core/preview/html';
import { PreviewSession, type PreviewContent } from '../../../src/core/preview/session';
import { skipBecause } from '../../skip';

export const ROOT = path.resolve(__dirname, '../../../..');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
// Debian's chromium package; playwright-core downloads no browser of its own.
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const HOSTILE = '<img src=x onerror=alert(1)>';

/**
 * Debian's Chromium (CHROMIUM), headless, as the unit tests run it: the flags TESTING-IN-VSCODE.md
 * lists plus new headless mode (scripts/workbench.mjs launches the workbench with the same ones).
 * --no-sandbox: the tests run as root. Callers skip their tests first when CHROMIUM is absent
 * (skipBecause: a failure on CI).
 */
export function launchTestChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--headless=new',
    ],
  });
}

export interface OpenOptions {
  state?: unknown;
  /** `insightExplorer.export.formulaGuard` as the host reads it; default true. */
  formulaGuard?: boolean;
  light?: boolean;
  size?: { width: number; height: number };
}

export interface WebviewRig {
  open(content: PreviewContent, opts?: OpenOptions): Promise<Harness>;
  /** Warnings and errors the host session logged (rejected messages, failures). */
  warnings: string[];
}

export interface SavedChart {
  format: ChartImageFormat;
  data: Uint8Array | string;
  name: string;
}

export interface Harness {
  page: Page;
  reports: RenderReport[];
  copies: string[];
  /** Charts the webview asked the host to save. */
  saved: SavedChart[];
  session: PreviewSession;
  state(): unknown;
  /** Resolves with the latest report once it satisfies `pred`. */
  report(pred: (r: RenderReport) => boolean, what: string): Promise<RenderReport>;
  footer(): Promise<string>;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Call inside a `describe`: registers before/after hooks and returns the rig tests open pages with. */
export function useWebviewHarness(): WebviewRig {
  let browser: Browser | undefined;
  let server: http.Server;
  let origin = '';
  let bundleDir = '';
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const warnings: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) skipBecause(this, `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`, { missingTool: true });
    bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ip-webview-'));
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'webview/main.ts')],
      outfile: path.join(bundleDir, 'webview.js'),
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome114',
      loader: { '.css': 'text' },
      logLevel: 'silent',
    });
    fs.copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), path.join(bundleDir, 'uPlot.min.css'));
    server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/' || url.startsWith('/?')) {
        const nonce = makeNonce();
        const theme = new URL(url, origin).searchParams.get('theme') ?? 'vscode-dark';
        const html = previewHtml({
          cspSource: origin,
          nonce,
          scriptUri: `${origin}/webview.js`,
          styleUris: [`${origin}/uPlot.min.css`],
          title: 'Preview <test>',
        }).replace('<body>', `<body class="${theme}" data-vscode-theme-kind="${theme}">`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
        return;
      }
      const file = path.join(bundleDir, path.basename(url));
      if (!fs.existsSync(file)) return void res.writeHead(404).end();
      const type = file.endsWith('.css') ? 'text/css' : 'text/javascript';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchTestChromium();
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  afterEach(() => {
    // Emptied as they are checked, so one failing test does not fail all that follow.
    assert.deepEqual(cspViolations.splice(0), [], 'no CSP violations');
    assert.deepEqual(pageErrors.splice(0), [], 'no page errors');
  });

  async function open(content: PreviewContent, opts: OpenOptions = {}): Promise<Harness> {
    const context = await browser!.newContext({ viewport: opts.size ?? { width: 1100, height: 760 }, locale: 'en-US' });
    const page = await context.newPage();
    const reports: RenderReport[] = [];
    const copies: string[] = [];
    const saved: SavedChart[] = [];
    let state = opts.state;
    let chain: Promise<unknown> = Promise.resolve();
    const session = new PreviewSession(
      content,
      (type, payload) => {
        // In order, like VS Code's postMessage; JSON like its serialization.
        const msg = JSON.parse(JSON.stringify({ type, payload })) as unknown;
        chain = chain
          .then(() => page.evaluate((m) => window.dispatchEvent(new MessageEvent('message', { data: m })), msg))
          .catch(() => undefined); // page closed
      },
      {
        log: { trace() {}, debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
        onReport: (r) => reports.push(r),
        onCopy: (t) => void copies.push(t),
        formulaGuard: () => opts.formulaGuard ?? true,
        onSaveChart: async (format, data, name) => {
          saved.push({ format, data, name });
          return `Saved the chart to ${name}.${format}`;
        },
      },
    );
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => {
      pageErrors.push(`dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    await page.exposeFunction('__ipToHost', (m: unknown) => session.receive(m));
    await page.exposeFunction('__ipSetState', (s: unknown) => (state = s));
    await page.exposeFunction('__ipCsp', (v: string) => cspViolations.push(v));
    const vars = opts.light ? LIGHT_THEME : DARK_THEME;
    await page.addInitScript(
      ({ initial, vars }) => {
        let saved = initial;
        const w = window as unknown as Record<string, (m: unknown) => void>;
        (window as unknown as { acquireVsCodeApi: unknown }).acquireVsCodeApi = () => ({
          postMessage: (m: unknown) => w.__ipToHost(JSON.parse(JSON.stringify(m))),
          getState: () => saved,
          setState: (s: unknown) => {
            saved = s;
            w.__ipSetState(s);
          },
        });
        // VS Code sets its theme as variables on <html> (through the CSSOM, which CSP allows).
        // Init scripts run before <html> exists: apply the variables as soon as it does.
        const applyVars = () => {
          for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
        };
        if (document.documentElement) applyVars();
        else {
          const watch = new MutationObserver(() => {
            if (!document.documentElement) return;
            watch.disconnect();
            applyVars();
          });
          watch.observe(document, { childList: true });
        }
        document.addEventListener('securitypolicyviolation', (e) => w.__ipCsp(`${e.violatedDirective} ${e.blockedURI}`));
      },
      { initial: state, vars },
    );
    await page.goto(`${origin}/?theme=${opts.light ? 'vscode-light' : 'vscode-dark'}`);
    const h: Harness = {
      page,
      reports,
      copies,
      saved,
      session,
      state: () => state,
      report: (pred, what) =>
        until(() => {
          const r = reports[reports.length - 1];
          return r && pred(r) ? r : undefined;
        }, what),
      footer: async () => (await page.locator('.ip-counts').textContent()) ?? '',
      shot: async (name) => {
        await page.waitForTimeout(150); // let the last frame land
        await page.screenshot({ path: path.join(SHOTS, `preview-${name}.png`) });
      },
      close: async () => {
        session.dispose();
        await context.close();
      },
    };
    return h;
  }

  return { open, warnings };
}

function cssVars(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const decl of text.split(';')) {
    const at = decl.indexOf(':');
    if (at > 0) out[decl.slice(0, at).trim()] = decl.slice(at + 1).trim();
  }
  return out;
}

const DARK_THEME = cssVars(`
  --vscode-font-family: system-ui, "Ubuntu", "Droid Sans", sans-serif; --vscode-font-size: 13px;
  --vscode-editor-font-family: "Droid Sans Mono", monospace; --vscode-foreground: #cccccc; --vscode-editor-foreground: #cccccc;
  --vscode-editor-background: #1f1f1f; --vscode-descriptionForeground: #9d9d9d;
  --vscode-disabledForeground: rgba(204, 204, 204, 0.5); --vscode-panel-border: #2b2b2b;
  --vscode-editorGroup-border: rgba(255, 255, 255, 0.09); --vscode-editorWidget-border: #313131; --vscode-focusBorder: #0078d4;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-list-activeSelectionBackground: #04395e;
  --vscode-list-activeSelectionForeground: #ffffff; --vscode-list-inactiveSelectionBackground: #37373d;
  --vscode-tree-tableOddRowsBackground: rgba(204, 204, 204, 0.04); --vscode-textLink-foreground: #4daafc;
  --vscode-sash-hoverBorder: #0078d4; --vscode-input-background: #313131; --vscode-input-foreground: #cccccc;
  --vscode-input-border: #3c3c3c; --vscode-input-placeholderForeground: #989898; --vscode-settings-textInputBackground: #313131;
  --vscode-settings-textInputBorder: #3c3c3c; --vscode-settings-textInputForeground: #cccccc;
  --vscode-inputOption-activeBackground: rgba(36, 137, 219, 0.51); --vscode-inputOption-activeBorder: #2488db;
  --vscode-inputOption-activeForeground: #ffffff; --vscode-toolbar-hoverBackground: rgba(90, 93, 94, 0.31);
  --vscode-progressBar-background: #0078d4; --vscode-charts-foreground: #cccccc; --vscode-charts-lines: rgba(204, 204, 204, 0.5);
  --vscode-charts-blue: #3794ff; --vscode-charts-red: #f14c4c; --vscode-charts-green: #89d185; --vscode-charts-yellow: #cca700;
  --vscode-charts-orange: #d18616; --vscode-charts-purple: #b180d7; --vscode-editor-selectionBackground: #264f78;
`);

const LIGHT_THEME = {
  ...DARK_THEME,
  ...cssVars(`
  --vscode-foreground: #3b3b3b; --vscode-editor-foreground: #3b3b3b; --vscode-editor-background: #ffffff;
  --vscode-descriptionForeground: #3b3b3b; --vscode-disabledForeground: rgba(97, 97, 97, 0.5); --vscode-panel-border: #e5e5e5;
  --vscode-editorGroup-border: #e5e5e5; --vscode-editorWidget-border: #c8c8c8; --vscode-list-hoverBackground: #f2f2f2;
  --vscode-list-activeSelectionBackground: #e8e8e8; --vscode-list-activeSelectionForeground: #000000;
  --vscode-list-inactiveSelectionBackground: #e4e6f1; --vscode-tree-tableOddRowsBackground: rgba(59, 59, 59, 0.04);
  --vscode-textLink-foreground: #005fb8; --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b;
  --vscode-input-border: #cecece; --vscode-settings-textInputBackground: #ffffff; --vscode-settings-textInputBorder: #cecece;
  --vscode-settings-textInputForeground: #3b3b3b; --vscode-toolbar-hoverBackground: rgba(184, 184, 184, 0.31);
  --vscode-inputOption-activeBackground: #bed6ed; --vscode-inputOption-activeBorder: #005fb8;
  --vscode-inputOption-activeForeground: #000000; --vscode-charts-foreground: #616161; --vscode-charts-blue: #1a85ff;
  --vscode-charts-red: #e51400; --vscode-charts-green: #388a34; --vscode-charts-yellow: #bf8803; --vscode-charts-orange: #d18616;
  --vscode-charts-purple: #652d90; --vscode-editor-selectionBackground: #add6ff;
`),
};
