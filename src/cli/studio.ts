import { StudioClient, StudioInsight, StudioRefresh } from '../core/sources/studio/client';
import { parsePerspectiveId, parseRole } from '../core/sources/studio/perspective';
import { parseBaseUrl } from '../core/url';
import { ParsedArgs, envSecret, str } from './args';
import { CliCommand, CliContext, CliGroup } from './context';
import { openOutput } from './output';

/**
 * Optional token renewal for long-running scripts: STUDIO_REFRESH_TOKEN with STUDIO_CLIENT_ID and
 * STUDIO_CLIENT_SECRET (all three, from the environment like every secret).
 */
function refreshFromEnv(ctx: CliContext, tokenUrl: string | undefined): StudioRefresh | undefined {
  const refreshToken = process.env.STUDIO_REFRESH_TOKEN;
  const clientId = process.env.STUDIO_CLIENT_ID;
  const clientSecret = process.env.STUDIO_CLIENT_SECRET;
  for (const s of [refreshToken, clientSecret]) ctx.redactor.add(s);
  if (!refreshToken || !clientId || !clientSecret) return undefined;
  return { refreshToken, clientId, clientSecret, tokenUrl };
}

function insightsCommand(kind: StudioInsight): CliCommand {
  return {
    summary: kind === 'overview' ? "A perspective's overview CSV (views, time viewed, viewers), exactly as sent" : "A perspective's users CSV (completion per person), exactly as sent",
    usage: [
      `insights studio ${kind} --base-url URL --perspective UUID [--role ROLE] [--out FILE] [--token-url URL]`,
      '',
      'Writes the CSV exactly as Studio sent it. --perspective takes the UUID or a Studio URL containing it.',
      'Token: STUDIO_TOKEN; optional renewal on 401 with STUDIO_REFRESH_TOKEN, STUDIO_CLIENT_ID, STUDIO_CLIENT_SECRET',
      '(token endpoint --token-url, default {site}/api/public/oauth/token).',
    ].join('\n'),
    options: { 'base-url': { value: true, required: true }, perspective: { value: true, required: true }, role: { value: true }, out: { value: true }, 'token-url': { value: true } },
    async run(args: ParsedArgs, ctx: CliContext) {
      // Everything that can be wrong with the input is refused before any request (exit 2).
      const base = parseBaseUrl(str(args, 'base-url')!, '--base-url');
      const perspective = parsePerspectiveId(str(args, 'perspective')!);
      const role = parseRole(str(args, 'role'));
      const client = new StudioClient({
        baseUrl: base,
        accessToken: envSecret('STUDIO_TOKEN'),
        refresh: refreshFromEnv(ctx, str(args, 'token-url')),
        logger: ctx.logger,
        redactor: ctx.redactor,
        limits: ctx.limits,
      });
      // Bytes out, unchanged: the chunks are written as received (never decoded and re-encoded).
      const out = openOutput(str(args, 'out'));
      try {
        const info = await client.streamInsights(kind, perspective, (chunk) => out.write(chunk), { role, signal: ctx.signal });
        await out.close();
        if (str(args, 'out')) ctx.note(`${info.bytes} bytes`);
      } catch (e) {
        await out.abort();
        throw e;
      }
    },
  };
}

/** `insights studio …` commands (see CLI.md). */
export const studioCommands: CliGroup = {
  overview: insightsCommand('overview'),
  users: insightsCommand('users'),
};
