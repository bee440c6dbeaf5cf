// The modules `npm run mutate` covers, smallest first, each with the unit test files
// (test/unit/<path>.test.ts) that exercise it.
//
// `freshProcess`: one mocha process per mutant (maxTestRunnerReuse 1). A reused process keeps the
// module as first loaded, so a "static" mutant (module-level constants such as log.ts's redaction
// patterns or export.ts's nextTurn, and every download.ts mutant, whose code runs from fakes and
// polling timers that outlive a test) is never really applied and "survives" tests that kill it
// when applied by hand. Measured: log.ts 91.4 % with reuse, 100 % with a fresh process.
//
// A test file that builds its data while mocha loads it (in a describe body, as table.ops does
// with its random tables) makes every mutant that code reaches "static": each then runs the whole
// list, not just the tests that cover it. Such files are left out where the listed ones cover
// the module; the tests the survivors point at go into the listed files.
//
// `timeoutMS`: Stryker's extra allowance over the measured test time before a mutant counts as a
// timeout (an endless loop); default 20 s. Modules whose covering tests take about a second use
// less, so each endless-loop mutant costs seconds, not tens of seconds.
export const MODULES = [
  { name: 'formulaGuard', file: 'src/core/formulaGuard.ts', tests: ['core/csvWriters'] },
  { name: 'csv', file: 'src/core/csv.ts', tests: ['core/csvWriters', 'core/sources/canvas/tables'] },
  { name: 'url', file: 'src/core/url.ts', tests: ['core/url', 'core/http', 'core/sources/canvas/client', 'core/sources/studio/client', 'core/sources/posthog/client'] },
  { name: 'log', file: 'src/core/log.ts', tests: ['core/log', 'core/http', 'core/sources/posthog/client', 'core/sources/posthog/manage', 'core/sources/studio/client'], freshProcess: true },
  { name: 'export', file: 'src/core/table/export.ts', tests: ['core/csvWriters', 'core/table/ops', 'core/preview/engine'], freshProcess: true },
  { name: 'csvParser', file: 'src/core/table/csvParser.ts', tests: ['core/table/csvParser', 'core/table/csv', 'core/csvWriters'], timeoutMS: 5000 },
  { name: 'http', file: 'src/core/http.ts', tests: ['core/httpClient', 'core/http', 'hostile/http.hostile', 'core/sources/canvas/client', 'core/sources/posthog/client'], timeoutMS: 10000 },
  { name: 'download', file: 'src/core/sources/echo360/download.ts', tests: ['core/sources/echo360/downloadFaults', 'core/sources/echo360/download', 'core/sources/echo360/csv'], freshProcess: true },
  { name: 'queue', file: 'src/core/sources/echo360/queue.ts', tests: ['core/sources/echo360/queueLifecycle', 'core/sources/echo360/queue', 'core/resetBeforeHeaders'], freshProcess: true, timeoutMS: 5000 },
];
