// What the result-previews test leaves for its phase 2 (after the window reload).
import { handover } from './handoverKit';

export interface ResultPreviewHandover {
  /** Preview panel key (source id / result key). */
  key: string;
  /** The tab's title, to bring the panel to the front as a user would. */
  title: string;
  totalRows: number;
  columns: string[];
  chartKind: string | null;
  chartChoices: string[] | undefined;
  /** The user chose "Chart the rows": the host's chart and its query come back. */
  chartQuery: unknown;
}

export interface ResultPreviewsHandover {
  sourceIds: string[];
  dir: string;
  panels: ResultPreviewHandover[];
}

export const resultPreviewsHandover = handover<ResultPreviewsHandover>('result-previews');
