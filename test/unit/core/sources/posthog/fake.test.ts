import * as assert from 'node:assert/strict';
import { startPostHogFake, type PostHogFake } from '../../../../fakes/posthog';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

type Obj = Record<string, unknown>;

describe('PostHog fake server', function () {
  let fake: PostHogFake;

  async function call(
    path: string,
    init: { method?: string; key?: string | null; body?: unknown; absolute?: boolean } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    const key = init.key === undefined ? fake.apiKey : init.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(init.absolute ? path : `${fake.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === 'string'
            ? init.body
            : JSON.stringify(init.body),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, text, body };
  }
  const insightsPath = (q = ''): string => `/api/projects/${fake.projectId}/insights/${q}`;

  before(async () => {
    fake = await startPostHogFake({ slowInsightPolls: 3 });
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  describe('listing', () => {
    it('pages through all insights with absolute next/previous links', async () => {
      const p1 = await call(insightsPath('?order=-last_modified_at'));
      assert.equal(p1.status, 200);
      const b1 = p1.body as { count: number; next: string | null; previous: string | null; results: Obj[] };
      assert.ok(b1.count >= 130);
      assert.equal(b1.results.length, 100);
      assert.equal(b1.previous, null);
      assert.equal(b1.next, `${fake.url}/api/projects/${fake.projectId}/insights/?order=-last_modified_at&limit=100&offset=100`);

      const p2 = await call(b1.next as string, { absolute: true });
      const b2 = p2.body as typeof b1;
      assert.equal(b2.results.length, b1.count - 100);
      assert.equal(b2.next, null);
      assert.equal(b2.previous, `${fake.url}/api/projects/${fake.projectId}/insights/?order=-last_modified_at&limit=100`);

      const all = [...b1.results, ...b2.results];
      assert.equal(new Set(all.map((i) => i.id)).size, b1.count);
      const times = all.map((i) => i.last_modified_at as string);
      assert.deepEqual(times, [...times].sort().reverse(), 'ordered by last_modified_at descending');
    });

    it('keeps other query parameters in the links and honours limit/offset', async () => {
      const r = await call(insightsPath('?basic=true&limit=30&offset=30'));
      const b = r.body as { next: string; previous: string; results: Obj[] };
      assert.equal(b.results.length, 30);
      const next = new URL(b.next);
      assert.equal(next.origin, fake.url);
      assert.equal(next.searchParams.get('basic'), 'true');
      assert.equal(next.searchParams.get('offset'), '60');
      assert.equal(new URL(b.previous).searchParams.get('offset'), null);
    });

    it('answers the environments alias, with or without trailing slash', async () => {
      const a = await call(`/api/environments/${fake.projectId}/insights?limit=1&order=-last_modified_at`);
      const b = await call(`/api/projects/${fake.projectId}/insights/?limit=1&order=-last_modified_at`);
      assert.equal(a.status, 200);
      assert.deepEqual(a.body && (a.body as Obj).results, (b.body as Obj).results);
    });

    it('filters by search, short_id, insight kind, favorited, and basic drops results', async () => {
      const s = (await call(insightsPath('?search=FUNNEL'))).body as { results: Obj[] };
      assert.ok(s.results.length > 0);
      for (const i of s.results)
        assert.match(`${i.name ?? ''} ${i.derived_name ?? ''}`.toLowerCase(), /funnel/);

      const one = fake.insights[5];
      const byShort = (await call(insightsPath(`?short_id=${one.short_id}`))).body as {
        count: number;
        results: Obj[];
      };
      assert.equal(byShort.count, 1);
      assert.equal(byShort.results[0].id, one.id);

      const sql = (await call(insightsPath('?insight=SQL'))).body as { results: Obj[] };
      assert.ok(sql.results.length > 0);
      for (const i of sql.results) {
        const q = i.query as { kind: string; source: { kind: string } };
        assert.equal(q.kind, 'DataVisualizationNode');
        assert.equal(q.source.kind, 'HogQLQuery');
        assert.ok(Array.isArray(i.columns) && Array.isArray(i.result));
        for (const row of i.result as unknown[][]) assert.equal(row.length, (i.columns as string[]).length);
      }

      const fav = (await call(insightsPath('?favorited=true'))).body as { results: Obj[] };
      assert.ok(fav.results.length > 0 && fav.results.every((i) => i.favorited === true));

      const b = (await call(insightsPath('?basic=true&limit=5'))).body as { results: Obj[] };
      for (const i of b.results) {
        assert.ok(!('result' in i));
        assert.ok('short_id' in i && 'name' in i && 'query' in i);
      }
    });

    it('serves realistic result shapes for every kind', async () => {
      const kinds = ['TRENDS', 'FUNNELS', 'RETENTION', 'LIFECYCLE', 'STICKINESS', 'PATHS'];
      const got: Record<string, Obj[]> = {};
      for (const k of kinds)
        got[k] = ((await call(insightsPath(`?insight=${k}`))).body as { results: Obj[] }).results;
      for (const k of kinds) assert.ok(got[k].length > 0, k);

      const display = (i: Obj) => ((i.query as { source: { trendsFilter?: { display?: string } } }).source.trendsFilter?.display ?? '');
      const aggregated = got.TRENDS.filter((i) => ['ActionsPie', 'ActionsTable', 'BoldNumber', 'ActionsBarValue', 'WorldMap'].includes(display(i)));
      assert.ok(aggregated.some((i) => display(i) === 'ActionsPie') && aggregated.some((i) => display(i) === 'BoldNumber'));
      for (const i of aggregated)
        for (const e of i.result as Obj[]) {
          assert.deepEqual(e.data, []);
          assert.equal(e.count, 0);
          assert.equal(typeof e.aggregated_value, 'number');
          assert.ok(!('labels' in e));
        }
      const trends = got.TRENDS.filter((i) => Array.isArray(i.result) && !aggregated.includes(i));
      const entry = (trends[0].result as Obj[])[0];
      for (const key of ['action', 'label', 'count', 'data', 'labels', 'days']) assert.ok(key in entry, key);
      for (const i of trends)
        for (const e of i.result as { count: number; data: number[]; days: string[] }[]) {
          assert.equal(
            e.count,
            e.data.reduce((a, b) => a + b, 0),
          );
          assert.ok(e.data.length >= 7 && e.data.length <= 30 && e.days.length === e.data.length);
        }
      assert.ok(trends.some((i) => (i.result as Obj[]).some((e) => 'breakdown_value' in e)));

      for (const f of got.FUNNELS) {
        const steps = f.result as { count: number; order: number }[];
        assert.ok(steps.length >= 3 && steps.length <= 5);
        for (let i = 1; i < steps.length; i++) assert.ok(steps[i].count <= steps[i - 1].count);
      }
      const cohort = (
        got.RETENTION[0].result as { values: { count: number; label: string }[]; date: string }[]
      )[0];
      assert.match(cohort.values[0].label, /^(Day|Week) 0$/);
      assert.match(cohort.date, /T00:00:00Z$/);
      const dormant = (got.LIFECYCLE[0].result as { status: string; data: number[] }[]).find(
        (e) => e.status === 'dormant',
      );
      assert.ok(dormant && dormant.data.every((v) => v <= 0));
      const stick = (got.STICKINESS[0].result as { days: number[]; labels: string[] }[])[0];
      assert.deepEqual(stick.days, [1, 2, 3, 4, 5, 6, 7]);
      assert.equal(stick.labels[0], '1 day');
      const edge = (got.PATHS[0].result as { source: string; target: string; value: number }[])[0];
      assert.match(edge.source, /^1_\//);
      assert.match(edge.target, /^2_\//);
    });
  });

  describe('auth and errors', () => {
    it('401 without or with an unknown key, with PostHog body and WWW-Authenticate', async () => {
      for (const key of [null, 'phx_wrong']) {
        const r = await call(insightsPath(), { key });
        assert.equal(r.status, 401);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
        assert.deepEqual(r.body, {
          type: 'authentication_error',
          code: 'authentication_failed',
          detail: 'Incorrect authentication credentials.',
          attr: null,
        });
      }
    });

    it('403 for a project the key cannot see', async () => {
      const r = await call('/api/projects/999/insights/');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, {
        type: 'authentication_error',
        code: 'permission_denied',
        detail: "You don't have access to the project.",
        attr: null,
      });
    });

    it('404 for unknown routes and insights; an insight by numeric id or short_id', async () => {
      const nf = { type: 'invalid_request', code: 'not_found', detail: 'Not found.', attr: null };
      assert.deepEqual((await call(`/api/projects/${fake.projectId}/nothing/`)).body, nf);
      assert.deepEqual((await call(insightsPath('99999999/'))).body, nf);
      assert.equal((await call(insightsPath('NoSuchId/'))).status, 404);
      const ins = fake.insights[0];
      const a = (await call(insightsPath(`${ins.id}/`))).body as Obj;
      const b = (await call(`/api/environments/${fake.projectId}/insights/${ins.short_id}`)).body as Obj;
      assert.equal(a.id, ins.id);
      assert.deepEqual(a, b);
      for (const k of [
        'derived_name',
        'filters',
        'result',
        'columns',
        'last_refresh',
        'is_cached',
        'query_status',
        'tags',
        'created_by',
        'resolved_date_range',
        'alerts',
        'timezone',
      ])
        assert.ok(k in a, k);
    });

    it('records requests, with or without authorization', async () => {
      await call(insightsPath('?limit=1'));
      await call(insightsPath(), { key: null });
      assert.equal(fake.requests.length, 2);
      assert.equal(fake.requests[0].hasAuthorization, true);
      assert.equal(fake.requests[0].query.limit, '1');
      assert.equal(fake.requests[1].hasAuthorization, false);
      assert.equal(fake.requests[1].authorization, undefined);
    });
  });

  describe('slow asynchronous insight', () => {
    const slowPath = (q: string): string => insightsPath(`SLOWQURY/?refresh=${q}`);

    it('starts with query_status, polls 202 then 200, then carries its result', async () => {
      const cold = (await call(slowPath('force_cache'))).body as Obj;
      assert.equal(cold.result, null);
      assert.equal(cold.query_status, null);

      const started = (await call(slowPath('async'))).body as Obj;
      assert.equal(started.result, null);
      const qs = started.query_status as Obj;
      assert.equal(qs.query_async, true);
      assert.equal(qs.complete, false);
      assert.equal(qs.insight_id, started.id);
      assert.match(qs.id as string, /^[0-9a-f-]{36}$/);

      // A second fetch while running reuses the same query.
      const again = (await call(slowPath('blocking'))).body as Obj;
      assert.equal((again.query_status as Obj).id, qs.id);

      for (let i = 0; i < 3; i++) {
        const p = await call(`/api/environments/${fake.projectId}/query/${qs.id as string}/`);
        assert.equal(p.status, 202);
        assert.equal(((p.body as Obj).query_status as Obj).complete, false);
      }
      const done = await call(`/api/projects/${fake.projectId}/query/${qs.id as string}`);
      assert.equal(done.status, 200);
      const st = (done.body as Obj).query_status as Obj;
      assert.equal(st.complete, true);
      // The whole query response, as execute_process_query stores it.
      const response = st.results as Obj;
      assert.ok(Array.isArray(response.results) && st.end_time);
      assert.equal(response.hasMore, false);

      const warm = (await call(slowPath('force_cache'))).body as Obj;
      assert.deepEqual(warm.result, response.results);

      fake.reset();
      assert.equal(((await call(slowPath('force_cache'))).body as Obj).result, null);
      assert.equal((await call(`/api/projects/${fake.projectId}/query/${qs.id as string}/`)).status, 404);
    });

    it('404 for an unknown query id; cancel forgets the running query', async () => {
      assert.equal((await call(`/api/projects/${fake.projectId}/query/not-a-query/`)).status, 404);
      const qs = ((await call(slowPath('force_async'))).body as Obj).query_status as Obj;
      const c = await call(insightsPath('cancel/'), { method: 'POST', body: { client_query_id: qs.id } });
      assert.equal(c.status, 201);
      assert.equal(c.text, '');
      assert.equal((await call(`/api/projects/${fake.projectId}/query/${qs.id as string}/`)).status, 404);
      assert.deepEqual(fake.requests.find((r) => r.path.endsWith('/cancel/'))?.body, {
        client_query_id: qs.id,
      });
    });

    it('honours slowInsightPolls', async () => {
      const quick = await startPostHogFake({
        slowInsightPolls: 0,
        apiKeys: ['phx_other_key_abcdef012345'],
        projectIds: [7],
      });
      try {
        const h = { authorization: `Bearer ${quick.apiKey}` };
        const ins = (await (
          await fetch(`${quick.url}/api/projects/7/insights/SLOWQURY/?refresh=true`, { headers: h })
        ).json()) as Obj;
        const res = await fetch(
          `${quick.url}/api/projects/7/query/${(ins.query_status as Obj).id as string}/`,
          { headers: h },
        );
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      } finally {
        await quick.close();
      }
    });
  });

  describe('viewed insights', () => {
    it('starts with two, puts a new view first, caps at five', async () => {
      const start = (await call(insightsPath('my_last_viewed/'))).body as Obj[];
      assert.ok(Array.isArray(start));
      assert.equal(start.length, 2);
      assert.ok(!('result' in start[0]));

      const ids = fake.insights.slice(10, 16).map((i) => i.id);
      for (const id of ids) {
        const r = await call(insightsPath('viewed/'), { method: 'POST', body: { insight_ids: [id] } });
        assert.equal(r.status, 201);
        assert.equal(r.text, '');
      }
      const after = (await call(insightsPath('my_last_viewed/'))).body as Obj[];
      assert.deepEqual(
        after.map((i) => i.id),
        [...ids].reverse().slice(0, 5),
      );
    });

    it('400 validation_error on a bad body', async () => {
      for (const body of [{ insight_ids: 'nope' }, {}, 'not json']) {
        const r = await call(insightsPath('viewed/'), { method: 'POST', body });
        assert.equal(r.status, 400);
        assert.deepEqual(r.body, {
          type: 'validation_error',
          code: 'invalid_input',
          detail: 'insight_ids must be a list',
          attr: 'insight_ids',
        });
      }
    });
  });

  describe('faults', () => {
    it('429 with Retry-After and the wait in detail, or with neither', async () => {
      fake.addFault({ status: 429, retryAfter: '7', retryAfterInDetail: 7 });
      fake.addFault({ status: 429 });
      const a = await call(insightsPath());
      assert.equal(a.status, 429);
      assert.equal(a.headers.get('retry-after'), '7');
      assert.deepEqual(a.body, {
        type: 'throttled_error',
        code: 'throttled',
        detail: 'Request was throttled. Expected available in 7 seconds.',
        attr: null,
      });
      const b = await call(insightsPath());
      assert.equal(b.status, 429);
      assert.equal(b.headers.get('retry-after'), null);
      assert.equal((b.body as Obj).detail, 'Request was throttled.');
      assert.equal((await call(insightsPath('?limit=1'))).status, 200);
    });

    it('500 JSON, 502/503/504 plain text, status faults for 401/403/404', async () => {
      fake.addFault({ status: 500 });
      const e = await call(insightsPath());
      assert.deepEqual(e.body, {
        type: 'server_error',
        code: 'error',
        detail: 'A server error occurred.',
        attr: null,
      });
      for (const s of [502, 503, 504]) {
        fake.addFault({ status: s });
        const r = await call(insightsPath());
        assert.equal(r.status, s);
        assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      }
      fake.addFault({ status: 401 });
      assert.equal((await call(insightsPath())).headers.get('www-authenticate'), 'Bearer');
      fake.addFault({ status: 403 });
      assert.equal(((await call(insightsPath())).body as Obj).code, 'permission_denied');
      fake.addFault({ status: 404 });
      assert.equal(((await call(insightsPath())).body as Obj).code, 'not_found');
    });

    it('HTML error pages (502 by default, 200 when asked)', async () => {
      fake.addFault({ html: true });
      const a = await call(insightsPath());
      assert.equal(a.status, 502);
      assert.match(a.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(a.text, /<html>/);
      fake.addFault({ html: true, status: 200 });
      const b = await call(insightsPath());
      assert.equal(b.status, 200);
      assert.match(b.headers.get('content-type') ?? '', /^text\/html/);
    });

    it('malformed JSON is a 200 application/json that does not parse', async () => {
      fake.addFault({ malformedJson: true });
      const r = await call(insightsPath('?limit=3'));
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.throws(() => JSON.parse(r.text) as unknown);
    });

    it('reset mid-body: headers arrive, then the body fails', async () => {
      fake.addFault({ resetMidBody: true });
      const res = await fetch(`${fake.url}${insightsPath()}`, {
        headers: { authorization: `Bearer ${fake.apiKey}` },
      });
      assert.equal(res.status, 200);
      await assert.rejects(res.text());
    });

    it('slow body arrives intact, in chunks, after the delays', async () => {
      fake.addFault({ slowBodyMs: 30 });
      const t0 = Date.now();
      const r = await call(insightsPath('?limit=5'));
      assert.ok(Date.now() - t0 >= 9 * 30 - 20);
      assert.equal((r.body as { results: unknown[] }).results.length, 5);
    });

    it('times, pathIncludes and FIFO order', async () => {
      fake.addFault({ status: 503, pathIncludes: '/my_last_viewed' });
      fake.addFault({ status: 500, times: 2 });
      fake.addFault({ status: 502 });
      assert.equal((await call(insightsPath('my_last_viewed/'))).status, 503);
      assert.equal((await call(insightsPath())).status, 500);
      assert.equal((await call(insightsPath())).status, 500);
      assert.equal((await call(insightsPath())).status, 502);
      assert.equal((await call(insightsPath())).status, 200);

      fake.addFault({ status: 503, times: Infinity });
      for (let i = 0; i < 5; i++) assert.equal((await call(insightsPath('?limit=1'))).status, 503);
      fake.clearFaults();
      assert.equal((await call(insightsPath('?limit=1'))).status, 200);
    });

    it('rejects unknown fault keys', () => {
      assert.throws(
        () => fake.addFault({ statuz: 500 } as unknown as { status: number }),
        /unknown fault key/,
      );
    });
  });

  describe('control routes', () => {
    it('add, list and clear faults, read requests and reset over HTTP without auth', async () => {
      const add = await call('/__control/faults', {
        method: 'POST',
        key: null,
        body: { status: 503, times: 'Infinity', pathIncludes: '/insights' },
      });
      assert.equal(add.status, 201);
      assert.equal((await call(insightsPath())).status, 503);
      assert.equal((await call(insightsPath())).status, 503);
      assert.equal((await call('/__control/faults', { method: 'DELETE', key: null })).status, 204);
      assert.equal((await call(insightsPath('?limit=2'))).status, 200);

      const bad = await call('/__control/faults', { method: 'POST', key: null, body: { sttaus: 1 } });
      assert.equal(bad.status, 400);

      const reqs = (await call('/__control/requests', { key: null })).body as {
        path: string;
        hasAuthorization: boolean;
      }[];
      assert.equal(reqs.length, 3, 'control requests are not recorded');
      assert.ok(reqs.every((r) => r.path.includes('/insights') && r.hasAuthorization));

      await call(insightsPath('viewed/'), { method: 'POST', body: { insight_ids: [fake.insights[20].id] } });
      assert.equal((await call('/__control/reset', { method: 'POST', key: null })).status, 204);
      assert.equal(fake.requests.length, 0);
      assert.equal(((await call(insightsPath('my_last_viewed/'))).body as Obj[]).length, 2);
    });
  });

  describe('management routes', () => {
    const path = (q: string): string => `/api/projects/${fake.projectId}/insights/${q}`;

    it('DELETE is 405 with an empty body; PATCH deleted hides the insight until restored', async () => {
      const ins = fake.insights[5];
      const del = await call(path(`${ins.id}/`), { method: 'DELETE' });
      assert.equal(del.status, 405);
      assert.equal(del.text, '');
      assert.equal((await call(path(`${ins.id}/`), { method: 'PATCH', body: { deleted: true } })).status, 200);
      assert.equal(ins.deleted, true);
      assert.equal((await call(path(`${ins.id}/`))).status, 404);
      assert.equal((await call(path(`${ins.short_id}/sharing/`))).status, 404);
      assert.equal((await call(path(`${ins.id}/`), { method: 'PATCH', body: { name: 'x' } })).status, 404);
      const listed = (await call(path('?basic=true&limit=500'))).body as { results: Obj[] };
      assert.ok(!listed.results.some((r) => r.id === ins.id));
      assert.equal((await call(path(`${ins.id}/`), { method: 'PATCH', body: { deleted: false } })).status, 200);
      assert.equal((await call(path(`${ins.id}/`))).status, 200);
    });

    it('reset undoes edits in the same objects and drops created insights', async () => {
      const ins = fake.insights[0];
      const name = ins.name;
      const count = fake.insights.length;
      await call(path(`${ins.id}/`), { method: 'PATCH', body: { name: 'Changed', tags: ['x'] } });
      const created = await call(path(''), { method: 'POST', body: { name: 'New', query: { kind: 'HogQLQuery', query: 'select 1' } } });
      assert.equal(created.status, 201);
      assert.equal(fake.insights.length, count + 1);
      assert.equal(ins.name, 'Changed');
      fake.reset();
      assert.equal(fake.insights[0], ins);
      assert.equal(ins.name, name);
      assert.equal(fake.insights.length, count);
    });

    it('basic detail, the key owner with an id, and the public page needs no key', async () => {
      const ins = fake.insights[1];
      const b = (await call(path(`${ins.id}/?basic=true`))).body as Obj;
      assert.ok('query' in b && !('result' in b));
      const me = (await call('/api/users/@me/')).body as Obj;
      assert.equal(me.id, 1);
      const sharing = (await call(path(`${ins.id}/sharing/`), { method: 'PATCH', body: { enabled: true } })).body as Obj;
      const page = await call(`/shared/${sharing.access_token as string}`, { key: null });
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.equal((await call('/shared/nope', { key: null })).status, 404);
      const bad = await call(path(`${ins.id}/sharing/`), { method: 'PATCH', body: { enabled: 'yes' } });
      assert.deepEqual(bad.body, { type: 'validation_error', code: 'invalid_input', detail: 'Must be a valid boolean.', attr: 'enabled' });
    });

    it('share passwords are kept as hashes only', async () => {
      const ins = fake.insights[2];
      await call(path(`${ins.id}/sharing/`), { method: 'PATCH', body: { password_required: true } });
      const made = (await call(path(`${ins.id}/sharing/passwords/`), { method: 'POST', body: { raw_password: 'open sesame!' } })).body as Obj;
      assert.equal(made.password, 'open sesame!');
      assert.ok(!JSON.stringify(fake.manage.sharing.get(ins.id)).includes('open sesame'));
      assert.ok(fake.manage.passwordWorks(ins.id, 'open sesame!'));
      assert.equal((await call(path(`${ins.id}/sharing/passwords/${made.id as number}/`), { method: 'DELETE' })).status, 204);
      assert.equal((await call(path(`${ins.id}/sharing/passwords/${made.id as number}/`), { method: 'DELETE' })).status, 404);
    });
  });

  it('generates the same data on every start', async () => {
    const other = await startPostHogFake();
    try {
      assert.deepEqual(other.insights, fake.insights);
      assert.ok(fake.insights.every((i) => /^[A-Za-z0-9]{8}$/.test(i.short_id)));
      assert.ok(
        fake.insights.some((i) => i.name === 'Slow: all learner events (async)' && i.short_id === 'SLOWQURY'),
      );
    } finally {
      await other.close();
    }
  });
});
