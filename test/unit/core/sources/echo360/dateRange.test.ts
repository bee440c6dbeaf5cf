import * as assert from 'node:assert/strict';
import { InsightError } from '../../../../../src/core/errors';
import {
  INCOMPLETE_WARNING,
  checkLookback,
  completeEnd,
  incompleteDaysWarning,
  oneYearBefore,
  parseDay,
  parseRange,
  rangeDays,
  rangeFromOptions,
  splitRange,
  validateRange,
} from '../../../../../src/core/sources/echo360/dateRange';

const NOW = Date.parse('2024-06-15T13:30:00Z');

function usageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InsightError, 'an InsightError');
    assert.equal(e.kind, 'usage');
    assert.equal(e.exitCode, 2);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('echo360 date ranges', () => {
  describe('splitRange', () => {
    it('splits 20 days into 7 + 7 + 6, contiguous, end exclusive', () => {
      const chunks = splitRange({ start: '2024-05-01', end: '2024-05-21' });
      assert.deepEqual(chunks, [
        { start: '2024-05-01', end: '2024-05-08' },
        { start: '2024-05-08', end: '2024-05-15' },
        { start: '2024-05-15', end: '2024-05-21' },
      ]);
      assert.deepEqual(chunks.map(rangeDays), [7, 7, 6]);
      for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].start, chunks[i - 1].end, 'adjacent chunks share the boundary');
    });

    it('keeps a range of 7 days or less whole, and crosses months, years and leap days', () => {
      assert.deepEqual(splitRange({ start: '2024-02-26', end: '2024-03-04' }), [{ start: '2024-02-26', end: '2024-03-04' }]);
      const term = splitRange({ start: '2023-12-27', end: '2024-03-01' });
      assert.equal(term[0].start, '2023-12-27');
      assert.equal(term[term.length - 1].end, '2024-03-01');
      assert.equal(
        term.reduce((n, c) => n + rangeDays(c), 0),
        rangeDays({ start: '2023-12-27', end: '2024-03-01' }),
      );
      assert.ok(term.every((c) => rangeDays(c) >= 1 && rangeDays(c) <= 7));
      assert.ok(
        term.some((c) => c.start <= '2024-02-29' && c.end > '2024-02-29'),
        '29 February is covered',
      );
    });

    it('one day gives one chunk; 90 days give 13 chunks', () => {
      assert.deepEqual(splitRange({ start: '2024-06-01', end: '2024-06-02' }), [{ start: '2024-06-01', end: '2024-06-02' }]);
      const r = parseRange('last 90 days', NOW);
      assert.equal(splitRange(r).length, 13);
    });
  });

  describe('parsing and validation', () => {
    it('reads shortcuts as complete UTC days ending today (exclusive)', () => {
      assert.deepEqual(parseRange('last 7 days', NOW), { start: '2024-06-08', end: '2024-06-15' });
      assert.deepEqual(parseRange('Last 30 days', NOW), { start: '2024-05-16', end: '2024-06-15' });
      assert.deepEqual(parseRange('last 90 days', NOW), { start: '2024-03-17', end: '2024-06-15' });
      assert.deepEqual(parseRange(' 2024-06-01..2024-06-10 ', NOW), { start: '2024-06-01', end: '2024-06-10' });
    });

    it('uses UTC whatever the hour', () => {
      const lateEvening = Date.parse('2024-06-15T23:59:59Z');
      assert.deepEqual(parseRange('last 7 days', lateEvening), { start: '2024-06-08', end: '2024-06-15' });
    });

    it('names the fix for a reversed range', () => {
      usageError(
        () => validateRange({ start: '2024-06-10', end: '2024-06-01' }, NOW),
        /^The range is reversed: start 2024-06-10 is after end 2024-06-01\. Swap them\.$/,
      );
    });

    it('refuses bad dates, empty ranges and the future', () => {
      usageError(() => validateRange({ start: '2024-13-01', end: '2024-06-01' }, NOW), /Invalid start date "2024-13-01": use YYYY-MM-DD/);
      usageError(() => validateRange({ start: '2024-02-30', end: '2024-03-02' }, NOW), /Invalid start date "2024-02-30"/);
      usageError(() => validateRange({ start: '2024-06-01', end: '06/10/2024' }, NOW), /Invalid end date "06\/10\/2024"/);
      usageError(() => validateRange({ start: '2024-06-01', end: '2024-06-01' }, NOW), /empty.*Use --end 2024-06-02/);
      usageError(
        () => validateRange({ start: '2024-06-16', end: '2024-06-17' }, NOW),
        /start date 2024-06-16 is in the future \(today is 2024-06-15 UTC\)/,
      );
      usageError(
        () => validateRange({ start: '2024-06-10', end: '2024-06-20' }, NOW),
        /end date 2024-06-20 is in the future.*on or before 2024-06-16/,
      );
      usageError(() => parseRange('yesterday', NOW), /Unrecognised date range "yesterday"/);
    });

    it('the one-year lookback applies to assetbydate only (the docs state it for that report)', () => {
      usageError(
        () => checkLookback('assetbydate', { start: '2023-06-14', end: '2023-06-20' }, NOW),
        /more than one year ago; Echo360's assetbydate report reaches back one year only.*Move the start to 2023-06-15 or later/,
      );
      // Older ranges of other reports are the server's to refuse, not ours.
      assert.deepEqual(validateRange({ start: '2023-01-02', end: '2023-01-09' }, NOW), { start: '2023-01-02', end: '2023-01-09' });
      for (const report of ['videoview', 'presentation', 'asset', 'viewsessions'])
        assert.doesNotThrow(() => checkLookback(report, { start: '2023-01-02', end: '2023-01-09' }, NOW));
      assert.doesNotThrow(() => checkLookback('assetbydate', { start: '2023-06-15', end: '2023-06-22' }, NOW));
    });

    it('"last 7 complete days" ends where the days 48 hours past their close end', () => {
      // 2024-06-15 13:30 UTC: 06-12 closed at 06-13 00:00 and completed at 06-15 00:00; 06-13 completes 06-16.
      assert.equal(new Date(completeEnd(NOW)).toISOString(), '2024-06-13T00:00:00.000Z');
      assert.deepEqual(parseRange('last 7 complete days', NOW), { start: '2024-06-06', end: '2024-06-13' });
      assert.deepEqual(parseRange('Last 30 complete days', NOW), { start: '2024-05-14', end: '2024-06-13' });
      // At midnight exactly, the day that closed 48 hours ago is complete.
      assert.deepEqual(parseRange('last 1 complete day', Date.parse('2024-06-15T00:00:00Z')), { start: '2024-06-12', end: '2024-06-13' });
    });

    it('warns when the range ends within the last 48 hours, and only then', () => {
      assert.equal(INCOMPLETE_WARNING, 'the last 2 days may still be incomplete');
      assert.equal(incompleteDaysWarning(parseRange('last 7 days', NOW), NOW), INCOMPLETE_WARNING);
      assert.equal(incompleteDaysWarning({ start: '2024-06-10', end: '2024-06-14' }, NOW), INCOMPLETE_WARNING, 'last day 06-13 completes 06-16');
      assert.equal(incompleteDaysWarning(parseRange('last 7 complete days', NOW), NOW), undefined);
      assert.equal(incompleteDaysWarning({ start: '2024-06-01', end: '2024-06-13' }, NOW), undefined, 'last day 06-12 completed 06-15 00:00');
      assert.equal(incompleteDaysWarning(undefined, NOW), undefined, 'an all-time report has no range to warn about');
    });

    it('accepts the edges: a year back to the day, and an end of tomorrow', () => {
      assert.doesNotThrow(() => checkLookback('assetbydate', { start: '2023-06-15', end: '2023-06-22' }, NOW));
      assert.deepEqual(validateRange({ start: '2023-06-15', end: '2023-06-22' }, NOW), { start: '2023-06-15', end: '2023-06-22' });
      assert.deepEqual(validateRange({ start: '2024-06-15', end: '2024-06-16' }, NOW), { start: '2024-06-15', end: '2024-06-16' });
    });

    it('one year before 29 February is 28 February', () => {
      assert.equal(new Date(oneYearBefore(parseDay('2024-02-29')!)).toISOString().slice(0, 10), '2023-02-28');
    });

    it('CLI options: neither means the last 7 days, --start alone runs to today, --end alone is refused', () => {
      assert.deepEqual(rangeFromOptions(undefined, undefined, NOW), { start: '2024-06-08', end: '2024-06-15' });
      assert.deepEqual(rangeFromOptions('2024-06-01', undefined, NOW), { start: '2024-06-01', end: '2024-06-15' });
      usageError(() => rangeFromOptions(undefined, '2024-06-10', NOW), /needs a --start/);
    });
  });
});
