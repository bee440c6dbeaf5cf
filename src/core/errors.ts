/**
 * One error type for everything the core reports to people. Each carries a kind (which maps to the
 * CLI's exit codes and to the VS Code layer's actions) and a one-line message that names what failed
 * and what to do next. Messages never contain secrets: they are built from statuses and server
 * `detail` fields, which pass through the redactor before they get here. Control characters and
 * bidi overrides a server put in those fields are shown escaped (safeText): a message is text for
 * a terminal or a notification, never a way for a server to drive them.
 */
import { safeText } from './text';

export type ErrorKind =
  | 'usage' // bad input: unknown option, invalid URL, date, UUID, range
  | 'auth' // 401/403 after any retry
  | 'notFound' // 404
  | 'throttled' // 429 storm outlasting the retries
  | 'server' // 5xx after retries
  | 'network' // connection refused/reset, DNS
  | 'data' // malformed JSON/CSV, HTML where JSON was expected
  | 'timeout'
  | 'cancelled';

export class InsightError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly options: { status?: number; next?: string; cause?: unknown } = {},
  ) {
    super(safeText(options.next ? `${message} ${options.next}` : message));
    this.name = 'InsightError';
  }

  get status(): number | undefined {
    return this.options.status;
  }

  /** Exit codes from the CLI contract: 2 usage, 3 auth, 4 not found, 5 anything else. */
  get exitCode(): number {
    switch (this.kind) {
      case 'usage':
        return 2;
      case 'auth':
        return 3;
      case 'notFound':
        return 4;
      default:
        return 5;
    }
  }
}

export function isCancelled(e: unknown): boolean {
  return (
    (e instanceof InsightError && e.kind === 'cancelled') ||
    (e instanceof Error && (e.name === 'AbortError' || (e as { code?: string }).code === 'ABORT_ERR'))
  );
}

/** The one line shown to a person for any thrown value. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return safeText(text.replace(/\s+/g, ' ').trim());
}
