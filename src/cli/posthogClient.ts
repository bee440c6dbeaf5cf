import type { PostHogClient } from '../core/sources/posthog/client';
import { platformOf } from '../core/platforms';
import { type ParsedArgs, envSecret, flag, str } from './args';
import type { CliContext } from './context';

/**
 * The PostHog client of a CLI command, made by the platform registry like the extension's
 * (`--base-url`, `--project`, `--environment`; the key from POSTHOG_API_KEY).
 */
export function posthogClient(args: ParsedArgs, ctx: CliContext): PostHogClient {
  const source = {
    id: 'cli',
    kind: 'posthog' as const,
    label: 'PostHog',
    baseUrl: str(args, 'base-url')!,
    options: { projectId: str(args, 'project')!, environment: flag(args, 'environment') },
    createdAt: '',
  };
  return platformOf('posthog').client(source, envSecret('POSTHOG_API_KEY'), {
    logger: ctx.logger,
    redactor: ctx.redactor,
    limits: ctx.limits,
    shared: (_key, make) => make(),
  }) as PostHogClient;
}
