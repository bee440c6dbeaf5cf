/**
 * `insights`: the core as a command-line tool (contract in CLI.md). Exit codes: 0 done,
 * 2 usage/bad input, 3 auth refused, 4 not found, 5 anything else.
 */
import { InsightError, oneLine } from './core/errors';
import { Redactor } from './core/log';
import { parseArgs } from './cli/args';
import { CliCommand, CliContext, CliGroup, stderrLogger } from './cli/context';
import { posthogCommands } from './cli/posthog';
import { echo360Commands } from './cli/echo360';
import { canvasCommands } from './cli/canvas';
import { studioCommands } from './cli/studio';
import { inspectCommand } from './cli/inspect';

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
  lines.push(`  insights inspect FILE        ${inspectCommand.summary}`, '', 'Secrets come from the environment: POSTHOG_API_KEY, ECHO360_CLIENT_ID/ECHO360_CLIENT_SECRET, CANVAS_TOKEN, STUDIO_TOKEN.', 'Add --verbose to log HTTP requests (secrets redacted) to stderr.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const redactor = new Redactor();
  for (const k of ['POSTHOG_API_KEY', 'ECHO360_CLIENT_ID', 'ECHO360_CLIENT_SECRET', 'CANVAS_TOKEN', 'STUDIO_TOKEN']) redactor.add(process.env[k]);
  const verbose = argv.includes('--verbose');
  const rest = argv.filter((a) => a !== '--verbose');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const ctx: CliContext = {
    logger: stderrLogger(verbose, redactor),
    redactor,
    note: (m) => process.stderr.write(redactor.redact(m) + '\n'),
    signal: controller.signal,
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
    await command.run(parseArgs(args, command.options), ctx);
    return 0;
  } catch (e) {
    const err = e instanceof InsightError ? e : new InsightError('network', oneLine(e));
    process.stderr.write(`insights: ${redactor.redact(oneLine(err))}\n`);
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
