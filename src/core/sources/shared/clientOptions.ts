import type { HttpLimits, RetryPolicy } from '../../http';
import type { Logger, Redactor } from '../../log';

/** What every platform client over HttpClient is made with besides its address and credentials. */
export interface HttpClientBaseOptions {
  logger?: Logger;
  redactor?: Redactor;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Body cap, per-request deadline, listing budget (HttpClient's defaults when left out). */
  limits?: HttpLimits;
  /** Replaces the waits between retries (and between polls) in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
