// @ts-check
// Installs code-server (VS Code 1.100.3 served to a browser) into .vscode-test/code-server,
// outside the project's dependencies so that `npm ci` stays small. Works offline as long as the
// npm registry is reachable: @vscode/ripgrep's postinstall would download a binary from GitHub,
// so we seed its cache with the system `rg` first (Debian package `ripgrep`).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const codeServerPrefix = path.join(root, '.vscode-test', 'code-server');
export const codeServerBin = path.join(codeServerPrefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function installed() {
  const pkg = path.join(codeServerPrefix, 'node_modules', 'code-server', 'package.json');
  if (!fs.existsSync(pkg)) return false;
  const version = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  const lib = path.join(codeServerPrefix, 'node_modules', 'code-server', 'lib', 'vscode');
  return version === CODE_SERVER_VERSION && fs.existsSync(path.join(lib, 'node_modules')) &&
    fs.existsSync(path.join(lib, 'node_modules.asar'));
}

/**
 * @param {string} cmd
 * @param {string} pkg
 */
function need(cmd, pkg) {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    throw new Error(`${cmd} is missing: install the Debian package ${pkg} (apt-get install -y ${pkg}) and run again.`);
  }
}

function seedRipgrepCache() {
  const rg = spawnSync('sh', ['-c', 'command -v rg']).stdout.toString().trim();
  const dir = path.join(process.env.TMPDIR || os.tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const archive = path.join(dir, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (fs.existsSync(archive)) return;
  fs.mkdirSync(dir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-'));
  fs.copyFileSync(rg, path.join(stage, 'rg'));
  execFileSync('tar', ['-czf', archive, '-C', stage, 'rg']);
}

export function ensureCodeServer({ quiet = false } = {}) {
  if (installed()) return codeServerBin;
  need('rg', 'ripgrep');
  need('krb5-config', 'libkrb5-dev');
  seedRipgrepCache();
  if (!quiet) console.error(`Installing code-server ${CODE_SERVER_VERSION} into .vscode-test/ (about a minute, once)…`);
  fs.mkdirSync(codeServerPrefix, { recursive: true });
  const res = spawnSync('npm', ['install', '--prefix', codeServerPrefix, `code-server@${CODE_SERVER_VERSION}`,
    '--unsafe-perm', '--no-audit', '--no-fund', '--no-save'], {
    stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (res.status !== 0 || !installed()) {
    throw new Error('code-server did not install completely (lib/vscode/node_modules missing). ' +
      'Check that libkrb5-dev, ripgrep, python3, make and g++ are installed, then run again.');
  }
  return codeServerBin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try { console.log(ensureCodeServer()); } catch (/** @type {any} */ e) { console.error(e.message); process.exit(1); }
}
