/**
 * The preview webview in a real browser, without VS Code: the bundle is built from webview/main.ts,
 * served over 127.0.0.1 with the panel's own HTML and CSP, and driven in Chromium. The host side is
 * the real `PreviewSession` over an `ArrayDataSource` (100,000 rows) running in this process;
 * messages cross as JSON like they do between VS Code and a webview. Assertions read what the
 * webview reports it drew (`rendered`, textContent of the DOM) and the DOM itself; screenshots of a
 * dark theme go to test-results/screenshots/preview-*.png for a person to look at.
 */
import * as assert from 'node:assert/strict';
import type { CellValue, ChartSpec, ColumnInfo, RenderReport } from '../../../src/protocol';
import { ingestCsv } from '../../../src/core/table';
import { PreviewEmitter, type PreviewDataSource } from '../../../src/core/preview/dataSource';
import { ArrayDataSource } from '../kit/arrayDataSource';
import { EngineDataSource } from '../../../src/core/preview/engineDataSource';
import type { PreviewContent } from '../../../src/core/preview/session';
import { HOSTILE, until, useWebviewHarness } from '../kit/webviewHarness';

// ---- test data ----

const COLUMNS: ColumnInfo[] = [
  { name: 'id', type: 'integer' },
  { name: 'day', type: 'date' },
  { name: 'country', type: 'string' },
  { name: 'browser', type: 'string' },
  { name: 'visits', type: 'integer' },
  { name: 'conversion', type: 'number' },
  { name: 'active', type: 'boolean' },
  { name: 'note', type: 'string' },
];
const COUNTRIES = ['Portugal', 'Kenya', 'Canada', 'Japan', 'Brazil', 'Norway', 'India', 'Chile'];
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge'];

function makeRows(n: number): CellValue[][] {
  let seed = 42;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const day0 = Date.UTC(2024, 0, 1);
  const rows: CellValue[][] = [];
  for (let i = 0; i < n; i++) {
    rows.push([
      i + 1,
      new Date(day0 + (i % 366) * 86_400_000).toISOString().slice(0, 10),
      COUNTRIES[Math.floor(rnd() * COUNTRIES.length)],
      BROWSERS[Math.floor(rnd() * BROWSERS.length)],
      Math.floor(rnd() * 500),
      Math.round(rnd() * 10_000) / 100,
      rnd() > 0.3,
      i === 7 ? HOSTILE : i % 11 === 0 ? null : `session ${i % 997}`,
    ]);
  }
  return rows;
}

/** The text the grid draws for the values in this data set. */
const shown = (v: CellValue): string => (v === null ? '' : String(v));

function lineChart(): ChartSpec {
  const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2024, 5, 1 + i)).toISOString().slice(0, 10));
  const wave = (base: number, amp: number, phase: number) => days.map((_, i) => Math.round(base + amp * Math.sin(i / 3 + phase) + i * 4));
  return {
    kind: 'line',
    title: 'Pageviews by browser',
    yLabel: 'Pageviews',
    x: { type: 'time', values: days },
    series: [
      { name: 'Chrome', values: wave(820, 120, 0) },
      { name: 'Firefox', values: wave(310, 60, 1).map((v, i) => (i === 12 ? null : v)) },
    ],
  };
}

function funnelChart(): ChartSpec {
  return {
    kind: 'bar',
    title: 'Course sign-up funnel',
    xLabel: 'Step',
    x: { type: 'category', values: ['Visited catalogue', 'Opened course page', 'Started enrolment', 'Enrolled'] },
    series: [{ name: 'Users', values: [4800, 3000, 1290, 610] }],
    annotations: ['100%', '62.5%', '43%', '47.3%'],
  };
}

/** 10M rows computed on demand: exercises scroll scaling without holding them anywhere. */
class SyntheticSource implements PreviewDataSource {
  readonly columns: ColumnInfo[] = [
    { name: 'row', type: 'integer' },
    { name: 'label', type: 'string' },
  ];
  readonly totalRows = 10_000_000;
  readonly loading = false;
  readonly onDidChange = new PreviewEmitter<void>().event;
  async setView(): Promise<number> {
    return this.totalRows;
  }
  async window(start: number, count: number): Promise<CellValue[][]> {
    const n = Math.max(0, Math.min(count, this.totalRows - start));
    return Array.from({ length: n }, (_, k) => [start + k, `row ${start + k}`]);
  }
}

describe('preview webview (Chromium)', function () {
  this.timeout(90_000);
  const rig = useWebviewHarness();
  const open = rig.open;
  const warnings = rig.warnings;
  let rows100k: CellValue[][];

  before(() => {
    rows100k = makeRows(100_000);
  });

  function trends(): PreviewContent {
    return {
      title: 'Weekly active learners',
      subtitle: 'PostHog · Trends · last refreshed 2 min ago',
      data: new ArrayDataSource(COLUMNS, rows100k),
      chart: lineChart(),
    };
  }

  const ids = (r: RenderReport) => r.firstRowTexts.map((t) => t[0]);

  it('renders the first rows with the right text, counts and grid roles', async () => {
    const h = await open(trends());
    try {
      const r = await h.report((x) => x.renderedRows > 0 && x.firstRowTexts.length === 5 && x.chart !== null, 'first paint');
      assert.equal(r.totalRows, 100_000);
      assert.equal(r.rowsInView, 100_000);
      assert.deepEqual(
        r.columns,
        COLUMNS.map((c) => c.name),
      );
      assert.deepEqual(
        r.firstRowTexts,
        rows100k.slice(0, 5).map((row) => row.map(shown)),
      );
      assert.equal(r.theme, 'dark');
      assert.ok(r.renderedRows >= 10 && r.renderedRows < 80, `only a screenful in the DOM (${r.renderedRows})`);
      assert.equal(await h.footer(), '100,000 rows · 8 columns');
      const grid = h.page.locator('[role=grid]');
      assert.equal(await grid.getAttribute('aria-rowcount'), '100001');
      assert.equal(await h.page.locator('[role=columnheader]').count(), 8);
      assert.equal(await h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').first().textContent(), '1');
      // Numbers right-aligned; null drawn as an empty, dimmed cell.
      const visits = h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').nth(4);
      assert.equal(await visits.evaluate((e) => getComputedStyle(e).textAlign), 'right');
      const nullCell = h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').nth(7);
      assert.equal(await nullCell.textContent(), '');
      assert.ok(await nullCell.evaluate((e) => e.classList.contains('ip-null')));
      assert.equal(await h.page.title(), 'Preview <test>');
      await h.shot('table-dark');
    } finally {
      await h.close();
    }
  });

  it('sorts by header click, toggles direction, and adds a secondary key with shift-click', async () => {
    const h = await open(trends());
    try {
      await h.report((r) => r.renderedRows > 0, 'first paint');
      const visits = h.page.locator('[role=columnheader]', { hasText: 'visits' });
      const country = h.page.locator('[role=columnheader]', { hasText: 'country' });
      const order = (cmp: (a: CellValue[], b: CellValue[]) => number) =>
        [...rows100k]
          .sort(cmp)
          .slice(0, 5)
          .map((row) => String(row[0]));
      const num = (i: number) => (a: CellValue[], b: CellValue[]) => (a[i] as number) - (b[i] as number);

      await visits.click();
      let r = await h.report((x) => x.sort.length === 1 && !x.sort[0].desc && x.renderedRows > 0, 'ascending sort');
      assert.deepEqual(ids(r), order(num(4)));
      assert.equal(await visits.getAttribute('aria-sort'), 'ascending');

      await visits.click();
      r = await h.report((x) => x.sort.length === 1 && x.sort[0].desc && x.renderedRows > 0, 'descending sort');
      assert.deepEqual(
        ids(r),
        order((a, b) => num(4)(b, a)),
      );
      assert.equal(await visits.getAttribute('aria-sort'), 'descending');
      assert.ok(
        r.firstRowTexts.every((t) => t[4] === '499'),
        'highest visits first',
      );

      await country.click({ modifiers: ['Shift'] });
      r = await h.report((x) => x.sort.length === 2 && x.renderedRows > 0, 'secondary sort');
      assert.deepEqual(r.sort, [
        { column: 4, desc: true },
        { column: 2, desc: false },
      ]);
      assert.deepEqual(
        ids(r),
        order((a, b) => num(4)(b, a) || (a[2] as string).localeCompare(b[2] as string)),
      );
      assert.equal(await country.getAttribute('aria-sort'), null, 'aria-sort only on the primary key');
      await h.shot('sorted-dark');
    } finally {
      await h.close();
    }
  });

  it('search narrows the rows and the footer says how many match', async () => {
    const h = await open(trends());
    try {
      await h.report((r) => r.renderedRows > 0, 'first paint');
      const expected = rows100k.filter((row) => row.some((v) => v !== null && String(v).toLowerCase().includes('firefox')));
      await h.page.locator('vscode-textfield input').fill('FireFox');
      const r = await h.report((x) => x.search === 'FireFox' && x.renderedRows > 0, 'search applied');
      assert.equal(r.rowsInView, expected.length);
      assert.deepEqual(
        ids(r),
        expected.slice(0, 5).map((row) => String(row[0])),
      );
      assert.ok(r.firstRowTexts.every((t) => t[3] === 'Firefox'));
      assert.equal(await h.footer(), `100,000 rows · 8 columns · ${expected.length.toLocaleString('en-US')} match 'FireFox'`);
      await h.shot('search-dark');

      await h.page.locator('vscode-textfield input').fill('no such thing anywhere');
      await h.report((x) => x.rowsInView === 0, 'empty result');
      assert.match((await h.page.locator('.ip-grid-empty').textContent()) ?? '', /No rows match/);
      assert.match(await h.footer(), / · 0 match 'no such thing anywhere'$/);
    } finally {
      await h.close();
    }
  });

  it('scrolls to the end and shows the last rows (keyboard and scrollbar)', async () => {
    const h = await open(trends());
    try {
      await h.report((r) => r.renderedRows > 0, 'first paint');
      await h.page.locator('[role=row][aria-rowindex="3"] [role=gridcell]').nth(2).click();
      await h.page.keyboard.press('Control+End');
      const last = h.page.locator('[role=row][aria-rowindex="100001"]');
      await until(async () => ((await last.count()) > 0 ? true : undefined), 'last row in the DOM');
      await until(
        async () => ((await last.locator('[role=gridcell]').first().textContent()) === '100000' ? true : undefined),
        'last row text',
      );
      const [rowBox, gridBox] = await Promise.all([last.boundingBox(), h.page.locator('[role=grid]').boundingBox()]);
      assert.ok(rowBox && gridBox && rowBox.y + rowBox.height <= gridBox.y + gridBox.height + 1, 'last row is on screen');
      assert.match((await h.page.locator('.ip-position').textContent()) ?? '', /^Row 100,000 of 100,000$/);
      // The focused cell is the one announced to screen readers.
      const activeId = await h.page.locator('[role=grid]').getAttribute('aria-activedescendant');
      assert.equal(await h.page.locator(`#${activeId}`).textContent(), shown(rows100k[99_999][7]), 'Ctrl+End focuses the last cell');
      await h.shot('end-dark');

      await h.page.keyboard.press('Control+Home');
      await h.report((r) => r.firstRowIndex === 0 && r.firstRowTexts.length === 5, 'back at the top');
      await h.page.locator('[role=grid]').evaluate((g) => (g.scrollTop = g.scrollHeight));
      const r = await h.report((x) => x.firstRowIndex > 99_900 && x.firstRowTexts.length === 5, 'scrolled to the bottom');
      const lastTexts = rows100k.slice(r.firstRowIndex, r.firstRowIndex + 5).map((row) => row.map(shown));
      assert.deepEqual(r.firstRowTexts, lastTexts);
    } finally {
      await h.close();
    }
  });

  it('renders a hostile cell as text and creates no element from it', async () => {
    const h = await open(trends());
    try {
      await h.report((r) => r.renderedRows > 0, 'first paint');
      const cell = h.page.locator('[role=row][aria-rowindex="9"] [role=gridcell]').nth(7);
      assert.equal(await cell.textContent(), HOSTILE);
      await h.page.locator('vscode-textfield input').fill('onerror');
      const r = await h.report((x) => x.search === 'onerror' && x.rowsInView === 1 && x.renderedRows === 1, 'one match');
      assert.equal(r.firstRowTexts[0][7], HOSTILE);
      assert.equal(await h.page.locator('img').count(), 0, 'no <img> in the page');
      assert.equal(await h.page.locator('.ip-grid img, .ip-grid [onerror]').count(), 0);
      await h.shot('hostile-dark');
    } finally {
      await h.close();
    }
  });

  it('draws a line chart over time with one series per spec series', async () => {
    const h = await open(trends());
    try {
      const r = await h.report((x) => x.chart !== null, 'line chart drawn');
      assert.deepEqual(r.chart, { kind: 'line', series: 2, points: 30, title: 'Pageviews by browser' });
      assert.ok((await h.page.locator('.ip-plot canvas').count()) > 0, 'canvas present');
      assert.equal(await h.page.locator('.ip-plot .u-legend .u-series').count(), 3, 'legend: x + 2 series');
      // Chart-only mode fills the panel; the report says the grid is not drawn.
      await h.page.locator('vscode-toolbar-button', { hasText: 'Chart' }).click();
      const c = await h.report((x) => x.mode === 'chart', 'chart mode');
      assert.equal(c.renderedRows, 0);
      assert.deepEqual(c.chart, { kind: 'line', series: 2, points: 30, title: 'Pageviews by browser' });
      await h.shot('line-chart-dark');
      await h.page.locator('vscode-toolbar-button', { hasText: 'Table' }).click();
      const t = await h.report((x) => x.mode === 'table', 'table mode');
      assert.equal(t.chart, null);
      assert.ok(t.renderedRows > 0);
    } finally {
      await h.close();
    }
  });

  it('draws a bar chart with annotations, and redraws on a theme change', async () => {
    const steps = funnelChart();
    const rows: CellValue[][] = steps.x.values.map((s, i) => [i + 1, s, steps.series[0].values[i], steps.annotations![i]]);
    const content: PreviewContent = {
      title: 'Course sign-up funnel',
      subtitle: 'PostHog · Funnel · last refreshed just now',
      data: new ArrayDataSource(
        [
          { name: 'step', type: 'integer' },
          { name: 'name', type: 'string' },
          { name: 'users', type: 'integer' },
          { name: 'conversion', type: 'string' },
        ],
        rows,
      ),
      chart: steps,
    };
    const h = await open(content);
    try {
      const r = await h.report((x) => x.chart !== null && x.renderedRows === 4, 'bar chart and rows');
      assert.deepEqual(r.chart, { kind: 'bar', series: 1, points: 4, title: 'Course sign-up funnel' });
      assert.equal(await h.footer(), '4 rows · 4 columns');
      await h.shot('bar-chart-dark');
      await h.page.evaluate(() => (document.body.className = 'vscode-light'));
      const light = await h.report((x) => x.theme === 'light' && x.chart !== null, 'redrawn for light theme');
      assert.deepEqual(light.chart, { kind: 'bar', series: 1, points: 4, title: 'Course sign-up funnel' });
    } finally {
      await h.close();
    }
    const l = await open(content, { light: true });
    try {
      await l.report((x) => x.chart !== null && x.theme === 'light', 'light bar chart');
      await l.shot('bar-chart-light');
    } finally {
      await l.close();
    }
  });

  it('draws grouped bars for several series and a line over categories', async () => {
    const terms = ['Fall 2023', 'Spring 2024', 'Summer 2024', 'Fall 2024', 'Spring 2025'];
    const rows: CellValue[][] = terms.map((t, i) => [t, 120 + i * 30, 80 + i * 12, i === 2 ? null : 40 + i * 20]);
    const columns: ColumnInfo[] = [
      { name: 'term', type: 'string' },
      { name: 'views', type: 'integer' },
      { name: 'downloads', type: 'integer' },
      { name: 'captions', type: 'integer' },
    ];
    const series = columns.slice(1).map((c, s) => ({ name: c.name, values: rows.map((r) => r[s + 1] as number | null) }));
    const bars = await open({
      title: 'Media use by term',
      subtitle: 'Canvas Studio · Insights',
      data: new ArrayDataSource(columns, rows),
      chart: { kind: 'bar', title: 'Media use by term', x: { type: 'category', values: terms }, series },
    });
    try {
      const r = await bars.report((x) => x.chart !== null && x.renderedRows === 5, 'grouped bars');
      assert.deepEqual(r.chart, { kind: 'bar', series: 3, points: 5, title: 'Media use by term' });
      await bars.shot('grouped-bars-dark');
    } finally {
      await bars.close();
    }
    const line = await open({
      title: 'Media use by term',
      data: new ArrayDataSource(columns, rows),
      chart: { kind: 'line', x: { type: 'category', values: terms }, series },
    });
    try {
      const r = await line.report((x) => x.chart !== null, 'category line');
      assert.deepEqual(r.chart, { kind: 'line', series: 3, points: 5 });
    } finally {
      await line.close();
    }
  });

  it('shows the chart note when there is no chart', async () => {
    const note = 'Charts for retention insights are not drawn yet — the table shows the full result.';
    const h = await open({
      title: 'Week 1 retention',
      subtitle: 'PostHog · Retention',
      data: new ArrayDataSource(COLUMNS, rows100k.slice(0, 40)),
      chartNote: note,
    });
    try {
      const r = await h.report((x) => x.renderedRows > 0, 'table with note');
      assert.equal(r.chart, null);
      assert.equal(r.chartNote, note);
      assert.equal(await h.page.locator('.ip-chart-note').textContent(), note);
      await h.shot('chart-note-dark');
    } finally {
      await h.close();
    }
  });

  it('scrolls through 10 million rows with a scaled scrollbar', async () => {
    const h = await open({ title: 'Echo360 video views', subtitle: 'Echo360 · videoview · 10,000,000 rows', data: new SyntheticSource() });
    try {
      await h.report((r) => r.renderedRows > 0, 'first paint');
      const grid = h.page.locator('[role=grid]');
      assert.ok((await grid.evaluate((g) => g.scrollHeight)) < 10_000_000, 'spacer stays under browser limits');
      await grid.evaluate((g) => (g.scrollTop = (g.scrollHeight - g.clientHeight) / 2));
      let r = await h.report((x) => x.firstRowIndex > 4_000_000 && x.firstRowTexts.length === 5, 'middle');
      assert.ok(Math.abs(r.firstRowIndex - 5_000_000) < 50_000, `near the middle: ${r.firstRowIndex}`);
      assert.deepEqual(
        ids(r),
        [0, 1, 2, 3, 4].map((k) => String(r.firstRowIndex + k)),
      );
      // Rows sit exactly one row height apart, even at a scaled position.
      const tops = await h.page
        .locator('.ip-row:not([hidden])')
        .evaluateAll((els) =>
          els.map((e) => [Number(e.getAttribute('aria-rowindex')), e.getBoundingClientRect().top]).sort((a, b) => a[0] - b[0]),
        );
      for (let i = 1; i < tops.length; i++) assert.ok(Math.abs(tops[i][1] - tops[i - 1][1] - 22) < 0.01);

      await h.page.locator('[role=row]:not([hidden]) [role=gridcell]').nth(40).click();
      await h.page.keyboard.press('Control+End');
      r = await h.report((x) => x.firstRowIndex > 9_999_900 && x.firstRowTexts.length === 5, 'end');
      const last = h.page.locator('[role=row][aria-rowindex="10000001"]');
      await until(async () => ((await last.locator('[role=gridcell]').first().textContent()) === '9999999' ? true : undefined), 'last row');
      assert.equal(await h.page.locator('.ip-position').textContent(), 'Row 10,000,000 of 10,000,000');
      assert.equal(await h.footer(), '10,000,000 rows · 2 columns');
      await h.shot('10m-end-dark');
    } finally {
      await h.close();
    }
  });

  it('copies a row range as TSV with headers through the host', async () => {
    const h = await open(trends());
    try {
      // Wait for the chart too: it sits above the grid, and drawing it moves the rows.
      await h.report((r) => r.renderedRows > 0 && r.chart !== null, 'first paint with the chart');
      await h.page.locator('[role=row][aria-rowindex="3"] [role=gridcell]').nth(1).click();
      await h.page.keyboard.press('Control+C');
      await until(() => (h.copies.length === 1 ? true : undefined), 'cell copy');
      assert.equal(h.copies[0], String(rows100k[1][1]));
      await h.page.keyboard.press('Shift+ArrowDown');
      await h.page.keyboard.press('Shift+ArrowDown');
      await h.page.keyboard.press('Control+C');
      await until(() => (h.copies.length === 2 ? true : undefined), 'rows copy');
      const tsv = [COLUMNS.map((c) => c.name), ...rows100k.slice(1, 4).map((row) => row.map(shown))].map((l) => l.join('\t')).join('\n');
      assert.equal(h.copies[1], tsv);
      assert.equal(await h.page.locator('.ip-position').textContent(), '3 rows selected');
      // The grid repaints the selection on its next frame: wait for it rather than read mid-paint.
      await until(async () => ((await h.page.locator('.ip-row[aria-selected=true]').count()) === 3 ? true : undefined), 'three rows marked selected');
    } finally {
      await h.close();
    }
  });

  it('resizes a column by dragging its header edge', async () => {
    const h = await open(trends());
    try {
      await h.report((r) => r.renderedRows > 0, 'first paint');
      const head = h.page.locator('[role=columnheader]', { hasText: 'country' });
      const before = (await head.boundingBox())!;
      const handle = (await head.locator('.ip-resizer').boundingBox())!;
      await h.page.mouse.move(handle.x + 3, handle.y + 5);
      await h.page.mouse.down();
      await h.page.mouse.move(handle.x + 83, handle.y + 5, { steps: 4 });
      await h.page.mouse.up();
      const after = (await head.boundingBox())!;
      assert.ok(Math.abs(after.width - before.width - 80) <= 1, `${before.width} → ${after.width}`);
      const cell = (await h.page.locator('[role=row][aria-rowindex="2"] [role=gridcell]').nth(2).boundingBox())!;
      assert.ok(Math.abs(cell.width - after.width) <= 1, 'cells follow the header');
      assert.equal((h.reports[h.reports.length - 1].sort ?? []).length, 0, 'resizing did not sort');
    } finally {
      await h.close();
    }
  });

  it('restores sort, search, scroll and mode from setState', async () => {
    const first = await open(trends());
    let saved: unknown;
    try {
      await first.report((r) => r.renderedRows > 0, 'first paint');
      await first.page.locator('[role=columnheader]', { hasText: 'visits' }).click();
      await first.page.locator('vscode-textfield input').fill('kenya');
      await first.report((x) => x.search === 'kenya' && x.sort.length === 1 && x.renderedRows > 0, 'sorted search');
      await first.page.locator('[role=grid]').evaluate((g) => (g.scrollTop = 22 * 300));
      await first.page.locator('vscode-toolbar-button', { hasText: 'Table' }).click();
      const r = await first.report((x) => x.firstRowIndex >= 300 && x.mode === 'table', 'scrolled');
      saved = await until(() => {
        const s = first.state() as { scrollTop?: number; mode?: string } | undefined;
        return s && s.scrollTop === 22 * 300 && s.mode === 'table' ? s : undefined;
      }, 'state saved');
      const second = await open(trends(), { state: saved });
      try {
        const r2 = await second.report((x) => x.search === 'kenya' && x.renderedRows > 0 && x.firstRowIndex >= 300, 'restored');
        assert.deepEqual(r2.sort, [{ column: 4, desc: false }]);
        assert.equal(r2.mode, 'table');
        assert.equal(r2.firstRowIndex, r.firstRowIndex);
        assert.deepEqual(r2.firstRowTexts, r.firstRowTexts);
        assert.equal(await second.page.locator('vscode-textfield').evaluate((e) => (e as HTMLInputElement).value), 'kenya');
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });

  it('shows rows while they are still loading and says so', async () => {
    const data = new ArrayDataSource(COLUMNS, rows100k.slice(0, 500), { loading: true });
    const h = await open({ title: 'Echo360 report', subtitle: 'Echo360 · report request', data });
    try {
      await h.report((r) => r.renderedRows > 0 && r.totalRows === 500, 'first rows');
      assert.equal(await h.footer(), '500 rows · 8 columns · loading…');
      await h.shot('loading-dark');
      data.append(rows100k.slice(500, 2000));
      data.finishLoading();
      await until(async () => ((await h.footer()) === '2,000 rows · 8 columns' ? true : undefined), 'loaded footer');
      const r = await h.report((x) => x.totalRows === 2000 && x.rowsInView === 2000, 'all rows');
      assert.deepEqual(ids(r), ['1', '2', '3', '4', '5']);
      assert.deepEqual(warnings, [], 'the host logged no warnings');
    } finally {
      await h.close();
    }
  });
  it('draws stacked bars and a histogram', async () => {
    const stacked: ChartSpec = {
      kind: 'stackedBar',
      title: 'Views by course and role',
      x: { type: 'category', values: ['BIO101', 'CHEM200', 'HIST110'] },
      series: [
        { name: 'student', values: [120, 80, null] },
        { name: 'teacher', values: [10, 25, 5] },
      ],
    };
    const h = await open({ title: 'stacked', data: new ArrayDataSource(COLUMNS, rows100k.slice(0, 10)), chart: stacked });
    try {
      const r = await h.report((x) => x.chart !== null, 'stacked chart drawn');
      assert.deepEqual(r.chart, { kind: 'stackedBar', series: 2, points: 3, title: 'Views by course and role' });
      assert.equal(await h.page.locator('.ip-plot .u-legend .u-series').count(), 3);
      await h.shot('chart-stacked-dark');
    } finally {
      await h.close();
    }
    const hist: ChartSpec = {
      kind: 'histogram',
      title: 'Distribution of score',
      x: { type: 'category', values: ['0–10', '10–20', '20–30', '30–40'] },
      series: [{ name: 'rows', values: [3, 9, 4, 1] }],
    };
    const h2 = await open({ title: 'hist', data: new ArrayDataSource(COLUMNS, rows100k.slice(0, 10)), chart: hist }, { light: true });
    try {
      const r = await h2.report((x) => x.chart !== null, 'histogram drawn');
      assert.deepEqual(r.chart, { kind: 'histogram', series: 1, points: 4, title: 'Distribution of score' });
      await h2.shot('chart-histogram-light');
    } finally {
      await h2.close();
    }
  });

  it('filters through the filter row, shows column stats, and keeps hostile text inert (engine)', async () => {
    const lines = ['id,name,score'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${i % 10 === 3 ? HOSTILE : `n${i % 7}`},${i % 11 === 0 ? '' : (i * 13) % 100}`);
    const table = await ingestCsv(
      (async function* () {
        yield lines.join('\n');
      })(),
    );
    const h = await open({ title: 'engine', data: new EngineDataSource(table) });
    try {
      await h.report((r) => r.renderedRows > 0, 'first paint');
      assert.equal(await h.page.locator('.ip-filter').count(), 3, 'one filter box per column');
      await h.page.locator('.ip-filter[aria-label="Filter score"]').fill('10..20');
      let r = await h.report((x) => x.filters?.length === 1, 'range filter applied');
      const inRange = lines.slice(1).filter((l) => {
        const v = l.split(',').pop()!;
        return v !== '' && Number(v) >= 10 && Number(v) <= 20;
      }).length;
      assert.equal(r.rowsInView, inRange);
      assert.match(await h.footer(), new RegExp(`3,000 rows · 3 columns · filtered to ${inRange.toLocaleString('en-US')}`));
      await h.page.locator('.ip-filter[aria-label="Filter name"]').fill('onerror');
      r = await h.report((x) => x.filters?.length === 2 && x.renderedRows > 0, 'text filter applied');
      assert.ok(r.firstRowTexts.every((row) => row[1] === HOSTILE));
      assert.equal(await h.page.locator('img').count(), 0, 'no <img> in the page');
      // A bad range marks the box and does not change the view.
      await h.page.locator('.ip-filter[aria-label="Filter score"]').fill('10..x');
      await until(async () => ((await h.page.locator('.ip-filter.ip-invalid').count()) === 1 ? true : undefined), 'invalid mark');
      await h.page.locator('.ip-filter[aria-label="Filter score"]').fill('');
      await h.page.locator('.ip-filter[aria-label="Filter name"]').fill('');
      await h.report((x) => !x.filters && x.rowsInView === 3000, 'filters cleared');
      await h.page.locator('.ip-colhead[aria-colindex="3"]').hover();
      await h.page.locator('.ip-colhead[aria-colindex="3"] .ip-statsbtn').click();
      await until(async () => ((await h.page.locator('.ip-stats').textContent())?.includes('Distinct') ? true : undefined), 'stats popover');
      const text = (await h.page.locator('.ip-stats').textContent()) ?? '';
      assert.match(text, /Empty273/);
      assert.equal(await h.page.locator('.ip-stats .ip-hist div').count(), 20);
      assert.deepEqual(
        (await h.report((x) => x.sort.length === 0, 'no sort')).sort,
        [],
        'the stats button does not sort',
      );
      await h.shot('filters-stats-dark');
    } finally {
      await h.close();
    }
  });
});

// A subset of the variables VS Code sets on a webview's <html> (Dark Modern and Light Modern).
