import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/atomicFile';
import { InsightError } from '../../core/errors';
import type { PlatformItem, PlatformResult, SourceConfig } from '../../core/platform';
import type { ChartSpec } from '../../protocol';
import { ResultPreviews } from '../preview/resultPreviews';
import type { Services } from '../services';
import type { PlatformAdapter } from '../sources/platformAdapter';
import { LatestFetches } from './latestFetch';
import type { ResultStore } from './resultStore';

/** What opening a result showed: its document, and a preview per table. */
export interface OpenedResult {
  title: string;
  /** The document: the raw answer exactly as sent. */
  uri: vscode.Uri;
  file: string;
  bytes: number;
  tables: { previewKey: string; columns: string[]; rows: number; charts: ChartSpec['kind'][] }[];
}

/**
 * The one result pipeline of the platforms on the contract: fetch (the newest open of an item
 * wins, under a cancellable progress notification) → the result store (the raw answer byte for
 * byte) → the document (per `insightExplorer.openDocument`) → a preview per table on the column
 * engine, beside it.
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
  async open<C>(adapter: PlatformAdapter<C>, source: SourceConfig, item: PlatformItem): Promise<OpenedResult | undefined> {
    const { platform } = adapter;
    if (!platform.fetch || !item.capabilities?.includes('open'))
      throw new InsightError('usage', `${platform.label} cannot open “${item.label}”.`, { next: 'Open an item that shows an Open action.' });
    const client = await adapter.client(source);
    const flight = `${source.id}/${item.type}/${JSON.stringify(item.data ?? item.key)}`;
    const result = await this.fetches.run(flight, `${platform.label}: ${item.label}`, (signal, progress) =>
      platform.fetch!(client, source, item, { signal, progress: (message) => progress.report({ message }) }),
    );
    return result && this.show(source, result);
  }

  async show(source: SourceConfig, result: PlatformResult): Promise<OpenedResult> {
    const { raw } = result;
    const file = this.results.fileFor(source.id, result.key, raw.ext);
    // Byte for byte, through a temp file and a rename: decoding and re-encoding could alter bytes
    // that are not valid UTF-8.
    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, [raw.bytes]);
    const uri = this.results.uriFor(source.id, result.key, result.title, raw.ext);
    this.results.changed(uri);
    this.services.log.info(result.summary);

    if (vscode.workspace.getConfiguration('insightExplorer').get<string>('openDocument', 'csv') !== 'none') {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
    }
    const tables: OpenedResult['tables'] = [];
    const many = result.tables.length > 1;
    for (const [i, t] of result.tables.entries()) {
      const ref = { sourceId: source.id, key: many ? `${result.key}-${i + 1}` : result.key };
      await this.previews.showTable(
        ref,
        t.columns,
        t.rows,
        { title: many ? `${result.title} (${i + 1})` : result.title, subtitle: result.subtitle, charts: t.charts, chartNote: t.chartNote },
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      );
      tables.push({ previewKey: ResultPreviews.keyOf(ref), columns: t.columns, rows: t.rows.length, charts: (t.charts ?? []).map((c) => c.kind) });
    }
    return { title: result.title, uri, file, bytes: raw.bytes.length, tables };
  }
}
