/**
 * One way every fetched result reaches the preview: its rows are a file in the result store (or,
 * for an Echo360 run, the run's downloaded file), streamed into the column engine like a local
 * file. So every preview has column statistics, filters over all rows, Export, chart controls
 * beside the platform's own charts, and comes back after a window reload.
 *
 * Beside the rows the store keeps `<key>.panel`: the title, subtitle, the platform's charts and
 * where the rows are. The panel's host-side record (PanelRecords) names only source id + key; the
 * serializer re-reads the description and the rows from the store. The webview never names a file.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { toCsv, type CsvCell } from '../../core/csv';
import type { Table } from '../../core/table';
import type { ChartSpec } from '../../protocol';
import type { ResultStore } from '../documents/resultStore';
import { ingestLimits } from '../limitsSetting';
import { EngineDataSource } from '../../core/preview/engineDataSource';
import type { PreviewPanelManager } from './previewPanelManager';
import type { PreviewContent } from '../../core/preview/session';

/** What a result's panel shows, stored beside its rows. */
export interface StoredPreview {
  title: string;
  subtitle?: string;
  /** The platform's own charts of the result, first one shown first (chart controls come with every preview). */
  charts?: ChartSpec[];
  /** Why the platform has no chart of this result (shown until the user charts the rows). */
  chartNote?: string;
  /** Where the rows are: the store's `<key>.rows` (CSV) unless a file is named (an Echo360 run's download). */
  rows?: { file: string; delimiter: string };
}

export interface ResultRef {
  sourceId: string;
  /** The result-store key of this table. */
  key: string;
}

type ShowOptions = { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean };

const PANEL_EXT = 'panel';
const ROWS_EXT = 'rows';

export class ResultPreviews {
  constructor(
    private readonly store: ResultStore,
    private readonly previews: PreviewPanelManager,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The preview panel key of a stored result (one panel per result). */
  static keyOf(ref: ResultRef): string {
    return `${ref.sourceId}/${ref.key}`;
  }

  /**
   * Stores a table's rows (plain CSV: the formula guard belongs to the documents and exports, not
   * to the values the grid shows) and its description, then shows it.
   */
  async showTable(ref: ResultRef, columns: string[], rows: CsvCell[][], preview: Omit<StoredPreview, 'rows'>, opts: ShowOptions = {}): Promise<void> {
    await this.store.save(ref.sourceId, ref.key, ROWS_EXT, toCsv(columns, rows, { formulaGuard: false }));
    await this.showStored(ref, preview, opts);
  }

  /** Where `showTable` keeps a table's rows: a caller streaming rows writes them there, then calls `showStored`. */
  rowsFileOf(ref: ResultRef): string {
    return this.store.fileFor(ref.sourceId, ref.key, ROWS_EXT);
  }

  /** Stores the description of a result whose rows are already a file (`preview.rows`, or the store's rows) and shows it. */
  async showStored(ref: ResultRef, preview: StoredPreview, opts: ShowOptions = {}): Promise<{ key: string; done: Promise<Table> }> {
    await this.store.save(ref.sourceId, ref.key, PANEL_EXT, JSON.stringify(preview) + '\n');
    const { content, done } = this.contentFor(ref, preview);
    const key = ResultPreviews.keyOf(ref);
    await this.previews.show(key, content, opts);
    return { key, done };
  }

  /** Shows a stored result again from its description and rows; false when it is no longer stored. */
  async reopen(ref: ResultRef, opts: ShowOptions = {}): Promise<boolean> {
    let preview: StoredPreview;
    try {
      preview = parseStored(await fs.promises.readFile(this.store.fileFor(ref.sourceId, ref.key, PANEL_EXT), 'utf8'));
      await fs.promises.access(this.rowsFile(ref, preview));
    } catch {
      return false;
    }
    await this.showStored(ref, preview, opts);
    return true;
  }

  /**
   * A panel VS Code brings back after a reload, for a result record. Resolves to the result's
   * document URI, or undefined when the stored result is gone (the caller closes the panel).
   */
  async restore(panel: vscode.WebviewPanel, ref: ResultRef, id: string): Promise<vscode.Uri | undefined> {
    let preview: StoredPreview;
    try {
      preview = parseStored(await fs.promises.readFile(this.store.fileFor(ref.sourceId, ref.key, PANEL_EXT), 'utf8'));
      await fs.promises.access(this.rowsFile(ref, preview));
    } catch (e) {
      this.log.warn(`Preview: not restoring ${ref.sourceId}/${ref.key}: the stored result is gone (${e instanceof Error ? e.message : String(e)})`);
      return undefined;
    }
    const { content } = this.contentFor(ref, preview, id);
    panel.title = content.title;
    this.previews.adopt(ResultPreviews.keyOf(ref), panel, content);
    return this.store.uriFor(ref.sourceId, ref.key, preview.title, 'csv');
  }

  private rowsFile(ref: ResultRef, preview: StoredPreview): string {
    return preview.rows?.file ?? this.store.fileFor(ref.sourceId, ref.key, ROWS_EXT);
  }

  private contentFor(ref: ResultRef, preview: StoredPreview, id?: string): { content: PreviewContent; done: Promise<Table> } {
    const file = this.rowsFile(ref, preview);
    const { data, done } = EngineDataSource.stream(fs.createReadStream(file, { highWaterMark: 1 << 20 }), {
      delimiter: preview.rows?.delimiter ?? ',',
      charts: true,
      limits: ingestLimits(),
      label: preview.title,
    });
    done.catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`Preview: reading the rows of ${preview.title} failed: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Insight Explorer: reading the rows of {0} failed: {1}', preview.title, message));
    });
    const [chart, ...moreCharts] = preview.charts ?? [];
    const panelId = id ?? this.previews.records.issue({ kind: 'result', sourceId: ref.sourceId, key: ref.key });
    return {
      content: {
        title: preview.title,
        subtitle: preview.subtitle,
        data,
        chart,
        moreCharts: moreCharts.length ? moreCharts : undefined,
        chartNote: chart ? undefined : preview.chartNote,
        source: { panel: panelId },
      },
      done,
    };
  }
}

/** The stored description, checked: it is our own file, but a damaged one must not open a broken panel. */
function parseStored(text: string): StoredPreview {
  const v = JSON.parse(text) as unknown;
  if (!v || typeof v !== 'object') throw new Error('not a preview description');
  const p = v as Record<string, unknown>;
  if (typeof p.title !== 'string') throw new Error('the description has no title');
  const rows = p.rows as StoredPreview['rows'] | undefined;
  if (rows !== undefined && (typeof rows?.file !== 'string' || typeof rows.delimiter !== 'string')) throw new Error('bad rows');
  return {
    title: p.title,
    subtitle: typeof p.subtitle === 'string' ? p.subtitle : undefined,
    charts: Array.isArray(p.charts) ? (p.charts as ChartSpec[]) : undefined,
    chartNote: typeof p.chartNote === 'string' ? p.chartNote : undefined,
    rows,
  };
}
