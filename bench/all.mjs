// `npm run bench [-- --rows N] [--only NAME …] [--best-case]`: bench/run.ts with these arguments,
// then the preview in the real VS Code (bench/vscode.mjs) on the same generated file. With
// --only, the VS Code part runs only when `vscode` is one of the names.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';

const { realVideoviewPath } = createRequire(import.meta.url)('../out/bench/realData.js');

const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (args[i - 1] === '--only' ? a.split(',') : []));
const i = args.indexOf('--rows');
const rows = i >= 0 ? Number(args[i + 1]) : 1_000_000;
const engineArgs = [];
for (let k = 0; k < args.length; k++) {
  if (args[k] === '--only') {
    const names = args[k + 1].split(',').filter((n) => n !== 'vscode');
    k++;
    if (names.length) engineArgs.push('--only', names.join(','));
  } else engineArgs.push(args[k]);
}
const run = (file, argv) => {
  const r = spawnSync(process.execPath, [file, ...argv], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (only.length === 0 || only.some((n) => n !== 'vscode')) run('out/bench/run.js', engineArgs);
if (only.length === 0 || only.includes('vscode'))
  run('bench/vscode.mjs', ['--file', path.resolve(realVideoviewPath('.bench', rows))]);
