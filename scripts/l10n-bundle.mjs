// @ts-check
// `npm run l10n`: writes l10n/bundle.l10n.json, the English bundle of every message the extension
// passes to `vscode.l10n.t(...)` under src/, or to `l10n.t(...)` of @vscode/l10n in src/core (which
// cannot import vscode; activation loads VS Code's bundle into it) — the file a translator copies to
// bundle.l10n.<language>.json. It writes what `@vscode/l10n-dev export --outDir ./l10n ./src`
// writes (keys are the messages; `{ message, comment }` arguments become `message/comment` keys),
// with the files read in path order so the output does not depend on the file system's order.
// Unlike that tool it refuses a first argument that is not a literal: a message built at run time
// (a variable, a template with `${…}`) could never be translated.
//
//   node scripts/l10n-bundle.mjs [--out DIR] [--root DIR]
//   --out: where to write (default: the folder package.json's "l10n" names); --root: the project
//   whose src/ is read (default: this repository).
//
// test/unit/packaging/l10nBundle.test.ts regenerates the bundle into a temporary folder and
// compares it with the committed one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const rootArg = process.argv.indexOf('--root');
const ROOT = rootArg > 0 ? path.resolve(process.argv[rootArg + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every .ts file under `dir`, as sorted paths relative to ROOT with forward slashes.
 * @param {string} dir
 */
function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: false })) {
    const rel = `${dir}/${String(entry).split(path.sep).join('/')}`;
    if (rel.endsWith('.ts') && !rel.endsWith('.d.ts') && fs.statSync(path.join(ROOT, rel)).isFile()) out.push(rel);
  }
  return out.sort();
}

/** `vscode.l10n.t(…)` or `l10n.t(…)`. */
function isL10nCall(/** @type {ts.CallExpression} */ call) {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 't') return false;
  const owner = callee.expression;
  if (ts.isIdentifier(owner)) return owner.text === 'l10n';
  return ts.isPropertyAccessExpression(owner) && owner.name.text === 'l10n' && ts.isIdentifier(owner.expression) && owner.expression.text === 'vscode';
}

/** The text of a string literal or a template without substitutions, else undefined. */
function literal(/** @type {ts.Node} */ node) {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
}

/**
 * The bundle of the files' messages, in file order then source order; a message seen twice keeps
 * its first place.
 * @param {string[]} files paths relative to ROOT
 * @returns {{ bundle: Record<string, string | { message: string, comment: string[] }>, problems: string[] }}
 */
export function extract(files) {
  /** @type {Record<string, string | { message: string, comment: string[] }>} */
  const bundle = {};
  /** @type {string[]} */
  const problems = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    if (!text.includes('l10n')) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const where = (/** @type {ts.Node} */ n) => `${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
    const visit = (/** @type {ts.Node} */ node) => {
      if (ts.isCallExpression(node) && isL10nCall(node)) {
        const first = node.arguments[0];
        const message = first && literal(first);
        if (message !== undefined) {
          if (!(message in bundle)) bundle[message] = message;
        } else if (first && ts.isObjectLiteralExpression(first)) {
          /** @type {Record<string, ts.Expression>} */
          const props = {};
          for (const p of first.properties) if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) props[p.name.text] = p.initializer;
          const msg = props.message && literal(props.message);
          const c = props.comment;
          const comment = c && (literal(c) !== undefined ? [literal(c)] : ts.isArrayLiteralExpression(c) ? c.elements.map(literal) : undefined);
          if (msg === undefined || !comment || comment.some((x) => x === undefined)) {
            problems.push(`${where(first)}: l10n.t({ message, comment }) needs a literal message and literal comments`);
          } else {
            const lines = /** @type {string[]} */ (comment);
            bundle[`${msg}/${lines.join('')}`] = { message: msg, comment: lines };
          }
        } else {
          problems.push(`${where(node)}: the first argument of l10n.t must be a string literal ('…{0}…', args), not ${first ? ts.SyntaxKind[first.kind] : 'nothing'}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { bundle, problems };
}

/** The bundle file's text for the sources under src/: what @vscode/l10n-dev writes (2-space JSON, no final newline). */
export function bundleText() {
  const { bundle, problems } = extract(sourceFiles('src'));
  if (problems.length) throw new Error(`l10n: ${problems.length} message(s) cannot be extracted:\n${problems.join('\n')}`);
  return JSON.stringify(bundle, undefined, 2);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const named = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).l10n ?? './l10n';
  const out = path.resolve(ROOT, i > 0 ? process.argv[i + 1] : named());
  try {
    const text = bundleText();
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'bundle.l10n.json'), text);
    console.log(`l10n: ${Object.keys(JSON.parse(text)).length} messages written to ${path.relative(process.cwd(), path.join(out, 'bundle.l10n.json')) || 'bundle.l10n.json'}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}
