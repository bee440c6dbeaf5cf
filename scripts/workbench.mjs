// @ts-check
// Driving VS Code in a browser: code-server (VS Code 1.100.3 served to a browser, with the same
// Node extension host as desktop VS Code) and Debian's Chromium through playwright-core. See
// ../shared/TESTING-IN-VSCODE.md for why (no internet here, so @vscode/test-electron cannot
// download VS Code). Shared by scripts/run-integration.mjs, test-vsix.mjs and start.mjs: starting
// code-server, launching Chromium, free ports, workbench helpers, and tearing everything down on
// every path (including Ctrl-C).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './ensure-code-server.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const screenshotsDir = path.join(repoRoot, 'test-results', 'screenshots');
export const logsDir = path.join(repoRoot, 'test-results', 'logs');
export const EXTENSION_ID = 'insight-explorer.insight-explorer';

// The flags TESTING-IN-VSCODE.md lists, plus new headless mode. --no-sandbox: we run as root.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--headless=new',
];
export const VIEWPORT = { width: 1400, height: 900 };

// ---------------------------------------------------------------------------------------------
// Teardown on every path. Everything that must be undone registers a cleanup here; a normal run
// calls them itself, Ctrl-C / SIGTERM runs all that are still pending, and a synchronous 'exit'
// hook SIGKILLs any process group still alive (code-server runs detached, in its own process
// group, so a Ctrl-C in the terminal does not reach it — we must end it ourselves).
// ---------------------------------------------------------------------------------------------
/** @type {Set<() => Promise<void>>} */
const pendingCleanups = new Set();
/** @type {Set<number>} */
const liveProcessGroups = new Set();
/** @type {Set<string>} */
const liveTempDirs = new Set();
let signalsInstalled = false;
let shuttingDown = false;
/** @type {number | undefined} */
let interruptExitCode;

/** True once Ctrl-C / SIGTERM started the teardown (processes ending then are expected). */
export function isShuttingDown() {
  return shuttingDown;
}

/**
 * Exit code after Ctrl-C once everything is cleaned up (default 130, the shell convention).
 * @param {number} code
 */
export function setInterruptExitCode(code) {
  interruptExitCode = code;
}

function installSignalHandlers() {
  if (signalsInstalled) return;
  signalsInstalled = true;
  /** @type {(signal: NodeJS.Signals, code: number) => void} */
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
    for (const pid of liveProcessGroups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const dir of liveTempDirs) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  });
}

/**
 * Registers an async cleanup; returns a function that runs it once and unregisters it.
 * @param {() => unknown} fn
 * @returns {() => Promise<void>}
 */
export function onCleanup(fn) {
  installSignalHandlers();
  let done = false;
  const run = async () => {
    if (done) return;
    done = true;
    pendingCleanups.delete(run);
    try {
      await fn();
    } catch (/** @type {any} */ e) {
      console.error(`cleanup failed: ${e?.message ?? e}`);
    }
  };
  pendingCleanups.add(run);
  return run;
}

export async function runAllCleanups() {
  // Last registered first: the browser closes before the server it talks to.
  for (const run of [...pendingCleanups].reverse()) await run();
}

/** @param {string} prefix */
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
/**
 * A free TCP port on 127.0.0.1: `preferred` and upwards if given, else one the OS picks.
 * @param {number} [preferred]
 * @returns {Promise<number>}
 */
export async function freePort(preferred) {
  /** @type {(port: number) => Promise<number | undefined>} */
  const tryPort = (port) =>
    new Promise((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', () => resolve(undefined));
      srv.listen({ host: '127.0.0.1', port }, () => {
        const { port: got } = /** @type {net.AddressInfo} */ (srv.address());
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
  const candidates = /** @type {string[]} */ (
    [
      process.env.CHROMIUM_PATH,
      '/usr/bin/chromium',
      '/usr/bin/chromium-browser',
      '/usr/bin/google-chrome',
      '/usr/bin/google-chrome-stable',
    ].filter(Boolean)
  );
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error('chromium not found: apt-get install -y chromium ' + '(or set CHROMIUM_PATH to a Chromium/Chrome binary)');
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
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
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

/**
 * Creates (or refreshes) a workspace folder with a sample CSV in it.
 * @param {string} dir
 */
export function prepareWorkspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'sample.csv');
  if (!fs.existsSync(file)) fs.writeFileSync(file, sampleCsv());
  return dir;
}

/** @param {string | undefined} name */
function sanitizeName(name) {
  return (
    String(name || 'screenshot')
      .replace(/\.png$/i, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 120) || 'screenshot'
  );
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function saveScreenshot(page, name) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const file = path.join(screenshotsDir, `${sanitizeName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: 15_000 });
  return file;
}

/**
 * A path relative to the repository when it is inside it, else absolute.
 * @param {string} p
 */
export function displayPath(p) {
  const rel = path.relative(repoRoot, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

/** @type {(ms: number) => Promise<void>} */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a truthy value or `timeoutMs` passes (then returns undefined).
 * @template T
 * @param {() => T | Promise<T>} probe
 * @param {number} timeoutMs
 * @param {number} [intervalMs]
 * @returns {Promise<T | undefined>}
 */
export async function waitFor(probe, timeoutMs, intervalMs = 100) {
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
 * What startCodeServer needs.
 * @typedef {{ port: number, userDataDir: string, extensionsDir: string, folder?: string,
 *   env?: Record<string, string | null | undefined>, logFile: string, echo?: boolean }} CodeServerOptions
 */

/**
 * Starts code-server and resolves once it answers HTTP. Flags from TESTING-IN-VSCODE.md.
 * `env` is added to code-server's environment; the extension host inherits it.
 * Output goes to `logFile` (and, with `echo`, to our stderr); the last lines are quoted in errors.
 * @param {CodeServerOptions} options
 */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, env = {}, logFile, echo = false }) {
  const entry = ensureCodeServer();
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // An explicit config file, so a ~/.config/code-server/config.yaml with a password (or another
  // bind address) on a developer's machine cannot change what we run.
  const configFile = path.join(userDataDir, 'code-server-config.yaml');
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    entry,
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
  if (folder) args.push(folder);

  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile);
  /** @type {string[]} */
  const tail = [];
  // "Extension Host Process exited with code: …, signal: …" lines: a crashed extension host
  // explains a run that ends without results.
  /** @type {string[]} */
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
    env: /** @type {NodeJS.ProcessEnv} */ (
      Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== null && v !== undefined))
    ),
  });
  // Spawning our own Node binary gives a pid (it is undefined only when spawning fails).
  const pid = /** @type {number} */ (child.pid);
  liveProcessGroups.add(pid);
  /** @param {Buffer} chunk */
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
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      liveProcessGroups.delete(pid);
      resolve({ code, signal });
    }),
  );

  const stop = onCleanup(async () => {
    if (!exited) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    // The wrapper's children (extension host, …) can outlive it by a moment; they share the group.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* group empty */
    }
    await new Promise((r) => log.end(r));
  });

  const url = `http://127.0.0.1:${port}`;
  const ready = await Promise.race([
    waitFor(
      async () => {
        try {
          const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
          return res.ok;
        } catch {
          return false;
        }
      },
      60_000,
      200,
    ).then((ok) => (ok ? 'ready' : 'timeout')),
    exitPromise.then(() => 'exited'),
  ]);
  if (ready !== 'ready') {
    await stop();
    throw new Error(
      `code-server ${ready === 'exited' ? 'exited during startup' : 'did not answer within 60 s'} ` +
        `(full log: ${displayPath(logFile)}). Last output:\n  ${tail.join('\n  ')}`,
    );
  }
  return { url, port, process: child, exited: exitPromise, stop, tail: () => tail.join('\n'), extensionHostExits };
}

/**
 * startCodeServer on a port the OS picks; if another process takes that port between our probe
 * and code-server's listen (EADDRINUSE), try again with a new one.
 */
/** @param {Omit<CodeServerOptions, 'port'>} opts */
export async function startCodeServerOnFreePort(opts) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startCodeServer({ ...opts, port });
    } catch (/** @type {any} */ e) {
      if (attempt >= 3 || !/EADDRINUSE/.test(e.message)) throw e;
    }
  }
}

/**
 * Workbench URL; with a payload (extension development / tests) per TESTING-IN-VSCODE.md.
 * @param {{ port: number, folder?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} options
 */
export function workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath }) {
  const authority = `127.0.0.1:${port}`;
  /** @param {string} p */
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
/**
 * @param {import('playwright-core').Page} page
 * @param {number} [timeoutMs]
 */
export async function waitForWorkbench(page, timeoutMs = 90_000) {
  await page.locator('.monaco-workbench .part.activitybar').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Clicks the activity-bar entry of a view container (by its title) and waits until the sidebar
 * shows the view `viewName`. Throws with what the sidebar shows instead.
 */
/**
 * @param {import('playwright-core').Page} page
 * @param {string} containerTitle
 * @param {string} viewName
 * @param {number} [timeoutMs]
 */
export async function openViewContainer(page, containerTitle, viewName, timeoutMs = 30_000) {
  const byRole = page.locator('.part.activitybar').getByRole('tab', { name: containerTitle });
  const byLabel = page.locator(`.part.activitybar .action-item [aria-label^=${JSON.stringify(containerTitle)}]`);
  const target = (await byRole.count()) ? byRole.first() : byLabel.first();
  await target.waitFor({ state: 'visible', timeout: timeoutMs });
  // Only visible panes count: the sidebar keeps other containers' views in the DOM, hidden.
  // A container with a single view hides that pane's header and titles the sidebar
  // "Container: View" instead; the hidden header still holds the view's name.
  const sidebarHasView = () =>
    page.evaluate((name) => {
      const side = document.querySelector('.part.sidebar');
      if (!side || side.getClientRects().length === 0) return false;
      return [...side.querySelectorAll('.pane')]
        .filter((p) => p.getClientRects().length > 0)
        .some((p) => (p.querySelector('.pane-header .title')?.textContent ?? '').trim().toLowerCase() === name.toLowerCase());
    }, viewName);
  // Clicking the container that is already open would close the sidebar: click only if needed.
  if (!(await sidebarHasView())) {
    await target.click();
    // Move the pointer off the activity bar so its hover tooltip does not cover screenshots.
    await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2);
  }
  if (!(await waitFor(sidebarHasView, timeoutMs))) {
    const sidebar = await page.evaluate(
      () => /** @type {HTMLElement | null} */ (document.querySelector('.part.sidebar'))?.innerText?.slice(0, 500) ?? '(no sidebar)',
    );
    throw new Error(`view "${viewName}" did not appear after clicking "${containerTitle}". Sidebar shows: ${sidebar}`);
  }
}
