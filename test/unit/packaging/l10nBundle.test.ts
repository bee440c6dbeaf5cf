// The English message bundle l10n/bundle.l10n.json must list every `vscode.l10n.t('…')` message of
// src/ and every `l10n.t('…')` (@vscode/l10n) of src/core: a message missing from it is still shown
// (in English), but no translation can reach it.
// `npm run l10n` regenerates it; this test regenerates it into a temporary folder and compares.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'l10n-bundle.mjs');

/** Runs the bundle script on `root`'s src/ into a new temporary folder; its output file's text or its error. */
function regenerate(root: string): { text?: string; stderr: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l10n-bundle-'));
  try {
    const run = spawnSync(process.execPath, [SCRIPT, '--root', root, '--out', out], { encoding: 'utf8' });
    const file = path.join(out, 'bundle.l10n.json');
    return { text: run.status === 0 && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined, stderr: run.stderr };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

describe('l10n bundle', function () {
  this.timeout(60_000);

  it('l10n/bundle.l10n.json is what `npm run l10n` writes from src/ (run it after changing a message)', () => {
    const committed = fs.readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8');
    const fresh = regenerate(ROOT);
    assert.ok(fresh.text !== undefined, `the bundle script failed:\n${fresh.stderr}`);
    if (fresh.text !== committed) {
      const a = JSON.parse(committed) as Record<string, unknown>;
      const b = JSON.parse(fresh.text) as Record<string, unknown>;
      const missing = Object.keys(b).filter((k) => !(k in a));
      const stale = Object.keys(a).filter((k) => !(k in b));
      assert.fail(`l10n/bundle.l10n.json is out of date: run \`npm run l10n\`.\nmissing: ${JSON.stringify(missing)}\nno longer used: ${JSON.stringify(stale)}`);
    }
  });

  it('lists a literal message once, in source order, with {0} placeholders kept', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'l10n-src-'));
    try {
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(
        path.join(root, 'src', 'a.ts'),
        "import * as vscode from 'vscode';\nvscode.l10n.t('Moved “{0}” to the trash.', name);\nvscode.l10n.t(`Two\\nlines`);\nvscode.l10n.t('Moved “{0}” to the trash.', other);\nvscode.l10n.t({ message: 'Open', comment: ['a button'] });\n",
      );
      const fresh = regenerate(root);
      assert.deepStrictEqual(JSON.parse(fresh.text ?? 'null'), {
        'Moved “{0}” to the trash.': 'Moved “{0}” to the trash.',
        'Two\nlines': 'Two\nlines',
        'Open/a button': { message: 'Open', comment: ['a button'] },
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a message built at run time (a template with ${…} or a variable): it could never be translated', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'l10n-src-'));
    try {
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, 'src', 'b.ts'), "import * as vscode from 'vscode';\nvscode.l10n.t(`Moved ${name}.`);\nvscode.l10n.t(message);\n");
      const fresh = regenerate(root);
      assert.strictEqual(fresh.text, undefined);
      assert.match(fresh.stderr, /src\/b\.ts:2: the first argument of l10n\.t must be a string literal/);
      assert.match(fresh.stderr, /src\/b\.ts:3: the first argument of l10n\.t must be a string literal/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
