import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/atomicFile';
import { toCsv } from '../../core/csv';
import { InsightError } from '../../core/errors';
import type { PlatformItem, PlatformResult, SourceConfig } from '../../core/platform';
import type { ChartSpec } from '../../protocol';
import { formulaGuardSetting } from '../formulaGuardSetting';
import { ResultPreviews } from '../preview/resultPreviews';
import type { Services } from '../services';
import type { PlatformAdapter } from '../sources/platformAdapter';
import { LatestFetches } from './latestFetch';
import type { ResultStore } from './resultStore';

/** VS Code opens text documents up to 50 MB (larger files are refused as too large to open). */
const EDITOR_LIMIT_BYTES = 50 * 1024 * 1024;

/** Where a result written page by page goes (see `ResultOpener.filesFor`). */
export interface ResultFiles {
  raw: string;
  csv: string;
  rows: string;
  /** Whether its CSV document is formula-guarded (`insightExplorer.export.formulaGuard`). */
  formulaGuard: boolean;
}

/** What opening a result showed: its raw document, and per table a CSV document and a preview. */
export interface OpenedResult {
  title: string;
  /** The raw answer exactly as sent (JSON or CSV). */
  uri: vscode.Uri;
  file: string;
  bytes: number;
  tables: {
    /** The table's key within the result (absent for a result of one table). */
    key?: string;
    /** The table's own name, or the result's title. */
    name: string;
    /** Its document's and preview's title. */
    title: string;
    /** Its CSV document: the raw answer itself when that is the one table's CSV. */
    csvUri: vscode.Uri;
    previewKey: string;
    columns: string[];
    rows: number;
    charts: ChartSpec['kind'][];
  }[];
}

/**
 * `default`: the documents per `insightExplorer.openDocument` and the previews beside them;
 * `beside`: the same, all beside the active editor (which keeps the focus: a query being edited);
 * `raw`: only the raw answer; `csv`: only the first table's CSV; `preview`: only the previews, in
 * the active column.
 */
export type OpenTarget = 'default' | 'beside' | 'raw' | 'csv' | 'preview';

/**
 * The one result pipeline of the platforms on the contract: fetch (the newest open of an item
 * wins, under a cancellable progress notification) → the result store (the raw answer byte for
 * byte; each table as CSV, formula-guarded per `insightExplorer.export.formulaGuard`, unless the
 * raw answer is that table's CSV) → the documents (per `insightExplorer.openDocument`) → a
 * preview per table on the column engine, beside them. The first table ends up in front.
 */
export class ResultOpener {
  private readonly fetches: LatestFetches;

  constructor(
    private readonly services: Services,
    private readonly results: ResultStore,
    private readonly previews: ResultPreviews,
  ) {
    this.fetches = new LatestFetches(services.log);
  }

  /** Fetches and shows an item that offers `open`; undefined when cancelled or replaced by a newer open. */
  async open<C>(adapter: PlatformAdapter<C>, source: SourceConfig, item: PlatformItem, target: OpenTarget = 'default'): Promise<OpenedResult | undefined> {
    const { platform } = adapter;
    if (!platform.fetch || !item.capabilities?.includes('open'))
      throw new InsightError('usage', vscode.l10n.t('{0} cannot open “{1}”.', platform.label, item.label), {
        next: vscode.l10n.t('Open an item that shows an Open action.'),
      });
    const client = await adapter.client(source);
    const flight = `${source.id}/${item.type}/${JSON.stringify(item.data ?? item.key)}`;
    const result = await this.fetches.run(flight, `${platform.label}: ${item.label}`, (signal, progress) =>
      platform.fetch!(client, source, item, { signal, progress: (message) => progress.report({ message }) }),
    );
    return result && this.show(source, result, target);
  }

  /** The preview of a stored result again (no request); false when it is no longer stored. */
  reopen(sourceId: string, key: string): Promise<boolean> {
    return this.previews.reopen({ sourceId, key }, { viewColumn: vscode.ViewColumn.Beside });
  }

  async show(source: SourceConfig, result: PlatformResult, target: OpenTarget = 'default'): Promise<OpenedResult> {
    const { raw } = result;
    const file = this.results.fileFor(source.id, result.key, raw.ext);
    // Byte for byte, through a temp file and a rename: decoding and re-encoding could alter bytes
    // that are not valid UTF-8.
    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, [raw.bytes]);
    const uri = this.results.uriFor(source.id, result.key, result.title, raw.ext);
    this.results.changed(uri);

    const rawIsTheCsv = raw.ext === 'csv' && result.tables.length === 1;
    const guard = formulaGuardSetting();
    const tables: OpenedResult['tables'] = [];
    const sizes = new Map<string, number>([[uri.toString(), raw.bytes.length]]);
    for (const t of result.tables) {
      const key = t.key ? `${result.key}-${t.key}` : result.key;
      const title = t.title ?? result.title;
      let csvUri = uri;
      let csvBytes = raw.bytes.length;
      if (!rawIsTheCsv) {
        const csv = toCsv(t.columns, t.rows, { formulaGuard: guard });
        csvBytes = Buffer.byteLength(csv);
        await this.results.save(source.id, key, 'csv', csv);
        csvUri = this.results.uriFor(source.id, key, title, 'csv');
        this.results.changed(csvUri);
      }
      const previewKey = ResultPreviews.keyOf({ sourceId: source.id, key });
      sizes.set(csvUri.toString(), csvBytes);
      tables.push({ key: t.key, name: t.name ?? result.title, title, csvUri, previewKey, columns: t.columns, rows: t.rows.length, charts: (t.charts ?? []).map((c) => c.kind) });
    }
    this.services.log.info(result.summary);
    const opened: OpenedResult = { title: result.title, uri, file, bytes: raw.bytes.length, tables };
    return this.present(result.title, opened, sizes, target, async (where) => {
      for (let i = result.tables.length - 1; i >= 0; i--) {
        const t = result.tables[i];
        await this.previews.showTable(
          { sourceId: source.id, key: t.key ? `${result.key}-${t.key}` : result.key },
          t.columns,
          t.rows,
          { title: tables[i].title, subtitle: result.subtitle, charts: t.charts, chartNote: t.chartNote },
          where,
        );
      }
    });
  }

  /**
   * The files of a one-table result too big to hold, for its producer to write page by page
   * (atomically, then `showWritten`): the raw answer, its CSV document (formula-guarded per
   * `insightExplorer.export.formulaGuard`) and the preview's plain rows. Their folder exists.
   */
  async filesFor(source: SourceConfig, key: string, rawExt: 'json' | 'csv'): Promise<ResultFiles> {
    const files = this.pathsOf(source, key, rawExt);
    await fs.promises.mkdir(path.dirname(files.raw), { recursive: true, mode: 0o700 });
    return files;
  }

  private pathsOf(source: SourceConfig, key: string, rawExt: 'json' | 'csv'): ResultFiles {
    return {
      raw: this.results.fileFor(source.id, key, rawExt),
      csv: this.results.fileFor(source.id, key, 'csv'),
      rows: this.previews.rowsFileOf({ sourceId: source.id, key }),
      formulaGuard: formulaGuardSetting(),
    };
  }

  /** Shows a one-table result whose files `filesFor` named were written by the caller. */
  async showWritten(
    source: SourceConfig,
    result: { key: string; title: string; subtitle?: string; summary: string; rawExt: 'json' | 'csv'; columns: string[]; rows: number },
    target: OpenTarget = 'default',
  ): Promise<OpenedResult> {
    const files = this.pathsOf(source, result.key, result.rawExt);
    const uri = this.results.uriFor(source.id, result.key, result.title, result.rawExt);
    const csvUri = this.results.uriFor(source.id, result.key, result.title, 'csv');
    this.results.changed(uri);
    this.results.changed(csvUri);
    const size = async (f: string) => (await fs.promises.stat(f)).size;
    const sizes = new Map<string, number>([
      [uri.toString(), await size(files.raw)],
      [csvUri.toString(), await size(files.csv)],
    ]);
    const previewKey = ResultPreviews.keyOf({ sourceId: source.id, key: result.key });
    this.services.log.info(result.summary);
    const opened: OpenedResult = {
      title: result.title,
      uri,
      file: files.raw,
      bytes: sizes.get(uri.toString())!,
      tables: [{ name: result.title, title: result.title, csvUri, previewKey, columns: result.columns, rows: result.rows, charts: [] }],
    };
    return this.present(result.title, opened, sizes, target, async (where) => {
      await this.previews.showStored({ sourceId: source.id, key: result.key }, { title: result.title, subtitle: result.subtitle }, where);
    });
  }

  /** The documents (per `insightExplorer.openDocument` and the target), then the previews. */
  private async present(
    title: string,
    opened: OpenedResult,
    sizes: Map<string, number>,
    target: OpenTarget,
    showPreviews: (where: { viewColumn: vscode.ViewColumn; preserveFocus?: boolean }) => Promise<void>,
  ): Promise<OpenedResult> {
    const { uri, tables } = opened;
    const openDoc = async (doc: vscode.Uri, column: vscode.ViewColumn) => {
      // VS Code refuses to open a text document past its 50 MB limit: the preview shows the rows.
      const bytes = sizes.get(doc.toString()) ?? 0;
      if (bytes > EDITOR_LIMIT_BYTES) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t(
            '{0}: the {1} MB {2} is too large for an editor tab (VS Code opens up to 50 MB). The preview shows every row; use its Export to save them.',
            title,
            (bytes / 1e6).toFixed(0),
            doc.path.split('.').pop()?.toUpperCase() ?? '',
          ),
        );
        return;
      }
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(doc), {
        preview: false,
        viewColumn: target === 'beside' ? vscode.ViewColumn.Beside : column,
        preserveFocus: target === 'beside',
      });
    };
    if (target === 'raw' || target === 'csv') {
      await openDoc(target === 'csv' && tables[0] ? tables[0].csvUri : uri, vscode.ViewColumn.Active);
      return opened;
    }
    if (target === 'default' || target === 'beside') {
      const pref = vscode.workspace.getConfiguration('insightExplorer').get<string>('openDocument', 'csv');
      // The last opened is in front: tables go backwards so the first one ends up visible.
      if (pref === 'json') await openDoc(uri, vscode.ViewColumn.One);
      else if (pref !== 'none') for (const t of [...tables].reverse()) await openDoc(t.csvUri, vscode.ViewColumn.One);
    }
    const where = target === 'preview' ? { viewColumn: vscode.ViewColumn.Active } : { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true };
    await showPreviews(where);
    return opened;
  }
}
