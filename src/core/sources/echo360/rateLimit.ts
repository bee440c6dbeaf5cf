import { abortableSleep } from '../../http';

export interface RateLimitOptions {
  /** Calls allowed in any window of `windowMs`. Echo360: 120 per minute per institution. */
  limit: number;
  windowMs: number;
  /** Calls that may go out back to back when idle. */
  burst: number;
}

export const echo360RateLimit: RateLimitOptions = { limit: 120, windowMs: 60_000, burst: 10 };

/**
 * Token bucket shared by every call of one Echo360 source (all runs, the tree refresh, the poller).
 *
 * Why burst + refill instead of "120 tokens per minute": a bucket of capacity C refilled at rate r
 * lets C + r·W calls through in any window W. Echo360 counts 120 calls per minute, so the refill
 * rate is (limit − burst − 1) / window; then even a full bucket emptied at the start of a minute
 * plus everything refilled during it stays within 120, with one call of slack for network jitter
 * (calls granted evenly can still arrive bunched), and the server never answers 429 because of us.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly ratePerMs: number;
  private readonly waiters: { resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Calls granted so far (for tests and the log). */
  granted = 0;

  constructor(
    readonly options: RateLimitOptions = echo360RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (options.burst < 1 || options.burst >= options.limit - 1) throw new RangeError('burst must be at least 1 and below limit - 1');
    this.tokens = options.burst;
    this.last = now();
    this.ratePerMs = (options.limit - options.burst - 1) / options.windowMs;
  }

  /** Waits for a token (in FIFO order with other callers); rejects at once when `signal` aborts. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return abortableSleep(0, signal);
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.granted++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: (typeof this.waiters)[number] = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          // No one left waiting: a pending timer would only keep the process alive.
          if (this.waiters.length === 0 && this.timer) {
            clearTimeout(this.timer);
            this.timer = undefined;
          }
          abortableSleep(0, signal).catch(reject);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
      this.schedule();
    });
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.options.burst, this.tokens + (t - this.last) * this.ratePerMs);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerMs));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        const w = this.waiters.shift()!;
        if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
        this.tokens -= 1;
        this.granted++;
        w.resolve();
      }
      if (this.waiters.length > 0) this.schedule();
    }, wait);
  }
}
