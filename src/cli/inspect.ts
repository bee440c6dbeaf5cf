import { InsightError } from '../core/errors';
import { str } from './args';
import { CliCommand } from './context';

export const inspectCommand: CliCommand = {
  summary: 'Load a .csv/.tsv/.psv (or .gz) into the table engine and print its shape as JSON',
  usage: 'insights inspect FILE [--delimiter DELIM]',
  options: { delimiter: { value: true } },
  async run(args) {
    const file = args.positionals[0];
    if (!file) throw new InsightError('usage', 'insights inspect needs a FILE.', { next: 'Usage: insights inspect FILE [--delimiter DELIM]' });
    const { inspectFile } = await import('../core/table/inspect');
    const delim = str(args, 'delimiter');
    const result = await inspectFile(file, { delimiter: delim === '\\t' ? '\t' : delim });
    process.stdout.write(JSON.stringify(result) + '\n');
  },
};
