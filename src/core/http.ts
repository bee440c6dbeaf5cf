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
 * - A hostile or broken server cannot hang or exhaust the process (limits.ts): every JSON/text
 *   body is capped while it is read, every request has one deadline from connecting to its last
 *   body byte (retries and their waits included), and a listing stops on a repeated page and at
 *   a page and byte budget.
 * - A request with a body (a token request carries a client secret) never follows a redirect to
 *   another origin; 301/302/303 turn it into a body-less GET, as browsers do.
 */
import { Agent, Dispatcher, request } from 'undici';
import { InsightError } from './errors';
import { HttpLimits, Listing, bodyTooLarge, describeSeconds, limitsWithDefaults, readCapped, readHead } from './limits';
import { Logger, Redactor, silentLogger } from './log';
import { isLoopbackHost } from './url';

export type { HttpLimits, Listing } from './limits';

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

export interface HttpClientOptions extends HttpLimits {
  /** Origin (and optional path prefix) that may receive credentials. */
  baseUrl: URL;
  /** Returns headers carrying credentials; called per attempt so tokens can be renewed. */
  auth?: () => Promise<Record<string, string>> | Record<string, string>;
  logger?: Logger;
  redactor?: Redactor;
  retry?: Partial<RetryPolicy>;
  /**
   * Time to wait for response headers, and between body chunks (an idle limit; a stalled attempt
   * is retried). The total per request is `deadlineMs`.
   */
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
  /** The listing this request is a page of: refuses a page it already fetched, counts its bytes. */
  listing?: Listing;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
  url: URL;
  /** Bytes of the body as read (text and json only). */
  bytes?: number;
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

/** Retry-After as milliseconds: delta-seconds or an HTTP date; also PostHog's detail text. Undefined: use the normal backoff. */
export function retryAfterMs(headers: Record<string, string>, bodyText = '', now = Date.now()): number | undefined {
  // Zero, negative or past values say nothing usable: undefined, so the normal backoff applies
  // (a server cannot make us retry in a tight loop).
  const h = headers['retry-after']?.trim();
  if (h) {
    if (/^[-+]?\d+(\.\d+)?$/.test(h)) {
      const secs = Number(h);
      return secs > 0 ? secs * 1000 : undefined;
    }
    // An HTTP date always names the day ("Thu, 01 Jan 2026 00:00:30 GMT").
    const date = /[a-z]/i.test(h) ? Date.parse(h) : NaN;
    if (!Number.isNaN(date)) return date > now ? date - now : undefined;
  }
  const m = /available in (\d+(?:\.\d+)?) seconds?/i.exec(bodyText);
  if (m && Number(m[1]) > 0) return Number(m[1]) * 1000;
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
  readonly limits: Required<HttpLimits>;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly opts: HttpClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.log = opts.logger ?? silentLogger;
    this.redactor = opts.redactor ?? new Redactor();
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.limits = limitsWithDefaults(opts);
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

  /** A new listing (its pages passed as `listing` with each request), bounded by this client's limits. */
  listing(what: string): Listing {
    return new Listing(what, this.limits.maxPages, this.limits.maxListingBytes, (u) => this.redactor.redact(u.toString()));
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

  /**
   * The whole body as text. It is counted while it arrives and refused past the body cap (or what
   * is left of the listing's budget), so an endless answer never fills memory.
   */
  async text(pathOrUrl: string | URL, options: RequestOptions = {}): Promise<HttpResponse<string>> {
    const listing = options.listing;
    let bytes = 0;
    // The whole body is buffered before anyone sees it, so a cut body can simply be fetched again.
    const res = await this.send(pathOrUrl, { restartable: true, ...options }, async (body, meta) => {
      const bodyCap = this.limits.maxBodyBytes;
      const cap = listing ? Math.min(bodyCap, listing.remainingBytes) : bodyCap;
      const read = await readCapped(body, cap, () => (listing && cap < bodyCap ? listing.tooLarge() : bodyTooLarge(this.describeUrl(meta.url), bodyCap)));
      bytes = read.bytes;
      return read.text;
    });
    listing?.add(bytes);
    return { ...res, bytes };
  }

  /**
   * Streams the body to `consume`, which must finish reading it. Statuses are retried as usual;
   * a body cut mid-stream is retried only with `restartable: true` (the consumer must then be
   * able to start over), otherwise it fails once. The request's deadline covers the consumer.
   */
  async stream<T>(
    pathOrUrl: string | URL,
    consume: (body: AsyncIterable<Uint8Array>, res: { status: number; headers: Record<string, string> }) => Promise<T>,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    return this.send(pathOrUrl, options, (body, meta) => consume(body, { status: meta.status, headers: meta.headers }));
  }

  describeUrl(url: URL): string {
    return this.redactor.redact(`${url.origin}${url.pathname}`);
  }

  private async send<T>(
    pathOrUrl: string | URL,
    options: RequestOptions,
    read: (body: Dispatcher.ResponseData['body'], meta: { status: number; headers: Record<string, string>; url: URL }) => Promise<T>,
  ): Promise<HttpResponse<T>> {
    let url = withQuery(this.resolve(pathOrUrl), options.query);
    this.refuseInsecure(url);
    options.listing?.visit(url);
    let method = options.method ?? 'GET';
    // A 301/302/303 turns a request with a body into a GET without it.
    let withBody = options.json !== undefined || options.form !== undefined;
    // Headers the caller chose for the origin it asked; dropped once a redirect leaves that origin.
    let callerHeaders = options.headers;
    let attempt = 0;
    let redirects = 0;
    const deadline = new Deadline(this.limits.deadlineMs, options.signal);
    try {
      for (;;) {
        if (options.signal?.aborted) throw cancelled();
        const started = Date.now();
        const headers: Record<string, string> = { accept: 'application/json, text/csv;q=0.9, */*;q=0.8', 'user-agent': this.opts.userAgent ?? 'insight-explorer', ...callerHeaders };
        let body: string | undefined;
        if (withBody && options.json !== undefined) {
          body = JSON.stringify(options.json);
          headers['content-type'] = 'application/json';
        } else if (withBody && options.form) {
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
          deadline.start();
          const res = await request(url, {
            method,
            headers,
            body,
            signal: deadline.signal,
            dispatcher: agent(this.timeoutMs),
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
          });
          const resHeaders = flatHeaders(res.headers as Record<string, string | string[] | undefined>);
          const status = res.statusCode;
          if (status >= 300 && status < 400 && resHeaders.location) {
            await res.body.dump();
            if (redirects >= MAX_REDIRECTS) {
              throw new InsightError('network', `${this.describeUrl(url)} redirected more than ${MAX_REDIRECTS} times.`, { next: 'Check the base URL.' });
            }
            let next: URL;
            try {
              next = new URL(resHeaders.location, url);
            } catch {
              throw new InsightError('network', `${this.describeUrl(url)} redirected to an unreadable location.`);
            }
            this.log.debug(`${label} → ${status} redirect to ${this.redactor.redact(next.origin + next.pathname)}`);
            if (next.protocol !== 'https:' && !(next.protocol === 'http:' && isLoopbackHost(next.hostname))) {
              throw new InsightError('network', `Refusing redirect from ${url.origin} to insecure ${next.origin}.`);
            }
            if (next.origin !== url.origin) {
              // The body of a POST is where secrets travel (client secret, refresh token): it goes
              // to the origin it was meant for or nowhere, and so does the token such a host answers.
              if (withBody) {
                throw new InsightError('network', `Refusing to follow a redirect of ${method} ${this.describeUrl(url)} to another host (${next.host}): a request with a body is never sent to another origin.`, {
                  next: 'Check the base URL (or token URL) is the platform itself, not a proxy or an old address.',
                });
              }
              callerHeaders = undefined;
            }
            if ((status === 301 || status === 302 || status === 303) && method !== 'GET') {
              method = 'GET';
              withBody = false;
            }
            url = next;
            redirects++;
            continue;
          }
          const accepted = status < 400 || options.acceptStatus?.(status);
          if (!accepted) {
            const text = await readHead(res.body, ERROR_BODY_BYTES).catch(() => '');
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
            const value = await read(res.body, { status, headers: resHeaders, url });
            if (deadline.expired) throw deadline.error(this.describeUrl(url));
            this.log.info(`${label} → ${status} in ${Date.now() - started} ms`);
            return { status, headers: resHeaders, body: value, url };
          }
        } catch (e) {
          // Past the deadline, whatever broke (the aborted socket, or a consumer's own error about
          // it) is a timeout.
          if (deadline.expired) throw deadline.error(this.describeUrl(url));
          if (options.signal?.aborted) throw cancelled();
          if (e instanceof InsightError) throw e;
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
        // Retries count against the deadline: a wait that would end past it is not started.
        if (deadline.remainingMs() <= retryDelay) {
          this.log.warn(`${label} → ${retryReason}; no time left for retry ${attempt} within ${describeSeconds(this.limits.deadlineMs)}`);
          throw deadline.error(this.describeUrl(url), retryReason);
        }
        this.log.warn(`${label} → ${retryReason}; retry ${attempt}/${this.retry.retries} in ${Math.round(retryDelay)} ms`);
        this.opts.onRetry?.({ attempt, retries: this.retry.retries, delayMs: retryDelay, status: retryStatus, throttled: retryThrottled, url });
        try {
          await this.sleep(retryDelay, deadline.signal);
        } catch (e) {
          if (deadline.expired) throw deadline.error(this.describeUrl(url), retryReason);
          throw e;
        }
      }
    } finally {
      deadline.dispose();
    }
  }

  /** Plain http only to loopback; a server-given link (not the base origin) is the server's fault, not bad input. */
  private refuseInsecure(url: URL): void {
    if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return;
    if (this.mayAuthenticate(url)) {
      throw new InsightError('usage', `Refusing to fetch ${url.origin} over plain http://.`, { next: 'Use an https:// URL.' });
    }
    throw new InsightError('data', `Refusing to fetch ${url.origin} over plain ${url.protocol}//: the server sent an insecure link.`, {
      next: "Ask the platform's administrators to serve it over https://.",
    });
  }

  private backoff(attempt: number): number {
    // Full jitter: spreads retries of many clients hitting the same limit.
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    return cap / 2 + Math.random() * (cap / 2);
  }
}

const MAX_REDIRECTS = 5;
/** Only the start of an error body is used (detail, throttle text); an endless one is not read on. */
const ERROR_BODY_BYTES = 64 * 1024;

/**
 * One request's total time budget: starts when the first attempt connects, covers every attempt,
 * every wait between them and the reading of the body, and aborts the socket when it runs out.
 */
class Deadline {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  private timer: NodeJS.Timeout | undefined;
  private endsAt: number | undefined;
  expired = false;
  private readonly onOuterAbort = () => this.controller.abort(this.outer?.reason);

  constructor(
    private readonly ms: number,
    private readonly outer?: AbortSignal,
  ) {
    // A listener removed in dispose() rather than AbortSignal.any: a long-lived outer signal (a
    // CLI run, an extension session) would otherwise collect one dependant per request.
    if (outer?.aborted) this.controller.abort(outer.reason);
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  start(): void {
    if (this.endsAt !== undefined) return;
    this.endsAt = Date.now() + this.ms;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new InsightError('timeout', `timed out after ${describeSeconds(this.ms)}`));
    }, this.ms);
  }

  remainingMs(): number {
    return this.endsAt === undefined ? this.ms : this.endsAt - Date.now();
  }

  error(where: string, last?: string): InsightError {
    this.expired = true;
    return new InsightError('timeout', `${where} timed out after ${describeSeconds(this.ms)}${last ? ` (last: ${last})` : ''}.`, {
      next: 'Try again; for a slow server raise the limit (setting insightExplorer.http.timeoutSeconds, or insights --timeout SEC).',
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
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
