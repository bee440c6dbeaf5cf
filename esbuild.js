// Three bundles and the parsing worker's file, one CJS/IIFE file each, no code splitting (split bundles broke webview loading
// in other extensions): the extension host bundle, the preview webview bundle, the CLI.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const targets = [
  { ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', platform: 'node',
    format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs',
    target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  // The parsing worker thread's code (core/table/parseRemote.ts), loaded from beside the bundles.
  { ...common, entryPoints: ['src/core/table/parseWorker.ts'], outfile: 'dist/parseWorker.js', platform: 'node',
    format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser',
    format: 'iife', target: 'chrome114', loader: { '.css': 'text' } },
];

async function main() {
  fs.mkdirSync('dist', { recursive: true });
  // uPlot's stylesheet ships beside the webview bundle; it is loaded with a <link>, never inlined,
  // so the CSP needs no 'unsafe-inline'.
  fs.copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), path.join('dist', 'uPlot.min.css'));
  if (watch) {
    for (const t of targets) (await esbuild.context(t)).watch();
    console.log('esbuild: watching');
    return;
  }
  await Promise.all(targets.map((t) => esbuild.build(t)));
  try { fs.chmodSync('dist/cli.js', 0o755); } catch { /* not fatal on filesystems without modes */ }
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
