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
  | 'cancelled'
  | 'io'; // a local file could not be written or read: disk full, permission, not a file

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
  const described = e instanceof InsightError ? undefined : describeSystemError(e);
  const text = described ? described.message : e instanceof Error ? e.message : String(e);
  return safeText(text.replace(/\s+/g, ' ').trim());
}

/** What the operating system's error codes mean, in words (the code itself stays in brackets). */
const SYSTEM_ERRORS: Record<string, { words: string; next: string }> = {
  ENOSPC: { words: 'no space left on device', next: 'Free some disk space or write to another disk, then run it again.' },
  EDQUOT: { words: 'disk quota exceeded', next: 'Free some space in your quota or write to another disk, then run it again.' },
  EFBIG: { words: 'the file is too large for this file system', next: 'Write to another disk.' },
  EIO: { words: 'input/output error on the device', next: 'Check the disk, then run it again.' },
  EISDIR: { words: 'it is a folder, not a file', next: 'Give a file name (e.g. inside that folder).' },
  ENOTDIR: { words: 'a part of the path is not a folder', next: 'Check the path.' },
  EACCES: { words: 'permission denied', next: 'Choose a file and folder you may write to, or change their permissions.' },
  EPERM: { words: 'operation not permitted', next: 'Choose a file and folder you may write to, or change their permissions.' },
  EROFS: { words: 'the file system is read-only', next: 'Write to another disk.' },
  ENOENT: { words: 'no such file or folder', next: 'Check that the folder exists.' },
  ENAMETOOLONG: { words: 'the file name is too long', next: 'Choose a shorter name.' },
  EMFILE: { words: 'too many open files', next: 'Close other programs or raise the open-file limit (ulimit -n).' },
  ENXIO: { words: 'no reader is connected to this pipe or device', next: 'Start the reader first.' },
  EPIPE: { words: 'the reader of the pipe went away', next: 'Keep the reading side open until the command ends.' },
  EEXIST: { words: 'a file of that name appeared while writing', next: 'Run it again.' },
};

/**
 * A system error (ENOSPC, EISDIR, EACCES, …) or the engine's RangeError ("Invalid string length",
 * "Array buffer allocation failed": one value or answer too large to hold) as a one-line
 * InsightError in words; `undefined` for anything else. `action` and `file` say what was being
 * done ("writing", "/data/report.csv") when the caller knows.
 */
export function describeSystemError(e: unknown, action?: string, file?: string): InsightError | undefined {
  if (e instanceof InsightError) return e;
  if (e instanceof RangeError && /invalid string length|array buffer allocation|invalid array length|buffer.*(too large|exceeds)/i.test(e.message)) {
    return new InsightError('data', `The data is too large to hold in memory as one piece (${e.message.replace(/\s+/g, ' ').trim()})${file ? ` ${action ?? 'reading'} ${file}` : ''}.`, {
      next: 'A single value, line or answer is far larger than expected: check the input, or lower the limits (field, record and body size) so it is refused early.',
      cause: e,
    });
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const known = SYSTEM_ERRORS[code];
  if (!known) return undefined;
  const where = file ?? (e as { path?: unknown }).path;
  const what = typeof where === 'string' ? (action ? ` ${action} ${where}` : `: ${where}`) : action ? ` ${action}` : '';
  return new InsightError('io', `${known.words} (${code})${what}.`, { next: known.next, cause: e });
}
