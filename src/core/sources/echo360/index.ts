/**
 * Echo360 Reporting: the API the VS Code layer and the CLI build on.
 *
 * - `Echo360Client`: token, `listReports`, `listRequests`, `submit`, `getRequest` (one per source;
 *   share one `TokenBucket` per institution).
 * - `EchoReportQueue` + `QueueStore`: runs (report + range split into ≤ 7-day chunks) kept within
 *   3 in flight and 120 calls/minute, polled, persisted, resumed; `onDidChange` for the UI.
 * - `downloadRun`: waits for each chunk in order and merges them into one CSV file, atomically.
 */
export * from './types';
export * from './client';
export * from './dateRange';
export * from './queue';
export { downloadRun, DownloadProgress, DownloadRunOptions, EchoRunResult } from './download';
export { RateLimitOptions, TokenBucket, echo360RateLimit } from './rateLimit';
