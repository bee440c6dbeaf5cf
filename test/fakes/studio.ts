/**
 * A local Canvas Studio with the public Insights API over real HTTP on 127.0.0.1.
 *
 * What it reproduces (API-NOTES.md "Canvas Studio Insights"; headers, roles and error bodies are
 * unconfirmed upstream, so the fake varies them on purpose and clients must keep what comes):
 * - `GET /api/public/v1/perspectives/{uuid}/insights/overview[?role=]` → CSV, and
 *   `…/insights/users[?role=]` → CSV (paths, `role`, 401/403/404/422: Studio's API reference,
 *   https://developerdocs.instructure.com/services/studio/api-reference/insights). The docs
 *   describe the content only in words ("video views, time viewed, unique viewers and time based
 *   viewership data"; "user name, email, role(s), completion rate and time based completion
 *   data"): every column layout below is UNVERIFIED, and the two perspectives differ on purpose.
 *   The first: overview `Date,Views,Unique Viewers,Minutes Viewed` (viewership by calendar day),
 *   users `Name,Email,Role,Completion Rate,Minutes Viewed,Last Viewed`, UTF-8 BOM and CRLF. The
 *   second: overview as two-cell summary lines (`Views,N`, `Time Viewed [min],N`,
 *   `Unique Viewers,N`: the rows a public script reading this endpoint looks for) then a
 *   `Position (s),Views,Unique Viewers` table of viewership through the video; users
 *   `…,Completion rate [%],…` (the header that script reads) with plain numbers; LF. Names
 *   carry commas, quotes and non-ASCII letters, so any re-serialisation shows;
 * - Bearer auth, 401 on a bad or expired token, 403 (a perspective the user may not see),
 *   404 (unknown perspective), 422 (unknown role or malformed perspective id);
 * - OAuth `refresh_token` grant at `/api/public/oauth/token` (single-use refresh tokens);
 * - faults and `/__control/…` as in the other fakes, plus `POST /__control/expire-token`.
 *
 * Run standalone: `node out/test/fakes/studio.js [--port N]` prints one JSON line
 * `{"url","token","perspectives"}` and serves until SIGINT/SIGTERM.
 */
import type * as http from 'node:http';
import {
  type FakeResponse,
  type HttpFault,
  type RecordedRequestBase,
  FaultQueue,
  RequestLog,
  bearerToken,
  deliver,
  empty,
  endpointOf,
  first,
  htmlLoginPage,
  json,
  listenFake,
  nginxErrorPage,
  normalizeFault,
  parseQuery,
  readBody,
  runStandalone,
  text,
} from './fakeHttp';
import { mulberry32 } from './random';

export const SANDBOX_STUDIO_TOKEN = 'studio-sandbox-access-0123456789abcdef';
export const SANDBOX_STUDIO_REFRESH = 'studio-sandbox-refresh-fedcba9876543210';
export const SANDBOX_STUDIO_CLIENT = { id: 'sandbox-client', secret: 'sandbox-client-secret-0011223344' };

export interface StudioFakePerspective {
  uuid: string;
  label: string;
}

export const STUDIO_PERSPECTIVES: readonly StudioFakePerspective[] = [
  { uuid: '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e55', label: 'BIO 101 · Lecture recordings' },
  { uuid: 'a7d4e0b2-51c3-4f8a-9e6d-0c2b7f1a9d34', label: 'HIST 210 · Flipped lessons' },
];
/** Exists, but the token's user may not see it (403). */
export const FORBIDDEN_PERSPECTIVE = 'c0ffee00-1d2e-4f5a-8b9c-aabbccddeeff';
export const STUDIO_ROLES = ['student', 'teacher', 'ta'] as const;

export interface StudioFakeOptions {
  port?: number;
  token?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Default `/api/public/oauth/token`. */
  tokenPath?: string;
}

export type StudioFault = HttpFault;
export type RecordedRequest = RecordedRequestBase;

export interface StudioFake {
  url: string;
  port: number;
  /** The access token valid right now. */
  token: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  perspectives: StudioFakePerspective[];
  requests: RecordedRequest[];
  /** The exact bytes the fake serves for one CSV. */
  csv(kind: 'overview' | 'users', uuid: string, role?: string): Buffer;
  /** The current access token stops working (the next request gets 401); a refresh issues a new one. */
  expireAccessToken(): void;
  /** How many refresh grants succeeded. */
  refreshes(): number;
  addFault(f: StudioFault): void;
  clearFaults(): void;
  reset(): void;
  close(): Promise<void>;
}

const FIRST = ['Aiyana', 'Bruno', 'Céline', 'Dmitri', 'Eun-ji', 'Fatima', 'Guillermo', 'Hiroshi', 'Ingrid', 'José', 'Kwame', 'Leïla', 'Marta', 'Nils', 'Oluwaseun', 'Pita', 'Rania', 'Søren', 'Thandiwe', 'Zoë'];
const LAST = ['Acosta', 'Brennan', 'Çelik', 'Dąbrowski', 'Eze', 'Fontaine', 'Gallagher', 'Haddad', 'Iwu', 'Johansson', 'Kim', 'Lindqvist', 'Mensah', 'Núñez', "O'Connor", 'Papadopoulos'];

const addDays = (iso: string, n: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The CSV bytes for a perspective, kind and role: deterministic. */
export function studioCsv(kind: 'overview' | 'users', index: number, role: string | undefined): Buffer {
  const crlf = index === 0;
  const eol = crlf ? '\r\n' : '\n';
  const scale = role === undefined ? 1 : role === 'student' ? 0.9 : 0.1;
  const r = mulberry32(1000 + index * 97 + (role ?? '').length * 13 + (kind === 'users' ? 5 : 0));
  const lines: string[] = [];
  if (kind === 'overview' && index === 1) {
    // Summary lines, then viewership at each 30 s of a 20-minute video (unverified layout).
    const points = Array.from({ length: 41 }, (_, k) => k * 30);
    const views = points.map((p) => Math.max(0, Math.round(scale * 160 * Math.exp(-p / 900) * (0.85 + r() * 0.3))));
    const unique = views.map((v) => Math.round(v * (0.6 + r() * 0.2)));
    lines.push(`Views,${views[0]}`, `Time Viewed [min],${(views.reduce((a, b) => a + b, 0) / 2).toFixed(1)}`, `Unique Viewers,${unique[0]}`);
    lines.push('Position (s),Views,Unique Viewers');
    points.forEach((p, k) => lines.push(`${p},${views[k]},${unique[k]}`));
  } else if (kind === 'overview') {
    lines.push('Date,Views,Unique Viewers,Minutes Viewed');
    const start = index === 0 ? '2024-09-02' : '2024-09-09';
    for (let d = 0; d < 28; d++) {
      const date = addDays(start, d);
      const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
      const views = Math.round((dow === 0 || dow === 6 ? 60 : 220) * scale * (0.6 + r() * 0.8));
      const unique = Math.round(views * (0.55 + r() * 0.2));
      lines.push([date, String(views), String(unique), (views * (4 + r() * 9)).toFixed(1)].join(','));
    }
  } else {
    lines.push(index === 1 ? 'Name,Email,Role,Completion rate [%],Time Viewed [min],Last Viewed' : 'Name,Email,Role,Completion Rate,Minutes Viewed,Last Viewed');
    const n = index === 0 ? 300 : 45;
    for (let i = 0; i < n; i++) {
      const teacher = i % 40 === 0;
      const userRole = teacher ? 'Teacher' : 'Student';
      if (role !== undefined && role !== userRole.toLowerCase() && !(role === 'ta' && teacher)) continue;
      const f = FIRST[(i * 3 + index) % FIRST.length];
      const l = LAST[(i * 7) % LAST.length];
      const name = i % 23 === 5 ? `${l}, ${f} Jr.` : i % 31 === 7 ? `${f} "${f.slice(0, 3)}" ${l}` : `${f} ${l}`;
      const email = `${f.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${l.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}${i}@example.edu`;
      const never = r() < 0.06;
      const rate = never ? 0 : Math.min(100, Math.round(20 + r() * 85));
      const minutes = never ? '0.0' : (rate * (0.5 + r() * 1.2)).toFixed(1);
      const last = never ? '' : `${addDays('2024-09-02', Math.floor(r() * 40))} ${String(8 + Math.floor(r() * 14)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}`;
      lines.push([csvField(name), email, userRole, index === 1 ? String(rate) : `${rate}%`, minutes, last].join(','));
    }
  }
  const body = lines.join(eol) + eol;
  return Buffer.concat([crlf ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(body, 'utf8')]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startStudioFake(opts: StudioFakeOptions = {}): Promise<StudioFake> {
  const initialToken = opts.token ?? SANDBOX_STUDIO_TOKEN;
  const initialRefresh = opts.refreshToken ?? SANDBOX_STUDIO_REFRESH;
  const clientId = opts.clientId ?? SANDBOX_STUDIO_CLIENT.id;
  const clientSecret = opts.clientSecret ?? SANDBOX_STUDIO_CLIENT.secret;
  const tokenPath = opts.tokenPath ?? '/api/public/oauth/token';
  const faults = new FaultQueue<StudioFault>();
  const log = new RequestLog<RecordedRequest>();
  let access = initialToken;
  let refresh = initialRefresh;
  let expired = false;
  let grants = 0;
  const handle = {} as StudioFake;

  const reset = (): void => {
    faults.clear();
    log.clear();
    access = initialToken;
    refresh = initialRefresh;
    expired = false;
    grants = 0;
    handle.token = access;
    handle.refreshToken = refresh;
  };

  const unauthorized = (why: string): FakeResponse =>
    json(401, { error: 'invalid_token', error_description: why }, { 'www-authenticate': `Bearer error="invalid_token", error_description="${why}"` });

  const grant = (body: unknown): FakeResponse => {
    const p = new URLSearchParams(typeof body === 'string' ? body : '');
    if (p.get('grant_type') !== 'refresh_token') return json(400, { error: 'unsupported_grant_type' });
    if (p.get('client_id') !== clientId || p.get('client_secret') !== clientSecret) return json(401, { error: 'invalid_client' });
    if (p.get('refresh_token') !== refresh) return json(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid or was already used.' });
    grants++;
    access = `studio-access-renewed-${grants}-${clientId.length}abcdef`;
    refresh = `studio-refresh-renewed-${grants}-0123456789`;
    expired = false;
    handle.token = access;
    handle.refreshToken = refresh;
    return json(200, { access_token: access, token_type: 'Bearer', expires_in: 7200, refresh_token: refresh, created_at: Math.floor(Date.now() / 1000) });
  };

  const route = (req: http.IncomingMessage, url: URL, body: unknown): FakeResponse => {
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (path === tokenPath) return method === 'POST' ? grant(body) : json(405, { error: 'method_not_allowed' });
    const m = /^\/api\/public\/v1\/perspectives\/([^/]+)\/insights\/(overview|users)$/.exec(path);
    if (!m) return json(404, { error: 'Not Found' });
    const given = bearerToken(req);
    if (given === undefined) return unauthorized('No access token');
    if (given !== access) return unauthorized('The access token is invalid');
    if (expired) return unauthorized('The access token expired');
    if (method !== 'GET') return json(405, { error: 'method_not_allowed' });
    if (!UUID.test(m[1])) return json(422, { errors: [{ message: 'perspective_id is not a valid UUID' }] });
    const role = first(parseQuery(url.searchParams), 'role');
    if (role !== undefined && !(STUDIO_ROLES as readonly string[]).includes(role)) {
      return json(422, { errors: [{ message: `role is not included in the list: ${STUDIO_ROLES.join(', ')}` }] });
    }
    const uuid = m[1].toLowerCase();
    if (uuid === FORBIDDEN_PERSPECTIVE) return json(403, { error: 'You do not have access to this perspective' });
    const index = STUDIO_PERSPECTIVES.findIndex((p) => p.uuid === uuid);
    if (index < 0) return json(404, { error: 'Perspective not found' });
    const file = `${m[2]}-${uuid.slice(0, 8)}${role ? `-${role}` : ''}.csv`;
    return { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${file}"` }, body: studioCsv(m[2] as 'overview', index, role) };
  };

  const addFault = (f: unknown): void => faults.add(normalizeFault<StudioFault>(f));
  const expireAccessToken = (): void => {
    expired = true;
  };

  const started = await listenFake(
    {
      faults,
      log,
      addFault,
      reset,
      preRoute: async (req, res, url) => {
        if (url.pathname !== '/__control/expire-token' || req.method !== 'POST') return false;
        await readBody(req);
        expireAccessToken();
        await deliver(res, empty(204));
        return true;
      },
      respond: (req, url, body, fault) => {
        if (fault?.html) return text(fault.status ?? 200, fault.status && fault.status !== 200 ? nginxErrorPage(fault.status) : htmlLoginPage(), 'text/html');
        if (fault?.status !== undefined && fault.status !== 200) {
          const s = fault.status;
          return s === 401 ? unauthorized('The access token is invalid') : s >= 500 ? text(s, nginxErrorPage(s), 'text/html') : json(s, { error: `HTTP ${s}` });
        }
        return route(req, url, body.value);
      },
    },
    opts.port ?? 0,
  );

  Object.assign(handle, {
    ...endpointOf(started),
    token: access,
    refreshToken: refresh,
    clientId,
    clientSecret,
    perspectives: STUDIO_PERSPECTIVES.map((p) => ({ ...p })),
    requests: log.entries,
    csv: (kind: 'overview' | 'users', uuid: string, role?: string) => studioCsv(kind, STUDIO_PERSPECTIVES.findIndex((p) => p.uuid === uuid.toLowerCase()), role),
    expireAccessToken,
    refreshes: () => grants,
    addFault: (f: StudioFault) => addFault(f),
    clearFaults: () => faults.clear(),
    reset,
  });
  return handle;
}

if (require.main === module) {
  // Sandbox tokens are published constants, not credentials.
  runStandalone('studio', 'STUDIO_FAKE_PORT', startStudioFake, (fake) => ({ url: fake.url, token: fake.token, perspectives: fake.perspectives }));
}
