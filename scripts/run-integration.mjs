// @ts-check
// Runs the integration suite (out/test/integration/index.js) inside a real VS Code: code-server
// driven by Chromium (scripts/workbench.mjs), with the UI bridge (scripts/ui-bridge.mjs) the
// tests use to drive the workbench like a person.
//
// The test module reports {passed, failed, skipped: [{title, reason}], failures} as JSON in the file named by
// INSIGHT_TEST_RESULTS (set on code-server, inherited by the extension host) and as a log line
// `@@INTEGRATION_RESULT {json}` (the fallback). Everything the run needs is created fresh in a
// temp folder and removed afterwards; logs go to test-results/logs/, screenshots of failures to
// test-results/screenshots/.
//
// INSIGHTS_THEME (or the `theme` option) names the workbench colour theme for the run, e.g.
// "Default Light Modern": it is written to the user settings before VS Code starts, so the whole
// run (and the window after the phase-2 reload) is drawn in it. Unset: VS Code's default.
//
// Standalone use (no build step; run `npm run build && npm run compile-tests` first):
//   node scripts/run-integration.mjs [--grep PATTERN]
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './ensure-code-server.mjs';
import { startUiBridge } from './ui-bridge.mjs';
import {
  findChromium,
  launchChromium,
  logsDir,
  makeTempDir,
  onCleanup,
  prepareWorkspace,
  repoRoot,
  saveScreenshot,
  screenshotsDir,
  startCodeServerOnFreePort,
  VIEWPORT,
  workbenchUrl,
} from './workbench.mjs';

// Messages an offline code-server logs that say nothing about the tests.
const HOST_NOISE = [
  /open-vsx\.org/,
  /\bvsda\b/,
  /^Creation of workbench contribution/,
  /^\[Service Worker\]/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/,
  /^\s+at .*\/static\/out\/vs\//,
];

/**
 * Whether any compiled test file is a second-phase (after window reload) one.
 * @param {string} dir
 * @returns {boolean}
 */
function hasPhase2Tests(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && hasPhase2Tests(path.join(dir, entry.name))) return true;
    if (entry.isFile() && entry.name.endsWith('.afterReload.test.js')) return true;
  }
  return false;
}

/**
 * Writes VS Code's user settings.json in code-server's user-data folder (read at start-up).
 * @param {string} userDataDir
 * @param {Record<string, unknown>} settings
 */
function writeUserSettings(userDataDir, settings) {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/**
 * @param {string[]} lines
 * @returns {any} the results the test module printed
 */
function parseResultLine(lines) {
  for (const line of [...lines].reverse()) {
    const at = line.indexOf('@@INTEGRATION_RESULT ');
    if (at >= 0) {
      try {
        return JSON.parse(line.slice(at + '@@INTEGRATION_RESULT '.length));
      } catch {
        /* keep looking */
      }
    }
  }
  return undefined;
}

/** @typedef {Awaited<ReturnType<typeof startCodeServerOnFreePort>>} CodeServer */

/**
 * How a phase ended: the test module's exit code, or a time-out, or code-server or the page died.
 * @typedef {{ code?: number, timedOut?: boolean, serverDied?: string }} Outcome
 */

/**
 * Runs the suite once. Resolves to { passed, failed, skipped, failures, exitCode, timedOut }; never
 * rejects for test failures (they are counted), only for a broken setup.
 * @param {{ grep?: string, timeoutMs?: number, extensionDevelopmentPath?: string, extensionTestsPath?: string,
 *   print?: (line: string) => void, theme?: string }} [options] theme: a workbench colour theme name
 */
export async function runIntegration({
  grep,
  timeoutMs = Number(process.env.INTEGRATION_TIMEOUT_MS) || 15 * 60_000,
  extensionDevelopmentPath = repoRoot,
  extensionTestsPath = path.join(repoRoot, 'out', 'test', 'integration', 'index'),
  print = (line) => console.log(line),
  theme = process.env.INSIGHTS_THEME || undefined,
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
  const phaseFile = path.join(tmp.dir, 'phase');
  if (theme) writeUserSettings(userDataDir, { 'workbench.colorTheme': theme });
  const started = Date.now();
  /** @type {string[]} */
  const hostLines = [];

  // Every bridge request and its outcome, for debugging a UI-driven test (not echoed: a failing
  // test's message already carries the bridge's error).
  /** @type {Array<() => Promise<void>>} */
  const logs = [];
  /** @param {string} name */
  const openLog = (name) => {
    fs.mkdirSync(logsDir, { recursive: true });
    const stream = fs.createWriteStream(path.join(logsDir, name));
    logs.push(onCleanup(() => new Promise((r) => stream.end(r))));
    return stream;
  };
  const bridgeLog = openLog('ui-bridge.log');
  const bridge = await startUiBridge({ log: (l) => bridgeLog.write(`${new Date().toISOString()} ${l}\n`) });
  /** @type {CodeServer | undefined} */
  let server;
  /** @type {Awaited<ReturnType<typeof launchChromium>> | undefined} */
  let browserHandle;
  try {
    server = await startCodeServerOnFreePort({
      userDataDir,
      extensionsDir,
      folder: workspace,
      logFile: path.join(logsDir, 'code-server-integration.log'),
      env: {
        INSIGHT_TEST_RESULTS: resultsFile,
        INSIGHT_TEST_PHASE_FILE: phaseFile,
        INSIGHT_UI_BRIDGE: bridge.url,
        INSIGHT_TEST_WORKSPACE: workspace,
        INSIGHT_TEST_SCREENSHOTS: screenshotsDir,
        INSIGHT_TEST_GREP: grep ?? null,
        // test/skip.ts: a missing UI bridge fails instead of skipping on CI.
        INSIGHTS_REQUIRE_ALL: process.env.INSIGHTS_REQUIRE_ALL ?? (process.env.CI ? '1' : null),
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

    // Phase 1 runs every test file but *.afterReload.test.js; phase 2 reloads the same page (same
    // code-server, user data and globalState) and runs only those, so tests can check what
    // survives a window reload. The test module reads the phase from this file at each start.
    /** @type {(outcome: Outcome) => void} */
    let resolveExit;
    /** @type {Promise<Outcome> | undefined} */
    let exited;
    const armExit = () => {
      exited = new Promise((r) => {
        resolveExit = r;
      });
    };
    armExit();
    const hostLog = openLog('integration-host.log');
    let suiteStarted = false;
    let skippingStack = false;
    await page.exposeFunction('codeAutomationLog', (/** @type {string} */ type, /** @type {unknown} */ message) => {
      const text = Array.isArray(message) ? util.format(...message) : String(message);
      for (const l of text.split('\n')) {
        hostLines.push(l);
        if (hostLines.length > 5_000) hostLines.shift();
        hostLog.write(`[${type}] ${l}\n`);
        if (l.includes('@@INTEGRATION_START')) {
          suiteStarted = true;
          continue;
        }
        if (!suiteStarted || l.startsWith('@@INTEGRATION_RESULT')) continue;
        if (skippingStack && /^\s+at /.test(l)) continue;
        skippingStack = false;
        if (HOST_NOISE.some((re) => re.test(l))) {
          skippingStack = true;
          continue;
        }
        print(type === 'error' || type === 'warn' ? `[${type}] ${l}` : l);
      }
    });
    await page.exposeFunction('codeAutomationExit', (/** @type {unknown} */ code) => {
      resolveExit({ code: Number(code) });
    });
    bridge.setPage(page);

    const url = workbenchUrl({ port: server.port, folder: workspace, extensionDevelopmentPath, extensionTestsPath });
    print(
      `integration: VS Code (code-server) at ${server.url}, time limit ${Math.round(timeoutMs / 1000)} s` +
        (theme ? `, colour theme "${theme}"` : ''),
    );
    const deadline = Date.now() + timeoutMs;
    const phases = hasPhase2Tests(path.dirname(testsModule)) ? [1, 2] : [1];
    let passed = 0;
    let failed = 0;
    /** @type {import('./test.mjs').Failure[]} */
    const failures = [];
    /** @type {import('./test.mjs').Skipped[]} */
    const skipped = [];
    /** @type {Outcome | undefined} */
    let outcome;
    for (const phase of phases) {
      fs.writeFileSync(phaseFile, String(phase));
      fs.rmSync(resultsFile, { force: true });
      suiteStarted = false;
      hostLines.length = 0;
      if (phase === 1) await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      else {
        print(`integration: phase ${phase}: reloading the window`);
        armExit();
        await page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
      }
      const r = await runPhase(/** @type {Promise<Outcome>} */ (exited), Math.max(1, deadline - Date.now()));
      outcome = r.outcome;
      passed += r.passed;
      failed += r.failed;
      failures.push(...r.failures);
      skipped.push(...r.skipped);
      if (outcome.timedOut || outcome.serverDied) break;
    }

    /**
     * @param {Promise<Outcome>} exited
     * @param {number} timeoutMs
     */
    async function runPhase(exited, timeoutMs) {
      let timer;
      /** @type {Outcome} */
      const outcome = await Promise.race([
        exited,
        new Promise((r) => {
          timer = setTimeout(() => r({ timedOut: true }), timeoutMs);
        }),
        /** @type {CodeServer} */ (server).exited.then(({ code, signal }) => ({ serverDied: `code-server exited (${signal ?? code})` })),
        new Promise((r) => page.once('crash', () => r({ serverDied: 'the workbench page crashed' }))),
      ]);
      clearTimeout(timer);

      let results;
      try {
        results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      } catch {
        results = parseResultLine(hostLines);
      }
      /** @type {import('./test.mjs').Failure[]} */
      const failures = [...(results?.failures ?? [])];
      /** @type {import('./test.mjs').Skipped[]} */
      const skipped = [...(results?.skipped ?? [])];
      let passed = results?.passed ?? 0;
      let failed = results?.failed ?? 0;
      if (outcome.timedOut) {
        failed++;
        failures.push({ title: 'integration run', error: `timed out after ${timeoutMs} ms (INTEGRATION_TIMEOUT_MS)` });
      } else if (outcome.serverDied) {
        failed++;
        failures.push({
          title: 'integration run',
          error: `${outcome.serverDied}. Last code-server output:\n${/** @type {CodeServer} */ (server).tail()}`,
        });
      } else if (!results) {
        failed++;
        const crash = /** @type {CodeServer} */ (server).extensionHostExits.find((e) => !/code: 0\b/.test(e));
        if (!suiteStarted)
          print(`integration: the suite never started; last workbench/extension host output:\n  ${hostLines.slice(-60).join('\n  ')}`);
        failures.push({
          title: 'integration run',
          error: crash
            ? `the extension host died during the run (${crash}); the last test it started crashed it (see the output above)`
            : `the test module reported no results (exit code ${outcome.code}); did out/test/integration/index.js load? ` +
              'See the extension host output above.',
        });
      } else if (outcome.code !== 0 && failed === 0) {
        failed++;
        failures.push({ title: 'integration run', error: `the test run exited with code ${outcome.code} without a counted failure` });
      }
      return { outcome, passed, failed, skipped, failures };
    }

    if (failed > 0) {
      try {
        const shot = await saveScreenshot(page, /** @type {Outcome} */ (outcome).timedOut ? 'integration-timeout' : 'integration-failure');
        print(`integration: screenshot of the workbench: ${path.relative(repoRoot, shot)}`);
      } catch (/** @type {any} */ e) {
        print(`integration: could not take a screenshot: ${e.message}`);
      }
    }
    for (const f of failures) if (f.title === 'integration run') print(`integration: ${f.error}`);
    const { code: exitCode, timedOut } = /** @type {Outcome} */ (outcome);
    return { passed, failed, skipped, failures, exitCode, timedOut: !!timedOut, durationMs: Date.now() - started };
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
  runIntegration({ grep }).then(
    (r) => {
      console.log(`integration: ${r.passed} passed, ${r.failed} failed, ${r.skipped.length} skipped`);
      for (const s of r.skipped) console.log(`  - skipped ${s.title} — ${s.reason}`);
      process.exitCode = r.failed || r.passed === 0 ? 1 : 0;
    },
    (e) => {
      console.error(e.message);
      process.exitCode = 1;
    },
  );
}
