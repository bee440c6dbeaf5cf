import * as fs from 'node:fs';
import { OutTarget, copyIntoSpecial, fileError, inspectTarget, openExclusive, spoolName, tempNameFor } from '../../atomicFile';

/** Writes are gathered up to this size: one syscall per 2 MiB instead of one per decompressed chunk. */
const BATCH_BYTES = 2 << 20;

/**
 * A result file written to a temp file beside the target and renamed into place on commit, so a
 * failed or cancelled download never leaves a half-written file under the real name.
 *
 * Unlike a plain write stream it can roll back to an earlier size: a download cut mid-stream is
 * retried from the start of that asset, and the bytes of the broken attempt must go, or the
 * result would hold them twice.
 *
 * The file rules of core/atomicFile.ts hold here too: a random temp name opened exclusively, 0600
 * for a new file, an existing file's mode kept, write errors in words. Rolling back needs a
 * seekable file, so a device or FIFO target gets a private spool file in the OS temp folder,
 * copied into the target on commit (never renamed over it).
 */
export class ResultFileWriter {
  private position = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  /** The batch being written while the next one fills: disk and decompression overlap. */
  private inFlight: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    readonly tempFile: string,
    private readonly fh: fs.promises.FileHandle,
    private readonly target: OutTarget,
  ) {}

  static async create(file: string): Promise<ResultFileWriter> {
    const target = inspectTarget(file);
    const tmp = target.existing === 'special' ? spoolName() : tempNameFor(target.file);
    return new ResultFileWriter(target.file, tmp, await openExclusive(tmp), target);
  }

  /** Bytes written so far, buffered ones included. */
  get size(): number {
    return this.position + this.pendingBytes;
  }

  /**
   * Takes ownership of `data` (the caller must not reuse it). Resolves once the data is queued;
   * at most one batch is on its way to disk while the next fills, so memory stays bounded.
   */
  async write(data: Buffer): Promise<void> {
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= BATCH_BYTES) {
      await this.inFlight;
      const batch = this.writeBatch();
      // Marked handled now; the error still surfaces at the next write, flush or commit.
      batch.catch(() => undefined);
      this.inFlight = batch;
    }
  }

  /** Waits until everything written so far is on disk (in the OS's hands). */
  async flush(): Promise<void> {
    await this.inFlight;
    this.inFlight = undefined;
    if (this.pendingBytes > 0) await this.writeBatch();
  }

  private async writeBatch(): Promise<void> {
    const bufs = this.pending;
    const n = this.pendingBytes;
    const at = this.position;
    this.pending = [];
    this.pendingBytes = 0;
    this.position += n;
    let written = 0;
    try {
      while (written < n) {
        const rest = written === 0 ? bufs : sliceFrom(bufs, written);
        const { bytesWritten } = await this.fh.writev(rest, at + written);
        written += bytesWritten;
      }
    } catch (e) {
      throw fileError(e, 'writing', this.file);
    }
  }

  /** Drops everything after `size` (a broken attempt's bytes). */
  async truncate(size: number): Promise<void> {
    await this.flush();
    if (size < this.position) {
      await this.fh.truncate(size).catch((e: unknown) => {
        throw fileError(e, 'writing', this.file);
      });
      this.position = size;
    }
  }

  /** Renames the temp file into place (keeping an existing file's mode), or copies it into a device/FIFO. */
  async commit(): Promise<void> {
    await this.flush();
    if (this.target.existing === 'special') {
      await this.close();
      await copyIntoSpecial(this.tempFile, this.file);
      await fs.promises.rm(this.tempFile, { force: true });
      return;
    }
    try {
      if (this.target.existing === 'regular' && this.target.mode !== undefined) await this.fh.chmod(this.target.mode);
      await this.close();
      await fs.promises.rename(this.tempFile, this.file);
    } catch (e) {
      throw fileError(e, 'writing', this.file);
    }
  }

  /** Removes the temp file; the target is left as it was. */
  async abort(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    await this.close().catch(() => undefined);
    await fs.promises.rm(this.tempFile, { force: true });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

function sliceFrom(bufs: Buffer[], offset: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = offset;
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
