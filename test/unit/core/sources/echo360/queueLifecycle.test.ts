/**
 * The Echo360 report queue's run lifecycle as the UI and the CLI see it, against the Echo360 fake
 * over HTTP: what a run is made of and what is sent for it, the refusals and their words, waiting,
 * completing, cancelling and removing runs, statuses learnt outside the poller, repeated failed
 * rounds, a report past its 14 days, and closing the queue.
 */
import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import { EchoQueueEvent, EchoReportQueue, EchoRequestFailedError, MemoryQueueStore, QueueState, RunState } from '../../../../../src/core/sources/echo360/queue';
import { Echo360Fake, startEcho360Fake } from '../../../../fakes/echo360';
import { daysAgo, fastClient, fastQueue } from '../../../../fakes/echo360TestKit';
import { failure, recorder } from '../../../kit/recordKit';

const ONE_CHUNK = { start: daysAgo(4), end: daysAgo(1) };
const TWO_CHUNKS = { start: daysAgo(10), end: daysAgo(1) };
const DAY = 86_400_000;

function until(queue: EchoReportQueue, test: (e: EchoQueueEvent) => boolean): Promise<EchoQueueEvent> {
  return new Promise((resolve) => {
    const sub = queue.onDidChange((e) => {
      if (test(e)) {
        sub.dispose();
        resolve(e);
      }
    });
  });
}

describe('echo360 report queue: run lifecycle', function () {
  this.timeout(20_000);
  let fake: Echo360Fake;
  const queues: EchoReportQueue[] = [];
  const track = (q: EchoReportQueue) => (queues.push(q), q);
  before(async () => {
    fake = await startEcho360Fake({ pendingMs: 60 });
  });
  afterEach(() => {
    for (const q of queues.splice(0)) q.dispose();
    fake.reset();
  });
  after(() => fake.close());

  const submits = () => fake.requests.filter((r) => r.method === 'POST' && r.path.includes('/reporting/requests/'));

  it('a run without a range is one request with no dates; defaults gzip and ","; saved before enqueue resolves', async () => {
    const store = new MemoryQueueStore();
    const queue = track(fastQueue(fastClient(fake), { store }));
    const events: EchoQueueEvent[] = [];
    queue.onDidChange((e) => events.push(e));
    const run = await queue.enqueue({ reportName: 'asset' });
    assert.deepEqual(store.peek()!.runs.map((r) => r.id), [run.id], 'saved before enqueue resolved');
    assert.deepEqual(run.chunks, [{ index: 0, status: 'Queued' }]);
    assert.deepEqual(run.output, { compression: true, delimiter: ',' });
    assert.equal(run.status, 'running');
    assert.equal(run.range, undefined);
    assert.deepEqual(events.slice(0, 2), [
      { kind: 'run', runId: run.id, status: 'running' },
      { kind: 'counts', running: 0, queued: 1, foreignPending: 0 },
    ]);
    const done = await queue.waitForRun(run.id);
    assert.equal(done.status, 'ready');
    assert.deepEqual(
      submits().map((r) => r.body),
      [{ parameters: {}, output: { compression: true, delimiter: ',' } }],
    );
  });

  it('a dated run sends start and end with its parameters and output; its parameters are its own copy', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const parameters: Record<string, string> = {};
    const run = await queue.enqueue({ reportName: 'videoview', range: ONE_CHUNK, parameters, output: { compression: false, delimiter: '|' } });
    parameters.extra = 'added after enqueue';
    await queue.waitForRun(run.id);
    assert.deepEqual(
      submits().map((r) => r.body),
      [{ parameters: { start: ONE_CHUNK.start, end: ONE_CHUNK.end }, output: { compression: false, delimiter: '|' } }],
    );
    assert.deepEqual(queue.getRun(run.id)!.parameters, {});
  });

  it('refusals name the request and the next step: still Pending, unknown request, unknown run, no such chunk', async () => {
    const slow = await startEcho360Fake({ pendingMs: 60_000 });
    try {
      const queue = track(fastQueue(fastClient(slow)));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const pending = await until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
      const id = (pending as { requestId?: string }).requestId!;
      const still = await failure(queue.resubmit(id));
      assert.ok(still instanceof InsightError);
      assert.equal(still.kind, 'usage');
      assert.equal(still.message, `Echo360 request ${id} is still Pending; wait for it to finish before resubmitting.`);
      const unknown = await failure(queue.resubmit('no-such-request'));
      assert.ok(unknown instanceof InsightError);
      assert.equal(unknown.kind, 'notFound');
      assert.equal(unknown.message, 'No queued Echo360 run holds request no-such-request. Refresh the request list.');
      for (const p of [queue.waitForRun('no-run'), queue.cancelRun('no-run'), queue.retryRun('no-run'), queue.completeRun('no-run', { file: 'f', rows: 0, bytes: 0 })]) {
        const e = await failure(p);
        assert.ok(e instanceof InsightError);
        assert.equal(e.kind, 'notFound');
        assert.equal(e.message, 'No Echo360 run no-run in the queue.');
      }
      const range = await failure(queue.waitForChunk(run.id, 1));
      assert.ok(range instanceof RangeError);
      assert.equal(range.message, `run ${run.id} has no chunk 1`);
      // Nothing of that touched the run.
      assert.equal(queue.getRun(run.id)!.status, 'running');
      assert.equal(queue.getRun(run.id)!.chunks[0].status, 'Pending');
    } finally {
      await slow.close();
    }
  });

  it('waitForChunk resolves with the Available chunk; a cancelled run rejects naming it', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'videoview', range: TWO_CHUNKS });
    const c1 = await queue.waitForChunk(run.id, 1);
    assert.equal(c1.index, 1);
    assert.equal(c1.status, 'Available');
    assert.ok(c1.requestId);
    await queue.waitForRun(run.id);
    const other = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    await queue.cancelRun(other.id);
    const e = await failure(queue.waitForChunk(other.id, 0));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'cancelled');
    assert.equal(e.message, `The Echo360 run notes ${ONE_CHUNK.start}..${ONE_CHUNK.end} was cancelled.`);
    const r = await failure(queue.waitForRun(other.id));
    assert.equal(r.message, 'The Echo360 run was cancelled.');
    assert.deepEqual(queue.counts(), { running: 0, queued: 0, foreignPending: 0 }, 'a cancelled run counts nothing');
  });

  it('completeRun records the result with its time; cancelling a completed run changes nothing; old finished runs are pruned', async () => {
    const t0 = Date.now();
    const store = new MemoryQueueStore();
    const queue = track(fastQueue(fastClient(fake), { store, keepFinishedRuns: 1, now: () => t0 }));
    const a = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    const b = await queue.enqueue({ reportName: 'polling', range: ONE_CHUNK });
    await queue.waitForRun(a.id);
    await queue.waitForRun(b.id);
    await queue.completeRun(a.id, { file: '/tmp/a.csv', rows: 10, bytes: 100 });
    assert.deepEqual(queue.getRun(a.id)!.result, { file: '/tmp/a.csv', rows: 10, bytes: 100, completedAt: new Date(t0).toISOString() });
    assert.equal(queue.getRun(a.id)!.status, 'completed');
    await queue.cancelRun(a.id);
    assert.equal(queue.getRun(a.id)!.status, 'completed', 'a completed run stays completed');
    await queue.completeRun(b.id, { file: '/tmp/b.csv', rows: 1, bytes: 2 });
    assert.deepEqual(
      queue.runs().map((r) => r.id),
      [b.id],
      'one finished run kept: the newest',
    );
    assert.deepEqual(
      store.peek()!.runs.map((r) => [r.id, r.status]),
      [[b.id, 'completed']],
    );
    assert.equal((await queue.waitForRun(b.id)).status, 'completed', 'a wait on a completed run answers at once');
    await queue.removeRun(b.id);
    assert.deepEqual(queue.runs(), []);
    assert.deepEqual(store.peek()!.runs, []);
  });

  it('cancelled runs count as finished when old runs are pruned; removing a run leaves the others', async () => {
    const queue = track(fastQueue(fastClient(fake), { keepFinishedRuns: 1 }));
    const a = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    const b = await queue.enqueue({ reportName: 'polling', range: ONE_CHUNK });
    const c = await queue.enqueue({ reportName: 'presentation', range: ONE_CHUNK });
    const d = await queue.enqueue({ reportName: 'assetbydate', range: ONE_CHUNK });
    await queue.cancelRun(a.id);
    await queue.cancelRun(b.id);
    await queue.waitForRun(c.id);
    await queue.completeRun(c.id, { file: '/tmp/c.csv', rows: 1, bytes: 2 });
    assert.deepEqual(
      queue.runs().map((r) => [r.reportName, r.status]),
      [
        ['presentation', 'completed'],
        ['assetbydate', d.status],
      ],
      'only the newest finished run is kept',
    );
    await queue.removeRun(c.id);
    assert.deepEqual(
      queue.runs().map((r) => r.id),
      [d.id],
    );
  });

  it('report parameters besides the dates are kept and sent, with and without a range', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const dated = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK, parameters: { format: 'detailed' } });
    const allTime = await queue.enqueue({ reportName: 'asset', parameters: { format: 'detailed' } });
    assert.deepEqual(queue.getRun(dated.id)!.parameters, { format: 'detailed' });
    while (submits().length < 2) await new Promise((r) => setTimeout(r, 10));
    const bodies = submits().map((r) => (r.body as { parameters: Record<string, string> }).parameters);
    assert.deepEqual(
      bodies.find((p) => p.start !== undefined),
      { format: 'detailed', start: ONE_CHUNK.start, end: ONE_CHUNK.end },
    );
    assert.deepEqual(
      bodies.find((p) => p.start === undefined),
      { format: 'detailed' },
    );
    assert.ok(allTime.id);
  });

  it('each change is told once: no request or run event repeats the status it already had; submits are logged', async () => {
    const log = recorder();
    const queue = track(fastQueue(fastClient(fake), { logger: log }));
    const events: EchoQueueEvent[] = [];
    queue.onDidChange((e) => events.push(e));
    const run = await queue.enqueue({ reportName: 'notes', range: TWO_CHUNKS });
    await queue.waitForRun(run.id);
    for (const e of events) if (e.kind === 'request') assert.notEqual(e.status, e.previous, JSON.stringify(e));
    const runEvents = events.filter((e) => e.kind === 'run').map((e) => (e.kind === 'run' ? e.status : ''));
    assert.deepEqual(runEvents, ['running', 'ready']);
    const ids = queue.getRun(run.id)!.chunks.map((c) => c.requestId);
    const chunks = queue.getRun(run.id)!.chunks;
    assert.deepEqual(
      log.lines.filter((l) => l.includes(' submitted as ')),
      chunks.map((c, i) => `info Echo360 notes ${c.start}..${c.end} submitted as ${ids[i]} (Pending)`),
    );
  });

  it('a status learnt outside the poller: Expired is sent again, Failed fails the run; an unknown id changes nothing', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    await queue.waitForRun(run.id);
    const first = queue.getRun(run.id)!.chunks[0].requestId!;
    await queue.noteStatus('unknown-id', 'Failed');
    assert.equal(queue.getRun(run.id)!.status, 'ready');
    await queue.noteStatus(first, 'Expired');
    assert.equal(queue.getRun(run.id)!.status, 'running');
    const done = await queue.waitForRun(run.id);
    assert.deepEqual(done.chunks[0].previousRequestIds, [first]);
    const second = done.chunks[0].requestId!;
    assert.notEqual(second, first);
    assert.equal(submits().length, 2);

    await queue.noteStatus(second, 'Failed');
    const e = await failure(queue.waitForRun(run.id));
    assert.ok(e instanceof EchoRequestFailedError);
    assert.equal(e.requestId, second);
    assert.equal(queue.getRun(run.id)!.error, `Echo360 request ${second} (notes ${ONE_CHUNK.start}..${ONE_CHUNK.end}) ended Failed.`);
    // retryRun sends the failed chunk again and clears the error.
    await queue.retryRun(run.id);
    const retried = await queue.waitForRun(run.id);
    assert.equal(retried.status, 'ready');
    assert.equal(retried.error, undefined);
    assert.deepEqual(retried.chunks[0].previousRequestIds, [first, second]);
    assert.equal(submits().length, 3);
  });

  it('a report name Echo360 does not know fails the run with its answer, and nothing is retried', async () => {
    const log = recorder();
    const queue = track(fastQueue(fastClient(fake), { logger: log }));
    const run = await queue.enqueue({ reportName: 'no-such-report', range: ONE_CHUNK });
    const e = await failure(queue.waitForRun(run.id));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'notFound');
    const state = queue.getRun(run.id)!;
    assert.equal(state.status, 'failed');
    assert.equal(state.chunks[0].status, 'Queued');
    assert.equal(state.chunks[0].submittedAt, undefined);
    assert.match(state.error!, /no-such-report/);
    assert.equal(state.chunks[0].error, state.error);
    assert.equal(submits().length, 1, 'sent once');
  });

  it('rounds that keep failing fail the active runs after maxConsecutiveErrors, with the error, logged per round', async () => {
    fake.addFault({ status: 500, pathIncludes: '/reporting/requests', times: Infinity });
    const log = recorder();
    const queue = track(fastQueue(fastClient(fake), { logger: log, maxConsecutiveErrors: 2 }));
    const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    const e = await failure(queue.waitForRun(run.id));
    assert.ok(e instanceof InsightError);
    assert.equal(e.kind, 'server');
    const rounds = log.lines.filter((l) => l.startsWith('warn Echo360 queue: '));
    assert.equal(rounds.length, 2);
    assert.match(rounds[0], / \(round 1 failed\)$/);
    assert.match(rounds[1], / \(round 2 failed\)$/);
    assert.equal(queue.getRun(run.id)!.status, 'failed');
    assert.equal(queue.getRun(run.id)!.error, e.message.replace(/\s+/g, ' ').trim());
    const listings = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/reporting/requests'));
    assert.equal(listings.length, 2, 'one listing per round, none after the run failed');
  });

  it('a report past its 14 days is asked for again by the poller', async () => {
    let now = Date.now();
    const queue = track(fastQueue(fastClient(fake), { now: () => now }));
    const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    await queue.waitForRun(run.id);
    const first = queue.getRun(run.id)!.chunks[0];
    const firstId = first.requestId!;
    assert.equal(Date.parse(first.expires!) - Date.parse(first.created!), 14 * DAY);
    // One minute short of the expiry: still good; the run stays ready.
    now = Date.parse(first.expires!) - 60_000;
    await queue.retryRun(run.id);
    assert.equal((await queue.waitForRun(run.id)).chunks[0].requestId, firstId);
    // At the expiry: the poller sees it, marks it Expired and sends it again.
    now = Date.parse(first.expires!);
    const expired = until(queue, (e) => e.kind === 'request' && e.status === 'Expired');
    const ready = until(queue, (e) => e.kind === 'run' && e.status === 'ready');
    await queue.retryRun(run.id);
    assert.deepEqual(await expired, { kind: 'request', runId: run.id, chunk: 0, requestId: firstId, status: 'Expired', previous: 'Available' });
    await ready;
    assert.deepEqual(queue.getRun(run.id)!.chunks[0].previousRequestIds, [firstId]);
  });

  const idle = () => new Promise((r) => setTimeout(r, 400)); // ten poll intervals of the fast queue

  it('an idle queue sends nothing; waiting on a run that is already ready answers at once', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'notes', range: TWO_CHUNKS });
    await queue.waitForRun(run.id);
    await idle();
    const sent = fake.requests.length;
    await idle();
    assert.equal(fake.requests.length, sent, 'no polling once every run is ready');
    assert.equal((await queue.waitForRun(run.id)).status, 'ready');
    assert.equal((await queue.waitForChunk(run.id, 1)).status, 'Available');
    assert.equal(fake.requests.length, sent, 'the answer came from the queue, not the server');
  });

  it('a report that expired while the queue was idle is asked for again when its chunk is waited on', async () => {
    let now = Date.now();
    const queue = track(fastQueue(fastClient(fake), { now: () => now }));
    const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    const first = (await queue.waitForRun(run.id)).chunks[0];
    const firstId = first.requestId!;
    await idle();
    now = Date.parse(first.expires!) + 1;
    const chunk = await queue.waitForChunk(run.id, 0);
    assert.notEqual(chunk.requestId, firstId);
    assert.deepEqual(chunk.previousRequestIds, [firstId]);
    assert.equal(submits().length, 2);
  });

  it('a closed queue sends nothing more, though its run is still going', async () => {
    const slow = await startEcho360Fake({ pendingMs: 5_000 });
    try {
      const queue = fastQueue(fastClient(slow));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
      queue.dispose();
      await idle();
      const sent = slow.requests.length;
      await idle();
      assert.equal(slow.requests.length, sent);
      assert.equal(queue.getRun(run.id)!.chunks[0].status, 'Pending');
    } finally {
      await slow.close();
    }
  });

  it('the counts the UI shows: foreign Pending requests exactly, and no event that repeats the last one', async () => {
    const slow = await startEcho360Fake({ pendingMs: 400 });
    try {
      slow.addRequest({ reportName: 'assetbydate', start: daysAgo(30), end: daysAgo(29), pendingMs: 1_500 });
      slow.addRequest({ reportName: 'assetbydate', start: daysAgo(28), end: daysAgo(27), pendingMs: 1_500 });
      const queue = track(fastQueue(fastClient(slow)));
      const counts: string[] = [];
      queue.onDidChange((e) => e.kind === 'counts' && counts.push(`${e.running}/${e.queued}/${e.foreignPending}`));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await queue.waitForRun(run.id);
      assert.ok(counts.includes('1/0/2'), `ours running beside the 2 foreign ones: ${counts.join(' ')}`);
      for (const c of counts) assert.match(c, /^\d\/\d\/[02]$/, `foreign Pending is 0 or 2, never ours counted in: ${counts.join(' ')}`);
      counts.forEach((c, i) => assert.notEqual(c, counts[i - 1], `a repeated counts event: ${counts.join(' ')}`));
    } finally {
      await slow.close();
    }
  });

  describe('a submit whose answer was never saved (Submitting after a restart)', () => {
    const HOUR = 3_600_000;
    function savedState(sentAt: number, trackedId?: string): QueueState {
      const base = { parameters: {}, output: { compression: true, delimiter: ',' as const }, createdAt: new Date(sentAt).toISOString() };
      const runs: RunState[] = [
        {
          ...base,
          id: 'run-restarted',
          reportName: 'notes',
          range: ONE_CHUNK,
          status: 'running',
          chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Submitting', submittedAt: new Date(sentAt).toISOString() }],
        },
      ];
      if (trackedId)
        runs.unshift({
          ...base,
          id: 'run-earlier',
          reportName: 'notes',
          range: ONE_CHUNK,
          status: 'completed',
          chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Available', requestId: trackedId }],
        });
      return { version: 1, runs };
    }

    it('adopts only its own request: same report and dates, sent after it (within 10 minutes of clock skew), not tracked by another run', async () => {
      const sentAt = fake.now() - 60_000;
      const add = (reportName: string, start: string, end: string, afterMs: number) => fake.addRequest({ reportName, start, end, createdAt: sentAt + afterMs });
      // Echo360's clock two minutes behind ours: still this chunk's request.
      const real = add('notes', ONE_CHUNK.start, ONE_CHUNK.end, -120_000);
      // Newer than the real one, so listed before it (the listing is newest first).
      add('polling', ONE_CHUNK.start, ONE_CHUNK.end, 1_000);
      add('notes', ONE_CHUNK.start, daysAgo(2), 2_000);
      add('notes', daysAgo(5), ONE_CHUNK.end, 3_000);
      const trackedId = add('notes', ONE_CHUNK.start, ONE_CHUNK.end, 4_000);
      const queue = track(fastQueue(fastClient(fake), { store: new MemoryQueueStore(savedState(sentAt, trackedId)) }));
      const done = await queue.waitForRun('run-restarted');
      assert.equal(done.chunks[0].requestId, real);
      assert.equal(submits().length, 0, 'nothing sent again');
    });

    it('a chunk saved without its send time (an older state file) adopts the matching request, however old', async () => {
      const sentAt = fake.now() - 60_000;
      const real = fake.addRequest({ reportName: 'notes', start: ONE_CHUNK.start, end: ONE_CHUNK.end, createdAt: sentAt - 2 * HOUR });
      const state = savedState(sentAt);
      delete state.runs[0].chunks[0].submittedAt;
      const queue = track(fastQueue(fastClient(fake), { store: new MemoryQueueStore(state) }));
      const done = await queue.waitForRun('run-restarted');
      assert.equal(done.chunks[0].requestId, real);
      assert.equal(submits().length, 0, 'nothing sent again');
    });

    it("someone else's older request for the same report and dates is not taken: the chunk is sent again", async () => {
      const sentAt = fake.now() - 60_000;
      const old = fake.addRequest({ reportName: 'notes', start: ONE_CHUNK.start, end: ONE_CHUNK.end, createdAt: sentAt - 2 * HOUR });
      const queue = track(fastQueue(fastClient(fake), { store: new MemoryQueueStore(savedState(sentAt)) }));
      const done = await queue.waitForRun('run-restarted');
      assert.notEqual(done.chunks[0].requestId, old);
      assert.equal(submits().length, 1);
    });
  });

  it('a Pending request the server no longer knows (gone from its list, 404 when asked) fails the run as Missing', async () => {
    const slow = await startEcho360Fake({ pendingMs: 5_000 });
    try {
      const queue = track(fastQueue(fastClient(slow)));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
      const id = queue.getRun(run.id)!.chunks[0].requestId!;
      slow.reset(); // the server forgets every request (and token)
      const e = await failure(queue.waitForRun(run.id));
      assert.ok(e instanceof EchoRequestFailedError);
      assert.equal(e.requestStatus, 'Missing');
      assert.equal(e.requestId, id);
      assert.ok(
        slow.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/request/${id}`) && r.status === 404),
        'the request was asked for by its id before it was called Missing',
      );
    } finally {
      await slow.close();
    }
  });

  it('a status learnt outside the poller for a completed run: Expired sends it again and the run goes on', async () => {
    const queue = track(fastQueue(fastClient(fake)));
    const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    const firstId = (await queue.waitForRun(run.id)).chunks[0].requestId!;
    await queue.completeRun(run.id, { file: '/tmp/n.csv', rows: 1, bytes: 2 });
    await queue.noteStatus(firstId, 'Expired');
    assert.equal(queue.getRun(run.id)!.status, 'running');
    const chunk = await queue.waitForChunk(run.id, 0);
    assert.notEqual(chunk.requestId, firstId);
    assert.equal(submits().length, 2);
  });

  it('a listener that throws is logged and the others still hear every event', async () => {
    const log = recorder();
    const queue = track(fastQueue(fastClient(fake), { logger: log }));
    queue.onDidChange(() => {
      throw new Error('listener broke');
    });
    const heard: EchoQueueEvent[] = [];
    queue.onDidChange((e) => heard.push(e));
    const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
    await queue.waitForRun(run.id);
    assert.ok(heard.some((e) => e.kind === 'run' && e.status === 'ready'));
    assert.ok(log.lines.includes('warn Echo360 queue listener failed: listener broke'));
    // Counts are told only when they change.
    const counts = heard.filter((e) => e.kind === 'counts').map((e) => JSON.stringify(e));
    for (let i = 1; i < counts.length; i++) assert.notEqual(counts[i], counts[i - 1]);
    const sub = queue.onDidChange(() => heard.push({ kind: 'run', runId: 'x', status: 'failed' }));
    sub.dispose();
    const n = heard.length;
    await queue.cancelRun(run.id);
    assert.equal(heard.filter((e) => 'runId' in e && e.runId === 'x').length, 0, 'a disposed listener hears nothing');
    assert.ok(heard.length > n);
  });

  it('closing the queue rejects every wait, refuses new ones, stops saving and telling', async () => {
    const slow = await startEcho360Fake({ pendingMs: 60_000 });
    try {
      const store = new MemoryQueueStore();
      const queue = track(fastQueue(fastClient(slow), { store }));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const heard: EchoQueueEvent[] = [];
      queue.onDidChange((e) => heard.push(e));
      const waiting = [queue.waitForRun(run.id), queue.waitForChunk(run.id, 0)];
      await until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
      const n = heard.length;
      queue.dispose();
      queue.dispose();
      // A save already under way when it closed may still land; none starts after.
      await new Promise((r) => setTimeout(r, 20));
      const saves = store.saves;
      for (const w of waiting) {
        const e = await failure(w);
        assert.ok(e instanceof InsightError);
        assert.equal(e.kind, 'cancelled');
        assert.equal(e.message, 'The Echo360 queue was closed.');
      }
      const after = await failure(queue.waitForRun(run.id));
      assert.equal(after.message, 'The Echo360 queue was closed.');
      const aborted = await failure(queue.waitForRun(run.id, AbortSignal.abort()));
      assert.equal(aborted.message, 'Cancelled.');
      await queue.cancelRun(run.id);
      assert.equal(queue.getRun(run.id)!.status, 'cancelled');
      assert.equal(store.saves, saves, 'a closed queue saves nothing');
      assert.equal(store.peek()!.runs[0].status, 'running');
      assert.equal(heard.length, n, 'and tells nothing');
    } finally {
      await slow.close();
    }
  });

  it('a wait stops at once when its signal aborts, leaving the run going', async () => {
    const slow = await startEcho360Fake({ pendingMs: 60_000 });
    try {
      const queue = track(fastQueue(fastClient(slow)));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const ac = new AbortController();
      const w = queue.waitForChunk(run.id, 0, ac.signal);
      await until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
      ac.abort();
      const e = await failure(w);
      assert.equal(e.message, 'Cancelled.');
      assert.equal(queue.getRun(run.id)!.status, 'running');
      assert.deepEqual(queue.counts(), { running: 1, queued: 0, foreignPending: 0 });
    } finally {
      await slow.close();
    }
  });

  describe('saving what the poller learns', () => {
    // Requests stay Pending 2.5 s: long enough for several rounds that learn nothing.
    let slow: Echo360Fake;
    before(async () => {
      slow = await startEcho360Fake({ pendingMs: 2500 });
    });
    after(() => slow.close());
    const lists = () => slow.requests.filter((r) => r.method === 'GET' && /\/reporting\/requests\/?$/.test(r.path.split('?')[0])).length;

    it('saves each status when it is learnt and nothing in rounds that learn nothing; a new queue on the store goes on from it', async () => {
      const store = new MemoryQueueStore();
      const queue = track(fastQueue(fastClient(slow), { store }));
      const pending = until(queue, (e) => e.kind === 'request' && e.status === 'Pending');
      const run = await queue.enqueue({ reportName: 'videoview', range: ONE_CHUNK });
      await pending;
      await new Promise((r) => setTimeout(r, 150)); // the round that learnt Pending has saved it
      assert.equal(store.peek()!.runs[0].chunks[0].status, 'Pending', 'Pending is saved');
      const savesBefore = store.saves;
      const listsBefore = lists();
      await new Promise((r) => setTimeout(r, 900));
      assert.equal(queue.getRun(run.id)!.chunks[0].status, 'Pending', 'still Pending (else this window means nothing)');
      assert.ok(lists() - listsBefore >= 3, `rounds ran: ${lists() - listsBefore} listings`);
      assert.equal(store.saves, savesBefore, 'rounds that learn nothing save nothing');
      await queue.waitForRun(run.id);
      await new Promise((r) => setTimeout(r, 100)); // the round that learnt it saves right after telling
      const saved = store.peek()!.runs[0];
      assert.equal(saved.status, 'ready', 'ready is saved');
      assert.equal(saved.chunks[0].status, 'Available', 'Available is saved');
      queue.dispose();
      // A restart: the new queue knows the run is ready and asks the server nothing.
      const sent = slow.requests.length;
      const again = track(fastQueue(fastClient(slow), { store: new MemoryQueueStore(store.peek()) }));
      assert.equal((await again.waitForRun(run.id)).status, 'ready');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(slow.requests.length, sent, 'nothing asked after the restart');
    });
  });

  describe('the poll schedule', () => {
    // The queue's timer seam: each delay the poller asks for is recorded, and the round after it
    // runs 1 ms later (or never, so that only a wake-up moves the poller on).
    function recordingTimer(fires = true) {
      const delays: number[] = [];
      let scheduled = 0;
      const timer = (ms: number, fire: () => void) => {
        delays.push(ms);
        scheduled++;
        if (!fires) return () => void scheduled--;
        const t = setTimeout(() => {
          scheduled--;
          fire();
        }, 1);
        return () => {
          clearTimeout(t);
          scheduled--;
        };
      };
      return { delays, timer, pending: () => scheduled };
    }
    const waitFor = async (test: () => boolean, what: string) => {
      for (let i = 0; i < 500 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(test(), what);
    };
    const listings = (f: Echo360Fake) => f.requests.filter((r) => r.method === 'GET' && /\/reporting\/requests\/?$/.test(r.path.split('?')[0])).length;
    let slow: Echo360Fake;
    before(async () => {
      slow = await startEcho360Fake({ pendingMs: 60_000, maxInFlight: 10 });
    });
    afterEach(() => slow.reset());
    after(() => slow.close());

    it('waits pollIntervalMs after a round that changed something, ×1.5 after each that did not, up to the ceiling; no timer once the run is ready', async () => {
      const t = recordingTimer();
      const queue = track(fastQueue(fastClient(slow), { timer: t.timer }));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await waitFor(() => t.delays.length >= 7, 'seven rounds while the request is Pending');
      slow.advanceClock(60_000); // the report is ready on the server
      await queue.waitForRun(run.id);
      const scheduled = t.delays.length;
      await new Promise((r) => setTimeout(r, 100));
      // The round that submitted changed something (40); then nothing changes: 60, 90, 135, then
      // the ceiling. The round that found the report ready ends the loop without another wait.
      assert.deepEqual(t.delays.slice(0, 4), [40, 60, 90, 135]);
      assert.deepEqual(new Set(t.delays.slice(4)), new Set([150]), `every later wait is the ceiling: ${t.delays.join(', ')}`);
      assert.equal(t.delays.length, scheduled, 'no wait scheduled after the run was ready');
      assert.equal(t.pending(), 0, 'no timer left to keep the process alive');
      assert.equal(listings(slow), t.delays.length + 1, 'one listing per round');
    });

    it('the ceiling defaults to 8 × pollIntervalMs, and pollIntervalMs is at least 10 ms', async () => {
      const t = recordingTimer();
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(), pollIntervalMs: 40, timer: t.timer }));
      await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await waitFor(() => t.delays.length >= 9, 'nine rounds');
      queue.dispose();
      assert.deepEqual(t.delays.slice(0, 9), [40, 60, 90, 135, 202.5, 303.75, 320, 320, 320]);
      slow.reset();

      const tiny = recordingTimer();
      const fast = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(), pollIntervalMs: 1, timer: tiny.timer }));
      await fast.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await waitFor(() => tiny.delays.length >= 8, 'eight rounds');
      fast.dispose();
      assert.deepEqual(tiny.delays.slice(0, 8), [10, 15, 22.5, 33.75, 50.625, 75.9375, 80, 80]);
    });

    it('failed rounds wait ×1.5 longer each, up to the ceiling; after maxConsecutiveErrors the runs fail and no timer is left', async () => {
      slow.addFault({ status: 500, pathIncludes: '/reporting/requests', times: Infinity });
      const t = recordingTimer();
      const client = fastClient(slow, { retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
      const queue = track(fastQueue(client, { maxConsecutiveErrors: 6, timer: t.timer }));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const e = await failure(queue.waitForRun(run.id), InsightError);
      assert.equal(e.kind, 'server');
      assert.deepEqual(t.delays, [60, 90, 135, 150, 150], 'a wait after each of the first five failed rounds, none after the sixth');
      assert.equal(t.pending(), 0);
      assert.equal(listings(slow), 6);
    });

    it('access denied (403) fails the runs at the first failed round: waiting cannot heal it', async () => {
      slow.addFault({ status: 403, pathIncludes: '/reporting/requests', times: Infinity });
      const log = recorder();
      const t = recordingTimer();
      // A finished run in the same queue is not touched by the failure.
      const finished: QueueState = {
        version: 1,
        runs: [
          {
            id: 'finished',
            reportName: 'notes',
            parameters: {},
            output: { compression: true, delimiter: ',' },
            range: ONE_CHUNK,
            createdAt: new Date().toISOString(),
            status: 'completed',
            chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Available', requestId: 'req-done' }],
            result: { file: 'f.csv', rows: 1, bytes: 2, completedAt: new Date().toISOString() },
          },
        ],
      };
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(finished), pollIntervalMs: 40, logger: log, timer: t.timer }));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      const e = await failure(queue.waitForRun(run.id), InsightError);
      assert.equal(queue.getRun('finished')!.status, 'completed');
      assert.equal(e.kind, 'auth');
      assert.match(e.message, /denied access .*\(403\)/);
      assert.deepEqual(
        log.lines.filter((l) => l.startsWith('warn Echo360 queue: ')).map((l) => l.replace(/^.* \(round/, '(round')),
        ['(round 1 failed)'],
      );
      assert.equal(listings(slow), 1);
      assert.deepEqual(t.delays, []);
      assert.equal(queue.getRun(run.id)!.status, 'failed');
    });

    it('a new run, a resubmit and a status learnt elsewhere wake a sleeping poller at once', async () => {
      // The timer never fires: only a wake-up starts the next round.
      const t = recordingTimer(false);
      // The requests noted Expired and Failed below are still Pending on the server and count
      // against its limit of 3; a higher limit on both sides keeps a slot free for the resubmit.
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(), pollIntervalMs: 40, timer: t.timer, maxInFlight: 10 }));
      const first = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await waitFor(() => t.delays.length === 1, 'the first round submitted and went to sleep');
      assert.equal(queue.getRun(first.id)!.chunks[0].status, 'Pending');

      const second = await queue.enqueue({ reportName: 'assetbydate', range: ONE_CHUNK });
      await waitFor(() => queue.getRun(second.id)!.chunks[0].status === 'Pending', 'the new run is submitted without waiting out the interval');
      assert.equal(t.delays.length, 2);

      // A status learnt outside the poller (the download saw the report Expired): sent again now.
      const id = queue.getRun(second.id)!.chunks[0].requestId!;
      await queue.noteStatus(id, 'Expired');
      await waitFor(() => (queue.getRun(second.id)!.chunks[0].previousRequestIds ?? []).length === 1 && queue.getRun(second.id)!.chunks[0].status === 'Pending', 'sent again at once');
      assert.equal(t.delays.length, 3);

      // A resubmit of a request that ended Failed.
      const again = queue.getRun(second.id)!.chunks[0].requestId!;
      await queue.noteStatus(again, 'Failed');
      await waitFor(() => t.delays.length === 4, 'the round after the note');
      assert.equal(queue.getRun(second.id)!.status, 'failed');
      await queue.resubmit(again);
      await waitFor(() => queue.getRun(second.id)!.chunks[0].status === 'Pending' && queue.getRun(second.id)!.chunks[0].requestId !== again, 'resubmitted at once');
      assert.equal(t.delays.length, 5);
      assert.equal(t.pending(), 1, 'one timer, the current wait');
    });

    /** A store that keeps every snapshot it was given, in order. */
    class SnapshotStore extends MemoryQueueStore {
      readonly snapshots: QueueState[] = [];
      override async save(state: QueueState): Promise<void> {
        this.snapshots.push(JSON.parse(JSON.stringify(state)) as QueueState);
        await super.save(state);
      }
    }
    const DAY_MS = 86_400_000;
    const savedRun = (over: Partial<RunState> & Pick<RunState, 'id' | 'status' | 'chunks'>): RunState => ({
      reportName: 'notes',
      parameters: {},
      output: { compression: true, delimiter: ',' },
      range: ONE_CHUNK,
      createdAt: new Date().toISOString(),
      ...over,
    });
    const available = (requestId: string, createdMs = Date.now()): RunState['chunks'][number] => ({
      index: 0,
      start: ONE_CHUNK.start,
      end: ONE_CHUNK.end,
      status: 'Available',
      requestId,
      created: new Date(createdMs).toISOString(),
      expires: new Date(createdMs + 14 * DAY_MS).toISOString(),
    });

    it('a status learnt is saved before the queue sends anything else, and the next wait is back to pollIntervalMs', async () => {
      const store = new SnapshotStore();
      const t = recordingTimer();
      // One request at a time: the second chunk is sent in the round that finds the first ready.
      const queue = track(fastQueue(fastClient(slow), { store, maxInFlight: 1, timer: t.timer }));
      const run = await queue.enqueue({ reportName: 'notes', range: TWO_CHUNKS });
      await waitFor(() => t.delays.length >= 3, 'rounds while the first request is Pending');
      slow.advanceClock(60_000);
      await waitFor(() => queue.getRun(run.id)!.chunks[1].status === 'Pending', 'the second chunk is sent');
      const learnt = store.snapshots.findIndex((s) => s.runs[0].chunks[0].status === 'Available');
      assert.ok(learnt >= 0, 'Available was saved');
      assert.equal(store.snapshots[learnt].runs[0].chunks[1].status, 'Queued', 'saved before the second chunk was sent');
      // The round that learnt something (and sent the second chunk) waits the first interval again.
      assert.ok(t.delays.indexOf(40, 1) > 0, `back to 40 after the change: ${t.delays.join(', ')}`);
    });

    it('a request adopted after a restart is saved in the round that finds it', async () => {
      const sentAt = slow.now() - 60_000;
      const real = slow.addRequest({ reportName: 'notes', start: ONE_CHUNK.start, end: ONE_CHUNK.end, createdAt: sentAt + 1_000 });
      const state: QueueState = {
        version: 1,
        runs: [savedRun({ id: 'r', status: 'running', chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Submitting', submittedAt: new Date(sentAt).toISOString() }] })],
      };
      const store = new MemoryQueueStore(state);
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store, pollIntervalMs: 40, timer: t.timer }));
      await queue.resume();
      await waitFor(() => t.delays.length === 1, 'the first round ends');
      const saved = store.peek()!.runs[0].chunks[0];
      assert.equal(saved.status, 'Pending');
      assert.equal(saved.requestId, real);
      assert.equal(slow.requests.filter((r) => r.method === 'POST' && r.path.includes('/requests/')).length, 0, 'nothing sent again');
    });

    it('adopts a request created exactly 10 minutes before its chunk was sent (the clock-skew allowance is inclusive)', async () => {
      const sentAt = slow.now() - 60_000;
      const real = slow.addRequest({ reportName: 'notes', start: ONE_CHUNK.start, end: ONE_CHUNK.end, createdAt: sentAt - 10 * 60_000 });
      const state: QueueState = {
        version: 1,
        runs: [savedRun({ id: 'r', status: 'running', chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Submitting', submittedAt: new Date(sentAt).toISOString() }] })],
      };
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(state), pollIntervalMs: 40, timer: t.timer }));
      // Made 10 minutes ago, the report is ready: the run is ready after the first round.
      assert.equal((await queue.waitForRun('r')).chunks[0].requestId, real);
      assert.deepEqual(t.delays, []);
    });

    it('a 429 ends the round\'s sending, the next round waits its Retry-After, and the log says why', async () => {
      slow.addFault({ status: 429, retryAfter: '2', pathIncludes: '/requests/notes', times: 1 });
      const log = recorder();
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(), pollIntervalMs: 40, timer: t.timer, logger: log }));
      const run = await queue.enqueue({ reportName: 'notes', range: TWO_CHUNKS });
      await waitFor(() => t.delays.length === 1, 'the first round ends');
      const posts = slow.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/requests/notes'));
      assert.deepEqual(posts.map((r) => r.status), [429], 'nothing more sent in the round the server said it was busy');
      assert.deepEqual(t.delays, [2000]);
      const [c0] = queue.getRun(run.id)!.chunks;
      const limit = log.lines.filter((l) => l.startsWith('info Echo360 is at its limit'));
      assert.equal(limit.length, 1, log.lines.join('\n'));
      assert.match(limit[0], new RegExp(`^info Echo360 is at its limit \\(Rate limit exceeded: [^)]+\\); notes ${c0.start}\\.\\.${c0.end} waits in the queue$`));
      assert.deepEqual(queue.getRun(run.id)!.chunks.map((c) => c.status), ['Queued', 'Queued']);
    });

    it('a run saved as running with every report Available becomes ready without asking the server; a run beside it is sent in that round', async () => {
      const alone = new MemoryQueueStore({ version: 1, runs: [savedRun({ id: 'a', status: 'running', chunks: [available('req-a')] })] });
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: alone, pollIntervalMs: 40, timer: t.timer }));
      assert.equal((await queue.waitForRun('a')).status, 'ready');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(alone.peek()!.runs[0].status, 'ready', 'ready is saved');
      assert.equal(slow.requests.length, 0, 'the server was not asked');

      const both = new MemoryQueueStore({
        version: 1,
        runs: [savedRun({ id: 'a', status: 'running', chunks: [available('req-a')] }), savedRun({ id: 'b', status: 'running', chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Queued' }] })],
      });
      const t2 = recordingTimer(false);
      const second = track(new EchoReportQueue({ client: fastClient(slow), store: both, pollIntervalMs: 40, timer: t2.timer }));
      await second.resume();
      await waitFor(() => t2.delays.length === 1, 'the first round ends');
      assert.equal(second.getRun('a')!.status, 'ready');
      assert.equal(second.getRun('b')!.chunks[0].status, 'Pending', 'sent in the first round');
    });

    it('a completed run whose reports have expired is left alone: no polling for it, and no request sent again', async () => {
      const now = Date.now() + 15 * DAY_MS;
      const state: QueueState = { version: 1, runs: [savedRun({ id: 'done', status: 'completed', chunks: [available('req-old')], result: { file: 'f.csv', rows: 1, bytes: 2, completedAt: new Date().toISOString() } })] };
      const store = new MemoryQueueStore(state);
      const t = recordingTimer();
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store, pollIntervalMs: 40, timer: t.timer, now: () => now }));
      await queue.resume();
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(t.delays, [], 'no round, no timer');
      assert.equal(slow.requests.length, 0);
      // Another run goes through the poller: the completed one stays as it is.
      const other = await queue.enqueue({ reportName: 'assetbydate', range: ONE_CHUNK });
      await waitFor(() => queue.getRun(other.id)!.chunks[0].status === 'Pending', 'the new run is sent');
      await waitFor(() => t.delays.length >= 3, 'a few rounds');
      const done = queue.getRun('done')!;
      assert.equal(done.status, 'completed');
      assert.equal(done.chunks[0].requestId, 'req-old');
      assert.equal(slow.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/requests/notes')).length, 0);
    });

    it('retrying a run that failed on refused credentials drops its error at once and goes on', async () => {
      const queue = track(fastQueue(fastClient(fake)));
      fake.addFault({ status: 403, pathIncludes: '/reporting/requests', times: Infinity });
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await failure(queue.waitForRun(run.id), InsightError);
      assert.match(queue.getRun(run.id)!.error ?? '', /\(403\)/);
      fake.clearFaults();
      await queue.retryRun(run.id);
      assert.equal(queue.getRun(run.id)!.status, 'running');
      assert.equal(queue.getRun(run.id)!.error, undefined, 'the old error is gone while the run goes on');
      assert.equal((await queue.waitForRun(run.id)).status, 'ready');
    });

    it('retrying or resubmitting within a run that is already running tells no run event', async () => {
      const queue = track(fastQueue(fastClient(slow)));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await waitFor(() => queue.getRun(run.id)!.chunks[0].status === 'Pending', 'sent');
      const events: EchoQueueEvent[] = [];
      queue.onDidChange((e) => events.push(e));
      await queue.retryRun(run.id);
      assert.deepEqual(events.filter((e) => e.kind === 'run'), []);
    });

    it('the counts read at start-up: a request being sent (or unconfirmed) is running, an Available one is neither running nor queued', async () => {
      const state: QueueState = {
        version: 1,
        runs: [
          savedRun({
            id: 'r',
            status: 'running',
            range: TWO_CHUNKS,
            chunks: [
              { index: 0, start: TWO_CHUNKS.start, end: daysAgo(4), status: 'Submitting', submittedAt: new Date().toISOString() },
              { ...available('req-1'), index: 1 },
            ],
          }),
        ],
      };
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(state), pollIntervalMs: 40, timer: recordingTimer(false).timer }));
      await queue.resume(); // the first round has not had its listing yet
      assert.deepEqual(queue.counts(), { running: 1, queued: 0, foreignPending: 0 });
    });

    it('waiting on a chunk of a failed run rejects with the run\'s error', async () => {
      const state: QueueState = { version: 1, runs: [savedRun({ id: 'f', status: 'failed', error: 'Echo360 request req-f ended Failed.', chunks: [{ ...available('req-f'), status: 'Failed' }] })] };
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(state), pollIntervalMs: 40 }));
      const e = await failure(queue.waitForChunk('f', 0), InsightError);
      assert.equal(e.message, 'Echo360 request req-f ended Failed.');
    });

    it('a ready run with one report past its 14 days asks for that one again after a restart and keeps the other', async () => {
      const now = Date.now();
      const state: QueueState = {
        version: 1,
        runs: [
          savedRun({
            id: 'r',
            status: 'ready',
            range: TWO_CHUNKS,
            chunks: [
              { ...available('req-old', now - 15 * DAY_MS), start: TWO_CHUNKS.start, end: daysAgo(4) },
              { ...available('req-new', now - DAY_MS), index: 1, start: daysAgo(3), end: TWO_CHUNKS.end },
            ],
          }),
        ],
      };
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(state), pollIntervalMs: 40, timer: recordingTimer(false).timer }));
      await queue.resume();
      await waitFor(() => queue.getRun('r')!.chunks[0].status === 'Pending', 'the expired report is asked for again');
      const [c0, c1] = queue.getRun('r')!.chunks;
      assert.deepEqual(c0.previousRequestIds, ['req-old']);
      assert.equal(c1.requestId, 'req-new');
      assert.equal(c1.status, 'Available');
    });

    it('a report that expires while every slot is taken is queued again and saved, though it cannot be sent yet', async () => {
      for (let i = 0; i < 3; i++) slow.addRequest({ reportName: 'assetbydate', start: daysAgo(30 - 2 * i), end: daysAgo(29 - 2 * i) });
      const now = Date.now();
      const store = new MemoryQueueStore({ version: 1, runs: [savedRun({ id: 'r', status: 'ready', chunks: [available('req-old', now - 15 * DAY_MS)] })] });
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store, pollIntervalMs: 40, timer: t.timer }));
      await queue.resume();
      await waitFor(() => t.delays.length === 1, 'the first round ends');
      const saved = store.peek()!.runs[0];
      assert.equal(saved.status, 'running');
      assert.equal(saved.chunks[0].status, 'Queued');
      assert.deepEqual(saved.chunks[0].previousRequestIds, ['req-old']);
      assert.deepEqual(t.delays, [40], 'a round that changed something');
      assert.equal(queue.counts().foreignPending, 3);
    });

    /**
     * A two-chunk run of `reportName` whose requests were both sent in the first round (the timer
     * never fires on its own), then the fake's clock moved past their processing and a round woken.
     */
    async function bothSentThenWoken(reportName: string) {
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(), pollIntervalMs: 40, timer: t.timer }));
      const run = await queue.enqueue({ reportName, range: TWO_CHUNKS });
      await waitFor(() => t.delays.length === 1 && queue.getRun(run.id)!.chunks.every((c) => c.status === 'Pending'), 'both sent in the first round');
      slow.advanceClock(60_000);
      queue.poke();
      return { t, queue, run };
    }

    it('one round learns every request that became ready', async () => {
      const { t, queue, run } = await bothSentThenWoken('notes');
      assert.equal((await queue.waitForRun(run.id)).status, 'ready');
      assert.equal(t.delays.length, 1, 'in the one round after the wake-up');
    });

    it('when a request ends Failed the round stops reading that run: its error names the first Failed request', async () => {
      slow.addFault({ endStatus: 'Failed', pathIncludes: '/requests/presentation', times: 2 });
      const { queue, run } = await bothSentThenWoken('presentation');
      const e = await failure(queue.waitForRun(run.id), EchoRequestFailedError);
      const [c0, c1] = queue.getRun(run.id)!.chunks;
      assert.equal(e.requestId, c0.requestId);
      assert.equal(c0.status, 'Failed');
      assert.equal(c1.status, 'Pending', 'the rest of the failed run is not read');
    });

    it('a submit Echo360 refuses takes no slot: the other runs fill every slot in the same round', async () => {
      const state: QueueState = {
        version: 1,
        runs: [
          savedRun({ id: 'bad', reportName: 'no-such-report', status: 'running', chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Queued' }] }),
          savedRun({
            id: 'good',
            status: 'running',
            range: TWO_CHUNKS,
            chunks: [
              { index: 0, start: TWO_CHUNKS.start, end: daysAgo(4), status: 'Queued' },
              { index: 1, start: daysAgo(3), end: TWO_CHUNKS.end, status: 'Queued' },
            ],
          }),
        ],
      };
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(state), pollIntervalMs: 40, maxInFlight: 2, timer: t.timer }));
      await queue.resume();
      await waitFor(() => t.delays.length === 1, 'the first round ends');
      assert.equal(queue.getRun('bad')!.status, 'failed');
      assert.deepEqual(queue.getRun('good')!.chunks.map((c) => c.status), ['Pending', 'Pending']);
    });

    it('a round that makes a run ready counts as a change: the next wait is the first interval', async () => {
      const pendingId = slow.addRequest({ reportName: 'assetbydate', start: ONE_CHUNK.start, end: ONE_CHUNK.end });
      const state: QueueState = {
        version: 1,
        runs: [
          savedRun({ id: 'a', status: 'running', chunks: [available('req-a')] }),
          savedRun({ id: 'b', reportName: 'assetbydate', status: 'running', chunks: [{ index: 0, start: ONE_CHUNK.start, end: ONE_CHUNK.end, status: 'Pending', requestId: pendingId }] }),
        ],
      };
      const t = recordingTimer(false);
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(state), pollIntervalMs: 40, timer: t.timer }));
      await queue.resume();
      await waitFor(() => t.delays.length === 1, 'the first round ends');
      assert.equal(queue.getRun('a')!.status, 'ready');
      assert.deepEqual(t.delays, [40]);
    });

    it('closing the queue clears the timer of its wait at once (nothing keeps the process alive)', async () => {
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(), pollIntervalMs: 60_000 }));
      const run = await queue.enqueue({ reportName: 'notes', range: ONE_CHUNK });
      await waitFor(() => queue.getRun(run.id)!.chunks[0].status === 'Pending', 'sent');
      await new Promise((r) => setTimeout(r, 50)); // the round has ended and the 60 s wait begun
      const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
      const before = timers();
      queue.dispose();
      assert.equal(timers(), before - 1);
    });

    it('a failed run saved without its error says which run failed', async () => {
      const state: QueueState = { version: 1, runs: [savedRun({ id: 'f', status: 'failed', chunks: [{ ...available('req-f'), status: 'Failed' }] })] };
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: new MemoryQueueStore(state), pollIntervalMs: 40 }));
      const e = await failure(queue.waitForRun('f'), InsightError);
      assert.equal(e.kind, 'server');
      assert.equal(e.message, `The Echo360 run notes ${ONE_CHUNK.start}..${ONE_CHUNK.end} failed.`);
    });

    it('a store that cannot be read fails the wait with its error', async () => {
      const broken = { load: () => Promise.reject(new Error('queue file unreadable')), save: () => Promise.resolve() };
      const queue = track(new EchoReportQueue({ client: fastClient(slow), store: broken, pollIntervalMs: 40 }));
      const e = await failure(queue.waitForRun('any'));
      assert.equal(e.message, 'queue file unreadable');
    });

    it('a Pending request missing from the listing whose lookup fails (500) is not called Missing: the rounds fail as an outage', async () => {
      const shortLived = await startEcho360Fake({ pendingMs: 60_000 });
      try {
        const q = track(new EchoReportQueue({ client: fastClient(shortLived, { retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 } }), store: new MemoryQueueStore(), pollIntervalMs: 40, maxConsecutiveErrors: 2 }));
        const run = await q.enqueue({ reportName: 'notes', range: ONE_CHUNK });
        await waitFor(() => q.getRun(run.id)!.chunks[0].status === 'Pending', 'sent');
        shortLived.reset(); // the listing no longer shows it
        shortLived.addFault({ status: 500, pathIncludes: '/reporting/request/', times: Infinity });
        const e = await failure(q.waitForRun(run.id), InsightError);
        assert.ok(!(e instanceof EchoRequestFailedError), `not called Missing: ${e.message}`);
        assert.equal(e.kind, 'server');
        assert.equal(q.getRun(run.id)!.chunks[0].status, 'Pending');
      } finally {
        await shortLived.close();
      }
    });
  });
});
