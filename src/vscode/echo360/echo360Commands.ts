import * as vscode from 'vscode';
import { counts } from '../counts';
import * as fs from 'node:fs';
import { InsightError, oneLine } from '../../core/errors';
import {
  DateRange,
  EchoDelimiter,
  EchoReportDefinition,
  ECHO_DELIMITERS,
  RunState,
  checkLookback,
  describeParameter,
  incompleteDaysWarning,
  otherParameters,
  parseRange,
  takesDateRange,
} from '../../core/sources/echo360';
import { sourceOfKind } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import { ResultPreviews } from '../preview/resultPreviews';
import { PickItem, inputText, pickOne } from '../prompts';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { Echo360Adapter } from './echo360Tree';
import { Echo360Runs, runLabel, runTitle } from './echo360Runs';

/** Above this a result opens as the file on disk: a virtual document would hold it all in memory twice. */
const LARGE_RESULT_BYTES = 50 * 1024 * 1024;
/** The preview holds rows in memory: a larger result shows its first rows and says so. */

interface OutputChoice {
  delimiter: EchoDelimiter;
  compression: boolean;
}
/** The output choices (a function: their labels are localized when shown). */
const outputItems = (): PickItem<OutputChoice>[] => [
  { label: vscode.l10n.t('Comma-separated, compressed'), description: vscode.l10n.t('default'), value: { delimiter: ',', compression: true } },
  { label: vscode.l10n.t('Tab-separated, compressed'), value: { delimiter: '\t', compression: true } },
  { label: vscode.l10n.t('Pipe-separated, compressed'), value: { delimiter: '|', compression: true } },
  { label: vscode.l10n.t('Comma-separated, uncompressed'), description: vscode.l10n.t('larger download'), value: { delimiter: ',', compression: false } },
];

/** What `insightExplorer.echo360.runReport` accepts programmatically (tests, other commands). */
export interface RunReportArgs {
  sourceId?: string;
  reportName?: string;
  range?: string | DateRange;
  delimiter?: EchoDelimiter;
  compression?: boolean;
}

/** A request row or `{sourceId, runId?, requestId?}`. */
interface RequestArg {
  sourceId?: string;
  runId?: string;
  requestId?: string;
  row?: { reportName: string; start?: string; end?: string };
}

function validateRangeText(v: string, reportName: string): string | undefined {
  try {
    // The one-year lookback is checked for the reports it is documented for (assetbydate) only.
    checkLookback(reportName, parseRange(v));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The prompt's warning while the typed range ends within the last 48 hours. */
function rangeHint(v: string): string | undefined {
  try {
    const w = incompleteDaysWarning(parseRange(v));
    return w
      ? vscode.l10n.t("⚠ {0}: Echo360 completes a day's data 48 hours after it ends (UTC). “last 7 complete days” avoids them.", `${w[0].toUpperCase()}${w.slice(1)}`)
      : undefined;
  } catch {
    return undefined;
  }
}

export function registerEcho360Commands(services: Services, adapter: Echo360Adapter, runs: Echo360Runs, previews: ResultPreviews): void {
  const echoSource = (arg: unknown, title: string) => sourceOfKind(services, arg, 'echo360', title);

  const runOf = async (arg: RequestArg | undefined): Promise<{ source: SourceConfig; run: RunState }> => {
    const source = await echoSource(arg, vscode.l10n.t('Echo360 result'));
    if (!source || !arg?.runId) throw new InsightError('usage', vscode.l10n.t('Select a request this window submitted in the Insight Explorer view.'));
    const run = (await runs.queue(source)).getRun(arg.runId);
    if (!run)
      throw new InsightError('notFound', vscode.l10n.t('That Echo360 run is no longer in the list.'), { next: vscode.l10n.t('Refresh the Insight Explorer view.') });
    return { source, run };
  };

  registerCommand(services, 'insightExplorer.echo360.runReport', async (arg?: unknown): Promise<string | undefined> => {
    const a = (arg ?? {}) as RunReportArgs & { report?: { name: string } };
    const source = await echoSource(arg, vscode.l10n.t('Run Echo360 Report'));
    if (!source) return undefined;
    const title = vscode.l10n.t('Run Echo360 Report: {0}', source.label);
    // Each report's parameters come from Echo360's listing: `asset` is listed with none (all time).
    let reportName = a.report?.name ?? a.reportName;
    let reports: EchoReportDefinition[] = [];
    try {
      reports = await adapter.model.listReports(source);
    } catch (e) {
      // Named by the caller: without the listing nothing is known of its parameters, and the run
      // itself reports what is wrong (refused credentials, with Set Credentials).
      if (!reportName) throw e;
      services.log.warn(`Echo360: the report listing could not be read (${oneLine(e)}); ${reportName} is run as listed by the caller.`);
    }
    if (!reportName) {
      reportName = await pickOne(
        { title, step: 1, totalSteps: 3 },
        reports.map((r) => ({
          label: r.name,
          description: [r.description, takesDateRange(r) ? '' : vscode.l10n.t('all time')].filter(Boolean).join(' · '),
          value: r.name,
        })),
        vscode.l10n.t('Which report?'),
      );
      if (!reportName) return undefined;
    }
    const name = reportName;
    const report: EchoReportDefinition =
      reports.find((r) => r.name === name) ??
      (a.report && 'parameters' in a.report
        ? (a.report as EchoReportDefinition)
        : { name, description: '', parameters: [], parametersListed: false });
    const unknown = otherParameters(report);
    const required = unknown.filter((p) => p.required);
    if (required.length) {
      throw new InsightError(
        'usage',
        vscode.l10n.t('{0} needs parameters this extension cannot fill in: {1}.', name, required.map(describeParameter).join(', ')),
        {
          next: vscode.l10n.t('Request it from Echo360 directly.'),
        },
      );
    }
    if (unknown.length) void vscode.window.showWarningMessage(vscode.l10n.t('{0} also lists {1}: not sent.', name, unknown.map(describeParameter).join(', ')));
    const ranged = takesDateRange(report);
    let range: DateRange | undefined;
    if (!ranged) {
      if (a.range) throw new InsightError('usage', vscode.l10n.t('{0} takes no date range: it is all-time.', name));
    } else if (a.range) {
      range = typeof a.range === 'string' ? parseRange(a.range) : a.range;
      checkLookback(name, range);
    } else {
      const text = await inputText(
        { title: vscode.l10n.t('{0} · {1}', title, name), step: 2, totalSteps: 3 },
        {
          prompt: vscode.l10n.t(
            'Date range: “last 7 complete days”, “last 7 days”, “last 30 days”, “last 90 days”, or YYYY-MM-DD..YYYY-MM-DD (end exclusive). Over 7 days is sent as several requests.',
          ),
          placeholder: 'last 7 complete days',
          value: 'last 7 complete days',
          validate: (v) => validateRangeText(v, name),
          hint: rangeHint,
        },
      );
      if (text === undefined) return undefined;
      range = parseRange(text);
    }
    let output: OutputChoice | undefined =
      a.delimiter !== undefined || a.compression !== undefined
        ? { delimiter: a.delimiter ?? ',', compression: a.compression ?? true }
        : undefined;
    if (output && !ECHO_DELIMITERS.includes(output.delimiter)) throw new InsightError('usage', vscode.l10n.t('The delimiter must be , or tab or |.'));
    output ??= await pickOne(
      { title: vscode.l10n.t('{0} · {1}', title, name), step: ranged ? 3 : 2, totalSteps: ranged ? 3 : 2 },
      outputItems(),
      vscode.l10n.t('Output (Enter for the default)'),
    );
    if (!output) return undefined;
    const queue = await runs.queue(source);
    const run = await queue.enqueue({ reportName: name, range, output });
    adapter.model.invalidateListing(source.id);
    services.refreshTree();
    void runs.download(source.id, run.id);
    const n = run.chunks.length;
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0}: queued as {1}. Echo360 prepares reports in the background; you will be told when it is ready.', runLabel(run), counts.requests(n)),
    );
    return run.id;
  });

  registerCommand(services, 'insightExplorer.echo360.openResult', async (arg?: RequestArg) => {
    const { source, run } = await runOf(arg);
    const file = run.result?.file ?? runs.resultFile(source.id, run.id);
    const size = await runs.fileSize(file);
    if (run.status !== 'completed' || size === undefined) {
      throw new InsightError('usage', vscode.l10n.t('{0} has no downloaded result yet ({1}).', runLabel(run), run.status), {
        next: run.status === 'running' ? vscode.l10n.t('Wait for its requests to become Available.') : vscode.l10n.t('Use Download Again.'),
      });
    }
    // Streamed from the file into the column engine: rows show at once and a million-row merge
    // is previewed whole, never read into memory as text. Recorded like every result, so the
    // panel comes back after a reload.
    const delimiter = run.output.delimiter;
    const { key, done } = await previews.showStored(
      { sourceId: source.id, key: `echo360-${run.id}` },
      {
        title: runLabel(run),
        subtitle: vscode.l10n.t(
          '{0} · {1} rows · {2}',
          source.label,
          (run.result?.rows ?? 0).toLocaleString('en-US'),
          delimiter === ',' ? 'CSV' : delimiter === '|' ? vscode.l10n.t('pipe-delimited') : vscode.l10n.t('tab-delimited'),
        ),
        rows: { file, delimiter },
      },
    );
    const table = await done;
    return { key, rows: table.rowCount, columns: table.columnNames };
  });

  registerCommand(services, 'insightExplorer.echo360.openDocument', async (arg?: RequestArg) => {
    const { source, run } = await runOf(arg);
    const file = run.result?.file ?? runs.resultFile(source.id, run.id);
    const size = await runs.fileSize(file);
    if (size === undefined) throw new InsightError('usage', vscode.l10n.t('{0} has no downloaded result.', runLabel(run)), { next: vscode.l10n.t('Use Download Again.') });
    const uri =
      size > LARGE_RESULT_BYTES ? vscode.Uri.file(file) : runs.results.uriFor(source.id, `echo360-${run.id}`, runTitle(run), 'csv');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    return uri;
  });

  registerCommand(services, 'insightExplorer.echo360.downloadAgain', async (arg?: RequestArg) => {
    const { source, run } = await runOf(arg);
    const p = runs.download(source.id, run.id, true);
    if (!p) throw new InsightError('usage', vscode.l10n.t('{0} is already downloading.', runLabel(run)));
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading {0}…', runLabel(run)) }, () => p);
  });

  registerCommand(services, 'insightExplorer.echo360.resubmit', async (arg?: RequestArg) => {
    const source = await echoSource(arg, vscode.l10n.t('Resubmit Echo360 Request'));
    if (!source || !arg?.requestId)
      throw new InsightError('usage', vscode.l10n.t('Select an Expired, Failed or Missing request in the Insight Explorer view.'));
    const queue = await runs.queue(source);
    const run = queue.runs().find((r) => r.chunks.some((c) => c.requestId === arg.requestId));
    if (run) {
      await queue.resubmit(arg.requestId);
      void runs.download(source.id, run.id, true);
    } else if (arg.row?.start && arg.row.end) {
      // Someone else's request: send the same report and range as a new run of ours.
      const mine = await queue.enqueue({ reportName: arg.row.reportName, range: { start: arg.row.start, end: arg.row.end } });
      void runs.download(source.id, mine.id);
    } else {
      // Someone else's request without dates: fine for a report listed without start/end (asset).
      const name = arg.row?.reportName;
      const def = name ? (await adapter.model.listReports(source)).find((r) => r.name === name) : undefined;
      if (!name || !def || takesDateRange(def))
        throw new InsightError('usage', vscode.l10n.t('Request {0} has no date range to send again.', arg.requestId));
      const mine = await queue.enqueue({ reportName: name });
      void runs.download(source.id, mine.id);
    }
    adapter.model.invalidateListing(source.id);
    services.refreshTree();
  });

  registerCommand(services, 'insightExplorer.echo360.copyRequestId', async (arg?: RequestArg) => {
    if (!arg?.requestId) throw new InsightError('usage', vscode.l10n.t('That request has no id yet: it has not been sent.'));
    await vscode.env.clipboard.writeText(arg.requestId);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied Echo360 request id {0}', arg.requestId), 3000);
  });

  registerCommand(services, 'insightExplorer.echo360.forget', async (arg?: RequestArg) => {
    const { source, run } = await runOf(arg);
    const queue = await runs.queue(source);
    // Echo360 has no way to cancel a request: Pending ones finish on the server, unwatched.
    if (run.status === 'running' || run.status === 'ready') await queue.cancelRun(run.id);
    await queue.removeRun(run.id);
    await fs.promises.rm(runs.resultFile(source.id, run.id), { force: true });
    services.refreshTree();
  });
}
