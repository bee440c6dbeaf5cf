// @ts-check
// `npm run mutate`: mutation testing (Stryker) of the core's riskiest modules, one module per
// Stryker run (mutation/modules.mjs), smallest first, then a score table. Not part of `npm test`.
//
//   npm run mutate                          every module
//   npm run mutate -- --mutate src/core/url.ts [--mutate …]   only these
//   npm run mutate -- --mutate src/core/http.ts:120-140 [--mutate src/core/http.ts:300-310]
//                                           only the mutants in these lines (Stryker's
//                                           file:startLine[:col]-endLine[:col]); the saved
//                                           results of the rest of the module are kept
//   npm run mutate -- --concurrency 1      test runners in parallel (default 2)
//   npm run mutate -- --force              ignore the incremental results, test every mutant
//
// Incremental: each module's results are kept in mutation/incremental/<name>.json (committed to
// the repository), so a rerun tests only the mutants whose code or covering tests changed.
// JSON reports go to reports/mutation/<name>.json (git-ignored).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULES } from '../mutation/modules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
/** @type {string[]} */
const wanted = [];
/** @type {Map<string, string[]>} file → Stryker mutate patterns with a line range (`src/core/http.ts:120-140`). */
const ranges = new Map();
let concurrency = 2;
let force = false;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--mutate') {
    const arg = argv[++i] ?? '';
    const m = /^(.*?):(\d+(?::\d+)?-\d+(?::\d+)?)$/.exec(arg);
    const file = path.normalize(m ? m[1] : arg);
    wanted.push(file);
    if (m) ranges.set(file, [...(ranges.get(file) ?? []), `${file}:${m[2]}`]);
  }
  else if (argv[i] === '--concurrency') concurrency = Number(argv[++i]);
  else if (argv[i] === '--force') force = true;
  else {
    console.error(`unknown argument ${argv[i]} (use --mutate FILE[:LINES], --concurrency N, --force)`);
    process.exit(2);
  }
}
const unknown = wanted.filter((w) => !MODULES.some((m) => m.file === w));
if (unknown.length) {
  console.error(`not a mutated module: ${unknown.join(', ')} (one of: ${MODULES.map((m) => m.file).join(', ')})`);
  process.exit(2);
}
const modules = wanted.length ? MODULES.filter((m) => wanted.includes(m.file)) : MODULES;
for (const m of modules) {
  const missing = m.tests.filter((t) => !fs.existsSync(path.join(root, 'test', 'unit', `${t}.test.ts`)));
  if (missing.length) {
    console.error(`mutation/modules.mjs: ${m.name} lists tests that do not exist: ${missing.join(', ')}`);
    process.exit(2);
  }
}

/**
 * Score as Stryker defines it: killed + timeout over all valid mutants (no-coverage counts as survived).
 * @param {string} name
 */
function summarise(name) {
  const report = JSON.parse(fs.readFileSync(path.join(root, 'reports', 'mutation', `${name}.json`), 'utf8'));
  /** @type {Record<string, number>} */
  const counts = {};
  /** @type {string[]} */
  const survivors = [];
  for (const [file, f] of Object.entries(report.files)) {
    for (const m of f.mutants) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${m.status}${m.replacement ? ` → ${JSON.stringify(m.replacement).slice(0, 80)}` : ''}`);
      }
    }
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { counts, detected, valid, score: valid ? (100 * detected) / valid : 100, survivors };
}

/** @type {any[]} */
const rows = [];
let failed = false;
for (const m of modules) {
  console.log(`\n━━ mutating ${m.file} (tests: ${m.tests.join(', ')})`);
  const args = ['stryker', 'run', 'stryker.config.mjs', '--concurrency', String(concurrency)];
  if (force) args.push('--force');
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, MUTATE_MODULE: m.name };
  const lines = ranges.get(m.file);
  if (lines) env.MUTATE_RANGES = lines.join(',');
  const r = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    failed = true;
    rows.push({ m, error: `stryker exited with ${r.status ?? r.signal}` });
    continue;
  }
  keepPortable(m.name);
  rows.push({ m, ...summarise(m.name) });
}

/**
 * The committed incremental file names no machine path: Stryker records the absolute project root.
 * @param {string} name
 */
function keepPortable(name) {
  const file = path.join(root, 'mutation', 'incremental', `${name}.json`);
  if (!fs.existsSync(file)) return;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (report.projectRoot !== undefined) report.projectRoot = '.';
  // A timed-out test's reason names the sandbox it ran in.
  const sandbox = new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.stryker-tmp/sandbox-[A-Za-z0-9]+/`, 'g');
  fs.writeFileSync(file, JSON.stringify(report, null, 2).replace(sandbox, '') + '\n');
}

console.log('\n━━ mutation score per module');
console.log('| module | killed + timeout / mutants | score |');
console.log('|---|---|---|');
for (const r of rows) {
  if (r.error) console.log(`| ${r.m.file} | ${r.error} | — |`);
  else console.log(`| ${r.m.file} | ${r.detected} / ${r.valid} | ${r.score.toFixed(1)} % |`);
}
for (const r of rows) {
  if (!r.error && r.survivors.length) {
    console.log(`\nsurvivors in ${r.m.file}:`);
    for (const s of r.survivors) console.log(`  ${s}`);
  }
}
process.exitCode = failed ? 1 : 0;
