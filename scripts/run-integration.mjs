// Runs the integration suite (out/test/integration/index.js) inside a real VS Code: code-server
// (VS Code 1.100.3 served to a browser, with the same Node extension host as desktop VS Code)
// driven by Debian's Chromium through playwright-core. See ../shared/TESTING-IN-VSCODE.md for why
// it is done this way (no internet here, so @vscode/test-electron cannot download VS Code).
//
// Also exports the pieces that scripts/start.mjs and scripts/test-vsix.mjs reuse: starting
// code-server, launching Chromium, finding free ports, and tearing everything down on every path
// (including Ctrl-C).
//
// The UI bridge: tests run inside the extension host and cannot touch the workbench DOM, so this
// runner serves a small HTTP API on 127.0.0.1 that performs UI actions with Playwright on their
// behalf (answer quick picks/input boxes by typing, read the preview webview, screenshots, …).
// Its address reaches the tests as INSIGHT_UI_BRIDGE in code-server's environment, which the
// extension host inherits. The typed client is test/integration/ui.ts.
//
// Standalone use (no build step; run `npm run build && npm run compile-tests` first):
//   node scripts/run-integration.mjs [--grep PATTERN]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './ensure-code-server.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const screenshotsDir = path.join(repoRoot, 'test-results', 'screenshots');
export const logsDir = path.join(repoRoot, 'test-results', 'logs');
export const EXTENSION_ID = 'insight-explorer.insight-explorer';

// The flags TESTING-IN-VSCODE.md lists, plus new headless mode. --no-sandbox: we run as root.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--headless=new'];
export const VIEWPORT = { width: 1400, height: 900 };

// ---------------------------------------------------------------------------------------------
// Teardown on every path. Everything that must be undone registers a cleanup here; a normal run
// calls them itself, Ctrl-C / SIGTERM runs all that are still pending, and a synchronous 'exit'
// hook SIGKILLs any process group still alive (code-server runs detached, in its own process
// group, so a Ctrl-C in the terminal does not reach it — we must end it ourselves).
// ---------------------------------------------------------------------------------------------
const pendingCleanups = new Set();
const liveProcessGroups = new Set();
const liveTempDirs = new Set();
let signalsInstalled = false;
let shuttingDown = false;
let interruptExitCode;

/** True once Ctrl-C / SIGTERM started the teardown (processes ending then are expected). */
export function isShuttingDown() { return shuttingDown; }

/** Exit code after Ctrl-C once everything is cleaned up (default 130, the shell convention). */
export function setInterruptExitCode(code) { interruptExitCode = code; }

function installSignalHandlers() {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const onSignal = (signal, code) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.error(`\n${signal}: shutting down (code-server, Chromium, servers, temp folders)…`);
    const hardStop = setTimeout(() => process.exit(interruptExitCode ?? code), 10_000);
    hardStop.unref();
    runAllCleanups().finally(() => process.exit(interruptExitCode ?? code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => onSignal('SIGHUP', 129));
  process.on('exit', () => {
    for (const pid of liveProcessGroups) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const dir of liveTempDirs) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ } }
  });
}

/** Registers an async cleanup; returns a function that runs it once and unregisters it. */
export function onCleanup(fn) {
  installSignalHandlers();
  let done = false;
  const run = async () => {
    if (done) return;
    done = true;
    pendingCleanups.delete(run);
    try { await fn(); } catch (e) { console.error(`cleanup failed: ${e?.message ?? e}`); }
  };
  pendingCleanups.add(run);
  return run;
}

export async function runAllCleanups() {
  // Last registered first: the browser closes before the server it talks to.
  for (const run of [...pendingCleanups].reverse()) await run();
}

export function makeTempDir(prefix) {
  installSignalHandlers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  liveTempDirs.add(dir);
  return {
    dir,
    remove() {
      liveTempDirs.delete(dir);
      // code-server may still be flushing state files for a moment after it exits.
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------
/** A free TCP port on 127.0.0.1: `preferred` and upwards if given, else one the OS picks. */
export async function freePort(preferred) {
  const tryPort = (port) => new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen({ host: '127.0.0.1', port }, () => {
      const { port: got } = srv.address();
      srv.close(() => resolve(got));
    });
  });
  if (preferred) {
    for (let p = preferred; p < preferred + 100; p++) {
      const got = await tryPort(p);
      if (got) return got;
    }
    throw new Error(`no free port in ${preferred}..${preferred + 99}`);
  }
  const got = await tryPort(0);
  if (!got) throw new Error('could not get a free port from the OS');
  return got;
}

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].filter(Boolean);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error('chromium not found: apt-get install -y chromium ' +
      '(or set CHROMIUM_PATH to a Chromium/Chrome binary)');
  }
  return found;
}

async function loadPlaywright() {
  try {
    return (await import('playwright-core')).chromium;
  } catch {
    throw new Error('playwright-core is not installed: run `npm ci` in the repository root.');
  }
}

export async function launchChromium() {
  const chromium = await loadPlaywright();
  const executablePath = findChromium();
  // We handle signals ourselves (see installSignalHandlers): Playwright's own SIGINT handler
  // would exit the process before code-server and the temp folders are cleaned up.
  const browser = await chromium.launch({
    executablePath, headless: true, args: CHROMIUM_ARGS,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  const close = onCleanup(() => browser.close().catch(() => {}));
  return { browser, close };
}

export function sampleCsv() {
  return [
    'date,course,views,minutes_watched',
    '2025-01-06,BIO101,120,540.5',
    '2025-01-07,BIO101,98,410.0',
    '2025-01-08,CHEM200,45,180.25',
    '2025-01-09,CHEM200,61,233.75',
    '2025-01-10,MATH150,203,902.0',
    '',
  ].join('\n');
}

/** Creates (or refreshes) a workspace folder with a sample CSV in it. */
export function prepareWorkspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'sample.csv');
  if (!fs.existsSync(file)) fs.writeFileSync(file, sampleCsv());
  return dir;
}

function sanitizeName(name) {
  return String(name || 'screenshot').replace(/\.png$/i, '').replace(/[^\w.-]+/g, '_').slice(0, 120) || 'screenshot';
}

export async function saveScreenshot(page, name) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const file = path.join(screenshotsDir, `${sanitizeName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: 15_000 });
  return file;
}

/** A path relative to the repository when it is inside it, else absolute. */
export function displayPath(p) {
  const rel = path.relative(repoRoot, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes (then returns undefined). */
async function waitFor(probe, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// code-server
// ---------------------------------------------------------------------------------------------
/**
 * Starts code-server and resolves once it answers HTTP. Flags from TESTING-IN-VSCODE.md.
 * `env` is added to code-server's environment; the extension host inherits it.
 * Output goes to `logFile` (and, with `echo`, to our stderr); the last lines are quoted in errors.
 */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, env = {}, logFile, echo = false }) {
  const entry = ensureCodeServer();
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // An explicit config file, so a ~/.config/code-server/config.yaml with a password (or another
  // bind address) on a developer's machine cannot change what we run.
  const configFile = path.join(userDataDir, 'code-server-config.yaml');
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [entry, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (folder) args.push(folder);

  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile);
  const tail = [];
  // "Extension Host Process exited with code: …, signal: …" lines: a crashed extension host
  // explains a run that ends without results.
  const extensionHostExits = [];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    // Own process group: Ctrl-C in the terminal must not kill it before we have taken our
    // failure screenshot, and on teardown we kill the whole group (it forks the extension host,
    // pty host and file watcher as children).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A null value removes the variable (e.g. a developer's own INSIGHT_EXPLORER_SANDBOX must
    // not seed sources into a test run).
    env: Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== null && v !== undefined)),
  });
  liveProcessGroups.add(child.pid);
  const onData = (chunk) => {
    log.write(chunk);
    if (echo) process.stderr.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      const exit = /Extension Host Process exited with (code: .*)$/.exec(line);
      if (exit) extensionHostExits.push(exit[1].replace(/\.$/, ''));
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = true;
    liveProcessGroups.delete(child.pid);
    resolve({ code, signal });
  }));

  const stop = onCleanup(async () => {
    if (!exited) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    // The wrapper's children (extension host, …) can outlive it by a moment; they share the group.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group empty */ }
    await new Promise((r) => log.end(r));
  });

  const url = `http://127.0.0.1:${port}`;
  const ready = await Promise.race([
    waitFor(async () => {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        return res.ok;
      } catch { return false; }
    }, 60_000, 200).then((ok) => (ok ? 'ready' : 'timeout')),
    exitPromise.then(() => 'exited'),
  ]);
  if (ready !== 'ready') {
    await stop();
    throw new Error(`code-server ${ready === 'exited' ? 'exited during startup' : 'did not answer within 60 s'} ` +
      `(full log: ${displayPath(logFile)}). Last output:\n  ${tail.join('\n  ')}`);
  }
  return { url, port, process: child, exited: exitPromise, stop, tail: () => tail.join('\n'), extensionHostExits };
}

/**
 * startCodeServer on a port the OS picks; if another process takes that port between our probe
 * and code-server's listen (EADDRINUSE), try again with a new one.
 */
export async function startCodeServerOnFreePort(opts) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startCodeServer({ ...opts, port });
    } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE/.test(e.message)) throw e;
    }
  }
}

/** Workbench URL; with a payload (extension development / tests) per TESTING-IN-VSCODE.md. */
export function workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath }) {
  const authority = `127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://${authority}${path.resolve(p).split(path.sep).join('/')}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  const query = [];
  if (folder) query.push(`folder=${encodeURIComponent(path.resolve(folder))}`);
  query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `http://${authority}/?${query.join('&')}`;
}

/** Waits until the workbench has rendered its activity bar (i.e. VS Code is up in the page). */
export async function waitForWorkbench(page, timeoutMs = 90_000) {
  await page.locator('.monaco-workbench .part.activitybar').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Clicks the activity-bar entry of a view container (by its title) and waits until the sidebar
 * shows a pane header with `viewName`. Returns the sidebar's text for diagnostics.
 */
export async function openViewContainer(page, containerTitle, viewName, timeoutMs = 30_000) {
  const item = page.locator('.part.activitybar .action-item a.action-label, .part.activitybar .action-item [role="tab"]')
    .filter({ has: page.locator(`xpath=self::*[starts-with(@aria-label, ${xpathString(containerTitle)})]`) });
  const byRole = page.locator('.part.activitybar').getByRole('tab', { name: containerTitle });
  const target = (await byRole.count()) ? byRole.first() : item.first();
  await target.waitFor({ state: 'visible', timeout: timeoutMs });
  // Clicking an already-selected container toggles the sidebar closed; only click when needed.
  const sidebarHasView = () => page.evaluate((name) => {
    const side = document.querySelector('.part.sidebar');
    if (!side || side.getClientRects().length === 0) return false;
    return [...side.querySelectorAll('.pane-header .title, .composite.title h2')]
      .some((h) => (h.textContent || '').trim().toLowerCase() === name.toLowerCase());
  }, viewName);
  if (!(await sidebarHasView())) {
    await target.click();
    // Move the pointer off the activity bar so its hover tooltip does not cover screenshots.
    await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2);
  }
  const ok = await waitFor(sidebarHasView, timeoutMs);
  if (!ok) {
    const sidebar = await page.evaluate(() => document.querySelector('.part.sidebar')?.textContent?.slice(0, 500) ?? '(no sidebar)');
    throw new Error(`view "${viewName}" did not appear after clicking "${containerTitle}". Sidebar shows: ${sidebar}`);
  }
}

function xpathString(s) {
  return s.includes("'") ? `concat('${s.split("'").join(`', "'", '`)}')` : `'${s}'`;
}

// ---------------------------------------------------------------------------------------------
// UI bridge: an HTTP API the tests in the extension host call to drive the real workbench.
// ---------------------------------------------------------------------------------------------

// Runs in the page. Reads the quick input widget without touching it.
function readQuickInputInPage() {
  const w = document.querySelector('.quick-input-widget');
  const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  if (!shown(w)) return { visible: false };
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const input = w.querySelector('.quick-input-box input');
  const inputBox = w.querySelector('.quick-input-box .monaco-inputbox');
  const severity = ['error', 'warning', 'info'].find((s) => inputBox?.classList.contains(s)) ?? null;
  const messageEl = w.querySelector('.quick-input-message');
  const message = shown(messageEl) ? text(messageEl) : '';
  // VS Code renders either the validation message (with a severity decoration on the input) or
  // the prompt plus a fixed hint in the same element.
  let prompt = '';
  let validationMessage = '';
  if (severity) validationMessage = message;
  else if (message && !/^Press 'Enter' to confirm your input or 'Escape' to cancel$/.test(message)) {
    prompt = message.replace(/\s*\(Press 'Enter' to confirm or 'Escape' to cancel\)$/, '');
  }
  const rows = [...w.querySelectorAll('.quick-input-list .monaco-list-row')]
    .filter((row) => shown(row) && !row.querySelector('.quick-input-list-separator-as-item'))
    .map((row) => ({
      label: text(row.querySelector('.quick-input-list-row .label-name')) || row.getAttribute('aria-label') || '',
      description: text(row.querySelector('.quick-input-list-row .label-description')),
      detail: text(row.querySelector('.quick-input-list-label-meta .label-name')),
      focused: row.classList.contains('focused'),
      checked: row.querySelector('input[type=checkbox]')?.checked ?? undefined,
    }));
  const progress = w.querySelector('.quick-input-progress');
  return {
    visible: true,
    title: text(w.querySelector('.quick-input-title')),
    description: text(w.querySelector('.quick-input-header .quick-input-description')),
    prompt,
    placeholder: input?.getAttribute('placeholder') ?? '',
    hasInput: shown(input),
    password: input?.type === 'password',
    // Never hand a password's value back: it would end up in test logs.
    value: input && input.type !== 'password' ? input.value : undefined,
    validationMessage,
    severity,
    busy: shown(progress) && !!progress?.querySelector('.progress-bit') && progress.classList.contains('active'),
    items: rows.map((r) => r.label),
    rows,
    activeItem: rows.find((r) => r.focused)?.label ?? null,
  };
}

// Runs in the page: a one-paragraph account of what is on screen, for error messages.
function describeScreenInPage() {
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const shown = (el) => !!el && el.getClientRects().length > 0;
  const parts = [];
  const qi = document.querySelector('.quick-input-widget');
  if (shown(qi)) {
    const items = [...qi.querySelectorAll('.quick-input-list .monaco-list-row')].filter(shown)
      .map((r) => r.getAttribute('aria-label')).slice(0, 15);
    parts.push(`quick input: title="${text(qi.querySelector('.quick-input-title'))}" ` +
      `message="${text(qi.querySelector('.quick-input-message'))}" ` +
      `placeholder="${qi.querySelector('.quick-input-box input')?.getAttribute('placeholder') ?? ''}" items=${JSON.stringify(items)}`);
  } else parts.push('quick input: hidden');
  const toasts = [...document.querySelectorAll('.notifications-toasts .notification-toast')].filter(shown)
    .map((t) => `${text(t.querySelector('.notification-list-item-message'))} [${[...t.querySelectorAll('.monaco-button')].map(text).join('|')}]`);
  parts.push(`notifications: ${toasts.length ? JSON.stringify(toasts) : 'none'}`);
  const dialog = document.querySelector('.monaco-dialog-box');
  if (shown(dialog)) parts.push(`dialog: "${text(dialog.querySelector('.dialog-message-text'))}" buttons=${JSON.stringify([...dialog.querySelectorAll('.monaco-button')].map(text))}`);
  const tabs = [...document.querySelectorAll('.part.editor .tabs-container .tab')].map((t) =>
    `${t.classList.contains('active') ? '*' : ''}${t.getAttribute('aria-label') ?? text(t)}`);
  parts.push(`editor tabs: ${JSON.stringify(tabs)}`);
  const side = document.querySelector('.part.sidebar');
  if (shown(side)) {
    // A container with a single view hides that view's header and titles the sidebar instead.
    const panes = [...side.querySelectorAll('.pane')].filter(shown).map((p) => text(p.querySelector('.pane-header .title')));
    parts.push(`sidebar: "${text(side.querySelector('.composite.title h2'))}" views=${JSON.stringify(panes)}`);
  } else parts.push('sidebar: hidden');
  return parts.join('; ');
}

// Runs in a (webview) frame.
function readPreviewInFrame(selector) {
  const root = document.querySelector('#insight-preview');
  if (!root) return null;
  const attributes = {};
  for (const a of root.attributes) if (a.name.startsWith('data-')) attributes[a.name] = a.value;
  const text = (root.innerText ?? root.textContent ?? '');
  return {
    found: true,
    visible: root.getClientRects().length > 0,
    text: text.length > 20_000 ? text.slice(0, 20_000) : text,
    rowCount: document.querySelectorAll('[role=row]').length,
    attributes,
    texts: selector ? [...document.querySelectorAll(selector)].map((e) => (e.innerText ?? e.textContent ?? '').trim()) : undefined,
  };
}

class BridgeError extends Error {}

/**
 * Starts the UI bridge server. `setPage(page)` once the workbench page exists.
 * Returns { url, setPage, close }.
 */
export async function startUiBridge({ log = () => {} } = {}) {
  let page;
  let errorCount = 0;
  let queue = Promise.resolve();
  // One UI action at a time: two overlapping keyboard sequences would interleave.
  const serialize = (fn) => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => {});
    return next;
  };

  const needPage = () => {
    if (!page || page.isClosed()) throw new BridgeError('the workbench page is not open (yet)');
    return page;
  };
  const describe = async () => {
    try { return await needPage().evaluate(describeScreenInPage); } catch (e) { return `(could not read the screen: ${e.message})`; }
  };
  const quickInput = () => needPage().evaluate(readQuickInputInPage);
  const signature = (s) => JSON.stringify(s.visible ? [s.title, s.prompt, s.placeholder, s.validationMessage, s.items, s.value, s.password] : false);
  const qiInput = () => needPage().locator('.quick-input-widget .quick-input-box input').first();

  async function waitForQuickInput(timeoutMs) {
    const state = await waitFor(async () => { const s = await quickInput(); return s.visible ? s : undefined; }, timeoutMs);
    if (!state) throw new BridgeError(`no quick input appeared within ${timeoutMs} ms`);
    return state;
  }

  async function typeInto(text) {
    const p = needPage();
    const input = qiInput();
    await input.focus();
    // Replace whatever is there the way a person would: select all, then type over it.
    await p.keyboard.press('ControlOrMeta+a');
    if (text === '') await p.keyboard.press('Backspace');
    else await p.keyboard.type(text);
  }

  async function settle(before, settleMs) {
    const sig = signature(before);
    const after = await waitFor(async () => {
      const s = await quickInput();
      return signature(s) !== sig ? s : undefined;
    }, settleMs);
    return after ? { after, changed: true } : { after: await quickInput(), changed: false };
  }

  const handlers = {
    async '/quickinput'(body) {
      const timeoutMs = body.timeoutMs ?? 15_000;
      const settleMs = body.settleMs ?? 5_000;
      const observed = await waitForQuickInput(timeoutMs);
      const p = needPage();
      if (body.pick !== undefined && body.pick !== null) {
        const pick = String(body.pick);
        if (observed.hasInput) await typeInto(pick);
        // Items may arrive late (busy quick picks) and filtering is asynchronous: wait for a row
        // whose label is the pick (exact match wins over prefix match), in a list that has
        // stopped changing — acting on a list mid-filter would hit the wrong row.
        let previous = '';
        const target = await waitFor(async () => {
          const s = await quickInput();
          if (!s.visible) return undefined;
          const sig = JSON.stringify(s.rows);
          const stable = sig === previous;
          previous = sig;
          if (!stable) return undefined;
          const exact = s.rows.find((r) => r.label === pick);
          const row = exact ?? s.rows.find((r) => r.label.startsWith(pick));
          return row ? { row, state: s } : undefined;
        }, timeoutMs);
        if (!target) {
          const s = await quickInput();
          throw new BridgeError(`no item "${pick}" in the quick pick "${observed.title}" within ${timeoutMs} ms; ` +
            `items before typing: ${JSON.stringify(observed.items)}, after: ${JSON.stringify(s.items ?? [])}`);
        }
        const before = target.state;
        if (target.row.focused) await p.keyboard.press('Enter');
        else {
          // Click the row by its label, not by position, in case the list re-rendered meanwhile.
          await p.locator('.quick-input-widget .quick-input-list .monaco-list-row')
            .filter({ has: p.locator('.quick-input-list-row .label-name').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(target.row.label)}\\s*$`) }) })
            .first().click({ timeout: 5_000 });
        }
        return { ...observed, ...(await settle(before, settleMs)) };
      }
      if (body.text !== undefined && body.text !== null) {
        if (!observed.hasInput) throw new BridgeError(`the quick input "${observed.title}" has no text box`);
        if (body.password === true && !observed.password) {
          throw new BridgeError(`expected a password box (masked input) but "${observed.title || observed.prompt}" shows its text`);
        }
        if (body.password === false && observed.password) {
          throw new BridgeError(`expected a plain text box but "${observed.title || observed.prompt}" is a password box`);
        }
        await typeInto(String(body.text));
        const before = await quickInput();
        await p.keyboard.press('Enter');
        return { ...observed, typed: before, ...(await settle(before, settleMs)) };
      }
      throw new BridgeError('give `pick` or `text`');
    },
    async '/quickinput/state'() {
      return quickInput();
    },
    async '/quickinput/cancel'(body) {
      const before = await quickInput();
      if (!before.visible) return { visible: false, cancelled: false };
      await qiInput().focus().catch(() => {});
      await needPage().keyboard.press('Escape');
      const hidden = await waitFor(async () => !(await quickInput()).visible, body.timeoutMs ?? 5_000);
      if (!hidden) throw new BridgeError('the quick input stayed open after Escape');
      return { ...before, cancelled: true };
    },
    async '/screenshot'(body) {
      return { path: await saveScreenshot(needPage(), body.name) };
    },
    async '/webview'(body) {
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      const result = await waitFor(async () => {
        let hiddenHit;
        for (const frame of p.frames()) {
          if (frame === p.mainFrame() || frame.isDetached()) continue;
          let r;
          try { r = await frame.evaluate(readPreviewInFrame, body.selector ?? null); } catch { continue; }
          if (!r) continue;
          if (body.selector && r.texts.length === 0) continue;
          if (r.visible) return r;
          hiddenHit ??= r;
        }
        return hiddenHit;
      }, timeoutMs);
      return result ?? { found: false, text: '', rowCount: 0, attributes: {}, texts: body.selector ? [] : undefined };
    },
    async '/click'(body) {
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      if (!body.selector && !body.text) throw new BridgeError('give `selector` or `text`');
      const inFrame = (f) => (body.selector ? f.locator(body.selector) : f.getByText(body.text, { exact: true })).first();
      if (body.frame === 'webview') {
        const frame = await waitFor(async () => {
          for (const f of p.frames()) {
            if (f === p.mainFrame() || f.isDetached()) continue;
            try { if (await inFrame(f).count()) return f; } catch { /* detached meanwhile */ }
          }
          return undefined;
        }, timeoutMs);
        if (!frame) throw new BridgeError(`no webview frame has ${body.selector ?? `text "${body.text}"`} within ${timeoutMs} ms`);
        await inFrame(frame).click({ timeout: timeoutMs });
      } else {
        await inFrame(p.mainFrame()).click({ timeout: timeoutMs });
      }
      return { clicked: true };
    },
    async '/press'(body) {
      const keys = Array.isArray(body.keys) ? body.keys : [body.keys];
      if (!keys.length || keys.some((k) => typeof k !== 'string' || !k)) throw new BridgeError('`keys` must be a key or list of keys, e.g. "Escape" or ["Control+Shift+P"]');
      for (const k of keys) await needPage().keyboard.press(k);
      return { pressed: keys };
    },
    async '/type'(body) {
      await needPage().keyboard.type(String(body.text ?? ''));
      return { typed: true };
    },
    async '/notifications'() {
      return { notifications: await needPage().evaluate(readToastsInPage) };
    },
    async '/notification'(body) {
      const timeoutMs = body.timeoutMs ?? 10_000;
      const p = needPage();
      const want = String(body.button ?? '');
      const hit = await waitFor(async () => {
        const toasts = await p.evaluate(readToastsInPage);
        const i = toasts.findIndex((t) => t.buttons.includes(want) && (!body.message || t.message.toLowerCase().includes(String(body.message).toLowerCase())));
        return i >= 0 ? { i, toast: toasts[i] } : undefined;
      }, timeoutMs);
      if (!hit) throw new BridgeError(`no visible notification with a "${want}" button within ${timeoutMs} ms`);
      await p.locator('.notifications-toasts .notification-toast').nth(hit.toast.index)
        .locator('.monaco-button', { hasText: want }).filter({ hasText: new RegExp(`^\\s*${escapeRegExp(want)}\\s*$`) })
        .first().click({ timeout: 5_000 });
      return { message: hit.toast.message, clicked: want };
    },
    async '/tree'(body) {
      return needPage().evaluate(readTreeInPage, body.viewTitle ?? null);
    },
  };

  const server = http.createServer((req, res) => {
    const reply = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const route = (req.url ?? '').split('?')[0];
      const handler = req.method === 'POST' && Object.hasOwn(handlers, route) ? handlers[route] : undefined;
      if (!handler) { reply(404, { error: `unknown endpoint ${req.method} ${route}; try POST ${Object.keys(handlers).join(', ')}` }); return; }
      let body;
      try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}; } catch { reply(400, { error: 'body is not JSON' }); return; }
      serialize(async () => {
        // Every action has an overall time limit, so a test never waits on the bridge forever.
        const limit = (body.timeoutMs ?? 15_000) + (body.settleMs ?? 5_000) + 15_000;
        const t0 = Date.now();
        log(`→ ${route} ${JSON.stringify(body.password ? { ...body, text: '***' } : body)}`);
        let timer;
        try {
          const out = await Promise.race([handler(body),
            new Promise((_, rej) => { timer = setTimeout(() => rej(new BridgeError(`${route} took longer than ${limit} ms`)), limit); })]);
          log(`← ${route} ok (${Date.now() - t0} ms)`);
          reply(200, out ?? {});
        } catch (e) {
          errorCount++;
          let shot = '';
          try { shot = ` Screenshot: ${path.relative(repoRoot, await saveScreenshot(needPage(), `bridge-error-${errorCount}${route.replace(/\//g, '-')}`))}.`; } catch { /* no page */ }
          const message = `${route}: ${e.message.split('\n')[0]}. On screen: ${await describe()}.${shot}`;
          log(`← ${route} error (${Date.now() - t0} ms): ${message}`);
          reply(500, { error: message });
        } finally { clearTimeout(timer); }
      });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const close = onCleanup(() => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }));
  return { url, setPage: (p) => { page = p; }, close };
}

function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

function readToastsInPage() {
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  return [...document.querySelectorAll('.notifications-toasts .notification-toast')].map((t, index) => ({ t, index }))
    .filter(({ t }) => t.getClientRects().length > 0)
    .map(({ t, index }) => ({
      index,
      message: text(t.querySelector('.notification-list-item-message')),
      source: text(t.querySelector('.notification-list-item-source')),
      severity: ['error', 'warning', 'info'].find((s) => t.querySelector(`.codicon-${s}, .codicon-notifications-${s}`)) ?? null,
      buttons: [...t.querySelectorAll('.monaco-button')].map(text).filter(Boolean),
    }));
}

function readTreeInPage(viewTitle) {
  const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const sidebar = document.querySelector('.part.sidebar');
  if (!sidebar || sidebar.getClientRects().length === 0) return { visible: false, views: [], items: [], rows: [] };
  const panes = [...sidebar.querySelectorAll('.pane')].filter((p) => p.getClientRects().length > 0).map((pane) => ({
    pane, title: text(pane.querySelector('.pane-header .title')),
    expanded: pane.querySelector('.pane-header')?.getAttribute('aria-expanded') === 'true',
  }));
  const chosen = viewTitle ? panes.filter((p) => p.title.toLowerCase() === String(viewTitle).toLowerCase()) : panes;
  const rows = [];
  for (const { pane, title } of chosen) {
    for (const row of pane.querySelectorAll('.pane-body .monaco-list-row')) {
      if (row.getClientRects().length === 0) continue;
      rows.push({
        view: title,
        label: text(row.querySelector('.label-name')) || row.getAttribute('aria-label') || text(row),
        description: text(row.querySelector('.label-description')),
        ariaLabel: row.getAttribute('aria-label') ?? '',
        level: Number(row.getAttribute('aria-level') ?? 1),
        expanded: row.hasAttribute('aria-expanded') ? row.getAttribute('aria-expanded') === 'true' : null,
        selected: row.classList.contains('selected'),
      });
    }
  }
  const welcome = chosen.map(({ pane }) => pane.querySelector('.welcome-view-content')).filter((w) => w && w.getClientRects().length > 0)
    .map((w) => (w.innerText ?? text(w)).trim());
  return {
    visible: true,
    views: panes.map((p) => p.title),
    found: chosen.length > 0,
    items: rows.map((r) => r.ariaLabel || r.label),
    rows,
    welcome: welcome.join('\n'),
    message: chosen.map(({ pane }) => pane.querySelector('.pane-body .message'))
      .filter((m) => m && !m.classList.contains('hide') && m.getClientRects().length > 0).map(text).filter(Boolean).join('\n'),
  };
}

/** Rows, welcome content and message of the sidebar view titled `viewName` (see readTreeInPage). */
export function readView(page, viewName) {
  return page.evaluate(readTreeInPage, viewName);
}

/**
 * Waits until the tree view `viewName` shows content that satisfies `accept` (default: any row
 * or welcome content). Until its extension registers the tree's data provider, a view says
 * "There is no data provider…"; if that is still there at the end, the bundle failed to load or
 * activation threw before registering.
 */
export async function waitForViewContent(page, viewName, { timeoutMs = 30_000, accept } = {}) {
  const ok = accept ?? ((v) => v.rows.length > 0 || !!v.welcome);
  let last;
  const hit = await waitFor(async () => {
    last = await readView(page, viewName);
    return ok(last);
  }, timeoutMs, 200);
  if (hit) return last;
  throw new Error(/no data provider/i.test(last?.message ?? '')
    ? `the "${viewName}" view says "${last.message}": the extension did not register its tree (failed to load or activate?)`
    : `the "${viewName}" view did not show the expected content within ${timeoutMs} ms; it shows: ` +
      JSON.stringify({ views: last?.views, items: last?.items, welcome: last?.welcome?.slice(0, 200), message: last?.message }));
}

// ---------------------------------------------------------------------------------------------
// The integration run
// ---------------------------------------------------------------------------------------------
// Messages an offline code-server logs that say nothing about the tests.
const HOST_NOISE = [/open-vsx\.org/, /\bvsda\b/, /^Creation of workbench contribution/, /^\[Service Worker\]/,
  /^(Resolving|Resolved) connection token/, /^Creating a socket/, /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/, /^\s+at .*\/static\/out\/vs\//];

function parseResultLine(lines) {
  for (const line of [...lines].reverse()) {
    const at = line.indexOf('@@INTEGRATION_RESULT ');
    if (at >= 0) {
      try { return JSON.parse(line.slice(at + '@@INTEGRATION_RESULT '.length)); } catch { /* keep looking */ }
    }
  }
  return undefined;
}

/**
 * Runs the suite once. Resolves to { passed, failed, failures, exitCode, timedOut }; never
 * rejects for test failures (they are counted), only for a broken setup.
 */
export async function runIntegration({
  grep,
  timeoutMs = Number(process.env.INTEGRATION_TIMEOUT_MS) || 15 * 60_000,
  extensionDevelopmentPath = repoRoot,
  extensionTestsPath = path.join(repoRoot, 'out', 'test', 'integration', 'index'),
  print = (line) => console.log(line),
} = {}) {
  const testsModule = `${extensionTestsPath}.js`;
  if (!fs.existsSync(testsModule)) {
    throw new Error(`${path.relative(repoRoot, testsModule)} is missing: run \`npm run compile-tests\` first.`);
  }
  const devPkg = JSON.parse(fs.readFileSync(path.join(extensionDevelopmentPath, 'package.json'), 'utf8'));
  const mainFile = devPkg.main && path.join(extensionDevelopmentPath, devPkg.main);
  if (mainFile && !fs.existsSync(mainFile) && !fs.existsSync(`${mainFile}.js`)) {
    throw new Error(`${path.relative(repoRoot, mainFile)} is missing: run \`npm run build\` first.`);
  }
  findChromium();
  ensureCodeServer();

  const tmp = makeTempDir('insight-it-');
  const userDataDir = path.join(tmp.dir, 'user-data');
  const extensionsDir = path.join(tmp.dir, 'extensions');
  const workspace = prepareWorkspace(path.join(tmp.dir, 'workspace'));
  const resultsFile = path.join(tmp.dir, 'results.json');
  const started = Date.now();
  const hostLines = [];

  // Every bridge request and its outcome, for debugging a UI-driven test (not echoed: a failing
  // test's message already carries the bridge's error).
  const logs = [];
  const openLog = (name) => {
    fs.mkdirSync(logsDir, { recursive: true });
    const stream = fs.createWriteStream(path.join(logsDir, name));
    logs.push(onCleanup(() => new Promise((r) => stream.end(r))));
    return stream;
  };
  const bridgeLog = openLog('ui-bridge.log');
  const bridge = await startUiBridge({ log: (l) => bridgeLog.write(`${new Date().toISOString()} ${l}\n`) });
  let server;
  let browserHandle;
  try {
    server = await startCodeServerOnFreePort({
      userDataDir, extensionsDir, folder: workspace,
      logFile: path.join(logsDir, 'code-server-integration.log'),
      env: {
        INSIGHT_TEST_RESULTS: resultsFile,
        INSIGHT_UI_BRIDGE: bridge.url,
        INSIGHT_TEST_WORKSPACE: workspace,
        INSIGHT_TEST_SCREENSHOTS: screenshotsDir,
        INSIGHT_TEST_GREP: grep ?? null,
        INSIGHT_EXPLORER_SANDBOX: null,
        // Keep code-server's own state (last opened folder, …) out of the user's home.
        XDG_DATA_HOME: path.join(tmp.dir, 'xdg-data'),
      },
    });

    browserHandle = await launchChromium();
    const context = await browserHandle.browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const pageLog = openLog('workbench-console.log');
    page.on('console', (m) => pageLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => pageLog.write(`[pageerror] ${e.stack ?? e.message}\n`));

    let resolveExit;
    const exited = new Promise((r) => { resolveExit = r; });
    // The workbench relays its own log and the extension host's console here (one string per
    // message). Everything goes to test-results/logs/integration-host.log; the terminal gets
    // the suite's output only — from index.ts's @@INTEGRATION_START marker on, minus known
    // harmless chatter of an offline code-server. If the suite never starts, the buffered
    // start-up lines are printed at the end to explain why.
    const hostLog = openLog('integration-host.log');
    let suiteStarted = false;
    let skippingStack = false;
    await page.exposeFunction('codeAutomationLog', (type, message) => {
      // `message` is the console call's argument list; apply printf-style formats like Node would.
      const text = Array.isArray(message) ? util.format(...message) : String(message);
      for (const l of text.split('\n')) {
        hostLines.push(l);
        if (hostLines.length > 5_000) hostLines.shift();
        hostLog.write(`[${type}] ${l}\n`);
        if (l.includes('@@INTEGRATION_START')) { suiteStarted = true; continue; }
        if (!suiteStarted || l.startsWith('@@INTEGRATION_RESULT')) continue;
        // Stack frames inside the workbench bundle belong to workbench messages, not to tests.
        if (skippingStack && /^\s+at /.test(l)) continue;
        skippingStack = false;
        if (HOST_NOISE.some((re) => re.test(l))) { skippingStack = true; continue; }
        print(type === 'error' || type === 'warn' ? `[${type}] ${l}` : l);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => { resolveExit({ code: Number(code) }); });
    bridge.setPage(page);

    const url = workbenchUrl({ port: server.port, folder: workspace, extensionDevelopmentPath, extensionTestsPath });
    print(`integration: VS Code (code-server) at ${server.url}, time limit ${Math.round(timeoutMs / 1000)} s`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

    let timer;
    const outcome = await Promise.race([
      exited,
      new Promise((r) => { timer = setTimeout(() => r({ timedOut: true }), timeoutMs); }),
      server.exited.then(({ code, signal }) => ({ serverDied: `code-server exited (${signal ?? code})` })),
      new Promise((r) => page.once('crash', () => r({ serverDied: 'the workbench page crashed' }))),
    ]);
    clearTimeout(timer);

    let results;
    try { results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { results = parseResultLine(hostLines); }
    const failures = [...(results?.failures ?? [])];
    let passed = results?.passed ?? 0;
    let failed = results?.failed ?? 0;
    if (outcome.timedOut) {
      failed++;
      failures.push({ title: 'integration run', error: `timed out after ${timeoutMs} ms (INTEGRATION_TIMEOUT_MS)` });
    } else if (outcome.serverDied) {
      failed++;
      failures.push({ title: 'integration run', error: `${outcome.serverDied}. Last code-server output:\n${server.tail()}` });
    } else if (!results) {
      failed++;
      const crash = server.extensionHostExits.find((e) => !/code: 0\b/.test(e));
      if (!suiteStarted) print(`integration: the suite never started; last workbench/extension host output:\n  ${hostLines.slice(-60).join('\n  ')}`);
      failures.push({ title: 'integration run', error: crash
        ? `the extension host died during the run (${crash}); the last test it started crashed it (see the output above)`
        : `the test module reported no results (exit code ${outcome.code}); did out/test/integration/index.js load? ` +
          'See the extension host output above.' });
    } else if (outcome.code !== 0 && failed === 0) {
      failed++;
      failures.push({ title: 'integration run', error: `the test run exited with code ${outcome.code} without a counted failure` });
    }
    if (failed > 0) {
      try {
        const shot = await saveScreenshot(page, outcome.timedOut ? 'integration-timeout' : 'integration-failure');
        print(`integration: screenshot of the workbench: ${path.relative(repoRoot, shot)}`);
      } catch (e) { print(`integration: could not take a screenshot: ${e.message}`); }
    }
    for (const f of failures) if (f.title === 'integration run') print(`integration: ${f.error}`);
    return { passed, failed, failures, exitCode: outcome.code, timedOut: !!outcome.timedOut, durationMs: Date.now() - started };
  } finally {
    await browserHandle?.close();
    await server?.stop();
    await bridge.close();
    for (const close of logs) await close();
    tmp.remove();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const gi = argv.indexOf('--grep');
  const grep = gi >= 0 ? argv[gi + 1] : undefined;
  runIntegration({ grep }).then((r) => {
    console.log(`integration: ${r.passed} passed, ${r.failed} failed`);
    process.exitCode = r.failed || r.passed === 0 ? 1 : 0;
  }, (e) => { console.error(e.message); process.exitCode = 1; });
}
