/**
 * `insights echo360 reports|requests|run` (contract in CLI.md). The CLI keeps its queue in memory:
 * a run lives as long as the process; everything else is the same code the extension uses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InsightError } from '../core/errors';
import { tsvLine } from '../core/csv';
import { Echo360Client, echo360BaseUrl } from '../core/sources/echo360/client';
import {
  DateRange,
  checkLookback,
  describeRange,
  incompleteDaysWarning,
  parseRange,
  rangeFromOptions,
  splitRange,
} from '../core/sources/echo360/dateRange';
import { downloadRun } from '../core/sources/echo360/download';
import { EchoReportQueue, EchoRequestFailedError, MemoryQueueStore } from '../core/sources/echo360/queue';
import { EchoDelimiter, describeParameter, otherParameters, parseDelimiter, takesDateRange } from '../core/sources/echo360/types';
import { ParsedArgs, envSecret, positiveNumber, str } from './args';
import { CliContext, CliGroup } from './context';
import { openOutput } from './output';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitsOption } from './limits';

const DEFAULT_POLL_SEC = 30;
/** Echo360 reports can take hours to generate. */
const DEFAULT_TIMEOUT_SEC = 6 * 3600;

function baseUrl(args: ParsedArgs): URL {
  return echo360BaseUrl(str(args, 'base-url') ?? '');
}

function client(ctx: CliContext, url: URL): Echo360Client {
  // Secrets only from the environment, read after the arguments are known to be valid.
  const clientId = envSecret('ECHO360_CLIENT_ID');
  const clientSecret = envSecret('ECHO360_CLIENT_SECRET');
  ctx.redactor.add(clientId);
  ctx.redactor.add(clientSecret);
  return new Echo360Client({ baseUrl: url, credentials: { clientId, clientSecret }, logger: ctx.logger, redactor: ctx.redactor, limits: ctx.limits });
}

async function writeLines(args: ParsedArgs, lines: string[]): Promise<void> {
  const out = openOutput(str(args, 'out'));
  try {
    await out.write(lines.join(''));
    await out.close();
  } catch (e) {
    await out.abort();
    throw e;
  }
}

function delimiterOption(args: ParsedArgs): EchoDelimiter {
  const text = str(args, 'delimiter');
  if (text === undefined) return ',';
  const d = parseDelimiter(text);
  if (!d) throw new InsightError('usage', `--delimiter must be "," "|" or "\\t", got "${text}".`);
  return d;
}

function rangeOption(args: ParsedArgs): DateRange {
  const range = str(args, 'range');
  if (range !== undefined) {
    if (str(args, 'start') !== undefined || str(args, 'end') !== undefined)
      throw new InsightError('usage', 'Give either --range or --start/--end, not both.');
    return parseRange(range);
  }
  return rangeFromOptions(str(args, 'start'), str(args, 'end'));
}

function rangeGiven(args: ParsedArgs): boolean {
  return str(args, 'range') !== undefined || str(args, 'start') !== undefined || str(args, 'end') !== undefined;
}

async function run(args: ParsedArgs, ctx: CliContext): Promise<void> {
  // Everything a person can get wrong is checked before the first request (exit 2).
  const url = baseUrl(args);
  const reportName = str(args, 'report')!;
  // Dates given are checked now; whether the report takes any is known from the listing below.
  const givenRange = rangeGiven(args) ? rangeOption(args) : undefined;
  if (givenRange) checkLookback(reportName, givenRange);
  const delimiter = delimiterOption(args);
  const pollSec = positiveNumber(args, 'poll-interval', DEFAULT_POLL_SEC);
  const timeoutSec = positiveNumber(args, 'timeout', DEFAULT_TIMEOUT_SEC);
  const outFile = str(args, 'out')!;
  const limits = limitsOption(args);
  try {
    // Checked now: the requests take hours, a typo in the folder should not surface after them.
    fs.accessSync(path.dirname(path.resolve(outFile)), fs.constants.W_OK);
  } catch {
    throw new InsightError('usage', `Cannot write --out ${outFile}: its folder does not exist or is not writable.`);
  }
  const echo = client(ctx, url);

  // Each report's parameters come from Echo360's own listing: `asset` is listed with none.
  const report = (await echo.listReports(ctx.signal)).find((r) => r.name === reportName);
  if (!report) {
    throw new InsightError('notFound', `Echo360 lists no report "${reportName}".`, {
      next: 'Run `insights echo360 reports` for the names.',
    });
  }
  const unknown = otherParameters(report);
  const required = unknown.filter((p) => p.required);
  if (required.length) {
    throw new InsightError(
      'usage',
      `${reportName} needs parameters this tool cannot fill in: ${required.map(describeParameter).join(', ')}.`,
      {
        next: 'Request it from Echo360 directly.',
      },
    );
  }
  for (const p of unknown) ctx.note(`echo360: ${reportName} also lists ${describeParameter(p)}; it is not sent`);
  const ranged = takesDateRange(report);
  if (!ranged && givenRange) {
    throw new InsightError('usage', `${reportName} takes no date range: it is all-time. Leave out --start/--end/--range.`);
  }
  const range = ranged ? (givenRange ?? rangeOption(args)) : undefined;

  const timeout = AbortSignal.timeout(timeoutSec * 1000);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const queue = new EchoReportQueue({ client: echo, store: new MemoryQueueStore(), pollIntervalMs: pollSec * 1000, logger: ctx.logger });
  const total = range ? splitRange(range).length : 1;
  ctx.note(
    range
      ? `echo360: ${reportName} ${describeRange(range)} (end exclusive) as ${total} request(s) of at most 7 days`
      : `echo360: ${reportName} (all time, no date range) as 1 request`,
  );
  const incomplete = incompleteDaysWarning(range);
  // "Data for a given day is complete 48 hours after the close of that day (in UTC)."
  if (incomplete) ctx.note(`echo360: warning: ${incomplete} (Echo360 completes a day's data 48 hours after it ends, UTC)`);
  queue.onDidChange((e) => {
    if (e.kind === 'request' && e.status !== 'Submitting' && e.status !== 'Queued') {
      const c = queue.getRun(e.runId)?.chunks[e.chunk];
      ctx.note(`echo360: chunk ${e.chunk + 1}/${total} ${describeRange(c)} ${e.status}${e.requestId ? ` (request ${e.requestId})` : ''}`);
    } else if (e.kind === 'counts' && (e.running > 0 || e.queued > 0)) {
      ctx.note(
        `echo360: ${e.running} in flight, ${e.queued} queued${e.foreignPending ? `, ${e.foreignPending} other request(s) pending on Echo360` : ''}`,
      );
    }
  });
  try {
    const r = await queue.enqueue({ reportName, range, output: { compression: true, delimiter } });
    let announced = -1;
    const result = await downloadRun(echo, queue, r.id, {
      outFile,
      delimiter,
      limits,
      signal,
      logger: ctx.logger,
      onProgress: (p) => {
        if (p.phase === 'downloading' && p.chunk !== announced) {
          announced = p.chunk;
          ctx.note(`echo360: downloading chunk ${p.chunk + 1}/${p.chunks} (request ${p.requestId}); ${p.rows} rows so far`);
        }
      },
    });
    ctx.note(
      `echo360: wrote ${result.rows} rows (${(result.bytes / 1e6).toFixed(1)} MB) to ${outFile} in ${(result.totalMs / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    if (timeout.aborted && !ctx.signal.aborted) {
      const pending = queue
        .runs()[0]
        ?.chunks.filter((c) => c.status === 'Pending')
        .map((c) => c.requestId);
      throw new InsightError(
        'timeout',
        `Gave up after ${timeoutSec} s (--timeout)${pending?.length ? `; still Pending on Echo360: ${pending.join(', ')}` : ''}.`,
        {
          next: 'Raise --timeout; Echo360 keeps finished reports for 14 days.',
        },
      );
    }
    if (e instanceof EchoRequestFailedError) throw new InsightError(e.kind, e.headline, { next: 'Run the command again to resubmit it.' });
    throw e;
  } finally {
    queue.dispose();
  }
}

const BASE = { 'base-url': { value: true, required: true }, out: { value: true } };

/** `insights echo360 …` commands (see CLI.md). */
export const echo360Commands: CliGroup = {
  reports: {
    summary: 'List the Echo360 report definitions (name<TAB>description)',
    usage:
      'insights echo360 reports --base-url URL [--out FILE]\n  --base-url: the Echo360 host, e.g. https://echo360.org (or us, uk, au, ca)\n  Env: ECHO360_CLIENT_ID, ECHO360_CLIENT_SECRET',
    options: BASE,
    async run(args, ctx) {
      const echo = client(ctx, baseUrl(args));
      const reports = await echo.listReports(ctx.signal);
      await writeLines(
        args,
        reports.map((r) => tsvLine([r.name, r.description])),
      );
    },
  },
  requests: {
    summary: 'List the Echo360 report requests (requestId<TAB>status<TAB>reportName<TAB>created)',
    usage: 'insights echo360 requests --base-url URL [--out FILE]\n  Env: ECHO360_CLIENT_ID, ECHO360_CLIENT_SECRET',
    options: BASE,
    async run(args, ctx) {
      const echo = client(ctx, baseUrl(args));
      const requests = await echo.listRequests(ctx.signal);
      await writeLines(
        args,
        requests.map((r) => tsvLine([r.requestId, r.status, r.reportName, r.created ?? ''])),
      );
    },
  },
  run: {
    summary: 'Request a report for any date range, wait, download and merge it into one CSV',
    usage: [
      'insights echo360 run --base-url URL --report NAME [--start YYYY-MM-DD --end YYYY-MM-DD | --range TEXT]',
      '                     [--delimiter , | \\t] [--poll-interval SEC] [--timeout SEC] --out FILE',
      '  --start/--end: UTC days, start inclusive, end exclusive (default: the last 7 days);',
      '    refused for a report listed without start/end parameters (asset: all time)',
      '  --range: "last 7 complete days", "last 7 days", "last 30 days", "last 90 days" or YYYY-MM-DD..YYYY-MM-DD',
      "  A range ending within the last 48 hours is warned about: Echo360 completes a day's data 48 h after it ends (UTC)",
      `  --poll-interval: first poll interval, backing off while nothing changes (default ${DEFAULT_POLL_SEC})`,
      `  --timeout: give up after this many seconds (default ${DEFAULT_TIMEOUT_SEC}); also the most one HTTP request may take (default 300)`,
      LIMIT_USAGE,
      '  Env: ECHO360_CLIENT_ID, ECHO360_CLIENT_SECRET',
    ].join('\n'),
    options: {
      ...LIMIT_OPTIONS,
      'base-url': { value: true, required: true },
      report: { value: true, required: true },
      start: { value: true },
      end: { value: true },
      range: { value: true },
      delimiter: { value: true },
      'poll-interval': { value: true },
      timeout: { value: true },
      out: { value: true, required: true },
    },
    run,
  },
};
