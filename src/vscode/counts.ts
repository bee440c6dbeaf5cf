/**
 * Counted nouns the extension shows ("1 view", "2 views"), through `vscode.l10n` so a language
 * pack can translate them. Each count has its own pair of literal messages — the singular and the
 * plural form — so the l10n tooling (`@vscode/l10n-dev export`) finds every one; the number is
 * formatted for the display language. The CLI, which has no VS Code, uses core/plural.ts.
 */
import * as vscode from 'vscode';

/** The display language (fixed for the window's life) and its plural rules. */
const language = vscode.env.language || 'en';
const rules = new Intl.PluralRules(language);

function n(count: number): string {
  return count.toLocaleString(language);
}

const one = (count: number) => rules.select(count) === 'one';

export const counts = {
  sources: (c: number) => (one(c) ? vscode.l10n.t('{0} source', n(c)) : vscode.l10n.t('{0} sources', n(c))),
  rows: (c: number) => (one(c) ? vscode.l10n.t('{0} row', n(c)) : vscode.l10n.t('{0} rows', n(c))),
  views: (c: number) => (one(c) ? vscode.l10n.t('{0} view', n(c)) : vscode.l10n.t('{0} views', n(c))),
  participations: (c: number) => (one(c) ? vscode.l10n.t('{0} participation', n(c)) : vscode.l10n.t('{0} participations', n(c))),
  days: (c: number) => (one(c) ? vscode.l10n.t('{0} day', n(c)) : vscode.l10n.t('{0} days', n(c))),
  requests: (c: number) => (one(c) ? vscode.l10n.t('{0} request', n(c)) : vscode.l10n.t('{0} requests', n(c))),
  reports: (c: number) => (one(c) ? vscode.l10n.t('{0} report', n(c)) : vscode.l10n.t('{0} reports', n(c))),
  accounts: (c: number) => (one(c) ? vscode.l10n.t('{0} account', n(c)) : vscode.l10n.t('{0} accounts', n(c))),
  courses: (c: number) => (one(c) ? vscode.l10n.t('{0} course', n(c)) : vscode.l10n.t('{0} courses', n(c))),
  alerts: (c: number) => (one(c) ? vscode.l10n.t('{0} alert', n(c)) : vscode.l10n.t('{0} alerts', n(c))),
  savedInsights: (c: number) => (one(c) ? vscode.l10n.t('{0} saved insight', n(c)) : vscode.l10n.t('{0} saved insights', n(c))),
  perspectives: (c: number) => (one(c) ? vscode.l10n.t('{0} perspective', n(c)) : vscode.l10n.t('{0} perspectives', n(c))),
};
