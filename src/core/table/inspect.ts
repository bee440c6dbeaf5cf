/**
 * `insights inspect FILE`: load a .csv/.tsv/.psv (optionally .gz) through the same engine the
 * preview uses and describe it. The output shape is the CLI contract (shared CLI.md).
 */
import * as fs from 'node:fs';
import { InsightError, describeSystemError } from '../errors';
import { DEFAULT_LIMITS, IngestLimits } from '../ingestLimits';
import { columnStats } from './aggregate';
import { ColumnType } from './columns';
import { gunzipForIngest, gunzipStream } from './gunzipWorker';
import { ingestFileInWorker } from './parseRemote';

export { gunzipStream };
import { IngestWarning, TableBuilder } from './table';

export interface InspectColumn {
  name: string;
  type: ColumnType;
  nulls: number;
  distinct: number;
  /** Numbers for numeric types, ISO strings for dates, strings for strings; null when no values. */
  min: string | number | boolean | null;
  max: string | number | boolean | null;
}

export interface InspectResult {
  rows: number;
  columns: InspectColumn[];
  /** Load time (read, decompress, parse, build columns), milliseconds. */
  ms: number;
}

export interface InspectOptions {
  delimiter?: string;
  /** Told about ragged rows, bad bytes and the like (the CLI prints them to stderr). */
  onWarning?: (w: IngestWarning) => void;
  signal?: AbortSignal;
  /** Parser and decompression limits (core/limits.ts); the defaults when absent. */
  limits?: IngestLimits;
}

/** The delimiter a file name implies: .tsv → tab, .psv → pipe, else undefined (sniffed). */
export function delimiterForPath(path: string): string | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return '\t';
  if (name.endsWith('.psv')) return '|';
  return undefined;
}

export async function inspectFile(path: string, opts: InspectOptions = {}): Promise<InspectResult> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch {
    throw new InsightError('usage', `Cannot read ${path}: no such file.`);
  }
  if (!stat.isFile()) throw new InsightError('usage', `Cannot read ${path}: not a file.`);
  const t0 = performance.now();
  const gz = path.toLowerCase().endsWith('.gz');
  const delimiter = opts.delimiter || delimiterForPath(path);
  let file: fs.ReadStream | undefined;
  let table;
  try {
    // Read, inflated and tokenized on a worker thread while this one builds the columns
    // (parseRemote.ts); where no worker starts, all of it here, with a .gz inflated on a worker
    // thread of its own (gunzipWorker.ts).
    table = await ingestFileInWorker({ path, gz, delimiter, limits: opts.limits ?? DEFAULT_LIMITS, label: path }, { signal: opts.signal });
    if (table === undefined) {
      file = gz ? undefined : fs.createReadStream(path, { highWaterMark: 1 << 20 });
      const source = file ?? gunzipForIngest({ path }, { limits: opts.limits ?? DEFAULT_LIMITS, label: path, signal: opts.signal });
      table = await new TableBuilder({ delimiter, limits: opts.limits, label: path }).ingest(source, { signal: opts.signal });
    }
  } catch (e) {
    if (e instanceof InsightError) throw e;
    if (e instanceof RangeError) throw describeSystemError(e, 'reading', path) ?? e;
    const code = (e as { code?: string }).code ?? '';
    if (gz && (code.startsWith('Z_') || /unexpected end|incorrect header|invalid/i.test(String((e as Error).message))))
      throw new InsightError('data', `Cannot decompress ${path}: ${oneLineMessage(e)} (not a valid or complete gzip file).`, { cause: e });
    throw new InsightError('data', `Cannot read ${path}: ${oneLineMessage(e)}.`, { cause: e });
  } finally {
    file?.destroy();
  }
  const ms = Math.round(performance.now() - t0);
  for (const w of table.warnings) opts.onWarning?.(w);
  const columns = table.columns.map((_, i) => {
    const s = columnStats(table, i, null, 0);
    return { name: s.name, type: s.type, nulls: s.nulls, distinct: s.distinct, min: s.min, max: s.max };
  });
  return { rows: table.rowCount, columns, ms };
}

function oneLineMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim().replace(/\.$/, '');
}
