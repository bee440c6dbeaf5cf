/**
 * A small strict JSON parser that remembers where each value sits in the text, so a query
 * document can show PostHog's validation error (`attr`) or a syntax error exactly where it is,
 * not only as a toast. JSON.parse gives neither node positions nor a position format that is
 * stable across Node versions.
 */

export interface JsonNode {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  offset: number;
  length: number;
  /** Members of objects (by key) and arrays (by index). */
  children?: Map<string | number, JsonNode>;
}

export type JsonParseResult = { ok: true; value: unknown; root: JsonNode } | { ok: false; message: string; offset: number };

class Fail extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function parseJsonTree(text: string): JsonParseResult {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const describe = (at: number) => (at >= text.length ? 'the end of the text' : `“${text[at]}”`);

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) throw new Fail('Unterminated string.', start);
      const ch = text[i];
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch.charCodeAt(0) < 0x20) throw new Fail('Control character in a string (use \\n, \\t…).', i);
      if (ch === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else throw new Fail('Invalid escape in a string.', i);
        continue;
      }
      out += ch;
      i++;
    }
  };

  const parseValue = (): { value: unknown; node: JsonNode } => {
    ws();
    const start = i;
    const ch = text[i];
    if (ch === '{') {
      i++;
      const value: Record<string, unknown> = {};
      const children = new Map<string | number, JsonNode>();
      ws();
      if (text[i] === '}') {
        i++;
        return { value, node: { type: 'object', offset: start, length: i - start, children } };
      }
      for (;;) {
        ws();
        if (text[i] !== '"')
          throw new Fail(
            text[i] === '}' ? 'Trailing comma before “}”.' : `Expected a property name in double quotes, found ${describe(i)}.`,
            i,
          );
        const key = parseString();
        ws();
        if (text[i] !== ':') throw new Fail(`Expected “:” after the property name, found ${describe(i)}.`, i);
        i++;
        const member = parseValue();
        value[key] = member.value;
        children.set(key, member.node);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { value, node: { type: 'object', offset: start, length: i - start, children } };
        }
        throw new Fail(`Expected “,” or “}” after a property value, found ${describe(i)}.`, i);
      }
    }
    if (ch === '[') {
      i++;
      const value: unknown[] = [];
      const children = new Map<string | number, JsonNode>();
      ws();
      if (text[i] === ']') {
        i++;
        return { value, node: { type: 'array', offset: start, length: i - start, children } };
      }
      for (;;) {
        ws();
        if (text[i] === ']') throw new Fail('Trailing comma before “]”.', i);
        const item = parseValue();
        children.set(value.length, item.node);
        value.push(item.value);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { value, node: { type: 'array', offset: start, length: i - start, children } };
        }
        throw new Fail(`Expected “,” or “]” after an array item, found ${describe(i)}.`, i);
      }
    }
    if (ch === '"') {
      const value = parseString();
      return { value, node: { type: 'string', offset: start, length: i - start } };
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0] !== '-' && m[0] !== '') {
      i += m[0].length;
      return { value: Number(m[0]), node: { type: 'number', offset: start, length: m[0].length } };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { value, node: { type: value === null ? 'null' : 'boolean', offset: start, length: word.length } };
      }
    }
    throw new Fail(
      i >= text.length ? 'Unexpected end of the text: a value is missing.' : `Unexpected ${describe(i)}: expected a value.`,
      i,
    );
  };

  try {
    const { value, node } = parseValue();
    ws();
    if (i < text.length) throw new Fail(`Unexpected ${describe(i)} after the end of the JSON value.`, i);
    return { ok: true, value, root: node };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, message: e.message, offset: Math.min(e.offset, text.length) };
    throw e;
  }
}

/** The deepest node along `path` and how many segments of it exist. */
export function nodeAtPath(root: JsonNode, path: (string | number)[]): { node: JsonNode; depth: number } {
  let node = root;
  let depth = 0;
  for (const seg of path) {
    const child = node.children?.get(node.type === 'array' ? Number(seg) : String(seg));
    if (!child) break;
    node = child;
    depth++;
  }
  return { node, depth };
}

/** Zero-based line and character of an offset. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, character: offset - lineStart };
}

function segments(path: string): (string | number)[] {
  return path
    .split(/__|\./)
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Where a PostHog validation error points in a document holding a query (at `base` within the
 * document: [] for a query document, ['query'] for a whole insight). `attr` is DRF's field name
 * (nested fields joined by `__`); when it names only the query itself, a pydantic-style location
 * at the start of `detail` ("source.kind: …") is used instead.
 */
export function problemPath(attr: string | null | undefined, detail: string | undefined, base: (string | number)[]): (string | number)[] {
  const fromAttr = attr ? segments(attr) : [];
  let path: (string | number)[] = fromAttr[0] === 'query' ? [...base, ...fromAttr.slice(1)] : fromAttr;
  if (path.length <= base.length) {
    const m = /^\s*([A-Za-z_$][\w$]*(?:\.(?:[A-Za-z_$][\w$]*|\d+))*)\s*:/.exec(detail ?? '');
    if (m && m[1] !== 'query') path = [...base, ...segments(m[1])];
  }
  return path;
}

/**
 * The span to underline for a validation error: the deepest value the path reaches, or the
 * first line when the path reaches nothing below the document root.
 */
export function problemSpan(text: string, root: JsonNode | undefined, path: (string | number)[]): { offset: number; length: number } {
  if (root) {
    const { node, depth } = nodeAtPath(root, path);
    if (depth > 0) return { offset: node.offset, length: Math.max(1, Math.min(node.length, firstLineLength(text, node.offset))) };
  }
  return { offset: 0, length: Math.max(1, firstLineLength(text, 0)) };
}

function firstLineLength(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return (nl === -1 ? text.length : nl) - from;
}
