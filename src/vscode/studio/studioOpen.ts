import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/atomicFile';
import type { ChartSpec } from '../../core/sources/shared/chartSpec';
import { StudioInsight, parseStudioCsv, studioChartSpecs } from '../../core/sources/studio';
import type { ChartSpec as PreviewChartSpec } from '../../protocol';
import { LatestFetches } from '../documents/latestFetch';
import { ResultStore } from '../documents/resultStore';
import { chartOf } from '../../core/sources/shared/chartSpec';
import type { CellValue } from '../../protocol';
import { ResultPreviews } from '../preview/resultPreviews';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { StudioAdapter } from './studioTree';
import { StudioPerspectiveRef, roleLabel } from '../../core/sources/studio/options';
import { INSIGHT_LABEL } from './studioTree';

export interface OpenedStudioInsight {
  /** The preview's and the document's title. */
  title: string;
  csvUri: vscode.Uri;
  /** The file holding the CSV exactly as Studio sent it. */
  file: string;
  bytes: number;
  previewKey: string;
  columns: string[];
  rows: number;
  chart?: PreviewChartSpec['kind'];
  specs: ChartSpec['kind'][];
}

export function studioResultKey(uuid: string, insight: StudioInsight, role: string | undefined): string {
  return `studio-${uuid}-${insight}${role ? `-role-${role}` : ''}`;
}

/**
 * Writes the bytes as received, through a temp file and a rename (ResultStore.save takes text,
 * and decoding then re-encoding could alter bytes that are not valid UTF-8).
 */
async function saveBytes(file: string, bytes: Buffer): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, [bytes]);
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Grid rows from the CSV: columns whose every cell is a plain number become numbers (they sort
 * and align as numbers); anything else ("87%", "1,234", dates) stays the text Studio sent.
 */
export function studioGrid(csv: Buffer): { columns: string[]; rows: CellValue[][] } {
  const { header, rows } = parseStudioCsv(csv);
  // A row longer than the header (a stray comma) gets extra columns instead of losing cells.
  const width = Math.max(header.length, ...rows.map((r) => r.length));
  const columns = Array.from({ length: width }, (_, i) => header[i] ?? `column ${i + 1}`);
  const numeric = columns.map(
    (_, i) =>
      rows.some((r) => (r[i] ?? '').trim() !== '') && rows.every((r) => (r[i] ?? '').trim() === '' || PLAIN_NUMBER.test(r[i].trim())),
  );
  const grid = rows.map((r) =>
    columns.map((_, i): CellValue => {
      const v = r[i] ?? '';
      if (v.trim() === '') return null;
      return numeric[i] ? Number(v) : v;
    }),
  );
  return { columns, rows: grid };
}

/** Fetch the CSV → store it byte for byte → document (the CSV as sent) + preview (grid + chart). */
export class StudioOpener {

  constructor(
    private readonly services: Services,
    private readonly adapter: StudioAdapter,
    private readonly results: ResultStore,
    private readonly previews: ResultPreviews,
  ) {
    this.fetches = new LatestFetches(services.log);
  }

  private readonly fetches: LatestFetches;

  async open(source: SourceConfig, perspective: StudioPerspectiveRef, insight: StudioInsight): Promise<OpenedStudioInsight | undefined> {
    const role = perspective.roles?.[insight];
    const key = studioResultKey(perspective.uuid, insight, role);
    const title = `${perspective.label} · ${INSIGHT_LABEL[insight]}${role ? ` (${role})` : ''}`;
    const client = await this.adapter.client(source);
    const csv = await this.fetches.run(`${source.id}/${key}`, `Studio: ${title}`, (signal) =>
      client.fetchInsights(insight, perspective.uuid, { role, signal }),
    );
    return csv && this.show(source, perspective, role, key, title, csv);
  }

  private async show(
    source: SourceConfig,
    perspective: StudioPerspectiveRef,
    role: string | undefined,
    key: string,
    title: string,
    csv: Buffer,
  ): Promise<OpenedStudioInsight> {
    const file = this.results.fileFor(source.id, key, 'csv');
    await saveBytes(file, csv);
    const csvUri = this.results.uriFor(source.id, key, title, 'csv');
    this.results.changed(csvUri);

    const grid = studioGrid(csv);
    const specs = studioChartSpecs(csv);
    const { chart, moreCharts } = chartOf(specs);
    const previewKey = `${source.id}/${key}`;
    this.services.log.info(
      `Studio: ${title}: ${csv.length} bytes, ${grid.rows.length} rows, charts: ${specs.map((s) => s.kind).join(', ') || 'none'}.`,
    );

    // The setting's "json" has no meaning for a CSV-only API: it opens the CSV too.
    if (vscode.workspace.getConfiguration('insightExplorer').get<string>('openDocument', 'csv') !== 'none') {
      const doc = await vscode.workspace.openTextDocument(csvUri);
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
    }
    await this.previews.showTable(
      { sourceId: source.id, key },
      grid.columns,
      grid.rows,
      {
        title,
        subtitle: `Canvas Studio · ${perspective.label} · ${roleLabel(role)} · ${source.label}`,
        charts: chart ? [chart, ...(moreCharts ?? [])] : undefined,
        chartNote: chart
          ? undefined
          : 'No views column over dates or over a position in the video, and no completion-rate column, in this CSV to chart; the table shows it as sent.',
      },
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    );
    return {
      title,
      csvUri,
      file,
      bytes: csv.length,
      previewKey,
      columns: grid.columns,
      rows: grid.rows.length,
      chart: chart?.kind,
      specs: specs.map((s) => s.kind),
    };
  }
}
