// `npm run test:electron`: the integration suite in desktop VS Code, for machines with internet
// access (@vscode/test-electron downloads VS Code into .vscode-test/ on first use). It runs the
// same out/test/integration/index.js as `npm test` does under code-server; UI-bridge steps are
// skipped there (ui.available is false), everything else runs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

interface Results {
  passed: number;
  failed: number;
  failures?: { title: string; error: string }[];
}

async function main(): Promise<number> {
  // Compiled to out/test/runElectron.js: the repository is two levels up.
  const repoRoot = path.resolve(__dirname, '..', '..');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'insight-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(
    path.join(workspace, 'sample.csv'),
    'date,course,views,minutes_watched\n2025-01-06,BIO101,120,540.5\n2025-01-07,BIO101,98,410.0\n2025-01-08,CHEM200,45,180.25\n',
  );
  const resultsFile = path.join(tmp, 'results.json');
  const grepAt = process.argv.indexOf('--grep');
  const grep = grepAt >= 0 ? process.argv[grepAt + 1] : undefined;

  let exitCode = 0;
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index'),
      // test-electron adds a fresh user-data and extensions dir under .vscode-test/ itself.
      launchArgs: [workspace, '--disable-extensions'],
      extensionTestsEnv: { INSIGHT_TEST_RESULTS: resultsFile, ...(grep ? { INSIGHT_TEST_GREP: grep } : {}) },
    });
  } catch (e) {
    // runTests rejects when VS Code exits non-zero, i.e. when a test failed: the counts below tell.
    console.error(e instanceof Error ? e.message : String(e));
    exitCode = 1;
  }

  let results: Results | undefined;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results;
  } catch {
    /* suite never reported */
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  if (!results) {
    console.error('the integration suite reported no results (did VS Code start? see the output above)');
    console.log('integration: 0 passed, 1 failed');
    console.log('0 passed, 1 failed');
    return 1;
  }
  for (const f of results.failures ?? []) console.log(`  ✖ ${f.title}: ${f.error.split('\n')[0]}`);
  console.log(`integration: ${results.passed} passed, ${results.failed} failed`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  return results.failed > 0 || results.passed === 0 || exitCode !== 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
