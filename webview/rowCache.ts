/**
 * The few thousand rows the webview holds: blocks of the current view fetched from the host on
 * demand, so the table can have millions of rows while the DOM and memory hold a screenful.
 *
 * Requests are throttled while scrolling (a fling through 10M rows asks only for where it stops,
 * not for every block it passes) and tagged with the view version; replies for another version
 * are dropped. After a view change the previous view's rows stay drawable as a fallback until the
 * new ones arrive, so rows are replaced in place instead of flashing empty.
 */
import type { CellValue } from '../src/protocol';

export const BLOCK_ROWS = 200;
/** 100 blocks × 200 rows: enough to scroll back and forth without refetching. */
const MAX_BLOCKS = 100;
const FETCH_DELAY_MS = 24;
/** Rows per request when fetching a range for copy (well under the host's window limit). */
const FETCH_CHUNK_ROWS = 5_000;

export type WindowRequest = (requestId: number, viewVersion: number, start: number, count: number) => void;

export interface CachedRow {
  values: CellValue[];
  /** From the previous view, drawn until the current view's rows arrive. */
  stale: boolean;
}

interface Waiter {
  resolve(rows: CellValue[][]): void;
  reject(e: Error): void;
}

export class RowCache {
  private blocks = new Map<number, CellValue[][]>();
  private fallback = new Map<number, CellValue[][]>();
  /** block index → requestId in flight */
  private pendingBlocks = new Map<number, number>();
  private waiters = new Map<number, Waiter>();
  private nextRequestId = 1;
  /** -1 while a view change is on its way: nothing is asked for or accepted until it lands. */
  private viewVersion = -1;
  private rowsInView = 0;
  private wantFirst = 0;
  private wantLast = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly request: WindowRequest,
    private readonly onRows: () => void,
  ) {}

  get version(): number {
    return this.viewVersion;
  }

  /** A view was applied by the host: everything cached belongs to the previous one. */
  reset(viewVersion: number, rowsInView: number): void {
    if (this.blocks.size > 0) this.fallback = this.blocks;
    this.blocks = new Map();
    this.pendingBlocks.clear();
    this.failWaiters('The view changed while rows were being fetched.');
    if (rowsInView === 0) this.fallback = new Map();
    this.viewVersion = viewVersion;
    this.rowsInView = rowsInView;
    this.schedule();
  }

  /** The webview asked for a new view; replies until the next `reset` are stale. */
  suspend(): void {
    this.viewVersion = -1;
    this.pendingBlocks.clear();
  }

  /** Forget everything (new content with other columns). */
  clear(): void {
    this.blocks = new Map();
    this.fallback = new Map();
    this.pendingBlocks.clear();
    this.failWaiters('The preview was reloaded.');
  }

  row(index: number): CachedRow | undefined {
    const b = Math.floor(index / BLOCK_ROWS);
    const fresh = this.blocks.get(b)?.[index - b * BLOCK_ROWS];
    if (fresh) return { values: fresh, stale: false };
    const old = this.fallback.get(b)?.[index - b * BLOCK_ROWS];
    return old ? { values: old, stale: true } : undefined;
  }

  /** Rows [first, last] are on screen (with overscan); fetch what is missing, soon. */
  want(first: number, last: number): void {
    this.wantFirst = first;
    this.wantLast = last;
    this.schedule();
  }

  receive(msg: { requestId: number; viewVersion: number; start: number; rows: CellValue[][] }): void {
    const waiter = this.waiters.get(msg.requestId);
    if (waiter) {
      this.waiters.delete(msg.requestId);
      if (msg.viewVersion === this.viewVersion) waiter.resolve(msg.rows);
      else waiter.reject(new Error('The view changed while rows were being fetched.'));
      return;
    }
    if (msg.viewVersion !== this.viewVersion) return;
    const b = Math.floor(msg.start / BLOCK_ROWS);
    if (this.pendingBlocks.get(b) !== msg.requestId) return;
    this.pendingBlocks.delete(b);
    this.blocks.set(b, msg.rows);
    if (this.wantedLoaded()) this.fallback = new Map();
    this.evict();
    this.onRows();
  }

  /** Rows [start, start+count) of the current view, from cache where possible (used by copy). */
  async fetch(start: number, count: number): Promise<CellValue[][]> {
    const out: CellValue[][] = [];
    for (let at = start; at < start + count;) {
      const cached = this.row(at);
      if (cached && !cached.stale) {
        out.push(cached.values);
        at++;
        continue;
      }
      const n = Math.min(FETCH_CHUNK_ROWS, start + count - at);
      const rows = await this.ask(at, n);
      if (rows.length === 0) break;
      for (const r of rows) out.push(r);
      at += rows.length;
    }
    return out;
  }

  private ask(start: number, count: number): Promise<CellValue[][]> {
    if (this.viewVersion < 0) return Promise.reject(new Error('The view is changing; try again.'));
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(requestId, { resolve, reject });
      this.request(requestId, this.viewVersion, start, count);
    });
  }

  private failWaiters(message: string): void {
    for (const w of this.waiters.values()) w.reject(new Error(message));
    this.waiters.clear();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, FETCH_DELAY_MS);
  }

  private flush(): void {
    if (this.viewVersion < 0 || this.wantLast < this.wantFirst) return;
    const last = Math.min(this.wantLast, this.rowsInView - 1);
    for (let b = Math.floor(this.wantFirst / BLOCK_ROWS); b * BLOCK_ROWS <= last; b++) {
      if (this.blocks.has(b) || this.pendingBlocks.has(b)) continue;
      const requestId = this.nextRequestId++;
      this.pendingBlocks.set(b, requestId);
      const start = b * BLOCK_ROWS;
      this.request(requestId, this.viewVersion, start, Math.min(BLOCK_ROWS, this.rowsInView - start));
    }
  }

  private wantedLoaded(): boolean {
    const last = Math.min(this.wantLast, this.rowsInView - 1);
    for (let b = Math.floor(this.wantFirst / BLOCK_ROWS); b * BLOCK_ROWS <= last; b++) {
      if (!this.blocks.has(b)) return false;
    }
    return true;
  }

  private evict(): void {
    if (this.blocks.size <= MAX_BLOCKS) return;
    const centre = (this.wantFirst + this.wantLast) / 2 / BLOCK_ROWS;
    const far = [...this.blocks.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const b of far.slice(0, this.blocks.size - MAX_BLOCKS)) this.blocks.delete(b);
  }
}
