/**
 * A connection reset before the response headers (fakeHttp's `resetBeforeHeaders`): the server
 * acted on the request, the client cannot know. A POST is never sent again (RFC 9110 §9.2.2);
 * a GET is; and the Echo360 queue adopts the request it could not confirm from the listing.
 */
import * as assert from 'node:assert/strict';
import { Echo360Fake, startEcho360Fake } from '../../fakes/echo360';
import { daysAgo, fastClient, fastQueue } from '../../fakes/echo360TestKit';
import type { EchoReportQueue } from '../../../src/core/sources/echo360/queue';

const SUBMIT_PATH = '/public/api/v1/reporting/requests/assetbydate';
const posts = (fake: Echo360Fake) => fake.requests.filter((r) => r.method === 'POST' && r.path === SUBMIT_PATH).length;

describe('connection reset before the response headers', function () {
  this.timeout(20_000);
  let fake: Echo360Fake;
  const queues: EchoReportQueue[] = [];
  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 200 });
  });
  afterEach(() => {
    for (const q of queues.splice(0)) q.dispose();
    fake.reset();
  });
  after(() => fake.close());

  it('a POST that reached the server is not sent again: one request at the fake, the error says the connection broke', async () => {
    fake.addFault({ resetBeforeHeaders: true, pathIncludes: '/requests/assetbydate' });
    const client = fastClient(fake);
    await assert.rejects(
      client.submit('assetbydate', { parameters: { start: daysAgo(8), end: daysAgo(1) }, output: { compression: true, delimiter: ',' } }),
      (e: Error) => /connection|socket|reset|closed/i.test(e.message),
    );
    assert.equal(posts(fake), 1, 'the POST was sent exactly once');
    assert.equal(fake.stats.submits, 1, 'and the server did create the request');
  });

  it('a GET is retried after the same reset and succeeds', async () => {
    fake.addFault({ resetBeforeHeaders: true, pathIncludes: '/reporting/requests' });
    const list = await fastClient(fake).listRequests();
    assert.ok(Array.isArray(list));
    const gets = fake.requests.filter((r) => r.method === 'GET' && r.path === '/public/api/v1/reporting/requests').length;
    assert.equal(gets, 2, 'the reset GET, then its retry');
  });

  it('the queue adopts the request whose submit it could not confirm, instead of submitting it twice', async () => {
    fake.addFault({ resetBeforeHeaders: true, pathIncludes: '/requests/assetbydate' });
    const infos: string[] = [];
    const logger = { trace() {}, debug() {}, warn() {}, error() {}, info: (m: string) => infos.push(m) };
    const queue = fastQueue(fastClient(fake), { logger });
    queues.push(queue);
    const run = await queue.enqueue({ reportName: 'assetbydate', range: { start: daysAgo(21), end: daysAgo(1) } });
    const done = await queue.waitForRun(run.id);
    assert.equal(done.chunks.length, 3);
    assert.equal(posts(fake), 3, 'three chunks, three POSTs: the unconfirmed one was not sent again');
    assert.equal(fake.stats.submits, 3);
    const ids = done.chunks.map((c) => c.requestId);
    assert.equal(new Set(ids).size, 3, `three distinct requests: ${ids.join(', ')}`);
    assert.ok(
      infos.some((m) => /found request \S+/.test(m)),
      `the adoption is logged:\n${infos.join('\n')}`,
    );
  });
});
