/**
 * The column engine: streaming CSV ingest into typed, dictionary-encoded columns, and views,
 * aggregates and exports over all rows. Plain Node (no `vscode`), used by the extension host, the
 * CLI and the tests.
 */
export type { ColumnType, DisplayValue, AnyColumn } from './columns';
export { Column, StringColumn, NumericColumn, compareText, formatDate, formatDateTime, parseIsoDate } from './columns';
export type { IngestOptions, IngestWarning, WarningKind, ByteSource } from './table';
export { Table, TableBuilder, ingestCsv } from './table';
export type { ColumnRef, Filter, SortKey, ViewSpec, View } from './view';
export { createView, getWindow, sortRows, applyFilter, applySearch, allRows } from './view';
export type { RowSource, TimeBucket, GroupKey, AggOp, Aggregation, GroupResult, Histogram, ColumnStats, Series } from './aggregate';
export { groupBy, bucketStart, histogram, columnStats, downsample } from './aggregate';
export type { ExportFormat, ExportOptions } from './export';
export { exportView, quoteField } from './export';
export type { InspectResult, InspectColumn, InspectOptions } from './inspect';
export { inspectFile, delimiterForPath, gunzipStream } from './inspect';
export type { GzInput, WorkerGunzipOptions } from './gunzipWorker';
export { gunzipForIngest } from './gunzipWorker';
