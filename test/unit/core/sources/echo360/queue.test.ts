import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import { CredentialsRefusedError } from '../../../../../src/core/sources/echo360/client';
import {
  EchoQueueEvent,
  EchoReportQueue,
  EchoRequestFailedError,
  MemoryQueueStore,
  QueueState,
  QueueStore,
} from '../../../../../src/core/sources/echo360/queue';
import { Echo360Fake, startEcho360Fake } from '../../../../fakes/echo360';
import { daysAgo, fastClient, fastQueue } from '../../../../fakes/echo360TestKit';

/** 70 days → 10 chunks of 7 days. */
const TEN_CHUNKS = { start: daysAgo(71), end: daysAgo(1) };
const THREE_CHUNKS = { start: daysAgo(21), end: daysAgo(1) };

function until(queue: EchoReportQueue, test: (e: EchoQueueEvent) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const sub = queue.onDidChange((e) => {
      if (test(e)) {
        sub.dispose();
        resolve();
      }
    });
  });
}

describe('echo360 report queue', function () {
  this.timeout(20_000);
  let fake: Echo360Fake;
  const queues: EchoReportQueue[] = [];
  const track = (q: EchoReportQueue) => (queues.push(q), q);
  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 250 });
  });
  afterEach(() => {
    for (const q of queues.splice(0)) q.dispose();
    fake.reset();
  });
  after(() => fake.close());

  it('runs 10 chunks with never more than 3 requests in flight', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const events: EchoQueueEvent[] = [];
    queue.onDidChange((e) => events.push(e));
    const run = await queue.enqueue({ reportName: 'videoview', range: TEN_CHUNKS });
    assert.equal(run.chunks.length, 10);
    const done = await queue.waitForRun(run.id);
    assert.equal(done.status, 'ready');
    assert.equal(fake.stats.submits, 10);
    assert.ok(fake.stats.maxInFlight <= 3, `the fake saw ${fake.stats.maxInFlight} in flight`);
    assert.equal(fake.stats.maxInFlight, 3, 'and the slots were used');
    assert.equal(fake.stats.inFlightRejections, 0, 'the queue never asked for a 4th');
    const counts = events.filter((e): e is Extract<EchoQueueEvent, { kind: 'counts' }> => e.kind === 'counts');
    assert.ok(counts.every((c) => c.running <= 3));
    assert.ok(counts.some((c) => c.queued === 7 && c.running === 3));
    const first = events.filter((e) => e.kind === 'request' && e.chunk === 0).map((e) => (e as { status: string }).status);
    assert.deepEqual(first, ['Submitting', 'Pending', 'Available']);
    assert.ok(events.some((e) => e.kind === 'run' && e.status === 'ready'));
    for (const c of done.chunks) {
      assert.ok(c.requestId && c.created && c.expires);
      assert.equal(Date.parse(c.expires!) - Date.parse(c.created!), 14 * 86_400_000);
    }
    assert.equal(done.chunks[0].start, TEN_CHUNKS.start);
    assert.equal(done.chunks[9].end, TEN_CHUNKS.end);
  });

  it('counts Pending requests that others already have on the server', async () => {
    fake.addRequest({ reportName: 'assetbydate', start: daysAgo(30), end: daysAgo(29), pendingMs: 600 });
    fake.addRequest({ reportName: 'assetbydate', start: daysAgo(28), end: daysAgo(27), pendingMs: 600 });
    const queue = track(fastQueue(fastClient(fake)));
    const seen: number[] = [];
    queue.onDidChange((e) => e.kind === 'counts' && seen.push(e.foreignPending));
    const run = await queue.enqueue({ reportName: 'videoview', range: THREE_CHUNKS });
    await queue.waitForRun(run.id);
    assert.ok(fake.stats.maxInFlight <= 3);
    assert.equal(fake.stats.inFlightRejections, 0);
    assert.ok(seen.includes(2), 'the UI was told about the 2 foreign requests');
  });

  it('waits in the queue when the server says it is at its limit (not a failure)', async () => {
    const strict = await startEcho360Fake({ pendingMs: 150, maxInFlight: 1, inFlightStatus: 409 });
    try {
      const queue = track(fastQueue(fastClient(strict)));
      const run = await queue.enqueue({ reportName: 'notes', range: THREE_CHUNKS });
      const done = await queue.waitForRun(run.id);
      assert.equal(done.status, 'ready');
      assert.ok(strict.stats.inFlightRejections > 0, 'the server did refuse some submits');
      assert.equal(strict.stats.submits, 3);
    } finally {
      await strict.close();
    }
  });

  it('resumes after a restart from the same store: nothing lost, nothing submitted twice', async () => {
    const store = new MemoryQueueStore();
    const client = fastClient(fake);
    const q1 = track(fastQueue(client, { store }));
    const run = await q1.enqueue({ reportName: 'videoview', range: TEN_CHUNKS });
    await until(q1, (e) => e.kind === 'request' && e.chunk === 4 && e.status === 'Pending');
    q1.dispose(); // the process dies here
    const saved = store.peek()!;
    assert.ok(
      saved.runs[0].chunks.some((c) => c.status === 'Queued'),
      'unsent chunks were saved',
    );
    assert.ok(saved.runs[0].chunks.filter((c) => c.requestId).length >= 4, 'sent chunks were saved with their ids');

    const q2 = track(fastQueue(fastClient(fake), { store }));
    await q2.resume();
    const done = await q2.waitForRun(run.id);
    assert.equal(done.status, 'ready');
    assert.equal(fake.stats.submits, 10);
    assert.equal(new Set(done.chunks.map((c) => c.requestId)).size, 10);
    assert.ok(fake.stats.maxInFlight <= 3);
  });

  it('finds a request whose submit answer was never saved (crash between POST and save)', async () => {
    const inner = new MemoryQueueStore();
    let frozen = false;
    const store: QueueStore = {
      load: () => inner.load(),
      save: async (s: QueueState) => {
        if (frozen) return new Promise<void>(() => undefined); // the process hangs, then dies
        await inner.save(s);
        if (s.runs[0]?.chunks[1]?.status === 'Submitting') frozen = true;
      },
    };
    const q1 = track(fastQueue(fastClient(fake), { store }));
    const run = await q1.enqueue({ reportName: 'assetbydate', range: THREE_CHUNKS });
    while (fake.stats.submits < 2) await new Promise((r) => setTimeout(r, 10));
    q1.dispose();
    assert.equal(inner.peek()!.runs[0].chunks[1].status, 'Submitting');

    const q2 = track(fastQueue(fastClient(fake), { store: inner }));
    const done = await q2.waitForRun(run.id);
    assert.equal(fake.stats.submits, 3, 'the unrecorded request was adopted, not submitted again');
    assert.equal(new Set(done.chunks.map((c) => c.requestId)).size, 3);
  });

  it('adopts a request whose submit answer was cut off instead of sending it twice', async () => {
    fake.addFault({ resetMidBody: true, pathIncludes: '/requests/asset' });
    const warnings: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const queue = track(fastQueue(fastClient(fake), { logger }));
    const run = await queue.enqueue({ reportName: 'assetbydate', range: THREE_CHUNKS });
    const done = await queue.waitForRun(run.id);
    assert.ok(
      warnings.some((w) => /connection .* kept dropping|broke|UND_ERR_SOCKET/i.test(w)),
      warnings.join('\n'),
    );
    assert.equal(fake.stats.submits, 3, 'the cut-off submit had created its request: it was found, not resent');
    assert.equal(new Set(done.chunks.map((c) => c.requestId)).size, 3);
  });

  for (const status of ['Failed', 'Missing'] as const) {
    it(`a request that ends ${status} fails the run with its id; resubmit(requestId) goes on`, async () => {
      fake.addFault({ endStatus: status, pathIncludes: '/requests/presentation' });
      const queue = track(fastQueue(fastClient(fake)));
      const failed: EchoQueueEvent[] = [];
      queue.onDidChange((e) => e.kind === 'run' && e.status === 'failed' && failed.push(e));
      const run = await queue.enqueue({ reportName: 'presentation', range: THREE_CHUNKS });
      let err: EchoRequestFailedError | undefined;
      await assert.rejects(queue.waitForRun(run.id), (e: unknown) => {
        assert.ok(e instanceof EchoRequestFailedError);
        err = e;
        return true;
      });
      const bad = queue.getRun(run.id)!.chunks[0];
      assert.equal(err!.requestId, bad.requestId);
      assert.equal(err!.requestStatus, status);
      assert.match(
        err!.message,
        new RegExp(
          `Echo360 request ${bad.requestId} \\(presentation ${bad.start}\\.\\.${bad.end}\\) (ended Failed|is Missing).*Resubmit it`,
        ),
      );
      assert.equal(failed.length, 1);
      assert.equal(queue.getRun(run.id)!.status, 'failed');

      await queue.resubmit(err!.requestId);
      const done = await queue.waitForRun(run.id);
      assert.equal(done.status, 'ready');
      assert.deepEqual(done.chunks[0].previousRequestIds, [err!.requestId]);
      assert.equal(fake.stats.submits, 4);
    });
  }

  it('a failed run keeps its failure when another of its requests expires: the error still names the Failed request', async () => {
    fake.addFault({ endStatus: 'Failed', pathIncludes: '/requests/presentation' });
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'presentation', range: THREE_CHUNKS });
    await assert.rejects(queue.waitForRun(run.id), EchoRequestFailedError);
    const [bad, other] = queue.getRun(run.id)!.chunks;
    assert.equal(bad.status, 'Failed');
    assert.ok(other.requestId, 'the second request was sent too');
    // The download finds the second report expired: it is asked for again, the run stays failed.
    await queue.noteStatus(other.requestId!, 'Expired');
    const after = queue.getRun(run.id)!;
    assert.equal(after.status, 'failed');
    assert.equal(after.chunks[1].status, 'Queued');
    assert.match(after.error ?? '', new RegExp(`Echo360 request ${bad.requestId} `));
    await assert.rejects(queue.waitForRun(run.id), (e: unknown) => e instanceof EchoRequestFailedError && e.requestId === bad.requestId);
    // Resubmitting the Failed one clears the failure: the run goes on to ready.
    await queue.resubmit(bad.requestId!);
    assert.equal(queue.getRun(run.id)!.error, undefined);
    assert.equal((await queue.waitForRun(run.id)).status, 'ready');
  });

  it('resubmits a request that comes back Expired by itself', async () => {
    fake.addFault({ endStatus: 'Expired', pathIncludes: '/requests/polling' });
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'polling', range: THREE_CHUNKS });
    const done = await queue.waitForRun(run.id);
    assert.equal(done.status, 'ready');
    assert.equal(done.chunks[0].previousRequestIds?.length, 1);
    assert.equal(fake.stats.submits, 4);
  });

  it('fails its runs when the credentials stop working, with the Set Credentials message', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'confused', range: THREE_CHUNKS });
    await until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
    fake.revokeTokens();
    fake.addFault({ tokenRefused: true, times: Infinity });
    await assert.rejects(queue.waitForRun(run.id), (e: unknown) => e instanceof CredentialsRefusedError && e.exitCode === 3);
    assert.equal(queue.getRun(run.id)!.status, 'failed');
  });

  it('cancelRun stops submitting; waiting on it rejects as cancelled', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'videoview', range: TEN_CHUNKS });
    await until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
    await queue.cancelRun(run.id);
    const sentBeforeCancel = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/requests/videoview')).length;
    await assert.rejects(queue.waitForRun(run.id), (e: unknown) => e instanceof InsightError && e.kind === 'cancelled');
    assert.ok(sentBeforeCancel >= 1 && sentBeforeCancel <= 3, `${sentBeforeCancel} sent before the cancel`);
    // Another run through the same queue takes many polling rounds: each one would have sent the
    // cancelled run's next chunk. None does.
    const other = await queue.enqueue({ reportName: 'assetbydate', range: THREE_CHUNKS });
    await queue.waitForRun(other.id);
    const sentInAll = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/requests/videoview')).length;
    assert.equal(sentInAll, sentBeforeCancel, 'nothing of the cancelled run was sent after the cancel');
    assert.equal(queue.getRun(run.id)!.chunks.filter((c) => c.requestId).length, sentBeforeCancel);
  });

  it('refuses an invalid range before anything is sent', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    await assert.rejects(
      queue.enqueue({ reportName: 'videoview', range: { start: daysAgo(1), end: daysAgo(5) } }),
      /The range is reversed/,
    );
    assert.equal(fake.requests.length, 0);
  });
});
