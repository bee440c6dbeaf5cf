/** Tick labels (webview/axisLabels.ts): distinct numbers, time ticks at the data's grain. */
import * as assert from 'node:assert/strict';
import { distinctNumberLabels, spansYears, timeGrain, timeLabel, timeTicks } from '../../../webview/axisLabels';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

describe('axis labels', () => {
  it('numeric ticks that compact to the same text get more precision until each reads differently', () => {
    assert.deepEqual(distinctNumberLabels([2850, 2900, 2950], '', 'en-US'), ['2.85K', '2.9K', '2.95K']);
    assert.deepEqual(distinctNumberLabels([0, 1000, 2000], '', 'en-US'), ['0', '1K', '2K']);
    assert.deepEqual(distinctNumberLabels([1_000_001, 1_000_002, 1_000_003], '', 'en-US'), ['1,000,001', '1,000,002', '1,000,003']);
    assert.deepEqual(distinctNumberLabels([10, 20], '%', 'en-US'), ['10%', '20%']);
    const many = Array.from({ length: 12 }, (_, i) => 2900 + i * 5);
    assert.equal(new Set(distinctNumberLabels(many, '', 'en-US')).size, many.length);
  });

  it('the grain of daily, weekly, monthly and hourly points', () => {
    assert.equal(timeGrain([day('2026-11-01'), day('2026-11-02'), day('2026-11-03')]), 'day');
    assert.equal(timeGrain([day('2026-11-02'), day('2026-11-09'), day('2026-11-16')]), 'week');
    assert.equal(timeGrain([day('2026-09-01'), day('2026-10-01'), day('2026-11-01')]), 'month');
    assert.equal(timeGrain([day('2026-11-01'), day('2026-11-01') + 3600, day('2026-11-01') + 7200]), 'hour');
    assert.equal(timeGrain([day('2026-11-01')]), 'day');
  });

  it('a 3-day daily series ticks at its three days, labelled as dates, never at hours between them', () => {
    const xs = [day('2026-11-01'), day('2026-11-02'), day('2026-11-03')];
    const ticks = timeTicks(xs, 600, 56);
    assert.deepEqual(ticks, xs);
    assert.deepEqual(
      ticks.map((x) => timeLabel(x, timeGrain(xs), spansYears(xs))),
      ['Nov 1', 'Nov 2', 'Nov 3'],
    );
  });

  it('long series are thinned to what fits, from the first point; labels carry the year across years', () => {
    const xs = Array.from({ length: 365 }, (_, i) => day('2025-12-01') + i * 86400);
    const ticks = timeTicks(xs, 560, 56);
    assert.ok(ticks.length <= 10, `${ticks.length} ticks`);
    assert.equal(ticks[0], xs[0]);
    assert.equal(spansYears(xs), true);
    assert.equal(timeLabel(xs[0], 'day', true), 'Dec 1, 2025');
    assert.equal(timeLabel(day('2026-11-01'), 'month', false), 'Nov 2026');
    assert.equal(timeLabel(day('2026-11-01') + 14 * 3600, 'hour', false), 'Nov 1 14:00');
  });
});
