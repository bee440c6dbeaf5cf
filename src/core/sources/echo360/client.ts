/**
 * Echo360 Reporting API client: OAuth client-credentials token, the four reporting endpoints,
 * and the one rate limiter every call of the source goes through.
 *
 * Facts it is built on (API-NOTES.md): token `POST {host}/oauth2/access_token`
 * (grant_type=client_credentials, client_id, client_secret), tokens last one hour, a 401 means
 * "get a new token once, then fail"; 120 calls per minute per institution; 3 requests in flight.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { InsightError } from '../../errors';
import { HttpClient, HttpLimits, HttpStatusError, RetryPolicy, retryAfterMs } from '../../http';
import { Logger, Redactor, redactingLogger, silentLogger } from '../../log';
import { parseBaseUrl } from '../../url';
import { RateLimitOptions, TokenBucket, echo360RateLimit } from './rateLimit';
import {
  EchoReportDefinition,
  EchoRequest,
  EchoSubmitBody,
  EchoSubmitResult,
  expiresFrom,
  readReport,
  readRequest,
  unwrapList,
} from './types';

export const ECHO360_REGIONS = {
  us: 'https://echo360.org',
  uk: 'https://echo360.org.uk',
  au: 'https://echo360.org.au',
  ca: 'https://echo360.ca',
} as const;
export type Echo360Region = keyof typeof ECHO360_REGIONS;

const REPORTING = 'public/api/v1/reporting';
const TOKEN_PATH = 'oauth2/access_token';

/** A region preset (`us`, `uk`, `au`, `ca`) or a custom host URL (validated like every base URL). */
export function echo360BaseUrl(regionOrUrl: string): URL {
  const key = regionOrUrl.trim().toLowerCase();
  if (Object.prototype.hasOwnProperty.call(ECHO360_REGIONS, key)) return new URL(ECHO360_REGIONS[key as Echo360Region]);
  return parseBaseUrl(regionOrUrl, 'Echo360 host');
}

export interface Echo360Credentials {
  clientId: string;
  clientSecret: string;
}

export interface Echo360ClientOptions {
  /** Region preset or host URL. */
  baseUrl: URL | string;
  credentials: Echo360Credentials;
  logger?: Logger;
  redactor?: Redactor;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Body cap, per-request deadline, listing budget (HttpClient's defaults when left out). */
  limits?: HttpLimits;
  /**
   * The source's limiter. Share one instance between every client of the same institution: the
   * 120 calls/minute limit is per institution, not per client object.
   */
  rateLimiter?: TokenBucket;
  rateLimit?: RateLimitOptions;
  /** Renew the token this long before it expires (default 60 s, at most a tenth of its life). */
  tokenMarginMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The message people see whenever the id/secret pair does not work; the CLI maps it to exit 3. */
export class CredentialsRefusedError extends InsightError {
  constructor(detail: string) {
    super('auth', `Echo360 refused the client id/secret (${detail}).`, {
      status: 401,
      next: 'Set Credentials with the API client id and secret from Echo360 and try again.',
    });
  }
}

/** Echo360 answers the in-flight limit with an error whose text says so; no public doc names the status. */
const IN_FLIGHT_TEXT =
  /in[\s-]?(progress|flight)|concurren|outstanding|too many (report )?requests|maximum (of )?\d+ (report )?requests|pending requests|request limit/i;

export class Echo360Client {
  readonly http: HttpClient;
  readonly baseUrl: URL;
  readonly rateLimiter: TokenBucket;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly marginMs: number;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenFetch: Promise<string> | undefined;
  /** Carries each call's AbortSignal into HttpClient's per-attempt auth hook, where the limiter waits. */
  private readonly callSignal = new AsyncLocalStorage<AbortSignal | undefined>();

  constructor(private readonly opts: Echo360ClientOptions) {
    this.baseUrl = opts.baseUrl instanceof URL ? opts.baseUrl : echo360BaseUrl(opts.baseUrl);
    const redactor = opts.redactor ?? new Redactor();
    redactor.add(opts.credentials.clientSecret);
    this.log = opts.logger ? redactingLogger(opts.logger, redactor) : silentLogger;
    this.now = opts.now ?? Date.now;
    this.marginMs = opts.tokenMarginMs ?? 60_000;
    this.rateLimiter = opts.rateLimiter ?? new TokenBucket(opts.rateLimit ?? echo360RateLimit);
    this.http = new HttpClient({
      ...opts.limits,
      baseUrl: this.baseUrl,
      logger: this.log,
      redactor,
      retry: opts.retry,
      timeoutMs: opts.timeoutMs,
      sleep: opts.sleep,
      userAgent: 'insight-explorer (echo360)',
      // Called once per attempt, retries included, and only for the Echo360 origin: the right
      // place to count calls against the institution's 120/minute.
      auth: async () => {
        const signal = this.callSignal.getStore();
        // Token first: calls holding a slot while waiting for a token would all fire at once
        // when it arrives, a burst past the limit.
        const token = await this.accessToken(signal);
        await this.rateLimiter.take(signal);
        return { authorization: `Bearer ${token}` };
      },
      describeError: (err) => this.describeError(err),
    });
  }

  async listReports(signal?: AbortSignal): Promise<EchoReportDefinition[]> {
    const res = await this.call(signal, () => this.http.json<unknown>(`${REPORTING}/reports`, { signal }));
    // Shape unconfirmed: a bare array or `{reports:[…]}` / `{data:[…]}`.
    const list = unwrapList(res.body, ['reports', 'data', 'items', 'results']);
    if (!list) throw this.unexpected('reports');
    return list.map(readReport).filter((r): r is EchoReportDefinition => r !== undefined);
  }

  async listRequests(signal?: AbortSignal): Promise<EchoRequest[]> {
    const res = await this.call(signal, () => this.http.json<unknown>(`${REPORTING}/requests`, { signal }));
    const list = unwrapList(res.body, ['requests', 'data', 'items', 'results']);
    if (!list) throw this.unexpected('requests');
    return list.map(readRequest).filter((r): r is EchoRequest => r !== undefined);
  }

  /** One request with its `signedAssets`; a 404 comes back as an InsightError of kind notFound. */
  async getRequest(requestId: string, signal?: AbortSignal): Promise<EchoRequest> {
    const res = await this.call(signal, () => this.http.json<unknown>(`${REPORTING}/request/${encodeURIComponent(requestId)}`, { signal }));
    const body = res.body as Record<string, unknown> | undefined;
    const req = readRequest(body && typeof body.request === 'object' ? body.request : body);
    if (!req) throw this.unexpected(`request/${requestId}`);
    return req;
  }

  /**
   * Submits one report request. When Echo360 is at its in-flight limit (or rate-limiting), the
   * answer is `{accepted:false}`: the caller keeps the chunk queued and tries again later: it is
   * not a failure.
   */
  async submit(reportName: string, body: EchoSubmitBody, signal?: AbortSignal): Promise<EchoSubmitResult> {
    const path = `${REPORTING}/requests/${encodeURIComponent(reportName)}`;
    const res = await this.call(signal, () =>
      // Not restartable: a submit whose answer was cut may have created the request; the queue
      // then finds it in the listing instead of sending a duplicate.
      this.http.text(path, {
        method: 'POST',
        json: body,
        signal,
        restartable: false,
        acceptStatus: (s) => s === 400 || s === 409 || s === 429,
      }),
    );
    const status = res.status;
    if (status === 429 || status === 400 || status === 409) {
      const err = new HttpStatusError(status, res.url, res.headers, this.http.redactor.redact(res.body.slice(0, 4000)));
      const detail = err.detail ?? res.body.slice(0, 200).trim();
      if (status === 429 || IN_FLIGHT_TEXT.test(detail)) {
        return { accepted: false, reason: detail || `HTTP ${status}`, retryAfterMs: retryAfterMs(res.headers, res.body) };
      }
      throw this.describeError(err);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      throw this.unexpected(`requests/${reportName}`);
    }
    const req = readRequest(parsed);
    if (!req) throw this.unexpected(`requests/${reportName}`);
    // The submit answer should echo these; fill them in when it does not.
    if (!req.reportName) req.reportName = reportName;
    if (Object.keys(req.parameters).length === 0) req.parameters = { ...body.parameters };
    if (!req.created) {
      req.created = new Date(this.now()).toISOString();
      req.expires = expiresFrom(req.created);
    }
    return { accepted: true, request: req };
  }

  /** Forget the cached token (e.g. after the credentials changed). */
  invalidateToken(): void {
    this.token = undefined;
  }

  /** Runs one API call; on a 401 renews the token once and tries again, then gives up. */
  private async call<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return this.callSignal.run(signal, async () => {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof CredentialsRefusedError || !(e instanceof InsightError) || e.status !== 401) throw e;
        this.log.info('Echo360 answered 401: getting a new access token and trying once more');
        this.token = undefined;
        try {
          return await fn();
        } catch (e2) {
          if (e2 instanceof InsightError && e2.status === 401 && !(e2 instanceof CredentialsRefusedError)) {
            throw new CredentialsRefusedError('401 even with a fresh access token');
          }
          throw e2;
        }
      }
    });
  }

  private async accessToken(signal?: AbortSignal): Promise<string> {
    const t = this.token;
    if (t && this.now() < t.expiresAt) return t.value;
    // One token request at a time: parallel calls wait for the same answer.
    this.tokenFetch ??= this.fetchToken(signal).finally(() => (this.tokenFetch = undefined));
    return this.tokenFetch;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    await this.rateLimiter.take(signal);
    const { clientId, clientSecret } = this.opts.credentials;
    const res = await this.http.json<Record<string, unknown>>(TOKEN_PATH, {
      method: 'POST',
      // Form parameters, not the query string: a secret in a URL ends up in proxy logs.
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      auth: false,
      signal,
    });
    const body = res.body ?? {};
    const value = body.access_token;
    if (typeof value !== 'string' || value === '') {
      throw new InsightError('data', 'Echo360 answered the token request without an access_token.', {
        next: 'Check the base URL points at the Echo360 host of your region.',
      });
    }
    this.http.redactor.add(value);
    if (typeof body.refresh_token === 'string') this.http.redactor.add(body.refresh_token);
    const ttlMs = Math.max(1, Number(body.expires_in ?? 3600)) * 1000;
    const margin = Math.min(this.marginMs, ttlMs / 10);
    this.token = { value, expiresAt: this.now() + ttlMs - margin };
    this.log.debug(`Echo360 access token obtained, valid ${Math.round(ttlMs / 1000)} s`);
    return value;
  }

  private describeError(err: HttpStatusError): InsightError {
    const where = this.http.describeUrl(err.url);
    const detail = err.detail ? `: ${err.detail}` : '';
    if (err.url.pathname.endsWith(TOKEN_PATH) && (err.status === 400 || err.status === 401 || err.status === 403)) {
      // OAuth error bodies: {error, error_description}; the description is the readable part.
      let oauth: string | undefined;
      try {
        const b = JSON.parse(err.bodyText) as { error?: unknown; error_description?: unknown };
        oauth = typeof b.error_description === 'string' ? b.error_description : typeof b.error === 'string' ? b.error : undefined;
      } catch {
        /* not JSON */
      }
      return new CredentialsRefusedError(`HTTP ${err.status}${oauth ? `: ${oauth.replace(/\.$/, '')}` : detail}`);
    }
    switch (err.status) {
      case 401:
        return new InsightError('auth', `Echo360 refused the access token at ${where} (401)${detail}.`, { status: 401 });
      case 403:
        return new InsightError('auth', `Echo360 denied access to ${where} (403)${detail}.`, {
          status: 403,
          next: 'Check that the API client is allowed to use the Reporting API.',
        });
      case 404:
        return new InsightError('notFound', `Echo360 has no ${where} (404)${detail}.`, {
          status: 404,
          next: 'Check the report name or request id and the region.',
        });
      case 400:
      case 409:
      case 422:
        return new InsightError('usage', `Echo360 rejected ${where} (HTTP ${err.status})${detail}.`, { status: err.status });
      default:
        return new InsightError('server', `Echo360 failed at ${where} with HTTP ${err.status}${detail}.`, {
          status: err.status,
          next: 'Try again later.',
        });
    }
  }

  private unexpected(what: string): InsightError {
    return new InsightError('data', `Echo360 answered ${what} with a shape this version does not understand.`, {
      next: 'Check the base URL points at the Echo360 host of your region.',
    });
  }
}
