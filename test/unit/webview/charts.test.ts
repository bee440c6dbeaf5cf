/**
 * The preview's charts in real Chromium (see webviewHarness.ts): every chart kind drawn from a
 * spec, the picker between a result's charts, the chart data as a table, and saving the chart as
 * PNG and SVG through the host. Assertions read the webview's own report, the DOM, and the canvas
 * pixels where the shape matters (boxes, points); screenshots go to test-results/screenshots.
 */
import * as assert from 'node:assert/strict';
import type { CellValue, ChartSpec, ColumnInfo } from '../../../src/protocol';
import { ArrayDataSource } from '../kit/arrayDataSource';
import { ingestCsv } from '../../../src/core/table';
import { EngineDataSource } from '../../../src/core/preview/engineDataSource';
import { HOSTILE, until, useWebviewHarness, type Harness } from '../kit/webviewHarness';

const COLUMNS: ColumnInfo[] = [
  { name: 'assignment', type: 'string' },
  { name: 'median', type: 'number' },
];
const ROWS: CellValue[][] = [
  ['Essay 1', 71],
  ['Lab report', 84],
  ['Quiz 3', 62],
];

function boxChart(): ChartSpec {
  return {
    kind: 'box',
    title: 'Scores per assignment',
    xLabel: 'Assignment',
    yLabel: 'Score',
    x: { type: 'category', values: ['Essay 1', 'Lab report', HOSTILE] },
    series: [{ name: 'Student score', values: [80, null, 55] }],
    box: { min: [20, 40, 10], q1: [55, 70, 45], median: [71, 84, 62], q3: [85, 92, 75], max: [100, 100, 95] },
  };
}

function stackedChart(): ChartSpec {
  return {
    kind: 'stackedBar',
    title: 'On time, late and missing submissions',
    yFormat: 'percent',
    x: { type: 'category', values: ['Essay 1', 'Lab report', 'Quiz 3'] },
    series: [
      { name: 'On time', values: [80, 60, 90] },
      { name: 'Late', values: [15, 30, 5] },
      { name: 'Missing', values: [5, 10, 5] },
    ],
  };
}

function scatterChart(n: number): ChartSpec {
  const xs = Array.from({ length: n }, (_, i) => i * 3);
  return {
    kind: 'scatter',
    title: 'Page views vs participations per student',
    xLabel: 'Page views',
    yLabel: 'Participations',
    x: { type: 'number', values: xs },
    series: [{ name: 'Participations', values: xs.map((x) => Math.round(x / 4 + (x % 7))) }],
    pointLabels: xs.map((_, i) => `Student ${i + 1}`),
  };
}

function areaChart(): ChartSpec {
  const days = Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2024, 8, 1 + i)).toISOString().slice(0, 10));
  return {
    kind: 'area',
    title: 'Minutes watched by role',
    x: { type: 'time', values: days },
    series: [
      { name: 'student', values: days.map((_, i) => 100 + i * 5) },
      { name: 'teacher', values: days.map((_, i) => 20 + (i % 4) * 3) },
    ],
  };
}

/** A PostHog pie as the host sends it: horizontal bars, largest first. */
function hbarChart(): ChartSpec {
  return {
    kind: 'hbar',
    x: { type: 'category', values: ['Chrome', 'Safari', HOSTILE, 'Firefox'] },
    series: [{ name: 'Value', values: [31204, 14650, 9877, 2318] }],
  };
}

/** A PostHog BoldNumber as the host sends it. */
function numberChart(): ChartSpec {
  return { kind: 'number', x: { type: 'category', values: ['help_article_viewed'] }, series: [{ name: 'value', values: [61234] }] };
}

/**
 * How many canvas pixels are clearly blue (the palette's first colour, #3794ff in the dark
 * theme; the canvas is transparent, so translucent fills keep their colour): nothing else on the plot is blue.
 */
async function bluePixels(h: Harness): Promise<number> {
  return h.page.evaluate(() => {
    const canvas = document.querySelector('.ip-plot canvas') as HTMLCanvasElement | null;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return -1;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 2] - d[i] > 70 && d[i + 2] > 110 && d[i + 3] > 60) n++;
    return n;
  });
}

describe('preview charts (Chromium)', function () {
  this.timeout(90_000);
  const rig = useWebviewHarness();

  it('draws a box plot per category with the points over it, and names hostile categories as text', async () => {
    const h = await rig.open({ title: 'Assignments', data: new ArrayDataSource(COLUMNS, ROWS), chart: boxChart() });
    try {
      const r = await h.report((x) => x.chart !== null, 'box plot drawn');
      assert.deepEqual(r.chart, { kind: 'box', series: 1, points: 3, title: 'Scores per assignment' });
      // The boxes are drawn on the canvas in the palette's first colour (#3794ff in the dark theme).
      const blue = await bluePixels(h);
      assert.ok(blue > 1000, `box fills drawn on the canvas (${blue} blue pixels)`);
      // Legend: the five numbers and the overlaid series.
      const legend = await h.page.locator('.ip-plot .u-legend .u-series th').allTextContents();
      for (const label of ['max', 'Q3', 'median', 'Q1', 'min', 'Student score']) assert.ok(legend.some((t) => t.includes(label)), label);
      assert.equal(await h.page.locator('img').count(), 0, 'no element made from a category label');
      await h.shot('chart-box-dark');
    } finally {
      await h.close();
    }
  });

  it('switches between a result’s charts with the picker and shows each one’s data as a table', async () => {
    const h = await rig.open({
      title: 'Assignments',
      data: new ArrayDataSource(COLUMNS, ROWS),
      chart: boxChart(),
      moreCharts: [stackedChart()],
    });
    try {
      await h.report((x) => x.chart?.kind === 'box', 'box first');
      const options = await h.page.locator('select[data-field="pick"] option').allTextContents();
      assert.deepEqual(options, ['Scores per assignment', 'On time, late and missing submissions']);
      await h.page.selectOption('select[data-field="pick"]', { label: 'On time, late and missing submissions' });
      let r = await h.report((x) => x.chart?.kind === 'stackedBar', 'stacked bars after the pick');
      assert.equal(r.chart?.series, 3);
      // Values are percentages: the legend says so for the hovered category.
      const over = h.page.locator('.ip-plot .u-over');
      const box = await over.boundingBox();
      assert.ok(box);
      await h.page.mouse.move(box.x + box.width / 6, box.y + box.height / 2);
      const values = await until(async () => {
        const v = await h.page.locator('.ip-plot .u-legend .u-series td.u-value').allTextContents();
        return v[0] === 'Essay 1' ? v : undefined;
      }, 'legend at the first category');
      assert.deepEqual(values.slice(1).sort(), ['15%', '5%', '80%'].sort());
      await h.shot('chart-stacked-percent-dark');

      await h.page.click('vscode-toolbar-button[label="Show the chart data as a table"]');
      r = await h.report((x) => x.chartDataRows !== undefined, 'data table shown');
      assert.equal(r.chartDataRows, 3);
      const head = await h.page.locator('.ip-chart-table thead th').allTextContents();
      assert.deepEqual(head, ['x', 'On time', 'Late', 'Missing']);
      const firstRow = await h.page.locator('.ip-chart-table tbody tr').first().locator('th, td').allTextContents();
      assert.deepEqual(firstRow, ['Essay 1', '80', '15', '5']);
      assert.equal(await h.page.locator('.ip-plot').isVisible(), false, 'the table takes the plot’s place');

      // The choice and the data toggle are kept in the webview state.
      const state = h.state() as { chartIndex?: number; chartData?: boolean };
      assert.equal(state.chartIndex, 1);
      assert.equal(state.chartData, true);
      const again = await rig.open({ title: 'Assignments', data: new ArrayDataSource(COLUMNS, ROWS), chart: boxChart(), moreCharts: [stackedChart()] }, { state });
      try {
        const back = await again.report((x) => x.chartDataRows !== undefined, 'restored');
        assert.equal(await again.page.locator('select[data-field="pick"]').inputValue(), '1');
        assert.equal(back.chartDataRows, 3);
      } finally {
        await again.close();
      }
    } finally {
      await h.close();
    }
  });

  it('draws scatter points in ascending x and names the hovered point', async () => {
    const h = await rig.open({ title: 'Students', data: new ArrayDataSource(COLUMNS, ROWS), chart: scatterChart(300) });
    try {
      const r = await h.report((x) => x.chart !== null, 'scatter drawn');
      assert.deepEqual(r.chart, { kind: 'scatter', series: 1, points: 300, title: 'Page views vs participations per student' });
      assert.ok((await bluePixels(h)) > 300 * 4, 'points drawn');
      // Hover the middle of the plot: the legend names the nearest student.
      const over = h.page.locator('.ip-plot .u-over');
      const box = await over.boundingBox();
      assert.ok(box);
      await h.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const x = await until(async () => {
        const t = (await h.page.locator('.ip-plot .u-legend .u-series').first().locator('td').textContent()) ?? '';
        return t.includes('Student') ? t : undefined;
      }, 'legend names the point');
      assert.match(x, /^[\d,.]+ · Student \d+$/);
      await h.shot('chart-scatter-dark');
    } finally {
      await h.close();
    }
  });

  it('draws stacked areas over time in the light theme', async () => {
    const h = await rig.open({ title: 'Minutes', data: new ArrayDataSource(COLUMNS, ROWS), chart: areaChart() }, { light: true });
    try {
      const r = await h.report((x) => x.chart !== null, 'area drawn');
      assert.deepEqual(r.chart, { kind: 'area', series: 2, points: 20, title: 'Minutes watched by role' });
      assert.equal(r.theme, 'light');
      // The legend shows each series' own value, not the stacked total: hover the last day.
      const over = h.page.locator('.ip-plot .u-over');
      const box = await over.boundingBox();
      assert.ok(box);
      await h.page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
      const values = await until(async () => {
        const v = await h.page.locator('.ip-plot .u-legend .u-series td.u-value').allTextContents();
        return v.length === 3 && v[0].startsWith('2024-09-20') ? v : undefined;
      }, 'legend at the last day');
      // Series are listed tallest-stack first (teacher on top of student).
      assert.deepEqual(values.slice(1).sort(), ['195', '29'].sort());
      await h.shot('chart-area-light');
    } finally {
      await h.close();
    }
  });

  it('draws one number per category as horizontal bars, in the order given, scaled to the largest', async () => {
    const h = await rig.open({ title: 'Page views by browser', data: new ArrayDataSource(COLUMNS, ROWS), chart: hbarChart() });
    try {
      const r = await h.report((x) => x.chart !== null, 'bars drawn');
      assert.deepEqual(r.chart, { kind: 'hbar', series: 1, points: 4 });
      const labels = await h.page.locator('.ip-hbar-label').allTextContents();
      assert.deepEqual(labels, ['Chrome', 'Safari', HOSTILE, 'Firefox']);
      assert.equal(await h.page.locator('img').count(), 0, 'a hostile label stays text');
      const values = await h.page.locator('.ip-hbar-value').allTextContents();
      assert.deepEqual(values.map((v) => Number(v.replace(/[^\d]/g, ''))), [31204, 14650, 9877, 2318]);
      const widths = await h.page.locator('.ip-hbar-fill').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      const track = await h.page.locator('.ip-hbar-track').first().evaluate((e) => e.getBoundingClientRect().width);
      assert.ok(Math.abs(widths[0] - track) < 1.5, `the largest bar fills its track (${widths[0]} of ${track})`);
      for (let i = 1; i < widths.length; i++) assert.ok(widths[i] < widths[i - 1], 'each bar shorter than the one above');
      assert.ok(Math.abs(widths[3] / widths[0] - 2318 / 31204) < 0.01, 'bars are proportional to the values');
      await h.shot('chart-hbar-dark');
      await h.page.click('vscode-toolbar-button[label="Save the chart as SVG"]');
      await until(() => (h.saved.length === 1 ? true : undefined), 'the SVG');
      const svg = h.saved[0].data as string;
      const categories = [...svg.matchAll(/class="ip-category"[^>]*>([^<]*)</g)].map((m) => m[1]);
      // Long labels are cut at 24 characters, as on the other charts' axes.
      assert.deepEqual(categories, ['Chrome', 'Safari', '&lt;img src=x onerror=aler…', 'Firefox']);
      assert.equal([...svg.matchAll(/class="ip-bar"/g)].length, 4);
      assert.ok(!svg.includes('<img'), 'no markup from data');
    } finally {
      await h.close();
    }
  });

  it('draws a big number with its series name, and saves it as SVG and PNG', async () => {
    const h = await rig.open({ title: 'Help center article views', data: new ArrayDataSource(COLUMNS, ROWS), chart: numberChart() });
    try {
      const r = await h.report((x) => x.chart !== null, 'number drawn');
      assert.deepEqual(r.chart, { kind: 'number', series: 1, points: 1 });
      const value = h.page.locator('.ip-bignumber-value');
      assert.equal((await value.textContent())?.replace(/[^\d]/g, ''), '61234');
      assert.equal(await h.page.locator('.ip-bignumber-label').textContent(), 'help_article_viewed');
      const size = await value.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
      assert.ok(size >= 40, `large (${size}px)`);
      await h.shot('chart-bignumber-dark');
      await h.page.click('vscode-toolbar-button[label="Save the chart as SVG"]');
      await h.page.click('vscode-toolbar-button[label="Save the chart as PNG"]');
      await until(() => (h.saved.length === 2 ? true : undefined), 'two saves');
      const svg = h.saved.find((x) => x.format === 'svg')!.data as string;
      assert.match(svg, /class="ip-bignumber"[^>]*>61,234</);
      assert.ok(svg.includes('help_article_viewed'));
      const png = h.saved.find((x) => x.format === 'png')!.data as Uint8Array;
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'PNG signature');
      assert.ok(Buffer.from(png).readUInt32BE(16) > 300, 'PNG drawn from the SVG at the chart’s width');
    } finally {
      await h.close();
    }
  });

  it('saves the chart as PNG and SVG through the host', async () => {
    const h = await rig.open({ title: 'Assignments', data: new ArrayDataSource(COLUMNS, ROWS), chart: boxChart() });
    try {
      await h.report((x) => x.chart !== null, 'drawn');
      await h.page.click('vscode-toolbar-button[label="Save the chart as PNG"]');
      await h.page.click('vscode-toolbar-button[label="Save the chart as SVG"]');
      await until(() => (h.saved.length === 2 ? true : undefined), 'two saves');
      const [png, svg] = h.saved;
      assert.equal(png.format, 'png');
      assert.equal(png.name, 'Scores per assignment');
      const bytes = png.data as Uint8Array;
      assert.ok(bytes instanceof Uint8Array && bytes.length > 2000, `PNG bytes (${bytes.length})`);
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
      // PNG width/height from the IHDR chunk: the plot's canvas plus margins, not empty.
      const view = Buffer.from(bytes);
      assert.ok(view.readUInt32BE(16) > 300 && view.readUInt32BE(20) > 150);
      assert.equal(svg.format, 'svg');
      const text = svg.data as string;
      assert.match(text, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.ok(text.includes('Scores per assignment'));
      assert.ok(text.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the hostile label escaped in the SVG');
      assert.ok(!text.includes('<img'), 'no markup from data');
      await until(async () => ((await h.page.locator('.ip-toast').textContent())?.includes('Saved the chart') ? true : undefined), 'footer note');
    } finally {
      await h.close();
    }
  });

  it('a stored result on the engine: its own chart first, then "Chart the rows" hands the chart to the controls, and a reopen keeps the choice', async () => {
    // Seven days of two series, as a PostHog trend's CSV: series,date,value.
    const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07'];
    const lines = ['series,date,value'];
    days.forEach((d, i) => lines.push(`Pageviews,${d},${100 + i * 10}`, `Sign-ups,${d},${5 + i}`));
    const own: ChartSpec = {
      kind: 'line',
      title: 'Weekly pageviews',
      x: { type: 'time', values: days },
      series: [
        { name: 'Pageviews', values: days.map((_, i) => 100 + i * 10) },
        { name: 'Sign-ups', values: days.map((_, i) => 5 + i) },
      ],
    };
    const content = async () => ({
      title: 'Weekly pageviews',
      data: new EngineDataSource(await ingestCsv((async function* () { yield lines.join('\n') + '\n'; })()), { charts: true }),
      chart: own,
    });
    const h = await rig.open(await content());
    try {
      let r = await h.report((x) => x.chart !== null && x.renderedRows > 0, 'own chart drawn');
      assert.deepEqual(r.chart, { kind: 'line', series: 2, points: 7, title: 'Weekly pageviews' });
      assert.deepEqual(r.chartChoices, ['Weekly pageviews', 'Chart the rows']);
      assert.deepEqual(r.offers, { export: false, stats: true, chartControls: true });
      assert.equal(r.chartQuery, undefined, 'no chart of the rows yet');
      assert.equal(await h.page.locator('select[data-field="kind"]').isVisible(), false, 'the controls wait for "Chart the rows"');

      await h.page.selectOption('select[data-field="pick"]', { label: 'Chart the rows' });
      r = await h.report((x) => !!x.chartQuery && x.chart !== null, 'the rows charted');
      // The automatic choice: the values summed per day.
      assert.equal(r.chartQuery?.x, 1, 'x is the date column');
      assert.equal(r.chartQuery?.y, 2, 'y is the value column');
      assert.equal(r.chart?.points, 7);
      assert.equal(await h.page.locator('select[data-field="kind"]').isVisible(), true, 'the controls show');
      await h.page.selectOption('select[data-field="split"]', { label: 'series' });
      r = await h.report((x) => x.chartQuery?.split === 0 && x.chart?.series === 2, 'split by series');

      // Reopened with the saved state (a hidden panel shown again, or a reload): the rows' chart comes back.
      const state = h.state();
      const again = await rig.open(await content(), { state });
      try {
        const back = await again.report((x) => x.chartQuery?.split === 0 && x.chart?.series === 2, 'restored choice');
        assert.deepEqual(back.chartChoices, ['Weekly pageviews', 'Chart the rows']);
        assert.equal(await again.page.locator('select[data-field="pick"]').inputValue(), '1');
      } finally {
        await again.close();
      }

      // Back to the result's own chart: the controls hide, the own chart is drawn again.
      await h.page.selectOption('select[data-field="pick"]', { label: 'Weekly pageviews' });
      r = await h.report((x) => x.chart?.title === 'Weekly pageviews' && x.chartQuery === undefined, 'own chart again');
      assert.equal(r.chart?.series, 2);
      assert.equal(await h.page.locator('select[data-field="kind"]').isVisible(), false);
    } finally {
      await h.close();
    }
  });

  it('holds its shape in a short panel: the plot keeps its minimum height, the splitter resizes it and the height is kept', async () => {
    // A preview about 440 px tall, as with VS Code's bottom panel open, with chart controls (which
    // take two rows at this width) and large sums (wide y tick labels).
    const lines = ['day,course,minutes'];
    for (let d = 1; d <= 28; d++) for (const c of ['BIO 101', 'CHEM 200', 'HIST 110']) lines.push(`2026-10-${String(d).padStart(2, '0')},${c},${2_075_000 + d * 37 + c.length}`);
    const content = async () => ({
      title: 'minutes per day',
      data: new EngineDataSource(await ingestCsv((async function* () { yield lines.join('\n') + '\n'; })()), { charts: true }),
    });
    const size = { width: 700, height: 440 };
    const h = await rig.open(await content(), { size });
    try {
      await h.report((x) => x.chart !== null && x.renderedRows > 0, 'chart and rows drawn');
      const canvasHeight = async () => (await h.page.locator('.ip-plot canvas').first().boundingBox())?.height ?? 0;
      const plotHeight = async () => (await h.page.locator('.ip-plot').boundingBox())?.height ?? 0;
      assert.ok((await plotHeight()) >= 240, `the plot area keeps its minimum: ${await plotHeight()} px`);
      assert.ok((await canvasHeight()) >= 130, `the drawing itself is readable: ${await canvasHeight()} px`);
      // The y axis is as wide as its widest tick label ("2,075,xxx" or "2.08M"): measured, not a fixed 56 px.
      const axes = await h.report((x) => !!x.chartAxes && x.chartAxes.yTicks.length > 0, 'axes reported');
      const widest = Math.max(...axes.chartAxes!.yTicks.map((t) => t.length));
      assert.ok(widest >= 3, `y ticks: ${axes.chartAxes!.yTicks.join(' ')}`);

      // Drag the splitter down by 15 px: the plot grows by as much.
      const before = await plotHeight();
      // In so short a panel the grid is below the chart: the area scrolls to the splitter.
      await h.page.locator('.ip-splitter').scrollIntoViewIfNeeded();
      const bar = (await h.page.locator('.ip-splitter').boundingBox())!;
      await h.page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
      await h.page.mouse.down();
      await h.page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2 + 15, { steps: 5 });
      await h.page.mouse.up();
      await until(async () => (Math.abs((await plotHeight()) - (before + 15)) <= 1 ? true : undefined), 'plot grew by the drag');
      // ↓ on the focused splitter grows it (16 px a press), up to the panel's height less a few grid rows.
      await h.page.locator('.ip-splitter').focus();
      for (let i = 0; i < 2; i++) await h.page.keyboard.press('ArrowDown');
      await until(async () => (Math.abs((await plotHeight()) - (before + 15 + 32)) <= 1 ? true : undefined), 'plot grew by the keys');
      const grown = await plotHeight();
      const state = h.state() as { chartHeight?: number };
      assert.equal(state.chartHeight, Math.round(grown), 'the height is in the webview state');
      // Never below the minimum, whatever the drag.
      await h.page.locator('.ip-splitter').focus();
      for (let i = 0; i < 20; i++) await h.page.keyboard.press('Shift+ArrowUp');
      await until(async () => ((await plotHeight()) <= 241 ? true : undefined), 'at the minimum');
      assert.equal((h.state() as { chartHeight?: number }).chartHeight, 240);

      const again = await rig.open(await content(), { size, state });
      try {
        await again.report((x) => x.chart !== null, 'reopened');
        const restored = (await again.page.locator('.ip-plot').boundingBox())?.height ?? 0;
        assert.ok(Math.abs(restored - grown) <= 1, `the dragged height comes back: ${restored} vs ${grown}`);
        await again.shot('chart-short-panel-dark');
      } finally {
        await again.close();
      }
    } finally {
      await h.close();
    }
  });
});
