/** The plan of HogQL Fetch All's time slices (src/core/sources/posthog/hogqlSlices.ts). */
import * as assert from 'node:assert/strict';
import { bisect, isoOfMicros, microsOf, planSlices } from '../../../../../src/core/sources/posthog/hogqlSlices';

const DAY = 86_400_000_000;
const us = (iso: string) => Date.parse(iso) * 1000;

describe('HogQL time slices', () => {
  it('reads PostHog date-times to the microsecond, in any zone, and writes them back as UTC', () => {
    assert.equal(microsOf('2026-11-04T10:00:00.123456Z'), us('2026-11-04T10:00:00.123Z') + 456);
    assert.equal(microsOf('2026-11-04 10:00:00'), us('2026-11-04T10:00:00Z'));
    assert.equal(microsOf('2026-11-04T02:00:00.5-08:00'), us('2026-11-04T10:00:00.500Z'));
    assert.equal(microsOf('2026-11-04T12:00:00.000001+0200'), us('2026-11-04T10:00:00Z') + 1);
    for (const v of ['2026-11-04', 'tomorrow', 42, null, '2026-11-04T25:00:00Z']) assert.equal(microsOf(v), undefined, String(v));
    for (const t of [us('2026-11-04T10:00:00.123Z') + 456, us('1999-12-31T23:59:59.999Z') + 999, us('2026-01-01T00:00:00Z')])
      assert.equal(microsOf(isoOfMicros(t)), t);
    assert.equal(isoOfMicros(us('2026-11-04T10:00:00.123Z') + 4), '2026-11-04T10:00:00.123004Z');
  });

  it('cuts the range into contiguous slices of about the target rows, the last one open-ended', () => {
    const from = us('2026-11-01T06:00:00Z');
    // 30,000 rows a day for 10 days (the first day counts only the rows after `from`).
    const days = Array.from({ length: 10 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, rows: 30_000 }));
    const slices = planSlices(from, days, 40_000);
    // 300,000 rows in slices of 40,000: 7 full ones, then the open rest.
    assert.equal(slices.length, 8);
    assert.equal(slices[0].from, from);
    assert.equal(slices[slices.length - 1].to, undefined);
    for (let i = 1; i < slices.length; i++) assert.equal(slices[i].from, slices[i - 1].to, 'no gap, no overlap');
    // Rows even within a day: 40,000 rows are 4/3 of a day, except the first day's 30,000 lie in its last 18 hours.
    assert.equal(slices[0].to, us('2026-11-02T00:00:00Z') + Math.round((10_000 / 30_000) * DAY));
    assert.equal(slices[1].to! - slices[0].to!, Math.round((4 / 3) * DAY));
  });

  it('plans only the slices the wanted rows need, and no slice when one page holds the rest', () => {
    const days = Array.from({ length: 10 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, rows: 30_000 }));
    const from = us('2026-11-01T00:00:00Z');
    assert.equal(planSlices(from, days, 40_000, 100_000).length, 3, '2 slices of 40,000 + the open rest');
    assert.deepEqual(planSlices(from, [{ day: '2026-11-01', rows: 30_000 }], 40_000), [{ from }]);
    assert.deepEqual(planSlices(from, [], 40_000), [{ from }], 'an empty count still covers everything');
    assert.deepEqual(planSlices(from, [{ day: 'not a day', rows: 90_000 }], 40_000), [{ from }]);
  });

  it('a burst inside one day gets its own slices', () => {
    const from = us('2026-11-01T00:00:00Z');
    const slices = planSlices(from, [{ day: '2026-11-01', rows: 1000 }, { day: '2026-11-02', rows: 200_000 }, { day: '2026-11-03', rows: 1000 }], 40_000);
    const inDay2 = slices.filter((s) => s.to !== undefined && s.from >= us('2026-11-02T00:00:00Z') && s.to <= us('2026-11-03T00:00:00Z'));
    assert.ok(inDay2.length >= 4, `${inDay2.length} slices inside the busy day`);
  });

  it('bisects a bounded slice into two halves that meet; an open or 1 µs slice is not cut', () => {
    assert.deepEqual(bisect({ from: 100, to: 201 }), [
      { from: 100, to: 150 },
      { from: 150, to: 201 },
    ]);
    assert.equal(bisect({ from: 100 }), undefined);
    assert.equal(bisect({ from: 100, to: 101 }), undefined);
  });
});
