// Every fetched result on the column engine, phase 1: PostHog, Canvas and Studio previews offer
// column statistics, Export and chart controls beside the platform's own charts, and are left open
// for the runner's window reload; resultPreviews.afterReload.test.ts checks they come back.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import Papa from 'papaparse';
import type { InsightExplorerApi } from '../../src/vscode/extension';
import type { PreviewReport } from '../../src/protocol';
import { startCanvasFake, type CanvasFake } from '../fakes/canvas';
import { startPostHogFake, type PostHogFake } from '../fakes/posthog';
import { startStudioFake, type StudioFake } from '../fakes/studio';
import { serializeStudioSecret } from '../../src/core/sources/studio/options';
import { ensureSource, screenshot, waitForReport } from './treeKit';
import { requireUi, ui } from './ui';
import { resultPreviewsHandover, type ResultPreviewHandover } from './resultPreviewsKit';

const EXTENSION_ID = 'insight-explorer.insight-explorer';

describe('Result previews on the column engine', function () {
  this.timeout(120_000);
  let api: InsightExplorerApi;
  let posthog: PostHogFake;
  let canvas: CanvasFake;
  let studio: StudioFake;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insight-result-previews-'));
  const left: ResultPreviewHandover[] = [];
  const sourceIds: string[] = [];

  before(async () => {
    [posthog, canvas, studio] = await Promise.all([startPostHogFake(), startCanvasFake(), startStudioFake()]);
    api = (await vscode.extensions.getExtension<InsightExplorerApi>(EXTENSION_ID)!.activate())!;
  });

  after(async () => {
    await Promise.all([posthog?.close(), canvas?.close(), studio?.close()]);
  });

  const leave = (r: PreviewReport, title: string) =>
    left.push({
      key: r.key,
      title,
      totalRows: r.totalRows,
      columns: r.columns,
      chartKind: r.chart?.kind ?? null,
      chartChoices: r.chartChoices,
      chartQuery: r.chartQuery ?? null,
    });

  /**
   * Cells as instants where they are ISO date-times: the column engine holds a date-time with an
   * offset as the instant, and exports it in UTC ("2024-09-01T23:59:00-06:00" → "2024-09-02T05:59:00.000Z").
   */
  const instants = (rows: string[][]) =>
    rows.map((r) => r.map((c) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(c) ? new Date(c).toISOString() : c)));

  /** The CSV document's rows, read with Papa Parse (an independent reader). */
  const documentRows = async (uri: vscode.Uri) => Papa.parse<string[]>((await vscode.workspace.openTextDocument(uri)).getText().trim()).data;

  it('a PostHog trend: statistics, Export of every row, and its own chart beside "Chart the rows"', async function () {
    const sourceId = await ensureSource(
      api,
      { kind: 'posthog', label: 'Previews PostHog', baseUrl: posthog.url, options: { projectId: String(posthog.projectId), environment: false } },
      posthog.apiKey,
    );
    sourceIds.push(sourceId);
    const target = posthog.insights.find((i) => i.name === 'Weekly active learners')!;
    const opened = (await vscode.commands.executeCommand<{ csvUri: vscode.Uri; previewKey: string }>('insightExplorer.posthog.openInsight', {
      sourceId,
      insightId: target.id,
    }))!;
    const doc = await documentRows(opened.csvUri);
    const r = await waitForReport(api, opened.previewKey, (x) => x.renderedRows > 0 && x.chart !== null && x.totalRows === doc.length - 1, 60_000);
    assert.deepStrictEqual(r.columns, doc[0]);
    assert.deepStrictEqual(r.offers, { export: true, stats: true, chartControls: true });
    assert.strictEqual(r.chart?.kind, 'line', "PostHog's own trend chart first");
    assert.deepStrictEqual(r.chartChoices?.slice(-1), ['Chart the rows']);
    assert.strictEqual(r.chartQuery, undefined, 'the own chart shows, not a chart of the rows');

    // Export writes every row of the view: the same rows as the CSV document.
    const out = path.join(dir, 'trend.csv');
    await api.previews.exportTo(opened.previewKey, vscode.Uri.file(out));
    assert.deepStrictEqual(Papa.parse<string[]>(fs.readFileSync(out, 'utf8').trim()).data, doc);

    if (!ui.available) return requireUi(this);
    // Column statistics from the header's Σ button.
    await ui.click({ selector: '.ip-statsbtn', frame: 'webview' });
    const stats = await ui.waitForWebview((s) => /Distinct/.test(s.text) && /Values/.test(s.text));
    assert.match(stats.text, new RegExp(`Values\\s*${(doc.length - 1).toLocaleString('en-US')}`));
    await ui.press('Escape');
    // Chart the rows: the chart controls take over, with the host's automatic choice.
    await ui.select('select[data-field="pick"]', 'Chart the rows');
    const custom = await waitForReport(api, opened.previewKey, (x) => !!x.chartQuery && x.chart !== null, 30_000);
    assert.strictEqual(custom.chartQuery?.kind === 'auto' ? 'auto' : 'resolved', 'resolved', 'the host resolves the automatic choice');
    await screenshot('result-preview-posthog-chart-rows');
    leave(custom, target.name as string);
  });

  it('Canvas assignments: box plot and stacked bars of its own, then "Chart the rows"; statistics and Export', async () => {
    const sourceId = await ensureSource(api, { kind: 'canvas', label: 'Previews Canvas', baseUrl: canvas.url, options: {} }, canvas.token);
    sourceIds.push(sourceId);
    const opened = (await api.canvas.opener.open(api.services.store.get(sourceId)!, { id: 'course.assignments', courseId: '101' }, 'Course 101'))!;
    const table = opened.tables[0];
    const doc = await documentRows(table.csvUri);
    const r = await waitForReport(api, table.previewKey, (x) => x.renderedRows > 0 && x.chart !== null && x.totalRows === doc.length - 1, 60_000);
    assert.deepStrictEqual(r.offers, { export: true, stats: true, chartControls: true });
    assert.strictEqual(r.chart?.kind, 'box');
    assert.strictEqual(r.chartChoices?.length, 3, `choices: ${r.chartChoices}`);
    assert.strictEqual(r.chartChoices?.[2], 'Chart the rows');
    const out = path.join(dir, 'assignments.csv');
    await api.previews.exportTo(table.previewKey, vscode.Uri.file(out));
    assert.deepStrictEqual(instants(Papa.parse<string[]>(fs.readFileSync(out, 'utf8').trim()).data), instants(doc));
    leave(r, table.shownTitle);
  });

  it('a Studio overview: its line chart, statistics, Export and chart controls', async () => {
    const sourceId = await ensureSource(
      api,
      { kind: 'studio', label: 'Previews Studio', baseUrl: studio.url, options: { perspectives: '[]' } },
      serializeStudioSecret({ accessToken: studio.token, refreshToken: studio.refreshToken, clientId: studio.clientId, clientSecret: studio.clientSecret }),
    );
    sourceIds.push(sourceId);
    const p = studio.perspectives[0];
    const opened = (await api.studio.opener.open(api.services.store.get(sourceId)!, { uuid: p.uuid, label: p.label }, 'overview'))!;
    const r = await waitForReport(api, opened.previewKey, (x) => x.renderedRows > 0 && x.chart !== null && x.totalRows === opened.rows, 60_000);
    assert.deepStrictEqual(r.offers, { export: true, stats: true, chartControls: true });
    assert.strictEqual(r.chart?.kind, 'line');
    assert.deepStrictEqual(r.columns, opened.columns);
    const out = path.join(dir, 'overview.csv');
    await api.previews.exportTo(opened.previewKey, vscode.Uri.file(out));
    const exported = Papa.parse<string[]>(fs.readFileSync(out, 'utf8').trim()).data;
    assert.deepStrictEqual(exported[0], opened.columns);
    assert.strictEqual(exported.length - 1, opened.rows);
    leave(r, opened.title);
  });

  it('leaves the three previews open for the reload', async () => {
    assert.ok(left.length > 0, 'the tests above left previews to check after the reload');
    resultPreviewsHandover.write({ sourceIds, dir, panels: left });
    // code-server writes the workbench state (open editors, webview states) about every 5 s while idle.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
  });
});
