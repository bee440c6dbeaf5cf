/**
 * Writes an export (a stream of text chunks) to a file without ever leaving a half-written file
 * under the name the user chose: the chunks go to a temporary file beside the target, which is
 * renamed over the target only when every chunk is written. Cancelling (or a failure) deletes the
 * temporary file and leaves any existing target untouched.
 *
 * No `vscode` import: the panel wraps this in `withProgress`, the unit tests call it directly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
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
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.part`);
  const out = fs.createWriteStream(temp);
  let chars = 0;
  try {
    for await (const chunk of chunks) {
      if (opts.signal?.aborted) throw new Error('Export cancelled.');
      // Honour back-pressure: a fast engine and a slow disk must not buffer the export in memory.
      if (!out.write(chunk)) await once(out, 'drain');
      chars += chunk.length;
      opts.onProgress?.(chars);
    }
    out.end();
    await once(out, 'finish');
    await fs.promises.rename(temp, target);
    return { chars };
  } catch (e) {
    // The file is opened asynchronously: wait for the stream to close (it finishes opening
    // first) before deleting, or a cancel right at the start could leave the temp file behind.
    const closed = once(out, 'close').catch(() => undefined);
    out.destroy();
    await closed;
    await fs.promises.rm(temp, { force: true });
    throw e;
  }
}
