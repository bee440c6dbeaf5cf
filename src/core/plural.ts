/** Counts in words with the right plural form: "1 view", "2 views", "1,024 rows". */
const RULES = new Intl.PluralRules('en-US');

export function countOf(n: number, one: string, other: string): string {
  return `${n.toLocaleString('en-US')} ${RULES.select(n) === 'one' ? one : other}`;
}

/** The counted nouns of the platform contract in English (the CLI's and the Node tests'). */
export const englishCounts = {
  accounts: (n: number) => countOf(n, 'account', 'accounts'),
  courses: (n: number) => countOf(n, 'course', 'courses'),
  perspectives: (n: number) => countOf(n, 'perspective', 'perspectives'),
  reports: (n: number) => countOf(n, 'report', 'reports'),
  savedInsights: (n: number) => countOf(n, 'saved insight', 'saved insights'),
  views: (n: number) => countOf(n, 'view', 'views'),
  participations: (n: number) => countOf(n, 'participation', 'participations'),
};
