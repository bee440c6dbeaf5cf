import { toCsv, tsvLine } from '../core/csv';
import { InsightError } from '../core/errors';
import { activityRows } from '../core/sources/posthog/activity';
import { resultTable } from '../core/sources/posthog/tables';
import { REFRESH_MODES, RefreshMode, insightName, trendingViewers, userLabel } from '../core/sources/posthog/types';
import { ParsedArgs, choice, flag, positiveNumber, str } from './args';
import { CliGroup } from './context';
import { writeOutput } from './output';
import { countOf } from '../core/plural';
import { posthogQueryCommand } from './posthogQuery';
import { posthogClient } from './posthogClient';

const common = {
  'base-url': { value: true, required: true },
  project: { value: true, required: true },
  environment: {},
  out: { value: true },
};

const client = posthogClient;

/** A positive whole number option (`--days 7`). */
function wholeNumber(args: ParsedArgs, name: string, fallback: number): number {
  const n = positiveNumber(args, name, fallback);
  if (!Number.isInteger(n)) throw new InsightError('usage', `--${name} must be a whole number, got "${str(args, name)}".`);
  return n;
}

const emit = writeOutput;

export const posthogCommands: CliGroup = {
  list: {
    summary: 'Every saved insight (all pages), tsv or json',
    usage: 'insights posthog list --base-url URL --project ID [--environment] [--search TEXT] [--format tsv|json] [--out FILE]',
    options: { ...common, search: { value: true }, format: { value: true } },
    async run(args, ctx) {
      const format = choice(args, 'format', ['tsv', 'json'] as const, 'tsv');
      const c = client(args, ctx);
      const all = await c.listAll({ search: str(args, 'search'), signal: ctx.signal });
      const text = format === 'json' ? JSON.stringify(all, null, 2) + '\n' : all.map((i) => tsvLine([i.id, i.short_id ?? '', insightName(i)])).join('');
      await emit(str(args, 'out'), text);
      ctx.note(countOf(all.length, 'insight', 'insights'));
    },
  },
  get: {
    summary: 'One insight as json, or its result table as csv',
    usage: 'insights posthog get --base-url URL --project ID --insight ID [--environment] [--refresh MODE] [--timeout SEC] [--format json|csv] [--no-formula-guard] [--out FILE]',
    options: {
      ...common,
      insight: { value: true, required: true },
      refresh: { value: true },
      format: { value: true },
      timeout: { value: true },
      'no-formula-guard': {},
    },
    async run(args, ctx) {
      const format = choice(args, 'format', ['json', 'csv'] as const, 'json');
      const refresh = choice(args, 'refresh', [...REFRESH_MODES, 'true'] as const, 'blocking');
      const timeoutMs = positiveNumber(args, 'timeout', 300) * 1000;
      const c = client(args, ctx);
      let lastNote = 0;
      const insight = await c.getInsight(str(args, 'insight')!, {
        refresh: (refresh === 'true' ? 'force_blocking' : refresh) as RefreshMode,
        timeoutMs,
        signal: ctx.signal,
        onProgress: (_st, polls) => {
          if (Date.now() - lastNote > 5000) {
            lastNote = Date.now();
            ctx.note(`still calculating (poll ${polls})…`);
          }
        },
      });
      if (format === 'csv') {
        if (insight.result == null) throw new InsightError('data', `Insight ${insight.id} has no result to export.`, { next: 'Use --refresh blocking to calculate it.' });
        const t = resultTable(insight);
        await emit(str(args, 'out'), toCsv(t.columns, t.rows, { formulaGuard: !flag(args, 'no-formula-guard') }));
      } else {
        await emit(str(args, 'out'), JSON.stringify(insight, null, 2) + '\n');
      }
    },
  },
  trending: {
    summary: 'Most viewed insights of the last N days (default 7), tsv or json',
    usage: 'insights posthog trending --base-url URL --project ID [--environment] [--days N] [--limit N] [--format tsv|json] [--out FILE]',
    options: { ...common, days: { value: true }, limit: { value: true }, format: { value: true } },
    async run(args, ctx) {
      const format = choice(args, 'format', ['tsv', 'json'] as const, 'tsv');
      const days = wholeNumber(args, 'days', 7);
      const limit = wholeNumber(args, 'limit', 10);
      const items = await client(args, ctx).trending({ days, limit, signal: ctx.signal });
      // tsv: id, short_id, view_count, name, recent viewers (comma-separated)
      const text =
        format === 'json'
          ? JSON.stringify(items, null, 2) + '\n'
          : items.map((i) => tsvLine([i.id, i.short_id ?? '', i.view_count ?? 0, insightName(i), trendingViewers(i).map(userLabel).join(', ')])).join('');
      await emit(str(args, 'out'), text);
      ctx.note(`${items.length} trending insight${items.length === 1 ? '' : 's'} over ${days} day${days === 1 ? '' : 's'}`);
    },
  },
  activity: {
    summary: 'Who changed what: the activity of one insight (--insight) or of all, tsv or json',
    usage: 'insights posthog activity --base-url URL --project ID [--environment] [--insight ID] [--max N] [--format tsv|json] [--out FILE]',
    options: { ...common, insight: { value: true }, max: { value: true }, format: { value: true } },
    async run(args, ctx) {
      const format = choice(args, 'format', ['tsv', 'json'] as const, 'tsv');
      const c = client(args, ctx);
      const id = str(args, 'insight');
      // The activity route takes numeric ids only; a short id is looked up first.
      const insightId = id === undefined ? undefined : /^\d+$/.test(id) ? Number(id) : (await c.getInsightBasic(id, ctx.signal)).id;
      const max = str(args, 'max') === undefined ? undefined : wholeNumber(args, 'max', 100);
      const { entries, totalCount } = await c.activity({ insightId, max, pageSize: 100, signal: ctx.signal });
      // tsv: created_at, user, activity, item_id, insight name, changes ("field: before → after; …")
      const text = format === 'json' ? JSON.stringify(entries, null, 2) + '\n' : activityRows(entries).map((r) => tsvLine(r)).join('');
      await emit(str(args, 'out'), text);
      ctx.note(`${entries.length}${totalCount !== undefined && totalCount > entries.length ? ` of ${totalCount}` : ''} activity entries`);
    },
  },
  query: posthogQueryCommand,
};
