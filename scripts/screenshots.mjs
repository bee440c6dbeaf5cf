// @ts-check
// `npm run screenshots`: regenerates the screenshot tour in docs/screenshots/tour (the README's
// "Tour") from the integration tests. It builds, then runs the tests that take the tour shots
// (`tour-NN-name`, see test/integration/tourKit.ts) in the real VS Code twice — once with the
// light and once with the dark workbench theme (INSIGHTS_THEME, honoured by
// scripts/run-integration.mjs) — and copies each shot to docs/screenshots/tour/NN-name-<theme>.png.
//
// Only the suites the tour passes through run (TOUR_GREP): the PostHog walk-through, local files
// and result documents, both phases (the window reload in between is what shot 07 shows).
// A theme whose run had a failing test or a missing shot leaves the docs untouched (the state on
// screen may not be the one the name says); the run then exits 1.
//
// Options: --theme light|dark   only that theme (repeatable; default both)
//          --skip-build         use the existing dist/ and out/ (after `npm run build && npm run compile-tests`)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIntegration } from './run-integration.mjs';
import { repoRoot, screenshotsDir } from './workbench.mjs';

/** The tour, in order: the shot a test takes, and which test takes it (for whoever fixes one). */
export const TOUR = [
  { name: '01-welcome', test: 'PostHog end to end: shows the welcome view with Add Source when no source exists' },
  { name: '02-add-source', test: 'PostHog end to end: adds a PostHog source through the Add Source prompts' },
  { name: '03-tree-with-counts', test: 'PostHog end to end: expands the tree' },
  { name: '04-insight-and-preview', test: 'PostHog end to end: opens a trends insight as CSV and JSON documents and a preview' },
  { name: '05-local-file-chart', test: 'Local files in the preview: leaves a sorted, filtered, charted view … for the reload' },
  { name: '06-wrong-key', test: 'PostHog end to end: shows "Unauthorized — Set Credentials…" under the source' },
  { name: '07-after-reload', test: 'Result previews (phase 2: after reload): each preview is restored from the stored result' },
];

/** Suites whose tests take the tour shots or leave the state they show. */
export const TOUR_GREP = '^(PostHog end to end|Local files in the preview|Result documents|Result previews) ';

const THEMES = /** @type {const} */ ({ light: 'Default Light Modern', dark: 'Default Dark Modern' });
/** @typedef {keyof typeof THEMES} ThemeKind */

const tourDir = path.join(repoRoot, 'docs', 'screenshots', 'tour');

/** @param {string} message */
function fail(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {ThemeKind[]} */
  const themes = [];
  let skipBuild = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--theme') {
      const t = argv[++i];
      if (t !== 'light' && t !== 'dark') fail(`--theme takes light or dark, not ${t ?? '(nothing)'}`);
      themes.push(/** @type {ThemeKind} */ (t));
    } else if (a === '--skip-build') skipBuild = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run screenshots -- [--theme light|dark]… [--skip-build]');
      process.exit(0);
    } else fail(`unknown argument ${a} (try --help)`);
  }
  return { themes: themes.length ? [...new Set(themes)] : /** @type {ThemeKind[]} */ (['light', 'dark']), skipBuild };
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @returns {Promise<number>}
 */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** @param {string} name */
const shotFile = (name) => path.join(screenshotsDir, `tour-${name}.png`);

function removeOldShots() {
  for (const { name } of TOUR) fs.rmSync(shotFile(name), { force: true });
}

/** @param {number} ms */
const minutes = (ms) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
};

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (!opts.skipBuild) {
    if ((await run('npm', ['run', '--silent', 'build'])) !== 0) fail('`npm run build` failed (errors above).');
    if ((await run('npm', ['run', '--silent', 'compile-tests'])) !== 0) fail('`npm run compile-tests` failed (errors above).');
  }
  fs.mkdirSync(tourDir, { recursive: true });
  let ok = true;
  for (const kind of opts.themes) {
    const theme = THEMES[kind];
    console.log(`\n━━ tour, ${kind} theme (${theme}) ━━`);
    removeOldShots();
    const t0 = Date.now();
    const r = await runIntegration({ grep: TOUR_GREP, theme });
    const took = Date.now() - t0;
    const missing = TOUR.filter(({ name }) => !fs.existsSync(shotFile(name)));
    console.log(`tour (${kind}): ${r.passed} passed, ${r.failed} failed, ${r.skipped.length} skipped in ${minutes(took)}`);
    for (const f of r.failures) console.log(`  ✖ ${f.title}: ${String(f.error).split('\n')[0]}`);
    for (const s of r.skipped) console.log(`  - skipped ${s.title} — ${s.reason}`);
    for (const m of missing) console.log(`  ✖ no shot tour-${m.name} (taken by ${m.test})`);
    if (r.failed > 0 || r.skipped.length > 0 || missing.length > 0) {
      console.log(`tour (${kind}): docs/screenshots/tour left as it was (see above); the shots taken are in test-results/screenshots/`);
      ok = false;
      continue;
    }
    for (const { name } of TOUR) {
      const to = path.join(tourDir, `${name}-${kind}.png`);
      fs.copyFileSync(shotFile(name), to);
      console.log(`  ${path.relative(repoRoot, to)}`);
    }
  }
  console.log(`\nscreenshots: ${ok ? 'done' : '✖ not every theme was updated'} in ${minutes(Date.now() - started)}`);
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`\n✖ ${e?.stack ?? e}`);
    process.exitCode = 1;
  });
}
