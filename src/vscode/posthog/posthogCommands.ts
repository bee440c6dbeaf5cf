import * as vscode from 'vscode';
import { InsightError } from '../../core/errors';
import { RefreshMode, insightName } from '../../core/sources/posthog/types';
import { pickSource } from '../commands/sourceCommands';
import { registerCommand } from '../commands/register';
import type { ResultOpener } from '../documents/resultOpener';
import type { ResultStore } from '../documents/resultStore';
import { inputText, pickOne } from '../prompts';
import { Services } from '../services';
import { InsightOpener, OpenTarget } from './openInsight';
import { PostHogAdapter } from './posthogTree';
import { registerActivityCommands } from './activity';
import { displayName, insightTarget } from './insightTarget';
import { registerOrganizeCommands } from './organize';
import { InsightNode, InsightsGroupNode, LoadMoreNode, TrendingGroupNode } from './posthogTree';
import { registerQueryCommands } from './queryDocuments';
import { registerSharingCommands } from './sharing';

export function registerPostHogCommands(services: Services, adapter: PostHogAdapter, resultOpener: ResultOpener, results: ResultStore): InsightOpener {
  const opener = new InsightOpener(services, adapter, resultOpener);
  services.context.subscriptions.push(
    adapter.running,
    adapter.running.onDidChange((f) => adapter.model.runningChanged(f)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('insightExplorer.posthog.trendingDays')) return;
      for (const s of services.store.list()) {
        const g = s.kind === 'posthog' ? adapter.model.state(s.id).trendingGroup : undefined;
        if (g instanceof TrendingGroupNode) services.refreshTree(g);
      }
    }),
  );
  registerOrganizeCommands(services, adapter);
  registerActivityCommands(services, adapter, results);
  registerSharingCommands(services, adapter);
  registerQueryCommands(services, adapter);

  const open = (target: OpenTarget) => async (arg?: unknown) => {
    if (arg instanceof InsightNode) return opener.open(arg.source, arg.insight.id, target);
    const a = (arg ?? {}) as { sourceId?: string; insightId?: string | number };
    const source = await pickSource(services, a.sourceId ? { sourceId: a.sourceId } : undefined, vscode.l10n.t('Open PostHog Insight'), 'posthog');
    if (!source) return undefined;
    let id = a.insightId !== undefined ? String(a.insightId) : undefined;
    if (id === undefined) {
      id = await inputText(
        { title: vscode.l10n.t('Open PostHog Insight') },
        {
          prompt: vscode.l10n.t('Insight id or short id'),
          placeholder: vscode.l10n.t('123 or aBcD1234'),
          validate: (v) => (/^[A-Za-z0-9]+$/.test(v.trim()) ? undefined : vscode.l10n.t('Use the numeric id or the 8-character short id from the insight URL.')),
        },
      );
      if (!id) return undefined;
    }
    return opener.open(source, id.trim(), target);
  };

  registerCommand(services, 'insightExplorer.posthog.openInsight', open('default'));
  registerCommand(services, 'insightExplorer.posthog.openPreview', open('preview'));
  registerCommand(services, 'insightExplorer.posthog.openCsv', open('csv'));
  registerCommand(services, 'insightExplorer.posthog.openJson', open('json'));

  registerCommand(services, 'insightExplorer.posthog.loadMore', async (arg?: unknown) => {
    if (!(arg instanceof LoadMoreNode)) return;
    await adapter.model.loadNextPage(arg.source);
    services.refreshTree(arg.group);
  });

  const groupSource = (arg: unknown) => {
    if (arg instanceof InsightsGroupNode) return arg.source;
    throw new InsightError('usage', vscode.l10n.t('Use this from the Insights group of a PostHog source.'));
  };

  registerCommand(services, 'insightExplorer.posthog.filterInsights', async (arg?: unknown) => {
    const source = arg instanceof InsightsGroupNode ? arg.source : await pickSource(services, arg, vscode.l10n.t('Filter Insights'), 'posthog');
    if (!source) return;
    const current = adapter.model.state(source.id).filter;
    const text = await inputText(
      { title: vscode.l10n.t('Filter insights of {0}', source.label) },
      { prompt: vscode.l10n.t('Show insights whose name contains (empty shows all)'), value: current },
    );
    if (text === undefined) return;
    await adapter.model.setFilter(source, text);
  });

  registerCommand(services, 'insightExplorer.posthog.clearFilter', async (arg?: unknown) => {
    adapter.model.clearFilters(groupSource(arg));
  });

  // Refresh with a chosen mode: the cache, a calculation now, or one in the background (polled).
  registerCommand(services, 'insightExplorer.posthog.refreshInsight', async (arg?: unknown) => {
    const t = await insightTarget(services, adapter, arg, vscode.l10n.t('Refresh Insight'));
    if (!t) return undefined;
    const mode = await pickOne<RefreshMode>(
      { title: vscode.l10n.t('Refresh “{0}”', displayName(t.insight)) },
      [
        { label: vscode.l10n.t('Use the cached result'), description: vscode.l10n.t('force_cache: fast, never calculates'), value: 'force_cache' },
        { label: vscode.l10n.t('Recalculate now'), description: vscode.l10n.t('force_blocking: wait for a fresh result'), value: 'force_blocking' },
        { label: vscode.l10n.t('Recalculate in the background'), description: vscode.l10n.t('force_async: PostHog calculates, we poll'), value: 'force_async' },
      ],
      vscode.l10n.t('How should PostHog refresh it?'),
    );
    if (!mode) return undefined;
    return opener.open(t.source, t.insight.id, 'default', mode);
  });

  registerCommand(services, 'insightExplorer.posthog.cancelQuery', async (arg?: unknown) => {
    const running = adapter.running.list();
    let target = arg instanceof InsightNode ? adapter.running.find(arg.source.id, arg.insight) : undefined;
    if (!target && !(arg instanceof InsightNode)) {
      if (running.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No PostHog query is running.'));
        return false;
      }
      target = running.length === 1 ? running[0] : await pickOne(
              { title: vscode.l10n.t('Cancel Query') },
              running.map((r) => ({ label: vscode.l10n.t('Insight {0}', r.requestedId), description: services.store.get(r.sourceId)?.label, value: r })),
              vscode.l10n.t('Which calculation should stop?'),
            );
    }
    if (!target) return false;
    services.log.info(`Cancelling the query of insight ${target.requestedId} (client query id ${target.clientQueryId}).`);
    target.cancel();
    return true;
  });

  registerCommand(services, 'insightExplorer.posthog.copyInsightId', async (arg?: unknown) => {
    if (!(arg instanceof InsightNode)) return;
    await vscode.env.clipboard.writeText(String(arg.insight.short_id ?? arg.insight.id));
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied id of “{0}”', insightName(arg.insight)), 3000);
  });

  registerCommand(services, 'insightExplorer.posthog.openInBrowser', async (arg?: unknown) => {
    if (!(arg instanceof InsightNode)) return;
    const base = arg.source.baseUrl.replace(/\/+$/, '');
    await vscode.env.openExternal(vscode.Uri.parse(`${base}/project/${arg.source.options.projectId}/insights/${arg.insight.short_id ?? arg.insight.id}`));
  });

  return opener;
}
