import { InsightError } from '../core/errors';
import { IngestLimits, limitsFrom } from '../core/ingestLimits';
import { ParsedArgs, str } from './args';

/** The parser and decompression limit flags (core/limits.ts), shared by `inspect` and `echo360 run`. */
export const LIMIT_OPTIONS = {
  'max-field-mb': { value: true },
  'max-record-mb': { value: true },
  'max-columns': { value: true },
  'max-decompressed-mb': { value: true },
  'max-ratio': { value: true },
} as const;

export const LIMIT_USAGE = [
  '  --max-field-mb N: refuse a field longer than N MB (default 16)',
  '  --max-record-mb N: refuse a line (record) longer than N MB (default 64)',
  '  --max-columns N: refuse more than N columns (default 10000)',
  '  --max-decompressed-mb N: stop a gzip that expands past N MB (default 4096)',
  '  --max-ratio N: stop a gzip that expands more than N:1 past its first 64 MB (default 100; 0: off)',
].join('\n');

function num(args: ParsedArgs, name: string, allowZero = false): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !allowZero))
    throw new InsightError('usage', `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${v}".`);
  return n;
}

export function limitsOption(args: ParsedArgs): IngestLimits {
  return limitsFrom({
    maxFieldMB: num(args, 'max-field-mb'),
    maxRecordMB: num(args, 'max-record-mb'),
    maxColumns: num(args, 'max-columns'),
    maxDecompressedMB: num(args, 'max-decompressed-mb'),
    maxCompressionRatio: num(args, 'max-ratio', true),
  });
}
