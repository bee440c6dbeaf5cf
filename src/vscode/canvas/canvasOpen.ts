import type * as vscode from 'vscode';
import type { PlatformItem, SourceConfig } from '../../core/platform';
import { CANVAS_ENDPOINTS, CanvasClient, CanvasEndpointId, CanvasEndpointRef } from '../../core/sources/canvas';
import type { CanvasItemData } from '../../core/sources/canvas/items';
import { type CanvasSourceOptions, canvasOptionsPatch, readCanvasOptions } from '../../core/sources/canvas/options';
import { canvasPlatform } from '../../core/sources/canvas/platform';
import type { ChartSpec as PreviewChartSpec } from '../../protocol';
import type { OpenTarget, ResultOpener } from '../documents/resultOpener';
import type { Services } from '../services';
import { PlatformAdapter } from '../sources/platformAdapter';

/** Canvas LMS Analytics in VS Code: the platform on the generic tree, and writes of its accounts/courses lists. */
export class CanvasAdapter extends PlatformAdapter<CanvasClient> {
  constructor(services: Services) {
    super(services, canvasPlatform);
  }

  options(source: SourceConfig): CanvasSourceOptions {
    return readCanvasOptions(source);
  }

  /** Writes the accounts/courses lists back (the store's change event refreshes the tree). */
  async saveOptions(source: SourceConfig, opts: CanvasSourceOptions): Promise<SourceConfig> {
    return this.services.store.update(source.id, { options: canvasOptionsPatch(opts) });
  }
}

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
  /** Every chart kind proposed for this table. */
  specs: PreviewChartSpec['kind'][];
}

export interface OpenedCanvasResult {
  endpoint: CanvasEndpointId;
  jsonUri: vscode.Uri;
  tables: OpenedCanvasTable[];
}

/**
 * A Canvas endpoint through the one result pipeline (ResultOpener): the JSON stored as sent, a CSV
 * document and a preview per table. Answers with two tables (department activity by date / by
 * category, student page views / participations) open both: they come from one request, are
 * small and are read together. The first table ends up in front.
 */
export class CanvasOpener {
  constructor(
    private readonly opener: ResultOpener,
    private readonly adapter: CanvasAdapter,
  ) {}

  async open(source: SourceConfig, ref: CanvasEndpointRef, where: string, target: CanvasOpenTarget = 'default'): Promise<OpenedCanvasResult | undefined> {
    const item: PlatformItem = {
      key: `endpoint/${ref.id}`,
      type: `endpoint:${ref.id}`,
      label: `${where} · ${CANVAS_ENDPOINTS[ref.id].title}`,
      capabilities: ['open', 'openRaw'],
      data: { ref, where } satisfies CanvasItemData,
    };
    return this.openItem(source, item, target === 'json' ? 'raw' : 'default');
  }

  async openItem(source: SourceConfig, item: PlatformItem, target: OpenTarget = 'default'): Promise<OpenedCanvasResult | undefined> {
    const opened = await this.opener.open(this.adapter, source, item, target);
    if (!opened) return undefined;
    return {
      endpoint: (item.data as CanvasItemData).ref!.id,
      jsonUri: opened.uri,
      tables: opened.tables.map((t) => ({
        key: t.key ?? '',
        title: t.name,
        shownTitle: t.title,
        csvUri: t.csvUri,
        previewKey: t.previewKey,
        columns: t.columns,
        rows: t.rows,
        chart: t.charts[0],
        specs: t.charts,
      })),
    };
  }
}
