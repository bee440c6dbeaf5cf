/**
 * CanvasClient against the Canvas fake over real HTTP on 127.0.0.1: pagination, same-origin
 * rule, throttling vs permission errors, async Progress, roster names, department and student
 * endpoints.
 */
import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import { CanvasApiError, CanvasClient, CanvasClientOptions, canvasRetryMessage, canvasTables, describeCanvasError, isCanvasThrottle } from '../../../../../src/core/sources/canvas';
import { HttpStatusError } from '../../../../../src/core/http';
import { CanvasFake, startCanvasFake } from '../../../../fakes/canvas';

describe('CanvasClient (against the fake)', function () {
  let fake: CanvasFake;
  let sleeps: number[];

  const client = (o: Partial<CanvasClientOptions> = {}): CanvasClient =>
    new CanvasClient({
      baseUrl: fake.url,
      token: fake.token,
      sleep: async (ms) => void sleeps.push(ms),
      progress: { initialDelayMs: 1, maxDelayMs: 2 },
      ...o,
    });
  const rejectsWith = async (p: Promise<unknown>, check: (e: InsightError) => void): Promise<void> => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof InsightError, `expected InsightError, got ${String(e)}`);
      check(e);
      return true;
    });
  };

  before(async () => {
    fake = await startCanvasFake();
  });
  after(async () => fake.close());
  beforeEach(() => {
    fake.reset();
    sleeps = [];
  });

  describe('Link pagination', () => {
    it('follows rel="next" across 3 pages at per_page=100 and returns all 260 students', async () => {
      const rows = await client().studentSummaries(101);
      assert.equal(rows.length, 260);
      assert.equal(new Set(rows.map((r) => r.id)).size, 260);
      const reqs = fake.requests.filter((r) => r.path.endsWith('/student_summaries'));
      assert.deepEqual(reqs.map((r) => [r.query.per_page, r.query.page]), [['100', undefined], ['100', '2'], ['100', '3']]);
      assert.ok(reqs.every((r) => r.authorization === `Bearer ${fake.token}`));
    });

    it('keeps Canvas order for sort_column, including _descending, and filters by student_id', async () => {
      const rows = await client().studentSummaries(101, { sortColumn: 'page_views_descending' });
      const pv = rows.map((r) => r.page_views as number);
      assert.deepEqual(pv, [...pv].sort((a, b) => b - a));
      const one = await client().studentSummaries(101, { studentId: 1042 });
      assert.deepEqual(one.map((r) => r.id), [1042]);
      await rejectsWith(client().studentSummaries(101, { sortColumn: 'grade' }), (e) => assert.equal(e.kind, 'usage'));
    });

    it('honours a per_page already in the path (26 pages of 10)', async () => {
      const all = (await client().getAll('/api/v1/courses/101/analytics/student_summaries?per_page=10')) as unknown[];
      assert.equal(all.length, 260);
      assert.equal(fake.requests.length, 26);
    });

    it('refuses a next link on another origin and never sends it the token', async () => {
      const other = await startCanvasFake({ token: 'other-token-0000' });
      try {
        fake.addFault({ nextOrigin: other.url, pathIncludes: 'student_summaries' });
        await rejectsWith(client().studentSummaries(101), (e) => {
          assert.equal(e.kind, 'data');
          assert.match(e.message, /next-page link to another origin \(http:\/\/127\.0\.0\.1:\d+\); refusing to follow it/);
          assert.ok(!e.message.includes(fake.token));
        });
        assert.equal(other.requests.length, 0);
        assert.equal(fake.requests.length, 1);
      } finally {
        await other.close();
      }
    });

    it("with crossOriginNext 'stop' ends the listing at the last same-origin page", async () => {
      fake.addFault({ nextOrigin: 'http://localhost:9', pathIncludes: 'student_summaries' });
      const rows = await client({ crossOriginNext: 'stop' }).studentSummaries(101);
      assert.equal(rows.length, 100);
      assert.equal(fake.requests.length, 1);
    });

    it('merges wrapped lists across pages ({"enrollment_terms":[…]})', async () => {
      const terms = await client({ perPage: 2 }).terms('self');
      assert.deepEqual(terms.map((t) => t.name), ['Default Term', 'Fall 2024', 'Spring 2025']);
      assert.equal(fake.requests.length, 2);
    });
  });

  describe('throttling and errors', () => {
    it('retries the 403 "Rate Limit Exceeded" (X-Rate-Limit-Remaining 0.0) and succeeds', async () => {
      fake.addFault({ rateLimit: true, times: 2, pathIncludes: 'student_summaries' });
      const rows = await client().studentSummaries(101);
      assert.equal(rows.length, 260);
      assert.equal(fake.requests.length, 5);
      assert.equal(sleeps.length, 2, 'two backoff waits');
    });

    it('reports a throttle that outlasts the retries as throttled (exit 5), never as a permission problem', async () => {
      fake.addFault({ rateLimit: true, times: Infinity });
      await rejectsWith(client().courseActivity(101), (e) => {
        assert.equal(e.kind, 'throttled');
        assert.equal(e.exitCode, 5);
        assert.doesNotMatch(e.message, /denied|permission/i);
      });
      assert.equal(fake.requests.length, 7, '1 + 6 retries');
    });

    it('waits out a throttle of tens of seconds (no Retry-After): up to about a minute in all, with jitter, each wait announced', async () => {
      // Canvas sends no Retry-After (canvas-lms doc/api/throttling.md): six throttled answers in a row.
      fake.addFault({ rateLimit: true, times: 6, pathIncludes: '/analytics/activity' });
      const told: string[] = [];
      const days = await client().courseActivity(101, { onRetry: (info) => told.push(canvasRetryMessage(info)) });
      assert.equal(days.length, 117, 'succeeds on the seventh attempt');
      assert.equal(sleeps.length, 6);
      const total = sleeps.reduce((a, b) => a + b, 0);
      assert.ok(total >= 30_000 && total <= 65_000, `waited ${total} ms in all`);
      assert.ok(sleeps.every((ms, i) => i === 0 || ms >= sleeps[0]), `waits grow: ${sleeps.join(', ')}`);
      assert.equal(told.length, 6);
      told.forEach((m, i) => assert.match(m, new RegExp(`^throttled by Canvas, retrying in \\d+ s \\(retry ${i + 1} of 6\\)$`)));
      assert.match(told[5], new RegExp(`retrying in ${Math.round(sleeps[5] / 1000)} s`));
    });

    it('tells the retries of each call to that call only (two calls side by side)', async () => {
      fake.addFault({ rateLimit: true, times: 1, pathIncludes: '/courses/101/analytics/activity' });
      const a: string[] = [];
      const b: string[] = [];
      await Promise.all([
        client().courseActivity(101, { onRetry: (i) => a.push(i.url.pathname) }),
        client().courseActivity(102, { onRetry: (i) => b.push(i.url.pathname) }),
      ]);
      assert.deepEqual(a, ['/api/v1/courses/101/analytics/activity']);
      assert.deepEqual(b, []);
    });

    it('retries 429 too', async () => {
      fake.addFault({ status: 429, times: 1 });
      assert.equal((await client().courseActivity(101)).length, 117);
      assert.equal(sleeps.length, 1);
    });

    it('says which permission a real 403 lacks, in one line', async () => {
      await rejectsWith(client().departmentGrades(4, 'current'), (e) => {
        assert.equal(e.message, "Canvas denied access to analytics for account 4 (403): the token's user needs the view_analytics permission on account 4.");
        assert.equal(e.exitCode, 3);
      });
      await rejectsWith(client().courseActivity(103), (e) => assert.match(e.message, /^Canvas denied access to analytics for course 103 \(403\): the token's user needs the view_analytics permission .* in course 103\.$/));
      assert.equal(sleeps.length, 0, 'a permission 403 is not retried');
    });

    it('401 asks for a new token; 404 names the id to check', async () => {
      await rejectsWith(client({ token: 'not-the-token' }).courses(), (e) => {
        assert.equal(e.message, 'Canvas refused the access token (401). Set Credentials with a new token.');
        assert.equal(e.exitCode, 3);
      });
      await rejectsWith(client().courseActivity(5), (e) => {
        assert.match(e.message, /^Canvas says analytics for course 5 does not exist \(404\): check the course id 5/);
        assert.equal(e.exitCode, 4);
      });
      await rejectsWith(client().departmentActivity(1, { termId: 99 }), (e) => assert.match(e.message, /check the account id 1 and the term id 99/));
      await rejectsWith(client().studentActivity(101, 9999), (e) => assert.match(e.message, /student 9999 in course 101.*check the course id 101 and the student id 9999/));
    });

    it('treats an older instance\'s 401 "unauthorized" as a permission problem', () => {
      const err = new HttpStatusError(401, new URL('https://c.example/api/v1/courses/5/analytics/activity'), {}, '{"status":"unauthorized","errors":[{"message":"user not authorized to perform that action"}]}');
      const e = describeCanvasError(err);
      assert.equal(e.reason, 'permission');
      assert.match(e.message, /denied access to analytics for course 5 \(401\)/);
    });

    it('recognises throttles only by Canvas\'s signs', () => {
      assert.equal(isCanvasThrottle(403, {}, '403 Forbidden (Rate Limit Exceeded)'), true);
      assert.equal(isCanvasThrottle(403, { 'x-rate-limit-remaining': '0.0' }, ''), true);
      assert.equal(isCanvasThrottle(403, { 'x-rate-limit-remaining': '512.5' }, '{"status":"unauthorized"}'), false);
      assert.equal(isCanvasThrottle(429, {}, ''), true);
      assert.equal(isCanvasThrottle(401, { 'x-rate-limit-remaining': '0' }, ''), false);
    });

    it('notes X-Request-Cost and X-Rate-Limit-Remaining', async () => {
      const c = client();
      await c.courseActivity(101);
      assert.equal(typeof c.lastRate.cost, 'number');
      assert.ok((c.lastRate.remaining ?? 0) > 0 && (c.lastRate.remaining ?? 0) < 700);
    });

    it('refuses absolute URLs on other hosts before any request', async () => {
      await rejectsWith(client().get('https://evil.example/api/v1/courses'), (e) => assert.equal(e.kind, 'usage'));
      assert.equal(fake.requests.length, 0);
    });
  });

  describe('async assignments', () => {
    it('polls the Progress (queued → running → completed) with backoff, then asks again', async () => {
      const states: string[] = [];
      const rows = await client().courseAssignments(101, { onProgress: (p) => states.push(`${p.workflow_state}:${p.completion}`) });
      assert.equal(rows.length, 8);
      assert.deepEqual(states, ['queued:0', 'running:50', 'completed:100']);
      assert.deepEqual(fake.requests.map((r) => r.path), [
        '/api/v1/courses/101/analytics/assignments', '/api/v1/progress/31', '/api/v1/progress/31', '/api/v1/progress/31', '/api/v1/courses/101/analytics/assignments',
      ]);
      assert.ok(fake.requests.every((r) => r.hasAuthorization));
      assert.equal(fake.requests[0].query.async, 'true');
      assert.deepEqual(sleeps, [1, 2], 'waits between polls grow, capped');
      const table = canvasTables('course.assignments', rows)[0].table;
      const medians = table.rows.map((r) => r[table.columns.indexOf('median')]);
      assert.deepEqual(medians.map((m) => m === null), [false, false, false, false, false, true, false, true], 'two assignments have suppressed statistics');
    });

    it('fails in one line when the Progress fails', async () => {
      fake.addFault({ progressFails: true, pathIncludes: '/progress/' });
      await rejectsWith(client().courseAssignments(101), (e) => {
        assert.equal(e.kind, 'server');
        assert.match(e.message, /could not prepare analytics for course 101: its background job failed \(Job failed: statement timeout\)/);
      });
    });

    it('gives up after the progress timeout', async () => {
      const slow = await startCanvasFake({ progressPolls: 1000 });
      try {
        const c = new CanvasClient({ baseUrl: slow.url, token: slow.token, progress: { initialDelayMs: 5, maxDelayMs: 5, timeoutMs: 60 } });
        await rejectsWith(c.courseAssignments(101), (e) => {
          assert.equal(e.kind, 'timeout');
          assert.match(e.message, /still preparing analytics for course 101/);
        });
      } finally {
        await slow.close();
      }
    });

    it('stops waiting when cancelled', async () => {
      const slow = await startCanvasFake({ progressPolls: 1000 });
      try {
        const ac = new AbortController();
        const c = new CanvasClient({ baseUrl: slow.url, token: slow.token, progress: { initialDelayMs: 20, maxDelayMs: 20 } });
        setTimeout(() => ac.abort(), 80);
        await rejectsWith(c.courseAssignments(101, { signal: ac.signal }), (e) => assert.equal(e.kind, 'cancelled'));
      } finally {
        await slow.close();
      }
    });

    it('answers directly when the data is ready (course 102) or async is off', async () => {
      assert.equal((await client().courseAssignments(102)).length, 5);
      assert.equal((await client().courseAssignments(101, { async: false })).length, 8);
      assert.equal(fake.requests.filter((r) => r.path.includes('progress')).length, 0);
    });
  });

  describe('endpoints', () => {
    it('adds student names from the roster when permitted, ids only otherwise', async () => {
      const bio = await client().fetch({ id: 'course.studentSummaries', courseId: 101 });
      assert.equal(bio.names?.size, 260);
      const t = canvasTables('course.studentSummaries', bio.data, { names: bio.names })[0].table;
      const i = t.columns.indexOf('name');
      assert.ok(i === 1 && t.rows.every((r) => typeof r[i] === 'string' && (r[i] as string).length > 2));
      const usersReq = fake.requests.find((r) => r.path === '/api/v1/courses/101/users');
      assert.equal(usersReq?.query['enrollment_type[]'], 'student');

      const hist = await client().fetch({ id: 'course.studentSummaries', courseId: 102 });
      assert.equal(hist.names, undefined);
      assert.equal((hist.data as unknown[]).length, 42);
      assert.equal(canvasTables('course.studentSummaries', hist.data)[0].table.columns.includes('name'), false);
    });

    it('lists only students under course.students', async () => {
      const r = await client().fetch({ id: 'course.students', courseId: 101 });
      assert.equal((r.data as unknown[]).length, 260);
      assert.equal(canvasTables('course.students', r.data)[0].table.rows.length, 260);
    });

    it('reads department analytics for the default term and a given term', async () => {
      const c = client();
      const act = await c.departmentActivity('self', 'current');
      const byDate = canvasTables('department.activity', act)[0].table;
      assert.equal(byDate.rows.length, 28);
      assert.deepEqual(byDate.rows.map((r) => r[0]), [...byDate.rows.map((r) => r[0] as string)].sort(), 'sorted although Canvas sent them interleaved');
      const grades = canvasTables('department.grades', await c.departmentGrades(1, { termId: 7 }))[0].table;
      assert.equal(grades.rows.length, 101);
      assert.ok(grades.rows.some((r) => r[1] === 0), 'scores missing from the map are 0');
      const subs = await c.statisticsBySubaccount(1, 'completed');
      assert.deepEqual(subs.map((s) => s.name), ['College of Arts & Sciences', 'School of Engineering', 'School of Medicine']);
      const stats = canvasTables('department.statistics', await c.departmentStatistics(1, 'current'))[0].table;
      assert.equal(stats.rows.length, 1);
      assert.equal(stats.rows[0][stats.columns.indexOf('subaccounts')], 3);
      assert.equal(fake.requests[0].path, '/api/v1/accounts/self/analytics/current/activity');
    });

    it('reads student activity keyed by hour (course 101) and by day (course 102)', async () => {
      const hourly = canvasTables('student.activity', await client().studentActivity(101, 1001));
      assert.equal(hourly[0].title, 'Page views per hour');
      assert.match(String(hourly[0].table.rows[0][0]), /^\d{4}-\d{2}-\d{2}T\d{2}:00:00-00:00$/);
      const daily = canvasTables('student.activity', await client().studentActivity(102, 2001));
      assert.equal(daily[0].title, 'Page views per day');
      assert.match(String(daily[0].table.rows[0][0]), /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(daily[1].table.rows.length > 0, 'participations');
    });

    it('reads student assignments and communication', async () => {
      const a = canvasTables('student.assignments', await client().studentAssignments(101, 1001))[0].table;
      assert.equal(a.rows.length, 8);
      assert.ok(a.columns.includes('submission.score') && a.columns.includes('status'));
      const m = canvasTables('student.communication', await client().studentCommunication(101, 1001))[0].table;
      assert.deepEqual(m.columns, ['date', 'instructorMessages', 'studentMessages']);
      assert.ok(m.rows.every((r) => typeof r[1] === 'number' && typeof r[2] === 'number'));
      assert.ok(m.rows.some((r) => r[1] === 0) && m.rows.some((r) => r[2] === 0), 'absent counts became 0');
    });

    it('lists courses and accepts an API URL as the base', async () => {
      const c = client({ baseUrl: `${fake.url}/api/v1` });
      assert.equal(c.site.toString(), `${fake.url}/`);
      const courses = await c.courses();
      assert.deepEqual(courses.map((x) => x.id), [101, 102, 103, 104, 105], 'concluded course 105 included');
    });

    it('returns permission errors as CanvasApiError with a reason the UI can act on', async () => {
      await assert.rejects(client().fetch({ id: 'course.activity', courseId: 103 }), (e: unknown) => e instanceof CanvasApiError && e.reason === 'permission');
    });
  });
});
