import { InsightError } from '../core/errors';
import { str } from './args';
import { CliCommand } from './context';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitsOption } from './limits';

export const inspectCommand: CliCommand = {
  summary: 'Load a .csv/.tsv/.psv (or .gz) into the table engine and print its shape as JSON',
  usage: `insights inspect FILE [--delimiter DELIM] [--max-field-mb N] [--max-record-mb N] [--max-columns N] [--max-decompressed-mb N] [--max-ratio N]\n${LIMIT_USAGE}\n  Warnings about the input (ragged rows, an unclosed quote, bad bytes) go to stderr.`,
  options: { delimiter: { value: true }, ...LIMIT_OPTIONS },
  async run(args, ctx) {
    const file = args.positionals[0];
    if (!file) throw new InsightError('usage', 'insights inspect needs a FILE.', { next: 'Usage: insights inspect FILE [--delimiter DELIM]' });
    const limits = limitsOption(args);
    const { inspectFile } = await import('../core/table/inspect');
    const delim = str(args, 'delimiter');
    const result = await inspectFile(file, {
      delimiter: delim === '\\t' ? '\t' : delim,
      limits,
      signal: ctx.signal,
      onWarning: (w) => ctx.note(`insights: warning: ${file}: ${w.message}`),
    });
    process.stdout.write(JSON.stringify(result) + '\n');
  },
};
