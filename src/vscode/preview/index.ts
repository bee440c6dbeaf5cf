/** The preview panel: a virtual result grid and a chart in a webview, fed row windows by the host. */
export type { CellValue, ChartSpec, ColumnInfo, ColumnType, PreviewReport, SortKey, ViewQuery } from '../../protocol';
export { PreviewEmitter, type PreviewDataSource, type PreviewEvent } from '../../core/preview/dataSource';
export { PreviewSession, type PreviewContent, type PreviewSessionHooks } from '../../core/preview/session';
export { PreviewPanelManager, PREVIEW_VIEW_TYPE } from './previewPanelManager';
export { EngineDataSource } from '../../core/preview/engineDataSource';
export { ResultPreviews, type ResultRef, type StoredPreview } from './resultPreviews';
export { registerPreviewRestore, restorePreviewPanel, type PanelRestorers } from './restore';
