/**
 * Concluded courses in the course picker, and student summaries sorted by page views, on the
 * fixtures (shapes from canvas-lms app/controllers/courses_controller.rb and instructure/analytics
 * lib/analytics/student_summary.rb) and against the fake.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CanvasClient, CanvasCourse, courseDescription, isConcludedCourse, studentSummaries, summariesSortNote } from '../../../../../src/core/sources/canvas';
import { CanvasFake, startCanvasFake } from '../../../../fakes/canvas';

const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../../../test/fixtures/canvas', name), 'utf8'));

describe('Canvas: concluded courses and page-view sorts', function () {
  describe('fixtures', () => {
    it('a course is concluded by include[]=concluded or by its completed state', () => {
      const courses = fixture('courses-concluded.json') as CanvasCourse[];
      assert.deepEqual(courses.map(isConcludedCourse), [true, false, true]);
      assert.deepEqual(courses.map(courseDescription), [
        'course 370663 · INSTCON12 · Summer 2012 · concluded',
        'course 370664 · BIO101 · Fall 2026',
        'course 370665 · CHEM120 · concluded',
      ]);
    });

    it('a student without page-view data has empty page_views, not 0', () => {
      const t = studentSummaries(fixture('student-summaries-page-views.json'));
      const pv = t.columns.indexOf('page_views');
      assert.deepEqual(t.rows.map((r) => r[pv]), [351, null]);
    });

    it('the sorts that leave students out say so', () => {
      for (const s of ['page_views', 'page_views_descending', 'participations_ascending'])
        assert.equal(summariesSortNote(s), 'only students with page-view data', s);
      for (const s of [undefined, 'name', 'score_descending']) assert.equal(summariesSortNote(s), undefined, String(s));
    });
  });

  describe('against the fake', () => {
    let fake: CanvasFake;
    const client = (): CanvasClient => new CanvasClient({ baseUrl: fake.url, token: fake.token, sleep: async () => undefined });
    before(async () => {
      fake = await startCanvasFake();
    });
    after(() => fake.close());
    beforeEach(() => fake.reset());

    it('the picker lists concluded courses too, with their term, through state[] and include[]', async () => {
      const courses = await client().courses();
      assert.deepEqual(courses.map((c) => c.id), [101, 102, 103, 104, 105]);
      const psyc = courses.find((c) => c.id === 105)!;
      assert.equal(psyc.concluded, true);
      assert.equal(psyc.term?.name, 'Default Term');
      assert.equal(courses.find((c) => c.id === 101)!.concluded, false);
      const q = fake.requests[0].query;
      assert.deepEqual(q['state[]'], ['unpublished', 'available', 'completed']);
      assert.deepEqual(q['include[]'], ['term', 'concluded']);
    });

    it('the fake, like Canvas, leaves concluded courses out of a plain /api/v1/courses', async () => {
      const plain = await client().get<CanvasCourse[]>('/api/v1/courses', { query: { per_page: 100 } });
      assert.deepEqual(plain.map((c) => c.id), [101, 102, 103, 104]);
      assert.ok(plain.every((c) => !('concluded' in c) && !('term' in c)), 'no includes unless asked');
    });

    it('sorted by page views, Canvas lists only the students with page-view data', async () => {
      const course = fake.data.courses.find((c) => c.id === 101)!;
      const withData = course.summaries.filter((s) => s.page_views !== null).length;
      assert.ok(withData < course.students.length, 'the fake has students without page-view data');
      const byName = await client().studentSummaries(101);
      assert.equal(byName.length, course.students.length);
      for (const sort of ['page_views_descending', 'participations'] as const) {
        const rows = await client().studentSummaries(101, { sortColumn: sort });
        assert.equal(rows.length, withData, sort);
        assert.ok(rows.every((r) => r.page_views !== null));
      }
    });
  });
});
