/**
 * Every result and export file goes through here, so each writer keeps the same promises
 * (CLI.md, "Safety rules for every command", Writing):
 *
 * - A regular file is written to a temp file beside it and renamed into place only when every
 *   byte is written, so a failed or cancelled run never leaves a half-written FILE.
 * - The temp file has a random name (crypto.randomBytes) and is opened exclusively (`wx`:
 *   O_CREAT|O_EXCL, which also refuses to follow a symlink planted at that name).
 * - A new file is created 0600 (results hold personal data); an existing file keeps its mode.
 * - An existing target that is not a regular file (a character device such as /dev/null, a FIFO,
 *   a socket) is written to directly and never renamed over.
 * - A folder as target is refused before any work starts (`checkOutTarget`).
 * - Every write error rejects (it never leaves a promise pending) with the system's reason in
 *   words, and the temp file is removed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { InsightError, describeSystemError } from './errors';

/** New result files: owner read/write only. */
export const NEW_FILE_MODE = 0o600;

export interface OutTarget {
  /** Absolute path of the target. */
  file: string;
  /** What is there now: nothing, a regular file, or something to write into directly. */
  existing: 'none' | 'regular' | 'special';
  /** Permission bits of an existing regular file (kept on replace). */
  mode?: number;
}

/** The error of a failed file operation, in words, naming the file (see errors.ts). */
export function fileError(e: unknown, action: string, file: string): InsightError {
  if (e instanceof InsightError) return e;
  return describeSystemError(e, action, file) ?? new InsightError('io', `Could not finish ${action} ${file}: ${e instanceof Error ? e.message : String(e)}.`, { cause: e });
}

/**
 * Checks an output path before any request is made (exit 2 for what a person can fix now): a
 * folder is refused, and so is a file whose folder does not exist or is not writable.
 */
export function checkOutTarget(file: string, option = '--out'): OutTarget {
  const target = path.resolve(file);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ENOENT') throw usageError(option, file, e);
  }
  if (st?.isDirectory()) {
    throw new InsightError('usage', `${option} ${file} is a folder, not a file.`, {
      next: `Give a file name, e.g. ${path.join(file, 'result.csv')}.`,
    });
  }
  if (st && !st.isFile()) return { file: target, existing: 'special' };
  const dir = path.dirname(target);
  try {
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    // The temp file is created in this folder and renamed into place.
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new InsightError('usage', `Cannot write ${option} ${file}: its folder does not exist or is not writable.`, {
      next: 'Create the folder or choose another path.',
      cause: e,
    });
  }
  return st ? { file: target, existing: 'regular', mode: st.mode & 0o7777 } : { file: target, existing: 'none' };
}

function usageError(option: string, file: string, e: unknown): InsightError {
  const described = describeSystemError(e, 'checking', file);
  return new InsightError('usage', `Cannot write ${option} ${file}: ${described?.message ?? String(e)}`, { cause: e });
}

/** A random, unpredictable temp name beside `target` (file names stay under 255 bytes). */
export function tempNameFor(target: string): string {
  const base = path.basename(target).slice(0, 180);
  return path.join(path.dirname(target), `.${base}.${randomBytes(8).toString('hex')}.tmp`);
}

/** Creates a temp file exclusively, 0600. */
export async function openExclusive(file: string): Promise<fs.promises.FileHandle> {
  try {
    return await fs.promises.open(file, 'wx', NEW_FILE_MODE);
  } catch (e) {
    throw fileError(e, 'creating', file);
  }
}

/**
 * A file being written. `write` the bytes, then `commit` (rename into place, or just close for a
 * device/FIFO) or `abort` (remove the temp file; an existing target is left as it was).
 */
export class AtomicFile {
  private closed = false;
  private committed = false;
  /** Bytes written so far. */
  size = 0;

  private constructor(
    readonly target: OutTarget,
    /** The temp file; undefined when writing straight into a device or FIFO. */
    readonly tempFile: string | undefined,
    private readonly fh: fs.promises.FileHandle,
  ) {}

  /**
   * Opens `file` for writing. `target` is the result of an earlier `checkOutTarget` (the CLI checks
   * before any request); when absent the file is looked at now.
   */
  static async open(file: string, target: OutTarget = inspectTarget(file)): Promise<AtomicFile> {
    if (target.existing === 'special') {
      try {
        // No O_CREAT/O_TRUNC: write into what is there. A FIFO's open waits for its reader.
        const fh = await fs.promises.open(target.file, fs.constants.O_WRONLY | (fs.constants.O_NOCTTY ?? 0));
        return new AtomicFile(target, undefined, fh);
      } catch (e) {
        throw fileError(e, 'opening', target.file);
      }
    }
    const tmp = tempNameFor(target.file);
    return new AtomicFile(target, tmp, await openExclusive(tmp));
  }

  async write(data: string | Uint8Array): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
      this.size += buf.length;
    } catch (e) {
      throw fileError(e, 'writing', this.target.file);
    }
  }

  /** Makes the written bytes the file: keeps an existing file's mode, then renames into place. */
  async commit(): Promise<void> {
    try {
      if (this.tempFile && this.target.existing === 'regular' && this.target.mode !== undefined) await this.fh.chmod(this.target.mode);
      await this.close();
      if (this.tempFile) await fs.promises.rename(this.tempFile, this.target.file);
      this.committed = true;
    } catch (e) {
      throw fileError(e, 'writing', this.target.file);
    }
  }

  /** Removes the temp file; safe to call after a failed write or commit, and more than once. */
  async abort(): Promise<void> {
    await this.close().catch(() => undefined);
    if (this.tempFile && !this.committed) await fs.promises.rm(this.tempFile, { force: true });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/** `checkOutTarget` without the usage-error framing, for writers that are not given a checked target. */
export function inspectTarget(file: string): OutTarget {
  const target = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return { file: target, existing: 'none' };
  }
  if (st.isDirectory()) throw fileError(Object.assign(new Error('is a folder'), { code: 'EISDIR' }), 'writing', target);
  return st.isFile() ? { file: target, existing: 'regular', mode: st.mode & 0o7777 } : { file: target, existing: 'special' };
}

/** Writes a whole stream of chunks to FILE atomically (see AtomicFile). */
export async function writeFileAtomic(file: string, chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, target?: OutTarget): Promise<void> {
  const out = await AtomicFile.open(file, target);
  try {
    for await (const chunk of chunks) await out.write(chunk);
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
}

/**
 * Copies a finished spool file into a device or FIFO (used when the writer needs a seekable file,
 * e.g. to roll back a broken download, but the target is not a regular file).
 */
export async function copyIntoSpecial(spool: string, target: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(target, fs.constants.O_WRONLY | (fs.constants.O_NOCTTY ?? 0));
    for await (const chunk of fs.createReadStream(spool, { highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      let off = 0;
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
    }
  } catch (e) {
    throw fileError(e, 'writing', target);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** A private spool file in the OS temp folder (random name, exclusive, 0600). */
export function spoolName(): string {
  return path.join(os.tmpdir(), `insights-${randomBytes(8).toString('hex')}.tmp`);
}
