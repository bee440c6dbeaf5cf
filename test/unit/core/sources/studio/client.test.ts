/**
 * Studio: URL and perspective parsing, the CSV streamed through byte for byte, token renewal on
 * 401, one-line errors, and the chart picks. Real HTTP against the Studio fake.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InsightError } from '../../../../../src/core/errors';
import { Redactor } from '../../../../../src/core/log';
import {
  StudioClient,
  StudioClientOptions,
  StudioTokens,
  completionHistogram,
  completionPercents,
  parsePerspectiveId,
  parseStudioCsv,
  pickStudioCharts,
  studioChartSpecs,
  studioUrls,
} from '../../../../../src/core/sources/studio';
import { FORBIDDEN_PERSPECTIVE, StudioFake, startStudioFake } from '../../../../fakes/studio';

const P1 = '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e55';
const P2 = 'a7d4e0b2-51c3-4f8a-9e6d-0c2b7f1a9d34';

const isKind = (kind: string) => (e: unknown) => {
  assert.ok(e instanceof InsightError, String(e));
  assert.equal(e.kind, kind, e.message);
  return true;
};

describe('Studio inputs', () => {
  it('accepts a bare UUID in any case, with or without braces', () => {
    assert.equal(parsePerspectiveId(P1), P1);
    assert.equal(parsePerspectiveId(` ${P1.toUpperCase()} `), P1);
    assert.equal(parsePerspectiveId(`{${P1}}`), P1);
  });

  it('extracts the UUID from a pasted Studio URL', () => {
    assert.equal(parsePerspectiveId(`https://school.instructuremedia.com/insights/perspectives/${P1}/overview?tab=users`), P1);
    assert.equal(parsePerspectiveId(`https://school.instructuremedia.com/media/${P2}`), P2);
    assert.equal(parsePerspectiveId(`https://x/collections/${P2}/perspectives/${P1}`), P1, 'the one after perspectives/ wins');
  });

  it('refuses anything else as a usage error', () => {
    for (const bad of ['not-a-uuid', '3f1c2a9e-8b7d-4c21-9f4e-2d6a1b0c7e5', `${P1}0`, '', 'https://school.instructuremedia.com/insights', `https://x/a/${P1}/b/${P2}`]) {
      assert.throws(() => parsePerspectiveId(bad), isKind('usage'), bad);
    }
    assert.throws(() => parsePerspectiveId('nope'), /Perspective "nope" is not a UUID\. Copy the perspective's UUID/);
  });

  it('normalises the site root and the API root to the same pair', () => {
    for (const input of ['https://school.instructuremedia.com', 'https://school.instructuremedia.com/', 'https://school.instructuremedia.com/api/public/v1', `https://school.instructuremedia.com/api/public/v1/perspectives/${P1}/insights/overview`, 'https://school.instructuremedia.com/media/library']) {
      const { site, api } = studioUrls(input);
      assert.equal(site.toString(), 'https://school.instructuremedia.com/', input);
      assert.equal(api.toString(), 'https://school.instructuremedia.com/api/public/v1', input);
    }
    assert.throws(() => studioUrls('http://school.instructuremedia.com'), isKind('usage'));
    assert.equal(studioUrls('http://127.0.0.1:8080/api/public/v1/').api.toString(), 'http://127.0.0.1:8080/api/public/v1');
  });
});

describe('StudioClient (against the fake)', function () {
  let fake: StudioFake;
  const client = (o: Partial<StudioClientOptions> = {}): StudioClient =>
    new StudioClient({ baseUrl: fake.url, accessToken: fake.token, sleep: async () => undefined, ...o });
  const refresh = () => ({ refreshToken: fake.refreshToken, clientId: fake.clientId, clientSecret: fake.clientSecret });

  before(async () => {
    fake = await startStudioFake();
  });
  after(async () => fake.close());
  beforeEach(() => fake.reset());

  describe('CSV passthrough', () => {
    it('keeps the overview CSV byte for byte (BOM, CRLF)', async () => {
      const bytes = await client().fetchInsights('overview', P1);
      const expected = fake.csv('overview', P1);
      assert.ok(bytes.equals(expected));
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.ok(bytes.includes('\r\n'));
      assert.equal(fake.requests[0].path, `/api/public/v1/perspectives/${P1}/insights/overview`);
    });

    it('keeps the users CSV byte for byte (quoted names, non-ASCII letters, LF)', async () => {
      const p1 = await client().fetchInsights('users', P1);
      assert.ok(p1.equals(fake.csv('users', P1)));
      assert.match(p1.toString('utf8'), /"[^"]+, [^"]+ Jr\."/);
      const p2 = await client({ baseUrl: `${fake.url}/api/public/v1` }).fetchInsights('users', P2);
      assert.ok(p2.equals(fake.csv('users', P2)));
      assert.ok(!p2.includes('\r\n'));
    });

    it('sends the role and accepts a pasted URL as the perspective', async () => {
      const bytes = await client().fetchInsights('users', `https://school.instructuremedia.com/insights/perspectives/${P1}`, { role: 'student' });
      assert.ok(bytes.equals(fake.csv('users', P1, 'student')));
      assert.equal(fake.requests[0].query.role, 'student');
    });

    it('streams chunk by chunk without changing a byte', async () => {
      fake.addFault({ slowBodyMs: 5, pathIncludes: '/insights/users' });
      const chunks: Uint8Array[] = [];
      const info = await client().streamInsights('users', P1, (c) => void chunks.push(c));
      assert.ok(chunks.length > 1, `${chunks.length} chunks`);
      const all = Buffer.concat(chunks);
      assert.ok(all.equals(fake.csv('users', P1)));
      assert.equal(info.bytes, all.length);
      assert.match(info.contentType ?? '', /text\/csv/);
    });

    it('makes no request for a perspective that is not a UUID', async () => {
      await assert.rejects(client().fetchInsights('overview', 'my-lecture-videos'), isKind('usage'));
      await assert.rejects(client().fetchInsights('users', P1, { role: '  ' }), isKind('usage'));
      assert.equal(fake.requests.length, 0);
    });

    it('refuses an HTML page before writing anything', async () => {
      fake.addFault({ html: true });
      const chunks: Uint8Array[] = [];
      await assert.rejects(client().streamInsights('overview', P1, (c) => void chunks.push(c)), /Expected CSV .* but got an HTML page/);
      assert.equal(chunks.length, 0);
    });

    it('reports a connection cut mid-body without retrying (the sink already has bytes)', async () => {
      fake.addFault({ resetMidBody: true, pathIncludes: '/insights/users' });
      await assert.rejects(client().fetchInsights('users', P1), (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.match(e.message, /dropped after \d+ bytes of the users CSV/);
        return true;
      });
      assert.equal(fake.requests.length, 1);
    });
  });

  describe('errors', () => {
    it('401 without a refresh token: Set Credentials', async () => {
      await assert.rejects(client({ accessToken: 'wrong-token-123' }).fetchInsights('overview', P1), (e: unknown) => {
        assert.ok(e instanceof InsightError);
        assert.equal(e.message, 'Studio refused the access token (401). Set Credentials with a new token.');
        assert.equal(e.exitCode, 3);
        return true;
      });
    });

    it('403, 404 and 422 in one line with the next step', async () => {
      await assert.rejects(client().fetchInsights('overview', FORBIDDEN_PERSPECTIVE), (e: unknown) => {
        assert.ok(e instanceof InsightError && e.exitCode === 3);
        assert.match(e.message, new RegExp(`^Studio denied access to the insights of perspective ${FORBIDDEN_PERSPECTIVE} \\(403\\)`));
        return true;
      });
      const unknown = '00000000-0000-4000-8000-000000000000';
      await assert.rejects(client().fetchInsights('users', unknown), (e: unknown) => {
        assert.ok(e instanceof InsightError && e.exitCode === 4);
        assert.match(e.message, new RegExp(`^Studio has no perspective ${unknown} \\(404\\): check the perspective UUID`));
        return true;
      });
      await assert.rejects(client().fetchInsights('users', P1, { role: 'dean' }), (e: unknown) => {
        assert.ok(e instanceof InsightError && e.exitCode === 2);
        assert.match(e.message, /^Studio rejected the request \(422\): role is not included in the list.*: check the role "dean"/);
        return true;
      });
    });

    it('refuses a token URL on another origin', () => {
      assert.throws(() => client({ refresh: { ...refresh(), tokenUrl: 'https://evil.example/oauth/token' } }), isKind('usage'));
    });
  });

  describe('token renewal', () => {
    it('renews once on 401 with the refresh token, retries, and reports the new tokens', async () => {
      fake.expireAccessToken();
      const seen: StudioTokens[] = [];
      const redactor = new Redactor();
      const oldToken = fake.token;
      const c = client({ refresh: refresh(), onTokens: (t) => void seen.push(t), redactor });
      const bytes = await c.fetchInsights('overview', P1);
      assert.ok(bytes.equals(fake.csv('overview', P1)));
      assert.equal(fake.refreshes(), 1);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].accessToken, fake.token);
      assert.notEqual(fake.token, oldToken);
      assert.equal(seen[0].refreshToken, fake.refreshToken);
      assert.equal(seen[0].expiresIn, 7200);
      const [first, grant, retry] = fake.requests;
      assert.equal(first.authorization, `Bearer ${oldToken}`);
      assert.equal(grant.path, '/api/public/oauth/token');
      assert.equal(grant.hasAuthorization, false);
      assert.match(String(grant.body), /grant_type=refresh_token/);
      assert.equal(retry.authorization, `Bearer ${fake.token}`);
      assert.ok(!redactor.redact(`x ${fake.token} y`).includes(fake.token), 'the new token is redacted');
      // The renewed token keeps working for the next call without another grant.
      await c.fetchInsights('users', P2);
      assert.equal(fake.refreshes(), 1);
    });

    it('fails once the renewed token is refused too', async () => {
      fake.addFault({ status: 401, times: 2, pathIncludes: '/insights/' });
      await assert.rejects(client({ refresh: refresh() }).fetchInsights('overview', P1), /Studio refused the token \(401\) even after renewing it\. Set Credentials/);
      assert.equal(fake.refreshes(), 1);
    });

    it('fails in one line when the refresh token is refused', async () => {
      fake.expireAccessToken();
      await assert.rejects(client({ refresh: { ...refresh(), refreshToken: 'used-up-refresh' } }).fetchInsights('overview', P1), (e: unknown) => {
        assert.ok(e instanceof InsightError && e.exitCode === 3);
        assert.match(e.message, /renewing it failed \(HTTP 400\)\. Set Credentials/);
        assert.ok(!e.message.includes('used-up-refresh'));
        return true;
      });
    });

    it('uses a configured token URL', async () => {
      const other = await startStudioFake({ tokenPath: '/oauth2/token' });
      try {
        other.expireAccessToken();
        const c = new StudioClient({ baseUrl: other.url, accessToken: other.token, refresh: { refreshToken: other.refreshToken, clientId: other.clientId, clientSecret: other.clientSecret, tokenUrl: '/oauth2/token' } });
        assert.ok((await c.fetchInsights('overview', P2)).equals(other.csv('overview', P2)));
        assert.equal(other.refreshes(), 1);
      } finally {
        await other.close();
      }
    });
  });
});

describe('Studio chart picks', () => {
  const fixture = (name: string): Buffer => fs.readFileSync(path.resolve(__dirname, '../../../../../../test/fixtures/studio', name));

  it('overview: a column of dates plus views → viewership over calendar time', () => {
    const { header, rows } = parseStudioCsv(fixture('overview-dates.csv'));
    assert.deepEqual(pickStudioCharts(['\uFEFF' + header[0], ...header.slice(1)], rows), [
      { kind: 'line', title: 'Viewership over time', x: '\uFEFFDate', axis: 'date', y: ['Views', 'Unique Viewers'] },
    ]);
    const [line] = studioChartSpecs(fixture('overview-dates.csv'));
    assert.equal(line.x.type, 'time');
    assert.equal(line.xLabel, 'Date');
    assert.deepEqual(line.x.values, ['2024-09-02', '2024-09-03', '2024-09-04'], 'in date order');
    assert.deepEqual(line.series[0].values, [210, 180, 55]);
  });

  it('overview: summary lines, then a position column in seconds → viewership through the video, axis in seconds', () => {
    const [line] = studioChartSpecs(fixture('overview-positions.csv'));
    assert.equal(line.kind, 'line');
    assert.equal(line.title, 'Viewership through the video');
    assert.equal(line.x.type, 'number');
    assert.equal(line.xLabel, 'Position (s) (seconds into the video)');
    assert.deepEqual(line.x.values, [0, 30, 60, 90, 120]);
    assert.deepEqual(line.series.map((s) => s.name), ['Views', 'Unique Viewers']);
    assert.deepEqual(line.series[0].values, [96, 90, 81, 70, 52]);
    // The preview keeps the numeric axis (no dates, no categories).
    assert.deepEqual(line.x, { type: 'number', values: [0, 30, 60, 90, 120] });
    assert.equal(line.yLabel, 'Views');
  });

  it('overview: a "Time" column of clock offsets is a position, never a date', () => {
    const [line] = studioChartSpecs(fixture('overview-clock.csv'));
    assert.equal(line.x.type, 'number');
    assert.equal(line.xLabel, 'Time (seconds into the video)');
    assert.deepEqual(line.x.values, [0, 30, 60, 630]);
    assert.notEqual(line.title, 'Viewership over time');
  });

  it('overview: a percent column → position as % of the video', () => {
    const [line] = studioChartSpecs(fixture('overview-percent.csv'));
    assert.equal(line.xLabel, 'Position (%) (% of the video)');
    assert.deepEqual(line.x.values, [0, 25, 50, 75, 100]);
  });

  it('no line when the time-ish column holds neither dates nor positions, or is not named as a position', () => {
    assert.deepEqual(pickStudioCharts(['Time', 'Views'], [['morning', '4'], ['evening', '9']]), []);
    assert.deepEqual(pickStudioCharts(['Date', 'Views'], [['2024-09-02', '4'], ['soon', '9']]), [], 'not every value is a date');
    assert.deepEqual(pickStudioCharts(['Id', 'Views'], [['1', '4'], ['2', '9']]), [], 'a number column without a position name');
    assert.deepEqual(pickStudioCharts(['Views', 'Title'], [['4', 'a']]), [], 'views without a date or position column');
  });

  it('users: a completion-rate column → histogram in 10% bins; "Last Viewed" is not a time axis', () => {
    const { header, rows } = parseStudioCsv(fixture('users.csv'));
    assert.deepEqual(pickStudioCharts(header, rows), [{ kind: 'histogram', title: 'Completion rates', column: 'Completion rate [%]', binWidth: 10 }]);
    const [hist] = studioChartSpecs(fixture('users.csv'));
    assert.equal(hist.xLabel, 'Completion rate (%)');
    assert.deepEqual(hist.x, { type: 'category', values: ['0–10', '10–20', '20–30', '30–40', '40–50', '50–60', '60–70', '70–80', '80–90', '90–100'] });
    assert.deepEqual(hist.series[0].values, [1, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('no chart when the columns do not allow one', () => {
    assert.deepEqual(pickStudioCharts(['Name', 'Email', 'Minutes Viewed'], [['a', 'b', '3']]), []);
  });

  it('bins completion rates given as "87%", 87 or 0.87', () => {
    assert.deepEqual(completionPercents(['87%', '100%', '0%', '', 'n/a']), [87, 100, 0]);
    assert.deepEqual(completionPercents(['0.87', '0.05', '1']), [87, 5, 100]);
    const { edges, counts } = completionHistogram([0, 9.9, 10, 55, 99, 100]);
    assert.deepEqual(edges, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    assert.deepEqual(counts, [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
  });

  it('builds specs from the fake CSVs', async () => {
    const fake = await startStudioFake();
    try {
      const [line] = studioChartSpecs(fake.csv('overview', P1));
      assert.equal(line.kind, 'line');
      assert.equal(line.x.type, 'time');
      assert.equal(line.x.values.length, 28);
      assert.equal(line.x.values[0], '2024-09-02');
      assert.deepEqual(line.series.map((s) => s.name), ['Views', 'Unique Viewers']);
      const [position] = studioChartSpecs(fake.csv('overview', P2));
      assert.equal(position.x.type, 'number');
      assert.match(position.xLabel ?? '', /seconds into the video/);
      assert.equal(position.x.values.length, 41);
      const users = fake.csv('users', P1);
      const [hist] = studioChartSpecs(users);
      assert.equal(hist.kind, 'histogram');
      assert.equal(hist.series[0].values.reduce((s: number, v) => s + (v ?? 0), 0), parseStudioCsv(users).rows.length);
    } finally {
      await fake.close();
    }
  });
});
