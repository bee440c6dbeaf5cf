/**
 * The chart's axes as a reader sees them, in real Chromium: the tick labels the axes drew (from
 * the webview's report) and where the y axis starts.
 */
import * as assert from 'node:assert/strict';
import type { CellValue, ChartSpec, ColumnInfo } from '../../../src/protocol';
import { ArrayDataSource } from '../kit/arrayDataSource';
import { useWebviewHarness } from '../kit/webviewHarness';

const COLUMNS: ColumnInfo[] = [
  { name: 'day', type: 'date' },
  { name: 'minutes', type: 'number' },
];
const ROWS: CellValue[][] = [
  ['2026-11-01', 2850],
  ['2026-11-02', 2900],
  ['2026-11-03', 2950],
];

function daily(kind: ChartSpec['kind'], values: number[]): ChartSpec {
  return {
    kind,
    title: `Minutes by day (${kind})`,
    x: { type: 'time', values: ['2026-11-01', '2026-11-02', '2026-11-03'].slice(0, values.length) },
    series: [{ name: 'minutes', values }],
  };
}

describe('preview chart axes (Chromium)', function () {
  this.timeout(90_000);
  const rig = useWebviewHarness();

  it('a 3-day daily line ticks at its days with dates, and its y ticks read differently from each other', async () => {
    const h = await rig.open({ title: 'Daily', data: new ArrayDataSource(COLUMNS, ROWS), chart: daily('line', [2850, 2900, 2950]) });
    try {
      const r = await h.report((x) => !!x.chartAxes && x.chartAxes.yTicks.length > 1, 'axes drawn');
      const axes = r.chartAxes!;
      assert.deepEqual(axes.xTicks, ['Nov 1', 'Nov 2', 'Nov 3']);
      assert.equal(new Set(axes.yTicks).size, axes.yTicks.length, `distinct y ticks: ${axes.yTicks.join(' | ')}`);
      assert.ok(!axes.xTicks.some((t) => /am|pm|\d:\d\d/i.test(t)), `no hour ticks: ${axes.xTicks.join(' | ')}`);
      // A line may zoom to its data.
      assert.ok((axes.yMin ?? 0) > 0, `line y axis starts near the data (${axes.yMin})`);
      await h.shot('chart-axes-daily-line');
    } finally {
      await h.close();
    }
  });

  for (const kind of ['area', 'bar'] as const) {
    it(`a ${kind} chart's y axis starts at zero, however high the values are`, async () => {
      const h = await rig.open({ title: kind, data: new ArrayDataSource(COLUMNS, ROWS), chart: daily(kind, [700, 720, 750]) });
      try {
        const r = await h.report((x) => !!x.chartAxes && x.chartAxes.yTicks.length > 1, 'axes drawn');
        assert.equal(r.chartAxes!.yMin, 0);
        assert.equal(r.chartAxes!.yTicks[0], '0');
      } finally {
        await h.close();
      }
    });
  }
});
