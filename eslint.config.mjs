// typescript-eslint with type information, so floating promises are caught (STYLE.md).
// The import rules below keep the layers apart (README "Development" → "Import rules"); import
// circles are checked by madge in `npm run lint`.
import * as fs from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The platform folders of src/core/sources (a new platform's folder is one by being there);
 * `shared` is not one: every platform may use it.
 */
const PLATFORMS = fs
  .readdirSync(new URL('./src/core/sources/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared')
  .map((d) => d.name);

const NO_VSCODE = { name: 'vscode', message: 'src/core, the CLI and the webview never import vscode (DESIGN.md "Layers").' };

/** An import (relative or not) that reaches into one of these folders of src/. */
const into = (folders) => `(^|/)(${folders.join('|')})(/|$)`;

const restrict = (paths, patterns) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'esbuild.js', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'webview/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-restricted-imports': ['error', { paths: [] }],
    },
  },
  // Core and the CLI run in plain Node: no vscode, and nothing of the VS Code layer (src/vscode).
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/cli.ts', 'src/protocol.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [NO_VSCODE],
        [{ regex: '(^|/)vscode/', message: 'src/core and the CLI never import the VS Code layer (src/vscode): move what both need into src/core.' }],
      ),
    },
  },
  // A platform folder never imports another platform's folder: what two platforms share lives in
  // a neutral core module (e.g. src/core/sources/shared/).
  ...PLATFORMS.map((platform) => ({
    files: [`src/core/sources/${platform}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict(
        [NO_VSCODE],
        [
          { regex: '(^|/)vscode/', message: 'src/core never imports the VS Code layer (src/vscode).' },
          {
            regex: into(PLATFORMS.filter((p) => p !== platform)),
            message: `src/core/sources/${platform} never imports another platform's folder: move what they share into a neutral core module (src/core/sources/shared/).`,
          },
        ],
      ),
    },
  })),
  // The same in the VS Code layer: src/vscode/<platform> imports neither another platform's
  // VS Code folder nor its core folder.
  ...PLATFORMS.map((platform) => ({
    files: [`src/vscode/${platform}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict(
        [],
        [
          {
            regex: `^\\.\\./(${PLATFORMS.filter((p) => p !== platform).join('|')})(/|$)|(^|/)core/sources/(${PLATFORMS.filter((p) => p !== platform).join('|')})(/|$)`,
            message: `src/vscode/${platform} never imports another platform's code: what platforms share lives in src/core/sources/shared/ or the generic VS Code layer.`,
          },
        ],
      ),
    },
  })),
  // The VS Code layer's messages go through vscode.l10n.t('…{0}…', args) (README "Localization"),
  // so a language pack can translate them: a notification whose text is a plain literal is refused.
  {
    files: ['src/vscode/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['showInformationMessage', 'showWarningMessage', 'showErrorMessage'].flatMap((fn) =>
          ['Literal', 'TemplateLiteral'].map((arg) => ({
            selector: `CallExpression[callee.object.object.name='vscode'][callee.object.property.name='window'][callee.property.name='${fn}'] > ${arg}.arguments:first-child`,
            message: `The text of vscode.window.${fn} goes through vscode.l10n.t('…{0}…', args) so it can be translated (README "Localization"); then run npm run l10n.`,
          })),
        ),
      ],
    },
  },
  // The webview is its own browser bundle: the protocol and pure core helpers only, no host code.
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [NO_VSCODE],
        [
          { regex: '(^|/)src/vscode(/|$)', message: 'The webview never imports the VS Code layer (src/vscode): it talks to the host through src/protocol.ts.' },
          { regex: '(^|/)src/core/sources(/|$)', message: 'The webview never imports platform code (src/core/sources): the host sends what it needs through src/protocol.ts.' },
        ],
      ),
    },
  },
  // The test tooling (scripts/*.mjs): plain JavaScript in Node, type-checked by
  // `tsc -p scripts/tsconfig.json` (JSDoc types), linted with ESLint's recommended JS rules.
  {
    files: ['scripts/**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
    // no-unused-vars (above) already reports these.
    rules: { ...js.configs.recommended.rules, '@typescript-eslint/no-unused-vars': 'off' },
  },
  // Their *InPage / *InFrame functions are serialized by Playwright and run in the browser.
  {
    files: ['scripts/ui-bridge.mjs', 'scripts/workbench.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
