/**
 * `insights`: the core as a command-line tool (contract in CLI.md). Exit codes: 0 done,
 * 2 usage/bad input, 3 auth refused, 4 not found, 5 anything else, 130 cancelled (Ctrl-C).
 */
import { InsightError, describeSystemError, isCancelled, oneLine } from './core/errors';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_BODY_BYTES, HttpLimits, limitsFromUser } from './core/limits';
import { checkOutTarget } from './core/atomicFile';
import { Redactor } from './core/log';
import { safeText } from './core/text';
import { ParsedArgs, parseArgs, positiveNumber, str } from './cli/args';
import { CliCommand, CliContext, CliGroup, stderrLogger } from './cli/context';
import { posthogCommands } from './cli/posthog';
import { echo360Commands } from './cli/echo360';
import { canvasCommands } from './cli/canvas';
import { studioCommands } from './cli/studio';
import { inspectCommand } from './cli/inspect';
import { secretEnvNames } from './core/platforms';

const groups: Record<string, CliGroup> = {
  posthog: posthogCommands,
  echo360: echo360Commands,
  canvas: canvasCommands,
  studio: studioCommands,
};

function usage(): string {
  const lines = ['Usage: insights <platform> <command> [options]', ''];
  for (const [g, cmds] of Object.entries(groups)) {
    for (const [name, c] of Object.entries(cmds)) lines.push(`  insights ${g} ${name.padEnd(10)} ${c.summary}`);
  }
  lines.push(
    `  insights inspect FILE        ${inspectCommand.summary}`,
    '',
    'Secrets come from the environment: POSTHOG_API_KEY, ECHO360_CLIENT_ID/ECHO360_CLIENT_SECRET, CANVAS_TOKEN, STUDIO_TOKEN.',
    'Add --verbose to log HTTP requests (secrets redacted) to stderr.',
    `Every command takes --timeout SEC (the most one HTTP request may take, default ${DEFAULT_DEADLINE_MS / 1000})`,
    `and --max-body-mb N (the largest JSON/text answer read, default ${DEFAULT_MAX_BODY_BYTES / 1024 / 1024}).`,
  );
  return lines.join('\n');
}

/**
 * Options every command takes (CLI.md "Safety rules"). `echo360 run` and `posthog get` also read
 * `--timeout` as their polling limit; here it is the most one HTTP request may take.
 */
const SAFETY_OPTIONS = { timeout: { value: true }, 'max-body-mb': { value: true } };

function safetyLimits(args: ParsedArgs): HttpLimits {
  return limitsFromUser({
    timeoutSeconds: str(args, 'timeout') === undefined ? undefined : positiveNumber(args, 'timeout', 0),
    maxBodyMb: str(args, 'max-body-mb') === undefined ? undefined : positiveNumber(args, 'max-body-mb', 0),
  });
}

export async function main(argv: string[]): Promise<number> {
  const redactor = new Redactor();
  for (const k of secretEnvNames()) redactor.add(process.env[k]);
  const verbose = argv.includes('--verbose');
  const rest = argv.filter((a) => a !== '--verbose');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const ctx: CliContext = {
    logger: stderrLogger(verbose, redactor),
    redactor,
    // Progress lines can carry server text (names, states): shown escaped, never interpreted.
    note: (m) => process.stderr.write(safeText(redactor.redact(m), { keepTab: true }) + '\n'),
    signal: controller.signal,
    limits: {},
  };
  try {
    if (rest.length === 0 || rest[0] === '--help' || rest[0] === 'help') {
      process.stdout.write(usage() + '\n');
      return rest.length === 0 ? 2 : 0;
    }
    let command: CliCommand | undefined;
    let args: string[];
    if (rest[0] === 'inspect') {
      command = inspectCommand;
      args = rest.slice(1);
    } else {
      const group = groups[rest[0]];
      if (!group) throw new InsightError('usage', `Unknown platform "${rest[0]}".`, { next: 'Run insights --help.' });
      command = group[rest[1] ?? ''];
      if (!command) throw new InsightError('usage', `Unknown command "insights ${rest[0]} ${rest[1] ?? ''}".`.replace(' "', ' "'), { next: `Commands: ${Object.keys(group).join(', ')}.` });
      args = rest.slice(2);
    }
    if (args.includes('--help')) {
      process.stdout.write(command.usage + '\n');
      return 0;
    }
    const parsed = parseArgs(args, { ...SAFETY_OPTIONS, ...command.options });
    ctx.limits = safetyLimits(parsed);
    // Every command that takes --out: a folder (or a missing folder) is refused before any request.
    const out = parsed.options.out;
    if (typeof out === 'string') checkOutTarget(out);
    await command.run(parsed, ctx);
    return 0;
  } catch (e) {
    // Ctrl-C: in-flight requests were aborted and each command removed its temp file on the way out.
    if (controller.signal.aborted || isCancelled(e)) {
      process.stderr.write('insights: cancelled\n');
      return 130;
    }
    // System errors (ENOSPC, EISDIR, EACCES) and RangeError ("Invalid string length") in words.
    const err = e instanceof InsightError ? e : (describeSystemError(e) ?? new InsightError('network', oneLine(e)));
    process.stderr.write(`insights: ${safeText(redactor.redact(oneLine(err)))}\n`);
    return err.exitCode;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`insights: ${oneLine(e)}\n`);
      process.exitCode = 5;
    },
  );
}
