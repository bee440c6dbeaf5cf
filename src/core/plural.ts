/** Counts in words with the right plural form: "1 view", "2 views", "1,024 rows". */
const RULES = new Intl.PluralRules('en-US');

export function countOf(n: number, one: string, other: string): string {
  return `${n.toLocaleString('en-US')} ${RULES.select(n) === 'one' ? one : other}`;
}
