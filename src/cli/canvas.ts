import { InsightError } from '../core/errors';
import { CanvasClient, canvasRetryMessage } from '../core/sources/canvas/client';
import { flattenJson, tableToCsv } from '../core/sources/canvas/tables';
import { parseBaseUrl } from '../core/url';
import { choice, envSecret, flag, str } from './args';
import { CliGroup } from './context';
import { openOutput } from './output';

/**
 * `--path` as given, or with the `/api/v1` prefix added when left out. Absolute URLs are refused:
 * the token goes only to `--base-url` (CLI.md).
 */
export function canvasApiPath(input: string): string {
  const p = input.trim();
  if (p === '' || /^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('//')) {
    throw new InsightError('usage', `Invalid --path "${p}".`, { next: 'Give an API path such as /api/v1/courses/5/analytics/activity (the host comes from --base-url).' });
  }
  const withSlash = p.startsWith('/') ? p : `/${p}`;
  return /^\/api\/v1(\/|$|\?)/.test(withSlash) ? withSlash : `/api/v1${withSlash}`;
}

/** `insights canvas …` commands (see CLI.md). */
export const canvasCommands: CliGroup = {
  get: {
    summary: 'GET a Canvas API path (all pages) as json or a flattened csv',
    usage: [
      'insights canvas get --base-url URL --path /api/v1/... [--format json|csv] [--no-formula-guard] [--out FILE]',
      '',
      'Follows Link rel="next" through every page (same origin only), polls a progress_url answer',
      '(e.g. analytics/assignments?async=true) to completion. json: the pages\' arrays concatenated',
      '(a non-array answer as is); csv: nested objects flattened to dotted columns, text cells',
      "starting with = + - @ tab or CR prefixed with ' (--no-formula-guard keeps them as they are).",
      'Token: CANVAS_TOKEN.',
    ].join('\n'),
    options: {
      'base-url': { value: true, required: true },
      path: { value: true, required: true },
      format: { value: true },
      out: { value: true },
      'no-formula-guard': {},
    },
    async run(args, ctx) {
      // Usage errors (exit 2) come before the token check (exit 3).
      const format = choice(args, 'format', ['json', 'csv'] as const, 'json');
      const base = parseBaseUrl(str(args, 'base-url')!, '--base-url');
      const path = canvasApiPath(str(args, 'path')!);
      const client = new CanvasClient({ baseUrl: base, token: envSecret('CANVAS_TOKEN'), logger: ctx.logger, redactor: ctx.redactor, limits: ctx.limits });
      let pages = 0;
      const data = await client.getAll(path, {
        signal: ctx.signal,
        onPage: (p) => {
          pages = p.page;
          if (p.page > 1 && p.page % 10 === 0) ctx.note(`page ${p.page}…`);
        },
        onProgress: (p) => ctx.note(`Canvas is preparing the data: ${p.workflow_state}${typeof p.completion === 'number' ? ` ${Math.round(p.completion)}%` : ''}`),
        onRetry: (info) => ctx.note(canvasRetryMessage(info)),
      });
      const out = openOutput(str(args, 'out'));
      try {
        await out.write(format === 'csv' ? tableToCsv(flattenJson(data), { formulaGuard: !flag(args, 'no-formula-guard') }) : JSON.stringify(data, null, 2) + '\n');
        await out.close();
      } catch (e) {
        await out.abort();
        throw e;
      }
      if (Array.isArray(data)) ctx.note(`${data.length} item${data.length === 1 ? '' : 's'} from ${pages} page${pages === 1 ? '' : 's'}`);
    },
  },
};
