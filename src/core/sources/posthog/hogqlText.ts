/**
 * The text of a `.hogql` document: its statements (split at `;` outside strings, quoted names and
 * comments) with their offsets, and the PostHog source its first line names (`-- source: <label>`).
 */

export interface HogQLStatement {
  /** Offset of the statement's first non-blank character in the document. */
  start: number;
  /** Offset just past its last non-blank character (the `;` excluded). */
  end: number;
  /** The statement's text, comments kept (PostHog's parser skips them). */
  sql: string;
}

const SOURCE_LINE = /^[ \t]*--[ \t]*source:[ \t]*(.*?)[ \t]*$/im;

/** The source label of the document's header comment (`-- source: PostHog EU · 12345`), if any. */
export function sourceLabelOf(text: string): string | undefined {
  // Only the leading comment lines count: a `-- source:` further down is part of a query.
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!/^\s*--/.test(line)) return undefined;
    const m = SOURCE_LINE.exec(line);
    if (m && m[1]) return m[1];
  }
  return undefined;
}

/** `-- source: <label>` as the document's first line. */
export function sourceLine(label: string): string {
  return `-- source: ${label.replace(/[\r\n]+/g, ' ')}`;
}

/** Whether the text is only comments and blanks (nothing to run). */
function onlyComments(sql: string): boolean {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim() === '';
}

/** The statements of a document, in order; empty ones (blank or comments only) are left out. */
export function statementsOf(text: string): HogQLStatement[] {
  const out: HogQLStatement[] = [];
  let from = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = text.slice(from, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed && !onlyComments(trimmed)) out.push({ start: from + lead, end: from + lead + trimmed.length, sql: trimmed });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      // A quote is escaped by a backslash or by doubling it.
      i++;
      while (i < text.length) {
        if (text[i] === '\\') i += 2;
        else if (text[i] === c && text[i + 1] === c) i += 2;
        else if (text[i] === c) {
          i++;
          break;
        } else i++;
      }
    } else if (c === ';') {
      push(i);
      from = ++i;
    } else i++;
  }
  push(text.length);
  return out;
}

/** The statement at `offset` (inside it or on its line), else the nearest one before, else the first. */
export function statementAt(text: string, offset: number): HogQLStatement | undefined {
  const all = statementsOf(text);
  const inside = all.find((s) => offset >= s.start && offset <= s.end + 1);
  if (inside) return inside;
  const before = all.filter((s) => s.end < offset);
  return before[before.length - 1] ?? all[0];
}
