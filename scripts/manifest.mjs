// @ts-check
// package.json as VS Code shows it: every "%key%" replaced by its text from package.nls.json.
// Node built-ins only (scripts/start.mjs reads it before dependencies are installed).
import fs from 'node:fs';
import path from 'node:path';

/** @param {unknown} value @param {Record<string, string>} nls @returns {any} */
function localize(value, nls) {
  if (typeof value === 'string') {
    const m = /^%([^%]+)%$/.exec(value);
    return m && typeof nls[m[1]] === 'string' ? nls[m[1]] : value;
  }
  if (Array.isArray(value)) return value.map((v) => localize(v, nls));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localize(v, nls)]));
  return value;
}

/** The extension's manifest in `root`, localized with its package.nls.json (when there is one). */
export function readLocalizedManifest(/** @type {string} */ root) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const nlsFile = path.join(root, 'package.nls.json');
  const nls = fs.existsSync(nlsFile) ? JSON.parse(fs.readFileSync(nlsFile, 'utf8')) : {};
  return localize(pkg, nls);
}
