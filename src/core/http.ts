/**
 * The one HTTP client every platform connector uses (undici underneath).
 *
 * What it guarantees, because each platform punishes getting it wrong:
 * - Credentials go only to the configured origin. Pagination links, redirects and signed S3 URLs
 *   on another origin are fetched without them (S3 rejects a request carrying two auth schemes).
 * - 429/502/503/504 and connection resets are retried with exponential backoff and full jitter,
 *   honouring Retry-After (seconds or HTTP date) and PostHog's "Expected available in N seconds"
 *   detail, a bounded number of times.
 * - Cancellation: an AbortSignal stops the request and any backoff sleep at once.
 * - Every log line passes through the redactor.
 */
import { Agent, Dispatcher, request } from 'undici';
import { InsightError } from './errors';
import { Logger, Redactor, silentLogger } from './log';
import { isLoopbackHost } from './url';

export type Query = Record<string, string | number | boolean | undefined | (string | number)[]>;

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the request fails with a throttled error. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 90_000 };

/** What `onRetry` is told before each wait between attempts. */
export interface RetryInfo {
  /** The retry about to be made, from 1. */
  attempt: number;
  retries: number;
  delayMs: number;
  /** The status that is retried (absent for a dropped connection). */
  status?: number;
  /** True for a 429 or a platform throttle (`isThrottled`). */
  throttled: boolean;
  url: URL;
}

export interface HttpClientOptions {
  /** Origin (and optional path prefix) that may receive credentials. */
  baseUrl: URL;
  /** Returns headers carrying credentials; called per attempt so tokens can be renewed. */
  auth?: () => Promise<Record<string, string>> | Record<string, string>;
  logger?: Logger;
  redactor?: Redactor;
  retry?: Partial<RetryPolicy>;
  /** Time to wait for response headers, and between body chunks. */
  timeoutMs?: number;
  userAgent?: string;
  /** Lets a platform decide that a response is a retryable throttle (Canvas: 403 "Rate Limit Exceeded"). */
  isThrottled?: (status: number, headers: Record<string, string>, bodyText: string) => boolean;
  /** Turns a final error response into the platform's one-line message. */
  describeError?: (err: HttpStatusError) => InsightError;
  /** Test hook: replaces the sleep between retries. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait between attempts (progress: "retrying in N s"). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Query;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Default true; credentials are still only sent to the base origin. */
  auth?: boolean;
  /** Statuses returned to the caller instead of thrown (e.g. 202 while a query runs is already < 400). */
  acceptStatus?: (status: number) => boolean;
  /**
   * The body consumer can start over: a connection cut while reading the body is retried.
   * Off for streams whose consumer already passed bytes on (they would be written twice).
   */
  restartable?: boolean;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
  url: URL;
}

/** A non-success status after retries, before the platform turns it into a message. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: URL,
    readonly headers: Record<string, string>,
    readonly bodyText: string,
  ) {
    super(`HTTP ${status}`);
  }

  /** `detail` / `message` / `errors[0].message` from a JSON error body, if any. */
  get detail(): string | undefined {
    try {
      const b = JSON.parse(this.bodyText) as Record<string, unknown>;
      if (typeof b.detail === 'string') return b.detail;
      if (typeof b.message === 'string') return b.message;
      if (typeof b.error_message === 'string') return b.error_message;
      if (typeof b.error === 'string') return b.error;
      const errors = b.errors as { message?: string }[] | undefined;
      if (Array.isArray(errors) && typeof errors[0]?.message === 'string') return errors[0].message;
    } catch {
      /* not JSON */
    }
    return undefined;
  }
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

let sharedAgent: Agent | undefined;
function agent(timeoutMs: number): Dispatcher {
  // One keep-alive pool for the process; per-request timeouts are passed per call.
  sharedAgent ??= new Agent({ connect: { timeout: Math.min(timeoutMs, 15_000) }, keepAliveTimeout: 10_000 });
  return sharedAgent;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(): InsightError {
  return new InsightError('cancelled', 'Cancelled.');
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; also PostHog's detail text. */
export function retryAfterMs(headers: Record<string, string>, bodyText = '', now = Date.now()): number | undefined {
  const h = headers['retry-after'];
  if (h !== undefined) {
    const secs = Number(h.trim());
    if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
    const date = Date.parse(h);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const m = /available in (\d+(?:\.\d+)?) seconds?/i.exec(bodyText);
  if (m) return Number(m[1]) * 1000;
  return undefined;
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function withQuery(url: URL, query?: Query): URL {
  if (!query) return url;
  const u = new URL(url.toString());
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
    else u.searchParams.set(k, String(v));
  }
  return u;
}

export class HttpClient {
  readonly baseUrl: URL;
  private readonly log: Logger;
  readonly redactor: Redactor;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly opts: HttpClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.log = opts.logger ?? silentLogger;
    this.redactor = opts.redactor ?? new Redactor();
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.sleep = opts.sleep ?? abortableSleep;
  }

  /** Absolute URL for an API path, or the URL itself when already absolute. */
  resolve(pathOrUrl: string | URL): URL {
    if (pathOrUrl instanceof URL) return pathOrUrl;
    if (/^https?:\/\//i.test(pathOrUrl)) return new URL(pathOrUrl);
    const base = this.baseUrl.toString().replace(/\/+$/, '');
    return new URL(base + '/' + pathOrUrl.replace(/^\/+/, ''));
  }

  /** True when credentials may be sent to this URL: same scheme, host and port as the base. */
  mayAuthenticate(url: URL): boolean {
    return url.origin === this.baseUrl.origin;
  }

  async json<T>(pathOrUrl: string | URL, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const res = await this.text(pathOrUrl, options);
    const ct = res.headers['content-type'] ?? '';
    if (res.status === 204 || res.body.trim() === '') return { ...res, body: undefined as T };
    if (/text\/html/i.test(ct) || /^\s*<(!doctype|html)/i.test(res.body)) {
      throw new InsightError('data', `Expected JSON from ${this.describeUrl(res.url)} but got an HTML page (HTTP ${res.status}).`, {
        next: 'Check the base URL points at the platform itself, not a login page or proxy.',
      });
    }
    try {
      return { ...res, body: JSON.parse(res.body) as T };
    } catch {
      throw new InsightError('data', `Malformed JSON from ${this.describeUrl(res.url)} (HTTP ${res.status}).`, {
        next: 'Try again; if it persists the server or a proxy is corrupting replies.',
      });
    }
  }

  async text(pathOrUrl: string | URL, options: RequestOptions = {}): Promise<HttpResponse<string>> {
    // The whole body is buffered before anyone sees it, so a cut body can simply be fetched again.
    return this.send(pathOrUrl, { restartable: true, ...options }, async (body) => body.text());
  }

  /**
   * Streams the body to `consume`, which must finish reading it. Statuses are retried as usual;
   * a body cut mid-stream is retried only with `restartable: true` (the consumer must then be
   * able to start over), otherwise it fails once.
   */
  async stream<T>(
    pathOrUrl: string | URL,
    consume: (body: AsyncIterable<Uint8Array>, res: { status: number; headers: Record<string, string> }) => Promise<T>,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    return this.send(pathOrUrl, options, (body, meta) => consume(body, meta));
  }

  describeUrl(url: URL): string {
    return this.redactor.redact(`${url.origin}${url.pathname}`);
  }

  private async send<T>(
    pathOrUrl: string | URL,
    options: RequestOptions,
    read: (body: Dispatcher.ResponseData['body'], meta: { status: number; headers: Record<string, string> }) => Promise<T>,
  ): Promise<HttpResponse<T>> {
    let url = withQuery(this.resolve(pathOrUrl), options.query);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new InsightError('usage', `Refusing to fetch ${url.origin} over plain http://.`, { next: 'Use an https:// URL.' });
    }
    const method = options.method ?? 'GET';
    let attempt = 0;
    let redirects = 0;
    for (;;) {
      if (options.signal?.aborted) throw cancelled();
      const started = Date.now();
      const headers: Record<string, string> = { accept: 'application/json, text/csv;q=0.9, */*;q=0.8', 'user-agent': this.opts.userAgent ?? 'insight-explorer', ...options.headers };
      let body: string | undefined;
      if (options.json !== undefined) {
        body = JSON.stringify(options.json);
        headers['content-type'] = 'application/json';
      } else if (options.form) {
        body = new URLSearchParams(options.form).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      if (options.auth !== false && this.opts.auth && this.mayAuthenticate(url)) {
        const authHeaders = await this.opts.auth();
        for (const v of Object.values(authHeaders)) this.redactor.add(v.replace(/^(Bearer|Basic)\s+/i, ''));
        Object.assign(headers, authHeaders);
      }
      const label = `${method} ${this.redactor.redact(url.toString())}`;
      let retryDelay: number | undefined;
      let retryReason = '';
      let retryStatus: number | undefined;
      let retryThrottled = false;
      let reading = false;
      try {
        const res = await request(url, {
          method,
          headers,
          body,
          signal: options.signal,
          dispatcher: agent(this.timeoutMs),
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        const resHeaders = flatHeaders(res.headers as Record<string, string | string[] | undefined>);
        const status = res.statusCode;
        if (status >= 300 && status < 400 && resHeaders.location && redirects < 5) {
          await res.body.dump();
          const next = new URL(resHeaders.location, url);
          this.log.debug(`${label} → ${status} redirect to ${this.redactor.redact(next.origin + next.pathname)}`);
          if (next.protocol === 'http:' && !isLoopbackHost(next.hostname)) {
            throw new InsightError('network', `Refusing redirect from ${url.origin} to insecure ${next.origin}.`);
          }
          url = next;
          redirects++;
          continue;
        }
        const accepted = status < 400 || options.acceptStatus?.(status);
        if (!accepted) {
          const text = await res.body.text().catch(() => '');
          const throttled = status === 429 || (this.opts.isThrottled?.(status, resHeaders, text) ?? false);
          if ((throttled || RETRY_STATUS.has(status)) && attempt < this.retry.retries) {
            const ra = retryAfterMs(resHeaders, text);
            if (ra !== undefined && ra > this.retry.maxRetryAfterMs) {
              throw new InsightError('throttled', `${this.describeUrl(url)} is rate-limited for ${Math.ceil(ra / 1000)} s.`, {
                status,
                next: 'Try again later.',
              });
            }
            retryDelay = ra ?? this.backoff(attempt);
            retryReason = `HTTP ${status}`;
            retryStatus = status;
            retryThrottled = throttled;
          } else {
            this.log.warn(`${label} → ${status} in ${Date.now() - started} ms`);
            const err = new HttpStatusError(status, url, resHeaders, this.redactor.redact(text.slice(0, 4000)));
            if (throttled || RETRY_STATUS.has(status)) {
              throw new InsightError(throttled ? 'throttled' : 'server', `${this.describeUrl(url)} kept answering HTTP ${status} after ${attempt + 1} attempts.`, {
                status,
                next: 'Try again in a few minutes.',
              });
            }
            throw this.opts.describeError ? this.opts.describeError(err) : genericStatusError(err, this);
          }
        } else {
          reading = true;
          const value = await read(res.body, { status, headers: resHeaders });
          this.log.info(`${label} → ${status} in ${Date.now() - started} ms`);
          return { status, headers: resHeaders, body: value, url };
        }
      } catch (e) {
        if (e instanceof InsightError) throw e;
        if (options.signal?.aborted) throw cancelled();
        const code = (e as { code?: string }).code ?? '';
        // A connection lost after a POST/PATCH was sent may have been processed (an Echo360 report
        // request created twice takes one of only three slots): only idempotent methods are replayed.
        const idempotent = method === 'GET' || method === 'PUT' || method === 'DELETE';
        if (RETRY_CODES.has(code) && attempt < this.retry.retries && idempotent && (!reading || options.restartable)) {
          retryDelay = this.backoff(attempt);
          retryReason = code;
        } else {
          throw networkError(e, url, this);
        }
      }
      attempt++;
      this.log.warn(`${label} → ${retryReason}; retry ${attempt}/${this.retry.retries} in ${Math.round(retryDelay)} ms`);
      this.opts.onRetry?.({ attempt, retries: this.retry.retries, delayMs: retryDelay, status: retryStatus, throttled: retryThrottled, url });
      await this.sleep(retryDelay, options.signal);
    }
  }

  private backoff(attempt: number): number {
    // Full jitter: spreads retries of many clients hitting the same limit.
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    return cap / 2 + Math.random() * (cap / 2);
  }
}

function networkError(e: unknown, url: URL, client: HttpClient): InsightError {
  const code = (e as { code?: string }).code ?? '';
  const where = client.describeUrl(url);
  if (code === 'ECONNREFUSED') {
    return new InsightError('network', `Cannot connect to ${url.origin}: connection refused.`, { next: 'Check the base URL and that the server is running.', cause: e });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new InsightError('network', `Cannot resolve host ${url.hostname}.`, { next: 'Check the base URL and your network.', cause: e });
  }
  if (code.includes('TIMEOUT') || code === 'ETIMEDOUT') {
    return new InsightError('timeout', `${where} did not answer in time.`, { next: 'Try again; the server may be overloaded.', cause: e });
  }
  if (RETRY_CODES.has(code)) {
    return new InsightError('network', `The connection to ${url.origin} kept dropping (${code}).`, { next: 'Try again later.', cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new InsightError('network', `Request to ${where} failed: ${client.redactor.redact(msg)}.`, { next: 'Check the base URL and your network.', cause: e });
}

function genericStatusError(err: HttpStatusError, client: HttpClient): InsightError {
  const where = client.describeUrl(err.url);
  const detail = err.detail ? `: ${err.detail}` : '';
  if (err.status === 401) return new InsightError('auth', `${where} refused the credentials (401)${detail}.`, { status: 401, next: 'Set Credentials and try again.' });
  if (err.status === 403) return new InsightError('auth', `${where} denied access (403)${detail}.`, { status: 403, next: 'Check the permissions of the credentials.' });
  if (err.status === 404) return new InsightError('notFound', `${where} was not found (404).`, { status: 404, next: 'Check the ids and the base URL.' });
  if (err.status >= 500) return new InsightError('server', `${where} failed with HTTP ${err.status}${detail}.`, { status: err.status, next: 'Try again later.' });
  return new InsightError(err.status === 400 || err.status === 422 ? 'usage' : 'server', `${where} answered HTTP ${err.status}${detail}.`, { status: err.status });
}
