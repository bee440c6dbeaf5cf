import type { PlatformItem, SourceConfig } from '../../core/platform';
import type { StudioInsight } from '../../core/sources/studio';
import type { StudioPerspectiveRef } from '../../core/sources/studio/options';
import { type StudioItemData } from '../../core/sources/studio/platform';
import { INSIGHT_LABEL } from '../../core/sources/studio/result';
import type { ChartSpec as PreviewChartSpec } from '../../protocol';
import type { ResultOpener } from '../documents/resultOpener';
import type * as vscode from 'vscode';
import type { StudioClient } from '../../core/sources/studio';
import type { PlatformAdapter } from '../sources/platformAdapter';

/** Canvas Studio in VS Code: the platform on the generic tree (made with the registry's others in activate). */
export type StudioAdapter = PlatformAdapter<StudioClient>;

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
  specs: PreviewChartSpec['kind'][];
}

/** Studio insights through the one result pipeline (ResultOpener), with Studio's own return shape. */
export class StudioOpener {
  constructor(
    private readonly opener: ResultOpener,
    private readonly adapter: StudioAdapter,
  ) {}

  /**
   * The CSV stored byte for byte → document + preview. `role` is for this open only ('' = all
   * roles); the stored filter otherwise.
   */
  open(source: SourceConfig, perspective: StudioPerspectiveRef, insight: StudioInsight, role?: string): Promise<OpenedStudioInsight | undefined> {
    return openStudioInsight(this.opener, this.adapter, source, perspective, insight, role);
  }
}

async function openStudioInsight(
  opener: ResultOpener,
  adapter: StudioAdapter,
  source: SourceConfig,
  perspective: StudioPerspectiveRef,
  insight: StudioInsight,
  role?: string,
): Promise<OpenedStudioInsight | undefined> {
  const item: PlatformItem = {
    key: `perspective/${perspective.uuid}/insight/${insight}`,
    type: `insight:${insight}`,
    label: `${perspective.label} · ${INSIGHT_LABEL[insight]}`,
    capabilities: ['open'],
    data: { uuid: perspective.uuid, insight, ...(role !== undefined ? { role } : {}) } satisfies StudioItemData,
  };
  const opened = await opener.open(adapter, source, item);
  const table = opened?.tables[0];
  if (!opened || !table) return undefined;
  return {
    title: opened.title,
    csvUri: opened.uri,
    file: opened.file,
    bytes: opened.bytes,
    previewKey: table.previewKey,
    columns: table.columns,
    rows: table.rows,
    chart: table.charts[0],
    specs: table.charts,
  };
}
