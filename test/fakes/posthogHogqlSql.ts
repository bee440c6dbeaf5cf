/**
 * The small HogQL subset the PostHog fake runs (posthogHogql.ts): a tokenizer and parser for
 *
 *   SELECT item [AS alias], … FROM events
 *   [WHERE cond AND cond …]  (comparisons, optionally in parentheses)
 *   [GROUP BY expr, …] [ORDER BY expr [ASC|DESC], …] [LIMIT n] [OFFSET m]
 *
 * where an item is a field, `properties.<key>`, `count()` / `count(*)`, `toDate(timestamp)` or a
 * constant, and a comparison is `expr (=|!=|<>|<|<=|>|>=) literal` (a literal is a number, a
 * string, `toDateTime('…')`, `toDateTime64('…', 6, 'UTC')` or `toDate('…')`).
 *
 * Errors carry the character range PostHog's HogQLMetadata would mark (`start`/`end`, offsets in
 * the query text, as HogQLNotice in posthog/schema.py). Whatever lies outside the subset is
 * refused with a message that names the fake, never with a made-up PostHog error.
 */

export type TokenKind = 'ident' | 'number' | 'string' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** The string literal's value, the identifier as written (backticks removed). */
  value: string;
  start: number;
  end: number;
}

/** A query PostHog would refuse, and how (code as in posthog/hogql/errors.py). */
export class HogQLFakeError extends Error {
  constructor(
    message: string,
    readonly code: 'hogql_syntax_error' | 'hogql_query_error' | 'unsupported_by_fake',
    readonly start?: number,
    readonly end?: number,
  ) {
    super(message);
  }
}

const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'group',
  'by',
  'order',
  'limit',
  'offset',
  'as',
  'and',
  'or',
  'asc',
  'desc',
  'having',
  'union',
  'join',
  'distinct',
  'with',
  'not',
]);

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) throw syntaxAt(sql, i, i + 2, 'unterminated comment');
      i = close + 2;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw syntaxAt(sql, start, sql.length, 'unterminated string');
        const ch = sql[i];
        if (ch === '\\' && i + 1 < sql.length) {
          value += sql[i + 1];
          i += 2;
        } else if (ch === "'" && sql[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      out.push({ kind: 'string', text: sql.slice(start, i), value, start, end: i });
      continue;
    }
    if (c === '`' || c === '"') {
      const close = sql.indexOf(c, i + 1);
      if (close === -1) throw syntaxAt(sql, start, sql.length, 'unterminated identifier');
      i = close + 1;
      out.push({ kind: 'ident', text: sql.slice(start, i), value: sql.slice(start + 1, close), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < sql.length && /[0-9.]/.test(sql[i])) i++;
      out.push({ kind: 'number', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      while (i < sql.length && /[A-Za-z0-9_$]/.test(sql[i])) i++;
      out.push({ kind: 'ident', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (['!=', '<>', '<=', '>='].includes(two)) {
      i += 2;
      out.push({ kind: 'op', text: two, value: two, start, end: i });
      continue;
    }
    if ('=<>'.includes(c)) {
      i++;
      out.push({ kind: 'op', text: c, value: c, start, end: i });
      continue;
    }
    if ('(),.*;'.includes(c)) {
      i++;
      out.push({ kind: 'punct', text: c, value: c, start, end: i });
      continue;
    }
    throw syntaxAt(sql, i, i + 1, `token recognition error at: '${c}'`);
  }
  out.push({ kind: 'eof', text: '<EOF>', value: '', start: sql.length, end: sql.length });
  return out;
}

/** HogQL's parser reports "Syntax error at line L, column C: …" (wording unverified). */
function syntaxAt(sql: string, start: number, end: number, what: string): HogQLFakeError {
  const before = sql.slice(0, start);
  const line = before.split('\n').length;
  const column = start - (before.lastIndexOf('\n') + 1);
  return new HogQLFakeError(`Syntax error at line ${line}, column ${column}: ${what}`, 'hogql_syntax_error', start, end);
}

export type Expr =
  | { kind: 'field'; name: string; start: number; end: number }
  | { kind: 'prop'; key: string; start: number; end: number }
  | { kind: 'count'; start: number; end: number }
  | { kind: 'toDate'; arg: Expr; start: number; end: number }
  | { kind: 'const'; value: string | number; start: number; end: number };

export interface SelectItem {
  expr: Expr;
  alias?: string;
  /** The text as written (the column's name when there is no alias). */
  text: string;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Condition {
  expr: Expr;
  op: CompareOp;
  /** A literal; a date/time literal is kept as text and compared by the field's type. */
  value: string | number;
}

export interface ParsedQuery {
  select: SelectItem[];
  table: { name: string; start: number; end: number };
  where: Condition[];
  groupBy: Expr[];
  orderBy: { expr: Expr; desc: boolean }[];
  limit?: number;
  offset?: { value: number; start: number; end: number };
}

class Parser {
  private pos = 0;
  constructor(
    private readonly sql: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private expectKeyword(word: string, expecting = word.toUpperCase()): Token {
    if (!this.isKeyword(word)) throw this.unexpected(expecting);
    return this.next();
  }

  private expectPunct(p: string): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== p) throw this.unexpected(`'${p}'`);
    return this.next();
  }

  private unexpected(expecting: string): HogQLFakeError {
    const t = this.peek();
    return syntaxAt(this.sql, t.start, Math.max(t.end, t.start + 1), `mismatched input '${t.text}' expecting ${expecting}`);
  }

  private unsupported(t: Token, what: string): HogQLFakeError {
    return new HogQLFakeError(
      `The PostHog fake does not run ${what}: it runs SELECT … FROM events with WHERE (AND-ed comparisons), GROUP BY, ORDER BY, LIMIT.`,
      'unsupported_by_fake',
      t.start,
      t.end,
    );
  }

  parse(): ParsedQuery {
    if (this.isKeyword('with')) throw this.unsupported(this.peek(), 'WITH');
    this.expectKeyword('select', 'SELECT');
    if (this.isKeyword('distinct')) throw this.unsupported(this.peek(), 'DISTINCT');
    const select: SelectItem[] = [];
    do {
      const from = this.peek().start;
      if (this.peek().kind === 'punct' && this.peek().text === '*') throw this.unsupported(this.peek(), 'SELECT *');
      const expr = this.expr();
      const text = this.sql.slice(from, expr.end);
      let alias: string | undefined;
      if (this.isKeyword('as')) {
        this.next();
        const a = this.next();
        if (a.kind !== 'ident')
          throw syntaxAt(this.sql, a.start, Math.max(a.end, a.start + 1), `mismatched input '${a.text}' expecting identifier`);
        alias = a.value;
      } else if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().text.toLowerCase())) {
        alias = this.next().value;
      }
      select.push({ expr, alias, text });
    } while (this.comma());
    this.expectKeyword('from', 'FROM');
    const tableTok = this.next();
    if (tableTok.kind !== 'ident' || KEYWORDS.has(tableTok.text.toLowerCase())) {
      throw syntaxAt(
        this.sql,
        tableTok.start,
        Math.max(tableTok.end, tableTok.start + 1),
        `mismatched input '${tableTok.text}' expecting table name`,
      );
    }
    const table = { name: tableTok.value, start: tableTok.start, end: tableTok.end };
    if (this.isKeyword('join') || this.isKeyword('left') || this.isKeyword('inner')) throw this.unsupported(this.peek(), 'JOIN');
    // An alias for the table is not part of the subset.
    const where: Condition[] = [];
    if (this.isKeyword('where')) {
      this.next();
      this.conditions(where);
    }
    const groupBy: Expr[] = [];
    if (this.isKeyword('group')) {
      this.next();
      this.expectKeyword('by', 'BY');
      do groupBy.push(this.expr());
      while (this.comma());
    }
    if (this.isKeyword('having')) throw this.unsupported(this.peek(), 'HAVING');
    const orderBy: ParsedQuery['orderBy'] = [];
    if (this.isKeyword('order')) {
      this.next();
      this.expectKeyword('by', 'BY');
      do {
        const expr = this.expr();
        let desc = false;
        if (this.isKeyword('desc')) {
          this.next();
          desc = true;
        } else if (this.isKeyword('asc')) this.next();
        orderBy.push({ expr, desc });
      } while (this.comma());
    }
    let limit: number | undefined;
    let offset: ParsedQuery['offset'];
    if (this.isKeyword('limit')) {
      this.next();
      limit = this.wholeNumber();
      if (this.isKeyword('by')) throw this.unsupported(this.peek(), 'LIMIT BY');
    }
    if (this.isKeyword('offset')) {
      const kw = this.next();
      const n = this.peek();
      offset = { value: this.wholeNumber(), start: kw.start, end: n.end };
    }
    if (this.isKeyword('union')) throw this.unsupported(this.peek(), 'UNION');
    if (this.peek().kind === 'punct' && this.peek().text === ';') this.next();
    if (this.peek().kind !== 'eof') throw this.unexpected('<EOF>');
    return { select, table, where, groupBy, orderBy, limit, offset };
  }

  private comma(): boolean {
    if (this.peek().kind === 'punct' && this.peek().text === ',') {
      this.next();
      return true;
    }
    return false;
  }

  private wholeNumber(): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw this.unexpected('a number');
    this.next();
    return Number(t.text);
  }

  private conditions(into: Condition[]): void {
    do {
      if (this.peek().kind === 'punct' && this.peek().text === '(') {
        this.next();
        this.conditions(into);
        this.expectPunct(')');
      } else {
        into.push(this.condition());
      }
      if (this.isKeyword('or')) throw this.unsupported(this.peek(), 'OR');
    } while (this.isKeyword('and') && this.next());
  }

  private condition(): Condition {
    const expr = this.expr();
    const opTok = this.peek();
    if (opTok.kind !== 'op') {
      if (this.isKeyword('in') || this.isKeyword('like') || this.isKeyword('is') || this.isKeyword('not'))
        throw this.unsupported(opTok, opTok.text.toUpperCase());
      throw this.unexpected('a comparison');
    }
    this.next();
    const op = (opTok.text === '<>' ? '!=' : opTok.text) as CompareOp;
    return { expr, op, value: this.literal() };
  }

  private literal(): string | number {
    const t = this.next();
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'string') return t.value;
    if (t.kind === 'ident' && /^(toDateTime|toDateTime64|toDate)$/.test(t.text)) {
      this.expectPunct('(');
      const s = this.next();
      if (s.kind !== 'string')
        throw syntaxAt(this.sql, s.start, Math.max(s.end, s.start + 1), `mismatched input '${s.text}' expecting a string`);
      while (this.comma()) this.next(); // precision and time zone: the fake's data is UTC
      this.expectPunct(')');
      return s.value;
    }
    throw syntaxAt(this.sql, t.start, Math.max(t.end, t.start + 1), `mismatched input '${t.text}' expecting a literal`);
  }

  private expr(): Expr {
    const t = this.next();
    if (t.kind === 'number') return { kind: 'const', value: Number(t.text), start: t.start, end: t.end };
    if (t.kind === 'string') return { kind: 'const', value: t.value, start: t.start, end: t.end };
    if (t.kind !== 'ident' || KEYWORDS.has(t.text.toLowerCase())) {
      throw syntaxAt(this.sql, t.start, Math.max(t.end, t.start + 1), `mismatched input '${t.text}' expecting an expression`);
    }
    if (this.peek().kind === 'punct' && this.peek().text === '(') {
      this.next();
      const name = t.text;
      if (name === 'count') {
        if (this.peek().kind === 'punct' && this.peek().text === '*') this.next();
        const close = this.expectPunct(')');
        return { kind: 'count', start: t.start, end: close.end };
      }
      if (name === 'toDate') {
        const arg = this.expr();
        const close = this.expectPunct(')');
        return { kind: 'toDate', arg, start: t.start, end: close.end };
      }
      throw this.unsupported(t, `the function ${name}()`);
    }
    if (t.value === 'properties' && this.peek().kind === 'punct' && this.peek().text === '.') {
      this.next();
      const key = this.next();
      if (key.kind !== 'ident' && key.kind !== 'string')
        throw syntaxAt(this.sql, key.start, Math.max(key.end, key.start + 1), `mismatched input '${key.text}' expecting identifier`);
      return { kind: 'prop', key: key.value, start: t.start, end: key.end };
    }
    let end = t.end;
    let name = t.value;
    // `events.event`: the table's name as a prefix.
    if (this.peek().kind === 'punct' && this.peek().text === '.') {
      this.next();
      const f = this.next();
      if (f.kind !== 'ident')
        throw syntaxAt(this.sql, f.start, Math.max(f.end, f.start + 1), `mismatched input '${f.text}' expecting identifier`);
      if (name !== 'events') throw new HogQLFakeError(`Unable to resolve field: ${name}`, 'hogql_query_error', t.start, t.end);
      name = f.value;
      end = f.end;
    }
    return { kind: 'field', name, start: t.start, end };
  }
}

export function parseHogQL(sql: string): ParsedQuery {
  if (sql.trim() === '') throw new HogQLFakeError('Empty query', 'hogql_syntax_error', 0, 0);
  return new Parser(sql, tokenize(sql)).parse();
}
