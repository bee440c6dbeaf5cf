// @ts-check
// `npm start`: try the extension in a real VS Code in your browser, with sandbox data.
//
//   1. installs dependencies if node_modules is missing or older than package-lock.json,
//   2. installs code-server (VS Code 1.100.3 for the browser) into .vscode-test/ once,
//   3. builds the extension (npm run build) and the fakes (npm run compile-tests),
//   4. starts the sandbox: local fake platform servers + a file listing them as sources,
//   5. starts code-server on 127.0.0.1:PORT (env PORT, else the first free port from 8080) with
//      INSIGHT_EXPLORER_SANDBOX pointing at that file (the extension seeds those sources on
//      activation), opened on .vscode-test/start-workspace (a sample CSV) and loading this
//      repository as a development extension (like F5),
//   6. prints the URL to open, and runs until Ctrl-C, then stops everything.
//
// Flags:
//   --check   start everything, open the URL in headless Chromium, check that the workbench
//             loads, the Insight Explorer view shows and the sandbox source is in it, save
//             test-results/screenshots/start.png, stop, exit 0/1 (for automation).
//
// Where things live: VS Code's settings and logs in .vscode-test/start-user-data (kept between
// runs). Extension state (the sources you add) and secrets are kept by VS Code for the Web in
// your *browser's* storage for this address (http://127.0.0.1:PORT), encrypted with a key half
// stored in that user-data folder — so use the same browser and port to find them again.
//
// This first part uses Node built-ins only: node_modules may not exist yet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLocalizedManifest } from './manifest.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stateDir = path.join(repoRoot, '.vscode-test');

/**
 * @param {string} message
 * @returns {never}
 */
function die(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

/**
 * @param {string[]} args
 * @param {string} what
 */
function npm(args, what) {
  const res = spawnSync('npm', args, { cwd: repoRoot, stdio: 'inherit' });
  if (res.error) die(`could not run npm (${res.error.message}); is Node.js with npm on PATH?`);
  if (res.status !== 0) die(`${what} failed (exit ${res.status}); see the errors above.`);
}

/** @param {string} p */
function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function ensureDependencies() {
  const lock = path.join(repoRoot, 'package-lock.json');
  // npm writes node_modules/.package-lock.json on every install: older than the lock file
  // means someone changed the dependencies since.
  const installed = path.join(repoRoot, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(lock)) {
    if (!fs.existsSync(path.join(repoRoot, 'node_modules'))) {
      console.log('Installing dependencies (npm install)…');
      npm(['install', '--no-audit', '--no-fund'], 'npm install');
    }
    return;
  }
  if (!fs.existsSync(installed) || mtime(installed) < mtime(lock)) {
    console.log('Installing dependencies (npm ci)…');
    npm(['ci', '--no-audit', '--no-fund'], 'npm ci');
  }
}

function readView() {
  const pkg = readLocalizedManifest(repoRoot);
  const container = pkg.contributes?.viewsContainers?.activitybar?.find(
    (/** @type {{ id: string, title: string }} */ c) => c.id === 'insightExplorer',
  );
  const view = pkg.contributes?.views?.insightExplorer?.[0];
  return { containerTitle: container?.title ?? 'Insight Explorer', viewName: view?.name ?? 'Sources' };
}

async function main() {
  ensureDependencies();
  const { ensureCodeServer } = await import('./ensure-code-server.mjs');
  try {
    ensureCodeServer();
  } catch (/** @type {any} */ e) {
    die(e.message);
  }
  console.log('Building…');
  npm(['run', '--silent', 'build'], '`npm run build`');
  npm(['run', '--silent', 'compile-tests'], '`npm run compile-tests` (builds the sandbox fakes)');

  // Everything below may use dependencies.
  const h = { ...(await import('./workbench.mjs')), ...(await import('./ui-bridge.mjs')) };
  // Ctrl-C is how you stop `npm start`: not an error.
  if (!check) h.setInterruptExitCode(0);

  let port;
  if (process.env.PORT) {
    port = Number(process.env.PORT);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) die(`PORT=${process.env.PORT} is not a port number.`);
    if ((await h.freePort(port)) !== port) die(`port ${port} (from PORT) is in use; pick another: PORT=8081 npm start`);
  } else {
    port = await h.freePort(8080);
  }

  const sandboxModule = path.join(repoRoot, 'out', 'test', 'fakes', 'sandbox.js');
  if (!fs.existsSync(sandboxModule)) die(`${path.relative(repoRoot, sandboxModule)} is missing after compile-tests.`);
  const { startSandbox } = createRequire(import.meta.url)(sandboxModule);
  const sandbox = await startSandbox();
  h.onCleanup(() => sandbox.close());

  const workspace = h.prepareWorkspace(path.join(stateDir, 'start-workspace'));
  // The workspace lives inside this repository's checkout; without this VS Code offers to open
  // the repository in the Source Control view, which is noise for someone trying the extension.
  const settings = path.join(workspace, '.vscode', 'settings.json');
  if (!fs.existsSync(settings)) {
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(settings, `${JSON.stringify({ 'git.openRepositoryInParentFolders': 'never' }, null, 2)}\n`);
  }
  const logFile = path.join(stateDir, 'start-code-server.log');
  const server = await h.startCodeServer({
    port,
    userDataDir: path.join(stateDir, 'start-user-data'),
    extensionsDir: path.join(stateDir, 'start-extensions'),
    folder: workspace,
    logFile,
    env: { INSIGHT_EXPLORER_SANDBOX: sandbox.sandboxFile },
  });
  // The repository is loaded through the URL's payload as a development extension — the
  // browser equivalent of F5 / --extensionDevelopmentPath — so the URL must be opened as printed.
  const url = h.workbenchUrl({ port, folder: workspace, extensionDevelopmentPath: repoRoot });

  if (check) {
    const labels = JSON.parse(fs.readFileSync(sandbox.sandboxFile, 'utf8')).sources.map((/** @type {{ label: string }} */ x) => x.label);
    process.exitCode = (await runCheck(h, url, labels)) ? 0 : 1;
    await h.runAllCleanups();
    return;
  }

  console.log('\nSandbox servers (fake platforms, no account needed):');
  for (const s of sandbox.servers) console.log(`  ${s.name}: ${s.url}`);
  console.log(`\nVS Code log: ${path.relative(repoRoot, logFile)}`);
  console.log('Rebuild while it runs with `npm run watch` in another terminal, then reload the browser tab.');
  console.log('Press Ctrl-C to stop.\n');
  console.log(`Insight Explorer is running at ${url}`);
  const { code, signal } = await server.exited;
  if (h.isShuttingDown()) return; // Ctrl-C: the signal handler finishes the teardown and exits.
  console.error(`\ncode-server stopped unexpectedly (${signal ?? `exit ${code}`}); last output:\n${server.tail()}`);
  await h.runAllCleanups();
  process.exit(1);
}

/**
 * Opens the URL like a person would and checks that every sandbox source is in the view.
 * @param {typeof import('./workbench.mjs') & typeof import('./ui-bridge.mjs')} h
 * @param {string} url
 * @param {string[]} labels
 */
async function runCheck(h, url, labels) {
  const { containerTitle, viewName } = readView();
  const { browser } = await h.launchChromium();
  const page = await (await browser.newContext({ viewport: h.VIEWPORT })).newPage();
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await h.waitForWorkbench(page);
    await h.openViewContainer(page, containerTitle, viewName);
    const view = await h.waitForViewContent(page, viewName, {
      accept: (v) => labels.every((l) => v.rows.some((r) => r.label.startsWith(l))),
    });
    console.log(`start --check: "${containerTitle}" shows ${JSON.stringify(view.rows.map((r) => r.label))}`);
    return true;
  } catch (/** @type {any} */ e) {
    console.error(`start --check failed: ${e.message}`);
    return false;
  } finally {
    const shot = await h.saveScreenshot(page, 'start').catch(() => undefined);
    if (shot) console.log(`screenshot: ${path.relative(repoRoot, shot)}`);
  }
}

main().catch((e) => die(e?.stack ?? String(e)));
