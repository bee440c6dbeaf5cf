// Mutation testing of the core's riskiest modules (`npm run mutate`, scripts/mutate.mjs).
// One module per Stryker run: MUTATE_MODULE names it (a key of MODULES below), so each run mutates
// one file and runs only the unit tests that exercise it. Incremental: each module's results are
// kept in mutation/incremental/<name>.json (committed), so a rerun only tests mutants whose code
// or tests changed.
import { MODULES } from './mutation/modules.mjs';

const name = process.env.MUTATE_MODULE;
const mod = MODULES.find((m) => m.name === name);
if (!mod) throw new Error(`MUTATE_MODULE must be one of ${MODULES.map((m) => m.name).join(', ')} (got ${name ?? 'nothing'}); run it through npm run mutate`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.test.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Compiles the (instrumented) sources and tests to out/ inside the sandbox.
  buildCommand: 'npx tsc -p tsconfig.test.json',
  mochaOptions: { spec: mod.tests.map((t) => `out/test/unit/${t}.test.js`) },
  // MUTATE_RANGES (set by scripts/mutate.mjs for `--mutate file:lines`): only those lines; the
  // incremental results of the module's other mutants are kept as they were.
  mutate: process.env.MUTATE_RANGES ? process.env.MUTATE_RANGES.split(',') : [mod.file],
  coverageAnalysis: 'perTest',
  // Fresh mocha process per mutant where module state outlives tests (mutation/modules.mjs).
  maxTestRunnerReuse: mod.freshProcess ? 1 : 0,
  concurrency: Number(process.env.MUTATE_CONCURRENCY) || 2,
  timeoutMS: mod.timeoutMS ?? 20000,
  incremental: true,
  incrementalFile: `mutation/incremental/${mod.name}.json`,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: `reports/mutation/${mod.name}.json` },
  ignorePatterns: ['out', 'dist', 'dist-vsix', '.vscode-test', 'test-results', 'docs', 'mutation', '.bench'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
