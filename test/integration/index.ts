// Entry point of the integration suite. VS Code's extension-test protocol loads this module in
// the extension host and calls `run()`; the same module serves code-server
// (scripts/run-integration.mjs) and @vscode/test-electron (test/runElectron.ts).
//
// It runs every out/test/integration/**/*.test.js with mocha (BDD: describe/it), then reports
// the counts twice, because the runner outside VS Code cannot see mocha's objects:
//   - as JSON in the file named by INSIGHT_TEST_RESULTS (when set), and
//   - as one log line `@@INTEGRATION_RESULT {json}` (the extension host's console reaches the
//     runner; it is the fallback when the file cannot be read).
// INSIGHT_TEST_GREP, when set, filters tests like mocha's --grep.
// INSIGHT_TEST_PHASE_FILE, when set, names a file holding the phase (scripts/run-integration.mjs
// writes it before each start): phase 1 runs every file except *.afterReload.test.js, phase 2 (after
// the runner reloaded the window) only those. Without it, phase 1.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';
import { skipReasonOf } from '../skip';

export interface IntegrationResults {
  passed: number;
  failed: number;
  /** Skipped tests with the reason each gave (test/skip.ts); a skip without one is a failure. */
  skipped: { title: string; reason: string }[];
  failures: { title: string; error: string }[];
  durationMs: number;
}

const AFTER_RELOAD = '.afterReload.test.js';

/** The phase of this start; read from a file because the environment is the same in both phases. */
export function currentPhase(): 1 | 2 {
  const file = process.env.INSIGHT_TEST_PHASE_FILE;
  if (!file) return 1;
  try {
    return fs.readFileSync(file, 'utf8').trim() === '2' ? 2 : 1;
  } catch {
    return 1;
  }
}

/** All *.test.js below `dir`, sorted so the run order is stable across machines. */
function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(full);
  }
  return out.sort();
}

function describeError(err: unknown): string {
  const e = err as { stack?: string; message?: string } | undefined;
  const text = e?.stack || e?.message || String(err);
  // Keep the report readable: the head of the stack is what points at the failing line.
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

function report(results: IntegrationResults): void {
  const file = process.env.INSIGHT_TEST_RESULTS;
  if (file) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(results, null, 2));
    } catch (e) {
      console.error(`could not write INSIGHT_TEST_RESULTS=${file}: ${describeError(e)}`);
    }
  }
  console.log(`@@INTEGRATION_RESULT ${JSON.stringify(results)}`);
}

export async function run(): Promise<void> {
  const started = Date.now();
  // The workbench relays the extension host's console as `args.join(' ')`, without applying
  // printf-style formats, so mocha's `console.log('%s%s', indent, title)` would arrive
  // garbled. Hand it finished lines instead.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(util.format(...args));
  // Tells scripts/run-integration.mjs that everything from here on is the suite's own output
  // (before it, the relayed console is mostly workbench start-up chatter).
  console.log('@@INTEGRATION_START');
  const grep = process.env.INSIGHT_TEST_GREP;
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    // The runner prints the extension host's console line by line: colour codes would only
    // clutter CI logs.
    color: false,
    reporter: 'spec',
    ...(grep ? { grep } : {}),
  });

  const phase = currentPhase();
  const all = findTestFiles(__dirname);
  const files = all.filter((f) => f.endsWith(AFTER_RELOAD) === (phase === 2));
  // A phase-1 file with a phase-2 partner (x.test.js + x.afterReload.test.js) runs last in phase 1:
  // other tests clear every source, which would undo what it leaves for phase 2 to check.
  const hasPartner = (f: string) => f.endsWith('.test.js') && all.includes(f.replace(/\.test\.js$/, AFTER_RELOAD));
  if (phase === 1) files.sort((a, b) => Number(hasPartner(a)) - Number(hasPartner(b)));
  console.log(`integration: phase ${phase}, ${files.length} test file(s)`);
  for (const f of files) mocha.addFile(f);

  const results: IntegrationResults = { passed: 0, failed: 0, skipped: [], failures: [], durationMs: 0 };
  await new Promise<void>((resolve) => {
    let runner: Mocha.Runner;
    try {
      // run() requires the test files; a file that throws while loading lands here.
      runner = mocha.run(() => resolve());
    } catch (err) {
      results.failed++;
      results.failures.push({ title: 'loading integration test files', error: describeError(err) });
      console.error(`Loading the integration tests failed: ${describeError(err)}`);
      resolve();
      return;
    }
    runner.on('pass', () => {
      results.passed++;
    });
    runner.on('pending', (test) => {
      const reason = skipReasonOf(test);
      if (reason) results.skipped.push({ title: test.fullTitle(), reason });
      else {
        results.failed++;
        results.failures.push({ title: test.fullTitle(), error: 'skipped without a reason (use skipBecause from test/skip.ts)' });
      }
    });
    // 'fail' also fires for failing hooks (before/after…), which mocha then reports as a failure.
    runner.on('fail', (test, err) => {
      results.failed++;
      results.failures.push({ title: test.fullTitle(), error: describeError(err) });
    });
  });
  results.durationMs = Date.now() - started;
  if (files.length === 0 && phase === 1) console.error(`No integration tests found below ${__dirname}`);
  report(results);
  if (results.failed > 0) throw new Error(`${results.failed} integration test(s) failed`);
}
