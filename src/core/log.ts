/**
 * Logging seam for the core. The VS Code layer passes a LogOutputChannel, the CLI passes stderr
 * (verbose only), tests pass a collector. Every line passes through a Redactor first, so a secret
 * never reaches a log even when it appears in a URL or a server's echo of our request.
 */
import { safeText } from './text';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const MASK = '«redacted»';

/** Patterns for credentials we might see in text even when they were not registered. */
const PATTERNS: RegExp[] = [
  /(authorization:\s*(?:bearer|basic)\s+)[^\s,;"']+/gi,
  /(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(phx_)[A-Za-z0-9]{8,}/g,
  /([?&](?:access_token|client_secret|refresh_token|token|api_key|personal_api_key|password)=)[^&\s#"']+/gi,
  // Signed download links (S3): the signature and session token are credentials while they last.
  /([?&](?:Signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|x-amz-security-token|sig)=)[^&\s#"']+/g,
  /("(?:access_token|client_secret|refresh_token|api_key|personal_api_key|password)"\s*:\s*")[^"]+/gi,
];

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret value to be masked wherever it appears. Short values are ignored (too many false hits). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    for (const p of PATTERNS) out = out.replace(p, (_m, keep: string) => `${keep}${MASK}`);
    return out;
  }
}

/**
 * Wraps a logger so every line is redacted, and control characters from servers (terminal escapes,
 * bidi overrides, newlines that would forge a log line) are shown escaped.
 */
export function redactingLogger(inner: Logger, redactor: Redactor): Logger {
  const wrap = (fn: (m: string) => void) => (m: string) => fn(safeText(redactor.redact(m), { keepTab: true }));
  return {
    trace: wrap(inner.trace.bind(inner)),
    debug: wrap(inner.debug.bind(inner)),
    info: wrap(inner.info.bind(inner)),
    warn: wrap(inner.warn.bind(inner)),
    error: wrap(inner.error.bind(inner)),
  };
}
