/**
 * A local Echo360 Reporting API over real HTTP on 127.0.0.1, with a second server on another port
 * standing in for S3 (signed report links live on another origin in real life).
 *
 * It enforces what the real API enforces (API-NOTES.md; Echo360 Reporting API docs,
 * https://support.echo360.com/hc/en-us/articles/360042030652): OAuth client-credentials tokens
 * (query or form parameters) that last `tokenTtlSec`; 3 requests in flight; ≤ 7 days per request;
 * one year of lookback for `assetbydate` only (the docs state it for that report); `asset` is
 * all-time, listed with `"parameters": []` and refused when given start/end (the refusal's
 * status and wording are unverified: a 400 with a message, like the other parameter errors);
 * 120 calls a minute; Pending → Available after `pendingMs`; reports Expired
 * 14 days after submission; signed links valid 7 days. The "S3" server checks each link
 * byte-for-byte against the raw request line (its signature holds `%2F`, `+` and `=`) and refuses
 * any request that carries an Authorization header, with S3's XML error bodies.
 *
 * `advanceClock(ms)` (or POST /__control/clock {"advanceMs":…}) moves the fake's clock so tests
 * can reach the 7- and 14-day limits without waiting.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import {
  FakeResponse,
  HttpFault,
  RecordedRequestBase,
  RequestLog,
  StartedServer,
  bearerToken,
  cliNumber,
  deliver,
  first,
  handleControl,
  json,
  listen,
  nginxErrorPage,
  normalizeFault,
  parseBody,
  parseQuery,
  readBody,
  recordRequest,
  text,
} from './fakeHttp';
import { FAKE_REPORTS, findReport, reportCsv } from './echo360Data';

export type FakeEchoStatus = 'Pending' | 'Available' | 'Expired' | 'Failed' | 'Missing';

export interface Echo360FakeOptions {
  port?: number;
  /** Port of the "S3" server (default: any free port). */
  assetPort?: number;
  clientId?: string;
  clientSecret?: string;
  /** Pending → Available delay, default 1500 ms. */
  pendingMs?: number;
  /** Rows per day in generated reports, default 24. */
  rowsPerDay?: number;
  tokenTtlSec?: number;
  maxInFlight?: number;
  /** How the in-flight limit is answered (no public doc names it): default 429. */
  inFlightStatus?: 400 | 409 | 429;
  /** Shape of `GET reports` (unconfirmed upstream): default `{reports:[…]}`. */
  reportsShape?: 'array' | 'reports' | 'data';
  /** Calls per window before 429; `false` disables. Default 120 per 60 s. */
  rateLimit?: { limit: number; windowMs: number } | false;
  /**
   * More `/reports` entries, listed only (e.g. a report with a parameter no client knows, as in
   * test/fixtures/echo360/reports.json); submitting one answers 404.
   */
  extraListing?: { name: string; description: string; parameters?: { name: string; datatype?: string; required?: boolean }[] }[];
  /** Report name → file served as that report's asset (gzipped if it ends in .gz). For the bench. */
  fixedAssets?: Record<string, string>;
  /**
   * Origin written into signed links instead of the fake "S3" server's (hostile case: a plain
   * http:// storage link, which real Echo360 never sends: its links are https S3 URLs).
   */
  assetOrigin?: string;
  /**
   * Form of the signed links: `s3` (default) as Echo360 hands them out, S3's query-string auth
   * (`AWSAccessKeyId`, `Expires`, `x-amz-security-token`, `Signature`); `cloudfront`, the other
   * signed-URL form AWS issues, `?Policy=…&Signature=…&Key-Pair-Id=…` (custom policy,
   * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-creating-signed-url-custom-policy.html).
   * Unverified that Echo360 ever serves CloudFront links; the client must keep either form's
   * secrets out of its logs.
   */
  linkStyle?: 's3' | 'cloudfront';
  /**
   * Files each Available report is split into (default 1), each with the header and its share of
   * the rows. `signedAssets` is a list in the docs; when Echo360 splits a report is unverified.
   */
  filesPerReport?: number;
}

export interface Echo360Fault extends HttpFault {
  /** The next submitted request (path filter: `pathIncludes`) ends in this status instead of Available. */
  endStatus?: 'Failed' | 'Missing' | 'Expired';
  /** Asset served as a gzip stream cut short, with HTTP framing intact. */
  truncatedGzip?: boolean;
  /**
   * Asset served whole but with bytes of its deflate data flipped (damaged in transit or at rest):
   * zlib stops with Z_DATA_ERROR ("invalid block type", "incorrect data check"). Gzip assets only.
   */
  corruptGzip?: boolean;
  /** Asset answered 403 "Request has expired" (a fresh link then works). */
  linkExpired?: boolean;
  /**
   * The next GET of an Available request (path filter: its id) lists no signed link. Unverified:
   * Echo360's docs show an Available request with its links; this stands for an answer the
   * client cannot download from.
   */
  noLinks?: boolean;
  /** Token endpoint answers 401 invalid_client. */
  tokenRefused?: boolean;
  /** The next API call answers 401 and its token is revoked. */
  revokeToken?: boolean;
}

export interface Echo360RecordedRequest extends RecordedRequestBase {
  server: 'api' | 'asset';
  /** The request target exactly as received. */
  rawUrl: string;
  status: number;
}

export interface Echo360FakeStats {
  submits: number;
  /** Most requests ever Pending at once on the server. */
  maxInFlight: number;
  inFlightRejections: number;
  rateLimited: number;
  tokensIssued: number;
  assetDownloads: number;
  assetRejections: number;
}

interface FakeRequest {
  requestId: string;
  reportName: string;
  parameters: Record<string, string>;
  output: { compression: boolean; delimiter: string };
  createdAt: number;
  pendingMs: number;
  endStatus?: 'Failed' | 'Missing' | 'Expired';
  content?: Buffer;
  parts?: Buffer[];
}

export interface Echo360Fake {
  url: string;
  port: number;
  /** Origin of the "S3" server. */
  assetUrl: string;
  clientId: string;
  clientSecret: string;
  requests: Echo360RecordedRequest[];
  stats: Echo360FakeStats;
  addFault(f: Echo360Fault): void;
  clearFaults(): void;
  reset(): void;
  close(): Promise<void>;
  now(): number;
  advanceClock(ms: number): void;
  /** A request submitted by someone else (counts against the in-flight limit). */
  addRequest(spec: { reportName: string; start: string; end: string; pendingMs?: number; createdAt?: number }): string;
  revokeTokens(): void;
  /** Statuses as the server sees them now. */
  statuses(): Record<string, FakeEchoStatus>;
}

const DAY = 86_400_000;
const RETENTION_MS = 14 * DAY;
const LINK_TTL_MS = 7 * DAY;
const PREFIX = '/public/api/v1/reporting/';
const BUCKET = '/echo360-reporting-us-east-1/reports/5f0c2f7e';
const FAULT_EXTRA = {
  endStatus: 'string',
  truncatedGzip: 'boolean',
  corruptGzip: 'boolean',
  linkExpired: 'boolean',
  noLinks: 'boolean',
  tokenRefused: 'boolean',
  revokeToken: 'boolean',
} as const;
const SPECIFIC: (keyof Echo360Fault)[] = ['endStatus', 'truncatedGzip', 'corruptGzip', 'linkExpired', 'noLinks', 'tokenRefused', 'revokeToken'];

function parseDay(s: unknown): number | undefined {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== s ? undefined : t;
}

function oneYearBefore(day: number): number {
  const d = new Date(day);
  const y = d.getUTCFullYear() - 1;
  const last = new Date(Date.UTC(y, d.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(y, d.getUTCMonth(), Math.min(d.getUTCDate(), last));
}

function s3Error(status: number, code: string, message: string): FakeResponse {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`;
  return text(status, body, 'application/xml');
}

/** A signature like S3's legacy `Signature=`: base64 with a raw `+`, `=` padding and `/` sent as `%2F`. */
function signature(): string {
  const b = randomBytes(19).toString('base64').split('');
  b[3] = '+';
  b[7] = '/';
  return b.join('').replace(/\//g, '%2F');
}

function cloudFrontSafe(b64: string): string {
  return b64.replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

export async function startEcho360Fake(opts: Echo360FakeOptions = {}): Promise<Echo360Fake> {
  const clientId = opts.clientId ?? 'fake-echo-client';
  const clientSecret = opts.clientSecret ?? 'fake-echo-secret-0123456789';
  const pendingMs = opts.pendingMs ?? 1500;
  const rowsPerDay = opts.rowsPerDay ?? 24;
  const maxInFlight = opts.maxInFlight ?? 3;
  const rate = opts.rateLimit === undefined ? { limit: 120, windowMs: 60_000 } : opts.rateLimit;
  const log = new RequestLog<Echo360RecordedRequest>();
  const faults: { fault: Echo360Fault; remaining: number }[] = [];
  const store = new Map<string, FakeRequest>();
  /** Raw path+query of every link handed out → which asset, and when. */
  const links = new Map<string, { requestId: string; issuedAt: number; part: number }>();
  const tokens = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const calls: number[] = [];
  const stats: Echo360FakeStats = {
    submits: 0,
    maxInFlight: 0,
    inFlightRejections: 0,
    rateLimited: 0,
    tokensIssued: 0,
    assetDownloads: 0,
    assetRejections: 0,
  };
  let offset = 0;
  let seq = 0;
  const now = () => Date.now() + offset;

  function takeFault(where: 'token' | 'api' | 'asset', path: string, want?: keyof Echo360Fault): Echo360Fault | undefined {
    const i = faults.findIndex(({ fault: f }) => {
      if (f.pathIncludes !== undefined && !path.includes(f.pathIncludes)) return false;
      const specific = SPECIFIC.find((k) => f[k] !== undefined);
      if (want) return specific === want;
      if (specific) return false;
      // A generic fault (status, reset, slow body…) acts on the API unless aimed at an asset path.
      return where !== 'asset' || f.pathIncludes !== undefined;
    });
    if (i < 0) return undefined;
    const entry = faults[i];
    if (--entry.remaining <= 0) faults.splice(i, 1);
    return entry.fault;
  }

  function statusOf(r: FakeRequest, t = now()): FakeEchoStatus {
    if (t < r.createdAt + r.pendingMs) return 'Pending';
    if (r.endStatus) return r.endStatus;
    if (t >= r.createdAt + RETENTION_MS) return 'Expired';
    return 'Available';
  }

  function inFlight(): number {
    let n = 0;
    for (const r of store.values()) if (statusOf(r) === 'Pending') n++;
    return n;
  }

  const filesPerReport = Math.max(1, opts.filesPerReport ?? 1);

  function assetPath(r: FakeRequest, part = 0): string {
    const fixed = opts.fixedAssets?.[r.reportName];
    const gz = fixed ? fixed.endsWith('.gz') : r.output.compression;
    const span = r.parameters.start !== undefined ? `${r.parameters.start}_${r.parameters.end}` : 'all';
    const file = filesPerReport > 1 ? `_part${part + 1}` : '';
    return `${BUCKET}/${r.requestId}/${r.reportName}_${span}${file}.csv${gz ? '.gz' : ''}`;
  }

  function signedLink(r: FakeRequest, origin: string, part = 0): string {
    const t = now();
    const stamp = new Date(t)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const q =
      opts.linkStyle === 'cloudfront'
        ? // CloudFront's URL-safe base64: '+' → '-', '=' → '_', '/' → '~' (the page cited at linkStyle).
          `Policy=${cloudFrontSafe(Buffer.from(JSON.stringify({ Statement: [{ Resource: assetPath(r, part), Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor((t + LINK_TTL_MS) / 1000) } } }] })).toString('base64'))}&Signature=${cloudFrontSafe(randomBytes(96).toString('base64'))}&Key-Pair-Id=K2JCJMDEHXQW5F`
        : `AWSAccessKeyId=ASIAFAKEECHO360&Expires=${Math.floor((t + LINK_TTL_MS) / 1000)}&x-amz-security-token=IQoJb3JpZ2luX2Vj%2F%2F%2F%2FwEaCXVz+ZWFzdC0x&X-Amz-Date=${stamp}&Signature=${signature()}`;
    const raw = `${assetPath(r, part)}?${q}`;
    links.set(raw, { requestId: r.requestId, issuedAt: t, part });
    return origin + raw;
  }

  function view(r: FakeRequest, withLinks: boolean): Record<string, unknown> {
    const status = statusOf(r);
    const out: Record<string, unknown> = {
      requestId: r.requestId,
      status,
      reportName: r.reportName,
      parameters: r.parameters,
      created: new Date(r.createdAt).toISOString(),
      assets: status === 'Available' ? Array.from({ length: filesPerReport }, (_, i) => assetPath(r, i).split('/').pop()) : [],
    };
    if (withLinks)
      out.signedAssets =
        status === 'Available' ? Array.from({ length: filesPerReport }, (_, i) => signedLink(r, opts.assetOrigin ?? assetServer.url, i)) : [];
    return out;
  }

  function content(r: FakeRequest): Buffer {
    if (!r.content) {
      const report = findReport(r.reportName)!;
      // An all-time report (asset): one file of totals, as many rows as a week of a ranged one.
      const today = Math.floor(r.createdAt / DAY) * DAY;
      const [from, to] =
        r.parameters.start !== undefined ? [parseDay(r.parameters.start)!, parseDay(r.parameters.end)!] : [today - 7 * DAY, today];
      const csv = reportCsv(report, from, to, rowsPerDay, r.output.delimiter);
      r.content = r.output.compression ? zlib.gzipSync(csv) : csv;
    }
    return r.content;
  }

  /** One file of a report split `filesPerReport` ways: the header, then its share of the rows. */
  function partContent(r: FakeRequest, part: number): Buffer {
    if (filesPerReport === 1) return content(r);
    if (!r.parts) {
      const whole = r.output.compression ? zlib.gunzipSync(content(r)) : content(r);
      const text = whole.toString('utf8');
      const headerEnd = text.indexOf('\n') + 1;
      const rows = text.slice(headerEnd).split(/(?<=\n)/);
      const per = Math.ceil(rows.length / filesPerReport);
      r.parts = Array.from({ length: filesPerReport }, (_, i) => {
        const csv = Buffer.from(text.slice(0, headerEnd) + rows.slice(i * per, (i + 1) * per).join(''), 'utf8');
        return r.output.compression ? zlib.gzipSync(csv) : csv;
      });
    }
    return r.parts[part];
  }

  function faultResponse(f: Echo360Fault): FakeResponse | undefined {
    if (f.html) return text(200, '<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html');
    if (f.status === undefined) return undefined;
    const headers: Record<string, string> = f.retryAfter !== undefined ? { 'retry-after': f.retryAfter } : {};
    if (f.status === 429)
      return json(429, { error: 'too_many_requests', message: 'Rate limit exceeded: 120 requests per minute per institution.' }, headers);
    if (f.status === 401)
      return json(
        401,
        { error: 'invalid_token', error_description: 'The access token provided is expired, revoked, malformed, or invalid' },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    if (f.status >= 500) return text(f.status, nginxErrorPage(f.status), 'text/html', headers);
    return json(f.status, { message: `Injected HTTP ${f.status}` }, headers);
  }

  function rateLimited(): FakeResponse | undefined {
    if (!rate) return undefined;
    const t = Date.now();
    while (calls.length && calls[0] <= t - rate.windowMs) calls.shift();
    if (calls.length >= rate.limit) {
      stats.rateLimited++;
      const wait = Math.max(1, Math.ceil((calls[0] + rate.windowMs - t) / 1000));
      return json(
        429,
        { error: 'too_many_requests', message: `Rate limit exceeded: ${rate.limit} requests per ${rate.windowMs / 1000} seconds.` },
        { 'retry-after': String(wait) },
      );
    }
    calls.push(t);
    return undefined;
  }

  function issueToken(): FakeResponse {
    const access = `eat_${randomBytes(18).toString('hex')}`;
    const refresh = `ert_${randomBytes(18).toString('hex')}`;
    const ttl = opts.tokenTtlSec ?? 3600;
    tokens.set(access, now() + ttl * 1000);
    refreshTokens.add(refresh);
    stats.tokensIssued++;
    return json(200, { access_token: access, token_type: 'Bearer', expires_in: ttl, refresh_token: refresh });
  }

  function tokenRoute(url: URL, raw: Buffer, contentType: string, path: string): FakeResponse {
    // Echo360 clients send these as query or form parameters: accept both (and JSON).
    const params = parseQuery(url.searchParams);
    if (/x-www-form-urlencoded/i.test(contentType)) Object.assign(params, parseQuery(new URLSearchParams(raw.toString('utf8'))));
    else if (/json/i.test(contentType)) Object.assign(params, parseBody(raw).value as Record<string, string>);
    if (takeFault('token', path, 'tokenRefused'))
      return json(401, { error: 'invalid_client', error_description: 'Client authentication failed.' });
    const grant = first(params, 'grant_type');
    if (grant === 'refresh_token') {
      // Refresh tokens are single-use.
      const rt = first(params, 'refresh_token') ?? '';
      if (!refreshTokens.delete(rt)) return json(400, { error: 'invalid_grant', error_description: 'Invalid refresh token.' });
      return issueToken();
    }
    if (grant !== 'client_credentials')
      return json(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials.' });
    if (first(params, 'client_id') !== clientId || first(params, 'client_secret') !== clientSecret) {
      return json(401, { error: 'invalid_client', error_description: 'Client authentication failed.' });
    }
    return issueToken();
  }

  function submitRoute(reportName: string, body: unknown): FakeResponse {
    const report = findReport(reportName);
    if (!report) return json(404, { message: `Report '${reportName}' does not exist.` });
    const b = (typeof body === 'object' && body !== null ? body : {}) as {
      parameters?: Record<string, unknown>;
      output?: Record<string, unknown>;
    };
    const p = b.parameters ?? {};
    const known = new Set(report.parameters.map((x) => x.name));
    // Only the listed parameters are accepted: `asset` (listed with none) refuses start/end.
    const unknown = Object.keys(p).filter((k) => !known.has(k));
    if (unknown.length) return json(400, { message: `Report '${reportName}' does not accept parameter(s): ${unknown.join(', ')}.` });
    if (known.has('start')) {
      const start = parseDay(p.start);
      const end = parseDay(p.end);
      if (start === undefined) return json(400, { message: "Parameter 'start' is required and must be a date (YYYY-MM-DD)." });
      if (end === undefined) return json(400, { message: "Parameter 'end' is required and must be a date (YYYY-MM-DD)." });
      if (end <= start) return json(400, { message: "Parameter 'start' must be before 'end'." });
      if (end - start > 7 * DAY) return json(400, { message: 'The requested date range exceeds the maximum of 7 days.' });
      // The docs state the one-year lookback for assetbydate only.
      if (reportName === 'assetbydate' && start < oneYearBefore(Math.floor(now() / DAY) * DAY))
        return json(400, { message: "Parameter 'start' may not be more than one year in the past." });
    }
    const delimiter = b.output?.delimiter ?? ',';
    if (delimiter !== ',' && delimiter !== '\t' && delimiter !== '|')
      return json(400, { message: 'output.delimiter must be one of "," "\\t" "|".' });
    if (inFlight() >= maxInFlight) {
      stats.inFlightRejections++;
      return json(opts.inFlightStatus ?? 429, {
        message: `Too many requests in progress: a maximum of ${maxInFlight} report requests may be in progress at a time.`,
      });
    }
    const fault = takeFault('api', `${PREFIX}requests/${reportName}`, 'endStatus');
    const r: FakeRequest = {
      requestId: `${Date.now().toString(36)}-${(++seq).toString(36)}-${randomBytes(4).toString('hex')}`,
      reportName,
      parameters: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])),
      output: { compression: b.output?.compression !== false, delimiter: String(delimiter) },
      createdAt: now(),
      pendingMs,
      endStatus: fault?.endStatus,
    };
    store.set(r.requestId, r);
    stats.submits++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight());
    return json(200, {
      requestId: r.requestId,
      status: 'Pending',
      reportName,
      parameters: r.parameters,
      created: new Date(r.createdAt).toISOString(),
    });
  }

  function apiRoute(method: string, path: string): FakeResponse | ((body: unknown) => FakeResponse) {
    const rest = path.slice(PREFIX.length).replace(/\/+$/, '');
    if (method === 'GET' && rest === 'reports') {
      // Entry shape as test/fixtures/echo360/reports.json (the wrapper object is unverified).
      const list: {
        name: string;
        description: string;
        note: string;
        parameters: { name: string; datatype?: string; required?: boolean }[];
      }[] = FAKE_REPORTS.map((r) => ({
        name: r.name,
        description: r.description,
        note: r.note ?? '',
        parameters: r.parameters.map((x) => ({ ...x })),
      }));
      list.push(...(opts.extraListing ?? []).map((r) => ({ note: '', parameters: [], ...r })));
      const shape = opts.reportsShape ?? 'reports';
      return json(200, shape === 'array' ? list : { [shape]: list });
    }
    if (method === 'GET' && rest === 'requests') {
      const list = [...store.values()].sort((a, b) => b.createdAt - a.createdAt).map((r) => view(r, false));
      return json(200, { requests: list });
    }
    let m = /^requests\/([^/]+)$/.exec(rest);
    if (m && method === 'POST') {
      const name = decodeURIComponent(m[1]);
      return (body: unknown) => submitRoute(name, body);
    }
    m = /^request\/([^/]+)$/.exec(rest);
    if (m && method === 'GET') {
      const r = store.get(decodeURIComponent(m[1]));
      if (!r) return json(404, { message: 'Request not found.' });
      const v = view(r, true);
      if (v.status === 'Available' && takeFault('api', path, 'noLinks')) v.signedAssets = [];
      return json(200, v);
    }
    return json(404, { message: `No route ${method} ${path}` });
  }

  const control = {
    addFault: (f: unknown) => {
      const fault = normalizeFault<Echo360Fault>(f, FAULT_EXTRA);
      if (fault.endStatus !== undefined && !['Failed', 'Missing', 'Expired'].includes(fault.endStatus))
        throw new TypeError('fault.endStatus must be Failed, Missing or Expired');
      faults.push({ fault, remaining: fault.times ?? 1 });
    },
    clearFaults: () => (faults.length = 0),
    listFaults: () => faults.map((f) => f.fault),
    requests: log.entries,
    reset: () => {
      faults.length = 0;
      store.clear();
      links.clear();
      tokens.clear();
      refreshTokens.clear();
      calls.length = 0;
      log.clear();
      offset = 0;
      Object.assign(stats, {
        submits: 0,
        maxInFlight: 0,
        inFlightRejections: 0,
        rateLimited: 0,
        tokensIssued: 0,
        assetDownloads: 0,
        assetRejections: 0,
      });
    },
  };

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/__control/clock' && req.method === 'POST') {
      const { value } = parseBody(await readBody(req));
      offset += Number((value as { advanceMs?: number } | undefined)?.advanceMs ?? 0);
      return deliver(res, json(200, { now: new Date(now()).toISOString() }));
    }
    if (await handleControl(req, res, url, control)) return;
    const raw = await readBody(req);
    const body = parseBody(raw);
    const rec: Echo360RecordedRequest = { ...recordRequest(req, url, body.value), server: 'api', rawUrl: req.url ?? '', status: 0 };
    log.push(rec);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let r: FakeResponse;
    let fault: Echo360Fault | undefined;
    const limited = rateLimited();
    if (limited) r = limited;
    else if (path === '/oauth2/access_token' && method === 'POST') {
      fault = takeFault('token', path);
      r = (fault && faultResponse(fault)) ?? tokenRoute(url, raw, String(req.headers['content-type'] ?? ''), path);
    } else if (path.startsWith(PREFIX)) {
      const token = bearerToken(req);
      const expiry = token ? tokens.get(token) : undefined;
      if (expiry === undefined || expiry <= now()) {
        r = json(
          401,
          { error: 'invalid_token', error_description: 'The access token provided is expired, revoked, malformed, or invalid' },
          { 'www-authenticate': 'Bearer error="invalid_token"' },
        );
      } else if (takeFault('api', path, 'revokeToken')) {
        tokens.delete(token!);
        r = json(
          401,
          { error: 'invalid_token', error_description: 'The access token provided has been revoked' },
          { 'www-authenticate': 'Bearer error="invalid_token"' },
        );
      } else {
        fault = takeFault('api', path);
        const route = apiRoute(method, path);
        r = (fault && faultResponse(fault)) ?? (typeof route === 'function' ? route(body.value) : route);
      }
    } else r = json(404, { message: `No route ${method} ${path}` });
    rec.status = r.status;
    await deliver(res, r, fault);
  }

  async function handleAsset(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const rec: Echo360RecordedRequest = { ...recordRequest(req, url, undefined), server: 'asset', rawUrl, status: 0 };
    log.push(rec);
    const answer = async (r: FakeResponse, fault?: Echo360Fault) => {
      rec.status = r.status;
      if (r.status >= 400) stats.assetRejections++;
      await deliver(res, r, fault);
    };
    if (req.headers.authorization !== undefined) {
      // S3 refuses a request that carries two auth mechanisms (the query signature and a header).
      return answer(
        s3Error(
          403,
          'InvalidArgument',
          'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        ),
      );
    }
    const link = links.get(rawUrl);
    const r = link ? store.get(link.requestId) : undefined;
    if (!link || !r) {
      const knownPath = [...links.keys()].some((k) => k.split('?')[0] === url.pathname);
      return answer(
        knownPath
          ? s3Error(
              403,
              'SignatureDoesNotMatch',
              'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
            )
          : s3Error(403, 'AccessDenied', 'Access Denied'),
      );
    }
    if (now() > link.issuedAt + LINK_TTL_MS || takeFault('asset', url.pathname, 'linkExpired')) {
      return answer(s3Error(403, 'AccessDenied', 'Request has expired'));
    }
    const status = statusOf(r);
    if (status === 'Expired' || status === 'Missing') return answer(s3Error(404, 'NoSuchKey', 'The specified key does not exist.'));
    const fixed = opts.fixedAssets?.[r.reportName];
    const gz = fixed ? fixed.endsWith('.gz') : r.output.compression;
    const headers = {
      'content-type': gz ? 'application/x-gzip' : 'text/csv; charset=utf-8',
      etag: `"${r.requestId}"`,
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
    };
    if (takeFault('asset', url.pathname, 'truncatedGzip')) {
      const body = partContent(r, link.part);
      stats.assetDownloads++;
      return answer({ status: 200, headers, body: body.subarray(0, Math.floor(body.length * 0.6)) });
    }
    if (takeFault('asset', url.pathname, 'corruptGzip')) {
      // Past the 10-byte gzip header: the header still says gzip, the data no longer inflates.
      const body = Buffer.from(partContent(r, link.part));
      for (let i = 12; i < Math.min(body.length - 8, 60); i++) body[i] ^= 0xff;
      stats.assetDownloads++;
      return answer({ status: 200, headers, body });
    }
    const fault = takeFault('asset', url.pathname);
    const injected = fault && faultResponse(fault);
    if (injected) return answer(injected);
    stats.assetDownloads++;
    if (fixed && !fault) {
      // Streamed from disk: the bench's ~115 MB file never sits in memory.
      const size = (await fs.promises.stat(fixed)).size;
      rec.status = 200;
      res.writeHead(200, { ...headers, 'content-length': String(size) });
      await new Promise<void>((resolve) =>
        fs
          .createReadStream(fixed, { highWaterMark: 1 << 20 })
          .on('error', () => res.destroy())
          .pipe(res)
          .on('finish', resolve)
          .on('close', resolve),
      );
      return;
    }
    return answer({ status: 200, headers, body: fixed ? await fs.promises.readFile(fixed) : partContent(r, link.part) }, fault);
  }

  const api: StartedServer = await listen(handleApi, opts.port ?? 0);
  const assetServer: StartedServer = await listen(handleAsset, opts.assetPort ?? 0);

  return {
    url: api.url,
    port: api.port,
    assetUrl: assetServer.url,
    clientId,
    clientSecret,
    requests: log.entries,
    stats,
    addFault: (f) => control.addFault(f),
    clearFaults: control.clearFaults,
    reset: control.reset,
    close: async () => {
      await Promise.all([api.close(), assetServer.close()]);
    },
    now,
    advanceClock: (ms) => {
      offset += ms;
    },
    addRequest: (spec) => {
      const r: FakeRequest = {
        requestId: `foreign-${(++seq).toString(36)}-${randomBytes(3).toString('hex')}`,
        reportName: spec.reportName,
        parameters: { start: spec.start, end: spec.end },
        output: { compression: true, delimiter: ',' },
        createdAt: spec.createdAt ?? now(),
        pendingMs: spec.pendingMs ?? pendingMs,
      };
      store.set(r.requestId, r);
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight());
      return r.requestId;
    },
    revokeTokens: () => tokens.clear(),
    statuses: () => Object.fromEntries([...store.values()].map((r) => [r.requestId, statusOf(r)])),
  };
}

/**
 * Standalone, for a sandbox or a manual session: `node out/test/fakes/echo360.js [--port 4360]
 * [--pending-ms 1500] [--rows-per-day 24]`. Prints the two origins and the fake credentials.
 */
if (require.main === module) {
  startEcho360Fake({ port: cliNumber('port'), pendingMs: cliNumber('pending-ms'), rowsPerDay: cliNumber('rows-per-day') }).then(
    (f) => {
      process.stdout.write(
        `Echo360 fake: ${f.url} (signed links on ${f.assetUrl})\nECHO360_CLIENT_ID=${f.clientId} ECHO360_CLIENT_SECRET=${f.clientSecret}\n`,
      );
    },
    (e: unknown) => {
      process.stderr.write(`Echo360 fake: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
