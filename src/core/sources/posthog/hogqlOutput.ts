/**
 * A HogQL result written as its rows arrive, page by page (Fetch All of a million rows holds one
 * page, not all of them): the JSON answer `{"columns":[…],"types":[…],"results":[…]}` and any
 * number of CSVs, each byte for byte what writing the whole result at once would give.
 */
import { AtomicFile } from '../../atomicFile';
import { csvHeader, csvRows, type CsvCell } from '../../csv';

/** Where text goes (a CLI output, an atomic file); awaited, so a slow disk slows the fetch, not memory. */
export interface TextSink {
  write(chunk: string): Promise<void>;
}

/** A HogQL value as one CSV cell: scalars as they are, arrays and objects as JSON. */
export function hogqlCell(v: unknown): CsvCell {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/** Rows turned into text at a time. */
const BLOCK_ROWS = 500;

export interface HogQLOutputs {
  /** The JSON answer, as `JSON.stringify({columns, types, results}) + '\n'` would write it. */
  json?: TextSink;
  /** CSVs: header = the columns, then the rows; formula-guarded or not (see core/csv.ts). */
  csv?: { sink: TextSink; formulaGuard: boolean }[];
}

export class HogQLResultWriter {
  private started = false;
  private rowsWritten = 0;

  constructor(private readonly outs: HogQLOutputs) {}

  /** Rows written so far. */
  get rows(): number {
    return this.rowsWritten;
  }

  /** Appends rows (the head is written before the first); the shape of `HogQLClient.fetchAll`'s `onRows`. */
  async append(rows: unknown[][], head: { columns: string[]; types: unknown[] }): Promise<void> {
    await this.start(head);
    // In blocks: a 50,000-row page never becomes one 10 MB string per output.
    for (let at = 0; at < rows.length; at += BLOCK_ROWS) {
      const block = rows.length <= BLOCK_ROWS ? rows : rows.slice(at, at + BLOCK_ROWS);
      if (this.outs.json) {
        // Rows after the first are preceded by a comma.
        let text = '';
        for (const r of block) text += (text || this.rowsWritten ? ',' : '') + JSON.stringify(r);
        await this.outs.json.write(text);
      }
      if (this.outs.csv?.length) {
        const cells = block.map((r) => (Array.isArray(r) ? r.map(hogqlCell) : [hogqlCell(r)]));
        for (const c of this.outs.csv) await c.sink.write(csvRows(cells, { formulaGuard: c.formulaGuard }));
      }
      this.rowsWritten += block.length;
    }
  }

  /** Ends the outputs (a result without rows still gets its head). */
  async end(head: { columns: string[]; types: unknown[] }): Promise<void> {
    await this.start(head);
    await this.outs.json?.write(']}\n');
  }

  private async start(head: { columns: string[]; types: unknown[] }): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.outs.json?.write(`{"columns":${JSON.stringify(head.columns)},"types":${JSON.stringify(head.types)},"results":[`);
    for (const c of this.outs.csv ?? []) await c.sink.write(csvHeader(head.columns, { formulaGuard: c.formulaGuard }));
  }
}

/** A result's three files as Fetch All writes them: the JSON answer, the CSV document, the preview's plain rows. */
export interface HogQLResultPaths {
  raw: string;
  csv: string;
  rows: string;
}

/** The writer of a result's three files, and what ends them. */
export interface HogQLResultFiles {
  writer: HogQLResultWriter;
  /** Bytes written so far, all three files. */
  bytes(): number;
  /** Renames each file into place. */
  commit(): Promise<void>;
  /** Removes what was written (a committed file stays). */
  abort(): Promise<void>;
}

/**
 * Opens the three files (each atomically: a temp file renamed into place on `commit`) behind
 * one writer; the CSV document is formula-guarded or not, the rows never are (the grid shows
 * values as they are). `abort` removes whatever was written.
 */
export async function openHogQLResultFiles(
  paths: HogQLResultPaths,
  formulaGuard: boolean,
): Promise<HogQLResultFiles> {
  const outs: AtomicFile[] = [];
  try {
    for (const f of [paths.raw, paths.csv, paths.rows]) outs.push(await AtomicFile.open(f));
  } catch (e) {
    for (const o of outs) await o.abort();
    throw e;
  }
  const [raw, csv, rows] = outs;
  return {
    writer: new HogQLResultWriter({
      json: raw,
      csv: [
        { sink: csv, formulaGuard },
        { sink: rows, formulaGuard: false },
      ],
    }),
    bytes: () => outs.reduce((n, o) => n + o.size, 0),
    commit: async () => {
      for (const o of outs) await o.commit();
    },
    abort: async () => {
      for (const o of outs) await o.abort();
    },
  };
}
