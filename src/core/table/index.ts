/**
 * The column engine: streaming CSV ingest into typed, dictionary-encoded columns, and views,
 * aggregates and exports over all rows. Plain Node (no `vscode`), used by the extension host, the
 * CLI and the tests.
 */
export { ColumnType, DisplayValue, Column, StringColumn, NumericColumn, AnyColumn, compareText, formatDate, formatDateTime, parseIsoDate } from './columns';
export { Table, TableBuilder, ingestCsv, IngestOptions, IngestWarning, WarningKind, ByteSource } from './table';
export { ColumnRef, Filter, SortKey, ViewSpec, View, createView, getWindow, sortRows, applyFilter, applySearch, allRows } from './view';
export {
  RowSource,
  TimeBucket,
  GroupKey,
  AggOp,
  Aggregation,
  GroupResult,
  groupBy,
  bucketStart,
  Histogram,
  histogram,
  ColumnStats,
  columnStats,
  Series,
  downsample,
} from './aggregate';
export { ExportFormat, ExportOptions, exportView, quoteField } from './export';
export { inspectFile, InspectResult, InspectColumn, InspectOptions, delimiterForPath } from './inspect';
