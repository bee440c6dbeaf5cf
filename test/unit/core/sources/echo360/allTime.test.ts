/**
 * Reports without a date range (`asset`: all time) and the listing they are read from.
 * Parser tests run on test/fixtures/echo360/reports.json directly; the rest against the fake,
 * which follows Echo360's docs (https://support.echo360.com/hc/en-us/articles/360042030652):
 * `asset` listed with `"parameters": []`, refusing start/end.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InsightError } from '../../../../../src/core/errors';
import { downloadRun } from '../../../../../src/core/sources/echo360/download';
import { readReport, otherParameters, takesDateRange, unwrapList } from '../../../../../src/core/sources/echo360/types';
import { Echo360Fake, startEcho360Fake } from '../../../../fakes/echo360';
import { daysAgo, fastClient, fastQueue, tempDir } from '../../../../fakes/echo360TestKit';

const FIXTURE = path.resolve(__dirname, '../../../../../../test/fixtures/echo360/reports.json');

describe('echo360 reports without a date range', function () {
  this.timeout(30_000);

  describe('the /reports listing (fixture)', () => {
    const listing = unwrapList(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')), ['reports'])!.map(readReport);
    const byName = (n: string) => listing.find((r) => r?.name === n)!;

    it('asset, listed with "parameters": [], takes no date range', () => {
      const asset = byName('asset');
      assert.equal(asset.parametersListed, true);
      assert.deepEqual(asset.parameters, []);
      assert.equal(takesDateRange(asset), false);
    });

    it('assetbydate and videoview take start/end', () => {
      for (const n of ['assetbydate', 'videoview']) {
        assert.equal(takesDateRange(byName(n)), true, n);
        assert.deepEqual(otherParameters(byName(n)), [], n);
      }
    });

    it('a parameter this client does not know is kept as listed, not guessed', () => {
      const r = byName('sectionroster');
      assert.equal(takesDateRange(r), false);
      assert.deepEqual(otherParameters(r), [{ name: 'sectionId', datatype: 'string', required: true }]);
    });

    it('an entry without a parameters field is not read as "no parameters"', () => {
      const r = byName('legacy');
      assert.equal(r.parametersListed, false);
      assert.equal(takesDateRange(r), true);
    });
  });

  describe('against the fake', () => {
    let fake: Echo360Fake;
    before(async () => {
      fake = await startEcho360Fake({ pendingMs: 100, rowsPerDay: 10 });
    });
    afterEach(() => fake.reset());
    after(() => fake.close());

    it('the fake lists asset with no parameters and the others with start/end', async () => {
      const reports = await fastClient(fake).listReports();
      const asset = reports.find((r) => r.name === 'asset')!;
      assert.deepEqual(asset.parameters, []);
      assert.equal(takesDateRange(asset), false);
      assert.equal(takesDateRange(reports.find((r) => r.name === 'videoview')!), true);
    });

    it('the fake refuses start/end on asset, as the real service does', async () => {
      const client = fastClient(fake);
      await assert.rejects(
        client.submit('asset', { parameters: { start: daysAgo(8), end: daysAgo(1) }, output: { compression: true, delimiter: ',' } }),
        (e: unknown) => e instanceof InsightError && e.kind === 'usage' && /does not accept parameter\(s\): start, end/.test(e.message),
      );
      const ok = await client.submit('asset', { parameters: {}, output: { compression: true, delimiter: ',' } });
      assert.equal(ok.accepted, true);
    });

    it('an asset run is ONE request with no parameters, downloaded into one CSV', async () => {
      const client = fastClient(fake);
      const queue = fastQueue(client);
      try {
        const run = await queue.enqueue({ reportName: 'asset', output: { compression: true, delimiter: ',' } });
        assert.equal(run.chunks.length, 1);
        assert.equal(run.range, undefined);
        const out = path.join(tempDir(), 'asset.csv');
        const result = await downloadRun(client, queue, run.id, { outFile: out, delimiter: ',' });
        const posts = fake.requests.filter((r) => r.method === 'POST' && r.path.includes('/reporting/requests/'));
        assert.equal(posts.length, 1);
        assert.deepEqual((posts[0].body as { parameters: unknown }).parameters, {});
        const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
        assert.match(lines[0], /^institution_id,asset_id,asset_name,/);
        assert.equal(result.rows, lines.length - 1);
        assert.ok(result.rows > 0);
      } finally {
        queue.dispose();
      }
    });

    it('a videoview range older than a year is sent (no client-side refusal); assetbydate is refused before sending', async () => {
      const client = fastClient(fake);
      const queue = fastQueue(client);
      try {
        const run = await queue.enqueue({ reportName: 'videoview', range: { start: daysAgo(400), end: daysAgo(398) } });
        await queue.waitForRun(run.id);
        assert.equal(fake.stats.submits, 1);
        await assert.rejects(
          queue.enqueue({ reportName: 'assetbydate', range: { start: daysAgo(400), end: daysAgo(398) } }),
          /more than one year ago; Echo360's assetbydate report reaches back one year only/,
        );
        assert.equal(fake.stats.submits, 1, 'nothing sent for assetbydate');
      } finally {
        queue.dispose();
      }
    });

    it("when Echo360 refuses a range, the run fails with the server's words", async () => {
      const client = fastClient(fake);
      const queue = fastQueue(client);
      try {
        fake.addFault({ status: 400, pathIncludes: '/requests/videoview' });
        const run = await queue.enqueue({ reportName: 'videoview', range: { start: daysAgo(500), end: daysAgo(498) } });
        await assert.rejects(queue.waitForRun(run.id), (e: unknown) => e instanceof InsightError && /Injected HTTP 400/.test(e.message));
      } finally {
        queue.dispose();
      }
    });
  });
});
