// @ts-check
// `npm test`: builds, then runs
//   1. the unit tests (mocha in plain Node, out/test/unit/**/*.test.js via .mocharc.json),
//   2. the integration tests in a real VS Code (code-server + Chromium; scripts/run-integration.mjs),
//   3. the .vsix tests: package, check the packaged manifest (icon, links, walkthrough, strings),
//      install into a fresh VS Code, check the view renders (scripts/test-vsix.mjs),
// and ends with one line `N passed, N failed, N skipped` (all three together), after the list of
// skipped tests, each with its reason. A test may only skip with a reason (test/skip.ts,
// skipBecause); one that skips without a reason counts as failed. Exits non-zero if anything
// failed, if a step could not run, if the integration suite ran no tests, or, with
// INSIGHTS_REQUIRE_ALL=1 (what .ci/run sets), if any test was skipped.
//
// Flags:
//   --unit-only          only the unit tests
//   --integration-only   only the integration tests
//   --vsix-only          only the .vsix tests
//   --grep PATTERN       only tests whose full title matches (unit, integration and the two .vsix
//                        tests; `--vsix-only --grep manifest` checks only the packaged manifest,
//                        without installing). With --grep, an integration run
//                        with 0 matching tests is not an error.
// Env: INTEGRATION_TIMEOUT_MS (default 15 min) limits the integration run.
//      INSIGHTS_REQUIRE_ALL=1 (or CI set): a missing tool (Chromium, the UI bridge) fails the
//      tests that need it instead of skipping them, and any skipped test fails the run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What each suite reports.
 * @typedef {{ title: string, reason: string }} Skipped
 * @typedef {{ title: string, error: string }} Failure
 * @typedef {{ passed: number, failed: number, skipped: Skipped[], failures: Failure[] }} Counts
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UNIT_CHILD_FLAG = '--internal-unit-child';

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ unitOnly: boolean, integrationOnly: boolean, vsixOnly: boolean, grep?: string, unitChild?: string }} */
  const opts = { unitOnly: false, integrationOnly: false, vsixOnly: false, grep: undefined, unitChild: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--unit-only') opts.unitOnly = true;
    else if (a === '--integration-only') opts.integrationOnly = true;
    else if (a === '--vsix-only') opts.vsixOnly = true;
    else if (a === '--grep' || a === '-g') {
      if (argv[i + 1] === undefined) fail('--grep needs a pattern');
      opts.grep = argv[++i];
    } else if (a.startsWith('--grep=')) opts.grep = a.slice('--grep='.length);
    else if (a === UNIT_CHILD_FLAG) opts.unitChild = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm test -- [--unit-only | --integration-only | --vsix-only] [--grep PATTERN]');
      process.exit(0);
    } else fail(`unknown argument ${a} (try --help)`);
  }
  if ([opts.unitOnly, opts.integrationOnly, opts.vsixOnly].filter(Boolean).length > 1) {
    fail('give at most one of --unit-only, --integration-only, --vsix-only');
  }
  return opts;
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

/** @param {string} text */
function heading(text) {
  console.log(`\n━━ ${text} ${'━'.repeat(Math.max(0, 70 - text.length))}`);
}

/**
 * Runs a command with inherited stdio; resolves to its exit code.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<number>}
 */
function run(cmd, args, { env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (e) => {
      console.error(`could not start ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// ---------------------------------------------------------------------------------------------
// Unit tests. They run in a child process (so that servers or stubs they leave behind cannot
// disturb the integration run) which is this script again, in "unit child" mode: it runs
// mocha's own command line in-process, so .mocharc.json and every mocha option behave exactly
// as with `npx mocha`, and counts passes/failures from the Runner's events — exact, with no
// parsing of the spec reporter's text.
// ---------------------------------------------------------------------------------------------
/**
 * @param {string} countFile
 * @param {string | undefined} grep
 */
function unitChild(countFile, grep) {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const Runner = require('mocha/lib/runner');
  /** @type {Counts} */
  const counts = { passed: 0, failed: 0, skipped: [], failures: [] };
  const originalRun = Runner.prototype.run;
  /** @param {unknown[]} args */
  Runner.prototype.run = function patchedRun(...args) {
    this.on('pass', () => {
      counts.passed++;
    });
    this.on('pending', (/** @type {any} */ test) => {
      const reason = skipReasonOf(test);
      if (reason) counts.skipped.push({ title: test.fullTitle(), reason });
      else {
        counts.failed++;
        counts.failures.push({ title: test.fullTitle(), error: 'skipped without a reason (use skipBecause from test/skip.ts)' });
      }
    });
    this.on('fail', (/** @type {any} */ test, /** @type {any} */ err) => {
      counts.failed++;
      counts.failures.push({ title: test.fullTitle(), error: String(err?.message ?? err).split('\n')[0] });
    });
    this.once('end', () => {
      fs.writeFileSync(countFile, JSON.stringify(counts));
      // Tests that leave a server or timer open would keep this process alive forever (mocha
      // does not exit by itself). Give them a moment, then leave anyway, and say so.
      setTimeout(() => {
        console.error(
          '\nwarning: the unit tests finished but left handles open (a server, socket or timer ' +
            'that is never closed); exiting anyway. Close them in after()/afterEach().',
        );
        process.exit(counts.failed ? 1 : 0);
      }, 10_000).unref();
    });
    return originalRun.apply(this, args);
  };
  const argv = ['--config', path.join(repoRoot, '.mocharc.json')];
  if (grep) argv.push('--grep', grep);
  require('mocha/lib/cli/cli').main(argv);
}

/**
 * The reason test/skip.ts's skipBecause recorded on the test or one of its suites.
 * @param {any} test a mocha Test
 * @returns {string | undefined}
 */
function skipReasonOf(test) {
  for (let r = test; r; r = r.parent) if (r.__skipReason) return r.__skipReason;
  return undefined;
}

/**
 * tsc never deletes outputs: a test whose .ts was deleted or renamed would keep running from a
 * stale out/**.js. Remove compiled files whose source no longer exists (only those, so a run in
 * progress elsewhere keeps its files).
 */
function pruneStaleOutputs() {
  const out = path.join(repoRoot, 'out');
  if (!fs.existsSync(out)) return;
  for (const rel of fs.readdirSync(out, { recursive: true })) {
    const m = /^(.*)\.js(\.map)?$/.exec(String(rel));
    if (!m) continue;
    const base = path.join(repoRoot, m[1]);
    if (!['.ts', '.tsx', '.mts', '.cts', '.js'].some((ext) => fs.existsSync(base + ext))) {
      fs.rmSync(path.join(out, String(rel)), { force: true });
    }
  }
}

/** @param {string} dir */
function hasUnitTests(dir) {
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.test.js'));
}

/**
 * @param {string | undefined} grep
 * @returns {Promise<Counts>}
 */
async function runUnit(grep) {
  heading('unit tests (mocha, Node)');
  if (!hasUnitTests(path.join(repoRoot, 'out', 'test', 'unit'))) {
    console.log('no unit tests found in out/test/unit (nothing to run)');
    return { passed: 0, failed: 0, skipped: [], failures: [] };
  }
  const countFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'insight-unit-')), 'counts.json');
  const args = [fileURLToPath(import.meta.url), UNIT_CHILD_FLAG, countFile];
  if (grep) args.push('--grep', grep);
  const code = await run(process.execPath, args);
  let counts;
  try {
    counts = JSON.parse(fs.readFileSync(countFile, 'utf8'));
  } catch {
    /* mocha never finished */
  }
  fs.rmSync(path.dirname(countFile), { recursive: true, force: true });
  if (!counts) {
    return {
      passed: 0,
      failed: 1,
      skipped: [],
      failures: [{ title: 'unit test run', error: `mocha exited with code ${code} before running the tests (see its errors above)` }],
    };
  }
  if (code !== 0 && counts.failed === 0) {
    counts.failed = 1;
    counts.failures.push({ title: 'unit test run', error: `mocha exited with code ${code}` });
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.unitChild) {
    unitChild(opts.unitChild, opts.grep);
    return;
  }

  const all = !opts.unitOnly && !opts.integrationOnly && !opts.vsixOnly;
  const want = { unit: all || opts.unitOnly, integration: all || opts.integrationOnly, vsix: all || opts.vsixOnly };

  // Stale screenshots from an earlier run would be mistaken for this run's.
  if (want.integration || want.vsix) {
    const shots = path.join(repoRoot, 'test-results', 'screenshots');
    if (fs.existsSync(shots))
      for (const f of fs.readdirSync(shots)) if (f.endsWith('.png')) fs.rmSync(path.join(shots, f), { force: true });
  }

  heading('build');
  if ((await run('npm', ['run', '--silent', 'build'])) !== 0) {
    fail('`npm run build` failed (esbuild errors above); nothing was tested.');
  }
  if ((await run('npm', ['run', '--silent', 'compile-tests'])) !== 0) {
    fail('`npm run compile-tests` failed (TypeScript errors above); nothing was tested.');
  }

  pruneStaleOutputs();

  /** @type {{ unit?: Counts, integration?: Counts, vsix?: Counts }} */
  const results = {};
  /** @type {Array<Failure & { suite: string }>} */
  const failures = [];
  let setupBroken = false;

  if (want.unit) {
    results.unit = await runUnit(opts.grep);
    failures.push(...results.unit.failures.map((f) => ({ suite: 'unit', ...f })));
  }

  if (want.integration) {
    heading('integration tests (VS Code 1.100 via code-server + Chromium)');
    const { runIntegration } = await import('./run-integration.mjs');
    try {
      results.integration = await runIntegration({ grep: opts.grep });
    } catch (/** @type {any} */ e) {
      console.error(`\n✖ the integration run could not start: ${e.message}`);
      results.integration = { passed: 0, failed: 1, skipped: [], failures: [{ title: 'integration setup', error: e.message }] };
      setupBroken = true;
    }
    failures.push(...results.integration.failures.map((f) => ({ suite: 'integration', ...f })));
  }

  if (want.vsix) {
    const { testVsix, VSIX_TEST_TITLES } = await import('./test-vsix.mjs');
    if (opts.grep && !VSIX_TEST_TITLES.some((t) => new RegExp(/** @type {string} */ (opts.grep)).test(t))) {
      console.log(`\n(.vsix tests skipped: their titles do not match --grep ${opts.grep})`);
    } else {
      heading('vsix tests (the packaged manifest; the packaged extension in a fresh VS Code)');
      results.vsix = await testVsix({ grep: opts.grep });
      failures.push(...results.vsix.failures.map((f) => ({ suite: 'vsix', ...f })));
    }
  }

  // ---- summary ----
  heading('summary');
  let passed = 0;
  let failed = 0;
  const skipped = [];
  /** @param {Counts} r */
  const line = (r) => `${r.passed} passed, ${r.failed} failed, ${(r.skipped ?? []).length} skipped`;
  for (const [name, r] of Object.entries(results)) {
    passed += r.passed;
    failed += r.failed;
    skipped.push(...(r.skipped ?? []).map((s) => ({ suite: name, ...s })));
    if (name !== 'integration') console.log(`${name}: ${line(r)}`);
  }
  for (const f of failures) console.log(`  ✖ [${f.suite}] ${f.title}: ${String(f.error).split('\n')[0]}`);
  for (const s of skipped) console.log(`  - skipped [${s.suite}] ${s.title} — ${s.reason}`);
  const requireAll = !!process.env.CI || process.env.INSIGHTS_REQUIRE_ALL === '1';
  if (requireAll && skipped.length > 0) {
    console.log(`✖ ${skipped.length} test(s) skipped, and CI (CI or INSIGHTS_REQUIRE_ALL=1) requires every test to run`);
  }
  let emptyIntegration = false;
  if (results.integration) {
    const r = results.integration;
    emptyIntegration = !setupBroken && r.passed + r.failed === 0;
    // Printed separately (and just before the totals) so CI logs show at a glance that the
    // real-VS-Code suite ran at all.
    console.log(`integration: ${line(r)}`);
    if (emptyIntegration) {
      console.log(
        opts.grep
          ? `integration: no test matched --grep ${opts.grep}`
          : 'integration: ✖ the suite ran 0 tests — the harness is broken (see the output above)',
      );
    }
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped.length} skipped`);
  const bad =
    failed > 0 || (emptyIntegration && !opts.grep) || (opts.grep && passed + failed + skipped.length === 0) || (requireAll && skipped.length > 0);
  process.exitCode = bad ? 1 : 0;
}

main().catch((e) => {
  console.error(`\n✖ ${e?.stack ?? e}`);
  process.exitCode = 1;
});
