import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where a command's result goes: `--out FILE` (atomically) or stdout. */
export interface Output {
  write(chunk: string): Promise<void>;
  /** Commits the file (rename into place). */
  close(): Promise<void>;
  /** Removes the temp file: a failed run never leaves a half-written FILE. */
  abort(): Promise<void>;
}

export function openOutput(file: string | undefined): Output {
  if (!file) {
    return {
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (process.stdout.write(chunk)) resolve();
          else process.stdout.once('drain', resolve).once('error', reject);
        }),
      close: async () => undefined,
      abort: async () => undefined,
    };
  }
  return atomicFile(file);
}

export function atomicFile(file: string): Output {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const stream = fs.createWriteStream(tmp, { flags: 'wx' });
  let failed: Error | undefined;
  stream.on('error', (e) => (failed = e));
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (failed) return reject(failed);
        if (stream.write(chunk)) return resolve();
        // Wait for drain, but a write error while waiting must not hang the process.
        const onError = (e: Error) => {
          stream.off('drain', onDrain);
          reject(e);
        };
        const onDrain = () => {
          stream.off('error', onError);
          resolve();
        };
        stream.once('drain', onDrain).once('error', onError);
      }),
    close: async () => {
      await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
      if (failed) throw failed;
      await fs.promises.rename(tmp, file);
    },
    abort: async () => {
      stream.destroy();
      await fs.promises.rm(tmp, { force: true });
    },
  };
}

/** Writes a whole stream of text chunks to FILE atomically. */
export async function writeFileAtomic(file: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await pipeline(Readable.from(chunks), fs.createWriteStream(tmp, { flags: 'wx' }));
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}
