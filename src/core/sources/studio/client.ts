/**
 * Canvas Studio Insights client: per-perspective CSVs, kept exactly as the server sent them.
 *
 * API-NOTES.md "Canvas Studio Insights": `GET /perspectives/{uuid}/insights/overview[?role=]` and
 * `…/insights/users[?role=]` answer CSV whose headers, role values and error bodies are
 * unconfirmed upstream. So the CSV is streamed through byte for byte (never parsed and
 * re-serialised: a BOM, CRLFs, quoting and column order all survive), and errors are told apart
 * by status only: 401 (token: renew once if we can, else Set Credentials), 403, 404 (perspective),
 * 422 (parameters).
 *
 * Token renewal: Studio's public API uses OAuth2 authorization-code tokens with refresh. With a
 * refresh token and the OAuth client id/secret, a 401 triggers one `refresh_token` grant against
 * `{site}/api/public/oauth/token` (that path is unconfirmed, hence `tokenUrl`), then the request
 * is made once more; a second 401 is final.
 */
import { InsightError, oneLine } from '../../errors';
import { HttpClient, HttpStatusError } from '../../http';
import { bodyTooLarge } from '../../limits';
import { Logger, Redactor, silentLogger } from '../../log';
import { refuseMarkup } from '../../markup';
import { parsePerspectiveId, parseRole, studioUrls } from './perspective';
import type { HttpClientBaseOptions } from '../shared/clientOptions';

export type StudioInsight = 'overview' | 'users';
export const STUDIO_INSIGHTS: readonly StudioInsight[] = ['overview', 'users'];

/** Titles for the tree. */
export const STUDIO_INSIGHT_TITLES: Readonly<Record<StudioInsight, string>> = {
  overview: 'Overview (views, time viewed, unique viewers over time)',
  users: 'Users (completion rate and time viewed per person)',
};

export const DEFAULT_STUDIO_TOKEN_PATH = '/api/public/oauth/token';

export interface StudioRefresh {
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  /** Token endpoint: a path on the site or an absolute URL on the site's origin. Default `/api/public/oauth/token`. */
  tokenUrl?: string;
}

export interface StudioTokens {
  accessToken: string;
  refreshToken?: string;
  /** Seconds, as the token endpoint said. */
  expiresIn?: number;
}

export interface StudioClientOptions extends HttpClientBaseOptions {
  /** Site root (`https://x.instructuremedia.com`) or API root (`…/api/public/v1`). */
  baseUrl: string | URL;
  accessToken: string;
  refresh?: StudioRefresh;
  /** Called after a renewal so the caller can store the new tokens (SecretStorage). */
  onTokens?: (tokens: StudioTokens) => void | Promise<void>;
}

export interface InsightsRequest {
  role?: string;
  signal?: AbortSignal;
}

export interface StudioCsvInfo {
  bytes: number;
  contentType?: string;
}

export type StudioErrorReason = 'token' | 'permission' | 'notFound' | 'badRequest' | 'server' | 'other';

export class StudioApiError extends InsightError {
  constructor(
    kind: InsightError['kind'],
    message: string,
    readonly reason: StudioErrorReason,
    options: { status?: number; next?: string } = {},
  ) {
    super(kind, message, options);
  }
}

const TOKEN_MESSAGE = 'Studio refused the access token (401). Set Credentials with a new token.';

/** One line for a final Studio error response (bodies are unconfirmed, so statuses decide). */
export function describeStudioError(err: HttpStatusError): StudioApiError {
  const m = /\/perspectives\/([^/]+)\/insights\/([^/]+)/.exec(err.url.pathname);
  const perspective = m ? decodeURIComponent(m[1]) : undefined;
  const role = err.url.searchParams.get('role');
  const detail = err.detail ? `: ${err.detail}` : '';
  const status = err.status;
  if (status === 401) return new StudioApiError('auth', TOKEN_MESSAGE, 'token', { status });
  if (status === 403) {
    const what = perspective ? `the insights of perspective ${perspective}` : err.url.pathname;
    return new StudioApiError(
      'auth',
      `Studio denied access to ${what} (403): the token's user may not view them. Ask a Studio admin for access, or use another account's token.`,
      'permission',
      { status },
    );
  }
  if (status === 404) {
    if (perspective) {
      return new StudioApiError(
        'notFound',
        `Studio has no perspective ${perspective} (404): check the perspective UUID (copy it from the Studio Insights page URL).`,
        'notFound',
        { status },
      );
    }
    return new StudioApiError(
      'notFound',
      `Studio answered 404 for ${err.url.pathname}: check the base URL is the Studio site (https://<institution>.instructuremedia.com).`,
      'notFound',
      { status },
    );
  }
  if (status === 422 || status === 400) {
    const hint = role !== null ? `check the role "${role}" (or leave it out)` : 'check the parameters';
    return new StudioApiError('usage', `Studio rejected the request (${status})${detail}: ${hint}.`, 'badRequest', { status });
  }
  if (status >= 500)
    return new StudioApiError('server', `Studio failed with HTTP ${status}${detail}.`, 'server', { status, next: 'Try again later.' });
  return new StudioApiError('server', `Studio answered HTTP ${status}${detail}.`, 'other', { status });
}

export class StudioClient {
  readonly site: URL;
  readonly api: URL;
  readonly http: HttpClient;
  private accessToken: string;
  private readonly refresh?: StudioRefresh;
  private readonly tokenUrl?: URL;
  private renewing?: Promise<void>;
  private readonly redactor: Redactor;
  private readonly log: Logger;

  constructor(private readonly opts: StudioClientOptions) {
    const { site, api } = studioUrls(opts.baseUrl);
    this.site = site;
    this.api = api;
    if (!opts.accessToken || opts.accessToken.trim() === '') {
      throw new InsightError('auth', 'No Studio access token.', { next: 'Set Credentials with a Studio API token.' });
    }
    this.accessToken = opts.accessToken;
    this.redactor = opts.redactor ?? new Redactor();
    this.log = opts.logger ?? silentLogger;
    this.redactor.add(opts.accessToken);
    if (opts.refresh) {
      this.refresh = { ...opts.refresh };
      for (const s of [opts.refresh.refreshToken, opts.refresh.clientSecret]) this.redactor.add(s);
      this.tokenUrl = this.resolveTokenUrl(opts.refresh.tokenUrl);
    }
    this.http = new HttpClient({
      ...opts.limits,
      baseUrl: api,
      auth: () => ({ authorization: `Bearer ${this.accessToken}` }),
      logger: opts.logger,
      redactor: this.redactor,
      retry: opts.retry,
      timeoutMs: opts.timeoutMs,
      sleep: opts.sleep,
      describeError: describeStudioError,
    });
  }

  /** The API URL of one insights CSV (validates the perspective and role first). */
  insightsUrl(kind: StudioInsight, perspective: string, role?: string): URL {
    if (!STUDIO_INSIGHTS.includes(kind))
      throw new InsightError('usage', `Unknown Studio insight "${kind}".`, { next: 'Use overview or users.' });
    const id = parsePerspectiveId(perspective);
    const r = parseRole(role);
    const url = this.http.resolve(`perspectives/${id}/insights/${kind}`);
    if (r !== undefined) url.searchParams.set('role', r);
    return url;
  }

  /**
   * Streams the CSV to `sink` chunk by chunk, exactly as received. The perspective is validated
   * before any request. An HTML answer (a login page) is refused before a byte reaches the sink.
   * If the connection drops after some bytes went out, the error says so and nothing is retried
   * (a retry would repeat bytes the sink already has).
   */
  async streamInsights(
    kind: StudioInsight,
    perspective: string,
    sink: (chunk: Uint8Array) => void | Promise<void>,
    req: InsightsRequest = {},
  ): Promise<StudioCsvInfo> {
    const url = this.insightsUrl(kind, perspective, req.role);
    return this.withRenewal(async () => {
      const res = await this.http.stream(
        url,
        async (body, meta) => {
          const contentType = meta.headers['content-type'];
          if (contentType && /text\/html/i.test(contentType)) {
            await body[Symbol.asyncIterator]().return?.();
            throw new InsightError('data', `Expected CSV from ${this.http.describeUrl(url)} but got an HTML page.`, {
              next: 'Check the base URL is the Studio site, not a login page or proxy.',
            });
          }
          let emitted = 0;
          try {
            for await (const chunk of body) {
              // A 200 answer that is a page (a login wall, an XML error document) is never taken for the CSV.
              if (emitted === 0)
                refuseMarkup(
                  contentType,
                  chunk,
                  'CSV',
                  `Studio (${this.http.describeUrl(url)})`,
                  'Check the base URL is the Studio site, not a login page or proxy.',
                );
              try {
                await sink(chunk);
              } catch (e) {
                throw e instanceof InsightError ? e : new InsightError('data', `Could not write the ${kind} CSV: ${oneLine(e)}.`);
              }
              emitted += chunk.length;
            }
          } catch (e) {
            if (emitted > 0 && !(e instanceof InsightError)) {
              throw new InsightError('network', `The connection to Studio dropped after ${emitted} bytes of the ${kind} CSV.`, {
                next: 'Run it again.',
              });
            }
            throw e;
          }
          return { bytes: emitted, contentType };
        },
        { signal: req.signal, headers: { accept: 'text/csv, */*;q=0.5' } },
      );
      return res.body;
    }, req.signal);
  }

  /** The whole CSV as bytes, unchanged (decode with `toString('utf8')` if a string is needed). */
  async fetchInsights(kind: StudioInsight, perspective: string, req: InsightsRequest = {}): Promise<Buffer> {
    const chunks: Buffer[] = [];
    // Held in memory: bounded by the body cap like any text answer.
    const cap = this.http.limits.maxBodyBytes;
    let size = 0;
    await this.streamInsights(
      kind,
      perspective,
      (c) => {
        size += c.byteLength;
        if (size > cap) throw bodyTooLarge(this.http.describeUrl(this.insightsUrl(kind, perspective, req.role)), cap);
        chunks.push(Buffer.from(c));
      },
      req,
    );
    return Buffer.concat(chunks);
  }

  /** Runs `fn`; on a token 401 renews once (when configured) and runs it again. */
  private async withRenewal<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const used = this.accessToken;
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof StudioApiError && e.reason === 'token') || !this.refresh) throw e;
      // Another request may already have renewed while this one was in flight.
      if (this.accessToken === used) await this.renew(signal);
    }
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StudioApiError && e.reason === 'token') {
        throw new StudioApiError(
          'auth',
          'Studio refused the token (401) even after renewing it. Set Credentials with a new token.',
          'token',
          { status: 401 },
        );
      }
      throw e;
    }
  }

  /** One refresh_token grant; concurrent callers share it. */
  renew(signal?: AbortSignal): Promise<void> {
    this.renewing ??= this.doRenew(signal).finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async doRenew(signal?: AbortSignal): Promise<void> {
    const r = this.refresh;
    if (!r || !this.tokenUrl) throw new StudioApiError('auth', TOKEN_MESSAGE, 'token', { status: 401 });
    this.log.info('Studio answered 401; renewing the access token with the refresh token.');
    let answer: { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown } | undefined;
    try {
      const res = await this.http.json<typeof answer>(this.tokenUrl, {
        method: 'POST',
        auth: false,
        signal,
        form: { grant_type: 'refresh_token', refresh_token: r.refreshToken, client_id: r.clientId, client_secret: r.clientSecret },
      });
      answer = res.body;
    } catch (e) {
      if (e instanceof InsightError && e.kind === 'cancelled') throw e;
      // Not a refusal but a hostile or broken token endpoint (a redirect to another host, which
      // is never followed with the secret; a timeout): its own message, not "Set Credentials".
      if (e instanceof InsightError && (e.kind === 'network' || e.kind === 'timeout') && e.status === undefined) throw e;
      const why = e instanceof InsightError && e.status !== undefined ? `HTTP ${e.status}` : oneLine(e);
      throw new StudioApiError(
        'auth',
        `Studio refused the access token (401) and renewing it failed (${why}). Set Credentials with a new token.`,
        'token',
        { status: 401 },
      );
    }
    if (typeof answer?.access_token !== 'string' || answer.access_token === '') {
      throw new StudioApiError(
        'auth',
        'Studio refused the access token (401) and the token endpoint sent no new one. Set Credentials with a new token.',
        'token',
        { status: 401 },
      );
    }
    this.accessToken = answer.access_token;
    this.redactor.add(this.accessToken);
    // Refresh tokens may rotate: keep the new one for the next renewal.
    if (typeof answer.refresh_token === 'string' && answer.refresh_token !== '') {
      r.refreshToken = answer.refresh_token;
      this.redactor.add(r.refreshToken);
    }
    await this.opts.onTokens?.({
      accessToken: this.accessToken,
      refreshToken: r.refreshToken,
      expiresIn: typeof answer.expires_in === 'number' ? answer.expires_in : undefined,
    });
  }

  private resolveTokenUrl(tokenUrl: string | undefined): URL {
    const raw = tokenUrl?.trim() || DEFAULT_STUDIO_TOKEN_PATH;
    let url: URL;
    try {
      url = /^https?:\/\//i.test(raw) ? new URL(raw) : new URL(this.site.toString().replace(/\/+$/, '') + '/' + raw.replace(/^\/+/, ''));
    } catch {
      throw new InsightError('usage', `Invalid Studio token URL "${raw}".`);
    }
    // The client secret and refresh token travel in the body: only to Studio itself.
    if (url.origin !== this.site.origin) {
      throw new InsightError('usage', `Refusing Studio token URL on ${url.origin}: it must be on ${this.site.origin}.`);
    }
    return url;
  }
}
