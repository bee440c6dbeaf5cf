// @ts-check
// The .vsix test: what users install is the packaged artifact, not the repository, so package
// it (`npm run package`), check its size, install it into a fresh VS Code (code-server
// --install-extension), open the workbench WITHOUT extensionDevelopmentPath, click the
// "Insight Explorer" activity-bar item and check that its view renders real content (a tree or
// its welcome view — not "no data provider", which is what a bundle that fails to load shows).
// Before installing, the manifest test reads the files inside the .vsix and checks what users see
// of the manifest (test/packaging/manifest.ts): a 128×128 PNG icon, no example.invalid link, a
// walkthrough whose steps and commands resolve, every %key% in package.nls.json.
// Counts as two tests. Standalone (after `npm run compile-tests`):
// node scripts/test-vsix.mjs [--skip-package] [--grep PATTERN]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { readLocalizedManifest } from './manifest.mjs';
import { ensureCodeServer } from './ensure-code-server.mjs';
import { waitForViewContent } from './ui-bridge.mjs';
import {
  EXTENSION_ID,
  launchChromium,
  logsDir,
  makeTempDir,
  openViewContainer,
  prepareWorkspace,
  repoRoot,
  saveScreenshot,
  startCodeServerOnFreePort,
  VIEWPORT,
  waitForWorkbench,
  workbenchUrl,
} from './workbench.mjs';

export const VSIX_TEST_TITLE = 'vsix: the packaged extension installs into a fresh VS Code, shows its view and exports nothing to other extensions';
export const MANIFEST_TEST_TITLE =
  'vsix manifest: the packaged manifest has a 128×128 PNG icon, no example.invalid link, a walkthrough whose steps resolve and every %key% translated';
export const VSIX_TEST_TITLES = [MANIFEST_TEST_TITLE, VSIX_TEST_TITLE];
const MAX_BYTES = 2 * 1024 * 1024;
const CONTAINER_ID = 'insightExplorer';

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [opts]
 * @returns {Promise<{ code: number, out: string }>}
 */
function capture(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', (e) => resolve({ code: 127, out: `${out}\n${e.message}` }));
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

/**
 * What the manifest promises: the activity-bar container's title and its first view.
 * @param {any} pkg the localized package.json
 * @returns {{ containerTitle: string, viewName: string, viewType: string }}
 */
function expectedView(pkg) {
  /** @type {{ id: string, title: string } | undefined} */
  const container = pkg.contributes?.viewsContainers?.activitybar?.find((/** @type {{ id: string }} */ c) => c.id === CONTAINER_ID);
  const view = pkg.contributes?.views?.[CONTAINER_ID]?.[0];
  if (!container || !view) {
    throw new Error(
      `package.json contributes no activity-bar container "${CONTAINER_ID}" with a view ` +
        '(contributes.viewsContainers.activitybar / contributes.views.insightExplorer)',
    );
  }
  return { containerTitle: container.title, viewName: view.name, viewType: view.type ?? 'tree' };
}

/** @param {string} root */
const vsixPath = (root) => path.join(root, 'dist-vsix', 'insight-explorer.vsix');

/** @typedef {(line: string) => void} Print */

/**
 * 1. Package. stdin is closed so that vsce's "continue anyway?" prompts cannot wait forever.
 * @param {Print} print
 * @param {string} root
 */
async function packageVsix(print, root) {
  const VSIX = vsixPath(root);
  const missing = ['README.md', 'CHANGELOG.md'].filter((f) => !fs.existsSync(path.join(root, f)));
  if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => fs.existsSync(path.join(root, f)))) missing.push('LICENSE');
  if (missing.length) print(`warning: ${missing.join(', ')} missing: the .vsix ships without them (vsce warns)`);
  fs.mkdirSync(path.dirname(VSIX), { recursive: true });
  fs.rmSync(VSIX, { force: true });
  const t0 = Date.now();
  const pack = await capture('npm', ['run', '--silent', 'package'], { cwd: root });
  if (pack.code !== 0 || !fs.existsSync(VSIX)) throw new Error(`npm run package failed (exit ${pack.code}):\n${pack.out.trim()}`);
  print(`packaged ${path.relative(root, VSIX)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Every file of a zip, by its name inside the zip.
 * @param {string} file
 * @returns {Promise<Map<string, Buffer>>}
 */
function readZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const files = new Map();
      zip.on('error', reject);
      zip.on('end', () => resolve(files));
      zip.on('entry', (entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          /** @type {Buffer[]} */
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * 2. The manifest inside the .vsix: what its `extension/` folder holds, checked as users see it.
 * @param {Print} print
 * @param {string} root
 */
async function checkManifest(print, root) {
  const checker = path.join(root, 'out', 'test', 'packaging', 'manifest.js');
  if (!fs.existsSync(checker)) throw new Error(`${path.relative(root, checker)} is missing: run \`npm run compile-tests\` first`);
  const { manifestProblems } = createRequire(import.meta.url)(checker);
  const files = new Map();
  for (const [name, bytes] of await readZip(vsixPath(root))) if (name.startsWith('extension/')) files.set(name.slice('extension/'.length), bytes);
  const problems = manifestProblems(files);
  if (problems.length) throw new Error(`the packaged manifest has ${problems.length} problem(s):\n${problems.join('\n')}`);
  const pkg = JSON.parse(files.get('package.json').toString('utf8'));
  const steps = (pkg.contributes?.walkthroughs ?? []).reduce((/** @type {number} */ n, /** @type {{ steps?: unknown[] }} */ w) => n + (w.steps?.length ?? 0), 0);
  print(`manifest: icon ${pkg.icon}, ${steps} walkthrough steps, ${Object.keys(JSON.parse(files.get('package.nls.json')?.toString('utf8') ?? '{}')).length} translated strings, no placeholder link`);
}

/**
 * @param {Print} print
 * @param {string} root
 */
async function check(print, root) {
  const VSIX = vsixPath(root);
  const { containerTitle, viewName, viewType } = expectedView(readLocalizedManifest(root));
  const size = fs.statSync(VSIX).size;
  print(`size: ${(size / 1024).toFixed(0)} KB (limit ${MAX_BYTES / 1024 / 1024} MB)`);
  if (size >= MAX_BYTES) throw new Error(`the .vsix is ${(size / 1024 / 1024).toFixed(2)} MB, over the 2 MB limit: check .vscodeignore`);

  // 2. Install into a fresh extensions dir.
  const entry = ensureCodeServer();
  const tmp = makeTempDir('insight-vsix-');
  try {
    const userDataDir = path.join(tmp.dir, 'user-data');
    const extensionsDir = path.join(tmp.dir, 'extensions');
    const workspace = prepareWorkspace(path.join(tmp.dir, 'workspace'));
    const env = { ...process.env, XDG_DATA_HOME: path.join(tmp.dir, 'xdg-data') };
    const install = await capture(
      process.execPath,
      [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', VSIX, '--force'],
      { env },
    );
    const installedDir =
      fs.existsSync(extensionsDir) && fs.readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(`${EXTENSION_ID}-`));
    if (install.code !== 0 || !installedDir) {
      throw new Error(`code-server --install-extension failed (exit ${install.code}):\n${install.out.trim()}`);
    }
    print(`installed as ${installedDir}`);

    // 3. Launch without extensionDevelopmentPath: only the installed copy can be loaded.
    const server = await startCodeServerOnFreePort({
      userDataDir,
      extensionsDir,
      folder: workspace,
      logFile: path.join(logsDir, 'code-server-vsix.log'),
      env: { XDG_DATA_HOME: env.XDG_DATA_HOME, INSIGHT_EXPLORER_SANDBOX: null },
    });
    const { browser, close } = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
      // No extensionDevelopmentPath in this URL: only the installed copy can load.
      await page.goto(workbenchUrl({ port: server.port, folder: workspace }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await waitForWorkbench(page);
      try {
        await openViewContainer(page, containerTitle, viewName);
        if (viewType === 'tree') await waitForViewContent(page, viewName);
        const activationError = findActivationError(userDataDir);
        if (activationError) throw new Error(`the extension failed to activate: ${activationError}`);
      } finally {
        const shot = await saveScreenshot(page, 'vsix-installed').catch(() => undefined);
        if (shot) print(`screenshot: ${path.relative(repoRoot, shot)}`);
      }
      print(`"${containerTitle}" shows its "${viewName}" view`);
      await followWelcomeLinks(page, print);
      await probeExports(page, server.port, workspace, tmp.dir, print);
    } finally {
      await close();
      await server.stop();
    }
  } finally {
    tmp.remove();
  }
}

/**
 * The welcome view of a fresh install (no sources yet) links to the walkthrough and the README.
 * Both must open from the installed copy: the walkthrough is addressed by the installed
 * extension's id, and vsce stores the README as `readme.md`. The walkthrough first: in VS Code for
 * the Web 1.100 every webview registers its own service worker on one shared origin, and a
 * walkthrough page opened after a loaded Markdown preview often stays blank (microsoft/vscode#245756).
 */
/**
 * @param {import('playwright-core').Page} page
 * @param {Print} print
 */
async function followWelcomeLinks(page, print) {
  /** @param {string | RegExp} label */
  const tab = (label) => page.locator('.tabs-container .tab', { hasText: label }).first();
  /** Whether a webview frame shows this exact text. @param {string} text */
  const shows = async (text) => {
    for (const f of page.frames()) if (f !== page.mainFrame() && (await f.getByText(text, { exact: true }).count().catch(() => 0))) return true;
    return false;
  };
  /** @param {string} text @param {string} what @param {string} shot */
  const waitToShow = async (text, what, shot) => {
    for (const deadline = Date.now() + 30_000; !(await shows(text)); await new Promise((r) => setTimeout(r, 250))) {
      if (Date.now() > deadline) {
        await saveScreenshot(page, shot).catch(() => undefined);
        throw new Error(`${what} did not render`);
      }
    }
  };
  await page.locator('.welcome-view-content a', { hasText: /^Get Started$/ }).first().click({ timeout: 30_000 });
  await tab(/Walkthrough: Insight Explorer/).waitFor({ timeout: 30_000 });
  await page.getByText('Try it without an account', { exact: true }).first().waitFor({ timeout: 30_000 });
  // The first step's page (media/walkthrough/add-source.md) renders from the installed files, in a webview frame.
  await waitToShow('What you need', "the walkthrough's first step (media/walkthrough/add-source.md)", 'vsix-walkthrough-failed');
  const shot = await saveScreenshot(page, 'vsix-walkthrough').catch(() => undefined);
  print(`its Get Started link opens the walkthrough${shot ? ` (screenshot: ${path.relative(repoRoot, shot)})` : ''}`);
  await page.locator('.welcome-view-content a', { hasText: /^README$/ }).first().click({ timeout: 30_000 });
  await tab(/Preview readme\.md/i).waitFor({ timeout: 30_000 });
  await waitToShow('Insight Explorer', 'the README preview', 'vsix-readme-failed');
  print("the welcome view's README link opens the bundled README in the Markdown preview");
}

/**
 * Another extension's view of the installed Insight Explorer: a tiny probe extension, loaded next
 * to the installed .vsix (as a development extension, so the installed copy still runs in
 * Production mode, as on a user's machine), activates Insight Explorer and records what
 * `getExtension('insight-explorer.insight-explorer').exports` holds. The guarantee: nothing — no
 * source store, no SecretStorage, no function that could read a secret.
 */
/**
 * @param {import('playwright-core').Page} firstPage
 * @param {number} port
 * @param {string} workspace
 * @param {string} tmpDir
 * @param {Print} print
 */
async function probeExports(firstPage, port, workspace, tmpDir, print) {
  const probeDir = path.join(tmpDir, 'exports-probe');
  const resultFile = path.join(probeDir, 'result.json');
  fs.mkdirSync(probeDir, { recursive: true });
  fs.writeFileSync(
    path.join(probeDir, 'package.json'),
    JSON.stringify({
      name: 'exports-probe',
      publisher: 'probe',
      version: '0.0.1',
      engines: { vscode: '^1.90.0' },
      main: './extension.js',
      activationEvents: ['onStartupFinished'],
    }),
  );
  fs.writeFileSync(
    path.join(probeDir, 'extension.js'),
    `const vscode = require('vscode');
const fs = require('fs');
const path = require('path');
/** Every key reachable from the exports (depth-limited), to look for a secret store in it. */
function keysOf(value, depth, seen, out) {
  if (!value || (typeof value !== 'object' && typeof value !== 'function') || depth > 4 || seen.has(value)) return out;
  seen.add(value);
  for (const k of Object.getOwnPropertyNames(value)) {
    out.push(k);
    let v;
    try { v = value[k]; } catch { continue; }
    keysOf(v, depth + 1, seen, out);
  }
  return out;
}
exports.activate = async function () {
  const result = {};
  try {
    const ext = vscode.extensions.getExtension(${JSON.stringify(EXTENSION_ID)});
    result.found = !!ext;
    const exported = ext ? await ext.activate() : undefined;
    result.isActive = !!(ext && ext.isActive);
    result.type = typeof exported;
    result.keys = [...new Set(keysOf(exported, 0, new Set(), []))];
  } catch (e) {
    result.error = String(e && e.message || e);
  }
  fs.writeFileSync(path.join(__dirname, 'result.json'), JSON.stringify(result));
};
`,
  );
  const page = await firstPage.context().newPage();
  try {
    await page.goto(workbenchUrl({ port, folder: workspace, extensionDevelopmentPath: probeDir }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench(page);
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(resultFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (!fs.existsSync(resultFile)) throw new Error('the exports probe extension never reported (did it load?)');
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    if (result.error) throw new Error(`the exports probe failed: ${result.error}`);
    if (!result.found || !result.isActive) throw new Error(`the probe could not activate ${EXTENSION_ID}: ${JSON.stringify(result)}`);
    const risky = result.keys.filter((/** @type {string} */ k) => /secret|store|context|services/i.test(k));
    if (result.type !== 'undefined' || risky.length) {
      throw new Error(
        `another extension can reach Insight Explorer's internals through exports (${result.type}; ${risky.join(', ') || result.keys.slice(0, 10).join(', ')})`,
      );
    }
    print('another extension sees exports === undefined: no source store, no secrets');
  } finally {
    await page.close();
  }
}

/**
 * The extension host's log, written under the user-data dir, names activation failures.
 * @param {string} userDataDir
 */
function findActivationError(userDataDir) {
  const logs = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logs)) return undefined;
  for (const f of fs.readdirSync(logs, { recursive: true })) {
    if (!/exthost.*\.log$/i.test(String(f))) continue;
    const text = fs.readFileSync(path.join(logs, String(f)), 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes(EXTENSION_ID) && /failed|error/i.test(l) && /activat/i.test(l));
    // The message line is followed by the error and its stack; keep the head.
    if (at >= 0)
      return lines
        .slice(at, at + 4)
        .map((l) => l.trim())
        .join('\n');
  }
  return undefined;
}

/**
 * Runs one test; resolves to its counts.
 * @param {string} title
 * @param {Print} print
 * @param {() => Promise<unknown>} fn
 * @returns {Promise<Omit<import('./test.mjs').Counts, 'skipped'>>}
 */
async function runTest(title, print, fn) {
  const t0 = Date.now();
  try {
    await fn();
    print(`  ✔ ${title} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return { passed: 1, failed: 0, failures: [] };
  } catch (/** @type {any} */ e) {
    print(`  ✖ ${title}\n    ${String(e.message).split('\n').join('\n    ')}`);
    return { passed: 0, failed: 1, failures: [{ title, error: e.message }] };
  }
}

/**
 * Runs the .vsix tests whose title matches `grep` (both without it): packages once, then the
 * manifest test and the install test. Resolves to { passed, failed, skipped, failures }; they never skip.
 * @param {{ print?: (line: string) => void, root?: string, skipPackage?: boolean, grep?: string }} [options]
 * @returns {Promise<import('./test.mjs').Counts>}
 */
export async function testVsix({ print = (l) => console.log(l), root = repoRoot, skipPackage = false, grep = undefined } = {}) {
  const wanted = VSIX_TEST_TITLES.filter((t) => !grep || new RegExp(grep).test(t));
  /** @type {import('./test.mjs').Counts} */
  const total = { passed: 0, failed: 0, skipped: [], failures: [] };
  /** @param {Omit<import('./test.mjs').Counts, 'skipped'>} r */
  const add = (r) => {
    total.passed += r.passed;
    total.failed += r.failed;
    total.failures.push(...r.failures);
  };
  if (!skipPackage) {
    try {
      await packageVsix(print, root);
    } catch (e) {
      for (const title of wanted) add(await runTest(title, print, () => Promise.reject(e)));
      return total;
    }
  }
  if (wanted.includes(MANIFEST_TEST_TITLE)) add(await runTest(MANIFEST_TEST_TITLE, print, () => checkManifest(print, root)));
  if (wanted.includes(VSIX_TEST_TITLE)) add(await runTest(VSIX_TEST_TITLE, print, () => check(print, root)));
  return total;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--grep');
  testVsix({ skipPackage: process.argv.includes('--skip-package'), grep: at > 0 ? process.argv[at + 1] : undefined }).then((r) => {
    console.log(`vsix: ${r.passed} passed, ${r.failed} failed, 0 skipped`);
    process.exitCode = r.failed ? 1 : 0;
  });
}
