/**
 * Limits on what a file or a download may make the parser and the decompressor hold or produce.
 * A hostile or broken file (one 300 MB line, an unclosed quote, 200,000 columns, a gzip bomb)
 * stops with a one-line error naming the file and line, in bounded memory, instead of taking
 * gigabytes and dying with "Invalid string length".
 *
 * Defaults, and why:
 * - field 16 MB: far above any real cell (Echo360 and Studio cells are ids, names, numbers; a long
 *   free-text answer is kilobytes), far below V8's ~512 MB string limit.
 * - record 64 MB: a whole line may hold many large fields; memory while reading one line stays
 *   at a small multiple of this.
 * - columns 10,000: wide exports (gradebooks, survey dumps) have hundreds to a few thousand; each
 *   column costs a column builder, which is what made 200,000 columns take 1.7 GB.
 * - decompressed 4 GB: one Echo360 chunk (7 days of videoview for a large university) is well
 *   under 1 GB of CSV.
 * - compression ratio 100:1, checked after the first 64 MB: real CSV gzips 5–20:1; a gzip bomb
 *   (zeros, one repeated row) reaches ~1000:1. The same rule as Apache POI's zip-bomb guard
 *   (ZipSecureFile MIN_INFLATE_RATIO 0.01). 0 turns it off.
 *
 * Settings `insightExplorer.limits.*` (extension) and flags on `insights inspect` / `echo360 run`:
 * --max-field-mb, --max-record-mb, --max-columns, --max-decompressed-mb, --max-ratio.
 */
import { InsightError } from './errors';
import { MB, positive } from './limits';

export interface IngestLimits {
  maxFieldBytes: number;
  maxRecordBytes: number;
  maxColumns: number;
  maxDecompressedBytes: number;
  /** Decompressed ÷ compressed bytes; 0: no ratio check. */
  maxCompressionRatio: number;
}

export const DEFAULT_LIMITS: IngestLimits = Object.freeze({
  maxFieldBytes: 16 * MB,
  maxRecordBytes: 64 * MB,
  maxColumns: 10_000,
  maxDecompressedBytes: 4096 * MB,
  maxCompressionRatio: 100,
});

/** The ratio is checked only past this many decompressed bytes (small files compress well too). */
export const RATIO_GRACE_BYTES = 64 * MB;

/** Limits in the units people set them in (MB, count), missing ones from the defaults. */
export interface LimitSettings {
  maxFieldMB?: number;
  maxRecordMB?: number;
  maxColumns?: number;
  maxDecompressedMB?: number;
  maxCompressionRatio?: number;
}

export function limitsFrom(s: LimitSettings = {}): IngestLimits {
  const field = positive(s.maxFieldMB);
  const record = positive(s.maxRecordMB);
  const columns = positive(s.maxColumns);
  const decompressed = positive(s.maxDecompressedMB);
  const ratio = typeof s.maxCompressionRatio === 'number' && Number.isFinite(s.maxCompressionRatio) && s.maxCompressionRatio >= 0 ? s.maxCompressionRatio : undefined;
  const maxFieldBytes = field !== undefined ? Math.floor(field * MB) : DEFAULT_LIMITS.maxFieldBytes;
  return {
    maxFieldBytes,
    // A record holds at least one field.
    maxRecordBytes: Math.max(record !== undefined ? Math.floor(record * MB) : DEFAULT_LIMITS.maxRecordBytes, maxFieldBytes),
    maxColumns: columns !== undefined ? Math.floor(columns) : DEFAULT_LIMITS.maxColumns,
    maxDecompressedBytes: decompressed !== undefined ? Math.floor(decompressed * MB) : DEFAULT_LIMITS.maxDecompressedBytes,
    maxCompressionRatio: ratio ?? DEFAULT_LIMITS.maxCompressionRatio,
  };
}

/** How each limit is raised, for the error's next step. */
const HOW: Record<keyof IngestLimits, string> = {
  maxFieldBytes: '--max-field-mb / insightExplorer.limits.maxFieldMB',
  maxRecordBytes: '--max-record-mb / insightExplorer.limits.maxRecordMB',
  maxColumns: '--max-columns / insightExplorer.limits.maxColumns',
  maxDecompressedBytes: '--max-decompressed-mb / insightExplorer.limits.maxDecompressedMB',
  maxCompressionRatio: '--max-ratio / insightExplorer.limits.maxCompressionRatio',
};

/** A limit was reached. `where`: the file (and line) it happened in. */
export class LimitError extends InsightError {
  constructor(
    readonly limit: keyof IngestLimits,
    message: string,
  ) {
    super('data', message, { next: `If the file is what you expect, raise the limit (${HOW[limit]}).` });
    this.name = 'LimitError';
  }
}

export function mb(bytes: number): string {
  const v = bytes / MB;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} MB`;
}

/**
 * Counts decompressed bytes flowing out of a gunzip and stops past the size cap or the ratio cap.
 * `compressed()` tells how many compressed bytes went in so far.
 */
export async function* capDecompressed(
  output: AsyncIterable<Buffer>,
  compressed: () => number,
  limits: IngestLimits,
  label: string,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of output) {
    total += chunk.length;
    checkDecompressed(total, compressed(), limits, label);
    yield chunk;
  }
}

export function checkDecompressed(total: number, compressed: number, limits: IngestLimits, label: string): void {
  if (total > limits.maxDecompressedBytes) {
    throw new LimitError('maxDecompressedBytes', `${label} expands past ${mb(limits.maxDecompressedBytes)} when decompressed (the decompressed-size limit); stopped there.`);
  }
  const ratio = limits.maxCompressionRatio;
  if (ratio > 0 && total > RATIO_GRACE_BYTES && compressed > 0 && total / compressed > ratio) {
    throw new LimitError(
      'maxCompressionRatio',
      `${label} expands more than ${ratio}:1 (${mb(compressed)} of gzip gave ${mb(total)} so far): that is a gzip bomb, not a CSV report; stopped.`,
    );
  }
}
