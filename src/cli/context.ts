import { HttpLimits } from '../core/limits';
import { Logger, Redactor, redactingLogger } from '../core/log';
import { ParsedArgs } from './args';

export interface CliContext {
  logger: Logger;
  redactor: Redactor;
  /** Progress and messages for people: stderr. */
  note(message: string): void;
  signal: AbortSignal;
  /** From `--max-body-mb` and `--timeout` (every command takes them); passed to every client. */
  limits: HttpLimits;
}

export interface CliCommand {
  summary: string;
  usage: string;
  options: Record<string, { value?: boolean; required?: boolean }>;
  run(args: ParsedArgs, ctx: CliContext): Promise<void>;
}

/** `insights <group> <command>` table; each platform module contributes its group. */
export type CliGroup = Record<string, CliCommand>;

export function stderrLogger(verbose: boolean, redactor: Redactor): Logger {
  const line = (level: string) => (m: string) => {
    if (verbose) process.stderr.write(`[${level}] ${m}\n`);
  };
  return redactingLogger({ trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }, redactor);
}
