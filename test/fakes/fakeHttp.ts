/**
 * Building blocks shared by the local fake servers (PostHog, Echo360, Canvas, Studio).
 *
 * Every fake follows the same shape: a handler computes a complete response (status, headers,
 * body bytes) first, and only then is it written to the socket by `deliver`. Keeping the two
 * apart is what lets one fault switch (reset mid-body, slow body, truncated JSON) act on any
 * route's real answer without each route knowing about faults.
 *
 * Node builtins only: the fakes also run inside the VS Code extension host and from the sandbox
 * launcher, where no extra dependency should be needed.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Query = Record<string, string | string[]>;

/** A response computed in memory, written later by `deliver`. */
export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Fault switches every fake understands. A platform's own fault type extends this. */
export interface HttpFault {
  status?: number;
  /** `Retry-After` header value (seconds or HTTP date); the header is omitted when undefined. */
  retryAfter?: string;
  resetMidBody?: boolean;
  /**
   * The server acts on the request (a POST creates what it creates), then the connection is
   * destroyed before any byte of the response: the client cannot tell whether it arrived. An
   * HTTP client must not replay a non-idempotent request after this (RFC 9110 §9.2.2,
   * https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2).
   */
  resetBeforeHeaders?: boolean;
  /** Delay between ~10 body chunks. */
  slowBodyMs?: number;
  html?: boolean;
  malformedJson?: boolean;
  /** How many matching requests this fault answers; default 1, `Infinity` allowed. */
  times?: number;
  /** Only requests whose path contains this string. */
  pathIncludes?: string;
}

export interface RecordedRequestBase {
  method: string;
  path: string;
  query: Query;
  hasAuthorization: boolean;
  authorization?: string;
  body?: unknown;
  time: number;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? 'Error';
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}

export function text(
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): FakeResponse {
  return { status, headers: { 'content-type': contentType, ...headers }, body: Buffer.from(body, 'utf8') };
}

export function empty(status: number, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { ...headers }, body: Buffer.alloc(0) };
}

/** The page a reverse proxy in front of an API serves when the app behind it is down. */
export function nginxErrorPage(status: number): string {
  const title = `${status} ${statusText(status)}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

/**
 * A 200 HTML page where JSON was expected: what clients get from captive portals, SSO login
 * interstitials or a base URL that points at the web app instead of the API.
 */
export function htmlLoginPage(): string {
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>\n' +
    '<body><form method="post" action="/login"><h1>Sign in to continue</h1>' +
    '<input name="email" type="email"><input name="password" type="password">' +
    '<button type="submit">Sign in</button></form></body></html>\n'
  );
}

export function parseQuery(params: URLSearchParams): Query {
  const out: Query = {};
  for (const [k, v] of params) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

/** First value of a query parameter, for handlers that do not accept repeats. */
export function first(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}

const MAX_BODY = 5 * 1024 * 1024;

export function readBody(req: http.IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `undefined` for no body, the parsed value for JSON, the raw text otherwise. */
export function parseBody(raw: Buffer): { value: unknown; isJson: boolean } {
  if (raw.length === 0) return { value: undefined, isJson: false };
  const s = raw.toString('utf8');
  try {
    return { value: JSON.parse(s) as unknown, isJson: true };
  } catch {
    return { value: s, isJson: false };
  }
}

export function bearerToken(req: http.IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/**
 * Origin as the client addressed us. Pagination links must be absolute and must point back at
 * whatever host:port the client used, which with port 0 is only known per request.
 */
export function requestOrigin(req: http.IncomingMessage, fallbackPort: number): string {
  return `http://${req.headers.host ?? `127.0.0.1:${fallbackPort}`}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const FAULT_KEYS = new Set([
  'status',
  'retryAfter',
  'resetMidBody',
  'resetBeforeHeaders',
  'slowBodyMs',
  'html',
  'malformedJson',
  'times',
  'pathIncludes',
]);

/**
 * Validates a fault coming from code or from JSON (where `Infinity` cannot be written: the string
 * "Infinity" or null stand for it). Unknown keys are rejected so a typo in a test fails loudly
 * instead of silently injecting nothing.
 */
export function normalizeFault<F extends HttpFault>(
  raw: unknown,
  extraKeys: Record<string, 'number' | 'string' | 'boolean'> = {},
): F {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TypeError('fault must be an object');
  const src = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined) continue;
    if (!FAULT_KEYS.has(k) && !(k in extraKeys)) throw new TypeError(`unknown fault key "${k}"`);
    if (k === 'times') {
      const n = v === null || v === 'Infinity' ? Infinity : v;
      if (typeof n !== 'number' || Number.isNaN(n) || n < 1)
        throw new TypeError('fault.times must be a number >= 1');
      out[k] = n;
    } else if (k === 'status' || k === 'slowBodyMs') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new TypeError(`fault.${k} must be a number`);
      if (k === 'status' && (v < 100 || v > 599 || !Number.isInteger(v)))
        throw new TypeError('fault.status must be an HTTP status');
      out[k] = v;
    } else if (k === 'retryAfter') {
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new TypeError('fault.retryAfter must be a string');
      out[k] = String(v);
    } else if (k === 'pathIncludes') {
      if (typeof v !== 'string') throw new TypeError('fault.pathIncludes must be a string');
      out[k] = v;
    } else if (k in extraKeys) {
      if (typeof v !== extraKeys[k]) throw new TypeError(`fault.${k} must be a ${extraKeys[k]}`);
      out[k] = v;
    } else {
      if (typeof v !== 'boolean') throw new TypeError(`fault.${k} must be a boolean`);
      out[k] = v;
    }
  }
  return out as F;
}

/** Faults waiting to be served, consumed first-in first-out among those matching a path. */
export class FaultQueue<F extends HttpFault> {
  private readonly entries: { fault: F; remaining: number }[] = [];

  add(fault: F): void {
    this.entries.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.entries.length = 0;
  }

  list(): F[] {
    return this.entries.map((e) => e.fault);
  }

  take(path: string): F | undefined {
    const i = this.entries.findIndex(
      (e) => e.fault.pathIncludes === undefined || path.includes(e.fault.pathIncludes),
    );
    if (i < 0) return undefined;
    const entry = this.entries[i];
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(i, 1);
    return entry.fault;
  }
}

/**
 * Request log kept as one live array so callers holding a reference keep seeing new entries.
 * Bounded because the sandbox server can run for hours.
 */
export class RequestLog<R extends RecordedRequestBase> {
  readonly entries: R[] = [];

  constructor(private readonly cap = 10_000) {}

  push(r: R): void {
    this.entries.push(r);
    if (this.entries.length > this.cap) this.entries.splice(0, this.entries.length - this.cap);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

export function recordRequest(req: http.IncomingMessage, url: URL, body: unknown): RecordedRequestBase {
  const auth = req.headers.authorization;
  const rec: RecordedRequestBase = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: parseQuery(url.searchParams),
    hasAuthorization: auth !== undefined,
    time: Date.now(),
  };
  if (auth !== undefined) rec.authorization = auth;
  if (body !== undefined) rec.body = body;
  return rec;
}

/** Half the bytes of a JSON body: never valid JSON, whatever the original was. */
function truncatedJson(body: Buffer): Buffer {
  if (body.length >= 8) return body.subarray(0, Math.floor(body.length / 2));
  return Buffer.from('{"results":[{"id":1,"na', 'utf8');
}

/**
 * Writes a computed response, applying the delivery faults: `malformedJson` (200 with half the
 * JSON), `resetBeforeHeaders` (the socket is destroyed before any response byte), `resetMidBody`
 * (headers + half the body, then the socket is destroyed), `slowBodyMs`
 * (about ten chunks with that delay between them). Content-Length always announces the full
 * body so a client can tell a cut body from a short one.
 */
export async function deliver(res: http.ServerResponse, r: FakeResponse, fault?: HttpFault): Promise<void> {
  let status = r.status;
  let body = r.body;
  const headers = { ...r.headers };
  if (fault?.malformedJson) {
    status = 200;
    headers['content-type'] = 'application/json';
    body = truncatedJson(body);
  }
  headers['content-length'] = String(body.length);

  if (fault?.resetBeforeHeaders) {
    res.destroy();
    return;
  }

  if (fault?.resetMidBody) {
    if (body.length === 0) {
      res.destroy();
      return;
    }
    res.writeHead(status, headers);
    const half = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    await new Promise<void>((resolve) => res.write(half, () => resolve()));
    res.destroy();
    return;
  }

  if (fault?.slowBodyMs !== undefined && fault.slowBodyMs > 0 && body.length > 0) {
    res.writeHead(status, headers);
    const chunk = Math.max(1, Math.ceil(body.length / 10));
    for (let i = 0; i < body.length; i += chunk) {
      if (res.destroyed) return;
      res.write(body.subarray(i, i + chunk));
      if (i + chunk < body.length) await sleep(fault.slowBodyMs);
    }
    if (!res.destroyed) res.end();
    return;
  }

  res.writeHead(status, headers);
  res.end(body);
}

export interface ControlTarget {
  addFault(f: unknown): void;
  clearFaults(): void;
  listFaults(): unknown[];
  requests: unknown[];
  reset(): void;
}

/**
 * The HTTP control surface for tests in another process (e.g. a suite driving the extension host
 * while the fake runs elsewhere): POST/DELETE/GET /__control/faults, GET /__control/requests,
 * POST /__control/reset. Returns false when the path is not a control route.
 */
export async function handleControl(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  target: ControlTarget,
): Promise<boolean> {
  const p = url.pathname.replace(/\/+$/, '');
  if (p !== '/__control' && !p.startsWith('/__control/')) return false;
  const method = req.method ?? 'GET';
  const raw = await readBody(req);
  let r: FakeResponse;
  if (p === '/__control/faults' && method === 'POST') {
    const { value, isJson } = parseBody(raw);
    try {
      if (!isJson) throw new TypeError('body must be a JSON fault object');
      target.addFault(value);
      r = json(201, { ok: true, faults: target.listFaults().length });
    } catch (e) {
      r = json(400, { ok: false, error: (e as Error).message });
    }
  } else if (p === '/__control/faults' && method === 'DELETE') {
    target.clearFaults();
    r = empty(204);
  } else if (p === '/__control/faults' && method === 'GET') {
    r = json(200, target.listFaults());
  } else if (p === '/__control/requests' && method === 'GET') {
    r = json(200, target.requests);
  } else if (p === '/__control/reset' && method === 'POST') {
    target.reset();
    r = empty(204);
  } else {
    r = json(404, { ok: false, error: `no control route ${method} ${p}` });
  }
  await deliver(res, r);
  return true;
}

export interface StartedServer {
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 only (never on all interfaces: the sandbox must not be reachable from the
 * network). `close` also drops keep-alive and half-served connections, otherwise a test's
 * `after` hook would wait for idle sockets to time out.
 */
export function listen(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  port = 0,
): Promise<StartedServer> {
  const server = http.createServer((req, res) => {
    handler(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`fake server error: ${(e as Error).message ?? String(e)}\n`);
      } else {
        res.destroy();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: actual,
        url: `http://127.0.0.1:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** The part of a started fake's handle that every fake exposes as is. */
export interface FakeEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `url`, `port` and `close` of a started server, to spread into a fake's handle. */
export function endpointOf(started: StartedServer): FakeEndpoint {
  return { url: started.url, port: started.port, close: () => started.close() };
}

/** What `listenFake` needs from a fake: its fault queue, request log and platform routes. */
export interface FakeServerSpec<F extends HttpFault> {
  faults: FaultQueue<F>;
  log: RequestLog<RecordedRequestBase>;
  /** Validates and queues a fault (from code or from POST /__control/faults). */
  addFault(f: unknown): void;
  reset(): void;
  /**
   * Routes served before the control routes and the request log (not recorded, never faulted);
   * returns true when it answered.
   */
  preRoute?(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
  /**
   * The platform's answer to a recorded request, given its parsed body and the fault taken for it
   * (if any). `Retry-After` from the fault is added afterwards and the fault applied on delivery.
   */
  respond(
    req: http.IncomingMessage,
    url: URL,
    body: { value: unknown; isJson: boolean },
    fault: F | undefined,
  ): FakeResponse;
}

/**
 * `listen` with the request pipeline the single-server fakes share: optional `preRoute`, the
 * `/__control/…` surface, the body read and recorded, one fault taken per request by path, the
 * platform's `respond`, the fault's `Retry-After`, then `deliver` with the fault.
 */
export function listenFake<F extends HttpFault>(spec: FakeServerSpec<F>, port = 0): Promise<StartedServer> {
  const { faults, log } = spec;
  const control: ControlTarget = {
    addFault: spec.addFault,
    clearFaults: () => faults.clear(),
    listFaults: () => faults.list(),
    requests: log.entries,
    reset: spec.reset,
  };
  return listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (spec.preRoute && (await spec.preRoute(req, res, url))) return;
    if (await handleControl(req, res, url, control)) return;
    const body = parseBody(await readBody(req));
    log.push(recordRequest(req, url, body.value));
    const fault = faults.take(url.pathname);
    const response = spec.respond(req, url, body, fault);
    if (fault?.retryAfter !== undefined) response.headers['retry-after'] = fault.retryAfter;
    await deliver(res, response, fault);
  }, port);
}

/** The number after `--name` on the command line, undefined when the flag is absent. */
export function cliNumber(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

/**
 * Standalone mode of a fake (`node out/test/fakes/<name>.js [--port N]`): the port comes from
 * `--port`, else from the environment variable `portEnv`, else 0 (any free port); prints one JSON
 * line describing the running fake and serves until SIGINT/SIGTERM. A failure to start is printed
 * to stderr as `<name> fake failed to start: …` and exits with 1.
 */
export function runStandalone<T extends { close(): Promise<void> }>(
  name: string,
  portEnv: string,
  start: (opts: { port: number }) => Promise<T>,
  describe: (fake: T) => unknown,
): void {
  const port = cliNumber('port') ?? Number(process.env[portEnv] ?? 0);
  start({ port: Number.isFinite(port) ? port : 0 }).then(
    (fake) => {
      process.stdout.write(`${JSON.stringify(describe(fake))}\n`);
      const stop = (): void => void fake.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e: unknown) => {
      process.stderr.write(`${name} fake failed to start: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
