import * as vscode from 'vscode';
import {
  CANVAS_ENDPOINTS,
  CanvasEndpointId,
  CanvasEndpointRef,
  ChartSpec,
  canvasCharts,
  canvasRetryMessage,
  summariesSortNote,
  canvasTables,
  tableToCsv,
} from '../../core/sources/canvas';
import type { ChartSpec as PreviewChartSpec } from '../../protocol';
import { LatestFetches } from '../documents/latestFetch';
import { ResultStore } from '../documents/resultStore';
import { formulaGuardSetting } from '../formulaGuardSetting';
import { ResultPreviews } from '../preview/resultPreviews';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { CanvasAdapter } from './canvasTree';
import { sortLabel } from '../../core/sources/canvas/options';
import { TableView, previewContentFor } from '../../core/sources/canvas/previewContent';

export type CanvasOpenTarget = 'default' | 'json';

export interface OpenedCanvasTable {
  key: string;
  title: string;
  /** The preview's and the CSV document's title (says when a sort leaves students out). */
  shownTitle: string;
  csvUri: vscode.Uri;
  previewKey: string;
  columns: string[];
  rows: number;
  /** What the preview draws first (undefined: the table has no chart). */
  chart?: PreviewChartSpec['kind'];
  /** Every chart kind the core proposed for this table. */
  specs: ChartSpec['kind'][];
}

export interface OpenedCanvasResult {
  endpoint: CanvasEndpointId;
  jsonUri: vscode.Uri;
  tables: OpenedCanvasTable[];
}

/** Stable result key of an endpoint reference: the ids in it, never labels. */
export function resultKey(ref: CanvasEndpointRef): string {
  if ('scope' in ref) {
    const scope = typeof ref.scope === 'string' ? ref.scope : `term${ref.scope.termId}`;
    return `canvas-account-${ref.accountId}-${scope}-${ref.id}`;
  }
  if ('studentId' in ref && ref.studentId !== undefined) return `canvas-course-${ref.courseId}-student-${ref.studentId}-${ref.id}`;
  if ('courseId' in ref) return `canvas-course-${ref.courseId}-${ref.id}`;
  if ('accountId' in ref) return `canvas-account-${ref.accountId}-${ref.id}`;
  return `canvas-${ref.id}`;
}

/**
 * Fetch → store (CSV per table + the raw JSON) → documents + previews. Opening the same item again
 * cancels the previous fetch (its answer would be replaced anyway).
 *
 * Answers with two tables (department activity by date / by category, student page views /
 * participations) open both, each as a CSV tab and a preview tab with its own chart: both come
 * from one request, are small, and are read together; a pick before every open would cost a step
 * and hide half of what was just fetched. The first table ends up in front.
 */
export class CanvasOpener {
  constructor(
    private readonly services: Services,
    private readonly adapter: CanvasAdapter,
    private readonly results: ResultStore,
    private readonly previews: ResultPreviews,
  ) {
    this.fetches = new LatestFetches(services.log);
  }

  private readonly fetches: LatestFetches;

  async open(
    source: SourceConfig,
    ref: CanvasEndpointRef,
    where: string,
    target: CanvasOpenTarget = 'default',
  ): Promise<OpenedCanvasResult | undefined> {
    const key = resultKey(ref);
    const endpoint = CANVAS_ENDPOINTS[ref.id];
    const client = await this.adapter.client(source);
    const fetched = await this.fetches.run(`${source.id}/${key}`, `Canvas: ${endpoint.title} · ${where}`, (signal, progress) =>
      client.fetch(ref, {
        signal,
        onPage: (p) => {
          if (p.page > 1) progress.report({ message: `page ${p.page}…` });
        },
        // Canvas throttles without Retry-After; the waits can add up to a minute: say so.
        onRetry: (info) => progress.report({ message: `${canvasRetryMessage(info)}…` }),
        // Course assignments answer through a Canvas Progress on large courses (?async=true).
        onProgress: (p) =>
          progress.report({
            message: `Canvas is preparing the data (${p.workflow_state}${typeof p.completion === 'number' ? `, ${Math.round(p.completion)}%` : ''})…`,
          }),
      }),
    );
    return fetched && this.show(source, ref, where, key, fetched.data, fetched.names, target);
  }

  private async show(
    source: SourceConfig,
    ref: CanvasEndpointRef,
    where: string,
    key: string,
    data: unknown,
    names: Map<number, string> | undefined,
    target: CanvasOpenTarget,
  ): Promise<OpenedCanvasResult> {
    const endpoint = CANVAS_ENDPOINTS[ref.id];
    const tables = canvasTables(ref.id, data, { names });
    const views = previewContentFor(ref.id, tables, canvasCharts(ref.id, data, { names }));

    await this.results.save(source.id, key, 'json', JSON.stringify(data, null, 2) + '\n');
    const jsonUri = this.results.uriFor(source.id, key, `${where} · ${endpoint.title}`, 'json');
    this.results.changed(jsonUri);
    const opened: OpenedCanvasTable[] = [];
    // Sorted by page views or participations, Canvas lists only students with page-view data.
    const note = ref.id === 'course.studentSummaries' ? summariesSortNote(ref.sortColumn) : undefined;
    const titleOf = (v: TableView) => `${where} · ${v.table.title}${note ? ` (${note})` : ''}`;
    for (const v of views) {
      const tableKey = `${key}-${v.table.key}`;
      await this.results.save(source.id, tableKey, 'csv', tableToCsv(v.table.table, { formulaGuard: formulaGuardSetting() }));
      const csvUri = this.results.uriFor(source.id, tableKey, titleOf(v), 'csv');
      this.results.changed(csvUri);
      opened.push({
        key: v.table.key,
        title: v.table.title,
        shownTitle: titleOf(v),
        csvUri,
        previewKey: ResultPreviews.keyOf({ sourceId: source.id, key: tableKey }),
        columns: v.table.table.columns,
        rows: v.table.table.rows.length,
        chart: v.chart?.kind,
        specs: v.specs.map((s) => s.kind),
      });
    }
    this.services.log.info(`Canvas: ${endpoint.title} (${where}): ${opened.map((t) => `${t.title} ${t.rows} rows`).join(', ')}.`);

    const openDoc = async (uri: vscode.Uri, column: vscode.ViewColumn) => {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: column });
    };
    if (target === 'json') {
      await openDoc(jsonUri, vscode.ViewColumn.Active);
      return { endpoint: ref.id, jsonUri, tables: opened };
    }
    const docPref = vscode.workspace.getConfiguration('insightExplorer').get<string>('openDocument', 'csv');
    // Last opened is in front: go through the tables backwards so the first one ends up visible.
    if (docPref === 'json') await openDoc(jsonUri, vscode.ViewColumn.One);
    else if (docPref !== 'none') for (const t of [...opened].reverse()) await openDoc(t.csvUri, vscode.ViewColumn.One);
    const subtitle = `Canvas · ${where} · ${source.label}${ref.id === 'course.studentSummaries' ? ` · sorted by ${sortLabel(ref.sortColumn)}` : ''}`;
    for (let i = views.length - 1; i >= 0; i--) {
      await this.showPreview({ sourceId: source.id, key: `${key}-${views[i].table.key}` }, views[i], opened[i].shownTitle, subtitle);
    }
    return { endpoint: ref.id, jsonUri, tables: opened };
  }

  private async showPreview(ref: { sourceId: string; key: string }, v: TableView, title: string, subtitle: string): Promise<void> {
    const { columns, rows } = v.table.table;
    const charts = v.chart ? [v.chart, ...(v.moreCharts ?? [])] : undefined;
    await this.previews.showTable(
      ref,
      columns,
      rows,
      { title, subtitle, charts },
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    );
  }
}
