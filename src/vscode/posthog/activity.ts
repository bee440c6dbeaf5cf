/**
 * History: the activity log of one insight or of the whole project, as a read-only markdown
 * document on the result scheme (stored like any result, so it survives a reload).
 */
import * as vscode from 'vscode';
import { activityMarkdown } from '../../core/sources/posthog/activity';
import { pickSource } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import { ResultStore } from '../documents/resultStore';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { displayName, insightTarget } from './insightTarget';
import { PostHogAdapter } from './posthogTree';

/** Enough history to read; the document says when there is more on the server. */
const MAX_ENTRIES = 200;
const PAGE_SIZE = 50;

export function registerActivityCommands(services: Services, adapter: PostHogAdapter, results: ResultStore): void {
  const show = async (source: SourceConfig, key: string, title: string, text: string): Promise<vscode.Uri> => {
    await results.save(source.id, key, 'md', text);
    const uri = results.uriFor(source.id, key, title, 'md');
    results.changed(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    return uri;
  };

  const load = (source: SourceConfig, what: string, insightId?: number) =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('PostHog: loading {0}', what), cancellable: true },
      async (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        const client = await adapter.client(source);
        return client.activity({ insightId, max: MAX_ENTRIES, pageSize: PAGE_SIZE, signal: ac.signal });
      },
    );

  registerCommand(services, 'insightExplorer.posthog.showActivity', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Show Insight Activity'));
    if (!t) return undefined;
    const name = displayName(t.insight);
    const { entries, totalCount } = await load(t.source, vscode.l10n.t('the activity of “{0}”', name), t.insight.id);
    const text = activityMarkdown(entries, {
      title: vscode.l10n.t('Activity: {0}', name),
      subtitle: t.insight.short_id
        ? vscode.l10n.t('PostHog · {0} · insight {1} ({2})', t.source.label, t.insight.id, t.insight.short_id)
        : vscode.l10n.t('PostHog · {0} · insight {1}', t.source.label, t.insight.id),
      perInsight: false,
      totalCount,
    });
    return show(t.source, `posthog-activity-${t.insight.id}`, vscode.l10n.t('Activity — {0}', name), text);
  });

  registerCommand(services, 'insightExplorer.posthog.showProjectActivity', async (arg?: unknown) => {
    const source = await pickSource(services, arg, vscode.l10n.t('Show Project Activity'), 'posthog');
    if (!source) return undefined;
    const { entries, totalCount } = await load(source, vscode.l10n.t('the project activity'));
    const text = activityMarkdown(entries, {
      title: vscode.l10n.t('Insight activity: {0}', source.label),
      subtitle: source.options.environment
        ? vscode.l10n.t('PostHog · environment {0} · every insight, newest first', String(source.options.projectId ?? ''))
        : vscode.l10n.t('PostHog · project {0} · every insight, newest first', String(source.options.projectId ?? '')),
      perInsight: true,
      totalCount,
    });
    return show(source, 'posthog-activity-project', vscode.l10n.t('Activity — {0}', source.label), text);
  });
}
