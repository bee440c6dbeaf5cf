import { AtomicFile, OutTarget } from '../core/atomicFile';

export { writeFileAtomic } from '../core/atomicFile';

/** Where a command's result goes: `--out FILE` (see core/atomicFile.ts) or stdout. */
export interface Output {
  /** Text is written as UTF-8; bytes exactly as given. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Commits the file (rename into place, or close a device/FIFO). */
  close(): Promise<void>;
  /** Removes the temp file: a failed run never leaves a half-written FILE. */
  abort(): Promise<void>;
}

export function openOutput(file: string | undefined, target?: OutTarget): Output {
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
  return atomicFile(file, target);
}

/** `--out FILE`, opened on the first write (nothing is created for a run that fails before it). */
export function atomicFile(file: string, target?: OutTarget): Output {
  let opening: Promise<AtomicFile> | undefined;
  const open = () => (opening ??= AtomicFile.open(file, target));
  return {
    write: async (chunk) => (await open()).write(chunk),
    close: async () => (await open()).commit(),
    abort: async () => {
      const f = await opening?.catch(() => undefined);
      await f?.abort();
    },
  };
}

/** Writes `text` to the file (atomically, as openOutput does) or to stdout; a failed write leaves no partial file. */
export async function writeOutput(file: string | undefined, text: string): Promise<void> {
  const out = openOutput(file);
  try {
    await out.write(text);
    await out.close();
  } catch (e) {
    await out.abort();
    throw e;
  }
}
