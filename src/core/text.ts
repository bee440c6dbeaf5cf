/**
 * Text from servers, made safe to show. A name, an error `detail` or a log line can carry
 * terminal escape sequences (`ESC ]0;title BEL` sets a terminal's title, `ESC [2J` clears the
 * screen) or Unicode bidi controls that make text read differently from what it is ("Trojan
 * Source", CVE-2021-42574). Everything shown as text (stderr, tsv listings, logs, notifications,
 * tree labels) passes through `safeText`; data cells (CSV, documents, the preview grid) do not.
 */

/**
 * C0 controls (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F), the bidi embeddings
 * and overrides (U+202A–U+202E), the bidi isolates (U+2066–U+2069), the marks LRM/RLM/ALM
 * (U+200E, U+200F, U+061C) and the line/paragraph separators (U+2028, U+2029).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export interface SafeTextOptions {
  /** Keep tabs as they are (a tsv separator or a data field's own tab). Default false. */
  keepTab?: boolean;
  /** Keep `\n` as it is (multi-line text such as a markdown tooltip). Default false. */
  keepNewline?: boolean;
}

/** `\x1b`, `\x7f`, `\x9b` for C0/DEL/C1; `\u202e` for the rest: visible, and unambiguous. */
function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control and bidi character shown escaped. Idempotent. */
export function safeText(text: string, opts: SafeTextOptions = {}): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\t' && opts.keepTab) return c;
    if (c === '\n' && opts.keepNewline) return c;
    return escapeChar(c);
  });
}
