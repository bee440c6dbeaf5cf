/**
 * `insights posthog query`: HogQL through PostHog's query API (CLI.md "PostHog: SQL (HogQL) on
 * PostHog's own engine"). csv: the response's `columns`, then its `results`; json:
 * `{"columns","types","results"}`. A possibly cut result (hasMore, or exactly 50,000 rows) is
 * flagged on stderr; `--max-rows N` above 50,000 pages by a time column (keyset, never OFFSET).
 */
import * as fs from 'node:fs';
import { toCsv } from '../core/csv';
import { InsightError } from '../core/errors';
import { HOGQL_MAX_ROWS, HogQLClient, HogQLResult } from '../core/sources/posthog/hogql';
import { HogQLResultWriter, hogqlCell } from '../core/sources/posthog/hogqlOutput';
import { ParsedArgs, choice, flag, positiveNumber, str } from './args';
import { CliCommand, CliContext } from './context';
import { openOutput, writeOutput } from './output';
import { posthogClient } from './posthogClient';

const fmt = (n: number): string => n.toLocaleString('en-US');

function queryText(args: ParsedArgs): string {
  const sql = str(args, 'sql');
  const file = str(args, 'file');
  if ((sql === undefined) === (file === undefined))
    throw new InsightError('usage', 'Give the query with exactly one of --sql TEXT or --file FILE.sql.');
  let text = sql;
  if (file !== undefined) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new InsightError('usage', `Cannot read the query file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
        next: 'Check the path.',
      });
    }
  }
  if (!text || text.trim() === '') throw new InsightError('usage', 'The query is empty.', { next: 'Write a SELECT in --sql or the file.' });
  return text;
}

function maxRows(args: ParsedArgs): number | undefined {
  if (str(args, 'max-rows') === undefined) return undefined;
  const n = positiveNumber(args, 'max-rows', 1);
  if (!Number.isInteger(n)) throw new InsightError('usage', `--max-rows must be a whole number, got "${str(args, 'max-rows')}".`);
  return n;
}

/** The stderr warning for a result PostHog may have cut, or undefined. */
export function cutWarning(r: HogQLResult): string | undefined {
  if (r.hasMore === true) {
    const deflt = r.limit === 100 ? ' (PostHog returns 100 rows when the query has no LIMIT)' : '';
    return `warning: PostHog has more rows than the ${fmt(r.results.length)} returned${deflt}: add a LIMIT (at most ${fmt(HOGQL_MAX_ROWS)}), or use --max-rows N to page past ${fmt(HOGQL_MAX_ROWS)}.`;
  }
  if (r.results.length === HOGQL_MAX_ROWS) {
    return `warning: ${fmt(HOGQL_MAX_ROWS)} rows returned: PostHog cuts a query there without saying so, so the result is probably incomplete. Use --max-rows N to page past it by timestamp.`;
  }
  return undefined;
}

export const posthogQueryCommand: CliCommand = {
  summary: 'Run a HogQL (SQL) query on PostHog, csv or json',
  usage: [
    'insights posthog query --base-url URL --project ID (--sql TEXT | --file FILE.sql) [--environment]',
    '                       [--format csv|json] [--max-rows N] [--time-column COL] [--poll-interval SEC]',
    '                       [--timeout SEC] [--no-formula-guard] [--out FILE]',
    `  --max-rows: above ${fmt(HOGQL_MAX_ROWS)}, pages by --time-column (default timestamp), which the query must select`,
  ].join('\n'),
  options: {
    'base-url': { value: true, required: true },
    project: { value: true, required: true },
    environment: {},
    out: { value: true },
    sql: { value: true },
    file: { value: true },
    format: { value: true },
    'max-rows': { value: true },
    'time-column': { value: true },
    'poll-interval': { value: true },
    'no-formula-guard': {},
  },
  async run(args: ParsedArgs, ctx: CliContext): Promise<void> {
    const format = choice(args, 'format', ['csv', 'json'] as const, 'csv');
    const sql = queryText(args);
    const limit = maxRows(args);
    const timeColumn = str(args, 'time-column') ?? 'timestamp';
    if (!/^[A-Za-z_$][A-Za-z0-9_$.]*$/.test(timeColumn))
      throw new InsightError('usage', `--time-column must be a column name, got "${timeColumn}".`);
    const timeoutMs = positiveNumber(args, 'timeout', 300) * 1000;
    const pollIntervalMs = positiveNumber(args, 'poll-interval', 1) * 1000;
    const client = posthogClient(args, ctx);
    const hogql = new HogQLClient(client, { pollIntervalMs });
    // Progress only for queries that run longer than a few seconds.
    let lastNote = Date.now();
    const onProgress = (p: { polls: number; rowsRead?: number; estimatedRowsTotal?: number }) => {
      if (Date.now() - lastNote < 5000) return;
      lastNote = Date.now();
      const read =
        p.rowsRead !== undefined ? `, ${fmt(p.rowsRead)}${p.estimatedRowsTotal ? ` of ~${fmt(p.estimatedRowsTotal)}` : ''} rows read` : '';
      ctx.note(`still running (poll ${p.polls}${read})…`);
    };

    const guard = !flag(args, 'no-formula-guard');
    if (limit !== undefined && limit > HOGQL_MAX_ROWS) {
      // Page by page into the output as the rows come: a million rows never sit in memory at once.
      // With --out the file appears only when every page arrived (atomic, as always).
      const out = openOutput(str(args, 'out'));
      const writer = new HogQLResultWriter(format === 'json' ? { json: out } : { csv: [{ sink: out, formulaGuard: guard }] });
      try {
        const all = await hogql.fetchAll(sql, {
          maxRows: limit,
          timeColumn,
          signal: ctx.signal,
          async: true,
          timeoutMs,
          onPage: (rows, queries) => ctx.note(`${fmt(rows)} rows after ${queries} quer${queries === 1 ? 'y' : 'ies'}…`),
          onRows: (rows, head) => writer.append(rows, head),
        });
        await writer.end(all);
        await out.close();
        if (all.reachedMax) ctx.note(`stopped at --max-rows ${fmt(limit)}: more rows may exist.`);
        ctx.note(`${fmt(all.rows)} row${all.rows === 1 ? '' : 's'}`);
      } catch (e) {
        await out.abort();
        throw e;
      }
      return;
    }

    let result: HogQLResult = await hogql.run(sql, { async: true, signal: ctx.signal, timeoutMs, onProgress });
    const warning = cutWarning(result);
    if (limit !== undefined && result.results.length > limit) {
      ctx.note(`first ${fmt(limit)} rows of ${fmt(result.results.length)} (--max-rows).`);
      result = { ...result, results: result.results.slice(0, limit) };
    } else if (warning) {
      ctx.note(warning);
    }
    const text =
      format === 'json'
        ? JSON.stringify({ columns: result.columns, types: result.types, results: result.results }) + '\n'
        : toCsv(
            result.columns,
            result.results.map((r) => r.map(hogqlCell)),
            { formulaGuard: guard },
          );
    await writeOutput(str(args, 'out'), text);
    ctx.note(`${fmt(result.results.length)} row${result.results.length === 1 ? '' : 's'}`);
  },
};
