/**
 * The formula guard for CSV/TSV the program builds itself (preview export, Copy as TSV, the
 * PostHog and Canvas CSV documents, `insights posthog get` / `insights canvas get` CSV).
 *
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (and some strip a
 * leading tab or carriage return first), so a value such as `=HYPERLINK("http://…")` from an
 * analytics platform could act when the file is opened. A text cell with one of those first
 * characters gets a leading `'`, which spreadsheets show as text. Typed values (numbers, booleans,
 * dates) are never passed through here: `-12.5` as a number stays `-12.5`.
 *
 * No imports, so the webview bundle can use it too.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Whether a text cell would be guarded. */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/** A text cell as written to a spreadsheet file: `'` prefixed when it looks like a formula. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? "'" + text : text;
}
