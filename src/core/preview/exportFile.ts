/**
 * Writes an export (a stream of text chunks) to a file without ever leaving a half-written file
 * under the name the user chose: the chunks go to a temporary file beside the target, which is
 * renamed over the target only when every chunk is written. Cancelling (or a failure) deletes the
 * temporary file and leaves any existing target untouched.
 *
 * No `vscode` import: the panel wraps this in `withProgress`, the unit tests call it directly.
 */
import * as path from 'node:path';
import { AtomicFile } from '../atomicFile';
import type { ExportFormat } from '../../protocol';

/** The format a file name asks for (by extension); CSV when the name says nothing. */
export function formatForPath(file: string): ExportFormat {
  const ext = path.extname(file).toLowerCase();
  return ext === '.tsv' || ext === '.tab' ? 'tsv' : ext === '.json' ? 'json' : 'csv';
}

export async function writeExport(
  chunks: AsyncIterable<string | Uint8Array>,
  target: string,
  opts: { signal?: AbortSignal; onProgress?: (chars: number) => void } = {},
): Promise<{ chars: number }> {
  if (opts.signal?.aborted) throw new Error('Export cancelled.');
  // Random temp name opened exclusively, 0600 for a new file, an existing file's mode kept, a
  // device or FIFO written into directly, write errors in words (core/atomicFile.ts).
  const out = await AtomicFile.open(target);
  let chars = 0;
  try {
    for await (const chunk of chunks) {
      if (opts.signal?.aborted) throw new Error('Export cancelled.');
      // Each write is awaited: a fast engine and a slow disk never buffer the export in memory.
      await out.write(chunk);
      chars += chunk.length;
      opts.onProgress?.(chars);
    }
    await out.commit();
    return { chars };
  } catch (e) {
    await out.abort();
    throw e;
  }
}
