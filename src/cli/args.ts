import { InsightError } from '../core/errors';

export interface OptionSpec {
  /** Option takes a value (`--out FILE`); otherwise it is a flag. */
  value?: boolean;
  required?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean | undefined>;
}

/**
 * Strict parser for the `insights` command line: unknown options and missing values are usage
 * errors (exit 2), so a typo never silently runs a different export.
 */
export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new InsightError('usage', `Unknown option --${name}.`, { next: 'Run with --help for the options.' });
    if (s.value) {
      const v = eq !== -1 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq === -1 && v.startsWith('--'))) throw new InsightError('usage', `Option --${name} needs a value.`);
      out.options[name] = v;
    } else {
      if (eq !== -1) throw new InsightError('usage', `Option --${name} takes no value.`);
      out.options[name] = true;
    }
  }
  for (const [name, s] of Object.entries(spec)) {
    if (s.required && out.options[name] === undefined) throw new InsightError('usage', `Missing required option --${name}.`, { next: 'Run with --help for the options.' });
  }
  return out;
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

export function positiveNumber(args: ParsedArgs, name: string, fallback: number): number {
  const v = str(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InsightError('usage', `--${name} must be a positive number, got "${v}".`);
  return n;
}

/** One of a fixed set of values, e.g. `--format tsv|json`. */
export function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = str(args, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new InsightError('usage', `--${name} must be one of ${allowed.join(', ')}, got "${v}".`);
  return v as T;
}

/** Secrets come only from the environment (CLI.md), never from flags. */
export function envSecret(name: string): string {
  const v = process.env[name];
  if (!v) throw new InsightError('auth', `${name} is not set.`, { next: `Export ${name} in the environment (secrets are never taken from flags).` });
  return v;
}
